"""Recipe 2.5 of the classifier data: what the 2.0 randomisation left out.

The clean-room third renderer (docs/image_review.md, "Third renderer (clean room)
check") found two things real scanners and phantoms show that neither training
renderer drew:

* **small round targets**: CatPhan's CTP404 carries five acrylic spheres (2, 4, 6, 8,
  10 mm, about +100 HU over the body); other phantoms carry other small inserts. A
  sphere's cross-section changes from slice to slice (a 2 mm sphere is in one slice
  only), which a network that never saw one may read as a streak or a ring. Here they are
  drawn with randomised positions, sizes, contrast and z, in the noise-free volume,
  through the same kernel as the rest of the image - nothing taken from the third
  renderer (its sphere positions are its own guess, and we do not copy them).
* **edge-enhancing kernels defined by their MTF**: besides the unsharp mask of recipe
  2.0, a band-pass boost (MTF rising above 1 at a mid frequency and falling back), as
  bone / lung kernels of real scanners do; the noise then follows the kernel or not.

The class still follows what the physics measures (MTF50 with the boost included; a
sphere is a phantom structure, never an artifact), so every class gets them.
"""
from __future__ import annotations

import math
from typing import Callable

import cv2
import numpy as np

# the CTP404 sphere diameters (CatPhan manual); the contrast band covers acrylic over
# a +-20 HU body and other plastics
SPHERE_DIAMETERS_MM = (2.0, 4.0, 6.0, 8.0, 10.0)


def sphere_chance(module_id: str) -> float:
    """CTP404 carries CatPhan's spheres; other modules and phantoms other small targets."""
    return 0.5 if module_id.upper() == "CTP404" else 0.1


def boost_mtf(f: np.ndarray, gain: float, f0: float, q: float) -> np.ndarray:
    """1 + gain x a band-pass bump that is 0 at f = 0 and peaks (1) at f0 (cycles / mm)."""
    if gain <= 0:
        return np.ones_like(f)
    u = (np.asarray(f) / f0) ** 2
    return 1.0 + gain * (u * np.exp(1.0 - u)) ** q


def draw_boost(rng: np.random.Generator) -> dict:
    return dict(boost=float(rng.uniform(0.05, 0.45)), boost_f0=float(rng.uniform(0.12, 0.4)),
                boost_q=float(rng.uniform(0.5, 2.0)),
                boost_noise=bool(rng.random() < 0.6))


def apply_filter(vol: np.ndarray, pixel_mm: float, mtf2d: Callable[[np.ndarray], np.ndarray]
                 ) -> np.ndarray:
    """Each slice through an isotropic MTF given as a function of |f| (cycles / mm)."""
    n_y, n_x = vol.shape[-2:]
    fy = np.fft.fftfreq(n_y, d=pixel_mm)[:, None]
    fx = np.fft.rfftfreq(n_x, d=pixel_mm)[None, :]
    h = mtf2d(np.sqrt(fy ** 2 + fx ** 2)).astype(np.float32)
    out = np.fft.irfft2(np.fft.rfft2(vol) * h, s=(n_y, n_x))
    return out.astype(np.float32)


def _phantom_centre(sl: np.ndarray, pixel_mm: float) -> tuple[float, float, float] | None:
    """(cy, cx, radius) in pixels of the largest body in the slice (a couch apart)."""
    mask = (sl > -500).astype(np.uint8)
    r = max(1, int(round(4.0 / pixel_mm)))
    mask = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    n, lab, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 2:
        return None
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    area = float(stats[k, cv2.CC_STAT_AREA])
    return float(cents[k][1]), float(cents[k][0]), math.sqrt(area / math.pi) + r


def add_spheres(vol: np.ndarray, pixel_mm: float, thick_mm: float, rng: np.random.Generator,
                mtf: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, list[dict]]:
    """Small spheres in a noise-free 3-slice volume (slices ``thick_mm`` apart, each a
    rectangle profile of that width), each where the image is flat (it does not cover
    an insert, a hole, a wire or a bar), filtered by the system ``mtf``."""
    centre = _phantom_centre(vol[1], pixel_mm)
    if centre is None:
        return vol, []
    cy, cx, rad_px = centre
    n_z, n_y, n_x = vol.shape
    diam = list(SPHERE_DIAMETERS_MM)
    if rng.random() < 0.4:
        k = int(rng.integers(2, 5))
        diam = sorted(float(d) for d in rng.choice(diam, size=k, replace=False))
    ring_r = float(rng.uniform(18.0, 45.0))
    start, step = float(rng.uniform(0, 360)), float(rng.uniform(25.0, 72.0))
    on_circle = rng.random() < 0.7
    z_s = float(rng.uniform(-(thick_mm + 6.0), thick_mm + 6.0))   # sphere centres' z
    contrast = float(rng.uniform(70.0, 140.0)) * (1 if rng.random() < 0.9 else -1)
    yy, xx = np.mgrid[:n_y, :n_x].astype(np.float32)
    inner = (yy - cy) ** 2 + (xx - cx) ** 2 <= (0.8 * rad_px) ** 2
    body = float(np.median(vol[1][inner]))        # the phantom's body level
    add = np.zeros_like(vol)
    placed: list[dict] = []
    for i, d in enumerate(diam):
        if on_circle:
            r_mm, a = ring_r, math.radians(start + i * step)
        else:
            r_mm, a = float(rng.uniform(15.0, 50.0)), float(rng.uniform(0, 2 * math.pi))
        if r_mm + d / 2 + 3.0 > 0.7 * rad_px * pixel_mm:
            continue
        sy, sx = cy + r_mm * math.sin(a) / pixel_mm, cx + r_mm * math.cos(a) / pixel_mm
        dist = np.sqrt((yy - sy) ** 2 + (xx - sx) ** 2)
        foot = dist <= (d / 2 + 2.0) / pixel_mm
        if float(np.max(np.abs(vol[:, foot] - body))) > 30.0:
            continue         # not on the body: an insert, a hole, a wire or bars
        for k in range(n_z):
            z_k = (k - 1) * thick_mm
            acc = np.zeros((n_y, n_x), np.float32)
            for u in np.linspace(-0.5, 0.5, 9) * thick_mm:
                h = z_k + u - z_s
                r2 = (d / 2) ** 2 - h * h
                if r2 > 0:
                    acc += np.clip(math.sqrt(r2) / pixel_mm - dist + 0.5, 0.0, 1.0)
            add[k] += acc / 9.0
        placed.append(dict(d_mm=d, r_mm=round(r_mm, 2), angle_deg=round(math.degrees(a), 1)))
    if not placed:
        return vol, []
    add = apply_filter(add, pixel_mm, mtf)
    for p in placed:
        p.update(z_mm=round(z_s, 2), hu=round(contrast, 1))
    return (vol + contrast * add).astype(np.float32), placed
