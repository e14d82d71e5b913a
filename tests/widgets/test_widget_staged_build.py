"""StagedBuild / StagedWidget: a panel built one slice per event-loop turn is complete
after its last slice, and code that needs a later part gets it at once."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.staged_build import StagedWidget, show_part


class _Panel(StagedWidget, QWidget):
    sig_built = Signal()

    def __init__(self, log: list, bad: bool = False) -> None:
        super().__init__()
        self.log, self.bad = log, bad
        self.lay = QVBoxLayout(self)
        self.start_staged_build(self._build())

    def _build(self):  # noqa: ANN202
        self.first = QLabel("first", self)
        self.lay.addWidget(self.first)
        self.log.append("first")
        yield
        if self.bad:
            self.third.setText("x")          # a part of a later slice: a bug
        self.second = QLabel("second", self)
        self.lay.addWidget(self.second)
        show_part(self.second)
        self.log.append("second")
        yield
        self.third = QLabel("third", self)
        self.lay.addWidget(self.third)
        show_part(self.third)
        self.log.append("third")


def test_slices_run_one_per_turn_and_the_panel_is_complete_after_the_last(qtbot):
    log: list = []
    panel = _Panel(log)
    qtbot.addWidget(panel)
    built: list = []
    panel.sig_built.connect(lambda: built.append(1))
    panel.show()
    assert log == ["first"] and not panel.build_done      # only the frame at once
    qtbot.waitUntil(lambda: panel.build_done)
    assert log == ["first", "second", "third"] and built == [1]
    assert [panel.lay.itemAt(i).widget().text() for i in range(3)] == \
        ["first", "second", "third"]
    assert panel.second.isVisible() and panel.third.isVisible()


def test_a_part_not_built_yet_finishes_the_build_at_once(qtbot):
    log: list = []
    panel = _Panel(log)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.third.text() == "third"                   # no turn needed
    assert log == ["first", "second", "third"] and panel.build_done
    assert panel.third.isVisible()                         # shown, not a turn later
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        panel.missing                                      # noqa: B018
    for _ in range(5):                                     # the queued slice: nothing left
        QCoreApplication.processEvents()
    assert log == ["first", "second", "third"]


def test_a_slice_using_a_later_part_fails_clearly(qtbot):
    panel = _Panel([], bad=True)
    qtbot.addWidget(panel)
    with pytest.raises(AttributeError, match="third"):
        panel.finish_build()


def test_a_panel_deleted_during_its_build_stops_building(qtbot):
    import shiboken6

    log: list = []
    panel = _Panel(log)
    shiboken6.delete(panel)                                # log out, window closed
    for _ in range(10):
        QCoreApplication.processEvents()
    assert "third" not in log


def test_a_built_panel_is_freed_by_its_reference_count_not_the_collector():
    """No cycle panel <-> build once built: a collection in a worker thread would
    destroy the Qt objects there ("Timers cannot be started from another thread")."""
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        panel = _Panel([])
        panel.finish_build()
        ref = weakref.ref(panel)
        del panel
        assert ref() is None
    finally:
        gc.enable()


def test_a_panel_deleted_before_its_last_slice_is_freed_by_its_reference_count(qtbot):
    import gc
    import weakref

    import shiboken6

    gc.collect()
    gc.disable()
    try:
        panel = _Panel([])
        ref = weakref.ref(panel)
        shiboken6.delete(panel)              # log out while the panel is being built
        del panel
        assert ref() is None
    finally:
        gc.enable()


def test_two_panels_building_at_once_run_one_slice_per_pass(qtbot):
    """Every staged build shares the GUI thread's idle queue: one slice per pass of the
    event loop in all, first in first out (each with its own 0 ms timer, Qt ran a slice
    of every builder in the same pass)."""
    import time

    from widgets.staged_build import call_when_idle, idle_queue

    a_log: list = []
    b_log: list = []
    a, b = _Panel(a_log), _Panel(b_log)
    for p in (a, b):
        qtbot.addWidget(p)
    ran: list = []
    call_when_idle(a, lambda: ran.append("first"), first=True)
    steps = []
    end = time.monotonic() + 5
    while (not (a.build_done and b.build_done) or ran == []) and time.monotonic() < end:
        before = (len(a_log), len(b_log), len(ran))
        QCoreApplication.processEvents()              # one pass
        after = (len(a_log), len(b_log), len(ran))
        if after != before:
            steps.append(tuple(x - y for x, y in zip(after, before)))
    assert ran == ["first"] and a.build_done and b.build_done
    # the call asked first, then a's two slices, then b's: one thing per pass
    assert steps == [(0, 0, 1), (1, 0, 0), (1, 0, 0), (0, 1, 0), (0, 1, 0)]
    assert idle_queue().pending() == 0


def test_a_deleted_context_drops_its_call(qtbot):
    import shiboken6

    from widgets.staged_build import call_when_idle

    w = QWidget()
    ran: list = []
    call_when_idle(w, lambda: ran.append(1))
    shiboken6.delete(w)
    for _ in range(5):
        QCoreApplication.processEvents()
    assert ran == []
