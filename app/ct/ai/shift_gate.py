"""The shift gate: a network "shift" must be a shift the measurements can show (Qt-free).

"shift" is the CT-number error the physics sees (app.ct.ai_classes, the training's
definition in models/training/ct_phantom_dataset2.py): a calibration offset of 12-40 HU -
air and water move alike, so the air level around the phantom is that far off -1000 HU -
or a cupping / capping of 12-60 HU, the body's centre against its periphery (the
uniformity FAIL). Both are measured on every judged slice: the air offset is one of the
network's own context values (normalise.SliceFacts.air_offset), the cupping is the
evidence's (evidence.slice_cupping: the central disc's median minus the periphery's, on
the 2 mm means).

Networks trained on two renderers called 4 % of the third renderer's normal slices
"shift" (the projection-domain simulator's normals, left out: 50 and 53 of 1,319, with an
air offset of 2.2 HU and a cupping of 0.1 HU at the median - the normals' own values). The
gate takes a network "shift" back - its probability goes to "normal", the other classes
keep theirs, like :mod:`ring_gate` and :mod:`band_gate` - on a judged slice whose measured
|air offset| and |cupping| are both below ``REFUTE_HU``, half the class's smallest value:
no shift of the class reads so little (of the 1,544 shift slices of the three renderers'
stored sets, 1 does). Nothing else moves; a model before 2.0 (no context) has no gate.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from app.ct.ai.evidence import slice_cupping
from app.ct.ai.preprocess import CLASSES
from app.ct.ai_classes import SHIFT_CLASS_MIN_HU

SHIFT = CLASSES.index("shift")
NORMAL = CLASSES.index("normal")
REFUTE_HU = SHIFT_CLASS_MIN_HU / 2.0
GATE = "shift_gate"    # the series run's output: (N, 2) |air offset|, |cupping| HU, NaN unmeasured


def measure(probs: np.ndarray, facts: Sequence[Sequence[Any]]) -> np.ndarray:
    """(N, 2) the measured |air offset| and |cupping| (HU) of the centre slice of each
    stack the network calls "shift" (NaN elsewhere). ``facts``: each row's three slices'
    measurements (normalise.SliceFacts), the centre second."""
    out = np.full((len(facts), 2), np.nan, np.float32)
    for k, fs in enumerate(facts):
        c = fs[1]
        if int(np.argmax(probs[k])) != SHIFT or c.problem:
            continue
        out[k] = (abs(float(c.air_offset)),
                  abs(slice_cupping(c.grid, c.centre, c.radius_mm)))
    return out


def apply(probs: np.ndarray, gate: np.ndarray | None, problems: Sequence[Any]
          ) -> tuple[np.ndarray, int]:
    """(probabilities, how many slices' "shift" the gate took back): a judged slice called
    "shift" whose air offset and cupping both measure below ``REFUTE_HU`` has its shift
    probability moved to "normal"."""
    if gate is None or not len(gate):
        return probs, 0
    probs = np.array(probs, np.float32)
    air, cup = gate[:, 0], gate[:, 1]
    judged = np.array([not p for p in problems], bool)
    with np.errstate(invalid="ignore"):
        refuted = judged & np.isfinite(air) & np.isfinite(cup) \
            & (probs.argmax(1) == SHIFT) & (air < REFUTE_HU) & (cup < REFUTE_HU)
    if refuted.any():
        probs[refuted, NORMAL] += probs[refuted, SHIFT]
        probs[refuted, SHIFT] = 0.0
    return probs, int(refuted.sum())
