"""CatPhan 504 as the manufacturer's drawings give it, and one produced unit of it.

Phantom frame: mm from the phantom axis, x = +image column, y = +image row (down on
screen), angles from +x towards +y; z along the phantom axis from the CTP404 centre
(towards CTP528 positive). A roll of r degrees adds r to every angle.

These constants are written from the phantom's public description, not read from the
station's phantom definition files, so the renderer stays an independent check.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from app.ct.image_renderer.params import RenderParams

RADIUS_MM = 100.0      # outer; the housing wall is RenderParams.shell_mm (3 mm nominal)
# module body extents along z (CTP404 is 25 mm thick, the others 40 / 40 / 50 mm)
MODULES = {"CTP486": (-102.5, -52.5), "CTP515": (-52.5, -12.5), "CTP404": (-12.5, 12.5),
           "CTP528": (12.5, 52.5)}
# analysis planes (the slice a reader uses for each module)
ANALYSIS_Z = {"CTP486": -65.0, "CTP515": -30.0, "CTP404": 0.0, "CTP528": 30.0}

SENSITOMETRY = [  # name, angle, nominal HU (12.2 mm rods on a 58.7 mm radius)
    ("air", -90.0, -1000.0), ("pmp", -120.0, -196.0), ("ldpe", 180.0, -104.0),
    ("polystyrene", 120.0, -47.0), ("acrylic", 60.0, 115.0), ("delrin", 0.0, 365.0),
    ("teflon", -60.0, 1000.0)]
INSERT_R_MM, INSERT_D_MM = 58.7, 12.2
NODES = [(-25.0, -25.0), (25.0, -25.0), (-25.0, 25.0), (25.0, 25.0)]
NODE_D_MM = 3.0
TEFLON_HU = 1000.0
# wire ramps: (angle of the ramp centre, orientation of the wire's in-plane run, dz/ds sign)
RAMPS = [(0.0, "y", 1), (90.0, "x", 1), (180.0, "y", -1), (-90.0, "x", -1)]
RAMP_R_MM, RAMP_ANGLE_DEG, RAMP_LEN_MM = 38.0, 23.0, 50.0
WIRE_D_MM, WIRE_HU = 0.18, 40000.0   # tungsten-like: saturates most reconstructions
# CTP515: supra-slice discs (contrast %, diameter, angle) on a 50 mm radius, 40 mm long
_SUPRA_ANG = {1.0: [-87.4, -69.1, -52.7, -38.5, -25.1, -12.9, -2.5, 6.5, 14.5],
              0.3: [32.6, 50.9, 67.3, 81.5, 94.9, 107.1, 117.5, 126.5, 134.5],
              0.5: [152.6, 170.9, 187.3, 201.5, 214.9, 227.1, 237.5, 246.5, 254.5]}
SUPRA_D = [15.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0]
# sub-slice discs: (z length, diameter, angle) on a 25 mm radius, 1 % contrast
SUB = [(3.0, 9.0, 100.0), (3.0, 7.0, 125.0), (3.0, 5.0, 150.0), (3.0, 3.0, 175.0),
       (5.0, 9.0, 220.0), (5.0, 7.0, 245.0), (5.0, 5.0, 270.0), (5.0, 3.0, 295.0),
       (7.0, 9.0, 340.0), (7.0, 7.0, 5.0), (7.0, 5.0, 30.0), (7.0, 3.0, 55.0)]
# CTP528: 21 bar groups (lp/cm, angle) on a 47 mm radius, 1500 HU aluminium, 10 mm bars
BAR_ANGLES = [160.74, 129.6, 106.38, 86.04, 68.22, 50.04, 32.22, 15.66, 2.68, -6.76, -15.66,
              -24.09, -32.15, -39.87, -47.32, -54.52, -61.5, -68.3, -74.92, -81.39, -87.73]
BAR_HU, BAR_R_MM, BAR_LEN_MM = 1500.0, 47.0, 10.0
BEADS = [(0.0, 0.0), (20.0, 0.0)]
BEAD_D_MM, BEAD_HU = 0.28, 20000.0


@dataclass
class Unit:
    """One produced phantom: nominal drawings plus this unit's tolerances (truth)."""

    body_hu: dict
    module_z: dict
    inserts: list = field(default_factory=list)   # dicts: name, x, y, d, hu, nominal
    nodes: list = field(default_factory=list)     # dicts: x, y, d, hu
    ramps: list = field(default_factory=list)     # dicts: x, y, orientation, direction, angle
    supra: list = field(default_factory=list)     # dicts: x, y, d, contrast
    sub: list = field(default_factory=list)       # dicts: x, y, d, contrast, length
    bars: list = field(default_factory=list)      # dicts: x, y, angle, lp_per_cm, n
    beads: list = field(default_factory=list)     # dicts: x, y
    vial: dict | None = None


def _polar(angle_deg: float, r: float) -> tuple[float, float]:
    a = math.radians(angle_deg)
    return r * math.cos(a), r * math.sin(a)


def build_unit(p: RenderParams) -> Unit:
    """The nominal CatPhan 504 with this unit's production deviations (seeded)."""
    rng = np.random.default_rng([p.seed, 504])
    tol = p.tolerances.scaled(p.tolerance_scale)

    def g(sd: float) -> float:
        return float(rng.normal(0.0, sd)) if sd > 0 else 0.0

    body = {"CTP486": p.ctp486_body_hu + g(tol.body_hu), "CTP515": p.ctp515_body_hu + g(tol.body_hu),
            "CTP404": p.ctp404_body_hu + g(tol.body_hu), "CTP528": p.ctp528_body_hu + g(tol.body_hu)}
    mz = {}
    edges = sorted({v for lo_hi in MODULES.values() for v in lo_hi})
    moved = {e: e + g(tol.module_z_mm) for e in edges}
    for mid, (lo, hi) in MODULES.items():
        mz[mid] = (moved[lo], moved[hi])
    u = Unit(body_hu=body, module_z=mz)
    for name, ang, hu in SENSITOMETRY:
        x, y = _polar(ang + g(tol.insert_angle_deg), INSERT_R_MM + g(tol.insert_radius_mm))
        real = hu + (g(tol.insert_hu) if name != "air" else 0.0)
        u.inserts.append({"name": name, "x": x, "y": y, "d": INSERT_D_MM, "hu": real, "nominal": hu})
    if p.empty_vial:
        x, y = _polar(90.0, INSERT_R_MM)
        u.vial = {"name": "vial_air", "x": x, "y": y, "d": INSERT_D_MM, "hu": -1000.0}
    for k, (nx, ny) in enumerate(NODES):
        u.nodes.append({"x": nx + g(tol.node_mm), "y": ny + g(tol.node_mm), "d": NODE_D_MM,
                        "hu": TEFLON_HU if p.pin_node == k else -1000.0,
                        "kind": "teflon pin" if p.pin_node == k else "air hole"})
    for ang, orient, direction in RAMPS:
        x, y = _polar(ang, RAMP_R_MM)
        u.ramps.append({"x": x, "y": y, "orientation": orient, "direction": direction,
                        "angle_deg": RAMP_ANGLE_DEG + g(tol.ramp_angle_deg)})
    for pct, angles in _SUPRA_ANG.items():
        for d, ang in zip(SUPRA_D, angles):
            x, y = _polar(ang, 50.0)
            u.supra.append({"x": x, "y": y, "d": d, "contrast": pct * 10.0, "pct": pct})
    for length, d, ang in SUB:
        x, y = _polar(ang, 25.0)
        u.sub.append({"x": x, "y": y, "d": d, "contrast": 10.0, "length": length})
    for k, ang in enumerate(BAR_ANGLES):
        x, y = _polar(ang, BAR_R_MM)
        lp = k + 1
        u.bars.append({"x": x, "y": y, "angle": ang, "lp_per_cm": lp,
                       "n": 2 if lp == 1 else 3 if lp == 2 else 4 if lp <= 5 else 5})
    for bx, by in BEADS:
        u.beads.append({"x": bx, "y": by})
    return u
