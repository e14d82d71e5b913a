"""The notes of the CT engine's measurement modules -> translatable templates (Qt-free):
CT numbers, uniformity, noise, NPS (metrics_hu); MTF, TTF, bar patterns (metrics_res);
slice thickness (metrics_thk); geometry, low contrast, detectability, dose (metrics_geo);
artifacts. Part of the one table :data:`app.ct.note_table.TEMPLATES` (the same rules: a
code is a contract, every template needs a zh_CN translation in
resources/i18n/ct_notes_zh_CN.ts, context ``EngineNotes``)."""
from __future__ import annotations

from app.ct.note_template import QT_TRANSLATE_NOOP, Template

METRIC_TEMPLATES: dict[str, Template] = {
    # -- CT numbers, uniformity, noise, NPS (metrics_hu) ---------------------------------------
    "ct_number.streak_crossed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "nominal %1 HU; crossed by a streak (see artifacts): not"
                                         " measured"),
        ("nominal",), {"nominal": "g"}),
    "ct_number.insert": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "nominal %1 HU, SD %2, SE %3"),
        ("nominal", "sd", "se"), {"nominal": "g", "sd": ".1f", "se": ".2f"}),
    "ct_number.uniform_module": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "centre of the uniform module %1 (%2, nominal %3 HU), SE"
                                         " %4"),
        ("module", "material", "nominal", "se"),
        {"module": "s", "material": "part", "nominal": "g", "se": ".2f"}),
    "uniformity.no_module": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no uniformity module in the series")),
    "uniformity.no_module_missing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no uniformity module in the series (missing %1)"),
        ("modules",), {"modules": "list"}),
    "uniformity.roi_on_streak": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the ROI lies on a streak (see artifacts): not measured")),
    "uniformity.centre_on_streak": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "the centre ROI lies on a streak (see artifacts): not "
                                         "measured")),
    "uniformity.edge_dev": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "edge minus centre, worst at %1 (SE %2)"),
        ("edge", "se"), {"edge": "term", "se": ".2f"}),
    "uniformity.radial": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "5 mm rings minus the central 15 mm disc, largest at %1 "
                                         "mm (SE %2, %3 rings)"),
        ("radius_mm", "se", "rings"), {"radius_mm": ".0f", "se": ".2f", "rings": "s"}),
    "noise.sd_in": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "mean of per-slice SDs in %1"),
        ("where",), {"where": "term"}),
    "noise.sd_centre": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "mean of per-slice SDs in the centre ROI over %1 "
                                         "image(s)"),
        ("images",), {"images": "s"}),
    "nps.no_module": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no uniformity module")),
    "noise.nonuniformity": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "(max - min) SD of 5 ROIs / centre SD")),
    "nps.method": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 ROIs of %2x%3 px, 2nd-order detrended; integral SD "
                                         "%4 HU"),
        ("rois", "size", "size2", "sd"), {"rois": "s", "size": "s", "size2": "s", "sd": ".2f"}),
    # -- MTF, TTF, bar patterns (metrics_res) --------------------------------------------------
    "mtf.module_missing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "resolution module not in the series (%1)"),
        ("modules",), {"modules": "list"}),
    "mtf.no_edge": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1; no high-contrast edge either"),
        ("why",), {"why": "term"}),
    "mtf.edge": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "circular edge of %1 (%2)"),
        ("insert", "why"), {"insert": "part", "why": "term"}),
    "mtf.edge_instead": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "circular edge of %1 (%2 for a point-spread MTF)"),
        ("insert", "why"), {"insert": "part", "why": "term"}),
    "mtf.psf": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 PSF, %2 image(s), %3"),
        ("source", "images", "method"), {"source": "term", "images": "s", "method": "note"}),
    "mtf.gaussian_fit": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "Gaussian PSF fit (SNR %1)"),
        ("snr",), {"snr": ".0f"}),
    "mtf.bead_informative": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "bead %1; informative: %2"),
        ("method", "value"), {"method": "note", "value": "note"}),
    "mtf.lp_cm": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 lp/cm"),
        ("value",), {"value": ".2f"}),
    "mtf.above_nyquist": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1; above the highest frequency this matrix samples (%2"
                                         " lp/cm)"),
        ("note", "nyquist"), {"note": "note", "nyquist": ".1f"}),
    "ttf.edge": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "circular edge, contrast %1 HU"),
        ("contrast",), {"contrast": "+.0f"}),
    "bars.modulation": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 lp/cm modulation (Droege-Morin), visible >= %2"),
        ("lp", "visible_at"), {"lp": "g", "visible_at": "s"}),
    "bars.visible": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "highest bar pattern visible (all lower ones visible)")),
    # -- slice thickness (metrics_thk) ---------------------------------------------------------
    "thickness.module_missing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "ramp module %1 not in the series"),
        ("modules",), {"modules": "list"}),
    "thickness.unreliable": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "unreliable: %1 - see artifacts"),
        ("why",), {"why": "list;"}, {"why": "note"}),
    "thickness.method": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "FWHM x tan(ramp angle), %1 ramp(s) x %2 slice(s)"),
        ("ramps", "slices"), {"ramps": "s", "slices": "s"}),
    "thickness.blur_removed": Template(
        QT_TRANSLATE_NOOP("EngineNotes", ", in-plane blur %1 mm removed by a %2 model fit"),
        ("sigma_mm", "shape"), {"sigma_mm": ".2f", "shape": "note"}),
    "thickness.ssp_helical": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "trapezoid SSP (helical), fitted edge %1 x FWHM"),
        ("edge",), {"edge": ".2f"}),
    "thickness.ssp_helical_pitch": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "trapezoid SSP (helical, pitch %1), fitted edge %2 x "
                                         "FWHM"),
        ("pitch", "edge"), {"pitch": "g", "edge": ".2f"}),
    "thickness.excluded": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "; excluded: %1"),
        ("why",), {"why": "list;"}, {"why": "note"}),
    "thickness.streaked": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "; %1 streaked slice(s) skipped"),
        ("count",), {"count": "s"}),
    "thickness.ramp": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "ramp %1: %2"),
        ("ramp", "why"), {"ramp": "s", "why": "term"}),
    "thickness.ramp_direct": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "ramp %1: direct half-maximum width (thick slice; model "
                                         "fit %2)"),
        ("ramp", "fit"), {"ramp": "s", "fit": "term"}),
    "thickness.ramps_disagree": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 ramp(s) disagree with the others"),
        ("count",), {"count": "s"}),
    # -- geometry, low contrast, detectability, dose (metrics_geo) -----------------------------
    "geometry.nodes_unreliable": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "unreliable: nodes not found or crossed by a streak - "
                                         "see artifacts")),
    "geometry.distances": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1 distance(s) between %2, nominal %3 mm"),
        ("count", "points", "nominal"), {"count": "s", "points": "term", "nominal": "g"}),
    "geometry.excluded": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "; %1 excluded (streak / low contrast)"),
        ("count",), {"count": "s"}),
    "low_contrast.no_background": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "no clear background position beside the disc")),
    "low_contrast.cnr": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "%1: |%2 - %3| / %4; background ROI at (%5, %6) px"),
        ("disc", "disc_hu", "background_hu", "background_sd", "x_px", "y_px"),
        {"disc": "term", "disc_hu": ".1f", "background_hu": ".1f",
         "background_sd": ".2f", "x_px": ".0f", "y_px": ".0f"}),
    "dprime.modules_missing": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "needs NPS and TTF/MTF (modules missing)")),
    "dprime.not_measured": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "needs NPS and TTF/MTF (not measured)")),
    "dprime.method": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "NPW, %1 mm disc, %2 HU, %3 + NPS"),
        ("disc_mm", "contrast_hu", "source"),
        {"disc_mm": "g", "contrast_hu": "g", "source": "note"}),
    "dprime.source_ttf": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "TTF %1"),
        ("insert",), {"insert": "part"}),
    "dose.header": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "CTDIvol from the DICOM header")),
    # -- artifacts (artifacts, rings, streaks) -------------------------------------------------
    "artifact.cupping": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "radial profile of the uniform module")),
    "artifact.band": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "central interquartile mean HU per slice minus running "
                                         "median along z")),
    "artifact.ct_shift": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "median deviation of the water-like and soft-tissue "
                                         "inserts")),
    "artifact.ring": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "polar analysis about the reconstruction centre, "
                                         "strongest in %1 (slices %2-%3); channel from %4"),
        ("module", "first", "last", "channel_source"),
        {"module": "s", "first": "s", "last": "s", "channel_source": "s"}),
    "artifact.streak": Template(
        QT_TRANSLATE_NOOP("EngineNotes", "directional energy of the high-pass residual; angle of "
                                         "the streak lines (image angle from +x towards +y, mod "
                                         "180); amplitude at the peak of the across-line profile")),
}
