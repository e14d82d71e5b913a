"""Room detail: signal table (value, status, source and receive time) + live trends.

Trends are pyqtgraph curves fed from the monitor's latest values at the panel's
refresh rate (10 Hz max), clipped to view and peak-downsampled, with the last hour
loaded from the historian when the room is opened. Invalid values break the line
(NaN), they are never bridged.
"""
from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QGraphicsItem, QHBoxLayout, QHeaderView, QLabel, QVBoxLayout,
                               QWidget)

from station_plugins.lead_room.alarm_defs import BOUNDARY_LIMIT_USVH
from widgets.lazy_plot import lazy_plot_widget
from widgets.rows_model import Cell, RowsModel, RowsTable
from widgets.staged_build import idle_queue

TREND_GROUPS = (("Boundary dose rate (uSv/h)", "Boundary/"), ("Temperature (C)", "Temperature"),
                ("Power (kW)", "PowerKw"))


def _trend_title(prefix: str) -> str:
    return {"Boundary/": QCoreApplication.translate("RoomDetail", "Boundary dose rate (uSv/h)"),
            "Temperature": QCoreApplication.translate("RoomDetail", "Temperature (C)"),
            "PowerKw": QCoreApplication.translate("RoomDetail", "Power (kW)")}[prefix]
PENS = ["#37627a", "#5b6168", "#8a6d3b", "#4a7a4a"]
KEEP = 36_000
WINDOW_S = 600.0        # the trends show the last 10 minutes ...
STEP_S = 30.0           # ... and the time axis moves in 30 s steps, not on every value


def _t(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S.%f")[:-3] if ts else "-"


class SignalsModel(RowsModel):
    """The room's signals: one row ``(texts, valid)`` per leaf; an invalid row is hatched
    grey (its value reads INVALID), so nothing stale looks like a reading."""

    INVALID_BRUSH = QBrush(QColor("#c9cdd1"), Qt.BrushStyle.BDiagPattern)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            row = self.row(self.key_at(index.row()))
            return self.INVALID_BRUSH if row is not None and not row[1] else None
        return super().data(index, role)


def _signal_cell(row: tuple[tuple[str, ...], bool], c: int) -> Cell:
    text = row[0][c]
    return Cell(text, tip=text if c <= 2 else "")     # names, values, reasons may be cut


class RoomDetail(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_detail")
        self.room = ""
        self.title = QLabel("", self)
        self.title.setObjectName("leadroom_detail_title")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.3)
        self.title.setFont(f)
        self.model_ = SignalsModel(lambda: [self.tr("Signal"), self.tr("Value"),
                                            self.tr("Status"), self.tr("Source time"),
                                            self.tr("Received")], _signal_cell, self)
        self.table = RowsTable(self.model_, self, name="leadroom_detail_signals")
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # Bou…/POI1, not Bou…
        header = self.table.horizontalHeader()      # the name takes what the rest leaves
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        pg.setConfigOptions(antialias=False, background="#eceef0", foreground="#2b2f33")
        self.plots: dict[str, pg.PlotWidget] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.buffers: dict[str, tuple[deque, deque]] = {}
        self._last_src: dict[str, float | None] = {}
        self._x_right = 0.0
        self.trends = QVBoxLayout()
        # one trend plot per turn of the event loop (three at once held the GUI thread
        # too long); anything that needs them builds the rest at once (ensure_plots)
        self._pending = [prefix for _title, prefix in TREND_GROUPS]
        idle_queue().add(self._build_next_plot, self)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(self.trends, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(body, 1)
        self.retranslate_ui()

    def _add_plot(self, prefix: str) -> None:
        pw = lazy_plot_widget(self, axisItems={"bottom": pg.DateAxisItem()})
        pw.setObjectName(f"leadroom_trend_{prefix.strip('/').lower()}")
        pw.setMinimumHeight(120)
        pw.showGrid(x=True, y=True, alpha=0.2)
        pw.setClipToView(True)
        pw.setDownsampling(auto=True, mode="peak")
        # The profile of a 10 Hz room showed the axes' text (QPicture replay) as the
        # GUI thread's main cost: cache every axis as a pixmap (redrawn only when its
        # range changes) and move the time axis in steps instead of auto-ranging it.
        pw.enableAutoRange(x=False, y=True)
        for side in ("left", "bottom"):
            pw.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if prefix == "Boundary/":
            pw.addItem(pg.InfiniteLine(BOUNDARY_LIMIT_USVH, angle=0,
                                       pen=pg.mkPen("#c62828", style=Qt.PenStyle.DashLine)))
        pw.setTitle(_trend_title(prefix), size="9pt")
        if self._x_right:
            pw.setXRange(self._x_right - WINDOW_S, self._x_right, padding=0)
        self.plots[prefix] = pw
        self.trends.addWidget(pw)

    def _build_next_plot(self) -> bool | None:
        """A job of the GUI thread's idle queue: one plot per pass."""
        if not self._pending:
            return None
        self._add_plot(self._pending.pop(0))
        return bool(self._pending)

    def ensure_plots(self) -> None:
        while self._pending:
            self._add_plot(self._pending.pop(0))

    def retranslate_ui(self) -> None:
        if not self.room:
            self.title.setText(self.tr("Select a room in the overview"))
        self.model_.retranslate()
        self._size_columns()
        for prefix, pw in self.plots.items():
            pw.setTitle(_trend_title(prefix), size="9pt")

    def _size_columns(self) -> None:
        """Value, status and the two times get the width of their widest usual text
        (fixed: a 10 Hz table must not re-measure its cells on every update)."""
        fm, hfm = self.table.fontMetrics(), self.table.horizontalHeader().fontMetrics()
        samples = {1: "0000.000", 2: "GOOD", 3: "00:00:00.000", 4: "00:00:00.000"}
        for c, sample in samples.items():
            head = str(self.model_.headerData(c, Qt.Orientation.Horizontal) or "")
            self.table.setColumnWidth(c, max(fm.horizontalAdvance(sample),
                                             hfm.horizontalAdvance(head)) + 18)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        elif event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._size_columns()
        super().changeEvent(event)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self._size_columns()                   # the theme's font is known by now
        super().showEvent(event)

    def show_room(self, room: str, history: dict[str, Any] | None = None) -> None:
        self.ensure_plots()
        self.room = room
        self.title.setText(room)
        for c in self.curves.values():
            c.getViewBox().removeItem(c) if c.getViewBox() else None
        self.curves.clear()
        self.buffers.clear()
        self._last_src.clear()
        self.model_.set_rows([])
        self._x_right = 0.0
        for key, series in (history or {}).items():
            self.buffers[key] = (deque(series.ts.tolist(), KEEP), deque(series.avg.tolist(), KEEP))

    def _curve(self, leaf: str) -> pg.PlotDataItem | None:
        if leaf in self.curves:
            return self.curves[leaf]
        for _title, prefix in TREND_GROUPS:
            if leaf.startswith(prefix) if prefix.endswith("/") else leaf == prefix:
                pw = self.plots[prefix]
                n = sum(1 for k in self.curves if k.startswith(prefix))
                c = pw.plot([], [], pen=pg.mkPen(PENS[n % len(PENS)], width=1.5),
                            name=leaf, connect="finite")
                self.curves[leaf] = c
                return c
        return None

    def update_values(self, values: dict[str, Any]) -> None:
        """``values``: leaf -> SignalValue of the shown room (latest)."""
        if not self.room:
            return
        self.ensure_plots()
        leaves = sorted(values)
        if self.model_.keys() != leaves:                 # signals came or went: rebuild
            self.model_.set_rows((leaf, (("",) * 5, True)) for leaf in leaves)
        for leaf in leaves:
            v = values[leaf]
            text = self.tr("INVALID") if not v.valid else (
                f"{v.value:.3f}" if isinstance(v.value, float) else str(v.value))
            row = ((leaf, text, v.status + (f": {v.reason}" if v.reason else ""),
                    _t(v.source_ts), _t(v.receive_ts)), bool(v.valid))
            if self.model_.row(leaf) != row:             # repaint a row only on a change
                self.model_.upsert(leaf, row)
            curve = self._curve(leaf)
            if curve is None:
                continue
            ts_key = f"{self.room}/{leaf}"
            if self._last_src.get(leaf) == (v.receive_ts, v.status):
                continue
            self._last_src[leaf] = (v.receive_ts, v.status)
            xs, ys = self.buffers.setdefault(ts_key, (deque(maxlen=KEEP), deque(maxlen=KEEP)))
            xs.append(v.receive_ts)
            ys.append(float(v.value) if v.valid and isinstance(v.value, (int, float))
                      else np.nan)
            curve.setData(np.fromiter(xs, float, len(xs)), np.fromiter(ys, float, len(ys)))
        self._advance_time_axis(max((v.receive_ts for v in values.values()), default=0.0))

    def _advance_time_axis(self, now: float) -> None:
        if now <= 0 or now < self._x_right - STEP_S / 6:
            return
        self._x_right = now + STEP_S
        for pw in self.plots.values():
            pw.setXRange(self._x_right - WINDOW_S, self._x_right, padding=0)
