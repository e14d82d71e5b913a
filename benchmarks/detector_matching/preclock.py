"""Where the time before the optimiser's clock goes in `pharos match run` (issue 21).

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/preclock.py \
        [--seed 11] [--runs 3] [--limit 5] [--cost auto|physics|learned] [--repeat 5]

1. The pool import in-process: reading the file, then validating it with the vectorised
   path and with the per-cell reference path (``importer.FAST_PARSE = False``), median of
   --repeat, on a 440-module pool from `pharos match generate --seed N` (csv / parquet).
2. --runs fresh `python -m app match run POOL --time-limit L --json OUT` processes (warm
   kernel cache): the process wall time (start to exit) beside the JSON's split
   (startup / libraries / kernels / import / cost model / pre-clock / clock / total).
   wall - total = writing the result and the interpreter's exit.

Targets (issue 21): validation of 440 modules < 50 ms quiet (was ~90-160 ms);
wall <= limit x 1.05 + pre-clock; exit = wall - total (writing the result and the
process's end: `match run` ends the process right after it, no interpreter teardown).
Load average is printed before and after: this machine is shared, compare only numbers
taken together.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

KEYS = ("startup_seconds", "libraries_seconds", "kernel_seconds", "import_seconds",
        "cost_model_seconds", "cost_matrix_seconds", "pre_clock_seconds", "seconds",
        "total_seconds")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def import_times(pool: Path, repeat: int) -> dict[str, float]:
    from station_plugins.detector_matching import importer
    from station_plugins.detector_matching.pool_io import read_table
    out: dict[str, list[float]] = {"read": [], "validate_fast": [], "validate_reference": []}
    for _ in range(repeat):
        t = time.perf_counter()
        table = read_table(pool)
        out["read"].append(time.perf_counter() - t)
        for name, fast in (("validate_fast", True), ("validate_reference", False)):
            importer.FAST_PARSE = fast
            t = time.perf_counter()
            importer.validate_table(table, pool.name)
            out[name].append(time.perf_counter() - t)
    importer.FAST_PARSE = True
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=float, default=5.0)
    ap.add_argument("--cost", default="auto")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        print(f"load average before: {_load()}")
        for ext in ("csv", "parquet"):
            pool = Path(tmp) / f"pool.{ext}"
            subprocess.run([sys.executable, "-m", "app", "match", "generate", "--seed",
                            str(a.seed), "--out", str(pool)], env=env, check=True,
                           capture_output=True)
            t = import_times(pool, a.repeat)
            print(f"import {ext}: " + ", ".join(f"{k} {1000 * v:.1f} ms" for k, v in t.items()))
        pool = Path(tmp) / "pool.csv"
        print("wall | " + " | ".join(k.replace("_seconds", "") for k in KEYS) + " | exit")
        for r in range(a.runs):
            out = Path(tmp) / f"r{r}.json"
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "app", "match", "run", str(pool),
                            "--time-limit", str(a.limit), "--cost", a.cost, "--json",
                            str(out)], env=env, check=True, capture_output=True)
            wall = time.perf_counter() - t
            d = json.loads(out.read_text())
            print(f"{wall:.2f} | " + " | ".join("-" if d.get(k) is None else f"{d[k]:.2f}"
                                                for k in KEYS)
                  + f" | {wall - d['total_seconds']:.2f}  (load {_load()})")
        print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
