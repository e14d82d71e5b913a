"""Physical evidence for ring, streak and cupping on the AI's 1 mm grid (Qt-free, numpy + cv2).

Measured per slice from the class definitions, not fitted to any renderer (issue 16: the
classes that do not transfer between renderers get renderer-independent evidence in the
network's context vector, as "blur" got the measured edge MTF in the 2.2 recipe):

* **ring / arc**: :mod:`app.ct.ai.ring_evidence` - per slice, the 5 mm high-pass
  residual (the noise measure's) summed per 0.5 mm radius bin x 11.25-degree sector
  about the ROTATION centre over the pixels that can carry a ring (inside 0.9 x the
  phantom radius, outside compact structures and their halo and busy patches - in ring
  layout 2, ``concentric``, a ring's own band in those masks stays in: ring_bands; in
  layout 3 also the band of a ring that has grown into the structures it crosses or the
  phantom's edge: _polar_bands); per
  stack the three slices' sums added, each sector's z winsorised at 2.5 and combined
  with a constant ring's weights, correlated along the radius with a ring's response in
  the same high-pass (1.0 / 2.5 mm FWHM), full circle and 180-degree windows, in units
  of the same filter on balanced sign patterns of the sectors (the noise measured on the
  data, its correlation included). Per stack: the centre slice's full-circle z, the
  three slices' full-circle z and best 180-degree window's z, the ring's amplitude over
  the noise SD and the share of sectors carrying it (a ring 1, an arc 0.5-0.8).
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

Cost: see benchmarks/image_review/bench_ai_evidence.py (each slice once; a stack
combines three).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from scipy import sparse

from app.ct.ai.compiled import polar_band as ring_polar_band
from app.ct.ai.grid_field import ogrid
from app.ct.ai.ring_evidence import GRID_C, ring_gate_z, ring_stats, ring_sums, sector_scale

CLIP_SD = 3.0
STREAK_ANGLES, STREAK_PX = 48, 2      # directions; mm per pixel of the projected map
STREAK_CROP = 192                      # mm about the phantom centre (2 x 96)
STREAK_BOX = 15                        # mm: the line search's high-pass
STREAK_CLIP_SD = 1.0                   # a line sum of values clipped at 1 SD: a sign test
STRUCT_SD, STRUCT_HU = 4.0, 40.0       # a structure pixel: this far from the body value
STRUCT_BOX, STRUCT_FRACTION = 9, 0.5   # (mm, share of pixels beyond 2 SD): a structure
RING_STRUCT_SD, RING_STRUCT_HU = 2.0, 12.0   # the ring's structures (on 2 mm means)
RING_EDGE_MM = 6.5                     # the ring search stops this far inside the body's
#                                        edge (a 3 mm shell, its high-pass halo, the PSF)
# the ring gate's local objects (local_objects): residual pixels 10 noise SD beyond it
# (a 0.2 mm wire ramp is ~600 HU in a 5 mm slice, a node hole -1000 HU; a ring is
# continuous at this level or does not reach it - at 6 SD an 80 HU, 120-degree arc on a
# 1 mm grid broke into short pieces), with their high-pass halo (the 5 mm box's 2.5 mm +
# the PSF), that subtend less than a quarter turn about the rotation centre (half the
# shortest arc the ring class has, 180 degrees): wire ramps, node holes, beads - no ring
LOCAL_SD, LOCAL_HALO_MM, LOCAL_MAX_DEG = 10.0, 3, 90.0
# ring layout 2 (``concentric``; scheme grid1mm_context_ring2): the ring search no longer
# leaves out a ring's own band. A ring of 150-300 HU makes its 5 mm high-pass side lobes
# (-amplitude x width / 5: -50 HU for 200 HU x 1.3 mm) busy beyond 2 SD over most of a
# 9 mm box, and a projection-domain ring's tails reach the structure mask's 12 HU over
# >= 6 mm: both masks took the ring out of its own search (the ring gate's z of rings of
# >= 150 HU: median 6-9, against 18-24 at 20-80 HU; the gate then called them normal).
# A piece of either mask that subtends a quarter turn or more about the rotation centre
# (as local_objects: an insert, a bead or a wire ramp subtends less), stays off the
# search's rim and is thin along the radius (3.29 SD of its radii - the 5-95 % range of
# an even band - within the width below) is a ring's band and stays in the search.
# Widths, measured on the image renderer's modules: a ring's busy piece is its core and
# side lobes, 6-8 mm, 9-11 mm where it touches an insert's halo on its way round (the
# structure mask still takes the insert itself); CTP528's bar groups are one busy piece
# about the phantom, 232-234 degrees and 15 mm: kept out at 12 mm. A ring's structure
# piece (thresholded and closed, before the opening) is 3-5 mm; CTP528's bars there 12 mm.
# On the stored normals of three renderers (1,000 each) the gate's false-ring rate is
# unchanged by this layout.
# Ring layout 3 (``concentric`` 2; scheme grid1mm_context_ring3): where a strong ring
# crosses inserts, bar groups or runs near the phantom's edge, ring and structure are one
# piece that is not thin, or reaches the rim - layout 2 left the ring out of its own search
# again (in 2.13.0's leave-one-renderer-out misses among the strongest rings, no pixel at
# the ring's radius was searched). Such a piece is read in polar coordinates about the
# rotation centre (_polar_bands): its thin radial runs along an unbroken quarter turn at
# one radius are the ring's band; the crossings and a row of separate bars stay out. On
# the stored normals of three renderers (3,940) the gate's false-ring rate is unchanged.
RING_BAND_DEG, RING_BUSY_MM, RING_STRUCT_MM = 90.0, 12.0, 8.0
INNER = 0.9                            # the part of the phantom radius searched
SPEC_N, SPEC_ANGLES = 128, 60          # spectral streak search: crop (mm), 3-degree bins
SPEC_BAND = (0.08, 0.45)               # cycles / mm
# the ring slots keep their places (ev4: the matched filter of app/ct/ai/ring_evidence.py)
EVIDENCE_NAMES = ("ring_mf3_edge", "ring_mf3_arc", "ring_mf3_amp", "ring_mf3_cover",
                  "streak_z", "streak_z3", "streak_zmin", "streak_spec", "streak_spec3",
                  "cupping", "ring_mf3")
# the ring slots alone, in their EVIDENCE_NAMES order (the grid1mm_context_ring layout)
RING_EVIDENCE_NAMES = ("ring_mf3_edge", "ring_mf3_arc", "ring_mf3_amp", "ring_mf3_cover",
                       "ring_mf3")


class _StreakScored:
    """The slice's own streak scores from its ``streak`` and ``spec`` (once per slice: a
    slice is in three stacks) - :class:`SliceEvidence`'s and :class:`SliceStreak`'s."""

    streak: np.ndarray
    spec: np.ndarray
    streak_z: float
    streak_sd: float
    streak_at: tuple[int, int]
    spec_z: float

    def __post_init__(self) -> None:
        self.streak_z, self.streak_sd, self.streak_at = _streak_z(self.streak)
        self.spec_z = _spec_z(self.spec)


@dataclass
class SliceEvidence(_StreakScored):
    """Per-slice profiles (combined over the 3 slices of a stack by :func:`stack_evidence`)."""

    ring_s: np.ndarray      # (radius bins, sectors) sum of the 5 mm residual, HU
    ring_c: np.ndarray      # (radius bins, sectors) pixel count
    ring_scale: float       # the bins' sum / sqrt(count) robust SD, HU
    streak: np.ndarray      # (48, n_offsets) line sums / sqrt(count), HU
    spec: np.ndarray        # (60,) residual power per direction / its median
    cupping: float          # centre minus periphery, HU
    noise: float            # the grid's noise SD, HU
    # the slice's own scores (_StreakScored)
    streak_z: float = 0.0
    streak_sd: float = float("nan")
    streak_at: tuple[int, int] = (0, 0)
    spec_z: float = 0.0


def _median(v: np.ndarray) -> float:
    """np.median of a 1-D array without its overheads (the same value)."""
    n = v.size
    lo, hi = (n - 1) // 2, n // 2
    part = np.partition(v, hi)
    low = part[:hi].max() if lo < hi else part[hi]     # (one partition: see _mad_sd)
    return float(0.5 * (low + part[hi]))


def _mad_sd(v: np.ndarray) -> float:
    """Robust SD: the interquartile range / 1.349 (one partition)."""
    v = v[np.isfinite(v)]
    n = v.size
    if n < 16:
        return float("nan")
    k1, k3 = (n - 1) // 4, (3 * (n - 1)) // 4
    # (two partitions about one index each: numpy's partition about two indices is
    # several times slower above a few hundred values; the same order statistics)
    part = np.partition(v, k3)
    q1 = np.partition(part[:k3], k1)[k1] if k1 < k3 else part[k3]
    return float((part[k3] - q1) / 1.349)


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
def _spec_index(r_px: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(taper of the disc of radius r_px on the SPEC_N crop, flat indices of the spectrum's
    samples in SPEC_BAND, their direction bin, the samples per bin - at least 1)."""
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
    count = np.maximum(np.bincount(b, minlength=SPEC_ANGLES), 1)
    return taper.astype(np.float32), sel, b, count


@lru_cache(maxsize=8)
def _disc(d: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def _closed(m: np.ndarray) -> np.ndarray:
    """A 2 mm mask closed by a 3-pixel disc (uint8): _compact's first step."""
    return cv2.morphologyEx(m.astype(np.uint8), cv2.MORPH_CLOSE, _disc(3))


def _compact(m: np.ndarray, closed: np.ndarray | None = None) -> np.ndarray | None:
    """A 2 mm mask closed and opened by a 3-pixel disc (6 mm): what is left is at least
    6 mm across, no thin ring (uint8; None: empty). ``closed``: _closed(m), when the
    caller has it."""
    if not m.any():
        return None
    u = cv2.morphologyEx(_closed(m) if closed is None else closed, cv2.MORPH_OPEN, _disc(3))
    return u if u.any() else None


def _up2_into(dst: np.ndarray, m: np.ndarray, keep: bool) -> None:
    """A 2 mm mask back on the 1 mm grid, OR-ed into ``dst`` in place (``keep``: its pixels
    taken out of ``dst``): each 2 mm pixel is its 2 x 2 block of 1 mm pixels."""
    h, w = m.shape
    up = cv2.resize(m.view(np.uint8), (2 * w, 2 * h), interpolation=cv2.INTER_NEAREST) > 0
    if keep:
        dst[:2 * h, :2 * w] &= ~up
    else:
        dst[:2 * h, :2 * w] |= up


def slice_evidence(grid: np.ndarray, centre: tuple[float, float], radius_mm: float,
                   noise: float, body_hu: float, rot_centre: float = GRID_C,
                   concentric: int = 0) -> SliceEvidence | None:
    """The ring / streak / cupping profiles of one 1 mm grid slice (``None`` when the
    phantom or the noise cannot carry them). ``rot_centre``: the rotation centre on the
    grid, (rot_centre, rot_centre) px (``normalise.grid_rotation_centre``: 127.5 or 128.0,
    by the parity of the resampled matrix; a thin ring needs it to the half pixel)."""
    if not (math.isfinite(noise) and noise > 0 and radius_mm > 20):
        return None
    g = np.asarray(grid, np.float32)
    resid, g2, rs, rc = _ring_part(g, centre, radius_mm, noise, body_hu, rot_centre,
                                   concentric=concentric)
    streak = _streak_lines(g, centre, radius_mm, noise, body_hu)
    spec = _spectrum(resid, centre, radius_mm, noise)
    cup = _cupping(g2, centre, radius_mm)
    return SliceEvidence(rs, rc, sector_scale(rs, rc), streak, spec, cup, float(noise))


def _streak_lines(g: np.ndarray, centre: tuple[float, float], radius_mm: float, noise: float,
                  body_hu: float) -> np.ndarray:
    """(STREAK_ANGLES, n_offsets) the evidence's ``streak``: line sums / sqrt(count) of the
    wide high-pass, compact structures left out."""
    cx, cy = centre
    r_in = INNER * radius_mm
    # streak: 2 mm map about the phantom centre, Radon by a sparse projector
    # (a wider high-pass than the ring's: a 0.6-5 mm line keeps its integral across)
    wide = g - cv2.blur(g, (STREAK_BOX, STREAK_BOX), borderType=cv2.BORDER_REFLECT)
    lim1 = np.float32(STREAK_CLIP_SD * noise)
    np.clip(wide, -lim1, lim1, out=wide)
    # compact structures (inserts, rods, bar groups: >= 7 mm across after closing 5 mm
    # gaps; a line of <= 5 mm is opened away) and their 15 mm high-pass halo: left out
    dev: np.ndarray = (np.abs(g - np.float32(body_hu)) > max(STRUCT_SD * noise, STRUCT_HU)).view(np.uint8)
    if dev.any():
        dev = cv2.morphologyEx(dev, cv2.MORPH_CLOSE, _disc(5))
        dev = cv2.morphologyEx(dev, cv2.MORPH_OPEN, _disc(7))
        if dev.any():
            wide[cv2.dilate(dev, _disc(STREAK_BOX)) > 0] = 0.0
    crop = cv2.getRectSubPix(wide, (STREAK_CROP, STREAK_CROP), (float(cx), float(cy)))
    small = cv2.resize(crop, (STREAK_CROP // STREAK_PX,) * 2, interpolation=cv2.INTER_AREA)
    r_px = int(min(r_in, STREAK_CROP / 2 - 2) / STREAK_PX)
    proj, long_enough, n_off = _streak_projector(r_px)
    # (line sums of fewer than 8 pixels, the disc's rim, are left out)
    streak = np.where(long_enough, proj @ small.ravel(), np.nan)
    return streak.reshape(STREAK_ANGLES, n_off).astype(np.float32)


@dataclass
class SliceStreak(_StreakScored):
    """The streak part of one slice's evidence (:func:`slice_streak`): the line sums and
    the spectrum, with the slice's own scores (as :class:`SliceEvidence` has them)."""

    streak: np.ndarray
    spec: np.ndarray
    streak_z: float = 0.0
    streak_sd: float = float("nan")
    streak_at: tuple[int, int] = (0, 0)
    spec_z: float = 0.0


def slice_streak(grid: np.ndarray, centre: tuple[float, float], radius_mm: float,
                 noise: float, body_hu: float, spec: np.ndarray | None = None
                 ) -> SliceStreak | None:
    """Only the streak part of :func:`slice_evidence` (its ``streak`` and ``spec``, the
    same values) - the streak gate's measure (app/ct/ai/streak_gate.py); ``spec``: the
    slice's spectrum when already measured (:func:`slice_spectrum`'s)."""
    if not (math.isfinite(noise) and noise > 0 and radius_mm > 20):
        return None
    g = np.asarray(grid, np.float32)
    if spec is None:
        resid = g - cv2.blur(g, (5, 5), borderType=cv2.BORDER_REFLECT)
        spec = _spectrum(resid, centre, radius_mm, noise)
    return SliceStreak(_streak_lines(g, centre, radius_mm, noise, body_hu), spec)


def stack_spec_features(specs: list[tuple[int, np.ndarray] | None]) -> tuple[float, float] | None:
    """(streak_spec, streak_spec3) of a stack, evidence scale as :func:`stack_streak`
    gives them, from its slices' (streak key, spectrum) - centre second; None when the
    centre has none. The spectrum alone: what the streak gate reads first."""
    c = specs[1]
    if c is None:
        return None
    sp1, sp3 = _spec_z(c[1]), stack_spec_z(specs)
    return float(np.float32(min(sp1, 60.0) / 5.0)), float(np.float32(min(sp3, 60.0) / 5.0))


def _spectrum(resid: np.ndarray, centre: tuple[float, float], radius_mm: float,
              noise: float) -> np.ndarray:
    """(SPEC_ANGLES,) the 5 mm residual's power per direction over its median, on the
    phantom's inner disc (the evidence's ``spec``)."""
    # streak texture: a band of fine parallel lines of any profile puts its power on one
    # direction of the spectrum; the noise's power is spread over all directions
    cx, cy = centre
    r_sp = int(min(INNER * radius_mm, SPEC_N / 2 - 1))
    taper, sel, b, count = _spec_index(r_sp)
    lim = np.float32(CLIP_SD * noise)
    crop = np.clip(cv2.getRectSubPix(resid, (SPEC_N, SPEC_N), (float(cx), float(cy))),
                   -lim, lim) * taper
    ft = cv2.dft(crop, flags=cv2.DFT_COMPLEX_OUTPUT)
    pw = (ft[..., 0] ** 2 + ft[..., 1] ** 2).ravel()[sel]
    e = np.bincount(b, weights=pw, minlength=SPEC_ANGLES) / count
    return (e / max(_median(e), 1e-12)).astype(np.float32)       # (_median = np.median)


def slice_spectrum(grid: np.ndarray, centre: tuple[float, float], radius_mm: float,
                   noise: float) -> np.ndarray | None:
    """The streak spectrum alone (:func:`slice_evidence`'s ``spec``, the same values) of a
    slice measured without the evidence or the ring part (``None``: not measurable)."""
    if not (math.isfinite(noise) and noise > 0 and radius_mm > 20):
        return None
    g = np.asarray(grid, np.float32)
    resid = g - cv2.blur(g, (5, 5), borderType=cv2.BORDER_REFLECT)
    return _spectrum(resid, centre, radius_mm, noise)


def _cupping(g2: np.ndarray, centre: tuple[float, float], radius_mm: float) -> float:
    """The body's central disc (0.25 x radius) minus its periphery (0.65..0.85 x radius),
    HU: medians of the 2 mm means ``g2`` (structures do not move them), on the body's
    bounding box only (``centre``: the phantom's centre on the 1 mm grid)."""
    cx, cy = centre
    h = int(math.ceil(0.85 * radius_mm / 2)) + 1
    c2x, c2y = (cx - 0.5) / 2, (cy - 0.5) / 2
    y0, x0 = max(0, int(c2y) - h), max(0, int(c2x) - h)
    box = g2[y0:int(c2y) + h + 2, x0:int(c2x) + h + 2]
    yy, xx = ogrid(y0, y0 + box.shape[0], x0, x0 + box.shape[1])
    d2 = (xx - c2x) ** 2 + (yy - c2y) ** 2
    centre_v = box[d2 <= (0.125 * radius_mm) ** 2]
    per = box[(d2 >= (0.325 * radius_mm) ** 2) & (d2 <= (0.425 * radius_mm) ** 2)]
    return _median(centre_v) - _median(per) if centre_v.size and per.size else 0.0


def slice_cupping(grid: np.ndarray, centre: tuple[float, float], radius_mm: float) -> float:
    """:func:`slice_evidence`'s cupping of one 1 mm grid slice alone (the same value: the
    same 2 mm means), for the layouts that do not measure the whole evidence (the shift
    gate, app/ct/ai/shift_gate.py)."""
    g = np.asarray(grid, np.float32)
    g2 = cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)
    return float(_cupping(g2, centre, radius_mm))


def local_objects(resid: np.ndarray, noise: float, rot_centre: float) -> np.ndarray | None:
    """Pixels of local high-contrast objects (bool, the grid's shape; None: none): the 5 mm
    residual beyond ``LOCAL_SD`` noise SD, grown by its halo (``LOCAL_HALO_MM``), each
    connected piece whose hot pixels subtend less than ``LOCAL_MAX_DEG`` about the
    rotation centre (their angles in 1-degree bins: the turn less the widest empty gap).

    The structure mask of :func:`_ring_part` takes objects of >= 6 mm; thinner ones -
    CTP404's wire ramps (a 23-degree ramp is a bright segment of thickness / tan 23 deg:
    12 mm in a 5 mm slice, near r 38-45 mm at four angles), its 3 mm node holes, beads -
    pass it, and their high-pass halo reads as a partial ring at their radius. A ring or
    an arc is one concentric piece once grown by the halo (a strong one: continuous; a
    fragmented one: its pieces closer than twice the halo merge), so it subtends its own
    angle and stays."""
    hot = (np.abs(resid) > np.float32(LOCAL_SD * noise)).view(np.uint8)
    if not hot.any():
        return None
    grown = cv2.dilate(hot, _disc(2 * LOCAL_HALO_MM + 1))
    n, lab = cv2.connectedComponents(grown, connectivity=8)
    ys, xs = np.nonzero(hot)          # (a piece's angles: its hot pixels', not the halo's)
    deg = np.degrees(np.arctan2(ys - np.float32(rot_centre), xs - np.float32(rot_centre)))
    seen = np.zeros((n, 360), bool)
    seen[lab[ys, xs], deg.astype(np.int64) % 360] = True
    local = np.zeros(n, bool)
    for k in range(1, n):
        at = np.flatnonzero(seen[k])
        gap = int(np.max(np.diff(at, append=at[0] + 360))) - 1 if at.size else 360
        local[k] = 360 - gap < LOCAL_MAX_DEG
    if not local.any():
        return None
    return local[lab]


@lru_cache(maxsize=16)
def _polar(shape: tuple[int, int], rot_centre: float) -> tuple[np.ndarray, np.ndarray]:
    """(1-degree bin, radius in px) of every pixel of a grid about (rot_centre,
    rot_centre) (read-only)."""
    yy, xx = np.mgrid[:shape[0], :shape[1]].astype(np.float32) - np.float32(rot_centre)
    deg = np.degrees(np.arctan2(yy, xx)).astype(np.int64) % 360
    r = np.hypot(yy, xx)
    deg.flags.writeable = r.flags.writeable = False
    return deg, r


def ring_bands(mask: np.ndarray, rot_centre: float, px_mm: float, max_mm: float,
               inside: np.ndarray, rim: np.ndarray, origin: tuple[int, int] = (0, 0),
               polar: bool = False, unbroken: np.ndarray | None = None
               ) -> np.ndarray | None:
    """The connected pieces of ``mask`` within the ring search (``inside``: a uint8 disc;
    ``rim``: its outermost pixels, 0 / 1) on a grid of ``px_mm`` pixels (the rotation centre at
    (rot_centre, rot_centre) px) that subtend ``RING_BAND_DEG`` or more about the rotation
    centre, are thin along the radius (3.29 SD of their radii - the 5-95 % range of an
    even band - within ``max_mm``) and do not reach the rim (the phantom's edge and the
    air beyond it): a ring's or an arc's own band (bool, the mask's shape; None: none).
    ``inside`` and ``rim`` may cover only the box of the mask at ``origin`` (row, column)
    that holds the search's disc: the pieces are labelled there (the same pieces: the
    mask is nothing outside the disc). Only the pieces whose bounding box could subtend a
    quarter turn are looked at pixel by pixel (the cost:
    benchmarks/image_review/bench_ai_evidence.py). ``polar`` (ring layout 3): a piece that
    subtends a quarter turn but is not thin - a ring that has grown into the structures
    it crosses (inserts, bar groups, a wire ramp) - or that is on the rim and reaches more
    than ``max_mm`` inside it over a quarter turn (:func:`_deep_quarter`: a ring grown into
    the phantom's edge band) gives its ring band by :func:`_polar_bands`, its stretches
    unbroken in ``unbroken`` (the mask before a closing that bridged the gaps between
    bars; default ``mask``)."""
    y0, x0 = origin
    y1, x1 = y0 + inside.shape[0], x0 + inside.shape[1]
    m = np.ascontiguousarray(mask[y0:y1, x0:x1], np.uint8) * inside
    if m.size == 0:
        return None
    n, lab, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        m, 8, cv2.CV_16U, cv2.CCL_SPAGHETTI)
    if n <= 1:
        return None
    rc = float(rot_centre)
    edge = np.zeros(n, bool)
    edge[lab[rim.view(bool)]] = True           # the pieces on the rim
    cand = []
    # (a quarter turn at >= 10 mm from the centre covers >= 8 pixels of 2 mm: the specks
    # of noise a threshold leaves are not looked at; the rest are few - plain Python)
    big = np.flatnonzero(stats[1:, 4] * px_mm * px_mm >= 32.0) + 1
    if not polar:
        big = big[~edge[big]]
    for k, (bx, by, w, h, _) in zip(big.tolist(), stats[big].tolist()):
        xs = (bx + x0 - 0.5 - rc, bx + x0 + w - 0.5 - rc)
        ys = (by + y0 - 0.5 - rc, by + y0 + h - 0.5 - rc)
        if xs[0] <= 0 <= xs[1] and ys[0] <= 0 <= ys[1]:
            cand.append(k)                    # the box holds the centre
            continue
        mid = math.atan2(ys[0] + ys[1], xs[0] + xs[1])
        rel = [(math.atan2(y, x) - mid + math.pi) % (2 * math.pi) - math.pi
               for x in xs for y in ys]
        if math.degrees(max(rel) - min(rel)) >= RING_BAND_DEG:
            cand.append(k)
    if not cand:
        return None
    deg, rad = _polar(mask.shape, rc)
    band = np.zeros(n, bool)
    wide = np.zeros(n, bool)          # a quarter turn, not thin (ring layout 3)
    for k in cand:
        bx, by, w, h = (int(v) for v in stats[k, :4])
        own = lab[by:by + h, bx:bx + w] == k
        sl = np.s_[by + y0:by + y0 + h, bx + x0:bx + x0 + w]
        if _subtends(deg[sl][own]) < RING_BAND_DEG:
            continue
        if edge[k]:                   # (on the rim: only its ring band, ring layout 3)
            wide[k] = _deep_quarter(own, sl, deg, inside, (y0, x0), max_mm / px_mm)
            continue
        r = rad[sl][own]
        if 3.29 * float(r.std()) * px_mm > max_mm:
            wide[k] = polar
            continue
        band[k] = True
    out = np.zeros(mask.shape, bool)
    if band.any():
        out[y0:y1, x0:x1] = band[lab]
    if wide.any():
        pieces = np.zeros(mask.shape, np.uint8)
        pieces[y0:y1, x0:x1] = wide[lab].view(np.uint8)
        stop = np.ones(mask.shape, np.uint8)     # the rim and everything off the disc
        stop[y0:y1, x0:x1] = (1 - inside) | rim
        cont = pieces if unbroken is None else pieces & (unbroken > 0).view(np.uint8)
        pb = _polar_bands(pieces, cont, stop, rc, px_mm, max_mm)
        if pb is not None:
            out |= pb
    return out if out.any() else None


POLAR_STEP = 0.5       # px per radius sample of _polar_bands' map (1 degree per column)


def _deep_quarter(own: np.ndarray, sl: tuple, deg: np.ndarray, inside: np.ndarray,
                  origin: tuple[int, int], depth: float) -> bool:
    """Whether a piece on the rim (``own``: its pixels in the box ``sl`` of the grid)
    reaches more than ``depth`` px inside the search's disc over a quarter turn about the
    rotation centre - the phantom's edge and its halo never do; a ring that has grown into
    them does (only then is the piece looked at in polar coordinates)."""
    y0, x0 = origin
    ys, xs = sl
    deep = cv2.erode(inside, _disc(2 * int(math.ceil(depth)) + 1))
    d = deep[ys.start - y0:ys.stop - y0, xs.start - x0:xs.stop - x0].view(bool) & own
    return bool(d.any()) and _subtends(deg[sl][d]) >= RING_BAND_DEG


def _subtends(degrees: np.ndarray) -> int:
    """The angle (whole degrees) that pixels in these 1-degree bins (a non-empty int array,
    0-359) subtend about the rotation centre: 360 less the largest empty gap between them."""
    seen = np.zeros(360, bool)
    seen[degrees] = True
    bins = np.flatnonzero(seen)
    gap = max(int(np.max(bins[1:] - bins[:-1])) if bins.size > 1 else 0,
              int(bins[0] + 360 - bins[-1])) - 1
    return 360 - gap


@lru_cache(maxsize=8)
def _polar_maps(shape: tuple[int, int], rc: float) -> tuple[np.ndarray, np.ndarray]:
    """(the grid pixel (flat index; -1 off the grid) that each sample of the polar map -
    radius POLAR_STEP px x 1 degree about (rc, rc) - takes: OpenCV's nearest-neighbour
    remap of the pixels' indices; every grid pixel's flat index into that map)
    (read-only)."""
    nr = int(math.hypot(max(rc, shape[1] - rc), max(rc, shape[0] - rc)) / POLAR_STEP) + 2
    th = np.radians(np.arange(360) + 0.5)
    rr = np.arange(nr) * POLAR_STEP
    mx = (rc + rr[:, None] * np.cos(th)[None]).astype(np.float32)
    my = (rc + rr[:, None] * np.sin(th)[None]).astype(np.float32)
    index = np.arange(shape[0] * shape[1], dtype=np.float64).reshape(shape)
    src = cv2.remap(index, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                    borderValue=-1).astype(np.int64)
    deg, rad = _polar(shape, rc)
    back = np.minimum(np.rint(rad / POLAR_STEP).astype(np.int64), nr - 1) * 360 + deg
    for a in (src, back):
        a.flags.writeable = False
    return src, back


def _polar_bands(pieces: np.ndarray, cont: np.ndarray, stop: np.ndarray, rc: float,
                 px_mm: float, max_mm: float) -> np.ndarray | None:
    """The ring band inside wide pieces (ring layout 3): in polar coordinates about the
    rotation centre (POLAR_STEP px x 1 degree) every radial run of the pieces is thin
    (within ``max_mm``, off the rim: ``stop`` 1 there and off the disc) or not - where the
    ring crosses an insert or a bar group, ring and structure are one thick run. At a
    radius (+-1 sample) an unbroken angular stretch of ``cont`` (uint8, within the
    pieces) - a thick crossing continues it, an empty column ends it - whose thin columns
    add up to RING_BAND_DEG or more is a ring's band; its thin runs through that radius
    are returned (grid bool; None: none), the thick crossings stay out (the structure; a
    thin chord at an insert's side, where the ring joins it, comes with the ring).
    A row of separate bars or inserts on a circle is broken by the empty columns between
    them (in ``cont``: the structure mask before its closing). The map's work is
    :func:`app.ct.ai.compiled.polar_band` (compiled where the kernels are warm)."""
    src, back = _polar_maps(pieces.shape, float(rc))
    pix = np.flatnonzero(pieces)
    if pix.size == 0:
        return None
    at = back.ravel()[pix]                              # the pieces' samples: radius x 360
    lo = max(0, int(at.min()) // 360 - 2)               # (only the radii they reach:
    hi = min(src.shape[0], int(at.max()) // 360 + 3)    # the map's rows lo .. hi - 1)
    bits = (pieces | (cont << 1) | (stop << 2)).ravel()   # 1 the pieces, 2 cont, 4 stop
    band = ring_polar_band(bits, src[lo:hi], POLAR_STEP, px_mm, max_mm,
                           int(RING_BAND_DEG))          # (360, radii)
    keep = band[at % 360, at // 360 - lo]               # each piece pixel's sample
    if not keep.any():
        return None
    out = np.zeros(pieces.shape, bool)
    out.ravel()[pix[keep]] = True
    return out


def _ring_part(g: np.ndarray, centre: tuple[float, float], radius_mm: float, noise: float,
               body_hu: float, rot_centre: float, local: bool = False,
               concentric: int = 0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(5 mm residual, 2 mm grid, ring sums, ring counts) of one slice: the ring part of
    :func:`slice_evidence`; ``local``: also without :func:`local_objects` (the ring
    gate's measure; the evidence features are without it); ``concentric``: the masks'
    ring bands stay in the search (:func:`ring_bands`; 1: ring layout 2, 2: ring layout 3,
    also the polar bands)."""
    resid = g - cv2.blur(g, (5, 5), borderType=cv2.BORDER_REFLECT)
    # ring: per radius bin x sector sums of the residual about the rotation centre;
    # structures - also low-contrast ones: 2 mm means beyond max(2 SD, 12 HU), about 4 SD
    # of such a mean, at least 6 mm across - with their high-pass halo and busy patches -
    # most pixels of 9 x 9 mm beyond 2 SD: bar patterns, wire ramps - are left out
    g2 = cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)
    busy = (np.abs(resid) > np.float32(2.0 * noise)).view(np.uint8) * np.uint8(255)
    excl = cv2.blur(busy, (STRUCT_BOX, STRUCT_BOX)) >= np.uint8(255 * STRUCT_FRACTION)
    raw = np.abs(g2 - np.float32(body_hu)) > max(RING_STRUCT_SD * noise, RING_STRUCT_HU)
    closed = _closed(raw) if concentric else None
    low = _compact(raw, closed)
    if concentric:
        # (the bands on the 2 mm grid, where pixel j covers 1 mm pixels 2j and 2j + 1: a
        # quarter of the work; a busy 2 mm pixel is one with a busy 1 mm pixel). The
        # search's disc reaches to 0.5 mm inside the phantom's edge: a piece on its rim
        # reaches the edge (its shell and halo, the air) and is no band
        rc2 = (rot_centre - 0.5) / 2.0
        c2x, c2y = (centre[0] - 0.5) / 2.0, (centre[1] - 0.5) / 2.0
        r2 = (radius_mm - RING_EDGE_MM) / 2.0 + 3.0
        # (the disc's box: the masks are labelled there, the same pieces)
        by0, bx0 = max(0, math.floor(c2y - r2)), max(0, math.floor(c2x - r2))
        by1 = max(by0, min(g2.shape[0], math.ceil(c2y + r2) + 1))
        bx1 = max(bx0, min(g2.shape[1], math.ceil(c2x + r2) + 1))
        yy, xx = ogrid(by0, by1, bx0, bx1)
        d2 = (xx - c2x) ** 2 + (yy - c2y) ** 2
        inside = (d2 <= r2 * r2).view(np.uint8)
        rim = inside & (d2 > (r2 - 1.5) ** 2).view(np.uint8)
        if excl.any():
            busy2 = cv2.resize(excl.view(np.uint8) * np.uint8(255), (g2.shape[1], g2.shape[0]),
                               interpolation=cv2.INTER_AREA)
            band = ring_bands(busy2, rc2, 2.0, RING_BUSY_MM, inside, rim, (by0, bx0),
                              polar=concentric >= 2)
            if band is not None:
                _up2_into(excl, band, keep=True)
    if low is not None:
        low = cv2.dilate(low, np.ones((3, 3), np.uint8))   # the structures' halo
        if closed is not None:                  # ring layout 2
            # the pieces as thresholded and closed, before the 6 mm opening: it breaks a
            # strong thin ring of small radius where the ring runs diagonally to the
            # grid (a 300 HU ring at 30 mm: four pieces of < 90 degrees each)
            band = ring_bands(closed, rc2, 2.0, RING_STRUCT_MM, inside, rim, (by0, bx0),
                              polar=concentric >= 2, unbroken=raw.view(np.uint8))
            if band is not None:
                low[cv2.dilate(band.view(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 0
        _up2_into(excl, low, keep=False)
    if local:
        obj = local_objects(resid, noise, rot_centre)
        if obj is not None:
            excl |= obj
    rs, rc = ring_sums(resid, excl, centre, radius_mm - RING_EDGE_MM, rot_centre)
    return resid, g2, rs, rc


@dataclass(frozen=True)
class SliceRing:
    """The ring part of one slice's evidence (:func:`slice_ring`): what
    :func:`stack_ring_z` adds over a stack, and the key :func:`stack_evidence` groups the
    slices by (the streak map's size: slices of another phantom radius are left out)."""

    ring_s: np.ndarray
    ring_c: np.ndarray
    ring_scale: float
    key: int
    noise: float = float("nan")    # the grid's noise SD (the amplitude feature's unit)
    spec: np.ndarray | None = None  # the streak spectrum (``spec=True``; the evidence's)


def streak_key(radius_mm: float) -> int:
    """The streak map's radius (px) of a slice: its shape follows from it alone."""
    return int(min(INNER * radius_mm, STREAK_CROP / 2 - 2) / STREAK_PX)


def slice_ring(grid: np.ndarray, centre: tuple[float, float], radius_mm: float, noise: float,
               body_hu: float, rot_centre: float = GRID_C, local: bool = False,
               concentric: int = 0, spec: bool = False) -> SliceRing | None:
    """Only the ring part of :func:`slice_evidence` (the same sums, bit for bit); with
    ``local`` also without the local objects (:func:`local_objects`: the ring gate's);
    ``concentric``: 1 / 2 ring layout 2 / 3 (see :func:`ring_bands`); ``spec``: also the streak
    spectrum (the evidence's ``spec``, from the same residual)."""
    if not (math.isfinite(noise) and noise > 0 and radius_mm > 20):
        return None
    resid, _, rs, rc = _ring_part(np.asarray(grid, np.float32), centre, radius_mm, noise,
                                  body_hu, rot_centre, local, concentric)
    sp = _spectrum(resid, centre, radius_mm, noise) if spec else None
    return SliceRing(rs, rc, sector_scale(rs, rc), streak_key(radius_mm), float(noise), sp)


def _stack_ring(same: list) -> dict[str, float]:
    """``ring_stats`` of the stack's slices (SliceEvidence or SliceRing: ``ring_s``,
    ``ring_c``, ``ring_scale``): the three slices' sums (a detector ring: the same radius
    on every slice; the arrays added in order: np.sum over the stacked slices, bit for
    bit), the scale the root mean square of theirs."""
    return ring_stats(*_stack_sums(same))


def _stack_sums(same: list) -> tuple[np.ndarray, np.ndarray, float]:
    """(sums, counts, scale) of a stack's slices (see :func:`_stack_ring`)."""
    rs, rc = same[0].ring_s.copy(), same[0].ring_c.copy()
    for e in same[1:]:
        rs += e.ring_s
        rc += e.ring_c
    scales = [e.ring_scale for e in same if math.isfinite(e.ring_scale)]
    return rs, rc, (math.sqrt(sum(v * v for v in scales) / len(scales))
                    if scales else float("nan"))


def stack_ring_z(rings: list[SliceRing | None]) -> tuple[float, float]:
    """(ring_mf3, ring_mf3_arc) of a 3-slice stack (centre = rings[1]) from the slices'
    ring parts: the values :func:`stack_evidence` gives those features (0 when the
    centre slice carries no evidence)."""
    c = rings[1]
    if c is None:
        return 0.0, 0.0
    ring = _stack_ring([e for e in rings if e is not None and e.key == c.key])
    # (float32 and NaN as 0: the feature vector's own values)
    z, za = np.nan_to_num(np.array([min(ring["z"], 40.0) / 5.0,
                                    min(ring["z_arc"], 40.0) / 5.0], np.float32), nan=0.0)
    return float(z), float(za)


def stack_ring_gate_z(rings: list[SliceRing | None], full_min: float, arc_min: float
                      ) -> tuple[float, float]:
    """The ring gate's (full, arc) z / 5 of a 3-slice stack (centre = rings[1]) from the
    slices' ring parts (``slice_ring(..., local=True)``): :func:`stack_ring_z`'s, but a
    radius counts only where its sectors read one ring or one arc
    (``ring_evidence.ring_gate_z``; ``full_min`` / ``arc_min``: the gate's levels, z)."""
    c = rings[1]
    if c is None:
        return 0.0, 0.0
    z, za = ring_gate_z(*_stack_sums([e for e in rings if e is not None and e.key == c.key]),
                        full_min, arc_min)
    return min(z, 40.0) / 5.0, min(za, 40.0) / 5.0


def _ring_features(ring: dict[str, float], noise: float) -> list[float]:
    """The ring slots of EVIDENCE_NAMES (RING_EVIDENCE_NAMES' order) from ``ring_stats``."""
    return [min(ring["z_edge"], 40.0) / 5.0, min(ring["z_arc"], 40.0) / 5.0,
            min(abs(ring["amp"]) / noise, 5.0), ring["cover"], min(ring["z"], 40.0) / 5.0]


def stack_ring_features(rings: list[SliceRing | None]) -> np.ndarray:
    """The ring evidence alone (``RING_EVIDENCE_NAMES``) of a 3-slice stack, centre =
    rings[1], from the slices' ring parts (:func:`slice_ring` without ``local``): the
    values :func:`stack_evidence` gives those slots, bit for bit, at a fraction of the
    cost (no streak line sums, spectrum or cupping); zeros when the centre slice
    carries no evidence (the ``grid1mm_context_ring`` layout)."""
    c = rings[1]
    if c is None:
        return np.zeros(len(RING_EVIDENCE_NAMES), np.float32)
    ring = _stack_ring([e for e in rings if e is not None and e.key == c.key])
    return np.nan_to_num(np.array(_ring_features(ring, c.noise), np.float32), nan=0.0)


def _streak_z(t: np.ndarray) -> tuple[float, float, tuple[int, int]]:
    sd = _mad_sd(t.ravel()[::2])     # (every other line: the same spread, half the work)
    if not math.isfinite(sd) or sd <= 0:
        return 0.0, 0.0, (0, 0)
    a = np.where(np.isfinite(t), np.abs(t), -1.0)
    k = np.unravel_index(int(np.argmax(a)), a.shape)
    return float(a[k] / sd), sd, (int(k[0]), int(k[1]))


def _spec_z(e: np.ndarray) -> float:
    """The strongest direction's power excess over the directions' robust SD: (max -
    _median) / _mad_sd, from one sort of the 60 values (the same order statistics as
    their partitions, the same arithmetic: the same value, in a quarter of the time)."""
    v = np.sort(e)
    n = v.size
    if n < 16 or not (math.isfinite(float(v[0])) and math.isfinite(float(v[-1]))):
        sd = _mad_sd(e)
        return float((e.max() - _median(e)) / sd) if math.isfinite(sd) and sd > 0 else 0.0
    k1, k3 = (n - 1) // 4, (3 * (n - 1)) // 4
    sd = float((v[k3] - v[k1]) / 1.349)                  # = _mad_sd(e)
    med = float(0.5 * (v[(n - 1) // 2] + v[n // 2]))    # = _median(e)
    return float((v[-1] - med) / sd) if sd > 0 else 0.0


def stack_spec_z(specs: list[tuple[int, np.ndarray] | None]) -> float:
    """The 3-slice streak spectrum's z of a stack (``streak_spec3`` of
    :func:`stack_evidence` x 5, not capped), centre = specs[1]: each slice's (streak key,
    spectrum) - :func:`streak_key` of its radius - or ``None``; the slices of another
    key are left out as there. NaN when the centre has none."""
    c = specs[1]
    if c is None:
        return float("nan")
    same = [s for k, s in (x for x in specs if x is not None) if k == c[0]]
    return _spec_z(np.mean(np.stack(same), axis=0)) if len(same) > 1 else _spec_z(c[1])


def stack_evidence(ev: list[SliceEvidence | None]) -> np.ndarray:
    """The evidence features (``EVIDENCE_NAMES``) of a 3-slice stack, centre = ev[1];
    zeros when the centre slice carries no evidence."""
    c = ev[1]
    out = np.zeros(len(EVIDENCE_NAMES), np.float32)
    if c is None:
        return out
    same = [e for e in ev if e is not None and e.streak.shape == c.streak.shape]
    ring = _stack_ring(same)
    rf = _ring_features(ring, c.noise)
    out[:] = [*rf[:4], *_streak_features(c, same), float(np.clip(c.cupping / 10.0, -20, 20)),
              rf[4]]
    return np.nan_to_num(out, nan=0.0)


def _streak_features(c: Any, same: list) -> list[float]:
    """(streak_z, streak_z3, streak_zmin, streak_spec, streak_spec3) of a stack, evidence
    scale, from its centre ``c`` and its slices of the centre's streak map size ``same``
    (SliceEvidence or SliceStreak: ``streak``, ``spec`` and their scores)."""
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
    return [min(s1, 60.0) / 5.0, min(s3, 60.0) / 5.0, float(np.clip(zmin, -20.0, 60.0)) / 5.0,
            min(sp1, 60.0) / 5.0, min(sp3, 60.0) / 5.0]


STREAK_NAMES = ("streak_z", "streak_z3", "streak_zmin", "streak_spec", "streak_spec3")


def stack_streak(ev: list[SliceStreak | None]) -> np.ndarray | None:
    """The streak features (``STREAK_NAMES``, evidence scale: :func:`stack_evidence`'s
    values, float32, NaN as 0) of a 3-slice stack from its slices' streak parts
    (:func:`slice_streak`), centre = ev[1]; None when the centre has none."""
    c = ev[1]
    if c is None:
        return None
    same = [e for e in ev if e is not None and e.streak.shape == c.streak.shape]
    return np.nan_to_num(np.array(_streak_features(c, same), np.float32), nan=0.0)
