"""Analytic rendering of Gaussian-blurred primitives, point-sampled at pixel centres.

Every primitive is rendered as (indicator of the object) convolved with an isotropic
Gaussian PSF of ``sigma`` mm and sampled at the pixel centres, so the image's presampled
MTF is exactly exp(-2 pi^2 sigma^2 f^2): rectangles are exact (the Gaussian is separable
in any rotated frame); discs use the non-central chi-square law (exact) when small and a
curvature-corrected normal approximation (error < 5e-4 of the contrast) when large.
Only a bounding box (object + 6 sigma) is touched. All coordinates are mm.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr
from scipy.stats import ncx2

_REACH = 6.0          # sigmas beyond which the blurred edge is 0 or 1
_EXACT_DISC_LIMIT = 30.0  # R/sigma below which the exact chi-square law is used


@dataclass(frozen=True)
class Grid:
    """Pixel-centre coordinates: x of column j = x0 + j*pixel_mm, y of row i likewise."""

    nx: int
    ny: int
    pixel_mm: float
    x0: float
    y0: float

    @property
    def xs(self) -> np.ndarray:
        return self.x0 + np.arange(self.nx) * self.pixel_mm

    @property
    def ys(self) -> np.ndarray:
        return self.y0 + np.arange(self.ny) * self.pixel_mm

    def box(self, xmin: float, xmax: float, ymin: float, ymax: float) -> tuple[slice, slice] | None:
        """Index slices (rows, cols) covering the mm box, or None if outside."""
        p = self.pixel_mm
        j0 = max(0, int(math.floor((xmin - self.x0) / p)))
        j1 = min(self.nx, int(math.ceil((xmax - self.x0) / p)) + 1)
        i0 = max(0, int(math.floor((ymin - self.y0) / p)))
        i1 = min(self.ny, int(math.ceil((ymax - self.y0) / p)) + 1)
        if j0 >= j1 or i0 >= i1:
            return None
        return slice(i0, i1), slice(j0, j1)

    def coords(self, rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray]:
        x = (self.x0 + np.arange(cols.start, cols.stop) * self.pixel_mm)[None, :]
        y = (self.y0 + np.arange(rows.start, rows.stop) * self.pixel_mm)[:, None]
        return x, y


def blurred_disc(r: np.ndarray, radius: float, sigma: float) -> np.ndarray:
    """Value of a unit disc blurred by a 2-D Gaussian, at distance ``r`` from its centre."""
    out = np.zeros(r.shape, dtype=np.float64)
    inside = r < radius - _REACH * sigma
    out[inside] = 1.0
    band = ~inside & (r < radius + _REACH * sigma)
    rb = r[band]
    if radius / sigma < _EXACT_DISC_LIMIT:
        out[band] = ncx2.cdf((radius / sigma) ** 2, 2, (rb / sigma) ** 2)
    else:
        out[band] = ndtr((radius - np.sqrt(rb * rb + sigma * sigma)) / sigma)
    return out


def add_disc(img: np.ndarray, grid: Grid, cx: float, cy: float, radius: float,
             value: float, sigma: float) -> None:
    reach = radius + _REACH * sigma
    b = grid.box(cx - reach, cx + reach, cy - reach, cy + reach)
    if b is None or value == 0:
        return
    x, y = grid.coords(*b)
    r = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
    img[b] += (value * blurred_disc(r, radius, sigma)).astype(img.dtype)


def _edge_pair(u: np.ndarray, half: float, sigma: float) -> np.ndarray:
    return ndtr((u + half) / sigma) - ndtr((u - half) / sigma)


def add_rect(img: np.ndarray, grid: Grid, cx: float, cy: float, half_u: float,
             half_v: float, angle_rad: float, value: float, sigma: float) -> None:
    """Rectangle with half-lengths ``half_u`` along direction ``angle_rad`` and ``half_v``
    across it, blurred exactly (separable Gaussian in the rotated frame)."""
    reach = math.hypot(half_u, half_v) + _REACH * sigma
    b = grid.box(cx - reach, cx + reach, cy - reach, cy + reach)
    if b is None or value == 0:
        return
    x, y = grid.coords(*b)
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    u = (x - cx) * c + (y - cy) * s
    v = -(x - cx) * s + (y - cy) * c
    img[b] += (value * _edge_pair(u, half_u, sigma) * _edge_pair(v, half_v, sigma)).astype(img.dtype)


def add_point(img: np.ndarray, grid: Grid, cx: float, cy: float, mass: float,
              sigma: float) -> None:
    """A point of integrated contrast ``mass`` (HU*mm^2) blurred by a Gaussian of ``sigma``."""
    reach = _REACH * sigma
    b = grid.box(cx - reach, cx + reach, cy - reach, cy + reach)
    if b is None or mass == 0:
        return
    x, y = grid.coords(*b)
    r2 = (x - cx) ** 2 + (y - cy) ** 2
    img[b] += (mass / (2 * math.pi * sigma * sigma) * np.exp(-r2 / (2 * sigma * sigma))
               ).astype(img.dtype)


def add_profiled_strip(img: np.ndarray, grid: Grid, cx: float, cy: float, angle_rad: float,
                       s_axis: np.ndarray, a_profile: np.ndarray, half_width: float,
                       value: float, sigma: float) -> None:
    """A thin strip along ``angle_rad`` through (cx, cy) whose strength along the strip
    follows ``a_profile`` sampled at ``s_axis`` (mm, uniform). The profile is blurred along
    the strip numerically and across it exactly (separable)."""
    if value == 0 or not np.any(a_profile):
        return
    ds = float(s_axis[1] - s_axis[0])
    k = np.arange(-int(math.ceil(_REACH * sigma / ds)), int(math.ceil(_REACH * sigma / ds)) + 1)
    kernel = np.exp(-0.5 * (k * ds / sigma) ** 2)
    kernel /= kernel.sum()
    pad = len(k)
    a_pad = np.concatenate([np.zeros(pad), a_profile, np.zeros(pad)])
    s_pad = s_axis[0] + (np.arange(len(a_pad)) - pad) * ds
    blurred = np.convolve(a_pad, kernel, mode="same")
    nz = np.nonzero(blurred > 1e-9 * blurred.max())[0]
    s_lo, s_hi = s_pad[nz[0]], s_pad[nz[-1]]
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    ends = [(cx + c * s_lo, cy + s * s_lo), (cx + c * s_hi, cy + s * s_hi)]
    reach = half_width + _REACH * sigma
    b = grid.box(min(e[0] for e in ends) - reach, max(e[0] for e in ends) + reach,
                 min(e[1] for e in ends) - reach, max(e[1] for e in ends) + reach)
    if b is None:
        return
    x, y = grid.coords(*b)
    u = (x - cx) * c + (y - cy) * s
    v = -(x - cx) * s + (y - cy) * c
    along = np.interp(u, s_pad, blurred, left=0.0, right=0.0)
    img[b] += (value * along * _edge_pair(v, half_width, sigma)).astype(img.dtype)
