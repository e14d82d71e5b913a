"""TaskProgressBar: progress + message + Cancel, wired to a widgets.tasks.TaskController.

    controller = TaskController(ctx.tasks, parent=self)
    bar = TaskProgressBar(self, object_name="ctqc_progress", controller=controller)
    controller.start(workflow.run, inputs)     # the bar shows itself, Cancel cancels

Signal: sig_cancel_requested() when the operator presses Cancel.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from widgets.tasks import TaskController


class TaskProgressBar(QWidget):
    sig_cancel_requested = Signal()
    PAINT_MS = 100          # the bar's value repainted at most this often

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "task_progress",
                 controller: TaskController | None = None, hide_when_idle: bool = True,
                 message_text: Callable[[str], str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        # the task's own (English) progress message -> the words shown (the user's language)
        self._message_text = message_text
        self._controller: TaskController | None = None
        self._hide_when_idle = hide_when_idle
        self.bar = QProgressBar(self)
        self.bar.setObjectName(f"{object_name}_bar")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(200)
        # progress from a worker arrives as queued signals, often several in one turn of
        # the event loop, and QProgressBar.setValue repaints at once (with every dirty
        # widget of the window): the value is shown at most every PAINT_MS instead
        self._pending: int | None = None
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(self.PAINT_MS)
        self._paint_timer.timeout.connect(self._paint_pending)
        self.message_label = QLabel(self)
        self.message_label.setObjectName(f"{object_name}_message")
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName(f"{object_name}_cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 2)
        layout.addWidget(self.message_label, 3)
        layout.addWidget(self.cancel_button)
        self.retranslate_ui()
        self.set_idle()
        if controller is not None:
            self.attach(controller)

    def attach(self, controller: TaskController) -> None:
        if self._controller is not None:
            self.detach()
        self._controller = controller
        controller.sig_started.connect(self.set_running)
        controller.sig_progress.connect(self.set_progress)
        controller.sig_finished.connect(self._on_finished)
        controller.sig_failed.connect(self._on_failed)
        controller.sig_cancelled.connect(self._on_cancelled)

    def detach(self) -> None:
        c = self._controller
        if c is None:
            return
        for sig, slot in ((c.sig_started, self.set_running), (c.sig_progress, self.set_progress),
                          (c.sig_finished, self._on_finished), (c.sig_failed, self._on_failed),
                          (c.sig_cancelled, self._on_cancelled)):
            sig.disconnect(slot)
        self._controller = None

    def set_running(self) -> None:
        self._drop_pending()
        self.bar.setValue(0)
        self.message_label.setText(self.tr("Working…"))
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def set_progress(self, fraction: float, message: str = "") -> None:
        self._pending = int(round(max(0.0, min(1.0, fraction)) * 1000))
        if not self._paint_timer.isActive():
            self._paint_timer.start()
        if message:
            self.message_label.setText(self._message_text(message) if self._message_text
                                       else message)

    def set_idle(self, message: str = "") -> None:
        self.cancel_button.setEnabled(False)
        self.message_label.setText(message)
        if self._hide_when_idle and not message:
            self.setVisible(False)

    def fraction(self) -> float:
        """The progress last set (shown within PAINT_MS)."""
        return (self.bar.value() if self._pending is None else self._pending) / 1000.0

    def _paint_pending(self) -> None:
        if self._pending is not None:
            value, self._pending = self._pending, None
            self.bar.setValue(value)

    def _drop_pending(self) -> None:
        self._pending = None
        self._paint_timer.stop()

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.message_label.setText(self.tr("Cancelling…"))
        self.sig_cancel_requested.emit()
        if self._controller is not None:
            self._controller.cancel()

    def _on_finished(self, _result: object) -> None:
        # hidden first: QProgressBar.setValue repaints at once (synchronously, with every
        # other dirty widget of the window: a freshly filled table held the GUI thread
        # ~20 ms in the task's result turn)
        self.set_idle()
        self._drop_pending()
        self.bar.setValue(1000)

    def _on_failed(self, exc: object) -> None:
        self.set_idle(self.tr("Stopped: %1").replace(
            "%1", getattr(exc, "message", None) or str(exc)))

    def _on_cancelled(self) -> None:
        self.set_idle(self.tr("Cancelled"))

    def retranslate_ui(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the running task after its current step"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
