"""PlotPanel: line plots for MTF, NPS and profile curves with labelled axes and units.

    plot = PlotPanel(parent, object_name="ctqc_mtf_plot", title="MTF",
                     x_label="Spatial frequency", x_unit="lp/cm", y_label="MTF")
    plot.add_curve("measured", freqs, mtf)
    plot.add_curve("reference", freqs, ref, dashed=True)
    plot.add_reference_line(0.1, label="MTF10", axis="y")
    plot.clear()

Series are told apart by muted tones and dash styles; red/amber are kept for limits.
The title and the legend are Qt widgets above the canvas (``title_label``, ``legend``:
widgets/plot_legend.py): the legend wraps onto more lines in a narrow plot and never
lies on the curves; a title too long for the plot is elided, whole in its tooltip.
Signal: sig_point_hovered(str curve, float x, float y) as the mouse moves; the nearest
point's reading is shown in a tooltip at the pointer (``hover_text``), not in a row of its
own (that row took a tenth of a small plot's height for an empty line).
Plots side by side: ``plot.level_with(other)`` gives their titles one height and their
legends one height (``HeaderLevel``), so their graphs start at one height.
"""
from __future__ import annotations

import weakref
from typing import Sequence

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from widgets.lazy_plot import lazy_plot_widget
from widgets.plot_legend import ElidedLabel, PlotLegend

SERIES_COLORS = ("#1f3a4d", "#5b7083", "#7a6a4f", "#3f5f3f", "#6b4f6b", "#2f2f2f")
SERIES_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
                 Qt.PenStyle.DashDotLine)
LIMIT_PENS = {"action": ("#c62828", Qt.PenStyle.DashLine),
              "warning": ("#9a5b00", Qt.PenStyle.DotLine),
              "neutral": ("#6b7177", Qt.PenStyle.DashLine)}


def style_plot_item(plot_item: pg.PlotItem, *, point_size: float = 10.5) -> None:
    """Readable axes: dark ticks, 10.5 pt tick labels, light grid; the tick labels and the
    axis and plot titles in the application font as it is now. pyqtgraph's items keep the
    font they were made with: call it again when the font changes (a language switch), or
    after English -> Chinese their texts stay in DejaVu Sans (CJK glyphs by fallback)."""
    font = QFont()
    font.setPointSizeF(point_size)
    for name in ("left", "bottom"):
        axis = plot_item.getAxis(name)
        axis.setTickFont(font)
        axis.label.setFont(QFont())          # its size is in its text's style
        axis.showLabel(axis.label.isVisible())      # the axis's room for it,
        axis.resizeEvent()                          # its place along the axis
        axis.setPen(pg.mkPen("#4a4f55"))
        axis.setTextPen(pg.mkPen("#2b2f33"))
    plot_item.titleLabel.item.setFont(QFont())
    plot_item.titleLabel.updateMin()
    plot_item.showGrid(x=True, y=True, alpha=0.18)


def axis_text(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


class PlotPanel(QWidget):
    sig_point_hovered = Signal(str, float, float)

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "plot_panel",
                 title: str = "", x_label: str = "", x_unit: str = "", y_label: str = "",
                 y_unit: str = "", legend: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.plot_widget = lazy_plot_widget(self, background="#fbfbfc")
        self.plot_widget.setObjectName(f"{object_name}_canvas")
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        style_plot_item(self.plot_item)
        self.title_label = ElidedLabel(self, point_size=11.0, bold=True,
                                       align=Qt.AlignmentFlag.AlignHCenter)
        self.title_label.setObjectName(f"{object_name}_title")
        self.legend = PlotLegend(self, object_name=f"{object_name}_legend") if legend else None
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._refs: list[pg.InfiniteLine] = []
        self.hover_text = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        if self.legend is not None:
            layout.addWidget(self.legend)
        layout.addWidget(self.plot_widget, 1)
        self.set_axes(title=title, x_label=x_label, x_unit=x_unit, y_label=y_label,
                      y_unit=y_unit)
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_axes(self, *, title: str | None = None, x_label: str | None = None,
                 x_unit: str | None = None, y_label: str | None = None,
                 y_unit: str | None = None) -> None:
        if title is not None:
            self.title_label.setText(title)
            self.title_label.setVisible(bool(title))
        label_style = {"color": "#2b2f33", "font-size": "10.5pt"}
        if x_label is not None:
            self._x = (x_label, x_unit or "")
            self.plot_item.setLabel("bottom", axis_text(*self._x), **label_style)
        if y_label is not None:
            self._y = (y_label, y_unit or "")
            self.plot_item.setLabel("left", axis_text(*self._y), **label_style)

    def add_curve(self, name: str, x: Sequence[float] | np.ndarray,
                  y: Sequence[float] | np.ndarray, *, color: str | None = None,
                  dashed: bool = False, width: float = 2.0,
                  symbols: bool = False) -> pg.PlotDataItem:
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if xs.shape != ys.shape:
            raise ValueError(f"curve '{name}': x has {xs.shape} values, y has {ys.shape}")
        if name in self._curves:
            self.remove_curve(name)
        n = len(self._curves)
        pen = pg.mkPen(color or SERIES_COLORS[n % len(SERIES_COLORS)], width=width,
                       style=Qt.PenStyle.DashLine if dashed
                       else SERIES_STYLES[(n // len(SERIES_COLORS)) % len(SERIES_STYLES)])
        kw = {"symbol": "o", "symbolSize": 5, "symbolBrush": pen.color(),
              "symbolPen": None} if symbols else {}
        item = self.plot_item.plot(xs, ys, pen=pen, name=name, **kw)
        self._curves[name] = item
        if self.legend is not None:
            self.legend.add(name, pen, symbol=symbols)
        return item

    def remove_curve(self, name: str) -> None:
        item = self._curves.pop(name, None)
        if item is not None:
            self.plot_item.removeItem(item)
        if self.legend is not None:
            self.legend.remove(name)

    def rename_curve(self, old: str, new: str) -> None:
        """The same curve under another name (a language switch): the legend's text only,
        the drawn data stay (drawing the curves anew cost 10-50 ms of GUI thread)."""
        if old == new or old not in self._curves or new in self._curves:
            return
        item = self._curves[old]
        self._curves = {new if k == old else k: v for k, v in self._curves.items()}
        item.opts["name"] = new
        if self.legend is not None:
            self.legend.rename(old, new)

    def curve_names(self) -> list[str]:
        return list(self._curves)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.FontChange:
            style_plot_item(self.plot_item)
        super().changeEvent(event)

    def level_with(self, *others: PlotPanel) -> HeaderLevel:
        """Plots side by side: their graphs start at one height (see ``HeaderLevel``)."""
        return HeaderLevel([self, *others])

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self._curves[name].getData()

    def add_reference_line(self, value: float, *, label: str = "", axis: str = "y",
                           kind: str = "neutral", label_at: float = 0.92) -> pg.InfiniteLine:
        """``label_at``: where along the line its label sits (0 left/bottom, 1 right/top):
        where the curves are not."""
        color, style = LIMIT_PENS.get(kind, LIMIT_PENS["neutral"])
        line = pg.InfiniteLine(pos=value, angle=0 if axis == "y" else 90,
                               pen=pg.mkPen(color, width=1.5, style=style), label=label,
                               labelOpts={"position": label_at, "color": color,
                                          "fill": pg.mkBrush(255, 255, 255, 200)})
        self.plot_item.addItem(line, ignoreBounds=False)
        self._refs.append(line)
        return line

    def clear(self) -> None:
        for name in list(self._curves):
            self.remove_curve(name)
        for line in self._refs:
            self.plot_item.removeItem(line)
        self._refs.clear()

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if not self._curves or not self.plot_item.vb.sceneBoundingRect().contains(pos):
            return
        p = self.plot_item.vb.mapSceneToView(pos)
        best: tuple[float, str, float, float] | None = None
        for name, item in self._curves.items():
            xs, ys = item.getData()
            if xs is None or len(xs) == 0:
                continue
            i = int(np.argmin(np.abs(xs - p.x())))
            d = abs(ys[i] - p.y())
            if best is None or d < best[0]:
                best = (d, name, float(xs[i]), float(ys[i]))
        if best is not None:
            _, name, x, y = best
            self.hover_text = (f"{name}\n{self._x[0]} {x:.4g} {self._x[1]}\n"
                               f"{self._y[0]} {y:.4g} {self._y[1]}")
            at = self.plot_widget.mapToGlobal(self.plot_widget.mapFromScene(pos))
            QToolTip.showText(at, self.hover_text, self.plot_widget)
            self.sig_point_hovered.emit(name, x, y)


class HeaderLevel(QObject):
    """Plots side by side: their titles one height and their legends one height (the
    highest of each), so their graphs start at one height whichever legend wraps (MTF/TTF's
    four curves on two lines beside NPS's one) or title needs a taller CJK line. A part
    with nothing to show keeps the room while one beside it has some. Each plot's layout
    request (a legend wrapped anew, a title re-worded, a curve added) levels them again,
    before that plot's layout runs."""

    def __init__(self, panels: Sequence[PlotPanel]) -> None:
        super().__init__(panels[0])
        self._panels = [weakref.ref(p) for p in panels]
        for panel in panels:
            for part in (panel.title_label, panel.legend):
                if part is None:
                    continue
                policy = part.sizePolicy()
                policy.setRetainSizeWhenHidden(True)
                part.setSizePolicy(policy)
            panel.installEventFilter(self)
        self.level()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self.level()
        return False

    def level(self) -> None:
        panels = [p for p in (ref() for ref in self._panels)
                  if p is not None and shiboken6.isValid(p)]
        titles = [p.title_label for p in panels]
        legends = [p.legend for p in panels if p.legend is not None]
        for parts in (titles, legends):
            height = max((w.sizeHint().height() for w in parts if not w.isHidden()),
                         default=0)
            for w in parts:
                if w.minimumHeight() != height:
                    w.setMinimumHeight(height)
