"""render_volume / render_series: a whole CatPhan 504 series with its ground truth."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from app.ct.image_renderer import catphan504 as cp
from app.ct.image_renderer.params import RenderParams
from app.ct.image_renderer.raster import Grid
from app.ct.image_renderer.render import (AIR, Pose, add_beads, add_couch, add_ramps, kernel_mtf,
                                          make_grid, module_layers, nps_shape, overlap,
                                          slice_positions)

TRUTH_VERSION = 1


def _freqs(n: int, pixel_mm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fy = np.fft.fftfreq(n, pixel_mm)[:, None]
    fx = np.fft.rfftfreq(n, pixel_mm)[None, :]
    return fx, fy, np.hypot(fx, fy)


def _noise_filter(p: RenderParams, f: np.ndarray, n: int) -> np.ndarray:
    shape = nps_shape(p, f)
    # full-spectrum power of the rfft half-plane (columns 1..n/2-1 count twice)
    w = np.full(f.shape[1], 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    total = float((shape * w[None, :]).sum())
    return np.sqrt(shape * (n * n) / max(total, 1e-30))   # white N(0,1) -> unit variance


def _artifact_image(p: RenderParams, grid: Grid, k: int, centre: tuple[float, float]) -> np.ndarray:
    xs, ys = grid.centres()
    x, y = xs[None, :], ys[:, None]
    out = np.zeros((grid.n, grid.n))
    for a in p.artifacts:
        if a.slices is not None and k not in a.slices:
            continue
        if a.kind == "ring":
            r = np.hypot(x, y)                               # rotation centre = patient (0, 0)
            sig = a.width_mm / 2.3548
            prof = a.amplitude_hu * np.exp(-0.5 * ((r - a.radius_mm) / sig) ** 2)
            if a.coverage_deg < 360:
                ang = (np.degrees(np.arctan2(y, x)) - a.start_deg) % 360.0
                prof = np.where(ang <= a.coverage_deg, prof, 0.0)
            out += prof
        elif a.kind == "streak":
            t = math.radians(a.angle_deg)
            d = -(x - a.through_mm[0]) * math.sin(t) + (y - a.through_mm[1]) * math.cos(t)
            out += a.amplitude_hu * np.exp(-0.5 * (d / (a.width_mm / 2.3548)) ** 2)
        else:
            r_in = cp.RADIUS_MM - p.shell_mm
            rr = np.hypot(x - centre[0], y - centre[1]) / r_in
            sign = -1.0 if a.kind == "cupping" else 1.0
            out += np.where(rr <= 1.0, sign * a.amplitude_hu * (1 - rr ** 2), 0.0)
    return out


def render_volume(p: RenderParams) -> tuple[np.ndarray, dict]:
    """(volume float32 HU [z, row, col], truth dict)."""
    grid = make_grid(p)
    pose = Pose(p)
    unit = cp.build_unit(p)
    zs = slice_positions(p)
    layers = module_layers(p, unit, grid, pose)
    n = p.matrix
    fx, fy, f = _freqs(n, p.pixel_mm)
    mtf = kernel_mtf(p, f)
    noise_h = _noise_filter(p, f, n) if p.noise_sd_hu > 0 else None
    rng = np.random.default_rng([p.seed, 1])
    vol = np.empty((len(zs), n, n), np.float32)
    t = p.slice_thickness_mm
    tan_p, tan_y = math.tan(math.radians(p.pitch_deg)), math.tan(math.radians(p.yaw_deg))
    base = np.zeros((n, n))
    if p.couch:
        add_couch(base, grid, p)
    sds = []
    for k, z in enumerate(zs):
        z_rel = float(z - p.z_origin_mm)
        img = base.copy()
        for lo, hi, layer in layers:
            w = overlap(z_rel - t / 2, z_rel + t / 2, lo, hi) / t
            if w > 0:
                img += w * layer
        add_ramps(img, p, unit, grid, pose, z_rel)
        add_beads(img, p, unit, grid, pose, z_rel)
        dx, dy = tan_y * z_rel, tan_p * z_rel           # the tilted axis moves the phantom
        spec = np.fft.rfft2(img) * mtf
        if dx or dy:
            spec = spec * np.exp(-2j * math.pi * (fx * dx + fy * dy))
        img = np.fft.irfft2(spec, s=(n, n)) + AIR
        centre = (pose.cx + dx, pose.cy + dy)
        if p.artifacts:
            img += _artifact_image(p, grid, k, centre)
        img = p.hu_scale * img + p.hu_offset
        if noise_h is not None:
            white = rng.standard_normal((n, n))
            noise = np.fft.irfft2(np.fft.rfft2(white) * noise_h, s=(n, n)) * p.noise_sd_hu
            img += noise
            sds.append(float(noise[n // 4:3 * n // 4, n // 4:3 * n // 4].std()))
        vol[k] = p.output(img)
    from app.ct.image_renderer.truth import build_truth
    return vol, build_truth(p, unit, grid, zs, sds)


def render_series(params: RenderParams, out_dir: str | Path) -> dict:
    """Render the series, write it as DICOM CT files plus ``truth.json``; return the truth."""
    from app.ct.image_renderer.dicom_out import write_series
    vol, truth = render_volume(params)
    write_series(vol, params, truth, Path(out_dir))
    return truth
