"""Panel part: the view of the run being watched - the live events put on screen.

``LiveRun`` owns what the console shows of the run in progress: the step table's rows
(values, AI, verdicts), the current-step line, the detail pane's choice, the live
waveform / image (read off the GUI thread), the operator's prompt, the banner's end
state and the run's stop reason. Events arrive batched (``queue``; one repaint per
``FLUSH_MS``); after each batch ``sig_flushed(main steps ended, last of them)`` lets the
panel move its progress bar and ETA. It holds no run control (start, abort, record).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from app.ui.i18n import current_language
from station_plugins.tunnel_test.ui_reason_words import reason_text
from station_plugins.tunnel_test.ui_step_detail import StepDetail
from station_plugins.tunnel_test.ui_step_table import StepTable
from station_plugins.tunnel_test.ui_tasks import TaskSlot
from station_plugins.tunnel_test.ui_tunnel_parts import LivePlot, PromptBox, StateBanner
from station_plugins.tunnel_test.ui_words import measurement_name

FLUSH_MS = 40   # live events are applied in batches: one repaint per batch, not per event


class LiveRun(QObject):
    sig_flushed = Signal(int, str)     # main steps ended in the batch, the last one ("")
    sig_info = Signal(object)          # the run's stop reason in words: () -> str

    def __init__(self, *, items: StepTable, detail: StepDetail, current: QLabel,
                 plot: LivePlot, live_label: QLabel, prompt: PromptBox, banner: StateBanner,
                 tasks: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items, self.detail, self.current = items, detail, current
        self.plot, self.live_label, self.prompt, self.banner = plot, live_label, prompt, banner
        self.sequence: Any = None
        self.spec: Any = None
        self.language = current_language()
        self.current_step = ""
        self.focus_step = ""           # the last step that did not pass (the detail pane)
        self.live_name = ("", "")      # (measurement name, file) on the live plot
        self.open_prompt: dict | None = None
        self.journalled = False        # the runner journalled run_start / resume
        self._pending: list[dict] = []
        self.attachment_task = TaskSlot(tasks, self)   # the live image / waveform file
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def start(self, sequence: Any, spec: Any) -> int:
        """A new run: its main steps in the table; returns how many."""
        self.sequence, self.spec = sequence, spec
        steps = [(s.key, s.title, s.title_zh, s.measurements)
                 for s in sequence.main_steps()
                 if not spec.single_step or s.key == spec.single_step]
        self.items.steps.load(steps)
        self.current_step, self.focus_step, self.open_prompt = "", "", None
        self.journalled = False
        self.show_detail()
        return len(steps)

    # --- events ------------------------------------------------------------------------
    def queue(self, ev: dict) -> None:
        self._pending.append(ev)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Apply the events that arrived since the last flush; the detail pane once."""
        self._timer.stop()
        events, self._pending = self._pending, []
        if not events:
            return
        done, last = 0, ""
        for ev in events:
            self._apply(ev)
            if ev["kind"] == "step_end" and ev.get("phase") == "main":
                done, last = done + 1, ev["step"]
        self.show_detail()
        self.sig_flushed.emit(done, last)

    def _apply(self, ev: dict) -> None:
        k, table = ev["kind"], self.items.steps
        if k in ("run_start", "resume"):
            self.journalled = True
        elif k == "step_start" and ev.get("phase") == "main":
            self.current_step = ev["step"]
            self.show_current(ev["step"])
            table.clear_values(ev["step"])
        elif k == "measurement":
            table.set_measurement(ev["step"], ev)
            att = ev.get("attachment")
            if att and self.spec is not None:
                self.live_name = (str(ev.get("name", "")), att["file"])
                self._show_attachment(Path(self.spec.data_dir) / "attachments" /
                                      self.spec.run_id / att["file"])
        elif k == "ai_verdict":
            table.set_ai(ev["step"], ev)
        elif k == "step_end" and ev.get("phase") == "main":
            table.set_verdict(ev["step"], ev["verdict"], ev.get("reason", ""))
            if ev["verdict"] != "PASS":
                self.focus_step = ev["step"]
        elif k == "prompt":
            self.open_prompt = ev
            self.ask(ev)
        elif k == "run_end":
            state = {"completed": ev["disposition"], "aborted": "ABORTED"}.get(ev["status"],
                                                                              "ERROR")
            self.banner.set_state(state if state in ("PASS", "WARN", "FAIL", "ERROR",
                                                     "ABORTED") else "ERROR",
                                  self.spec.serial if self.spec else "")
            if ev.get("reason"):
                reason = str(ev["reason"])       # the record keeps English
                self.sig_info.emit(lambda: reason_text(reason))

    # --- what is shown -----------------------------------------------------------------
    def show_current(self, key: str) -> None:
        try:
            title = self.sequence.step(key).title_for(self.language)
        except (KeyError, AttributeError):
            title = key
        self.current.setText(f"{key}: {title}")

    def ask(self, ev: dict) -> None:
        self.live_visible(False)         # the question gets the room of the live plot
        zh = self.language.startswith("zh")
        self.prompt.ask(ev.get("text_zh") or ev["text"] if zh else ev["text"], ev["choices"],
                        ev.get("choices_zh") if zh else None)

    def answered(self) -> None:
        self.open_prompt = None
        self.live_visible(True)

    def hide_prompt(self, *, forget: bool) -> None:
        """The run ended (``forget``) or is being aborted: the live plot comes back."""
        if forget:
            self.open_prompt = None
        self.prompt.hide()
        self.live_visible(True)

    def live_visible(self, on: bool) -> None:
        self.plot.setVisible(on)
        self.live_label.setVisible(on)

    def _show_attachment(self, path: Path) -> None:
        """Read the file off the GUI thread (the newest wins), then show it."""
        def load() -> tuple:
            import numpy as np

            return np.load(path, allow_pickle=False), path.stem
        self.attachment_task.run(load, self._attachment_loaded)

    def _attachment_loaded(self, result: Any, error: Any) -> None:
        if error is None:
            self.plot.show_array(result[0], title=result[1])
            self.show_live_title()

    def show_live_title(self) -> None:
        """The live signal's title in words ("motor current (peak)"), the step's title
        beside it in the current-step line; the file's name in the tooltip."""
        name, file = self.live_name
        if name:
            self.plot.set_title(measurement_name(name), tip=file)

    def show_detail(self) -> None:
        """The detail pane: the selected step, else the last one that did not pass, else
        the one running now."""
        table = self.items.steps
        key = self.items.selected_key() or self.focus_step or self.current_step
        i = table.row_of(key) if key else None
        row = table.rows[i] if i is not None else None
        self.detail.show_step(row, table.title(row) if row is not None else "")

    def retranslate(self) -> None:
        """Step titles, the current step and the open prompt in the sequence's words for
        the UI language; the live title and the detail pane again."""
        self.language = current_language()
        self.items.steps.retranslate(self.language)
        if self.current_step and self.sequence is not None:
            self.show_current(self.current_step)
        if self.open_prompt is not None and self.prompt.isVisible():
            self.ask(self.open_prompt)
        self.show_live_title()
        self.show_detail()
