"""The Lagrangian bound's compiled walk DPs (numba, cache=True, nogil): the layered
Viterbi DP over the slots with the 2-cycle rule (:func:`walk_labels`, :func:`walk_dp`,
:func:`backtrack`), the plain walk relaxation's dense DP (:func:`dense_costs`,
:func:`plain_labels`, :func:`plain_walk_dp`, :func:`plain_backtrack`), and the join of a forward and a
backward half at the middle slot (:func:`join_halves`). The bound itself (prices,
subgradient ascent, the two-thread split) is :mod:`station_plugins.detector_matching.bounds`
(its module docstring, items 2 and 3), which re-exports every kernel here.

All kernels of the bound are in this one module: numba's cache checks a kernel against
its own source file only, so a kernel calling a kernel of another file would keep stale
machine code when that file changes.
"""
from __future__ import annotations

import numpy as np
from numba import njit


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


def dense_costs(D: np.ndarray) -> np.ndarray:
    """D for the dense plain DP: float64, C-contiguous, +inf on the diagonal (i -> i)."""
    Dx = np.array(D, dtype=np.float64, order="C", copy=True)
    np.fill_diagonal(Dx, np.inf)
    return Dx


@njit(cache=True, nogil=True)
def plain_labels(C, mu, lam, Dx):
    """The plain walk relaxation's layered DP (only i -> i forbidden): F[s, k] = the
    cheapest walk over slots 0..s that ends at module k. Session 31: every predecessor of
    every node, as a min-plus product the compiler vectorises (``Dx``: :func:`dense_costs`,
    row j = the edges leaving module j; the inner loop runs over the successors k, so
    both rows are contiguous and the running minimum is a vector ``min``), 3x faster
    than the threshold scan over two sorted lists it replaced (which read 38-57
    predecessors per node but in a branchy, gathered order). IEEE arithmetic (no
    fastmath), so :func:`plain_backtrack` recomputes exactly the same sums."""
    n, m = C.shape
    F = np.empty((n, m))
    for k in range(m):
        F[0, k] = C[0, k] + mu[k]
    A = np.empty(m)
    B = np.empty(m)
    for s in range(1, n):
        L = lam[s - 1]
        for k in range(m):
            A[k] = np.inf
        if L > 0.0:
            for j in range(m):
                fj = F[s - 1, j]
                Dj = Dx[j]
                for k in range(m):          # B, A swap: a store every lane (no mask)
                    a = A[k]
                    b = fj + L * Dj[k]
                    B[k] = a if a < b else b
                A, B = B, A
        else:                               # 0 * inf: the diagonal skipped by index
            for j in range(m):
                fj = F[s - 1, j]
                for k in range(m):
                    if k != j:
                        b = fj + L * Dx[j, k]
                        if b < A[k]:
                            A[k] = b
        for k in range(m):
            F[s, k] = C[s, k] + mu[k] + A[k]
    return F


@njit(cache=True, nogil=True)
def plain_backtrack(F, lam, Dx, k):
    """The walk (first slot first) that ends at module k of F's last slot: each
    predecessor recomputed as in :func:`plain_labels` (the same sums, so the same
    minimum; the first on ties)."""
    n, m = F.shape
    walk = np.full(n, -1, dtype=np.int64)
    for s in range(n - 1, -1, -1):
        walk[s] = k
        if s > 0:
            L = lam[s - 1]
            best = np.inf
            jb = -1
            for j in range(m):
                if j != k:
                    v = F[s - 1, j] + L * Dx[j, k]
                    if v < best:
                        best = v
                        jb = j
            k = jb
    return walk


@njit(cache=True, nogil=True)
def plain_walk_dp(C, mu, lam, Dx):
    """Cheapest walk without immediate repeats (2-cycles allowed); returns (value, walk)."""
    F = plain_labels(C, mu, lam, Dx)
    n = F.shape[0]
    k = np.argmin(F[n - 1])
    return F[n - 1, k], plain_backtrack(F, lam, Dx, k)


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
