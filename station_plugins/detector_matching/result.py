"""The match result: what the CLI writes as JSON and the panel shows.

Schema: ``schema/match_result.schema.json`` (version ``RESULT_SCHEMA_VERSION``).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app import __version__
from station_plugins.detector_matching.costs import MatchProblem, artifact_profile
from station_plugins.detector_matching.optimiser import Solution

RESULT_SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "match_result.schema.json"


@dataclass(frozen=True)
class Weakness:
    """Why a result is weak: its certified gap is above the detector model's threshold,
    or it has no certified bound at all (gap NaN)."""
    gap: float
    threshold: float
    model: str
    note: str = ""           # a reason other than the gap (e.g. a batch spec not met)

    @property
    def certified(self) -> bool:
        return math.isfinite(self.gap)

    def text(self) -> str:
        if self.note:
            return self.note
        if not self.certified:
            return (f"no certified lower bound: how far this arrangement is from the best "
                    f"possible is unknown (threshold of {self.model}: "
                    f"{100 * self.threshold:.2f} %)")
        return (f"certified gap {100 * self.gap:.2f} % is above the {100 * self.threshold:.2f} % "
                f"threshold of {self.model}: the arrangement may be up to "
                f"{100 * self.gap:.1f} % worse than the best possible")


def weakness(gap: float | None, layout: Any) -> Weakness | None:
    """None when the result is certified within the detector model's ``weak_gap``."""
    threshold = float(getattr(layout, "weak_gap", 0.02))
    if gap is not None and math.isfinite(gap) and gap <= threshold:
        return None
    return Weakness(float("nan") if gap is None else float(gap), threshold, layout.name)


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass
class MatchResult:
    problem: MatchProblem
    solution: Solution
    pool_source: str = ""
    pool_sha256: str = ""
    modules_imported: int = 0
    cost_source_note: str = ""
    time_limit: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def slot_modules(self) -> np.ndarray:
        return self.solution.perm[: self.problem.n]

    def assignment(self) -> list[dict]:
        p, a = self.problem, self.slot_modules
        prof = artifact_profile(p, self.solution.perm)
        angles = p.layout.slot_angles()
        out = []
        for s in range(p.n):
            out.append({"slot": s, "fan_angle_deg": round(float(angles[s]), 4),
                        "module_serial": p.serials[a[s]], "lot": p.lots[a[s]],
                        "slot_cost": _num(prof["slot"][s]),
                        "boundary_cost_right": _num(prof["boundary"][s]) if s < p.n - 1 else None,
                        "locked": bool(p.fixed[s] >= 0)})
        return out

    def spares(self) -> list[str]:
        return [self.problem.serials[i] for i in self.solution.perm[self.problem.n:]]

    @property
    def weakness(self) -> Weakness | None:
        return weakness(self.solution.gap, self.problem.layout)

    def to_dict(self) -> dict:
        s, p = self.solution, self.problem
        weak = self.weakness
        left_out = list(p.left_out) + [
            {"serial": serial, "reason": "spare: not needed by the best arrangement",
             "stage": "optimiser"} for serial in self.spares()]
        total_modules = self.modules_imported + len([x for x in p.left_out
                                                     if x.get("stage") == "import"])
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "software_version": __version__,
            "detector_model": p.layout.name,
            "slots": p.n,
            "pool": {"source": self.pool_source, "sha256": self.pool_sha256,
                     "modules_in_file": total_modules,
                     "modules_imported": self.modules_imported,
                     "candidates": p.m},
            "cost_source": p.cost_source,
            "cost_source_note": self.cost_source_note,
            "seed": s.seed,
            "time_limit_s": self.time_limit,
            "seconds": round(s.seconds, 4),
            "kernel_seconds": round(s.compile_seconds, 4),
            "objective": _num(s.objective),
            "slot_cost": _num(s.slot_cost),
            "neighbour_cost": _num(s.neighbour_cost),
            "lower_bound": _num(s.lower_bound),
            "gilmore_lawler_bound": _num(s.gilmore_lawler),
            "bound_start": s.bound_start or None,
            "gap": _num(s.gap),
            "feasible": s.feasible,
            "cut_by_time": s.cut_by_time,
            "weak": weak is not None,
            "weak_gap_threshold": p.layout.weak_gap,
            "weak_reason": weak.text() if weak is not None else None,
            "baselines": {k: _num(v) for k, v in s.seeds.items()},
            "material_utilisation": round(p.n / total_modules, 6) if total_modules else None,
            "assignment": self.assignment(),
            "modules_left_out": left_out,
            **self.extra,
        }

    def write_json(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False), "utf-8")
        tmp.replace(path)
