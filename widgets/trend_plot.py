"""TrendPlot: a control chart, values over time with warning and action limit lines.

    trend = TrendPlot(parent, object_name="ctqc_noise_trend", title="Water noise",
                      y_label="SD", unit="HU")
    trend.set_limits(Limits(high=6.0, warn_high=5.0))      # lines: action red, warning amber
    trend.set_points(times, values, verdicts, ids)          # datetimes / epoch s / ISO UTC
    trend.sig_point_clicked.connect(open_record)            # (int index, str id)

Points are grey unless their verdict says otherwise (WARN amber, FAIL red, ERROR purple).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.measurement import Limits, Verdict
from widgets.plot_panel import LIMIT_PENS, axis_text, style_plot_item
from widgets.state_style import as_verdict, verdict_color

POINT_NEUTRAL = "#5b6168"


def to_epoch(t: Any) -> float:
    """datetime (naive = UTC), epoch seconds or ISO-8601 text -> epoch seconds."""
    if isinstance(t, (int, float, np.floating, np.integer)):
        return float(t)
    if isinstance(t, str):
        t = datetime.fromisoformat(t.replace("Z", "+00:00"))
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return t.timestamp()
    raise TypeError(f"cannot read a time from {t!r}")



MIN_SPAN_S = 24 * 3600.0     # the time axis shows at least one day

class TrendPlot(QWidget):
    sig_point_clicked = Signal(int, str)

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "trend_plot",
                 title: str = "", y_label: str = "", unit: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._title, self._y_label, self._unit = title, y_label, unit
        self.plot_widget = pg.PlotWidget(self, background="#fbfbfc",
                                         axisItems={"bottom": pg.DateAxisItem()})
        self.plot_widget.setObjectName(f"{object_name}_canvas")
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        style_plot_item(self.plot_item)
        self._line = self.plot_item.plot([], [], pen=pg.mkPen("#9aa0a6", width=1.5))
        self._scatter = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#ffffff", width=1))
        self._scatter.sigClicked.connect(self._on_clicked)
        self.plot_item.addItem(self._scatter)
        self._limit_lines: list[pg.InfiniteLine] = []
        self._ids: list[str] = []
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._verdicts: list[Verdict | None] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.retranslate_ui()

    def set_points(self, times: Sequence[Any], values: Sequence[float],
                   verdicts: Sequence[Verdict | str | None] | None = None,
                   ids: Sequence[str] | None = None) -> None:
        n = len(values)
        if len(times) != n:
            raise ValueError(f"{len(times)} times but {n} values")
        xs = np.array([to_epoch(t) for t in times], dtype=float)
        ys = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        order = np.argsort(xs, kind="stable")
        vs = [as_verdict(v) for v in (verdicts or [None] * n)]
        id_list = [str(i) for i in (ids or [str(k) for k in range(n)])]
        self._x, self._y = xs[order], ys[order]
        self._verdicts = [vs[i] for i in order]
        self._ids = [id_list[i] for i in order]
        finite = np.isfinite(self._y)
        self._line.setData(self._x[finite], self._y[finite])
        spots = [{"pos": (self._x[i], self._y[i]), "data": i,
                  "brush": pg.mkBrush(self.point_color(self._verdicts[i])),
                  "symbol": "o" if self._neutral(self._verdicts[i]) else "d",
                  "size": 11 if self._neutral(self._verdicts[i]) else 15}
                 for i in range(n) if finite[i]]
        self._scatter.setData(spots)
        self.plot_item.enableAutoRange()
        xs_ok = self._x[finite] if n else self._x
        if len(xs_ok) and float(np.ptp(xs_ok)) < MIN_SPAN_S:
            # one result (or a few within minutes): the date axis would zoom to seconds
            # and print ticks like '59.750'; show at least a day around them instead
            mid = float(np.mean([xs_ok.min(), xs_ok.max()]))
            self.plot_item.setXRange(mid - MIN_SPAN_S / 2, mid + MIN_SPAN_S / 2, padding=0)

    @staticmethod
    def _neutral(v: Verdict | None) -> bool:
        return v in (None, Verdict.PASS, Verdict.SKIP)

    @staticmethod
    def point_color(v: Verdict | None) -> str:
        if v in (None, Verdict.PASS, Verdict.SKIP):
            return POINT_NEUTRAL
        return verdict_color(v)

    def point_colors(self) -> list[str]:
        return [self.point_color(v) for v in self._verdicts]

    def set_limits(self, limits: Limits | None, *, centre: float | None = None) -> None:
        for line in self._limit_lines:
            self.plot_item.removeItem(line)
        self._limit_lines.clear()
        if limits is not None:
            for value, kind, text in (
                    (limits.high, "action", QCoreApplication.translate("TrendPlot", "action high")),
                    (limits.low, "action", QCoreApplication.translate("TrendPlot", "action low")),
                    (limits.warn_high, "warning",
                     QCoreApplication.translate("TrendPlot", "warning high")),
                    (limits.warn_low, "warning",
                     QCoreApplication.translate("TrendPlot", "warning low"))):
                if value is not None:
                    self._add_line(value, kind, f"{text} {value:g}")
        if centre is not None:
            self._add_line(centre, "neutral",
                           QCoreApplication.translate("TrendPlot", "target %1").replace(
                "%1", f"{centre:g}"))

    def limit_values(self) -> list[float]:
        return sorted(float(line.value()) for line in self._limit_lines)

    def _add_line(self, value: float, kind: str, label: str) -> None:
        color, style = LIMIT_PENS[kind]
        line = pg.InfiniteLine(pos=value, angle=0, pen=pg.mkPen(color, width=1.5, style=style),
                               label=label, labelOpts={"position": 0.985, "color": color,
                                                       "anchors": [(1, 1), (1, 1)],
                                                       "fill": pg.mkBrush(255, 255, 255, 210)})
        self.plot_item.addItem(line)
        self._limit_lines.append(line)

    def _on_clicked(self, _item: Any, points: Any, *_rest: Any) -> None:
        if len(points):
            i = int(points[0].data())
            self.sig_point_clicked.emit(i, self._ids[i])

    def retranslate_ui(self) -> None:
        self.plot_item.setTitle(self._title, color="#2b2f33", size="12pt")
        style = {"color": "#2b2f33", "font-size": "11pt"}
        self.plot_item.setLabel("left", axis_text(self._y_label, self._unit), **style)
        self.plot_item.setLabel("bottom", self.tr("Date / time (local)"), **style)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
