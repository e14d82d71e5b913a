"""Slice thickness (wire ramps), geometric accuracy, low-contrast CNR, NPW d', dose."""
from __future__ import annotations

import math

import numpy as np

from station_plugins.ct_qc.analysis import phantom_spec as ps
from station_plugins.ct_qc.analysis.context import Ctx, Raw, nan_raw
from station_plugins.ct_qc.analysis.result import Curve
from station_plugins.ct_qc.analysis.roi import circle_stats, fwhm, sample_line

BG_OFFSET_MM = 4.0


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / max(np.dot(ab, ab), 1e-9), 0, 1))
    return float(np.linalg.norm(p - (a + t * ab)))


def line_hits_segment(line: tuple, a: np.ndarray, b: np.ndarray, margin_px: float) -> bool:
    """Does an (infinite) streak line (point, unit direction) pass within margin of segment a-b?"""
    p, d = np.asarray(line[0], float), np.asarray(line[1], float)
    n = np.array([-d[1], d[0]])
    da, db = float(np.dot(a - p, n)), float(np.dot(b - p, n))
    if da * db <= 0:
        return True
    return min(abs(da), abs(db)) <= margin_px


def _ramp_geometry(ctx: Ctx, m: dict, ramp: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    half = float(ramp.get("length_mm", 50.0)) / 2 / ctx.pixel_mm
    return c - half * d, c + half * d, np.array([-d[1], d[0]])


def _fwhm_rect_gauss(a: float, sigma: float) -> float:
    from scipy.optimize import brentq
    from scipy.special import ndtr
    f = lambda x: ndtr((a / 2 - x) / sigma) - ndtr((-a / 2 - x) / sigma)  # noqa: E731
    half = f(0.0) / 2
    return 2 * brentq(lambda x: f(x) - half, 0.0, a / 2 + 6 * sigma)


def deblur_fwhm(w: float, sigma: float) -> float:
    """Width of the rect whose FWHM after a Gaussian in-plane blur (sigma) is ``w``."""
    from scipy.optimize import brentq
    if not sigma or sigma <= 0 or w <= 0 or _fwhm_rect_gauss(1e-3, sigma) >= w \
            or _fwhm_rect_gauss(w, sigma) <= w:
        return w
    return float(brentq(lambda a: _fwhm_rect_gauss(a, sigma) - w, 1e-3, w))


def _inplane_sigma(ctx: Ctx) -> float | None:
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


def slice_thickness(ctx: Ctx, streaks_by_slice: dict[int, list] | None = None,
                    ) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("sensitometry", "ct_number") if m["ramps"]]
    if not mods:
        miss = [m["id"] for m in ctx.missing("sensitometry", "ct_number") if m["ramps"]]
        return ([nan_raw("slice_thickness", "mm", f"ramp module {', '.join(miss)} not in the series")]
                if miss else []), []
    m = mods[0]
    streaks_by_slice = streaks_by_slice or {}
    px = ctx.pixel_mm
    idx = ctx.slab_idx(m, 2.0)
    clean = [i for i in idx if not streaks_by_slice.get(int(i))]
    use = clean or list(idx)
    off = BG_OFFSET_MM / px
    sigma = _inplane_sigma(ctx)
    per_slice, lines, rejected, best_profile = [], [], [], None
    for i in use:
        img = ctx.vol[int(i)]
        vals = []
        for k, ramp in enumerate(m["ramps"]):
            a, b, n = _ramp_geometry(ctx, m, ramp)
            if i == use[0]:
                lines.append([[round(a[0], 1), round(a[1], 1)], [round(b[0], 1), round(b[1], 1)]])
            hit = [s for s in streaks_by_slice.get(int(i), [])
                   if line_hits_segment(s, a, b, off + 2)]
            if hit:
                rejected.append(f"ramp {k}: crossed by a streak")
                continue
            npts = int(np.hypot(*(b - a)) * 4)
            prof = sample_line(img, tuple(a), tuple(b), npts, 1.5 / px, 7)
            bg_a = sample_line(img, tuple(a + n * off), tuple(b + n * off), npts, 1.0 / px, 3)
            bg_b = sample_line(img, tuple(a - n * off), tuple(b - n * off), npts, 1.0 / px, 3)
            p = prof - 0.5 * (bg_a + bg_b)
            if float(ramp["hu"]) < float(m["background_hu"]):
                p = -p
            step_mm = float(np.hypot(*(b - a))) * px / (npts - 1)
            w, pk, runs = fwhm(p, step_mm)
            dn = np.diff(bg_a - bg_b)   # pure noise (plus nothing of the wire)
            noise = 1.4826 * float(np.median(np.abs(dn - np.median(dn)))) + 1e-6
            peak = float(p.max())
            ok = not math.isnan(w) and runs == 1 and peak > 6 * noise
            if ok:
                far = np.abs(np.arange(npts) * step_mm - pk) > 1.5 * w
                ok = not far.any() or float(p[far].max()) < 0.35 * peak
            if not ok:
                rejected.append(f"ramp {k}: profile is not a single clean peak")
                continue
            if sigma:
                # besides the system blur, the profile carries the wire's own in-plane
                # extent (diameter / sin(ramp angle), a rect) and the linear
                # interpolation of the line sampling: Gaussian-equivalent variances add
                wire = float(ramp.get("width_mm", 0.0) or 0.0) / max(
                    math.sin(math.radians(float(ramp["ramp_angle_deg"]))), 1e-3)
                w = deblur_fwhm(w, math.sqrt(sigma ** 2 + wire ** 2 / 12 + px ** 2 / 6))
            vals.append(w * math.tan(math.radians(float(ramp["ramp_angle_deg"]))))
            if best_profile is None:
                best_profile = (np.arange(npts) * step_mm, p)
        if vals:
            med = float(np.median(vals))
            good = [v for v in vals if abs(v - med) <= 0.15 * med + 0.1]
            if len(good) < len(vals):
                rejected.append(f"{len(vals) - len(good)} ramp(s) disagree with the others")
            if len(good) >= min(2, len(m["ramps"])):
                per_slice.append(float(np.mean(good)))
    where = {"slice": int(use[len(use) // 2]), "kind": "lines", "lines_px": lines,
             "slices": [int(i) for i in use]}
    nominal = ctx.header.get("nominal_slice_thickness_mm") or ctx.thk_mm
    if not per_slice:
        why = "; ".join(sorted(set(rejected))) or "no usable ramp profile"
        return [Raw("slice_thickness", math.nan, "mm", where,
                    f"unreliable: {why} - see artifacts", error=True, nominal=nominal)], []
    val = float(np.median(per_slice))
    note = f"FWHM x tan(ramp angle), {len(per_slice)} slice(s)"
    if sigma:
        note += f", in-plane blur {sigma:.2f} mm removed (rect SSP model)"
    if rejected:
        note += f"; excluded: {'; '.join(sorted(set(rejected)))}"
    if len(clean) < len(idx):
        note += f"; {len(idx) - len(clean)} streaked slice(s) skipped"
    curves = [Curve("slice_thickness.ramp_profile", tuple(best_profile[0]), tuple(best_profile[1]),
                    "mm", "HU", "wire ramp profile")] if best_profile is not None else []
    return [Raw("slice_thickness", round(val, 3), "mm", where, note, nominal=nominal)], curves


def _locate_point(img: np.ndarray, c: tuple[float, float], d_px: float, sign: float,
                  win_px: float) -> tuple[float, float, float]:
    """Centroid of a small node/bead near c; returns (x, y, contrast/noise)."""
    h = int(math.ceil(win_px))
    x0, y0 = int(round(c[0])) - h, int(round(c[1])) - h
    crop = img[y0:y0 + 2 * h + 1, x0:x0 + 2 * h + 1].astype(float)
    bg = float(np.median(crop))
    noise = 1.4826 * float(np.median(np.abs(crop - bg))) + 1e-6
    s = sign * (crop - bg)
    k = np.unravel_index(int(np.argmax(s)), s.shape)
    yy, xx = np.mgrid[:crop.shape[0], :crop.shape[1]]
    mask = np.hypot(xx - k[1], yy - k[0]) <= d_px / 2 + 2
    w = np.clip(s, 0, None) * mask
    return (float((w * (xx + x0)).sum() / w.sum()), float((w * (yy + y0)).sum() / w.sum()),
            float(s[k] / noise))


def geometry(ctx: Ctx, streaks_by_slice: dict[int, list] | None = None) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("sensitometry", "ct_number") if len(m["nodes"]) >= 2]
    pts_key = "nodes"
    if not mods:
        mods = [m for m in ctx.modules("uniformity") if len(m["beads"]) >= 2]
        pts_key = "beads"
    if not mods:
        return [], []
    m = mods[0]
    streaks_by_slice = streaks_by_slice or {}
    idx = ctx.slab_idx(m, 2.0)
    clean = [int(i) for i in idx if not streaks_by_slice.get(int(i))] or [int(i) for i in idx]
    img = ctx.vol[clean].mean(axis=0)
    px = ctx.pixel_mm
    found, nominal = [], []
    for item in m[pts_key]:
        c = ctx.px(m, float(item["x_mm"]), float(item["y_mm"]))
        sign = 1.0 if float(item["hu"]) > float(m["background_hu"]) else -1.0
        x, y, snr = _locate_point(img, c, float(item["diameter_mm"]) / px, sign, 4.0 / px)
        found.append((x, y, snr, item))
        nominal.append((float(item["x_mm"]), float(item["y_mm"])))
    pairs = []
    for i in range(len(found)):
        for j in range(i + 1, len(found)):
            dn = math.dist(nominal[i], nominal[j])
            pairs.append((dn, i, j))
    d_min = min(p[0] for p in pairs)
    sides = [(dn, i, j) for dn, i, j in pairs if dn <= d_min * 1.01]
    streaked = [s for sl in clean for s in streaks_by_slice.get(sl, [])]
    meas, bad = [], []
    for dn, i, j in sides:
        a, b = found[i], found[j]
        if a[2] < 5 or b[2] < 5 or any(line_hits_segment(s, np.array(a[:2]), np.array(a[:2]), 4.0 / px)
                                       or line_hits_segment(s, np.array(b[:2]), np.array(b[:2]), 4.0 / px)
                                       for s in streaked):
            bad.append((i, j))
            continue
        meas.append(math.dist(a[:2], b[:2]) * px)
    where = {"slice": clean[len(clean) // 2], "kind": "points",
             "points_px": [[round(f[0], 2), round(f[1], 2)] for f in found], "slices": clean}
    if not meas:
        return [Raw("geometry.node_distance", math.nan, "mm", where,
                    "unreliable: nodes not found or crossed by a streak - see artifacts",
                    error=True, nominal=d_min)], []
    note = f"{len(meas)} distance(s) between {pts_key}, nominal {d_min:g} mm"
    if bad:
        note += f"; {len(bad)} excluded (streak / low contrast)"
    dev = max(abs(v - d_min) for v in meas)
    return [Raw("geometry.node_distance", round(float(np.mean(meas)), 3), "mm", where, note, nominal=d_min),
            Raw("geometry.max_deviation", round(dev, 3), "mm", where, note)], []


def _disc_contrast(disc: dict, bg: float) -> float:
    if disc.get("contrast_hu") is not None:
        return float(disc["contrast_hu"])
    return 10.0 * float(disc.get("contrast_pct") or 0.0) if bg > -100 else 0.0


def low_contrast(ctx: Ctx) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("low_contrast") if m["discs"]]
    if not mods:
        miss = [m["id"] for m in ctx.missing("low_contrast")]
        return ([nan_raw("low_contrast.cnr", "", f"module {', '.join(miss)} not in the series")]
                if miss else []), []
    m = mods[0]
    discs = [d for d in m["discs"] if not d.get("length_mm")]  # supra-slice only
    disc = max(discs, key=lambda d: (d["diameter_mm"], abs(_disc_contrast(d, m["background_hu"]))))
    px = ctx.pixel_mm
    idx = ctx.slab_idx(m, 2.5)
    img = ctx.vol[idx]
    r_mm = min(0.35 * float(disc["diameter_mm"]), 5.64)
    c = ctx.polar_px(m, disc)
    bg_c = None
    for step in (0, 1, -1, 2, -2, 3, -3):
        rad = float(disc["radius_mm"]) - (float(disc["diameter_mm"]) / 2 + r_mm + 3.0)
        probe = {"angle_deg": float(disc["angle_deg"]) + 8.0 * step, "radius_mm": rad}
        x, y = ps.insert_xy(probe, 0.0)
        clear = all(math.dist((x, y), ps.insert_xy(o, 0.0)) > float(o["diameter_mm"]) / 2 + r_mm + 1.0
                    for o in m["discs"] + m["inserts"])
        if clear:
            bg_c = ctx.polar_px(m, probe)
            break
    if bg_c is None:
        return [nan_raw("low_contrast.cnr", "", "no clear background position beside the disc")], []
    a_mean, _ = circle_stats(img, c[0], c[1], r_mm / px)
    b_mean, b_sd = circle_stats(img, bg_c[0], bg_c[1], r_mm / px)
    cnr = abs(a_mean - b_mean) / max(b_sd, 1e-6)
    sl = ctx.slice_of(m)
    return [Raw("low_contrast.cnr", round(cnr, 3), "", ctx.where_circle(sl, c, r_mm / px, idx),
                note=f"{disc.get('name') or 'largest disc'}: |{a_mean:.1f} - {b_mean:.1f}| / {b_sd:.2f}; "
                     f"background ROI at ({bg_c[0]:.0f}, {bg_c[1]:.0f}) px"),
            Raw("low_contrast.contrast", round(a_mean - b_mean, 2), "HU",
                ctx.where_circle(sl, bg_c, r_mm / px, idx))], []


def detectability(ctx: Ctx, disc_mm: float = 5.0, contrast_hu: float = 10.0,
                  ) -> tuple[list[Raw], list[Curve]]:
    """Non-prewhitening d' for a disc task from the TTF (or MTF) and the NPS."""
    from scipy.special import j1
    nps = ctx.cache.get("nps")
    ttfs = ctx.cache.get("ttf", {})
    if ttfs:
        name = min(ttfs, key=lambda k: ttfs[k][2])
        f_t, t, _ = ttfs[name]
        src = f"TTF {name}"
    elif "mtf" in ctx.cache:
        f_t, t = ctx.cache["mtf"]
        src = "bead MTF"
    else:
        f_t = None
    if nps is None or f_t is None:
        return [nan_raw("low_contrast.dprime", "", "needs NPS and TTF/MTF (modules missing)")], []
    f_n, n1 = nps
    f = np.linspace(1e-4, min(float(f_n[-1]), float(f_t[-1])), 400)
    T = np.interp(f, f_t, t)
    N = np.interp(f, f_n, n1)
    R = disc_mm / 2
    W = contrast_hu * math.pi * R * R * 2 * j1(2 * math.pi * R * f) / (2 * math.pi * R * f)
    df = f[1] - f[0]
    num = (np.sum(W ** 2 * T ** 2 * 2 * math.pi * f) * df) ** 2
    den = np.sum(W ** 2 * T ** 2 * N * 2 * math.pi * f) * df
    d = math.sqrt(num / den) if den > 0 else math.nan
    return [Raw("low_contrast.dprime", round(d, 3), "", {"kind": "task"},
                note=f"NPW, {disc_mm:g} mm disc, {contrast_hu:g} HU, {src} + NPS")], []


def dose(ctx: Ctx) -> list[Raw]:
    v = ctx.header.get("ctdivol_mgy")
    if v is None:
        return []
    return [Raw("dose.ctdivol", round(float(v), 3), "mGy", {"kind": "header"}, "CTDIvol from the DICOM header")]
