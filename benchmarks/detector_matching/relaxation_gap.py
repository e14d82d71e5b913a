"""Is the certified gap the search's or the relaxation's? (docs/detector_matching.md,
"Session 20: the walk relaxation's gap grows with the chain's length")

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/relaxation_gap.py \
        --seed 21 --mode scale --sizes 40 80 160 400
    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/relaxation_gap.py \
        --seed 21 --mode window-mip --sizes 20 40 --windows 3

On the 400-slot pool of ``pharos match generate --seed N`` (default cost = learned) an
arrangement of a ``--limit`` s solve; then windows of n consecutive slots of it, the
modules outside the window held (their boundary edges folded into the window's slot
costs), every module of the window and every spare available:

* ``scale``: the walk relaxation's value (the optimiser's Lagrangian ascent with the slow
  schedule and one restart: the LP value to ~0.05 %) against the arrangement's cost of the
  window, per window length (the whole pool at n = 400);
* ``window-mip``: the window solved exactly (HiGHS MIP: binary slot x module, pair flows,
  a module at most once, no module next to itself) - how far the arrangement is from the
  window's optimum, and the walk LP against that optimum (the relaxation's integrality
  gap on the window). An improvement is kept for the next window.

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


def window(C, D, lam, perm, a, n):
    """(slot costs, pair costs, weights, candidate modules) of slots a..a+n-1 with the
    arrangement ``perm`` held outside (boundary edges in the slot costs)."""
    N = C.shape[0]
    mods = np.concatenate([perm[a:a + n], perm[N:]])
    Cw = np.ascontiguousarray(C[a:a + n][:, mods]).copy()
    if a > 0:
        Cw[0] += lam[a - 1] * D[perm[a - 1], mods]
    if a + n < N:
        Cw[n - 1] += lam[a + n - 1] * D[mods, perm[a + n]]
    Dw = np.ascontiguousarray(D[np.ix_(mods, mods)])
    lw = np.ascontiguousarray(lam[a:a + n - 1])
    return Cw, Dw, lw, mods


def window_mip(Cw, Dw, lw, time_limit):
    """The window's exact optimum: (assignment of candidate indices per slot, status)."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = Cw.shape
    nx, ny = n * m, (n - 1) * m * m
    cost = np.concatenate([Cw.ravel(), (lw[:, None, None] * Dw[None]).ravel()])
    rows, cols, vals, lo, hi = [], [], [], [], []

    def add(cs, vs, low, high):
        r = len(lo)
        rows.extend([r] * len(cs))
        cols.extend(cs)
        vals.extend(vs)
        lo.append(low)
        hi.append(high)

    def x(s, i):
        return s * m + i

    def y(s, i, j):
        return nx + (s * m + i) * m + j

    for s in range(n):
        add([x(s, i) for i in range(m)], [1.0] * m, 1, 1)
    for i in range(m):
        add([x(s, i) for s in range(n)], [1.0] * n, -np.inf, 1)
    for s in range(n - 1):
        for i in range(m):
            add([y(s, i, j) for j in range(m)] + [x(s, i)], [1.0] * m + [-1.0], 0, 0)
        for j in range(m):
            add([y(s, i, j) for i in range(m)] + [x(s + 1, j)], [1.0] * m + [-1.0], 0, 0)
    ub = np.ones(nx + ny)
    for s in range(n - 1):
        for i in range(m):
            ub[y(s, i, i)] = 0.0
    integ = np.zeros(nx + ny)
    integ[:nx] = 1
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(lo), nx + ny))
    res = milp(cost, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(0, ub),
               integrality=integ, options={"time_limit": time_limit, "mip_rel_gap": 1e-7})
    if res.x is None:
        return None, res.status
    return np.argmax(res.x[:nx].reshape(n, m), 1), res.status


def main() -> int:
    from benchmarks.detector_matching.anytime import generated_pool, problem_of
    from station_plugins.detector_matching import kernels
    from station_plugins.detector_matching.bounds import lagrangian_bound
    from station_plugins.detector_matching.optimiser import OptimiserSettings, finite_costs, solve

    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--mode", choices=("scale", "window-mip"), default="scale")
    ap.add_argument("--sizes", type=int, nargs="*", default=[40, 80, 160, 400])
    ap.add_argument("--windows", type=int, default=3, help="windows per size")
    ap.add_argument("--limit", type=float, default=10.0, help="the arrangement's solve, s")
    ap.add_argument("--mip-limit", type=float, default=240.0)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dm-relax-"))
    pool = generated_pool(a.seed, work / "pool.parquet", work)
    kernels.ensure_ready()
    p = problem_of(pool, "learned")
    C, D, _ = finite_costs(p)
    lam = np.ascontiguousarray(p.lam, dtype=float)
    perm = solve(p, OptimiserSettings(time_limit=a.limit, bound=False)).perm.copy()
    N = C.shape[0]

    def total(q):
        return float(C[np.arange(N), q[:N]].sum() + (lam * D[q[:N - 1], q[1:N]]).sum())

    print(f"pool {a.seed}: {a.limit:g} s arrangement {total(perm):.4f}", flush=True)
    rng = np.random.default_rng(a.seed)
    for n in a.sizes:
        for _ in range(1 if n >= N else a.windows):
            s0 = 0 if n >= N else int(rng.integers(1, N - n - 1))
            Cw, Dw, lw, mods = window(C, D, lam, perm, s0, n)
            own = float(Cw[np.arange(n), np.arange(n)].sum()
                        + (lw * Dw[np.arange(n - 1), np.arange(1, n)]).sum())
            t = time.process_time()
            kw = dict(iterations=1500, patience=12, deflection=0.5, target_margin=0.01)
            r = lagrangian_bound(Cw, Dw, lw, own, **kw)
            r2 = lagrangian_bound(Cw, Dw, lw, own, start=(r.state[0], 0.5), **kw)
            v = max(r.value, r2.value)
            if a.mode == "scale":
                print(f"  {n:3d} slots from {s0:3d} ({len(mods)} modules): arrangement "
                      f"{own:.4f}, walk LP >= {v:.4f}: {100 * (own - v) / own:.3f} % below "
                      f"({time.process_time() - t:.0f} s CPU)", flush=True)
                continue
            pick, status = window_mip(Cw, Dw, lw, a.mip_limit)
            if pick is None:
                print(f"  {n:3d} slots from {s0:3d}: no solution (status {status})", flush=True)
                continue
            new = mods[pick]
            q = perm.copy()
            q[s0:s0 + n] = new
            used = set(new.tolist())
            q[N:] = np.array([k for k in np.concatenate([perm[N:], perm[s0:s0 + n]])
                              if k not in used])
            before, after = total(perm), total(q)
            best_w = own + after - before          # the window's exact optimum
            print(f"  {n:3d} slots from {s0:3d} ({len(mods)} candidates): {before:.4f} -> "
                  f"{after:.4f} ({100 * (after - before) / before:+.4f} %), status {status}; "
                  f"window optimum {best_w:.4f}, walk LP >= {v:.4f}: "
                  f"{100 * (best_w - v) / best_w:.3f} % below it "
                  f"({time.process_time() - t:.0f} s CPU)", flush=True)
            if after < before:
                perm = q
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
