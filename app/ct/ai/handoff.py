"""CT QC -> AI check -> reviewer queue hand-off (Qt-free).

After the CT QC station has analysed and stored a series, it calls
:func:`check_and_queue`: the AI classifier judges every slice; the AI verdict is stored
as its own record (model id, version, sha256, input digests, scores, latency) beside
the physics result, never replacing it; when the series needs a person (AI abnormal,
low confidence, anomaly, AI-vs-physics disagreement or failed limits) it is queued for
review with the worst slice and, when the scanner has an accepted baseline, the same
slice of it. Without a usable model the physics verdict stands alone and the record
says why.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import numpy as np

from app.core.errors import ModelIntegrityError, PharosError
from app.core.tasks import CancelToken, no_progress
from app.ct.ai.check import AiChecker
from app.ct.ai.preprocess import stack_neighbours
from app.ct.note_codes import Note, code_entry
from app.ct.note_codes import note as coded_note
from app.ct.review import ReviewQueue, ai_note, flag_reasons

log = logging.getLogger(__name__)
AI_KIND = "ct_qc.ai_verdict"


def physics_summary(result_payload: dict) -> dict:
    """What the AI verdict keeps of the physics: verdict, artifacts (type, verdict,
    amplitude, slice range), the failed / unmeasurable keys and the failed values (the
    proportion of a disagreement depends on them: app.ct.review_proportion)."""
    failed = [m for m in result_payload.get("measurements", [])
              if m.get("verdict") in ("FAIL", "ERROR")]
    return {"verdict": result_payload.get("verdict"),
            "artifacts": [{"type": a.get("type"), "verdict": a.get("verdict"),
                           "amplitude_hu": a.get("amplitude_hu"),
                           "slice_range": (a.get("location") or {}).get("slice_range")}
                          for a in result_payload.get("artifacts", [])],
            "failed": [m.get("key") for m in failed],
            "failed_values": {m.get("key"): m.get("value") for m in failed
                              if m.get("verdict") == "FAIL"}}


def assessable_slices(result_payload: dict, n_slices: int,
                      slice_positions_mm: Any = None) -> list[int]:
    """Slices the classifier was trained for: inside a localised phantom module, with
    both neighbours inside it too (a module boundary or the phantom's end is structure,
    not an artifact). Empty when the series was not localised."""
    loc = result_payload.get("localisation") or {}
    centres = loc.get("module_slices") or {}
    name = result_payload.get("phantom")
    if not centres or not name:
        return []
    try:
        from app.ct.phantoms import load_phantom

        modules = {m.id: m for m in load_phantom(name).modules}
    except Exception:  # noqa: BLE001 - an unknown phantom: nothing is assessable
        return []
    inputs = result_payload.get("inputs") or {}
    thick = float(inputs.get("slice_thickness_mm") or 0.0)
    if slice_positions_mm is not None and len(slice_positions_mm) > 1:
        spacing = float(np.median(np.abs(np.diff(np.asarray(slice_positions_mm, float)))))
    else:
        spacing = thick
    if spacing <= 0:
        return []
    out: set[int] = set()
    for mid, centre in centres.items():
        m = modules.get(mid)
        if m is None:
            continue
        reach = int(np.floor((m.length_mm / 2 - thick / 2) / spacing - 1))
        for i in range(int(centre) - reach, int(centre) + reach + 1):
            if 1 <= i < n_slices - 1:
                out.add(i)
    return sorted(out)


def checker_or_reason(models: Any) -> tuple[AiChecker | None, str]:
    if models is None:
        return None, coded_note("model.no_registry")
    try:
        return AiChecker.from_registry(models), ""
    except ModelIntegrityError as exc:
        return None, exc.message


def failed_reason(exc: PharosError) -> Note:
    """The stored reason of an AI check that raised: "AI check failed: <its message>" (the
    English record text as before), coded with the message nested (a coded message - a
    model refused by the registry - is translated too; any other is shown as written)."""
    return coded_note("ai.check_failed", error=exc.message)


def cancelled_reason() -> Note:
    return coded_note("ai.check_cancelled")


def check_and_queue(*, store: Any, checker: AiChecker | None, unavailable_reason: str = "",
                    queue: ReviewQueue | None, volume_hu: np.ndarray, result_payload: dict,
                    scanner_serial: str, series_uid: str, qc_record_id: str,
                    username: str, baseline_volume: np.ndarray | None = None,
                    slice_positions_mm: Any = None, pixel_mm: float | None = None,
                    token: CancelToken | None = None,
                    progress: Callable[[float, str], None] = no_progress) -> dict:
    """Run the AI check, store its verdict, queue for review when needed."""
    physics = physics_summary(result_payload)
    if checker is None:
        reason = unavailable_reason or coded_note("ai.check_unavailable")
        ai: dict[str, Any] = {"available": False, "reason": str(reason),
                              "reason_code": code_entry(reason), "label": None}
        store.add_record(AI_KIND, scanner_serial, {**ai, "qc_record_id": qc_record_id,
                                                   "physics": physics},
                         username=username, ref=series_uid, verdict=None)
        return ai
    indices = assessable_slices(result_payload, len(volume_hu), slice_positions_mm)
    if not indices:
        ai = {"available": True, "assessed": False, "label": None,
              "reason": "no slice lies inside a localised phantom module (the classifier "
                        "judges module slices only)"}
        store.add_record(AI_KIND, scanner_serial, {**ai, "qc_record_id": qc_record_id,
                                                   "physics": physics},
                         username=username, ref=series_uid, verdict=None)
        return ai
    result = checker.classify(volume_hu, indices, pixel_mm=pixel_mm, token=token,
                              progress=progress)
    ai = {"available": True, "assessed": True, **result.to_dict()}
    reasons = flag_reasons(ai, physics)
    note = ai_note(ai, physics)
    store.add_record(AI_KIND, scanner_serial,
                     {**ai, "qc_record_id": qc_record_id, "physics": physics,
                      "review_reasons": reasons,
                      "disagreement": "disagreement" in reasons,
                      "note": str(note), "note_code": code_entry(note)},
                     username=username, ref=series_uid,
                     verdict="FLAG" if reasons else "PASS")
    if reasons and queue is not None:
        worst = result.worst_slice().slice_index
        baseline = None
        if baseline_volume is not None and len(baseline_volume):
            bi = min(worst, len(baseline_volume) - 1)
            baseline = stack_neighbours(baseline_volume, bi)
        queue.submit(scanner_serial=scanner_serial, series_uid=series_uid, slice_index=worst,
                     ai={k: ai.get(k) for k in ("label", "verdict", "model_id", "model_version",
                                                "model_sha256", "flagged", "pixel_mm",
                                                "applicable", "not_applicable_reason",
                                                "not_applicable_reason_code",
                                                "series_evidence")}
                     | {"slices": [s for s in ai["slices"] if s["slice_index"] == worst],
                        "note": str(note), "note_code": code_entry(note)},
                     physics=physics, analysed_by=username,
                     image=stack_neighbours(volume_hu, worst), baseline=baseline,
                     qc_record_id=qc_record_id, reasons=reasons)
    return ai
