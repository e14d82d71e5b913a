"""Garbage cycles made by a worker thread are collected on the GUI thread."""
from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

import pytest

from app.ui import gui_gc
from app.ui.gui_gc import GuiThreadCollector

pytestmark = pytest.mark.own_gc         # these tests set the collection policy themselves


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.qobject = QObject()        # a Qt wrapper caught in the cycle


def test_worker_garbage_dies_on_the_gui_thread(qtbot):
    owner = QObject()
    collector = GuiThreadCollector(owner, interval_ms=20)
    try:
        assert not gc.isenabled()
        died_in: list[str] = []

        kept: list = []

        def worker() -> None:
            for _ in range(50):
                c = _Cycle()
                weakref.finalize(c, lambda: died_in.append(threading.current_thread().name))
                del c
            # containers that stay alive: the interpreter's count passes its threshold
            kept.extend([] for _ in range(3 * gc.get_threshold()[0]))

        t = threading.Thread(target=worker, name="worker")
        t.start()
        t.join()
        assert died_in == []                      # nothing collected in the worker
        # what the collector's GUI-thread timer calls, called here on the GUI thread without
        # running the event loop (in a long test session, other windows' timers could
        # otherwise freeze these cycles into the permanent generation first)
        assert collector._timer.isActive() and collector._timer.interval() == 20
        assert collector.check() >= 0
        assert len(died_in) == 50
        assert set(died_in) == {threading.main_thread().name}
        assert sum(collector.collections) >= 1
    finally:
        collector.stop()
        owner.deleteLater()
    assert collector._token not in gui_gc._active
    # automatic collection is on again unless another window's collector still runs (in a
    # long test session earlier tests' windows may still be alive)
    assert gc.isenabled() or gui_gc._active


def test_collection_is_automatic_again_when_the_last_window_goes(qtbot):
    first, second = QObject(), QObject()
    GuiThreadCollector(first)
    GuiThreadCollector(second)
    assert not gc.isenabled()
    with qtbot.waitSignal(first.destroyed, timeout=2000):
        first.deleteLater()
    assert not gc.isenabled()              # the other window still collects on its thread
    second.deleteLater()
    qtbot.waitUntil(gc.isenabled, timeout=2000)
