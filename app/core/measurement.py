"""Measurements with units, limits (warning and action levels) and verdicts.

Shared by every station: QC metrics, tunnel test items, detector figures. Verdicts:
PASS, WARN (outside the warning band, inside action limits), FAIL, ERROR (could not
decide), SKIP. Aggregation is worst-of (ERROR outranks FAIL: an undecided result must
never read as a pass).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Iterable


class Verdict(str, Enum):
    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    WARN = "WARN"
    FAIL = "FAIL"
    ERROR = "ERROR"
    SKIP = "SKIP"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @staticmethod
    def worst(verdicts: Iterable["Verdict"]) -> "Verdict":
        vs = [v for v in verdicts if v is not Verdict.SKIP]
        if not vs:
            return Verdict.SKIP
        return max(vs, key=lambda v: v.rank)


_RANK = {Verdict.SKIP: 0, Verdict.PASS: 1, Verdict.WARN: 2, Verdict.FAIL: 3, Verdict.ERROR: 4}


@dataclass(frozen=True)
class Limits:
    """Action limits [low, high] and optional warning limits [warn_low, warn_high].

    Any bound may be None (one-sided). ``equals`` makes an equality check (strings,
    booleans, integers). Warning limits sit inside the action limits.
    """

    low: float | None = None
    high: float | None = None
    warn_low: float | None = None
    warn_high: float | None = None
    equals: Any = None
    source: str = ""  # e.g. "ACR CT 2024 / water", "factory:CT-X 120kV v3"

    def judge(self, value: Any) -> Verdict:
        if self.equals is not None:
            return Verdict.PASS if value == self.equals else Verdict.FAIL
        if value is None:
            return Verdict.ERROR
        try:
            x = float(value)
        except (TypeError, ValueError):
            return Verdict.ERROR
        if math.isnan(x):
            return Verdict.ERROR
        if (self.low is not None and x < self.low) or (self.high is not None and x > self.high):
            return Verdict.FAIL
        if (self.warn_low is not None and x < self.warn_low) or (
                self.warn_high is not None and x > self.warn_high):
            return Verdict.WARN
        return Verdict.PASS

    def is_empty(self) -> bool:
        return all(v is None for v in (self.low, self.high, self.warn_low, self.warn_high,
                                       self.equals))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Limits":
        if not d:
            return cls()
        allowed = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - allowed
        if unknown:
            raise ValueError(f"unknown limit keys: {sorted(unknown)}")
        return cls(**d)

    def text(self) -> str:
        if self.equals is not None:
            return f"= {self.equals}"
        if self.low is not None and self.high is not None:
            return f"{self.low:g} .. {self.high:g}"
        if self.low is not None:
            return f">= {self.low:g}"
        if self.high is not None:
            return f"<= {self.high:g}"
        return "-"


@dataclass(frozen=True)
class Measurement:
    """One measured figure. ``key`` is a stable dotted name (a contract)."""

    key: str
    value: Any
    unit: str = ""
    limits: Limits = field(default_factory=Limits)
    verdict: Verdict = Verdict.SKIP
    where: dict[str, Any] = field(default_factory=dict)  # slice index, ROI centre/radius, ...
    note: str = ""

    @classmethod
    def judged(cls, key: str, value: Any, unit: str = "", limits: Limits | None = None,
               **kw: Any) -> "Measurement":
        lim = limits or Limits()
        verdict = Verdict.SKIP if lim.is_empty() else lim.judge(value)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            verdict = Verdict.ERROR
        return cls(key=key, value=value, unit=unit, limits=lim, verdict=verdict, **kw)

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, float) and math.isnan(v):
            v = None
        return {"key": self.key, "value": v, "unit": self.unit,
                "limits": self.limits.to_dict(), "verdict": self.verdict.value,
                "where": self.where, **({"note": self.note} if self.note else {})}
