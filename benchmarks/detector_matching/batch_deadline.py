"""Does `pharos match batch` keep its time limit? (issue 21: the answer within limit + 5 %)

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/batch_deadline.py \
        [--tree DIR] [--models PX-48,PX-400] [--limits 1,2,5] [--runs 3] [--seed 7] \
        [--spec X]

For each detector model and limit: --runs fresh processes of
`python -m app match batch POOL --detector-model M --time-limit L --json OUT` (the user's
command, default cost and spec, or --spec-cost-per-slot X) on the 441-module pool of `pharos match generate --slots
400 --seed S`, each with a fresh data folder (no stored bound prices: every run alike) and
one warm kernel cache. Prints the JSON's `seconds` (the batch's clock: started once the
kernels are ready, as for `match run`), max over the runs against limit x 1.05, the
process wall less `pre_clock_seconds` (the CLI's promise: wall <= limit x 1.05 +
pre-clock), the detectors meeting spec (min-max) and the batch's total objective (mean).
--tree DIR runs another checkout (e.g. `git archive <commit> | tar -x -C DIR`) for a
before/after table. The load average is printed before each row: this machine is shared,
compare only rows taken together.
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


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _span(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, default=ROOT, help="checkout to run (default: this)")
    ap.add_argument("--models", default="PX-48,PX-400")
    ap.add_argument("--limits", default="1,2,5")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--spec", type=float, default=None,
                    help="--spec-cost-per-slot (default: the command's)")
    args = ap.parse_args()
    tree = args.tree.resolve()
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir())
                                          / "pharos-bench-batch-numba"))
    py = [sys.executable, "-W", "ignore", "-m", "app", "match"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pool = work / "pool.csv"
        subprocess.run(py + ["generate", "--slots", "400", "--seed", str(args.seed),
                             "--out", str(pool)], cwd=tree, env=env, check=True,
                       capture_output=True)
        subprocess.run(py + ["warmup"], cwd=tree, env=env, check=True, capture_output=True)
        spec = [] if args.spec is None else ["--spec-cost-per-slot", f"{args.spec:g}"]
        print(f"tree {tree}  pool 441 modules (seed {args.seed})  {args.runs} runs per row"
              f"  {' '.join(spec) or 'default spec'}")
        print(f"{'model':8} {'limit':>5} {'load 1/5/15':>14} {'seconds max':>11} "
              f"{'<= x1.05':>8} {'seconds':>22} {'wall-pre max':>12} {'meet':>6} {'objective':>10}")
        for model in args.models.split(","):
            for limit in (float(x) for x in args.limits.split(",")):
                load = _load()
                secs, walls, meets, objs = [], [], [], []
                for r in range(args.runs):
                    out = work / f"b{r}.json"
                    t = time.perf_counter()
                    subprocess.run(py + ["batch", str(pool), "--detector-model", model,
                                         "--time-limit", f"{limit:g}", "--json", str(out),
                                         *spec,
                                         "--data-dir", str(work / f"data-{model}-{limit}-{r}")],
                                   cwd=tree, env=env, check=True, capture_output=True)
                    wall = time.perf_counter() - t
                    d = json.loads(out.read_text())
                    walls.append(wall - d["pre_clock_seconds"])
                    secs.append(d["seconds"])
                    meets.append(d["detectors_meeting_spec"])
                    k = len(d["detectors"])
                    objs.append(d["objective"])
                ok = "yes" if max(secs) <= 1.05 * limit else "NO"
                print(f"{model:8} {limit:5g} {load:>14} {max(secs):11.3f} {ok:>8} "
                      f"{' '.join(f'{s:.3f}' for s in secs):>22} {max(walls):12.3f} "
                      f"{_span(meets) + '/' + str(k):>6} {statistics.mean(objs):10.3f}",
                      flush=True)
    print(f"load after {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
