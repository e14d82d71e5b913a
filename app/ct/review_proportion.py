"""Does a physics FAIL contradict an AI "normal"? (Qt-free; used by review.flag_reasons)

The AI answers one question - is there an artifact of one of its classes (ring,
streak, band, noise, shift, blur) at or above the class's definition - on the slices
it judged. A physics FAIL contradicts its "normal" only where it answers the same
question on the same slices:

* an artifact detector at FAIL (ring, arc, streak, band, cupping, capping, ct_shift)
  whose slices overlap the AI's inputs (judged slices and their neighbours; a finding
  without a slice range counts everywhere). A band on slices the AI did not judge (the
  CT QC hand-off judges module slices only, a band at a module boundary lies between)
  is the physics' finding alone;
* a failed measurement that one AI class defines, beyond that class's definition:
  ``noise.sd`` at or above the noise class (24 HU native SD) and ``mtf.mtf50`` at or
  below the blur class (MTF50 of a 0.95 mm Gaussian PSF, 1.97 lp/cm) - the class
  definitions the 2.x training draws its labels from (``app.ct.ai_classes``).

Every other failed limit - an insert's CT number, the uniform module's water value (a
phantom's own body material, which the AI's "shift" deliberately ignores), slice
thickness, low contrast, a protocol's noise or MTF specification tighter than the AI's
class - is not a question the AI answers: the series still goes to a reviewer for
``failed_limits`` (the highest priority), but its "normal" is no "disagreement" and no
red "AI and physics disagree" is shown; the note says what the physics found.
"""
from __future__ import annotations

from typing import Any

from app.ct.ai_classes import MTF50_BLUR_MAX, NOISE_CLASS_MIN_SD_HU
from app.ct.note_codes import note

# failed measurement -> (AI class, test of the measured value against its definition)
CLASS_MEASURES = {
    "noise.sd": ("noise", lambda v: v >= NOISE_CLASS_MIN_SD_HU),
    "mtf.mtf50": ("blur", lambda v: v <= MTF50_BLUR_MAX),
}


def failed_measurements(physics: dict) -> dict[str, float | None]:
    """{key: value} of the FAIL measurements (``measurements`` with values, or the CT QC
    hand-off's ``failed`` keys with ``failed_values``)."""
    out: dict[str, float | None] = {}
    for m in physics.get("measurements") or []:
        if m.get("verdict") == "FAIL":
            out[str(m.get("key"))] = _num(m.get("value"))
    values = physics.get("failed_values") or {}
    for key in physics.get("failed") or []:
        out.setdefault(str(key), _num(values.get(key)))
    return out


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def ai_inputs(ai: dict) -> set[int] | None:
    """Slices in the AI's inputs (judged slices and their neighbours); None when the
    verdict does not say (an older record: everywhere)."""
    judged = [s.get("slice_index") for s in ai.get("slices") or []
              if s.get("label") != "not_applicable" and s.get("slice_index") is not None]
    if not judged:
        return None
    return {int(i) + d for i in judged for d in (-1, 0, 1)}


def contradictions(ai: dict, physics: dict) -> tuple[list[str], list[str]]:
    """(physics findings that contradict an AI "normal", physics FAILs that do not); the
    findings are English text, coded (app.ct.note_codes) where a screen shows them."""
    seen = ai_inputs(ai)
    against: list[str] = []
    beside: list[str] = []
    for a in physics.get("artifacts") or []:
        if a.get("verdict") != "FAIL":
            continue
        kind = str(a.get("type") or "?")
        rng = a.get("slice_range") or (a.get("location") or {}).get("slice_range")
        if seen is not None and rng and len(rng) == 2 and \
                not any(int(rng[0]) <= k <= int(rng[1]) for k in seen):
            beside.append(note("proportion.unjudged_slices", kind=kind, first=rng[0],
                               last=rng[1]))
        else:
            against.append(kind)
    for key, value in failed_measurements(physics).items():
        rule = CLASS_MEASURES.get(key)
        if rule is not None and value is not None and rule[1](value):
            against.append(note("proportion.against_class", key=key, value=value,
                                ai_class=rule[0]))
        else:
            beside.append(note("proportion.failed", key=key) if value is None else
                          note("proportion.failed_value", key=key, value=value))
    if not against and not beside and physics.get("verdict") == "FAIL":
        against.append("physics FAIL")      # a record that does not say what failed
    return against, beside
