"""Ring / arc evidence of a 3-slice stack on the AI's 1 mm grid: a near-matched filter
written from the physics of a detector ring (Qt-free, numpy + cv2 + scipy.ndimage).

A detector ring (or an arc: a ring on part of the views) is a narrow radial feature about
the ROTATION centre, constant along angle and at the same radius on every slice of the
stack; phantom structure (inserts on a circle, bar groups, wire ramps) is local in angle.
The statistic follows from that, not from either renderer:

* per slice, the 5 mm high-pass residual (the noise measure's) is summed per radius bin
  (0.5 mm) x sector (32 of 11.25 degrees) about the rotation centre over the pixels that
  can carry a ring: inside 0.9 x the phantom radius about its own centre, outside compact
  structures and their high-pass halo, outside busy patches (bar patterns, wire ramps);
* per stack the three slices' sums and counts are added (a ring: the same radius on all
  three; the noise: independent), each radius x sector mean becomes a z-score against the
  bins' own robust spread, **winsorised at +-2.5** (a faint ring moves every sector by
  about one SD or less, which the clip keeps; an insert or a bar group that moves a
  sector by many SD counts as 2.5 at most) and the sectors are combined with the
  optimal weights of a constant ring (sqrt of the pixel count: a weighted mean);
* the radial profile is correlated with the zero-mean response of a ring (Gaussian
  profile, 1.0 or 2.5 mm FWHM) in the same high-pass on the same bins (a ring's matched
  filter against any smooth radial trend), full circle and every 180-degree window of
  sectors (an arc of 180-300 degrees);
* its noise is measured on the data: the same filter applied to the 31 balanced sign
  patterns of the sectors (Walsh functions: a ring cancels, the noise - with its
  correlation along the radius and within the sectors - and local structure do not),
  their robust SD over all radii is the unit of the z-score.

At the physics detection floor of the training labels (z = 6 for a full ring, 7 for an
arc on 3 slices, ``ct_phantom_dataset2._ring_floor``) the full-circle z of a ring at
0.3 - 1 noise SD per pixel is well above the strongest radius of a clean stack
(tests/image_review/test_ai_evidence.py).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from scipy.ndimage import correlate1d

from app.ct.ai.compiled import ring_bin_sums

GRID_N, GRID_C = 256, 127.5        # the 1 mm grid and its usual rotation centre (px)
RING_DR = 0.5                      # mm per radial bin
RING_R0, RING_R1 = 4.0, 97.0       # radii searched (mm)
RING_NB = int(RING_R1 / RING_DR)   # radius bins 0 .. RING_NB - 1
RING_SECTORS = 32                  # 11.25 degrees: an insert or a bar group is local in angle
RING_HALF = RING_SECTORS // 2      # an arc's window (180 degrees)
RING_CLIP = 2.5                    # a sector's z is winsorised here
RING_FENCE = 4.5                   # a sector this far (z) from its radius' median: an object
RING_WIDTH = 1.5                   # mm FWHM of the template (0.97 / 0.92 of the matched
#                                    filter's output for 1.0 / 2.5 mm rings)
RING_REACH = 12                    # template half-length in bins (6 mm)
RING_MIN_SUPPORT = 0.8             # share of a template's bins that must hold pixels
RING_NULLS = (1, 2, 3, 4, 7, 8, 15, 16, 21, 31)   # Walsh patterns used as the null
RING_EDGE_CANDIDATES = 16          # radii whose z is corrected for a concentric step
# the ring gate's one-arc test (ring_gate_z): a ring or an arc is ONE stretch of sectors at
# one level; structure on a circle (wire ramps, node holes, bar groups in thick slices) is
# several pieces. The best single arc without its ARC_FIT_TRIM worst sectors (a ring may
# cross four small structures of two sectors: CTP404's ramps) must fit within the noise's
# chi-square allowance (p 1e-4) plus the ring's own sector-to-sector spread
# (ARC_FIT_SPREAD x its level, per sector), and still read a ring's z by itself
ARC_FIT_TRIM = 8
ARC_FIT_Z = 3.719                  # the normal quantile of p = 1e-4 (Wilson-Hilferty)
ARC_FIT_SPREAD = 0.35
ARC_FIT_SHADOW = 5                 # radius bins (2.5 mm): the template's side lobes
ARC_FIT_MIN = 6                    # sectors (67.5 deg): 3/4 of the shortest arc drawn (90)


@lru_cache(maxsize=8)
def _ring_bins(rc: float = GRID_C) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(flat indices of the grid pixels at RING_R0 <= r < RING_R1 from the rotation centre
    (rc, rc), their radius bin x sector index, their x, their y)."""
    yy, xx = np.mgrid[:GRID_N, :GRID_N].astype(np.float32)
    dx, dy = xx - np.float32(rc), yy - np.float32(rc)
    r = np.hypot(dx, dy)
    sel = np.nonzero(((r >= RING_R0) & (r < RING_R1)).ravel())[0]
    rb = (r.ravel()[sel] / RING_DR).astype(np.int64)
    ang = np.arctan2(dy.ravel()[sel], dx.ravel()[sel]) + math.pi
    sec = (ang * (RING_SECTORS / (2 * math.pi))).astype(np.int64) % RING_SECTORS
    out = (sel, rb * RING_SECTORS + sec, xx.ravel()[sel].copy(), yy.ravel()[sel].copy())
    for a in out:
        a.flags.writeable = False
    return out


def ring_sums(resid: np.ndarray, excluded: np.ndarray | None = None,
              centre: tuple[float, float] = (GRID_C, GRID_C), r_in: float = 1e9,
              rc: float = GRID_C) -> tuple[np.ndarray, np.ndarray]:
    """(sum, count) of ``resid`` per radius bin x sector about the rotation centre (rc, rc),
    (RING_NB, RING_SECTORS) float32 each, over the pixels that can carry a ring: inside
    ``r_in`` (px) about the phantom ``centre`` and not ``excluded`` (full-grid bool)."""
    sel, idx, x, y = _ring_bins(float(rc))
    cx, cy = centre
    # (one compiled pass where app/ct/ai/compiled.py is warmed up, else numpy: the same
    # float32 distances and float64 sums in the same order)
    s, c = ring_bin_sums(resid.ravel(), sel, idx, x, y, cx, cy, r_in * r_in,
                         None if excluded is None else excluded.ravel(),
                         RING_NB * RING_SECTORS)
    return (s.reshape(RING_NB, RING_SECTORS).astype(np.float32),
            c.reshape(RING_NB, RING_SECTORS).astype(np.float32))


def _area_sampled(f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """f(radius about the rotation centre, mm) area-sampled on the grid (4 x 4 per pixel,
    like the grid's area resample)."""
    yy, xx = np.mgrid[:GRID_N, :GRID_N].astype(np.float64)
    acc = np.zeros((GRID_N, GRID_N))
    for oy in (-0.375, -0.125, 0.125, 0.375):
        for ox in (-0.375, -0.125, 0.125, 0.375):
            acc += f(np.hypot(xx + ox - GRID_C, yy + oy - GRID_C))
    return (acc / 16.0).astype(np.float32)


def _response(g: np.ndarray, r0: float) -> np.ndarray:
    """The zero-mean radial profile of g's 5 mm high-pass about r0 (+-RING_REACH bins)."""
    resid = g - cv2.blur(g, (5, 5), borderType=cv2.BORDER_REFLECT)
    s, c = ring_sums(resid)
    prof = s.sum(1) / np.maximum(c.sum(1), 1)
    k = int(r0 / RING_DR)
    h = prof[k - RING_REACH:k + RING_REACH + 1].astype(np.float64)
    return h - h.mean()


@lru_cache(maxsize=1)
def ring_templates() -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """(template (2 RING_REACH + 1): the zero-mean, unit-norm radial response of a ring -
    Gaussian radial profile of RING_WIDTH FWHM, 1 HU peak, area sampled like the grid - in
    the 5 mm high-pass residual on the radius bins, by the slices' own binning; its gain:
    a 1 HU ring's filter output; the unit-norm response of a step - a concentric edge of
    the phantom, which a ring's template also answers; rho: the template's correlation
    with the step shifted by -RING_REACH .. RING_REACH bins)."""
    r0 = 50.0 + 0.5 * RING_DR                   # the middle of a bin
    sig = RING_WIDTH / 2.3548
    h = _response(_area_sampled(lambda r: np.exp(-0.5 * ((r - r0) / sig) ** 2)), r0)
    gain = float(np.sqrt((h * h).sum()))
    t = (h / gain).astype(np.float32)
    e = _response(_area_sampled(lambda r: (r < r0).astype(np.float64)), r0)
    e = (e / np.sqrt((e * e).sum())).astype(np.float32)
    n = t.size
    rho = np.zeros(n, np.float32)
    for j, d in enumerate(range(-RING_REACH, RING_REACH + 1)):
        ee = np.zeros(n, np.float32)
        if d >= 0:
            ee[d:] = e[:n - d]
        else:
            ee[:n + d] = e[-d:]
        rho[j] = float(t @ ee)
    for a in (t, e, rho):
        a.flags.writeable = False
    return t, gain, e, rho


@lru_cache(maxsize=1)
def _walsh() -> np.ndarray:
    """(RING_SECTORS, 1 + len(RING_NULLS)) columns of the Hadamard matrix: all ones (the
    full circle), then balanced sign patterns (a ring cancels)."""
    h = np.array([[1.0]], np.float32)
    while h.shape[0] < RING_SECTORS:
        h = np.block([[h, h], [h, -h]])
    out = np.ascontiguousarray(h[:, (0,) + RING_NULLS])
    out.flags.writeable = False
    return out


@lru_cache(maxsize=1)
def _windows() -> np.ndarray:
    """(RING_SECTORS, 8): 0/1 columns, 180-degree windows starting every 45 degrees."""
    w = np.zeros((RING_SECTORS, 8), np.float32)
    for k in range(8):
        w[(np.arange(RING_HALF) + k * RING_SECTORS // 8) % RING_SECTORS, k] = 1.0
    w.flags.writeable = False
    return w


def sector_scale(s: np.ndarray, c: np.ndarray) -> float:
    """Robust SD of the bins' sums over sqrt(count) (bins of >= 3 pixels): a sector
    mean's z is its sum / sqrt(count) / this (the pixels' correlation included)."""
    m = c[::2] >= 3             # every other radius bin: the same spread, half the work
    if m.sum() < 64:
        return float("nan")
    return _mad(s[::2][m] / np.sqrt(c[::2][m]))


def _mad(v: np.ndarray) -> float:
    """Robust SD: the interquartile range / 1.349 (one partition)."""
    n = v.size
    if n < 16:
        return float("nan")
    k1, k3 = (n - 1) // 4, (3 * (n - 1)) // 4
    # (two partitions about one index each: numpy's partition about two indices is
    # several times slower above a few hundred values; the same order statistics)
    part = np.partition(v, k3)
    q1 = np.partition(part[:k3], k1)[k1] if k1 < k3 else part[k3]
    return float((part[k3] - q1) / 1.349)


def _filt(a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Correlate each row of ``a`` (rows: patterns / windows, columns: radius bins)."""
    return correlate1d(a, t, axis=1, mode="constant")


@dataclass(frozen=True)
class _Radii:
    """The per-radius part of :func:`ring_stats`: the winsorised sector sums ``a``, the
    radius bins that can hold the template (``ok``), the full-circle z over them
    (``full``) and the null patterns' unit."""

    a: np.ndarray
    aw: np.ndarray
    ok: np.ndarray
    full: np.ndarray
    unit: float


def _radii(s: np.ndarray, c: np.ndarray, scale: float) -> _Radii | None:
    t = ring_templates()[0]
    sq = np.sqrt(c)
    has_px = c > 0
    z = s / np.maximum(sq, 1e-6) / np.float32(scale)
    # a sector far from its radius' median is a local object (a pin, a hole, a bead, a
    # wire: too small for the structure mask): it takes the median. A ring moves all its
    # sectors alike (an arc: half of them or more, the median between)
    n_r = has_px.sum(1)
    fill = z.sum(1) / np.maximum(n_r, 1)
    zf = np.where(has_px, z, fill[:, None])
    med = np.partition(zf, RING_SECTORS // 2, axis=1)[:, RING_SECTORS // 2:RING_SECTORS // 2 + 1]
    z = np.where(np.abs(z - med) > RING_FENCE, med, z)
    z = np.where(has_px, np.clip(z, -RING_CLIP, RING_CLIP), 0.0).astype(np.float32)
    a = sq * z                                   # weighted winsorised sector sums
    b = c.sum(1)
    inv = np.where(b > 0, 1.0 / np.sqrt(np.maximum(b, 1e-6)), 0.0).astype(np.float32)
    aw = np.ascontiguousarray((a @ _walsh()).T) * inv[None]   # full circle + the nulls
    has = correlate1d((b > 0).astype(np.float32), np.ones(t.size, np.float32),
                      mode="constant")
    ok = has >= RING_MIN_SUPPORT * t.size
    if ok.sum() < 16:
        return None
    f = _filt(aw, t)[:, ok]
    unit = _mad(f[1:].ravel())                   # the null patterns' spread
    if not (math.isfinite(unit) and unit > 0):
        return None
    return _Radii(a, aw, ok, f[0] / np.float32(unit), unit)


def _window_filt(a: np.ndarray, c: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """|filter output| of every 180-degree window at every usable radius, (8, ok.sum());
    over the null patterns' unit: z."""
    t = ring_templates()[0]
    win = _windows()
    wa, wc = a @ win, c @ win
    wz = np.where(wc > 0, wa / np.sqrt(np.maximum(wc, 1e-6)), 0.0).astype(np.float32)
    return np.abs(_filt(np.ascontiguousarray(wz.T), t)[:, ok])


def ring_stats(s: np.ndarray, c: np.ndarray, scale: float) -> dict[str, float]:
    """The matched-filter ring statistics of (sum, count) per radius bin x sector.

    Returns ``z`` (the strongest |z| of the full circle), ``z_arc`` (of the 180-degree
    windows), ``z_edge`` (the full circle's z with the best-fitting concentric step
    within +-6 mm taken out), ``radius`` (mm), ``amp`` (HU: the ring's peak as the
    template reads it, median of the stronger half of the sectors' own filter outputs,
    signed) and ``cover`` (share of sectors carrying at least half of it)."""
    out = {"z": 0.0, "z_arc": 0.0, "z_edge": 0.0, "radius": 0.0, "amp": 0.0, "cover": 0.0}
    if not (math.isfinite(scale) and scale > 0):
        return out
    t, gain, e, rho = ring_templates()
    rad = _radii(s, c, scale)
    if rad is None:
        return out
    a, aw, ok, full, unit = rad.a, rad.aw, rad.ok, rad.full, rad.unit
    j = int(np.argmax(np.abs(full)))
    rb, sign = int(np.nonzero(ok)[0][j]), float(np.sign(full[j]) or 1.0)
    out["z"], out["radius"] = float(abs(full[j])), (rb + 0.5) * RING_DR
    # 180-degree windows of sectors starting every 45 degrees (an arc of 180-300 degrees
    # fills one to 7/8 at least), each over its own weight
    out["z_arc"] = float(_window_filt(a, c, ok).max() / unit)
    # a concentric edge of the phantom (a centred phantom's circle) answers the ring's
    # template too: the ring's z with the best-fitting step within +-6 mm taken out (a
    # pure step gives 0; a ring keeps sqrt(1 - rho^2) of its z at least)
    fe = correlate1d(aw[0], e, mode="constant")[ok] / np.float32(unit)
    pad = np.concatenate([np.zeros(RING_REACH, np.float32), fe, np.zeros(RING_REACH, np.float32)])
    # (z_edge <= |z|: the strongest radii of |z| hold its maximum)
    top = np.argsort(-np.abs(full))[:RING_EDGE_CANDIDATES]
    use = np.abs(rho) >= 0.05
    shifts = np.arange(-RING_REACH, RING_REACH + 1)[use]
    sh = pad[top[None] + shifts[:, None] + RING_REACH]            # fe[r + d]
    r_ = rho[use][:, None]
    ft = full[top]
    adj = np.sign(ft)[None] * (ft[None] - r_ * sh) / np.sqrt(1.0 - r_ * r_)
    out["z_edge"] = float(np.maximum(np.minimum(adj.min(0), np.abs(ft)), 0.0).max())
    # the sectors' own reading of the ring at that radius (plain means: amplitude)
    lo, hi = rb - RING_REACH, rb + RING_REACH + 1
    tt = t[max(0, -lo):t.size - max(0, hi - RING_NB)]
    cs, ss = c[max(0, lo):hi], s[max(0, lo):hi]
    m = np.where(cs > 0, ss / np.maximum(cs, 1), 0.0)
    covered = (cs > 0).mean(0) >= RING_MIN_SUPPORT
    if covered.sum() >= 4:
        fs = sign * (tt @ m)[covered] / gain
        top = np.sort(fs)[-(fs.size + 1) // 2:]        # the stronger half of the sectors
        amp = float((top[(top.size - 1) // 2] + top[top.size // 2]) / 2)   # (sorted: = np.median)
        out["amp"] = sign * amp
        out["cover"] = float(np.mean(fs > 0.5 * amp)) if amp > 0 else 0.0
    return out


def sector_readings(s: np.ndarray, c: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(len(rows), RING_SECTORS): each sector's own matched-filter reading of a ring at the
    radius bins ``rows``, in units of the readings' robust spread over all radii. NaN: a
    sector that holds less than half the pixels (template-weighted) of the row's fullest
    one - mostly left out there (an insert's mask): a ring there reads low, not absent."""
    t = ring_templates()[0]
    num = correlate1d(s, t, axis=0, mode="constant")
    wt = correlate1d(c, t * t, axis=0, mode="constant")
    v = np.where(wt > 0, num / np.sqrt(np.maximum(wt, 1e-6)), np.nan)
    unit = _mad(v[np.isfinite(v)])
    if not (math.isfinite(unit) and unit > 0):
        return np.full((len(rows), RING_SECTORS), np.nan)
    w = wt[rows]
    return np.where(w >= 0.5 * w.max(1, keepdims=True), v[rows] / unit, np.nan)


def _best_arc(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The least-squares single arc (or whole ring) of constant level, zero elsewhere, of
    readings ``x`` with 0/1 weights ``w``, at least ARC_FIT_MIN sectors long: (inside
    mask, level, weight inside)."""
    n = x.size
    xx, ww = np.concatenate([x * w, x * w]), np.concatenate([w, w])
    cx = np.concatenate([[0.0], np.cumsum(xx)])
    cw = np.concatenate([[0.0], np.cumsum(ww)])
    length = np.arange(1, n + 1)[:, None]
    start = np.arange(n)[None, :]
    sx = cx[start + length] - cx[start]          # (length, start)
    sw = cw[start + length] - cw[start]
    gain = np.where(sw > 0, sx * sx / np.maximum(sw, 1e-9), 0.0)
    gain[-1, 1:] = -1.0                          # the whole ring: one start
    gain[:ARC_FIT_MIN - 1] = -1.0
    li, si = np.unravel_index(int(np.argmax(gain)), gain.shape)
    inside = np.zeros(n, bool)
    inside[(si + np.arange(li + 1)) % n] = True
    return inside, float(sx[li, si] / max(sw[li, si], 1e-9)), float(sw[li, si])


def one_arc_fit(v: np.ndarray) -> tuple[float, float]:
    """(misfit, z) of ONE arc (or the whole ring) of constant level, zero elsewhere, on the
    sector readings ``v`` (unit noise; NaN: not read): fitted, its ARC_FIT_TRIM worst
    sectors left out (structures the ring crosses), fitted again. ``misfit``: the
    residual sum of squares less the allowance (chi-square of the sectors at p 1e-4 +
    (ARC_FIT_SPREAD x level)^2 per arc sector), <= 0 for one arc; ``z``: the arc's own
    |level| x sqrt(its read sectors, the left-out ones within it included) - what is left
    of a "ring" once the pieces that are not one are taken out. Fewer than 16 sectors
    read: (0, inf), no verdict."""
    w = np.isfinite(v).astype(np.float64)
    x = np.where(w > 0, v, 0.0)
    n_ok = int(w.sum())
    if n_ok < 8 + ARC_FIT_TRIM:
        return 0.0, math.inf
    inside, level, _ = _best_arc(x, w)
    r2 = np.where(w > 0, (x - np.where(inside, level, 0.0)) ** 2, -1.0)
    w[np.argsort(-r2)[:ARC_FIT_TRIM]] = 0.0      # (unread sectors sort last)
    inside, level, n_in = _best_arc(x, w)
    resid = float(np.sum(w * (x - np.where(inside, level, 0.0)) ** 2))
    k = n_ok - ARC_FIT_TRIM
    chi2 = k * (1.0 - 2.0 / (9.0 * k) + ARC_FIT_Z * math.sqrt(2.0 / (9.0 * k))) ** 3
    span = int(np.isfinite(v[inside]).sum())     # the arc's read sectors, trimmed ones too
    return (resid - chi2 - (ARC_FIT_SPREAD * level) ** 2 * n_in,
            abs(level) * math.sqrt(span))


def ring_gate_z(s: np.ndarray, c: np.ndarray, scale: float, full_min: float,
                arc_min: float) -> tuple[float, float]:
    """The ring gate's (full-circle z, best 180-degree z) of (sum, count) per radius bin x
    sector: :func:`ring_stats`' ``z`` / ``z_arc``, their maxima taken only over the radii
    that are below both floors (``full_min``, ``arc_min``) or whose sectors read ONE ring
    or arc (:func:`one_arc_fit`) that alone reaches ``full_min``. Radii are tested from
    the strongest down; one that fails takes the weaker radii within ARC_FIT_SHADOW bins
    with it (its filter's side lobes: the halo of the same pieces)."""
    if not (math.isfinite(scale) and scale > 0):
        return 0.0, 0.0
    rad = _radii(s, c, scale)
    if rad is None:
        return 0.0, 0.0
    full = np.abs(rad.full)
    arc = _window_filt(rad.a, c, rad.ok).max(0) / np.float32(rad.unit)
    rows = np.nonzero(rad.ok)[0]
    strength = np.maximum(full / full_min, arc / arc_min)
    over = np.nonzero(strength >= 1.0)[0]
    keep = np.ones(full.size, bool)
    if over.size:
        over = over[np.argsort(-strength[over], kind="stable")]
        v = sector_readings(s, c, rows[over])
        failed: list[int] = []
        for k, j in enumerate(over):
            if any(abs(int(rows[j]) - f) <= ARC_FIT_SHADOW for f in failed):
                keep[j] = False
                continue
            misfit, z = one_arc_fit(v[k])
            if misfit > 0.0 or z < full_min:
                keep[j] = False
                failed.append(int(rows[j]))
            elif full[j] >= full[over[k:]].max() and arc[j] >= arc[over[k:]].max():
                break                   # (the weaker radii cannot raise either maximum)
    if not keep.any():
        return 0.0, 0.0
    return float(full[keep].max()), float(arc[keep].max())
