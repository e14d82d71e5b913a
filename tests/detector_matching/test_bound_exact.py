"""The certified bound stays sound: the pruned walk DP equals an unpruned reference DP
for any prices, and the bound never exceeds exact optima (MIP, OR-Tools)."""
from __future__ import annotations

import numpy as np
import pytest

from concurrent.futures import ThreadPoolExecutor
from itertools import permutations

from station_plugins.detector_matching.bounds import (SplitDP, dense_costs, lagrangian_bound,
                                                      plain_walk_dp, prepare_dp, walk_dp)
from station_plugins.detector_matching.optimiser import OptimiserSettings, finite_costs, solve

from .conftest import random_problem


def reference_walk_value(C, D, lam, mu) -> float:
    """Cheapest walk without i -> i and without 2-cycles i -> j -> i, every predecessor
    evaluated (no pruning): best and second-best distinct predecessor per node."""
    n, m = C.shape
    f1 = C[0] + mu
    f2 = np.full(m, np.inf)
    p1 = np.full(m, -1)
    cols = np.arange(m)
    for s in range(1, n):
        H = np.repeat(f1[:, None], m, axis=1)                 # H[j, k]
        rep = p1[:, None] == cols[None, :]
        H[rep] = np.broadcast_to(f2[:, None], (m, m))[rep]
        V = H + lam[s - 1] * D
        V[cols, cols] = np.inf
        order = np.argsort(V, axis=0, kind="stable")
        b1 = V[order[0], cols]
        b2 = V[order[1], cols]
        base = C[s] + mu
        f1, f2, p1 = base + b1, base + b2, order[0]
    return float(f1.min())


@pytest.mark.parametrize("seed", range(6))
def test_pruned_walk_dp_equals_the_unpruned_reference(seed):
    rng = np.random.default_rng(seed)
    n, m = 9 + seed, 12 + 2 * seed
    p = random_problem(n, m, seed)
    C, D, _ = finite_costs(p)
    DT, order, sortedD = prepare_dp(D)
    for scale in (0.0, 0.3, 1.0, 3.0):           # prices from none to dominating
        mu = scale * rng.random(m) * (rng.random(m) < 0.7)
        got, walk = walk_dp(C, mu, np.ascontiguousarray(p.lam), DT, order, sortedD, True)
        assert got == pytest.approx(reference_walk_value(C, D, p.lam, mu), abs=1e-9)
        # the walk is the one valued: no i -> i, no 2-cycle, and its cost is the value
        assert all(walk[s] != walk[s + 1] for s in range(n - 1))
        assert all(walk[s] != walk[s + 2] for s in range(n - 2))
        cost = (C[np.arange(n), walk] + mu[walk]).sum() + (p.lam * D[walk[:-1], walk[1:]]).sum()
        assert cost == pytest.approx(got, abs=1e-9)


@pytest.mark.parametrize("threaded", [False, True])
def test_split_dp_equals_the_unpruned_reference(threaded):
    """The DP as a forward and a backward half joined at the middle slot (two threads):
    the same value as the whole DP, and its walk is a valid one of that value (odd and
    even slot counts, the 2-cycle across the join included)."""
    pool = ThreadPoolExecutor(max_workers=1) if threaded else None
    try:
        for seed in range(24):
            rng = np.random.default_rng(100 + seed)
            n, m = 4 + seed % 7, 5 + seed % 7 + seed % 3
            p = random_problem(n, m, 100 + seed)
            C, D, _ = finite_costs(p)
            lam = np.ascontiguousarray(p.lam)
            split = SplitDP(C, D, lam, pool)
            for scale in (0.0, 0.5, 2.0, 6.0):
                mu = scale * rng.random(m) * (rng.random(m) < 0.7)
                got, walk = split(mu)
                assert got == pytest.approx(reference_walk_value(C, D, lam, mu), abs=1e-9)
                assert len(walk) == n
                assert all(walk[s] != walk[s + 1] for s in range(n - 1))
                assert all(walk[s] != walk[s + 2] for s in range(n - 2))
                cost = (C[np.arange(n), walk] + mu[walk]).sum() + (lam * D[walk[:-1], walk[1:]]).sum()
                assert cost == pytest.approx(got, abs=1e-9)
    finally:
        if pool is not None:
            pool.shutdown()


def reference_plain_walk_value(C, D, lam, mu) -> float:
    """Cheapest walk with only i -> i forbidden (2-cycles allowed), no pruning."""
    n, m = C.shape
    f = C[0] + mu
    for s in range(1, n):
        V = f[:, None] + lam[s - 1] * D
        np.fill_diagonal(V, np.inf)
        f = C[s] + mu + V.min(axis=0)
    return float(f.min())


@pytest.mark.parametrize("threaded", [None, False, True])
def test_plain_walk_dp_equals_the_unpruned_reference_and_stays_below_the_2cycle_dp(threaded):
    """The cheap first phase of the ascent (the plain walk relaxation): the pruned DP, one
    thread or two halves, equals an unpruned reference, its walk is valued as returned,
    and at the same prices it never exceeds the 2-cycle DP (a weaker relaxation)."""
    pool = ThreadPoolExecutor(max_workers=1) if threaded else None
    try:
        for seed in range(12):
            rng = np.random.default_rng(300 + seed)
            n, m = 4 + seed % 7, 5 + seed % 6 + seed % 3
            p = random_problem(n, m, 300 + seed)
            C, D, _ = finite_costs(p)
            lam = np.ascontiguousarray(p.lam)
            if seed % 4 == 3:            # a boundary without weight: i -> i by index
                lam[seed % (n - 1)] = 0.0
            Dx = dense_costs(D)
            split = SplitDP(C, D, lam, pool) if threaded is not None else None
            for scale in (0.0, 0.5, 2.0, 6.0):
                mu = scale * rng.random(m) * (rng.random(m) < 0.7)
                if split is None:
                    got, walk = plain_walk_dp(C, mu, lam, Dx)
                else:
                    got, walk = split.plain(mu)
                assert got == pytest.approx(reference_plain_walk_value(C, D, lam, mu), abs=1e-9)
                assert len(walk) == n and all(walk[s] != walk[s + 1] for s in range(n - 1))
                cost = (C[np.arange(n), walk] + mu[walk]).sum() + (lam * D[walk[:-1], walk[1:]]).sum()
                assert cost == pytest.approx(got, abs=1e-9)
                assert got <= reference_walk_value(C, D, lam, mu) + 1e-9
    finally:
        if pool is not None:
            pool.shutdown()


def test_the_ascent_runs_on_the_plain_relaxation_and_stays_below_the_optimum(monkeypatch):
    """Session 31: every iteration of the ascent is the dense plain DP (a cold start and a
    warm start from earlier prices); ``relaxation="2cycle"`` runs the pruned 2-cycle DP
    instead, whose first value (the Gilmore-Lawler duals) is at least the plain one; with
    either, on one thread or two, the bound stays below the optimum (brute force)."""
    from station_plugins.detector_matching import bounds
    calls = []

    def counted(name, fn):
        def wrapper(*a):
            calls.append(name)
            return fn(*a)
        return wrapper
    monkeypatch.setattr(bounds, "walk_dp", counted("2-cycle", bounds.walk_dp))
    monkeypatch.setattr(bounds, "plain_walk_dp", counted("plain", bounds.plain_walk_dp))
    p = random_problem(30, 34, 7)
    C, D, _ = finite_costs(p)
    lam = np.ascontiguousarray(p.lam)
    cold = lagrangian_bound(C, D, lam, 1e9, iterations=40)
    assert calls == ["plain"] * cold.iterations and cold.iterations >= 10
    calls.clear()
    lagrangian_bound(C, D, lam, 1e9, iterations=3, start=cold.state)
    assert calls == ["plain"] * 3
    calls.clear()
    two = lagrangian_bound(C, D, lam, 1e9, iterations=1, relaxation="2cycle")
    assert calls == ["2-cycle"]
    assert cold.history[0] <= two.history[0] + 1e-9                 # same prices
    with pytest.raises(ValueError, match="relaxation"):
        lagrangian_bound(C, D, lam, 1e9, relaxation="3cycle")
    q = random_problem(6, 8, 22)
    q.lam = q.lam * 3.0
    exact = brute_force_optimum(q)
    Cq, Dq, _ = finite_costs(q)
    for relaxation in ("plain", "2cycle"):
        for threads in (1, 2):
            b = lagrangian_bound(Cq, Dq, q.lam, exact * 1.02, iterations=200,
                                 relaxation=relaxation, threads=threads)
            assert b.iterations > 20 and b.value <= exact + 1e-6


def test_the_step_is_halved_less_often_as_the_ascent_goes_on(monkeypatch):
    """The step is halved after ``patience + it // patience_growth`` iterations without a
    better bound. An oracle whose bound never improves after the first iteration: a fixed
    patience of 3 halves the step every 3 iterations and ends once it is below 1e-4 (14
    halvings: iteration 43); a patience growing by one every 40 (10) iterations ends
    later, where the rule, counted step by step below, says."""
    from station_plugins.detector_matching import bounds
    walk = np.array([0, 1, 0, 2, 3, 4], dtype=np.int64)      # module 0 twice: g != 0

    def flat(C, mu, lam, Dx):
        return 100.0 + mu.sum(), walk
    monkeypatch.setattr(bounds, "plain_walk_dp", flat)
    p = random_problem(6, 8, 5)
    C, D, _ = finite_costs(p)
    lam = np.ascontiguousarray(p.lam)
    fixed = lagrangian_bound(C, D, lam, 120.0, iterations=1000, patience_growth=0)
    assert fixed.iterations == 1 + 14 * 3 and fixed.state[1] < 1e-4

    def ends_at(patience, growth):          # the rule, step by step
        stall, halvings = 0, 0
        for it in range(2, 1000):
            stall += 1
            if stall >= patience + it // growth:
                halvings += 1
                stall = 0
                if 0.5 ** halvings < 1e-4:
                    return it
    for growth in (40, 10):
        growing = lagrangian_bound(C, D, lam, 120.0, iterations=1000, patience_growth=growth)
        assert growing.iterations == ends_at(3, growth) > fixed.iterations
    assert ends_at(3, 10) > 2 * fixed.iterations


def walk_lp_value(C, D, lam, two_cycle: bool = True) -> float:
    """The linear programme the Lagrangian dual equals: flows over 2-cycle-free walks
    (variables per slot triple (i, j, k) of distinct consecutive modules, and per slot pair)
    with each module used at most once in total; solved exactly by HiGHS. ``two_cycle``
    False: the plain walks' LP (triples with k == i allowed)."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp
    n, m = C.shape
    pairs = [(j, k) for j in range(m) for k in range(m) if j != k]
    pidx = {q: i for i, q in enumerate(pairs)}
    P = len(pairs)
    trip = [(i, j, k) for (i, j) in pairs for k in range(m)
            if k != j and (k != i or not two_cycle)]
    T = len(trip)
    ny = (n - 1) * P
    nv = ny + (n - 2) * T
    cost = np.zeros(nv)
    for s in range(1, n):
        for (j, k), q in pidx.items():
            cost[(s - 1) * P + q] = lam[s - 1] * D[j, k] + C[s, k] + (C[0, j] if s == 1 else 0)
    rows, cols, vals, lo, hi = [], [], [], [], []

    def row(entries, low, high):
        for c, v in entries:
            rows.append(len(lo))
            cols.append(c)
            vals.append(v)
        lo.append(low)
        hi.append(high)
    row([(q, 1.0) for q in range(P)], 1, 1)                     # one walk
    for s in range(2, n):
        base = ny + (s - 2) * T
        into = {q: [] for q in range(P)}
        out = {q: [] for q in range(P)}
        for t, (i, j, k) in enumerate(trip):
            into[pidx[(j, k)]].append(base + t)
            out[pidx[(i, j)]].append(base + t)
        for q in range(P):                                       # flow conservation
            row([((s - 1) * P + q, -1.0)] + [(c, 1.0) for c in into[q]], 0, 0)
            row([((s - 2) * P + q, -1.0)] + [(c, 1.0) for c in out[q]], 0, 0)
    for mod in range(m):                                         # each module at most once
        e = [(pidx[(mod, k)], 1.0) for k in range(m) if k != mod]
        e += [((s - 1) * P + pidx[(j, mod)], 1.0) for s in range(1, n) for j in range(m)
              if j != mod]
        row(e, -np.inf, 1)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(lo), nv))
    r = milp(cost, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(0, 1))
    assert r.status == 0
    return float(r.fun)


@pytest.mark.parametrize("n,m,seed", [(7, 9, 41), (8, 9, 42), (6, 8, 43)])
def test_the_dual_ascent_converges_to_the_walk_lp(n, m, seed):
    """Weak duality and convergence: the Lagrangian bound never exceeds the exact walk LP
    (HiGHS), and a long ascent reaches it - so the bound's plateau is the relaxation's
    value (a duality gap), not the ascent stalling (docs: "A tighter certificate?"); for
    the shipped plain walks and for the 2-cycle-free ones (whose LP is at least the plain
    one's)."""
    p = random_problem(n, m, seed)
    p.lam = p.lam * 3.0                                          # neighbour terms matter
    C, D, _ = finite_costs(p)
    exact = brute_force_optimum(p)
    lps = {}
    for relaxation in ("plain", "2cycle"):
        lp = lps[relaxation] = walk_lp_value(C, D, p.lam, two_cycle=relaxation == "2cycle")
        assert lp <= exact + 1e-7
        b = lagrangian_bound(C, D, p.lam, exact, iterations=3000, patience=20, deflection=0.5,
                             target_margin=0.0, relaxation=relaxation)
        assert b.value <= lp + 1e-7 * abs(lp)
        assert b.value >= lp - 2e-4 * abs(lp)
    assert lps["plain"] <= lps["2cycle"] + 1e-7


def brute_force_optimum(p) -> float:
    n = p.n
    best = np.inf
    for combo in permutations(range(p.m), n):
        a = np.array(combo)
        best = min(best, p.c[np.arange(n), a].sum() + (p.lam * p.d[a[:-1], a[1:]]).sum())
    return float(best)


def test_bound_never_exceeds_the_optimum_on_40_exact_instances():
    """Soundness sweep: 40 random instances (4-6 slots, up to 2 spares, some with strong
    neighbour terms) solved by brute force; the bound of both DP variants (one thread,
    two halves) and the optimiser's certified bound stay at or below the optimum, and the
    certified gap is never negative."""
    worst = 0.0
    for seed in range(40):
        n = 4 + seed % 3
        m = n + seed % 3
        p = random_problem(n, m, 1000 + seed)
        if seed % 4 == 0:
            p.lam = p.lam * 5.0                  # neighbour terms dominate
        exact = brute_force_optimum(p)
        C, D, _ = finite_costs(p)
        for threads in (1, 2):
            b = lagrangian_bound(C, D, p.lam, exact * 1.02, iterations=150, threads=threads)
            assert b.value <= exact + 1e-7 * abs(exact), (seed, threads, b.value, exact)
            worst = max(worst, b.value / exact)
        sol = solve(p, OptimiserSettings(time_limit=30, moves_per_slot=2_000))
        assert sol.lower_bound <= exact + 1e-7 * abs(exact)
        assert sol.objective >= exact - 1e-7 * abs(exact)
        assert sol.gap >= -1e-9
    assert worst > 0.9                           # the bound is not trivially low


def mip_optimum(p) -> float:
    """Exact optimum by a MIP (OR-Tools, SCIP / CBC): x[s, i] places module i in slot s,
    y[s, i, j] >= x[s, i] + x[s+1, j] - 1 charges the boundary."""
    from ortools.linear_solver import pywraplp
    solver = pywraplp.Solver.CreateSolver("SCIP") or pywraplp.Solver.CreateSolver("CBC")
    n, m = p.n, p.m
    x = {(s, i): solver.BoolVar(f"x{s}_{i}") for s in range(n) for i in range(m)}
    y = {(s, i, j): solver.NumVar(0, 1, f"y{s}_{i}_{j}") for s in range(n - 1)
         for i in range(m) for j in range(m) if i != j}
    for s in range(n):
        solver.Add(sum(x[s, i] for i in range(m)) == 1)
    for i in range(m):
        solver.Add(sum(x[s, i] for s in range(n)) <= 1)
    for (s, i, j), v in y.items():
        solver.Add(v >= x[s, i] + x[s + 1, j] - 1)
    solver.Minimize(sum(p.c[s, i] * x[s, i] for s in range(n) for i in range(m))
                    + sum(p.lam[s] * p.d[i, j] * v for (s, i, j), v in y.items()))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return solver.Objective().Value()


@pytest.mark.parametrize("n,m,seed", [(8, 10, 21), (9, 11, 22), (10, 12, 23)])
def test_bound_below_mip_optimum_and_search_reaches_it(n, m, seed):
    p = random_problem(n, m, seed)
    exact = mip_optimum(p)
    C, D, _ = finite_costs(p)
    b = lagrangian_bound(C, D, p.lam, exact * 1.02, iterations=300)
    assert b.value <= exact + 1e-6
    sol = solve(p, OptimiserSettings(time_limit=60, moves_per_slot=20_000))
    assert sol.lower_bound <= exact + 1e-6 <= sol.objective + 2e-6
    assert sol.objective == pytest.approx(exact, rel=1e-6)


def test_optimising_the_same_costs_again_continues_the_dual_ascent():
    """The panel's "optimise" after an edit: the bound starts from the last run's prices
    (never lower than before; here it keeps rising), and stays below the optimum."""
    from station_plugins.detector_matching import optimiser
    p = random_problem(40, 46, 5)
    settings = OptimiserSettings(time_limit=30, moves_per_slot=300, bound_iterations=4,
                                 budget_reference_s=0)
    optimiser._DUALS.clear()
    bounds = [solve(p, settings).lower_bound for _ in range(4)]
    assert all(b1 >= b0 - 1e-9 for b0, b1 in zip(bounds, bounds[1:]))
    assert bounds[-1] > bounds[0] + 1e-6
    C, D, _ = finite_costs(p)
    cold = lagrangian_bound(C, D, p.lam, bounds[-1] * 1.02, iterations=4)
    assert cold.value < bounds[-1]                 # one run alone gets less
    other = random_problem(40, 46, 6)               # other costs: not reused
    optimiser._DUALS.clear()
    solve(other, settings)
    assert list(optimiser._DUALS) == [optimiser._costs_key(*finite_costs(other)[:2],
                                                           np.ascontiguousarray(other.lam))]


def test_a_later_process_continues_from_the_stored_prices(tmp_path):
    """Session 8: the bound's best prices are kept per cost matrix in the data folder, so a
    later process optimising the same costs continues the ascent from them (the bound
    starts where the last run ended); damaged or mismatched files mean a cold start; the
    bound stays below the optimum either way."""
    from station_plugins.detector_matching import dual_store
    p = random_problem(7, 9, 44)
    exact = brute_force_optimum(p)
    settings = OptimiserSettings(time_limit=30, moves_per_slot=300, bound_iterations=3,
                                 budget_reference_s=0)
    dual_store.configure(tmp_path / "duals")
    try:
        dual_store.clear_memory()
        first = solve(p, settings)
        files = list((tmp_path / "duals").glob("*.npz"))
        assert first.bound_start == "gilmore_lawler" and len(files) == 1
        dual_store.clear_memory()                    # as a new process
        second = solve(p, settings)
        assert second.bound_start == "file"
        assert first.lower_bound - 1e-9 <= second.lower_bound <= exact + 1e-6
        third = solve(p, settings)                    # same process: from memory
        assert third.bound_start == "memory" and third.lower_bound >= second.lower_bound - 1e-9
        for damage in (b"not a numpy file", None):
            if damage is None:                        # another module count
                np.savez(files[0], mu=np.ones(3), theta=np.float64(0.5))
            else:
                files[0].write_bytes(damage)
            dual_store.clear_memory()
            cold = solve(p, settings)
            assert cold.bound_start == "gilmore_lawler" and cold.lower_bound <= exact + 1e-6
        np.savez(files[0], mu=np.full(p.m, np.nan), theta=np.float64(0.5))
        dual_store.clear_memory()
        assert solve(p, settings).bound_start == "gilmore_lawler"
    finally:
        dual_store.configure(None)
        dual_store.clear_memory()
