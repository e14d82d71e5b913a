"""Compiled simulated annealing over path arrangements (numba, cache=True, nogil).

State: ``perm`` (length m; positions 0..n-1 are the slots, n..m-1 the spares) and its
inverse ``pos``. Moves, each with an O(1) delta (O(L), L <= max_seg, for segments):
  swap two free slots (near or anywhere); spare exchange; segment reversal;
  block shift (rotate a segment: or-opt); spare insertion (a spare enters, the segment
  shifts, the module at the far end leaves); and candidate-list guided moves that make
  a module's best successor / predecessor (by d) its neighbour: by swap, or by moving a
  short segment that starts (ends) at it next to the module from ANY distance (or-opt
  across the whole arc: the stretch in between shifts by the segment's length, an
  O(distance) delta; this long-range move is what finds the neighbour structure that
  window-limited moves miss: 36 M moves went from 1.0 % to -0.2 % of the earlier best
  known at 400 slots).
Costs arrive with +inf replaced by a large finite penalty. Deterministic: a xorshift64*
generator is seeded (splitmix64 of the chunk seed) at the start of every chunk.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _edge(perm, lam, D, n, p):
    if p < 0 or p >= n - 1:
        return 0.0
    return lam[p] * D[perm[p], perm[p + 1]]


@njit(cache=True, nogil=True)
def path_cost(perm, C, D, lam, n):
    total = 0.0
    for s in range(n):
        total += C[s, perm[s]]
    for s in range(n - 1):
        total += lam[s] * D[perm[s], perm[s + 1]]
    return total


@njit(cache=True, nogil=True)
def _swap_delta(perm, C, D, lam, n, a, b):
    """Delta of swapping slots a < b (perm left unchanged)."""
    x = perm[a]
    y = perm[b]
    delta = C[a, y] + C[b, x] - C[a, x] - C[b, y]
    if a > 0:
        delta += lam[a - 1] * (D[perm[a - 1], y] - D[perm[a - 1], x])
    if b == a + 1:
        delta += lam[a] * (D[y, x] - D[x, y])
    else:
        delta += lam[a] * (D[y, perm[a + 1]] - D[x, perm[a + 1]])
        delta += lam[b - 1] * (D[perm[b - 1], x] - D[perm[b - 1], y])
    if b < n - 1:
        delta += lam[b] * (D[x, perm[b + 1]] - D[y, perm[b + 1]])
    return delta


@njit(cache=True, nogil=True)
def _exchange_delta(perm, C, D, lam, n, a, qp):
    """Delta of putting the spare at position qp into slot a."""
    x = perm[a]
    q = perm[qp]
    delta = C[a, q] - C[a, x]
    if a > 0:
        delta += lam[a - 1] * (D[perm[a - 1], q] - D[perm[a - 1], x])
    if a < n - 1:
        delta += lam[a] * (D[q, perm[a + 1]] - D[x, perm[a + 1]])
    return delta


@njit(cache=True, nogil=True)
def _apply_swap(perm, pos, a, b):
    x = perm[a]
    y = perm[b]
    perm[a] = y
    perm[b] = x
    pos[y] = a
    pos[x] = b


@njit(cache=True, nogil=True)
def _seg_module(perm, kind, a, b, k, q, s):
    """Module at slot s after a segment move on [a, b]: kind 2 reverse, 3 rotate by k
    (slot s takes the module from a + (s - a + k) mod L), 4 the module q enters at a."""
    if s < a or s > b:
        return perm[s]
    if kind == 2:
        return perm[a + b - s]
    if kind == 3:
        return perm[a + (s - a + k) % (b - a + 1)]
    if s == a:
        return q
    return perm[s - 1]


@njit(cache=True, nogil=True)
def _seg_delta(perm, C, D, lam, n, kind, a, b, k, q):
    """Delta of a segment move on [a, b] (see :func:`_seg_module`), in one pass that
    produces the new module sequence incrementally (no per-element case analysis)."""
    L = b - a + 1
    j = k % L if kind == 3 else 0          # rotation: source offset of slot a
    delta = 0.0
    prev = -1
    for s in range(a, b + 1):
        if kind == 2:
            ns = perm[a + b - s]
        elif kind == 3:
            ns = perm[a + j]
            j += 1
            if j == L:
                j = 0
        else:
            ns = q if s == a else perm[s - 1]
        os_ = perm[s]
        delta += C[s, ns] - C[s, os_]
        if s > a:
            delta += lam[s - 1] * (D[prev, ns] - D[perm[s - 1], os_])
        else:
            first = ns
        prev = ns
    if a > 0:
        delta += lam[a - 1] * (D[perm[a - 1], first] - D[perm[a - 1], perm[a]])
    if b < n - 1:
        delta += lam[b] * (D[prev, perm[b + 1]] - D[perm[b], perm[b + 1]])
    return delta


@njit(cache=True, nogil=True)
def _refresh_edges(perm, D, E, n, lo, hi):
    """E[s] = d[perm[s], perm[s+1]] again for the edges touching slots lo..hi."""
    s0 = lo - 1 if lo > 0 else 0
    s1 = hi if hi < n - 1 else n - 2
    for s in range(s0, s1 + 1):
        E[s] = D[perm[s], perm[s + 1]]


# reassociation lets these two sums use SIMD lanes (measured 5x on the 130-slot stretch
# of a typical long or-opt); the result is deterministic for a given CPU, and its last
# bits may differ from a sequential sum
_REDUCE = {"reassoc", "nsz", "contract"}


@njit(cache=True, nogil=True, fastmath=_REDUCE)
def _edge_shift(lam, E, s0, s1, off):
    """sum over s0 <= s < s1 of (lam[s + off] - lam[s]) * E[s]: the weight change of
    edges that move by ``off`` slots with their module pair. (Slices indexed from 0: with
    a signed offset in the index the loop would not vectorise.)"""
    if s1 <= s0:
        return 0.0
    to = lam[s0 + off:s1 + off]
    fr = lam[s0:s1]
    e = E[s0:s1]
    acc = 0.0
    for t in range(s1 - s0):
        acc += (to[t] - fr[t]) * e[t]
    return acc


@njit(cache=True, nogil=True, fastmath=_REDUCE)
def _slot_shift(perm, CT, s0, s1, off):
    """sum over s0 <= s < s1 of C[s + off, perm[s]] - C[s, perm[s]] (read from CT)."""
    acc = 0.0
    for s in range(s0, s1):
        x = perm[s]
        acc += CT[x, s + off] - CT[x, s]
    return acc


@njit(cache=True, nogil=True)
def _rot_edges(perm, D, E, lam, n, lo, hi, k):
    """Edge part of rotating [lo, hi] by k (see :func:`_rot_delta`): the blocks' inner
    edges keep their module pair and change only their weight (summed from E), and the
    three edges at the block ends are replaced."""
    W = hi - lo + 1
    sa = W - k
    delta = _edge_shift(lam, E, lo, lo + k - 1, sa) + _edge_shift(lam, E, lo + k, hi, -k)
    a_first = perm[lo]
    a_last = perm[lo + k - 1]
    b_first = perm[lo + k]
    b_last = perm[hi]
    if lo > 0:
        delta += lam[lo - 1] * (D[perm[lo - 1], b_first] - E[lo - 1])
    delta += lam[lo + W - k - 1] * D[b_last, a_first] - lam[lo + k - 1] * E[lo + k - 1]
    if hi < n - 1:
        delta += lam[hi] * (D[a_last, perm[hi + 1]] - E[hi])
    return delta


@njit(cache=True, nogil=True)
def _rot_delta(perm, CT, D, E, lam, n, lo, hi, k):
    """Delta of rotating [lo, hi] by k (slot lo takes the module from lo + k): block A =
    [lo, lo+k) moves right by W - k, block B = [lo+k, hi] moves left by k. Each slot costs
    one module-major read of CT (= C transposed: the old and the new slot of a module that
    moves a few slots share a cache line) and one sequential read of E (the current edge
    costs): the long-distance or-opt stays cheap (same value as ``_seg_delta(kind 3)``)."""
    sa = hi - lo + 1 - k                     # shift of block A
    return (_rot_edges(perm, D, E, lam, n, lo, hi, k)
            + _slot_shift(perm, CT, lo, lo + k, sa) + _slot_shift(perm, CT, lo + k, hi + 1, -k))


def shift_bounds(C: np.ndarray, max_len: int) -> np.ndarray:
    """(2, max_len, n + 1) prefix sums of the cheapest slot-cost change of moving a
    module from slot u to u + L (index 0) or u - L (index 1), minimum over ALL modules:
    a valid lower bound on the slot-cost change of a stretch shifted by L slots (used to
    reject a long or-opt without reading the stretch's slot costs)."""
    n = C.shape[0]
    max_len = max(1, min(max_len, max(n - 1, 1)))
    out = np.zeros((2, max_len, n + 1))
    for L in range(1, max_len + 1):
        if n <= L:
            break
        right = np.zeros(n)
        right[:n - L] = (C[L:] - C[:n - L]).min(axis=1)       # u -> u + L
        left = np.zeros(n)
        left[L:] = (C[:n - L] - C[L:]).min(axis=1)            # u -> u - L
        out[0, L - 1, 1:] = np.cumsum(right)
        out[1, L - 1, 1:] = np.cumsum(left)
    return out


@njit(cache=True, nogil=True)
def _rot_delta_screened(perm, CT, D, E, lam, n, lo, hi, k, stretch_a, L, SB, thr):
    """:func:`_rot_delta` for a guided or-opt whose stretch (block A moving right by L
    when ``stretch_a``, else block B moving left by L = k) is long: everything but the
    stretch's slot costs is summed first (edges from E: sequential), the stretch's slot
    costs are bounded from below by ``SB`` (see :func:`shift_bounds`); when even that
    bound is above the acceptance threshold ``thr`` the move is rejected (returns +inf)
    without reading them. Otherwise the exact delta."""
    sa = hi - lo + 1 - k
    delta = _rot_edges(perm, D, E, lam, n, lo, hi, k)
    if stretch_a:                            # segment = block B, moving left by k
        delta += _slot_shift(perm, CT, lo + k, hi + 1, -k)
        bound = SB[0, L - 1, lo + k] - SB[0, L - 1, lo]
        if delta + bound > thr + 1e-9 * (1.0 + abs(thr)):
            return np.inf
        delta += _slot_shift(perm, CT, lo, lo + k, sa)
    else:                                    # segment = block A, moving right by W - k
        delta += _slot_shift(perm, CT, lo, lo + k, sa)
        bound = SB[1, L - 1, hi + 1] - SB[1, L - 1, lo + k]
        if delta + bound > thr + 1e-9 * (1.0 + abs(thr)):
            return np.inf
        delta += _slot_shift(perm, CT, lo + k, hi + 1, -k)
    return delta


@njit(cache=True, nogil=True)
def _apply_seg(perm, pos, tmp, kind, a, b, k, q, qp):
    for s in range(a, b + 1):
        tmp[s - a] = _seg_module(perm, kind, a, b, k, q, s)
    out = perm[b]
    for s in range(a, b + 1):
        perm[s] = tmp[s - a]
        pos[perm[s]] = s
    if kind == 4:
        perm[qp] = out
        pos[out] = qp


@njit(cache=True, nogil=True)
def _block_swap_delta(perm, C, D, lam, n, a, b, L):
    """Delta of exchanging blocks [a, a+L) and [b, b+L), a + L <= b. Inner edges keep
    their module pairs and change only their boundary weight."""
    delta = 0.0
    for t in range(L):
        x = perm[a + t]
        y = perm[b + t]
        delta += C[a + t, y] + C[b + t, x] - C[a + t, x] - C[b + t, y]
    for t in range(L - 1):
        dx = D[perm[a + t], perm[a + t + 1]]
        dy = D[perm[b + t], perm[b + t + 1]]
        delta += (lam[a + t] - lam[b + t]) * (dy - dx)
    if a > 0:
        delta += lam[a - 1] * (D[perm[a - 1], perm[b]] - D[perm[a - 1], perm[a]])
    if b + L < n:
        delta += lam[b + L - 1] * (D[perm[a + L - 1], perm[b + L]]
                                   - D[perm[b + L - 1], perm[b + L]])
    p = a + L - 1
    if b == p + 1:                          # adjacent blocks: one edge between them
        delta += lam[p] * (D[perm[b + L - 1], perm[a]] - D[perm[p], perm[b]])
    else:
        delta += lam[p] * (D[perm[b + L - 1], perm[p + 1]] - D[perm[p], perm[p + 1]])
        delta += lam[b - 1] * (D[perm[b - 1], perm[a]] - D[perm[b - 1], perm[b]])
    return delta


@njit(cache=True, nogil=True)
def _apply_block_swap(perm, pos, a, b, L):
    for t in range(L):
        x = perm[a + t]
        y = perm[b + t]
        perm[a + t] = y
        perm[b + t] = x
        pos[y] = a + t
        pos[x] = b + t


@njit(cache=True, nogil=True)
def _seed_state(seed):
    """xorshift64* state from a seed (splitmix64), never zero."""
    st = np.empty(1, dtype=np.uint64)
    z = np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    st[0] = z if z != np.uint64(0) else np.uint64(1)
    return st


@njit(cache=True, nogil=True)
def _rand(st):
    """Uniform [0, 1) from a xorshift64* generator (a few ns; numba's Mersenne Twister
    cost about a third of a move)."""
    x = st[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    st[0] = x
    return float((x * np.uint64(0x2545F4914F6CDD1D)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _randint(st, k):
    return int(_rand(st) * k)


@njit(cache=True, nogil=True)
def _accept(delta, T, st):
    return delta <= 0.0 or _rand(st) < np.exp(-delta / T)


@njit(cache=True, nogil=True)
def anneal_chunk(perm, best_perm, C, D, lam, n, fixed_mask, free_pos, next_fixed,
                 out_nb, in_nb, iters, t_start, t_end, seed, max_seg, current, best, mix,
                 guided, CT, SB):
    """``iters`` moves (``mix``: cumulative probabilities of guided, swap, spare exchange,
    block swap, reversal, rotation; the rest is spare insertion) with T geometric from
    t_start to t_end; perm/best_perm in place; every spare may enter. ``guided``:
    (share of guided moves done by swap, longest segment moved, widest stretch shifted);
    ``CT``: C transposed, contiguous; ``SB``: :func:`shift_bounds` (C, longest segment).
    Returns (current cost, best cost, accepted moves)."""
    spare_pos = np.arange(n, perm.shape[0])
    return anneal_region(perm, best_perm, C, D, lam, n, fixed_mask, free_pos, next_fixed,
                         out_nb, in_nb, iters, t_start, t_end, seed, max_seg, current, best,
                         mix, spare_pos, guided, CT, SB)


@njit(cache=True, nogil=True)
def anneal_region(perm, best_perm, C, D, lam, n, fixed_mask, free_pos, next_fixed,
                  out_nb, in_nb, iters, t_start, t_end, seed, max_seg, current, best, mix,
                  spare_pos, guided, CT, SB):
    """As :func:`anneal_chunk`, but only the slots in ``free_pos`` and the spares at
    ``spare_pos`` are touched (read or written, besides the two slots just outside a free
    run, which ``fixed_mask`` must mark fixed). Two calls on disjoint regions can run at
    the same time on one ``perm`` (parallel annealing); pass ``best = -inf`` there (the
    caller tracks the best arrangement between chunks)."""
    st = _seed_state(seed)
    m = perm.shape[0]
    spares = spare_pos.shape[0]
    nf = free_pos.shape[0]
    K = out_nb.shape[1]
    pos = np.full(m, -1, dtype=np.int64)      # only own modules are located
    for t in range(nf):
        pos[perm[free_pos[t]]] = free_pos[t]
    for t in range(spares):
        pos[perm[spare_pos[t]]] = spare_pos[t]
    tmp = np.empty(n + 2, dtype=perm.dtype)
    E = np.empty(max(n - 1, 1))               # current weighted-free edge costs
    _refresh_edges(perm, D, E, n, 0, n - 1)
    g_swap = guided[0]
    g_len = max(1, int(guided[1]))
    g_window = int(guided[2])
    accepted = 0
    if nf < 2:
        return current, best, accepted
    ratio = t_end / t_start
    T = t_start
    for it in range(iters):
        if (it & 1023) == 0:
            T = t_start * ratio ** (it / iters)
        r = _rand(st)
        a = free_pos[_randint(st, nf)]
        delta = 0.0
        if r < mix[0]:
            # guided: bring i's best successor (or predecessor) next to it
            i = perm[a]
            succ = _rand(st) < 0.5
            if succ:
                j = out_nb[i, _randint(st, K)]
                t = a + 1
            else:
                j = in_nb[i, _randint(st, K)]
                t = a - 1
            if t < 0 or t >= n or fixed_mask[t]:
                continue
            b = pos[j]
            if b < 0 or b == t:
                continue
            if b >= n:                                  # j is a spare: exchange
                delta = _exchange_delta(perm, C, D, lam, n, t, b)
                if _accept(delta, T, st):
                    x = perm[t]
                    perm[t] = j
                    pos[j] = t
                    perm[b] = x
                    pos[x] = b
                    _refresh_edges(perm, D, E, n, t, t)
                else:
                    continue
            elif fixed_mask[b]:
                continue
            elif _rand(st) < g_swap:
                lo = min(t, b)
                hi = max(t, b)
                delta = _swap_delta(perm, C, D, lam, n, lo, hi)
                if _accept(delta, T, st):
                    _apply_swap(perm, pos, lo, hi)
                    _refresh_edges(perm, D, E, n, lo, lo)
                    _refresh_edges(perm, D, E, n, hi, hi)
                else:
                    continue
            else:
                # or-opt from any distance: the segment of L modules that starts at j
                # (successor) or ends at j (predecessor) moves next to i; the stretch
                # between shifts by L. A rotation of [lo, hi] (slot lo takes the module
                # from lo + k).
                L = 1 + _randint(st, g_len)
                if succ:
                    if b > a:                       # [b, b+L) goes to a+1
                        lo = a + 1
                        hi = b + L - 1
                        k = b - lo
                        if hi >= n:
                            continue
                    else:                           # [b, b+L) goes to just after a
                        if b + L - 1 >= a:
                            continue
                        lo = b
                        hi = a
                        k = L
                else:
                    if b < a:                       # (b-L, b] goes to just before a
                        lo = b - L + 1
                        hi = a - 1
                        k = L
                        if lo < 0:
                            continue
                    else:                           # (b-L, b] goes to a, i after it
                        if b - L + 1 <= a:
                            continue
                        lo = a
                        hi = b
                        k = hi - lo + 1 - L
                if hi - lo + 1 > g_window or next_fixed[lo] <= hi:
                    continue
                u = _rand(st)
                thr = -T * np.log(u) if u > 0.0 else np.inf
                delta = _rot_delta_screened(perm, CT, D, E, lam, n, lo, hi, k, b > a, L,
                                            SB, thr)
                if delta <= thr:
                    _apply_seg(perm, pos, tmp, 3, lo, hi, k, -1, -1)
                    _refresh_edges(perm, D, E, n, lo, hi)
                else:
                    continue
        elif r < mix[1]:                                # plain swap
            if _rand(st) < 0.5:
                b = a + (_randint(st, 25) - 12)
                if b < 0 or b >= n or b == a or fixed_mask[b]:
                    continue
            else:
                b = free_pos[_randint(st, nf)]
                if b == a:
                    continue
            lo = min(a, b)
            hi = max(a, b)
            delta = _swap_delta(perm, C, D, lam, n, lo, hi)
            if _accept(delta, T, st):
                _apply_swap(perm, pos, lo, hi)
                _refresh_edges(perm, D, E, n, lo, lo)
                _refresh_edges(perm, D, E, n, hi, hi)
            else:
                continue
        elif r < mix[2]:                                # spare exchange
            if spares == 0:
                continue
            qp = spare_pos[_randint(st, spares)]
            delta = _exchange_delta(perm, C, D, lam, n, a, qp)
            if _accept(delta, T, st):
                x = perm[a]
                q = perm[qp]
                perm[a] = q
                pos[q] = a
                perm[qp] = x
                pos[x] = qp
                _refresh_edges(perm, D, E, n, a, a)
            else:
                continue
        elif r < mix[3]:                                # block swap (orientation kept)
            u = _rand(st)
            L = 2 + int((max_seg - 1) * u * u)
            b = free_pos[_randint(st, nf)]
            if a > b:
                a, b = b, a
            if b - a < L or b + L > n or next_fixed[a] < a + L or next_fixed[b] < b + L:
                continue
            delta = _block_swap_delta(perm, C, D, lam, n, a, b, L)
            if _accept(delta, T, st):
                _apply_block_swap(perm, pos, a, b, L)
                _refresh_edges(perm, D, E, n, a, a + L - 1)
                _refresh_edges(perm, D, E, n, b, b + L - 1)
            else:
                continue
        else:                                           # segment moves
            u = _rand(st)
            L = 2 + int((max_seg - 1) * u * u)
            b = a + L - 1
            if b >= n or next_fixed[a] <= b:
                continue
            k = 0
            q = -1
            qp = -1
            if r < mix[4]:
                kind = 2
            elif r < mix[5]:
                kind = 3
                k = 1 + _randint(st, L - 1)
            else:
                if spares == 0:
                    continue
                kind = 4
                qp = spare_pos[_randint(st, spares)]
                q = perm[qp]
            if kind == 3:
                delta = _rot_delta(perm, CT, D, E, lam, n, a, b, k)
            else:
                delta = _seg_delta(perm, C, D, lam, n, kind, a, b, k, q)
            if _accept(delta, T, st):
                _apply_seg(perm, pos, tmp, kind, a, b, k, q, qp)
                _refresh_edges(perm, D, E, n, a, b)
            else:
                continue
        current += delta
        accepted += 1
        if current < best - 1e-12:
            best = current
            for s in range(m):
                best_perm[s] = perm[s]
    return current, best, accepted


@njit(cache=True, nogil=True)
def sample_uphill(perm, C, D, lam, n, free_pos, samples, seed):
    """Mean positive delta of random near swaps: the scale of the start temperature."""
    np.random.seed(seed)
    nf = free_pos.shape[0]
    tot = 0.0
    cnt = 0
    for _ in range(samples):
        a = free_pos[np.random.randint(nf)]
        b = a + np.random.randint(1, 13)
        if b >= n:
            continue
        d = _swap_delta(perm, C, D, lam, n, a, b)
        if d > 0 and d < 1e6:
            tot += d
            cnt += 1
    return tot / max(cnt, 1)
