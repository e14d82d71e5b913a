"""Certified lower bounds for F(pi) = sum c[s,pi(s)] + sum lambda[s] d[pi(s),pi(s+1)].

1. Gilmore-Lawler style: every edge's cost is at least half of the left module's
   cheapest outgoing edge plus half of the right module's cheapest incoming edge, so
   charging those halves to the slot costs and solving one linear assignment bounds F.
2. Lagrangian relaxation of "each module at most once" with prices mu >= 0:
   L(mu) = min over walks W [ sum_s (c[s,w_s] + mu[w_s]) + sum lambda d ] - sum mu,
   solved exactly by a layered Viterbi DP over the slots. L(mu) <= F* for every
   mu >= 0. Warm-started from the Gilmore-Lawler LAP duals (then L >= GL), improved by
   projected, deflected subgradient steps (Polyak with a known upper bound); the step is
   halved after ``patience + iteration // patience_growth`` iterations without a better
   bound (3 + it // 40: early on a stall means a step too long for rough prices, near
   the plateau the subgradient is noisy and halving as often freezes the ascent early).
3. The walks (session 31): the *plain* relaxation, only i -> i forbidden, by a dense
   DP (every predecessor of every node; a min-plus product the compiler vectorises):
   ~12 ms per DP at 400 slots / 437 modules, against ~40 ms for the same DP as a pruned
   threshold scan (sessions 5-30, Fagin's algorithm over predecessors sorted by d and by
   value) and ~80 ms for the 2-cycle DP (also i -> j -> i forbidden: best and
   second-best distinct predecessor per node). Sessions 7-8 ran the plain DP first and
   then the 2-cycle one; the 2-cycle relaxation's plateau is only 0.01-0.03 % higher
   (session 8, pools 21-24) and with three to six times the iterations per CPU second
   the plain ascent is ahead at every time a run can give it, so the ascent is plain
   only. ``relaxation="2cycle"`` keeps the pruned 2-cycle DP for comparisons
   (benchmarks/detector_matching/bound_plateau.py).
The compiled DPs and the join of two halves are in
:mod:`station_plugins.detector_matching.bound_dp`, re-exported here.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from station_plugins.detector_matching.bound_dp import (  # also imported from here
    backtrack, dense_costs, join_halves, plain_backtrack, plain_labels, plain_walk_dp,
    walk_dp, walk_labels)
from station_plugins.detector_matching.lap import hungarian


def gilmore_lawler_costs(C: np.ndarray, D: np.ndarray, lam: np.ndarray) -> np.ndarray:
    n = C.shape[0]
    min_out = D.min(axis=1)
    min_in = D.min(axis=0)
    left = np.zeros(n)
    right = np.zeros(n)
    left[1:] = 0.5 * lam
    right[:-1] = 0.5 * lam
    return C + left[:, None] * min_in[None, :] + right[:, None] * min_out[None, :]


class BoundInterrupted(Exception):
    """The half-DP pool takes no more work (the pool or the interpreter shut down): the
    ascent ends with its best bound so far, as if cancelled."""


class SplitDP:
    """The same walk DP as :func:`walk_dp` (same value), computed as a forward half up to
    the middle slot and a backward half from the last slot down to it, on two threads
    (numba releases the GIL), joined at the middle: about half the wall time of one DP
    when two cores are free, and the bound's share of a busy CPU is two threads'."""

    def __init__(self, C: np.ndarray, D: np.ndarray, lam: np.ndarray,
                 pool: ThreadPoolExecutor | None = None, relaxation: str = "both") -> None:
        n = C.shape[0]
        self.n = n
        self.h = h = n // 2
        self.C = C
        self.Cf = np.ascontiguousarray(C[:h + 1])
        self.Cb = np.ascontiguousarray(C[h:][::-1])
        self.lf = np.ascontiguousarray(lam[:h], dtype=float)
        self.lb = np.ascontiguousarray(lam[h:][::-1], dtype=float)
        if relaxation != "plain":           # the 2-cycle DP's sorted lists
            self.fwd = prepare_dp(D)
            self.bwd = prepare_dp(np.ascontiguousarray(D.T))
        if relaxation != "2cycle":          # the plain DP's edges, forward / backward
            self.dfx = dense_costs(D)
            self.dbx = dense_costs(D.T)
        self.pool = pool

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        assert self.pool is not None
        try:
            return self.pool.submit(fn, *args)
        except RuntimeError as exc:
            # "cannot schedule new futures after (interpreter) shutdown": the process is
            # exiting or the pool was closed, so the bound is over: a cancellation
            if "shutdown" not in str(exc):
                raise
            raise BoundInterrupted(str(exc)) from exc

    def __call__(self, mu: np.ndarray) -> tuple[float, np.ndarray]:
        if self.pool is not None:
            dt, order, sorted_d = self.bwd
            job = self._submit(walk_labels, self.Cb, mu, self.lb, dt, order, sorted_d, True)
            fw = walk_labels(self.Cf, mu, self.lf, *self.fwd, True)
            bw = job.result()
        else:
            fw = walk_labels(self.Cf, mu, self.lf, *self.fwd, True)
            bw = walk_labels(self.Cb, mu, self.lb, *self.bwd, True)
        base = self.C[self.h] + mu
        val, k, wf, wb = join_halves(base, fw[0], fw[1], fw[2], bw[0], bw[1], bw[2])
        left = backtrack(fw[3], fw[4], fw[5], fw[6], k, wf)
        right = backtrack(bw[3], bw[4], bw[5], bw[6], k, wb)[::-1]
        return float(val), np.concatenate((left, right[1:]))

    def plain(self, mu: np.ndarray) -> tuple[float, np.ndarray]:
        """The same halves for the plain walk relaxation (:func:`plain_walk_dp`'s value):
        joined at the middle slot without a 2-cycle rule."""
        if self.pool is not None:
            job = self._submit(plain_labels, self.Cb, mu, self.lb, self.dbx)
            f = plain_labels(self.Cf, mu, self.lf, self.dfx)
            b = job.result()
        else:
            f = plain_labels(self.Cf, mu, self.lf, self.dfx)
            b = plain_labels(self.Cb, mu, self.lb, self.dbx)
        v = f[-1] + b[-1] - (self.C[self.h] + mu)
        k = int(np.argmin(v))
        left = plain_backtrack(f, self.lf, self.dfx, k)
        right = plain_backtrack(b, self.lb, self.dbx, k)[::-1]
        return float(v[k]), np.concatenate((left, right[1:]))


@dataclass
class BoundResult:
    gilmore_lawler: float
    lagrangian: float
    iterations: int
    seconds: float
    history: list
    state: tuple | None = None      # (best prices, step factor): warm start of a next run
    timed_out: bool = False         # stopped by the time limit / a stop request

    @property
    def value(self) -> float:
        return max(self.gilmore_lawler, self.lagrangian)


def prepare_dp(D: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    DT = np.ascontiguousarray(D.T)
    order = np.argsort(DT, axis=1, kind="stable").astype(np.int64)
    sortedD = np.take_along_axis(DT, order, axis=1)
    return DT, order, sortedD


def lagrangian_bound(C: np.ndarray, D: np.ndarray, lam: np.ndarray,
                     upper: float | Callable[[], float], *,
                     iterations: int = 60, time_limit: float = 1e9, token: Any = None,
                     on_iteration: Callable[[int, float], None] | None = None, patience: int = 3,
                     patience_growth: int = 40, deflection: float = 0.7,
                     target_margin: float = 0.03, start: tuple | None = None,
                     threads: int = 1, relaxation: str = "plain") -> BoundResult:
    """C, D finite (penalties for forbidden). ``upper``: a known objective value, or a
    callable returning the best one known so far (the Polyak target). ``start``: (prices,
    step factor) of an earlier run on the same costs (``BoundResult.state``): the ascent
    continues from there instead of from the Gilmore-Lawler duals. ``threads`` = 2: each
    DP as two halves on two threads (:class:`SplitDP`, the same values). ``relaxation``:
    ``"plain"`` (walks without i -> i, the dense DP; module docstring, item 3) or
    ``"2cycle"`` (also without i -> j -> i; the pruned DP, for comparisons). The step is
    halved after ``patience + iteration // patience_growth`` iterations without a better
    bound (``patience_growth`` 0: a fixed patience)."""
    if relaxation not in ("plain", "2cycle"):
        raise ValueError(f"unknown relaxation {relaxation!r}: plain or 2cycle")
    t0 = time.perf_counter()
    n, m = C.shape
    cgl = gilmore_lawler_costs(C, D, lam)
    if on_iteration is not None:        # instant and weaker: each slot's cheapest row of
        on_iteration(0, float(cgl.min(axis=1).sum()))   # the GL costs (no LAP yet)
    _, u, v = hungarian(cgl)
    gl = float(u.sum() + v.sum())
    mu = np.maximum(-v, 0.0)
    theta = 1.0
    if start is not None and start[0].shape == mu.shape:
        mu = np.maximum(np.asarray(start[0], dtype=float), 0.0)
        theta = float(min(1.0, max(start[1], 1e-3)))
    if on_iteration is not None:
        on_iteration(0, gl)
    if n < 2:
        return BoundResult(gl, gl, 0, time.perf_counter() - t0, [])
    pool = None
    dp: Callable[[np.ndarray], tuple[float, np.ndarray]]
    if threads >= 2 and n >= 4:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dm-bound-half")
        split = SplitDP(C, D, lam, pool, relaxation)
        dp = split.plain if relaxation == "plain" else split
    elif relaxation == "plain":
        Dx = dense_costs(D)

        def dp(prices: np.ndarray) -> tuple[float, np.ndarray]:
            val, walk = plain_walk_dp(C, prices, lam, Dx)
            return float(val), walk
    else:
        DT, order, sortedD = prepare_dp(D)

        def dp(prices: np.ndarray) -> tuple[float, np.ndarray]:
            return walk_dp(C, prices, lam, DT, order, sortedD, True)
    try:
        return _ascent(C, upper, dp, mu, theta, gl, t0, iterations, time_limit,
                       token, on_iteration, patience, patience_growth, deflection,
                       target_margin)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _ascent(C: np.ndarray, upper: float | Callable[[], float],
            dp: Callable[[np.ndarray], tuple[float, np.ndarray]], mu: np.ndarray, theta: float,
            gl: float, t0: float, iterations: int, time_limit: float, token: Any,
            on_iteration: Callable[[int, float], None] | None, patience: int,
            patience_growth: int, deflection: float, target_margin: float) -> BoundResult:
    m = C.shape[1]
    best = -np.inf
    best_mu = mu.copy()
    stall = 0
    history = []
    it = 0
    direction = np.zeros(m)
    last_s = 0.0                          # duration of the last DP iteration
    timed_out = False
    for it in range(1, iterations + 1):
        if token is not None and token.cancelled:
            it -= 1
            timed_out = True
            break
        t_it = time.perf_counter()
        if t_it - t0 + last_s > time_limit:  # the next iteration would end too late
            it -= 1
            timed_out = True
            break
        try:
            val, walk = dp(mu)
        except BoundInterrupted:             # the process exits: the best bound so far
            it -= 1
            timed_out = True
            break
        last_s = time.perf_counter() - t_it
        lval = float(val - mu.sum())
        history.append(lval)
        if lval > best + 1e-9:
            best = lval
            best_mu = mu.copy()
            stall = 0
        else:
            stall += 1
            if stall >= patience + (it // patience_growth if patience_growth > 0 else 0):
                theta *= 0.5
                stall = 0
        if on_iteration is not None:
            on_iteration(it, max(best, gl))
        g = np.bincount(walk, minlength=m).astype(float) - 1.0
        direction = g + deflection * direction      # deflected subgradient
        direction[(mu <= 0) & (direction < 0)] = 0.0  # projection onto mu >= 0
        norm = float(direction @ direction)
        if norm == 0.0:
            break
        ub = float(upper()) if callable(upper) else float(upper)
        if target_margin > 0 and np.isfinite(best):      # target level near the bound:
            ub = min(ub, best + target_margin * abs(best))  # no overshoot from a poor UB
        step = theta * max(ub - lval, 1e-9 * abs(ub)) / norm
        mu = np.maximum(mu + step * direction, 0.0)
        if theta < 1e-4:
            break
    return BoundResult(gl, max(best, gl), it, time.perf_counter() - t0, history,
                       state=(best_mu, theta), timed_out=timed_out)
