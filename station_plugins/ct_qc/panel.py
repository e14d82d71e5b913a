"""CT image QC panel: intake (receiver, import, demo scanner), series list with verdict /
AI / archive / hold marks, image viewer with ROI overlays, results, trend, actions.

The panel is a view of the plugin's :class:`~station_plugins.ct_qc.station_service.
CtQcService` (intake + analysis queue), which outlives it: it subscribes through a
:class:`~station_plugins.ct_qc.ui_service.ServiceAdapter` (signals on the GUI thread) and
composes an :class:`~station_plugins.ct_qc.ui_wiring.IntakeController` (receive, import,
demo, rejected files) and :class:`~station_plugins.ct_qc.ui_actions.ResultActions`
(baseline, archive, report)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QSplitter, QTabWidget,
    QVBoxLayout, QWidget)

from app.core.errors import PharosError
from widgets.message_bar import MessageBar
from widgets.note_texts import progress_message_text
from widgets.progress_bar import TaskProgressBar
from widgets.tasks import TaskController

from station_plugins.ct_qc import workflow
from station_plugins.ct_qc.review_link import ReviewLink
from station_plugins.ct_qc.station_service import AnalysisOptions, CtQcService
from station_plugins.ct_qc.ui_actions import ResultActions, Shown
from station_plugins.ct_qc.ui_intake import ActivityLog, IntakeBar, RejectedTable
from station_plugins.ct_qc.ui_results import QcResultTabs, TrendView
from station_plugins.ct_qc.ui_series import SeriesTable
from station_plugins.ct_qc.ui_toolbar import AnalysisBar
from station_plugins.ct_qc.ui_service import ServiceAdapter
from station_plugins.ct_qc.ui_verdicts import HoldBanner, VerdictStrip
from station_plugins.ct_qc.ui_viewer import QcSliceView
from station_plugins.ct_qc.ui_wiring import IntakeController


class CtQcPanel(QWidget):
    REFRESH_MS = 10_000      # holds placed at the image-review station show within this

    def __init__(self, ctx: Any, service: CtQcService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_panel")
        self.ctx, self.service = ctx, service
        self._entries: dict[str, workflow.SeriesEntry] = {}
        self._current_uid: str | None = None
        self._loaded: Any = None
        self._result: Any = None
        self._record_id = ""
        self._snapshot: Any = None
        self._shut_down = False
        self._refresh_again = False
        self.link = ReviewLink.from_ctx(ctx)
        self.adapter = ServiceAdapter(service, self)
        self.analysis = self.adapter          # the queue's TaskController face
        self.io = TaskController(ctx.tasks, self)
        self.loader = TaskController(ctx.tasks, self)
        self.actions = TaskController(ctx.tasks, self)
        self.refresher = TaskController(ctx.tasks, self)
        self.demo = TaskController(ctx.tasks, self)
        self._build()
        self._connect()
        self.retranslate_ui()
        self.add_entries(workflow.stored_entries(ctx.store), state="analysed")
        self._list_service_series()
        self.trend.refresh()
        self.refresh_marks()
        self._timer = QTimer(self)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self.refresh_marks)
        self._timer.start()
        if self.intake_bar.auto_check.isChecked():
            service.queue_waiting()        # series that arrived while nobody was logged in

    # --- layout --------------------------------------------------------------------
    def _build(self) -> None:
        demo = bool(getattr(self.ctx.config, "demo", False))
        self.intake_bar = IntakeBar(demo, self)
        self.io_progress = TaskProgressBar(self, object_name="ct_qc_io_progress",
                                           controller=self.io, hide_when_idle=True,
                                           message_text=progress_message_text)
        self.bar = AnalysisBar(str(self.ctx.settings.get("profile", "factory_simct_120kv")),
                               self.analysis, self.actions, self)
        for name in ("phantom_combo", "profile_combo", "analyse_button", "baseline_button",
                     "archive_button", "report_button", "progress", "action_progress"):
            setattr(self, name, getattr(self.bar, name))    # the names tests and docs use
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
        self.left_tabs.setMinimumWidth(260)
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
        # at 1366x768 the results get the most room (the verdict of every row in view),
        # the series list what its key columns need; a wider screen feeds the same shares
        for w, stretch in ((self.left_tabs, 3), (self.view, 3), (self.tabs, 4)):
            split.addWidget(w)
            split.setStretchFactor(split.indexOf(w), stretch)
            split.setCollapsible(split.indexOf(w), False)
        # shares far above any minimum width: QSplitter keeps a size set below its pane's
        # minimum as that minimum - in the language the panel was built in, not the shown
        split.setSizes([100 * share for share in (355, 255, 490)])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.intake_bar)
        lay.addWidget(self.io_progress)
        lay.addWidget(self.bar)
        lay.addWidget(self.hold_banner)
        lay.addWidget(self.strip)
        lay.addWidget(self.messages)
        lay.addWidget(split, 1)

    def _connect(self) -> None:
        """The controllers, the service's signals and the bars, wired."""
        self.intake_ctl = IntakeController(
            self.ctx, self.adapter, bar=self.intake_bar, messages=self.messages,
            activity=self.activity, rejected=self.rejected_table, io=self.io, demo=self.demo,
            allowed=self._allowed, dialog_parent=self)
        self.intake_ctl.sig_failed.connect(self._on_failed)
        self.intake_ctl.sig_rejected.connect(self._count_rejected)
        self.result_actions = ResultActions(
            self.ctx, self.service.intake, messages=self.messages, actions=self.actions,
            allowed=self._allowed, shown=self._shown, dialog_parent=self)
        self.result_actions.sig_marks_changed.connect(self.refresh_marks)
        self.result_actions.sig_failed.connect(self._on_failed)
        a = self.adapter
        a.sig_event.connect(self._on_service_event)
        a.sig_series_ready.connect(lambda e: self.add_entries([e], state="received"))
        a.sig_unchanged.connect(lambda u: self.add_entries([u.entry], "analysed", u.verdict))
        a.sig_queued.connect(lambda uid: self.series_table.upsert(uid, state="queued"))
        a.sig_analysing.connect(self._on_analysing)
        a.sig_analysed.connect(self._on_analysed)
        a.sig_analysis_failed.connect(self._on_analysis_failed)
        a.sig_analysis_cancelled.connect(
            lambda e: self.series_table.upsert(e.series_uid, state="received"))
        self.loader.sig_finished.connect(self._on_loaded)
        self.loader.sig_failed.connect(self._on_failed)
        self.refresher.sig_finished.connect(self._on_snapshot)
        self.refresher.sig_failed.connect(self._on_failed)
        self.intake_bar.auto_check.setChecked(self.service.auto is not None)
        self.intake_bar.auto_check.toggled.connect(self._set_auto)
        self.bar.sig_choice_changed.connect(self._set_auto)
        self.bar.sig_analyse.connect(self.analyse_current)
        self.bar.sig_set_baseline.connect(self.set_baseline_current)
        self.bar.sig_archive.connect(self.archive_current)
        self.bar.sig_report.connect(self.report_current)

    def _username(self) -> str:
        return getattr(self.ctx.user, "username", "unknown")

    def _shown(self) -> Shown:
        return Shown(uid=self._current_uid, entry=self._entries.get(self._current_uid or ""),
                     result=self._result, record_id=self._record_id, loaded=self._loaded,
                     snapshot=self._snapshot)

    # --- the controllers' operations, for the shell and tests --------------------------------
    @property
    def intake(self) -> Any:
        return self.service.intake

    @property
    def receiving(self) -> bool:
        return self.intake_ctl.receiving

    @property
    def last_report(self) -> Path | None:
        return self.result_actions.last_report

    def start_receiving(self) -> bool:
        return self.intake_ctl.start_receiving()

    def stop_receiving(self) -> None:
        self.intake_ctl.stop_receiving()

    def import_folder(self, folder: str | Path) -> None:
        self.intake_ctl.import_folder(folder)

    def simulate_series(self, params: Any = None, serial: str = "CT-SIM-0001") -> None:
        self.intake_ctl.simulate_series(params, serial)

    def set_baseline_current(self) -> Any:
        return self.result_actions.set_baseline_current()

    def archive_current(self) -> None:
        self.result_actions.archive_current()

    def report_current(self, path: str | Path | None = None) -> None:
        self.result_actions.report_current(path)

    # --- series list -------------------------------------------------------------------
    def add_entries(self, entries: list[workflow.SeriesEntry], state: str = "received",
                    verdict: str | None = None) -> None:    # verdict: an unchanged one's
        for e in entries:
            known = self._entries.get(e.series_uid)
            self._entries[e.series_uid] = e if known is None or e.files else known
            self.series_table.upsert(e.series_uid, serial=e.scanner_serial,
                                     acquired=e.acquired, images=e.n_images, verdict=verdict,
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
        self.loader.start(workflow.load_with_result, entry, self.ctx.store)

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
        self._update_strip()
        # the viewer's overlays and module list (a pyqtgraph item per ROI, ~25 ms of GUI
        # thread) on the next turn of the event loop: the verdict and the table show first,
        # and no single turn holds the GUI thread for both - on a busy machine the two in
        # one turn stalled it 110-170 ms (benchmarks/ui/heartbeat.py, "ct_qc analyse")
        QTimer.singleShot(0, self, lambda r=result: self._show_overlays(r))

    def _show_overlays(self, result: Any) -> None:
        if result is self._result:            # (not replaced or cleared in between)
            self.view.set_result(result)

    def _select_row(self, key: str) -> None:
        self.tabs.table.blockSignals(True)
        self.tabs.table.select_key(key)
        self.tabs.table.blockSignals(False)

    # --- analysis queue ------------------------------------------------------------------
    def analyse_current(self) -> None:
        if self._current_uid is None:
            self.messages.show_message(lambda: self.tr("Choose a series first."), level="info")
            return
        self.queue_analysis(self._current_uid, front=True)

    def queue_analysis(self, uid: str, *, front: bool = False) -> bool:
        """Queue a listed series in the station service, as the logged-in user."""
        if not self._allowed("analyse"):
            return False
        loaded = self._loaded if uid == self._current_uid else None
        self.service.queue(self._entries[uid], self._username(), self._options(),
                           front=front, loaded=loaded)
        return True

    def _options(self) -> AnalysisOptions:
        return AnalysisOptions(phantom=self.bar.phantom, profile=self.bar.profile,
                               use_baseline=bool(self.ctx.settings.get("use_baseline", True)))

    def _set_auto(self, *_: Any) -> None:
        """Series completing from now on are analysed with these choices (or not)."""
        self.service.auto = self._options() if self.intake_bar.auto_check.isChecked() else None

    def _list_service_series(self) -> None:
        """Series the service assembled before this panel opened (it outlives panels)."""
        for entry, state in self.service.known_series():
            state = {"waiting": "received", "error": "analysed"}.get(state, state)
            self.add_entries([entry], state=state)
        for uid in self.service.pending():
            self.series_table.upsert(uid, state="queued")
        if self.service.analysing:
            self.series_table.upsert(self.service.analysing, state="analysing")

    def _on_analysing(self, uid: str) -> None:
        self.series_table.upsert(uid, state="analysing")
        self.messages.clear()
        self.messages.setVisible(False)
        if uid == self._current_uid:
            self.strip.set_state(physics=None, ai_pending=True)

    def _on_analysed(self, outcome: workflow.AnalysisOutcome) -> None:
        uid = outcome.entry.series_uid
        self.series_table.upsert(uid, state="analysed", verdict=outcome.result.verdict.value)
        if uid == self._current_uid or self._current_uid is None:
            self._current_uid = uid
            if self._loaded is None:
                self._loaded = outcome.series
                self.view.set_loaded(outcome.series)
            self._show_result(outcome.result, outcome.record_id)
            for note in outcome.result.notes[:1]:
                from widgets.note_texts import note_text

                self.messages.show_message(lambda n=note: note_text(n), level="warning")
        serial = (outcome.result.inputs or {}).get("scanner_serial") or outcome.entry.scanner_serial
        self.trend.refresh(prefer_serial=serial)
        self.refresh_marks()

    def _on_analysis_failed(self, entry: workflow.SeriesEntry, exc: BaseException) -> None:
        self.series_table.upsert(entry.series_uid, state="analysed", verdict="ERROR")
        self._on_failed(exc)
        self.refresh_marks()

    def _on_failed(self, exc: BaseException) -> None:
        self.messages.show_error(exc)
        if not isinstance(exc, PharosError) and getattr(self.ctx, "notifier", None) is not None:
            self.ctx.notifier.error(exc)

    def is_busy(self) -> bool:
        """An analysis of the service, or an import / archive / report of this panel."""
        return self.service.busy or self.io.running or self.actions.running

    def shutdown(self) -> None:
        """Stop this view's own work (idempotent); receiver and queue are the plugin's."""
        if self._shut_down:
            return
        self._shut_down = True
        self._timer.stop()
        for c in (self.io, self.loader, self.actions, self.refresher, self.demo):
            c.cancel(silent=True)
        self.adapter.detach()

    # --- service events (GUI thread) ---------------------------------------------------
    def _on_service_event(self, event: Any) -> None:
        d = event.data
        if event.kind == "stored" and not d.duplicate:
            uid = d.series_instance_uid
            self._entries.setdefault(uid, workflow.SeriesEntry(
                series_uid=uid, label=d.device_serial, scanner_serial=d.device_serial,
                origin="receiving"))
            self.series_table.upsert(uid, serial=d.device_serial, state="receiving",
                                     images=self.series_table.images(uid) + 1)

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
        self.refresher.start(workflow.station_snapshot, self.ctx.store, self.link)

    def _on_snapshot(self, snapshot: workflow.StationSnapshot) -> None:
        self._snapshot = snapshot
        if self._refresh_again:
            self.refresh_marks()
        self.series_table.apply_snapshot(snapshot)
        self._update_strip()

    def _update_strip(self) -> None:
        shown = self._result is not None
        self.bar.set_available(series=self._current_uid is not None, record=shown and bool(
            self._record_id), result=shown and self._loaded is not None)
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
                             ai_pending=uid == self.service.analysing)

    # --- language ----------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.bar.retranslate_ui()
        self.left_tabs.setTabText(0, self.tr("Series"))
        self._count_rejected()
        self.left_tabs.setTabText(2, self.tr("Activity"))

    def _count_rejected(self) -> None:
        self.left_tabs.setTabText(1, self.tr("Rejected (%1)").replace(
            "%1", str(self.rejected_table.count())))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
