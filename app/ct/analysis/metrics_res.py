"""Spatial resolution: absolute MTF from a bead/wire, TTF per insert, bar-pattern visibility."""
from __future__ import annotations

import math

import numpy as np
from scipy.signal.windows import tukey

from app.ct.analysis.context import Ctx, Raw, key_part, missing_raw, nan_raw
from app.ct.analysis.result import Curve
from app.ct.analysis.roi import circle_stats, circle_values, crossing
from app.ct.note_codes import note
from app.ct.phantoms import MODULE_KINDS as _ALL_KINDS

N_PAD = 256


def _radial_mtf(psf: np.ndarray, px: float) -> tuple[np.ndarray, np.ndarray]:
    f2 = np.abs(np.fft.fft2(psf, s=(N_PAD, N_PAD)))
    f2 /= f2[0, 0]
    f = np.fft.fftfreq(N_PAD, d=px)
    fr = np.hypot(*np.meshgrid(f, f))
    df = 1.0 / (N_PAD * px)
    b = np.round(fr / df).astype(int).ravel()
    nb = int(0.5 / px / df)
    s = np.bincount(b, f2.ravel(), minlength=nb + 1)[: nb + 1]
    c = np.bincount(b, minlength=nb + 1)[: nb + 1]
    return np.arange(nb + 1) * df, s / np.maximum(c, 1)


def _sphere_ft(f: np.ndarray, d_mm: float) -> np.ndarray:
    x = np.pi * f * d_mm
    with np.errstate(invalid="ignore", divide="ignore"):
        t = 3 * (np.sin(x) - x * np.cos(x)) / x ** 3
    return np.where(x < 1e-6, 1.0, t)


def mtf(ctx: Ctx) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("resolution") if m["beads"] or m["wires"]]
    if not mods and ctx.missing("resolution"):
        miss = note("mtf.module_missing", modules=[m["id"] for m in ctx.missing("resolution")])
        return [missing_raw("mtf.mtf50", "lp/cm", miss),
                missing_raw("mtf.mtf10", "lp/cm", miss)], []
    if not mods:
        # the resolution module has no bead or wire (ACR 464: bar patterns only): the
        # phantom's small steel BBs elsewhere (ACR module 3 distance BBs) are point sources
        # too; the innermost ones are used (furthest from the phantom edge)
        mods = sorted((m for m in ctx.modules(*_ALL_KINDS) if m["beads"]),
                      key=lambda m: min(math.hypot(b["x_mm"], b["y_mm"]) for b in m["beads"]))
    if not mods:
        return _mtf_from_edge(ctx, "the phantom has no bead or wire")
    m = mods[0]
    items = m["wires"] or m["beads"]
    px = ctx.pixel_mm
    h = int(math.ceil(8.0 / px))
    yy, xx = np.mgrid[-h:h + 1, -h:h + 1]
    rr = np.hypot(xx, yy) * px
    psf = np.zeros((2 * h + 1, 2 * h + 1))
    pts_v, noises, used, peak_at = [], [], [], None
    for item in items:
        z = ctx.z_of(m) + float(item.get("z_offset_mm", 0.0) or 0.0)
        half_z = 5.0 if m["wires"] else ctx.thk_mm / 2 + 0.5
        idx = np.nonzero(np.abs(ctx.pos - z) <= half_z)[0]
        if len(idx) == 0:
            idx = np.array([int(np.argmin(np.abs(ctx.pos - z)))])
        cx, cy = ctx.px(m, float(item["x_mm"]), float(item["y_mm"]))
        for i in idx:
            got = _bead_crop(ctx.vol[i], cx, cy, h, rr, 3.0 / px)
            if got is None:
                continue
            crop, bg, noise, (px0, py0) = got
            if crop[h, h] < 6 * max(noise, 0.5):
                continue
            psf += crop
            pts_v.append(crop)
            noises.append(noise)
            used.append(int(i))
            peak_at = peak_at or (float(px0), float(py0))
    if not used:
        # the bead is lost in the noise (coarse matrix, thick slice): the high-contrast
        # insert edge (TTF) still gives the system MTF; the note says which was used
        return _mtf_from_edge(ctx, "bead/wire not visible above noise")
    item = items[0]
    assert peak_at is not None  # set with the first used slice
    f, mtf_c, method = _mtf_from_psf(psf, pts_v, float(np.mean(noises)) / math.sqrt(len(used)), px,
                                     float(item["diameter_mm"]), bool(m["wires"]))
    # a point spread sampled by pixels as large as the point itself aliases (the curve is
    # still above 10 % at Nyquist): the radially oversampled insert edge (TTF) is then the
    # better estimate, as it is when the bead is too faint for a non-parametric MTF
    undersampled = not method.startswith("Gaussian") and len(mtf_c) and float(mtf_c[-1]) >= 0.1
    edge = _edge_mtf(ctx) if method.startswith("Gaussian") or undersampled else None
    extra = []
    if edge is not None:
        f_cm = f * 10.0
        bead50 = crossing(f_cm, mtf_c, 0.5)
        extra.append(Raw("mtf.bead_mtf50", None if math.isnan(bead50) else round(bead50, 3),
                         "lp/cm", {}, note("mtf.bead_informative", method=method,
                                           value="no 50 % crossing" if math.isnan(bead50)
                                           else note("mtf.lp_cm", value=float(bead50))),
                         not_applicable=True))
        f, mtf_c, name = edge
        why = "PSF undersampled by the pixel size" if undersampled else "bead SNR too low"
        method = note("mtf.edge_instead", insert=name, why=why)
    f_cm = f * 10.0
    ctx.cache["mtf"] = (f, mtf_c)
    w = {"slice": used[len(used) // 2], "kind": "circle", "centre_px": [round(peak_at[0], 2), round(peak_at[1], 2)],
         "radius_px": round(3.0 / px, 2), "slices": sorted(set(used))}
    how = (method if edge is not None
           else note("mtf.psf", source="wire" if m["wires"] else "bead", images=len(used),
                     method=method))
    if edge is not None:
        w = {}
    return ([_mtf_raw("mtf.mtf50", f_cm, mtf_c, 0.5, w, how),
             _mtf_raw("mtf.mtf10", f_cm, mtf_c, 0.1, w, how)] + extra,
            [Curve("mtf", tuple(f_cm), tuple(mtf_c), "lp/cm", "", "MTF (point spread)")])


def _mtf_from_edge(ctx: Ctx, why: str) -> tuple[list[Raw], list[Curve]]:
    """MTF50/MTF10 from the highest-contrast insert edge (TTF) when no point source serves."""
    edge = _edge_mtf(ctx)
    if edge is None:
        return [nan_raw("mtf.mtf50", "lp/cm", note("mtf.no_edge", why=why)),
                nan_raw("mtf.mtf10", "lp/cm", note("mtf.no_edge", why=why))], []
    f, mtf_c, name = edge
    f_cm = f * 10.0
    ctx.cache["mtf"] = (f, mtf_c)
    how = note("mtf.edge", insert=name, why=why)
    return ([_mtf_raw("mtf.mtf50", f_cm, mtf_c, 0.5, {}, how),
             _mtf_raw("mtf.mtf10", f_cm, mtf_c, 0.1, {}, how)],
            [Curve("mtf", tuple(f_cm), tuple(mtf_c), "lp/cm", "", "MTF (edge)")])


def _mtf_raw(key: str, f_cm: np.ndarray, mtf_c: np.ndarray, level: float, where: dict,
             how: str) -> Raw:
    """The frequency where the MTF falls to ``level``; when the curve is still above it
    at the highest frequency the matrix samples (Nyquist), the figure is not
    determinable from this series: reported as such (SKIP), not as an analysis error."""
    x = crossing(f_cm, mtf_c, level)
    if math.isnan(x) and len(mtf_c) and float(mtf_c[-1]) >= level:
        return Raw(key, None, "lp/cm", {**where, "at_least": round(float(f_cm[-1]), 3)},
                   note("mtf.above_nyquist", note=how, nyquist=float(f_cm[-1])),
                   not_applicable=True)
    return Raw(key, round(x, 3), "lp/cm", where, how)


def _edge_mtf(ctx: Ctx, min_contrast: float = 500.0) -> tuple[np.ndarray, np.ndarray, str] | None:
    """(f lp/mm, TTF, insert) of the highest-contrast insert edge, if one is strong enough."""
    ttfs = ctx.cache.get("ttf", {})
    if not ttfs:
        return None
    name = max(ttfs, key=lambda k: ttfs[k][2])
    f, t, c = ttfs[name]
    return (f, t, name) if c >= min_contrast else None


def _bead_crop(img: np.ndarray, cx: float, cy: float, h: int, rr: np.ndarray, search: float,
               ) -> tuple[np.ndarray, float, float, tuple[int, int]] | None:
    x0, y0 = int(round(cx)), int(round(cy))
    win = img[y0 - h:y0 + h + 1, x0 - h:x0 + h + 1]
    if win.shape != rr.shape:
        return None
    cand = np.where(rr / max(rr[h, h + 1], 1e-9) <= search, win, -np.inf)
    k = np.unravel_index(int(np.argmax(cand)), win.shape)
    px0, py0 = x0 + k[1] - h, y0 + k[0] - h
    crop = img[py0 - h:py0 + h + 1, px0 - h:px0 + h + 1].astype(float)
    if crop.shape != rr.shape:
        return None
    ring = crop[rr > 5.0]
    bg = float(np.median(ring))
    noise = float(1.4826 * np.median(np.abs(ring - bg)))
    return crop - bg, bg, noise, (int(px0), int(py0))


def _fit_sigma(crops: list[np.ndarray], px: float) -> float:
    """Shared Gaussian sigma (mm) of point images, each with its own sub-pixel centre and
    amplitude (least squares on pixels within 2.5 mm of the peak)."""
    from scipy.optimize import least_squares
    h = crops[0].shape[0] // 2
    yy, xx = np.mgrid[-h:h + 1, -h:h + 1]
    near = np.hypot(xx, yy) * px <= 2.5
    X, Y = xx[near] * px, yy[near] * px
    data = [c[near] for c in crops]

    def resid(p: np.ndarray) -> np.ndarray:
        s = p[0]
        out = []
        for k, d in enumerate(data):
            a, x0, y0 = p[1 + 3 * k:4 + 3 * k]
            out.append(a * np.exp(-((X - x0) ** 2 + (Y - y0) ** 2) / (2 * s * s)) - d)
        return np.concatenate(out)

    p0 = [0.5] + [v for d in data for v in (float(d.max()), 0.0, 0.0)]
    sol = least_squares(resid, p0, bounds=([0.05] + [-np.inf, -2 * px, -2 * px] * len(data),
                                           [5.0] + [np.inf, 2 * px, 2 * px] * len(data)))
    return abs(float(sol.x[0])) if sol.success else math.nan


def _mtf_from_psf(psf: np.ndarray, crops: list[np.ndarray], noise: float, px: float,
                  d_mm: float, wire: bool) -> tuple[np.ndarray, np.ndarray, str]:
    """Non-parametric MTF (tapered 2-D FFT, object-size corrected) when the point is well
    above noise; otherwise a Gaussian PSF fit (documented as such in the note)."""
    h = psf.shape[0] // 2
    yy, xx = np.mgrid[-h:h + 1, -h:h + 1]
    rr = np.hypot(xx, yy) * px
    snr = psf[h, h] / max(noise * len(crops), 1e-9)
    sig = _fit_sigma(crops, px) if snr < 60 else math.nan
    if snr >= 60 or math.isnan(sig):
        taper = np.clip((6.0 - rr) / 3.0, 0.0, 1.0)
        taper = np.where(rr <= 3.0, 1.0, 0.5 - 0.5 * np.cos(np.pi * taper))
        f, mtf_r = _radial_mtf(psf * taper, px)
        if wire:
            x = np.pi * f * d_mm
            corr = np.abs(np.where(x > 1e-9, 2 * _j1(x) / np.maximum(x, 1e-9), 1.0))
        else:
            corr = _sphere_ft(f, d_mm)
        return f, np.where(corr > 0.3, mtf_r / np.maximum(corr, 0.3), mtf_r), "2-D FFT, size-corrected"
    f = np.linspace(0, 0.5 / px, 128)
    s_obj = d_mm / 4.0  # Gaussian-equivalent spread of the bead/wire cross-section
    s_sys = math.sqrt(max(sig * sig - s_obj * s_obj, 1e-6))
    return f, np.exp(-2 * math.pi ** 2 * s_sys ** 2 * f ** 2), note("mtf.gaussian_fit", snr=float(snr))


def _j1(x: np.ndarray) -> np.ndarray:
    from scipy.special import j1
    return j1(x)


def _refine_centre(img: np.ndarray, c: tuple[float, float], r_px: float, sign: float,
                   bg: float) -> tuple[float, float]:
    cx, cy = c
    h = int(math.ceil(r_px * 1.5)) + 2
    x0, y0 = int(round(cx)) - h, int(round(cy)) - h
    crop = img[y0:y0 + 2 * h + 1, x0:x0 + 2 * h + 1]
    yy, xx = np.mgrid[:crop.shape[0], :crop.shape[1]]
    for _ in range(3):
        m = np.hypot(xx + x0 - cx, yy + y0 - cy) <= r_px * 1.3
        w = np.clip(sign * (crop - bg), 0, None) * m
        if w.sum() <= 0:
            break
        cx, cy = float((w * (xx + x0)).sum() / w.sum()), float((w * (yy + y0)).sum() / w.sum())
    return cx, cy


def ttf(ctx: Ctx, min_contrast_hu: float = 40.0) -> tuple[list[Raw], list[Curve]]:
    raws, curves = [], []
    px = ctx.pixel_mm
    bin_px = 0.1
    for m, ins, c, mean, _sd in ctx.cache.get("inserts", []):
        idx = ctx.slab_idx(m, 2.5)
        img = ctx.mean_image(idx)
        r_ins = float(ins["diameter_mm"]) / 2 / px
        bg = float(np.mean(circle_values(img, c[0], c[1], r_ins + 5.0 / px, r_ins + 2.0 / px)))
        contrast = mean - bg
        name = key_part(ins["name"])
        if abs(contrast) < min_contrast_hu:
            continue
        cx, cy = _refine_centre(img, c, r_ins, math.copysign(1.0, contrast), bg)
        h = int(math.ceil(r_ins + 7.0 / px)) + 1
        x0, y0 = int(round(cx)) - h, int(round(cy)) - h
        crop = ctx.vol[idx, y0:y0 + 2 * h + 1, x0:x0 + 2 * h + 1].astype(float)  # crop only, not the slab
        yy, xx = np.mgrid[:crop.shape[1], :crop.shape[2]]
        r = np.hypot(xx + x0 - cx, yy + y0 - cy)
        lo, hi = r_ins - 6.0 / px, r_ins + 6.0 / px   # edge span: 3 sigma flat at sigma 1 mm
        sel = (r >= lo) & (r < hi)
        b = ((r[sel] - lo) / bin_px).astype(int)
        nb = int((hi - lo) / bin_px)
        vals = crop[:, sel].mean(axis=0)
        s = np.bincount(b, vals, minlength=nb)[:nb]
        n = np.bincount(b, minlength=nb)[:nb]
        ok = n > 0
        grid = np.arange(nb)
        esf = np.interp(grid, grid[ok], s[ok] / n[ok])
        k = np.exp(-0.5 * (np.arange(-7, 8) / 2.5) ** 2)
        esf = np.convolve(np.pad(esf, 7, mode="edge"), k / k.sum(), mode="valid")
        lsf = np.gradient(esf) * -1.0
        # flat over the central half (+/-3 mm), tapered outside: a Hann window over the
        # whole span multiplied the LSF itself and narrowed a smooth kernel's (sigma 0.7 mm
        # read as 0.66 mm: TTF too high, slice thickness 0.09 mm too wide at 0.625 mm); a
        # +/-4 mm span (flat +/-2 mm) still cut a 1.0 mm sigma's tails (read 0.98 for 1.01:
        # the ramp profile's deblurring amplifies that, 0.625 mm slices read ~0.07 mm wide)
        win = tukey(len(lsf), 0.5)
        F = np.abs(np.fft.rfft(lsf * win, n=4096))
        if F[0] == 0:
            continue
        F /= F[0]
        f = np.fft.rfftfreq(4096, d=bin_px * px) * 10.0  # lp/cm
        # the ESF smoothing above (Gaussian, 2.5 bins) is ours, not the scanner's: divide
        # its transfer function out (it widened a 0.4 mm sigma to 0.44 mm)
        s_mm = 2.5 * bin_px * px
        F = F / np.exp(-2.0 * (math.pi * s_mm * f / 10.0) ** 2)
        keep = f <= 5.0 / px
        f, F = f[keep], F[keep]
        f50, f10 = crossing(f, F, 0.5), crossing(f, F, 0.1)
        w = ctx.where_circle(ctx.slice_of(m), (cx, cy), r_ins, idx)
        how = note("ttf.edge", contrast=float(contrast))
        if math.isnan(f50):
            if len(F) and float(F[-1]) >= 0.5:   # above 50 % up to Nyquist: still an edge
                ctx.cache.setdefault("ttf", {})[name] = (f / 10.0, F, abs(contrast))
            continue
        raws.append(Raw(f"ttf.{name}.f50", round(f50, 3), "lp/cm", w, how))
        if not math.isnan(f10):   # beyond the Nyquist frequency on coarse matrices
            raws.append(Raw(f"ttf.{name}.f10", round(f10, 3), "lp/cm", w, how))
        sub = slice(None, None, max(1, len(f) // 200))
        curves.append(Curve(f"ttf.{name}", tuple(f[sub]), tuple(F[sub]), "lp/cm", "",
                            f"TTF {ins['name']} ({contrast:+.0f} HU)"))
        ctx.cache.setdefault("ttf", {})[name] = (f / 10.0, F, abs(contrast))
    return raws, curves


def bar_patterns(ctx: Ctx, visible_at: float = 0.15) -> tuple[list[Raw], list[Curve]]:
    mods = [m for m in ctx.modules("resolution") if m["bar_patterns"]]
    if not mods:
        return [], []
    m = mods[0]
    idx = ctx.slab_idx(m, 2.0)
    img = ctx.vol[idx]
    sl = ctx.slice_of(m)
    cx, cy = ctx.centre(m)
    noise = ctx.cache.get("noise_sd")
    if noise is None:
        _, noise = circle_stats(img, cx, cy, 5.0 / ctx.pixel_mm)
    raws, lps, mods_rel = [], [], []
    bg = float(m["background_hu"])
    for bp in sorted(m["bar_patterns"], key=lambda b: b["lp_per_cm"]):
        c = ctx.polar_px(m, bp)
        extent = (2 * int(bp.get("n_bars", 5)) - 1) * 10.0 / (2 * float(bp["lp_per_cm"]))
        r = 0.4 * min(float(bp.get("bar_length_mm", 8.0)), extent) / ctx.pixel_mm
        v = circle_values(img, c[0], c[1], max(r, 1.5))
        var = float(np.mean(v.var(axis=-1, ddof=1))) if v.ndim == 2 else float(v.var(ddof=1))
        amp = math.sqrt(max(var - noise ** 2, 0.0))
        rel = amp / (abs(float(bp["hu"]) - bg) / 2)
        lp = float(bp["lp_per_cm"])
        lps.append(lp)
        mods_rel.append(rel)
        raws.append(Raw(f"resolution.bars.lp{int(lp) if lp == int(lp) else key_part(str(lp))}",
                        round(rel, 3), "", ctx.where_circle(sl, c, max(r, 1.5), idx),
                        note=note("bars.modulation", lp=lp, visible_at=visible_at)))
    vis = 0.0
    for lp, rel in zip(lps, mods_rel):
        if rel < visible_at:
            break
        vis = lp
    raws.append(Raw("resolution.bars_visible", vis, "lp/cm", {"slice": sl, "kind": "points"},
                    note=note("bars.visible")))
    return raws, [Curve("resolution.bar_modulation", tuple(lps), tuple(mods_rel), "lp/cm", "",
                        "bar-pattern modulation")]
