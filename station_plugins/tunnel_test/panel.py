"""TunnelPanel: the operator console of the test tunnel (Qt view only).

Scan the serial (a barcode scanner types it + Enter), watch the big state banner, the
live item list (value vs limits, AI verdicts), the live waveform / image; answer
prompts; abort with a reason; see recent units; resume or abort-and-record interrupted
runs. Runs execute in a runner process; events arrive here only after the journal has
committed them.

Composition: the top bar (``ui_run_bar``), the view of the run being watched
(``ui_live_run``: live events -> step table, detail pane, live plot, prompt, banner), the
record commit and release (``ui_record_release``), the step table (``ui_step_table``: an
item model), the sequence chooser and the MES line (``ui_panel_sequences``), the
supervisor's integrity decision (``ui_integrity``), banner / live plot / prompt
(``ui_tunnel_parts``). The panel itself starts runs, hears the runner, moves the
progress bar / ETA and loads the lists; every job that
reads or writes (MES route check, journal, record commit, lists) runs on the
workstation's task pool through ``TaskSlot`` (``widgets.tasks.TaskController``).
Step titles and prompts are shown in the plant's words when the UI is Chinese and the
sequence has them (format 2 ``title_zh``).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QMessageBox, QProgressBar,
                               QSplitter, QVBoxLayout, QWidget)

from app.core.errors import PharosError
from station_plugins.tunnel_test.ui_integrity import IntegrityReview
from station_plugins.tunnel_test.ui_live_run import LiveRun
from station_plugins.tunnel_test.ui_panel_sequences import OutboxStatus, SequenceChooser
from station_plugins.tunnel_test.ui_reason_words import error_text, failure_text
from station_plugins.tunnel_test.ui_record_release import RunRecords
from station_plugins.tunnel_test.ui_run_bar import MODES, RunBar, demo_faults, may
from station_plugins.tunnel_test.ui_runs import InterruptedRunBar, RecentUnits
from station_plugins.tunnel_test.ui_step_detail import StepDetail
from station_plugins.tunnel_test.ui_step_table import StepTable
from station_plugins.tunnel_test.ui_tasks import TaskSlot
from station_plugins.tunnel_test.ui_tunnel_parts import LivePlot, PromptBox, StateBanner
from widgets.message_bar import Text   # a function of the UI language, or a string as it is
from widgets.staged_build import StagedWidget, show_part

__all__ = ["MODES", "TunnelPanel", "may"]


class TunnelPanel(StagedWidget, QWidget):
    sig_run_message = Signal(str, object)
    sig_built = Signal()

    def __init__(self, station: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_panel")
        self.station, self.ctx = station, station.ctx
        self.proc: Any = None
        self.spec: Any = None
        self.sequence: Any = None
        self._t0 = 0.0
        self._done_steps = 0
        self._t_first: float | None = None
        self.demo_defects: list[str] = []
        tasks = self.ctx.tasks
        self.lists_task = TaskSlot(tasks, self)       # recent units, interrupted, versions
        self.start_task = TaskSlot(tasks, self)       # MES route check, run spec, resume
        station.register_panel_tasks(self.start_task)  # the station waits for it to end
        self.start_staged_build(self._build())
        self.sig_run_message.connect(self._on_message, Qt.ConnectionType.QueuedConnection)
        self._refresh_lists()

    # --- layout ----------------------------------------------------------------------
    def _build(self) -> Iterator[None]:
        """The console in slices, one per event-loop turn (``widgets.staged_build``): the
        top bar, banner, progress and message line with the empty main split first, then
        the step table and detail, the live plot and prompt, the right column and the
        live-run and record wiring. Built at once it held the GUI thread 60-65 ms on a
        2-core workstation (session 29), a stall of 100+ ms beside a busy CPU."""
        self._frame()
        yield
        self.items = StepTable()
        self.detail = StepDetail()
        self.items.sig_step_selected.connect(lambda _key: self.live.show_detail())
        left = self._left
        left.addWidget(self.items)
        left.addWidget(self.detail)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 1)
        # the detail pane: title line + three measurements + the AI line, whole
        lines = self.fontMetrics().lineSpacing()
        left.setSizes([320, 5 * lines + 12])
        self.detail.setMinimumHeight(2 * lines + 12)
        show_part(self.items, self.detail)
        yield
        self.plot = LivePlot()
        self.plot.setMinimumHeight(120)
        self.prompt = PromptBox()
        self.prompt.sig_answered.connect(self._answer)
        self.plot.retranslate_ui()
        self.prompt.retranslate_ui()
        rl = self._right.layout()
        rl.insertWidget(1, self.plot, 2)
        rl.insertWidget(2, self.prompt)
        show_part(self.plot)
        yield
        self.recent = RecentUnits()
        self.recent.currentItemChanged.connect(lambda *_: self._integrity_target())
        rl.addWidget(self.recent_label)
        rl.addWidget(self.recent, 2)
        rl.addWidget(self.mes_state)
        show_part(self.recent_label, self.recent, self.mes_state)
        yield
        self.live = LiveRun(items=self.items, detail=self.detail, current=self.current,
                            plot=self.plot, live_label=self.live_label, prompt=self.prompt,
                            banner=self.banner, tasks=self.ctx.tasks, parent=self)
        self.live.sig_flushed.connect(self._flushed)
        self.live.sig_info.connect(self._info)
        self.records = RunRecords(station=self.station, user=self.ctx.user,
                                  release_btn=self.release_btn, integrity=self.integrity,
                                  allowed=self._allowed, tasks=self.ctx.tasks, parent=self)
        self.records.sig_info.connect(self._info)
        self.records.sig_error.connect(self._show_error)
        self.records.sig_done.connect(self._record_done)
        self.retranslate_ui()
        # the split was laid out while its sides were empty: give them the share a
        # splitter gives widgets it first shows whole (stretch factor x size hint)
        self._split.setSizes([3 * self._left.sizeHint().width(),
                              self._right.sizeHint().width()])

    def _frame(self) -> None:
        """The first slice: everything above the main split, and the split with its two
        empty sides (the parts of later slices go there)."""
        station = self.station
        self.sequence_chooser = SequenceChooser(
            library=lambda: station.library, default_path=station.sequence_path(),
            user=self.ctx.user, can_edit=self._allowed("edit_sequence"), tasks=self.ctx.tasks)
        self.sequence_chooser.sig_error.connect(self._show_error)
        self.sequence_chooser.sig_library_changed.connect(self._refresh_lists)
        self.sequence_combo = self.sequence_chooser.combo
        self.edit_btn = self.sequence_chooser.edit_btn
        self.integrity = IntegrityReview(console=lambda: station.console, user=self.ctx.user,
                                         tasks=self.ctx.tasks,
                                         can_decide=self._allowed("integrity_decision"))
        self.integrity.sig_message.connect(
            lambda text, bad: self._show_error_text(text) if bad else self._info(text))
        self.integrity.sig_decided.connect(lambda _d: self._refresh_lists())
        self.bar = bar = RunBar(allowed=self._allowed, chooser=self.sequence_chooser,
                                integrity=self.integrity, parent=self)
        self.serial, self.mode, self.step_key, self.socket = (bar.serial, bar.mode,
                                                              bar.step_key, bar.socket)
        self.start_btn, self.abort_btn, self.release_btn = (bar.start_btn, bar.abort_btn,
                                                            bar.release_btn)
        self.serial.returnPressed.connect(self.start_run)
        self.start_btn.clicked.connect(self.start_run)
        self.abort_btn.clicked.connect(self.abort_run)
        self.release_btn.clicked.connect(self.release_run)

        self.banner = StateBanner()
        self.progress = QProgressBar()
        self.progress.setObjectName("tunnel_progress")
        self.current = QLabel("-")
        self.current.setObjectName("tunnel_current_item")
        self.eta = QLabel("")
        self.eta.setObjectName("tunnel_eta")
        prog = QHBoxLayout()
        prog.addWidget(self.progress, 3)
        prog.addWidget(self.current, 3)
        prog.addWidget(self.eta, 1)
        self.message = QLabel("")
        self.message.setObjectName("tunnel_message")
        # what the message line says, as a function of the UI language: written again
        # when the language changes (a finished string would stay in the old language)
        self._message_text: Callable[[], str] | None = None
        self.message.setWordWrap(True)
        self.interrupted = InterruptedRunBar(station=station, user=self.ctx.user,
                                             allowed=partial(may, self.ctx),
                                             tasks=self.ctx.tasks)
        self.interrupted.sig_resume_ready.connect(lambda r: self._start_prepared(r, None))
        self.interrupted.sig_recorded.connect(lambda r: self.records.committed(r, None))
        self.interrupted.sig_error.connect(self._show_error)
        self._right = right = QWidget()
        rl = QVBoxLayout(right)
        self.live_label, self.recent_label = QLabel(), QLabel()
        self.mes_state = OutboxStatus()        # the lists' loader reports to it at once
        rl.addWidget(self.live_label)
        self._left = left = QSplitter(Qt.Orientation.Vertical)  # the steps over the
        left.setObjectName("tunnel_steps_split")                # selected one, whole
        left.setChildrenCollapsible(False)
        self._split = split = QSplitter()
        split.setObjectName("tunnel_main_split")
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.addLayout(bar.top)
        lay.addWidget(self.banner)
        lay.addLayout(prog)
        lay.addWidget(self.interrupted)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        self._retranslate_frame()

    def _retranslate_frame(self) -> None:
        """The texts of the first slice's parts (shown before the rest is built)."""
        self.bar.retranslate()
        self.live_label.setText(self.tr("Live signal"))
        self.recent_label.setText(self.tr("Recent units"))
        self.banner.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._retranslate_frame()
        self.prompt.retranslate_ui()
        self.plot.retranslate_ui()
        self.live.retranslate()
        if self._message_text is not None:
            self.message.setText(self._message_text())

    @property
    def last_run(self) -> dict:
        """The last committed run here: {"row": record row, "decision": release}."""
        return self.records.last_run

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _allowed(self, action: str) -> bool:
        return may(self.ctx, action)

    def selected_sequence(self) -> str:
        return self.sequence_chooser.selected_path()

    def _show_error(self, exc: BaseException) -> None:
        self._show_error_text(lambda: error_text(exc))

    def _show_error_text(self, text: Text) -> None:
        """A red message: a device error's codes with their meaning (``error_text``)."""
        self._say(text)
        self.message.setStyleSheet("color:#c62828; font-weight:bold;")

    def _info(self, text: Text) -> None:
        self._say(text)
        self.message.setStyleSheet("")

    def _say(self, text: Text) -> None:
        """The message line says ``text``: a function of the UI language (called now and
        again after a language switch), or a string as it is (a value, a user's words)."""
        self._message_text = text if callable(text) else None
        self.message.setText(text() if callable(text) else text)

    # --- starting --------------------------------------------------------------------------
    def start_run(self) -> None:
        if self.proc is not None and self.proc.running:   # not while a run is going
            return
        serial = self.serial.text().strip()
        mode, action = self.bar.action()
        try:
            self.ctx.require(action)
        except PharosError as exc:
            self._show_error(exc)
            return
        station, user, path = self.station, self.ctx.user, self.selected_sequence()
        socket, single_step = self.socket.currentText(), self.step_key.text().strip()
        defects = list(self.demo_defects)                       # demo: injected faults
        self.start_btn.setEnabled(False)
        self._info(lambda: self.tr("Checking route of %1 in the MES...").replace("%1", serial))

        def prepare() -> tuple:
            console = station.console
            seq = console.check_mode(user, path, mode)
            spec = console.make_spec(sequence_path=path,
                                     serial=serial, user=user, mode=mode,
                                     socket=socket, single_step=single_step,
                                     # a demo fault runs on the in-process simulated
                                     # C-arm, which takes the defects ("" endpoint)
                                     endpoint="" if defects else station.endpoint(),
                                     **({"defects": defects} if defects else {}))
            console.announce(spec)
            return seq, spec

        if not self.start_task.run(prepare, self._start_prepared):
            self.start_btn.setEnabled(True)

    def _start_prepared(self, result: Any, error: Any) -> None:
        self.start_btn.setEnabled(True)
        if error is not None:
            self._show_error(error)
            return
        self.sequence, self.spec = result
        self._launch(self.spec)

    def _launch(self, spec: Any) -> None:
        self.progress.setRange(0, self.live.start(self.sequence, spec))
        self.progress.setValue(0)
        self._done_steps, self._t0, self._t_first = 0, time.monotonic(), None
        self.banner.set_state("RUNNING", spec.serial)
        self._info(lambda: self.tr("Run %1 - %2").replace("%1", spec.run_id).replace(
            "%2", spec.serial))
        try:
            self.proc = self.station.console.start_process(spec, self.sig_run_message.emit,
                                                           announce=False)
        except PharosError as exc:
            self._show_error(exc)
            self.banner.set_state("READY")
            return
        self.abort_btn.setEnabled(True)
        self.start_btn.setEnabled(False)
        self.release_btn.setEnabled(False)

    # --- live events -----------------------------------------------------------------------
    def _on_message(self, kind: str, body: Any) -> None:
        if kind == "event":
            self.live.queue(body)
            return
        self.live.flush()
        if kind == "done":
            self._run_over(body)
        elif kind == "failed":
            self._show_error_text(lambda: failure_text(body))
            if self.live.journalled:   # the run is in the journal: its record is due
                self._run_over({"run_id": self.spec.run_id, "verdict": "ERROR", "failed": True})
            else:           # it never started (no link to the unit): no record, the cause stays
                self.banner.set_state("ERROR", self.spec.serial)
                self._reset_buttons()
                self._refresh_lists()
        elif kind == "lost":
            self.banner.set_state("INTERRUPTED")
            acts = ", ".join(f"{a['action']} {'ok' if a.get('ok') else 'FAILED'}"
                             for a in (body.get("safe_state") or {}).get("actions", []))
            self._show_error_text(lambda: error_text(PharosError(
                self.tr("The runner process stopped unexpectedly; the run is kept in the "
                        "journal. Resume or abort it.")
                + (f" [safe_state: {acts}]" if acts else ""))))
            self._reset_buttons()
            self._refresh_lists()

    def _flushed(self, done: int, last_key: str) -> None:
        """After a batch of live events: progress, ETA and scroll once."""
        self._done_steps += done
        if last_key:
            self.items.scroll_to(last_key)
            # QProgressBar.setValue repaints synchronously (12 ms a call measured);
            # with updates off it only schedules a paint for the next frame
            self.progress.setUpdatesEnabled(False)
            self.progress.setValue(self._done_steps)
            self.progress.setUpdatesEnabled(True)
            self.eta.setText(self._eta_text())

    def _eta_text(self) -> str:
        """Time left from the pace of the steps since the first one ended (the runner's
        start-up is not a step: counting it gave 'ETA 3087 s' for a 5 s run)."""
        now = time.monotonic()
        if self._t_first is None:
            self._t_first, self._n_first = now, self._done_steps
            return ""
        left = self.progress.maximum() - self._done_steps
        done_since = self._done_steps - self._n_first
        if left <= 0 or done_since < 2:
            return ""
        per = (now - self._t_first) / done_since
        secs = int(round(left * per))
        return self.tr("about %1 left").replace(
            "%1", f"{secs // 60} min {secs % 60:02d} s" if secs >= 60 else f"{secs} s")

    def _answer(self, choice: str) -> None:
        self.live.answered()
        if self.proc is not None:
            self.proc.answer(choice, self.ctx.user.username)

    def abort_run(self) -> None:
        if self.proc is None or not self.proc.running:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Abort run"),
                                          self.tr("Reason for the abort:"))
        if ok and reason.strip():
            self.proc.abort(reason.strip(), self.ctx.user.username)
            self.live.hide_prompt(forget=False)

    def _run_over(self, outcome: dict) -> None:
        self._reset_buttons()
        self.records.commit(outcome["run_id"])

    def _record_done(self) -> None:
        self.serial.clear()
        self.serial.setFocus()
        self._refresh_lists()

    def _reset_buttons(self) -> None:
        self.abort_btn.setEnabled(False)
        self.start_btn.setEnabled(True)
        self.live.hide_prompt(forget=True)

    # --- demo mode: faults of the simulated C-arm for the next run --------------------------
    def demo_faults(self) -> list[tuple[str, str]]:
        return demo_faults() if bool(getattr(self.ctx.config, "demo", False)) else []

    def inject_demo_fault(self, code: str) -> None:
        self.demo_defects = [] if code == "clear" else [code]
        self._info(lambda: self.tr("Demo: the next run simulates: %1").replace(
            "%1", dict(self.demo_faults()).get(code, code)))

    # --- release, recent units, interrupted runs ---------------------------------------------
    def release_run(self) -> None:
        self.records.release(self)

    def _refresh_lists(self) -> None:
        station = self.station        # the console is created (journal, MES) off the GUI thread
        engineer = self._allowed("run_draft")
        report = self.mes_state.report

        def load() -> tuple:
            console = station.console
            console.start_resender(report)
            # the library parses each version once (cached by content): the default
            # sequence is ready when Start is pressed
            return (console.recent(20), console.unfinished(),
                    station.library.visible(engineer), console.pump())
        self.lists_task.run(load, self._lists_loaded)

    def _lists_loaded(self, result: Any, error: Any) -> None:
        if error is not None:
            self._show_error(error)
            return
        recent, unfinished, sequences, outbox = result
        self.sequence_chooser.show_entries(sequences)
        self.mes_state.show_result(outbox)
        self.recent.show_runs(recent)
        self.interrupted.show_runs(unfinished)
        self._integrity_target()

    def _integrity_target(self) -> None:
        """The run the supervisor's integrity button reviews: the selected recent unit,
        else the interrupted run, else this console's last run, else the newest unit
        listed (the dialog names serial, run and problems before anything is signed)."""
        run_id = self.recent.selected_run() or self.interrupted.run_id()
        run_id = run_id or self.records.last_run_id()
        if not run_id and self.recent.count():
            run_id = str(self.recent.item(0).data(Qt.ItemDataRole.UserRole))
        self.integrity.set_run(run_id or "")

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.proc is not None and self.proc.alive:
            QMessageBox.warning(self, self.tr("Run active"),
                                self.tr("A test run is active; abort it first."))
            event.ignore()
            return
        super().closeEvent(event)
