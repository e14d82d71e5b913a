#!/usr/bin/env python
"""Start-up time to an interactive main window (median of N runs) and idle memory.

    .venv/bin/python scripts/startup_time.py                 # python -m app --startup-probe
    .venv/bin/python scripts/startup_time.py --runs 5 --target app.ui.demo:build   # any
                                            # module:function returning a QWidget to show

Each run is a fresh subprocess on the offscreen platform with a throw-away data folder
(one unmeasured warm-up run first creates the store and fills the OS file cache).
"Ready" is the first event-loop turn after the window is shown; the probe prints
``PROBE_READY <seconds since its own import>``. Memory is the child's peak RSS
(wait4 rusage), which at that moment is its idle footprint.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TARGET_RUNNER = r"""
import sys, time
T0 = time.perf_counter()
import importlib
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.ui.theme import apply_theme, configure_high_dpi
configure_high_dpi()
app = QApplication(sys.argv[:1])
apply_theme(app)
module_name, _, attr = sys.argv[1].partition(":")
window = getattr(importlib.import_module(module_name), attr)()
window.show()
def ready():
    print(f"PROBE_READY {time.perf_counter() - T0:.3f}", flush=True)
    window.close()
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""


def one_run(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, float]:
    """-> (wall seconds to PROBE_READY, seconds reported by the probe, peak RSS MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    wall = reported = float("nan")
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("PROBE_READY"):
            wall = time.perf_counter() - start
            reported = float(line.split()[1])
            break
        if time.perf_counter() - start > timeout:
            break
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else ""
    if wall != wall:  # NaN: the probe never said it was ready
        raise SystemExit(f"probe did not report ready (exit {proc.returncode}):\n{err[-2000:]}")
    rss_mib = usage.ru_maxrss / 1024.0  # Linux: KiB
    return wall, reported, rss_mib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", help="module:function returning the window (instead of "
                                         "`python -m app --startup-probe`)")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pharos-startup-") as data_dir:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PHAROS_DATA_DIR=data_dir,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")])))
        if args.target:
            cmd = [sys.executable, "-c", TARGET_RUNNER, args.target]
            what = args.target
        else:
            cmd = [sys.executable, "-m", "app", "--startup-probe"]
            what = "python -m app --startup-probe"
        one_run(cmd, env, args.timeout)  # warm-up: creates the store, fills file caches
        results = [one_run(cmd, env, args.timeout) for _ in range(args.runs)]

    walls = [r[0] for r in results]
    print(f"start-up to interactive main window: {what}")
    print(f"{'run':>4} {'wall s':>8} {'in-process s':>13} {'peak RSS MiB':>13}")
    for i, (wall, reported, rss) in enumerate(results, 1):
        print(f"{i:>4} {wall:>8.3f} {reported:>13.3f} {rss:>13.1f}")
    print(f"{'med':>4} {statistics.median(walls):>8.3f} "
          f"{statistics.median(r[1] for r in results):>13.3f} "
          f"{statistics.median(r[2] for r in results):>13.1f}")
    print(f"cpu count: {os.cpu_count()}, python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
