"""Batch mode: K detectors from one pool, maximising the number that meet spec.

1. Joint arrangement: one path of K*n slots whose joints weigh 0 (minimum total cost;
   the optimiser also chooses which modules stay in stock).
2. Spec balancing (:func:`.balancing.balance`): a detector meets spec when its cost is
   at most ``spec_cost_per_slot * n``. A minimum-sum arrangement ignores that threshold, so
   detectors just above it are common while others have slack. Balancing minimises the
   total excess over spec by exact best-improvement moves: exchange a run of slots
   between two detectors (same slot positions, so both keep their own slot weights),
   or exchange a module with one in stock. When no move reduces the excess and two or
   more detectors still fail, the worst one is given up (a *donor*: its excess no longer
   counts), so its modules can rescue the others; it is reported as not meeting spec.
3. Each detector is then re-optimised on its own modules (its cost can only fall) and
   balancing runs once more on the gained slack.
Material utilisation = modules in detectors that meet spec / modules in the file.
Deterministic for a seed (the moves are exact best-improvement, no randomness) as long as
the clock cuts no phase.

One deadline for the whole batch (issue 21): the clock starts once the kernels are ready
(``workflow.batch``: before the costs are built, as for a single run) and every phase ends
by a share of it: the joint arrangement at 70 % of the limit, balancing and the
re-optimisation by the deadline less what the second balancing needs. The time left is
shared among the detectors as they come (furthest above spec first); a detector whose
share would not cover a solve's set-up keeps its balanced arrangement (valid, just not
re-optimised). ``BatchResult.schedule`` says what each phase planned, took and whether
the clock cut it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from app.core.errors import InputRejected
from app.core.tasks import CancelToken, no_progress
from station_plugins.detector_matching.balancing import balance, detector_costs
from station_plugins.detector_matching.costs import MatchProblem, build_problem
from station_plugins.detector_matching.detector_models import DetectorLayout
from station_plugins.detector_matching.importer import ModulePool
from station_plugins.detector_matching.optimiser import OptimiserSettings, Solution, solve

JOINT_SHARE = 0.7      # of the limit: the joint arrangement (with its bound)
END_RESERVE_S = 0.005  # after the second balancing: the result's assembly


def polish_overhead(n: int) -> float:
    """A re-optimisation's set-up before it searches (seeds, neighbour lists, LAP polish,
    threads): 12 ms at 48 slots, 65 ms at 400 (measured 10-65 ms on the shared 2-core
    machine, load ~3.5). A detector is re-optimised only with twice this or more."""
    return 0.005 + 1.5e-4 * n


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
    time_limit: float = 0.0                    # the limit the batch ran under
    schedule: dict = field(default_factory=dict)   # phase -> planned end, seconds, cut

    @property
    def cut_by_time(self) -> bool:
        return any(ph.get("cut_by_time") for ph in self.schedule.values())

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
                "joint_objective": _num(self.solution.objective),
                "lower_bound": _num(self.solution.lower_bound),
                "gap": _num(self.solution.gap), "bound_start": self.solution.bound_start or None,
                "balancing": self.balancing,
                "cost_source": self.cost_source, "cost_source_note": self.cost_source_note,
                "time_limit_s": self.time_limit, "cut_by_time": self.cut_by_time,
                "schedule": self.schedule,
                "seconds": self.seconds or self.solution.seconds}


def _num(x: float) -> float | None:
    """JSON has no NaN: a bound the clock left no time for is null."""
    return float(x) if x is not None and np.isfinite(x) else None


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


def _polish_detector(p_single: MatchProblem, modules: np.ndarray,
                     settings: OptimiserSettings, seconds: float,
                     token: CancelToken | None) -> tuple[np.ndarray, bool]:
    """Re-optimise one detector on its own modules for ``seconds`` (the caller's share of
    the batch's deadline: no minimum of its own); returns the new order (never worse) and
    whether the clock cut the search."""
    n = modules.size
    sub = replace(p_single, c=p_single.c[:, modules], d=p_single.d[np.ix_(modules, modules)],
                  fixed=np.full(n, -1, dtype=np.int64),
                  serials=[p_single.serials[i] for i in modules],
                  lots=[p_single.lots[i] for i in modules])
    sol = solve(sub, replace(settings, time_limit=max(1e-3, seconds), bound=False,
                             anneal_threads=1, budget_reference_s=0), token=token,
                start=np.arange(n, dtype=np.int64))
    new = modules[sol.perm[:n]]
    C1 = np.where(np.isfinite(p_single.c), p_single.c, np.inf)
    lam1 = np.asarray(p_single.lam, dtype=float)
    old_cost, new_cost = detector_costs(C1, p_single.d, lam1, np.stack([modules, new]))
    return (new if new_cost <= old_cost else modules), sol.cut_by_time


def plan_polish(left: float, todo: int, overhead: float, overrun: float = 0.0) -> float:
    """Seconds for the next of ``todo`` detectors to re-optimise, ``left`` seconds before
    the polish must end: an equal share, or a larger one for fewer detectors where an
    equal share would not cover twice a solve's ``overhead`` (the rest then keep their
    balanced order); 0: none fits. The share less the largest ``overrun`` seen so far is
    what the solve is given, so the share's end stays within ``left``."""
    need = 2.0 * overhead + overrun
    if todo <= 0 or left < need:
        return 0.0
    fit = min(todo, int(left // need))
    return left / fit - overrun


def run_batch(pool: ModulePool, layout: DetectorLayout, *, detectors: int | None = None,
              spec_cost_per_slot: float = 1.6, settings: OptimiserSettings = OptimiserSettings(),
              token: CancelToken | None = None, progress: Callable[[float, str], None] = no_progress,
              single: MatchProblem | None = None, cost_note: str = "",
              clock: Callable[[], float] = time.perf_counter,
              clock_start: float | None = None) -> BatchResult:
    """``single``: the one-detector problem with the chosen costs (default: physics,
    built here); fixed slots are ignored in batch mode. The whole batch ends
    ``settings.time_limit`` after ``clock_start`` (a ``clock()`` value taken by the caller
    once the kernels were ready; default: now), plus the last move or chunk (~10 ms)."""
    t0 = clock() if clock_start is None else clock_start
    deadline = t0 + settings.time_limit
    schedule: dict[str, dict] = {}

    def phase(name: str, start: float, end: float, cut: bool, **extra: object) -> None:
        schedule[name] = {"ends_by_s": round(end - t0, 4),
                          "seconds": round(clock() - start, 4), "cut_by_time": bool(cut),
                          **extra}

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
    start = clock()
    joint_end = t0 + JOINT_SHARE * settings.time_limit
    sol = solve(p, replace(settings, moves_per_slot=max(1, settings.moves_per_slot),
                           time_limit=max(1e-3, joint_end - start), budget_reference_s=0),
                token=token, progress=lambda f, msg: progress(0.7 * f, msg))
    phase("joint", start, joint_end, sol.cut_by_time)
    C1 = np.where(np.isfinite(single.c), single.c, np.inf)
    D, lam1 = single.d, np.asarray(single.lam, dtype=float)
    dets = sol.perm[:k * n].reshape(k, n).copy()
    stock = sol.perm[k * n:].copy()
    limit = spec_cost_per_slot * n
    before = detector_costs(C1, D, lam1, dets)
    progress(0.72, "balancing detectors against the spec")
    donors: set[int] = set()
    start = clock()
    first = balance(C1, D, lam1, dets, stock, limit, donors, token=token,
                    deadline=deadline - END_RESERVE_S, clock=clock)
    phase("balancing", start, deadline - END_RESERVE_S, first["cut_by_time"],
          moves=sum(first["moves"].values()))
    # the second balancing gets what the first took (at most a quarter of what is left)
    now = clock()
    polish_end = deadline - END_RESERVE_S - min(0.25 * max(0.0, deadline - now),
                                                 max(0.01, now - start))
    polish_settings = replace(settings, moves_per_slot=min(settings.moves_per_slot, 20_000))
    costs = detector_costs(C1, D, lam1, dets)
    order = sorted(range(k), key=lambda d: -(costs[d] - limit))   # furthest above spec first
    overhead, overrun = polish_overhead(n), 0.0
    polished: list[int] = []
    polish_cut = False
    start = clock()
    for i, d in enumerate(order):
        share = plan_polish(polish_end - clock(), k - i, overhead, overrun)
        if share <= 0.0:
            break
        progress(0.75 + 0.2 * i / k, f"re-optimising detector {d + 1} of {k}")
        t_d = clock()
        dets[d], cut = _polish_detector(single, dets[d], polish_settings, share, token)
        polish_cut |= cut
        overrun = max(overrun, clock() - t_d - share)
        polished.append(d + 1)
    phase("polish", start, polish_end, polish_cut or len(polished) < k,
          detectors_polished=polished,
          detectors_not_polished=sorted(d + 1 for d in order if d + 1 not in polished))
    costs = detector_costs(C1, D, lam1, dets)
    donors = {d for d in donors if costs[d] > limit + 1e-9}   # still failing after polish
    start = clock()
    second = balance(C1, D, lam1, dets, stock, limit, set(donors), token=token,
                     deadline=deadline - END_RESERVE_S, clock=clock)
    phase("rebalancing", start, deadline - END_RESERVE_S, second["cut_by_time"],
          moves=sum(second["moves"].values()))
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
    return BatchResult(out, sol, total, spec_cost_per_slot, info, clock() - t0,
                       single.cost_source, cost_note or "physics cost (slot and neighbour)",
                       single, dets.copy(), time_limit=settings.time_limit, schedule=schedule)
