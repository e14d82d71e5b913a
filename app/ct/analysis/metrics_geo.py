"""Geometric accuracy, low-contrast CNR, NPW d', dose (slice thickness: metrics_thk)."""
from __future__ import annotations

import math

import numpy as np

from app.ct.analysis import phantom_spec as ps
from app.ct.analysis.context import Ctx, Raw, missing_raw, nan_raw
from app.ct.analysis.result import Curve
from app.ct.analysis.metrics_thk import line_hits_segment
from app.ct.analysis.roi import circle_stats
from app.ct.note_codes import joined, note


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
    total = float(w.sum())
    if not total > 0:      # nothing brighter than the background (a flat crop): no point
        return float(c[0]), float(c[1]), 0.0   # found - the nominal place, contrast 0
    return (float((w * (xx + x0)).sum() / total), float((w * (yy + y0)).sum() / total),
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
        # the sign of the contrast from the image: a hole in one unit may carry a pin
        # (Teflon) in another; the definition's sign only breaks ties
        sign = 1.0 if float(item["hu"]) > float(m["background_hu"]) else -1.0
        cands = [_locate_point(img, c, float(item["diameter_mm"]) / px, sg, 4.0 / px) for sg in (sign, -sign)]
        x, y, snr = cands[1] if cands[1][2] > 1.5 * cands[0][2] else cands[0]
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
                    note("geometry.nodes_unreliable"),
                    error=True, nominal=d_min)], []
    how = joined(note("geometry.distances", count=len(meas), points=pts_key, nominal=float(d_min)),
                 note("geometry.excluded", count=len(bad)) if bad else "")
    dev = max(abs(v - d_min) for v in meas)
    return [Raw("geometry.node_distance", round(float(np.mean(meas)), 3), "mm", where, how, nominal=d_min),
            Raw("geometry.max_deviation", round(dev, 3), "mm", where, how)], []


def _disc_contrast(disc: dict, bg: float) -> float:
    if disc.get("contrast_hu") is not None:
        return float(disc["contrast_hu"])
    return 10.0 * float(disc.get("contrast_pct") or 0.0) if bg > -100 else 0.0


def low_contrast(ctx: Ctx) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("low_contrast") if m["discs"]]
    if not mods:
        miss = [m["id"] for m in ctx.missing("low_contrast")]
        return ([missing_raw("low_contrast.cnr", "", note("module.not_in_series", modules=miss))]
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
        return [nan_raw("low_contrast.cnr", "", note("low_contrast.no_background"))], []
    a_mean, _ = circle_stats(img, c[0], c[1], r_mm / px)
    b_mean, b_sd = circle_stats(img, bg_c[0], bg_c[1], r_mm / px)
    cnr = abs(a_mean - b_mean) / max(b_sd, 1e-6)
    sl = ctx.slice_of(m)
    return [Raw("low_contrast.cnr", round(cnr, 3), "", ctx.where_circle(sl, c, r_mm / px, idx),
                note=note("low_contrast.cnr", disc=str(disc.get("name") or "largest disc"),
                          disc_hu=float(a_mean), background_hu=float(b_mean),
                          background_sd=float(b_sd), x_px=float(bg_c[0]), y_px=float(bg_c[1]))),
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
        src: str = note("dprime.source_ttf", insert=name)
    elif "mtf" in ctx.cache:
        f_t, t = ctx.cache["mtf"]
        src = "bead MTF"
    else:
        f_t = None
    if nps is None or f_t is None:
        if ctx.missing("uniformity") or ctx.missing("resolution", "sensitometry"):
            return [missing_raw("low_contrast.dprime", "", note("dprime.modules_missing"))], []
        return [nan_raw("low_contrast.dprime", "", note("dprime.not_measured"))], []
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
                note=note("dprime.method", disc_mm=disc_mm, contrast_hu=contrast_hu, source=src))], []


def dose(ctx: Ctx) -> list[Raw]:
    v = ctx.header.get("ctdivol_mgy")
    if v is None:
        return []
    return [Raw("dose.ctdivol", round(float(v), 3), "mGy", {"kind": "header"}, note("dose.header"))]
