"""Streaks (photon starvation, tube spits, view drop-out): detection in every direction,
angle and peak amplitude at full resolution, and the streak lines measurement ROIs leave out.

Directional energy of the high-pass residual (2-D spectrum in 2-deg angular wedges, known
structures masked); artifact index sqrt(SD_art^2 - SD_ref^2) from the excess energy.
"""
from __future__ import annotations

import math
import warnings

import cv2
import numpy as np

from app.core.measurement import Verdict
from app.ct.analysis import phantom_spec as ps
from app.ct.analysis.context import Ctx
from app.ct.analysis.result import Artifact
from app.ct.note_codes import note


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


STREAK_MAX_DIRECTIONS = 4
STREAK_SEPARATION_DEG = 10.0   # two streak directions closer than this are one
STREAK_GROUP_DEG = 6.0         # hits on different slices within this angle: one streak
STREAK_EXCLUDE_MM = 3.0        # measurement ROIs leave out pixels this close to a streak line


def streak_scan(ctx: Ctx, indices: list[int], z_thr: float = 12.0, ratio_thr: float = 1.8,
                ) -> tuple[list[Artifact], dict[int, list]]:
    """Streak detection on the given slices: every direction whose wedge of the high-pass
    residual's spectrum stands out (up to 4 per slice); returns one artifact per direction
    and the per-slice streak lines (point, direction) in full-resolution pixels."""
    step = 4 if ctx.vol.shape[-1] >= 400 else 2
    n = ctx.vol.shape[-1] // step
    f = np.fft.fftfreq(n)
    fx, fy = np.meshgrid(f, f)
    fr = np.hypot(fx, fy)
    band = (fr > 0.08) & (fr < 0.45)
    n_w = 90
    wedge = ((np.degrees(np.arctan2(fy, fx)) % 180) / (180 / n_w)).astype(int) % n_w
    wb = wedge[band]
    sep = int(round(STREAK_SEPARATION_DEG / (180 / n_w)))
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
        left = e.copy()
        lines: list[tuple] = []
        first = 0.0
        for _ in range(STREAK_MAX_DIRECTIONS):
            k = int(np.argmax(left))
            zk = (left[k] - med) / mad
            if zk < z_thr or left[k] < ratio_thr * med:
                break
            nb = e[[(k - 2) % n_w, (k - 1) % n_w, (k + 1) % n_w, (k + 2) % n_w]]
            if lines and (e[k] < nb.max() or e[k] - med < 0.02 * first):
                # a further direction must be a peak of its own, not the leakage of a
                # strong streak's energy into the neighbouring wedges
                left[k] = -np.inf
                continue
            if not lines:
                first = e[k] - med
            near = np.abs(((np.arange(n_w) - k + n_w / 2) % n_w) - n_w / 2) <= sep
            left[near] = -np.inf
            # sub-wedge angle from the energy-weighted centre of the peak wedges
            w3 = np.arange(k - 1, k + 2)
            ev = np.clip(e[w3 % n_w] - med, 0, None)
            kk = float((w3 * ev).sum() / ev.sum()) if ev.sum() > 0 else float(k)
            line_angle = ((kk + 0.5) * 180 / n_w + 90) % 180
            excess = float(np.clip(e - med, 0, None)[np.abs(((np.arange(n_w) - k + n_w / 2) % n_w) - n_w / 2) <= 2].sum())
            ai = math.sqrt(excess / (n * n) / max(mask.sum(), 1))
            a = math.radians(line_angle)
            d = np.array([math.cos(a), math.sin(a)])
            nrm = np.array([-d[1], d[0]])
            yy, xx = np.nonzero(mask)
            sv = np.round(xx * nrm[0] + yy * nrm[1]).astype(int)
            s0 = sv.min()
            sums = np.bincount(sv - s0, hp[yy, xx])
            cnt = np.bincount(sv - s0)
            full = cnt >= 0.3 * float(np.median(cnt[cnt > 0]))   # chords, not the rim
            prof = np.where(full, sums / np.maximum(cnt, 1), 0.0)
            amp_i = int(np.argmax(np.abs(prof)))
            amp = float(prof[amp_i])
            for b in np.nonzero(np.abs(prof) >= 0.5 * abs(amp))[0]:
                off = (b + s0) * step
                lines.append((tuple(nrm * off + step / 2), tuple(d)))
            hits.append((int(i), line_angle, ai, amp, zk, (amp_i + s0) * step))
        if lines:
            per_slice[int(i)] = lines
    return _group_streaks(ctx, hits), per_slice


def _refine(ctx: Ctx, i: int, angle_deg: float, offset_px: float) -> tuple[float, float]:
    """(angle, offset) of the streak line that maximise its across-line peak on slice i at
    full resolution (the coarse spectrum gives the angle to ~1 deg; over a 200 mm line
    1 deg smears the peak over 3 mm)."""
    amp0, offset_px = _profile_peak(ctx, [i], angle_deg, offset_px, sub=2, reach_mm=100.0)
    best = (abs(amp0), angle_deg, offset_px)
    for span, stepd in ((2.0, 0.25), (0.25, 0.05)):
        for a in np.arange(best[1] - span, best[1] + span + 1e-9, stepd) if best[0] >= 0 else \
                np.arange(angle_deg - span, angle_deg + span + 1e-9, stepd):
            amp, off = _profile_peak(ctx, [i], float(a), best[2], sub=2)
            if abs(amp) > best[0]:
                best = (abs(amp), float(a), off)
    return best[1], best[2]


def _peak_amplitude(ctx: Ctx, slices: list[int], angle_deg: float, offset_px: float) -> float:
    angle_deg, offset_px = _refine(ctx, slices[0], angle_deg, offset_px)
    # the amplitude on a wide background (15 mm): a narrow one takes a share of the
    # streak itself; the profile's own median across +/-8 mm is the local level
    return _profile_peak(ctx, slices, angle_deg, offset_px, bg_sigma_mm=15.0)[0]


def _profile_peak(ctx: Ctx, slices: list[int], angle_deg: float, offset_px: float,
                  sub: int = 1, reach_mm: float = 4.0, bg_sigma_mm: float = 4.0) -> tuple[float, float]:
    """Streak amplitude at its peak, at full resolution: the mean across-line profile of
    the high-pass residual (structures masked) over the best slices, its extreme within
    4 mm of the line found on the coarse grid."""
    px = ctx.pixel_mm
    a = math.radians(angle_deg)
    nrm = np.array([-math.sin(a), math.cos(a)])
    profs = []
    for i in slices:
        z = float(ctx.pos[i]) - ctx.pl.origin_z_mm
        m = next((mm for mm in ctx.defn["modules"] if abs(z - mm["z_mm"]) <= mm["length_mm"] / 2), None)
        key = ("streak_mask_full", m["id"] if m else None)
        if key not in ctx.cache:
            ctx.cache[key] = _structure_mask(ctx, m, ctx.vol.shape[1:], 1)
        mask = ctx.cache[key]
        key_hp = ("streak_hp", i, bg_sigma_mm)
        if key_hp not in ctx.cache:
            img = np.ascontiguousarray(ctx.vol[i], dtype=np.float32)
            mf = mask.astype(np.float32)
            # background by normalised convolution inside the mask: the shell, the air and
            # the masked structures do not bleed into the residual near their edges
            num = cv2.GaussianBlur(img * mf, (0, 0), bg_sigma_mm / px)
            den = cv2.GaussianBlur(mf, (0, 0), bg_sigma_mm / px)
            hp = img - num / np.maximum(den, 1e-3)
            yy, xx = np.nonzero(mask)
            ctx.cache[key_hp] = (yy, xx, hp[yy, xx])
        yy, xx, hv = ctx.cache[key_hp]
        if sub > 1:
            yy, xx, hv = yy[::sub], xx[::sub], hv[::sub]
        sv = (xx * nrm[0] + yy * nrm[1] - offset_px) * 2.0          # 0.5 px bins
        span = (reach_mm + 4.0) / px
        near = np.abs(sv) <= 2 * span
        b = np.round(sv[near]).astype(int) + int(round(2 * span))
        sums = np.bincount(b, hv[near], minlength=int(4 * span) + 1)
        cnt = np.bincount(b, minlength=len(sums))
        profs.append(np.where(cnt > 10, sums / np.maximum(cnt, 1), np.nan))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # bins no chord reaches
        prof = np.nanmean(np.array(profs), axis=0)
    centre = len(prof) // 2
    reach = int(2 * reach_mm / px)
    core = prof[max(0, centre - reach):centre + reach + 1]
    base = float(np.nanmedian(prof))
    if not np.isfinite(core).any():
        return 0.0, offset_px
    k = int(np.nanargmax(np.abs(core - base)))
    off = offset_px + (max(0, centre - reach) + k - centre) / 2.0
    return float(core[k] - base), off


def _group_streaks(ctx: Ctx, hits: list) -> list[Artifact]:
    """One artifact per direction: hits clustered by angle (mod 180) over all slices."""
    out: list[Artifact] = []
    if not hits:
        return out
    order = sorted(hits, key=lambda h: h[1])
    clusters: list[list] = [[order[0]]]
    for h in order[1:]:
        if h[1] - clusters[-1][-1][1] > STREAK_GROUP_DEG:
            clusters.append([h])
        else:
            clusters[-1].append(h)
    if len(clusters) > 1 and (clusters[0][0][1] + 180 - clusters[-1][-1][1]) <= STREAK_GROUP_DEG:
        clusters[0] = clusters.pop() + clusters[0]     # wrap-around at 0 / 180 deg
    for group in clusters:
        group.sort()
        ai = max(g[2] for g in group)
        best = max(group, key=lambda g: g[4])
        angles = np.radians([2 * g[1] for g in group])
        angle = (math.degrees(math.atan2(np.mean(np.sin(angles)), np.mean(np.cos(angles)))) / 2) % 180
        top = [g for g in sorted(group, key=lambda g: -g[4])[:3]]
        try:
            amp = _peak_amplitude(ctx, [g[0] for g in top], angle, float(np.median([g[5] for g in top])))
        except (ValueError, IndexError):
            amp = best[3]
        slices = sorted({g[0] for g in group})
        out.append(Artifact("streak", round(abs(amp), 2), {
            "angle_deg": round(angle, 1), "artifact_index": round(ai, 2), "peak_hu": round(amp, 2),
            "slice_range": [slices[0], slices[-1]], "n_slices": len(slices),
            "z_mm": [round(float(ctx.pos[slices[0]]), 2), round(float(ctx.pos[slices[-1]]), 2)]},
            Verdict.FAIL, score=round(best[4], 1),
            note=note("artifact.streak")))
    return out


def streak_exclusion(ctx: Ctx, idx: int | list[int] | np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """Pixels within STREAK_EXCLUDE_MM of a streak line on any of slices ``idx`` (None:
    no streak there): measurement ROIs leave them out (one cause, one finding)."""
    per = ctx.cache.get("streak_lines") or {}
    lines = [ln for i in np.atleast_1d(idx) for ln in per.get(int(i), [])]
    if not lines:
        return None
    key = ("streak_excl", tuple(sorted({int(i) for i in np.atleast_1d(idx) if per.get(int(i))})))
    if key in ctx.cache:
        return ctx.cache[key]
    out = np.zeros(shape, np.uint8)
    big = 4 * max(shape)
    uniq = {(tuple(np.round(p, 1)), tuple(np.round(d, 3))) for p, d in lines}
    # per direction, the lines span the streak's half-maximum band; its Gaussian-like
    # tails reach about as far again beyond: the margin grows with the band's width
    band: dict = {}
    for p, d in uniq:
        s_off = -p[0] * d[1] + p[1] * d[0]
        lo, hi = band.get(d, (s_off, s_off))
        band[d] = (min(lo, s_off), max(hi, s_off))
    for p, d in uniq:
        width_mm = (band[d][1] - band[d][0]) * ctx.pixel_mm
        extra = min(0.5 * width_mm, STREAK_EXCLUDE_MM)
        w = max(1, int(round(2 * (STREAK_EXCLUDE_MM + extra) / ctx.pixel_mm)))
        p0 = (int(round(p[0] - big * d[0])), int(round(p[1] - big * d[1])))
        p1 = (int(round(p[0] + big * d[0])), int(round(p[1] + big * d[1])))
        cv2.line(out, p0, p1, 1, w)
    ctx.cache[key] = out.astype(bool)
    return ctx.cache[key]
