"""Polar sampling and radial statistics for the ring / arc search (:mod:`rings`).

Cost notes (the search runs on every module's slab mean and on ~2 mm chunks of it):
- one crop window around the rotation centre holds every module's search disc; slab and
  chunk images are means over contiguous views of that window (no fancy-index copies);
- one polar grid per resolution for the whole analysis (the largest module radius), the
  module's background mask (structures cut out) sampled onto it once per module (and
  once per chunk z where wire ramps make the mask depend on z);
- radial sums over angle for the full circle and the 45-deg sectors in one pass; the
  chunks of a module in one batch (rows), then a short per-row profile test.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

from app.ct.analysis import phantom_spec as ps
from app.ct.analysis.context import Ctx

N_THETA = 720
N_SECTORS = 8
SD_FLOOR = 0.75   # angular SD floor, x the median over radii (see row_hits)


@dataclass
class PolarGrid:
    mx: np.ndarray         # float32 maps into the crop window
    my: np.ndarray
    valid: np.ndarray      # (n_theta, n_r) background samples of this module
    rad: np.ndarray        # radius of each bin, px
    weight: np.ndarray     # valid as float32 (0 / 1) for the weighted sums


def inner_radius_px(ctx: Ctx) -> float:
    return (float(ctx.defn["diameter_mm"]) / 2 - float(ctx.defn.get("shell_thickness_mm", 3.0)) - 1.5) / ctx.pixel_mm


def window(ctx: Ctx) -> tuple[int, int, int, int, float]:
    """(y0, y1, x0, x1, r_max px): crop around the rotation centre holding every
    module's search disc (phantom interior about its own, drifting, centre)."""
    key = "ring_window"
    if key not in ctx.cache:
        rx, ry = ctx.recon_centre_px
        r_in = inner_radius_px(ctx)
        r_max = r_in
        for m in ctx.defn["modules"]:
            if m["id"] in ctx.pl.module_slices:
                pcx, pcy = ctx.centre(m)
                r_max = max(r_max, r_in + math.hypot(pcx - rx, pcy - ry))
        h, w = ctx.vol.shape[1:]
        reach = int(math.ceil(r_max)) + 2
        y0, y1 = max(0, int(math.floor(ry)) - reach), min(h, int(math.ceil(ry)) + reach + 1)
        x0, x1 = max(0, int(math.floor(rx)) - reach), min(w, int(math.ceil(rx)) + reach + 1)
        ctx.cache[key] = (y0, y1, x0, x1, r_max)
    return ctx.cache[key]


def crop_mean(ctx: Ctx, idx: np.ndarray) -> np.ndarray:
    """Mean image of slices ``idx`` inside the ring window (float32, a view when one slice)."""
    y0, y1, x0, x1, _ = window(ctx)
    idx = np.asarray(idx)
    if len(idx) == 1:
        return ctx.vol[int(idx[0]), y0:y1, x0:x1]
    if np.all(np.diff(idx) == 1):
        return ctx.vol[int(idx[0]):int(idx[-1]) + 1, y0:y1, x0:x1].mean(axis=0, dtype=np.float32)
    return ctx.vol[idx, y0:y1, x0:x1].mean(axis=0, dtype=np.float32)


def ring_mask(ctx: Ctx, m: dict, z_rel: float | None = None, thk_mm: float = 0.0) -> np.ndarray:
    """uint8 mask (255 = the module's uniform background, structures cut out with a 3 mm
    margin) in the ring window; ``z_rel``: for slices at this z relative to the module
    centre only (the part of the wire ramps those slices can see). The structures but the
    ramps are drawn once per module."""
    key = ("ring_mask_base", m["id"])
    if key not in ctx.cache:
        base = _draw_mask(ctx, m, None, 0.0, ramps=False)
        base[structure_mask(ctx, m, base)] = 0
        ctx.cache[key] = base
    if not m.get("ramps"):
        return ctx.cache[key]
    return _draw_mask(ctx, m, z_rel, thk_mm, ramps=True, base=ctx.cache[key])


STRUCT_MIN_HU = 40.0      # a high-pass excess this large is a structure, not a ring's share
STRUCT_MIN_AREA_MM2 = 1.0
STRUCT_MARGIN_MM = 2.5
RINGLIKE_FRACTION = 0.08  # a radius (about the rotation centre) flagged over >= 30 deg: ring-like
STRUCT_HOLE_MAX_MM = 50.0  # a hole a found structure's edge encloses (up to this across) is its inside


def structure_mask(ctx: Ctx, m: dict, inside: np.ndarray) -> np.ndarray:
    """Structures found IN THE IMAGE (where the module's slab mean departs from its smooth
    background): inserts and vials of another production run, a Teflon pin, wires, the
    couch - whatever the definition does not place exactly. Radii about the rotation
    centre flagged over a wide arc are kept (that is what a ring looks like); small
    isolated specks (noise) are dropped; the rest is dilated by 2.5 mm and its holes are
    filled: the high-pass flags a large uniform structure (an empty vial, an air hole) only
    along its edge, and its unmasked core (-1000 HU in the polar profile's radii) pulled the
    radial baseline and made a 7 HU "arc" next to it (issue 15)."""
    from app.ct.analysis.localise import slab
    y0, y1, x0, x1, _ = window(ctx)
    idx = slab(ctx.pos, ctx.z_of(m), max(1.0, float(m["length_mm"]) / 2 - ctx.thk_mm / 2 - 1.0))
    img = crop_mean(ctx, idx).astype(np.float32)
    px = ctx.pixel_mm
    hp = img - cv2.GaussianBlur(img, (0, 0), 2.5 / px)
    ins = inside > 0
    vals = hp[ins]
    if vals.size < 100:
        return np.zeros(img.shape, bool)
    sd = 1.4826 * float(np.median(np.abs(vals - np.median(vals))))
    flag = (np.abs(hp) > max(STRUCT_MIN_HU, 6.0 * sd)) & ins
    n, lab, stats, _ = cv2.connectedComponentsWithStats(flag.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] * px * px >= STRUCT_MIN_AREA_MM2
    flag = keep[lab]
    if not flag.any():
        return flag
    rx, ry = ctx.recon_centre_px
    yy, xx = np.nonzero(ins)
    rr = np.hypot(xx + x0 - rx, yy + y0 - ry).astype(int)
    # compact components (a vial, a pin: about as wide along the circle as across it) are
    # structures wherever they sit; only elongated ones can be a ring's share. (A compact
    # structure at the insert radius, where the inserts leave little valid circle, was
    # taken for "ring-like", left unmasked, and made a 7 HU arc: issue 15.)
    keep_lab = lab * flag
    elong = ~_compact(keep_lab, n, rx - x0, ry - y0)
    fl = flag[yy, xx]
    tot = np.bincount(rr)
    hit = np.bincount(rr, (fl & elong[keep_lab[yy, xx]]).astype(float), minlength=len(tot))
    ringlike = hit / np.maximum(tot, 1) > RINGLIKE_FRACTION
    ringlike = ringlike | np.r_[ringlike[1:], False] | np.r_[False, ringlike[:-1]]
    flag[yy, xx] &= ~(ringlike[rr] & elong[keep_lab[yy, xx]])
    k = max(1, int(round(STRUCT_MARGIN_MM / px)))
    out = cv2.dilate(flag.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))) > 0
    return fill_holes(out, STRUCT_HOLE_MAX_MM / px)


def _compact(lab: np.ndarray, n: int, cx: float, cy: float) -> np.ndarray:
    """Per label (0..n-1): True when the component's extent along the circle about
    (cx, cy) is at most twice its radial extent (+ 2 px)."""
    out = np.zeros(n, bool)
    yy, xx = np.nonzero(lab)
    if not len(yy):
        return out
    ll = lab[yy, xx]
    r = np.hypot(xx - cx, yy - cy)
    t = np.arctan2(yy - cy, xx - cx)
    order = np.argsort(ll, kind="stable")
    ll, r, t = ll[order], r[order], t[order]
    cuts = np.flatnonzero(np.diff(ll)) + 1
    for lab_i, ri, ti in zip(ll[np.r_[0, cuts]], np.split(r, cuts), np.split(t, cuts)):
        ts = np.sort(ti)
        gaps = np.diff(np.r_[ts, ts[0] + 2 * math.pi])
        span = 2 * math.pi - float(gaps.max())          # circular angular span
        out[lab_i] = span * float(ri.mean()) <= 2.0 * float(ri.max() - ri.min()) + 2.0
    return out


def fill_holes(mask: np.ndarray, max_px: float) -> np.ndarray:
    """``mask`` with its enclosed holes (not touching the border) up to ``max_px`` across
    (bounding box) filled; larger enclosed regions (a phantom's interior inside a flagged
    shell edge) stay open."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    h, w = mask.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    hole = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h) & (np.maximum(bw, bh) <= max_px)
    hole[0] = False
    return mask | hole[lab]


def _draw_mask(ctx: Ctx, m: dict, z_rel: float | None, thk_mm: float, *, ramps: bool,
               base: np.ndarray | None = None) -> np.ndarray:
    y0, y1, x0, x1, _ = window(ctx)
    px = ctx.pixel_mm
    cx, cy = ctx.centre(m)
    cx, cy = cx - x0, cy - y0
    roll = ctx.pl.roll_deg
    sub = 4  # cv2 fixed-point shift: sub-pixel centres
    k = 1 << sub

    def pt(x_mm: float, y_mm: float) -> tuple[int, int]:
        return int(round((cx + x_mm / px) * k)), int(round((cy + y_mm / px) * k))

    if base is not None:
        mask = base.copy()
    else:
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.circle(mask, pt(0, 0), int(inner_radius_px(ctx) * k), 255, -1, cv2.LINE_8, sub)
    for item in ([] if base is not None else m.get("inserts", []) + m.get("discs", [])):
        cv2.circle(mask, pt(*ps.insert_xy(item, roll)), int((item["diameter_mm"] / 2 + 3) / px * k), 0, -1,
                   cv2.LINE_8, sub)
    for item in ([] if base is not None else m.get("nodes", []) + m.get("beads", []) + m.get("wires", [])):
        r = max(float(item.get("diameter_mm", 1.0)) / 2 + 3, 5.0)
        cv2.circle(mask, pt(*ps.rotate_xy(item["x_mm"], item["y_mm"], roll)), int(r / px * k), 0, -1,
                   cv2.LINE_8, sub)
    for bp in ([] if base is not None else m.get("bar_patterns", [])):   # bars: radial x tangential
        a = math.radians(float(bp["angle_deg"]) + roll)
        half_r = float(bp.get("bar_length_mm", 10.0)) / 2 + 3
        half_t = float(bp.get("n_bars", 5)) * 10.0 / (2.0 * float(bp["lp_per_cm"])) + 3
        bx, by = ps.insert_xy(bp, roll)
        u, v = (math.cos(a), math.sin(a)), (-math.sin(a), math.cos(a))
        corners = [pt(bx + su * half_r * u[0] + sv * half_t * v[0], by + su * half_r * u[1] + sv * half_t * v[1])
                   for su, sv in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
        cv2.fillConvexPoly(mask, np.array(corners, np.int32), 0, cv2.LINE_8, sub)
    for rp in (m.get("ramps", []) if ramps else []):
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
    return mask


def _maps(ctx: Ctx, coarse: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mx, my, rad) shared by every module: coarse 1 deg x 1 px, fine 0.5 deg x 0.5 px."""
    key = ("ring_maps", coarse)
    if key not in ctx.cache:
        y0, _, x0, _, r_max = window(ctx)
        rx, ry = ctx.recon_centre_px
        n_r, n_t = (int(r_max), N_THETA // 2) if coarse else (int(r_max * 2), N_THETA)
        rad = (np.arange(n_r) + 0.5) * r_max / n_r
        t = np.arange(n_t) * 2 * math.pi / n_t
        mx = (rx - x0 + np.cos(t)[:, None] * rad[None, :]).astype(np.float32)
        my = (ry - y0 + np.sin(t)[:, None] * rad[None, :]).astype(np.float32)
        ctx.cache[key] = (mx, my, rad)
    return ctx.cache[key]


def grid(ctx: Ctx, m: dict, idx: np.ndarray | None = None, coarse: bool | None = None) -> PolarGrid:
    """The module's polar grid. Slab means: fine; chunks ``idx`` (rings only): coarse,
    with the part of the wire ramps the chunk's slices can see."""
    z_rel = None
    if idx is not None and m.get("ramps"):
        z_rel = round(float(np.mean(ctx.pos[idx])) - ctx.z_of(m), 3)
    coarse = idx is not None if coarse is None else coarse
    key = ("ring_grid", m["id"], coarse, z_rel)
    if key not in ctx.cache:
        mx, my, rad = _maps(ctx, coarse)
        mask = ring_mask(ctx, m, z_rel, ctx.thk_mm)
        # linear sampling of the 0/255 mask: 255 only where every neighbour is background
        pm = cv2.remap(mask, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        valid = pm == 255
        ctx.cache[key] = PolarGrid(mx, my, valid, rad, valid.astype(np.float32))
    return ctx.cache[key]


def sample(img: np.ndarray, g: PolarGrid, out: np.ndarray | None = None) -> np.ndarray:
    """Bilinear polar samples of a float32 image (row-strided views are fine) into ``out``."""
    if out is None:
        out = np.empty(g.mx.shape, np.float32)
    cv2.remap(img, g.mx, g.my, cv2.INTER_LINEAR, dst=out, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    return out


def sums(pol: np.ndarray, weight: np.ndarray, n_blocks: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per radius: (sum, sum of squares, count) over the valid angles (``weight`` 1) for
    each of ``n_blocks`` equal angular blocks; ``pol`` (..., n_theta, n_r) ->
    (..., n_blocks, n_r). float32 einsum: HU values about a water background, 720 terms."""
    def blocks(a: np.ndarray) -> np.ndarray:
        return a.reshape(a.shape[:-2] + (n_blocks, a.shape[-2] // n_blocks, a.shape[-1]))

    p, w = blocks(pol), blocks(weight)
    s1 = np.einsum("...bij,...bij->...bj", p, w)
    s2 = np.einsum("...bij,...bij,...bij->...bj", p, p, w)
    return s1.astype(np.float64), s2.astype(np.float64), np.broadcast_to(w.sum(axis=-2), s1.shape)


def rows_hits(s1: np.ndarray, s2: np.ndarray, n: np.ndarray, n_rows: int, n_theta: int, rad: np.ndarray,
              px: float, is_arc: bool, z_thr: float, min_amp: float, sd_floor: np.ndarray | None = None,
              ) -> tuple[list[list[tuple[float, int, float]]], list[tuple | None], np.ndarray]:
    """Rows of radial sums (R, n_r) -> per row: radial mean minus a median baseline (masked
    radii bridged linearly), z-scored by the angular spread: z = residual / (sd /
    sqrt(n_eff)), n_eff = min(samples, valid arc length / 1.5 px). The sd is floored at
    ``SD_FLOOR`` x its median over radii (``sd_floor`` per row when given): on a short valid
    arc (small radius, most of the circle masked) correlated noise makes the angular sd
    far smaller than the spread of such arcs' means.
    Returns per row the hits (|z|, bin, amplitude) and (radius mm, residual) of its usable
    bins (None when too few), and the rows' sd medians."""
    n_rows_out = s1.shape[0]
    usable = (n >= (0.6 * n_rows if is_arc else 0.15 * n_theta)) & (rad * px >= 2.0)
    nf = np.maximum(n, 1).astype(np.float64)
    mean = s1 / nf
    sd = np.sqrt(np.clip(s2 / nf - mean ** 2, 0.0, None))
    ok = usable.sum(axis=1) >= 20
    sd_med = np.array([float(np.median(sd[i, usable[i]])) if ok[i] else np.nan for i in range(n_rows_out)])
    # baseline on the full radius grid, masked radii bridged linearly (a filter over the
    # usable bins alone would join radii far apart across a masked gap)
    bins = np.arange(len(rad))
    filled = np.array([np.interp(bins, np.nonzero(usable[i])[0], mean[i, usable[i]]) if ok[i]
                       else np.zeros(len(rad)) for i in range(n_rows_out)])
    win = max(5, int(6.0 / (px * (rad[1] - rad[0]))))   # 6 mm of radius bins
    # ("nearest" padding follows a cupped profile's rise at the shell; a ring at the last
    # radii lifts this baseline towards itself and its residual under-reads - detection
    # only: the ring's amplitude comes from the profile fit in rings._describe_ring)
    med = np.array([median_filter(row, size=win, mode="nearest") for row in filled])  # 1-D: fast path
    base = uniform_filter1d(med, 5, axis=1, mode="nearest")
    resid = mean - base
    floor = SD_FLOOR * (sd_med if sd_floor is None else sd_floor)
    circ = 2 * math.pi * rad * nf / n_theta / 1.5   # valid arc length (px) / 1.5
    se = np.maximum(np.maximum(sd, np.nan_to_num(floor)[:, None]) / np.sqrt(np.clip(np.minimum(nf, circ), 1, None)),
                    0.1)
    z = resid / se
    if not is_arc:
        hit = (np.abs(z) > z_thr) & (np.abs(resid) > min_amp)
    else:
        hit = (np.abs(z) > z_thr + 1.0) & (np.abs(resid) > min_amp + 1.0) & (rad * px >= 15.0)
    hit &= usable & ok[:, None]
    found: list[list] = [[] for _ in range(n_rows_out)]
    for i, k in zip(*np.nonzero(hit)):
        found[i].append((float(abs(z[i, k])), int(k), float(resid[i, k])))
    profiles = [(rad[usable[i]] * px, resid[i, usable[i]]) if ok[i] else None for i in range(n_rows_out)]
    return found, profiles, sd_med


def hits(pol: np.ndarray, g: PolarGrid, px: float, sectors: bool, z_thr: float, min_amp: float,
         ) -> tuple[list[tuple[float, int, float]], tuple | None]:
    """(|z|, radius bin, amplitude) of the full circle and (if asked) the 45-deg sectors."""
    n_t, rad = pol.shape[0], g.rad
    s1, s2, n = sums(pol, g.weight, N_SECTORS if sectors else 1)
    found, prof, sd_med = rows_hits(s1.sum(0)[None], s2.sum(0)[None], n.sum(0)[None], n_t, n_t, rad, px,
                                    False, z_thr, min_amp)
    out = found[0]
    if sectors and np.isfinite(sd_med[0]):
        f, _, _ = rows_hits(s1, s2, n, n_t // N_SECTORS, n_t, rad, px, True, z_thr, min_amp,
                            np.full(N_SECTORS, sd_med[0]))
        out += [h for row in f for h in row]
    return out, prof[0]


def batch_hits(pols: np.ndarray, weights: np.ndarray, rad: np.ndarray, px: float, z_thr: float,
               min_amp: float) -> list[list[tuple[float, int, float]]]:
    """Full-circle hits of each chunk (rows of ``pols`` (n_chunks, n_theta, n_r));
    ``weights``: one grid's (n_theta, n_r) or one per chunk."""
    n_t = pols.shape[1]
    s1, s2, n = sums(pols, weights, 1)
    return rows_hits(s1[:, 0], s2[:, 0], n[:, 0], n_t, n_t, rad, px, False, z_thr, min_amp)[0]


def peak_bin(pol: np.ndarray, g: PolarGrid, r_px: float, reach_px: float) -> tuple[int, float]:
    """Radius bin of the strongest excess (either sign) of the angular-median profile near
    r_px: the ring's main lobe, not an FBP side lobe."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = np.nanmedian(np.where(g.valid, pol, np.nan), axis=0)
    near = np.nonzero(np.abs(g.rad - r_px) <= reach_px + 6.0)[0]
    base = np.nanmedian(prof[near])
    core = near[np.abs(g.rad[near] - r_px) <= reach_px]
    dev = np.nan_to_num(prof[core] - base)
    if not len(core):
        return int(np.argmin(np.abs(g.rad - r_px))), 0.0
    j = int(np.argmax(np.abs(dev)))
    return int(core[j]), float(dev[j])
