"""Phantom localisation from few, down-sampled slices (no slice-by-slice search).

1. z: cheap per-slice features on an in-plane decimated volume (phantom area, air-like
   and high-density area inside the phantom) give a binary signature per slice; the
   phantom definition predicts the signature of each module; the origin z is the shift
   that best matches, refined by the area-weighted centre of the reference module run.
2. in-plane centre: circle fit of the outer contour on a handful of full-resolution
   slices; a line through them over z gives pitch/yaw (centre drift).
3. roll: circular cross-correlation of the insert ring (polar profile) with the
   template the definition predicts (nominal HU at nominal angles).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from app.core.errors import InputRejected
from app.ct.analysis import phantom_spec as ps
from app.ct.analysis.roi import polar

BODY_HU = -500.0


@dataclass
class Placement:
    """Where one phantom definition sits in a series (mutable while being built)."""

    defn: dict
    origin_z_mm: float
    centre0_px: tuple[float, float]          # (col, row) at origin z
    drift_px_per_mm: tuple[float, float]     # d(col)/dz, d(row)/dz
    radius_px: float
    roll_deg: float = 0.0
    z_score: float = 0.0                     # fraction of slices whose signature matches
    roll_score: float = 0.0                  # normalised correlation peak
    insert_rms_hu: float = math.nan
    insert_fit_rms_hu: float = math.nan      # after a linear fit to nominal (calibration out)
    module_slices: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)

    def centre_at(self, z_mm: float) -> tuple[float, float]:
        dz = z_mm - self.origin_z_mm
        return (self.centre0_px[0] + self.drift_px_per_mm[0] * dz,
                self.centre0_px[1] + self.drift_px_per_mm[1] * dz)


@dataclass
class SliceFeatures:
    area_mm2: np.ndarray
    air_mm2: np.ndarray
    high_mm2: np.ndarray
    inside: np.ndarray      # slice holds the phantom body


def slice_features(vol: np.ndarray, pixel_mm: float, bg_hu: float, radius_mm: float,
                   ) -> SliceFeatures:
    step = max(1, int(round(1.6 / pixel_mm)))           # ~1.6 mm pixels
    ds = np.ascontiguousarray(vol[:, ::step, ::step])
    px2 = (pixel_mm * step) ** 2
    body = ds > BODY_HU
    counts = body.sum(axis=(1, 2))
    area = counts * px2
    h, w = ds.shape[1:]
    # centre of the phantom over the series (a fixed disc: pitch/yaw of a few degrees
    # move it by far less than the 15 % margin)
    tot = body.sum(axis=0, dtype=np.float64)
    n = max(tot.sum(), 1.0)
    yy, xx = np.mgrid[:h, :w]
    cx, cy = float((tot * xx).sum() / n), float((tot * yy).sum() / n)
    r_in = 0.85 * radius_mm / (pixel_mm * step)
    inner = ((xx - cx) ** 2 + (yy - cy) ** 2) <= r_in ** 2
    px_ds = pixel_mm * step
    air = _compact_area(ds, inner, ds < bg_hu - ps.AIR_BELOW_BG, px_ds)
    high = _compact_area(ds, inner, ds > bg_hu + ps.HIGH_ABOVE_BG, px_ds)
    inside = area > 0.6 * math.pi * radius_mm ** 2
    return SliceFeatures(area, air, high, inside)


LINE_MIN_MM = 40.0      # a component this long and thin is a streak, not a phantom feature
LINE_MAX_FILL = 0.35


def _compact_area(ds: np.ndarray, inner: np.ndarray, flags: np.ndarray, px_mm: float) -> np.ndarray:
    """Per slice: area (mm^2) of the flagged pixels inside the phantom that belong to compact
    features - long thin components (a streak of a few hundred HU crossing the phantom,
    a line of photon starvation) are left out, so a streak does not make every slice look
    like the module with the high-density or air inserts."""
    f = flags & inner[None]
    counts = f.sum(axis=(1, 2)).astype(float)
    long_px = LINE_MIN_MM / px_mm
    for k in np.nonzero(counts > 0.25 * long_px)[0]:
        n, lab, st, _ = cv2.connectedComponentsWithStats(f[k].astype(np.uint8), connectivity=8)
        w, h, a = st[1:, cv2.CC_STAT_WIDTH], st[1:, cv2.CC_STAT_HEIGHT], st[1:, cv2.CC_STAT_AREA]
        line = (np.hypot(w, h) >= long_px) & (a < LINE_MAX_FILL * np.maximum(w * h, 1))
        counts[k] -= float(a[line].sum())
    return counts * px_mm * px_mm


def _module_at(defn: dict, z_rel: float) -> dict | None:
    for m in defn["modules"]:
        if abs(z_rel - float(m["z_mm"])) <= float(m["length_mm"]) / 2:
            return m
    return None


def _z_score(defn: dict, pos: np.ndarray, obs_air: np.ndarray, obs_high: np.ndarray,
             inside: np.ndarray, origin: float, high_mm2: np.ndarray | None = None) -> float:
    """Fraction of signature agreements; high-density areas refine ties (0.5 weight)."""
    score, n = 0.0, 0
    for k, (z, a, h, ins) in enumerate(zip(pos, obs_air, obs_high, inside)):
        if not ins:
            continue
        m = _module_at(defn, z - origin)
        if m is None:
            continue
        ea, eh = ps.features(defn, m)
        # int(): numpy bools add as logical OR (True + True is True), which counted a
        # slice whose air signature matched as a full agreement whatever its high-density
        # signature said - enough to tie the true origin with a 62 mm shift (CatPhan 600)
        score += int(bool(a) == ea) + int(bool(h) == eh)
        n += 2
        if high_mm2 is not None and h and eh:
            pred, obs = ps.high_area_mm2(m), float(high_mm2[k])
            score += 0.5 * min(pred, obs) / max(pred, obs, 1e-6) - 0.5
    return score / n if n else 0.0


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    out, start = [], None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def locate_z(defn: dict, pos: np.ndarray, feats: SliceFeatures, thk: float) -> tuple[float, float]:
    """(origin_z_mm, match score 0..1) for one definition."""
    ref = ps.anchor_module(defn)
    air_area = ps.air_area_mm2(ref)
    air_thr = max(10.0, 0.3 * air_area) if air_area else 10.0
    obs_air = (feats.air_mm2 > air_thr) & feats.inside
    obs_high = (feats.high_mm2 > 20.0) & feats.inside
    cands: list[tuple[float, int]] = []   # (origin, priority: untruncated run centre first)
    for flags, key in ((obs_air, 0), (obs_high, 1)):
        for a, b in _runs(flags):
            centre, lo, hi = (pos[a] + pos[b]) / 2, pos[a], pos[b]
            whole = a > 0 and b < len(pos) - 1
            for m in defn["modules"]:
                if ps.features(defn, m)[key]:
                    half = float(m["length_mm"]) / 2
                    cands += [(centre - m["z_mm"], 2 if whole else 0),
                              (lo + half - thk / 2 - m["z_mm"], 1 if a > 0 else 0),
                              (hi - half + thk / 2 - m["z_mm"], 1 if b < len(pos) - 1 else 0)]
    if not cands:  # featureless: a uniform section only; tie it to the uniformity module
        unif = ps.modules_of(defn, "uniformity")
        mid = float(np.median(pos[feats.inside])) if feats.inside.any() else float(np.median(pos))
        return (mid - float(unif[0]["z_mm"]) if unif else mid), (0.5 if unif else 0.0)
    best: dict[float, int] = {}
    for c, prio in cands:
        zk = round(c * 2) / 2
        best[zk] = max(best.get(zk, 0), prio)
    scored = sorted(((round(_z_score(defn, pos, obs_air, obs_high, feats.inside, c, feats.high_mm2), 6),
                      prio, c) for c, prio in best.items()), reverse=True)
    best_score, _, origin = scored[0]
    # refine with the area-weighted centre of the reference module's air run
    if air_area:
        near = np.abs(pos - origin - float(ref["z_mm"])) <= float(ref["length_mm"]) / 2 + thk
        w = np.where(near & obs_air, feats.air_mm2, 0.0)
        if w.sum() > 0:
            idx = np.nonzero(w)[0]
            touches_end = idx[0] == 0 or idx[-1] == len(pos) - 1
            if not touches_end:
                origin = float((w * pos).sum() / w.sum()) - float(ref["z_mm"])
    return float(origin), float(best_score)


def outline_circle(img: np.ndarray) -> tuple[float, float, float]:
    """(cx, cy, r) px of the phantom's outer contour (least-squares circle, 2 passes)."""
    body = (img > BODY_HU).astype(np.uint8)
    contours, _ = cv2.findContours(body, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise InputRejected("no phantom found in the images (nothing above -500 HU)")
    pts = max(contours, key=cv2.contourArea)[:, 0, :].astype(float)
    for _ in range(2):
        x, y = pts[:, 0], pts[:, 1]
        a = np.c_[2 * x, 2 * y, np.ones_like(x)]
        sol, *_ = np.linalg.lstsq(a, x * x + y * y, rcond=None)
        cx, cy = sol[0], sol[1]
        r = math.sqrt(max(sol[2] + cx * cx + cy * cy, 0.0))
        d = np.hypot(x - cx, y - cy)
        keep = np.abs(d - r) < max(2.0, 3 * np.median(np.abs(d - r)))
        if keep.sum() < 10 or keep.all():
            break
        pts = pts[keep]
    return float(cx), float(cy), float(r + 0.5)


def fit_centre_line(vol: np.ndarray, pos: np.ndarray, inside: np.ndarray, origin_z: float,
                    ) -> tuple[tuple[float, float], tuple[float, float], float]:
    idx = np.nonzero(inside)[0]
    if len(idx) == 0:
        raise InputRejected("no slice contains the whole phantom cross-section",
                            remedy="Check the scan range and the field of view (phantom fully inside).")
    pick = np.unique(np.linspace(idx[0], idx[-1], min(5, len(idx))).round().astype(int))
    fits = np.array([outline_circle(vol[i]) for i in pick])
    z = pos[pick]
    if len(pick) >= 3 and np.ptp(z) > 20:
        A = np.c_[np.ones_like(z), z - origin_z]
        cxs, *_ = np.linalg.lstsq(A, fits[:, 0], rcond=None)
        cys, *_ = np.linalg.lstsq(A, fits[:, 1], rcond=None)
        return (float(cxs[0]), float(cys[0])), (float(cxs[1]), float(cys[1])), float(np.median(fits[:, 2]))
    return ((float(np.mean(fits[:, 0])), float(np.mean(fits[:, 1]))), (0.0, 0.0),
            float(np.median(fits[:, 2])))


def ring_items(m: dict) -> list[dict]:
    return [i for i in m["inserts"] if "angle_deg" in i]


def estimate_roll(img: np.ndarray, cx: float, cy: float, pixel_mm: float, m: dict,
                  max_roll: float = 180.0) -> tuple[float, float]:
    """Roll (deg) and normalised correlation (0..1) from the module's insert ring."""
    items = ring_items(m)
    if len(items) < 2:
        return 0.0, 0.0
    r_mm = float(np.median([i["radius_mm"] for i in items]))
    d_mm = float(np.median([i["diameter_mm"] for i in items]))
    n_t = 720
    r0, r1 = (r_mm - d_mm / 4) / pixel_mm, (r_mm + d_mm / 4) / pixel_mm
    pol = polar(img, cx, cy, r1, int(max(4, r1)), n_t)
    radii = (np.arange(pol.shape[1]) + 0.5) * r1 / pol.shape[1]
    band = pol[:, radii >= r0]
    obs = np.nanmean(band, axis=1) - float(m["background_hu"])
    obs = np.nan_to_num(np.clip(obs, -1100, 1100))
    theta = np.arange(n_t) * 360.0 / n_t
    tmpl = np.zeros(n_t)
    for i in items:
        half = math.degrees(math.asin(min(1.0, i["diameter_mm"] / 2 / i["radius_mm"]))) * 0.8
        dist = (theta - float(i["angle_deg"]) + 180) % 360 - 180
        tmpl[np.abs(dist) <= half] = float(i["nominal_hu"]) - float(m["background_hu"])
    corr = np.real(np.fft.ifft(np.fft.fft(obs) * np.conj(np.fft.fft(tmpl))))
    shifts = (np.arange(n_t) * 360.0 / n_t + 180) % 360 - 180
    allowed = np.abs(shifts) <= max_roll
    k = int(np.argmax(np.where(allowed, corr, -np.inf)))
    c0, c1, c2 = corr[k - 1], corr[k], corr[(k + 1) % n_t]
    den = c0 - 2 * c1 + c2
    frac = 0.5 * (c0 - c2) / den if den < 0 else 0.0
    roll = shifts[k] + frac * 360.0 / n_t
    norm = float(np.linalg.norm(obs) * np.linalg.norm(tmpl)) or 1.0
    return float(roll), float(max(0.0, c1 / norm))


def module_slice(pos: np.ndarray, z_mm: float, length_mm: float) -> int | None:
    """Nearest slice to a module centre, or None when the module lies outside the series."""
    i = int(np.argmin(np.abs(pos - z_mm)))
    return i if abs(pos[i] - z_mm) <= 0.35 * length_mm else None


def slab(pos: np.ndarray, z_mm: float, half_mm: float) -> np.ndarray:
    """Indices of slices within +/- half_mm of z (at least the nearest one)."""
    idx = np.nonzero(np.abs(pos - z_mm) <= half_mm)[0]
    return idx if len(idx) else np.array([int(np.argmin(np.abs(pos - z_mm)))])


def insert_rms(img: np.ndarray, cx: float, cy: float, pixel_mm: float, m: dict,
               roll: float) -> tuple[float, float]:
    """RMS of the inserts' CT numbers against nominal, and the same after a linear fit
    (measured vs nominal): the second is blind to the scanner's calibration (an offset or
    scale is a CT-number finding, not a sign of a misplaced phantom)."""
    from app.ct.analysis.roi import circle_stats
    nom, meas = [], []
    for i in ring_items(m):
        ix, iy = ps.insert_xy(i, roll)
        mean, _ = circle_stats(img, cx + ix / pixel_mm, cy + iy / pixel_mm,
                               0.3 * i["diameter_mm"] / pixel_mm)
        nom.append(float(i["nominal_hu"]))
        meas.append(mean)
    x, y = np.array(nom), np.array(meas)
    ok = np.isfinite(y)
    if not ok.any():
        return math.nan, math.nan
    rms = float(np.sqrt(np.mean(np.square(y[ok] - x[ok]))))
    if ok.sum() < 4 or np.ptp(x[ok]) <= 0:
        return rms, rms
    # bilinear in the nominal (hinged at water): a calibration, or a direct-density
    # reconstruction's HU -> density curve, leaves no residual; a misplaced ring does
    x, y = x[ok], y[ok]
    A = np.c_[np.ones_like(x), np.minimum(x, 0.0), np.maximum(x, 0.0)]
    if (x < 0).sum() < 2 or (x > 0).sum() < 2:
        A = A[:, :2] if (x < 0).sum() >= 2 else A[:, [0, 2]]
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    slope = float(np.mean(np.abs(coef[1:])))
    fit = float(np.sqrt(np.mean(np.square(y - A @ coef))) / max(slope, 0.2))
    return rms, fit


def place(vol: np.ndarray, pos: np.ndarray, pixel_mm: float, thk: float, defn: dict,
          max_roll: float = 180.0, cache: dict | None = None) -> Placement:
    """Place one definition. ``cache`` shares definition-independent work between calls."""
    cache = {} if cache is None else cache
    bg = float(defn["background_hu"])
    radius_mm = float(defn["diameter_mm"]) / 2
    key: tuple = ("features", bg, radius_mm)
    if key not in cache:
        cache[key] = slice_features(vol, pixel_mm, bg, radius_mm)
    feats = cache[key]
    origin, zscore = locate_z(defn, pos, feats, thk)
    key = ("centre", radius_mm)
    if key not in cache:
        cache[key] = fit_centre_line(vol, pos, feats.inside, 0.0)
    c0, drift, rpx = cache[key]
    c0 = (c0[0] + drift[0] * origin, c0[1] + drift[1] * origin)
    pl = Placement(defn, origin, c0, drift, rpx, z_score=zscore)
    for m in defn["modules"]:
        i = module_slice(pos, origin + float(m["z_mm"]), float(m["length_mm"]))
        if i is None:
            pl.missing.append(m["id"])
        else:
            pl.module_slices[m["id"]] = i
    ref = ps.roll_module(defn)
    if ref is not None and ref["id"] in pl.module_slices:
        z_ref = origin + float(ref["z_mm"])
        idx = slab(pos, z_ref, min(2.0, float(ref["length_mm"]) / 4))
        img = vol[idx].mean(axis=0)
        cx, cy = pl.centre_at(z_ref)
        pl.roll_deg, pl.roll_score = estimate_roll(img, cx, cy, pixel_mm, ref, max_roll)
        pl.insert_rms_hu, pl.insert_fit_rms_hu = insert_rms(img, cx, cy, pixel_mm, ref, pl.roll_deg)
    return pl


MODULE_BODY_TOL_HU = 25.0   # body reading this far from the definition halves the confidence


def module_confidence(vol: np.ndarray, pos: np.ndarray, pixel_mm: float, pl: Placement) -> dict[str, float]:
    """Per module found: how well the image matches the definition there - the body CT
    number in a central 15 mm disc (median, robust to a bead or a streak) against the
    module's nominal background, and for the roll module the inserts' RMS error."""
    from app.ct.analysis.roi import circle_values
    devs = {}
    for m in pl.defn["modules"]:
        if m["id"] not in pl.module_slices:
            continue
        z = pl.origin_z_mm + float(m["z_mm"])
        idx = slab(pos, z, 2.0)
        cx, cy = pl.centre_at(z)
        v = circle_values(vol[idx], cx, cy, 15.0 / pixel_mm)
        devs[m["id"]] = float(np.median(v)) - float(m["background_hu"]) if v.size else math.nan
    # a calibration offset moves every module's body alike: judge each module against
    # the others (the median deviation taken out) when there are three or more
    finite = [d for d in devs.values() if math.isfinite(d)]
    common = float(np.median(finite)) if len(finite) >= 3 else 0.0
    out = {}
    for m in pl.defn["modules"]:
        if m["id"] not in devs:
            continue
        d = devs[m["id"]] - common
        c = 1.0 / (1.0 + (d / MODULE_BODY_TOL_HU) ** 2) if math.isfinite(d) else 0.0
        if m is ps.roll_module(pl.defn) and not math.isnan(pl.insert_fit_rms_hu):
            c *= 1.0 / (1.0 + (pl.insert_fit_rms_hu / 60.0) ** 2)
        out[m["id"]] = round(float(c), 3)
    return out


def confidence(pl: Placement) -> float:
    rad_ok = 1.0
    c = pl.z_score * (0.5 + 0.5 * min(1.0, pl.roll_score * 2)) * rad_ok
    if not math.isnan(pl.insert_fit_rms_hu):
        c *= 1.0 / (1.0 + (pl.insert_fit_rms_hu / 60.0) ** 2)
    return float(max(0.0, min(1.0, c)))


def auto_place(vol: np.ndarray, pos: np.ndarray, pixel_mm: float, thk: float,
               names: list[str], cache: dict | None = None, calibrated: bool = True) -> Placement:
    """Try each known definition; the best z signature, outline and insert match wins.
    ``calibrated`` False (values not HU, an HU-equivalent scale): the inserts are matched
    after the bilinear fit to nominal, not by their absolute values."""
    cache = {} if cache is None else cache
    best, best_cost, errors = None, math.inf, []
    for name in names:
        defn = ps.load(name)
        try:
            pl = place(vol, pos, pixel_mm, thk, defn, cache=cache)
        except InputRejected as exc:
            errors.append(f"{name}: {exc.message}")
            continue
        r_err = abs(pl.radius_px * pixel_mm - float(defn["diameter_mm"]) / 2) / (float(defn["diameter_mm"]) / 2)
        if r_err > 0.08:
            continue
        rms = pl.insert_rms_hu if calibrated else pl.insert_fit_rms_hu
        rms = 150.0 if math.isnan(rms) else rms
        cost = (1.0 - pl.z_score) * 200.0 + min(rms, 300.0) + 20.0 * len(pl.missing)
        if cost < best_cost:
            best, best_cost = pl, cost
    if best is None:
        raise InputRejected("no known phantom matches the images"
                            + (f" ({'; '.join(errors)})" if errors else ""),
                            remedy="Name the phantom with --phantom or add its definition file.")
    return best
