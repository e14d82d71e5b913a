"""Batch mode: K detectors from one pool, maximising the number that meet spec.

1. Joint arrangement: one path of K*n slots whose joints weigh 0 (minimum total cost;
   the optimiser also chooses which modules stay in stock).
2. Spec balancing (:func:`balance`): a detector meets spec when its cost is at most
   ``spec_cost_per_slot * n``. A minimum-sum arrangement ignores that threshold, so
   detectors just above it are common while others have slack. Balancing minimises the
   total excess over spec by exact best-improvement moves: exchange a run of slots
   between two detectors (same slot positions, so both keep their own slot weights),
   or exchange a module with one in stock. When no move reduces the excess and two or
   more detectors still fail, the worst one is given up (a *donor*: its excess no longer
   counts), so its modules can rescue the others; it is reported as not meeting spec.
3. Each detector is then re-optimised on its own modules (its cost can only fall) and
   balancing runs once more on the gained slack.
Material utilisation = modules in detectors that meet spec / modules in the file.
Deterministic for a seed (the moves are exact best-improvement, no randomness).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from app.core.errors import Cancelled, InputRejected
from app.core.tasks import CancelToken, no_progress
from station_plugins.detector_matching.costs import MatchProblem, build_problem
from station_plugins.detector_matching.detector_models import DetectorLayout
from station_plugins.detector_matching.importer import ModulePool
from station_plugins.detector_matching.optimiser import OptimiserSettings, Solution, solve

MAX_RUN = 128          # longest run of slots exchanged between two detectors


@dataclass
class BatchResult:
    detectors: list[dict]          # per detector: serials, objective, meets_spec
    solution: Solution             # the joint arrangement (before balancing)
    modules_in_file: int
    spec_cost_per_slot: float
    balancing: dict = field(default_factory=dict)
    seconds: float = 0.0
    cost_source: str = "physics"
    cost_source_note: str = ""
    problem: MatchProblem | None = None        # the one-detector problem (its costs)
    arrangements: np.ndarray | None = None     # (K, n) candidate indices per detector

    @property
    def meeting_spec(self) -> int:
        return sum(d["meets_spec"] for d in self.detectors)

    @property
    def utilisation(self) -> float:
        used = sum(len(d["serials"]) for d in self.detectors if d["meets_spec"])
        return used / self.modules_in_file if self.modules_in_file else 0.0

    def to_dict(self) -> dict:
        return {"detectors": self.detectors, "detectors_meeting_spec": self.meeting_spec,
                "material_utilisation": round(self.utilisation, 6),
                "spec_cost_per_slot": self.spec_cost_per_slot,
                "objective": float(sum(d["objective"] for d in self.detectors)),
                "joint_objective": self.solution.objective,
                "lower_bound": self.solution.lower_bound,
                "gap": self.solution.gap, "balancing": self.balancing,
                "cost_source": self.cost_source, "cost_source_note": self.cost_source_note,
                "seconds": self.seconds or self.solution.seconds}


def batch_problem(pool: ModulePool, layout: DetectorLayout, k: int,
                  single: MatchProblem | None = None) -> MatchProblem:
    """``single``: the one-detector problem (its costs, e.g. learned); locks are for
    single mode only, so it must have none."""
    single = single or build_problem(pool, replace(layout, fixed_slots={}))
    n = layout.slots
    joint_layout = replace(layout, slots=n * k, fixed_slots={}, name=f"{layout.name}x{k}")
    c = np.tile(single.c, (k, 1))
    lam = np.concatenate([np.append(single.lam, 0.0)] * k)[:-1]   # zero-weight joints
    fixed = np.full(n * k, -1, dtype=np.int64)
    return MatchProblem(c=c, d=single.d, lam=lam, fixed=fixed, serials=single.serials,
                        lots=single.lots, layout=joint_layout, left_out=single.left_out,
                        joints=np.arange(1, k) * n - 1, cost_source=single.cost_source)


def detector_costs(C1: np.ndarray, D: np.ndarray, lam1: np.ndarray, dets: np.ndarray
                   ) -> np.ndarray:
    """(K,) cost of each detector row of ``dets`` (K, n) (candidate indices)."""
    n = dets.shape[1]
    f = C1[np.arange(n)[None, :], dets].sum(axis=1)
    if n > 1:
        f = f + (lam1[None, :] * D[dets[:, :-1], dets[:, 1:]]).sum(axis=1)
    return f


def _run_exchange(C1, D, lam1, A, B):
    """Cost changes (da, db) of exchanging slots s..e between detectors A and B, for all
    runs (s, e) with 1 <= e - s + 1 <= MAX_RUN, except the whole detector."""
    n = A.shape[0]
    r = np.arange(n)
    ca, cb = C1[r, A], C1[r, B]
    ea = np.zeros(n)
    eb = np.zeros(n)
    if n > 1:
        ea[:-1] = lam1 * D[A[:-1], A[1:]]
        eb[:-1] = lam1 * D[B[:-1], B[1:]]
    pca = np.concatenate([[0.0], np.cumsum(ca)])
    pcb = np.concatenate([[0.0], np.cumsum(cb)])
    pea = np.concatenate([[0.0], np.cumsum(ea)])
    peb = np.concatenate([[0.0], np.cumsum(eb)])
    s, e = np.triu_indices(n)
    keep = (e - s < MAX_RUN) & ~((s == 0) & (e == n - 1))
    s, e = s[keep], e[keep]
    inner_a = pca[e + 1] - pca[s] + pea[e] - pea[s]
    inner_b = pcb[e + 1] - pcb[s] + peb[e] - peb[s]
    # boundary edges: left at s-1|s (0 at the first slot), right at e|e+1 (0 at the last)
    la_old = np.concatenate([[0.0], ea[:-1]])
    lb_old = np.concatenate([[0.0], eb[:-1]])
    la_new = np.zeros(n)
    lb_new = np.zeros(n)
    ra_new = np.zeros(n)
    rb_new = np.zeros(n)
    if n > 1:
        la_new[1:] = lam1 * D[A[:-1], B[1:]]      # A's left neighbour, then B's run
        lb_new[1:] = lam1 * D[B[:-1], A[1:]]
        ra_new[:-1] = lam1 * D[B[:-1], A[1:]]     # B's run, then A's right neighbour
        rb_new[:-1] = lam1 * D[A[:-1], B[1:]]
    da = inner_b - inner_a - la_old[s] + la_new[s] - ea[e] + ra_new[e]
    db = inner_a - inner_b - lb_old[s] + lb_new[s] - eb[e] + rb_new[e]
    return s, e, da, db


def _stock_exchange(C1, D, lam1, A, stock):
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
            max_moves: int = 10_000, token: CancelToken | None = None) -> dict:
    """Minimise the total excess over ``limit`` of the non-donor detectors in place
    (``dets`` (K, n), ``stock`` the modules in stock). Returns what was done."""
    donors = set() if donors is None else donors
    K = dets.shape[0]
    f = detector_costs(C1, D, lam1, dets)
    moves = {"run_exchange": 0, "stock_exchange": 0}

    def excess(k: int, value: float) -> float:
        return 0.0 if k in donors else max(0.0, value - limit)

    for _ in range(max_moves):
        if token is not None and token.cancelled:
            raise Cancelled("Batch balancing cancelled.")
        failing = [k for k in range(K) if k not in donors and f[k] > limit + 1e-9]
        if not failing:
            break
        best: tuple[float, str, tuple] | None = None   # (score, kind, data)
        for a in failing:
            ex_a = excess(a, f[a])
            for b in range(K):
                if b == a:
                    continue
                s, e, da, db = _run_exchange(C1, D, lam1, dets[a], dets[b])
                fa, fb = f[a] + da, f[b] + db
                ok = np.isfinite(fa) & np.isfinite(fb)
                if not ok.any():
                    continue
                new_ex = np.maximum(fa - limit, 0.0) + (0.0 if b in donors
                                                         else np.maximum(fb - limit, 0.0))
                gain = new_ex - ex_a - excess(b, f[b])
                score = np.where(ok, gain + 1e-6 * (da + db), np.inf)
                i = int(np.argmin(score))
                if gain[i] < -1e-9 and (best is None or score[i] < best[0]):
                    best = (float(score[i]), "run", (a, b, int(s[i]), int(e[i]),
                                                     float(fa[i]), float(fb[i])))
            if stock.size:
                delta = _stock_exchange(C1, D, lam1, dets[a], stock)
                fa = f[a] + delta
                gain = np.maximum(fa - limit, 0.0) - ex_a
                score = np.where(np.isfinite(fa), gain + 1e-6 * delta, np.inf)
                t, q = np.unravel_index(int(np.argmin(score)), score.shape)
                if gain[t, q] < -1e-9 and (best is None or score[t, q] < best[0]):
                    best = (float(score[t, q]), "stock", (a, int(t), int(q), float(fa[t, q])))
        if best is None:
            if len(failing) < 2:
                break
            worst = max(failing, key=lambda k: f[k])
            donors.add(worst)            # give it up: its modules may rescue the others
            continue
        if best[1] == "run":
            a, b, s0, e0, fa, fb = best[2]
            tmp = dets[a, s0:e0 + 1].copy()
            dets[a, s0:e0 + 1] = dets[b, s0:e0 + 1]
            dets[b, s0:e0 + 1] = tmp
            f[a], f[b] = fa, fb
            moves["run_exchange"] += 1
        else:
            a, t, q, fa = best[2]
            out = dets[a, t]
            dets[a, t] = stock[q]
            stock[q] = out
            f[a] = fa
            moves["stock_exchange"] += 1
    return {"moves": moves, "donors": sorted(donors)}


def _polish_detector(p_single: MatchProblem, modules: np.ndarray,
                     settings: OptimiserSettings, seconds: float,
                     token: CancelToken | None) -> np.ndarray:
    """Re-optimise one detector on its own modules; returns the new order (never worse)."""
    n = modules.size
    sub = replace(p_single, c=p_single.c[:, modules], d=p_single.d[np.ix_(modules, modules)],
                  fixed=np.full(n, -1, dtype=np.int64),
                  serials=[p_single.serials[i] for i in modules],
                  lots=[p_single.lots[i] for i in modules])
    sol = solve(sub, replace(settings, time_limit=max(0.2, seconds), bound=False,
                             anneal_threads=1, budget_reference_s=0), token=token,
                start=np.arange(n, dtype=np.int64))
    return modules[sol.perm[:n]]


def run_batch(pool: ModulePool, layout: DetectorLayout, *, detectors: int | None = None,
              spec_cost_per_slot: float = 1.6, settings: OptimiserSettings = OptimiserSettings(),
              token: CancelToken | None = None, progress: Callable[[float, str], None] = no_progress,
              single: MatchProblem | None = None, cost_note: str = "") -> BatchResult:
    """``single``: the one-detector problem with the chosen costs (default: physics,
    built here); fixed slots are ignored in batch mode."""
    t0 = time.perf_counter()
    n = layout.slots
    if single is not None and (single.fixed >= 0).any():
        raise ValueError("batch mode: build the one-detector problem without fixed slots")
    single = single or build_problem(pool, replace(layout, fixed_slots={}))
    usable = single.m
    k = detectors or usable // n
    if k < 1 or k * n > usable:
        raise InputRejected(f"{usable} usable modules cannot fill {k} detectors of {n} "
                            "slots.", code="DM-SHORT")
    p = batch_problem(pool, layout, k, single)
    joint_time = 0.7 * settings.time_limit
    sol = solve(p, replace(settings, moves_per_slot=max(1, settings.moves_per_slot),
                           time_limit=joint_time, budget_reference_s=0),
                token=token, progress=lambda f, msg: progress(0.7 * f, msg))
    C1 = np.where(np.isfinite(single.c), single.c, np.inf)
    D, lam1 = single.d, np.asarray(single.lam, dtype=float)
    dets = sol.perm[:k * n].reshape(k, n).copy()
    stock = sol.perm[k * n:].copy()
    limit = spec_cost_per_slot * n
    before = detector_costs(C1, D, lam1, dets)
    progress(0.72, "balancing detectors against the spec")
    donors: set[int] = set()
    first = balance(C1, D, lam1, dets, stock, limit, donors, token=token)
    remaining = max(0.0, settings.time_limit - (time.perf_counter() - t0))
    polish_settings = replace(settings, moves_per_slot=min(settings.moves_per_slot, 20_000))
    for d in range(k):
        progress(0.75 + 0.2 * d / k, f"re-optimising detector {d + 1} of {k}")
        dets[d] = _polish_detector(single, dets[d], polish_settings,
                                   0.8 * remaining / k, token)
    costs = detector_costs(C1, D, lam1, dets)
    donors = {d for d in donors if costs[d] > limit + 1e-9}   # still failing after polish
    second = balance(C1, D, lam1, dets, stock, limit, set(donors), token=token)
    costs = detector_costs(C1, D, lam1, dets)
    out = []
    for d in range(k):
        idx = dets[d]
        obj = float(costs[d])
        meets = bool(obj <= limit + 1e-9)
        out.append({"detector": d + 1, "objective": obj, "cost_per_slot": obj / n,
                    "meets_spec": meets,
                    "given_up_for_others": d in set(second["donors"]) and not meets,
                    "serials": [p.serials[i] for i in idx]})
    total = pool.size + len(pool.excluded)
    info = {"meeting_spec_before": int((before <= limit + 1e-9).sum()),
            "moves": {key: first["moves"][key] + second["moves"][key]
                      for key in first["moves"]},
            "given_up": [d["detector"] for d in out if d["given_up_for_others"]]}
    progress(1.0, "done")
    return BatchResult(out, sol, total, spec_cost_per_slot, info,
                       time.perf_counter() - t0, single.cost_source,
                       cost_note or "physics cost (slot and neighbour)", single, dets.copy())
