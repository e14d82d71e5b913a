"""The streak gate: a network "streak" must be a streak some streak measure shows (Qt-free).

The evidence measures a streak four ways (app/ct/ai/evidence.py): the strongest line sum
of the wide high-pass over its robust spread (``streak_z``: a line of any width through
the phantom, compact structures left out) and the directional power of the 5 mm residual
(``streak_spec``: a band of fine parallel lines), each on the centre slice and on the
stack's three slices together (``streak_z3``, ``streak_spec3``). A stack the network calls
"streak" on which **none of the four** reaches the level that 99 % of the model's
training normals stay below is counted normal - its streak probability moves to "normal",
the other classes keep theirs, as the ring, band and shift gates do - with the coded note
``ai.streak_unmeasured``. The levels are the model's own (``thresholds.streak_gate_levels``
in its card, evidence scale, written by models/training/ai_streak_spec.py from the fit
sets' normal stacks); a card without them has no gate.

Why: networks trained on two renderers called 22 / 8 / 37 of the third renderer's normal
stacks (sim / img / r3 left out) "streak" with streak measures no higher than the
normals'. Like the ring gate, the gate also counts normal the few drawn streaks that no
measure shows (sim 6, img 1, r3 4 left out): a streak the physics cannot show is not
called one (docs/image_review.md, "The streak gate").

Measured only on the stacks the network calls streak (each slice's parts once a series,
:class:`StreakCache`), the spectrum first: where it already reaches its levels the stack
keeps its call and the line sums (~1 ms a slice) are not measured (NaN in the output). No
cost on a series without streak calls.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from app.ct.ai.evidence import (STREAK_NAMES, SliceStreak, slice_spectrum, slice_streak,
                                stack_spec_features, stack_streak, streak_key)
from app.ct.ai.preprocess import CLASSES
from app.ct.ai.slice_memo import SliceMemo

STREAK = CLASSES.index("streak")
NORMAL = CLASSES.index("normal")
GATE = "streak_gate"        # the series run's output: (N, len(NAMES)), NaN unmeasured
NAMES = ("streak_z", "streak_z3", "streak_spec", "streak_spec3")   # the gate's measures
CARD_KEY = "streak_gate_levels"     # the card's levels (``thresholds``), evidence scale
QUANTILE = 0.99                     # of the training normals' values
_COLS = [STREAK_NAMES.index(n) for n in NAMES]
_SPEC, _SPEC3 = NAMES.index("streak_spec"), NAMES.index("streak_spec3")


class StreakCache:
    """Each slice's streak part measured once (neighbouring stacks share slices; the
    series run's batches run on several threads)."""

    def __init__(self) -> None:
        self._parts: SliceMemo[SliceStreak | None] = SliceMemo()
        self._specs: SliceMemo[np.ndarray | None] = SliceMemo()

    def spec(self, j: int, facts: Any) -> tuple[int, np.ndarray] | None:
        """(streak key, spectrum) of slice j: the slice facts' own (the measured-streak
        rule's) or measured here; None when the slice has none."""
        if facts.problem:
            return None
        sp = getattr(facts, "spec", None)
        if sp is None:
            sp = self._specs.get(j, lambda: slice_spectrum(facts.grid, facts.centre,
                                                            facts.radius_mm, facts.noise_grid))
        return None if sp is None else (streak_key(facts.radius_mm), sp)

    def get(self, j: int, facts: Any) -> SliceStreak | None:
        def part() -> SliceStreak | None:
            if facts.problem:
                return None
            sp = self.spec(j, facts)
            return slice_streak(facts.grid, facts.centre, facts.radius_mm, facts.noise_grid,
                                facts.body_hu, None if sp is None else sp[1])
        return self._parts.get(j, part)


def measure(probs: np.ndarray, triples: list[tuple[int, ...]], facts: list[tuple[Any, ...]],
            cache: StreakCache, levels: np.ndarray | None = None) -> np.ndarray:
    """(N, len(NAMES)) the streak measures (evidence scale) of the judged stacks the
    network calls "streak" (NaN elsewhere). ``triples``: each row's slice indices;
    ``facts``: their measurements (normalise.SliceFacts), the centre second. With
    ``levels``: a stack whose spectrum already reaches its level keeps NaN for the line
    sums (not measured: the gate keeps its call whatever they read)."""
    out = np.full((len(triples), len(NAMES)), np.nan, np.float32)
    for k, (js, fs) in enumerate(zip(triples, facts)):
        if int(np.argmax(probs[k])) != STREAK or fs[1].problem:
            continue
        if levels is not None:
            sp = stack_spec_features([cache.spec(j, f) for j, f in zip(js, fs)])
            if sp is not None and (sp[0] >= levels[_SPEC] or sp[1] >= levels[_SPEC3]):
                out[k, _SPEC], out[k, _SPEC3] = sp
                continue
        v = stack_streak([cache.get(j, f) for j, f in zip(js, fs)])
        if v is not None:
            out[k] = v[_COLS]
    return out


def apply(probs: np.ndarray, gate: np.ndarray | None, problems: Sequence[Any],
          levels: np.ndarray | None) -> tuple[np.ndarray, int]:
    """(probabilities, how many slices' "streak" the gate took back): a judged slice still
    called "streak" whose measures are all below ``levels`` has its streak probability
    moved to "normal". No levels (the card has none) or no measurements: nothing moves."""
    if levels is None or gate is None or not len(gate):
        return probs, 0
    probs = np.array(probs, np.float32)
    judged = np.array([not p for p in problems], bool)
    with np.errstate(invalid="ignore"):
        refuted = judged & np.isfinite(gate).all(1) & (gate < levels[None]).all(1) \
            & (probs.argmax(1) == STREAK)
    if refuted.any():
        probs[refuted, NORMAL] += probs[refuted, STREAK]
        probs[refuted, STREAK] = 0.0
    return probs, int(refuted.sum())


def levels_from_card(card: dict) -> np.ndarray | None:
    """The model's levels (``thresholds.streak_gate_levels``: one per name of NAMES), None
    without all of them."""
    v = (card.get("thresholds") or {}).get(CARD_KEY)
    if not isinstance(v, dict):
        return None
    try:
        out = np.array([float(v[n]) for n in NAMES], np.float32)
    except (KeyError, TypeError, ValueError):
        return None
    return out if all(math.isfinite(x) for x in out) else None
