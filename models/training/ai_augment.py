"""Renderer-independent artifact augmentation for the CT phantom classifier (2.1).

The two renderers draw a photon-starvation streak in two different ways: the projection
simulator as the filtered back-projection of noisy errors on a few views (a 10-80 mm wide
band of fine parallel lines with alternating sign), the image-domain renderer as one or
two smooth Gaussian lines. A network trained on one renderer learns that renderer's
texture and misses the other's streak (2.0.0: leave-one-renderer-out streak recall
0.8 % sim -> img, 38 % img -> sim). What defines a streak for the physics is neither
texture: it is an oriented, straight structure running through the phantom along the
longest path, 30-150 HU.

This module adds such structures, drawn from a family wider than either renderer, to
NORMAL training slices of EITHER renderer on the classifier's 1 mm grid (the stored,
normalised input), labelled streak:

* line profile: Gaussian (FWHM 0.6-5 mm), bipolar (dark-bright pair), or a textured band
  (5-40 mm wide, 0.6-2.5 mm line pitch, random signs under a smooth envelope), each
  blurred by a kernel of 0.3-0.9 mm;
* 1-3 lines within +-6 degrees of each other (adjacent views) or at random angles,
  through a point within 15 mm of the phantom centre (the longest chords);
* full-field, or fading along the line (decay 40-300 mm);
* peak |value| inside the phantom 30-150 HU (the class definition), either sign, the
  same pattern on all three slices with +-15 % amplitude jitter.

Rings the same way (``add_ring``): a bad detector channel draws a circle or an arc
about the rotation centre (the grid centre) on every slice; the renderers draw it as the
back-projection of a channel error (simulator: thin, with ramp-filter side lobes) or as a
Gaussian radial profile (image renderer). The augmentation draws Gaussian, bipolar
(ramp-filtered-like, negative side lobes) and flat-top profiles, FWHM 0.5-2.5 mm,
radius 10-95 mm, full circles or 180-300 degree arcs, peak 3-25 HU and at least the
physics detection floor for the slice's noise (6 SD / sqrt(independent samples) of 3
slices, 7 SD for an arc, 1.5 mm correlation length).

The augmentation was written from the class definitions, not from either renderer's
code; the left-out renderer's own streaks and rings stay the test.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from app.ct.ai.normalise import GRID_N, phantom_mask

STREAK_HU = (30.0, 150.0)


def _centre(g: np.ndarray) -> tuple[float, float, float]:
    m = phantom_mask(g)
    ys, xs = np.nonzero(m)
    if xs.size < 100:
        return GRID_N / 2, GRID_N / 2, 80.0
    return float(xs.mean()), float(ys.mean()), math.sqrt(xs.size / math.pi)


def _profile(d: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    kind = rng.choice(["gauss", "bipolar", "band"], p=[0.4, 0.2, 0.4])
    if kind == "gauss":
        s = rng.uniform(0.6, 5.0) / 2.3548
        return np.exp(-0.5 * (d / s) ** 2)
    if kind == "bipolar":
        s = rng.uniform(0.5, 3.0)
        return (d / s) * np.exp(0.5 - 0.5 * (d / s) ** 2)
    half = rng.uniform(2.5, 20.0)
    pitch = rng.uniform(0.6, 2.5)
    offs = np.arange(-half, half + 1e-6, pitch) + rng.uniform(-0.5, 0.5) * pitch
    amps = rng.standard_normal(offs.size) * (1 - (offs / (half + pitch)) ** 2) ** rng.uniform(1, 6)
    s = rng.uniform(0.25, 0.6) * pitch
    out = np.zeros_like(d)
    for o, a in zip(offs, amps):
        out += a * np.exp(-0.5 * ((d - o) / s) ** 2)
    return out


def streak_pattern(g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A (256, 256) streak pattern (HU) for the 1 mm grid slice ``g``; peak |value|
    inside the phantom is 30-150 HU."""
    cx, cy, r_px = _centre(g)
    yy, xx = np.mgrid[:GRID_N, :GRID_N].astype(np.float32)
    n_lines = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
    base = rng.uniform(0, np.pi)
    tx, ty = cx + rng.uniform(-15, 15), cy + rng.uniform(-15, 15)
    pat = np.zeros((GRID_N, GRID_N), np.float32)
    for k in range(n_lines):
        t = base + (math.radians(rng.uniform(-6, 6)) if (k and rng.random() < 0.6)
                    else (rng.uniform(0, np.pi) if k else 0.0))
        px, py = tx + rng.uniform(-4, 4) * (k > 0), ty + rng.uniform(-4, 4) * (k > 0)
        d = -(xx - px) * math.sin(t) + (yy - py) * math.cos(t)
        along = (xx - px) * math.cos(t) + (yy - py) * math.sin(t)
        prof = _profile(d, rng).astype(np.float32)
        if rng.random() < 0.3:
            prof *= np.exp(-np.abs(along) / rng.uniform(40, 300)).astype(np.float32)
        pat += prof * (rng.uniform(0.5, 1.0) if k else 1.0) * (1 if rng.random() < 0.8 else -1)
    sig = rng.uniform(0.3, 0.9)
    pat = cv2.GaussianBlur(pat, (0, 0), sig)
    inside = ((xx - cx) ** 2 + (yy - cy) ** 2) <= (0.9 * r_px) ** 2
    peak = float(np.abs(pat[inside]).max()) if inside.any() else 0.0
    if peak <= 1e-6:
        return np.zeros_like(pat)
    amp = rng.uniform(*STREAK_HU) * (1 if rng.random() < 0.7 else -1)
    return pat * np.float32(amp / peak)


def add_streak(x3: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(3, 256, 256) 1 mm grid HU (a normal sample) -> the same slices with a streak."""
    x3 = np.asarray(x3, np.float32)
    pat = streak_pattern(x3[1], rng)
    out = x3.copy()
    for k in range(3):
        out[k] += pat * np.float32(1.0 + rng.uniform(-0.15, 0.15))
    return out


RING_HU = (3.0, 25.0)


def ring_pattern(noise_sd: float, rng: np.random.Generator) -> np.ndarray:
    """A (256, 256) ring / arc about the grid centre (HU), peak above the detection floor
    for a native noise SD of ``noise_sd``."""
    c = (GRID_N - 1) / 2 + rng.uniform(-0.5, 0.5, 2)
    yy, xx = np.mgrid[:GRID_N, :GRID_N].astype(np.float32)
    r = np.hypot(xx - c[0], yy - c[1])
    radius = rng.uniform(10.0, 95.0)
    full = rng.random() < 0.75
    cov = 360.0 if full else rng.uniform(180.0, 300.0)
    fwhm = rng.uniform(0.5, 2.5)
    s = max(fwhm / 2.3548, 0.35)
    d = r - radius
    kind = rng.choice(["gauss", "bipolar", "flat"], p=[0.5, 0.3, 0.2])
    if kind == "gauss":
        prof = np.exp(-0.5 * (d / s) ** 2)
    elif kind == "bipolar":      # the FBP of a channel error: a peak and negative lobes
        prof = np.exp(-0.5 * (d / s) ** 2) - 0.5 * (np.exp(-0.5 * ((d - 2.2 * s) / s) ** 2)
                                                     + np.exp(-0.5 * ((d + 2.2 * s) / s) ** 2))
    else:
        prof = 1.0 / (1.0 + (np.abs(d) / max(fwhm / 2, 0.5)) ** 6)
    if not full:
        ang = (np.degrees(np.arctan2(yy - c[1], xx - c[0])) - rng.uniform(0, 360)) % 360.0
        prof = np.where(ang <= cov, prof, 0.0)
    arc_mm = 2 * np.pi * radius * cov / 360.0
    z, lo = (6.0, 2.0) if full else (7.0, 3.0)
    floor = max(lo, z * noise_sd / math.sqrt(3 * max(1.0, arc_mm / 1.5)))
    amp = rng.uniform(max(RING_HU[0], floor), max(RING_HU[1], floor + 1.0))
    peak = float(np.abs(prof).max())
    return (prof * (amp / max(peak, 1e-6)) * (1 if rng.random() < 0.5 else -1)).astype(np.float32)


def add_ring(x3: np.ndarray, noise_sd: float, rng: np.random.Generator) -> np.ndarray:
    """(3, 256, 256) 1 mm grid HU (a normal sample) -> the same slices with a ring."""
    x3 = np.asarray(x3, np.float32)
    pat = ring_pattern(noise_sd, rng)
    out = x3.copy()
    for k in range(3):
        out[k] += pat * np.float32(1.0 + rng.uniform(-0.1, 0.1))
    return out


MODULE_STEP_HU = (5.0, 60.0)


def add_module_step(x3: np.ndarray, rng: np.random.Generator,
                    step_hu: tuple[float, float] = MODULE_STEP_HU,
                    structure_ratio: float = 0.0, keep_shell_mm: float = 0.0
                    ) -> tuple[np.ndarray, int, float]:
    """A normal slice at a module boundary (3 slices, 1 mm grid HU) -> the same slices
    with the body material of the neighbour in the OTHER module moved by 5-60 HU
    (either sign): phantoms have their own body value per module (CatPhan 504: CTP404
    +10, CTP486 +5, CTP515 +40, CTP528 +10 HU, each with production tolerances) and one
    renderer draws them, the other does not. The other module's neighbour is the one
    whose structure differs more from the centre slice (offsets taken out). Returns
    (slices, index of the moved neighbour 0 / 2, step in HU).

    2.3 candidate: ``step_hu`` (5, 35) - the real CatPhan module differences, not the
    image renderer's own +-20 HU on top - and ``structure_ratio`` 1.3: the step is put
    only where the structure changes (the moved neighbour's structural difference to the
    centre slice is at least 1.3 x the other neighbour's; else nothing tells a module
    step from a band, and the copy is not made: returns index -1, step 0).

    ``keep_shell_mm`` (2.3 shell recipe: 4.5): the body material is moved only inside
    this distance from the phantom's outer edge - a module's body lies inside the
    phantom's shell, which runs through every module and does not step at a module
    boundary (app/ct/ai/shell_step.py); 0 moves whatever is within 60 HU of the body,
    a plastic shell within 60 HU of it included (the e3 / e4 recipes)."""
    x3 = np.asarray(x3, np.float32)
    c = x3[1]
    m = phantom_mask(c)
    if m.sum() < 100:
        return x3.copy(), 0, 0.0
    diffs = []
    for k in (0, 2):
        d = x3[k][m] - c[m]
        diffs.append(float(np.mean(np.abs(d - np.median(d)))))
    k = 0 if diffs[0] >= diffs[1] else 2
    if structure_ratio > 0 and max(diffs) < structure_ratio * max(min(diffs), 1e-6):
        return x3.copy(), -1, 0.0
    nb = x3[k]
    body = float(np.median(nb[phantom_mask(nb)])) if phantom_mask(nb).sum() >= 100 else 0.0
    inside = phantom_mask(nb)
    if keep_shell_mm > 0:
        cx, cy, r_px = _centre(c)
        yy, xx = np.ogrid[:GRID_N, :GRID_N]
        r_in = r_px - keep_shell_mm
        inside &= (xx - cx) ** 2 + (yy - cy) ** 2 < r_in * r_in
    mat = ((np.abs(nb - body) < 60.0) & inside).astype(np.float32)
    mat = cv2.GaussianBlur(mat, (0, 0), 0.8)
    step = float(rng.uniform(*step_hu)) * (1 if rng.random() < 0.5 else -1)
    out = x3.copy()
    out[k] = nb + np.float32(step) * mat
    return out, k, step
