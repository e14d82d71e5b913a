"""CatPhan 504 as analytic shapes for the third (clean-room) renderer, renderer_r3.

Written from public facts only (The Phantom Laboratory's CatPhan 503/504 manual: material
ranges, 3 mm node holes 50 mm apart, 23 degree wire ramps, 21 lp/cm gauge, CTP515
supra-/sub-slice targets; pylinac's published CatPhan 504 module offsets and ROI angles),
not from any renderer or phantom code of this repository.

Frame: millimetres, x to the image right, y DOWN the image (anterior at the top), angles in
degrees measured from +x towards +y (so -90 is the top of the image), z along the table.
Module centres: CTP404 0, CTP528 +30, CTP515 -30, CTP486 -65 mm.

The phantom is a list of z segments [z0, z1) in which the cross-section does not change
(each a list of 2-D shapes with an HU *delta* on top of what lies under it: air -1000 is
the background, shapes add), plus shapes that vary continuously with z (spheres, wire ramps)
that the renderer integrates over the slice profile analytically.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

R_OUTER_MM = 100.0          # phantom outer radius
SHELL_MM = 2.5              # housing wall
INSERT_RADIUS_MM = 58.7     # CTP404 sensitometry inserts, centre distance
INSERT_DIAM_MM = 12.2
NODE_HALF_MM = 25.0         # 3 mm holes on a 50 mm square
NODE_DIAM_MM = 3.0
RAMP_DEG = 23.0
RAMP_DIST_MM = 38.0
WIRE_DIAM_MM = 0.18
LP_RADIUS_MM = 47.0
LP_BAR_LEN_MM = 8.0
LP_Z = (27.0, 33.0)         # z extent of the line-pair gauge (CTP528 centre +30)
LC_RADIUS_MM = 50.0         # CTP515 supra-slice targets
SUB_RADIUS_MM = 25.0        # CTP515 sub-slice targets

MODULES = (  # name, z0, z1, centre
    ("CTP486", -92.0, -47.0, -65.0),
    ("CTP515", -47.0, -12.5, -30.0),
    ("CTP404", -12.5, 12.5, 0.0),
    ("CTP528", 12.5, 50.0, 30.0),
)


@dataclass(frozen=True)
class Disk:
    cx: float
    cy: float
    r: float
    delta: float


@dataclass(frozen=True)
class Rect:
    cx: float
    cy: float
    w: float        # along the angle
    h: float        # across it
    angle_deg: float
    delta: float


@dataclass(frozen=True)
class Sphere:
    cx: float
    cy: float
    cz: float
    r: float
    delta: float


@dataclass(frozen=True)
class Wire:
    """A thin wire ramp: in-plane position p0 + s*u at z = z0 + s*tan(ramp)."""
    px: float
    py: float
    ux: float
    uy: float
    z0: float
    zlo: float
    zhi: float
    diam: float
    delta: float


@dataclass(frozen=True)
class Materials:
    """CT numbers (HU). Defaults inside the manual's ranges; the body values are this
    renderer's own choice (CTP486 is water-equivalent, not water)."""
    air: float = -1000.0
    pmp: float = -190.0
    ldpe: float = -100.0
    polystyrene: float = -40.0
    acrylic: float = 120.0
    delrin: float = 360.0
    teflon: float = 985.0
    shell: float = 120.0
    body_404: float = 15.0
    body_486: float = 3.0
    body_515: float = 45.0
    body_528: float = 15.0
    lp_bars: float = 1900.0     # aluminium
    wire: float = 20000.0       # tungsten, partial-volumed by the renderer
    lc_contrast: tuple[float, float, float] = (10.0, 5.0, 3.0)  # 1.0 / 0.5 / 0.3 %

    def offset(self, body_offset: float) -> Materials:
        """Every module body (and so the phantom's background) shifted by body_offset."""
        return replace(self, body_404=self.body_404 + body_offset, body_486=self.body_486 + body_offset,
                       body_515=self.body_515 + body_offset, body_528=self.body_528 + body_offset)


@dataclass
class Phantom:
    segments: list[tuple[float, float, tuple]] = field(default_factory=list)  # (z0, z1, shapes)
    spheres: list[Sphere] = field(default_factory=list)
    wires: list[Wire] = field(default_factory=list)


def _polar(r: float, deg: float) -> tuple[float, float]:
    a = math.radians(deg)
    return r * math.cos(a), r * math.sin(a)


def _shell(body: float, m: Materials, wall_mm: float) -> list:
    return [Disk(0.0, 0.0, R_OUTER_MM, m.shell - m.air), Disk(0.0, 0.0, R_OUTER_MM - wall_mm, body - m.shell)]


def _ctp404(m: Materials, wall_mm: float) -> list:
    shapes = _shell(m.body_404, m, wall_mm)
    inserts = {-90: m.air, -120: m.pmp, 180: m.ldpe, 120: m.polystyrene, 60: m.acrylic, 0: m.delrin,
               -60: m.teflon}
    for deg, hu in inserts.items():
        x, y = _polar(INSERT_RADIUS_MM, deg)
        shapes.append(Disk(x, y, INSERT_DIAM_MM / 2, hu - m.body_404))
    for sx in (-1, 1):
        for sy in (-1, 1):
            shapes.append(Disk(sx * NODE_HALF_MM, sy * NODE_HALF_MM, NODE_DIAM_MM / 2, m.air - m.body_404))
    return shapes


def _lp_bars(m: Materials) -> list:
    """21 groups, 1..21 lp/cm, along the circle r = 47 mm from the image left going
    counter-clockwise on screen; bar width 1/(2n) cm, bars radial, ~7 mm between groups."""
    counts = {1: 2, 2: 3, 3: 4, 4: 4, 5: 4}
    shapes: list = []
    arc = 4.0                                   # mm along the circle, start
    for n in range(1, 22):
        bar = 10.0 / (2 * n)                    # mm
        k = counts.get(n, 5)
        extent = (2 * k - 1) * bar
        centre_arc = arc + extent / 2
        theta = 180.0 - math.degrees(centre_arc / LP_RADIUS_MM)     # ccw on screen = decreasing angle
        tx, ty = -math.sin(math.radians(theta)), math.cos(math.radians(theta))  # tangent (+theta)
        cx, cy = _polar(LP_RADIUS_MM, theta)
        for b in range(k):
            off = -extent / 2 + bar / 2 + 2 * b * bar
            shapes.append(Rect(cx + off * tx, cy + off * ty, LP_BAR_LEN_MM, bar, theta, m.lp_bars - m.body_528))
        arc += extent + 7.0
    return shapes


def _ctp515(m: Materials, sub_len_max: float, wall_mm: float) -> list:
    shapes = _shell(m.body_515, m, wall_mm)
    diams = (15.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0)
    angles = (-87.4, -69.1, -52.7, -38.5, -25.1, -12.9, -1.7, 8.7, 18.2)
    for g, contrast in enumerate(m.lc_contrast):
        for d, a in zip(diams, angles, strict=True):
            x, y = _polar(LC_RADIUS_MM, a + 120.0 * g)
            shapes.append(Disk(x, y, d / 2, contrast))
    # sub-slice targets, 1 % contrast, lengths 3 / 5 / 7 mm (one set per length), diameters 9, 7, 5, 3 mm
    for g, length in enumerate((7.0, 5.0, 3.0)):
        if length < sub_len_max - 1e-9:
            continue
        for j, d in enumerate((9.0, 7.0, 5.0, 3.0)):
            x, y = _polar(SUB_RADIUS_MM, -80.0 + 120.0 * g + 22.0 * j)
            shapes.append(Disk(x, y, d / 2, m.lc_contrast[0]))
    return shapes


def catphan504(m: Materials | None = None, wall_mm: float = SHELL_MM) -> Phantom:
    """The phantom; ``wall_mm``: its housing wall (the outer radius stays R_OUTER_MM)."""
    m = m or Materials()
    ph = Phantom()
    z486, z515, z404, z528 = MODULES
    ph.segments.append((z486[1], z486[2], tuple(_shell(m.body_486, m, wall_mm))))
    # CTP515: the sub-slice targets are centred on the module centre (lengths 7, 5, 3 mm)
    c = z515[3]
    edges = [z515[1], c - 3.5, c - 2.5, c - 1.5, c + 1.5, c + 2.5, c + 3.5, z515[2]]
    for z0, z1 in zip(edges[:-1], edges[1:], strict=True):
        half = max(abs(z0 - c), abs(z1 - c))
        sub_len_max = 2 * half if half <= 3.5 else 99.0   # targets at least this long are present
        ph.segments.append((z0, z1, tuple(_ctp515(m, sub_len_max, wall_mm))))
    ph.segments.append((z404[1], z404[2], tuple(_ctp404(m, wall_mm))))
    lp = tuple(_shell(m.body_528, m, wall_mm) + _lp_bars(m))
    plain = tuple(_shell(m.body_528, m, wall_mm))
    ph.segments += [(z528[1], LP_Z[0], plain), (LP_Z[0], LP_Z[1], lp), (LP_Z[1], z528[2], plain)]
    # acrylic spheres 2..10 mm in CTP404, centred at z = 0
    for j, d in enumerate((2.0, 4.0, 6.0, 8.0, 10.0)):
        x, y = _polar(30.0, 22.5 + 45.0 * j)
        ph.spheres.append(Sphere(x, y, 0.0, d / 2, m.acrylic - m.body_404))
    # four wire ramps at 38 mm, opposite pairs rising in opposite directions
    for deg, sign in ((-90, 1), (90, -1), (0, 1), (180, -1)):
        px, py = _polar(RAMP_DIST_MM, deg)
        ux, uy = -math.sin(math.radians(deg)) * sign, math.cos(math.radians(deg)) * sign
        ph.wires.append(Wire(px, py, ux, uy, z404[3], z404[1], z404[2], WIRE_DIAM_MM, m.wire - m.body_404))
    return ph


def placed(ph: Phantom, roll_deg: float, dx: float, dy: float) -> Phantom:
    """The phantom rolled by roll_deg (about its own axis, +x towards +y) and moved by (dx, dy) mm."""
    c, s = math.cos(math.radians(roll_deg)), math.sin(math.radians(roll_deg))

    def p(x: float, y: float) -> tuple[float, float]:
        return c * x - s * y + dx, s * x + c * y + dy

    def shape(sh):
        x, y = p(sh.cx, sh.cy)
        if isinstance(sh, Rect):
            return replace(sh, cx=x, cy=y, angle_deg=sh.angle_deg + roll_deg)
        return replace(sh, cx=x, cy=y)

    out = Phantom()
    out.segments = [(z0, z1, tuple(shape(sh) for sh in shapes)) for z0, z1, shapes in ph.segments]
    out.spheres = [shape(sp) for sp in ph.spheres]
    for w in ph.wires:
        x, y = p(w.px, w.py)
        out.wires.append(replace(w, px=x, py=y, ux=c * w.ux - s * w.uy, uy=s * w.ux + c * w.uy))
    return out
