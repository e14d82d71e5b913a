"""Scanner-independent input of the CT phantom classifier, 2.0 (Qt-free, numpy + cv2).

What a scanner changes without changing the class - pixel size, matrix, field of view,
kernel (smooth to edge-enhancing), noise texture, the phantom's body values, padding and
rescale conventions - is taken out here, by measurement, before the network sees a pixel:

* geometry: every slice is area-resampled to a fixed physical pixel (1.0 mm) on a
  256 x 256 mm field about the reconstruction centre (padding and the outside of the
  reconstruction circle, < -1100 HU, become air);
* intensities: the network sees HU minus the module's own body median (so a +40 HU
  CTP515 body or a +-20 HU production offset looks like any other body), and residual
  maps divided by the slice's robust noise SD (so a ring or a streak is measured in noise
  units, whatever the NPS);
* physical context (one vector per slice, measured at the NATIVE pixel size where it
  matters): log noise SD (native and 1 mm), the air level around the phantom minus
  -1000 HU (a CT-number calibration shift moves air and water alike; a body offset
  does not), the 15 mm central-disc step to each neighbour slice (the physics band
  measure), and the edge spread function of the phantom's outer edge (48 bins of
  0.25 mm, normalised air 0 .. body 1: blur and kernel overshoot independent of pixel
  size and contrast).

A slice the classifier cannot judge gets a reason instead (no phantom of the expected
size, a body that is not round or is elliptical, a dense skull-like shell, phantom cut by
the field of view, pixel size outside 0.25..1.25 mm, no air around the phantom, noise
beyond any CT scan, metal in the field - :mod:`metal`): "AI not applicable".
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from app.ct.ai.compiled import disc_every, gather_bin_sums
from app.ct.ai.evidence import (EVIDENCE_NAMES, RING_EVIDENCE_NAMES, SliceEvidence, SliceRing,
                                slice_evidence, slice_ring, slice_spectrum, stack_evidence,
                                stack_ring_features)
from app.ct.ai.grid_field import (GRID_MM, GRID_N, PAD_BELOW_HU, _cut_zone,  # noqa: F401
                                  _mask_to_grid, _outside_field, clean_padding,
                                  grid_rotation_centre, ogrid, padding_mask, to_grid)
from app.ct.ai.metal import metal_problem
from app.ct.note_codes import note

ESF_BIN_MM, ESF_HALF_MM = 0.25, 6.0
ESF_BINS = int(round(2 * ESF_HALF_MM / ESF_BIN_MM))
BAND_DISC_MM = 15.0
PIXEL_RANGE_MM = (0.25, 1.25)
RADIUS_RANGE_MM = (60.0, 140.0)
MIN_AXIS_RATIO = 0.90    # minor / major axis of the body (training slices: >= 0.95)
SHELL_MAX_HU = 400.0     # ring 2-8 mm inside the edge over the body (training: <= 125)
# context layout: the network's physical features, then the body median (used by the
# graph to centre the intensities, not a feature)
CONTEXT_NAMES = (["log_noise_native", "log_noise_1mm", "air_offset", "band_prev",
                  "band_next"] + [f"esf_{i}" for i in range(ESF_BINS)] + ["body_hu"])
N_FEATURES = len(CONTEXT_NAMES) - 1
N_CONTEXT = len(CONTEXT_NAMES)
# the context of models whose card names the ``grid1mm_context_evidence`` scheme (2.3
# candidate): the same features, then the ring / streak / cupping evidence of
# app/ct/ai/evidence.py, the body median last
CONTEXT_NAMES_EVIDENCE = CONTEXT_NAMES[:-1] + list(EVIDENCE_NAMES) + ["body_hu"]
N_CONTEXT_EVIDENCE = len(CONTEXT_NAMES_EVIDENCE)
# the context of models whose card names the ``grid1mm_context_ring`` scheme (2.9): the same
# features, then the ring evidence alone (app/ct/ai/evidence.py, RING_EVIDENCE_NAMES), the
# body median last
CONTEXT_NAMES_RING = CONTEXT_NAMES[:-1] + list(RING_EVIDENCE_NAMES) + ["body_hu"]
N_CONTEXT_RING = len(CONTEXT_NAMES_RING)
# which evidence a layout measures: False none, True all of EVIDENCE_NAMES, RING the ring's,
# RING2 the ring's with the masks' ring bands kept in the search (the
# ``grid1mm_context_ring2`` scheme, 2.13: evidence.ring_bands; the same names), RING3 also
# the bands of a ring grown into the structures it crosses (``grid1mm_context_ring3``:
# evidence._polar_bands; the same names)
RING = "ring"
RING2 = "ring2"
RING3 = "ring3"
RING_LAYOUTS = (RING, RING2, RING3)
Evidence = bool | str


def concentric_level(evidence: Evidence) -> int:
    """evidence.slice_ring's ``concentric`` of a layout: 0 (layout 1 and no ring layout),
    1 (RING2), 2 (RING3)."""
    return {RING2: 1, RING3: 2}.get(evidence, 0) if isinstance(evidence, str) else 0


def context_size(evidence: Evidence) -> int:
    """Length of the context vector of a layout (no evidence, all of it, the ring's)."""
    if evidence in RING_LAYOUTS:
        return N_CONTEXT_RING
    return N_CONTEXT_EVIDENCE if evidence else N_CONTEXT


@dataclass
class SliceFacts:
    """What one slice measures (native pixel and 1 mm grid); ``problem`` when it cannot
    be judged."""

    grid: np.ndarray               # (256, 256) float32 HU at 1 mm
    centre: tuple[float, float]    # phantom centre on the grid (col, row), px
    radius_mm: float
    body_hu: float
    air_offset: float
    noise_native: float
    noise_grid: float
    esf: np.ndarray
    problem: str = ""
    evidence: SliceEvidence | None = None   # measured when the model's layout asks for it
    ring: SliceRing | None = None           # the ring part alone (the ring layout)
    spec: np.ndarray | None = None          # the streak spectrum (``spectrum=True``)


def median(v: np.ndarray) -> np.floating:
    """``np.median(v)`` of a 1-D array, the same value and type (bit for bit), in an
    eighth of its time on large arrays: one partition about the upper middle index (a
    partition about both middle indices is ~8 times slower), the lower middle value is
    the largest value below it; the two are averaged as ``np.median`` does (their sum in
    the array's type, halved: exact). Integers, NaN and tiny arrays: ``np.median``."""
    n = v.size
    if n < 64 or v.dtype.kind != "f" or np.isnan(v.sum()):   # (NaN: np.median's own answer)
        return np.median(v)
    k2 = n // 2
    part = np.partition(v, k2)
    if n % 2:
        return part[k2]
    return (part[:k2].max() + part[k2]) / v.dtype.type(2)


def robust_noise(a: np.ndarray, mask: np.ndarray, box_px: int) -> float:
    """Robust SD (MAD) of the high-pass residual (image minus a box mean) over ``mask``."""
    box_px = max(3, box_px | 1)
    hp = a - cv2.blur(a, (box_px, box_px), borderType=cv2.BORDER_REFLECT)
    return _mad_sd(hp[mask][::3], box_px)   # every 3rd pixel: the same SD, a third of the work


def _mad_sd(v: np.ndarray, box_px: int) -> float:
    """robust_noise's SD of the residuals ``v`` (box_px: the odd box)."""
    if v.size < 50:
        return float("nan")
    med = median(v)
    # a box of k x k pixels leaves (1 - 1/k^2) of a white noise variance
    return float(1.4826 * median(np.abs(v - med)) / math.sqrt(1 - 1 / box_px ** 2))


def robust_noise_disc(a: np.ndarray, cx: float, cy: float, r_px: float, box_px: int) -> float:
    """robust_noise over the disc (cx, cy, r_px), computed on the disc's bounding box plus
    the box filter's reach only (the same pixels, the same high-pass values)."""
    k = max(3, box_px | 1)
    m = k // 2 + 1
    n0, n1 = a.shape
    y0, y1 = max(0, int(math.floor(cy - r_px)) - m), min(n0, int(math.ceil(cy + r_px)) + m + 1)
    x0, x1 = max(0, int(math.floor(cx - r_px)) - m), min(n1, int(math.ceil(cx + r_px)) + m + 1)
    if y1 - y0 < k or x1 - x0 < k:
        return robust_noise(a, _disc_mask(a.shape, cx, cy, r_px), box_px)
    win = np.ascontiguousarray(a[y0:y1, x0:x1])
    low = cv2.blur(win, (k, k), borderType=cv2.BORDER_REFLECT)
    # (the disc's every 3rd residual in row-major order: robust_noise's hp[mask][::3],
    # one compiled pass where app/ct/ai/compiled.py is warmed up)
    return _mad_sd(disc_every(win, low, y0, x0, cx, cy, r_px * r_px, 3), k)


def _disc_mask(shape: tuple[int, int], cx: float, cy: float, r_px: float) -> np.ndarray:
    yy, xx = ogrid(0, shape[0], 0, shape[1])
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= r_px * r_px


@lru_cache(maxsize=16)
def _edge_box(n: int, cx4: int, cy4: int, r_box: int, reach: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """(flat indices into the n x n slice, distances (px) from the centre) of the pixels
    of the box around the edge that can lie within ``reach`` of an edge radius in
    (r_box - 2, r_box - 1], sorted by distance (stable: the box's row-major order among
    equal distances; centre in quarter pixels: an azimuthal average does not feel a 1/8
    pixel shift; the slices of one series share the box)."""
    cx, cy = cx4 / 4, cy4 / 4
    lo, hi = max(0, int(cy - r_box - reach - 2)), min(n, int(cy + r_box + reach + 3))
    lo_x, hi_x = max(0, int(cx - r_box - reach - 2)), min(n, int(cx + r_box + reach + 3))
    yy, xx = np.mgrid[lo:hi, lo_x:hi_x]
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2).ravel()
    near = np.nonzero(np.abs(dist - r_box) < reach + 3)[0]
    near = near[np.argsort(dist[near], kind="stable")]
    flat, d = (yy.ravel() * n + xx.ravel())[near], dist[near]
    flat.flags.writeable = False
    d.flags.writeable = False
    return flat, d


def edge_spread(a: np.ndarray, cx: float, cy: float, r_px: float, pixel_mm: float,
                body_hu: float) -> np.ndarray:
    """Azimuthally averaged profile across the phantom's outer edge, r - R from -6 to +6 mm
    in 0.25 mm bins, normalised to air 0 .. body 1 (body side first)."""
    flat, dist = _edge_box(a.shape[0], int(round(cx * 4)), int(round(cy * 4)),
                           int(math.ceil(r_px)) + 1, int(math.ceil(ESF_HALF_MM / pixel_mm)))
    # the pixels within 6 mm of the edge radius: one run of the distance-sorted box (d
    # rises with the distance), found on a window a hundredth of a pixel wider
    half = ESF_HALF_MM / pixel_mm
    j0 = int(np.searchsorted(dist, r_px - half - 0.01, side="left"))
    j1 = int(np.searchsorted(dist, r_px + half + 0.01, side="right"))
    d = (dist[j0:j1] - r_px) * pixel_mm
    i0 = int(np.searchsorted(d, -ESF_HALF_MM, side="right"))
    i1 = int(np.searchsorted(d, ESF_HALF_MM, side="left"))
    u = d[i0:i1] + ESF_HALF_MM
    u /= ESF_BIN_MM
    b = u.astype(np.int64)
    np.clip(b, 0, ESF_BINS - 1, out=b)
    # (b rises along the run: each bin's count is where its run starts and ends)
    cnt = np.diff(np.searchsorted(b, np.arange(ESF_BINS + 1)))
    s = gather_bin_sums(np.ascontiguousarray(a).ravel(), flat[j0 + i0:j0 + i1], b, ESF_BINS)
    prof = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
    if np.isnan(prof).any():
        idx = np.arange(ESF_BINS)
        ok = ~np.isnan(prof)
        if ok.sum() < ESF_BINS // 2:
            return np.full(ESF_BINS, np.nan)
        prof = np.interp(idx, idx[ok], prof[ok])
    air = float(np.mean(prof[-4:]))
    body = float(np.mean(prof[:4]))
    if body - air < 300:
        return np.full(ESF_BINS, np.nan)
    return ((prof - air) / (body - air)).astype(np.float32)


def phantom_mask(g: np.ndarray) -> np.ndarray:
    """The phantom on the 1 mm grid: > -500 HU, opened by a 7 mm disc (a couch top or
    a thin line is not the phantom), the largest connected part."""
    m: np.ndarray = (g > -500.0).astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    # the parts are labelled on the bounding box of what the opening left (the same
    # parts, a quarter less work)
    x, y, w, h = cv2.boundingRect(m)
    if w == 0:
        return m.astype(bool)
    # (the labels without OpenCV's statistics - a fifth of the time -, the parts' areas
    # by bincount: the same labels, the same largest part, the first of equal ones)
    sub = np.ascontiguousarray(m[y:y + h, x:x + w])
    n, lab = cv2.connectedComponents(sub, connectivity=8)
    out = np.zeros(g.shape, bool)
    if n == 2:                      # one part: all of it
        out[y:y + h, x:x + w] = sub.view(bool)
        return out
    k = 1 + int(np.argmax(np.bincount(lab.ravel(), minlength=n)[1:]))
    out[y:y + h, x:x + w] = lab == k
    return out


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D bool mask (rows, columns: int64, row-major order), by
    OpenCV's scan (the same pixels in the same order, ~2.5 x faster)."""
    pts = cv2.findNonZero(np.ascontiguousarray(mask).view(np.uint8))
    if pts is None:
        return np.nonzero(mask)
    pts = pts.reshape(-1, 2)
    return pts[:, 1].astype(np.int64), pts[:, 0].astype(np.int64)


def _reach(b8: np.ndarray, cx: float, cy: float) -> float:
    """The largest distance (px) of a body pixel from (cx, cy), on the body's edge
    pixels only (those with a neighbour outside the body or the grid): an inner pixel
    has a neighbour at least 1 px^2 farther, so the largest distance - the same float
    expression of the same pixel - is an edge pixel's."""
    edge = cv2.subtract(b8, cv2.erode(b8, _ONES3, borderType=cv2.BORDER_CONSTANT,
                                      borderValue=0))
    ys, xs = _nonzero(edge)
    dx, dy = xs - cx, ys - cy
    return float(np.sqrt((dx ** 2 + dy ** 2).max()))


_ONES3 = np.ones((3, 3), np.uint8)


def slice_facts(native: np.ndarray, pixel_mm: float, evidence: Evidence = False,
                spectrum: bool = False) -> SliceFacts:
    """Measure one native slice (HU) and put it on the 1 mm grid (``evidence``: also the
    ring / streak / cupping profiles of app/ct/ai/evidence.py on the grid; RING: the ring
    profiles alone; ``spectrum``: the streak spectrum in ``spec`` whatever the layout -
    the measured-streak rule's, app/ct/ai/streak_measured.py)."""
    a, pad, const = clean_padding(native)
    g = to_grid(a, pixel_mm)
    unmeasured = _mask_to_grid(pad, pixel_mm)
    # the field's edge: outside the native field or its constant padding (noisy air
    # below -1100 HU is not an edge)
    field_edge = unmeasured if np.array_equal(pad, const) else _mask_to_grid(const, pixel_mm)
    nan_esf = np.full(ESF_BINS, np.nan, np.float32)
    if not PIXEL_RANGE_MM[0] <= pixel_mm <= PIXEL_RANGE_MM[1]:
        return SliceFacts(g, (128.0, 128.0), 0.0, 0.0, 0.0, 0.0, 0.0, nan_esf,
                          note("ai.na_pixel", pixel_mm=float(pixel_mm),
                               lo_mm=PIXEL_RANGE_MM[0], hi_mm=PIXEL_RANGE_MM[1]))
    body = phantom_mask(g)
    area = float(np.count_nonzero(body))
    r_mm = math.sqrt(area / math.pi) * GRID_MM
    if area < 100:
        return SliceFacts(g, (128.0, 128.0), 0.0, 0.0, 0.0, 0.0, 0.0, nan_esf,
                          note("ai.na_no_body"))
    # the centre from the body's moments: integer sums, exact in double, so the pixels'
    # mean bit for bit (xs.mean(), ys.mean())
    b8 = body.view(np.uint8)
    mom = cv2.moments(b8, binaryImage=True)
    cx, cy = mom["m10"] / mom["m00"], mom["m01"] / mom["m00"]
    problem = ""
    if not RADIUS_RANGE_MM[0] <= r_mm <= RADIUS_RANGE_MM[1]:
        problem = note("ai.na_diameter", lo_mm=2.0 * RADIUS_RANGE_MM[0],
                       hi_mm=2.0 * RADIUS_RANGE_MM[1], body_mm=2.0 * r_mm)
    elif (rmax := _reach(b8, cx, cy) * GRID_MM) > 1.15 * r_mm + 2.0:
        problem = note("ai.na_not_round", reach_mm=rmax, radius_mm=r_mm)
    else:
        # the phantom touches the grid border, the native field's edge or the padding
        if np.count_nonzero(_cut_zone(field_edge) & body) > 3:
            problem = note("ai.na_cut")
        else:
            # an elliptical body (a head or body phantom, a patient): the QC phantoms the
            # AI knows are cylinders (axis ratio >= 0.95 over both renderers' training
            # slices, a tilted gantry included)
            # (the central moments: the sums of dx * dx, dy * dy, dx * dy over the body's
            # pixels, to ~1e-15 relative - the order of the sums differs)
            sxx, syy, sxy = mom["mu20"], mom["mu02"], mom["mu11"]
            h = math.sqrt(max(0.25 * (sxx - syy) ** 2 + sxy * sxy, 0.0))
            n_px = area - 1.0
            ev = [(0.5 * (sxx + syy) - h) / n_px, (0.5 * (sxx + syy) + h) / n_px]
            ratio = math.sqrt(max(ev[0], 0.0) / max(ev[1], 1e-9))
            if ratio < MIN_AXIS_RATIO:
                problem = note("ai.na_elliptical", major_mm=4 * math.sqrt(ev[1]),
                               minor_mm=4 * math.sqrt(max(ev[0], 0.0)))
    # one distance map for the three discs about the centre (= _disc_mask)
    yy, xx = ogrid(0, GRID_N, 0, GRID_N)
    d2 = (xx - cx) ** 2 + (yy - cy) ** 2
    r_in = 0.8 * r_mm / GRID_MM
    in_disc = d2 <= r_in * r_in
    inner = in_disc & body
    body_hu = float(median(g[inner])) if inner.any() else 0.0
    if not problem:
        # a dense shell just inside the outer edge (a skull): QC phantoms' shells are
        # plastic, <= 125 HU above the body over both renderers' training slices
        r_a, r_b = r_mm / GRID_MM - 8.0, r_mm / GRID_MM - 2.0
        ann = (d2 > r_a * r_a) & (d2 < r_b * r_b) & body
        shell = float(median(g[ann])) - body_hu if ann.sum() >= 50 else 0.0
        if shell > SHELL_MAX_HU:
            problem = note("ai.na_shell", over_hu=shell)
    # air: measured pixels (not padding, inside the native field) beyond the phantom
    r_out = r_mm / GRID_MM + 6.0
    outside = ~(d2 <= r_out * r_out) & (g < -500.0) & ~unmeasured
    n, c0 = a.shape[0], GRID_N / 2
    air = float(median(g[outside]) + 1000.0) if outside.sum() >= 200 else float("nan")
    if not problem and not math.isfinite(air):
        problem = note("ai.na_no_air")
    if not problem:
        problem = metal_problem(a, pixel_mm, body_hu)
    noise_grid = robust_noise_disc(g, cx, cy, r_in, 5)     # = robust_noise(g, in_disc, 5)
    # native noise (what the physics noise check measures), on the native pixel
    ncx, ncy = (cx - c0 + 0.5) * GRID_MM / pixel_mm + n / 2 - 0.5, \
               (cy - c0 + 0.5) * GRID_MM / pixel_mm + n / 2 - 0.5
    noise_native = robust_noise_disc(a, ncx, ncy, 0.8 * r_mm / pixel_mm,
                                     int(round(9.0 / pixel_mm)))
    esf = edge_spread(a, ncx, ncy, r_mm / pixel_mm, pixel_mm, body_hu)
    if not problem and not (math.isfinite(noise_native) and math.isfinite(noise_grid)):
        problem = note("ai.na_noise_unmeasured")
    elif not problem and noise_native > 200.0:
        problem = note("ai.na_noise", sd_hu=noise_native)
    elif not problem and np.isnan(esf).any():
        problem = note("ai.na_edge")
    sev, sring = None, None
    spec = None
    if evidence in RING_LAYOUTS and not problem:
        sring = slice_ring(g, (cx, cy), r_mm, noise_grid, body_hu,
                           grid_rotation_centre(n, pixel_mm), concentric=concentric_level(evidence),
                           spec=spectrum)
        spec = sring.spec if sring is not None else None
    elif evidence and not problem:
        sev = slice_evidence(g, (cx, cy), r_mm, noise_grid, body_hu,
                             grid_rotation_centre(n, pixel_mm))
        spec = sev.spec if sev is not None and spectrum else None
    elif spectrum and not problem:
        spec = slice_spectrum(g, (cx, cy), r_mm, noise_grid)
    return SliceFacts(g, (cx, cy), r_mm, body_hu, air, noise_native, noise_grid, esf,
                      problem, sev, sring, spec)


def band_steps(facts: list[SliceFacts]) -> tuple[float, float]:
    """Central-disc (15 mm) median of the centre slice minus each neighbour's (HU)."""
    c = facts[1]
    # the disc's bounding box (the same pixels as a full-size _disc_mask, 1/60 the work)
    r = BAND_DISC_MM / GRID_MM
    x0, y0 = max(0, int(math.floor(c.centre[0] - r))), max(0, int(math.floor(c.centre[1] - r)))
    x1 = min(GRID_N, int(math.ceil(c.centre[0] + r)) + 1)
    y1 = min(GRID_N, int(math.ceil(c.centre[1] + r)) + 1)
    yy, xx = ogrid(y0, y1, x0, x1)
    m = (xx - c.centre[0]) ** 2 + (yy - c.centre[1]) ** 2 <= r * r
    med = [float(median(f.grid[y0:y1, x0:x1][m])) for f in facts]   # (= np.median)
    return med[1] - med[0], med[1] - med[2]


def context_vector(facts: list[SliceFacts], evidence: Evidence = False) -> np.ndarray:
    """The (N_CONTEXT,) physical context of a 3-slice stack (centre = facts[1]);
    ``evidence``: the (N_CONTEXT_EVIDENCE,) layout (the slices measured with evidence),
    RING the (N_CONTEXT_RING,) one."""
    c = facts[1]
    bp, bn = band_steps(facts)
    # (_clip20: np.clip(x, -20, 20) of a scalar, NaN kept; _nan_to_num: np.nan_to_num's
    # values - the same vector, without their per-call overheads, ~35 us a stack)
    v = [math.log(max(c.noise_native, 0.5) / 10.0), math.log(max(c.noise_grid, 0.5) / 10.0),
         _clip20(c.air_offset / 10.0), _clip20(bp / 5.0), _clip20(bn / 5.0)]
    esf = _nan_to_num(np.asarray(c.esf), 0.0, None, None)
    parts = [np.array(v, np.float32), esf.astype(np.float32)]
    if evidence in RING_LAYOUTS:
        parts.append(stack_ring_features([f.ring for f in facts]))
    elif evidence:
        parts.append(stack_evidence([f.evidence for f in facts]))
    out = np.concatenate([*parts, np.array([c.body_hu], np.float32)])
    return _nan_to_num(out, 0.0, 20.0, -20.0)   # problem set elsewhere


def _clip20(x: float) -> float:
    """float(np.clip(x, -20, 20)) of a scalar (NaN stays NaN, -0.0 stays -0.0)."""
    return float(min(max(x, -20.0), 20.0))


def _nan_to_num(a: np.ndarray, nan: float, posinf: float | None, neginf: float | None
                ) -> np.ndarray:
    """np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf) of a float array (a copy;
    None: the type's largest / most negative value, as there); an all-finite array is
    copied as it is."""
    if np.isfinite(a).all():
        return a.copy()
    return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)


def prepare(volume: np.ndarray, pixel_mm: float, indices: list[int], evidence: Evidence = False
            ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(N, 3, 256, 256) grid HU, (N, context_size(evidence)) context and one problem text
    per index ('' when the slice can be judged). Each slice is measured once."""
    nz = volume.shape[0]
    needed = sorted({min(max(j, 0), nz - 1) for i in indices for j in (i - 1, i, i + 1)})
    if len(needed) >= 8 and (os.cpu_count() or 1) > 1:
        # numpy's and OpenCV's array work releases the GIL: the slices of a series are
        # measured on all cores (results identical to one at a time)
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            facts = dict(zip(needed, pool.map(lambda j: slice_facts(volume[j], pixel_mm, evidence),
                                              needed)))
    else:
        facts = {j: slice_facts(volume[j], pixel_mm, evidence) for j in needed}
    x = np.empty((len(indices), 3, GRID_N, GRID_N), np.float32)
    ctx = np.empty((len(indices), context_size(evidence)), np.float32)
    problems = []
    for k, i in enumerate(indices):
        fs = [facts[min(max(j, 0), nz - 1)] for j in (i - 1, i, i + 1)]
        for c, f in enumerate(fs):
            x[k, c] = f.grid
        ctx[k] = context_vector(fs, evidence)
        problems.append(fs[1].problem)
    return x, ctx, problems
