"""CPU time per step of the CT QC engine on the benchmark's clean series (process time, so
other jobs on a shared machine disturb it less than wall time). Prints one table.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ct_qc/profile_cpu.py [--repeats 7] [--profile]

``--profile`` adds a cProfile listing (cumulative) of one analysis of the 68-slice series.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_vs_pylinac import CASES, pylinac_phantom  # noqa: E402
from app.ct.analysis import analyze_series  # noqa: E402
from app.ct.analysis import artifacts as art  # noqa: E402
from app.ct.analysis import localise as loc  # noqa: E402
from app.ct.analysis import metrics_thk  # noqa: E402
from app.ct.dicom_load import load_series  # noqa: E402
from app.ct.simulator import SimParams, simulate_series, write_dicom_series  # noqa: E402

STEPS = {"localisation": (loc, "place"), "streaks": (art, "streak_scan"), "rings": (art, "ring_scan"),
         "slice thickness": (metrics_thk, "slice_thickness")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    spent: dict[str, list[float]] = {}

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        def inner(*a, **k):  # noqa: ANN002, ANN003, ANN202
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent.setdefault(name, []).append(time.process_time() - t)
        return inner

    for name, (mod, attr) in STEPS.items():
        setattr(mod, attr, timed(name, getattr(mod, attr)))
    tmp = Path(tempfile.mkdtemp(prefix="ctqc-prof-"))
    phantom = pylinac_phantom(tmp)
    print(f"{'series':20s} {'load s':>7s} {'analysis s':>10s} | " + " | ".join(f"{n:>15s}" for n in STEPS))
    for k in (0, 1):
        name, kw, _ = CASES[k]
        folder = tmp / f"case{k}"
        write_dicom_series(simulate_series(SimParams(phantom=phantom, matrix=512, seed=100 + k, **kw)), folder)
        loads, runs = [], []
        for rep in range(args.repeats + 1):
            spent.clear() if rep == 1 else None
            t = time.process_time()
            series = load_series(folder)
            t1 = time.process_time()
            analyze_series(series, phantom="catphan504", profile="factory_simct_120kv")
            if rep:   # the first run warms imports and caches
                loads.append(t1 - t)
                runs.append(time.process_time() - t1)
        steps = " | ".join(f"{statistics.median(spent.get(n, [0.0])):15.3f}" for n in STEPS)
        print(f"{name:20s} {statistics.median(loads):7.3f} {statistics.median(runs):10.3f} | {steps}")
        if args.profile and k == 0:
            pr = cProfile.Profile(time.process_time)
            pr.enable()
            analyze_series(load_series(folder), phantom="catphan504")
            pr.disable()
            pstats.Stats(pr).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
