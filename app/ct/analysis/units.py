"""What the pixel values of a series are, read from the image itself.

A CT series is normally in Hounsfield units (air -1000, water 0). Some are not: direct-
density or linear-attenuation reconstructions, or an export whose rescale slope /
intercept is off. The phantom is still there and still measurable, but thresholds in HU
do not find it and CT-number limits in HU do not apply.

``estimate`` splits a sample of the volume into its two big populations - the air around
the phantom and the phantom body - by Otsu's threshold on the histogram, and takes each
level as the median of its class (the body level from the values near the body mode:
inserts, shell and streaks are small populations). When the levels are those of HU
(air near -1000, body near 0) and the header does not name other units, nothing changes.
Otherwise the analysis runs on an HU-equivalent copy: a linear map that puts air at -1000
and the body at its nominal CT number (first water, refined on the located module's
body), so every threshold and artifact amplitude is relative to the image's own
air-to-body contrast. CT-number checks (absolute values against nominal) are then not
applicable and say why; noise, uniformity, artifacts, resolution, slice thickness and
geometry are measured as on any series.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from app.core.errors import InputRejected
from app.ct.note_codes import coded, note

HU_AIR_TOL = 200.0       # air within -1000 +/- this and body within 0 +/- this: HU
HU_BODY_TOL = 200.0
HU_UNITS = ("", "HU")    # RescaleType values that mean Hounsfield units (absent: assume HU)
MAX_SAMPLES = 150_000
SEPARATION = 6.0         # air-to-body gap in units of the two classes' spread (CT: ~30)


@dataclass(frozen=True)
class ValueScale:
    """Native pixel values -> HU-equivalent: ``hu = slope * value + intercept``."""

    air: float                 # native value of air around the phantom
    body: float                # native value of the phantom body
    is_hu: bool
    slope: float = 1.0
    intercept: float = 0.0
    rescale_type: str = ""
    reason: str = ""           # why the values are not HU ('' when they are)

    def to_hu(self, vol: np.ndarray) -> np.ndarray:
        out = np.asarray(vol, dtype=np.float32) * np.float32(self.slope)
        out += np.float32(self.intercept)
        return out

    def as_dict(self) -> dict[str, object]:
        def num(v: float) -> float | None:
            return round(v, 6) if math.isfinite(v) else None   # JSON: null, never NaN

        d: dict[str, object] = {"units": "HU" if self.is_hu else "not HU", "air": num(self.air), "body": num(self.body)}
        if self.rescale_type:
            d["rescale_type"] = self.rescale_type
        if not self.is_hu:
            d["hu_equivalent"] = {"slope": float(f"{self.slope:.6g}"),
                                  "intercept": round(self.intercept, 4)}
            d["reason"] = self.reason
        return d

    @property
    def note(self) -> str:
        return note("scale.not_hu", reason=self.reason, slope=float(self.slope),
                    intercept=float(self.intercept))


def _otsu(values: np.ndarray) -> float:
    lo, hi = np.percentile(values, [0.1, 99.9])
    if not hi > lo:
        raise InputRejected("the images are uniform (no phantom against air)")
    hist, edges = np.histogram(values, bins=512, range=(lo, hi))
    p = hist.astype(float) / max(hist.sum(), 1)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(p)
    m0 = np.cumsum(p * centres)
    mt = m0[-1]
    w1 = 1.0 - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w0 - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = -1.0
    return float(centres[int(np.argmax(between))])


def _sample(vol: np.ndarray) -> np.ndarray:
    """Values inside the inscribed disc of the image (corners outside the reconstruction
    circle may hold padding), on a sparse grid of every few slices."""
    n, h, w = vol.shape
    step = max(1, int(round(min(h, w) / 128)))
    zstep = max(1, int(math.ceil(n * (h // step) * (w // step) / MAX_SAMPLES)))
    ds = vol[::zstep, ::step, ::step]
    yy, xx = np.mgrid[:ds.shape[1], :ds.shape[2]]
    cy, cx = (ds.shape[1] - 1) / 2, (ds.shape[2] - 1) / 2
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= (0.48 * min(ds.shape[1:])) ** 2
    v = ds[:, disc].ravel()
    return v[np.isfinite(v)].astype(np.float64)


def estimate(vol: np.ndarray, rescale_type: str | None = None) -> ValueScale:
    """Air and body levels of the volume and whether its values are HU."""
    v = _sample(vol)
    if v.size < 100:
        raise InputRejected("too few pixels to tell the phantom from air")
    thr = _otsu(v)
    low, high = v[v < thr], v[v >= thr]
    if low.size < 0.02 * v.size or high.size < 0.02 * v.size:
        raise InputRejected("no phantom against air in the images (one population of values only)",
                            remedy="Check the field of view: the phantom must lie inside it with air around.")
    air = float(np.median(low))
    # body: the median of the values near the upper class's mode (inserts, shell, streaks
    # and partial-volume edges are small populations around it)
    hist, edges = np.histogram(high, bins=256)
    mode = float((edges[int(np.argmax(hist))] + edges[int(np.argmax(hist)) + 1]) / 2)
    gap = mode - air
    near = high[np.abs(high - mode) <= 0.15 * gap]
    body = float(np.median(near)) if near.size else mode
    spread = 1.4826 * (float(np.median(np.abs(low - air))) + float(np.median(np.abs(near - body))))
    if not body - air > SEPARATION * spread:
        raise InputRejected("no phantom against air in the images (the values form no two distinct "
                            "populations)", remedy="Check that the series shows the phantom.")
    rt = (rescale_type or "").strip().upper()
    why = []
    if rt not in HU_UNITS:
        why.append(note("scale.rescale_type", rescale_type=rt))
    if abs(air + 1000.0) > HU_AIR_TOL or abs(body) > HU_BODY_TOL:
        why.append(note("scale.air_body", air=air, body=body))
    if not why:
        return ValueScale(air, body, True, rescale_type=rt)
    slope = 1000.0 / (body - air)
    return ValueScale(air, body, False, slope, -1000.0 - slope * air, rt,
                      coded("; ".join(why), "scale.reasons", parts=why))


def anchored(scale: ValueScale, measured_hu_eq: float, nominal_hu: float) -> tuple[ValueScale, float, float]:
    """Re-anchor the HU-equivalent map so that a body region reading ``measured_hu_eq``
    reads its ``nominal_hu`` (air stays at -1000). Returns the new scale and the factor /
    offset to apply to a volume already on the old HU-equivalent scale."""
    if scale.is_hu or not math.isfinite(measured_hu_eq) or measured_hu_eq <= -900.0:
        return scale, 1.0, 0.0
    k = (nominal_hu + 1000.0) / (measured_hu_eq + 1000.0)
    b = 1000.0 * (k - 1.0)                  # hu' = k * hu + b keeps -1000 at -1000
    return replace(scale, slope=scale.slope * k, intercept=scale.intercept * k + b), k, b


# measurements that are absolute CT numbers (judged against a nominal in HU)
ABSOLUTE_KEYS = ("ct_number.", "linearity.", "uniformity.centre", "uniformity.top",
                 "uniformity.right", "uniformity.bottom", "uniformity.left")


def is_absolute(key: str) -> bool:
    return any(key == k or (k.endswith(".") and key.startswith(k)) for k in ABSOLUTE_KEYS)
