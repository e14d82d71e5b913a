"""The ring gate: a network's "ring" must be a ring the physics can measure (Qt-free).

A detector ring is a physical object: a narrow radial feature about the rotation centre
at the same radius on every slice of the stack. The training labels call a 3-slice stack
"ring" only from the physics criterion's floor on: z >= 6 for a full ring, z >= 7 for an
arc (``models/training/ct_phantom_dataset2._ring_floor``). The ring evidence of
:mod:`ring_evidence` measures that z on the network's own 1 mm grid (the matched filter
about the rotation centre, full circle and 180-degree windows; its noise unit measured
on the data, so one unit of z is its own spread).

On scanners it was not trained on, the released network called isolated clean slices
"ring" at 0.94-0.99 while the stack's ring evidence was at the level of clean stacks
(z 3-4: a texture the network learnt, not a ring). The gate: a slice the network calls
"ring" whose stack measures less than **z 5 over the full circle and less than z 6 over
every 180-degree window** - more than one unit of z below both floors - is not a ring;
its "ring" probability goes to "normal" (the other classes keep theirs). Nothing else
moves: a measured ring (at or above either level) keeps the network's call; a ring at
the phantom's edge, outside the evidence's reach, is the edge-ring rule's
(:mod:`edge_ring`; when that rule holds for the series the gate does not run).

The gate's measure leaves out local objects (``evidence.local_objects``: high-contrast
pieces that subtend less than a quarter turn about the rotation centre - CTP404's wire
ramps and node holes, whose high-pass halo read as a partial ring of z 6-8 in 5 mm
slices), and a radius counts only where its sectors read ONE ring or arc of a ring's z
(``ring_evidence.ring_gate_z``: fainter pieces on a circle - the same ramps on a third
renderer - are several stretches, not one); the evidence features the network may read
are unchanged.

Checked on the stored 3-slice sets of both training renderers (docs/image_review.md,
"The ring gate"), never on a foreign series. The evidence is measured only for the
slices the network calls "ring" (a clean series: a few; a ring series: every slice, and
each slice once - neighbouring stacks share it).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from app.ct.ai.preprocess import CLASSES
from app.ct.ai.evidence import EVIDENCE_NAMES, SliceRing, slice_ring, stack_ring_gate_z
from app.ct.ai.slice_memo import SliceMemo

FULL_Z_MIN = 5.0     # the full-circle floor (6) less one unit of the evidence's z
ARC_Z_MIN = 6.0      # the arc floor (7) less one unit
EVIDENCE_SCALE = 5.0  # the evidence features hold z / 5 (evidence.stack_evidence)
RING = CLASSES.index("ring")
GATE = "ring_gate"    # the series run's output: (N, 2) full and arc z / 5, NaN unmeasured
_FULL = EVIDENCE_NAMES.index("ring_mf3")
_ARC = EVIDENCE_NAMES.index("ring_mf3_arc")


class EvidenceCache:
    """Each slice's ring evidence measured once (neighbouring stacks share slices; the
    series run's batches run on several threads)."""

    def __init__(self, rot_centre: float, concentric: int = 0) -> None:
        self.rot_centre = float(rot_centre)
        self.concentric = int(concentric)  # ring layout 2 / 3: 1 / 2 (evidence.ring_bands)
        self._rings: SliceMemo[SliceRing | None] = SliceMemo()

    def get(self, j: int, facts: Any) -> SliceRing | None:
        return self._rings.get(j, lambda: None if facts.problem else slice_ring(
            facts.grid, facts.centre, facts.radius_mm, facts.noise_grid, facts.body_hu,
            self.rot_centre, local=True, concentric=self.concentric))


def measure(probs: np.ndarray, triples: list[tuple[int, ...]], facts: list[tuple[Any, ...]],
            cache: EvidenceCache) -> np.ndarray:
    """(N, 2) full and arc z / 5 of the stacks the network calls "ring" (NaN elsewhere).
    ``triples``: each row's slice indices (i - 1, i, i + 1, clamped); ``facts``: their
    measurements (normalise.SliceFacts)."""
    out = np.full((len(triples), 2), np.nan, np.float32)
    for k, (js, fs) in enumerate(zip(triples, facts)):
        if int(np.argmax(probs[k])) != RING or fs[1].problem:
            continue
        out[k] = stack_ring_gate_z([cache.get(j, f) for j, f in zip(js, fs)],
                                   FULL_Z_MIN, ARC_Z_MIN)
    return out


def apply(probs: np.ndarray, gate: np.ndarray | None, problems: list[Any]
          ) -> tuple[np.ndarray, int]:
    """(probabilities, how many slices' "ring" the gate took back): a judged slice called
    "ring" whose stack measures below both levels has its ring probability moved to
    "normal"."""
    if gate is None or not len(gate):
        return probs, 0
    probs = np.array(probs, np.float32)
    full, arc = gate[:, 0] * EVIDENCE_SCALE, gate[:, 1] * EVIDENCE_SCALE
    judged = np.array([not p for p in problems], bool)
    weak = judged & np.isfinite(full) & (probs.argmax(1) == RING) \
        & (full < FULL_Z_MIN) & (arc < ARC_Z_MIN)
    if weak.any():
        probs[weak, 0] += probs[weak, RING]
        probs[weak, RING] = 0.0
    return probs, int(weak.sum())


def evidence_in_context(ctx: np.ndarray, probs: np.ndarray, offset: int) -> np.ndarray:
    """The same (N, 2) from an evidence-layout context (the features are its inputs:
    ``offset`` = where EVIDENCE_NAMES start), for the rows called "ring"."""
    out = np.full((len(probs), 2), np.nan, np.float32)
    rows = np.asarray(probs).argmax(1) == RING
    out[rows, 0] = ctx[rows, offset + _FULL]
    out[rows, 1] = ctx[rows, offset + _ARC]
    return out

