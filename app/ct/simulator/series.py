"""simulate_series(params) -> SimulatedSeries: a CT volume of a phantom with ground truth.

Pipeline per slice: the phantom's layers (rendered once per pose, blurred analytically by
the PSF) weighted by the slice profile's share of each layer's z-extent, plus wire ramps
and beads integrated against the profile; then CT-number scale/offset, row-gain bands and
shifts, projection-domain artifacts (rings, streaks, cupping), then filtered noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.core.errors import Cancelled
from app.ct.phantoms import PhantomDef, load_phantom
from app.ct.simulator import artifacts as art
from app.ct.simulator.noise import add_noise, nps_truth
from app.ct.simulator.params import SimParams, SliceProfile, gaussian_mtf_truth
from app.ct.simulator.render import Grid
from app.ct.simulator.scene import (
    AIR_HU, Pose, Scene, build_scene, disc_contrast, draw_bead, draw_ramp)
from app.ct.simulator.truth import build_truth


@dataclass
class SimulatedSeries:
    volume: np.ndarray                 # float32 HU, (nz, ny, nx)
    pixel_mm: float
    slice_positions_mm: np.ndarray     # table z of each slice (increasing)
    params: SimParams
    phantom: PhantomDef
    truth: dict = field(default_factory=dict)

    @property
    def n_slices(self) -> int:
        return int(self.volume.shape[0])


def slice_positions(p: SimParams, ph: PhantomDef) -> np.ndarray:
    spacing = p.spacing_mm
    if p.z_range_mm is not None:
        z0, z1 = p.z_range_mm
        n = int(math.floor((z1 - z0) / spacing + 1e-6)) + 1
        return z0 + np.arange(n) * spacing
    lo, hi = ph.z_extent_mm
    n = p.n_slices or int(math.ceil((hi - lo + 6.0) / spacing))
    mid = p.z_origin_mm + 0.5 * (lo + hi) * _axis_cos(p)
    return mid + (np.arange(n) - (n - 1) / 2.0) * spacing


def _axis_cos(p: SimParams) -> float:
    """cos of the phantom axis tilt: table z = origin + phantom z * cos(tilt)."""
    tx, ty = math.tan(math.radians(p.yaw_deg)), math.tan(math.radians(p.pitch_deg))
    return 1.0 / math.sqrt(1.0 + tx * tx + ty * ty)


def phantom_centre_at(p: SimParams, z_table: float) -> tuple[float, float]:
    dz = z_table - p.z_origin_mm
    return (p.centre_offset_mm[0] + dz * math.tan(math.radians(p.yaw_deg)),
            p.centre_offset_mm[1] + dz * math.tan(math.radians(p.pitch_deg)))


def make_grid(p: SimParams) -> Grid:
    px = p.pixel_mm
    half = (p.matrix - 1) / 2.0
    return Grid(nx=p.matrix, ny=p.matrix, pixel_mm=px, x0=p.recon_centre_mm[0] - half * px,
                y0=p.recon_centre_mm[1] - half * px)


def simulate_series(params: SimParams, *, token: Any = None, progress: Any = None) -> SimulatedSeries:
    p = params
    ph = load_phantom(p.phantom)
    scene = build_scene(ph)
    grid = make_grid(p)
    ssp = SliceProfile(p.slice_thickness_mm, p.helical)
    zs = slice_positions(p, ph)
    cos_t = _axis_cos(p)
    nz = len(zs)
    vol = np.empty((nz, grid.ny, grid.nx), dtype=np.float32)
    body_w = np.zeros(nz)
    cache: dict[tuple, np.ndarray] = {}
    body_masks: dict[tuple, np.ndarray] = {}
    rng = np.random.default_rng(p.seed)
    step = max(1, nz // 20)
    for k, zt in enumerate(zs):
        if token is not None and getattr(token, "cancelled", False):
            raise Cancelled("Simulation cancelled.")
        cx, cy = phantom_centre_at(p, zt)
        pose = Pose(cx, cy, p.roll_deg, p.psf_sigma_mm)
        zp = (zt - p.z_origin_mm) / cos_t  # phantom-frame z of this slice's centre
        img = np.full((grid.ny, grid.nx), AIR_HU, dtype=np.float32)
        for layer in scene.layers:
            w = float(ssp.weight(layer.z_lo - zp, layer.z_hi - zp))
            if w <= 1e-6:
                continue
            key = (layer.key, round(cx, 4), round(cy, 4))
            if key not in cache:
                if len(cache) > 64:
                    cache.clear()
                rendered = np.zeros((grid.ny, grid.nx), dtype=np.float32)
                layer.draw(rendered, grid, pose)
                cache[key] = rendered
            img += np.float32(w) * cache[key]
            if layer.key == "body":
                body_w[k] = w
                bkey = (round(cx, 4), round(cy, 4))
                if bkey not in body_masks:
                    body_masks[bkey] = np.clip(cache[key] / np.float32(ph.background_hu - AIR_HU),
                                               0.0, 1.0)
        for m, ramp in scene.ramps:
            draw_ramp(img, grid, pose, m, ramp, zp, ssp)
        for m, bead in scene.beads:
            draw_bead(img, grid, pose, m, bead, zp, ssp)
        vol[k] = img
        if progress is not None and k % step == 0:
            progress(0.8 * k / nz, f"rendering slice {k + 1}/{nz}")
    if p.hu_scale != 1.0 or p.hu_offset != 0.0:
        vol *= np.float32(p.hu_scale)
        vol += np.float32(p.hu_offset)
    art_truth = _apply_artifacts(vol, p, ph, grid, zs, body_w, body_masks, rng)
    sds = np.full(nz, p.noise_sd_hu, dtype=np.float64)
    for a in p.artifacts:
        if a.kind == "noise":
            for k in _slices(a, nz, default_block=True):
                sds[k] = math.sqrt(sds[k] ** 2 + a.amplitude_hu ** 2)
    if progress is not None:
        progress(0.85, "adding noise")
    add_noise(vol, sds, grid.pixel_mm, p.noise_kernel, rng)
    series = SimulatedSeries(volume=vol, pixel_mm=grid.pixel_mm, slice_positions_mm=zs,
                             params=p, phantom=ph)
    series.truth = build_truth(series, grid, ssp, scene, art_truth,
                               gaussian_mtf_truth(p.psf_sigma_mm),
                               nps_truth(p.noise_sd_hu, grid.pixel_mm, p.noise_kernel), sds)
    if progress is not None:
        progress(1.0, "simulation done")
    return series


def _slices(a: Any, nz: int, default_block: bool = False) -> list[int]:
    if a.slices is not None:
        return [k for k in a.slices if 0 <= k < nz]
    if default_block:
        start = nz // 3
        return list(range(start, min(nz, start + max(1, nz // 10))))
    return list(range(nz))


def _apply_artifacts(vol: np.ndarray, p: SimParams, ph: PhantomDef, grid: Grid,
                     zs: np.ndarray, body_w: np.ndarray, body_masks: dict,
                     rng: np.random.Generator) -> list[dict]:
    truths: list[dict] = []
    nz = len(zs)
    rot_cx, rot_cy = 0.0, 0.0  # the rotation centre is the isocentre (patient x/y = 0)
    r_in = ph.radius_mm - ph.shell_thickness_mm

    def mask_for(k: int) -> np.ndarray:
        cx, cy = phantom_centre_at(p, zs[k])
        m = body_masks.get((round(cx, 4), round(cy, 4)))
        return (m if m is not None else np.zeros(vol.shape[1:], np.float32)) * np.float32(body_w[k])

    for a in p.artifacts:
        ks = _slices(a, nz, default_block=a.kind == "band")
        t: dict[str, Any] = {"kind": a.kind, "amplitude_hu": a.amplitude_hu, "slices": ks,
                             "z_mm": [round(float(zs[k]), 4) for k in ks]}
        if a.kind == "ring":
            img, rt = art.ring_image(a, p, grid, rot_cx, rot_cy)
            for k in ks:
                vol[k] += img
            t.update(rt)
        elif a.kind == "streak":
            index = []
            for k in ks:
                cx, cy = phantom_centre_at(p, zs[k])
                raw = art.streak_image(a, p, grid, rot_cx, rot_cy, cx, cy, ph.radius_mm, rng)
                inside = mask_for(k) > 0.5
                scale = a.amplitude_hu / max(np.abs(raw[inside]).max(), 1e-12) if inside.any() else 0.0
                img = (raw * scale).astype(np.float32)
                vol[k] += img
                if inside.any():
                    index.append(float(img[inside].std()))
            t.update({"angle_deg": a.angle_deg or 0.0, "views": a.views,
                      "artifact_index_hu": float(np.mean(index)) if index else 0.0})
        elif a.kind in ("cupping", "capping"):
            sign = 1.0 if a.kind == "cupping" else -1.0
            r_axis, f = art.cupping_profile(a.amplitude_hu, r_in, ph.radius_mm, sign)
            for k in ks:
                cx, cy = phantom_centre_at(p, zs[k])
                r = np.sqrt((grid.xs[None, :] - cx) ** 2 + (grid.ys[:, None] - cy) ** 2)
                vol[k] += (np.interp(r, r_axis, f) * mask_for(k)).astype(np.float32)
            t.update({"edge_radius_mm": max(r_in - art.CUPPING_EDGE_INSET_MM, 0.5 * r_in),
                      "definition": "HU(edge radius) - HU(centre) of the artifact alone",
                      "profile_r_mm": [round(float(v), 2) for v in r_axis[::8]],
                      "profile_hu": [round(float(v), 3) for v in f[::8]]})
        elif a.kind == "band":
            eps = np.float32(a.amplitude_hu / 1000.0)
            for k in ks:  # a row gain error scales the attenuation: water moves by amplitude
                vol[k] += eps * (vol[k] - np.float32(AIR_HU)) * (mask_for(k) > 0)
        elif a.kind == "shift":
            for k in ks:
                vol[k] += np.float32(a.amplitude_hu) * mask_for(k)
        truths.append(t)
    return truths


__all__ = ["SimulatedSeries", "simulate_series", "slice_positions", "phantom_centre_at",
           "disc_contrast", "Scene"]
