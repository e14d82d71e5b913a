"""Phantom definitions as plain dicts for the measurement engine.

Definitions are data (``resources/phantoms/<name>.json``); the station's loader
(:mod:`app.ct.phantoms`) validates them. The engine works on the plain
dict form so a factory phantom needs no code.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.core.errors import InputRejected
from app.paths import resources_dir

AIR_BELOW_BG = 600.0     # an insert this far below background reads as "air"
HIGH_ABOVE_BG = 600.0    # ... this far above as "high density" (above what a streak of a few
                         # hundred HU on a +40 HU body reaches: Teflon, bone, bars, pins)


def phantom_dir() -> Path:
    return resources_dir() / "phantoms"


def available() -> list[str]:
    return sorted(p.stem for p in phantom_dir().glob("*.json"))


def _as_dict(obj: Any) -> dict:
    if isinstance(obj, dict):
        return obj
    for attr in ("to_dict", "as_dict", "model_dump"):
        if hasattr(obj, attr):
            return getattr(obj, attr)()
    from dataclasses import asdict, is_dataclass
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    raise TypeError(f"cannot read phantom definition of type {type(obj).__name__}")


@lru_cache(maxsize=32)
def _load_cached(name: str, mtime: float) -> dict:  # noqa: ARG001 - mtime busts the cache
    path = phantom_dir() / f"{name}.json"
    try:
        from app.ct import phantoms as _loader  # ct-sim's validating loader
        fn = getattr(_loader, "load_phantom", None)
        if fn is not None:
            return _normalise(_as_dict(fn(name)))
    except ImportError:
        pass
    return _normalise(json.loads(path.read_text(encoding="utf-8")))


def load(name: str | dict) -> dict:
    """Definition by name (``catphan504``) or a dict already loaded."""
    if isinstance(name, dict):
        return _normalise(name)
    path = phantom_dir() / f"{name}.json"
    if not path.exists():
        raise InputRejected(f"unknown phantom {name!r}; known: {', '.join(available()) or 'none'}",
                            remedy="Use --phantom auto or one of the known names.")
    return _load_cached(name, path.stat().st_mtime)


def _normalise(d: dict) -> dict:
    d = json.loads(json.dumps(d))  # deep copy, plain types
    bg = float(d.get("background_hu", 0.0))
    d["background_hu"] = bg
    for m in d.get("modules", []):
        m.setdefault("background_hu", bg)
        m.setdefault("length_mm", 20.0)
        if m.get("background_hu") is None:
            m["background_hu"] = bg
        for key in ("inserts", "nodes", "ramps", "bar_patterns", "beads", "wires", "discs"):
            m.setdefault(key, [])
    return d


def module(defn: dict, module_id: str) -> dict | None:
    for m in defn["modules"]:
        if m["id"] == module_id:
            return m
    return None


def modules_of(defn: dict, *kinds: str) -> list[dict]:
    return [m for m in defn["modules"] if m["kind"] in kinds]


def features(defn: dict, m: dict) -> tuple[bool, bool]:
    """(has air-like features, has high-density features) of a module - z signature."""
    bg = m["background_hu"]
    vals = [i["nominal_hu"] for i in m["inserts"]] + [n["hu"] for n in m["nodes"]]
    air = any(v < bg - AIR_BELOW_BG for v in vals)
    high_vals = vals + [b["hu"] for b in m["beads"] if b["diameter_mm"] >= 2.0]
    high = any(v > bg + HIGH_ABOVE_BG for v in high_vals) or bool(m["bar_patterns"])
    return air, high


def reference_module(defn: dict) -> dict:
    """The module the phantom origin is tied to (``origin_module``; else z nearest 0)."""
    origin = defn.get("origin_module")
    for m in defn["modules"]:
        if m["id"] == origin:
            return m
    return min(defn["modules"], key=lambda m: abs(float(m["z_mm"])))


def air_area_mm2(m: dict) -> float:
    """Cross-section area of the module's air-like inserts (z anchor signature)."""
    return sum(math.pi * i["diameter_mm"] ** 2 / 4 for i in m["inserts"]
               if i["nominal_hu"] < m["background_hu"] - AIR_BELOW_BG)


def anchor_module(defn: dict) -> dict:
    """The module with the largest air signature (else the reference module)."""
    best = max(defn["modules"], key=air_area_mm2)
    return best if air_area_mm2(best) > 0 else reference_module(defn)


def roll_module(defn: dict) -> dict | None:
    """The module whose insert ring gives the roll (reference first)."""
    ref = reference_module(defn)
    if len([i for i in ref["inserts"] if "angle_deg" in i]) >= 2:
        return ref
    for m in defn["modules"]:
        if len(m["inserts"]) >= 2:
            return m
    return None


def insert_xy(item: dict, roll_deg: float) -> tuple[float, float]:
    """(x, y) mm of an angle/radius item after roll (angle from +x towards +y)."""
    a = math.radians(float(item["angle_deg"]) + roll_deg)
    r = float(item["radius_mm"])
    return r * math.cos(a), r * math.sin(a)


def rotate_xy(x: float, y: float, roll_deg: float) -> tuple[float, float]:
    """Rotate a phantom-frame (x, y) mm point by the roll (from +x towards +y)."""
    a = math.radians(roll_deg)
    c, s = math.cos(a), math.sin(a)
    return x * c - y * s, x * s + y * c


def high_area_mm2(m: dict) -> float:
    """Predicted cross-section area (mm^2) of high-density features of a module."""
    bg = m["background_hu"]
    a = sum(math.pi * i["diameter_mm"] ** 2 / 4 for i in m["inserts"] if i["nominal_hu"] > bg + HIGH_ABOVE_BG)
    a += sum(int(b.get("n_bars", 5)) * float(b.get("bar_length_mm", 8.0)) * 5.0 / float(b["lp_per_cm"])
             for b in m["bar_patterns"])
    a += sum(math.pi * b["diameter_mm"] ** 2 / 4 for b in m["beads"] if b["diameter_mm"] >= 2.0)
    return a
