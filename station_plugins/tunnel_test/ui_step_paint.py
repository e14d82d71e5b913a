"""Painting the tunnel step table's cells: each line in its own colour, the title wrapped
the way its row height was computed (``ui_step_table`` sizes the rows with the same
``wrapped_height``)."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

STEP = 0                                             # the title column (wrapped)
LINE_COLORS_ROLE = Qt.ItemDataRole.UserRole + 11     # one colour (or None) per text line
Index = QModelIndex | QPersistentModelIndex


def _wrap_option(align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QTextOption:
    """Words stay whole where they fit; a word longer than the column (an identifier
    such as ``mains_applied_part``) breaks anywhere instead of being clipped."""
    opt = QTextOption(align)
    opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    return opt


def wrapped_height(text: str, font: QFont, width: int) -> int:
    """The height of ``text`` wrapped as the delegate paints it."""
    layout = QTextLayout(text, font)
    layout.setTextOption(_wrap_option())
    layout.beginLayout()
    height = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        height += line.height()
    layout.endLayout()
    return int(height + 0.999)


def text_pad(widget: QWidget) -> int:
    """Pixels of a cell that are not text (both sides): what the delegate leaves."""
    return 2 * (widget.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                           widget) + 1) + 6


class LinesDelegate(QStyledItemDelegate):
    """Paints every cell of the step table the way its size was computed: the title
    wrapped (also inside a long word such as ``mains_applied_part``: Qt's own delegate
    clipped it), the other cells line by line, each line in its own colour
    (``LINE_COLORS_ROLE``: a failed measurement's value in red beside the passed ones)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = str(index.data() or ""), ""
        widget = opt.widget
        if widget is None:
            super().paint(painter, option, index)
            return
        widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        colors = index.data(LINE_COLORS_ROLE) or []
        pad = widget.pad() if hasattr(widget, "pad") else text_pad(widget)
        fm = opt.fontMetrics
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        normal = opt.palette.highlightedText().color() if selected else opt.palette.text().color()
        area = opt.rect.adjusted(pad // 2, 0, -(pad - pad // 2), 0)
        painter.save()
        painter.setFont(opt.font)
        if index.column() == STEP:
            painter.setPen(normal)
            height = wrapped_height(text, opt.font, area.width())
            top = area.top() + max(0, (area.height() - height) // 2)
            painter.drawText(QRectF(area.left(), top, area.width(), height), text,
                             _wrap_option())
        else:
            lines = text.split("\n")
            y = area.top() + (area.height() - len(lines) * fm.lineSpacing()) // 2
            for i, line in enumerate(lines):
                color = colors[i] if i < len(colors) else None
                painter.setPen(QColor(color) if color and not selected else normal)
                painter.drawText(QRect(area.left(), y, area.width(), fm.lineSpacing()),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                                 line)
                y += fm.lineSpacing()
        painter.restore()
