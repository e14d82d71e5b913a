"""The phantom as renderable pieces: z-invariant layers and z-dependent features.

A *layer* is a 2-D contrast image valid over a z-extent of the phantom (the body, each
module's background and features, limited-length discs or inserts). A slice is the sum of
the layers weighted by the fraction of the slice profile inside each layer's extent,
plus the z-dependent features (wire ramps, beads) integrated against the profile.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from app.ct.phantoms import Feature, ModuleDef, PhantomDef
from app.ct.simulator.params import SliceProfile
from app.ct.simulator.render import (
    Grid, add_disc, add_point, add_profiled_strip, add_rect)

AIR_HU = -1000.0


@dataclass
class Layer:
    key: str
    z_lo: float
    z_hi: float
    draw: Callable[[np.ndarray, Grid, "Pose"], None]


@dataclass(frozen=True)
class Pose:
    """Phantom centre (mm, patient x/y) and roll for one slice; PSF sigma."""

    cx: float
    cy: float
    roll_deg: float
    sigma: float

    def xy(self, x: float, y: float) -> tuple[float, float]:
        a = math.radians(self.roll_deg)
        c, s = math.cos(a), math.sin(a)
        return self.cx + x * c - y * s, self.cy + x * s + y * c

    def polar(self, angle_deg: float, radius: float) -> tuple[float, float]:
        a = math.radians(angle_deg + self.roll_deg)
        return self.cx + radius * math.cos(a), self.cy + radius * math.sin(a)


@dataclass
class Scene:
    phantom: PhantomDef
    layers: list[Layer] = field(default_factory=list)
    ramps: list[tuple[ModuleDef, Feature]] = field(default_factory=list)
    beads: list[tuple[ModuleDef, Feature]] = field(default_factory=list)


def disc_contrast(disc: Feature) -> float:
    if disc.get("contrast_hu") is not None:
        return float(disc.contrast_hu)
    return float(disc.contrast_pct) * 10.0  # 1 % of water's attenuation = 10 HU


def build_scene(ph: PhantomDef) -> Scene:
    scene = Scene(phantom=ph)
    r_out = ph.radius_mm
    r_in = r_out - ph.shell_thickness_mm
    z_lo, z_hi = ph.z_extent_mm

    def draw_body(img: np.ndarray, grid: Grid, pose: Pose) -> None:
        add_disc(img, grid, pose.cx, pose.cy, r_out, ph.shell_hu - AIR_HU, pose.sigma)
        add_disc(img, grid, pose.cx, pose.cy, r_in, ph.background_hu - ph.shell_hu, pose.sigma)

    scene.layers.append(Layer("body", z_lo, z_hi, draw_body))
    for m in ph.modules:
        _module_layers(scene, ph, m, r_in)
    return scene


def _module_layers(scene: Scene, ph: PhantomDef, m: ModuleDef, r_in: float) -> None:
    lo, hi = m.z_extent_mm
    limited = [f for f in m.inserts + m.discs if f.get("length_mm") is not None]

    def draw_module(img: np.ndarray, grid: Grid, pose: Pose) -> None:
        s = pose.sigma
        if m.background_hu != ph.background_hu:
            add_disc(img, grid, pose.cx, pose.cy, r_in, m.background_hu - ph.background_hu, s)
        for ins in m.inserts:
            if ins.get("length_mm") is None:
                x, y = pose.polar(ins.angle_deg, ins.radius_mm)
                add_disc(img, grid, x, y, ins.diameter_mm / 2, ins.nominal_hu - m.background_hu, s)
        for d in m.discs:
            if d.get("length_mm") is None:
                x, y = pose.polar(d.angle_deg, d.radius_mm)
                add_disc(img, grid, x, y, d.diameter_mm / 2, disc_contrast(d), s)
        for n in m.nodes:
            x, y = pose.xy(n.x_mm, n.y_mm)
            add_disc(img, grid, x, y, n.diameter_mm / 2, n.hu - m.background_hu, s)
        for w in m.wires:  # thin wires along z: a point of mass hu * area in every slice
            x, y = pose.xy(w.x_mm, w.y_mm)
            a = w.diameter_mm / 2
            mass = (w.hu - m.background_hu) * math.pi * a * a
            add_point(img, grid, x, y, mass, math.sqrt(s * s + a * a / 4))
        for bp in m.bar_patterns:
            _draw_bars(img, grid, pose, bp, m.background_hu)

    scene.layers.append(Layer(f"module:{m.id}", lo, hi, draw_module))
    for k, f in enumerate(limited):
        half = f.length_mm / 2

        def draw_limited(img: np.ndarray, grid: Grid, pose: Pose, f: Feature = f) -> None:
            x, y = pose.polar(f.angle_deg, f.radius_mm)
            value = (f.nominal_hu - m.background_hu) if f.kind == "inserts" else disc_contrast(f)
            add_disc(img, grid, x, y, f.diameter_mm / 2, value, pose.sigma)

        scene.layers.append(Layer(f"module:{m.id}:limited{k}", m.z_mm - half, m.z_mm + half,
                                  draw_limited))
    scene.ramps.extend((m, r) for r in m.ramps)
    scene.beads.extend((m, b) for b in m.beads)


def _draw_bars(img: np.ndarray, grid: Grid, pose: Pose, bp: Feature, bg: float) -> None:
    """Bars with their long axis radial, spaced along the tangent at the pattern centre."""
    cx, cy = pose.polar(bp.angle_deg, bp.radius_mm)
    radial = math.radians(bp.angle_deg + pose.roll_deg)
    tangent = (-math.sin(radial), math.cos(radial))
    width = 10.0 / (2.0 * bp.lp_per_cm)  # mm per bar (half a line pair)
    n = int(bp.n_bars)
    for i in range(n):
        off = (i - (n - 1) / 2.0) * 2 * width
        add_rect(img, grid, cx + tangent[0] * off, cy + tangent[1] * off, bp.bar_length_mm / 2,
                 width / 2, radial, bp.hu - bg, pose.sigma)


def draw_ramp(img: np.ndarray, grid: Grid, pose: Pose, m: ModuleDef, ramp: Feature,
              z_slice: float, ssp: SliceProfile) -> None:
    """A wire inclined at ``ramp_angle_deg`` to the scan plane, integrated over the slice
    profile: along the wire the strength is the profile's share of the wire's z-extent."""
    tan_a = math.tan(math.radians(ramp.ramp_angle_deg))
    half_len = ramp.length_mm / 2
    h = ramp.width_mm / math.cos(math.radians(ramp.ramp_angle_deg))  # z-extent of the wire
    reach = (ssp.half_support + h) / tan_a
    z_rel = z_slice - m.z_mm
    s_centre = z_rel / (tan_a * ramp.direction)
    if abs(s_centre) > half_len + reach:
        return
    ds = min(0.02, pose.sigma / 8)
    s_axis = np.arange(max(-half_len, s_centre - reach - ds), min(half_len, s_centre + reach + ds), ds)
    if len(s_axis) < 2:
        return
    z_wire = ramp.direction * s_axis * tan_a - z_rel
    profile = ssp.weight(z_wire - h / 2, z_wire + h / 2)
    cx, cy = pose.polar(ramp.angle_deg, ramp.radius_mm)
    along = 0.0 if ramp.orientation == "x" else math.pi / 2
    add_profiled_strip(img, grid, cx, cy, along + math.radians(pose.roll_deg), s_axis, profile,
                       ramp.width_mm / 2, ramp.hu - m.background_hu, pose.sigma)


def draw_bead(img: np.ndarray, grid: Grid, pose: Pose, m: ModuleDef, bead: Feature,
              z_slice: float, ssp: SliceProfile) -> float:
    """A small sphere as a point of mass hu * (profile-weighted volume); returns the mass."""
    a = bead.diameter_mm / 2
    zb = m.z_mm + bead.z_offset_mm
    if abs(zb - z_slice) > ssp.half_support + a:
        return 0.0
    n = 32
    edges = np.linspace(-a, a, n + 1)
    mids = 0.5 * (edges[1:] + edges[:-1])
    area = math.pi * (a * a - mids ** 2)
    weights = ssp.weight(zb + edges[:-1] - z_slice, zb + edges[1:] - z_slice)
    # weight(...) is the profile's integral over each sub-interval of the sphere (area there
    # is ~constant): the slice value integrates to hu * sum(area * weight) over the plane.
    mass = float((bead.hu - m.background_hu) * np.sum(area * weights))
    if mass == 0:
        return 0.0
    x, y = pose.xy(bead.x_mm, bead.y_mm)
    add_point(img, grid, x, y, mass, math.sqrt(pose.sigma ** 2 + a * a / 5))
    return mass
