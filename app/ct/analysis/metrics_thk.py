"""Slice thickness from wire ramps: SSP model fit (rect for axial, trapezoid for helical).

Each inclined wire gives an in-plane profile = SSP(s tan(theta)) blurred in-plane. The
profile (bilinear, 1.5 mm wide, minus two background lines at +/-4 mm) is checked (one
clean peak, SNR, no secondary peak) and then fitted with the blurred-trapezoid model of
:mod:`ssp_fit` using the in-plane blur measured by the TTF / MTF. The SSP's FWHM x
tan(theta) is the slice thickness. Axial series: rect SSP (edge width 0); helical series
(SpiralPitchFactor, TableFeedPerRotation or ScanOptions say so): trapezoid with the edge
width fitted, because the helical z-interpolation's spread depends on pitch and kernel.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import gaussian_filter1d

from app.ct.analysis.context import Ctx, Raw, missing_raw
from app.ct.analysis.result import Curve
from app.ct.analysis.roi import fwhm, sample_line
from app.ct.analysis.ssp_fit import fit_ssp
from app.ct.note_codes import joined, note

BG_OFFSET_MM = 4.0
RAMP_MARGIN_MM = 6.0
DIRECT_FWHM_SIGMAS = 12.0   # in-plane FWHM above this x the blur: the direct width is exact
MAX_SLAB_MM = 5.0      # slices used: within this of the module centre (and on the wires)


def line_hits_segment(line: tuple, a: np.ndarray, b: np.ndarray, margin_px: float) -> bool:
    """Does an (infinite) streak line (point, unit direction) pass within margin of segment a-b?"""
    p, d = np.asarray(line[0], float), np.asarray(line[1], float)
    n = np.array([-d[1], d[0]])
    da, db = float(np.dot(a - p, n)), float(np.dot(b - p, n))
    if da * db <= 0:
        return True
    return min(abs(da), abs(db)) <= margin_px


def acquisition_mode(header: dict) -> tuple[str, float | None]:
    """('helical', pitch) when the header says the series is helical, else ('axial', None)."""
    pitch = header.get("spiral_pitch")
    feed = header.get("table_feed_per_rotation_mm")
    opts = str(header.get("scan_options") or "").upper()
    if (pitch and pitch > 0) or (feed and feed > 0) or "HELICAL" in opts or "SPIRAL" in opts:
        return "helical", (float(pitch) if pitch else None)
    return "axial", None


def ramp_geometry(ctx: Ctx, m: dict, ramp: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c = np.array(ctx.polar_px(m, ramp))
    roll = math.radians(ctx.pl.roll_deg)
    ax = ramp["orientation"].lower()
    if ax in ("x", "horizontal"):
        d = np.array([math.cos(roll), math.sin(roll)])
    elif ax in ("y", "vertical"):
        d = np.array([-math.sin(roll), math.cos(roll)])
    else:  # radial / tangential relative to the ramp's angle
        a = math.radians(float(ramp["angle_deg"]) + ctx.pl.roll_deg)
        d = np.array([math.cos(a), math.sin(a)]) if ax == "radial" else np.array([-math.sin(a), math.cos(a)])
    # sampled 6 mm beyond each wire end: a slice off the ramp centre by up to half its
    # thickness (thick slices, spacing = thickness) sees the wire up to an end, and the
    # slice-profile edge there must still fall to background inside the profile
    half = (float(ramp.get("length_mm", 50.0)) / 2 + ctx.cache.get("ramp_margin_mm", 0.0)) / ctx.pixel_mm
    return c - half * d, c + half * d, np.array([-d[1], d[0]])


def inplane_sigma(ctx: Ctx) -> float | None:
    """In-plane Gaussian-equivalent blur from the measured TTF/MTF (0.1874 / f50 [lp/mm])."""
    ttfs = ctx.cache.get("ttf", {})
    f50 = None
    if ttfs:
        f, t, _ = max(ttfs.values(), key=lambda v: v[2])
        below = np.nonzero(t < 0.5)[0]
        f50 = float(f[below[0]]) if len(below) else None
    if f50 is None and "mtf" in ctx.cache:
        f, t = ctx.cache["mtf"]
        below = np.nonzero(t < 0.5)[0]
        f50 = float(f[below[0]]) if len(below) else None
    return math.sqrt(math.log(2) / 2) / (math.pi * f50) if f50 else None


def _slab_half(ramps: list[dict], nominal: float) -> float:
    """Half-width of the slab whose slices can hold the whole SSP on every wire."""
    z_wire = min(float(r.get("length_mm", 50.0)) / 2 * math.tan(math.radians(float(r["ramp_angle_deg"])))
                 for r in ramps)
    return float(np.clip(z_wire - 0.75 * nominal - 1.0, 2.0, MAX_SLAB_MM))


def _ramp_profile(img: np.ndarray, ctx: Ctx, m: dict, ramp: dict, nominal: float,
                  ) -> tuple[np.ndarray, float, float, float] | str:
    """Background-subtracted wire profile (positive peak), its step (mm) and its direct
    half-maximum width and centre; or why the profile is not usable."""
    px = ctx.pixel_mm
    a, b, n = ramp_geometry(ctx, m, ramp)
    off = BG_OFFSET_MM / px
    npts = int(np.hypot(*(b - a)) * 4)
    prof = sample_line(img, tuple(a), tuple(b), npts, 1.5 / px, 7)
    bg_a = sample_line(img, tuple(a + n * off), tuple(b + n * off), npts, 1.0 / px, 3)
    bg_b = sample_line(img, tuple(a - n * off), tuple(b - n * off), npts, 1.0 / px, 3)
    p = prof - 0.5 * (bg_a + bg_b)
    if float(ramp["hu"]) < float(m["background_hu"]):
        p = -p
    step_mm = float(np.hypot(*(b - a))) * px / (npts - 1)
    tan_t = math.tan(math.radians(float(ramp["ramp_angle_deg"])))
    # the shape checks and start values use the profile smoothed by a tenth of the
    # nominal in-plane width (a thick slice's plateau is low and noisy); the fit uses p
    ps_ = gaussian_filter1d(p, max(0.1 * nominal / tan_t / step_mm, 0.5), mode="nearest")
    w, pk, runs = fwhm(ps_, step_mm)
    dn = np.diff(bg_a - bg_b)   # pure noise (plus nothing of the wire)
    noise = 1.4826 * float(np.median(np.abs(dn - np.median(dn)))) + 1e-6
    peak = float(ps_.max())
    ok = not math.isnan(w) and runs == 1 and peak > 6 * noise
    if ok:
        far = np.abs(np.arange(npts) * step_mm - pk) > 1.5 * w
        ok = not far.any() or float(ps_[far].max()) < 0.35 * peak
    if not ok:
        return "profile is not a single clean peak"
    return p, step_mm, w, pk


def _fit_ramp(found: list[tuple[int, np.ndarray, float, float, float]], ramp: dict, px: float,
              sigma: float | None, edge: float | None, margin: float = 0.0) -> tuple[float, float, list[int]] | str:
    """Fit the SSP model to one wire's profiles of several slices, aligned on their
    half-maximum centres and averaged. Returns (thickness mm, edge fraction, slices used)."""
    tan_t = math.tan(math.radians(float(ramp["ramp_angle_deg"])))
    step = found[0][2]
    x = np.arange(len(found[0][1])) * step
    for _ in range(2):   # second pass: without slices the wire's end cuts
        if not found:
            return "the wire ends inside the slice profile (slice off the ramp centre)"
        ref = float(np.median([f[4] for f in found]))
        avg = np.mean([np.interp(x + (f[4] - ref), x, f[1]) for f in found], axis=0)
        w, pk, _ = fwhm(avg, step)
        if not sigma:
            return w * tan_t, math.nan, [f[0] for f in found]
        # besides the system blur, the profile carries the wire's own in-plane extent
        # (diameter / sin(ramp angle), a rect), the linear interpolation of the line
        # sampling and of the alignment shift: Gaussian-equivalent variances add
        wire = float(ramp.get("width_mm", 0.0) or 0.0) / max(
            math.sin(math.radians(float(ramp["ramp_angle_deg"]))), 1e-3)
        s_eff = math.sqrt(sigma ** 2 + wire ** 2 / 12 + px ** 2 / 6
                          + (step ** 2 / 6 if len(found) > 1 else 0.0))
        fit = fit_ssp(avg, step, s_eff, w, pk, edge=edge)
        if not fit.ok or not math.isfinite(fit.fwhm):
            return "SSP model fit failed"
        half = (fit.fwhm + fit.edge) / 2 + s_eff
        # the wire spans the profile less the margin sampled beyond each of its ends
        inside = [f for f in found
                  if margin + half <= fit.centre + (f[4] - ref) <= x[-1] - margin - half]
        if len(inside) == len(found):
            return fit.fwhm * tan_t, fit.edge / fit.fwhm, [f[0] for f in found]
        found = inside
    return "the wire ends inside the slice profile (slice off the ramp centre)"


def _direct(found: list, ramp: dict, sigma: float | None, got: tuple | str, margin: float,
            px: float) -> tuple | str:
    """Thick slices: a profile much wider than the blur keeps its half-maximum points where
    the SSP's are, so each slice's own half-maximum width is exact. Used when the model
    fit of the aligned profiles failed or disagrees with it by > 10 % (slices that see
    different halves of the wire align poorly); profiles the wire's end cuts are left out."""
    if not found or not sigma or margin <= 0:   # helical: the profile ends are the wire's
        return got
    tan_t = math.tan(math.radians(float(ramp["ramp_angle_deg"])))
    step = found[0][2]
    length = (len(found[0][1]) - 1) * step
    ok = [f for f in found if f[4] - f[3] / 2 >= margin + 1.0 and f[4] + f[3] / 2 <= length - margin - 1.0]
    if not ok:
        return got
    w = float(np.median([f[3] for f in ok]))
    if w < DIRECT_FWHM_SIGMAS * math.hypot(sigma, px):
        return got
    if isinstance(got, tuple) and abs(got[0] - w * tan_t) <= 0.1 * w * tan_t:
        return got
    return w * tan_t, math.nan, [f[0] for f in ok]


def slice_thickness(ctx: Ctx, streaks_by_slice: dict[int, list] | None = None,
                    ) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("sensitometry", "ct_number") if m["ramps"]]
    if not mods:
        miss = [m["id"] for m in ctx.missing("sensitometry", "ct_number") if m["ramps"]]
        return ([missing_raw("slice_thickness", "mm", note("thickness.module_missing", modules=miss))]
                if miss else []), []
    m = mods[0]
    streaks_by_slice = streaks_by_slice or {}
    px = ctx.pixel_mm
    nominal = float(ctx.header.get("nominal_slice_thickness_mm") or ctx.thk_mm)
    mode, pitch = acquisition_mode(ctx.header)
    edge = None if mode == "helical" else 0.0
    # axial (rect SSP): sample past the wire ends (see ramp_geometry); helical: the wire's
    # ends bound the profile (a trapezoid's support that reaches past them is rejected)
    ctx.cache["ramp_margin_mm"] = RAMP_MARGIN_MM if mode == "axial" else 0.0
    idx = ctx.slab_idx(m, _slab_half(m["ramps"], nominal))
    if len(idx) < 2:  # thick slices: try the neighbours on both sides of the module centre;
        # a slice whose profile the wire's end cuts is rejected by the fit
        dz = ctx.pos - ctx.z_of(m)
        near = [int(np.argmin(np.where(dz >= 0, dz, np.inf))), int(np.argmin(np.where(dz <= 0, -dz, np.inf)))]
        idx = np.array(sorted({int(i) for i in idx} | {i for i in near if abs(dz[i]) <= nominal}))
    clean = [i for i in idx if not streaks_by_slice.get(int(i))]
    use = clean or list(idx)
    off = BG_OFFSET_MM / px
    sigma = inplane_sigma(ctx)
    lines, rejected, best_profile = [], [], None
    found: list[list] = [[] for _ in m["ramps"]]
    for i in use:
        img = ctx.vol[int(i)]
        for k, ramp in enumerate(m["ramps"]):
            a, b, _ = ramp_geometry(ctx, m, ramp)
            if i == use[0]:
                lines.append([[round(a[0], 1), round(a[1], 1)], [round(b[0], 1), round(b[1], 1)]])
            if any(line_hits_segment(s, a, b, off + 2) for s in streaks_by_slice.get(int(i), [])):
                rejected.append(note("thickness.ramp", ramp=k, why="crossed by a streak"))
                continue
            got: tuple | str = _ramp_profile(img, ctx, m, ramp, nominal)
            if isinstance(got, str):
                rejected.append(note("thickness.ramp", ramp=k, why=got))
                continue
            found[k].append((int(i), *got))
    vals, edges, used = [], [], set[int]()
    for k, ramp in enumerate(m["ramps"]):
        if not found[k]:
            continue
        got = _fit_ramp(found[k], ramp, px, sigma, edge, ctx.cache["ramp_margin_mm"])
        fitted = got
        got = _direct(found[k], ramp, sigma, got, ctx.cache["ramp_margin_mm"], px)
        if got is not fitted:
            rejected.append(note("thickness.ramp_direct", ramp=k,
                                 fit="failed" if isinstance(fitted, str) else "disagreed"))
        if isinstance(got, str):
            rejected.append(note("thickness.ramp", ramp=k, why=got))
            continue
        vals.append(got[0])
        edges.append(got[1])
        used.update(got[2])
        if best_profile is None:
            best_profile = (np.arange(len(found[k][0][1])) * found[k][0][2], found[k][0][1])
    good = []
    if vals:
        med = float(np.median(vals))
        good = [v for v in vals if abs(v - med) <= 0.15 * med + 0.1]
        if len(good) < len(vals):
            rejected.append(note("thickness.ramps_disagree", count=len(vals) - len(good)))
    where = {"slice": int(use[len(use) // 2]), "kind": "lines", "lines_px": lines,
             "slices": sorted(used) or [int(i) for i in use]}
    if len(good) < min(2, len(m["ramps"])):
        why: list[str] = sorted(set(rejected)) or ["no usable ramp profile"]
        return [Raw("slice_thickness", math.nan, "mm", where,
                    note("thickness.unreliable", why=why), error=True, nominal=nominal)], []
    val = float(np.mean(good))
    parts: list = [note("thickness.method", ramps=len(good), slices=len(used))]
    if sigma:
        shape: str = "rect SSP (axial)"
        if mode == "helical":
            frac = float(np.nanmedian(edges)) if edges else math.nan
            shape = (note("thickness.ssp_helical_pitch", pitch=float(pitch), edge=frac) if pitch
                     else note("thickness.ssp_helical", edge=frac))
        parts.append(note("thickness.blur_removed", sigma_mm=float(sigma), shape=shape))
    if rejected:
        parts.append(note("thickness.excluded", why=sorted(set(rejected))))
    if len(clean) < len(idx):
        parts.append(note("thickness.streaked", count=len(idx) - len(clean)))
    how = joined(*parts)
    curves = [Curve("slice_thickness.ramp_profile", tuple(best_profile[0]), tuple(best_profile[1]),
                    "mm", "HU", "wire ramp profile")] if best_profile is not None else []
    return [Raw("slice_thickness", round(val, 3), "mm", where, how, nominal=nominal)], curves
