"""Batch mode: K detectors from one pool, as one path of K*n slots whose joints weigh 0.

Maximises the number of detectors that meet the detector spec (mean cost per slot at
most ``spec_cost_per_slot``): it starts at K = floor(usable / n) and reports how many
of the K arrangements meet spec, and the material utilisation (modules in detectors
that meet spec / modules in the file).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.core.errors import InputRejected
from app.core.tasks import CancelToken, no_progress
from station_plugins.detector_matching.costs import MatchProblem, build_problem
from station_plugins.detector_matching.detector_models import DetectorLayout
from station_plugins.detector_matching.importer import ModulePool
from station_plugins.detector_matching.optimiser import OptimiserSettings, Solution, solve


@dataclass
class BatchResult:
    detectors: list[dict]          # per detector: serials, objective, meets_spec
    solution: Solution
    modules_in_file: int
    spec_cost_per_slot: float

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
                "objective": self.solution.objective, "lower_bound": self.solution.lower_bound,
                "gap": self.solution.gap, "seconds": self.solution.seconds}


def batch_problem(pool: ModulePool, layout: DetectorLayout, k: int) -> MatchProblem:
    single = build_problem(pool, replace(layout, fixed_slots={}))   # locks: single mode
    n = layout.slots
    joint_layout = replace(layout, slots=n * k, fixed_slots={}, name=f"{layout.name}x{k}")
    c = np.tile(single.c, (k, 1))
    lam = np.concatenate([np.append(single.lam, 0.0)] * k)[:-1]   # zero-weight joints
    fixed = np.full(n * k, -1, dtype=np.int64)
    return MatchProblem(c=c, d=single.d, lam=lam, fixed=fixed, serials=single.serials,
                        lots=single.lots, layout=joint_layout, left_out=single.left_out,
                        joints=np.arange(1, k) * n - 1)


def run_batch(pool: ModulePool, layout: DetectorLayout, *, detectors: int | None = None,
              spec_cost_per_slot: float = 1.6, settings: OptimiserSettings = OptimiserSettings(),
              token: CancelToken | None = None, progress=no_progress) -> BatchResult:
    n = layout.slots
    usable = build_problem(pool, layout).m
    k = detectors or usable // n
    if k < 1 or k * n > usable:
        raise InputRejected(f"{usable} usable modules cannot fill {k} detectors of {n} "
                            "slots.", code="DM-SHORT")
    p = batch_problem(pool, layout, k)
    sol = solve(p, replace(settings, moves_per_slot=max(1, settings.moves_per_slot)),
                token=token, progress=progress)
    out = []
    for d in range(k):
        idx = sol.perm[d * n:(d + 1) * n]
        obj = float(p.c[np.arange(n), idx].sum()
                    + (p.lam[d * n:(d + 1) * n - 1] * p.d[idx[:-1], idx[1:]]).sum())
        out.append({"detector": d + 1, "objective": obj, "cost_per_slot": obj / n,
                    "meets_spec": bool(obj / n <= spec_cost_per_slot),
                    "serials": [p.serials[i] for i in idx]})
    total = pool.size + len(pool.excluded)
    return BatchResult(out, sol, total, spec_cost_per_slot)
