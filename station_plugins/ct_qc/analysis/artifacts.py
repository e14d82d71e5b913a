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

import cv2
import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

from station_plugins.ct_qc.analysis import phantom_spec as ps
from station_plugins.ct_qc.analysis.context import Ctx
from station_plugins.ct_qc.analysis.result import Artifact, Curve
from station_plugins.ct_qc.analysis.rings import (  # noqa: F401 - re-exported
    DetectorGeometry, geometry_from_header, ring_scan)
from app.core.measurement import Verdict


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
    centre = float(np.nanmedian(p[r <= 0.1 * R]))
    edge = float(np.nanmedian(p[np.abs(r - edge_r) <= 3.0]))
    d = edge - centre
    if abs(d) < thr_hu:
        return []
    idx = ctx.slab_idx(m, 50.0)
    return [Artifact("cupping" if d > 0 else "capping", round(abs(d), 2),
                     {"edge_minus_centre_hu": round(d, 2), "edge_radius_mm": round(edge_r, 1),
                      "slice_range": [int(idx[0]), int(idx[-1])]},
                     Verdict.FAIL, note="radial profile of the uniform module")]


def _structure_mask(ctx: Ctx, m: dict | None, shape: tuple[int, int], step: int) -> np.ndarray:
    """Inside-phantom mask at the down-sampled grid, known structures cut out."""
    h, w = shape
    px = ctx.pixel_mm * step
    z = ctx.z_of(m) if m is not None else ctx.pl.origin_z_mm
    cx, cy = ctx.centre(z_mm=z)
    cx, cy = cx / step, cy / step
    R = float(ctx.defn["diameter_mm"]) / 2 - float(ctx.defn.get("shell_thickness_mm", 3.0)) - 4.0
    mask = np.zeros(shape, np.uint8)
    cv2.circle(mask, (int(round(cx)), int(round(cy))), int(R / px), 1, -1)
    if m is None:
        return mask.astype(bool)
    roll = ctx.pl.roll_deg
    holes = [(i, i["diameter_mm"] / 2 + 3) for i in m["inserts"] + m["discs"]]
    holes += [(b, max(b.get("bar_length_mm", 8.0), 8.0)) for b in m["bar_patterns"]]
    for item, rr in holes:
        x, y = ps.insert_xy(item, roll)
        cv2.circle(mask, (int(round(cx + x / px)), int(round(cy + y / px))), int(math.ceil(rr / px)), 0, -1)
    for item in m["nodes"] + m["beads"] + m["wires"]:
        x, y = ps.rotate_xy(item["x_mm"], item["y_mm"], roll)
        cv2.circle(mask, (int(round(cx + x / px)), int(round(cy + y / px))), int(math.ceil(5 / px)), 0, -1)
    for rp in m["ramps"]:
        x, y = ps.insert_xy(rp, roll)
        L = float(rp.get("length_mm", 50.0)) / 2 + 3
        a = math.radians(roll + (0 if rp["orientation"] in ("x", "horizontal") else 90))
        p0 = (cx + (x - L * math.cos(a)) / px, cy + (y - L * math.sin(a)) / px)
        p1 = (cx + (x + L * math.cos(a)) / px, cy + (y + L * math.sin(a)) / px)
        cv2.line(mask, tuple(int(round(v)) for v in p0), tuple(int(round(v)) for v in p1), 0,
                 int(math.ceil(14.0 / px)))
    return mask.astype(bool)


def streak_scan(ctx: Ctx, indices: list[int], z_thr: float = 12.0, ratio_thr: float = 1.8,
                ) -> tuple[list[Artifact], dict[int, list]]:
    """Streak detection on the given slices; returns artifacts and per-slice streak lines."""
    step = 4 if ctx.vol.shape[-1] >= 400 else 2
    n = ctx.vol.shape[-1] // step
    f = np.fft.fftfreq(n)
    fx, fy = np.meshgrid(f, f)
    fr = np.hypot(fx, fy)
    band = (fr > 0.08) & (fr < 0.45)
    n_w = 90
    wedge = ((np.degrees(np.arctan2(fy, fx)) % 180) / (180 / n_w)).astype(int) % n_w
    wb = wedge[band]
    per_slice: dict[int, list] = {}
    hits = []
    masks: dict = {}
    for i in indices:
        z = float(ctx.pos[i]) - ctx.pl.origin_z_mm
        m = next((mm for mm in ctx.defn["modules"] if abs(z - mm["z_mm"]) <= mm["length_mm"] / 2), None)
        img = cv2.resize(ctx.vol[i], (n, n), interpolation=cv2.INTER_AREA)
        key = (m["id"] if m else None)
        if key not in masks:
            masks[key] = _structure_mask(ctx, m, img.shape, step)
        mask = masks[key]
        hp = np.clip(img - cv2.GaussianBlur(img, (0, 0), 2.0), -300, 300) * mask
        E = np.abs(np.fft.fft2(hp)) ** 2
        e = np.bincount(wb, E[band], minlength=n_w)
        med = float(np.median(e))
        mad = 1.4826 * float(np.median(np.abs(e - med))) + 1e-9
        k = int(np.argmax(e))
        zk = (e[k] - med) / mad
        if zk < z_thr or e[k] < ratio_thr * med:
            continue
        spec_angle = (k + 0.5) * 180 / n_w
        line_angle = (spec_angle + 90) % 180
        excess = float(np.clip(e - med * 1.0, 0, None)[np.abs(((np.arange(n_w) - k + n_w / 2) % n_w) - n_w / 2) <= 2].sum())
        ai = math.sqrt(excess / (n * n) / max(mask.sum(), 1))
        a = math.radians(line_angle)
        d = np.array([math.cos(a), math.sin(a)])
        nrm = np.array([-d[1], d[0]])
        yy, xx = np.nonzero(mask)
        s = np.round(xx * nrm[0] + yy * nrm[1]).astype(int)
        s0 = s.min()
        sums = np.bincount(s - s0, hp[yy, xx])
        cnt = np.bincount(s - s0)
        prof = np.where(cnt > 5, sums / np.maximum(cnt, 1), 0.0)
        amp_i = int(np.argmax(np.abs(prof)))
        amp = float(prof[amp_i])
        lines = []
        for b in np.nonzero(np.abs(prof) >= 0.5 * abs(amp))[0]:
            off = (b + s0) * step
            lines.append((tuple(nrm * off + step / 2), tuple(d)))
        per_slice[int(i)] = lines
        hits.append((int(i), line_angle, ai, amp, zk))
    return _group_streaks(ctx, hits), per_slice


def _group_streaks(ctx: Ctx, hits: list) -> list[Artifact]:
    out, group = [], []

    def flush() -> None:
        if not group:
            return
        ai = max(g[2] for g in group)
        best = max(group, key=lambda g: g[2])
        out.append(Artifact("streak", round(abs(best[3]), 2), {
            "angle_deg": round(best[1], 1), "artifact_index": round(ai, 2),
            "slice_range": [group[0][0], group[-1][0]],
            "z_mm": [round(float(ctx.pos[group[0][0]]), 2), round(float(ctx.pos[group[-1][0]]), 2)]},
            Verdict.FAIL, score=round(best[4], 1),
            note="directional energy of the high-pass residual; angle of the streak lines"))
        group.clear()

    for h in sorted(hits):
        if group and (abs(((h[1] - group[-1][1]) + 90) % 180 - 90) > 6):
            flush()
        group.append(h)
    flush()
    return out


def bands(ctx: Ctx, thr_hu: float = 3.0) -> tuple[list[Artifact], list[Curve]]:
    inside = np.nonzero(ctx.cache["inside"])[0]
    if len(inside) < 9:
        return [], []
    r = int(15.0 / ctx.pixel_mm)
    meds = np.empty(len(inside))
    for k, i in enumerate(inside):
        cx, cy = ctx.centre(z_mm=float(ctx.pos[i]))
        x0, y0 = int(round(cx)), int(round(cy))
        meds[k] = np.median(ctx.vol[i, y0 - r:y0 + r:2, x0 - r:x0 + r:2])
    base = median_filter(meds, size=min(21, 2 * (len(meds) // 2) + 1), mode="nearest")
    resid = meds - base
    sigma = max(1.4826 * float(np.median(np.abs(resid - np.median(resid)))), 0.3)
    hit = np.abs(resid) > max(6 * sigma, thr_hu)
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
    runs = [(a, b) for a, b in runs
            if not _is_step(meds, a, b) and not _is_module(ctx, ctx.pos[inside[a]], ctx.pos[inside[b]])]
    for a, b in runs:
        k = a + int(np.argmax(np.abs(resid[a:b + 1])))
        out.append(Artifact("band", round(float(resid[k]), 2), {
            "slice_range": [int(inside[a]), int(inside[b])],
            "z_mm": [round(float(ctx.pos[inside[a]]), 2), round(float(ctx.pos[inside[b]]), 2)],
            **({"period_slices": period} if period else {})},
            Verdict.FAIL, score=round(float(abs(resid[k]) / sigma), 1),
            note="central median HU per slice minus running median along z"))
    curve = Curve("artifact.z_profile", tuple(ctx.pos[inside]), tuple(meds), "mm", "HU",
                  "central median HU along z")
    return out, [curve]


def _is_module(ctx: Ctx, z_a: float, z_b: float) -> bool:
    """The run covers (most of) one module of the phantom, starting and ending near its
    boundaries: the module's own body material, not a band."""
    lo, hi = sorted((float(z_a), float(z_b)))
    slack = ctx.thk_mm / 2 + MODULE_EDGE_SLACK_MM
    for m in ctx.defn["modules"]:
        m_lo = ctx.pl.origin_z_mm + float(m["z_mm"]) - float(m["length_mm"]) / 2
        m_hi = m_lo + float(m["length_mm"])
        if (hi - lo + ctx.thk_mm >= 0.6 * float(m["length_mm"]) and abs(lo - m_lo) <= slack + ctx.thk_mm
                and abs(hi - m_hi) <= slack + ctx.thk_mm):
            return True
    return False


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


def ct_shift(ctx: Ctx, thr_hu: float = 4.0) -> list[Artifact]:
    ins = ctx.cache.get("inserts", [])
    devs = [mean - float(i["nominal_hu"]) for _, i, _, mean, _ in ins
            if abs(float(i["nominal_hu"])) < 600]
    if "uniform_centre_hu" in ctx.cache and _uniform(ctx) is not None:
        devs.append(ctx.cache["uniform_centre_hu"] - float(_uniform(ctx)["background_hu"]))
    if len(devs) < 3:
        return []
    shift = float(np.median(devs))
    if abs(shift) < thr_hu:
        return []
    return [Artifact("ct_shift", round(shift, 2), {"n_rois": len(devs), "median_deviation_hu": round(shift, 2)},
                     Verdict.FAIL, note="median deviation of the water-like and soft-tissue inserts")]
