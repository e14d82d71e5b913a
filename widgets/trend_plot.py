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
from widgets.lazy_plot import lazy_plot_widget
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
DAY_S = 24 * 3600.0


class NumericDateAxis(pg.DateAxisItem):
    """The date axis in numbers, the same in every UI language (pyqtgraph's own prints
    English weekday and month names - "Sun 06", "Dec" - in the Chinese UI too): hours as
    "18:00" with each local midnight as its date "12-06", days as "12-06", months as
    "2026-12", years as "2026"; sub-minute ticks as "18:20:05"."""

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802, ARG002 - pyqtgraph API
                    spacing: float) -> list[str]:
        out = []
        for v in values:
            try:
                t = datetime.fromtimestamp(float(v))           # local time, like the ticks
            except (OverflowError, ValueError, OSError):
                out.append("")
                continue
            if spacing >= 360 * DAY_S:
                out.append(f"{t:%Y}")
            elif spacing >= 28 * DAY_S:
                out.append(f"{t:%Y-%m}")
            elif spacing >= DAY_S or (t.hour, t.minute, t.second) == (0, 0, 0):
                out.append(f"{t:%m-%d}")
            elif spacing >= 60:
                out.append(f"{t:%H:%M}")
            else:
                out.append(f"{t:%H:%M:%S}")
        return out


class TrendPlot(QWidget):
    sig_point_clicked = Signal(int, str)

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "trend_plot",
                 title: str = "", y_label: str = "", unit: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._title, self._y_label, self._unit = title, y_label, unit
        self.plot_widget = lazy_plot_widget(self, background="#fbfbfc",
                                         axisItems={"bottom": NumericDateAxis()})
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
        if self._limit_lines:
            self._fit_y()
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
            for value, kind, text, below in (
                    (limits.high, "action",
                     QCoreApplication.translate("TrendPlot", "action high"), True),
                    (limits.low, "action",
                     QCoreApplication.translate("TrendPlot", "action low"), False),
                    (limits.warn_high, "warning",
                     QCoreApplication.translate("TrendPlot", "warning high"), True),
                    (limits.warn_low, "warning",
                     QCoreApplication.translate("TrendPlot", "warning low"), False)):
                if value is not None:
                    self._add_line(value, kind, f"{text} {value:g}", below=below)
        if centre is not None:
            self._add_line(centre, "neutral",
                           QCoreApplication.translate("TrendPlot", "target %1").replace(
                "%1", f"{centre:g}"))

    def limit_values(self) -> list[float]:
        return sorted(float(line.value()) for line in self._limit_lines)

    def _add_line(self, value: float, kind: str, label: str, *, below: bool = False) -> None:
        """A limit line with its label inside the band the limits enclose: an upper limit's
        label under its line, a lower one's above (a label above the top line was cut off
        at the plot's edge); the y range keeps every line in view."""
        color, style = LIMIT_PENS[kind]
        anchor = (1, 0) if below else (1, 1)
        line = pg.InfiniteLine(pos=value, angle=0, pen=pg.mkPen(color, width=1.5, style=style),
                               label=label, labelOpts={"position": 0.985, "color": color,
                                                       "anchors": [anchor, anchor],
                                                       "fill": pg.mkBrush(255, 255, 255, 210)})
        self.plot_item.addItem(line)
        self._limit_lines.append(line)
        self._fit_y()

    def _fit_y(self) -> None:
        """Auto range over the points and the limit lines (lines do not count for
        pyqtgraph's auto range), with room for a label beyond the outermost lines."""
        ys = [float(line.value()) for line in self._limit_lines]
        ys += [float(v) for v in self._y[np.isfinite(self._y)]] if len(self._y) else []
        if not ys:
            return
        lo, hi = min(ys), max(ys)
        pad = max((hi - lo) * 0.08, abs(hi) * 0.01, 1e-9)
        self.plot_item.setYRange(lo - pad, hi + pad, padding=0)

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
        elif event.type() == QEvent.Type.FontChange:
            style_plot_item(self.plot_item)
        super().changeEvent(event)
