"""The tunnel console's background jobs on the project's one mechanism (TaskController).

    lists = TaskSlot(ctx.tasks, parent=self)
    lists.run(lambda: console.recent(20), self._recent_loaded)   # done(result, error)

One slot per kind of job (lists, start, record, integrity, editor): ``run`` supersedes the
slot's previous job (its result is dropped), jobs of different slots run side by side
on the workstation's task pool. ``done(result, error)`` is called on the GUI thread.
``wait`` lets the station finish a job that writes (a record commit) before it closes
the console.
"""
from __future__ import annotations

import types
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject

from widgets.tasks import TaskController

Done = Callable[[Any, Any], None]


class TaskSlot(QObject):
    def __init__(self, tasks: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = TaskController(tasks, self)
        self._done: Callable[[], Done | None] | None = None
        self._handle: Any = None
        self.controller.sig_finished.connect(lambda result: self._deliver(result, None))
        self.controller.sig_failed.connect(lambda error: self._deliver(None, error))

    @property
    def running(self) -> bool:
        return self.controller.running

    def run(self, fn: Callable[[], Any], done: Done) -> bool:
        """Run ``fn()`` off the GUI thread; False when the workstation is shutting down.
        A bound method ``done`` is held weakly: a slot never keeps its widget alive (a
        widget in a reference cycle would be destroyed by the garbage collector on
        whatever thread runs it, which Qt forbids)."""
        if isinstance(done, types.MethodType):
            self._done = weakref.WeakMethod(done)
        else:
            self._done = lambda done=done: done

        self._handle = self.controller.start(lambda token, progress: fn())  # noqa: ARG005
        return self._handle is not None

    def _deliver(self, result: Any, error: Any) -> None:
        ref, self._done = self._done, None
        done = ref() if ref is not None else None
        if done is not None:
            done(result, error)

    def wait(self, timeout: float = 10.0) -> None:
        """Block until the current job ended (station shutdown; never on a GUI action)."""
        handle = self._handle
        if handle is None or handle.done:
            return
        try:
            handle.future.result(timeout)
        except Exception:  # noqa: BLE001 - its error is the panel's to show, not ours
            pass


def submitter(tasks: Any, parent: QObject) -> Callable[[Callable[[], Any], Done], None]:
    """``submit(fn, done)`` for dialogs whose jobs must not supersede each other (the
    sequence editor: a validation while its list loads): one slot per job."""
    owner = weakref.ref(parent)

    def submit(fn: Callable[[], Any], done: Done) -> None:
        slot = TaskSlot(tasks, owner())

        def finished(result: Any, error: Any) -> None:
            slot.deleteLater()
            done(result, error)
        slot.run(fn, finished)
    return submit
