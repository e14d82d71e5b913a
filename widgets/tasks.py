"""Qt bridge for background work: results come back to the GUI thread as queued signals.

    runner = TaskController(ctx.tasks, parent=self)
    runner.sig_progress.connect(bar.set_progress)
    runner.sig_finished.connect(self._show_result)
    runner.sig_failed.connect(self._show_error)
    runner.start(workflow.run, inputs)        # fn(inputs, token=..., progress=...)
    runner.cancel()

Single-flight: ``start`` cancels the previous run of this controller. Results of a
cancelled or superseded run are dropped, never shown.
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.core.errors import Cancelled
from app.runtime.task_runner import TaskHandle, TaskRunner

_ids = itertools.count(1)
log = logging.getLogger(__name__)


class TaskController(QObject):
    sig_started = Signal()
    sig_progress = Signal(float, str)
    sig_finished = Signal(object)
    sig_failed = Signal(object)      # the exception (PharosError or other)
    sig_cancelled = Signal()
    _sig_progress_raw = Signal(int, float, str)
    _sig_done_raw = Signal(int, object)
    PROGRESS_INTERVAL_S = 0.05

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._key = f"task-controller-{next(_ids)}"
        self._current: tuple[int, TaskHandle] | None = None
        self._gen = 0
        self._sig_progress_raw.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._sig_done_raw.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current[1].done

    def start(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskHandle | None:
        """Run ``fn`` in the pool. After the workstation shut its pool down (a timer
        firing during close), nothing starts and None is returned."""
        if self._runner.closed:
            log.debug("task runner is shut down: %s not started", getattr(fn, "__name__", fn))
            return None
        self.cancel(silent=True)
        self._gen += 1
        gen = self._gen

        last = [0.0]
        pending = [None]
        lock = threading.Lock()

        def on_progress(f: float, msg: str) -> None:
            # at most ~20 updates per second reach the GUI thread; the final value
            # (f >= 1) always does, so a chatty inner loop cannot flood the event loop
            now = time.monotonic()
            with lock:
                if f < 1.0 and now - last[0] < self.PROGRESS_INTERVAL_S:
                    pending[0] = (f, msg)
                    return
                last[0] = now
                pending[0] = None
            self._sig_progress_raw.emit(gen, f, msg)

        def on_done(fut: concurrent.futures.Future) -> None:
            with lock:
                tail = pending[0]
            if tail is not None:
                self._sig_progress_raw.emit(gen, *tail)
            self._sig_done_raw.emit(gen, fut)

        handle = self._runner.submit(fn, *args, key=self._key, on_progress=on_progress,
                                     on_done=on_done, **kwargs)
        self._current = (gen, handle)
        self.sig_started.emit()
        return handle

    def cancel(self, silent: bool = False) -> None:
        if self._current is not None and not self._current[1].done:
            self._current[1].cancel()
            if not silent:
                self.sig_cancelled.emit()
        if silent:
            self._gen += 1  # results of the superseded run are dropped

    @Slot(int, float, str)
    def _on_progress(self, gen: int, f: float, msg: str) -> None:
        if gen == self._gen:
            self.sig_progress.emit(f, msg)

    @Slot(int, object)
    def _on_done(self, gen: int, fut: concurrent.futures.Future) -> None:
        if gen != self._gen:
            return
        self._current = None
        if fut.cancelled():
            return
        exc = fut.exception()
        if isinstance(exc, Cancelled):
            return
        if exc is not None:
            self.sig_failed.emit(exc)
        else:
            self.sig_finished.emit(fut.result())
