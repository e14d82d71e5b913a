"""The certified bound's ascent alone: % below a reference after given CPU seconds of one
bound thread (docs/detector_matching.md, "Session 31"); one table.

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/bound_ascent.py \
        [--seeds 21 22 23 24] [--best 21=550.864 ...] [--variants shipped p3 p5 p8 g40 2cycle]

Pools: `pharos match generate --seed N` (400 / 440; default cost = learned); use the
development seeds 21-24 (11-15 are kept for the as-a-user benchmark, anytime.py). Reference:
--best (the best arrangement known), else a 10 s solve. Variants: ``shipped`` (the
defaults of ``lagrangian_bound``: run this from an older checkout to get its row), ``pN``
(fixed patience N), ``gN`` (patience 3 + iteration // N), ``2cycle`` (the pruned 2-cycle DP
with the shipped step rule). One thread each (``threads=1``), one process, in turn; the
CPU marks are of this process (no other work of its own), so run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MARKS = (0.5, 1.0, 1.5, 2.25, 3.0, 4.5, 6.0)


def variant_kwargs(name: str) -> dict:
    if name == "shipped":
        return {}
    if name == "2cycle":
        return {"relaxation": "2cycle"}
    if name[0] == "p":
        return {"patience": int(name[1:]), "patience_growth": 0}
    if name[0] == "g":
        return {"patience_growth": int(name[1:])}
    raise SystemExit(f"unknown variant {name!r}")


def main() -> int:
    import numpy as np

    from benchmarks.detector_matching.anytime import generated_pool, problem_of
    from station_plugins.detector_matching import kernels, optimiser  # noqa: F401 - warm-up
    from station_plugins.detector_matching.bounds import lagrangian_bound
    from station_plugins.detector_matching.optimiser import OptimiserSettings, finite_costs, solve
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[21, 22, 23, 24])
    ap.add_argument("--best", nargs="*", default=[], help="SEED=VALUE best known arrangements")
    ap.add_argument("--variants", nargs="+", default=["shipped"])
    a = ap.parse_args()
    best_known = {int(k): float(v) for k, v in (x.split("=") for x in a.best)}
    work = Path(tempfile.mkdtemp(prefix="dm-ascent-"))
    kernels.ensure_ready()
    print("| ascent | pool | " + " | ".join(f"{m:g} s" for m in MARKS) + " |")
    print("|---|---|" + "---|" * len(MARKS))
    for seed in a.seeds:
        p = problem_of(generated_pool(seed, work / f"pool{seed}.parquet", work), "learned")
        C, D, _ = finite_costs(p)
        lam = np.ascontiguousarray(p.lam, dtype=float)
        best = best_known.get(seed) or solve(p, OptimiserSettings(time_limit=10,
                                                                  bound=False)).objective
        for name in a.variants:
            kw = variant_kwargs(name)
            lagrangian_bound(C[:20, :30].copy(), D[:30, :30].copy(), lam[:19].copy(), 1e9,
                             iterations=2, **kw)              # its kernels compiled / loaded
            at: dict[float, tuple[int, float]] = {}
            c0 = time.process_time()

            def seen(it: int, value: float, c0: float = c0,
                     at: dict[float, tuple[int, float]] = at) -> None:
                t = time.process_time() - c0
                for mark in MARKS:
                    if t <= mark:
                        at[mark] = (it, value)
            lagrangian_bound(C, D, lam, best, iterations=100000, time_limit=MARKS[-1] + 0.2,
                             on_iteration=seen, **kw)
            cells = [f"{100 * (best - at[m][1]) / best:.2f} ({at[m][0]})" if m in at else ""
                     for m in MARKS]
            print(f"| {name} | {seed} (best {best:.3f}) | " + " | ".join(cells) + " |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
