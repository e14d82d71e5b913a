"""The one table of the CT engine's note codes -> translatable templates (Qt-free).

Read by app.ct.note_codes (which makes and renders the notes) and, through it, by the UI
(Qt's translation, context :data:`CONTEXT`; catalogue resources/i18n/ct_notes_zh_CN.ts).
A code is a contract (records keep it): never reuse one for other words, add a new one.
Every template and term needs a zh_CN translation (tests/ct_qc/test_note_codes.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

CONTEXT = "EngineNotes"   # the Qt translation context of every template and term


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - lupdate's marker name
    """Marks a template for lupdate (pyside6-lupdate finds it); returns it unchanged."""
    return text


@dataclass(frozen=True)
class Template:
    """``text``: English with %1..%n (the translation source); ``params``: their names in
    that order; ``formats``: how a parameter becomes text - a Python format spec
    (".3f", "g": no locale, as the engine writes it), "s" (as written), "term" (a word of
    :data:`TERMS`, translated; any other as written), "key" (a measurement key: as written
    in English, its name in other languages), "name" (a measurement key: its name),
    "artifact" (an artifact type, like "key"), "note" (a nested note; plain text as
    "term"), "list" / "list;" (items joined by ", " / "; ", each formatted as ``item``
    says) or "concat" (nested notes one after the other)."""

    text: str
    params: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    item: Mapping[str, str] = field(default_factory=dict)   # list param -> its items' format


_T = QT_TRANSLATE_NOOP
C = CONTEXT


def _fixed(text: str) -> Template:
    return Template(text)


TEMPLATES: dict[str, Template] = {
    # -- a note made of parts (each part a note, with its own leading "; " or ", ") -------
    "note.concat": Template(_T(C, "%1"), ("parts",), {"parts": "concat"}, {"parts": "note"}),
    "note.more": Template(_T(C, "; %1"), ("part",), {"part": "note"}),
    # -- loading the series (app.ct.dicom_load) -------------------------------------------
    "dicom.files_skipped": Template(_T(C, "%1 non-image / non-DICOM file(s) skipped"),
                                    ("count",), {"count": "s"}),
    "dicom.uneven_spacing": Template(_T(C, "uneven slice spacing %1..%2 mm"),
                                     ("min_mm", "max_mm"), {"min_mm": ".3f", "max_mm": ".3f"}),
    # -- the analysis as a whole (pipeline, units, result) --------------------------------
    "analysis.step_failed": Template(_T(C, "%1: could not be measured (%2)"),
                                     ("step", "error"), {"step": "term", "error": "s"}),
    "analysis.step_error": Template(_T(C, "%1 failed: %2"), ("step", "error"),
                                    {"step": "term", "error": "s"}),
    "analysis.modules_missing": Template(_T(C, "modules not in the series: %1"),
                                         ("modules",), {"modules": "list"}),
    "analysis.low_module_confidence": Template(
        _T(C, "low localisation confidence for %1; its measurements are kept, read them "
              "with care"), ("modules",), {"modules": "list"}, {"modules": "note"}),
    "analysis.low_module_confidence.module": Template(
        _T(C, "%1 (%2: the image there differs from the definition - body CT number or "
              "inserts)"), ("module", "confidence"), {"module": "s", "confidence": ".2f"}),
    "scale.not_hu": Template(
        _T(C, "pixel values are not HU (%1); the phantom is located and measured on an "
              "HU-equivalent scale taken from the image (air -> -1000, body -> its nominal: "
              "HU-eq = %2 x value %3); CT-number checks are not applicable"),
        ("reason", "slope", "intercept"),
        {"reason": "note", "slope": ".6g", "intercept": "+.4g"}),
    "scale.reasons": Template(_T(C, "%1"), ("parts",), {"parts": "list;"}, {"parts": "note"}),
    "scale.rescale_type": Template(_T(C, "RescaleType %1"), ("rescale_type",),
                                   {"rescale_type": "s"}),
    "scale.air_body": Template(_T(C, "air reads %1, the phantom body %2"), ("air", "body"),
                               {"air": ".5g", "body": ".5g"}),
    "measurement.not_hu": Template(
        _T(C, "not applicable: the pixel values are not HU (%1)"), ("reason",),
        {"reason": "note"}),
    "measurement.hu_equivalent": Template(
        _T(C, "; reads %1 on the image-derived HU-equivalent scale"), ("value",),
        {"value": "g"}),
    # the record keeps "limited by the profile but not measured: <keys>"
    # (names.UNMEASURED_NOTE); people read the measurements' names
    "result.unmeasured": Template(
        _T(C, "Limited by the profile but not measured (the result cannot read PASS): %1"),
        ("keys",), {"keys": "list;"}, {"keys": "name"}),
    "module.not_in_series": Template(_T(C, "module %1 not in the series"), ("modules",),
                                     {"modules": "list"}),
    # -- CT numbers, uniformity, noise, NPS (metrics_hu) ----------------------------------
    "ct_number.streak_crossed": Template(
        _T(C, "nominal %1 HU; crossed by a streak (see artifacts): not measured"),
        ("nominal",), {"nominal": "g"}),
    "ct_number.insert": Template(_T(C, "nominal %1 HU, SD %2, SE %3"),
                                 ("nominal", "sd", "se"),
                                 {"nominal": "g", "sd": ".1f", "se": ".2f"}),
    "ct_number.uniform_module": Template(
        _T(C, "centre of the uniform module %1 (%2, nominal %3 HU), SE %4"),
        ("module", "material", "nominal", "se"),
        {"module": "s", "material": "term", "nominal": "g", "se": ".2f"}),
    "uniformity.no_module": _fixed(_T(C, "no uniformity module in the series")),
    "uniformity.no_module_missing": Template(
        _T(C, "no uniformity module in the series (missing %1)"), ("modules",),
        {"modules": "list"}),
    "uniformity.roi_on_streak": _fixed(
        _T(C, "the ROI lies on a streak (see artifacts): not measured")),
    "uniformity.centre_on_streak": _fixed(
        _T(C, "the centre ROI lies on a streak (see artifacts): not measured")),
    "uniformity.edge_dev": Template(_T(C, "edge minus centre, worst at %1 (SE %2)"),
                                    ("edge", "se"), {"edge": "term", "se": ".2f"}),
    "uniformity.radial": Template(
        _T(C, "5 mm rings minus the central 15 mm disc, largest at %1 mm (SE %2, %3 rings)"),
        ("radius_mm", "se", "rings"), {"radius_mm": ".0f", "se": ".2f", "rings": "s"}),
    "noise.sd_in": Template(_T(C, "mean of per-slice SDs in %1"), ("where",),
                            {"where": "term"}),
    "noise.sd_centre": Template(
        _T(C, "mean of per-slice SDs in the centre ROI over %1 image(s)"), ("images",),
        {"images": "s"}),
    "nps.no_module": _fixed(_T(C, "no uniformity module")),
    "noise.nonuniformity": _fixed(_T(C, "(max - min) SD of 5 ROIs / centre SD")),
    "nps.method": Template(
        _T(C, "%1 ROIs of %2x%3 px, 2nd-order detrended; integral SD %4 HU"),
        ("rois", "size", "size2", "sd"), {"rois": "s", "size": "s", "size2": "s", "sd": ".2f"}),
    # -- MTF, TTF, bar patterns (metrics_res) ---------------------------------------------
    "mtf.module_missing": Template(_T(C, "resolution module not in the series (%1)"),
                                   ("modules",), {"modules": "list"}),
    "mtf.no_edge": Template(_T(C, "%1; no high-contrast edge either"), ("why",),
                            {"why": "term"}),
    "mtf.edge": Template(_T(C, "circular edge of %1 (%2)"), ("insert", "why"),
                         {"insert": "s", "why": "term"}),
    "mtf.edge_instead": Template(_T(C, "circular edge of %1 (%2 for a point-spread MTF)"),
                                 ("insert", "why"), {"insert": "s", "why": "term"}),
    "mtf.psf": Template(_T(C, "%1 PSF, %2 image(s), %3"), ("source", "images", "method"),
                        {"source": "term", "images": "s", "method": "note"}),
    "mtf.gaussian_fit": Template(_T(C, "Gaussian PSF fit (SNR %1)"), ("snr",),
                                 {"snr": ".0f"}),
    "mtf.bead_informative": Template(_T(C, "bead %1; informative: %2"), ("method", "value"),
                                     {"method": "note", "value": "note"}),
    "mtf.lp_cm": Template(_T(C, "%1 lp/cm"), ("value",), {"value": ".2f"}),
    "mtf.above_nyquist": Template(
        _T(C, "%1; above the highest frequency this matrix samples (%2 lp/cm)"),
        ("note", "nyquist"), {"note": "note", "nyquist": ".1f"}),
    "ttf.edge": Template(_T(C, "circular edge, contrast %1 HU"), ("contrast",),
                         {"contrast": "+.0f"}),
    "bars.modulation": Template(
        _T(C, "%1 lp/cm modulation (Droege-Morin), visible >= %2"), ("lp", "visible_at"),
        {"lp": "g", "visible_at": "s"}),
    "bars.visible": _fixed(_T(C, "highest bar pattern visible (all lower ones visible)")),
    # -- slice thickness (metrics_thk) ------------------------------------------------------
    "thickness.module_missing": Template(_T(C, "ramp module %1 not in the series"),
                                         ("modules",), {"modules": "list"}),
    "thickness.unreliable": Template(_T(C, "unreliable: %1 - see artifacts"), ("why",),
                                     {"why": "list;"}, {"why": "note"}),
    "thickness.method": Template(
        _T(C, "FWHM x tan(ramp angle), %1 ramp(s) x %2 slice(s)"), ("ramps", "slices"),
        {"ramps": "s", "slices": "s"}),
    "thickness.blur_removed": Template(
        _T(C, ", in-plane blur %1 mm removed by a %2 model fit"), ("sigma_mm", "shape"),
        {"sigma_mm": ".2f", "shape": "note"}),
    "thickness.ssp_helical": Template(
        _T(C, "trapezoid SSP (helical), fitted edge %1 x FWHM"), ("edge",), {"edge": ".2f"}),
    "thickness.ssp_helical_pitch": Template(
        _T(C, "trapezoid SSP (helical, pitch %1), fitted edge %2 x FWHM"), ("pitch", "edge"),
        {"pitch": "g", "edge": ".2f"}),
    "thickness.excluded": Template(_T(C, "; excluded: %1"), ("why",), {"why": "list;"},
                                   {"why": "note"}),
    "thickness.streaked": Template(_T(C, "; %1 streaked slice(s) skipped"), ("count",),
                                   {"count": "s"}),
    "thickness.ramp": Template(_T(C, "ramp %1: %2"), ("ramp", "why"),
                               {"ramp": "s", "why": "term"}),
    "thickness.ramp_direct": Template(
        _T(C, "ramp %1: direct half-maximum width (thick slice; model fit %2)"),
        ("ramp", "fit"), {"ramp": "s", "fit": "term"}),
    "thickness.ramps_disagree": Template(_T(C, "%1 ramp(s) disagree with the others"),
                                         ("count",), {"count": "s"}),
    # -- geometry, low contrast, detectability, dose (metrics_geo) ---------------------------
    "geometry.nodes_unreliable": _fixed(
        _T(C, "unreliable: nodes not found or crossed by a streak - see artifacts")),
    "geometry.distances": Template(_T(C, "%1 distance(s) between %2, nominal %3 mm"),
                                   ("count", "points", "nominal"),
                                   {"count": "s", "points": "term", "nominal": "g"}),
    "geometry.excluded": Template(_T(C, "; %1 excluded (streak / low contrast)"),
                                  ("count",), {"count": "s"}),
    "low_contrast.no_background": _fixed(
        _T(C, "no clear background position beside the disc")),
    "low_contrast.cnr": Template(
        _T(C, "%1: |%2 - %3| / %4; background ROI at (%5, %6) px"),
        ("disc", "disc_hu", "background_hu", "background_sd", "x_px", "y_px"),
        {"disc": "term", "disc_hu": ".1f", "background_hu": ".1f", "background_sd": ".2f",
         "x_px": ".0f", "y_px": ".0f"}),
    "dprime.modules_missing": _fixed(_T(C, "needs NPS and TTF/MTF (modules missing)")),
    "dprime.not_measured": _fixed(_T(C, "needs NPS and TTF/MTF (not measured)")),
    "dprime.method": Template(_T(C, "NPW, %1 mm disc, %2 HU, %3 + NPS"),
                              ("disc_mm", "contrast_hu", "source"),
                              {"disc_mm": "g", "contrast_hu": "g", "source": "note"}),
    "dprime.source_ttf": Template(_T(C, "TTF %1"), ("insert",), {"insert": "s"}),
    "dose.header": _fixed(_T(C, "CTDIvol from the DICOM header")),
    # -- artifacts (artifacts, rings, streaks) ---------------------------------------------
    "artifact.cupping": _fixed(_T(C, "radial profile of the uniform module")),
    "artifact.band": _fixed(
        _T(C, "central interquartile mean HU per slice minus running median along z")),
    "artifact.ct_shift": _fixed(
        _T(C, "median deviation of the water-like and soft-tissue inserts")),
    "artifact.ring": Template(
        _T(C, "polar analysis about the reconstruction centre, strongest in %1 (slices "
              "%2-%3); channel from %4"), ("module", "first", "last", "channel_source"),
        {"module": "s", "first": "s", "last": "s", "channel_source": "s"}),
    "artifact.streak": _fixed(
        _T(C, "directional energy of the high-pass residual; angle of the streak lines (image "
              "angle from +x towards +y, mod 180); amplitude at the peak of the across-line "
              "profile")),
    # -- the AI check and its place beside the physics (app.ct.ai.check, app.ct.review) ----
    "ai.pixel_unknown": Template(
        _T(C, "pixel size unknown: a %1 mm field of view was assumed (%2 mm)"),
        ("fov_mm", "pixel_mm"), {"fov_mm": ".0f", "pixel_mm": ".3f"}),
    "ai.not_applicable": Template(
        _T(C, "AI not applicable to this series (%1): the physics decides alone"),
        ("why",), {"why": "term"}),
    "ai.physics_beside": Template(
        _T(C, "physics %1: %2 - not what an AI class judges; the AI's 'normal' does not "
              "contradict it, the physics decides"),
        ("verdict", "findings"), {"verdict": "term", "findings": "list"},
        {"findings": "note"}),
    "ai.physics_warns": Template(
        _T(C, "physics warns of %1 (below the action level); the AI sees no artifact: a "
              "note, not a disagreement"), ("kinds",), {"kinds": "list"},
        {"kinds": "artifact"}),
    "ai.uncertain": Template(
        _T(C, "AI uncertain on some slices (physics %1): a note for the reviewer, not a "
              "disagreement"), ("verdict",), {"verdict": "term"}),
    "ai.uncertain_weak": Template(
        _T(C, "AI uncertain on some slices (%1) (physics %2): a note for the reviewer, not "
              "a disagreement"), ("evidence", "verdict"),
        {"evidence": "note", "verdict": "term"}),
    "ai.normal_weak": Template(
        _T(C, "AI normal: %1 - within chance; the weak slices keep their own flags"),
        ("evidence",), {"evidence": "note"}),
    "ai.weak_evidence": Template(
        _T(C, "%1 of %2 slices weak where a clean series shows about %3, p = %4"),
        ("weak", "judged", "expected", "p_value"),
        {"weak": "s", "judged": "s", "expected": ".1f", "p_value": ".2g"}),
    # findings of app.ct.review_proportion.contradictions
    "proportion.unjudged_slices": Template(
        _T(C, "%1 on slices %2-%3, which the AI did not judge"), ("kind", "first", "last"),
        {"kind": "artifact", "first": "s", "last": "s"}),
    "proportion.failed": Template(_T(C, "%1"), ("key",), {"key": "key"}),
    "proportion.failed_value": Template(_T(C, "%1 %2"), ("key", "value"),
                                        {"key": "key", "value": "g"}),
    "proportion.against_class": Template(_T(C, "%1 %2 (%3)"), ("key", "value", "ai_class"),
                                         {"key": "key", "value": "g", "ai_class": "term"}),
}

# words a "term" parameter may hold that people read translated; anything else in a
# "term" parameter (an exception's message, a reason from elsewhere) is shown as written
TERMS: tuple[str, ...] = (
    # the analysis steps (pipeline)
    _T(C, "streaks"), _T(C, "CT numbers"), _T(C, "uniformity and noise"),
    _T(C, "noise power spectrum"), _T(C, "rings"), _T(C, "bands, cupping, CT shift"),
    _T(C, "TTF"), _T(C, "MTF"), _T(C, "bar patterns"), _T(C, "slice thickness"),
    _T(C, "geometry"), _T(C, "low contrast"), _T(C, "detectability"), _T(C, "dose"),
    # verdicts and the AI's classes as they appear inside notes
    _T(C, "PASS"), _T(C, "WARN"), _T(C, "FAIL"), _T(C, "ERROR"), _T(C, "none"),
    _T(C, "noise"), _T(C, "blur"), _T(C, "ring"), _T(C, "streak"), _T(C, "band"),
    _T(C, "shift"), _T(C, "the input is unlike its training"),
    # where and how a figure was measured
    _T(C, "top"), _T(C, "right"), _T(C, "bottom"), _T(C, "left"), _T(C, "water"),
    _T(C, "the centre ROI"), _T(C, "the edge ROIs (median; a streak crosses the centre)"),
    _T(C, "the centre ROI with the streak in it (every ROI lies on a streak)"),
    _T(C, "wire"), _T(C, "bead"), _T(C, "2-D FFT, size-corrected"),
    _T(C, "no 50 % crossing"), _T(C, "the phantom has no bead or wire"),
    _T(C, "bead/wire not visible above noise"), _T(C, "PSF undersampled by the pixel size"),
    _T(C, "bead SNR too low"), _T(C, "bead MTF"), _T(C, "nodes"), _T(C, "beads"),
    _T(C, "largest disc"), _T(C, "rect SSP (axial)"), _T(C, "no usable ramp profile"),
    _T(C, "crossed by a streak"), _T(C, "profile is not a single clean peak"),
    _T(C, "the wire ends inside the slice profile (slice off the ramp centre)"),
    _T(C, "SSP model fit failed"), _T(C, "failed"), _T(C, "disagreed"),
)
# list separators (format "list" / "list;")
SEPARATORS = {"list": _T(C, ", "), "list;": _T(C, "; ")}
