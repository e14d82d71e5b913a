"""Shared state of one analysis: the volume, geometry and phantom placement."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.ct.analysis import phantom_spec as ps
from app.ct.analysis.localise import Placement, slab


@dataclass
class Raw:
    """A measured figure before limits are applied. ``error`` = could not measure."""

    key: str
    value: Any
    unit: str = ""
    where: dict = field(default_factory=dict)
    note: str = ""
    error: bool = False
    nominal: float | None = None     # for nominal-relative limits (CT numbers, distances)
    not_applicable: bool = False     # beyond what this series can show (e.g. > Nyquist): SKIP
    # standard error of a measured mean (HU): limits on means are widened by
    # SE_COVERAGE x this, so noise alone does not fail a mean (see pipeline._judge)
    uncertainty: float | None = None


def key_part(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "x"


@dataclass
class Ctx:
    vol: np.ndarray
    pos: np.ndarray
    pixel_mm: float
    thk_mm: float
    pl: Placement
    recon_centre_px: tuple[float, float]
    header: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)    # results shared between steps

    @property
    def defn(self) -> dict:
        return self.pl.defn

    def modules(self, *kinds: str) -> list[dict]:
        return [m for m in ps.modules_of(self.defn, *kinds) if m["id"] in self.pl.module_slices]

    def missing(self, *kinds: str) -> list[dict]:
        return [m for m in ps.modules_of(self.defn, *kinds) if m["id"] not in self.pl.module_slices]

    def z_of(self, m: dict) -> float:
        return self.pl.origin_z_mm + float(m["z_mm"])

    def slice_of(self, m: dict) -> int:
        return int(self.pl.module_slices[m["id"]])

    def slab_idx(self, m: dict, half_mm: float) -> np.ndarray:
        """Slices inside the module, within +/- half_mm of its centre (partial volume kept out)."""
        usable = max(0.0, float(m["length_mm"]) / 2 - self.thk_mm / 2 - 1.0)
        return slab(self.pos, self.z_of(m), min(half_mm, usable))

    def centre(self, m: dict | None = None, z_mm: float | None = None) -> tuple[float, float]:
        z = self.z_of(m) if m is not None else (z_mm if z_mm is not None else self.pl.origin_z_mm)
        return self.pl.centre_at(z)

    def px(self, m: dict, x_mm: float, y_mm: float, rotate: bool = True) -> tuple[float, float]:
        """Pixel (col, row) of a phantom-frame point (mm) in the module's slice."""
        if rotate:
            x_mm, y_mm = ps.rotate_xy(x_mm, y_mm, self.pl.roll_deg)
        cx, cy = self.centre(m)
        return cx + x_mm / self.pixel_mm, cy + y_mm / self.pixel_mm

    def polar_px(self, m: dict, item: dict) -> tuple[float, float]:
        x, y = ps.insert_xy(item, self.pl.roll_deg)
        return self.px(m, x, y, rotate=False)

    def radius_px(self) -> float:
        return float(self.defn["diameter_mm"]) / 2 / self.pixel_mm

    def mean_image(self, idx: np.ndarray) -> np.ndarray:
        key = ("mean", tuple(int(i) for i in idx))
        if key not in self.cache:
            idx = np.asarray(idx)
            if len(idx) == 1:
                self.cache[key] = self.vol[int(idx[0])]
            elif np.all(np.diff(idx) == 1):   # a contiguous view: no copy of the slab
                self.cache[key] = self.vol[int(idx[0]):int(idx[-1]) + 1].mean(axis=0)
            else:
                self.cache[key] = self.vol[idx].mean(axis=0)
        return self.cache[key]

    def where_circle(self, slice_idx: int, c: tuple[float, float], r_px: float,
                     idx: np.ndarray | None = None) -> dict:
        w = {"slice": int(slice_idx), "kind": "circle", "centre_px": [round(c[0], 2), round(c[1], 2)],
             "radius_px": round(float(r_px), 2)}
        if idx is not None and len(idx) > 1:
            w["slices"] = [int(i) for i in idx]
        return w


def nan_raw(key: str, unit: str, note: str, where: dict | None = None) -> Raw:
    return Raw(key, math.nan, unit, where or {}, note, error=True)


def missing_raw(key: str, unit: str, note: str) -> Raw:
    """A measurement whose module is not in the series (partial scan): SKIP, not ERROR -
    the modules that were scanned are still measured and judged (the result's notes name
    the missing modules; ``where["not_in_series"]`` tells it from a figure a scanned
    module could not show, which keeps a limited result from reading PASS)."""
    return Raw(key, math.nan, unit, {"not_in_series": True}, note, not_applicable=True)
