"""The task controller's way back to the GUI thread is safe when its owner is gone.

A panel can be deleted (log-out drops the pages, a station closes, a test tears down)
while its task still runs in the pool; the worker then finishes, reports progress or
fails *after* the controller's QObject was deleted. The worker must never touch the
deleted object: before, ``on_done`` emitted a signal on it from the worker thread (a
RuntimeError logged as "exception calling callback", or a segfault when the deletion and
the emit overlapped). Each race is made deterministic with events: the deletion happens
first, then the worker is released. The crash-prone cases run in a fresh process."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.runtime.task_runner import TaskRunner
from widgets.tasks import TaskController

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import concurrent.futures, os, sys, threading, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget
from app.core.errors import InputRejected
from app.runtime.task_runner import TaskRunner
from widgets.tasks import TaskController

app = QApplication([])
runner = TaskRunner(max_workers=4)
delivered = []


def spin(seconds=0.2):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def work(outcome, release, *, token, progress):
    release.wait(30)
    progress(0.5, "half")          # throttled or not: after the deletion in every case
    progress(1.0, "all")
    if outcome == "fail":
        raise InputRejected("bad input", code="T-1")
    return outcome


def case(outcome, delete):
    parent = QWidget()
    c = TaskController(runner, parent=parent)
    for sig in (c.sig_progress, c.sig_finished, c.sig_failed):
        sig.connect(lambda *a: delivered.append(a))
    release = threading.Event()
    handle = c.start(work, outcome, release)
    callbacks_ran = threading.Event()
    # the runner's own done callbacks were added first: this one runs after them
    handle.future.add_done_callback(lambda f: callbacks_ran.set())
    if delete == "deleteLater":
        parent.deleteLater()
        spin(0.05)
    else:
        import shiboken6
        shiboken6.delete(parent)
    release.set()                  # the worker finishes after the deletion
    assert callbacks_ran.wait(30), "the task never finished"
    spin(0.2)                      # anything posted is delivered now


for outcome in ("ok", "fail"):
    for delete in ("deleteLater", "delete"):
        case(outcome, delete)
# many overlapping deletions and finishes: no crash whatever the interleaving
for i in range(200):
    parent = QWidget()
    c = TaskController(runner, parent=parent)
    c.sig_finished.connect(lambda r: delivered.append(r))
    c.start(lambda *, token, progress: progress(1.0, "x") or i)
    if i % 2:
        time.sleep(0.0005 * (i % 5))
    parent.deleteLater()
    spin(0.002)
spin(0.3)
runner.shutdown(wait=True)
print("delivered-after-delete", sum(1 for d in delivered if d in (("ok",), ("fail",))))
print("child-ok", flush=True)
"""


@pytest.mark.slow
def test_a_task_finishing_after_its_controller_was_deleted_touches_nothing():
    r = subprocess.run([sys.executable, "-c", CHILD, str(ROOT)], capture_output=True,
                       text=True, timeout=180, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 0, f"rc={r.returncode}\n{r.stderr[-3000:]}"
    assert "child-ok" in r.stdout
    assert "delivered-after-delete 0" in r.stdout
    for bad in ("Traceback", "exception calling callback", "RuntimeError",
                "already deleted"):
        assert bad not in r.stderr, r.stderr[-3000:]


@pytest.fixture()
def runner():
    r = TaskRunner(max_workers=2)
    yield r
    r.shutdown(wait=True)


def _gated(release: threading.Event):
    def work(*, token, progress):
        release.wait(30)
        progress(0.3, "late progress")
        return "late result"
    return work


def test_closed_controller_delivers_nothing_and_starts_nothing(qtbot, runner):
    c = TaskController(runner)
    got: list = []
    for sig in (c.sig_progress, c.sig_finished, c.sig_failed, c.sig_cancelled):
        sig.connect(lambda *a: got.append(a))
    release = threading.Event()
    handle = c.start(_gated(release))
    assert c.running
    assert c.close() is False              # not waited for: still in its function
    assert c.closed and not c.running
    assert handle.token.cancelled          # the function is told to stop
    ran = threading.Event()
    handle.future.add_done_callback(lambda f: ran.set())
    release.set()
    assert ran.wait(10)
    qtbot.wait(100)
    assert got == []                       # the late progress and result are dropped
    assert c.start(_gated(threading.Event())) is None


def test_close_waits_bounded_for_the_running_function(qtbot, runner):
    c = TaskController(runner)
    started = threading.Event()

    def work(*, token, progress):
        started.set()
        token.wait(30)                     # until cancelled
        return None

    handle = c.start(work)
    assert started.wait(10)
    assert c.close(wait=10.0) is True      # cancelled, and its thread is free again
    assert handle.done


def test_a_deleted_controller_is_forgotten(qtbot, runner):
    from PySide6.QtWidgets import QWidget

    from widgets.tasks import _controllers

    parent = QWidget()
    c = TaskController(runner, parent=parent)
    cid = c._id
    assert cid in _controllers
    parent.deleteLater()
    qtbot.waitUntil(lambda: cid not in _controllers, timeout=5000)


def test_results_still_arrive_for_a_live_controller(qtbot, runner):
    c = TaskController(runner)
    progress: list = []
    c.sig_progress.connect(lambda f, m: progress.append((f, m)))
    with qtbot.waitSignal(c.sig_finished, timeout=10000) as blocker:
        c.start(lambda *, token, progress: (progress(0.5, "half"), progress(1.0, "done"), 7)[2])
    assert blocker.args == [7]
    qtbot.waitUntil(lambda: (1.0, "done") in progress, timeout=5000)
    with qtbot.waitSignal(c.sig_failed, timeout=10000) as failed:
        c.start(lambda *, token, progress: 1 / 0)
    assert isinstance(failed.args[0], ZeroDivisionError)
