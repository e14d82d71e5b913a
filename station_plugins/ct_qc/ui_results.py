"""Result views of the CT QC panel: measurements, artifacts, plots, trend per serial."""
from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGridLayout, QHeaderView, QLabel, QTableView, QTabWidget,
    QVBoxLayout, QWidget)

from app.core.measurement import Limits
from app.ct.names import artifact_name, part_name
from app.ui.i18n import current_language
from widgets.flow_layout import FlowLayout
from widgets.measurement_table import MeasurementTable
from widgets.note_texts import note_text
from widgets.plot_panel import PlotPanel
from widgets.rows_model import Cell, RowsModel
from widgets.state_style import verdict_color
from widgets.trend_plot import TrendPlot
from widgets.verdict_badge import verdict_text

from station_plugins.ct_qc import workflow


def _loc_text(loc: dict) -> str:
    parts = []
    for k in ("radius_mm", "angle_deg", "width_mm", "angular_coverage_deg", "detector_channel",
              "slice_range", "edge_minus_centre_hu", "artifact_index"):
        if k in loc and loc[k] is not None:
            v = loc[k]
            parts.append(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}")
    return ", ".join(parts)


class ArtifactTable(QTableView):
    """The artifacts of the shown result (a QTableView on an item model)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_artifacts")
        self.model_ = RowsModel(lambda: [self.tr("Artifact"), self.tr("Amplitude (HU)"),
                                         self.tr("Location"), self.tr("Verdict")],
                                _artifact_cell, self)
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        h = self.horizontalHeader()
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for c in (0, 1, 3):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)

    def set_artifacts(self, artifacts: Any) -> None:
        self.model_.set_rows(enumerate(artifacts))

    def rowCount(self) -> int:  # noqa: N802 - the old QTableWidget name, kept for callers
        return self.model_.rowCount()

    def cell_text(self, r: int, c: int) -> str:
        return self.model_.cell(r, c).text

    def retranslate_ui(self) -> None:
        self.model_.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _artifact_cell(a: Any, c: int) -> Cell:
    if c == 0:      # the type as recorded in English, its plant name in Chinese
        lang = current_language()
        name = artifact_name(str(a.type), lang) if lang.startswith("zh") else str(a.type)
        return Cell(name, tip=f"{name}\n{note_text(a.note)}" if a.note else name)
    if c == 1:
        return Cell(f"{a.amplitude_hu:+.1f}", align_right=True)
    if c == 2:
        text = _loc_text(a.location or {})
        return Cell(text, tip=text)
    verdict = a.verdict.value if hasattr(a.verdict, "value") else str(a.verdict)
    return Cell(verdict_text(verdict), background=verdict_color(verdict), foreground="#ffffff")


TTF_SHOWN = ("ttf.air", "ttf.acrylic", "ttf.teflon")


class QcPlots(QWidget):
    """MTF/TTF, NPS, CT-number linearity and radial profiles of one result."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_plots")
        self.mtf = PlotPanel(self, object_name="ct_qc_plot_mtf")
        self.nps = PlotPanel(self, object_name="ct_qc_plot_nps")
        self.linearity = PlotPanel(self, object_name="ct_qc_plot_linearity")
        self.radial = PlotPanel(self, object_name="ct_qc_plot_radial")
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        for i, w in enumerate((self.mtf, self.nps, self.linearity, self.radial)):
            grid.addWidget(w, i // 2, i % 2)
            for side in ("bottom", "left"):  # lp/mm and HU read better without SI prefixes
                w.plot_item.getAxis(side).enableAutoSIPrefix(False)
        # the graphs of a row start at one height, whichever legend wraps (MTF/TTF's four
        # curves take two lines at 1366 px, NPS's one curve one line)
        self.mtf.level_with(self.nps)
        self.linearity.level_with(self.radial)
        self._titled: list[list] = []          # [panel, role, legend text] of each curve
        self.retranslate_ui()

    def set_result(self, result: Any) -> None:
        """Draw now when the plots are on screen, else when they are next shown (drawing
        nine pyqtgraph curves costs 0.2-0.5 s of GUI thread on a busy workstation)."""
        self._pending = (result,)
        if self.isVisibleTo(self.window()):     # the current tab (shown or about to be)
            self._draw()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.flush()

    def flush(self) -> None:
        """Draw a result that arrived while the plots were hidden."""
        if getattr(self, "_pending", None) is not None:
            self._draw()

    def _curve_title(self, role: str) -> str:
        """A curve's legend text in the current language (``role``: what it shows)."""
        if role.startswith("ttf."):                # "TTF Teflon", "TTF 特氟龙"
            return f"TTF {part_name(role.split('.')[1], current_language())}"
        return {"mtf": self.tr("MTF (bead)"), "nps": self.tr("NPS"),
                "measured": self.tr("measured"), "identity": self.tr("identity"),
                "uniformity": self.tr("uniformity"),
                "ring": self.tr("ring residual")}.get(role, role)

    def _draw(self) -> None:
        (result,), self._pending = self._pending, None
        self._titled = []
        for p in (self.mtf, self.nps, self.linearity, self.radial):
            p.clear()
        if result is None:
            return

        def add(panel: PlotPanel, role: str, x: Any, y: Any, **kw: Any) -> None:
            title = self._curve_title(role)
            panel.add_curve(title, x, y, **kw)
            self._titled.append([panel, role, title])
        for c in result.curves:
            if c.key == "mtf":
                add(self.mtf, "mtf", c.x, c.y, width=3)
            elif c.key in TTF_SHOWN:
                add(self.mtf, c.key, c.x, c.y, width=1.5)
            elif c.key == "nps":
                add(self.nps, "nps", c.x, c.y)
            elif c.key == "linearity":
                add(self.linearity, "measured", c.x, c.y, symbols=True)
                add(self.linearity, "identity", c.x, c.x, dashed=True)
            elif c.key == "uniformity.radial_profile":
                add(self.radial, "uniformity", c.x, c.y)
            elif c.key == "artifact.ring_profile":
                add(self.radial, "ring", c.x, c.y)
        if self.mtf.curve_names():
            # labelled at the left: the curves are at 1.0 there and cross 0.5 further right
            self.mtf.add_reference_line(0.5, label="50 %", label_at=0.25)

    def retranslate_ui(self) -> None:
        self.mtf.set_axes(title=self.tr("MTF / TTF"), x_label=self.tr("frequency"),
                          x_unit="lp/cm", y_label="MTF", y_unit="")
        # "HU²mm²": with a space the axis title ran 3 px past the top of the NPS canvas in
        # a window opened in Chinese at 1366x768 (its Latin letters are wider in the CJK font)
        self.nps.set_axes(title=self.tr("Noise power spectrum"), x_label=self.tr("frequency"),
                          x_unit="lp/mm", y_label="NPS", y_unit="HU²mm²")
        self.linearity.set_axes(title=self.tr("CT-number linearity"), x_label=self.tr("nominal"),
                                x_unit="HU", y_label=self.tr("measured"), y_unit="HU")
        self.radial.set_axes(title=self.tr("Radial profiles"), x_label=self.tr("radius"),
                             x_unit="mm", y_label=self.tr("deviation"), y_unit="HU")
        for entry in self._titled:             # drawn curves: renamed, not redrawn
            panel, role, title = entry
            entry[2] = self._curve_title(role)
            panel.rename_curve(title, entry[2])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class TrendView(QWidget):
    """Control chart of one measurement for one scanner serial, with limit lines.
    The database reads run in a worker thread; ``sig_loaded`` says the plot is current."""

    sig_record_chosen = Signal(str)
    sig_loaded = Signal()
    _sig_loaded = Signal(object)

    def __init__(self, load: Callable[[str, str], tuple[list, dict]],
                 serials: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_trend")
        self._load, self._serials = load, serials
        self._generation = 0
        self._sig_loaded.connect(self._on_loaded, Qt.ConnectionType.QueuedConnection)
        self.serial_combo = QComboBox(self)
        self.serial_combo.setObjectName("ct_qc_trend_serial")
        self.key_combo = QComboBox(self)
        self.key_combo.setObjectName("ct_qc_trend_key")
        for k in workflow.TREND_KEYS:
            self.key_combo.addItem(k, k)
        self.serial_label, self.key_label = QLabel(self), QLabel(self)
        self.plot = TrendPlot(self, object_name="ct_qc_trend_plot")
        self.plot.sig_point_clicked.connect(lambda _i, rid: self.sig_record_chosen.emit(rid))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("ct_qc_trend_count")
        bar = FlowLayout()
        for w in (self.serial_label, self.serial_combo, self.key_label, self.key_combo):
            bar.addWidget(w)
        bar.addWidget(self.count_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(bar)
        lay.addWidget(self.plot, 1)
        self.serial_combo.currentIndexChanged.connect(lambda _i: self.refresh_plot())
        self.key_combo.currentIndexChanged.connect(lambda _i: self.refresh_plot())
        self.retranslate_ui()

    def refresh(self, prefer_serial: str | None = None) -> None:
        """Re-read the serials and the plot off the GUI thread (database reads)."""
        want = prefer_serial or self.serial_combo.currentText()
        key = self.key_combo.currentData()
        self._fetch(lambda: (self._serials(), want, key), self._apply_serials)

    def refresh_plot(self) -> None:
        serial, key = self.serial_combo.currentText(), self.key_combo.currentData()
        if not serial or not key:
            self.plot.set_points([], [])
            self.count_label.setText("")
            return
        self._fetch(lambda: self._load(serial, key), self._apply_points)

    def _fetch(self, read: Callable[[], Any], apply: Callable[[Any], None]) -> None:
        self._generation += 1
        gen = self._generation

        def work() -> None:
            try:
                data = read()
            except Exception as exc:  # noqa: BLE001 - shown, never raised in a thread
                data = exc
            try:
                self._sig_loaded.emit((gen, apply, data))
            except RuntimeError:         # the view was closed meanwhile
                pass
        threading.Thread(target=work, name="ct_qc-trend", daemon=True).start()

    def _on_loaded(self, message: tuple) -> None:
        gen, apply, data = message
        if gen != self._generation:
            return                       # a newer request is on its way
        if isinstance(data, BaseException):
            self.count_label.setText(self.tr("Trend not available: %1").replace("%1", str(data)))
            return
        apply(data)

    def _apply_serials(self, data: tuple) -> None:
        serials, current, _key = data
        self.serial_combo.blockSignals(True)
        self.serial_combo.clear()
        self.serial_combo.addItems(serials)
        i = self.serial_combo.findText(current or "")
        self.serial_combo.setCurrentIndex(max(0, i))
        self.serial_combo.blockSignals(False)
        self.refresh_plot()

    def _apply_points(self, data: tuple) -> None:
        points, limits = data
        self.plot.set_points([p.when for p in points], [p.value for p in points],
                             [p.verdict for p in points], [p.record_id for p in points])
        try:
            lim = Limits.from_dict({k: v for k, v in (limits or {}).items()
                                    if k in Limits.__dataclass_fields__})
        except (TypeError, ValueError):
            lim = None
        self.plot.set_limits(lim if lim is not None and not lim.is_empty() else None)
        self.count_label.setText(self.tr("%n result(s)", "", len(points)) if points else
                                 self.tr("No result of this scanner has this measurement "
                                         "(its phantom may lack it): choose another."))
        self.sig_loaded.emit()

    def retranslate_ui(self) -> None:
        from app.ui.i18n import current_language
        from station_plugins.ct_qc.ui_names import measurement_name

        self.serial_label.setText(self.tr("Scanner serial"))
        self.key_label.setText(self.tr("Measurement"))
        for i in range(self.key_combo.count()):
            key = self.key_combo.itemData(i)
            self.key_combo.setItemText(i, measurement_name(key, current_language()))
            self.key_combo.setItemData(i, key, Qt.ItemDataRole.ToolTipRole)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class QcResultTabs(QTabWidget):
    def __init__(self, trend: TrendView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_result_tabs")
        self.tabBar().setElideMode(Qt.TextElideMode.ElideNone)   # whole titles, no arrows:
        self.tabBar().setUsesScrollButtons(False)     # "Trend" was cut at 1366x768 (issue 17)
        self.table = MeasurementTable(self, object_name="ct_qc_measurements")
        self.table.set_label_source(self.measurement_label)   # renamed in place on a switch
        self.artifacts = ArtifactTable(self)
        self.plots = QcPlots(self)
        self.trend = trend
        for w in (self.table, self.artifacts, self.plots, self.trend):
            self.addTab(w, "")
        self.currentChanged.connect(
            lambda _i: self.currentWidget() is self.plots and self.plots.flush())
        self.retranslate_ui()

    def set_result(self, result: Any) -> None:
        self._result = result
        rows = list(result.measurements) if result is not None else []
        self.table.set_measurements(rows)
        self.artifacts.set_artifacts(result.artifacts if result is not None else [])
        self.plots.set_result(result)

    def measurement_label(self, key: str) -> str:
        """The measurement's human name in the UI language (the key is the tooltip)."""
        from app.ui.i18n import current_language
        from station_plugins.ct_qc.ui_names import measurement_name

        # "lp/cm" kept on one line (a word joiner after the slash: Qt broke "lp/ cm")
        return measurement_name(key, current_language()).replace("lp/cm", "lp/\u2060cm")

    def retranslate_ui(self) -> None:
        for i, text in enumerate((self.tr("Measurements"), self.tr("Artifacts"),
                                  self.tr("Plots"), self.tr("Trend"))):
            self.setTabText(i, text)
        # the measurement table renames its rows itself (its own LanguageChange)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
