"""Compiled simulated annealing over path arrangements (numba, cache=True, nogil).

State: ``perm`` (length m; positions 0..n-1 are the slots, n..m-1 the spares) and its
inverse ``pos``. Moves, each with an O(1) delta (O(L), L <= max_seg, for segments):
  swap two free slots (near or anywhere); spare exchange; segment reversal;
  block shift (rotate a segment: or-opt); spare insertion (a spare enters, the segment
  shifts, the module at the far end leaves); and candidate-list guided moves that make
  a module's best successor / predecessor (by d) its neighbour, by swap or or-opt.
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
                 out_nb, in_nb, iters, t_start, t_end, seed, max_seg, current, best, mix):
    """``iters`` moves (``mix``: cumulative probabilities of guided, swap, spare exchange,
    block swap, reversal, rotation; the rest is spare insertion) with T geometric from
    t_start to t_end; perm/best_perm in place; every spare may enter.
    Returns (current cost, best cost, accepted moves)."""
    spare_pos = np.arange(n, perm.shape[0])
    return anneal_region(perm, best_perm, C, D, lam, n, fixed_mask, free_pos, next_fixed,
                         out_nb, in_nb, iters, t_start, t_end, seed, max_seg, current, best,
                         mix, spare_pos)


@njit(cache=True, nogil=True)
def anneal_region(perm, best_perm, C, D, lam, n, fixed_mask, free_pos, next_fixed,
                  out_nb, in_nb, iters, t_start, t_end, seed, max_seg, current, best, mix,
                  spare_pos):
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
    tmp = np.empty(max_seg + 2, dtype=perm.dtype)
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
                else:
                    continue
            elif fixed_mask[b]:
                continue
            elif _rand(st) < 0.5 or abs(b - t) >= max_seg:
                lo = min(t, b)
                hi = max(t, b)
                delta = _swap_delta(perm, C, D, lam, n, lo, hi)
                if _accept(delta, T, st):
                    _apply_swap(perm, pos, lo, hi)
                else:
                    continue
            else:                                       # or-opt: shift j next to i
                if b > t:
                    lo, hi, k = t, b, b - t         # rotate right by one
                else:
                    lo, hi, k = b, t, 1             # rotate left by one
                if next_fixed[lo] <= hi:
                    continue
                delta = _seg_delta(perm, C, D, lam, n, 3, lo, hi, k, -1)
                if _accept(delta, T, st):
                    _apply_seg(perm, pos, tmp, 3, lo, hi, k, -1, -1)
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
            delta = _seg_delta(perm, C, D, lam, n, kind, a, b, k, q)
            if _accept(delta, T, st):
                _apply_seg(perm, pos, tmp, kind, a, b, k, q, qp)
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
