"""Rings and arcs: polar analysis about the RECONSTRUCTION (rotation) centre, every module.

A bad detector channel makes an error constant over the views at one ray distance from
the rotation centre: a ring (an arc when it fails for part of the rotation) centred on the
rotation centre, not on the phantom. Per module the phantom's own structures (inserts,
discs, nodes, beads, wires, bar patterns, wire ramps) are masked out (full resolution,
3 mm margin), so what is left is the module's uniform background up to 1.5 mm inside the
shell; its polar transform about the rotation centre gives a radial mean profile; minus a
median baseline (window 12 mm) it is z-scored by the angular spread (sd / sqrt(n_eff)).

Searched: each module's slab mean (rings over 360 deg, arcs in 45-deg sectors unless a
streak crosses the slab) and ~2 mm chunks of the slab (rings only, threshold + 1: a ring
from one detector row shows in few slices). Detections at the same radius (+/- 3 mm,
which also absorbs FBP side lobes) are one artifact with the union of their slices.
Radius -> fan angle -> detector channel: r = R_iso sin(gamma), channel = centre +/-
gamma / pitch, with R_iso and the pitch from the DICOM header when it carries them.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import cv2
import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

from app.core.measurement import Verdict
from station_plugins.ct_qc.analysis import phantom_spec as ps
from station_plugins.ct_qc.analysis.context import Ctx
from station_plugins.ct_qc.analysis.result import Artifact, Curve

N_THETA = 720
N_SECTORS = 8
CHUNK_MM = 2.0
MERGE_MM = 3.0
MIN_COVERAGE_DEG = 15.0   # a radial excess without angular extent is not a ring / arc


@dataclass(frozen=True)
class DetectorGeometry:
    """Fan-beam geometry mapping a ring radius to a detector channel."""

    source_iso_mm: float = 541.0
    channel_pitch_deg: float = 0.0676
    central_channel: float = 367.25
    source: str = "configured"     # where the numbers came from (reported with each ring)

    def channels(self, radius_mm: float) -> tuple[float, float]:
        g = self.fan_angle_deg(radius_mm)
        return (self.central_channel + g / self.channel_pitch_deg,
                self.central_channel - g / self.channel_pitch_deg)

    def fan_angle_deg(self, radius_mm: float) -> float:
        return math.degrees(math.asin(min(1.0, radius_mm / self.source_iso_mm)))

    def to_dict(self) -> dict:
        return {"source_iso_mm": round(self.source_iso_mm, 3),
                "channel_pitch_deg": round(self.channel_pitch_deg, 6),
                "central_channel": self.central_channel, "source": self.source}


SETTING_KEYS = {"detector_source_iso_mm": "source_iso_mm", "detector_channel_pitch_deg": "channel_pitch_deg",
                "detector_central_channel": "central_channel"}


def geometry_from_settings(settings: dict | None) -> DetectorGeometry | None:
    """The scanner model's geometry from the station table ``[stations.ct_qc]``
    (``detector_source_iso_mm``, ``detector_channel_pitch_deg``,
    ``detector_central_channel``); None when none is configured."""
    vals = {attr: float(settings[key]) for key, attr in SETTING_KEYS.items()
            if settings and settings.get(key) is not None}
    if not vals:
        return None
    return DetectorGeometry(**vals, source="configured ([stations.ct_qc] settings)")


def geometry_from_header(header: dict, default: DetectorGeometry) -> DetectorGeometry:
    """R_iso = DistanceSourceToPatient; channel pitch = DetectorElementSpacing (channel
    direction, at the detector) / DistanceSourceToDetector; the central channel has no
    DICOM attribute and stays configured. Falls back to ``default`` field by field."""
    sid = header.get("distance_source_to_patient_mm")
    sdd = header.get("distance_source_to_detector_mm")
    spacing = header.get("detector_element_spacing_mm")
    used, r_iso, pitch = [], default.source_iso_mm, default.channel_pitch_deg
    if sid and 0 < sid < 5000:
        r_iso = float(sid)
        used.append("DistanceSourceToPatient")
    if spacing and sdd and spacing > 0 and sdd > (sid or 0):
        pitch = math.degrees(float(spacing) / float(sdd))
        used += ["DetectorElementSpacing", "DistanceSourceToDetector"]
    if not used:
        return replace(default, source="configured (no detector geometry in the DICOM header)")
    kept = ["central channel"] + ([] if "DetectorElementSpacing" in used else ["channel pitch"])
    return DetectorGeometry(r_iso, pitch, default.central_channel,
                            f"DICOM {', '.join(used)}; configured {', '.join(kept)}")


@dataclass
class _PolarGrid:
    mx: np.ndarray
    my: np.ndarray
    valid: np.ndarray      # (n_theta, n_r) background pixels of this module
    rad: np.ndarray        # radius of each bin, px


def ring_mask(ctx: Ctx, m: dict, shape: tuple[int, int], z_rel: float | None = None,
              thk_mm: float = 0.0) -> np.ndarray:
    """Full-resolution mask of the module's uniform background (structures cut out);
    ``z_rel``: slices at this z relative to the module centre only (wire ramps)."""
    px = ctx.pixel_mm
    cx, cy = ctx.centre(m)
    roll = ctx.pl.roll_deg
    r_in = (float(ctx.defn["diameter_mm"]) / 2 - float(ctx.defn.get("shell_thickness_mm", 3.0)) - 1.5) / px
    mask = np.zeros(shape, np.uint8)
    sub = 4  # cv2 fixed-point shift: sub-pixel centres
    k = 1 << sub

    def pt(x_mm: float, y_mm: float) -> tuple[int, int]:
        return int(round((cx + x_mm / px) * k)), int(round((cy + y_mm / px) * k))

    cv2.circle(mask, pt(0, 0), int(r_in * k), 1, -1, cv2.LINE_8, sub)
    for item in m.get("inserts", []) + m.get("discs", []):
        cv2.circle(mask, pt(*ps.insert_xy(item, roll)), int((item["diameter_mm"] / 2 + 3) / px * k), 0, -1,
                   cv2.LINE_8, sub)
    for item in m.get("nodes", []) + m.get("beads", []) + m.get("wires", []):
        r = max(float(item.get("diameter_mm", 1.0)) / 2 + 3, 5.0)
        cv2.circle(mask, pt(*ps.rotate_xy(item["x_mm"], item["y_mm"], roll)), int(r / px * k), 0, -1,
                   cv2.LINE_8, sub)
    for bp in m.get("bar_patterns", []):   # bars: radial length x tangential extent
        a = math.radians(float(bp["angle_deg"]) + roll)
        half_r = float(bp.get("bar_length_mm", 10.0)) / 2 + 3
        half_t = float(bp.get("n_bars", 5)) * 10.0 / (2.0 * float(bp["lp_per_cm"])) + 3
        x0, y0 = ps.insert_xy(bp, roll)
        u, v = (math.cos(a), math.sin(a)), (-math.sin(a), math.cos(a))
        corners = [pt(x0 + su * half_r * u[0] + sv * half_t * v[0], y0 + su * half_r * u[1] + sv * half_t * v[1])
                   for su, sv in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
        cv2.fillConvexPoly(mask, np.array(corners, np.int32), 0, cv2.LINE_8, sub)
    for rp in m.get("ramps", []):
        # the whole wire for a slab; for a chunk at z_rel only the part its slices can see
        # (the slice profile's reach along the wire, localisation slack, blur)
        x, y = ps.insert_xy(rp, roll)
        a = math.radians(roll + (0 if rp["orientation"] in ("x", "horizontal") else 90))
        half_len = float(rp.get("length_mm", 50.0)) / 2
        lo, hi = -half_len - 3, half_len + 3
        if z_rel is not None:
            tan_t = math.tan(math.radians(float(rp["ramp_angle_deg"])))
            s_c = z_rel / (tan_t * float(rp.get("direction", 1) or 1))
            reach = (thk_mm + 3.0) / tan_t + 3.0
            lo, hi = max(lo, s_c - reach), min(hi, s_c + reach)
            if lo >= hi:
                continue
        p0 = pt(x + lo * math.cos(a), y + lo * math.sin(a))
        p1 = pt(x + hi * math.cos(a), y + hi * math.sin(a))
        cv2.line(mask, p0, p1, 0, max(1, int(math.ceil(6.0 / px))), cv2.LINE_8, sub)
    return mask.astype(bool)


def _grid(ctx: Ctx, m: dict, idx: np.ndarray | None = None, coarse: bool | None = None) -> _PolarGrid:
    """Polar sampling about the rotation centre and the module's valid background. Slab
    means: 0.5 deg x 0.5 px; chunks ``idx`` (rings only): 1 deg x 1 px, with the part of
    the wire ramps the chunk's slices can see."""
    z_rel = None
    if idx is not None and m.get("ramps"):
        z_rel = round(float(np.mean(ctx.pos[idx])) - ctx.z_of(m), 3)
    coarse = idx is not None if coarse is None else coarse
    key = ("ring_grid", m["id"], coarse, z_rel)
    if key in ctx.cache:
        return ctx.cache[key]
    base = ctx.cache.get(("ring_grid", m["id"], coarse, None))
    if base is None:
        px = ctx.pixel_mm
        rx, ry = ctx.recon_centre_px
        pcx, pcy = ctx.centre(m)
        r_in = (float(ctx.defn["diameter_mm"]) / 2 - float(ctx.defn.get("shell_thickness_mm", 3.0)) - 1.5) / px
        r_max = r_in + math.hypot(pcx - rx, pcy - ry)
        n_r, n_t = (int(r_max), N_THETA // 2) if coarse else (int(r_max * 2), N_THETA)
        rad = (np.arange(n_r) + 0.5) * r_max / n_r
        t = np.arange(n_t) * 2 * math.pi / n_t
        mx = (rx + np.cos(t)[:, None] * rad[None, :]).astype(np.float32)
        my = (ry + np.sin(t)[:, None] * rad[None, :]).astype(np.float32)
        base = _PolarGrid(mx, my, _valid(ctx, m, mx, my, None), rad)
        ctx.cache[("ring_grid", m["id"], coarse, None)] = base
    grid = base if z_rel is None else _PolarGrid(base.mx, base.my, _valid(ctx, m, base.mx, base.my, z_rel),
                                                 base.rad)
    ctx.cache[key] = grid
    return grid


def _valid(ctx: Ctx, m: dict, mx: np.ndarray, my: np.ndarray, z_rel: float | None) -> np.ndarray:
    mask = ring_mask(ctx, m, ctx.vol.shape[1:], z_rel, ctx.thk_mm).astype(np.float32)
    pm = cv2.remap(mask, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    return pm > 0.999


def _hits(pol: np.ndarray, valid: np.ndarray, rad: np.ndarray, px: float, sectors: bool,
          z_thr: float, min_amp: float) -> tuple[list[tuple[float, int, float]], tuple | None]:
    """(|z|, radius bin, amplitude) of the full circle and (if asked) the 45-deg sectors."""
    n_t = pol.shape[0]
    win = max(5, int(6.0 / (px * (rad[1] - rad[0]))))   # 6 mm of radius bins
    sec = n_t // N_SECTORS
    blocks = [(slice(0, n_t), False)]
    if sectors:
        blocks += [(slice(k * sec, (k + 1) * sec), True) for k in range(N_SECTORS)]
    out, full = [], None
    for rows, is_arc in blocks:
        v = valid[rows]
        b = np.where(v, pol[rows], 0.0)
        n = v.sum(axis=0)
        usable = (n >= (0.6 * v.shape[0] if is_arc else 0.15 * n_t)) & (rad * px >= 2.0)
        if usable.sum() < 20:
            continue
        ur = np.nonzero(usable)[0]
        nu = n[ur].astype(np.float64)
        mean = b[:, ur].sum(axis=0) / nu
        var = np.clip((b[:, ur] ** 2).sum(axis=0) / nu - mean ** 2, 0.0, None)
        # baseline on the full radius grid (masked radii bridged linearly): a filter over
        # the usable bins alone would join radii far apart across a masked gap
        span = np.arange(ur[0], ur[-1] + 1)
        filled = np.interp(span, ur, mean)
        base = uniform_filter1d(median_filter(filled, size=win, mode="nearest"), 5)[ur - ur[0]]
        resid = mean - base
        circ = 2 * math.pi * rad[ur] * nu / n_t / 1.5   # valid arc length (px) / 1.5
        se = np.maximum(np.sqrt(var) / np.sqrt(np.clip(np.minimum(nu, circ), 1, None)), 0.1)
        z = resid / se
        if not is_arc:
            full = (rad[ur] * px, resid)
            hit = (np.abs(z) > z_thr) & (np.abs(resid) > min_amp)
        else:
            hit = (np.abs(z) > z_thr + 1.0) & (np.abs(resid) > min_amp + 1.0) & (rad[ur] * px >= 15.0)
        out.extend((float(abs(z[k])), int(ur[k]), float(resid[k])) for k in np.nonzero(hit)[0])
    return out, full


def ring_scan(ctx: Ctx, geom: DetectorGeometry, streaks_by_slice: dict[int, list] | None = None,
              z_thr: float = 6.0, min_amp: float = 2.0) -> tuple[list[Artifact], list[Curve]]:
    streaks_by_slice = streaks_by_slice or {}
    px = ctx.pixel_mm
    groups: list[tuple[dict, np.ndarray, bool, float, bool]] = []  # module, slices, arcs?, z thr, chunk?
    for m in ctx.defn["modules"]:
        if m["id"] not in ctx.pl.module_slices:
            continue
        idx = ctx.slab_idx(m, 50.0)
        streaked = any(streaks_by_slice.get(int(i)) for i in idx)
        groups.append((m, idx, not streaked, z_thr, False))
        n = max(1, int(round(CHUNK_MM / max(ctx.thk_mm, 1e-3))))
        if len(idx) > n:   # chunks with a streak are left out (streaks put energy at all radii)
            groups += [(m, idx[c:c + n], False, z_thr + 1.0, True) for c in range(0, len(idx), n)
                       if not any(streaks_by_slice.get(int(i)) for i in idx[c:c + n])]
    hits, curve = [], None
    seen: dict[int, tuple[_PolarGrid, np.ndarray]] = {}
    for g, (m, idx, sectors, thr, chunk) in enumerate(groups):
        grid = _grid(ctx, m, idx if chunk else None)
        img = ctx.vol[idx].mean(axis=0) if len(idx) > 1 else ctx.vol[int(idx[0])]
        pol = cv2.remap(np.ascontiguousarray(img, dtype=np.float32), grid.mx, grid.my, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        found, full = _hits(pol, grid.valid, grid.rad, px, sectors, thr, min_amp)
        if full is not None and (curve is None or (m["kind"] == "uniformity" and not chunk)):
            curve = full
        if found:
            seen[g] = (grid, pol)
        hits.extend((zk, k, amp, g) for zk, k, amp in found)
    rings: list[dict] = []
    for zk, k, amp, g in sorted(hits, key=lambda h: -h[0]):
        m, idx, chunk = groups[g][0], groups[g][1], groups[g][4]
        r_mm = float(seen[g][0].rad[k] * px)
        ring = next((r for r in rings if abs(r["radius_mm"] - r_mm) <= MERGE_MM), None)
        if ring is None:
            ring = {"radius_mm": r_mm, "k": k, "amp": amp, "z": zk, "g": g,
                    "chunk_slices": set(), "slab_slices": set(), "modules": {}}
            rings.append(ring)
        # the same ring elsewhere (or its FBP side lobe): its slices and module join
        ring["chunk_slices" if chunk else "slab_slices"].update(int(i) for i in idx)
        ring["modules"].setdefault(m["id"], None)
    out = []
    for r in rings:
        grid, pol = seen[r["g"]]
        m, idx, chunk = groups[r["g"]][0], groups[r["g"]][1], groups[r["g"]][4]
        if chunk:   # found on the coarse grid: describe it on the fine one
            grid = _grid(ctx, m, idx, coarse=False)
            img = ctx.vol[idx].mean(axis=0) if len(idx) > 1 else ctx.vol[int(idx[0])]
            pol = cv2.remap(np.ascontiguousarray(img, dtype=np.float32), grid.mx, grid.my,
                            cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
            r["k"], r["amp"] = _peak_bin(pol, grid, r["radius_mm"] / px, 1.5 / px)
        # slices: where ~2 mm chunks show it; a weak ring only the slab means show: the slabs
        r["slices"] = r["chunk_slices"] or r["slab_slices"]
        a = _describe_ring(np.where(grid.valid, pol, np.nan), grid.rad, r, px, geom,
                           ctx.recon_centre_px, groups[r["g"]][1])
        if a.location["angular_coverage_deg"] < MIN_COVERAGE_DEG:
            continue   # no angular evidence
        if a.type == "arc" and any(streaks_by_slice.get(int(i)) for i in idx):
            continue   # a streak's directional energy: only full rings count in streaked slices
        out.append(a)
    curves = [Curve("artifact.ring_profile", tuple(curve[0]), tuple(curve[1]), "mm", "HU",
                    "radial profile about the rotation centre minus baseline")] if curve else []
    return out, curves


def _peak_bin(pol: np.ndarray, grid: _PolarGrid, r_px: float, reach_px: float) -> tuple[int, float]:
    """Radius bin of the strongest excess (either sign) of the angular-median profile near
    r_px: the ring's main lobe, not an FBP side lobe."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = np.nanmedian(np.where(grid.valid, pol, np.nan), axis=0)
    near = np.nonzero(np.abs(grid.rad - r_px) <= reach_px + 6.0)[0]
    base = np.nanmedian(prof[near])
    core = near[np.abs(grid.rad[near] - r_px) <= reach_px]
    dev = np.nan_to_num(prof[core] - base)
    if not len(core):
        return int(np.argmin(np.abs(grid.rad - r_px))), 0.0
    j = int(np.argmax(np.abs(dev)))
    return int(core[j]), float(dev[j])


def _describe_ring(pol: np.ndarray, rad: np.ndarray, r: dict, px: float, geom: DetectorGeometry,
                   centre: tuple[float, float], idx: np.ndarray) -> Artifact:
    """Amplitude, width, angular coverage and detector channel of a ring at radius bin k."""
    k, amp, zk = r["k"], r["amp"], r["z"]
    win = max(5, int(6.0 / (px * (rad[1] - rad[0]))))
    n_t = pol.shape[0]
    lo_b, hi_b = max(0, k - 3 * win), min(pol.shape[1], k + 3 * win)
    local = pol[:, lo_b:hi_b]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN rows: masked angles
        base = np.nanmedian(local, axis=1, keepdims=True)
    ang = local[:, k - lo_b] - base[:, 0]
    # coverage from the excess smoothed over 10 degrees (NaN = masked angles left out)
    h = max(3, n_t // 72)
    fin = np.isfinite(ang)
    wrap = lambda a: np.r_[a[-h:], a, a[:h]]  # noqa: E731
    num = np.convolve(wrap(np.nan_to_num(ang)), np.ones(2 * h + 1), "same")[h:-h]
    cnt = np.convolve(wrap(fin.astype(float)), np.ones(2 * h + 1), "same")[h:-h]
    ang_s = num / np.maximum(cnt, 1.0)
    covered = fin & (np.sign(amp) * ang_s > abs(amp) / 3)
    coverage = 360.0 * covered.sum() / max(fin.sum(), 1)
    if coverage < 300:   # arc: amplitude over the covered part
        amp = float(np.nanmedian(ang[covered])) if covered.any() else amp
    rows = local[covered] if covered.any() else local
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = np.nanmedian(rows, axis=0) - np.nanmedian(rows)
    kk = k - lo_b
    half = np.sign(amp) * np.nan_to_num(prof) >= abs(prof[kk]) / 2
    lo, hi = kk, kk
    while lo > 0 and half[lo - 1]:
        lo -= 1
    while hi < len(prof) - 1 and half[hi + 1]:
        hi += 1
    r_mm = float(rad[k] * px)
    ch, ch_m = geom.channels(r_mm)
    start = float(np.argmax(covered) * 360.0 / n_t) if 0 < covered.sum() < n_t else 0.0
    slices = sorted(r["slices"])
    modules = list(r["modules"])
    return Artifact("ring" if coverage >= 300 else "arc", round(amp, 2), {
        "radius_mm": round(r_mm, 2), "width_mm": round(float((hi - lo + 1) * (rad[1] - rad[0]) * px), 2),
        "angular_coverage_deg": round(float(coverage), 1),
        **({"start_angle_deg": round(start, 1)} if coverage < 300 else {}),
        "detector_channel": round(ch, 1), "detector_channel_mirror": round(ch_m, 1),
        "fan_angle_deg": round(geom.fan_angle_deg(r_mm), 4),
        "detector_geometry": geom.to_dict(),
        "centre_px": [round(centre[0], 2), round(centre[1], 2)],
        "slice_range": [slices[0], slices[-1]], "n_slices": len(slices),
        "module": modules[0], "modules": modules},
        Verdict.FAIL, score=round(zk, 1),
        note=f"polar analysis about the reconstruction centre, strongest in {modules[0]} "
             f"(slices {int(idx[0])}-{int(idx[-1])}); channel from {geom.source}")
