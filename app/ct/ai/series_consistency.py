"""Is the AI's series class consistent with what defines the class? (Qt-free, numbers only)

The network judges each slice from three slices; the series class must also agree with
the measurement that DEFINES the class, wherever that measurement is cheap and exact.
So far one class: a **band** is a detector row's gain error - the central-disc CT
number of one slice or two adjacent slices goes OUTSIDE the levels on both of its sides
(the training's band class is that step, 3..30 HU; the CT QC band detector's
``_beyond_levels`` asks the same). The CatPhan's own module boundaries are steps between
two levels (CTP515's +40 HU body beside CTP404's +10 HU, +-20 HU production offsets):
the partial-volume slices of a boundary lie BETWEEN the two levels and never outside,
however large the natural difference. So a band verdict whose slices show no excursion
outside the neighbouring levels is a module boundary (or noise), not a band, whatever
the network's confidence; and a band verdict whose slices do show an excursion of at
least the class's 3 HU and well beyond the measurement's own noise is a band even on
one slice.

Per slice, :func:`disc_level` measures the interquartile mean of the 15 mm central disc
on the 1 mm grid the network sees (the same pixels as the band context, no extra
resampling: ~0.05 ms a slice) and its standard error from the slice's grid noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from app.ct.ai.grid_field import ogrid
from app.ct.ai_classes import BAND_CLASS_MIN_HU

BAND_DISC_MM = 15.0            # = normalise.BAND_DISC_MM (the band context's disc)
BAND_MIN_HU = BAND_CLASS_MIN_HU     # the band class's smallest step (training 3..30 HU)
BAND_SE_FACTOR = 5.0           # an excursion must also be 5 standard errors
# the level on each side of a run is its adjacent slice's: a band is at most two slices,
# but a module may be only three or four (CTP404 is 25 mm: 3 slices of 8 mm), so two or
# three slices per side (the physics takes 3, knowing where the modules are) would mix
# the next module's body into a side level and make a module's plateau look like a band
SIDE_REACH = 1
LONG_RUN = 16       # longer runs off both sides: a block of rows or a module's plateau
Skip = Callable[[int, int], bool] | None      # runs (first, last) that are no candidates


@dataclass(frozen=True)
class Level:
    """Central-disc CT number of one slice on the 1 mm grid and its standard error."""

    hu: float
    se: float


def disc_level(grid: np.ndarray, centre: tuple[float, float], noise_grid: float,
               grid_mm: float = 1.0) -> Level | None:
    """Interquartile mean of the central disc (robust to a bead or a streak like a
    median, not stepped by integer storage) and its standard error (grid noise /
    sqrt(pixels), x 1.15 for the trimmed mean's efficiency)."""
    r = BAND_DISC_MM / grid_mm
    cx, cy = centre
    if not (math.isfinite(cx) and math.isfinite(cy)):
        return None
    n = grid.shape[0]
    x0, y0 = max(0, int(math.floor(cx - r))), max(0, int(math.floor(cy - r)))
    x1, y1 = min(n, int(math.ceil(cx + r)) + 1), min(n, int(math.ceil(cy + r)) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    yy, xx = ogrid(y0, y1, x0, x1)
    v = np.sort(grid[y0:y1, x0:x1][(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r], axis=None)
    if v.size < 20:
        return None
    q = v.size // 4
    hu = float(v[q:v.size - q].mean())
    se = 1.15 * float(noise_grid) / math.sqrt(v.size) if math.isfinite(noise_grid) else 0.0
    return Level(hu, se)


def excursion(levels: Mapping[int, Level], a: int, b: int) -> tuple[float, float] | None:
    """(signed excursion of slices a..b outside the range of the levels on both sides,
    its standard error); None when a side or a slice of the run was not measured.
    0 when the run lies between the two side levels (a module boundary's partial
    volume) - see the module."""
    run = [levels.get(k) for k in range(a, b + 1)]
    left = [levels[k] for k in range(a - SIDE_REACH, a) if k in levels]
    right = [levels[k] for k in range(b + 1, b + 1 + SIDE_REACH) if k in levels]
    if any(lv is None for lv in run) or not left or not right:
        return None
    lv = float(np.median([x.hu for x in left]))
    rv = float(np.median([x.hu for x in right]))
    hi, lo = max(lv, rv), min(lv, rv)
    vals = [x.hu for x in run if x is not None]
    up, down = max(vals) - hi, lo - min(vals)
    se_run = max(x.se for x in run if x is not None)
    se_side = max(x.se for x in left + right)
    se = math.hypot(se_run, se_side)
    if up <= 0 and down <= 0:
        return 0.0, se
    return (up if up >= down else -down), se


@dataclass(frozen=True)
class BandCheck:
    """The measured band nearest a band verdict: the run of slices (first, last), its
    excursion outside the side levels, the floor it had to reach, and the answer
    (True: a band by measurement; False: no excursion at all - a step or nothing;
    None: the measurement cannot tell - a longer run off both sides, or not measured)."""

    slice_index: int
    run: tuple[int, int] | None
    excursion_hu: float | None
    floor_hu: float
    band: bool | None

    def to_dict(self) -> dict:
        return {"class": "band", "slice_index": self.slice_index,
                "run": list(self.run) if self.run else None,
                "excursion_hu": None if self.excursion_hu is None else round(self.excursion_hu, 2),
                "floor_hu": round(self.floor_hu, 2), "consistent": self.band}


def _best_run(i: int, levels: Mapping[int, Level], longest: int, skip: Skip = None
              ) -> tuple[tuple[float, int, int, float, float] | None, bool]:
    """(excursion / floor, first, last, excursion, floor) of the run of at most
    ``longest`` slices that holds slice i (the training's band class always bands the
    centre slice of the input: rows i, i - 1 .. i or i .. i + 1): the shortest that
    reaches its floor (the most outlying of those), else the most outlying; None when
    none was measured) and whether every such run was measured. ``skip(first, last)``:
    runs that are no candidates (a localised module's plateau, :mod:`modules`)."""
    best: tuple[float, int, int, float, float] | None = None
    complete = True

    def key(r: tuple[float, int, int, float, float]) -> tuple[bool, int, float]:
        return (r[0] >= 1.0, -(r[2] - r[1]), r[0])
    # = excursion(levels, a, b) for every run, its maximum / minimum grown slice by slice
    for a in range(i - longest + 1, i + 1):
        left = levels.get(a - 1)
        top, bottom, se_run = -math.inf, math.inf, 0.0
        for b in range(a, a + longest):
            lv = levels.get(b)
            if lv is None or left is None:
                complete = False          # the runs from a on were not measured
                break
            top, bottom, se_run = max(top, lv.hu), min(bottom, lv.hu), max(se_run, lv.se)
            if b < i:
                continue
            right = levels.get(b + 1)
            if right is None:
                complete = False
                continue
            hi, lo = max(left.hu, right.hu), min(left.hu, right.hu)
            up, down = top - hi, lo - bottom
            exc = 0.0 if up <= 0 and down <= 0 else (up if up >= down else -down)
            se = math.hypot(se_run, max(left.se, right.se))
            floor = max(BAND_MIN_HU, BAND_SE_FACTOR * se)
            cand = (abs(exc) / floor, a, b, exc, floor)
            if skip is not None and skip(a, b):
                continue
            if best is None or key(cand) > key(best):
                best = cand
    return best, complete


def _block_run(i: int, levels: Mapping[int, Level], longest: int, skip: Skip = None
               ) -> tuple[float, int, int, float, float] | None:
    """(excursion / floor, first, last, excursion, floor) of the most outlying run of 3
    to ``longest`` slices holding slice i that lies WHOLLY outside both side levels by
    the floor - every slice of it, as a block of detector rows or a module's plateau
    does (a run whose maximum alone passes a side, e.g. a plateau with a step's slices
    of the neighbouring level in it, is neither); None when there is none."""
    best: tuple[float, int, int, float, float] | None = None
    for a in range(i - longest + 1, i + 1):
        left = levels.get(a - 1)
        if left is None:
            continue
        top, bottom, se_run = -math.inf, math.inf, 0.0
        for b in range(a, a + longest):
            lv = levels.get(b)
            if lv is None:
                break
            top, bottom, se_run = max(top, lv.hu), min(bottom, lv.hu), max(se_run, lv.se)
            right = levels.get(b + 1)
            if b < max(i, a + 2) or right is None:
                continue
            hi, lo = max(left.hu, right.hu), min(left.hu, right.hu)
            up, down = bottom - hi, lo - top
            exc = up if up > 0 else (-down if down > 0 else 0.0)
            floor = max(BAND_MIN_HU, BAND_SE_FACTOR * math.hypot(se_run, max(left.se, right.se)))
            cand = (abs(exc) / floor, a, b, exc, floor)
            if cand[0] >= 1.0 and (best is None or cand[0] > best[0]) \
                    and not (skip is not None and skip(a, b)):
                best = cand
    return best


def band_check(i: int, levels: Mapping[int, Level], skip: Skip = None) -> BandCheck:
    """Is slice i, alone or with a neighbour, a measured band?

    * a run of one or two adjacent slices outside both side levels by the floor: a
      band (one detector row), whatever the network's confidence; also when the run
      holds a neighbour of slice i instead (the network judges slice i from i - 1, i,
      i + 1: a band beside it is in its input - and the CT QC hand-off does not judge a
      banded slice at a module's end itself);
    * else a longer run (3 to LONG_RUN slices) wholly outside both sides: a block of
      rows, or the plateau of a module whose body differs from both neighbours - without
      the module positions the levels cannot tell them apart: not decided here;
    * else, when every short run holding slice i was measured (the input's slices
      lie on one level or on a step between two, like the partial-volume slices of a
      module boundary): no band; when one was not (the series' ends; the CT QC
      hand-off measures only the judged slices and their neighbours: the pair i, i + 1
      has no level beyond it), the measurement cannot say.

    ``skip(first, last)``: runs that are not candidates - a localised module's plateau is
    that module's body (the band gate; :mod:`app.ct.ai.modules`)."""
    short, complete = _best_run(i, levels, 2, skip)
    if short is None:
        return BandCheck(i, None, None, BAND_MIN_HU, None)
    if short[0] >= 1.0:
        return BandCheck(i, (short[1], short[2]), short[3], short[4], True)
    for j in (i - 1, i + 1):
        near, _ = _best_run(j, levels, 2, skip)
        if near is not None and near[0] >= 1.0:
            return BandCheck(i, (near[1], near[2]), near[3], near[4], True)
    long_ = _block_run(i, levels, LONG_RUN, skip)
    if long_ is not None:
        return BandCheck(i, (long_[1], long_[2]), long_[3], long_[4], None)
    return BandCheck(i, (short[1], short[2]), short[3], short[4],
                     False if complete else None)
