"""The band gate: a network "band" must be a band the levels can show (Qt-free).

A band is one detector row's gain error: the central-disc CT number of one slice, or of
two adjacent slices, goes OUTSIDE the levels on both of its sides by the class's 3..30
HU (:mod:`series_consistency`). The series decision already lets a refuted band verdict
back nothing; the slice itself kept the network's "band", so a clean series on a scanner
the network was not trained on still counted band slices at its module boundaries (a
module's first or last slice: a step between two levels, its partial volume between
them - never outside).

The gate takes the network's "band" back on a slice (its "band" probability goes to
"normal", the other classes keep theirs, like :mod:`ring_gate`) only where the
measurement settles it:

* the series decision's check finds no band (:func:`series_consistency.band_check` is
  False: every one- and two-slice run holding the slice or a neighbour was measured, none
  reaches the band floor, and no longer run lies off both sides - a block of rows or a
  module's plateau is left to the network; where the CT QC localisation places the
  modules, a run of any length that is a localised module's plateau (:mod:`modules`) is
  its body, neither a band nor a block: a short module in thick slices - CTP515 is two
  10 mm slices - reads exactly like a two-slice band);
* and every such run's excursion is far below the class's smallest step: |excursion| +
  ``REFUTE_SE`` standard errors < ``BAND_MIN_HU`` (a real 3 HU band reads below that in
  about 2 % of measurements; a noisy slice whose excursion the check could not call a
  band is NOT taken back - it stays weak, for a person).

Nothing else moves. Without levels (a stored verdict, a model before 2.0) nothing runs.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from app.ct.ai.modules import Plateau, is_plateau
from app.ct.ai.preprocess import CLASSES
from app.ct.ai.series_consistency import BAND_MIN_HU, Level, band_check, excursion

BAND = CLASSES.index("band")
NORMAL = CLASSES.index("normal")
REFUTE_SE = 2.0      # the excursion's one-sided margin below the class's smallest step


def refutes(i: int, levels: Mapping[int, Level],
            plateaus: Sequence[Plateau] | None = None) -> bool:
    """Do slice i's levels show that it holds no band (see the module)? ``plateaus``:
    the localised modules' plateaus (:func:`modules.module_plateaus`), if known."""
    skip = (lambda a, b: is_plateau(a, b, plateaus)) if plateaus else None
    if band_check(i, levels, skip).band is not False:
        return False
    for a, b in ((i, i), (i - 1, i), (i, i + 1)):
        if skip is not None and skip(a, b):
            continue
        m = excursion(levels, a, b)
        if m is None:
            return False
        exc, se = m
        if abs(exc) + REFUTE_SE * se >= BAND_MIN_HU:
            return False
    return True


def apply(probs: np.ndarray, indices: Sequence[int], problems: Sequence[Any],
          levels: Mapping[int, Level] | None, plateaus: Sequence[Plateau] | None = None
          ) -> tuple[np.ndarray, int]:
    """(probabilities, how many slices' "band" the gate took back): a judged slice
    called "band" whose levels refute a band has its band probability moved to
    "normal". ``indices``: each row's slice index in the series."""
    if not levels or not len(probs):
        return probs, 0
    probs = np.array(probs, np.float32)
    taken = [k for k, i in enumerate(indices)
             if not problems[k] and int(np.argmax(probs[k])) == BAND
             and refutes(int(i), levels, plateaus)]
    for k in taken:
        probs[k, NORMAL] += probs[k, BAND]
        probs[k, BAND] = 0.0
    return probs, len(taken)
