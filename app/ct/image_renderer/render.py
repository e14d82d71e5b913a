"""Compose CatPhan 504 slices in the image domain: analytic shapes (area-averaged), slice
profile along z, reconstruction kernel (PSF), image-domain artifacts, calibration, noise.

Order per slice: z-invariant module layers weighted by the slice profile's overlap with
each module's extent + z-dependent wires and beads -> PSF (and the pitch/yaw shift of
the phantom axis) in the Fourier domain -> rings / streaks / cupping -> calibration
(scale, offset) -> correlated noise with an FBP-like noise power spectrum.
"""
from __future__ import annotations

import math

import numpy as np

from app.ct.image_renderer import catphan504 as cp
from app.ct.image_renderer.params import RenderParams
from app.ct.image_renderer.raster import Grid, add_disc, add_rect, add_wire_segment

AIR = -1000.0


def slice_positions(p: RenderParams) -> np.ndarray:
    lo = min(v[0] for v in cp.MODULES.values()) - 4.0
    hi = max(v[1] for v in cp.MODULES.values()) + 4.0
    sp = p.spacing_mm
    n = p.n_slices or int(math.floor((hi - lo) / sp)) + 1
    start = p.z_start_mm if p.z_start_mm is not None else p.z_origin_mm + (lo + hi) / 2 - (n - 1) * sp / 2
    return start + np.arange(n) * sp


def make_grid(p: RenderParams) -> Grid:
    half = (p.matrix - 1) / 2 * p.pixel_mm
    return Grid(p.matrix, p.pixel_mm, p.recon_centre_mm[0] - half, p.recon_centre_mm[1] - half,
                ss=p.supersample)


class Pose:
    """Phantom frame -> patient mm at the CTP404 plane (roll about the axis, then offset)."""

    def __init__(self, p: RenderParams) -> None:
        self.cx, self.cy = p.centre_offset_mm
        a = math.radians(p.roll_deg)
        self.c, self.s = math.cos(a), math.sin(a)
        self.roll = p.roll_deg

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return self.cx + x * self.c - y * self.s, self.cy + x * self.s + y * self.c


def overlap(lo: float, hi: float, a: float, b: float) -> float:
    return max(0.0, min(hi, b) - max(lo, a))


def kernel_mtf(p: RenderParams, f: np.ndarray) -> np.ndarray:
    """MTF of the reconstruction kernel at spatial frequency f (cycles/mm)."""
    g = np.exp(-2 * math.pi ** 2 * p.psf_sigma_mm ** 2 * f ** 2)
    if p.psf == "edge" and p.edge_overshoot > 0:
        g2 = np.exp(-2 * math.pi ** 2 * (2.5 * p.psf_sigma_mm) ** 2 * f ** 2)
        return (1 + p.edge_overshoot) * g - p.edge_overshoot * g2
    return g


def nps_shape(p: RenderParams, f: np.ndarray) -> np.ndarray:
    """FBP-like noise power spectrum shape: ramp x apodisation window^2 (x kernel MTF^2)."""
    nyq = 0.5 / p.pixel_mm
    fc = p.nps_cutoff_frac * nyq
    u = np.clip(f / fc, 0.0, 1.0)
    win = {"hann": 0.5 * (1 + np.cos(math.pi * u)), "hamming": 0.54 + 0.46 * np.cos(math.pi * u),
           "cosine": np.cos(0.5 * math.pi * u), "rect": np.ones_like(u)}[p.nps_window]
    win = np.where(f <= fc, win, 0.0)
    s = f * win ** 2
    if p.nps_follows_kernel:   # FBP: noise passes the same kernel as the signal
        s = s * kernel_mtf(p, f) ** 2
    return s


def module_layers(p: RenderParams, u: cp.Unit, grid: Grid, pose: Pose) -> list[tuple[float, float, np.ndarray]]:
    """(z_lo, z_hi, image relative to air) of every z-invariant part of the phantom."""
    n = grid.n
    r_in = cp.RADIUS_MM - p.shell_mm
    layers = []
    z_lo = min(v[0] for v in u.module_z.values())
    z_hi = max(v[1] for v in u.module_z.values())
    shell = np.zeros((n, n))
    add_disc(shell, grid, pose.cx, pose.cy, cp.RADIUS_MM, p.shell_hu - AIR)
    add_disc(shell, grid, pose.cx, pose.cy, r_in, -(p.shell_hu - AIR))
    layers.append((z_lo, z_hi, shell))
    for mid, (lo, hi) in u.module_z.items():
        body = u.body_hu[mid]
        img = np.zeros((n, n))
        add_disc(img, grid, pose.cx, pose.cy, r_in, body - AIR)
        if mid == "CTP404":
            for ins in u.inserts + ([u.vial] if u.vial else []):
                add_disc(img, grid, *pose.xy(ins["x"], ins["y"]), ins["d"] / 2, ins["hu"] - body)
            for nd in u.nodes:
                add_disc(img, grid, *pose.xy(nd["x"], nd["y"]), nd["d"] / 2, nd["hu"] - body)
        elif mid == "CTP515":
            for d in u.supra:
                add_disc(img, grid, *pose.xy(d["x"], d["y"]), d["d"] / 2, d["contrast"])
        elif mid == "CTP528":
            for b in u.bars:
                cx, cy = pose.xy(b["x"], b["y"])
                radial = math.radians(b["angle"] + pose.roll)
                tx, ty = -math.sin(radial), math.cos(radial)
                width = 10.0 / (2.0 * b["lp_per_cm"])
                for i in range(b["n"]):
                    off = (i - (b["n"] - 1) / 2.0) * 2 * width
                    add_rect(img, grid, cx + tx * off, cy + ty * off, cp.BAR_LEN_MM / 2, width / 2,
                             radial, cp.BAR_HU - body)
        layers.append((lo, hi, img))
    z515 = cp.ANALYSIS_Z["CTP515"]
    for length in sorted({d["length"] for d in u.sub}):
        img = np.zeros((n, n))
        for d in u.sub:
            if d["length"] == length:
                add_disc(img, grid, *pose.xy(d["x"], d["y"]), d["d"] / 2, d["contrast"])
        layers.append((z515 - length / 2, z515 + length / 2, img))
    return layers


def add_ramps(img: np.ndarray, p: RenderParams, u: cp.Unit, grid: Grid, pose: Pose, z_rel: float) -> None:
    """Wires inclined at ~23 deg: at in-plane position s the wire occupies z in
    z_w(s) +/- h/2 (h = d / cos a); a pixel holds HU_w x (overlap with the slice) / T."""
    t = p.slice_thickness_mm
    z0 = cp.ANALYSIS_Z["CTP404"]
    for r in u.ramps:
        tan_a = math.tan(math.radians(r["angle_deg"]))
        h = cp.WIRE_D_MM / math.cos(math.radians(r["angle_deg"]))
        s_mid = (z_rel - z0) / (tan_a * r["direction"])
        reach = (t + h) / 2 / tan_a
        s_lo = max(-cp.RAMP_LEN_MM / 2, s_mid - reach)
        s_hi = min(cp.RAMP_LEN_MM / 2, s_mid + reach)
        if s_hi <= s_lo:
            continue

        def weight(s: np.ndarray, r: dict = r, tan_a: float = tan_a, h: float = h) -> np.ndarray:
            zw = z0 + r["direction"] * s * tan_a
            lo = np.maximum(zw - h / 2, z_rel - t / 2)
            hi = np.minimum(zw + h / 2, z_rel + t / 2)
            return np.clip(hi - lo, 0.0, None) / t * (t / h)   # fraction of the wire's z extent

        cx, cy = pose.xy(r["x"], r["y"])
        along = (0.0 if r["orientation"] == "x" else math.pi / 2) + math.radians(pose.roll)
        # value x weight: HU_w * overlap / T  (weight carries overlap / h, value HU_w * h / T)
        add_wire_segment(img, grid, cx, cy, along, s_lo, s_hi, cp.WIRE_D_MM / 2,
                         (cp.WIRE_HU - u.body_hu["CTP404"]) * h / t, weight)


def add_beads(img: np.ndarray, p: RenderParams, u: cp.Unit, grid: Grid, pose: Pose, z_rel: float) -> None:
    a = cp.BEAD_D_MM / 2
    zb = cp.ANALYSIS_Z["CTP528"]
    t = p.slice_thickness_mm
    lo, hi = max(zb - a, z_rel - t / 2), min(zb + a, z_rel + t / 2)
    if hi <= lo:
        return
    zz = np.linspace(lo, hi, 33)
    vol = float(np.trapezoid(math.pi * np.clip(a * a - (zz - zb) ** 2, 0, None), zz))
    mass = (cp.BEAD_HU - u.body_hu["CTP528"]) * vol / t     # HU x mm^2 in the image plane
    for b in u.beads:
        add_disc(img, grid, *pose.xy(b["x"], b["y"]), a, mass / (math.pi * a * a), ss=16)


def add_couch(img: np.ndarray, grid: Grid, p: RenderParams) -> None:
    """Carbon-fibre table top: two 1.5 mm skins (+200 HU) around 20 mm of foam (-850 HU),
    its top 2 mm below the phantom."""
    top = p.centre_offset_mm[1] + cp.RADIUS_MM + 2.0
    for y0, th, hu in ((top, 1.5, 200.0), (top + 1.5, 20.0, -850.0), (top + 21.5, 1.5, 200.0)):
        add_rect(img, grid, p.centre_offset_mm[0], y0 + th / 2, th / 2, 200.0, math.pi / 2,
                 hu - AIR, ss=2)
