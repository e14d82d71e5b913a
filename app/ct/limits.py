"""Versioned limit profiles (warning and action levels) for CT phantom QC.

A profile is a TOML file in ``resources/limits/<name>.toml``::

    [profile]
    name = "acr_2024"            # must equal the file stem
    version = "2024.1"
    title = "..."
    [limits]                     # absolute limits per measurement key (glob patterns allowed)
    "ct_number.water" = { low = -7, high = 7, warn_low = -5, warn_high = 5 }
    [nominal]                    # limits on (value - nominal), e.g. CT number per insert
    "ct_number.*" = { low = -8, high = 8, warn_low = -4, warn_high = 4 }
    [artifacts]                  # limits on |amplitude_hu| (streak: artifact index)
    ring = { high = 6, warn_high = 3 }
    [nominal_bands]              # limits on (value - nominal) that depend on the nominal
    "slice_thickness" = [        # first band whose `below` exceeds the nominal; relative =
      { below = 2.01, relative = true, low = -0.5, high = 0.5, warn_low = -0.25, warn_high = 0.25 },
      { below = 1e9, low = -1.0, high = 1.0, warn_low = -0.5, warn_high = 0.5 } ]   # x nominal

Exact keys win over patterns; among patterns the longest wins; ``[limits]`` wins over
``[nominal]`` for the same key. Every result stores the profile name, version and the
sha256 of the file bytes (derived profiles: of their canonical JSON).
"""
from __future__ import annotations

import fnmatch
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ConfigError, InputRejected
from app.core.ids import content_hash, sha256_hex
from app.core.measurement import Limits
from app.paths import resources_dir

_LIMIT_KEYS = {"low", "high", "warn_low", "warn_high", "equals"}


def limits_dir() -> Path:
    return resources_dir() / "limits"


@dataclass(frozen=True)
class LimitProfile:
    name: str
    version: str
    sha256: str
    title: str = ""
    absolute: dict = field(default_factory=dict)    # key/pattern -> Limits
    nominal: dict = field(default_factory=dict)     # key/pattern -> Limits on (value - nominal)
    artifacts: dict = field(default_factory=dict)   # artifact type -> Limits on |amplitude|
    source: str = ""
    bands: dict = field(default_factory=dict)      # key/pattern -> [(below, relative, Limits)]

    @staticmethod
    def _match(table: dict, key: str) -> tuple[str, Any] | None:
        if key in table:
            return key, table[key]
        pats = [p for p in table if any(ch in p for ch in "*?[") and fnmatch.fnmatchcase(key, p)]
        if not pats:
            return None
        p = max(pats, key=len)
        return p, table[p]

    def limits_for(self, key: str, nominal: float | None = None) -> Limits:
        hit = self._match(self.absolute, key)
        if hit is not None:
            return hit[1]
        if nominal is not None and not (isinstance(nominal, float) and math.isnan(nominal)):
            band = self._match(self.bands, key)
            if band is not None:
                for below, relative, lim in band[1]:
                    if nominal < below:
                        k = abs(nominal) if relative else 1.0
                        sh = lambda v: None if v is None else round(nominal + k * v, 6)  # noqa: E731
                        what = f"{_band(lim)}{' x nominal' if relative else ''} (nominal < {below:g})"
                        return Limits(low=sh(lim.low), high=sh(lim.high), warn_low=sh(lim.warn_low),
                                      warn_high=sh(lim.warn_high),
                                      source=f"{self.name} {self.version}: nominal {nominal:g} {what}")
            hit = self._match(self.nominal, key)
            if hit is not None:
                lim = hit[1]
                sh = lambda v: None if v is None else round(v + nominal, 6)  # noqa: E731
                return Limits(low=sh(lim.low), high=sh(lim.high), warn_low=sh(lim.warn_low),
                              warn_high=sh(lim.warn_high),
                              source=f"{self.name} {self.version}: nominal {nominal:g} "
                                     f"{_band(lim)}")
        return Limits()

    def artifact_limits(self, kind: str) -> Limits:
        return self.artifacts.get(kind) or self.artifacts.get("*") or Limits()

    def to_dict(self) -> dict:
        return {"profile": {"name": self.name, "version": self.version, "title": self.title},
                "limits": {k: v.to_dict() for k, v in self.absolute.items()},
                "nominal": {k: v.to_dict() for k, v in self.nominal.items()},
                "artifacts": {k: v.to_dict() for k, v in self.artifacts.items()},
                "nominal_bands": {k: [{"below": b, "relative": rel, **lim.to_dict()} for b, rel, lim in v]
                                  for k, v in self.bands.items()}}


def _band(lim: Limits) -> str:
    return f"[{lim.low if lim.low is not None else '-inf'}, {lim.high if lim.high is not None else 'inf'}]"


def _table(raw: Any, where: str, name: str, version: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    out = {}
    for key, val in raw.items():
        if not isinstance(val, dict) or not set(val) <= _LIMIT_KEYS or not val:
            raise ConfigError(f"{where}.{key}: expected a table of {sorted(_LIMIT_KEYS)}")
        lim = Limits(**{k: (float(v) if k != "equals" else v) for k, v in val.items()},
                     source=f"{name} {version}")
        for lo, hi in ((lim.low, lim.high), (lim.warn_low, lim.warn_high)):
            if lo is not None and hi is not None and lo > hi:
                raise ConfigError(f"{where}.{key}: low {lo} > high {hi}")
        if (lim.warn_low is not None and lim.low is not None and lim.warn_low < lim.low) or (
                lim.warn_high is not None and lim.high is not None and lim.warn_high > lim.high):
            raise ConfigError(f"{where}.{key}: warning limits must lie inside the action limits")
        out[str(key)] = lim
    return out


def _bands(raw: Any, where: str, name: str, version: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    out = {}
    for key, rows in raw.items():
        if not isinstance(rows, list) or not rows:
            raise ConfigError(f"{where}.{key}: expected a list of bands")
        bands, last = [], -math.inf
        for j, row in enumerate(rows):
            if not isinstance(row, dict) or "below" not in row:
                raise ConfigError(f"{where}.{key}[{j}]: a band needs `below`")
            below = float(row["below"])
            if below <= last:
                raise ConfigError(f"{where}.{key}[{j}]: bands must be in increasing `below`")
            last = below
            rel = row.get("relative", False)
            if not isinstance(rel, bool):
                raise ConfigError(f"{where}.{key}[{j}].relative: must be true or false")
            lim = _table({"b": {k: v for k, v in row.items() if k not in ("below", "relative")}},
                         f"{where}.{key}[{j}]", name, version)["b"]
            bands.append((below, rel, lim))
        out[str(key)] = bands
    return out


def parse_profile(data: bytes, *, source: str = "<bytes>", expect_name: str | None = None) -> LimitProfile:
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"limit profile {source}: {exc}") from exc
    head = raw.get("profile") or {}
    name, version = str(head.get("name", "")), str(head.get("version", ""))
    if not name or not version:
        raise ConfigError(f"limit profile {source}: [profile] needs name and version")
    if expect_name and name != expect_name:
        raise ConfigError(f"limit profile {source}: name {name!r} differs from the file name")
    unknown = set(raw) - {"profile", "limits", "nominal", "artifacts", "nominal_bands"}
    if unknown:
        raise ConfigError(f"limit profile {source}: unknown section(s) {sorted(unknown)}")
    return LimitProfile(name=name, version=version, sha256=sha256_hex(data),
                        title=str(head.get("title", "")),
                        absolute=_table(raw.get("limits"), f"{source} [limits]", name, version),
                        nominal=_table(raw.get("nominal"), f"{source} [nominal]", name, version),
                        artifacts=_table(raw.get("artifacts"), f"{source} [artifacts]", name, version),
                        bands=_bands(raw.get("nominal_bands"), f"{source} [nominal_bands]", name, version),
                        source=source)


def list_profiles() -> list[str]:
    return sorted(p.stem for p in limits_dir().glob("*.toml"))


def load_profile(name_or_path: str | Path | LimitProfile) -> LimitProfile:
    if isinstance(name_or_path, LimitProfile):
        return name_or_path
    p = Path(str(name_or_path))
    if not (p.suffix == ".toml" and p.is_file()):
        p = limits_dir() / f"{name_or_path}.toml"
    if not p.is_file():
        raise InputRejected(f"unknown limit profile {name_or_path!r}; known: {', '.join(list_profiles())}",
                            remedy="Use `pharos qc profiles` to list the profiles.")
    return parse_profile(p.read_bytes(), source=str(p), expect_name=p.stem)


# Constancy rules (a hospital QA framework's warning / action levels, see the reference):
# key pattern -> ("abs" | "rel", warning half-band, action half-band)
CONSTANCY_RULES: dict[str, tuple[str, float, float]] = {
    "ct_number.water": ("abs", 3.0, 4.0),
    "ct_number.air": ("abs", 3.0, 4.0),
    "ct_number.uniform": ("abs", 3.0, 4.0),
    "ct_number.*": ("abs", 4.0, 8.0),
    "uniformity.max_edge_dev": ("abs", 4.0, 8.0),
    "uniformity.centre": ("abs", 3.0, 4.0),
    "noise.sd": ("rel", 0.10, 0.15),
    "nps.f_av": ("rel", 0.10, 0.15),
    "nps.f_peak": ("rel", 0.10, 0.15),
    "linearity.slope": ("abs", 0.025, 0.05),
    "mtf.mtf50": ("rel", 0.10, 0.15),
    "mtf.mtf10": ("rel", 0.10, 0.15),
    "ttf.*": ("rel", 0.10, 0.20),
    "slice_thickness": ("abs", 0.5, 1.0),
    "geometry.node_distance": ("abs", 0.5, 1.0),
    "low_contrast.cnr": ("rel", 0.15, 0.25),
    "low_contrast.dprime": ("rel", 0.15, 0.25),
}


def baseline_profile(baseline: Any, *, base: LimitProfile | None = None,
                     rules: dict[str, tuple[str, float, float]] | None = None) -> LimitProfile:
    """Constancy limits around a scanner's accepted baseline QcResult, on top of ``base``."""
    rules = rules or CONSTANCY_RULES
    absolute = dict(base.absolute) if base else {}
    src = f"baseline {getattr(baseline, 'result_id', '') or 'result'}"
    for m in baseline.measurements:
        if not isinstance(m.value, (int, float)) or isinstance(m.value, bool) or \
                (isinstance(m.value, float) and math.isnan(m.value)):
            continue
        pats = [p for p in rules if fnmatch.fnmatchcase(m.key, p)]
        if not pats:
            continue
        kind, w, a = rules[max(pats, key=len)]
        v = float(m.value)
        dw, da = (abs(v) * w, abs(v) * a) if kind == "rel" else (w, a)
        absolute[m.key] = Limits(low=round(v - da, 6), high=round(v + da, 6), warn_low=round(v - dw, 6),
                                 warn_high=round(v + dw, 6), source=f"{src}: {v:g} {kind} +/-{w:g}/{a:g}")
    name = f"{base.name}+baseline" if base else "baseline"
    body = {"base": base.sha256 if base else "", "limits": {k: v.to_dict() for k, v in absolute.items()}}
    return LimitProfile(name=name, version=str(getattr(baseline, "created_utc", "") or "1"),
                        sha256=content_hash(body), title=f"constancy vs {src}", absolute=absolute,
                        nominal=dict(base.nominal) if base else {}, bands=dict(base.bands) if base else {},
                        artifacts=dict(base.artifacts) if base else {}, source=src)


# The profile a phantom is judged on when the user names none ("auto"): limits that hold
# for the phantom itself (its materials' ranges, uniformity with the ROI means' standard
# error, thickness by nominal width, geometry); scanner-specific figures (noise, MTF) are
# judged by constancy against a baseline or by a factory profile named explicitly.
PHANTOM_DEFAULT_PROFILES = {"acr464": "acr_2024", "catphan504": "catphan504_default",
                            "catphan600": "catphan504_default", "catphan604": "catphan504_default"}
FALLBACK_PROFILE = "factory_simct_120kv"


def default_profile_for(phantom: str) -> str:
    name = PHANTOM_DEFAULT_PROFILES.get(phantom, FALLBACK_PROFILE)
    return name if (limits_dir() / f"{name}.toml").is_file() else FALLBACK_PROFILE


def resolve_profile(name: str | None, phantom: str) -> str | None:
    """The limit profile a series is judged on: ``None`` / ``"none"`` (measure only),
    ``"auto"`` (the phantom's default profile) or a profile name as given."""
    if name is None or name == "none":
        return None
    if name == "auto":
        return default_profile_for(phantom)
    return name
