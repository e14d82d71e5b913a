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

import numpy as np

from app.core.measurement import Verdict
from app.ct.analysis import ring_polar as rp
from app.ct.analysis.context import Ctx
from app.ct.analysis.result import Artifact, Curve
from app.ct.note_codes import note

CHUNK_MM = 2.0
MERGE_MM = 3.0
MIN_COVERAGE_DEG = 15.0
MIN_GROUPS = 2            # independent slice groups a ring / arc must be seen in ...
SAME_RADIUS_MM = 1.0      # ... at the same radius (a detector channel is one radius)
SINGLE_GROUP_MIN_HU = 6.0    # ... unless this strong (noise and edge residues: 2-5 HU)
SINGLE_GROUP_EXTRA_Z = 2.0   # a radial excess without angular extent is not a ring / arc
STREAK_MARGIN_MM = 3.0       # a streak line's pixels: this far either side (as the ROIs)
STREAK_SHARE_MAX = 0.25      # a ring in streaked slices whose circle lies this much in them
STRUCTURE_MARGIN_MM = 3.0    # a module's structures reach this far beyond their drawn size
AT_STRUCTURES_MIN_HU = 2.0 * SINGLE_GROUP_MIN_HU   # one module only, at its own structures


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


def ring_scan(ctx: Ctx, geom: DetectorGeometry, streaks_by_slice: dict[int, list] | None = None,
              z_thr: float = 6.0, min_amp: float = 2.0) -> tuple[list[Artifact], list[Curve]]:
    streaks_by_slice = streaks_by_slice or {}
    px = ctx.pixel_mm

    def streaked(idx: np.ndarray) -> bool:
        return any(streaks_by_slice.get(int(i)) for i in idx)

    groups: list[tuple[dict, np.ndarray, bool]] = []   # module, slices, chunk?
    hits: list[tuple[float, int, float, int]] = []     # |z|, radius bin, amplitude, group
    seen: dict[int, tuple[rp.PolarGrid, np.ndarray]] = {}
    curve = None
    for m in ctx.defn["modules"]:
        if m["id"] not in ctx.pl.module_slices:
            continue
        idx = ctx.slab_idx(m, 50.0)
        n = max(1, int(round(CHUNK_MM / max(ctx.thk_mm, 1e-3))))
        starts = list(range(0, len(idx), n)) if len(idx) > n else []
        slab_img = rp.crop_mean(ctx, idx)
        # slab mean: rings over 360 deg, arcs in sectors unless a streak crosses the slab
        g = len(groups)
        groups.append((m, idx, False))
        grid = rp.grid(ctx, m)
        pol = rp.sample(slab_img, grid)
        found, full = rp.hits(pol, grid, px, not streaked(idx), z_thr, min_amp)
        if full is not None and (curve is None or m["kind"] == "uniformity"):
            curve = full
        if found:
            seen[g] = (grid, pol)
        hits.extend((zk, k, amp, g) for zk, k, amp in found)
        # ~2 mm chunks (rings only, threshold + 1); chunks with a streak are left out
        # (streaks put energy at all radii)
        todo = [(c, rp.crop_mean(ctx, idx[c:c + n])) for c in starts if not streaked(idx[c:c + n])]
        if not todo:
            continue
        grids = [rp.grid(ctx, m, idx[c:c + n]) for c, _ in todo]
        pols = np.empty((len(todo),) + grids[0].mx.shape, np.float32)
        for j, ((_, img), gr) in enumerate(zip(todo, grids)):
            rp.sample(img, gr, pols[j])
        shared = all(gr is grids[0] for gr in grids)
        weights = grids[0].weight if shared else np.stack([gr.weight for gr in grids])
        for j, found in enumerate(rp.batch_hits(pols, weights, grids[0].rad, px, z_thr + 1.0, min_amp)):
            if not found:
                continue
            g = len(groups)
            groups.append((m, idx[todo[j][0]:todo[j][0] + n], True))
            seen[g] = (grids[j], pols[j])
            hits.extend((zk, k, amp, g) for zk, k, amp in found)
    rings: list[dict] = []
    for zk, k, amp, g in sorted(hits, key=lambda h: -h[0]):
        m, idx, chunk = groups[g]
        r_mm = float(seen[g][0].rad[k] * px)
        ring = next((r for r in rings if abs(r["radius_mm"] - r_mm) <= MERGE_MM), None)
        if ring is None:
            ring = {"radius_mm": r_mm, "k": k, "amp": amp, "z": zk, "g": g,
                    "chunk_slices": set(), "slab_slices": set(), "modules": {},
                    "chunk_groups": set(), "slab_groups": set()}
            rings.append(ring)
        elif g == ring["g"] and amp * ring["amp"] < 0 and abs(amp) > abs(ring["amp"]):
            # in the same image, an undershoot beside a stronger excess of the other sign is
            # that excess's shadow (its lift of the median baseline, an FBP side lobe): the
            # ring is the excess. Next to the shell the undershoot can score the higher z (a
            # 300 HU ring at r = 95 mm at 0.9 mm pixels was described at 93.5 mm as a -28 HU
            # "ring" without angular evidence and dropped). (Any larger excess - a noisier
            # 45-deg sector's - would describe 10 HU rings as 20 HU arcs.)
            ring.update(k=k, amp=amp)
        if abs(r_mm - ring["radius_mm"]) <= SAME_RADIUS_MM:   # evidence at the same radius
            ring["chunk_groups" if chunk else "slab_groups"].add(g)
        # the same ring elsewhere (or its FBP side lobe): its slices and module join
        ring["chunk_slices" if chunk else "slab_slices"].update(int(i) for i in idx)
        ring["modules"].setdefault(m["id"], None)
    out = []
    n_chunks = sum(1 for _, _, c in groups if c) + sum(
        1 for m in ctx.defn["modules"] if m["id"] in ctx.pl.module_slices)
    for r in rings:
        # a detector ring is there on every slice reconstructed from the bad channel's
        # data: it must repeat at the same radius in independent slice groups (two ~2 mm
        # chunks, or two modules); one group alone is a structure residue or noise
        # (a strong ring in one group only - one detector row of one rotation - is kept
        # when it is far above the noise and >= SINGLE_GROUP_MIN_HU)
        grid, pol = seen[r["g"]]
        m, idx, chunk = groups[r["g"]]
        if chunk:   # found on the coarse grid: describe it on the fine one
            grid = rp.grid(ctx, m, idx, coarse=False)
            pol = rp.sample(rp.crop_mean(ctx, idx), grid)
            r["k"], r["amp"] = rp.peak_bin(pol, grid, r["radius_mm"] / px, 1.5 / px)
        # slices: where ~2 mm chunks show it; a weak ring only the slab means show: the slabs
        # (a ring the slab means of several modules show is on their slices too)
        r["slices"] = (r["chunk_slices"] | r["slab_slices"] if len(r["slab_groups"]) >= MIN_GROUPS
                       else r["chunk_slices"] or r["slab_slices"])
        a = _describe_ring(np.where(grid.valid, pol, np.nan), grid.rad, r, px, geom,
                           ctx.recon_centre_px, idx)
        if a.location["angular_coverage_deg"] < MIN_COVERAGE_DEG:
            continue   # no angular evidence
        if a.type == "arc" and streaked(idx):
            continue   # a streak's directional energy: only full rings count in streaked slices
        # a "ring" whose circle runs mostly within 3 mm of a streak line (a streak through
        # or near the rotation centre: its line and dark flanks fill a small circle) is the
        # streak, when every group that shows it is streaked (a foreign renderer's 60 HU
        # streak through the centre: a -88 HU "ring" at 2 mm)
        groups_of = r["chunk_groups"] | r["slab_groups"] or {r["g"]}
        if all(streaked(groups[g][1]) for g in groups_of) and _streak_share(
                ctx, [int(i) for g in groups_of for i in groups[g][1]],
                a.location["radius_mm"]) >= STREAK_SHARE_MAX:
            continue
        # strong: far above the noise and >= SINGLE_GROUP_MIN_HU as described (over the
        # arc it covers), not only in its best ~2 mm chunk
        strong = abs(a.amplitude_hu) >= SINGLE_GROUP_MIN_HU and r["z"] >= z_thr + SINGLE_GROUP_EXTRA_Z
        independent = max(len(r["chunk_groups"]), len(r["slab_groups"]))
        if independent < MIN_GROUPS and n_chunks >= MIN_GROUPS and not strong:
            continue
        # a bad channel's ring / arc shows in every module the series holds: evidence from
        # one module only (where its own structures sit) must be strong
        n_mods = sum(1 for mm in ctx.defn["modules"] if mm["id"] in ctx.pl.module_slices)
        seen_in = {groups[g][0]["id"] for g in r["chunk_groups"] | r["slab_groups"]}
        if len(seen_in) < MIN_GROUPS and n_mods >= MIN_GROUPS and not strong:
            continue
        # ... and stronger still where that module's own structures lie on a circle at
        # its radius (bar groups, inserts, discs) while another module of the series
        # has no structure there: the structures' halo - an edge-enhancing kernel's
        # overshoot, a thin slice's partial volume of the bars - is an arc at their radius
        # in their module alone (a foreign renderer's 1 mm CatPhan: 8 HU "arcs" at 43 / 50
        # mm in the gauge's slices, nothing in the uniform module); a detector's arc at
        # that radius shows where nothing covers it
        if (len(seen_in) < MIN_GROUPS and n_mods >= MIN_GROUPS
                and abs(a.amplitude_hu) < AT_STRUCTURES_MIN_HU
                and _at_structures(ctx, m, a.location["radius_mm"])
                and any(not _at_structures(ctx, mm, a.location["radius_mm"])
                        for mm in ctx.defn["modules"]
                        if mm["id"] in ctx.pl.module_slices and mm["id"] not in seen_in)):
            continue
        out.append(a)
    curves = [Curve("artifact.ring_profile", tuple(curve[0]), tuple(curve[1]), "mm", "HU",
                    "radial profile about the rotation centre minus baseline")] if curve else []
    return out, curves


def _streak_share(ctx: Ctx, idx: list[int], radius_mm: float) -> float:
    """The share of the circle of ``radius_mm`` about the rotation centre that lies within
    STREAK_MARGIN_MM of a slice's streak lines (the pipeline's ``streak_lines``: point and
    unit direction in pixels), the largest over the slices ``idx``."""
    if radius_mm <= 0:
        return 0.0
    c = np.asarray(ctx.recon_centre_px, float)
    w = STREAK_MARGIN_MM
    per = ctx.cache.get("streak_lines") or {}
    best = 0.0
    for i in set(idx):
        share = 0.0
        for ln in per.get(i, []) or []:
            if ln is None:
                continue
            p, d = np.asarray(ln[0], float), np.asarray(ln[1], float)
            dist = abs(float(np.dot(c - p, [-d[1], d[0]]))) * ctx.pixel_mm   # from the centre
            lo = math.acos(max(-1.0, min(1.0, (dist + w) / radius_mm)))
            hi = math.acos(max(-1.0, min(1.0, (dist - w) / radius_mm)))
            share += (hi - lo) / math.pi     # the angles +-[lo, hi] of 2 pi: both crossings
        best = max(best, min(1.0, share))
    return best


def structure_spans(m: dict) -> list[tuple[float, float]]:
    """(inner, outer) radius (mm, about the phantom centre) of each structure of a module
    definition, widened by STRUCTURE_MARGIN_MM."""
    out = []
    for item in m.get("inserts", []) + m.get("discs", []):
        h = float(item.get("diameter_mm", 0.0)) / 2.0
        out.append((float(item["radius_mm"]) - h, float(item["radius_mm"]) + h))
    for bp in m.get("bar_patterns", []):
        h = float(bp.get("bar_length_mm", 10.0)) / 2.0
        out.append((float(bp["radius_mm"]) - h, float(bp["radius_mm"]) + h))
    for item in m.get("nodes", []) + m.get("beads", []) + m.get("wires", []):
        r, h = math.hypot(float(item["x_mm"]), float(item["y_mm"])), float(item.get("diameter_mm", 1.0)) / 2
        out.append((r - h, r + h))
    for rp_ in m.get("ramps", []):
        r0 = float(rp_["radius_mm"])
        out.append((r0, math.hypot(r0, float(rp_.get("length_mm", 50.0)) / 2.0)))
    return [(max(0.0, lo - STRUCTURE_MARGIN_MM), hi + STRUCTURE_MARGIN_MM) for lo, hi in out]


def _at_structures(ctx: Ctx, m: dict, radius_mm: float) -> bool:
    """Whether a ring about the rotation centre at ``radius_mm`` runs through the radii
    of module m's own structures (about the phantom centre, which may sit off it)."""
    cx, cy = ctx.centre(m)
    rx, ry = ctx.recon_centre_px
    off = math.hypot(cx - rx, cy - ry) * ctx.pixel_mm
    return any(lo - off <= radius_mm <= hi + off for lo, hi in structure_spans(m))


def _ring_fit(prof: np.ndarray, rad: np.ndarray, kk: int, amp: float, px: float,
              ) -> tuple[float, float, float] | None:
    """(peak amplitude, radius px, FWHM px) of a Gaussian ring profile on a linear baseline
    fitted within 3 mm of the peak bin; None when the fit is not a clean peak. Radii that
    are masked (a ring next to the shell, where the search stops) are left out, so the
    peak is read from the flank that is seen, not from the last bin. The polar samples
    are bilinear interpolations of the pixels (variance 1/6 px^2 added to the ring's
    profile): the peak is corrected for it (at most x 1.25)."""
    from scipy.optimize import curve_fit
    reach = 3.0 / px
    sel = np.isfinite(prof) & (np.abs(rad - rad[kk]) <= reach)
    if sel.sum() < 6:
        return None
    r, y = rad[sel].astype(float), prof[sel].astype(float)

    def model(x: np.ndarray, a: float, r0: float, s: float, c: float, d: float) -> np.ndarray:
        return a * np.exp(-0.5 * ((x - r0) / s) ** 2) + c + d * (x - rad[kk])

    a0 = float(prof[kk]) if math.isfinite(prof[kk]) else amp
    dr = float(rad[1] - rad[0])
    lo = [-np.inf if a0 < 0 else 0.0, rad[kk] - 1.5 / px, 0.5 * dr, -np.inf, -np.inf]
    hi = [0.0 if a0 < 0 else np.inf, rad[kk] + 1.5 / px, 2.0 / px, np.inf, np.inf]
    try:
        (a, r0, s, _c, _d), _ = curve_fit(model, r, y, p0=[a0, rad[kk], max(0.5 / px, dr), 0.0, 0.0],
                                         bounds=(lo, hi), maxfev=400)
    except (RuntimeError, ValueError):
        return None
    if not (math.isfinite(a) and abs(a) >= 0.5 * abs(a0)):
        return None
    s_true2 = s * s - 1.0 / 6.0
    corr = min(1.25, s / math.sqrt(s_true2)) if s_true2 > 0 else 1.25
    return float(a * corr), float(r0), float(2.3548 * s)


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
    width_mm = float((hi - lo + 1) * (rad[1] - rad[0]) * px)
    fit = _ring_fit(prof, rad[lo_b:hi_b], kk, amp, px) if coverage >= 300 else None
    if fit is not None:   # full rings: the profile model's peak, radius and width
        amp, r_mm, width_mm = fit[0], fit[1] * px, fit[2] * px
    ch, ch_m = geom.channels(r_mm)
    start = float(np.argmax(covered) * 360.0 / n_t) if 0 < covered.sum() < n_t else 0.0
    slices = sorted(r["slices"])
    modules = list(r["modules"])
    return Artifact("ring" if coverage >= 300 else "arc", round(float(amp), 2), {
        "radius_mm": round(r_mm, 2), "width_mm": round(width_mm, 2),
        "angular_coverage_deg": round(float(coverage), 1),
        **({"start_angle_deg": round(start, 1)} if coverage < 300 else {}),
        "detector_channel": round(ch, 1), "detector_channel_mirror": round(ch_m, 1),
        "fan_angle_deg": round(geom.fan_angle_deg(r_mm), 4),
        "detector_geometry": geom.to_dict(),
        "centre_px": [round(centre[0], 2), round(centre[1], 2)],
        "slice_range": [slices[0], slices[-1]], "n_slices": len(slices),
        "module": modules[0], "modules": modules},
        Verdict.FAIL, score=round(zk, 1),
        note=note("artifact.ring", module=modules[0], first=int(idx[0]), last=int(idx[-1]),
                  channel_source=str(geom.source)))
