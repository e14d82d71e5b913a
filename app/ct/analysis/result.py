"""Result types of a CT phantom analysis (Qt-free, frozen, JSON round trip).

The JSON form is a versioned contract read by other plant systems; its schema lives in
``station_plugins/ct_qc/schema/qc_result.schema.json`` (``schema_version`` "1.2"; readers accept 1.x).

Coordinates in ``where`` dicts: ``slice`` = index into the series as sorted by
:mod:`app.ct.dicom_load` (0 = most inferior / first along the slice
normal), ``centre_px`` = [column, row] in pixels of that slice, ``radius_px`` for
circular ROIs, ``rect_px`` = [col0, row0, col1, row1] for rectangles, ``line_px`` =
[[c0, r0], [c1, r1]] for profiles. ``kind`` says which ("circle", "rect", "line",
"annulus").
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from app.ct.names import UNMEASURED_NOTE
from app.ct.note_codes import code_entries, code_entry, coded, restore, restore_all
from app.core.measurement import Limits, Measurement, Verdict

SCHEMA_VERSION = "1.2"

# Artifact types named in the contract.
ARTIFACT_TYPES = ("ring", "arc", "streak", "band", "cupping", "capping", "ct_shift")


def _clean(x: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, tuples -> lists, numpy scalars -> Python."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "tolist") and not isinstance(x, (str, bytes)):  # numpy array / scalar
        return _clean(x.tolist())
    if isinstance(x, bool) or x is None or isinstance(x, (str, int)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Verdict):
        return x.value
    return x


@dataclass(frozen=True)
class Localisation:
    """Where the phantom sits in the series."""

    centre_px: tuple[float, float] = (math.nan, math.nan)   # (column, row) at origin slice
    centre_mm: tuple[float, float] = (math.nan, math.nan)   # offset from image centre, (x, y)
    roll_deg: float = math.nan
    origin_slice: int = -1          # slice index of the reference module (CTP404 / ACR 1)
    origin_z_mm: float = math.nan   # slice position (mm) of the reference module centre
    confidence: float = 0.0         # 0..1
    module_slices: dict[str, int] = field(default_factory=dict)
    missing_modules: tuple[str, ...] = ()
    pitch_deg: float = 0.0          # phantom axis tilt about x (row drift over z)
    yaw_deg: float = 0.0            # phantom axis tilt about y (column drift over z)
    # per module: 0..1, how well the image there matches the definition (body CT number,
    # insert contrasts); a low value says which module's measurements to read with care
    module_confidence: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return _clean({
            "centre_px": list(self.centre_px), "centre_mm": list(self.centre_mm),
            "roll_deg": self.roll_deg, "origin_slice": self.origin_slice,
            "origin_z_mm": self.origin_z_mm, "confidence": self.confidence,
            "module_slices": dict(self.module_slices),
            "missing_modules": list(self.missing_modules),
            "pitch_deg": self.pitch_deg, "yaw_deg": self.yaw_deg,
            "module_confidence": dict(self.module_confidence)})

    @classmethod
    def from_dict(cls, d: dict) -> "Localisation":
        f = lambda v: math.nan if v is None else float(v)  # noqa: E731
        return cls(centre_px=(f(d["centre_px"][0]), f(d["centre_px"][1])),
                   centre_mm=(f(d["centre_mm"][0]), f(d["centre_mm"][1])),
                   roll_deg=f(d["roll_deg"]), origin_slice=int(d["origin_slice"]),
                   origin_z_mm=f(d["origin_z_mm"]), confidence=float(d["confidence"]),
                   module_slices={k: int(v) for k, v in d.get("module_slices", {}).items()},
                   missing_modules=tuple(d.get("missing_modules", ())),
                   pitch_deg=f(d.get("pitch_deg", 0.0)), yaw_deg=f(d.get("yaw_deg", 0.0)),
                   module_confidence={k: float(v) for k, v in (d.get("module_confidence") or {}).items()})


@dataclass(frozen=True)
class Artifact:
    """A named artifact with its physics-based evidence.

    ``location`` keys by type: ring/arc: radius_mm, width_mm, angular_coverage_deg,
    detector_channel, detector_channel_mirror, fan_angle_deg, detector_geometry (numbers
    used and their source), slice_range, n_slices, module, modules; streak: angle_deg, artifact_index, slice_range;
    band: slice_range, z_mm, period_slices; cupping/capping: edge_minus_centre_hu,
    slice_range; ct_shift: insert, expected_hu, measured_hu.
    """

    type: str
    amplitude_hu: float
    location: dict = field(default_factory=dict)
    verdict: Verdict = Verdict.FAIL
    score: float = math.nan        # detector statistic (robust z-score, index, ...)
    note: str = ""

    def to_dict(self) -> dict:
        d = {"type": self.type, "amplitude_hu": self.amplitude_hu,
             "location": self.location, "verdict": self.verdict.value,
             "score": self.score}
        if self.note:
            d["note"] = self.note
            if code_entry(self.note):
                d["note_code"] = code_entry(self.note)
        return _clean(d)

    @classmethod
    def from_dict(cls, d: dict) -> "Artifact":
        return cls(type=d["type"], amplitude_hu=_num(d["amplitude_hu"]),
                   location=dict(d.get("location", {})), verdict=Verdict(d["verdict"]),
                   score=_num(d.get("score")),
                   note=restore(d.get("note", ""), d.get("note_code")))


@dataclass(frozen=True)
class Curve:
    """Plot data: y(x) with units (MTF, NPS, TTF, linearity, radial profile, z-profile)."""

    key: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    x_unit: str = ""
    y_unit: str = ""
    label: str = ""

    def to_dict(self) -> dict:
        return _clean({"key": self.key, "x": list(self.x), "y": list(self.y),
                       "x_unit": self.x_unit, "y_unit": self.y_unit, "label": self.label})

    @classmethod
    def from_dict(cls, d: dict) -> "Curve":
        return cls(key=d["key"], x=tuple(_num(v) for v in d["x"]),
                   y=tuple(_num(v) for v in d["y"]), x_unit=d.get("x_unit", ""),
                   y_unit=d.get("y_unit", ""), label=d.get("label", ""))


@dataclass(frozen=True)
class ProfileRef:
    """The limit profile the verdicts were judged against."""

    name: str = "none"
    version: str = ""
    sha256: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def _with_code(d: dict, note: str) -> dict:
    """A measurement's JSON with its note's code (``note_code``) when the note has one."""
    entry = code_entry(note)
    return {**d, "note_code": entry} if entry and "note" in d else d


def measurement_from_dict(d: dict) -> Measurement:
    return Measurement(key=d["key"], value=d.get("value"), unit=d.get("unit", ""),
                       limits=Limits.from_dict(d.get("limits")),
                       verdict=Verdict(d["verdict"]), where=dict(d.get("where", {})),
                       note=restore(d.get("note", ""), d.get("note_code")))


@dataclass(frozen=True)
class QcResult:
    """The outcome of one series analysis. ``verdict`` is the worst of all parts."""

    phantom: str
    localisation: Localisation
    measurements: tuple[Measurement, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    curves: tuple[Curve, ...] = ()
    verdict: Verdict = Verdict.ERROR
    profile: ProfileRef = ProfileRef()
    software: dict = field(default_factory=dict)   # name, version
    inputs: dict = field(default_factory=dict)     # series_uid, scanner_serial, kvp, ...
    result_id: str = ""
    created_utc: str = ""
    elapsed_s: float = math.nan
    notes: tuple[str, ...] = ()
    schema_version: str = SCHEMA_VERSION

    # -- queries -----------------------------------------------------------------
    def measurement(self, key: str) -> Measurement | None:
        for m in self.measurements:
            if m.key == key:
                return m
        return None

    def value(self, key: str, default: Any = None) -> Any:
        m = self.measurement(key)
        return default if m is None else m.value

    def curve(self, key: str) -> Curve | None:
        for c in self.curves:
            if c.key == key:
                return c
        return None

    def artifacts_of(self, kind: str) -> list[Artifact]:
        return [a for a in self.artifacts if a.type == kind]

    @staticmethod
    def worst_verdict(measurements: Iterable[Measurement],
                      artifacts: Iterable[Artifact]) -> Verdict:
        return Verdict.worst([m.verdict for m in measurements]
                             + [a.verdict for a in artifacts])

    def with_verdicts(self) -> "QcResult":
        """Copy with ``verdict`` recomputed as worst-of (PASS when nothing was judged).
        A measurement the profile limits that a scanned module could not show (SKIP with
        limits: above the sampled frequencies, an ROI on a streak) never lets the result
        read PASS: at least WARN, and a note names it. A module left out of a partial scan
        is not that: its figures are SKIP and the notes name the missing modules."""
        v = self.worst_verdict(self.measurements, self.artifacts)
        v = Verdict.PASS if v is Verdict.SKIP else v
        unjudged = [m.key for m in self.measurements
                    if m.verdict is Verdict.SKIP and not m.limits.is_empty()
                    and not m.where.get("not_in_series")]
        if not unjudged:
            return replace(self, verdict=v)
        note = coded(UNMEASURED_NOTE + ", ".join(unjudged), "result.unmeasured", keys=unjudged)
        return replace(self, verdict=Verdict.WARN if v is Verdict.PASS else v,
                       notes=self.notes + (() if note in self.notes else (note,)))

    # -- JSON --------------------------------------------------------------------
    def to_dict(self) -> dict:
        return _clean({
            "schema_version": self.schema_version,
            "result_id": self.result_id, "created_utc": self.created_utc,
            "verdict": self.verdict.value, "phantom": self.phantom,
            "localisation": self.localisation.to_dict(),
            "measurements": [_with_code(m.to_dict(), m.note) for m in self.measurements],
            "artifacts": [a.to_dict() for a in self.artifacts],
            "curves": [c.to_dict() for c in self.curves],
            "profile": self.profile.to_dict(), "software": dict(self.software),
            "inputs": dict(self.inputs), "elapsed_s": self.elapsed_s,
            "notes": list(self.notes), "note_codes": code_entries(self.notes)})

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, d: dict) -> "QcResult":
        major = str(d.get("schema_version", "")).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise ValueError(f"unsupported QC result schema_version {d.get('schema_version')!r}")
        p = d.get("profile", {})
        return cls(
            phantom=d["phantom"], localisation=Localisation.from_dict(d["localisation"]),
            measurements=tuple(measurement_from_dict(m) for m in d.get("measurements", [])),
            artifacts=tuple(Artifact.from_dict(a) for a in d.get("artifacts", [])),
            curves=tuple(Curve.from_dict(c) for c in d.get("curves", [])),
            verdict=Verdict(d["verdict"]),
            profile=ProfileRef(p.get("name", "none"), p.get("version", ""), p.get("sha256", "")),
            software=dict(d.get("software", {})), inputs=dict(d.get("inputs", {})),
            result_id=d.get("result_id", ""), created_utc=d.get("created_utc", ""),
            elapsed_s=_num(d.get("elapsed_s")),
            notes=restore_all(d.get("notes", ()), d.get("note_codes")),
            schema_version=d["schema_version"])

    @classmethod
    def from_json(cls, text: str) -> "QcResult":
        return cls.from_dict(json.loads(text))
