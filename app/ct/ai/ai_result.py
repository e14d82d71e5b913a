"""The AI verdicts of the image check (Qt-free): one slice's (:class:`SliceVerdict`) and
the series' (:class:`AiResult`: slices, model, thresholds, series decision, notes) -
split from :mod:`check` (the same code; ``check`` re-exports both)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property

from app.ct.ai.series_consistency import Level
from app.ct.ai.series_decision import (DEFAULT_WEAK_RATE, LOW_CONFIDENCE, NOT_APPLICABLE,
                                       SERIES_ALPHA, SeriesEvidence, decide)
from app.ct.note_codes import code_entries, code_entry


@dataclass(frozen=True)
class SliceVerdict:
    slice_index: int
    label: str
    confidence: float
    scores: dict[str, float]
    anomaly: float
    flagged: bool
    reasons: tuple[str, ...]
    input_sha256: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reasons"] = [str(r) for r in self.reasons]
        d["reason_codes"] = code_entries(self.reasons)   # one per reason (None: no code)
        return d


@dataclass(frozen=True)
class AiResult:
    """The AI verdict of one series: kept beside, never instead of, the physics verdict."""

    model_id: str
    model_version: str
    model_sha256: str
    providers: tuple[str, ...]
    slices: tuple[SliceVerdict, ...]
    latency_ms_per_slice: float
    total_ms: float
    thresholds: dict = field(default_factory=dict)
    not_applicable_reason: str = ""       # the series as a whole cannot be judged
    pixel_mm: float | None = None
    notes: tuple[str, ...] = ()
    # central-disc level of each measured slice (series_consistency: the band check)
    levels: dict[int, Level] = field(default_factory=dict, repr=False, compare=False)

    @property
    def applicable(self) -> bool:
        return not self.not_applicable_reason

    @property
    def flagged(self) -> bool:
        """The series needs a person: a supported abnormal class or an uncertain AI."""
        return self.label not in ("normal", NOT_APPLICABLE)

    @property
    def label(self) -> str:
        """Series class: ``not_applicable`` when the AI cannot judge the series; else
        series_decision.decide - an abnormal class the slices support, "uncertain" when
        more slices are weak than a clean series explains (binomial test at the card's
        per-slice weak rate), else "normal"."""
        return self.decision()[0]

    def decision(self) -> tuple[str, SeriesEvidence]:
        """(series class, what it rests on)."""
        return self._decided

    @cached_property
    def _decided(self) -> tuple[str, SeriesEvidence]:
        # once per result: label, verdict, flagged and to_dict all ask for it
        th = self.thresholds or {}
        label, evidence = decide(
            self.slices, weak_rate=float(th.get("series_weak_rate", DEFAULT_WEAK_RATE)),
            alpha=float(th.get("series_alpha", SERIES_ALPHA)),
            low_confidence=float(th.get("low_confidence", LOW_CONFIDENCE)),
            levels=self.levels)
        return (label if self.applicable else NOT_APPLICABLE), evidence

    @property
    def verdict(self) -> str:
        lab = self.label
        return {"normal": "NORMAL", NOT_APPLICABLE: "NOT_APPLICABLE"}.get(lab, "ABNORMAL")

    def worst_slice(self) -> SliceVerdict:
        judged = [s for s in self.slices if s.label != NOT_APPLICABLE] or list(self.slices)
        flagged = [s for s in judged if s.flagged] or judged
        return max(flagged, key=lambda s: (s.label != "normal", 1 - s.scores["normal"],
                                           s.anomaly))

    def to_dict(self) -> dict:
        label, evidence = self.decision()
        return {"model_id": self.model_id, "model_version": self.model_version,
                "model_sha256": self.model_sha256, "providers": list(self.providers),
                "label": label, "verdict": self.verdict, "flagged": self.flagged,
                "series_evidence": evidence.to_dict(),
                "latency_ms_per_slice": round(self.latency_ms_per_slice, 3),
                "total_ms": round(self.total_ms, 2), "thresholds": self.thresholds,
                "applicable": self.applicable,
                "not_applicable_reason": self.not_applicable_reason,
                "not_applicable_reason_code": code_entry(self.not_applicable_reason),
                "pixel_mm": self.pixel_mm, "notes": list(self.notes),
                "note_codes": code_entries(self.notes),
                "slices": [s.to_dict() for s in self.slices]}
