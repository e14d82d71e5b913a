"""Phantom definitions: data files in ``resources/phantoms/<name>.json``, strictly validated.

A definition describes a cylindrical QC phantom as modules along z, each with features in
phantom coordinates (mm, relative to the phantom centre; x = +image column, y = +image
row, i.e. down on screen; angles from +x towards +y; a roll of r degrees adds r to every
angle). ``z_mm`` is the module's centre along the table relative to the phantom origin and
``length_mm`` its extent (modules must not overlap). Adding a phantom needs only a file.

``load_phantom(name_or_path)`` returns frozen dataclasses; ``PhantomDef.to_dict()`` gives
the validated plain form (defaults filled in) that the measurement engine reads.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import InputRejected
from app.core.ids import sha256_hex
from app.paths import resources_dir

FORMAT_VERSION = 1
MODULE_KINDS = ("sensitometry", "ct_number", "resolution", "low_contrast", "uniformity",
                "geometry", "custom")
_NUM = (int, float)

# feature list key -> {key: (types, default or REQUIRED)}
REQUIRED = object()
_FEATURES: dict[str, dict[str, tuple]] = {
    "inserts": {"name": (str, REQUIRED), "angle_deg": (_NUM, REQUIRED),
                "radius_mm": (_NUM, REQUIRED), "diameter_mm": (_NUM, REQUIRED),
                "nominal_hu": (_NUM, REQUIRED), "material": (str, ""),
                "length_mm": (_NUM, None)},
    "nodes": {"x_mm": (_NUM, REQUIRED), "y_mm": (_NUM, REQUIRED),
              "diameter_mm": (_NUM, REQUIRED), "hu": (_NUM, REQUIRED)},
    "ramps": {"angle_deg": (_NUM, REQUIRED), "radius_mm": (_NUM, REQUIRED),
              "ramp_angle_deg": (_NUM, REQUIRED), "width_mm": (_NUM, REQUIRED),
              "hu": (_NUM, REQUIRED), "orientation": (str, REQUIRED),
              "length_mm": (_NUM, 50.0), "direction": (int, 1)},
    "bar_patterns": {"lp_per_cm": (_NUM, REQUIRED), "angle_deg": (_NUM, REQUIRED),
                     "radius_mm": (_NUM, REQUIRED), "hu": (_NUM, REQUIRED),
                     "n_bars": (int, 5), "bar_length_mm": (_NUM, 8.0)},
    "beads": {"x_mm": (_NUM, REQUIRED), "y_mm": (_NUM, REQUIRED),
              "diameter_mm": (_NUM, REQUIRED), "hu": (_NUM, REQUIRED),
              "z_offset_mm": (_NUM, 0.0)},
    "wires": {"x_mm": (_NUM, REQUIRED), "y_mm": (_NUM, REQUIRED),
              "diameter_mm": (_NUM, REQUIRED), "hu": (_NUM, REQUIRED)},
    "discs": {"diameter_mm": (_NUM, REQUIRED), "angle_deg": (_NUM, REQUIRED),
              "radius_mm": (_NUM, REQUIRED), "contrast_pct": (_NUM, None),
              "contrast_hu": (_NUM, None), "length_mm": (_NUM, None), "name": (str, "")},
}
_MODULE_KEYS = {"id": (str, REQUIRED), "kind": (str, REQUIRED), "z_mm": (_NUM, REQUIRED),
                "length_mm": (_NUM, REQUIRED), "background_hu": (_NUM, None),
                "title": (str, ""), "analysis": (dict, None), "material": (str, "")}
_PHANTOM_KEYS = {"name": (str, REQUIRED), "title": (str, REQUIRED),
                 "format_version": (int, REQUIRED), "diameter_mm": (_NUM, REQUIRED),
                 "shell_hu": (_NUM, REQUIRED), "background_hu": (_NUM, REQUIRED),
                 "shell_thickness_mm": (_NUM, 3.0), "modules": (list, REQUIRED),
                 "description": (str, ""), "origin_module": (str, None)}


@dataclass(frozen=True)
class Feature:
    """One feature (insert, node, ramp, bar pattern, bead, wire, disc): its validated keys."""

    kind: str
    values: tuple[tuple[str, Any], ...]

    def __getattr__(self, item: str) -> Any:
        for k, v in object.__getattribute__(self, "values"):
            if k == item:
                return v
        raise AttributeError(item)

    def get(self, item: str, default: Any = None) -> Any:
        return dict(self.values).get(item, default)

    def to_dict(self) -> dict:
        return dict(self.values)


@dataclass(frozen=True)
class ModuleDef:
    id: str
    kind: str
    z_mm: float
    length_mm: float
    background_hu: float
    title: str = ""
    analysis: tuple[tuple[str, Any], ...] = ()
    material: str = ""          # body material of the module (a uniformity module: "water" or what)
    inserts: tuple[Feature, ...] = ()
    nodes: tuple[Feature, ...] = ()
    ramps: tuple[Feature, ...] = ()
    bar_patterns: tuple[Feature, ...] = ()
    beads: tuple[Feature, ...] = ()
    wires: tuple[Feature, ...] = ()
    discs: tuple[Feature, ...] = ()

    @property
    def z_extent_mm(self) -> tuple[float, float]:
        return self.z_mm - self.length_mm / 2.0, self.z_mm + self.length_mm / 2.0

    def to_dict(self) -> dict:
        d = {"id": self.id, "kind": self.kind, "z_mm": self.z_mm, "length_mm": self.length_mm,
             "background_hu": self.background_hu, "title": self.title,
             "analysis": dict(self.analysis), "material": self.material}
        for key in _FEATURES:
            d[key] = [f.to_dict() for f in getattr(self, key)]
        return d


@dataclass(frozen=True)
class PhantomDef:
    name: str
    title: str
    format_version: int
    diameter_mm: float
    shell_hu: float
    background_hu: float
    shell_thickness_mm: float
    modules: tuple[ModuleDef, ...]
    description: str = ""
    origin_module: str = ""
    source: str = ""            # file path it was read from
    sha256: str = ""            # hash of the file bytes (stored with every result)

    @property
    def radius_mm(self) -> float:
        return self.diameter_mm / 2.0

    @property
    def z_extent_mm(self) -> tuple[float, float]:
        return (min(m.z_extent_mm[0] for m in self.modules),
                max(m.z_extent_mm[1] for m in self.modules))

    def module(self, module_id: str) -> ModuleDef:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(f"phantom {self.name} has no module {module_id!r}")

    def modules_of_kind(self, *kinds: str) -> list[ModuleDef]:
        return [m for m in self.modules if m.kind in kinds]

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "format_version": self.format_version,
                "diameter_mm": self.diameter_mm, "shell_hu": self.shell_hu,
                "background_hu": self.background_hu,
                "shell_thickness_mm": self.shell_thickness_mm,
                "description": self.description, "origin_module": self.origin_module,
                "sha256": self.sha256, "modules": [m.to_dict() for m in self.modules]}


def phantoms_dir() -> Path:
    return resources_dir() / "phantoms"


def list_phantoms() -> list[str]:
    """Names of the phantom definitions shipped in ``resources/phantoms``."""
    return sorted(p.stem for p in phantoms_dir().glob("*.json"))


def load_phantom(name_or_path: str | Path | PhantomDef) -> PhantomDef:
    """Load and validate a definition by name (``catphan504``) or by file path."""
    if isinstance(name_or_path, PhantomDef):
        return name_or_path
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith(".json") or path.is_file()):
        path = phantoms_dir() / f"{text}.json"
        if not path.is_file():
            raise InputRejected(
                f"unknown phantom {text!r}; known: {', '.join(list_phantoms()) or 'none'}",
                remedy="Use one of the known phantom names or give the path of a definition file.")
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise InputRejected(f"phantom file {path} cannot be read: {exc}") from exc
    try:
        raw = json.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputRejected(f"phantom file {path.name}: not valid JSON ({exc})",
                            remedy="Fix the JSON syntax of the phantom definition.") from exc
    if isinstance(raw, dict):
        raw.pop("sha256", None)
    return parse_phantom(raw, source=str(path), sha256=sha256_hex(raw_bytes))


def parse_phantom(raw: Any, *, source: str = "<dict>", sha256: str = "") -> PhantomDef:
    """Validate a plain dict definition; every problem names the file and the key."""
    where = Path(source).name if source else "<dict>"
    if not isinstance(raw, dict):
        _reject(where, "<top>", "must be a JSON object")
    raw = {k: v for k, v in raw.items() if k != "sha256"}  # to_dict() output parses again
    top = _check_keys(raw, _PHANTOM_KEYS, where, "")
    if top["format_version"] != FORMAT_VERSION:
        _reject(where, "format_version",
                f"is {top['format_version']}, this station reads version {FORMAT_VERSION}")
    if source.endswith(".json") and Path(source).stem != top["name"]:
        _reject(where, "name", f"{top['name']!r} differs from the file name {Path(source).stem!r}")
    _positive(where, "diameter_mm", top["diameter_mm"])
    radius = top["diameter_mm"] / 2.0
    if not 0 < top["shell_thickness_mm"] < radius:
        _reject(where, "shell_thickness_mm", "must be > 0 and below the phantom radius")
    if not top["modules"]:
        _reject(where, "modules", "must list at least one module")
    modules = [_parse_module(m, i, where, top, radius) for i, m in enumerate(top["modules"])]
    ids = [m.id for m in modules]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        _reject(where, "modules", f"duplicate module id(s) {sorted(dup)}")
    ordered = sorted(modules, key=lambda m: m.z_mm)
    for a, b in zip(ordered, ordered[1:]):
        if a.z_extent_mm[1] > b.z_extent_mm[0] + 1e-6:
            _reject(where, f"modules[{b.id}].z_mm",
                    f"module {b.id} overlaps module {a.id} along z "
                    f"({a.z_extent_mm[1]:g} > {b.z_extent_mm[0]:g} mm)")
    origin = top["origin_module"] or min(modules, key=lambda m: abs(m.z_mm)).id
    if origin not in ids:
        _reject(where, "origin_module", f"{origin!r} is not a module id")
    return PhantomDef(name=top["name"], title=top["title"], format_version=FORMAT_VERSION,
                      diameter_mm=float(top["diameter_mm"]), shell_hu=float(top["shell_hu"]),
                      background_hu=float(top["background_hu"]),
                      shell_thickness_mm=float(top["shell_thickness_mm"]),
                      modules=tuple(modules), description=top["description"],
                      origin_module=origin, source=source, sha256=sha256)


def _parse_module(raw: Any, index: int, where: str, top: dict, radius: float) -> ModuleDef:
    prefix = f"modules[{index}]"
    if not isinstance(raw, dict):
        _reject(where, prefix, "must be an object")
    feature_keys: dict[str, tuple] = {k: (list, []) for k in _FEATURES}
    vals = _check_keys(raw, {**_MODULE_KEYS, **feature_keys}, where, prefix)
    prefix = f"modules[{vals['id']}]"
    if vals["kind"] not in MODULE_KINDS:
        _reject(where, f"{prefix}.kind", f"{vals['kind']!r} is not one of {', '.join(MODULE_KINDS)}")
    _positive(where, f"{prefix}.length_mm", vals["length_mm"])
    bg = float(top["background_hu"] if vals["background_hu"] is None else vals["background_hu"])
    inner = radius - top["shell_thickness_mm"]
    feats: dict[str, tuple[Feature, ...]] = {}
    for key, spec in _FEATURES.items():
        items = []
        for j, item in enumerate(vals[key]):
            fprefix = f"{prefix}.{key}[{j}]"
            if not isinstance(item, dict):
                _reject(where, fprefix, "must be an object")
            fv = _check_keys(item, spec, where, fprefix)
            _check_feature(key, fv, where, fprefix, inner, vals["length_mm"])
            items.append(Feature(kind=key, values=tuple(fv.items())))
        feats[key] = tuple(items)
    analysis = vals["analysis"] or {}
    return ModuleDef(id=vals["id"], kind=vals["kind"], z_mm=float(vals["z_mm"]),
                     length_mm=float(vals["length_mm"]), background_hu=bg, title=vals["title"],
                     material=vals["material"], analysis=tuple(sorted(analysis.items())), **feats)


def _check_feature(key: str, fv: dict, where: str, prefix: str, inner: float,
                   module_length: float) -> None:
    for k in ("diameter_mm", "width_mm", "bar_length_mm", "lp_per_cm"):
        if k in fv and fv[k] is not None:
            _positive(where, f"{prefix}.{k}", fv[k])
    if fv.get("length_mm") is not None:
        _positive(where, f"{prefix}.length_mm", fv["length_mm"])
        if key in ("inserts", "discs") and fv["length_mm"] > module_length + 1e-6:
            _reject(where, f"{prefix}.length_mm", "is longer than its module")
    if "radius_mm" in fv:
        reach = fv["radius_mm"] + fv.get("diameter_mm", 0.0) / 2.0
    else:
        reach = math.hypot(fv["x_mm"], fv["y_mm"]) + fv["diameter_mm"] / 2.0
    if reach > inner + 1e-6 and key != "beads":
        _reject(where, prefix, f"reaches {reach:g} mm from the centre, beyond the phantom "
                               f"interior ({inner:g} mm)")
    if key == "ramps":
        if fv["orientation"] not in ("x", "y"):
            _reject(where, f"{prefix}.orientation", "must be 'x' or 'y'")
        if not 1.0 <= fv["ramp_angle_deg"] <= 89.0:
            _reject(where, f"{prefix}.ramp_angle_deg", "must be within 1..89 degrees")
        if fv["direction"] not in (1, -1):
            _reject(where, f"{prefix}.direction", "must be 1 or -1 (sign of dz/ds)")
    if key == "discs" and (fv["contrast_pct"] is None) == (fv["contrast_hu"] is None):
        _reject(where, prefix, "needs exactly one of contrast_pct or contrast_hu")
    if key == "bar_patterns" and fv["n_bars"] < 1:
        _reject(where, f"{prefix}.n_bars", "must be >= 1")


def _check_keys(raw: dict, spec: dict[str, tuple], where: str, prefix: str) -> dict:
    out: dict[str, Any] = {}
    for k in raw:
        if k not in spec and not k.startswith("_"):
            _reject(where, _join(prefix, k), f"is not a known key (known: {', '.join(spec)})")
    for k, (types, default) in spec.items():
        if k not in raw:
            if default is REQUIRED:
                _reject(where, _join(prefix, k), "is missing")
            out[k] = default
            continue
        v = raw[k]
        if v is None and default is None:
            out[k] = None
            continue
        if isinstance(v, bool) or not isinstance(v, types):
            _reject(where, _join(prefix, k), f"has the wrong type ({type(v).__name__})")
        if isinstance(v, float) and not math.isfinite(v):
            _reject(where, _join(prefix, k), "must be a finite number")
        out[k] = float(v) if types is _NUM else v
    return out


def _positive(where: str, key: str, value: float) -> None:
    if not value > 0:
        _reject(where, key, f"must be > 0 (got {value})")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _reject(where: str, key: str, problem: str) -> None:
    raise InputRejected(f"phantom definition {where}: key '{key}' {problem}",
                        remedy="Correct the named key in the phantom definition file.",
                        detail=f"{where}:{key}")
