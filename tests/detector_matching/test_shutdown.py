"""Closing the station during an optimisation: the optimisation is cancelled, its threads
(the solve, the lower bound `dm-bound` and its half-DP pool `dm-bound-half`) end within a
bounded wait, and nothing is reported as an error; a process that exits while a bound
thread still works prints no traceback (the bound's pool refusing work at interpreter
shutdown ends the bound like a cancel)."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from .test_session_panel import ctx, station  # noqa: E402,F401 - the real services

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 120


def _bound_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("dm-bound")]


def test_station_shutdown_cancels_a_running_optimisation_and_ends_its_threads(
        qtbot, station, caplog, monkeypatch):  # noqa: F811
    crashed: list = []
    monkeypatch.setattr(threading, "excepthook", crashed.append)
    panel = station.create_panel()
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.build_done, timeout=30000)
    panel.time_spin.setValue(300)                   # far longer than the test waits
    panel.optimise()
    qtbot.waitUntil(lambda: any(t.name == "dm-bound" for t in _bound_threads()),
                    timeout=HANG_GUARD_S * 1000)
    task = panel._task
    assert task is not None and not task.done
    with caplog.at_level(logging.WARNING):
        station.shutdown()
    assert task.done                                 # cancelled, and its thread is free
    for t in _bound_threads():                       # hang guard only
        t.join(HANG_GUARD_S)
    assert _bound_threads() == []
    assert crashed == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert station.session.current is None           # a cancelled run shows nothing
    station.shutdown()                               # idempotent


CHILD = """
import threading, time
from concurrent.futures import ThreadPoolExecutor
from tests.detector_matching.conftest import random_problem
from station_plugins.detector_matching import kernels
from station_plugins.detector_matching.optimiser import OptimiserSettings, solve
kernels.configure()
kernels.ensure_ready()
p = random_problem(160, 170, 3)
# as the workstation's task pool runs it: a worker thread the interpreter joins at exit
pool = ThreadPoolExecutor(max_workers=1)
fut = pool.submit(solve, p, OptimiserSettings(time_limit=3.0, bound_threads=2,
                                                bound_iterations=100_000))
for _ in range(6000):
    if any(t.name == "dm-bound-half_0" for t in threading.enumerate()):
        break
    time.sleep(0.01)
else:
    raise SystemExit("the bound's half-DP pool never started")
print("exiting while the bound works", flush=True)
"""


@pytest.mark.slow
def test_a_process_exiting_during_an_optimisation_prints_no_traceback():
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT,
                       timeout=HANG_GUARD_S * 3)
    assert r.returncode == 0, r.stderr
    assert "exiting while the bound works" in r.stdout
    assert "Traceback" not in r.stderr and "RuntimeError" not in r.stderr, r.stderr
