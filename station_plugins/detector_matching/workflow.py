"""End-to-end match: pool + detector model -> costs -> optimiser -> MatchResult.

``run(inputs, token=..., progress=...)`` is the one long computation (panel and CLI).
The learned neighbour cost is used when a verified ONNX regression is available and
asked for; otherwise the physics cost is used, and the result says which and why.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Protocol

import numpy as np

from app.core.errors import InputRejected
from app.core.tasks import CancelToken, ScaledProgress, no_progress
from station_plugins.detector_matching.costs import MatchProblem, build_problem
from station_plugins.detector_matching.detector_models import DetectorLayout
from station_plugins.detector_matching.importer import ModulePool
from station_plugins.detector_matching.optimiser import OptimiserSettings, Solution, solve
from station_plugins.detector_matching.result import MatchResult

if TYPE_CHECKING:
    from station_plugins.detector_matching.batch import BatchResult

COST_CHOICES = ("auto", "physics", "learned")


class NeighbourCostProvider(Protocol):
    """Something that turns pool indicator values into an (m, m) neighbour cost."""
    source_id: str

    def neighbour_cost(self, values: np.ndarray) -> np.ndarray: ...


@dataclass
class MatchInputs:
    pool: ModulePool
    layout: DetectorLayout
    settings: OptimiserSettings = OptimiserSettings()
    cost: str = "auto"                                 # auto | physics | learned
    learned: NeighbourCostProvider | None = None
    learned_unavailable_reason: str = ""
    start_serials: list[str] | None = None             # warm start (e.g. an edited arrangement)


def prepare_problem(inputs: MatchInputs) -> tuple[MatchProblem, str]:
    if inputs.cost not in COST_CHOICES:
        raise InputRejected(f"Unknown cost source '{inputs.cost}'.", code="DM-COST",
                            remedy=f"Use one of {', '.join(COST_CHOICES)}.")
    if inputs.cost in ("auto", "learned") and inputs.learned is not None:
        d = inputs.learned.neighbour_cost(inputs.pool.values)
        note = f"learned neighbour cost ({inputs.learned.source_id}), physics slot cost"
        return build_problem(inputs.pool, inputs.layout, neighbour_cost=d,
                             cost_source="learned"), note
    if inputs.cost == "learned":
        raise InputRejected("The learned neighbour cost was requested but is not "
                            f"available: {inputs.learned_unavailable_reason or 'no model'}.",
                            code="DM-COST", remedy="Use --cost physics, or install the "
                            "model files (models/detector_neighbour_cost).")
    why = inputs.learned_unavailable_reason if inputs.cost == "auto" else "physics requested"
    note = "physics cost (slot and neighbour)" + (f"; learned cost not used: {why}" if why else "")
    return build_problem(inputs.pool, inputs.layout), note


def start_perm(problem: MatchProblem, serials: list[str] | None) -> np.ndarray | None:
    if not serials:
        return None
    index = {s: k for k, s in enumerate(problem.serials)}
    slots = [index[s] for s in serials if s in index]
    if len(slots) != problem.n or len(set(slots)) != problem.n:
        return None
    rest = [k for k in range(problem.m) if k not in set(slots)]
    return np.array(slots + rest, dtype=np.int64)


def run(inputs: MatchInputs, *, token: CancelToken | None = None,
        progress: Callable[[float, str], None] = no_progress) -> MatchResult:
    """The time limit is a wall-clock promise from here: its clock starts once the
    compiled kernels are ready (``kernels.ensure_ready``: loaded from the cache, or
    compiled when the cache has none) and covers the costs, the search, the polish and
    the bound; ``solution.compile_seconds`` says how long the kernels took before it."""
    from station_plugins.detector_matching import kernels
    progress(0.0, "preparing the optimiser")
    warm = kernels.ensure_ready()
    clock = time.perf_counter()
    progress(0.0, "building costs")
    problem, note = prepare_problem(inputs)
    solution = solve(problem, inputs.settings, token=token,
                     progress=ScaledProgress(progress, 0.05, 1.0),
                     start=start_perm(problem, inputs.start_serials), clock_start=clock)
    solution.compile_seconds = warm.seconds
    return MatchResult(problem=problem, solution=solution,
                       pool_source=inputs.pool.report.source,
                       pool_sha256=inputs.pool.source_sha256,
                       modules_imported=inputs.pool.size, cost_source_note=note,
                       time_limit=inputs.settings.time_limit)


def batch(inputs: MatchInputs, spec_cost_per_slot: float, detectors: int | None = None, *,
          token: CancelToken | None = None,
          progress: Callable[[float, str], None] = no_progress) -> BatchResult:
    """Batch mode with the inputs' cost choice (locks do not apply to batch mode). The
    time limit is one wall-clock promise for the whole batch, its clock started as for
    :func:`run`: once the kernels are ready, before the costs are built."""
    from station_plugins.detector_matching import kernels
    from station_plugins.detector_matching.batch import run_batch
    progress(0.0, "preparing the optimiser")
    kernels.ensure_ready()
    clock = time.perf_counter()
    progress(0.0, "building costs")
    layout = replace(inputs.layout, fixed_slots={})
    single, note = prepare_problem(replace(inputs, layout=layout, start_serials=None))
    return run_batch(inputs.pool, layout, detectors=detectors or None,
                     spec_cost_per_slot=spec_cost_per_slot, settings=inputs.settings,
                     token=token, progress=ScaledProgress(progress, 0.05, 1.0),
                     single=single, cost_note=note, clock_start=clock)


def evaluate(problem: MatchProblem, perm: np.ndarray, lower_bound: float,
             seconds: float = 0.0, seed: int = 0) -> Solution:
    """Cost and certified gap of a given (e.g. hand-edited) arrangement: instant."""
    n = problem.n
    a = perm[:n]
    slot = float(problem.c[np.arange(n), a].sum())
    nb = float((problem.lam * problem.d[a[:-1], a[1:]]).sum()) if n > 1 else 0.0
    obj = slot + nb
    feasible = (len(set(a.tolist())) == n and np.isfinite(obj)
                and all(problem.fixed[s] < 0 or problem.fixed[s] == a[s] for s in range(n)))
    gap = (obj - lower_bound) / abs(lower_bound) if lower_bound and np.isfinite(obj) else float("nan")
    return Solution(perm=np.asarray(perm).copy(), objective=obj, slot_cost=slot,
                    neighbour_cost=nb, lower_bound=lower_bound, gilmore_lawler=float("nan"),
                    gap=gap, seconds=seconds, feasible=bool(feasible), seed=seed)


def settings_for(seed: int, time_limit: float, **kw: Any) -> OptimiserSettings:
    return replace(OptimiserSettings(), seed=int(seed), time_limit=float(time_limit), **kw)
