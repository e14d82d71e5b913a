"""Start arrangements and the exact large-neighbourhood polisher.

* linear assignment on the slot costs alone (what a spreadsheet would do);
* the engineer's greedy chain: best module in the centre slot, then grow outwards,
  alternating right and left, each time taking the module that adds least;
* odd/even (and mod-3) exact LAP: with every k-th slot's neighbours held, the modules
  of those slots and the spares are re-assigned optimally in one LAP.
All work on finite matrices (forbidden = large penalty) and on ``perm`` arrays
(first n entries = slots, rest = spares). The LAPs are the compiled Hungarian of
:mod:`lap` (as fast as SciPy's here: 0.4 ms for 200 x 240); SciPy's ``optimize`` is not
imported, which took 0.5-0.7 s of every run's start-up (issue 21).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from station_plugins.detector_matching.lap import hungarian


def complete_perm(slots: np.ndarray, m: int) -> np.ndarray:
    used = np.zeros(m, dtype=bool)
    used[slots] = True
    return np.concatenate([np.asarray(slots, dtype=np.int64),
                           np.flatnonzero(~used).astype(np.int64)])


def lap_seed(C: np.ndarray) -> np.ndarray:
    cols = hungarian(np.ascontiguousarray(C, dtype=float))[0]
    return complete_perm(cols, C.shape[1])


def greedy_chain(C: np.ndarray, D: np.ndarray, lam: np.ndarray, fixed: np.ndarray
                 ) -> np.ndarray:
    n, m = C.shape
    slots = np.full(n, -1, dtype=np.int64)
    used = np.zeros(m, dtype=bool)
    for s in np.flatnonzero(fixed >= 0):
        slots[s] = fixed[s]
        used[fixed[s]] = True
    centre = n // 2
    if slots[centre] < 0:
        cand = np.where(used, np.inf, C[centre])
        slots[centre] = int(np.argmin(cand))
        used[slots[centre]] = True
    lo = hi = centre
    while lo > 0 or hi < n - 1:
        for side in (1, -1):
            if side == 1 and hi < n - 1:
                hi += 1
                s, prev = hi, slots[hi - 1]
                if slots[s] < 0:
                    add = C[s] + lam[s - 1] * D[prev]
                    if s + 1 < n and slots[s + 1] >= 0:
                        add = add + lam[s] * D[:, slots[s + 1]]
            elif side == -1 and lo > 0:
                lo -= 1
                s, prev = lo, slots[lo + 1]
                if slots[s] < 0:
                    add = C[s] + lam[s] * D[:, prev]
                    if s - 1 >= 0 and slots[s - 1] >= 0:
                        add = add + lam[s - 1] * D[slots[s - 1]]
            else:
                continue
            if slots[s] < 0:
                add = np.where(used, np.inf, add)
                slots[s] = int(np.argmin(add))
                used[slots[s]] = True
    return complete_perm(slots, m)


def lap_polish(perm: np.ndarray, C: np.ndarray, D: np.ndarray, lam: np.ndarray,
               fixed: np.ndarray, *, max_rounds: int = 50, token: Any = None,
               deadline: float | None = None, lap_estimate: float = 0.0) -> np.ndarray:
    """Alternate exact LAPs over every 2nd and every 3rd slot until no gain (or until
    ``deadline``, a ``time.perf_counter()`` value: the next LAP would end after it;
    ``lap_estimate``: the expected time of the first one)."""
    import time
    perm = perm.copy()
    n, m = C.shape
    free = fixed < 0
    stale = 0
    last = lap_estimate                 # duration of the last LAP (first: an estimate)
    patterns = [(2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
    for rnd in range(max_rounds * len(patterns)):
        if token is not None and token.cancelled:
            break
        t_lap = time.perf_counter()
        if deadline is not None and t_lap + last > deadline:
            break
        k, r = patterns[rnd % len(patterns)]
        pos = np.flatnonzero(free & (np.arange(n) % k == r))
        if pos.size == 0:
            continue
        movable = np.concatenate([perm[pos], perm[n:]])
        cost = C[np.ix_(pos, movable)].copy()
        left = pos - 1
        has_left = left >= 0
        cost[has_left] += lam[left[has_left], None] * D[np.ix_(perm[left[has_left]], movable)]
        right = pos + 1
        has_right = right < n
        cost[has_right] += lam[pos[has_right], None] * D[np.ix_(movable, perm[right[has_right]])].T
        current = cost[np.arange(pos.size), np.arange(pos.size)].sum()
        cols = hungarian(cost)[0]            # rows <= columns: every row assigned
        rows = np.arange(pos.size)
        new = cost[rows, cols].sum()
        last = time.perf_counter() - t_lap
        if new < current - 1e-9 * max(1.0, abs(current)):
            chosen = movable[cols]
            perm[pos[rows]] = chosen
            spare_set = np.ones(m, dtype=bool)
            spare_set[perm[:n]] = False
            perm[n:] = np.flatnonzero(spare_set)
            stale = 0
        else:
            stale += 1
            if stale >= len(patterns):
                break
    return perm
