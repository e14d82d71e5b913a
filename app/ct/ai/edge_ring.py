"""Rings at the phantom's edge and in its shell: a physics rule beside the network (Qt-free).

The network's ring evidence (:mod:`ring_evidence`) searches inside the body's radius - 6.5
mm, where the phantom is flat; a detector ring at 90-100 mm lies beside or in the
phantom's 3 mm shell, where partial volume, the PSF and an edge-enhancing kernel's
overshoot make the edge itself a radial signal of hundreds of HU. Neither model learnt
it (a 300 HU ring at 95 mm called normal). This rule measures it from the geometry:

* the phantom's outer edge, shell and body are circles about the PHANTOM centre P; a
  detector ring is a circle about the ROTATION centre C (the reconstruction centre on the
  1 mm grid, ``normalise.grid_rotation_centre``), the same radius on every slice;
* per slice, on the 1 mm grid, P and R (the body's area radius, refined twice by a least
  squares circle through the outer edge of 16 sectors - a couch's sectors left out) and
  the pixels from R - 16 to R + 4 mm about P, averaged per 0.25 mm of u = r_P - R and per
  22.5-degree sector about P; the sectors' median is the slice's own edge profile (any
  kernel, any shell: measured, not modelled);
* (B, off-centre rings) the slice minus its own edge profile at each pixel's r_P leaves
  what is not concentric with the phantom; averaged per 0.5 mm of r_C and per sector about
  C, the sectors' median is a ring's profile about C (a dipole or an ellipse of the edge
  cancels in the median of a full circle). Ring templates (Gaussian, RING_FWHMS) over a
  local line, the best-fitting width: amplitude and z. Not within FIELD_MARGIN of the
  reconstruction field's edge (its padding is a circle about C too);
* (A, a phantom within A_MAX_OFFSET of C: the ring concentric with it, where B sees
  nothing) the series' edge profile is fitted by ONE system's edge response - a blurred
  step of sigma (EDGE_SIGMAS) plus an overshoot lobe of LOBE x sigma, amplitudes free - at
  the shell's inner edge and at the outer edge, a constant and a slope, with and without a
  ring's template (smeared by |P - C|). The inner edge is where the profile, walking
  inward from the shell, falls below the middle of shell and body (a ring further inside
  does not move it); a ring within INNER_GAP of it is not searched: a narrow bump at a
  step is the step moved, which no profile tells apart. The fit's residual variance
  (model mismatch included) scales the z.

The series' profiles are the judged slices' sums (a ring is on every slice; the noise is
not), the sectors' spread per bin the noise unit. A ring: z >= Z_MIN (the physics
criterion's 6), amplitude >= AMP_MIN_SD[test] native noise SD and >= AMP_MIN_HU - set
from both training renderers' clean stacks (docs/image_review.md, "Rings at the
phantom's edge"), never from a foreign series. Not covered: a ring at or in the shell of a
phantom centred within ~2 mm of C (the edge's own position).

Cost per measured slice: one threshold's moments, two subsampled passes and one full pass
over ~13,000 pixels, four bincounts (~0.7 ms CPU); per series the profiles' medians and
one fit of each kind (~3.5 ms; ``benchmarks/image_review/bench_ai_edge_ring.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from app.ct.ai.edge_ring_fit import (A_MAX_OFFSET, DU, DV, NU, NV, U0, U1, V0, fit_a,
                                     fit_b)

SECTORS = 16
Z_MIN = 6.0
# a ring's amplitude over the native noise SD, per test: ~1.4-1.6 x the largest of both
# training renderers' clean stacks at z >= Z_MIN (A 2.1, B 1.55; docs/image_review.md)
AMP_MIN_SD = {"A": 3.0, "B": 2.5}
AMP_MIN_HU = 15.0                      # HU (clean max 10.4)
HEAD = 7                               # ok, cx, cy, R, rc, native noise SD, field radius
NOISE = 5                              # the head's native noise SD
PACKED = HEAD + 2 * NU * SECTORS + 2 * NV * SECTORS


@lru_cache(maxsize=8)
def _offsets(r_lo: int, r_hi: int, n: int, step: int = 1
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(dy, dx, flat offset dy * n + dx, sector) of the pixels at r_lo - 1 <= r < r_hi + 1
    about (0, 0) (``step`` 2: every other row and column), the sector about the pixel the
    centre is rounded to (<= 0.4 degrees off at 90 mm)."""
    k = np.arange(-r_hi - 1, r_hi + 2)
    dy, dx = np.meshgrid(k, k, indexing="ij")
    r = np.hypot(dx, dy)
    m = (r >= r_lo - 1) & (r < r_hi + 1) & (dy % step == 0) & (dx % step == 0)
    sec = ((np.arctan2(dy[m], dx[m]) + math.pi) * (SECTORS / (2 * math.pi))).astype(np.int64) \
        % SECTORS
    out = (dy[m].astype(np.float32), dx[m].astype(np.float32),
           (dy[m] * n + dx[m]).astype(np.int64), sec)
    for arr in out:
        arr.flags.writeable = False
    return out


@lru_cache(maxsize=4)
def _about_rc(rc: float, n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """(r_C bin x SECTORS + sector about C) of every grid pixel, flat (twice); radii
    outside V0..V1 in the dump bin NV."""
    yy, xx = np.mgrid[:n, :n].astype(np.float64)
    dx, dy = xx - rc, yy - rc
    vb = np.floor((np.hypot(dx, dy) - V0) / DV).astype(np.int64)
    vb[(vb < 0) | (vb >= NV)] = NV            # the dump bin
    sec = ((np.arctan2(dy, dx) + math.pi) * (SECTORS / (2 * math.pi))).astype(np.int64) % SECTORS
    idx = (vb * SECTORS + sec).ravel()
    idx.flags.writeable = False
    return idx, idx


def _circle(g: np.ndarray) -> tuple[float, float, float] | None:
    # (the binary image's moments m00, m10, m01 as integer sums - exact, as OpenCV's
    # cv2.moments(binaryImage=True) gives them - without its uint8 copy)
    b = g > -500.0
    cols, rows = np.count_nonzero(b, axis=0), np.count_nonzero(b, axis=1)
    m00 = float(cols.sum())
    if m00 < 2000:
        return None
    m10, m01 = float(cols @ np.arange(cols.size)), float(rows @ np.arange(rows.size))
    return m10 / m00, m01 / m00, math.sqrt(m00 / math.pi)


def _gather(g: np.ndarray, cx: float, cy: float, r: float, step: int = 1
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(flat index, u bin (NU: outside U0..U1, the dump bin), u, sector about P, value)
    of the band's pixels; None when the band leaves the grid."""
    n = g.shape[0]
    ox, oy = int(round(cx)), int(round(cy))
    reach = int(math.ceil(r + U1)) + 2
    if min(ox, oy) < reach or max(ox, oy) + reach >= n:      # the band leaves the grid
        return None
    dy, dx, off, sec = _offsets(int(r + U0), int(math.ceil(r + U1)), n, step)
    fx = dx + np.float32(ox - cx)
    fy = dy + np.float32(oy - cy)
    fx *= fx
    fy *= fy
    fx += fy
    u = np.sqrt(fx)
    u -= np.float32(r)
    ub = np.floor((u - np.float32(U0)) * np.float32(1.0 / DU)).astype(np.int64)
    # below 0 (as unsigned: huge) or at and above NU: the dump bin NU
    np.minimum(ub.view(np.uint64), NU, out=ub.view(np.uint64))
    flat = off + (oy * n + ox)
    return flat, ub, u, sec, g.ravel()[flat]


def _sector_means(bins: np.ndarray, sec: np.ndarray | None, v: np.ndarray, nb: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Sums and counts per bin x sector (bins >= nb: dropped); ``sec`` None: ``bins`` is
    already bin x SECTORS + sector."""
    idx = bins * SECTORS + sec if sec is not None else bins
    s = np.bincount(idx, weights=v, minlength=nb * SECTORS)[:nb * SECTORS]
    c = np.bincount(idx, minlength=nb * SECTORS)[:nb * SECTORS].astype(np.float64)
    return s.reshape(nb, SECTORS), c.reshape(nb, SECTORS)


def _median_profile(s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Per bin the median of the sectors' means (sectors without pixels left out)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s / c
    if np.all(c > 0):
        # (np.median(m, axis=1) of the finite means: the two middle ones of the sorted
        # row, averaged as np.median does - the same values, a quarter of its time)
        srt = np.sort(m, axis=1)
        h = m.shape[1] // 2
        if m.shape[1] % 2:
            return srt[:, h]
        return (srt[:, h - 1] + srt[:, h]) / 2.0
    m[c <= 0] = np.nan
    return _nanmedian_rows(m)


def _nanmedian_rows(m: np.ndarray) -> np.ndarray:
    """``np.nanmedian(m, axis=1)`` of a (bins, sectors) array without infinities, the
    same values (the mean of the two middle ones of the sorted non-NaN values, NaN
    where none) at a tenth of its masked-array cost; with an infinity, nanmedian's own."""
    if np.isinf(m).any():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(m, axis=1)
    srt = np.sort(m, axis=1)                                # NaNs last
    n = m.shape[1] - np.count_nonzero(np.isnan(m), axis=1)
    h = n // 2
    lo = np.where(n % 2 == 1, h, h - 1)
    rows = np.arange(m.shape[0])
    with np.errstate(invalid="ignore"):
        out = (srt[rows, np.maximum(lo, 0)] + srt[rows, np.minimum(h, m.shape[1] - 1)]) / 2.0
    out[n == 0] = np.nan
    return out


_TH = (np.arange(SECTORS) + 0.5) * (2 * math.pi / SECTORS) - math.pi
_CIRCLE_A = np.stack([np.cos(_TH), np.sin(_TH), np.ones(SECTORS)], 1)   # dx, dy, dr
_EDGE_ZONE = np.arange(NU)[:, None] >= int(-U0 / DU) - 12     # where the outer edge is sought


def slice_profiles(g: np.ndarray, rc: float, noise_sd: float = 0.0,
                   field_mm: float = 1e4) -> np.ndarray:
    """The packed (PACKED,) float32 measurements of one 1 mm grid slice (see the module);
    ok = 0 when no phantom edge is found. ``field_mm``: the reconstruction field's radius
    about C (native matrix x pixel / 2; its edge - padding - is a circle about C too)."""
    out = np.zeros(PACKED, np.float32)
    g = np.asarray(g, np.float32)
    circ = _circle(g)
    if circ is None:
        return out
    cx, cy, r = circ
    # the outer edge per sector on every other pixel: where the sector's mean crosses
    # -500 HU (a couch or a cut sector departs from the others and is left out); the
    # circle refined twice, then measured on every pixel
    for step in (2, 2, 1):
        got = _gather(g, cx, cy, r, step)
        if got is None:
            return out
        flat, ub, u, sec, v = got
        s, c = _sector_means(ub, sec, v, NU)
        if step == 1:
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            m = s / c
        # the first bin of the outer zone whose sector mean is not above -500 HU
        k = np.argmin(np.where(_EDGE_ZONE, np.where(c > 0, m > -500.0, True), True), 0)
        edge = U0 + (k + 0.5) * DU
        srt = np.sort(edge)              # (np.median of the 16: the two middle ones' mean)
        good = np.abs(edge - (srt[SECTORS // 2 - 1] + srt[SECTORS // 2]) / 2.0) <= 1.5
        if good.sum() < SECTORS // 2:
            return out
        # the circle through the good sectors' edges (least squares: a couch leaves out
        # several neighbouring sectors, which a mean over the rest would bias)
        (ddx, ddy, ddr), *_ = np.linalg.lstsq(_CIRCLE_A[good], edge[good], rcond=None)
        cx, cy, r = cx + float(ddx), cy + float(ddy), r + float(ddr)
    prof = _median_profile(s, c)
    okp = np.isfinite(prof)
    if okp.sum() < NU // 2:
        return out
    if not okp.all():
        k = np.arange(NU)
        prof = np.interp(k, k[okp], prof[okp])
    # the slice's own edge profile at each pixel's u (linear between the bins' centres)
    pos = (u - np.float32(U0)) * np.float32(1.0 / DU) - np.float32(0.5)
    np.clip(pos, 0.0, NU - 1.001, out=pos)
    i0 = pos.astype(np.int64)
    pos -= i0
    p32 = prof.astype(np.float32)
    lo = p32[i0]
    resid = v - lo - pos * (p32[i0 + 1] - lo)
    about_c, _ = _about_rc(float(rc), g.shape[0])
    resid[ub >= NU] = 0.0                         # (outside the band: not counted)
    cidx = about_c[flat]
    cidx[ub >= NU] = NV * SECTORS
    rs, rcn = _sector_means(cidx, None, resid, NV)
    out[:HEAD] = (1.0, cx, cy, r, rc, noise_sd, field_mm)
    o = HEAD
    for a in (s, c, rs, rcn):
        out[o:o + a.size] = a.ravel()
        o += a.size
    return out


def _unpack(p: np.ndarray) -> tuple[np.ndarray, ...]:
    o = HEAD
    parts = []
    for nb in (NU, NU, NV, NV):
        parts.append(p[o:o + nb * SECTORS].astype(np.float64).reshape(nb, SECTORS))
        o += nb * SECTORS
    return tuple(parts)


def _noise(s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Per bin: the standard error of the sectors' median (their MAD)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(c > 0, s / np.maximum(c, 1e-9), np.nan)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = _nanmedian_rows(m)
        mad = _nanmedian_rows(np.abs(m - med[:, None]))
        nv = np.sum(np.isfinite(m), axis=1)
    se = 1.4826 * mad * 1.2533 / np.sqrt(np.maximum(nv, 1))
    floor = np.nanmedian(se) * 0.5 if np.isfinite(se).any() else 1.0
    return np.where(np.isfinite(se), np.maximum(se, max(floor, 1e-3)), np.inf)


@dataclass(frozen=True)
class EdgeRing:
    """The series' strongest ring at the edge: radius about C (mm), amplitude (HU, a 2 mm
    FWHM ring's peak), z, amplitude over the native noise SD, which test (A / B) and
    whether it is a ring by the rule."""

    radius_mm: float
    amplitude_hu: float
    z: float
    amp_sd: float
    test: str
    ring: bool

    def to_dict(self) -> dict:
        return {"radius_mm": round(self.radius_mm, 1), "amplitude_hu": round(self.amplitude_hu, 1),
                "z": round(self.z, 1), "amp_sd": round(self.amp_sd, 2), "test": self.test,
                "ring": self.ring}


def series_ring(packed: np.ndarray, noise_native: np.ndarray) -> EdgeRing | None:
    """The series' edge ring from the slices' packed measurements (N, PACKED) and their
    native noise SDs; None when no slice has a phantom edge."""
    packed = np.asarray(packed, np.float64)
    ok = packed[:, 0] > 0.5 if packed.size else np.zeros(0, bool)
    if not ok.any():
        return None
    sel = packed[ok]
    tot = sel.sum(0)
    sp, cp, sr, cr = _unpack(tot)
    cx, cy, r, rc = (float(np.median(sel[:, k])) for k in (1, 2, 3, 4))
    offset = math.hypot(cx - rc, cy - rc)
    ya = _median_profile(sp, cp)
    # the concentric fit where the ring is (nearly) concentric with the phantom; off the
    # rotation centre its template smears into a smooth bump that any edge model's
    # mismatch can fit, and the off-centre fit sees the ring
    ua, aa, za = fit_a(ya, _noise(sp, cp), offset) if offset <= A_MAX_OFFSET \
        else (0.0, 0.0, 0.0)
    yb = _median_profile(sr, cr)
    rb, ab, zb = fit_b(yb, _noise(sr, cr), r, float(np.min(sel[:, 6])))
    sd = float(np.median(np.asarray(noise_native, np.float64)[ok])) if len(noise_native) else 0.0
    cands = [EdgeRing(r + ua, aa, za, abs(aa) / max(sd, 0.5), "A", False),
             EdgeRing(rb, ab, zb, abs(ab) / max(sd, 0.5), "B", False)]
    rings = [c for c in cands if c.z >= Z_MIN and c.amp_sd >= AMP_MIN_SD[c.test]
             and abs(c.amplitude_hu) >= AMP_MIN_HU]
    pick = max(rings or cands, key=lambda c: (c.z >= Z_MIN, c.amp_sd))
    return EdgeRing(pick.radius_mm, pick.amplitude_hu, pick.z, pick.amp_sd, pick.test,
                    bool(rings))


# at most this many judged slices of a series are measured, evenly spaced (a ring of a
# detector channel is on every slice; the series sums the measured ones): the rule's
# cost per judged slice falls with the series' length instead of adding ~1.6 ms each
SERIES_SLICES = 24


def measure_every(n_judged: int) -> int:
    """Measure every k-th slice (by index) of a series with ``n_judged`` judged slices."""
    return max(1, math.ceil(n_judged / SERIES_SLICES))


class EdgeRingModel:
    """A loaded grid1mm_context model whose ``run`` also returns ``edge_ring`` (N, PACKED):
    the centre slice's measurements of every triple whose slice index is a multiple of
    ``every`` (the others: zero rows, which :func:`series_ring` leaves out), for
    :func:`series_ring` after the series run. The series run passes each triple's
    centre index as ``slice_index`` (``takes_indices``); without it every triple is
    measured."""

    takes_indices = True

    def __init__(self, model: Any, rot_centre: float, field_mm: float = 1e4,
                 every: int = 1) -> None:
        self._model = model
        self._rc = float(rot_centre)
        self._field = float(field_mm)
        self._every = max(1, int(every))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def run(self, inputs: dict[str, np.ndarray], token: Any = None, **kw: Any
            ) -> dict[str, np.ndarray]:
        inputs = dict(inputs)
        index = inputs.pop(SLICE_INDEX, None)
        out = dict(self._model.run(inputs, token, **kw))
        img = inputs.get("image")
        ctx = inputs.get("context")
        if img is not None:
            sd = [10.0 * math.exp(float(c[0])) for c in ctx] if ctx is not None \
                else [0.0] * len(img)
            rows = np.zeros((len(img), PACKED), np.float32)
            for k, (t, s) in enumerate(zip(img, sd)):
                if index is None or int(index[k]) % self._every == 0:
                    rows[k] = slice_profiles(t[1], self._rc, s, self._field)
            out["edge_ring"] = rows
        return out


SLICE_INDEX = "slice_index"     # the series run's extra feed: each triple's centre index


def apply(outputs: dict[str, np.ndarray], problems: list[Any]
          ) -> tuple[np.ndarray, EdgeRing | None]:
    """The rule at inference: (probabilities, the series' edge ring or None). When the
    judged slices' measurements hold a ring (``EdgeRing.ring``), every judged slice's
    "normal" probability goes to "ring" (a measured ring is not normal; another abnormal
    class the network sees stays)."""
    probs = np.array(outputs.get("probabilities", np.zeros((0, 7), np.float32)), np.float32)
    packed = outputs.get("edge_ring")
    if packed is None or not len(packed):
        return probs, None
    judged = np.array([not p for p in problems], bool)
    if not judged.any():
        return probs, None
    sel = np.asarray(packed)[judged]
    res = series_ring(sel, sel[:, NOISE])
    if res is None or not res.ring:
        return probs, res
    probs[judged, 1] += probs[judged, 0]
    probs[judged, 0] = 0.0
    return probs, res
