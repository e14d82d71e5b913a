"""Applicability of the AI check: metal in the field (Qt-free, numpy + cv2).

The AI classes (app/ct/ai_classes.py) describe a CatPhan-type phantom with nothing in it
but its modules. A clip, a screw or a fixture in the field makes the series something the
classes do not describe (its streaks are not a scanner's streak artifact): the AI is not
applicable and the physics decides alone.

The rule is written from physics and the phantom's definition, not fitted to data:

* **Level**: a pixel is metal-like above the slice's own body median + 2500 HU. The body
  median carries the scanner's calibration offset and CT-number scale (they move the body
  and the level together; stored values without the rescale, air at 0, are refused
  before: no air around the phantom); the densest phantom inserts
  are ~1000 HU (Teflon 1000 HU nominal, bone 850..970 HU, i.e. <= ~1000 HU over the body),
  the CTP528 aluminium bars 1500 HU in both renderers (~1500-2200 HU real, by kVp), so an
  edge-enhancing kernel's overshoot, a 10 % CT-number scale error and the noise together
  stay below the level (measured: <= 1970 HU over the body). Metal reads far above it
  (titanium ~ 6000 HU, steel beyond the scale; a 12-bit scale clips at 3071 HU, still
  above the level for any body within ~+-500 HU of water).
* **Area**: the largest 8-connected area above the level must exceed what the phantom's
  own high-density features can put there. A feature of in-plane "mass" M (HU x mm^2,
  the excess over the body integrated over the image plane) covers at most
  ``k * M / 2500`` mm^2 above the level (k ~ 1.5 for an edge-enhancing kernel's positive
  lobe). The CTP528 tungsten-carbide beads (0.28 mm, ~20000 HU): M = 20000 x (bead
  volume 0.0115 mm^3) / slice thickness <= 370 HU mm^2 at 0.625 mm -> <= 0.22 mm^2, i.e.
  a few partial-volume pixels, smaller and lower at any thicker slice or larger pixel.
  The CTP404 slice-width wire ramps (0.18-0.2 mm wire at 23 degrees, modelled up to
  30000-40000 HU): M = HU x wire cross-section / sin(23 deg) <= 2600 HU mm^2 whatever the
  slice, spread along a line -> <= 1.6 mm^2 (measured on both renderers at 0.3-0.9 mm
  pixels, 0.625-10 mm slices, edge-enhancing kernels: <= 0.81 mm^2, one 0.9 mm pixel).
  5 mm^2 is 3 x the largest of these bounds and 20 x the beads'; a metal object of
  5 mm^2 or more in the slice (a 2.5 mm rod, a clip seen along its length, a screw) is
  caught, smaller metal in thick slices may be missed (its partial volume reads like a
  phantom feature).

Measured on every slice that passes the other applicability checks; cost: one maximum of
the slice, and a connected-component pass only where a pixel is above the level.
"""
from __future__ import annotations

import cv2
import numpy as np

from app.ct.note_codes import Note, note

METAL_OVER_BODY_HU = 2500.0
METAL_MIN_AREA_MM2 = 5.0


def metal_area(a: np.ndarray, pixel_mm: float, level_hu: float) -> float:
    """Largest 8-connected area (mm^2) of the native slice ``a`` above ``level_hu``."""
    if float(a.max()) <= level_hu:
        return 0.0
    m = (a > level_hu).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return 0.0
    return float(stats[1:, cv2.CC_STAT_AREA].max()) * pixel_mm * pixel_mm


def metal_problem(a: np.ndarray, pixel_mm: float, body_hu: float) -> Note | str:
    """The "not applicable" reason of a slice with metal in the field; '' without."""
    level = body_hu + METAL_OVER_BODY_HU
    area = metal_area(a, pixel_mm, level)
    if area < METAL_MIN_AREA_MM2:
        return ""
    return note("ai.na_metal", area_mm2=round(area, 1), level_hu=round(level))
