"""Physical evidence for ring, streak and cupping on the AI's 1 mm grid (Qt-free, numpy + cv2).

Measured per slice from the class definitions, not fitted to any renderer (issue 16: the
classes that do not transfer between renderers get renderer-independent evidence in the
network's context vector, as "blur" got the measured edge MTF in the 2.2 recipe):

* **ring / arc**: a ring is a narrow radial excess about the ROTATION (reconstruction)
  centre, coherent over angle. The slice's high-pass residual (minus a 5 mm box mean,
  the same residual the noise SD is measured on), clipped at +-3 noise SD (a phantom
  structure's edge counts at most as much as a faint ring), is sampled on 95 radii
  (2..96 mm, 1 mm) x 384 angles about the grid centre; inside the phantom (0.9 x its
  radius about its own centre) the median per radius and 45-degree sector is the
  radial profile (an insert covering less than half a sector does not move it; patches
  where most pixels of 9 x 9 mm are beyond 2 SD - bar patterns, wire ramps - are left
  out: a ring of <= 2.5 mm is thinner than half the patch). Its z-score: the profile
  scaled by sqrt(radius / 50 mm) (a sector's median at radius r stands on ~r samples)
  over its own robust SD across radii and sectors
  - in noise units whatever the NPS, without a constant fitted to a renderer. Per stack:
  the strongest radius of the centre slice and of the three slices' mean profile (a
  detector ring is at the same radius on every slice), its amplitude over the slice's
  noise SD and the share of sectors that carry it (a ring 1, an arc 0.4-0.8); and the
  three slices' full-circle profile (the mean of the 8 sector medians: a faint full
  ring's evidence from every sector, about twice the strongest-half score's z).
* **streak**: a streak is a straight line across the phantom. The slice minus a 15 mm
  box mean (a line of 0.6-5 mm keeps its integral across), clipped at +-1 noise SD (a
  line sum then works like a sign test: a streak raises the whole line, an insert or a
  rod only its own few mm of it), with compact structures and their halo left out
  (deviations from the body value beyond max(4 SD, 40 HU) that survive an opening by a
  7 mm disc after closing 5 mm gaps - inserts, rods, bar groups; a line of <= 5 mm does
  not), 2 mm area-averaged inside 0.9 x the phantom radius, is projected along 48
  directions (3.75 degrees; a Radon transform by bincount): each line sum over the
  square root of its pixel count, z-scored by its own robust SD over all lines and
  directions. Per stack: the strongest line of the centre slice, of the three slices'
  mean and the weakest of the three slices on the centre's line (signed: an artifact of
  the scan is on the neighbours as well; noise is not).
* **streak texture**: the projection simulator's photon-starvation streak is a 10-80 mm
  band of fine parallel lines of alternating sign, which a line sum cancels; any profile
  of parallel lines puts its power on one direction of the spectrum. The 5 mm residual
  (clipped at 3 SD) in a 128 mm tapered disc about the phantom centre: power at
  0.08-0.45 cycles / mm in 60 direction bins of 3 degrees, each over the median
  direction; the strongest direction's excess over the directions' robust SD (centre
  slice; three slices' mean).
* **cupping**: the body's central disc (0.25 x radius) minus its periphery (0.65..0.85 x
  radius), medians (structures do not move a median), in HU / 10.

All of it costs about 2-3 ms per slice (each slice once; a stack combines three, < 1 ms).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from scipy import sparse

GRID_C = 127.5                 # the rotation centre on the 256 x 256 grid (px)
CLIP_SD = 3.0
RING_RADII = np.arange(2.0, 97.0, 1.0, dtype=np.float32)   # mm (= px on the 1 mm grid)
RING_ANGLES, RING_SECTORS = 384, 8
STREAK_ANGLES, STREAK_PX = 48, 2      # directions; mm per pixel of the projected map
STREAK_CROP = 192                      # mm about the phantom centre (2 x 96)
STREAK_BOX = 15                        # mm: the line search's high-pass
STREAK_CLIP_SD = 1.0                   # a line sum of values clipped at 1 SD: a sign test
STRUCT_SD, STRUCT_HU = 4.0, 40.0       # a structure pixel: this far from the body value
STRUCT_BOX, STRUCT_FRACTION = 9, 0.5   # (mm, share of pixels beyond 2 SD): a structure
INNER = 0.9                            # the part of the phantom radius searched
SPEC_N, SPEC_ANGLES = 128, 60          # spectral streak search: crop (mm), 3-degree bins
SPEC_BAND = (0.08, 0.45)               # cycles / mm
EVIDENCE_NAMES = ("ring_z", "ring_z3", "ring_amp", "ring_cover",
                  "streak_z", "streak_z3", "streak_zmin", "streak_spec", "streak_spec3",
                  "cupping", "ring_full3")


@dataclass
class SliceEvidence:
    """Per-slice profiles (combined over the 3 slices of a stack by :func:`stack_evidence`)."""

    ring: np.ndarray        # (n_radii, 8) clipped mean residual per radius and sector, HU
    streak: np.ndarray      # (48, n_offsets) line sums / sqrt(count), HU
    spec: np.ndarray        # (60,) residual power per direction / its median
    cupping: float          # centre minus periphery, HU
    noise: float            # the grid's noise SD, HU
    # the slice's own scores (once per slice; a slice is in three stacks)
    ring_z: float = 0.0
    streak_z: float = 0.0
    streak_sd: float = float("nan")
    streak_at: tuple[int, int] = (0, 0)
    spec_z: float = 0.0

    def __post_init__(self) -> None:
        self.ring_z = _ring_scores(self.ring)[0]
        self.streak_z, self.streak_sd, self.streak_at = _streak_z(self.streak)
        self.spec_z = _spec_z(self.spec)


def _median(v: np.ndarray) -> float:
    """np.median of a 1-D array without its overheads (the same value)."""
    n = v.size
    lo, hi = (n - 1) // 2, n // 2
    part = np.partition(v, (lo, hi))
    return float(0.5 * (part[lo] + part[hi]))


def _mad_sd(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    if v.size < 16:
        return float("nan")
    med = _median(v)
    return float(1.4826 * _median(np.abs(v - med)))


@lru_cache(maxsize=1)
def _ring_maps() -> tuple[np.ndarray, np.ndarray]:
    th = np.arange(RING_ANGLES, dtype=np.float32) * np.float32(2 * math.pi / RING_ANGLES)
    mx = (GRID_C + RING_RADII[:, None] * np.cos(th)[None]).astype(np.float32)
    my = (GRID_C + RING_RADII[:, None] * np.sin(th)[None]).astype(np.float32)
    mx.flags.writeable = my.flags.writeable = False
    return mx, my


@lru_cache(maxsize=64)
def _streak_projector(r_px: int) -> tuple[sparse.csr_matrix, np.ndarray, int]:
    """(projector: 2 mm map (flattened) -> line sums / sqrt(pixels per line), 48 directions
    x n_offsets over the disc of radius r_px; lines of >= 8 pixels; n_offsets)."""
    n = STREAK_CROP // STREAK_PX
    c = (n - 1) / 2
    yy, xx = np.mgrid[:n, :n]
    flat = np.nonzero(((xx - c) ** 2 + (yy - c) ** 2 <= r_px * r_px).ravel())[0]
    x, y = xx.ravel()[flat] - c, yy.ravel()[flat] - c
    th = np.arange(STREAK_ANGLES) * (math.pi / STREAK_ANGLES)
    n_off = 2 * r_px + 3
    off = np.rint(np.cos(th)[:, None] * x[None] + np.sin(th)[:, None] * y[None]).astype(np.int64)
    rows = (off + (r_px + 1) + np.arange(STREAK_ANGLES)[:, None] * n_off).ravel()
    cnt = np.bincount(rows, minlength=STREAK_ANGLES * n_off)
    w = (1.0 / np.sqrt(np.maximum(cnt, 1)))[rows]
    proj = sparse.csr_matrix((w.astype(np.float32), (rows, np.tile(flat, STREAK_ANGLES))),
                             shape=(STREAK_ANGLES * n_off, n * n))
    return proj, cnt >= 8, n_off


@lru_cache(maxsize=64)
def _spec_index(r_px: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(taper of the disc of radius r_px on the SPEC_N crop, flat indices of the spectrum's
    samples in SPEC_BAND, their direction bin)."""
    n = SPEC_N
    c = (n - 1) / 2
    yy, xx = np.mgrid[:n, :n]
    rr = np.sqrt((xx - c) ** 2 + (yy - c) ** 2) / max(r_px, 4)
    taper = np.where(rr < 1, np.cos(0.5 * np.pi * np.clip((rr - 0.8) / 0.2, 0, 1)) ** 2, 0.0)
    f = np.fft.fftfreq(n)
    fy, fx = np.meshgrid(f, f, indexing="ij")
    fr = np.hypot(fx, fy)
    sel = np.nonzero(((fr >= SPEC_BAND[0]) & (fr <= SPEC_BAND[1])).ravel())[0]
    ang = (np.degrees(np.arctan2(fy.ravel()[sel], fx.ravel()[sel])) % 180.0)
    b = np.minimum((ang / (180.0 / SPEC_ANGLES)).astype(np.int64), SPEC_ANGLES - 1)
    return taper.astype(np.float32), sel, b


@lru_cache(maxsize=8)
def _disc(d: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def slice_evidence(grid: np.ndarray, centre: tuple[float, float], radius_mm: float,
                   noise: float, body_hu: float) -> SliceEvidence | None:
    """The ring / streak / cupping profiles of one 1 mm grid slice (``None`` when the
    phantom or the noise cannot carry them)."""
    if not (math.isfinite(noise) and noise > 0 and radius_mm > 20):
        return None
    g = np.asarray(grid, np.float32)
    resid = g - cv2.blur(g, (5, 5), borderType=cv2.BORDER_REFLECT)
    lim = np.float32(CLIP_SD * noise)
    np.clip(resid, -lim, lim, out=resid)
    cx, cy = centre
    r_in = INNER * radius_mm
    # ring: clipped mean per radius x sector about the rotation centre, inside the phantom
    mx, my = _ring_maps()
    pol = cv2.remap(resid, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    # a patch where most pixels are beyond 2 noise SD is a structure (bar patterns,
    # inserts' edges, wire ramps), not a thin ring: left out of the ring's profile
    busy = cv2.blur((np.abs(resid) > 2.0 * noise).astype(np.float32), (STRUCT_BOX, STRUCT_BOX))
    busy_pol = cv2.remap(busy, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT)
    valid = ((mx - cx) ** 2 + (my - cy) ** 2 <= r_in * r_in) & (busy_pol < STRUCT_FRACTION)
    shape = (len(RING_RADII), RING_SECTORS, RING_ANGLES // RING_SECTORS)
    # sector medians (an insert or a rod covering less than half a sector's arc does not
    # move them); samples outside the phantom become alternately +-1e6, which leaves the
    # median of the valid ones where it is (to within one order statistic)
    alt = np.where(np.arange(RING_ANGLES) % 2 == 0, np.float32(1e6), np.float32(-1e6))
    pol = np.where(valid, pol, alt[None]).reshape(shape)
    n = valid.reshape(shape).sum(2)
    mid = shape[2] // 2
    ring = np.where(n >= 0.5 * shape[2], np.partition(pol, mid, axis=2)[..., mid],
                    np.nan).astype(np.float32)
    # streak: 2 mm map about the phantom centre, Radon by bincount
    # (a wider high-pass than the ring's: a 0.6-5 mm line keeps its integral across)
    wide = g - cv2.blur(g, (STREAK_BOX, STREAK_BOX), borderType=cv2.BORDER_REFLECT)
    lim1 = np.float32(STREAK_CLIP_SD * noise)
    np.clip(wide, -lim1, lim1, out=wide)
    # compact structures (inserts, rods, bar groups: >= 7 mm across after closing 5 mm
    # gaps; a line of <= 5 mm is opened away) and their high-pass halo are left out
    dev = (np.abs(g - np.float32(body_hu)) > max(STRUCT_SD * noise, STRUCT_HU)).astype(np.uint8)
    dev = cv2.morphologyEx(dev, cv2.MORPH_CLOSE, _disc(5))
    dev = cv2.morphologyEx(dev, cv2.MORPH_OPEN, _disc(7))
    if dev.any():
        dev = cv2.dilate(dev, _disc(STREAK_BOX))
        wide[dev > 0] = 0.0
    crop = cv2.getRectSubPix(wide, (STREAK_CROP, STREAK_CROP), (float(cx), float(cy)))
    small = cv2.resize(crop, (STREAK_CROP // STREAK_PX,) * 2, interpolation=cv2.INTER_AREA)
    r_px = int(min(r_in, STREAK_CROP / 2 - 2) / STREAK_PX)
    proj, long_enough, n_off = _streak_projector(r_px)
    # (line sums of fewer than 8 pixels, the disc's rim, are left out)
    streak = np.where(long_enough, proj @ small.ravel(), np.nan)
    streak = streak.reshape(STREAK_ANGLES, n_off).astype(np.float32)
    # streak texture: a band of fine parallel lines of any profile puts its power on one
    # direction of the spectrum; the noise's power is spread over all directions
    r_sp = int(min(r_in, SPEC_N / 2 - 1))
    taper, sel, b = _spec_index(r_sp)
    crop = cv2.getRectSubPix(resid, (SPEC_N, SPEC_N), (float(cx), float(cy))) * taper
    ft = cv2.dft(crop, flags=cv2.DFT_COMPLEX_OUTPUT)
    pw = (ft[..., 0] ** 2 + ft[..., 1] ** 2).ravel()[sel]
    e = np.bincount(b, weights=pw, minlength=SPEC_ANGLES) / np.maximum(
        np.bincount(b, minlength=SPEC_ANGLES), 1)
    spec = (e / max(float(np.median(e)), 1e-12)).astype(np.float32)
    # cupping: central disc minus periphery of the body (medians, structures excluded)
    # (on the body's bounding box only)
    h = int(math.ceil(0.85 * radius_mm)) + 1
    y0, x0 = max(0, int(cy) - h), max(0, int(cx) - h)
    box = g[y0:int(cy) + h + 2, x0:int(cx) + h + 2]
    yy, xx = np.ogrid[y0:y0 + box.shape[0], x0:x0 + box.shape[1]]
    d2 = (xx - cx) ** 2 + (yy - cy) ** 2
    centre_v = box[d2 <= (0.25 * radius_mm) ** 2]
    per = box[(d2 >= (0.65 * radius_mm) ** 2) & (d2 <= (0.85 * radius_mm) ** 2)]
    cup = _median(centre_v) - _median(per) if centre_v.size and per.size else 0.0
    return SliceEvidence(ring, streak, spec, cup, float(noise))


def _ring_scores(prof: np.ndarray) -> tuple[float, int, float]:
    """(z of the strongest radius, its index, its sign) of an (n_radii, 8) profile."""
    scale = np.sqrt(np.maximum(RING_RADII, 5.0) / 50.0)[:, None]
    z = prof * scale
    sd = _mad_sd(z.ravel())
    ok = np.isfinite(z).sum(1) >= 4
    if not math.isfinite(sd) or sd <= 0 or not ok.any():
        return 0.0, 0, 1.0
    fin = np.isfinite(z)
    h = np.maximum(fin.sum(1) // 2, 1)[:, None]
    first = np.arange(z.shape[1])[None] < h
    # the mean of the strongest half of the sectors (a ring: all, an arc: half or more)
    desc = -np.sort(-np.where(fin, z, -np.inf), axis=1)
    asc = np.sort(np.where(fin, z, np.inf), axis=1)
    top = np.where(first, desc, 0.0).sum(1) / h[:, 0]
    bot = np.where(first, asc, 0.0).sum(1) / h[:, 0]
    score = np.where(ok, np.maximum(top, -bot), 0.0)
    k = int(np.argmax(score))
    return float(score[k] / sd), k, (1.0 if top[k] >= -bot[k] else -1.0)


def _ring_full_z(prof: np.ndarray) -> float:
    """|z| of the strongest radius of the full-circle profile (the mean of the sector
    medians: a full ring's evidence from every sector, ~sqrt(8) x a sector's)."""
    fin = np.isfinite(prof)
    cnt = fin.sum(1)
    ok = cnt >= 4
    if not ok.any():
        return 0.0
    m = np.where(fin, prof, 0.0).sum(1) / np.maximum(cnt, 1)
    z = (m * np.sqrt(np.maximum(RING_RADII, 5.0) / 50.0) * np.sqrt(cnt / RING_SECTORS))[ok]
    sd = _mad_sd(z)
    return float(np.abs(z).max() / sd) if math.isfinite(sd) and sd > 0 else 0.0


def _streak_z(t: np.ndarray) -> tuple[float, float, tuple[int, int]]:
    sd = _mad_sd(t.ravel())
    if not math.isfinite(sd) or sd <= 0:
        return 0.0, 0.0, (0, 0)
    a = np.where(np.isfinite(t), np.abs(t), -1.0)
    k = np.unravel_index(int(np.argmax(a)), a.shape)
    return float(a[k] / sd), sd, (int(k[0]), int(k[1]))


def _spec_z(e: np.ndarray) -> float:
    """The strongest direction's power excess over the directions' robust SD."""
    sd = _mad_sd(e)
    return float((e.max() - _median(e)) / sd) if math.isfinite(sd) and sd > 0 else 0.0


def stack_evidence(ev: list[SliceEvidence | None]) -> np.ndarray:
    """The evidence features (``EVIDENCE_NAMES``) of a 3-slice stack, centre = ev[1];
    zeros when the centre slice carries no evidence."""
    c = ev[1]
    out = np.zeros(len(EVIDENCE_NAMES), np.float32)
    if c is None:
        return out
    same = [e for e in ev if e is not None and e.ring.shape == c.ring.shape
            and e.streak.shape == c.streak.shape]
    z1 = c.ring_z
    if len(same) > 1:
        st = np.stack([e.ring for e in same])
        fin = np.isfinite(st)
        mean_ring = np.where(fin.any(0), np.where(fin, st, 0).sum(0) / np.maximum(fin.sum(0), 1),
                             np.nan)
    else:
        mean_ring = c.ring
    z3, k, sign = _ring_scores(mean_ring)
    row = mean_ring[k]
    fin = row[np.isfinite(row)]
    peak = float(np.mean(np.sort(sign * fin)[-max(1, fin.size // 2):])) if fin.size else 0.0
    cover = float(np.mean(sign * fin > 0.5 * peak)) if fin.size and peak > 0 else 0.0
    s1, kb = c.streak_z, c.streak_at
    s3, _, _ = _streak_z(np.mean(np.stack([e.streak for e in same]), axis=0)) \
        if len(same) > 1 else (s1, 0.0, kb)
    sgn = float(np.sign(c.streak[kb])) or 1.0
    zmin = s1
    for e in same:
        sd = e.streak_sd
        v = e.streak[kb]
        if math.isfinite(sd) and sd > 0 and math.isfinite(v):
            zmin = min(zmin, sgn * float(v) / sd)
    sp1 = c.spec_z
    sp3 = _spec_z(np.mean(np.stack([e.spec for e in same]), axis=0)) if len(same) > 1 else sp1
    out[:] = [min(z1, 40.0) / 5.0, min(z3, 40.0) / 5.0, min(peak / c.noise, 5.0),
              cover, min(s1, 60.0) / 5.0, min(s3, 60.0) / 5.0,
              float(np.clip(zmin, -20.0, 60.0)) / 5.0,
              min(sp1, 60.0) / 5.0, min(sp3, 60.0) / 5.0, float(np.clip(c.cupping / 10.0, -20, 20)),
              min(_ring_full_z(mean_ring), 40.0) / 5.0]
    return np.nan_to_num(out, nan=0.0)
