"""Where does the certified bound level off, and why? (docs/detector_matching.md, "The
bound's plateau")

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/bound_plateau.py \
        --seed 21 [--best 556.6] [--iterations 600] [--sub 10x12 12x14] [--cost learned]

1. the shipped ascent (the optimiser's settings) and a slow schedule (patience 12,
   deflection 0.5, target margin 1 %) on the 400-slot pool `pharos match generate --seed
   N`, as long as they improve: value, % below --best (default: a 10 s solve), CPU;
   ``--restarts K``: K more ascents from the best prices with a fresh step (a gain would
   mean the first had stalled, not levelled off);
2. the exact walk LP (2-cycle-free walks, each module at most once: a flow over slot
   triples, HiGHS) on sub-instances of the same pool (random slot window and module
   subset), against a 3,000-iteration ascent: equal values mean the ascent reaches the
   LP, so its plateau is the relaxation's value (a duality gap), not a stall.
Use seeds other than 11-15 for development.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def walk_lp(C: np.ndarray, D: np.ndarray, lam: np.ndarray) -> float:
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp
    n, m = C.shape
    pairs = [(j, k) for j in range(m) for k in range(m) if j != k]
    pidx = {q: i for i, q in enumerate(pairs)}
    P = len(pairs)
    trip = [(i, j, k) for (i, j) in pairs for k in range(m) if k not in (i, j)]
    T = len(trip)
    ny = (n - 1) * P
    cost = np.zeros(ny + (n - 2) * T)
    for s in range(1, n):
        for (j, k), q in pidx.items():
            cost[(s - 1) * P + q] = lam[s - 1] * D[j, k] + C[s, k] + (C[0, j] if s == 1 else 0)
    rows: list[int] = []
    cols: list[int] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        for c, _ in entries:
            rows.append(len(lo))
            cols.append(c)
        vals.extend(v for _, v in entries)
        lo.append(low)
        hi.append(high)
    vals: list[float] = []
    row([(q, 1.0) for q in range(P)], 1, 1)
    into_q = np.array([pidx[(j, k)] for (i, j, k) in trip])
    out_q = np.array([pidx[(i, j)] for (i, j, k) in trip])
    for s in range(2, n):
        base = ny + (s - 2) * T
        for qs, prev in ((into_q, s - 1), (out_q, s - 2)):
            groups: list[list[int]] = [[] for _ in range(P)]
            for t, q in enumerate(qs):
                groups[q].append(base + t)
            for q in range(P):
                row([(prev * P + q, -1.0)] + [(c, 1.0) for c in groups[q]], 0, 0)
    for mod in range(m):
        e = [(pidx[(mod, k)], 1.0) for k in range(m) if k != mod]
        e += [((s - 1) * P + pidx[(j, mod)], 1.0) for s in range(1, n) for j in range(m)
              if j != mod]
        row(e, -np.inf, 1)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(lo), cost.size))
    r = milp(cost, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(0, 1))
    return float(r.fun)


def main() -> int:
    from benchmarks.detector_matching.anytime import generated_pool, problem_of
    from station_plugins.detector_matching import kernels, optimiser  # noqa: F401 - warm-up
    from station_plugins.detector_matching.bounds import lagrangian_bound
    from station_plugins.detector_matching.optimiser import OptimiserSettings, finite_costs, solve
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--best", type=float, default=0.0, help="best known (0: a 10 s solve)")
    ap.add_argument("--iterations", type=int, default=600)
    ap.add_argument("--sub", nargs="*", default=["10x12", "12x14"])
    ap.add_argument("--cost", default="learned", choices=("physics", "learned"))
    ap.add_argument("--restarts", type=int, default=0,
                    help="ascents again from the best prices (a fresh step): a stall check")
    ap.add_argument("--schedules", nargs="*", default=["shipped", "slow"],
                    choices=("shipped", "slow"), help="which ascents to run")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dm-plateau-"))
    pool = generated_pool(a.seed, work / "pool.parquet", work)
    kernels.ensure_ready()
    p = problem_of(pool, a.cost)
    C, D, _ = finite_costs(p)
    lam = np.ascontiguousarray(p.lam, dtype=float)
    best = a.best or solve(p, OptimiserSettings(time_limit=10, bound=False)).objective
    print(f"pool seed {a.seed} ({a.cost}), best known {best:.3f}", flush=True)
    for name, kw in (("shipped", {}), ("slow schedule", dict(patience=12, deflection=0.5,
                                                             target_margin=0.01))):
        if name.split()[0] not in a.schedules:
            continue
        c0 = time.process_time()
        hist: list[tuple[int, float]] = []
        r = lagrangian_bound(C, D, lam, best, iterations=a.iterations,
                             on_iteration=lambda it, v: hist.append((it, v)), **kw)
        for it, v in hist[2::max(1, len(hist) // 8)] + hist[-1:]:
            print(f"  {name:14s} it {it:5d}  bound {v:.3f}  {100 * (best - v) / best:.3f} % below",
                  flush=True)
        for k in range(a.restarts):     # the same ascent again from its best prices, with
            assert r.state is not None  # a fresh step: a gain means it had stalled
            r = lagrangian_bound(C, D, lam, best, iterations=a.iterations,
                                 start=(r.state[0], 0.5), **kw)
            print(f"  {name:14s} restart {k + 1}: {r.iterations} iterations, bound {r.value:.3f}"
                  f"  {100 * (best - r.value) / best:.3f} % below", flush=True)
        print(f"  {name}: {time.process_time() - c0:.1f} s CPU", flush=True)
    rng = np.random.default_rng(a.seed)
    for spec in a.sub:
        n, m = (int(x) for x in spec.split("x"))
        s0 = int(rng.integers(0, C.shape[0] - n))
        mods = np.sort(rng.choice(C.shape[1], m, replace=False))
        Cs = np.ascontiguousarray(C[s0:s0 + n][:, mods])
        Ds = np.ascontiguousarray(D[np.ix_(mods, mods)])
        ls = np.ascontiguousarray(lam[s0:s0 + n - 1])
        t = time.perf_counter()
        lp = walk_lp(Cs, Ds, ls)
        tl = time.perf_counter() - t
        b = lagrangian_bound(Cs, Ds, ls, lp * 1.05, iterations=3000, patience=20,
                             deflection=0.5, target_margin=0.0)
        print(f"  sub-instance {n} slots / {m} modules: walk LP {lp:.5f} ({tl:.0f} s), "
              f"ascent {b.value:.5f} ({100 * (lp - b.value) / lp:.4f} % below the LP)",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
