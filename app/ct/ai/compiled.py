"""The AI check's compiled kernels (numba): four of its per-slice measurements, the same
values bit for bit as the OpenCV / numpy code they replace, in a fraction of its time.

* :func:`area_resize` - OpenCV's area resample (``cv2.resize(..., INTER_AREA)`` of a float32
  image to a smaller size): every native slice onto the 1 mm grid. For a 512 x 512 slice of
  0.488 mm pixels (250 x 250 out) the scale 2.048 is not an integer, so OpenCV takes its
  general area path: per source row a scalar gather-add over ~760 table entries, then per
  output row the weighted source rows - 0.67 ms a slice, the check's largest single
  measurement. OpenCV computes, for every source row and output column ``dx``, ``buf[dx] =
  ((0 + S[s0] a0) + S[s0 + 1] a1) + ...`` in float32 over the column table's entries in
  order, then ``D[dy] = (b0 buf[sy0] + b1 buf[sy1]) + ...`` over the row table's. The
  order of the operations on each output value is all that fixes its bits, so both passes
  can run on whole rows at once (contiguous, vectorised): the horizontal pass as a row
  pass over the transposed image, the vertical one over the transposed result - two
  transposes (OpenCV, a copy) and two compiled row passes, ~0.17 ms.
* :func:`ring_bin_sums` - the ring evidence's sums and counts per radius bin x sector
  (ring_evidence.ring_sums): one pass over the ring's ~40,000 pixels instead of eight numpy
  passes and two ``np.bincount`` - the same float32 distances, the same float64 sums in
  the same order.
* :func:`disc_every` - the noise discs' pixels (normalise.robust_noise_disc: the disc's
  mask and ``hp[mask][::3]``), each row's run of the disc found by bisection on the same
  float64 test.
* :func:`gather_bin_sums` - the edge spread's gather and ``np.bincount`` (normalise's edge
  profile) in one pass.
* :func:`polar_band` - ring layout 3's band in a polar map (evidence._polar_bands): the
  gather, the radial runs, the stretches and the marking in one pass instead of ~30
  numpy / OpenCV calls on small arrays.

Exactness is not assumed. The area resample is compared with ``cv2.resize`` on a random
image at the first use of each size (an integer scale takes OpenCV's fast area path,
another OpenCV version may sum otherwise: those sizes stay OpenCV's); the ring sums with
their numpy code on a random probe when compiled, and so are the noise discs and the
edge spread. A kernel that differs is never used.

Without the kernels (not compiled in this process, or numba unavailable) the functions
run the OpenCV / numpy code - the same values either way, so a series measured partly each
way is measured as either would. The kernels are compiled (or loaded from numba's cache)
only by :func:`warm_up`: the CT stations' start-up warm-up thread (app/ui/warmup.py, from
the data folder's kernel cache; the GUI process imports numba there anyway), the
long-running ``pharos qc listen`` (a thread beside its intake, from its data folder's
kernel cache: app/runtime/numba_cache.py), ``pharos match warmup`` (into the
installation's kernel cache) and the AI benchmark. A one-shot CLI run (``pharos ai
classify``, ``pharos qc analyse``) does not: importing numba (~0.2 s) costs more than the
kernels save on one series (~0.6 ms a slice).
"""
from __future__ import annotations

import logging
import math
import os
import threading
from functools import lru_cache
from typing import Any, Callable

import cv2
import numpy as np

log = logging.getLogger(__name__)

_kernels: dict[str, Any] = {}          # name -> compiled and verified kernel
_lock = threading.Lock()
_tried = False
_verdicts: dict[tuple[int, int, int, int], bool] = {}   # (n0, n1, m0, m1) -> exact?


# --- the kernels' Python sources (compiled by numba in warm_up) ---------------------------

def _row_pass_py(src: np.ndarray, di: np.ndarray, si: np.ndarray, al: np.ndarray,
                 m: int) -> np.ndarray:   # pragma: no cover - compiled by numba
    """out[d] = sum over the table's entries k of d, in order: al[k] * src[si[k]] (float32,
    each product and sum rounded as OpenCV's: started at 0 + the first product)."""
    w = src.shape[1]
    out = np.empty((m, w), np.float32)
    prev = -1
    for k in range(di.shape[0]):
        d = di[k]
        s = si[k]
        a = al[k]
        if d != prev:
            for x in range(w):
                out[d, x] = np.float32(0.0) + src[s, x] * a
            prev = d
        else:
            for x in range(w):
                out[d, x] += src[s, x] * a
    return out


def _bin_sums_py(resid: np.ndarray, sel: np.ndarray, idx: np.ndarray, x: np.ndarray,
                 y: np.ndarray, cx: np.float32, cy: np.float32, r2: np.float32,
                 excluded: np.ndarray, n: int
                 ) -> tuple[np.ndarray, np.ndarray]:   # pragma: no cover - numba
    """:func:`_bin_sums_numpy` in one pass (``excluded``: flat bool, or size 0 for none)."""
    s = np.zeros(n)
    c = np.zeros(n)
    has_excl = excluded.shape[0] > 0
    for i in range(sel.shape[0]):
        dx = x[i] - cx
        dx = dx * dx
        dy = y[i] - cy
        dy = dy * dy
        w = dx + dy <= r2
        p = sel[i]
        if has_excl and excluded[p]:
            w = False
        v = resid[p] * (np.float32(1.0) if w else np.float32(0.0))
        s[idx[i]] += np.float64(v)
        c[idx[i]] += 1.0 if w else 0.0
    return s, c


def _disc_every_py(a: np.ndarray, low: np.ndarray, y0: int, x0: int, cx: float, cy: float,
                   r2: float, step: int) -> np.ndarray:   # pragma: no cover - numba
    """:func:`_disc_every_numpy` row by row: a row's disc pixels are one run (the float64
    distance ``fl(fl(x - cx)^2 + dy^2)`` falls, then rises along the row: rounding keeps
    order), its ends found by bisection on that exact test, then every ``step``-th pixel
    of the run by the running count."""
    n0, n1 = a.shape
    out = np.empty(n0 * n1 // step + 1, np.float32)
    k = 0
    m = 0
    for i in range(n0):
        dy = np.float64(y0 + i) - cy
        dy2 = dy * dy
        # the row's nearest pixel to cx: the distance's minimum
        jc = min(max(int(np.floor(cx)) - x0, 0), n1 - 1)
        if jc + 1 < n1:
            d0 = np.float64(x0 + jc) - cx
            d1 = np.float64(x0 + jc + 1) - cx
            if d1 * d1 + dy2 < d0 * d0 + dy2:
                jc += 1
        dc = np.float64(x0 + jc) - cx
        if not dc * dc + dy2 <= r2:
            continue
        lo, hi = 0, jc            # the first pixel in the disc: in (lo - 1, hi]
        while lo < hi:
            mid = (lo + hi) // 2
            d = np.float64(x0 + mid) - cx
            if d * d + dy2 <= r2:
                hi = mid
            else:
                lo = mid + 1
        left = lo
        lo, hi = jc, n1 - 1       # the last pixel in the disc
        while lo < hi:
            mid = (lo + hi + 1) // 2
            d = np.float64(x0 + mid) - cx
            if d * d + dy2 <= r2:
                lo = mid
            else:
                hi = mid - 1
        right = lo
        first = left + (step - k % step) % step
        for j in range(first, right + 1, step):
            out[m] = a[i, j] - low[i, j]
            m += 1
        k += right - left + 1
    return out[:m].copy()


def _gather_bin_sums_py(values: np.ndarray, at: np.ndarray, bins: np.ndarray,
                        n: int) -> np.ndarray:   # pragma: no cover - compiled by numba
    """:func:`_gather_bin_sums_numpy` in one pass."""
    s = np.zeros(n)
    for i in range(at.shape[0]):
        s[bins[i]] += np.float64(values[at[i]])
    return s


def _polar_band_py(bits: np.ndarray, src: np.ndarray, step: float, px_mm: float,
                   max_mm: float, band_deg: int) -> np.ndarray:   # pragma: no cover
    """:func:`_polar_band_numpy` in one compiled pass (numba)."""
    n, n_c = src.shape
    vt = np.empty((n_c, n), np.uint8)
    for i in range(n):
        for c in range(n_c):
            j = src[i, c]
            vt[c, i] = bits[j] if j >= 0 else 4
    rid = np.full((n_c, n), -1, np.int64)
    thin = np.zeros(n_c * ((n + 1) // 2) + 1, np.bool_)
    t = np.zeros((n_c, n), np.uint8)
    k = -1
    for c in range(n_c):
        i = 0
        while i < n:
            if vt[c, i] & 1:
                a = i
                stop = False
                while i < n and vt[c, i] & 1:
                    if vt[c, i] & 4:
                        stop = True
                    i += 1
                k += 1
                beyond = i >= n or (vt[c, i] & 4) != 0
                ok = (i - a) * step * px_mm <= max_mm and not stop and not beyond
                thin[k] = ok
                for q in range(a, i):
                    rid[c, q] = k
                    t[c, q] = 1 if ok else 0
            else:
                i += 1
    marked = np.zeros(k + 1, np.bool_)
    any_d = np.zeros(n_c, np.bool_)
    thin_d = np.zeros(n_c, np.bool_)
    for r in range(n):
        lo_, hi_ = max(0, r - 1), min(n, r + 2)
        total = 0
        for c in range(n_c):
            th = False
            for q in range(lo_, hi_):
                if t[c, q]:
                    th = True
            thin_d[c] = th
            total += 1 if th else 0
        if total < band_deg:
            continue
        for c in range(n_c):
            an = False
            for q in range(lo_, hi_):
                if vt[c, q] & 2:
                    an = True
            any_d[c] = an
        s0 = 0                           # (the stretches from an empty column round)
        for c in range(n_c):
            if not any_d[c]:
                s0 = c
                break
        c = 0
        while c < n_c:
            if not any_d[(s0 + c) % n_c]:
                c += 1
                continue
            e = c
            cnt = 0
            while e < n_c and any_d[(s0 + e) % n_c]:
                cnt += 1 if thin_d[(s0 + e) % n_c] else 0
                e += 1
            if cnt >= band_deg:
                for m in range(c, e):
                    cc = (s0 + m) % n_c
                    for dr in range(-1, 2):
                        q = min(max(r + dr, 0), n - 1)
                        if rid[cc, q] >= 0:
                            marked[rid[cc, q]] = True
            c = e
    out = np.zeros((n_c, n), np.bool_)
    for c in range(n_c):
        for i in range(n):
            j = rid[c, i]
            if j >= 0 and marked[j] and thin[j]:
                out[c, i] = True
    return out


# --- the OpenCV / numpy code they reproduce ------------------------------------------------

def _polar_band_numpy(bits: np.ndarray, src: np.ndarray, step: float, px_mm: float,
                      max_mm: float, band_deg: int) -> np.ndarray:
    """Ring layout 3's band in a polar map (evidence._polar_bands): ``bits`` (flat uint8 of
    the grid; bit 1 a wide piece, bit 2 the mask that must hold a stretch unbroken, bit 4
    the rim and off the search's disc) sampled at ``src`` (radius rows x angle columns:
    flat pixel indices, -1 off the grid: bit 4). Each radial run of bit 1 per column is
    thin - its length x ``step`` x ``px_mm`` within ``max_mm``, no bit 4 in it, just beyond
    it, nor the map's end. At each radius a circular stretch of columns that hold bit 2
    within +-1 sample (no empty column in it) whose columns with a thin run within +-1
    sample number ``band_deg`` or more is a band: the runs through its radius (+-1 sample)
    are the band's. Returns, per (column, radius) sample, whether it is on a band (bool,
    angle x radius)."""
    vt = np.ascontiguousarray(np.where(src >= 0, bits[np.maximum(src, 0)], 4)
                              .astype(np.uint8).T)       # (angles, radii)
    p = vt & np.uint8(1)
    st = (vt >> 2) & np.uint8(1)
    n_c, nr = p.shape
    d = np.diff(np.pad(p.view(np.int8), ((0, 0), (1, 1))), axis=1)
    col, a = np.nonzero(d == 1)                         # runs: start (column, radius) ...
    b = np.nonzero(d == -1)[1]                          # ... and end (exclusive)
    cs = np.pad(np.cumsum(st, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    beyond = st[col, np.minimum(b, nr - 1)].astype(bool) | (b >= nr)
    thin = ((b - a) * step * px_mm <= max_mm) & (cs[col, b] == cs[col, a]) & ~beyond
    out = np.zeros(p.shape, bool)
    if not thin.any():
        return out
    rid = np.where(p > 0, np.cumsum((d[:, :-1] == 1).ravel()).reshape(p.shape) - 1, -1)
    has = rid >= 0
    t = np.zeros(p.shape, np.uint8)
    t[has] = thin[rid[has]]
    kern = np.ones((1, 3), np.uint8)                    # +-1 radius sample
    any_d = cv2.dilate((vt >> 1) & np.uint8(1), kern).T > 0           # (radii, angles)
    thin_d = cv2.dilate(t, kern).T > 0
    marked = np.zeros(thin.size, bool)
    rows = np.flatnonzero(thin_d.sum(1) >= band_deg)
    if rows.size:
        # every candidate radius' circular stretches at once: each row rolled to start at
        # an empty column (a full row: one stretch), the stretches labelled, their thin
        # columns counted
        a_ = any_d[rows]
        shift = np.where(a_.all(1), 0, np.argmin(a_, axis=1))
        idx = (np.arange(n_c)[None] + shift[:, None]) % n_c
        ar_ = np.take_along_axis(a_, idx, 1)
        starts = ar_ & ~np.pad(ar_, ((0, 0), (1, 0)))[:, :-1]
        lab = np.cumsum(starts.ravel()).reshape(ar_.shape) * ar_
        count = np.bincount(lab.ravel(), weights=np.take_along_axis(thin_d[rows], idx, 1)
                            .ravel())
        good = count >= band_deg
        good[0] = False
        k, j = np.nonzero(good[lab])
        r, c = rows[k], idx[k, j]
        for dr in (-1, 0, 1):                            # the runs through the band's radius
            ids = rid[c, np.clip(r + dr, 0, nr - 1)]
            marked[ids[ids >= 0]] = True
    marked &= thin
    out[has] = marked[rid[has]]
    return out


def polar_band(bits: np.ndarray, src: np.ndarray, step: float, px_mm: float, max_mm: float,
               band_deg: int) -> np.ndarray:
    """:func:`_polar_band_numpy`: compiled where ready, else numpy (the same samples)."""
    kernel = _kernels.get("polar_band")
    if kernel is None or bits.dtype != np.uint8:
        return _polar_band_numpy(bits, src, step, px_mm, max_mm, band_deg)
    return kernel(np.ascontiguousarray(bits), np.ascontiguousarray(src), float(step),
                  float(px_mm), float(max_mm), int(band_deg))


def _disc_every_numpy(a: np.ndarray, low: np.ndarray, y0: int, x0: int, cx: float, cy: float,
                      r2: float, step: int) -> np.ndarray:
    """Every ``step``-th pixel (row-major order) of ``a - low`` (float32 windows whose
    (0, 0) is pixel (y0, x0)) in the disc (x - cx)^2 + (y - cy)^2 <= r2 (float64)."""
    yy = np.arange(y0, y0 + a.shape[0])[:, None]     # (grid_field.ogrid's int64 values)
    xx = np.arange(x0, x0 + a.shape[1])[None, :]
    mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= r2
    return (a - low)[mask][::step]


def _gather_bin_sums_numpy(values: np.ndarray, at: np.ndarray, bins: np.ndarray,
                           n: int) -> np.ndarray:
    """``np.bincount(bins, weights=values[at], minlength=n)`` (float64 sums in order)."""
    return np.bincount(bins, weights=values[at], minlength=n)


def disc_every(a: np.ndarray, low: np.ndarray, y0: int, x0: int, cx: float, cy: float,
               r2: float, step: int) -> np.ndarray:
    """:func:`_disc_every_numpy`: compiled where ready (float32 windows), else numpy."""
    kernel = _kernels.get("disc_every")
    if kernel is None or a.dtype != np.float32 or low.dtype != np.float32:
        return _disc_every_numpy(a, low, y0, x0, cx, cy, r2, step)
    return kernel(a, low, y0, x0, float(cx), float(cy), float(r2), step)


def gather_bin_sums(values: np.ndarray, at: np.ndarray, bins: np.ndarray, n: int) -> np.ndarray:
    """``np.bincount(bins, weights=values[at], minlength=n)`` of a flat float32 ``values``:
    compiled where ready, else numpy (the same float64 sums, added in the same order)."""
    kernel = _kernels.get("gather_bin_sums")
    if kernel is None or values.dtype != np.float32:
        return _gather_bin_sums_numpy(values, at, bins, n)
    return kernel(values, at, bins, n)


def _bin_sums_numpy(resid: np.ndarray, sel: np.ndarray, idx: np.ndarray, x: np.ndarray,
                    y: np.ndarray, cx: np.float32, cy: np.float32, r2: np.float32,
                    excluded: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``resid`` (flat float32) and counts, float64, per ``idx`` bin over the pixels
    ``sel`` (x, y: their float32 coordinates) within sqrt(r2) of (cx, cy) and not
    ``excluded`` (flat bool; size 0: none)."""
    dx = x - cx
    dx *= dx
    dy = y - cy
    dy *= dy
    dx += dy
    w = dx <= r2
    if excluded.size:
        w &= ~excluded[sel]
    v = resid[sel]
    v *= w
    s = np.bincount(idx, weights=v, minlength=n)
    # (the counts as the sums of 0 / 1 weights: the same integers, exact in float64 -
    # without idx[w], a boolean gather of ~30,000 indices that cost more than the count)
    c = np.bincount(idx, weights=w, minlength=n)
    return s, c


_NO_EXCLUSION = np.zeros(0, bool)


def ring_bin_sums(resid: np.ndarray, sel: np.ndarray, idx: np.ndarray, x: np.ndarray,
                  y: np.ndarray, cx: float, cy: float, r2: float,
                  excluded: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(sums, counts) float64 of the flat float32 ``resid`` per bin ``idx`` of the pixels
    ``sel`` (float32 coordinates x, y) with (x - cx)^2 + (y - cy)^2 <= r2 (float32) and not
    ``excluded`` (flat bool or None): compiled where ready, else numpy (the same values)."""
    args = (resid, sel, idx, x, y, np.float32(cx), np.float32(cy), np.float32(r2),
            _NO_EXCLUSION if excluded is None else excluded, n)
    kernel = _kernels.get("bin_sums")
    if kernel is None or resid.dtype != np.float32:
        return _bin_sums_numpy(*args)
    return kernel(*args)


@lru_cache(maxsize=16)
def area_table(ssize: int, dsize: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OpenCV's area table (imgproc resize.cpp, computeResizeAreaTab) for one axis: per
    entry the output index, the source index and the float32 weight, in OpenCV's order;
    the scale as OpenCV computes it (1 / (dsize / ssize), in double). Read-only arrays."""
    scale = 1.0 / (dsize / ssize)
    di: list[int] = []
    si: list[int] = []
    al: list[float] = []
    for dx in range(dsize):
        fsx1 = dx * scale
        fsx2 = fsx1 + scale
        cell = min(scale, ssize - fsx1)
        sx1, sx2 = math.ceil(fsx1), math.floor(fsx2)
        sx2 = min(sx2, ssize - 1)
        sx1 = min(sx1, sx2)
        if sx1 - fsx1 > 1e-3:
            di.append(dx)
            si.append(sx1 - 1)
            al.append((sx1 - fsx1) / cell)
        for sx in range(sx1, sx2):
            di.append(dx)
            si.append(sx)
            al.append(1.0 / cell)
        if fsx2 - sx2 > 1e-3:
            di.append(dx)
            si.append(sx2)
            al.append(min(min(fsx2 - sx2, 1.0), cell) / cell)
    out = (np.array(di, np.int64), np.array(si, np.int64), np.array(al, np.float32))
    for v in out:
        v.flags.writeable = False
    return out


def _area_compiled(a: np.ndarray, m0: int, m1: int) -> np.ndarray:
    kernel = _kernels["row_pass"]
    g = kernel(cv2.transpose(a), *area_table(a.shape[1], m1), m1)     # (m1, n0): rows done
    return kernel(cv2.transpose(g), *area_table(a.shape[0], m0), m0)


def _exact_here(n0: int, n1: int, m0: int, m1: int) -> bool:
    """Is the kernel OpenCV's resample at this size, bit for bit? (once per size)"""
    key = (n0, n1, m0, m1)
    hit = _verdicts.get(key)
    if hit is None:
        rng = np.random.default_rng(n0 * 7919 + n1 * 104729 + m0 * 31 + m1)
        probe = (rng.standard_normal((n0, n1)) * 700.0).astype(np.float32)
        want = cv2.resize(probe, (m1, m0), interpolation=cv2.INTER_AREA)
        hit = bool(np.array_equal(_area_compiled(probe, m0, m1), want))
        if not hit:
            log.info("area resample %dx%d -> %dx%d: OpenCV's own (the kernel differs there)",
                     n0, n1, m0, m1)
        _verdicts[key] = hit
    return hit


def area_resize(a: np.ndarray, m: int) -> np.ndarray:
    """``cv2.resize(a, (m, m), interpolation=cv2.INTER_AREA)`` of a 2-D image larger than
    m x m on both axes: the compiled kernel where it is ready and verified at this size
    (float32), else OpenCV (the same values)."""
    n0, n1 = a.shape
    if ("row_pass" not in _kernels or a.dtype != np.float32 or m >= n0 or m >= n1
            or not _exact_here(n0, n1, m, m)):
        return cv2.resize(a, (m, m), interpolation=cv2.INTER_AREA)
    return _area_compiled(np.ascontiguousarray(a), m, m)


KERNELS = ("row_pass", "bin_sums", "disc_every", "gather_bin_sums", "polar_band")


def ready() -> bool:
    """Every kernel compiled and verified in this process."""
    return all(k in _kernels for k in KERNELS)


def _bin_sums_probe() -> tuple:
    rng = np.random.default_rng(11)
    resid = (rng.standard_normal(4096) * 30.0).astype(np.float32)
    resid[::17] = -0.0
    sel = np.sort(rng.choice(4096, 3000, replace=False)).astype(np.int64)
    idx = rng.integers(0, 97, sel.size).astype(np.int64)
    x = rng.uniform(0, 64, sel.size).astype(np.float32)
    y = rng.uniform(0, 64, sel.size).astype(np.float32)
    return resid, sel, idx, x, y, 31.3, 30.7, 25.5 ** 2, rng.random(4096) < 0.2, 97


def _disc_probe() -> tuple:
    rng = np.random.default_rng(12)
    a = (rng.standard_normal((61, 57)) * 40.0).astype(np.float32)
    low = (rng.standard_normal((61, 57)) * 3.0).astype(np.float32)
    return a, low, 17, 23, 51.37, 45.81, 24.6 ** 2, 3


def _gather_probe() -> tuple:
    rng = np.random.default_rng(13)
    values = (rng.standard_normal(5000) * 500.0).astype(np.float32)
    at = rng.integers(0, 5000, 3000).astype(np.int64)
    bins = np.sort(rng.integers(0, 48, 3000)).astype(np.int64)
    return values, at, bins, 48


def _polar_probe() -> tuple:
    """A ring at radius 20 of a 30-sample map, fused with two blobs, on a random field."""
    rng = np.random.default_rng(14)
    n = 64 * 64
    bits = (rng.random(n) < 0.15).astype(np.uint8)
    yy, xx = np.divmod(np.arange(n), 64)
    rr = np.hypot(yy - 31.5, xx - 31.5)
    bits[np.abs(rr - 20.0) < 1.2] = 3
    bits[rr > 29.0] |= np.uint8(4)
    src = np.full((30, 360), -1, np.int64)
    th = np.radians(np.arange(360) + 0.5)
    for i in range(30):
        y = np.rint(31.5 + i * np.sin(th)).astype(np.int64)
        x = np.rint(31.5 + i * np.cos(th)).astype(np.int64)
        src[i] = y * 64 + x
    return bits, src, 1.0, 1.0, 4.0, 90


def _same(got: Any, want: Any) -> bool:
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    return len(got) == len(want) and all(
        g.dtype == w.dtype and g.shape == w.shape
        and np.ascontiguousarray(g).tobytes() == np.ascontiguousarray(w).tobytes()
        for g, w in zip(got, want))


def warm_up_from(data_dir: Any = None) -> bool:
    """:func:`warm_up` from the data folder's kernel cache (app/runtime/numba_cache.py, the
    one every station's kernels share; a frozen bundle's shipped kernels seed it) unless
    this process already chose a cache: what the CT stations' start-up warm-up,
    ``pharos qc listen`` and ``pharos match warmup`` call. Never raises (False: OpenCV /
    numpy measure, the same values)."""
    try:
        from app.runtime import numba_cache

        if numba_cache.configured_cache() is None:
            numba_cache.configure(data_dir)
        return warm_up()
    except Exception:  # noqa: BLE001 - no kernels: OpenCV / numpy, the same values
        log.warning("the AI check's compiled kernels are unavailable", exc_info=True)
        return False


def warm_up() -> bool:
    """Compile (or load from numba's cache) the kernels and check each against the code it
    replaces; afterwards :func:`area_resize` and :func:`ring_bin_sums` use the ones that
    passed. False where numba is missing or a kernel does not reproduce its code (that
    code runs then). Thread-safe, once per process."""
    global _tried
    if _tried:
        return ready()
    with _lock:
        if _tried:
            return ready()
        _tried = True
        try:
            # (plain compile-error messages: see station_plugins/detector_matching/__init__)
            os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
            import numba

            jit = numba.njit(cache=True, nogil=True)
            # (the two that index by their arguments' indices check them: an index out of
            # range raises IndexError as numpy's code does, never reads past an array)
            checked = numba.njit(cache=True, nogil=True, boundscheck=True)
            row_pass: Any = jit(_row_pass_py)
            row_pass(np.zeros((4, 4), np.float32), *area_table(4, 2), 2)   # compile / load
            ring = _bin_sums_probe()
            ring = (*ring[:5], *(np.float32(v) for v in ring[5:8]), *ring[8:])
            # (name, kernel, the code it replaces, a probe): compiled / loaded on the probe
            checks: list[tuple[str, Any, Callable[..., Any], tuple]] = [
                ("bin_sums", checked(_bin_sums_py), _bin_sums_numpy, ring),
                ("disc_every", jit(_disc_every_py), _disc_every_numpy, _disc_probe()),
                ("gather_bin_sums", checked(_gather_bin_sums_py), _gather_bin_sums_numpy,
                 _gather_probe()),
                ("polar_band", checked(_polar_band_py), _polar_band_numpy, _polar_probe())]
            got = [kernel(*probe) for _, kernel, _, probe in checks]
        except Exception:  # noqa: BLE001 - no kernels: OpenCV / numpy, the same values
            log.warning("the AI check's compiled kernels are unavailable: OpenCV / numpy "
                        "measure", exc_info=True)
            return False
        for (name, kernel, reference, probe), out in zip(checks, got):
            if _same(out, reference(*probe)):
                _kernels[name] = kernel
            else:
                log.warning("AI kernel %s differs from the numpy code: not used", name)
        _kernels["row_pass"] = row_pass
        # the 1 mm grid of a 512 x 512 slice of 0.488 mm pixels: checked now, not in a run
        if not _exact_here(512, 512, 250, 250):
            log.warning("area resample kernel differs from OpenCV %s: not used",
                        cv2.__version__)
            del _kernels["row_pass"]
        return ready()
