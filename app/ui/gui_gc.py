"""Garbage collection on the GUI thread only, while the workstation window lives.

CPython runs its cyclic garbage collector in whichever thread happens to allocate when
a threshold is crossed. In the GUI process that is often a worker (an import in the
warm-up thread, a pool import, the lead-room link reader): a Qt object caught in a
garbage cycle is then destroyed in that thread. Qt answers "QBasicTimer::start: Timers
cannot be started from another thread" and, seen in the heartbeat benchmark, the
process crashed (SIGSEGV) during start-up.

:class:`GuiThreadCollector` turns automatic collection off and collects on a GUI-thread
timer with the interpreter's own thresholds (the generation that is due, as the
interpreter would), so every Qt wrapper dies on the thread that owns it. On ``stop`` (or
when its parent, the main window, is destroyed) automatic collection is on again.

    collector = GuiThreadCollector(parent=window)     # once, on the GUI thread
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


_active: set[int] = set()                   # collectors alive (tests build several windows)
_state = {"was_enabled": True}


def _release(token: int) -> None:
    """Automatic collection is on again when the last collector is gone (if it was on)."""
    if token in _active:
        _active.discard(token)
        if not _active and _state["was_enabled"]:
            gc.enable()


class GuiThreadCollector(QObject):
    # often, so each collection is small: worker threads allocate tens of thousands of
    # objects in 200 ms (a DICOM series, an analysis), and one collection of them all
    # held the GUI thread 10-25 ms (heartbeat benchmark); a check that finds nothing due
    # costs microseconds
    INTERVAL_MS = 20

    def __init__(self, parent: QObject | None = None, interval_ms: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gui_thread_collector")
        self.thresholds = gc.get_threshold()
        self.collections = [0, 0, 0]
        if not _active:
            _state["was_enabled"] = gc.isenabled()
        self._token = id(self)
        _active.add(self._token)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms or self.INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        token = self._token                    # the window is gone: automatic again
        self.destroyed.connect(lambda *_: _release(token))

    def check(self) -> int:
        """Collect the generation that is due (-1: none); on the GUI thread."""
        t0, t1, t2 = self.thresholds
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return -1
        gen = 2 if (c1 > t1 and c2 > t2) else 1 if c1 > t1 else 0
        gc.collect(gen)
        self.collections[gen] += 1
        return gen

    def stop(self) -> None:
        self._timer.stop()
        _release(self._token)
