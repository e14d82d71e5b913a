"""CT number, linearity, uniformity, noise and NPS (AAPM TG-233) measurements."""
from __future__ import annotations

import math
import warnings

import numpy as np

from app.ct.analysis.context import Ctx, Raw, key_part, missing_raw, nan_raw
from app.ct.analysis.result import Curve
from app.ct.analysis.roi import circle_stats, polar
from app.ct.note_codes import note

ROI_FRACTION = 0.30        # CT-number ROI radius / insert diameter (>= 3 sigma of a smooth
                           # kernel's blur from the insert edge: no edge spill into the mean)
CT_SLAB_MM = 7.5           # half thickness of the slab averaged for CT numbers: the central
                           # 15 mm of the 25 mm long inserts (module ends stay out, see
                           # Ctx.slab_idx). With an FBP-like NPS the ROI mean's error is low-
                           # frequency noise; only more slices reduce it (5 mm left 0.73 HU
                           # mean error at SD 12 HU, noise-free error < 0.05 HU)
CORR_RADIUS_MM = 1.0       # noise correlation radius of a CT image (kernel / NPS): one
                           # independent sample per pi * 1 mm^2 when a single slice is all


MIN_ROI_LEFT = 0.3        # share of an ROI a streak must leave for the ROI to be measured


def _left_fraction(img: np.ndarray, c: tuple[float, float], r: float) -> float:
    from app.ct.analysis.roi import circle_values
    v = circle_values(img, c[0], c[1], r)
    return float(np.isfinite(v).mean()) if v.size else 0.0


def _radial_rings(pol: np.ndarray, radii_mm: np.ndarray, n_r: int) -> tuple:
    """Mean and SE (scatter of 8 angular sectors) of the central 15 mm disc and of 5 mm
    rings outside it (cupping / capping are smooth in radius: a per-bin maximum over ~150
    noisy bins would be a maximum of noise)."""
    sect = np.nanmean(pol.reshape(8, -1, n_r), axis=1)          # (8 sectors, n_r)
    ref = radii_mm <= max(15.0, radii_mm[1])
    edges = np.arange(radii_mm[ref][-1], radii_mm[-1] + 5.0, 5.0)
    groups = [ref] + [(radii_mm > a) & (radii_mm <= b) for a, b in zip(edges[:-1], edges[1:])]
    groups = [g for g in groups if g.any()]
    vals, ses, rads = [], [], []
    for g in groups:
        sec = np.nanmean(sect[:, g], axis=1)
        n_ok = int(np.isfinite(sec).sum())
        vals.append(float(np.nanmean(sec)) if n_ok else math.nan)
        ses.append(float(np.nanstd(sec, ddof=1) / math.sqrt(n_ok)) if n_ok > 1 else math.nan)
        rads.append(float(radii_mm[g].mean()))
    return sect, groups, vals, ses, rads


def family_factor(n: int) -> float:
    """Factor on the SE of the largest of n independent deviations so that SE_COVERAGE x
    factor x SE is its two-sided 95 % family-wise bound (Sidak)."""
    from scipy.stats import norm
    if n <= 1:
        return 1.0
    return float(norm.ppf(1 - (1 - 0.95 ** (1.0 / n)) / 2) / norm.ppf(0.975))


def mean_se(stack: np.ndarray, cx: float, cy: float, r_px: float, pixel_mm: float) -> float:
    """Standard error of an ROI mean over a slab: the scatter of the per-slice means when
    there are >= 3 slices (noise is independent between slices), never below the
    single-slice estimate SD / sqrt(independent samples) / sqrt(slices)."""
    from app.ct.analysis.roi import circle_values
    v = circle_values(stack if stack.ndim == 3 else stack[None], cx, cy, r_px)
    if v.size == 0:
        return math.nan
    v = v.reshape(-1, v.shape[-1]) if v.ndim == 2 else v[None]
    n_sl = v.shape[0]
    n_px = int(np.isfinite(v).sum(axis=1).min())
    if n_px < 2:
        return math.nan
    area = n_px * pixel_mm ** 2
    n_eff = max(1.0, area / (math.pi * CORR_RADIUS_MM ** 2))
    sd = float(np.nanmean(np.nanstd(v, axis=1, ddof=1)))
    se_model = sd / math.sqrt(n_eff * n_sl)
    if n_sl >= 3:
        return max(float(np.nanmean(v, axis=1).std(ddof=1)) / math.sqrt(n_sl), se_model)
    return se_model


def destreaked(ctx: Ctx, idx: np.ndarray, stack: np.ndarray | None = None) -> np.ndarray:
    """The slices ``idx`` (or a given stack/mean of them) with pixels near a streak line
    set to NaN; the stack itself when no streak crosses them."""
    from app.ct.analysis.artifacts import streak_exclusion
    img = ctx.vol[idx] if stack is None else stack
    excl = streak_exclusion(ctx, idx, ctx.vol.shape[1:])
    if excl is None:
        return img
    out = np.array(img, dtype=np.float32, copy=True)
    out[..., excl] = np.nan
    return out


def ct_numbers(ctx: Ctx) -> tuple[list[Raw], list[Curve]]:
    raws: list[Raw] = []
    mods = ctx.modules("sensitometry", "ct_number")
    for m in ctx.missing("sensitometry", "ct_number"):
        raws.append(missing_raw("ct_number", "HU", note("module.not_in_series", modules=[m["id"]])))
    nominal, measured = [], []
    for m in mods:
        idx = ctx.slab_idx(m, CT_SLAB_MM)
        img = destreaked(ctx, idx)
        for ins in m["inserts"]:
            c = ctx.polar_px(m, ins)
            r = ROI_FRACTION * float(ins["diameter_mm"]) / ctx.pixel_mm
            key = f"ct_number.{key_part(ins['name'])}"
            if img is not ctx.vol and _left_fraction(img, c, r) < MIN_ROI_LEFT:
                # a streak crosses the ROI: its CT number is the streak's effect, reported
                # with the streak - not measured here, not a CT-number fault of its own
                raws.append(Raw(key, math.nan, "HU", ctx.where_circle(ctx.slice_of(m), c, r, idx),
                                note=note("ct_number.streak_crossed", nominal=float(ins["nominal_hu"])),
                                nominal=float(ins["nominal_hu"]),
                                not_applicable=True))
                continue
            mean, sd = circle_stats(img, c[0], c[1], r)
            se = mean_se(img, c[0], c[1], r, ctx.pixel_mm)
            raws.append(Raw(key, round(mean, 2), "HU", ctx.where_circle(ctx.slice_of(m), c, r, idx),
                            note=note("ct_number.insert", nominal=float(ins["nominal_hu"]),
                                      sd=float(sd), se=float(se)),
                            nominal=float(ins["nominal_hu"]), uncertainty=round(se, 3)))
            nominal.append(float(ins["nominal_hu"]))
            measured.append(mean)
            ctx.cache.setdefault("inserts", []).append((m, ins, c, mean, sd))
    curves: list[Curve] = []
    if len(nominal) >= 3:
        x, y = np.array(nominal), np.array(measured)
        slope, icpt = np.polyfit(x, y, 1)
        r2 = 1 - np.sum((y - (slope * x + icpt)) ** 2) / max(np.sum((y - y.mean()) ** 2), 1e-9)
        w = {"slice": ctx.slice_of(mods[0]), "kind": "points"}
        raws += [Raw("linearity.slope", round(float(slope), 5), "", w),
                 Raw("linearity.intercept", round(float(icpt), 2), "HU", w),
                 Raw("linearity.r2", round(float(r2), 6), "", w)]
        order = np.argsort(x)
        curves.append(Curve("linearity", tuple(x[order]), tuple(y[order]), "HU nominal", "HU measured",
                            "CT number linearity"))
    return raws, curves


def _uniform_module(ctx: Ctx) -> dict | None:
    mods = ctx.modules("uniformity")
    return mods[0] if mods else None


def uniformity_noise(ctx: Ctx) -> tuple[list[Raw], list[Curve]]:
    m = _uniform_module(ctx)
    if m is None:
        why = (note("uniformity.no_module_missing",
                    modules=[x["id"] for x in ctx.missing("uniformity")])
               if ctx.missing("uniformity") else note("uniformity.no_module"))
        mk = missing_raw if ctx.missing("uniformity") else nan_raw
        return [mk(k, u, why) for k, u in (("uniformity.max_edge_dev", "HU"), ("noise.sd", "HU"))], []
    idx = ctx.slab_idx(m, 5.0)
    img = destreaked(ctx, idx)
    R = ctx.radius_px()
    r = 0.05 * 2 * R                             # ROI radius: 5 % of the diameter
    cx, cy = ctx.centre(m)
    sl = ctx.slice_of(m)
    # a streak over the centre ROI (it crosses near the rotation centre, where the
    # phantom usually sits) leaves too little of it: the centre's figures are the
    # streak's, not measured (SKIP with the reason); noise comes from the edge ROIs
    on_streak = img is not ctx.vol and _left_fraction(img, (cx, cy), r) < MIN_ROI_LEFT
    c_mean, c_sd = (math.nan, math.nan) if on_streak else circle_stats(img, cx, cy, r)
    c_se = math.nan if on_streak else mean_se(img, cx, cy, r, ctx.pixel_mm)
    edge_off = R - r - 0.1 * R
    edges = {"top": (cx, cy - edge_off), "right": (cx + edge_off, cy),
             "bottom": (cx, cy + edge_off), "left": (cx - edge_off, cy)}
    raws = []
    sds = [c_sd]
    devs, ses = [], []
    for name, (ex, ey) in edges.items():
        if img is not ctx.vol and _left_fraction(img, (ex, ey), r) < MIN_ROI_LEFT:
            raws.append(Raw(f"uniformity.{name}", math.nan, "HU", ctx.where_circle(sl, (ex, ey), r, idx),
                            note("uniformity.roi_on_streak"), not_applicable=True))
            continue
        mean, sd = circle_stats(img, ex, ey, r)
        sds.append(sd)
        devs.append(mean - c_mean)
        ses.append(math.hypot(mean_se(img, ex, ey, r, ctx.pixel_mm), c_se))
        raws.append(Raw(f"uniformity.{name}", round(mean, 2), "HU", ctx.where_circle(sl, (ex, ey), r, idx)))
    ctx.cache["uniform_centre_hu"] = c_mean
    # noise: the same centre ROI over a 20 mm slab of the uniform module (more images,
    # the same definition): the SD estimate's own scatter drops by about half
    idx_n = ctx.slab_idx(m, 20.0)
    if len(idx_n) > len(idx) and not on_streak:
        c_sd = circle_stats(destreaked(ctx, idx_n), cx, cy, r)[1]
    noise_where = "the centre ROI"
    if on_streak:
        c_sd = float(np.nanmedian(sds[1:])) if np.isfinite(sds[1:]).any() else math.nan
        noise_where = "the edge ROIs (median; a streak crosses the centre)"
        if not math.isfinite(c_sd):   # every ROI on the streak: the centre as it is
            c_sd = circle_stats(ctx.vol[idx], cx, cy, r)[1]
            noise_where = "the centre ROI with the streak in it (every ROI lies on a streak)"
    ctx.cache["noise_sd"] = c_sd
    if on_streak:
        why = note("uniformity.centre_on_streak")
        ww = ctx.where_circle(sl, (cx, cy), r, idx)
        raws += [Raw("uniformity.centre", math.nan, "HU", ww, why, not_applicable=True),
                 Raw("uniformity.max_edge_dev", math.nan, "HU", ww, why, not_applicable=True),
                 Raw("noise.sd", round(c_sd, 3), "HU", ww, note("noise.sd_in", where=noise_where)),
                 Raw("noise.nonuniformity", math.nan, "%", ww, why, not_applicable=True)]
        material = str(m.get("material") or "")
        is_water = material.lower() == "water" or (not material and float(m["background_hu"]) == 0.0)
        raws.append(Raw("ct_number.water" if is_water else "ct_number.uniform", math.nan, "HU", ww, why,
                        nominal=float(m["background_hu"]), not_applicable=True))
        return raws, []
    if not devs:   # every edge ROI on a streak
        devs, ses = [0.0], [math.nan]
    k = int(np.argmax(np.abs(devs)))
    raws += [
        Raw("uniformity.centre", round(c_mean, 2), "HU", ctx.where_circle(sl, (cx, cy), r, idx)),
        Raw("uniformity.max_edge_dev", round(float(devs[k]), 2), "HU", ctx.where_circle(sl, (cx, cy), r, idx),
            note=note("uniformity.edge_dev", edge=list(edges)[k], se=float(ses[k])),
            uncertainty=round(float(ses[k]) * family_factor(len(devs)), 3)),
        Raw("noise.sd", round(c_sd, 3), "HU", ctx.where_circle(sl, (cx, cy), r, idx_n),
            note=note("noise.sd_centre", images=len(idx_n))),
        Raw("noise.nonuniformity", round(100 * (max(sds) - min(sds)) / max(c_sd, 1e-6), 2), "%",
            ctx.where_circle(sl, (cx, cy), r, idx), note=note("noise.nonuniformity")),
    ]
    # radial profile (median over angle) of the slab mean
    mean_img = destreaked(ctx, idx, ctx.mean_image(idx))
    r_max = R - 4.0 / ctx.pixel_mm
    n_r = max(16, int(r_max / 2))
    pol = polar(mean_img, cx, cy, r_max, n_r, 360)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # NaN: pixels a streak crosses
        prof = np.nanmedian(pol, axis=0)
    radii_mm = (np.arange(n_r) + 0.5) * r_max / n_r * ctx.pixel_mm
    ctx.cache["radial_profile"] = (radii_mm, prof)
    # the deviation of each radius from the central disc (r <= 15 mm, a large area: the
    # innermost bins alone hold a few pixels and their noise made pure noise "non-uniform");
    # its standard error from the scatter of 8 angular sectors (data-driven: correlated
    # noise and residual streaks widen it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # NaN: pixels a streak crosses
        _, _, vals, ses, rads = _radial_rings(pol, radii_mm, n_r)
    dev = np.array(vals[1:]) - vals[0]
    if len(dev) and np.isfinite(dev).any():
        k = int(np.nanargmax(np.abs(dev)))
        # the largest of N ring deviations: its uncertainty carries the family-wise factor
        # (95 % over all N rings, two-sided) so noise alone rarely exceeds the limit
        se_k = math.hypot(ses[k + 1], ses[0]) * family_factor(len(dev))
        raws.append(Raw("uniformity.radial_max_dev", round(float(dev[k]), 2), "HU",
                        {"slice": sl, "kind": "circle", "centre_px": [round(cx, 2), round(cy, 2)],
                         "radius_px": round(r_max, 2)},
                        note=note("uniformity.radial", radius_mm=float(rads[k + 1]),
                                  se=math.hypot(ses[k + 1], ses[0]), rings=len(dev)),
                        uncertainty=round(se_k, 3)))
    if "water" not in {key_part(i["name"]) for mm in ctx.modules("sensitometry", "ct_number")
                       for i in mm["inserts"]}:
        # the uniform module judged against its own material: water only when it is water
        material = str(m.get("material") or "")
        is_water = material.lower() == "water" or (not material and float(m["background_hu"]) == 0.0)
        key = "ct_number.water" if is_water else "ct_number.uniform"
        raws.append(Raw(key, round(c_mean, 2), "HU", ctx.where_circle(sl, (cx, cy), r, idx),
                        note=note("ct_number.uniform_module", module=m["id"],
                                  material=material or "water",
                                  nominal=float(m["background_hu"]), se=float(c_se)),
                        nominal=float(m["background_hu"]), uncertainty=round(c_se, 3)))
    curves = [Curve("uniformity.radial_profile", tuple(radii_mm), tuple(prof), "mm", "HU",
                    "radial profile (median over angle)")]
    return raws, curves


def nps(ctx: Ctx) -> tuple[list[Raw], list[Curve]]:
    m = _uniform_module(ctx)
    if m is None:
        mk = missing_raw if ctx.missing("uniformity") else nan_raw
        return [mk("nps.f_peak", "lp/mm", note("nps.no_module")),
                mk("nps.f_av", "lp/mm", note("nps.no_module"))], []
    idx = ctx.slab_idx(m, 12.0)
    if len(idx) > 8:
        idx = idx[np.linspace(0, len(idx) - 1, 8).round().astype(int)]
    px = ctx.pixel_mm
    n = int(2 ** round(math.log2(max(24.0, min(128.0, 30.0 / px)))))
    R = ctx.radius_px()
    cx, cy = ctx.centre(m)
    ring = 0.45 * R
    centres = [(cx, cy)] + [(cx + ring * math.cos(a), cy + ring * math.sin(a))
                            for a in np.arange(8) * math.pi / 4]
    rois = []
    for i in idx:
        for (x, y) in centres:
            x0, y0 = int(round(x)) - n // 2, int(round(y)) - n // 2
            rois.append(ctx.vol[i, y0:y0 + n, x0:x0 + n])
    stack = np.stack(rois).astype(np.float64).reshape(len(rois), -1)
    yy, xx = np.mgrid[:n, :n].astype(float)
    xx, yy = (xx - n / 2) / n, (yy - n / 2) / n
    A = np.stack([np.ones_like(xx), xx, yy, xx * xx, xx * yy, yy * yy], -1).reshape(-1, 6)
    coef = np.linalg.pinv(A) @ stack.T
    resid = (stack - (A @ coef).T).reshape(-1, n, n)
    spec = np.abs(np.fft.fftshift(np.fft.fft2(resid), axes=(1, 2))) ** 2
    nps2d = spec.mean(axis=0) * px * px / (n * n)
    f = np.fft.fftshift(np.fft.fftfreq(n, d=px))
    fr = np.hypot(*np.meshgrid(f, f))
    df = 1.0 / (n * px)
    b = np.round(fr / df).astype(int)
    nb = n // 2
    sums = np.bincount(b.ravel(), nps2d.ravel(), minlength=nb + 1)[: nb + 1]
    cnts = np.bincount(b.ravel(), minlength=nb + 1)[: nb + 1]
    nps1d = sums / np.maximum(cnts, 1)
    freqs = np.arange(nb + 1) * df
    f_peak = float(freqs[1 + int(np.argmax(nps1d[1:]))])
    f_av = float(np.sum(freqs * nps1d) / np.sum(nps1d))
    var = float(nps2d.sum() * df * df)
    ctx.cache["nps"] = (freqs, nps1d)
    sl = ctx.slice_of(m)
    w = {"slice": sl, "kind": "rects", "rects_px": [[round(x) - n // 2, round(y) - n // 2, round(x) + n // 2,
                                                      round(y) + n // 2] for x, y in centres],
         "slices": [int(i) for i in idx]}
    how = note("nps.method", rois=len(rois), size=n, size2=n, sd=math.sqrt(var))
    return ([Raw("nps.f_peak", round(f_peak, 4), "lp/mm", w, how),
             Raw("nps.f_av", round(f_av, 4), "lp/mm", w, how)],
            [Curve("nps", tuple(freqs), tuple(nps1d), "lp/mm", "HU^2 mm^2", "noise power spectrum")])
