"""Batch mode: exact exchange deltas, spec balancing (more detectors meet spec, nothing
placed twice, nothing lost), donors, determinism."""
from __future__ import annotations

import numpy as np
import pytest

from station_plugins.detector_matching import batch as B
from station_plugins.detector_matching.detector_models import load_layout
from station_plugins.detector_matching.importer import import_pool
from station_plugins.detector_matching.optimiser import OptimiserSettings

from .conftest import write_pool


def _random_costs(n, m, seed):
    rng = np.random.default_rng(seed)
    C1 = rng.uniform(0, 2, size=(n, m))
    D = rng.uniform(0, 3, size=(m, m))
    np.fill_diagonal(D, np.inf)
    lam1 = rng.uniform(0.3, 1.0, size=n - 1)
    return C1, D, lam1


@pytest.mark.parametrize("n", [2, 3, 9])
def test_run_exchange_deltas_are_exact(n):
    C1, D, lam1 = _random_costs(n, 3 * n + 2, n)
    rng = np.random.default_rng(1)
    mods = rng.permutation(3 * n + 2)
    A, Bm = mods[:n], mods[n:2 * n]
    f = B.detector_costs(C1, D, lam1, np.stack([A, Bm]))
    s, e, da, db = B._run_exchange(C1, D, lam1, A, Bm)
    assert len(s) == n * (n + 1) // 2 - 1          # every run but the whole detector
    for i in range(len(s)):
        a2, b2 = A.copy(), Bm.copy()
        a2[s[i]:e[i] + 1], b2[s[i]:e[i] + 1] = Bm[s[i]:e[i] + 1], A[s[i]:e[i] + 1]
        g = B.detector_costs(C1, D, lam1, np.stack([a2, b2]))
        assert f[0] + da[i] == pytest.approx(g[0])
        assert f[1] + db[i] == pytest.approx(g[1])


def test_stock_exchange_deltas_are_exact():
    n, m = 7, 12
    C1, D, lam1 = _random_costs(n, m, 4)
    A = np.arange(n)
    stock = np.arange(n, m)
    f = B.detector_costs(C1, D, lam1, A[None])[0]
    delta = B._stock_exchange(C1, D, lam1, A, stock)
    for t in range(n):
        for q in range(stock.size):
            a2 = A.copy()
            a2[t] = stock[q]
            assert f + delta[t, q] == pytest.approx(B.detector_costs(C1, D, lam1, a2[None])[0])


def test_balance_moves_slack_to_the_failing_detector_and_keeps_every_module_once():
    n, m = 10, 34
    C1, D, lam1 = _random_costs(n, m, 7)
    rng = np.random.default_rng(3)
    mods = rng.permutation(m)
    dets = mods[:30].reshape(3, n).copy()
    stock = mods[30:].copy()
    before = B.detector_costs(C1, D, lam1, dets)
    limit = float(np.sort(before)[1] + 0.2 * (np.sort(before)[2] - np.sort(before)[1]))
    assert (before > limit).sum() >= 1
    info = B.balance(C1, D, lam1, dets, stock, limit)
    after = B.detector_costs(C1, D, lam1, dets)
    assert sorted(np.concatenate([dets.ravel(), stock]).tolist()) == list(range(m))
    excess = lambda f: np.maximum(f - limit, 0).sum()        # noqa: E731
    assert excess(after) < excess(before)
    assert (after <= limit + 1e-9).sum() >= (before <= limit + 1e-9).sum()
    assert sum(info["moves"].values()) >= 1


def test_balance_gives_up_the_worst_detector_only_to_rescue_others():
    n, m = 6, 18
    C1, D, lam1 = _random_costs(n, m, 11)
    dets = np.arange(18).reshape(3, n).copy()
    stock = np.zeros(0, dtype=np.int64)
    f = B.detector_costs(C1, D, lam1, dets)
    info = B.balance(C1, D, lam1, dets, stock, float(f.min()) * 0.5)   # impossible spec
    assert sorted(dets.ravel().tolist()) == list(range(18))
    # every detector fails: all but one are given up, and the one kept got better
    assert len(info["donors"]) == 2
    kept = ({0, 1, 2} - set(info["donors"])).pop()
    assert B.detector_costs(C1, D, lam1, dets)[kept] < f[kept]
    one = np.arange(6).reshape(1, n).copy()
    alone = B.balance(C1, D, lam1, one, np.zeros(0, dtype=np.int64), 0.0)
    assert alone["donors"] == []            # nobody to rescue: nothing given up


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    p = tmp_path_factory.mktemp("dmb") / "pool.csv"
    write_pool(p, modules=130, seed=8, lots=4)
    return import_pool(p)


def test_run_batch_meets_spec_on_more_detectors_than_the_joint_arrangement(pool):
    layout = load_layout("PX-48").with_slots(24)
    settings = OptimiserSettings(seed=2, time_limit=30, moves_per_slot=4000,
                                 bound_iterations=20)
    probe = B.run_batch(pool, layout, detectors=5, spec_cost_per_slot=100.0,
                        settings=settings)
    costs = np.sort([d["cost_per_slot"] for d in probe.detectors])
    spec = float(costs[2])                   # a spec only some joint detectors meet
    res = B.run_batch(pool, layout, detectors=5, spec_cost_per_slot=spec, settings=settings)
    serials = [s for d in res.detectors for s in d["serials"]]
    assert len(serials) == len(set(serials)) == 5 * 24
    assert res.meeting_spec >= res.balancing["meeting_spec_before"]
    assert res.meeting_spec >= 3
    for d in res.detectors:
        assert d["meets_spec"] == (d["cost_per_slot"] <= spec + 1e-9)
        assert not (d["meets_spec"] and d["given_up_for_others"])
    again = B.run_batch(pool, layout, detectors=5, spec_cost_per_slot=spec,
                        settings=settings)
    assert [d["serials"] for d in again.detectors] == [d["serials"] for d in res.detectors]
    out = res.to_dict()
    assert out["detectors_meeting_spec"] == res.meeting_spec
    assert out["balancing"]["given_up"] == [d["detector"] for d in res.detectors
                                            if d["given_up_for_others"]]
