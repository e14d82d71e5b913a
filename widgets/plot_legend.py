"""PlotLegend: a plot's legend as a row of Qt widgets above the canvas, never on the data.

    legend = PlotLegend(parent, object_name="mtf_legend")
    legend.add("measured", pen, symbol=True)   # a swatch drawn with the curve's pen
    legend.rename("measured", "实测值")           # a language switch: the text only
    legend.remove("measured")

pyqtgraph's legend floats on the view box: in a small plot (a quarter of the CT QC
results pane at 1366x768) it covered the curves, and its last entries ran off the plot.
Here the entries flow left to right and wrap onto more lines (``FlowLayout``), so the
layout reserves their room and the view box gets what is left. An entry wider than the
whole row is drawn elided; its text (``text()``) and tooltip stay whole.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from widgets.flow_layout import FlowLayout

SWATCH_W = 16          # px of line drawn before the text
GAP = 4                # px between the swatch and the text
SPACING = 10           # px between two entries of a line (none after a line's last)
POINT_SIZE = 10.0      # a notch under the axis labels (11 pt) and the ticks (10.5 pt)
TEXT_COLOR = "#2b2f33"


def _font(point_size: float, bold: bool = False) -> QFont:
    """A size (and weight) only: the family still comes from the application font, so a
    language switch (a CJK font first) reaches the legend."""
    font = QFont()
    font.setPointSizeF(point_size)
    if bold:
        font.setBold(True)
    return font


class ElidedLabel(QLabel):
    """A label that draws its text elided to its width; ``text()`` and the tooltip stay
    whole (a plot title in a narrow quarter of the pane: "Noise power spectrun")."""

    def __init__(self, parent: QWidget | None = None, *, point_size: float = POINT_SIZE,
                 bold: bool = False, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft
                 ) -> None:
        super().__init__(parent)
        self.setFont(_font(point_size, bold))
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setToolTip(text)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """QLabel's for its line of text, but never grown to the label's minimum size as
        QLabel's is: a plot title levelled to the highest title of its row
        (``HeaderLevel``) kept that height as its own, and after a switch to English kept
        its Chinese height (22 px for 18)."""
        flags = int(self.alignment()) & ~int(Qt.AlignmentFlag.AlignVCenter
                                             | Qt.AlignmentFlag.AlignHCenter)
        text = self.fontMetrics().boundingRect(0, 0, 2000, 2000, flags, self.text())
        margins = self.contentsMargins()
        return QSize(text.width() + margins.left() + margins.right() + 2 * self.margin(),
                     text.height() + margins.top() + margins.bottom() + 2 * self.margin())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.fontMetrics().horizontalAdvance("M…"), self.sizeHint().height())

    def is_elided(self) -> bool:
        return self._shown_text() != self.text()

    def _shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self._text_width())

    def _text_width(self) -> int:
        return self.contentsRect().width()

    def _text_left(self) -> int:
        return self.contentsRect().left()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        self._paint_extra(painter)
        rect = self.contentsRect()
        rect.setLeft(self._text_left())
        rect.setWidth(self._text_width())
        painter.setPen(QColor(TEXT_COLOR))
        painter.drawText(rect, int(self._align), self._shown_text())

    def _paint_extra(self, painter: QPainter) -> None:
        pass


class LegendEntry(ElidedLabel):
    """One curve: a short stretch of its line (its pen, and a dot for a curve with
    symbols) and its name."""

    def __init__(self, text: str, pen: QPen, *, symbol: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pen = QPen(pen)
        self.pen.setWidthF(min(pen.widthF(), 2.5))
        self.pen.setCosmetic(True)
        self.symbol = symbol
        # Preferred: the flow lays an entry out at its hint (Ignored reads as 0 px wide)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        fm = self.fontMetrics()
        # +2: elidedText measures to the subpixel and elided a text at its exact advance
        return QSize(SWATCH_W + GAP + fm.horizontalAdvance(self.text()) + 2,
                     fm.height() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        fm = self.fontMetrics()
        return QSize(SWATCH_W + GAP + fm.horizontalAdvance("M…"), fm.height() + 2)

    def _text_left(self) -> int:
        return self.contentsRect().left() + SWATCH_W + GAP

    def _text_width(self) -> int:
        return self.contentsRect().width() - SWATCH_W - GAP

    def _paint_extra(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        y = self.contentsRect().center().y() + 0.5
        x0 = self.contentsRect().left() + 1.0
        painter.setPen(self.pen)
        painter.drawLine(QPointF(x0, y), QPointF(x0 + SWATCH_W - 2, y))
        if self.symbol:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.pen.color())
            painter.drawEllipse(QPointF(x0 + (SWATCH_W - 2) / 2, y), 3.0, 3.0)


class PlotLegend(QWidget):
    """The entries of one plot, in the order the curves were added."""

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "plot_legend"
                 ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._flow = FlowLayout(self, spacing=SPACING, line_spacing=1)
        self._flow.setContentsMargins(2, 0, 2, 0)
        self._entries: dict[str, LegendEntry] = {}
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hide()                                  # no curve, no empty row

    def add(self, name: str, pen: QPen, *, symbol: bool = False) -> LegendEntry:
        self.remove(name)
        entry = LegendEntry(name, pen, symbol=symbol, parent=self)
        entry.setObjectName(f"{self.objectName()}_entry")
        self._flow.addWidget(entry)
        self._entries[name] = entry
        self.setVisible(True)
        return entry

    def remove(self, name: str) -> None:
        entry = self._entries.pop(name, None)
        if entry is not None:
            self._flow.removeWidget(entry)
            entry.deleteLater()
            entry.hide()
        self.setVisible(bool(self._entries))

    def rename(self, old: str, new: str) -> None:
        entry = self._entries.get(old)
        if entry is None or new in self._entries:
            return
        entry.setText(new)
        self._entries = {e.text(): e for e in self.entries()}    # in the curves' order
        self._flow.invalidate()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        # no entry, no room (the flow keeps the height its last entries wrapped to)
        return super().sizeHint() if self._entries else QSize(0, 0)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return super().minimumSizeHint() if self._entries else QSize(0, 0)

    def entries(self) -> list[LegendEntry]:
        return sorted(self._entries.values(), key=lambda e: self._flow.indexOf(e))

    def texts(self) -> list[str]:
        return [e.text() for e in self.entries()]
