"""CT image QC panel: series list, image viewer with ROI overlays, results, trend."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QSlider, QSplitter, QVBoxLayout, QWidget)

from app.core.errors import PharosError
from app.core.ids import new_id
from widgets.message_bar import MessageBar
from widgets.progress_bar import TaskProgressBar
from widgets.slice_viewer import SliceViewer
from widgets.tasks import TaskController
from widgets.verdict_badge import VerdictBadge, verdict_text

from station_plugins.ct_qc import workflow
from station_plugins.ct_qc.ui_results import QcResultTabs, TrendView

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


class CtQcPanel(QWidget):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_panel")
        self.ctx = ctx
        self._entries: dict[str, workflow.SeriesEntry] = {}
        self._entry: workflow.SeriesEntry | None = None
        self._loaded: Any = None
        self._result: Any = None
        self._slice = 0
        self.analysis = TaskController(ctx.tasks, self)
        self.io = TaskController(ctx.tasks, self)
        self._build()
        self.analysis.sig_finished.connect(self._on_analysed)
        self.analysis.sig_failed.connect(self._on_failed)
        self.io.sig_finished.connect(self._on_io_done)
        self.io.sig_failed.connect(self._on_failed)
        self.retranslate_ui()
        self.trend.refresh()

    # --- layout --------------------------------------------------------------------
    def _build(self) -> None:
        self.import_button = QPushButton(self)
        self.import_button.setObjectName("ct_qc_import")
        self.import_button.clicked.connect(self._choose_folder)
        self.simulate_button = QPushButton(self)
        self.simulate_button.setObjectName("ct_qc_simulate")
        self.simulate_button.clicked.connect(lambda: self.simulate_series())
        self.phantom_label = QLabel(self)
        self.phantom_combo = QComboBox(self)
        self.phantom_combo.setObjectName("ct_qc_phantom")
        from station_plugins.ct_qc.phantoms import list_phantoms
        self.phantom_combo.addItem("auto", "auto")
        for name in list_phantoms():
            self.phantom_combo.addItem(name, name)
        self.profile_label = QLabel(self)
        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("ct_qc_profile")
        from station_plugins.ct_qc.limits import list_profiles
        self.profile_combo.addItem("-", None)
        for name in list_profiles():
            self.profile_combo.addItem(name, name)
        wanted = self.ctx.settings.get("profile", "factory_simct_120kv")
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(wanted)))
        self.analyse_button = QPushButton(self)
        self.analyse_button.setObjectName("ct_qc_analyse")
        self.analyse_button.clicked.connect(self.analyse_current)
        self.progress = TaskProgressBar(self, object_name="ct_qc_progress",
                                        controller=self.analysis, hide_when_idle=False)
        self.verdict = VerdictBadge(self)
        self.verdict.setObjectName("ct_qc_verdict")
        top = QHBoxLayout()
        for w in (self.import_button, self.simulate_button, self.phantom_label,
                  self.phantom_combo, self.profile_label, self.profile_combo,
                  self.analyse_button):
            top.addWidget(w)
        top.addWidget(self.progress, 1)
        top.addWidget(self.verdict)
        self.messages = MessageBar(self)
        self.messages.setObjectName("ct_qc_messages")
        self.messages.setVisible(False)

        self.series_list = QListWidget(self)
        self.series_list.setObjectName("ct_qc_series_list")
        self.series_list.currentItemChanged.connect(self._on_series_chosen)
        self.series_list.setAlternatingRowColors(True)
        self.series_list.setWordWrap(True)
        self.series_title = QLabel(self)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.series_title)
        ll.addWidget(self.series_list, 1)

        self.viewer = SliceViewer(self, object_name="ct_qc_viewer", preset="phantom")
        self.viewer.sig_roi_clicked.connect(self.show_roi)
        self.module_label = QLabel(self)
        self.module_nav = QComboBox(self)
        self.module_nav.setObjectName("ct_qc_module_nav")
        self.module_nav.activated.connect(self._on_module_chosen)
        self.slice_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slice_slider.setObjectName("ct_qc_slice_slider")
        self.slice_slider.valueChanged.connect(self.show_slice)
        self.slice_label = QLabel(self)
        self.slice_label.setObjectName("ct_qc_slice_text")
        self.slice_label.setMinimumWidth(150)
        nav = QHBoxLayout()
        for w in (self.module_label, self.module_nav):
            nav.addWidget(w)
        nav.addWidget(self.slice_slider, 1)
        nav.addWidget(self.slice_label)
        self.roi_details = QLabel(self)
        self.roi_details.setObjectName("ct_qc_roi_details")
        self.roi_details.setWordWrap(True)
        self.roi_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        centre = QWidget(self)
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(nav)
        cl.addWidget(self.viewer, 1)
        cl.addWidget(self.roi_details)

        self.trend = TrendView(lambda s, k: workflow.trend_points(self.ctx.store, s, k),
                               lambda: workflow.known_serials(self.ctx.store), self)
        self.tabs = QcResultTabs(self.trend, self)
        self.tabs.table.sig_measurement_selected.connect(self._on_row_selected)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("ct_qc_splitter")
        for w, stretch in ((left, 1), (centre, 3), (self.tabs, 3)):
            split.addWidget(w)
            split.setStretchFactor(split.indexOf(w), stretch)
        split.setSizes([260, 600, 620])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.messages)
        lay.addWidget(split, 1)

    # --- series ----------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import CT series folder"))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str | Path) -> None:
        if self._allowed("import"):
            self.io.start(workflow.scan_job, str(folder))

    def simulate_series(self, params: Any = None, serial: str = "CT-SIM-0001") -> None:
        """Simulate a phantom series into the station's folder and list it (demo)."""
        from station_plugins.ct_qc.simulator import SimParams
        if not self._allowed("import"):
            return
        out = Path(self.ctx.data_dir) / "simulated" / new_id()
        self.io.start(workflow.simulate_job, str(out), params or SimParams(), serial)

    def add_entries(self, entries: list[workflow.SeriesEntry]) -> None:
        for e in entries:
            if e.series_uid in self._entries:
                continue
            self._entries[e.series_uid] = e
            desc = (e.label.split("  ")[-1] if "  " in e.label else e.label).removeprefix("QC ")
            item = QListWidgetItem(f"{e.scanner_serial or '?'}   {e.acquired}\n"
                                   f"{desc} · {e.n_images}")
            item.setData(ENTRY_ROLE, e.series_uid)
            item.setToolTip(f"{e.series_uid}\n{e.folder}")
            self.series_list.addItem(item)
        if entries and self.series_list.currentItem() is None:
            self.series_list.setCurrentRow(self.series_list.count() - 1)

    def _on_series_chosen(self, item: QListWidgetItem | None, _prev: Any = None) -> None:
        if item is None:
            return
        entry = self._entries[item.data(ENTRY_ROLE)]
        self._entry, self._loaded, self._result = entry, None, None
        self.tabs.set_result(None)
        self.verdict.set_verdict(None)
        self.io.start(workflow.load_job, entry)

    def _on_io_done(self, value: Any) -> None:
        if isinstance(value, list):
            self.add_entries(value)
        elif isinstance(value, tuple) and len(value) == 2:
            entry, loaded = value
            if self._entry is not None and entry.series_uid == self._entry.series_uid:
                self._set_loaded(loaded)

    def _set_loaded(self, loaded: Any) -> None:
        self._loaded = loaded
        n = loaded.volume.shape[0]
        self.slice_slider.blockSignals(True)
        self.slice_slider.setRange(0, n - 1)
        self.slice_slider.blockSignals(False)
        self.module_nav.clear()
        self.show_slice(n // 2)
        self.viewer.reset_view()

    # --- analysis ----------------------------------------------------------------------
    def analyse_current(self) -> None:
        if self._entry is None:
            self.messages.show_message(self.tr("Choose a series first."), level="info")
            return
        if not self._allowed("analyse"):
            return
        self.messages.clear()
        self.messages.setVisible(False)
        user = self.ctx.user
        self.analysis.start(workflow.analyse_and_store, self._entry, self._loaded,
                            self.ctx.store, getattr(user, "username", "unknown"),
                            phantom=self.phantom_combo.currentData(),
                            profile=self.profile_combo.currentData())

    def _on_analysed(self, outcome: workflow.AnalysisOutcome) -> None:
        self._result = outcome.result
        if self._loaded is None:
            self._set_loaded(outcome.series)
        self.verdict.set_verdict(outcome.result.verdict)
        self.tabs.set_result(outcome.result)
        self.module_nav.clear()
        for module_id, k in workflow.module_slices(outcome.result):
            self.module_nav.addItem(f"{module_id}  #{k + 1}", k)
        origin = outcome.result.localisation.origin_slice
        self.show_slice(origin if origin >= 0 else self._slice)
        self._sync_module_nav()
        serial = (outcome.result.inputs or {}).get("scanner_serial") or outcome.entry.scanner_serial
        self.trend.refresh(prefer_serial=serial)
        for note in outcome.result.notes[:1]:
            self.messages.show_message(note, level="warning")

    def _on_failed(self, exc: BaseException) -> None:
        self.messages.show_error(exc)
        if not isinstance(exc, PharosError) and getattr(self.ctx, "notifier", None) is not None:
            self.ctx.notifier.error(exc)

    def is_busy(self) -> bool:
        return self.analysis.running or self.io.running

    def shutdown(self) -> None:
        self.analysis.cancel(silent=True)
        self.io.cancel(silent=True)

    def _allowed(self, action: str) -> bool:
        try:
            self.ctx.require(action)
        except PharosError as exc:
            self.messages.show_error(exc)
            return False
        return True

    # --- viewer --------------------------------------------------------------------------
    def show_slice(self, k: int) -> None:
        if self._loaded is None:
            return
        n = self._loaded.volume.shape[0]
        k = max(0, min(n - 1, int(k)))
        self._slice = k
        if self.slice_slider.value() != k:
            self.slice_slider.blockSignals(True)
            self.slice_slider.setValue(k)
            self.slice_slider.blockSignals(False)
        self.viewer.set_image(self._loaded.volume[k], keep_view=True)
        z = float(self._loaded.slice_positions_mm[k])
        self.slice_label.setText(self.tr("slice %1 / %2, z %3 mm").replace("%1", str(k + 1))
                                 .replace("%2", str(n)).replace("%3", f"{z:.1f}"))
        rois = (workflow.overlays_for_slice(self._result, k, self._loaded.pixel_mm)
                if self._result is not None else [])
        self.viewer.set_rois(rois)

    def _sync_module_nav(self) -> None:
        i = self.module_nav.findData(self._slice)
        if i >= 0:
            self.module_nav.setCurrentIndex(i)

    def _on_module_chosen(self, index: int) -> None:
        k = self.module_nav.itemData(index)
        if k is not None:
            self.show_slice(int(k))

    def show_roi(self, roi_id: str) -> None:
        """An ROI was clicked: show its numbers and select its row."""
        if self._result is None:
            return
        d = workflow.measurement_details(self._result, roi_id)
        if not d:
            art = self._artifact_text(roi_id)
            self.roi_details.setText(art)
            return
        value = "-" if d["value"] is None else (f"{d['value']:.4g}" if isinstance(d["value"], float)
                                               else str(d["value"]))
        w = d["where"]
        where = ""
        if "centre_px" in w:
            where = self.tr("at (%1, %2) px, radius %3 px").replace(
                "%1", f"{w['centre_px'][0]:.1f}").replace("%2", f"{w['centre_px'][1]:.1f}").replace(
                "%3", f"{w.get('radius_px', 0):.1f}")
        verdict = verdict_text(d["verdict"])
        self.roi_details.setText(f"<b>{d['key']}</b>: {value} {d['unit']}  ·  "
                                 f"{self.tr('limits')} {d['limits']}  ·  {verdict}  ·  {where}"
                                 + (f"<br>{d['note']}" if d["note"] else ""))
        self.viewer.highlight_roi(roi_id)
        self.tabs.table.blockSignals(True)
        self.tabs.table.select_key(d["key"])
        self.tabs.table.blockSignals(False)

    def _artifact_text(self, roi_id: str) -> str:
        if not roi_id.startswith("artifact."):
            return ""
        a = self._result.artifacts[int(roi_id.split(".")[1].split("#")[0])]
        loc = ", ".join(f"{k} {v}" for k, v in (a.location or {}).items() if k != "centre_px")
        return f"<b>{a.type}</b>: {a.amplitude_hu:+.1f} HU · {loc} · {a.verdict.value}"

    def _on_row_selected(self, key: str) -> None:
        if self._result is None:
            return
        m = self._result.measurement(key)
        if m is None:
            return
        w = m.where or {}
        if "slice" in w and int(w["slice"]) != self._slice:
            self.show_slice(int(w["slice"]))
        if any(r.id == key for r in self.viewer.rois()):
            self.show_roi(key)

    # --- language ----------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.import_button.setText(self.tr("Import folder…"))
        self.simulate_button.setText(self.tr("Simulate series"))
        self.phantom_label.setText(self.tr("Phantom"))
        self.profile_label.setText(self.tr("Limits"))
        self.analyse_button.setText(self.tr("Analyse"))
        self.series_title.setText(self.tr("Series (imported / received)"))
        self.module_label.setText(self.tr("Module"))
        if not self.roi_details.text():
            self.roi_details.setText(self.tr("Click an ROI to see its numbers."))
        if self._loaded is not None:
            self.show_slice(self._slice)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
