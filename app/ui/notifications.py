"""Notification area (status bar) and the safety banner, fed by app.runtime.notifier.

Notices arrive on any thread; a queued signal hands them to the GUI thread.

Safety convention: ``Notice(level="safety", code=..., source=...)`` raises a banner that
cannot be dismissed; ``Notice(level="safety_cleared", code=<same>, source=<same>)``
removes it once the condition is gone. Errors raise the unread-error badge.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QToolButton, QVBoxLayout, QWidget)

from app.runtime.notifier import Notice, Notifier
from app.ui.status_lights import GivingLabel
from widgets.state_style import NOTICE_COLORS

MAX_SHOWN = 100
SAFETY, SAFETY_CLEARED = "safety", "safety_cleared"


def safety_key(notice: Notice) -> tuple[str, str]:
    return notice.source, notice.code or notice.text


class NotificationBridge(QWidget):
    """Subscribes to a Notifier; re-emits each Notice on the GUI thread."""

    sig_notice = Signal(object)
    _sig_raw = Signal(object)

    def __init__(self, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVisible(False)
        self._sig_raw.connect(self.sig_notice.emit, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = notifier.subscribe(self._from_any_thread)

    def _from_any_thread(self, notice: Notice) -> None:
        try:
            self._sig_raw.emit(notice)
        except RuntimeError:
            self.detach()

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class NotificationPopup(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("notification_popup")
        self.list_widget = QListWidget(self)
        self.list_widget.setObjectName("notification_list")
        self.list_widget.setWordWrap(True)
        self.clear_button = QPushButton(self)
        self.clear_button.setObjectName("notification_mark_read")
        layout = QVBoxLayout(self)
        layout.addWidget(self.list_widget)
        layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(620, 380)


class NotificationArea(QWidget):
    """Bell button with the unread error count; click shows the latest notices."""

    sig_safety_changed = Signal(list)   # list of active safety Notices

    def __init__(self, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notification_area")
        self.notices: list[Notice] = []
        self.unread_errors = 0
        self.active_safety: dict[tuple[str, str], Notice] = {}
        self.bridge = NotificationBridge(notifier, self)
        self.bridge.sig_notice.connect(self.add_notice)
        self.button = QToolButton(self)
        self.button.setObjectName("notification_button")
        self.button.clicked.connect(self.show_popup)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("notification_error_count")
        self.last_label = GivingLabel(self)    # elided: a long notice never pushes the
        self.last_label.setObjectName("notification_last")     # status lights out
        self.last_label.setMaximumWidth(520)
        self.popup = NotificationPopup(self)
        self.popup.clear_button.clicked.connect(self.mark_read)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.last_label)
        layout.addWidget(self.button)
        layout.addWidget(self.count_label)
        for n in notifier.history[-MAX_SHOWN:]:
            self.add_notice(n)
        self.retranslate_ui()

    @Slot(object)
    def add_notice(self, notice: Notice) -> None:
        key = safety_key(notice)
        if notice.level == SAFETY:
            self.active_safety[key] = notice
            self.sig_safety_changed.emit(list(self.active_safety.values()))
        elif notice.level == SAFETY_CLEARED:
            if self.active_safety.pop(key, None) is not None:
                self.sig_safety_changed.emit(list(self.active_safety.values()))
        if notice.level in ("error", SAFETY):
            self.unread_errors += 1
        self.notices.append(notice)
        del self.notices[:-MAX_SHOWN]
        item = QListWidgetItem(self._line(notice))
        item.setData(Qt.ItemDataRole.UserRole, notice)
        color = NOTICE_COLORS.get(notice.level.replace("_cleared", ""), "#6b7177")
        item.setData(Qt.ItemDataRole.DecorationRole, _dot(color))
        self.popup.list_widget.insertItem(0, item)
        while self.popup.list_widget.count() > MAX_SHOWN:
            self.popup.list_widget.takeItem(self.popup.list_widget.count() - 1)
        self.last_label.setText(notice.text if len(notice.text) < 80 else notice.text[:77] + "…")
        self.last_label.setToolTip(self._line(notice))   # after setText: the whole line
        self._render_count()

    def _line(self, n: Notice) -> str:
        time = n.ts_utc[11:19]
        parts = [f"{time} UTC", f"[{n.source}]" if n.source else "", n.text,
                 f"({n.code})" if n.code else ""]
        line = " ".join(p for p in parts if p)
        if n.remedy:
            line += "\n" + self.tr("What to do: %1").replace("%1", n.remedy)
        return line

    def mark_read(self) -> None:
        self.unread_errors = 0
        self._render_count()
        self.popup.hide()

    def show_popup(self) -> None:
        pos = self.mapToGlobal(QPoint(self.width() - self.popup.width(), -self.popup.height()))
        self.popup.move(pos)
        self.popup.show()

    def _render_count(self) -> None:
        self.count_label.setText(str(self.unread_errors))
        self.count_label.setVisible(self.unread_errors > 0)
        self.count_label.setToolTip(self.tr("%1 unread errors").replace(
            "%1", str(self.unread_errors)))

    def detach(self) -> None:
        self.bridge.detach()

    def retranslate_ui(self) -> None:
        self.button.setText(self.tr("Notices"))
        self.button.setToolTip(self.tr("Show the latest notices and errors"))
        self.popup.clear_button.setText(self.tr("Mark all read"))
        self._render_count()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _dot(color: str):  # noqa: ANN202 - QIcon
    from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

    pix = QPixmap(14, 14)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pix)


class SafetyBanner(QFrame):
    """Red banner listing active safety notices. It has no close button: it goes away
    only when every safety condition is cleared (``safety_cleared`` notices)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("safety_banner")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("safety_banner_text")
        self.text_label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 4, 14, 4)
        layout.addWidget(self.text_label, 1)
        self._notices: list[Notice] = []
        # station id -> display name in the current language (set by the main window)
        self.source_title: Callable[[str], str] = lambda source: source
        self.setVisible(False)

    @Slot(list)
    def set_notices(self, notices: list[Notice]) -> None:
        self._notices = list(notices)
        self._render()

    def active_count(self) -> int:
        return len(self._notices)

    def _render(self) -> None:
        lines = []
        safety = self.tr("SAFETY")
        for n in self._notices:
            src = f"{self.source_title(n.source)}: " if n.source else ""
            lines.append(f"⚠ {safety} — {src}{n.text}"
                         + (f"  ({n.code})" if n.code else ""))
            if n.remedy:
                lines.append("    " + n.remedy)
        self.text_label.setText("\n".join(lines))
        self.setVisible(bool(self._notices))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)
