"""Explainable, physics-based artifact detectors.

ring / arc  - polar transform about the RECONSTRUCTION (rotation) centre of the uniform
              module, radial mean profile minus a smooth (median) baseline, z-score per
              radius from the angular spread; radius -> fan angle -> detector channel
              (r = R_iso sin(gamma)).
streak      - directional energy of the high-pass residual (2-D spectrum in angular
              wedges); artifact index sqrt(SD_art^2 - SD_ref^2) from the excess energy.
band        - median HU per slice in a central disc along z minus a running median.
cupping / capping - radial profile of the uniform module: edge minus centre.
ct_shift    - median deviation of all CT-number inserts from nominal.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

from station_plugins.ct_qc.analysis import phantom_spec as ps
from station_plugins.ct_qc.analysis.context import Ctx
from station_plugins.ct_qc.analysis.result import Artifact, Curve
from station_plugins.ct_qc.analysis.roi import polar
from app.core.measurement import Verdict


@dataclass(frozen=True)
class DetectorGeometry:
    """Fan-beam geometry mapping a ring radius to a detector channel (configurable)."""

    source_iso_mm: float = 541.0
    channel_pitch_deg: float = 0.0676
    central_channel: float = 367.25

    def channels(self, radius_mm: float) -> tuple[float, float]:
        g = math.degrees(math.asin(min(1.0, radius_mm / self.source_iso_mm)))
        return (self.central_channel + g / self.channel_pitch_deg,
                self.central_channel - g / self.channel_pitch_deg)


def _uniform(ctx: Ctx) -> dict | None:
    mods = ctx.modules("uniformity")
    return mods[0] if mods else None


def rings(ctx: Ctx, geom: DetectorGeometry, z_thr: float = 6.0, min_amp: float = 2.0,
          streaked: bool = False) -> tuple[list[Artifact], list[Curve]]:
    """Rings over the full circle; arcs in 45-degree sectors (r >= 15 mm, not in streaked
    slices: streaks put directional energy into every sector)."""
    m = _uniform(ctx)
    if m is None:
        return [], []
    idx = ctx.slab_idx(m, 50.0)
    img = ctx.mean_image(idx)
    px = ctx.pixel_mm
    rx, ry = ctx.recon_centre_px
    pcx, pcy = ctx.centre(m)
    r_in = (float(ctx.defn["diameter_mm"]) / 2 - float(ctx.defn.get("shell_thickness_mm", 3.0)) - 1.5) / px
    r_max = r_in + math.hypot(pcx - rx, pcy - ry)
    n_r, n_t = int(r_max * 2), 720
    pol = polar(img, rx, ry, r_max, n_r, n_t)
    rad = (np.arange(n_r) + 0.5) * r_max / n_r
    t = np.arange(n_t) * 2 * math.pi / n_t
    dx = rx + np.cos(t)[:, None] * rad[None, :] - pcx
    dy = ry + np.sin(t)[:, None] * rad[None, :] - pcy
    pol[(dx * dx + dy * dy) > r_in * r_in] = np.nan
    n_sec = 8
    sec_len = n_t // n_sec
    # profiles: the full circle (rings) and 8 sectors of 45 deg (arcs)
    groups = [pol] + ([] if streaked else [pol[k * sec_len:(k + 1) * sec_len] for k in range(n_sec)])
    hits: list[tuple[float, int, float, int]] = []   # (|z|, radius bin, amplitude, group)
    resid_full = None
    win = max(5, int(6.0 / px * 2))
    for g, block in enumerate(groups):
        valid = np.isfinite(block)
        nvalid = valid.sum(axis=0)
        usable = (nvalid >= 0.6 * block.shape[0] if g else nvalid >= 0.15 * n_t) & (rad * px >= 2.0)
        if usable.sum() < 20:
            continue
        ur = np.nonzero(usable)[0]
        bu = block[:, ur]
        p_u = np.nanmean(bu, axis=0)
        base = uniform_filter1d(median_filter(p_u, size=win, mode="nearest"), 5)
        resid = p_u - base
        sd = np.nanstd(bu - p_u[None, :], axis=0)
        circ = 2 * math.pi * rad[ur] * nvalid[ur] / n_t / 1.5
        se = np.maximum(sd / np.sqrt(np.clip(np.minimum(nvalid[ur], circ), 1, None)), 0.1)
        z = resid / se
        if g == 0:
            resid_full = (rad[ur] * px, resid)
        if g:
            hit = (np.abs(z) > z_thr + 1.0) & (np.abs(resid) > min_amp + 1.0) & (rad[ur] * px >= 15.0)
        else:
            hit = (np.abs(z) > z_thr) & (np.abs(resid) > min_amp)
        for k in np.nonzero(hit)[0]:
            hits.append((float(abs(z[k])), int(ur[k]), float(resid[k]), g))
    out: list[Artifact] = []
    taken: list[float] = []
    for zk, k, amp, g in sorted(hits, reverse=True):
        r_mm = float(rad[k] * px)
        if any(abs(r_mm - t) <= 3.0 for t in taken):
            continue   # the same ring (its FBP side lobes) or already reported
        taken.append(r_mm)
        out.append(_describe_ring(pol, rad, k, amp, zk, px, geom, (rx, ry), idx, win))
    curves = [Curve("artifact.ring_profile", tuple(resid_full[0]), tuple(resid_full[1]), "mm", "HU",
                    "radial profile about the rotation centre minus baseline")] if resid_full else []
    return out, curves


def _describe_ring(pol: np.ndarray, rad: np.ndarray, k: int, amp: float, zk: float, px: float,
                   geom: DetectorGeometry, centre: tuple[float, float], idx: np.ndarray,
                   win: int) -> Artifact:
    """Amplitude, width and angular coverage of a ring found at radius bin k."""
    n_t = pol.shape[0]
    lo_b, hi_b = max(0, k - 3 * win), min(pol.shape[1], k + 3 * win)
    local = pol[:, lo_b:hi_b]
    base = np.nanmedian(local, axis=1, keepdims=True)
    ang = local[:, k - lo_b] - base[:, 0]
    ang_s = np.convolve(np.nan_to_num(np.r_[ang[-7:], ang, ang[:7]]), np.ones(15) / 15, "same")[7:-7]
    fin = np.isfinite(ang)
    covered = fin & (np.sign(amp) * ang_s > abs(amp) / 3)
    coverage = 360.0 * covered.sum() / max(fin.sum(), 1)
    if coverage < 300:   # arc: amplitude over the covered part
        amp = float(np.nanmedian(ang[covered])) if covered.any() else amp
    prof = np.nanmedian(local[covered] if covered.any() else local, axis=0) - \
        np.nanmedian(local[covered] if covered.any() else local)
    kk = k - lo_b
    half = np.sign(amp) * prof >= abs(prof[kk]) / 2
    lo, hi = kk, kk
    while lo > 0 and half[lo - 1]:
        lo -= 1
    while hi < len(prof) - 1 and half[hi + 1]:
        hi += 1
    r_mm = float(rad[k] * px)
    ch, ch_m = geom.channels(r_mm)
    start = float(np.argmax(covered) * 360.0 / n_t) if 0 < covered.sum() < n_t else 0.0
    return Artifact("ring" if coverage >= 300 else "arc", round(amp, 2), {
        "radius_mm": round(r_mm, 2), "width_mm": round(float((hi - lo + 1) * (rad[1] - rad[0]) * px), 2),
        "angular_coverage_deg": round(float(coverage), 1),
        **({"start_angle_deg": round(start, 1)} if coverage < 300 else {}),
        "detector_channel": round(ch, 1), "detector_channel_mirror": round(ch_m, 1),
        "centre_px": [round(centre[0], 2), round(centre[1], 2)],
        "slice_range": [int(idx[0]), int(idx[-1])]},
        Verdict.FAIL, score=round(zk, 1), note="polar analysis about the reconstruction centre, uniform module")


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
