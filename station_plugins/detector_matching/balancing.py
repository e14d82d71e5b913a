"""Spec balancing of batch mode (see :mod:`.batch`): detectors' costs, exact run and
stock exchange deltas, and the best-improvement search that minimises the total excess
over spec.

A move exchanges a run of up to ``MAX_RUN`` slots between two detectors at the same slot
positions (each keeps its own slot weights) or a module with one in stock. Each move is
the best of all: for every failing detector its run exchanges with every other detector
(all runs of a pair at once from prefix sums, all pairs of the detector at once) and
with the stock. What a move leaves unchanged is kept for the next (only the one or two
moved detectors' rows, the stock after a stock move, are computed again), so the search
picks exactly the moves of a plain pair-by-pair search, several times faster.
Deterministic: no randomness, ties go to the first detector and the first run.
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import Callable

import numpy as np

from app.core.errors import Cancelled
from app.core.tasks import CancelToken

MAX_RUN = 128          # longest run of slots exchanged between two detectors


def detector_costs(C1: np.ndarray, D: np.ndarray, lam1: np.ndarray, dets: np.ndarray
                   ) -> np.ndarray:
    """(K,) cost of each detector row of ``dets`` (K, n) (candidate indices)."""
    n = dets.shape[1]
    f = C1[np.arange(n)[None, :], dets].sum(axis=1)
    if n > 1:
        f = f + (lam1[None, :] * D[dets[:, :-1], dets[:, 1:]]).sum(axis=1)
    return f


@lru_cache(maxsize=8)
def _runs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run (s, e) of 1..MAX_RUN slots of n, except the whole detector."""
    s, e = np.triu_indices(n)
    keep = (e - s < MAX_RUN) & ~((s == 0) & (e == n - 1))
    s, e = s[keep], e[keep]
    s.flags.writeable = e.flags.writeable = False
    return s, e


def _run_exchange(C1: np.ndarray, D: np.ndarray, lam1: np.ndarray, A: np.ndarray,
                  B: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cost changes (da, db) of exchanging slots s..e between detectors A and B, for all
    runs (s, e) with 1 <= e - s + 1 <= MAX_RUN, except the whole detector."""
    s, e, da, db = _run_exchange_many(C1, D, lam1, A, B[None, :])
    return s, e, da[0], db[0]


def _run_exchange_many(C1: np.ndarray, D: np.ndarray, lam1: np.ndarray, A: np.ndarray,
                       Bs: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_run_exchange` of A with every row of ``Bs`` (K', n) at once: da, db are
    (K', runs); the same arithmetic, element by element."""
    n = A.shape[0]
    r = np.arange(n)
    ca, cb = C1[r, A], C1[r[None, :], Bs]
    ea = np.zeros(n)
    eb = np.zeros(Bs.shape)
    if n > 1:
        ea[:-1] = lam1 * D[A[:-1], A[1:]]
        eb[:, :-1] = lam1 * D[Bs[:, :-1], Bs[:, 1:]]
    z1, zk = np.zeros(1), np.zeros((Bs.shape[0], 1))
    pca = np.concatenate([z1, np.cumsum(ca)])
    pcb = np.concatenate([zk, np.cumsum(cb, axis=1)], axis=1)
    pea = np.concatenate([z1, np.cumsum(ea)])
    peb = np.concatenate([zk, np.cumsum(eb, axis=1)], axis=1)
    s, e = _runs(n)
    inner_a = pca[e + 1] - pca[s] + pea[e] - pea[s]
    inner_b = pcb[:, e + 1] - pcb[:, s] + peb[:, e] - peb[:, s]
    # boundary edges: left at s-1|s (0 at the first slot), right at e|e+1 (0 at the last)
    la_old = np.concatenate([z1, ea[:-1]])
    lb_old = np.concatenate([zk, eb[:, :-1]], axis=1)
    la_new = np.zeros(Bs.shape)
    lb_new = np.zeros(Bs.shape)
    ra_new = np.zeros(Bs.shape)
    rb_new = np.zeros(Bs.shape)
    if n > 1:
        la_new[:, 1:] = lam1 * D[A[None, :-1], Bs[:, 1:]]   # A's left neighbour, B's run
        lb_new[:, 1:] = lam1 * D[Bs[:, :-1], A[None, 1:]]
        ra_new[:, :-1] = lam1 * D[Bs[:, :-1], A[None, 1:]]  # B's run, A's right neighbour
        rb_new[:, :-1] = lam1 * D[A[None, :-1], Bs[:, 1:]]
    da = inner_b - inner_a - la_old[s] + la_new[:, s] - ea[e] + ra_new[:, e]
    db = inner_a - inner_b - lb_old[:, s] + lb_new[:, s] - eb[:, e] + rb_new[:, e]
    return s, e, da, db


def _stock_exchange(C1: np.ndarray, D: np.ndarray, lam1: np.ndarray, A: np.ndarray,
                    stock: np.ndarray) -> np.ndarray:
    """(n, q) cost change of putting stock module q into slot t of detector A."""
    n = A.shape[0]
    r = np.arange(n)
    delta = C1[np.ix_(r, stock)] - C1[r, A][:, None]
    if n > 1:
        left = np.zeros((n, stock.size))
        left[1:] = lam1[:, None] * (D[np.ix_(A[:-1], stock)] - D[A[:-1], A[1:]][:, None])
        right = np.zeros((n, stock.size))
        right[:-1] = lam1[:, None] * (D[np.ix_(stock, A[1:])].T - D[A[:-1], A[1:]][:, None])
        delta = delta + left + right
    return delta


def balance(C1: np.ndarray, D: np.ndarray, lam1: np.ndarray, dets: np.ndarray,
            stock: np.ndarray, limit: float, donors: set[int] | None = None, *,
            max_moves: int = 10_000, token: CancelToken | None = None,
            deadline: float | None = None,
            clock: Callable[[], float] = time.perf_counter) -> dict:
    """Minimise the total excess over ``limit`` of the non-donor detectors in place
    (``dets`` (K, n), ``stock`` the modules in stock). Returns what was done.
    ``deadline`` (a ``clock()`` value): no move is searched that would end after it (the
    last one's duration is the estimate); every state on the way is valid."""
    donors = set() if donors is None else donors
    K = dets.shape[0]
    f = detector_costs(C1, D, lam1, dets)
    moves = {"run_exchange": 0, "stock_exchange": 0}
    cut = False
    last = 0.0                       # seconds of the last move search
    s, e = _runs(dets.shape[1])
    # kept between moves (a move changes one or two detectors, and the stock on a stock
    # exchange; only what depends on them is computed again): per failing detector a,
    # its run exchanges with every detector b (rows) and per b the best-scoring run;
    # its best stock exchange
    exch: dict[int, tuple[np.ndarray, np.ndarray, set[int]]] = {}
    rowbest: dict[int, tuple[np.ndarray, ...]] = {}
    dirty: dict[int, set[int]] = {}
    stock_best: dict[int, tuple | None] = {}

    def excess(k: int, value: float) -> float:
        return 0.0 if k in donors else max(0.0, value - limit)

    def exchanges(a: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if a not in exch:
            _, _, da_all, db_all = _run_exchange_many(C1, D, lam1, dets[a], dets)
            exch[a] = (da_all, db_all, set())
        da_all, db_all, stale = exch[a]
        if stale:
            old = np.array(sorted(stale), dtype=np.int64)
            _, _, da_all[old], db_all[old] = _run_exchange_many(C1, D, lam1, dets[a],
                                                                dets[old])
            stale.clear()
        return da_all[rows], db_all[rows]

    def run_rows(a: int) -> tuple[np.ndarray, ...]:
        """Per detector b: the best-scoring run exchange of a with b (score, run, whether
        it lowers the excess, a's and b's new costs)."""
        if a not in rowbest:
            rowbest[a] = (np.full(K, np.inf), np.zeros(K, dtype=np.int64),
                          np.zeros(K, dtype=bool), np.zeros(K), np.zeros(K))
            dirty[a] = set(range(K)) - {a}
        row_score, row_i, usable, row_fa, row_fb = rowbest[a]
        if dirty[a]:
            rows = np.array(sorted(dirty[a]), dtype=np.int64)
            dirty[a].clear()
            da, db = exchanges(a, rows)
            fa, fb = f[a] + da, f[rows][:, None] + db
            ok = np.isfinite(fa) & np.isfinite(fb)
            donor_b = np.array([b in donors for b in rows])[:, None]
            new_ex = np.maximum(fa - limit, 0.0) + np.where(
                donor_b, 0.0, np.maximum(fb - limit, 0.0))
            ex_b = np.array([excess(int(b), f[b]) for b in rows])[:, None]
            gain = new_ex - excess(a, f[a]) - ex_b
            score = np.where(ok, gain + 1e-6 * (da + db), np.inf)
            r = np.arange(rows.size)
            i = np.argmin(score, axis=1)
            row_score[rows], row_i[rows] = score[r, i], i
            usable[rows] = ok.any(axis=1) & (gain[r, i] < -1e-9)
            row_fa[rows], row_fb[rows] = fa[r, i], fb[r, i]
        return row_score, row_i, usable, row_fa, row_fb

    def stock_move(a: int) -> tuple | None:
        if a not in stock_best:
            delta = _stock_exchange(C1, D, lam1, dets[a], stock)
            fa = f[a] + delta
            gain = np.maximum(fa - limit, 0.0) - excess(a, f[a])
            score = np.where(np.isfinite(fa), gain + 1e-6 * delta, np.inf)
            t, q = np.unravel_index(int(np.argmin(score)), score.shape)
            stock_best[a] = ((float(score[t, q]), "stock", (a, int(t), int(q),
                                                            float(fa[t, q])))
                             if gain[t, q] < -1e-9 else None)
        return stock_best[a]

    def changed(ks: tuple[int, ...], stock_changed: bool) -> None:
        for cache in (exch, rowbest):
            for a in list(cache):
                if a in ks:
                    del cache[a]
                elif cache is exch:
                    exch[a][2].update(ks)
                else:
                    dirty[a].update(ks)
        for a in (list(stock_best) if stock_changed else ks):
            stock_best.pop(a, None)

    for _ in range(max_moves):
        if token is not None and token.cancelled:
            raise Cancelled("Batch balancing cancelled.")
        failing = [k for k in range(K) if k not in donors and f[k] > limit + 1e-9]
        if not failing:
            break
        t_move = clock()
        if deadline is not None and t_move + last > deadline:
            cut = True
            break
        best: tuple[float, str, tuple] | None = None   # (score, kind, data)
        for a in failing:
            if K > 1:            # per detector b its best-scoring run, taken if it lowers
                # the excess; the lowest such score wins, the first b on a tie
                row_score, row_i, usable, row_fa, row_fb = run_rows(a)
                mask = usable.copy()
                mask[a] = False
                if mask.any():
                    b = int(np.argmin(np.where(mask, row_score, np.inf)))
                    if best is None or row_score[b] < best[0]:
                        i = int(row_i[b])
                        best = (float(row_score[b]), "run",
                                (a, b, int(s[i]), int(e[i]), float(row_fa[b]),
                                 float(row_fb[b])))
            if stock.size:
                cand = stock_move(a)
                if cand is not None and (best is None or cand[0] < best[0]):
                    best = cand
        last = clock() - t_move
        if best is None:
            if len(failing) < 2:
                break
            worst = max(failing, key=lambda k: f[k])
            donors.add(worst)            # give it up: its modules may rescue the others
            for a in rowbest:            # its excess no longer counts for the others
                if a != worst:
                    dirty[a].add(worst)
            continue
        if best[1] == "run":
            a, b, s0, e0, fa, fb = best[2]
            tmp = dets[a, s0:e0 + 1].copy()
            dets[a, s0:e0 + 1] = dets[b, s0:e0 + 1]
            dets[b, s0:e0 + 1] = tmp
            f[a], f[b] = fa, fb
            changed((a, b), False)
            moves["run_exchange"] += 1
        else:
            a, t, q, fa = best[2]
            out = dets[a, t]
            dets[a, t] = stock[q]
            stock[q] = out
            f[a] = fa
            changed((a,), True)
            moves["stock_exchange"] += 1
    return {"moves": moves, "donors": sorted(donors), "cut_by_time": cut}
