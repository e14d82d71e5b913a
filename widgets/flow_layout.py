"""FlowLayout: a tool row that wraps onto the next line instead of widening the window.

    row = FlowLayout(spacing=6)
    for w in (label, combo, button):
        row.addWidget(w)
    parent_layout.addLayout(row)

Items keep their size hints and are laid out left to right; an item that does not fit
on the current line starts a new one (height-for-width), so a toolbar that is one line
at 1920 px becomes two at 1366 px, in English or in Chinese, and never forces the
window wider than the screen. An item added with ``stretch=True`` takes the rest of its
line (a progress bar). Qt-only, no station knowledge.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize, Qt, QThread, QTimer
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6,
                 line_spacing: int | None = None) -> None:
        """``spacing``: between items of a line and, unless ``line_spacing`` is given,
        between lines."""
        super().__init__(parent)
        self._line_spacing = line_spacing
        self._items: list[QLayoutItem] = []
        self._stretch: set[int] = set()
        self._wrapped_height = 0       # the height the last width needed
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout API -------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def addWidget(self, widget: QWidget, stretch: bool = False) -> None:  # noqa: N802
        super().addWidget(widget)
        if stretch:
            self._stretch.add(id(self._items[-1]))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self._stretch.discard(id(item))
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt API
        return Qt.Orientation(0)

    # Not a height-for-width layout on purpose: a QScrollArea (the station host) takes a
    # height-for-width widget's *preferred* height as its minimum, which would make every
    # panel scroll. Instead the wrapped height found at the last width becomes this
    # layout's minimum height (one relayout later).
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return False

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._do_layout(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        super().setGeometry(rect)
        self._do_layout(rect, apply=True)
        needed = self.heightForWidth(rect.width())
        app = QCoreApplication.instance()
        if needed != self._wrapped_height and app is not None and \
                QThread.currentThread() is app.thread():     # timers: GUI thread only
            self._wrapped_height = needed
            QTimer.singleShot(0, self, self._relayout)   # dropped if the layout is gone

    def _relayout(self) -> None:
        self.invalidate()
        parent = self.parentWidget()
        if parent is not None:
            parent.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        w = h = 0
        for item in self._visible():
            hint = item.sizeHint()
            w += hint.width() + self.spacing()
            h = max(h, hint.height())
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(),
                     max(h + m.top() + m.bottom(), self._wrapped_height))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt API
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        size += QSize(m.left() + m.right(), m.top() + m.bottom())
        return QSize(size.width(), max(size.height(), self._wrapped_height))

    # --- layout --------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not (i.widget() is not None and i.widget().isHidden())]

    def _do_layout(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        space = self.spacing()
        line_space = space if self._line_spacing is None else self._line_spacing
        lines: list[list[QLayoutItem]] = [[]]
        x = 0
        for item in self._visible():
            w = item.sizeHint().width()
            if lines[-1] and x + w > area.width():
                lines.append([])
                x = 0
            lines[-1].append(item)
            x += w + space
        y = area.y()
        for line in lines:
            if not line:
                continue
            height = max(i.sizeHint().height() for i in line)
            used = sum(i.sizeHint().width() for i in line) + space * (len(line) - 1)
            spare = max(0, area.width() - used)
            stretchers = [i for i in line if id(i) in self._stretch]
            x = area.x()
            for item in line:
                w = item.sizeHint().width()
                if stretchers and item in stretchers:
                    w += spare // len(stretchers)
                w = min(w, area.width())
                if apply:
                    h = min(height, item.maximumSize().height())
                    top = y + (height - h) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(w, h)))
                x += w + space
            y += height + line_space
        return y - line_space - rect.y() + m.bottom() if y > area.y() \
            else m.top() + m.bottom()
