"""The one table of the CT engine's note codes -> translatable templates (Qt-free).

Read by app.ct.note_codes (which makes and renders the notes) and, through it, by the UI
(Qt's translation, context :data:`CONTEXT`; catalogue resources/i18n/ct_notes_zh_CN.ts).
A code is a contract (records keep it): never reuse one for other words, add a new one.
Every template and term needs a zh_CN translation (tests/ct_qc/test_note_codes.py).
The notes of the measurement modules (CT numbers ... artifacts) are in
:mod:`app.ct.note_table_metrics`; :data:`TEMPLATES` is the one table, in this order.
"""
from __future__ import annotations

from app.ct.note_table_metrics import METRIC_TEMPLATES
from app.ct.note_template import CONTEXT, QT_TRANSLATE_NOOP, Template

__all__ = ["CONTEXT", "QT_TRANSLATE_NOOP", "SEPARATORS", "TEMPLATES", "TERMS", "Template"]

TEMPLATES: dict[str, Template] = {
    # -- a note made of parts (each part a note, with its own leading "; " or ", ") ------------
    "note.concat": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1"),
        ("parts",), {"parts": "concat"}, {"parts": "note"}),
    "note.more": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "; %1"),
        ("part",), {"part": "note"}),
    # -- loading the series (app.ct.dicom_load) ------------------------------------------------
    "dicom.files_skipped": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 non-image / non-DICOM file(s) skipped"),
        ("count",), {"count": "s"}),
    "dicom.uneven_spacing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "uneven slice spacing %1..%2 mm"),
        ("min_mm", "max_mm"), {"min_mm": ".3f", "max_mm": ".3f"}),
    # -- the analysis as a whole (pipeline, units, result) -------------------------------------
    "analysis.step_failed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1: could not be measured (%2)"),
        ("step", "error"), {"step": "term", "error": "s"}),
    "analysis.step_error": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 failed: %2"),
        ("step", "error"), {"step": "term", "error": "s"}),
    "analysis.modules_missing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "modules not in the series: %1"),
        ("modules",), {"modules": "list"}),
    "analysis.low_module_confidence": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "low localisation confidence for %1; its measurements "
                                         "are kept, read them with care"),
        ("modules",), {"modules": "list"}, {"modules": "note"}),
    "analysis.low_module_confidence.module": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 (%2: the image there differs from the definition - "
                                         "body CT number or inserts)"),
        ("module", "confidence"), {"module": "s", "confidence": ".2f"}),
    "scale.not_hu": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "pixel values are not HU (%1); the phantom is located "
                                         "and measured on an HU-equivalent scale taken from the "
                                         "image (air -> -1000, body -> its nominal: HU-eq = %2 x "
                                         "value %3); CT-number checks are not applicable"),
        ("reason", "slope", "intercept"), {"reason": "note", "slope": ".6g", "intercept": "+.4g"}),
    "scale.reasons": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1"),
        ("parts",), {"parts": "list;"}, {"parts": "note"}),
    "scale.rescale_type": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "RescaleType %1"),
        ("rescale_type",), {"rescale_type": "s"}),
    "scale.air_body": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "air reads %1, the phantom body %2"),
        ("air", "body"), {"air": ".5g", "body": ".5g"}),
    "measurement.not_hu": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "not applicable: the pixel values are not HU (%1)"),
        ("reason",), {"reason": "note"}),
    "measurement.hu_equivalent": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "; reads %1 on the image-derived HU-equivalent scale"),
        ("value",), {"value": "g"}),
    # the record keeps "limited by the profile but not measured: <keys>"
    # (names.UNMEASURED_NOTE); people read the measurements' names
    "result.unmeasured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Limited by the profile but not measured (the result "
                                         "cannot read PASS): %1"),
        ("keys",), {"keys": "list;"}, {"keys": "name"}),
    "module.not_in_series": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "module %1 not in the series"),
        ("modules",), {"modules": "list"}),
    # -- the measurement modules (metrics_hu, _res, _thk, _geo, artifacts): note_table_metrics
    **METRIC_TEMPLATES,
    # -- the AI check and its place beside the physics (app.ct.ai.check, app.ct.review) --------
    "ai.pixel_unknown": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "pixel size unknown: a %1 mm field of view was assumed "
                                         "(%2 mm)"),
        ("fov_mm", "pixel_mm"), {"fov_mm": ".0f", "pixel_mm": ".3f"}),
    "ai.not_applicable": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI not applicable to this series (%1): the physics "
                                         "decides alone"),
        ("why",), {"why": "note"}),
    "ai.na_metal": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "metal in the field: %1 mm² above %2 HU"),
        ("area_mm2", "level_hu"), {"area_mm2": ".0f", "level_hu": ".0f"}),
    # the reasons a slice is not for the AI (app.ct.ai.normalise, app.ct.ai.check)
    "ai.na_pixel": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "pixel size %1 mm is outside %2..%3 mm"),
        ("pixel_mm", "lo_mm", "hi_mm"), {"pixel_mm": ".2f", "lo_mm": "s", "hi_mm": "s"}),
    "ai.na_no_body": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no phantom body in the slice")),
    "ai.na_diameter": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no phantom of %1..%2 mm diameter (the body measures "
                                         "%3 mm)"),
        ("lo_mm", "hi_mm", "body_mm"), {"lo_mm": ".0f", "hi_mm": ".0f", "body_mm": ".0f"}),
    "ai.na_not_round": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the body is not round (reaches %1 mm from its centre, "
                                         "a disc of its area %2 mm): not a cylindrical phantom"),
        ("reach_mm", "radius_mm"), {"reach_mm": ".0f", "radius_mm": ".0f"}),
    "ai.na_cut": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the phantom is cut by the field of view")),
    "ai.na_elliptical": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the body is elliptical (axes %1 x %2 mm): not a "
                                         "cylindrical phantom"),
        ("major_mm", "minor_mm"), {"major_mm": ".0f", "minor_mm": ".0f"}),
    "ai.na_shell": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "a dense shell inside the body's edge (%1 HU over the "
                                         "body, like a skull): not a QC phantom the AI knows"),
        ("over_hu",), {"over_hu": "+.0f"}),
    "ai.na_no_air": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no air around the phantom in the field of view")),
    "ai.na_noise_unmeasured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the noise could not be measured")),
    "ai.na_noise": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "noise SD %1 HU is beyond any CT scan of a phantom"),
        ("sd_hu",), {"sd_hu": ".0f"}),
    "ai.na_edge": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the phantom's outer edge could not be measured")),
    "ai.na_anomaly": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the slice is unlike any phantom slice the AI was "
                                         "trained and calibrated on (anomaly %1 > %2)"),
        ("anomaly", "threshold"), {"anomaly": ".2f", "threshold": ".2f"}),
    "ai.na_unlike": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the slice is unlike any phantom slice the AI was "
                                         "trained and calibrated on")),
    # the model registry (app.adapters.inference): the folder is a parameter, never translated
    "model.not_installed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "No model '%1' is installed in %2."),
        ("name", "folder"), {"name": "s", "folder": "s"}),
    "model.version_not_installed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "No model '%1' version %2 is installed in %3."),
        ("name", "version", "folder"), {"name": "s", "version": "s", "folder": "s"}),
    "model.card_unreadable": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Model card %1 is unreadable or incomplete (%2)."),
        ("card", "error"), {"card": "s", "error": "s"}),
    "model.file_missing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Model file %1 is missing."),
        ("path",), {"path": "s"}),
    "model.integrity_failed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Model %1 failed its integrity check: sha256 %2… "
                                         "differs from the card's %3… (file altered or "
                                         "truncated). It was not loaded."),
        ("model", "actual", "expected"), {"model": "s", "actual": "s", "expected": "s"}),
    "model.altered_after_loading": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Model %1 failed its integrity check: sha256 %2… "
                                         "differs from the card's %3… (file altered after "
                                         "loading). It was not loaded again."),
        ("model", "actual", "expected"), {"model": "s", "actual": "s", "expected": "s"}),
    "model.load_failed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Model %1 cannot be loaded by onnxruntime: %2"),
        ("model", "error"), {"model": "s", "error": "s"}),
    # why a series has no AI verdict (app.ct.ai.handoff, the stations that run the check)
    "ai.check_failed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI check failed: %1"),
        ("error",), {"error": "note"}),
    "ai.check_cancelled": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI check cancelled")),
    "ai.check_unavailable": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI check unavailable")),
    "model.no_registry": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no model registry")),
    "model.no_registry_configured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "No model registry is configured.")),
    # why one slice was not judged or was flagged (app.ct.ai.check: SliceVerdict.reasons)
    "ai.slice_not_applicable": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI not applicable: %1"),
        ("why",), {"why": "note"}),
    "ai.slice_class": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI class '%1' (%2)"),
        ("label", "confidence"), {"label": "term", "confidence": ".2f"}),
    "ai.slice_low_confidence": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "low confidence (%1 < %2)"),
        ("confidence", "threshold"), {"confidence": ".2f", "threshold": ".2f"}),
    "ai.edge_ring": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "ring at the phantom's edge measured: r %1 mm, %2 HU, "
                                         "z %3 (physics rule)"),
        ("radius_mm", "amplitude_hu", "z"), {"radius_mm": ".1f", "amplitude_hu": ".0f",
                                             "z": ".1f"}),
    "ai.ring_unmeasured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 slice(s) called ring by the network without a "
                                         "measurable ring (ring evidence z below %2 over the "
                                         "full circle and %3 over any half): counted normal"),
        ("count", "full_z", "arc_z"), {"count": "s", "full_z": "g", "arc_z": "g"}),
    "ai.band_unmeasured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 slice(s) called band by the network whose "
                                         "central-disc levels show no band (no one- or "
                                         "two-slice run comes within %3 standard errors of "
                                         "%2 HU outside its neighbours' levels): counted "
                                         "normal"),
        ("count", "min_hu", "se"), {"count": "s", "min_hu": "g", "se": "g"}),
    "ai.shift_unmeasured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 slice(s) called shift by the network whose air "
                                         "level and uniformity show no shift (air offset and "
                                         "cupping both below %2 HU): counted normal"),
        ("count", "max_hu"), {"count": "s", "max_hu": "g"}),
    "ai.streak_unmeasured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 slice(s) called streak by the network on which "
                                         "no streak measure (line sums or directional "
                                         "spectrum, one or three slices) reaches what %2 % "
                                         "of the model's training normals stay below: "
                                         "counted normal"),
        ("count", "pct"), {"count": "s", "pct": "g"}),
    "ai.streak_measured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 slice(s) called normal by the network whose "
                                         "streak spectrum is beyond any non-streak slice the "
                                         "model was trained on (3-slice spectrum z above "
                                         "%2): judged streak"),
        ("count", "min_z"), {"count": "s", "min_z": ".2f"}),
    "ai.noise_measured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 slice(s) unlike the training data, called noise "
                                         "by the network with a measured noise SD of at "
                                         "least %2 HU (the class's own measure): judged "
                                         "noise"),
        ("count", "min_sd"), {"count": "s", "min_sd": "g"}),
    "ai.slice_anomaly": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "anomaly score %1 fits no class"),
        ("anomaly",), {"anomaly": ".2f"}),
    "ai.na_series": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 (%2 of %3 slices)"),
        ("why", "count", "total"), {"why": "note", "count": "s", "total": "s"}),
    "ai.physics_beside": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "physics %1: %2 - not what an AI class judges; the AI's "
                                         "'normal' does not contradict it, the physics decides"),
        ("verdict", "findings"), {"verdict": "term", "findings": "list"}, {"findings": "note"}),
    "ai.physics_warns": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "physics warns of %1 (below the action level); the AI "
                                         "sees no artifact: a note, not a disagreement"),
        ("kinds",), {"kinds": "list"}, {"kinds": "artifact"}),
    "ai.uncertain": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI uncertain on some slices (physics %1): a note for "
                                         "the reviewer, not a disagreement"),
        ("verdict",), {"verdict": "term"}),
    "ai.uncertain_weak": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI uncertain on some slices (%1) (physics %2): a note "
                                         "for the reviewer, not a disagreement"),
        ("evidence", "verdict"), {"evidence": "note", "verdict": "term"}),
    "ai.normal_weak": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "AI normal: %1 - within chance; the weak slices keep "
                                         "their own flags"),
        ("evidence",), {"evidence": "note"}),
    "ai.weak_evidence": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 of %2 slices weak where a clean series shows about "
                                         "%3, p = %4"),
        ("weak", "judged", "expected", "p_value"),
        {"weak": "s", "judged": "s", "expected": ".1f", "p_value": ".2g"}),
    # findings of app.ct.review_proportion.contradictions
    "proportion.unjudged_slices": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 on slices %2-%3, which the AI did not judge"),
        ("kind", "first", "last"), {"kind": "artifact", "first": "s", "last": "s"}),
    "proportion.failed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1"),
        ("key",), {"key": "key"}),
    "proportion.failed_value": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 %2"),
        ("key", "value"), {"key": "key", "value": "g"}),
    "proportion.against_class": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 %2 (%3)"),
        ("key", "value", "ai_class"), {"key": "key", "value": "g", "ai_class": "term"}),
}

# words a "term" parameter may hold that people read translated; anything else in a
# "term" parameter (an exception's message, a reason from elsewhere) is shown as written
TERMS: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("EngineNotes", "streaks"),
    QT_TRANSLATE_NOOP("EngineNotes", "CT numbers"),
    QT_TRANSLATE_NOOP("EngineNotes", "uniformity and noise"),
    QT_TRANSLATE_NOOP("EngineNotes", "noise power spectrum"),
    QT_TRANSLATE_NOOP("EngineNotes", "rings"),
    QT_TRANSLATE_NOOP("EngineNotes", "bands, cupping, CT shift"),
    QT_TRANSLATE_NOOP("EngineNotes", "TTF"),
    QT_TRANSLATE_NOOP("EngineNotes", "MTF"),
    QT_TRANSLATE_NOOP("EngineNotes", "bar patterns"),
    QT_TRANSLATE_NOOP("EngineNotes", "slice thickness"),
    QT_TRANSLATE_NOOP("EngineNotes", "geometry"),
    QT_TRANSLATE_NOOP("EngineNotes", "low contrast"),
    QT_TRANSLATE_NOOP("EngineNotes", "detectability"),
    QT_TRANSLATE_NOOP("EngineNotes", "dose"),
    QT_TRANSLATE_NOOP("EngineNotes", "PASS"),
    QT_TRANSLATE_NOOP("EngineNotes", "WARN"),
    QT_TRANSLATE_NOOP("EngineNotes", "FAIL"),
    QT_TRANSLATE_NOOP("EngineNotes", "ERROR"),
    QT_TRANSLATE_NOOP("EngineNotes", "none"),
    QT_TRANSLATE_NOOP("EngineNotes", "noise"),
    QT_TRANSLATE_NOOP("EngineNotes", "blur"),
    QT_TRANSLATE_NOOP("EngineNotes", "ring"),
    QT_TRANSLATE_NOOP("EngineNotes", "streak"),
    QT_TRANSLATE_NOOP("EngineNotes", "band"),
    QT_TRANSLATE_NOOP("EngineNotes", "shift"),
    QT_TRANSLATE_NOOP("EngineNotes", "the input is unlike its training"),
    QT_TRANSLATE_NOOP("EngineNotes", "top"),
    QT_TRANSLATE_NOOP("EngineNotes", "right"),
    QT_TRANSLATE_NOOP("EngineNotes", "bottom"),
    QT_TRANSLATE_NOOP("EngineNotes", "left"),
    QT_TRANSLATE_NOOP("EngineNotes", "water"),
    QT_TRANSLATE_NOOP("EngineNotes", "the centre ROI"),
    QT_TRANSLATE_NOOP("EngineNotes", "the edge ROIs (median; a streak crosses the centre)"),
    QT_TRANSLATE_NOOP("EngineNotes", "the centre ROI with the streak in it (every ROI lies on a "
                                     "streak)"),
    QT_TRANSLATE_NOOP("EngineNotes", "wire"),
    QT_TRANSLATE_NOOP("EngineNotes", "bead"),
    QT_TRANSLATE_NOOP("EngineNotes", "2-D FFT, size-corrected"),
    QT_TRANSLATE_NOOP("EngineNotes", "no 50 % crossing"),
    QT_TRANSLATE_NOOP("EngineNotes", "the phantom has no bead or wire"),
    QT_TRANSLATE_NOOP("EngineNotes", "bead/wire not visible above noise"),
    QT_TRANSLATE_NOOP("EngineNotes", "PSF undersampled by the pixel size"),
    QT_TRANSLATE_NOOP("EngineNotes", "bead SNR too low"),
    QT_TRANSLATE_NOOP("EngineNotes", "bead MTF"),
    QT_TRANSLATE_NOOP("EngineNotes", "nodes"),
    QT_TRANSLATE_NOOP("EngineNotes", "beads"),
    QT_TRANSLATE_NOOP("EngineNotes", "largest disc"),
    QT_TRANSLATE_NOOP("EngineNotes", "rect SSP (axial)"),
    QT_TRANSLATE_NOOP("EngineNotes", "no usable ramp profile"),
    QT_TRANSLATE_NOOP("EngineNotes", "crossed by a streak"),
    QT_TRANSLATE_NOOP("EngineNotes", "profile is not a single clean peak"),
    QT_TRANSLATE_NOOP("EngineNotes", "the wire ends inside the slice profile (slice off the ramp "
                                     "centre)"),
    QT_TRANSLATE_NOOP("EngineNotes", "SSP model fit failed"),
    QT_TRANSLATE_NOOP("EngineNotes", "failed"),
    QT_TRANSLATE_NOOP("EngineNotes", "disagreed"),
)
# list separators (format "list" / "list;")
SEPARATORS = {"list": QT_TRANSLATE_NOOP("EngineNotes", ", "),
              "list;": QT_TRANSLATE_NOOP("EngineNotes", "; ")}
