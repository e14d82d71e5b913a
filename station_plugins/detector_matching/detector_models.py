"""Slot definitions per detector model (``resources/detector_models/<NAME>.toml``)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from app.core.errors import InputRejected
from app.paths import resources_dir

DEFAULT_DETECTOR_MODEL = "PX-400"


def detector_models_dir() -> Path:
    return resources_dir() / "detector_models"


@dataclass(frozen=True)
class DetectorLayout:
    name: str
    slots: int
    description: str = ""
    fan_angle_deg: float = 52.0
    importance_floor: float = 0.35
    importance_sigma_deg: float = 9.0
    edge_flux_weight: float = 0.6
    edge_flux_sigma_deg: float = 6.0
    boundary_floor: float = 0.3
    boundary_sigma_deg: float = 7.0
    boundary_scale: float = 1.0
    fixed_slots: dict[int, str] = field(default_factory=dict)
    reserved_modules: tuple[str, ...] = ()
    excluded_modules: tuple[str, ...] = ()
    excluded_lots: tuple[str, ...] = ()
    forbidden_adjacent_lots: tuple[tuple[str, str], ...] = ()
    lot_change_penalty: float = 0.0
    # a result whose certified gap is above this (or that has no certified bound) is
    # flagged weak: the CLI and the panel say so, and approving it needs a reason
    weak_gap: float = 0.02

    def slot_angles(self) -> np.ndarray:
        """Fan angle (degrees) of each slot centre; 0 = iso-ray."""
        k = np.arange(self.slots)
        return -self.fan_angle_deg / 2 + self.fan_angle_deg * (k + 0.5) / self.slots

    def boundary_angles(self) -> np.ndarray:
        k = np.arange(1, self.slots)
        return -self.fan_angle_deg / 2 + self.fan_angle_deg * k / self.slots

    def importance(self) -> np.ndarray:
        a = self.slot_angles()
        f = self.importance_floor
        return f + (1 - f) * np.exp(-(a / self.importance_sigma_deg) ** 2)

    def edge_flux(self) -> np.ndarray:
        """Weight of high-flux properties: largest at both ends of the fan."""
        a = np.abs(self.slot_angles())
        edge = self.fan_angle_deg / 2 - a
        return self.edge_flux_weight * np.exp(-(edge / self.edge_flux_sigma_deg) ** 2)

    def boundary_weights(self) -> np.ndarray:
        a = self.boundary_angles()
        f = self.boundary_floor
        return self.boundary_scale * (f + (1 - f) * np.exp(-(a / self.boundary_sigma_deg) ** 2))

    def with_slots(self, slots: int) -> "DetectorLayout":
        fixed = {s: v for s, v in self.fixed_slots.items() if s < slots}
        return replace(self, slots=slots, fixed_slots=fixed,
                       name=self.name if slots == self.slots else f"{self.name}/{slots}")


def _bad(name: str, msg: str) -> InputRejected:
    return InputRejected(f"Detector model '{name}': {msg}", code="DM-LAYOUT",
                         remedy="Correct the slot definition file in resources/detector_models.")


def parse_layout(data: dict, name: str) -> DetectorLayout:
    cons = data.get("constraints", {})
    try:
        slots = int(data["slots"])
    except (KeyError, TypeError, ValueError):
        raise _bad(name, "'slots' must be a positive integer") from None
    if slots < 2:
        raise _bad(name, "'slots' must be at least 2")
    fixed: dict[int, str] = {}
    for k, v in dict(cons.get("fixed_slots", {})).items():
        try:
            s = int(k)
        except ValueError:
            raise _bad(name, f"fixed slot '{k}' is not a slot number") from None
        if not 0 <= s < slots:
            raise _bad(name, f"fixed slot {s} outside 0..{slots - 1}")
        fixed[s] = str(v)
    if len(set(fixed.values())) != len(fixed):
        raise _bad(name, "one module is fixed to two slots")
    pairs = []
    for p in cons.get("forbidden_adjacent_lots", []):
        if len(p) != 2:
            raise _bad(name, f"forbidden_adjacent_lots entry {p!r} is not a pair")
        pairs.append((str(p[0]), str(p[1])))
    keys = ("fan_angle_deg", "importance_floor", "importance_sigma_deg", "edge_flux_weight",
            "edge_flux_sigma_deg", "boundary_floor", "boundary_sigma_deg", "boundary_scale")
    numbers = {k: float(data[k]) for k in keys if k in data}
    if "weak_gap" in data:
        try:
            numbers["weak_gap"] = float(data["weak_gap"])
        except (TypeError, ValueError):
            raise _bad(name, "'weak_gap' must be a number (0.02 = 2 %)") from None
        if not 0.0 < numbers["weak_gap"] < 1.0:
            raise _bad(name, "'weak_gap' must be between 0 and 1 (0.02 = 2 %)")
    return DetectorLayout(
        name=str(data.get("name", name)), slots=slots,
        description=str(data.get("description", "")), fixed_slots=fixed,
        reserved_modules=tuple(map(str, cons.get("reserved_modules", []))),
        excluded_modules=tuple(map(str, cons.get("excluded_modules", []))),
        excluded_lots=tuple(map(str, cons.get("excluded_lots", []))),
        forbidden_adjacent_lots=tuple(pairs),
        lot_change_penalty=float(cons.get("lot_change_penalty", 0.0)), **numbers)


def available_detector_models() -> list[str]:
    return sorted(p.stem for p in detector_models_dir().glob("*.toml"))


def load_layout(name_or_path: str | Path = DEFAULT_DETECTOR_MODEL) -> DetectorLayout:
    p = Path(name_or_path)
    if p.suffix != ".toml":
        p = detector_models_dir() / f"{name_or_path}.toml"
    if not p.is_file():
        raise InputRejected(f"Unknown detector model '{name_or_path}'. Known: "
                            f"{', '.join(available_detector_models())}", code="DM-LAYOUT",
                            remedy="Use --detector-model with one of the known names.")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _bad(p.stem, f"TOML error: {exc}") from exc
    return parse_layout(data, p.stem)
