"""The classifier's 1 mm grid and the native field's padding (Qt-free, numpy + cv2): a
native slice area-resampled to 1 mm pixels on a 256 x 256 mm field about the
reconstruction centre, its padding / outside-the-circle pixels as air, and the masks
(:mod:`normalise` measures on them; split from it, the same code)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

import cv2
import numpy as np

from app.ct.ai.compiled import area_resize

GRID_MM = 1.0            # the network's physical pixel
GRID_N = 256             # 256 x 256 mm field
PAD_BELOW_HU = -1100.0   # padding / outside the reconstruction circle -> air

# the row / column indices ogrid hands out, as read-only views (see :func:`ogrid`)
_INDEX = np.arange(4096)
_INDEX.flags.writeable = False


def ogrid(y0: int, y1: int, x0: int, x1: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.ogrid[y0:y1, x0:x1]`` - the same integer arrays, (y1 - y0, 1) and (1, x1 - x0),
    as read-only views of one index array - without its ~15 microseconds of index
    machinery (several calls a slice in the AI check's measurements)."""
    if 0 <= y0 <= y1 <= _INDEX.size and 0 <= x0 <= x1 <= _INDEX.size:
        return _INDEX[y0:y1, None], _INDEX[None, x0:x1]
    yy, xx = np.ogrid[y0:y1, x0:x1]
    return yy, xx


def padding_mask(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pixels not used as air: below -1100 HU or padding; the padding alone: the constant
    value of all four corners, e.g. -1024, outside the inscribed circle)."""
    k = max(2, a.shape[0] // 64)
    corners = np.concatenate([a[:k, :k].ravel(), a[:k, -k:].ravel(), a[-k:, :k].ravel(),
                              a[-k:, -k:].ravel()])
    v = corners[0]
    if v <= -1000.0 and np.all(corners == v):
        pad = (a == v) & _outside_circle(a.shape[0])
        return pad | (a < PAD_BELOW_HU), pad
    return a < PAD_BELOW_HU, np.zeros(a.shape, bool)


@lru_cache(maxsize=8)
def _outside_circle(n: int) -> np.ndarray:
    """Pixels of an n x n slice outside the circle of 0.45 n about its centre (read only;
    one per matrix size)."""
    yy, xx = np.ogrid[:n, :n]
    c = (n - 1) / 2
    out: np.ndarray = (yy - c) ** 2 + (xx - c) ** 2 > (0.45 * n) ** 2
    out.flags.writeable = False
    return out


def clean_padding(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(slice with unmeasured pixels set to air, their mask, the padding alone)."""
    a = np.asarray(a, dtype=np.float32)
    pad, const = padding_mask(a)
    if not pad.any():                     # nothing to replace: the slice itself (read only)
        return a, pad, const
    return np.where(pad, np.float32(-1000.0), a), pad, const


def to_grid(a: np.ndarray, pixel_mm: float, fill: float = -1000.0) -> np.ndarray:
    """Area-resample a native slice to 1 mm pixels, centred crop / air-pad to 256 x 256."""
    n = a.shape[0]
    m = max(8, int(round(n * pixel_mm / GRID_MM)))
    if m < n:
        a = area_resize(a, m)       # cv2.resize(..., INTER_AREA), compiled where ready
    elif m > n:
        a = cv2.resize(a, (m, m), interpolation=cv2.INTER_LINEAR)
    out = np.full((GRID_N, GRID_N), fill, np.float32)
    if m >= GRID_N:
        o = (m - GRID_N) // 2
        out[:] = a[o:o + GRID_N, o:o + GRID_N]
    else:
        o = (GRID_N - m) // 2
        out[o:o + m, o:o + m] = a
    return out


def grid_rotation_centre(n: int, pixel_mm: float) -> float:
    """The rotation (reconstruction) centre on the 1 mm grid, px (both axes): the native
    image centre ((n - 1) / 2) after to_grid's resample and centred crop / pad - 127.5 or
    128.0 (127.0) by the parity of the resampled matrix."""
    m = max(8, int(round(n * pixel_mm / GRID_MM)))
    o = (m - GRID_N) // 2 if m >= GRID_N else -((GRID_N - m) // 2)
    return (m - 1) / 2 - o


def _mask_to_grid(mask: np.ndarray, pixel_mm: float) -> np.ndarray:
    """A native mask on the 1 mm grid (any part of a grid pixel; outside the native
    field counts as masked). An empty mask needs no resampling."""
    if not mask.any():
        return _outside_field(mask.shape[0], pixel_mm)
    # the padding of a series' slices is one mask: resampled once (keyed by its bits)
    key = (mask.shape, float(pixel_mm), np.packbits(mask).tobytes())
    with _MASK_GRIDS_LOCK:
        hit = _MASK_GRIDS.get(key)
    if hit is None:
        hit = to_grid(mask.astype(np.float32), pixel_mm, fill=1.0) > 0.01
        hit.flags.writeable = False
        with _MASK_GRIDS_LOCK:
            _MASK_GRIDS[key] = hit
            while len(_MASK_GRIDS) > 8:
                _MASK_GRIDS.popitem(last=False)
    return hit


_MASK_GRIDS: OrderedDict[tuple, np.ndarray] = OrderedDict()
_MASK_GRIDS_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _outside_field_cached(n: int, pixel_mm: float) -> np.ndarray:
    m = max(8, int(round(n * pixel_mm / GRID_MM)))
    out = np.ones((GRID_N, GRID_N), bool)
    if m >= GRID_N:
        out[:] = False
    else:
        o = (GRID_N - m) // 2
        out[o:o + m, o:o + m] = False
    out.flags.writeable = False
    return out


def _outside_field(n: int, pixel_mm: float) -> np.ndarray:
    return _outside_field_cached(n, float(pixel_mm))


def _cut_zone(field_edge: np.ndarray) -> np.ndarray:
    """Where a phantom pixel means the phantom is cut: the field's edge and the grid's
    border, grown by one pixel (read only; one per field edge - the slices of a series
    share theirs, a cached read-only array)."""
    with _CUT_ZONES_LOCK:
        hit = _CUT_ZONES.get(id(field_edge))
    if hit is not None and hit[0] is field_edge:
        return hit[1]
    edge = field_edge.copy()
    edge[[0, -1], :] = True
    edge[:, [0, -1]] = True
    zone = cv2.dilate(edge.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if not field_edge.flags.writeable:       # (a cached mask: its zone may be kept)
        zone.flags.writeable = False
        with _CUT_ZONES_LOCK:
            _CUT_ZONES[id(field_edge)] = (field_edge, zone)
            while len(_CUT_ZONES) > 8:
                _CUT_ZONES.popitem(last=False)
    return zone


_CUT_ZONES: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_CUT_ZONES_LOCK = threading.Lock()
