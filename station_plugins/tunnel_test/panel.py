"""TunnelPanel: the operator console of the test tunnel (Qt view only).

Scan the serial (a barcode scanner types it + Enter), watch the big state banner, the
live item list (value vs limits, AI verdicts), the live waveform / image; answer
prompts; abort with a reason; see recent units; resume or abort-and-record interrupted
runs. Runs execute in a runner process; events arrive here only after the journal has
committed them.

Composition: the step table (``ui_step_table``: an item model), the sequence chooser and
the MES line (``ui_panel_sequences``), the supervisor's integrity decision
(``ui_integrity``), banner / live plot / prompt (``ui_tunnel_parts``); every job that
reads or writes (MES route check, journal, record commit, lists) runs on the
workstation's task pool through ``TaskSlot`` (``widgets.tasks.TaskController``).
Step titles and prompts are shown in the plant's words when the UI is Chinese and the
sequence has them (format 2 ``title_zh``).
"""
from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QProgressBar, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from app.core.errors import PharosError
from app.ui.i18n import current_language
from station_plugins.tunnel_test.ui_integrity import IntegrityReview
from station_plugins.tunnel_test.ui_panel_sequences import OutboxStatus, SequenceChooser
from station_plugins.tunnel_test.ui_runs import (InterruptedRunBar, RecentUnits,
                                                release_mode_text, release_reason_text)
from station_plugins.tunnel_test.ui_reason_words import error_text, failure_text, reason_text
from station_plugins.tunnel_test.ui_step_detail import StepDetail
from station_plugins.tunnel_test.ui_step_table import StepTable
from station_plugins.tunnel_test.ui_tasks import TaskSlot
from station_plugins.tunnel_test.ui_tunnel_parts import LivePlot, PromptBox, StateBanner
from station_plugins.tunnel_test.ui_words import measurement_name
from widgets.flow_layout import FlowLayout

FLUSH_MS = 40   # live events are applied in batches: one repaint per batch, not per event

MODES = (("released", "Released sequence", "run_released"),
         ("draft", "Draft sequence (engineering)", "run_draft"),
         ("single_step", "Single step (engineering)", "run_single_step"))


def may(ctx: Any, action: str) -> bool:
    """Whether the session user may do ``action`` of this station."""
    try:
        ctx.require(action)
        return True
    except PharosError:
        return False


class TunnelPanel(QWidget):
    sig_run_message = Signal(str, object)

    def __init__(self, station: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_panel")
        self.station, self.ctx = station, station.ctx
        self.proc: Any = None
        self.spec: Any = None
        self.sequence: Any = None
        self.last_run: dict = {}
        self._t0 = 0.0
        self._done_steps = 0
        self._current_step = ""
        self._focus_step = ""          # the last step that did not pass (the detail pane)
        self._live_name = ("", "")     # (measurement name, file) on the live plot
        self._open_prompt: dict | None = None
        self._journalled = False
        self._pending_events: list[dict] = []
        self.demo_defects: list[str] = []
        self.language = current_language()
        tasks = self.ctx.tasks
        self.lists_task = TaskSlot(tasks, self)       # recent units, interrupted, versions
        self.start_task = TaskSlot(tasks, self)       # MES route check, run spec, resume
        self.record_task = TaskSlot(tasks, self)      # record commit, abort-and-record
        self.attachment_task = TaskSlot(tasks, self)  # the live image / waveform file
        for slot in (self.start_task, self.record_task):
            station.register_panel_tasks(slot)        # the station waits for them to end
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush_events)
        self._build()
        self.sig_run_message.connect(self._on_message, Qt.ConnectionType.QueuedConnection)
        self._refresh_lists()

    # --- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        top = FlowLayout()          # wraps at 1366 px / in Chinese instead of widening
        self.serial = QLineEdit()
        self.serial.setObjectName("tunnel_serial")
        f = self.serial.font()
        f.setPixelSize(22)
        self.serial.setFont(f)
        self.serial.returnPressed.connect(self.start_run)
        self.mode = QComboBox()
        self.mode.setObjectName("tunnel_mode")
        for key, _text, action in MODES:
            if self._allowed(action):
                self.mode.addItem(key, key)
        self.step_key = QLineEdit()
        self.step_key.setObjectName("tunnel_single_step_key")
        self.step_key.setVisible(self.mode.count() > 1)
        self.socket = QComboBox()
        self.socket.setObjectName("tunnel_socket")
        self.socket.addItems(["A", "B"])
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
            lambda text, bad: self._show_error(PharosError(text)) if bad else self._info(text))
        self.integrity.sig_decided.connect(lambda _d: self._refresh_lists())
        self.start_btn = QPushButton()
        self.start_btn.setObjectName("tunnel_start")
        self.start_btn.clicked.connect(self.start_run)
        self.abort_btn = QPushButton()
        self.abort_btn.setObjectName("tunnel_abort")
        self.abort_btn.setEnabled(False)
        self.abort_btn.clicked.connect(self.abort_run)
        self.serial_label, self.socket_label = QLabel(), QLabel()

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
        self.message.setWordWrap(True)
        self.interrupted = InterruptedRunBar(station=station, user=self.ctx.user,
                                             allowed=partial(may, self.ctx),
                                             tasks=self.ctx.tasks)
        self.interrupted.sig_resume_ready.connect(lambda r: self._start_prepared(r, None))
        self.interrupted.sig_recorded.connect(lambda r: self._finished(r, None))
        self.interrupted.sig_error.connect(self._show_error)
        self.items = StepTable()
        self.detail = StepDetail()
        self.items.sig_step_selected.connect(lambda _key: self._show_detail())
        self.plot = LivePlot()
        self.prompt = PromptBox()
        self.prompt.sig_answered.connect(self._answer)
        self.recent = RecentUnits()
        self.recent.currentItemChanged.connect(lambda *_: self._integrity_target())
        self.mes_state = OutboxStatus()
        self.release_btn = QPushButton()
        self.release_btn.setObjectName("tunnel_release")
        self.release_btn.setEnabled(False)
        self.release_btn.clicked.connect(self.release_run)
        right = QWidget()
        rl = QVBoxLayout(right)
        self.live_label, self.recent_label = QLabel(), QLabel()
        self.plot.setMinimumHeight(120)
        rl.addWidget(self.live_label)
        rl.addWidget(self.plot, 2)
        rl.addWidget(self.prompt)
        rl.addWidget(self.recent_label)
        rl.addWidget(self.recent, 2)
        rl.addWidget(self.mes_state)
        # Release sits in the top bar with Start and Abort: always on screen
        self.serial.setMinimumWidth(240)
        for w in (self.serial_label, self.serial, self.sequence_chooser, self.mode,
                  self.step_key, self.socket_label, self.socket, self.start_btn,
                  self.abort_btn, self.release_btn, self.integrity):
            top.addWidget(w, stretch=w is self.serial)
        left = QSplitter(Qt.Orientation.Vertical)    # the steps over the selected one, whole
        left.setObjectName("tunnel_steps_split")
        left.setChildrenCollapsible(False)
        left.addWidget(self.items)
        left.addWidget(self.detail)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 1)
        # the detail pane: title line + three measurements + the AI line, whole
        lines = self.fontMetrics().lineSpacing()
        left.setSizes([320, 5 * lines + 12])
        self.detail.setMinimumHeight(2 * lines + 12)
        split = QSplitter()
        split.setObjectName("tunnel_main_split")
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.banner)
        lay.addLayout(prog)
        lay.addWidget(self.interrupted)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.serial.setPlaceholderText(self.tr("Scan the serial (Enter starts)"))
        self.step_key.setPlaceholderText(self.tr("step key (single step)"))
        self.step_key.setMinimumWidth(   # the whole hint, not "step key (single st..."
            self.step_key.fontMetrics().horizontalAdvance(self.step_key.placeholderText()) + 24)
        mode_texts = {"released": self.tr("Released sequence"),
                      "draft": self.tr("Draft sequence (engineering)"),
                      "single_step": self.tr("Single step (engineering)")}
        for i in range(self.mode.count()):
            self.mode.setItemText(i, mode_texts[self.mode.itemData(i)])
        self.serial_label.setText(self.tr("Serial"))
        self.socket_label.setText(self.tr("Socket"))
        self.start_btn.setText(self.tr("Start"))
        self.abort_btn.setText(self.tr("Abort..."))
        self.release_btn.setText(self.tr("Release (e-signature)..."))
        self.live_label.setText(self.tr("Live signal"))
        self.recent_label.setText(self.tr("Recent units"))
        self.banner.retranslate_ui()
        self.prompt.retranslate_ui()
        self.plot.retranslate_ui()
        self._apply_language()
        self._show_live_title()
        self._show_detail()

    def _apply_language(self) -> None:
        """Step titles and the open prompt in the sequence's words for the UI language."""
        self.language = current_language()
        self.items.steps.retranslate(self.language)
        if self._current_step and self.sequence is not None:
            self._show_current(self._current_step)
        if self._open_prompt is not None and self.prompt.isVisible():
            self._ask(self._open_prompt)

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _allowed(self, action: str) -> bool:
        return may(self.ctx, action)

    def selected_sequence(self) -> str:
        return self.sequence_chooser.selected_path()

    def _show_error(self, exc: BaseException) -> None:
        self._show_error_text(error_text(exc))

    def _show_error_text(self, text: str) -> None:
        """A red message: a device error's codes with their meaning (``error_text``)."""
        self.message.setText(text)
        self.message.setStyleSheet("color:#c62828; font-weight:bold;")

    def _info(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    # --- starting --------------------------------------------------------------------------
    def start_run(self) -> None:
        if self.proc is not None and self.proc.running:   # not while a run is going
            return
        serial = self.serial.text().strip()
        mode = self.mode.currentData() or "released"
        action = {m: a for m, _, a in MODES}[mode]
        try:
            self.ctx.require(action)
        except PharosError as exc:
            self._show_error(exc)
            return
        station, user, path = self.station, self.ctx.user, self.selected_sequence()
        socket, single_step = self.socket.currentText(), self.step_key.text().strip()
        defects = list(self.demo_defects)                       # demo: injected faults
        self.start_btn.setEnabled(False)
        self._info(self.tr("Checking route of %1 in the MES...").replace("%1", serial))

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
        steps = [(s.key, s.title, s.title_zh, s.measurements)
                 for s in self.sequence.main_steps()
                 if not spec.single_step or s.key == spec.single_step]
        self.items.steps.load(steps)
        self._current_step, self._focus_step, self._open_prompt = "", "", None
        self._show_detail()
        self.progress.setRange(0, len(steps))
        self.progress.setValue(0)
        self._done_steps, self._t0, self._t_first = 0, time.monotonic(), None
        self._journalled = False       # the runner journalled run_start (a record is due)
        self.banner.set_state("RUNNING", spec.serial)
        self._info(self.tr("Run %1 - %2").replace("%1", spec.run_id).replace("%2", spec.serial))
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
            self._pending_events.append(body)
            if not self._flush_timer.isActive():
                self._flush_timer.start()
            return
        self._flush_events()
        if kind == "done":
            self._run_over(body)
        elif kind == "failed":
            self._show_error_text(failure_text(body))
            if self._journalled:
                self._run_over({"run_id": self.spec.run_id, "verdict": "ERROR", "failed": True})
            else:           # it never started (no link to the unit): no record, the cause stays
                self.banner.set_state("ERROR", self.spec.serial)
                self._reset_buttons()
                self._refresh_lists()
        elif kind == "lost":
            self.banner.set_state("INTERRUPTED")
            acts = ", ".join(f"{a['action']} {'ok' if a.get('ok') else 'FAILED'}"
                             for a in (body.get("safe_state") or {}).get("actions", []))
            self._show_error(PharosError(self.tr("The runner process stopped unexpectedly; the "
                                                 "run is kept in the journal. Resume or abort "
                                                 "it.") + (f" [safe_state: {acts}]" if acts
                                                           else "")))
            self._reset_buttons()
            self._refresh_lists()

    def _flush_events(self) -> None:
        """Apply the events that arrived since the last flush; progress / ETA / scroll once."""
        self._flush_timer.stop()
        events, self._pending_events = self._pending_events, []
        if not events:
            return
        last_verdict = None
        for ev in events:
            self._on_event(ev)
            if ev["kind"] == "step_end" and ev.get("phase") == "main":
                last_verdict = ev["step"]
        self._show_detail()
        if last_verdict is not None:
            self.items.scroll_to(last_verdict)
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
        if getattr(self, "_t_first", None) is None:
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

    def _show_current(self, key: str) -> None:
        try:
            title = self.sequence.step(key).title_for(self.language)
        except (KeyError, AttributeError):
            title = key
        self.current.setText(f"{key}: {title}")

    def _ask(self, ev: dict) -> None:
        self._live_visible(False)        # the question gets the room of the live plot
        zh = self.language.startswith("zh")
        self.prompt.ask(ev.get("text_zh") or ev["text"] if zh else ev["text"], ev["choices"],
                        ev.get("choices_zh") if zh else None)

    def _on_event(self, ev: dict) -> None:
        k, table = ev["kind"], self.items.steps
        if k in ("run_start", "resume"):
            self._journalled = True
        elif k == "step_start" and ev.get("phase") == "main":
            self._current_step = ev["step"]
            self._show_current(ev["step"])
            table.clear_values(ev["step"])
        elif k == "measurement":
            table.set_measurement(ev["step"], ev)
            att = ev.get("attachment")
            if att and self.spec is not None:
                self._live_name = (str(ev.get("name", "")), att["file"])
                self._show_attachment(Path(self.spec.data_dir) / "attachments" /
                                      self.spec.run_id / att["file"])
        elif k == "ai_verdict":
            table.set_ai(ev["step"], ev)
        elif k == "step_end" and ev.get("phase") == "main":
            table.set_verdict(ev["step"], ev["verdict"], ev.get("reason", ""))
            if ev["verdict"] != "PASS":
                self._focus_step = ev["step"]
            self._done_steps += 1
        elif k == "prompt":
            self._open_prompt = ev
            self._ask(ev)
        elif k == "run_end":
            state = {"completed": ev["disposition"], "aborted": "ABORTED"}.get(ev["status"],
                                                                              "ERROR")
            self.banner.set_state(state if state in ("PASS", "WARN", "FAIL", "ERROR",
                                                     "ABORTED") else "ERROR",
                                  self.spec.serial if self.spec else "")
            if ev.get("reason"):
                self._info(reason_text(str(ev["reason"])))   # the record keeps the English

    def _show_attachment(self, path: Path) -> None:
        """Read the file off the GUI thread (the newest wins), then show it."""
        def load() -> tuple:
            import numpy as np

            return np.load(path, allow_pickle=False), path.stem
        self.attachment_task.run(load, self._attachment_loaded)

    def _attachment_loaded(self, result: Any, error: Any) -> None:
        if error is None:
            self.plot.show_array(result[0], title=result[1])
            self._show_live_title()

    def _show_live_title(self) -> None:
        """The live signal's title in words ("motor current (peak)"), the step's title
        beside it in the current-step line; the file's name in the tooltip."""
        name, file = self._live_name
        if name:
            self.plot.set_title(measurement_name(name), tip=file)

    def _show_detail(self) -> None:
        """The detail pane: the selected step, else the last one that did not pass, else
        the one running now."""
        table = self.items.steps
        key = self.items.selected_key() or self._focus_step or self._current_step
        i = table.row_of(key) if key else None
        row = table.rows[i] if i is not None else None
        self.detail.show_step(row, table.title(row) if row is not None else "")

    def _live_visible(self, on: bool) -> None:
        self.plot.setVisible(on)
        self.live_label.setVisible(on)

    def _answer(self, choice: str) -> None:
        self._open_prompt = None
        self._live_visible(True)
        if self.proc is not None:
            self.proc.answer(choice, self.ctx.user.username)

    def abort_run(self) -> None:
        if self.proc is None or not self.proc.running:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Abort run"),
                                          self.tr("Reason for the abort:"))
        if ok and reason.strip():
            self.proc.abort(reason.strip(), self.ctx.user.username)
            self.prompt.hide()
            self._live_visible(True)

    def _run_over(self, outcome: dict) -> None:
        self._reset_buttons()
        run_id, user = outcome["run_id"], self.ctx.user.username
        self.record_task.run(lambda: self.station.console.finish(run_id, user), self._finished)

    def _finished(self, result: Any, error: Any) -> None:
        if error is not None:
            self._show_error(error)
        else:
            row, decision = result
            self.last_run = {"row": row, "decision": decision}
            if row.payload["journal"]["problems"]:
                self.integrity.set_run(row.payload["run_id"])
            self.release_btn.setEnabled(decision["mode"] == "esign" and self._allowed("release"))
            self._info(self.tr("Record %1 committed; release: %2 (%3)").replace(
                "%1", row.id).replace("%2", release_mode_text(decision["mode"])).replace(
                "%3", release_reason_text(decision["reason"])))
        self.serial.clear()
        self.serial.setFocus()
        self._refresh_lists()

    def _reset_buttons(self) -> None:
        self.abort_btn.setEnabled(False)
        self.start_btn.setEnabled(True)
        self._open_prompt = None
        self.prompt.hide()
        self._live_visible(True)

    # --- demo mode: faults of the simulated C-arm for the next run --------------------------
    def demo_faults(self) -> list[tuple[str, str]]:
        if not bool(getattr(self.ctx.config, "demo", False)):
            return []
        return [("kv_offset", self.tr("Generator kV 6 % high")),
                ("leaky_earth", self.tr("Leaky protective earth")),
                ("weak_brake", self.tr("Weak lift brake")),
                ("image_defect", self.tr("Image defect (AI check)")),
                ("expired_calibration", self.tr("kVp meter calibration expired")),
                ("clear", self.tr("No fault"))]

    def inject_demo_fault(self, code: str) -> None:
        self.demo_defects = [] if code == "clear" else [code]
        names = dict(self.demo_faults())
        self._info(self.tr("Demo: the next run simulates: %1").replace("%1", names.get(code, code)))

    # --- release, recent units, interrupted runs ---------------------------------------------
    def release_run(self) -> None:
        row = self.last_run.get("row")
        if row is None:
            return
        from widgets.esign_dialog import SignatureDialog

        console, run_id = self.station.console, row.payload["run_id"]
        sig = SignatureDialog.ask(
            self, lambda u, p, meaning, comment: console.release(run_id, username=u, password=p,
                                                                comment=comment),
            title=self.tr("Release unit %1").replace("%1", row.payload["unit"]["serial"]),
            summary=self.tr("Tunnel test %1, record %2").replace(
                "%1", row.payload["disposition"]).replace("%2", row.id),
            content_sha256=row.payload_sha256, session_user=self.ctx.user,
            # the meaning shown is the meaning recorded (Part 11 11.50): release records
            # "released", so it is the only meaning offered
            meanings=("released",), default_meaning="released")
        if sig is not None:
            self.release_btn.setEnabled(False)
            self._info(self.tr("Released by e-signature; MES release queued for %1.").replace(
                "%1", run_id))

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
        if not run_id and self.last_run.get("row") is not None:
            run_id = self.last_run["row"].payload["run_id"]
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
