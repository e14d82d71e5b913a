"""TunnelPanel: the operator console of the test tunnel (Qt view only).

Scan the serial (a barcode scanner types it + Enter), watch the big state banner, the
live item list (value vs limits, AI verdicts), the live waveform / image; answer
prompts; abort with a reason; see recent units; resume or abort-and-record interrupted
runs. Runs execute in a runner process; events arrive here only after the journal has
committed them.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QListWidget, QMessageBox, QProgressBar, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError
from station_plugins.tunnel_test.ui_tunnel_parts import ItemTable, LivePlot, PromptBox, StateBanner

MODES = (("released", "Released sequence", "run_released"),
         ("draft", "Draft sequence (engineering)", "run_draft"),
         ("single_step", "Single step (engineering)", "run_single_step"))


class TunnelPanel(QWidget):
    sig_run_message = Signal(str, object)
    _sig_bg_done = Signal(object, object, object)   # callback, result, error

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
        self._build()
        self.sig_run_message.connect(self._on_message, Qt.ConnectionType.QueuedConnection)
        self._sig_bg_done.connect(self._on_bg_done, Qt.ConnectionType.QueuedConnection)
        self._refresh_lists()

    # --- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.serial = QLineEdit()
        self.serial.setObjectName("tunnel_serial")
        self.serial.setPlaceholderText("Scan or type the unit serial, then Enter")
        f = self.serial.font()
        f.setPixelSize(22)
        self.serial.setFont(f)
        self.serial.returnPressed.connect(self.start_run)
        self.mode = QComboBox()
        self.mode.setObjectName("tunnel_mode")
        user = self.ctx.user
        for key, text, action in MODES:
            if self._allowed(action):
                self.mode.addItem(text, key)
        self.step_key = QLineEdit()
        self.step_key.setObjectName("tunnel_single_step_key")
        self.step_key.setPlaceholderText("step key (single step)")
        self.step_key.setVisible(self.mode.count() > 1)
        self.socket = QComboBox()
        self.socket.setObjectName("tunnel_socket")
        self.socket.addItems(["A", "B"])
        self.start_btn = QPushButton("Start")
        self.start_btn.setObjectName("tunnel_start")
        self.start_btn.clicked.connect(self.start_run)
        self.abort_btn = QPushButton("Abort...")
        self.abort_btn.setObjectName("tunnel_abort")
        self.abort_btn.setEnabled(False)
        self.abort_btn.clicked.connect(self.abort_run)
        for w in (QLabel("Serial"), self.serial, self.mode, self.step_key,
                  QLabel("Socket"), self.socket, self.start_btn, self.abort_btn):
            top.addWidget(w)
        top.setStretch(1, 3)
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
        self.resume_btn = QPushButton("Resume...")
        self.resume_btn.setObjectName("tunnel_resume")
        self.resume_btn.clicked.connect(self.resume_interrupted)
        self.abort_rec_btn = QPushButton("Abort and record...")
        self.abort_rec_btn.setObjectName("tunnel_abort_record")
        self.abort_rec_btn.clicked.connect(self.abort_interrupted)
        inter = QHBoxLayout()
        for w in (self.interrupted, self.resume_btn, self.abort_rec_btn):
            inter.addWidget(w)
        self.items = ItemTable()
        self.plot = LivePlot()
        self.prompt = PromptBox()
        self.prompt.sig_answered.connect(self._answer)
        self.recent = QListWidget()
        self.recent.setObjectName("tunnel_recent_units")
        self.release_btn = QPushButton("Release (e-signature)...")
        self.release_btn.setObjectName("tunnel_release")
        self.release_btn.setEnabled(False)
        self.release_btn.clicked.connect(self.release_run)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(QLabel("Live signal"))
        rl.addWidget(self.plot, 2)
        rl.addWidget(self.prompt)
        rl.addWidget(QLabel("Recent units"))
        rl.addWidget(self.recent, 2)
        rl.addWidget(self.release_btn)
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

    def _allowed(self, action: str) -> bool:
        try:
            self.ctx.require(action)
            return True
        except PharosError:
            return False

    # --- background helper (no I/O on the GUI thread) ------------------------------------
    def _bg(self, fn: Callable[[], Any], done: Callable[[Any, Any], None]) -> None:
        def work() -> None:
            try:
                self._sig_bg_done.emit(done, fn(), None)
            except Exception as exc:  # noqa: BLE001 - shown in the message line
                self._sig_bg_done.emit(done, None, exc)
        threading.Thread(target=work, daemon=True).start()

    def _on_bg_done(self, done: Callable, result: Any, error: Any) -> None:
        done(result, error)

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
        console, user = self.station.console, self.ctx.user
        self.start_btn.setEnabled(False)
        self._info(f"Checking route of {serial} in the MES...")

        def prepare() -> tuple:
            seq = console.check_mode(user, str(self.station.sequence_path()), mode)
            spec = console.make_spec(sequence_path=str(self.station.sequence_path()),
                                     serial=serial, user=user, mode=mode,
                                     socket=self.socket.currentText(),
                                     single_step=self.step_key.text().strip(),
                                     endpoint=self.station.endpoint())
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
        self._done_steps, self._t0 = 0, time.monotonic()
        self.banner.set_state("RUNNING", spec.serial)
        self._info(f"Run {spec.run_id} - {spec.serial}")
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
            self._on_event(body)
        elif kind == "done":
            self._run_over(body)
        elif kind == "failed":
            self._show_error(PharosError(body.get("error", "run failed")))
            self._run_over({"run_id": self.spec.run_id, "verdict": "ERROR", "failed": True})
        elif kind == "lost":
            self.banner.set_state("INTERRUPTED")
            self._show_error(PharosError("The runner process stopped unexpectedly; the run is "
                                         "kept in the journal. Resume or abort it."))
            self._reset_buttons()
            self._refresh_lists()

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
            self.items.set_verdict(ev["step"], ev["verdict"], ev.get("reason", ""))
            self._done_steps += 1
            self.progress.setValue(self._done_steps)
            left = self.progress.maximum() - self._done_steps
            per = (time.monotonic() - self._t0) / max(self._done_steps, 1)
            self.eta.setText(f"ETA {left * per:.0f} s")
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
            self.plot.show_array(np.load(path, allow_pickle=False))
        except (OSError, ValueError):
            pass

    def _answer(self, choice: str) -> None:
        if self.proc is not None:
            self.proc.answer(choice, self.ctx.user.username)

    def abort_run(self) -> None:
        if self.proc is None or not self.proc.alive:
            return
        reason, ok = QInputDialog.getText(self, "Abort run", "Reason for the abort:")
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
            self._info(f"Record {row.id} committed; release: {decision['mode']} "
                       f"({decision['reason']})")
        self.serial.clear()
        self.serial.setFocus()
        self._refresh_lists()

    def _reset_buttons(self) -> None:
        self.abort_btn.setEnabled(False)
        self.start_btn.setEnabled(True)
        self.prompt.hide()

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
            title=f"Release unit {row.payload['unit']['serial']}",
            summary=f"Tunnel test {row.payload['disposition']}, record {row.id}",
            content_sha256=row.payload_sha256, session_user=self.ctx.user)
        if sig is not None:
            self.release_btn.setEnabled(False)
            self._info(f"Released by e-signature; MES release queued for {run_id}.")

    def _refresh_lists(self) -> None:
        console = self.station.console
        self._bg(lambda: (console.recent(20), console.unfinished()), self._lists_loaded)

    def _lists_loaded(self, result: Any, error: Any) -> None:
        if error is not None:
            self._show_error(error)
            return
        recent, unfinished = result
        self.recent.clear()
        for r in recent:
            self.recent.addItem(f"{r['serial']}  {r['disposition'] or r['status']}  "
                                f"{r['started_utc'][:19]}")
        self._unfinished = unfinished
        has = bool(unfinished)
        self.interrupted.setText(
            f"Interrupted run: {unfinished[0]['serial']} ({unfinished[0]['run_id'][:8]}) "
            f"started {unfinished[0]['started_utc'][:19]}" if has else "")
        for w in (self.interrupted, self.resume_btn, self.abort_rec_btn):
            w.setVisible(has)

    def resume_interrupted(self) -> None:
        if not self._unfinished or not self._allowed("resume"):
            return
        reason, ok = QInputDialog.getText(self, "Resume run", "Reason for resuming:")
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
        reason, ok = QInputDialog.getText(self, "Abort interrupted run", "Reason:")
        if not (ok and reason.strip()):
            return
        run_id, user = self._unfinished[0]["run_id"], self.ctx.user
        self._bg(lambda: self.station.console.abort_and_record(run_id, user=user,
                                                               reason=reason.strip()),
                 self._finished)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.proc is not None and self.proc.alive:
            QMessageBox.warning(self, "Run active", "A test run is active; abort it first.")
            event.ignore()
            return
        super().closeEvent(event)
