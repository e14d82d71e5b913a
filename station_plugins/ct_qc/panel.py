"""CT image QC panel: intake (receiver, import, demo scanner), series list with verdict /
AI / archive / hold marks, image viewer with ROI overlays, results, trend, actions."""
from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox, QLabel, QPushButton, QSplitter, QTabWidget,
    QVBoxLayout, QWidget)

from app.core.errors import PharosError
from widgets.message_bar import MessageBar
from widgets.progress_bar import TaskProgressBar
from widgets.tasks import TaskController
from widgets.flow_layout import FlowLayout

from station_plugins.ct_qc import intake_jobs, workflow
from station_plugins.ct_qc.review_link import ReviewLink
from station_plugins.ct_qc.ui_actions import ResultActionsMixin
from station_plugins.ct_qc.ui_intake import ActivityLog, IntakeBar, IntakeBridge, RejectedTable
from station_plugins.ct_qc.ui_results import QcResultTabs, TrendView
from station_plugins.ct_qc.ui_series import SeriesTable
from station_plugins.ct_qc.ui_verdicts import HoldBanner, VerdictStrip
from station_plugins.ct_qc.ui_viewer import QcSliceView
from station_plugins.ct_qc.ui_wiring import IntakeWiringMixin


class CtQcPanel(IntakeWiringMixin, ResultActionsMixin, QWidget):
    REFRESH_MS = 10_000      # holds placed at the image-review station show within this

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_panel")
        self.ctx = ctx
        self._entries: dict[str, workflow.SeriesEntry] = {}
        self._pending: collections.deque[str] = collections.deque()
        self._analysing: str | None = None
        self._current_uid: str | None = None
        self._loaded: Any = None
        self._result: Any = None
        self._record_id = ""
        self._snapshot: Any = None
        self.last_report: Path | None = None
        self.link = ReviewLink.from_ctx(ctx)
        self.analysis = TaskController(ctx.tasks, self)
        self.io = TaskController(ctx.tasks, self)
        self.loader = TaskController(ctx.tasks, self)
        self.actions = TaskController(ctx.tasks, self)
        self.refresher = TaskController(ctx.tasks, self)
        self.demo = TaskController(ctx.tasks, self)
        self.bridge = IntakeBridge(self)
        self._build()
        self.init_intake()
        self.analysis.sig_finished.connect(self._on_analysed)
        self.analysis.sig_failed.connect(self._on_analysis_failed)
        self.loader.sig_finished.connect(self._on_loaded)
        self.loader.sig_failed.connect(self._on_failed)
        self.actions.sig_finished.connect(self._on_action_done)
        self.actions.sig_failed.connect(self._on_action_failed)
        self.refresher.sig_finished.connect(self._on_snapshot)
        self.refresher.sig_failed.connect(self._on_failed)
        self.retranslate_ui()
        self.add_entries(workflow.stored_entries(ctx.store), state="analysed")
        self.trend.refresh()
        self._shut_down = False
        self.refresh_marks()
        self._timer = QTimer(self)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self.refresh_marks)
        self._timer.start()

    # --- layout --------------------------------------------------------------------
    def _build(self) -> None:
        demo = bool(getattr(self.ctx.config, "demo", False))
        self.intake_bar = IntakeBar(demo, self)
        self.io_progress = TaskProgressBar(self, object_name="ct_qc_io_progress",
                                           controller=self.io, hide_when_idle=True)
        self.phantom_label, self.profile_label = QLabel(self), QLabel(self)
        self.phantom_combo = QComboBox(self)
        self.phantom_combo.setObjectName("ct_qc_phantom")
        from app.ct.limits import list_profiles
        from app.ct.phantoms import list_phantoms
        self.phantom_combo.addItem("auto", "auto")
        for name in list_phantoms():
            self.phantom_combo.addItem(name, name)
        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("ct_qc_profile")
        self.profile_combo.addItem("-", None)
        for name in list_profiles():
            self.profile_combo.addItem(name, name)
        wanted = self.ctx.settings.get("profile", "factory_simct_120kv")
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(wanted)))
        self.analyse_button = self._button("ct_qc_analyse", self.analyse_current)
        self.baseline_button = self._button("ct_qc_set_baseline", self.set_baseline_current)
        self.archive_button = self._button("ct_qc_archive", self.archive_current)
        self.report_button = self._button("ct_qc_report", lambda: self.report_current())
        self.progress = TaskProgressBar(self, object_name="ct_qc_progress",
                                        controller=self.analysis, hide_when_idle=False)
        self.action_progress = TaskProgressBar(self, object_name="ct_qc_action_progress",
                                               controller=self.actions, hide_when_idle=True)
        actions = FlowLayout()      # wraps at 1366 px / in Chinese instead of widening
        for w in (self.phantom_label, self.phantom_combo, self.profile_label, self.profile_combo,
                  self.analyse_button):
            actions.addWidget(w)
        actions.addWidget(self.progress, stretch=True)
        for w in (self.baseline_button, self.archive_button, self.report_button):
            actions.addWidget(w)
        actions.addWidget(self.action_progress)
        self.hold_banner = HoldBanner(self)
        self.strip = VerdictStrip(self)
        self.verdict = self.strip.physics
        self.messages = MessageBar(self, object_name="ct_qc_messages")

        self.series_table = SeriesTable(self)
        self.series_table.sig_series_chosen.connect(self._on_series_chosen)
        self.rejected_table = RejectedTable(self)
        self.activity = ActivityLog(self)
        self.left_tabs = QTabWidget(self)
        self.left_tabs.setObjectName("ct_qc_left_tabs")
        self.left_tabs.setMinimumWidth(340)
        for w in (self.series_table, self.rejected_table, self.activity):
            self.left_tabs.addTab(w, "")

        self.view = QcSliceView(self)
        self.viewer, self.module_nav, self.roi_details = (self.view.viewer, self.view.module_nav,
                                                          self.view.roi_details)
        self.trend = TrendView(lambda s, k: workflow.trend_points(self.ctx.store, s, k),
                               lambda: workflow.known_serials(self.ctx.store), self)
        self.tabs = QcResultTabs(self.trend, self)
        self.tabs.table.sig_measurement_selected.connect(self.view.show_measurement)
        self.view.sig_measurement_clicked.connect(self._select_row)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("ct_qc_splitter")
        for w, stretch in ((self.left_tabs, 3), (self.view, 3), (self.tabs, 3)):
            split.addWidget(w)
            split.setStretchFactor(split.indexOf(w), stretch)
        split.setSizes([500, 540, 560])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.intake_bar)
        lay.addWidget(self.io_progress)
        lay.addLayout(actions)
        lay.addWidget(self.hold_banner)
        lay.addWidget(self.strip)
        lay.addWidget(self.messages)
        lay.addWidget(split, 1)

    def _button(self, name: str, slot: Any) -> QPushButton:
        b = QPushButton(self)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    def _username(self) -> str:
        return getattr(self.ctx.user, "username", "unknown")

    def _current_entry(self) -> workflow.SeriesEntry | None:
        return self._entries.get(self._current_uid or "")

    # --- series list -------------------------------------------------------------------
    def add_entries(self, entries: list[workflow.SeriesEntry], state: str = "received") -> None:
        for e in entries:
            known = self._entries.get(e.series_uid)
            self._entries[e.series_uid] = e if known is None or e.files else known
            self.series_table.upsert(e.series_uid, serial=e.scanner_serial,
                                     acquired=e.acquired, images=e.n_images,
                                     state=None if known is not None and state == "analysed"
                                     else state)
        if entries and self._current_uid is None:
            self.series_table.select_uid(entries[-1].series_uid)

    def _on_series_chosen(self, uid: str) -> None:
        entry = self._entries.get(uid)
        if entry is None or uid == self._current_uid:
            return
        self._current_uid, self._loaded, self._result, self._record_id = uid, None, None, ""
        self.tabs.set_result(None)
        self.view.clear()
        self._update_strip()
        self.loader.start(_load_with_result, entry, self.ctx.store)

    def _on_loaded(self, value: tuple) -> None:
        entry, loaded, result, record_id = value
        if entry.series_uid != self._current_uid:
            return
        self._loaded = loaded
        self.view.set_loaded(loaded)
        if result is not None:
            self._show_result(result, record_id)

    def _show_result(self, result: Any, record_id: str) -> None:
        self._result, self._record_id = result, record_id
        self.tabs.set_result(result)
        self.view.set_result(result)
        self._update_strip()

    def _select_row(self, key: str) -> None:
        self.tabs.table.blockSignals(True)
        self.tabs.table.select_key(key)
        self.tabs.table.blockSignals(False)

    # --- analysis queue ------------------------------------------------------------------
    def analyse_current(self) -> None:
        if self._current_uid is None:
            self.messages.show_message(self.tr("Choose a series first."), level="info")
            return
        self.queue_analysis(self._current_uid, front=True)

    def queue_analysis(self, uid: str, *, front: bool = False) -> bool:
        if not self._allowed("analyse"):
            return False
        if uid in self._pending or uid == self._analysing:
            return True
        (self._pending.appendleft if front else self._pending.append)(uid)
        self.series_table.upsert(uid, state="queued")
        self._start_next()
        return True

    def _start_next(self) -> None:
        if self.analysis.running or not self._pending:
            return
        uid = self._pending.popleft()
        entry = self._entries[uid]
        self._analysing = uid
        self.series_table.upsert(uid, state="analysing")
        self.messages.clear()
        self.messages.setVisible(False)
        loaded = self._loaded if uid == self._current_uid else None
        if uid == self._current_uid:
            self.strip.set_state(physics=None, ai_pending=True)
        from app.ct.analysis.rings import geometry_from_settings
        self.analysis.start(intake_jobs.analyse_job, entry, loaded, self.ctx.store,
                            self._username(), phantom=self.phantom_combo.currentData(),
                            profile=self.profile_combo.currentData(), review=self.link,
                            use_baseline=bool(self.ctx.settings.get("use_baseline", True)),
                            geometry=geometry_from_settings(self.ctx.settings))

    def _on_analysed(self, outcome: workflow.AnalysisOutcome) -> None:
        uid, self._analysing = outcome.entry.series_uid, None
        self.series_table.upsert(uid, state="analysed", verdict=outcome.result.verdict.value)
        if uid == self._current_uid or self._current_uid is None:
            self._current_uid = uid
            if self._loaded is None:
                self._loaded = outcome.series
                self.view.set_loaded(outcome.series)
            self._show_result(outcome.result, outcome.record_id)
            for note in outcome.result.notes[:1]:
                from app.ct.names import note_text
                from app.ui.i18n import current_language
                self.messages.show_message(note_text(note, current_language()),
                                           level="warning")
        serial = (outcome.result.inputs or {}).get("scanner_serial") or outcome.entry.scanner_serial
        self.trend.refresh(prefer_serial=serial)
        self.refresh_marks()
        self._start_next()

    def _on_analysis_failed(self, exc: BaseException) -> None:
        uid, self._analysing = self._analysing, None
        if uid is not None:
            self.series_table.upsert(uid, state="analysed", verdict="ERROR")
        self._on_failed(exc)
        self.refresh_marks()
        self._start_next()

    def _on_failed(self, exc: BaseException) -> None:
        self.messages.show_error(exc)
        if not isinstance(exc, PharosError) and getattr(self.ctx, "notifier", None) is not None:
            self.ctx.notifier.error(exc)

    def is_busy(self) -> bool:
        return (self.analysis.running or self.io.running or self.actions.running
                or bool(self._pending))

    def shutdown(self) -> None:
        self._shut_down = True
        self._timer.stop()
        self._pending.clear()
        for c in (self.analysis, self.io, self.loader, self.actions, self.refresher, self.demo):
            c.cancel(silent=True)
        self.stop_receiving()

    def _allowed(self, action: str) -> bool:
        try:
            self.ctx.require(action)
        except PharosError as exc:
            self.messages.show_error(exc)
            return False
        return True

    # --- marks: holds, AI, archive, baseline ---------------------------------------------
    def refresh_marks(self) -> None:
        """Re-read holds, AI verdicts, archive and baseline records (background)."""
        if self._shut_down:
            return
        if self.refresher.running:
            self._refresh_again = True      # something changed after that read began
            return
        self._refresh_again = False
        self.refresher.start(_snapshot_job, self.ctx.store, self.link)

    def _on_snapshot(self, snapshot: workflow.StationSnapshot) -> None:
        self._snapshot = snapshot
        if getattr(self, "_refresh_again", False):
            self.refresh_marks()
        self.series_table.apply_snapshot(snapshot)
        self._update_strip()

    def _update_strip(self) -> None:
        snap, uid = self._snapshot, self._current_uid or ""
        entry = self._entries.get(uid)
        serial = ((self._result.inputs or {}).get("scanner_serial") if self._result is not None
                  else None) or (entry.scanner_serial if entry else "")
        hold = snap.holds.get(serial) if snap is not None and serial else None
        self.hold_banner.set_hold(serial, hold)
        if snap is None:
            self.strip.set_state(physics=self._result.verdict if self._result else None)
            return
        base = snap.baselines.get(serial)
        self.strip.set_state(physics=self._result.verdict if self._result else None,
                             ai=snap.ai.get(uid) if self._result is not None else None,
                             baseline=base, is_baseline=bool(base and base["series_uid"] == uid),
                             archive=snap.archive.get(uid),
                             ai_pending=uid == self._analysing)

    # --- language ----------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.phantom_label.setText(self.tr("Phantom"))
        from app.ui.i18n import current_language
        from station_plugins.ct_qc.ui_names import phantom_name
        for i in range(self.phantom_combo.count()):
            self.phantom_combo.setItemText(i, phantom_name(self.phantom_combo.itemData(i),
                                                           current_language()))
        self.profile_label.setText(self.tr("Limits"))
        self.analyse_button.setText(self.tr("Analyse"))
        self.baseline_button.setText(self.tr("Set as baseline…"))
        self.archive_button.setText(self.tr("Archive to PACS"))
        self.report_button.setText(self.tr("PDF report…"))
        n_rej = self.rejected_table.rowCount()
        for i, text in enumerate((self.tr("Series"),
                                  self.tr("Rejected (%1)").replace("%1", str(n_rej)),
                                  self.tr("Activity"))):
            self.left_tabs.setTabText(i, text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


# --- background helpers (pool threads) ---------------------------------------------------
def _load_with_result(entry: workflow.SeriesEntry, store: Any, *, token: Any,
                      progress: Any) -> tuple:
    """Images of a series and, when it was analysed before, its newest stored result."""
    from app.ct.analysis.result import QcResult

    entry, loaded = workflow.load_job(entry, token=token, progress=progress)
    rows = [r for r in store.query_records(kind=workflow.RESULT_KIND, ref=entry.series_uid,
                                           limit=1)] if store is not None else []
    if not rows or "measurements" not in rows[0].payload:
        return entry, loaded, None, ""
    return entry, loaded, QcResult.from_json(json.dumps(rows[0].payload)), rows[0].id


def _snapshot_job(store: Any, link: Any, *, token: Any, progress: Any) -> Any:
    return workflow.station_snapshot(store, link, token=token, progress=progress)

