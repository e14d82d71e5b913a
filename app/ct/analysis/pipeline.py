"""analyze_series: localise, measure, detect artifacts, judge against limits -> QcResult."""
from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from app.core.errors import Cancelled, InputRejected, PharosError
from app.core.ids import new_id, utc_iso
from app.core.measurement import Limits, Measurement, Verdict
from app.core.tasks import CancelToken, no_progress
from app.ct.analysis import artifacts as art
from app.ct.analysis import localise as loc
from app.ct.analysis import metrics_geo as geo
from app.ct.analysis import metrics_hu as hu
from app.ct.analysis import metrics_res as res
from app.ct.analysis import metrics_thk as thickness
from app.ct.analysis import phantom_spec as ps
from app.ct.analysis import units
from app.ct.analysis.context import Ctx, Raw
from app.ct.analysis.result import (Artifact, Curve, Localisation, ProfileRef,
                                                   QcResult)
from app.ct.note_codes import joined, more, note

# Detection flags an artifact (WARN) even when the profile has no limit for its type.
DEFAULT_ARTIFACT_LIMITS = Limits(high=math.inf, warn_high=0.0, source="detected (no profile limit)")


def _software() -> dict:
    try:
        from app import __version__
    except ImportError:  # pragma: no cover
        __version__ = "unknown"
    return {"name": "pharos ct_qc", "version": __version__}


def _inputs(series: Any) -> dict:
    h = dict(getattr(series, "header", {}) or {})
    keep = ("series_uid", "study_uid", "scanner_serial", "manufacturer", "scanner_model",
            "station_name", "kvp", "kernel", "tube_current_ma", "exposure_mas", "ctdivol_mgy",
            "acquisition_date", "series_description", "spiral_pitch", "recon_centre_from",
            "distance_source_to_patient_mm", "distance_source_to_detector_mm",
            "detector_element_spacing_mm")
    out = {k: h.get(k) for k in keep if h.get(k) is not None}
    out.setdefault("series_uid", None)
    out.setdefault("scanner_serial", None)
    out.setdefault("kvp", None)
    out.setdefault("kernel", None)
    out.update({"slice_thickness_mm": float(series.slice_thickness_mm), "n_slices": int(series.volume.shape[0]),
                "pixel_mm": float(series.pixel_mm), "matrix": list(series.volume.shape[1:]),
                "source": getattr(series, "source", "")})
    return out


LOW_MODULE_CONFIDENCE = 0.5
SE_COVERAGE = 2.0   # limits on a mean widen by 2 standard errors (~95 %, two-sided)


def _widen(lim: Limits, se: float | None) -> Limits:
    """Limits on a mean allow for its standard error: a true value at the limit reads up to
    SE_COVERAGE x SE beyond it from noise alone, so noise alone never fails a good scanner."""
    if se is None or not math.isfinite(se) or se <= 0 or lim.is_empty() or lim.equals is not None:
        return lim
    d = round(SE_COVERAGE * se, 3)
    lo = lambda v: None if v is None else round(v - d, 6)  # noqa: E731
    hi = lambda v: None if v is None else round(v + d, 6)  # noqa: E731
    return replace(lim, low=lo(lim.low), high=hi(lim.high), warn_low=lo(lim.warn_low),
                   warn_high=hi(lim.warn_high),
                   source=f"{lim.source}; widened by {SE_COVERAGE:g} x SE {se:.2f}")


def _judge(raws: list[Raw], profile: Any) -> list[Measurement]:
    out = []
    for r in raws:
        lim = profile.limits_for(r.key, r.nominal) if profile is not None else Limits()
        lim = _widen(lim, r.uncertainty)
        if r.error:
            out.append(Measurement(r.key, None, r.unit, lim, Verdict.ERROR, r.where, r.note))
            continue
        if r.not_applicable:
            out.append(Measurement(r.key, None, r.unit, lim, _censored(lim, r.where),
                                   r.where, r.note))
            continue
        m = Measurement.judged(r.key, r.value, r.unit, lim, where=r.where, note=r.note)
        out.append(m)
    return out


def _censored(lim: Limits, where: dict) -> Verdict:
    """A figure the series cannot show: SKIP, unless what it does show decides the limit
    (``where["at_least"]``: the MTF is still above its level at the highest frequency
    sampled, so the figure is at least that: above a lower limit it passes, above an
    upper limit it fails; anything else stays SKIP, see ``QcResult.with_verdicts``)."""
    at_least = where.get("at_least")
    if at_least is None or lim.is_empty() or lim.equals is not None:
        return Verdict.SKIP
    if (lim.high is not None and at_least > lim.high):
        return Verdict.FAIL
    if lim.high is None and lim.warn_high is None and lim.judge(at_least) is Verdict.PASS:
        return Verdict.PASS
    return Verdict.SKIP


def _judge_artifacts(items: list[Artifact], profile: Any) -> list[Artifact]:
    out = []
    for a in items:
        lim = profile.artifact_limits(a.type) if profile is not None else Limits()
        if lim.is_empty():
            lim = DEFAULT_ARTIFACT_LIMITS
        value = a.location.get("artifact_index", abs(a.amplitude_hu)) if a.type == "streak" else abs(a.amplitude_hu)
        v = lim.judge(value)
        out.append(replace(a, verdict=v if v is not Verdict.PASS else Verdict.PASS))
    return out


def _streak_slices(ctx: Ctx) -> list[int]:
    """Slices scanned for streaks: every module's analysis slab plus a 5 mm sampling."""
    sel: set[int] = set()
    for m in ctx.defn["modules"]:
        if m["id"] in ctx.pl.module_slices:
            sel.update(int(i) for i in ctx.slab_idx(m, 2.5))
    inside = np.nonzero(ctx.cache["inside"])[0]
    if len(inside):
        step = max(1, int(round(5.0 / max(ctx.thk_mm, 1e-3))))
        sel.update(int(i) for i in inside[::step])
    return sorted(sel)


def _anchor_scale(vol: np.ndarray, pos: np.ndarray, px: float, pl: loc.Placement,
                  scale: units.ValueScale) -> units.ValueScale:
    """Re-anchor an HU-equivalent volume (in place) on the located body of the uniformity
    module (else the first module found): its central 15 mm disc reads its nominal."""
    from app.ct.analysis.roi import circle_values
    found = [m for m in pl.defn["modules"] if m["id"] in pl.module_slices]
    if not found:
        return scale
    m = next((m for m in found if m.get("kind") == "uniformity"), found[0])
    z = pl.origin_z_mm + float(m["z_mm"])
    cx, cy = pl.centre_at(z)
    v = circle_values(vol[loc.slab(pos, z, 2.0)], cx, cy, 15.0 / px)
    v = v[np.isfinite(v)]
    if not v.size:
        return scale
    new, k, b = units.anchored(scale, float(np.median(v)), float(m["background_hu"]))
    if k != 1.0 or b != 0.0:
        vol *= np.float32(k)
        vol += np.float32(b)
    pl.insert_rms_hu = math.nan   # inserts are not expected at their nominal HU (the fit
    return new                    # residual, blind to a linear scale, still counts)


def _absolute_not_applicable(raws: list[Raw], scale: units.ValueScale) -> None:
    """CT-number checks on a series whose values are not HU: not applicable (SKIP), the
    HU-equivalent reading kept in the note."""
    for r in raws:
        if r.error or r.not_applicable or not units.is_absolute(r.key):
            continue
        val = r.value if isinstance(r.value, (int, float)) and math.isfinite(r.value) else None
        r.not_applicable = True
        r.note = joined(note("measurement.not_hu", reason=scale.reason),
                        note("measurement.hu_equivalent", value=val) if val is not None else "",
                        more(r.note) if r.note else "")


def analyze_series(series: Any, *, phantom: str | dict = "auto", profile: Any = None,
                   baseline: Any = None, token: CancelToken | None = None,
                   progress: Callable[[float, str], None] | None = None,
                   geometry: art.DetectorGeometry | None = None) -> QcResult:
    """Analyse a LoadedSeries (or anything with volume, pixel_mm, slice_positions_mm,
    slice_thickness_mm, recon_centre_px, header). Raises InputRejected for unusable input;
    measurements that cannot be made are returned with verdict ERROR and a note."""
    from app.ct.limits import baseline_profile, load_profile

    t0 = time.perf_counter()
    token = token or CancelToken()
    progress = progress or no_progress
    vol = np.asarray(series.volume)
    if vol.ndim != 3 or vol.shape[1] < 32 or vol.shape[2] < 32:
        raise InputRejected(f"volume shape {vol.shape} is not a stack of CT images")
    if not np.isfinite(vol[:, ::16, ::16]).all():
        raise InputRejected("the images hold NaN or infinite values")
    pos = np.asarray(series.slice_positions_mm, float)
    px = float(series.pixel_mm)
    thk = float(series.slice_thickness_mm)
    header = dict(getattr(series, "header", {}) or {})
    # what the values are (HU or not) from the image's own air and body levels
    try:
        scale = units.estimate(vol, header.get("rescale_type"))
    except InputRejected:
        # no air / body split in the sample (e.g. a phantom filling the field of view):
        # take the values as HU; the localisation says clearly if no phantom is there
        scale = units.ValueScale(math.nan, math.nan, True)
    if not scale.is_hu:
        vol = scale.to_hu(vol)      # an HU-equivalent copy; the caller's volume is untouched

    progress(0.02, "locating the phantom")
    loc_cache: dict = {}
    if phantom == "auto":
        pl = loc.auto_place(vol, pos, px, thk, ps.available(), cache=loc_cache, calibrated=scale.is_hu)
    else:
        defn = ps.load(phantom)
        pl = loc.place(vol, pos, px, thk, defn, cache=loc_cache)
    token.raise_if_cancelled()
    defn = pl.defn
    if not scale.is_hu:
        scale = _anchor_scale(vol, pos, px, pl, scale)
    if callable(profile):  # chosen by phantom (e.g. the CLI's "auto")
        profile = profile(defn["name"])
    lim_profile = load_profile(profile) if profile is not None else None
    if baseline is not None:
        lim_profile = baseline_profile(baseline, base=lim_profile)
    ctx = Ctx(vol, pos, px, thk, pl, tuple(series.recon_centre_px), header)
    ctx.cache["scale"] = scale
    ctx.cache["inside"] = loc_cache[("features", float(defn["background_hu"]),
                                     float(defn["diameter_mm"]) / 2)].inside
    raws: list[Raw] = []
    curves: list[Curve] = []
    found: list[Artifact] = []
    # the configured geometry (station settings / caller), overridden by what the header carries
    geom = art.geometry_from_header(ctx.header, geometry or art.DetectorGeometry())

    steps: list[tuple[str, Callable[[], None]]] = []

    def add(result: tuple[list, list]) -> None:
        raws.extend(result[0])
        curves.extend(result[1])

    streaks_by_slice: dict[int, list] = {}

    def do_streaks() -> None:
        items, per = art.streak_scan(ctx, _streak_slices(ctx))
        found.extend(items)
        streaks_by_slice.update(per)
        # every slice of a streak's run carries its lines (from the nearest scanned slice):
        # measurement ROIs leave those pixels out - the streak is the finding, not a
        # CT-number, noise or uniformity fault on top of it
        lines = dict(per)
        have = np.array(sorted(per)) if per else np.array([], int)
        for a in items:
            lo, hi = a.location["slice_range"]
            for i in range(lo, hi + 1):
                if i not in lines and len(have):
                    lines[i] = per[int(have[np.argmin(np.abs(have - i))])]
        ctx.cache["streak_lines"] = lines

    def do_rings() -> None:
        # streaked: the slices where a streak was seen and every slice of a streak's run
        streaked = dict(streaks_by_slice)
        for a in found:
            if a.type == "streak":
                lo, hi = a.location["slice_range"]
                streaked.update({i: streaked.get(i) or [None] for i in range(lo, hi + 1)})
        items, cv = art.ring_scan(ctx, geom, streaked)
        found.extend(items)
        curves.extend(cv)

    def do_bands() -> None:
        items, cv = art.bands(ctx)
        found.extend(items)
        curves.extend(cv)

    def do_cupping_shift() -> None:
        cup = art.cupping(ctx)
        found.extend(cup)
        # a cupped / capped phantom shifts CT numbers: one cause, one artifact; a CT-number
        # shift is judged only on HU images
        if not cup and scale.is_hu:
            found.extend(art.ct_shift(ctx))

    def do_bands_cupping_shift() -> None:
        do_bands()
        do_cupping_shift()

    steps = [
        ("streaks", do_streaks),
        ("CT numbers", lambda: add(hu.ct_numbers(ctx))),
        ("uniformity and noise", lambda: add(hu.uniformity_noise(ctx))),
        ("noise power spectrum", lambda: add(hu.nps(ctx))),
        ("rings", do_rings),
        ("bands, cupping, CT shift", do_bands_cupping_shift),
        ("TTF", lambda: add(res.ttf(ctx))),
        ("MTF", lambda: add(res.mtf(ctx))),
        ("bar patterns", lambda: add(res.bar_patterns(ctx))),
        ("slice thickness", lambda: add(thickness.slice_thickness(ctx, streaks_by_slice))),
        ("geometry", lambda: add(geo.geometry(ctx, streaks_by_slice))),
        ("low contrast", lambda: add(geo.low_contrast(ctx))),
        ("detectability", lambda: add(geo.detectability(ctx))),
        ("dose", lambda: raws.extend(geo.dose(ctx))),
    ]
    notes = list(getattr(series, "notes", ()) or ())
    for k, (label, fn) in enumerate(steps):
        token.raise_if_cancelled()
        progress(0.1 + 0.85 * k / len(steps), label)
        try:
            fn()
        except (Cancelled, InputRejected):
            raise
        except (PharosError, ValueError, IndexError, ZeroDivisionError, FloatingPointError) as exc:
            notes.append(note("analysis.step_failed", step=label, error=str(exc)))
            raws.append(Raw(f"error.{label.split()[0].lower().replace(',', '')}", math.nan, "",
                            {}, note("analysis.step_error", step=label, error=str(exc)), error=True))
    found[:] = art.attach_secondary(found, ctx)
    if not scale.is_hu:
        notes.append(scale.note)
        _absolute_not_applicable(raws, scale)
    if pl.missing:
        notes.append(note("analysis.modules_missing", modules=list(pl.missing)))
    measurements = _judge(raws, lim_profile)
    arts = _judge_artifacts(found, lim_profile)
    ref = ps.reference_module(defn)
    origin_slice = int(np.argmin(np.abs(pos - pl.origin_z_mm - float(ref["z_mm"]))))
    c0 = pl.centre_at(pl.origin_z_mm)
    h, w = vol.shape[1:]
    mod_conf = loc.module_confidence(vol, pos, px, pl)
    low = {k: v for k, v in mod_conf.items() if v < LOW_MODULE_CONFIDENCE}
    if low:
        notes.append(note("analysis.low_module_confidence", modules=[
            note("analysis.low_module_confidence.module", module=k, confidence=float(v))
            for k, v in low.items()]))
    localisation = Localisation(
        centre_px=(round(c0[0], 2), round(c0[1], 2)),
        centre_mm=(round((c0[0] - (w - 1) / 2) * px, 2), round((c0[1] - (h - 1) / 2) * px, 2)),
        roll_deg=round(pl.roll_deg, 2), origin_slice=origin_slice,
        origin_z_mm=round(pl.origin_z_mm, 3), confidence=round(loc.confidence(pl), 3),
        module_slices=dict(pl.module_slices), missing_modules=tuple(pl.missing),
        pitch_deg=round(math.degrees(math.atan(pl.drift_px_per_mm[1] * px)), 3),
        yaw_deg=round(math.degrees(math.atan(pl.drift_px_per_mm[0] * px)), 3),
        module_confidence=mod_conf)
    inputs = _inputs(series)
    inputs["pixel_values"] = scale.as_dict()
    pref = (ProfileRef(lim_profile.name, lim_profile.version, lim_profile.sha256)
            if lim_profile is not None else ProfileRef())
    progress(1.0, "done")
    result = QcResult(phantom=defn["name"], localisation=localisation,
                      measurements=tuple(measurements), artifacts=tuple(arts), curves=tuple(curves),
                      profile=pref, software=_software(), inputs=inputs,
                      result_id=new_id(), created_utc=utc_iso(),
                      elapsed_s=round(time.perf_counter() - t0, 4), notes=tuple(notes))
    return result.with_verdicts()
