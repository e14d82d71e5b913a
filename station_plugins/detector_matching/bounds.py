"""Certified lower bounds for F(pi) = sum c[s,pi(s)] + sum lambda[s] d[pi(s),pi(s+1)].

1. Gilmore-Lawler style: every edge's cost is at least half of the left module's
   cheapest outgoing edge plus half of the right module's cheapest incoming edge, so
   charging those halves to the slot costs and solving one linear assignment bounds F.
2. Lagrangian relaxation of "each module at most once" with prices mu >= 0:
   L(mu) = min over walks W [ sum_s (c[s,w_s] + mu[w_s]) + sum lambda d ] - sum mu,
   solved exactly by a layered Viterbi DP that forbids i -> i and 2-cycles i -> j -> i
   (keep the best and second-best distinct-predecessor value per node). L(mu) <= F*
   for every mu >= 0. Warm-started from the Gilmore-Lawler LAP duals (then L >= GL),
   improved by projected, deflected subgradient steps (Polyak with a known upper bound).
The DP scans predecessors in increasing d[., k] order and in increasing value order at
the same time and stops once no unseen one can beat the second-best value (exact
pruning, Fagin's threshold algorithm).
3. Two-phase ascent (session 7): the first iterations use the *plain* walk relaxation
   (only i -> i forbidden; one label per node, so its pruned scan stops at the best value
   and an iteration costs about half), a weaker relaxation of the same problem with the
   same prices, so every value it gives is a valid bound too (L_plain(mu) <= L(mu) <= F*).
   It climbs from the Gilmore-Lawler duals at twice the rate per CPU second; once it
   levels off (or after half the iteration budget) the ascent continues on the 2-cycle
   DP from its prices. Session 8: the plain relaxation's own plateau is only 0.01-0.03 %
   below the 2-cycle one (pools 21-24), so the plain phase runs until it has really
   levelled off (< 0.01 % over 20 iterations; session 7: < 0.1 % over 5, which handed
   over to the twice as expensive DP while the plain bound was still climbing).
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from numba import njit

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


@njit(cache=True, nogil=True)
def walk_labels(C, mu, lam, DT, order, sortedD, want_path):
    """Layered DP over the slots of C: per module of the last layer the cheapest walk
    ending there (f1, its predecessor p1) and the cheapest with another predecessor (f2),
    and the back pointers (layer, module) -> (predecessor, its label) when ``want_path``."""
    n, m = C.shape
    f1 = np.empty(m)
    f2 = np.empty(m)
    p1 = np.full(m, -1, dtype=np.int64)
    g1 = np.empty(m)
    g2 = np.empty(m)
    q1 = np.empty(m, dtype=np.int64)
    rows = n if want_path else 1
    pr1 = np.full((rows, m), -1, dtype=np.int32)
    pr2 = np.full((rows, m), -1, dtype=np.int32)
    pw1 = np.zeros((rows, m), dtype=np.int8)
    pw2 = np.zeros((rows, m), dtype=np.int8)
    for j in range(m):
        f1[j] = C[0, j] + mu[j]
        f2[j] = np.inf
    for s in range(1, n):
        L = lam[s - 1]
        fo = np.argsort(f1)                  # predecessors by their value so far
        fs = f1[fo]
        for k in range(m):
            b1 = np.inf
            b2 = np.inf
            j1 = -1
            j2 = -1
            w1 = 0
            w2 = 0
            # threshold algorithm over two sorted lists: predecessors by d[., k] and by
            # f1; a predecessor seen in neither list after t steps costs at least
            # fs[t] + L * sortedD[k, t] (f2 >= f1), so the scan stops there (exact; about
            # half the candidates of a scan by d alone)
            for t in range(m):
                if fs[t] + L * sortedD[k, t] >= b2:
                    break
                for side in range(2):
                    j = order[k, t] if side == 0 else fo[t]
                    if j == k or j == j1 or j == j2:
                        continue
                    if p1[j] != k:
                        h = f1[j]
                        w = 0
                    else:
                        h = f2[j]
                        w = 1
                    val = h + L * DT[k, j]
                    if val < b1:
                        b2 = b1
                        j2 = j1
                        w2 = w1
                        b1 = val
                        j1 = j
                        w1 = w
                    elif val < b2:
                        b2 = val
                        j2 = j
                        w2 = w
            base = C[s, k] + mu[k]
            g1[k] = base + b1
            g2[k] = base + b2
            q1[k] = j1
            if want_path:
                pr1[s, k] = j1
                pw1[s, k] = w1
                pr2[s, k] = j2
                pw2[s, k] = w2
        for k in range(m):
            f1[k] = g1[k]
            f2[k] = g2[k]
            p1[k] = q1[k]
    return f1, f2, p1, pr1, pw1, pr2, pw2


@njit(cache=True, nogil=True)
def plain_labels(C, mu, lam, DT, order, sortedD):
    """The plain walk relaxation's layered DP (only i -> i forbidden): per module of the
    last layer the cheapest walk ending there, and the back pointers (layer, module) ->
    predecessor. The same threshold scan as :func:`walk_labels`, stopped at the best
    value (one label per node)."""
    n, m = C.shape
    f = np.empty(m)
    g = np.empty(m)
    pr = np.full((n, m), -1, dtype=np.int32)
    for j in range(m):
        f[j] = C[0, j] + mu[j]
    for s in range(1, n):
        L = lam[s - 1]
        fo = np.argsort(f)
        fs = f[fo]
        for k in range(m):
            b1 = np.inf
            j1 = -1
            for t in range(m):
                if fs[t] + L * sortedD[k, t] >= b1:
                    break
                for side in range(2):
                    j = order[k, t] if side == 0 else fo[t]
                    if j != k:
                        val = f[j] + L * DT[k, j]
                        if val < b1:
                            b1 = val
                            j1 = j
            g[k] = C[s, k] + mu[k] + b1
            pr[s, k] = j1
        for k in range(m):
            f[k] = g[k]
    return f, pr


@njit(cache=True, nogil=True)
def plain_backtrack(pr, k):
    n = pr.shape[0]
    walk = np.full(n, -1, dtype=np.int64)
    for s in range(n - 1, -1, -1):
        walk[s] = k
        if s > 0:
            k = pr[s, k]
    return walk


@njit(cache=True, nogil=True)
def plain_walk_dp(C, mu, lam, DT, order, sortedD):
    """Cheapest walk without immediate repeats (2-cycles allowed); returns (value, walk)."""
    f, pr = plain_labels(C, mu, lam, DT, order, sortedD)
    k = np.argmin(f)
    return f[k], plain_backtrack(pr, k)


@njit(cache=True, nogil=True)
def backtrack(pr1, pw1, pr2, pw2, k, w):
    """The walk (first layer first) that ends at module k of the last layer with label w
    (0: the best walk there, 1: the best with another predecessor)."""
    n = pr1.shape[0]
    walk = np.full(n, -1, dtype=np.int64)
    for s in range(n - 1, -1, -1):
        walk[s] = k
        if s == 0:
            break
        if w == 0:
            j = pr1[s, k]
            w = pw1[s, k]
        else:
            j = pr2[s, k]
            w = pw2[s, k]
        k = j
    return walk


@njit(cache=True, nogil=True)
def walk_dp(C, mu, lam, DT, order, sortedD, want_path):
    """Cheapest walk without immediate repeats and 2-cycles; returns (value, walk)."""
    n, m = C.shape
    f1, f2, p1, pr1, pw1, pr2, pw2 = walk_labels(C, mu, lam, DT, order, sortedD, want_path)
    best = np.inf
    kb = 0
    for k in range(m):
        if f1[k] < best:
            best = f1[k]
            kb = k
    walk = np.full(n, -1, dtype=np.int64)
    if want_path:
        walk = backtrack(pr1, pw1, pr2, pw2, kb, 0)
    return best, walk


@njit(cache=True, nogil=True)
def join_halves(base, f1, f2, p1, b1, b2, q1):
    """The cheapest walk through the meeting slot: a forward half ending at module k
    (f1 / f2, predecessor p1) and a backward half starting there (b1 / b2, successor
    q1), the node's own cost ``base[k]`` counted once, and no 2-cycle across the join
    (predecessor != successor). Exact: a pair with predecessor == successor is replaced
    by the better of (second forward, best backward) and (best forward, second
    backward). Returns (value, module, forward label, backward label)."""
    m = base.shape[0]
    best = np.inf
    kb = 0
    wf = 0
    wb = 0
    for k in range(m):
        if p1[k] < 0 or q1[k] < 0 or p1[k] != q1[k]:
            v = f1[k] + b1[k] - base[k]
            a = 0
            b = 0
        elif f1[k] + b2[k] <= f2[k] + b1[k]:
            v = f1[k] + b2[k] - base[k]
            a = 0
            b = 1
        else:
            v = f2[k] + b1[k] - base[k]
            a = 1
            b = 0
        if v < best:
            best = v
            kb = k
            wf = a
            wb = b
    return best, kb, wf, wb


class BoundInterrupted(Exception):
    """The half-DP pool takes no more work (the pool or the interpreter shut down): the
    ascent ends with its best bound so far, as if cancelled."""


class SplitDP:
    """The same walk DP as :func:`walk_dp` (same value), computed as a forward half up to
    the middle slot and a backward half from the last slot down to it, on two threads
    (numba releases the GIL), joined at the middle: about half the wall time of one DP
    when two cores are free, and the bound's share of a busy CPU is two threads'."""

    def __init__(self, C: np.ndarray, D: np.ndarray, lam: np.ndarray,
                 pool: ThreadPoolExecutor | None = None) -> None:
        n = C.shape[0]
        self.n = n
        self.h = h = n // 2
        self.C = C
        self.Cf = np.ascontiguousarray(C[:h + 1])
        self.Cb = np.ascontiguousarray(C[h:][::-1])
        self.lf = np.ascontiguousarray(lam[:h], dtype=float)
        self.lb = np.ascontiguousarray(lam[h:][::-1], dtype=float)
        self.fwd = prepare_dp(D)
        self.bwd = prepare_dp(np.ascontiguousarray(D.T))
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
            dt, order, sorted_d = self.bwd
            job = self._submit(plain_labels, self.Cb, mu, self.lb, dt, order, sorted_d)
            f, pf = plain_labels(self.Cf, mu, self.lf, *self.fwd)
            b, pb = job.result()
        else:
            f, pf = plain_labels(self.Cf, mu, self.lf, *self.fwd)
            b, pb = plain_labels(self.Cb, mu, self.lb, *self.bwd)
        v = f + b - (self.C[self.h] + mu)
        k = int(np.argmin(v))
        left = plain_backtrack(pf, k)
        right = plain_backtrack(pb, k)[::-1]
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
                     deflection: float = 0.7,
                     target_margin: float = 0.03, start: tuple | None = None,
                     threads: int = 1, plain_first: bool = True, plain_window: int = 20,
                     plain_tol: float = 1e-4) -> BoundResult:
    """C, D finite (penalties for forbidden). ``upper``: a known objective value, or a
    callable returning the best one known so far (the Polyak target). ``start``: (prices,
    step factor) of an earlier run on the same costs (``BoundResult.state``): the ascent
    continues from there instead of from the Gilmore-Lawler duals. ``threads`` = 2: each
    DP as two halves on two threads (:class:`SplitDP`, the same values). ``plain_first``
    (a cold start only): the first iterations on the plain walk relaxation, until its best
    value gained less than ``plain_tol`` (relative) over ``plain_window`` iterations, or
    half of ``iterations`` were spent (module docstring, item 3)."""
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
    plain: Callable[[np.ndarray], tuple[float, np.ndarray]] | None
    if threads >= 2 and n >= 4:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dm-bound-half")
        split = SplitDP(C, D, lam, pool)
        dp: Callable[[np.ndarray], tuple[float, np.ndarray]] = split
        plain = split.plain
    else:
        DT, order, sortedD = prepare_dp(D)

        def dp(prices: np.ndarray) -> tuple[float, np.ndarray]:
            return walk_dp(C, prices, lam, DT, order, sortedD, True)

        def plain(prices: np.ndarray) -> tuple[float, np.ndarray]:
            val, walk = plain_walk_dp(C, prices, lam, DT, order, sortedD)
            return float(val), walk
    if not plain_first or start is not None:
        plain = None                     # warm prices: straight to the 2-cycle DP
    try:
        return _ascent(C, upper, dp, mu, theta, gl, t0, iterations, time_limit,
                       token, on_iteration, patience, deflection, target_margin,
                       plain, plain_window, plain_tol)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _ascent(C: np.ndarray, upper: float | Callable[[], float],
            dp: Callable[[np.ndarray], tuple[float, np.ndarray]], mu: np.ndarray, theta: float,
            gl: float, t0: float, iterations: int, time_limit: float, token: Any,
            on_iteration: Callable[[int, float], None] | None, patience: int, deflection: float,
            target_margin: float,
            plain: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
            plain_window: int = 20, plain_tol: float = 1e-4) -> BoundResult:
    m = C.shape[1]
    plain_best: list[float] = []          # the plain phase's best value per iteration
    phase_best = -np.inf                  # the current phase's best (step control)
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
            val, walk = (plain or dp)(mu)
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
        if lval > phase_best + 1e-9:
            phase_best = lval
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                theta *= 0.5
                stall = 0
        if plain is not None:
            plain_best.append(phase_best)
            k = len(plain_best)
            if 2 * k >= iterations or theta < 1e-2 or (k > plain_window and plain_best[-1] - plain_best[
                    -1 - plain_window] < plain_tol * abs(plain_best[-1])):
                plain = None              # levelled off: on with the 2-cycle DP
                last_s *= 2.0             # its iterations take about twice as long
                phase_best = -np.inf
                theta = max(theta, 0.5)
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
