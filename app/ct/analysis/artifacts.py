"""Explainable, physics-based artifact detectors.

ring / arc  - in :mod:`rings` (polar analysis about the reconstruction centre, every module).
streak      - directional energy of the high-pass residual (2-D spectrum in angular
              wedges); artifact index sqrt(SD_art^2 - SD_ref^2) from the excess energy.
band        - median HU per slice in a central disc along z minus a running median.
cupping / capping - radial profile of the uniform module: edge minus centre.
ct_shift    - median deviation of all CT-number inserts from nominal.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
from scipy.ndimage import median_filter

from app.ct.analysis import phantom_spec as ps
from app.ct.analysis.context import Ctx
from app.ct.analysis.result import Artifact, Curve
from app.ct.analysis.rings import (  # noqa: F401 - re-exported
    DetectorGeometry, geometry_from_header, ring_scan)
from app.ct.analysis.streaks import (  # noqa: F401 - re-exported
    STREAK_EXCLUDE_MM, streak_exclusion, streak_scan)
from app.core.measurement import Verdict
from app.ct.note_codes import note


MODULE_EDGE_SLACK_MM = 6.0   # a module's physical boundary vs its definition's analysis extent


def _uniform(ctx: Ctx) -> dict | None:
    mods = ctx.modules("uniformity")
    return mods[0] if mods else None


def cupping(ctx: Ctx, thr_hu: float = 5.0) -> list[Artifact]:
    prof = ctx.cache.get("radial_profile")
    m = _uniform(ctx)
    if prof is None or m is None:
        return []
    r, p = prof
    R = float(ctx.defn["diameter_mm"]) / 2
    edge_r = max(R - float(ctx.defn.get("shell_thickness_mm", 3.0)) - 15.0, 0.5 * R)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # NaN: pixels a streak crosses
        centre = float(np.nanmedian(p[r <= 0.1 * R]))
        if not math.isfinite(centre):
            centre = float(np.nanmedian(p[r <= 0.25 * R]))
        edge = float(np.nanmedian(p[np.abs(r - edge_r) <= 3.0]))
    d = edge - centre
    if not math.isfinite(d):
        return []
    if abs(d) < thr_hu:
        return []
    idx = ctx.slab_idx(m, 50.0)
    return [Artifact("cupping" if d > 0 else "capping", round(abs(d), 2),
                     {"edge_minus_centre_hu": round(d, 2), "edge_radius_mm": round(edge_r, 1),
                      "slice_range": [int(idx[0]), int(idx[-1])]},
                     Verdict.FAIL, note=note("artifact.cupping"))]


def _iq_mean(a: np.ndarray) -> float:
    """Mean of the central half of the values: robust to a bead or a streak like the
    median, but not stepped by the storage quantum (a median of integer values moves in
    whole steps - 2 HU on a series stored at 0.5 HU-equivalent per unit - and the
    steps' MAD is then near 0, so one step read as a band)."""
    v = np.sort(a, axis=None)
    n = v.size
    return float(v[n // 4:n - n // 4].mean()) if n else math.nan


def bands(ctx: Ctx, thr_hu: float = 3.0) -> tuple[list[Artifact], list[Curve]]:
    inside = np.nonzero(ctx.cache["inside"])[0]
    if len(inside) < 9:
        return [], []
    r = int(15.0 / ctx.pixel_mm)
    meds = np.empty(len(inside))
    for k, i in enumerate(inside.tolist()):
        cx, cy = ctx.centre(z_mm=float(ctx.pos[i]))
        x0, y0 = int(round(cx)), int(round(cy))
        meds[k] = _iq_mean(ctx.vol[i, y0 - r:y0 + r:2, x0 - r:x0 + r:2])
    base = median_filter(meds, size=min(21, 2 * (len(meds) // 2) + 1), mode="nearest")
    resid = meds - base
    sigma = max(1.4826 * float(np.median(np.abs(resid - np.median(resid)))), 0.3)
    # off the running median AND off its own module's running median: near a boundary
    # the series' running median sits between two modules' levels, so the slices of the
    # nearer module were "off" it (a foreign renderer's +30 HU band two slices before
    # CTP515's +45 HU body made the two CTP486 slices between them a -30 HU "band")
    own = meds - _module_baseline(ctx, meds, ctx.pos[inside], base)
    hit = (np.abs(resid) > max(6 * sigma, thr_hu)) & (np.abs(own) > max(6 * sigma, thr_hu))
    out = []
    runs = []
    i = 0
    while i < len(hit):
        if hit[i]:
            j = i
            while j + 1 < len(hit) and hit[j + 1]:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    period = None
    if len(runs) >= 3:
        starts = np.diff([a for a, _ in runs])
        if np.std(starts) <= 0.5:
            period = float(np.mean(starts))
    # a row-gain band is a few slices off a common level; a longer plateau (a module whose
    # body material differs, e.g. CatPhan CTP515 at +40 HU between +5 and +10 HU) or a
    # step between two levels (a module boundary with its partial-volume slices) is not
    level = max(6 * sigma, thr_hu)
    kept: list[tuple[int, int, float | None]] = []
    for a, b in runs:
        beyond = _beyond_levels(meds, a, b)
        if abs(beyond) > level and not _is_module(ctx, ctx.pos[inside[a]], ctx.pos[inside[b]]):
            kept.append((a, b, beyond))     # off BOTH neighbouring levels: a band on a step
        elif not _is_step(meds, a, b) and not _is_module(ctx, ctx.pos[inside[a]],
                                                          ctx.pos[inside[b]]):
            kept.append((a, b, None))
    for a, b, excess in kept:
        k = a + int(np.argmax(np.abs(resid[a:b + 1])))
        # on a module boundary the running median sits on the step: the band's amplitude is
        # its excursion beyond the nearer of the two body levels
        amp = float(resid[k]) if excess is None else excess
        out.append(Artifact("band", round(amp, 2), {
            "slice_range": [int(inside[a]), int(inside[b])],
            "z_mm": [round(float(ctx.pos[inside[a]]), 2), round(float(ctx.pos[inside[b]]), 2)],
            **({"period_slices": period} if period else {})},
            Verdict.FAIL, score=round(float(abs(resid[k]) / sigma), 1),
            note=note("artifact.band")))
    curve = Curve("artifact.z_profile", tuple(ctx.pos[inside]), tuple(meds), "mm", "HU",
                  "central interquartile mean HU along z")
    return out, [curve]


def _module_extents(ctx: Ctx) -> list[tuple[dict, tuple[float, float]]]:
    """Each module of the phantom with its (start, end) along z in the series' frame."""
    out = []
    for m in ctx.defn["modules"]:
        lo = ctx.pl.origin_z_mm + float(m["z_mm"]) - float(m["length_mm"]) / 2
        out.append((m, (lo, lo + float(m["length_mm"]))))
    return out


MIN_SEGMENT = 7      # slices of one module for a running median of its own


def _module_baseline(ctx: Ctx, meds: np.ndarray, z: np.ndarray, whole: np.ndarray
                     ) -> np.ndarray:
    """A running median (21 slices) that does not cross a module boundary: within each
    module's run of slices (a slice outside every module goes with the nearest); a module
    with fewer than MIN_SEGMENT slices keeps ``whole`` (the series' running median)."""
    mods = [extent for _m, extent in _module_extents(ctx)]
    if not mods:
        return whole
    which = np.array([min(range(len(mods)), key=lambda k: max(mods[k][0] - zz, zz - mods[k][1],
                                                              0.0))
                      for zz in np.asarray(z, float)])
    base = whole.copy()
    cuts = np.flatnonzero(np.diff(which)) + 1
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(meds)]):
        if b - a >= MIN_SEGMENT:
            # (mirrored at the module's ends: "nearest" would repeat the end slice and make
            # it its own baseline - a band on a module's first slice read as no band)
            base[a:b] = median_filter(meds[a:b], size=min(21, 2 * ((b - a) // 2) + 1),
                                      mode="mirror")
    return base


def _is_module(ctx: Ctx, z_a: float, z_b: float) -> bool:
    """The run covers (most of) one module of the phantom, starting and ending near its
    boundaries: the module's own body material, not a band."""
    lo, hi = sorted((float(z_a), float(z_b)))
    slack = ctx.thk_mm / 2 + MODULE_EDGE_SLACK_MM
    for m, (m_lo, m_hi) in _module_extents(ctx):
        if (hi - lo + ctx.thk_mm >= 0.6 * float(m["length_mm"]) and abs(lo - m_lo) <= slack + ctx.thk_mm
                and abs(hi - m_hi) <= slack + ctx.thk_mm):
            return True
    return False


def _beyond_levels(meds: np.ndarray, a: int, b: int, reach: int = 3) -> float:
    """How far a run of slices goes outside the range of the levels on its two sides
    (signed; 0 when it stays between them). Partial volume across a module boundary never
    leaves that range; a detector-row band on the boundary does."""
    left = meds[max(0, a - reach):a]
    right = meds[b + 1:b + 1 + reach]
    if len(left) == 0 or len(right) == 0:
        return 0.0          # the phantom's end: no level on one side
    hi = max(float(np.median(left)), float(np.median(right)))
    lo = min(float(np.median(left)), float(np.median(right)))
    run = meds[a:b + 1]
    up, down = float(np.max(run)) - hi, lo - float(np.min(run))
    if up <= 0 and down <= 0:
        return 0.0
    return up if up >= down else -down


def _is_step(meds: np.ndarray, a: int, b: int, reach: int = 3) -> bool:
    """A run of outlying slices that is a STEP between two levels (a module boundary: one
    module's body material meets the next, with partial-volume slices between) rather than
    a band (slices off a common level on both sides, e.g. a detector row's gain)."""
    left = meds[max(0, a - reach):a]
    right = meds[b + 1:b + 1 + reach]
    if len(left) == 0 or len(right) == 0:
        return True    # at the end of the phantom: no level on one side to depart from
    lv, rv = float(np.median(left)), float(np.median(right))
    run = meds[a:b + 1]
    excursion = float(np.max(np.abs(run - 0.5 * (lv + rv))))
    between = bool(np.all((run >= min(lv, rv) - 1.0) & (run <= max(lv, rv) + 1.0)))
    return between or abs(rv - lv) > 0.5 * excursion


def attach_secondary(found: list[Artifact], ctx: Ctx) -> list[Artifact]:
    """One cause, one finding: a CT-number shift while a ring crosses the insert ring or a
    streak crosses the phantom, and cupping / capping while a ring runs where the profile
    is read or a streak crosses the uniform module, are effects of that ring / streak:
    they are attached to it (location.secondary), not reported as faults of their own."""
    causes = [a for a in found if a.type in ("ring", "arc", "streak")]
    if not causes:
        return found
    out: list[Artifact] = []
    attach: dict[int, list[dict]] = {}
    r_ins = [math.hypot(*ps.insert_xy(i, 0.0)) for m in ctx.modules("sensitometry", "ct_number")
             for i in m["inserts"]]
    d_ins = max([float(i["diameter_mm"]) for m in ctx.modules("sensitometry", "ct_number")
                 for i in m["inserts"]] or [0.0])
    for a in found:
        cause = None
        if a.type == "ct_shift":
            cause = next((c for c in causes if c.type == "streak" or any(
                abs(c.location.get("radius_mm", -99) - r) <= d_ins / 2 + 2 for r in r_ins)), None)
        elif a.type in ("cupping", "capping"):
            edge_r = float(a.location.get("edge_radius_mm", 0.0))
            lo, hi = a.location.get("slice_range", [0, 0])
            cause = next((c for c in causes if (c.type == "streak" and c.location["slice_range"][0] <= hi
                                                and c.location["slice_range"][1] >= lo)
                          or (c.type in ("ring", "arc") and (abs(c.location.get("radius_mm", -99) - edge_r) <= 6
                                                             or c.location.get("radius_mm", 99) <= 12))), None)
        if cause is None:
            out.append(a)
        else:
            attach.setdefault(id(cause), []).append(
                {"type": a.type, "amplitude_hu": a.amplitude_hu, "note": f"attributed to the {cause.type}"})
    res = []
    for a in out:
        if id(a) in attach:
            a = replace(a, location={**a.location, "secondary": attach[id(a)]})
        res.append(a)
    return res


def ct_shift(ctx: Ctx, thr_hu: float = 6.0) -> list[Artifact]:
    ins = ctx.cache.get("inserts", [])
    devs = [mean - float(i["nominal_hu"]) for _, i, _, mean, _ in ins
            if abs(float(i["nominal_hu"])) < 600]
    if "uniform_centre_hu" in ctx.cache and (uni := _uniform(ctx)) is not None:
        devs.append(ctx.cache["uniform_centre_hu"] - float(uni["background_hu"]))
    devs = [d for d in devs if math.isfinite(d)]   # ROIs a streak left unmeasured
    if len(devs) < 3:
        return []
    shift = float(np.median(devs))
    if abs(shift) < thr_hu:
        return []
    return [Artifact("ct_shift", round(shift, 2), {"n_rois": len(devs), "median_deviation_hu": round(shift, 2)},
                     Verdict.FAIL, note=note("artifact.ct_shift"))]
