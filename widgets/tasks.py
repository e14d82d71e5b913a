"""Qt bridge for background work: results come back to the GUI thread as queued signals.

    runner = TaskController(ctx.tasks, parent=self)
    runner.sig_progress.connect(bar.set_progress)
    runner.sig_finished.connect(self._show_result)
    runner.sig_failed.connect(self._show_error)
    runner.start(workflow.run, inputs)        # fn(inputs, token=..., progress=...)
    runner.cancel()
    runner.close()                            # the panel shuts down: nothing more arrives

Single-flight: ``start`` cancels the previous run of this controller. Results of a
cancelled or superseded run are dropped, never shown.

Thread safety (a panel deleted while its work still runs - log-out, a closed station, a
test's teardown - must never see a worker thread touch its deleted objects): a worker
never emits on, calls or even references the controller. It posts through its run's
:class:`_Link` (plain Python, a lock and an "open" flag) onto the one process-wide
:class:`_Relay`, a QObject created in the GUI thread and kept for the whole process.
The relay's queued slots run in the GUI thread and hand the result to the controller
only if it is still registered and alive there; deletion happens in the GUI thread too,
so that check cannot race. ``close`` (and the controller's deletion) shuts the link under
its lock: a worker that finishes afterwards posts nothing.
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import threading
import time
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from shiboken6 import isValid

from app.core.errors import Cancelled
from app.runtime.task_runner import TaskHandle, TaskRunner

_ids = itertools.count(1)
log = logging.getLogger(__name__)

# controller id -> weak reference; read and written in the GUI thread only
_controllers: "dict[int, weakref.ref[TaskController]]" = {}
_relay: "_Relay | None" = None
_relay_lock = threading.Lock()       # guards posting through the relay vs its teardown


class _Relay(QObject):
    """The one emitter every worker posts through (GUI thread, process lifetime)."""

    progress = Signal(int, int, float, str)     # controller id, run, fraction, message
    done = Signal(int, int, object)             # controller id, run, the future

    def __init__(self) -> None:
        super().__init__()
        self.open = True
        self.progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self.done.connect(self._deliver_done, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(_relay_gone)     # only at the Qt application's teardown

    @Slot(int, int, float, str)
    def _deliver_progress(self, cid: int, gen: int, f: float, msg: str) -> None:
        c = _live(cid)
        if c is not None:
            c.deliver_progress(gen, f, msg)

    @Slot(int, int, object)
    def _deliver_done(self, cid: int, gen: int, fut: "concurrent.futures.Future[Any]") -> None:
        c = _live(cid)
        if c is not None:
            c.deliver_done(gen, fut)


def _relay_gone(*_: Any) -> None:
    with _relay_lock:
        if _relay is not None:
            _relay.open = False


def _get_relay() -> _Relay:
    """Created on the first controller, in the GUI thread (controllers are GUI objects)."""
    global _relay
    if _relay is None:
        _relay = _Relay()
    return _relay


def _live(cid: int) -> "TaskController | None":
    ref = _controllers.get(cid)
    c = ref() if ref is not None else None
    if c is None or not isValid(c):     # GUI thread: no deletion can run concurrently
        _controllers.pop(cid, None)
        return None
    return c


def _unregister(cid: int, link_box: "list[_Link | None]") -> None:
    _controllers.pop(cid, None)
    if link_box and link_box[0] is not None:
        link_box[0].close()


class _Link:
    """One run's way back to the GUI thread, used by its worker thread: posts while open."""

    def __init__(self, cid: int, gen: int, relay: _Relay, interval: float) -> None:
        self.cid, self.gen, self.relay, self.interval = cid, gen, relay, interval
        self._lock = threading.Lock()
        self._open = True
        self._last = 0.0
        self._pending: tuple[float, str] | None = None

    def close(self) -> None:
        with self._lock:
            self._open = False
            self._pending = None

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open

    def _post(self, signal: str, *args: Any) -> None:
        # called with self._lock held; emitting a queued signal only posts an event
        with _relay_lock:
            if not self.relay.open:
                return
            try:
                getattr(self.relay, signal).emit(self.cid, self.gen, *args)
            except RuntimeError:     # the Qt application is being torn down
                self.relay.open = False

    def progress(self, f: float, msg: str) -> None:
        # at most ~20 updates per second reach the GUI thread; the final value (f >= 1)
        # always does, so a chatty inner loop cannot flood the event loop
        now = time.monotonic()
        with self._lock:
            if not self._open:
                return
            if f < 1.0 and now - self._last < self.interval:
                self._pending = (f, msg)
                return
            self._last = now
            self._pending = None
            self._post("progress", f, msg)

    def done(self, fut: "concurrent.futures.Future[Any]") -> None:
        with self._lock:
            if not self._open:
                return
            if self._pending is not None:
                self._post("progress", *self._pending)
                self._pending = None
            self._post("done", fut)
            self._open = False          # a run finishes once


class TaskController(QObject):
    sig_started = Signal()
    sig_progress = Signal(float, str)
    sig_finished = Signal(object)
    sig_failed = Signal(object)      # the exception (PharosError or other)
    sig_cancelled = Signal()
    PROGRESS_INTERVAL_S = 0.05

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._id = next(_ids)
        self._key = f"task-controller-{self._id}"
        self._current: tuple[int, TaskHandle] | None = None
        self._gen = 0
        self._closed = False
        self._relay = _get_relay()
        self._link_box: list[_Link | None] = [None]      # the current run's link
        _controllers[self._id] = weakref.ref(self)
        cid, box = self._id, self._link_box             # not self: the hook outlives it
        self.destroyed.connect(lambda *_: _unregister(cid, box))

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current[1].done

    @property
    def handle(self) -> TaskHandle | None:
        """The current run's handle (None when idle or closed)."""
        return self._current[1] if self._current is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskHandle | None:
        """Run ``fn`` in the pool. After the workstation shut its pool down (a timer
        firing during close) or this controller was closed, nothing starts and None is
        returned."""
        if self._runner.closed or self._closed:
            log.debug("task runner is shut down: %s not started", getattr(fn, "__name__", fn))
            return None
        self.cancel(silent=True)
        self._gen += 1
        link = _Link(self._id, self._gen, self._relay, self.PROGRESS_INTERVAL_S)
        self._link_box[0] = link
        handle = self._runner.submit(fn, *args, key=self._key, on_progress=link.progress,
                                     on_done=link.done, **kwargs)
        self._current = (self._gen, handle)
        self.sig_started.emit()
        return handle

    def cancel(self, silent: bool = False) -> None:
        if self._current is not None and not self._current[1].done:
            self._current[1].cancel()
            if not silent:
                self.sig_cancelled.emit()
        if silent:
            self._gen += 1  # results of the superseded run are dropped
            self._drop_link()

    def close(self, wait: float = 0.0) -> bool:
        """The owner shuts down: the running task is cancelled, nothing of it (progress,
        result, error) is delivered any more, and no new task starts. ``wait`` > 0: wait
        at most that many seconds for the task's function to return. True: no task of
        this controller is still running."""
        self._closed = True
        handle = self._current[1] if self._current is not None else None
        self.cancel(silent=True)
        self._current = None
        if handle is None:
            return True
        if wait > 0 and not handle.done:
            concurrent.futures.wait([handle.future], timeout=wait)
        return handle.done

    def _drop_link(self) -> None:
        link, self._link_box[0] = self._link_box[0], None
        if link is not None:
            link.close()

    def deliver_progress(self, gen: int, f: float, msg: str) -> None:
        """GUI thread (the relay): a progress report of run ``gen``."""
        if gen == self._gen and not self._closed:
            self.sig_progress.emit(f, msg)

    def deliver_done(self, gen: int, fut: "concurrent.futures.Future[Any]") -> None:
        """GUI thread (the relay): run ``gen`` ended; stale or closed runs are dropped."""
        if gen != self._gen or self._closed:
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
