"""Optimiser: feasibility, locks, forbidden pairs, determinism, exact deltas, the bound
is a true lower bound (brute force), cancellation, batch mode."""
from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from app.core.errors import Cancelled
from app.core.tasks import CancelToken
from station_plugins.detector_matching import anneal as A
from station_plugins.detector_matching.batch import run_batch
from station_plugins.detector_matching.bounds import lagrangian_bound
from station_plugins.detector_matching.costs import build_problem, objective
from station_plugins.detector_matching.detector_models import load_layout
from station_plugins.detector_matching.importer import import_pool
from station_plugins.detector_matching.optimiser import OptimiserSettings, finite_costs, solve

from .conftest import random_problem, write_pool

FAST = OptimiserSettings(time_limit=60, moves_per_slot=3000, bound_iterations=30)


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    p = tmp_path_factory.mktemp("dm") / "pool.csv"
    write_pool(p, modules=80, seed=5, lots=4)
    return import_pool(p)


def _check_feasible(problem, sol):
    slots = sol.perm[:problem.n]
    assert len(set(slots.tolist())) == problem.n
    assert sorted(sol.perm.tolist()) == list(range(problem.m))
    assert np.isfinite(sol.objective) and sol.feasible
    assert sol.objective == pytest.approx(objective(problem, sol.perm))


def test_each_module_once_and_out_of_spec_never_placed(pool):
    layout = load_layout("PX-48").with_slots(60)
    problem = build_problem(pool, layout)
    sol = solve(problem, FAST)
    _check_feasible(problem, sol)
    placed = {problem.serials[i] for i in sol.perm[:problem.n]}
    assert not placed & {e.serial for e in pool.excluded}
    assert sol.objective <= min(sol.seeds.values()) + 1e-9
    assert sol.lower_bound <= sol.objective and sol.gap >= 0


def test_locks_reserved_and_forbidden_lots_are_honoured(pool):
    lots = sorted(set(pool.lots))
    layout = replace(load_layout("PX-48").with_slots(50),
                     fixed_slots={0: pool.serials[3], 25: pool.serials[10]},
                     reserved_modules=(pool.serials[4],),
                     forbidden_adjacent_lots=((lots[0], lots[1]),))
    problem = build_problem(pool, layout)
    sol = solve(problem, FAST)
    _check_feasible(problem, sol)
    slot_serials = [problem.serials[i] for i in sol.perm[:problem.n]]
    assert slot_serials[0] == pool.serials[3] and slot_serials[25] == pool.serials[10]
    assert pool.serials[4] not in slot_serials
    slot_lots = [problem.lots[i] for i in sol.perm[:problem.n]]
    for a, b in zip(slot_lots, slot_lots[1:]):
        assert {a, b} != {lots[0], lots[1]}


@pytest.mark.parametrize("threads", [1, 2])
def test_same_seed_same_arrangement_other_seed_may_differ(pool, threads):
    """Also with two annealing chains on two threads (phases end together, seeds fixed
    per chain and phase): thread timing does not change the result."""
    problem = build_problem(pool, load_layout("PX-48"))
    settings = replace(FAST, seed=4, anneal_threads=threads, chunk_moves=20_000)
    a = solve(problem, settings)
    b = solve(problem, settings)
    assert not a.cut_by_time and not b.cut_by_time
    assert np.array_equal(a.perm, b.perm) and a.objective == b.objective
    _check_feasible(problem, a)
    assert a.lower_bound <= a.objective and b.lower_bound <= b.objective


def test_annealing_deltas_match_full_recompute():
    rng = np.random.default_rng(1)
    for trial in range(4):
        n, m = int(rng.integers(6, 30)), 0
        m = n + int(rng.integers(0, 5))
        p = random_problem(n, m, trial)
        C, D, _ = finite_costs(p)
        fixed = np.full(n, -1)
        if trial % 2:
            fixed[n // 2] = n // 2
        perm = np.arange(m, dtype=np.int64)
        from station_plugins.detector_matching.optimiser import _fixed_arrays, neighbour_lists
        fp, nf = _fixed_arrays(fixed, n)
        o, i = neighbour_lists(D, 4)
        best = perm.copy()
        cur = A.path_cost(perm, C, D, p.lam, n)
        cur, b, acc = A.anneal_chunk(perm, best, C, D, p.lam, n, fixed >= 0, fp, nf, o, i,
                                     50_000, 2.0, 0.05, trial, min(12, n), cur, cur,
                                     np.array([0.3, 0.45, 0.6, 0.7, 0.8, 0.9]),
                                     np.array([0.3, 4.0, float(n)]),
                                     np.ascontiguousarray(C.T), A.shift_bounds(C, 4))
        assert acc > 100
        assert cur == pytest.approx(A.path_cost(perm, C, D, p.lam, n), abs=1e-8)
        assert b == pytest.approx(A.path_cost(best, C, D, p.lam, n), abs=1e-8)
        assert sorted(perm.tolist()) == list(range(m))
        if trial % 2:
            assert perm[n // 2] == n // 2


def test_every_segment_and_block_move_delta_is_exact():
    n, m = 14, 17
    p = random_problem(n, m, 21)
    C, D, _ = finite_costs(p)
    lam = p.lam
    rng = np.random.default_rng(5)
    perm = rng.permutation(m).astype(np.int64)
    base = A.path_cost(perm, C, D, lam, n)
    tmp = np.empty(n + 2, dtype=np.int64)
    CT = np.ascontiguousarray(C.T)
    for a in range(n):
        for qp in range(n, m):
            d = A._exchange_delta(perm, C, D, lam, n, a, qp)
            moved = perm.copy()
            moved[a], moved[qp] = moved[qp], moved[a]
            assert d == pytest.approx(A.path_cost(moved, C, D, lam, n) - base, abs=1e-9)
        for b in range(a + 1, n):
            L = b - a + 1
            for kind, k, qp in ([(2, 0, -1)] + [(3, kk, -1) for kk in range(1, L)]
                                + [(4, 0, qq) for qq in range(n, m)]):
                q = perm[qp] if kind == 4 else -1
                d = A._seg_delta(perm, C, D, lam, n, kind, a, b, k, q)
                moved = perm.copy()
                pos = np.argsort(moved)
                A._apply_seg(moved, pos, tmp, kind, a, b, k, q, qp)
                assert d == pytest.approx(A.path_cost(moved, C, D, lam, n) - base, abs=1e-9)
                if kind == 3:                  # the fast rotation delta used by the search
                    E = np.array([D[perm[t], perm[t + 1]] for t in range(n - 1)])
                    d3 = A._rot_delta(perm, CT, D, E, lam, n, a, b, k)
                    assert d3 == pytest.approx(d, abs=1e-9)
            d = A._swap_delta(perm, C, D, lam, n, a, b)
            moved = perm.copy()
            moved[a], moved[b] = moved[b], moved[a]
            assert d == pytest.approx(A.path_cost(moved, C, D, lam, n) - base, abs=1e-9)
            for size in range(1, n // 2 + 1):
                if b - a < size or b + size > n:
                    continue
                d = A._block_swap_delta(perm, C, D, lam, n, a, b, size)
                moved = perm.copy()
                A._apply_block_swap(moved, np.argsort(moved), a, b, size)
                assert d == pytest.approx(A.path_cost(moved, C, D, lam, n) - base, abs=1e-9)


def test_screened_long_or_opt_is_exact_or_rightly_rejected():
    """The guided or-opt's screen (lower bound on the shifted stretch's slot costs) never
    rejects a move that the acceptance threshold would have taken, and an unrejected
    delta is exact."""
    n, m = 16, 19
    p = random_problem(n, m, 31)
    C, D, _ = finite_costs(p)
    lam = p.lam
    CT = np.ascontiguousarray(C.T)
    SB = A.shift_bounds(C, 5)
    rng = np.random.default_rng(8)
    screened = 0
    for trial in range(6):
        perm = rng.permutation(m).astype(np.int64)
        E = np.array([D[perm[t], perm[t + 1]] for t in range(n - 1)])
        for lo in range(n):
            for hi in range(lo + 1, n):
                W = hi - lo + 1
                for L in range(1, min(5, W - 1) + 1):
                    for stretch_a, k in ((True, W - L), (False, L)):
                        exact = A._rot_delta(perm, CT, D, E, lam, n, lo, hi, k)
                        got = A._rot_delta_screened(perm, CT, D, E, lam, n, lo, hi, k,
                                                    stretch_a, L, SB, np.inf)
                        assert got == pytest.approx(exact, abs=1e-9)
                        for thr in (0.0, 0.5, 2.0):
                            got = A._rot_delta_screened(perm, CT, D, E, lam, n, lo, hi, k,
                                                        stretch_a, L, SB, thr)
                            if np.isinf(got):
                                screened += 1
                                assert exact > thr - 1e-9
                            else:
                                assert got == pytest.approx(exact, abs=1e-9)
    assert screened > 0                       # the screen does reject something


def _brute_force(p) -> float:
    best = np.inf
    for combo in itertools.permutations(range(p.m), p.n):
        best = min(best, objective(p, np.array(combo)))
    return best


@pytest.mark.parametrize("n,m,seed", [(5, 5, 0), (5, 7, 1), (6, 7, 2), (6, 8, 3), (7, 8, 4)])
def test_bound_is_a_true_lower_bound_and_optimiser_finds_optimum(n, m, seed):
    p = random_problem(n, m, seed)
    exact = _brute_force(p)
    C, D, _ = finite_costs(p)
    bound = lagrangian_bound(C, D, p.lam, exact * 1.05, iterations=200)
    assert bound.gilmore_lawler <= bound.lagrangian + 1e-9
    assert bound.value <= exact + 1e-9
    sol = solve(p, OptimiserSettings(time_limit=60, moves_per_slot=20_000))
    assert sol.objective == pytest.approx(exact)       # tiny: the search is exact
    assert sol.lower_bound <= exact + 1e-9


def test_cancel_stops_the_optimiser(pool):
    problem = build_problem(pool, load_layout("PX-48"))
    token = CancelToken()
    seen = []

    def progress(f, msg):
        seen.append(f)
        if f > 0.1:
            token.cancel()

    with pytest.raises(Cancelled):
        solve(problem, replace(FAST, moves_per_slot=200_000, chunk_moves=100_000),
              token=token, progress=progress)
    assert seen and max(seen) < 1.0


def test_batch_builds_detectors_with_each_module_once(pool):
    res = run_batch(pool, load_layout("PX-48").with_slots(20), detectors=3,
                    settings=FAST, spec_cost_per_slot=100.0)
    serials = [s for d in res.detectors for s in d["serials"]]
    assert len(res.detectors) == 3 and len(serials) == len(set(serials)) == 60
    assert res.meeting_spec == 3
    assert res.utilisation == pytest.approx(60 / (pool.size + len(pool.excluded)))
    strict = run_batch(pool, load_layout("PX-48").with_slots(20), detectors=3,
                       settings=FAST, spec_cost_per_slot=0.0)
    assert strict.meeting_spec == 0 and strict.utilisation == 0.0


def test_chain_pair_shares_the_leader_and_keeps_locks():
    from station_plugins.detector_matching.optimiser import _fixed_arrays, neighbour_lists
    from station_plugins.detector_matching.parallel_anneal import ChainPair
    p = random_problem(24, 28, 9)
    C, D, _ = finite_costs(p)
    n, m = 24, 28
    fixed = np.full(n, -1)
    fixed[5] = 5
    fp, nf = _fixed_arrays(fixed, n)
    o, i = neighbour_lists(D, 4)
    perm = np.arange(m, dtype=np.int64)
    start = A.path_cost(perm, C, D, p.lam, n)
    pair = ChainPair(perm, start, sync_every=1)
    try:
        mix = np.array([0.3, 0.45, 0.6, 0.7, 0.8, 0.9])
        best_perm, best = pair.phase(C, D, p.lam, n, fixed >= 0, fp, nf, o, i, 20_000, 1.0,
                                     0.05, 3, 8, mix, np.array([0.3, 4.0, 24.0]))
    finally:
        pair.close()
    assert np.array_equal(pair.perms[0], pair.perms[1])          # elite restart
    assert pair.current[0] == pair.current[1]
    assert best <= start and best == pytest.approx(A.path_cost(best_perm, C, D, p.lam, n))
    for q in (best_perm, pair.perms[0]):
        assert sorted(q.tolist()) == list(range(m)) and q[5] == 5
    assert pair.cpu > 0
