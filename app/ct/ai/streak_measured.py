"""The measured-streak rule: a stack the network calls "normal" whose streak the
measurement shows beyond any non-streak slice the model was trained on is a streak
(Qt-free).

The measure is the evidence's 3-slice streak spectrum (app/ct/ai/evidence.py: the 5 mm
residual's power per direction of the phantom's inner disc, over its median, averaged over
the stack's slices; its z = the strongest direction's excess over the directions' robust
SD - ``streak_spec3`` x 5). A band of fine parallel lines puts its power on one direction;
noise, rings, bands, offsets and blur spread theirs. The level is the model's own: the
largest z that any non-streak stack of its training sets reached
(``thresholds.streak_measured_spec_z`` in the card, written by
models/training/ai_streak_spec.py). A model without it has no rule.

Why: networks trained on two renderers called 19-23 of the third renderer's streak slices
(the projection-domain simulator's) "normal", most of them with a spectrum no non-streak
training slice reached (issue 16; docs/image_review.md, "The measured-streak rule"). The
rule moves the stack's "normal" probability to "streak" - the mirror of the ring, band and
shift gates, which take an unmeasured class back to normal - on a judged stack the
network calls normal (after the edge-ring rule: a slice it called ring is not touched).
Nothing else moves.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from app.ct.ai.evidence import streak_key, stack_spec_z
from app.ct.ai.preprocess import CLASSES

STREAK = CLASSES.index("streak")
NORMAL = CLASSES.index("normal")
GATE = "streak_measured"          # the series run's output: (N,) the stack's z, NaN unmeasured
CARD_KEY = "streak_measured_spec_z"   # the card's threshold (``thresholds``)


def stack_z(facts: Sequence[Any]) -> float:
    """The 3-slice streak spectrum z of a stack (its three slices' normalise.SliceFacts,
    the centre second, each with ``spec``); NaN when the centre carries none."""
    return stack_spec_z([(streak_key(f.radius_mm), f.spec)
                         if getattr(f, "spec", None) is not None and not f.problem else None
                         for f in facts])


def measure(probs: np.ndarray, facts: Sequence[Sequence[Any]]) -> np.ndarray:
    """(N,) the streak spectrum z of each judged stack the network calls "normal" (NaN
    elsewhere). ``facts``: each row's three slices' measurements, the centre second."""
    out = np.full(len(facts), np.nan, np.float32)
    for k, fs in enumerate(facts):
        if int(np.argmax(probs[k])) != NORMAL or fs[1].problem:
            continue
        out[k] = stack_z(fs)
    return out


def apply(probs: np.ndarray, z: np.ndarray | None, problems: Sequence[Any],
          floor: float | None) -> tuple[np.ndarray, int]:
    """(probabilities, how many slices the rule called streak): a judged slice still
    called "normal" whose stack's z is above ``floor`` has its normal probability moved to
    "streak". ``floor`` None (the card has none) or no measurements: nothing moves."""
    if floor is None or not math.isfinite(floor) or z is None or not len(z):
        return probs, 0
    probs = np.array(probs, np.float32)
    judged = np.array([not p for p in problems], bool)
    with np.errstate(invalid="ignore"):
        shown = judged & np.isfinite(z) & (z > floor) & (probs.argmax(1) == NORMAL)
    if shown.any():
        probs[shown, STREAK] += probs[shown, NORMAL]
        probs[shown, NORMAL] = 0.0
    return probs, int(shown.sum())


def floor_from_card(card: dict) -> float | None:
    """The model's level (``thresholds.streak_measured_spec_z``), None without one."""
    v = (card.get("thresholds") or {}).get(CARD_KEY)
    try:
        v = float(v) if v is not None else None
    except (TypeError, ValueError):
        return None
    return v if v is not None and math.isfinite(v) else None
