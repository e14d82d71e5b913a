"""Small, vectorised ROI helpers (circles, annuli, polar sampling) on HU images."""
from __future__ import annotations

import math

import cv2
import numpy as np


def crop(img: np.ndarray, cx: float, cy: float, half: int) -> tuple[np.ndarray, int, int]:
    """Crop ``img[..., y, x]`` around (cx, cy) with half-size ``half`` (clipped to the image).

    Returns (crop, x0, y0) with the crop's top-left index.
    """
    h, w = img.shape[-2:]
    x0, y0 = max(0, int(round(cx)) - half), max(0, int(round(cy)) - half)
    x1, y1 = min(w, int(round(cx)) + half + 1), min(h, int(round(cy)) + half + 1)
    return img[..., y0:y1, x0:x1], x0, y0


def disc_mask(shape: tuple[int, int], cx: float, cy: float, r: float,
              r_in: float = 0.0) -> np.ndarray:
    yy, xx = np.ogrid[:shape[0], :shape[1]]
    d2 = (xx - cx) ** 2 + (yy - cy) ** 2
    m = d2 <= r * r
    if r_in > 0:
        m &= d2 >= r_in * r_in
    return m


def circle_values(img: np.ndarray, cx: float, cy: float, r: float,
                  r_in: float = 0.0) -> np.ndarray:
    """Pixel values inside a circle (or annulus) of ``img`` (2-D or a stack z, y, x)."""
    c, x0, y0 = crop(img, cx, cy, int(math.ceil(r)) + 1)
    m = disc_mask(c.shape[-2:], cx - x0, cy - y0, r, r_in)
    return c[..., m]


def circle_stats(img: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float]:
    """Mean and SD inside a circle. For a stack the SD is the mean of per-slice SDs."""
    v = circle_values(img, cx, cy, r)
    if v.size == 0:
        return math.nan, math.nan
    if np.isnan(v).any():   # pixels left out (a streak crosses the ROI)
        if not np.isfinite(v).any():
            return math.nan, math.nan
        if v.ndim == 2:
            return float(np.nanmean(v)), float(np.nanmean(np.nanstd(v, axis=1, ddof=1)))
        return float(np.nanmean(v)), float(np.nanstd(v, ddof=1))
    if v.ndim == 2:
        return float(v.mean()), float(np.mean(v.std(axis=1, ddof=1)))
    return float(v.mean()), float(v.std(ddof=1))


def polar(img: np.ndarray, cx: float, cy: float, r_max: float, n_r: int, n_theta: int,
          ) -> np.ndarray:
    """Polar resampling (bilinear): rows = angle (0..360 deg from +x towards +y), cols = radius.

    Radius bins are ``(i + 0.5) * r_max / n_r``.
    """
    r = (np.arange(n_r, dtype=np.float32) + 0.5) * (r_max / n_r)
    t = np.arange(n_theta, dtype=np.float32) * np.float32(2 * np.pi / n_theta)
    mx = (cx + np.cos(t)[:, None] * r[None, :]).astype(np.float32)
    my = (cy + np.sin(t)[:, None] * r[None, :]).astype(np.float32)
    return cv2.remap(np.ascontiguousarray(img, dtype=np.float32), mx, my, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=float("nan"))


def sample_line(img: np.ndarray, p0: tuple[float, float], p1: tuple[float, float], n: int,
                width_px: float = 0.0, n_width: int = 1) -> np.ndarray:
    """Bilinear profile from p0 to p1 (x, y); averaged over ``n_width`` parallel lines."""
    x0, y0 = p0
    x1, y1 = p1
    s = np.linspace(0.0, 1.0, n, dtype=np.float32)
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    offs = np.linspace(-width_px / 2, width_px / 2, n_width) if n_width > 1 else np.zeros(1)
    mx = (x0 + dx * s[None, :] + nx * offs[:, None]).astype(np.float32)
    my = (y0 + dy * s[None, :] + ny * offs[:, None]).astype(np.float32)
    v = cv2.remap(np.ascontiguousarray(img, dtype=np.float32), mx, my, cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_REPLICATE)
    return v.mean(axis=0)


def fwhm(profile: np.ndarray, spacing: float = 1.0) -> tuple[float, float, int]:
    """Full width at half maximum with linear sub-sample interpolation.

    ``profile`` must be background-subtracted with a positive peak. Returns (fwhm,
    centre of the half-maximum interval, number of separate above-half runs) - more than
    one run means the profile is not a single peak.
    """
    p = np.asarray(profile, float)
    i = int(np.argmax(p))
    half = p[i] / 2.0
    above = p >= half
    runs = int(np.count_nonzero(np.diff(above.astype(np.int8)) == 1) + (1 if above[0] else 0))
    left = i
    while left > 0 and p[left - 1] >= half:
        left -= 1
    right = i
    while right < len(p) - 1 and p[right + 1] >= half:
        right += 1
    if left == 0 or right == len(p) - 1:
        return math.nan, i * spacing, runs
    xl = left - 1 + (half - p[left - 1]) / (p[left] - p[left - 1])
    xr = right + (p[right] - half) / (p[right] - p[right + 1])
    return float((xr - xl) * spacing), float((xl + xr) / 2 * spacing), runs


def crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """First x where the decreasing curve y falls below ``level`` (linear interpolation)."""
    below = np.nonzero(y < level)[0]
    if len(below) == 0:
        return math.nan
    i = int(below[0])
    if i == 0:
        return float(x[0])
    return float(x[i - 1] + (y[i - 1] - level) * (x[i] - x[i - 1]) / (y[i - 1] - y[i]))
