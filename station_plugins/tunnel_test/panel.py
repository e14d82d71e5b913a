"""TunnelPanel: the operator console of the test tunnel (Qt view only).

Scan the serial (a barcode scanner types it + Enter), watch the big state banner, the
live item list (value vs limits, AI verdicts), the live waveform / image; answer
prompts; abort with a reason; see recent units; resume or abort-and-record interrupted
runs. Runs execute in a runner process; events arrive here only after the journal has
committed them.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QListWidget, QMessageBox, QProgressBar, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError
from widgets.flow_layout import FlowLayout
from station_plugins.tunnel_test.ui_tunnel_parts import (BackgroundWorker, ItemTable, LivePlot,
                                                        PromptBox, StateBanner)

from station_plugins.tunnel_test.ui_panel_sequences import SequencesAndOutboxMixin

FLUSH_MS = 40   # live events are applied in batches: one repaint per batch, not per event

MODES = (("released", "Released sequence", "run_released"),
         ("draft", "Draft sequence (engineering)", "run_draft"),
         ("single_step", "Single step (engineering)", "run_single_step"))


class TunnelPanel(SequencesAndOutboxMixin, QWidget):
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
        self._unfinished: list[dict] = []
        self._pending_events: list[dict] = []
        self._worker = BackgroundWorker(self)
        station.register_panel_worker(self._worker)
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
        self.sequence_combo = QComboBox()
        self.sequence_combo.setObjectName("tunnel_sequence")
        self.sequence_combo.setMinimumWidth(220)
        self.sequence_combo.addItem(self.station.sequence_path().name,
                                    str(self.station.sequence_path()))
        self.edit_btn = QPushButton()
        self.edit_btn.setObjectName("tunnel_edit_sequences")
        self.edit_btn.setVisible(self._allowed("edit_sequence"))
        self.edit_btn.clicked.connect(self.edit_sequences)
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
        self.interrupted = QLabel("")
        self.interrupted.setObjectName("tunnel_interrupted")
        self.resume_btn = QPushButton()
        self.resume_btn.setObjectName("tunnel_resume")
        self.resume_btn.clicked.connect(self.resume_interrupted)
        self.abort_rec_btn = QPushButton()
        self.abort_rec_btn.setObjectName("tunnel_abort_record")
        self.abort_rec_btn.clicked.connect(self.abort_interrupted)
        for w in (self.interrupted, self.resume_btn, self.abort_rec_btn):
            w.setVisible(False)               # shown when the journal holds an interrupted run
        inter = QHBoxLayout()
        for w in (self.interrupted, self.resume_btn, self.abort_rec_btn):
            inter.addWidget(w)
        self.items = ItemTable()
        self.plot = LivePlot()
        self.prompt = PromptBox()
        self.prompt.sig_answered.connect(self._answer)
        self.recent = QListWidget()
        self.recent.setObjectName("tunnel_recent_units")
        self.mes_state = QLabel("")
        self.mes_state.setObjectName("tunnel_mes_outbox")
        self.release_btn = QPushButton()
        self.release_btn.setObjectName("tunnel_release")
        self.release_btn.setEnabled(False)
        self.release_btn.clicked.connect(self.release_run)
        right = QWidget()
        rl = QVBoxLayout(right)
        self.live_label, self.recent_label = QLabel(), QLabel()
        self.plot.setMinimumHeight(120)
        self.recent.setMinimumHeight(60)
        rl.addWidget(self.live_label)
        rl.addWidget(self.plot, 2)
        rl.addWidget(self.prompt)
        rl.addWidget(self.recent_label)
        rl.addWidget(self.recent, 2)
        rl.addWidget(self.mes_state)
        # Release sits in the top bar with Start and Abort: always on screen
        self.serial.setMinimumWidth(240)
        for w in (self.serial_label, self.serial, self.sequence_combo, self.mode, self.step_key,
                  self.socket_label, self.socket, self.start_btn, self.abort_btn,
                  self.release_btn, self.edit_btn):
            top.addWidget(w, stretch=w is self.serial)
        split = QSplitter()
        split.addWidget(self.items)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.banner)
        lay.addLayout(prog)
        lay.addLayout(inter)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.serial.setPlaceholderText(self.tr("Scan the serial (Enter starts)"))
        self.step_key.setPlaceholderText(self.tr("step key (single step)"))
        mode_texts = {"released": self.tr("Released sequence"),
                      "draft": self.tr("Draft sequence (engineering)"),
                      "single_step": self.tr("Single step (engineering)")}
        for i in range(self.mode.count()):
            self.mode.setItemText(i, mode_texts[self.mode.itemData(i)])
        self.serial_label.setText(self.tr("Serial"))
        self.socket_label.setText(self.tr("Socket"))
        self.start_btn.setText(self.tr("Start"))
        self.abort_btn.setText(self.tr("Abort..."))
        self.edit_btn.setText(self.tr("Edit sequences..."))
        self.resume_btn.setText(self.tr("Resume..."))
        self.abort_rec_btn.setText(self.tr("Abort and record..."))
        self.release_btn.setText(self.tr("Release (e-signature)..."))
        self.live_label.setText(self.tr("Live signal"))
        self.recent_label.setText(self.tr("Recent units"))
        self.sequence_combo.setToolTip(self.tr("Sequence version (operators: released only)"))
        self.banner.retranslate_ui()
        self.items.retranslate_ui()
        self.prompt.retranslate_ui()
        self.plot.retranslate_ui()

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _allowed(self, action: str) -> bool:
        try:
            self.ctx.require(action)
            return True
        except PharosError:
            return False

    # --- background helper (no I/O on the GUI thread) ------------------------------------
    def _bg(self, fn: Callable[[], Any], done: Callable[[Any, Any], None]) -> None:
        self._worker.submit(fn, done)

    def _show_error(self, exc: BaseException) -> None:
        text = exc.operator_text() if isinstance(exc, PharosError) else f"{type(exc).__name__}: {exc}"
        self.message.setText(text)
        self.message.setStyleSheet("color:#c62828; font-weight:bold;")

    def _info(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    # --- starting --------------------------------------------------------------------------
    def start_run(self) -> None:
        if self.proc is not None and self.proc.alive:
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
        defects = list(getattr(self, "demo_defects", []))      # demo: injected faults
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

        self._bg(prepare, self._start_prepared)

    def _start_prepared(self, result: Any, error: Any) -> None:
        self.start_btn.setEnabled(True)
        if error is not None:
            self._show_error(error)
            return
        self.sequence, self.spec = result
        self._launch(self.spec)

    def _launch(self, spec: Any) -> None:
        steps = [(s.key, s.title) for s in self.sequence.main_steps()
                 if not spec.single_step or s.key == spec.single_step]
        self.items.load(steps)
        self.progress.setRange(0, len(steps))
        self.progress.setValue(0)
        self._done_steps, self._t0, self._t_first = 0, time.monotonic(), None
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
        if kind == "outbox":
            self._show_outbox(body)
            return
        self._flush_events()
        if kind == "done":
            self._run_over(body)
        elif kind == "failed":
            self._show_error(PharosError(body.get("error", "run failed")))
            self._run_over({"run_id": self.spec.run_id, "verdict": "ERROR", "failed": True})
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

    def _on_event(self, ev: dict) -> None:
        k = ev["kind"]
        if k == "step_start" and ev.get("phase") == "main":
            self.current.setText(f"{ev['step']}: {ev.get('title', '')}")
            self.items.clear_values(ev["step"])
        elif k == "measurement":
            self.items.set_measurement(ev["step"], ev)
            att = ev.get("attachment")
            if att and self.spec is not None:
                self._show_attachment(Path(self.spec.data_dir) / "attachments" /
                                      self.spec.run_id / att["file"])
        elif k == "ai_verdict":
            self.items.set_ai(ev["step"], ev)
        elif k == "step_end" and ev.get("phase") == "main":
            self.items.set_verdict(ev["step"], ev["verdict"], ev.get("reason", ""),
                                   scroll=False)
            self._done_steps += 1
        elif k == "prompt":
            self.prompt.ask(ev["text"], ev["choices"])
        elif k == "run_end":
            state = {"completed": ev["disposition"], "aborted": "ABORTED"}.get(ev["status"],
                                                                              "ERROR")
            self.banner.set_state(state if state in ("PASS", "WARN", "FAIL", "ERROR",
                                                     "ABORTED") else "ERROR",
                                  self.spec.serial if self.spec else "")
            if ev.get("reason"):
                self._info(ev["reason"])

    def _show_attachment(self, path: Path) -> None:
        import numpy as np

        try:
            self.plot.show_array(np.load(path, allow_pickle=False), title=path.stem)
        except (OSError, ValueError):
            pass

    def _answer(self, choice: str) -> None:
        if self.proc is not None:
            self.proc.answer(choice, self.ctx.user.username)

    def abort_run(self) -> None:
        if self.proc is None or not self.proc.alive:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Abort run"),
                                          self.tr("Reason for the abort:"))
        if ok and reason.strip():
            self.proc.abort(reason.strip(), self.ctx.user.username)
            self.prompt.hide()

    def _run_over(self, outcome: dict) -> None:
        self._reset_buttons()
        run_id, user = outcome["run_id"], self.ctx.user.username
        self._bg(lambda: self.station.console.finish(run_id, user), self._finished)

    def _finished(self, result: Any, error: Any) -> None:
        if error is not None:
            self._show_error(error)
        else:
            row, decision = result
            self.last_run = {"row": row, "decision": decision}
            self.release_btn.setEnabled(decision["mode"] == "esign" and self._allowed("release"))
            self._info(self.tr("Record %1 committed; release: %2 (%3)").replace(
                "%1", row.id).replace("%2", decision["mode"]).replace("%3", decision["reason"]))
        self.serial.clear()
        self.serial.setFocus()
        self._refresh_lists()

    def _reset_buttons(self) -> None:
        self.abort_btn.setEnabled(False)
        self.start_btn.setEnabled(True)
        self.prompt.hide()

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

        default_sequence = str(station.sequence_path())

        def load() -> tuple:
            console = station.console
            console.start_resender(self._outbox_result)
            lists = (console.recent(20), console.unfinished(),
                     station.library.visible(engineer), console.pump())
            # parse the default sequence once here: its first load imports the step
            # modules, and doing that while a run starts held the GUI thread up to 0.25 s
            # (import locks); a broken file is reported when the run is started
            try:
                from station_plugins.tunnel_test.sequence_loader import load_sequence

                load_sequence(default_sequence)
            except Exception:  # noqa: BLE001 - warm-up only, Start reports the problem
                pass
            return lists
        self._bg(load, self._lists_loaded)

    def _lists_loaded(self, result: Any, error: Any) -> None:
        if error is not None:
            self._show_error(error)
            return
        recent, unfinished, sequences, outbox = result
        self._show_sequences(sequences)
        self._show_outbox(outbox)
        self.recent.clear()
        for r in recent:
            self.recent.addItem(f"{r['serial']}  {r['disposition'] or r['status']}  "
                                f"{r['started_utc'][:19]}")
        self._unfinished = unfinished
        has = bool(unfinished)
        self.interrupted.setText(self.tr("Interrupted run: %1 (%2) started %3").replace(
            "%1", unfinished[0]["serial"]).replace("%2", unfinished[0]["run_id"][:8]).replace(
            "%3", unfinished[0]["started_utc"][:19]) if has else "")
        for w in (self.interrupted, self.resume_btn, self.abort_rec_btn):
            w.setVisible(has)

    def resume_interrupted(self) -> None:
        if not self._unfinished or not self._allowed("resume"):
            return
        reason, ok = QInputDialog.getText(self, self.tr("Resume run"),
                                          self.tr("Reason for resuming:"))
        if not (ok and reason.strip()):
            return
        run = self._unfinished[0]
        console, user = self.station.console, self.ctx.user

        def prepare() -> tuple:
            spec = console.resume_spec(run["run_id"], user=user, reason=reason.strip(),
                                       endpoint=self.station.endpoint())
            from station_plugins.tunnel_test.sequence_loader import load_sequence
            return load_sequence(spec.sequence_path), spec

        self._bg(prepare, self._start_prepared)

    def abort_interrupted(self) -> None:
        if not self._unfinished or not self._allowed("abort"):
            return
        reason, ok = QInputDialog.getText(self, self.tr("Abort interrupted run"),
                                          self.tr("Reason:"))
        if not (ok and reason.strip()):
            return
        run_id, user = self._unfinished[0]["run_id"], self.ctx.user
        self._bg(lambda: self.station.console.abort_and_record(run_id, user=user,
                                                               reason=reason.strip()),
                 self._finished)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.proc is not None and self.proc.alive:
            QMessageBox.warning(self, self.tr("Run active"),
                                self.tr("A test run is active; abort it first."))
            event.ignore()
            return
        super().closeEvent(event)
