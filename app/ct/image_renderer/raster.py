"""Area-averaged (supersampled) rasterisation of analytic shapes on a pixel grid.

Every shape is an indicator (or weight) function of patient-plane coordinates in mm;
a pixel's value is the mean of that function over ``ss x ss`` sub-samples spread
evenly over the pixel's area, evaluated only inside the shape's bounding box.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Grid:
    n: int
    pixel_mm: float
    x0: float        # patient x (mm) of column 0's centre
    y0: float        # patient y (mm) of row 0's centre
    ss: int = 4

    def col(self, x_mm: float) -> float:
        return (x_mm - self.x0) / self.pixel_mm

    def row(self, y_mm: float) -> float:
        return (y_mm - self.y0) / self.pixel_mm

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        ax = np.arange(self.n) * self.pixel_mm
        return self.x0 + ax, self.y0 + ax


def add_shape(img: np.ndarray, grid: Grid, bbox_mm: tuple[float, float, float, float],
              value: float, fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
              ss: int | None = None) -> None:
    """img += value * (area fraction of each pixel where fn(x, y) holds / fn's mean weight).

    ``bbox_mm`` = (xmin, xmax, ymin, ymax) that contains the shape.
    """
    ss = ss or grid.ss
    xmin, xmax, ymin, ymax = bbox_mm
    c0 = max(0, int(math.floor(grid.col(xmin))) - 1)
    c1 = min(grid.n, int(math.ceil(grid.col(xmax))) + 2)
    r0 = max(0, int(math.floor(grid.row(ymin))) - 1)
    r1 = min(grid.n, int(math.ceil(grid.row(ymax))) + 2)
    if c1 <= c0 or r1 <= r0:
        return
    sub = (np.arange(ss) + 0.5) / ss - 0.5                    # sub-sample offsets, pixels
    cols = (np.arange(c0, c1)[:, None] + sub[None, :]).ravel()
    rows = (np.arange(r0, r1)[:, None] + sub[None, :]).ravel()
    x = (grid.x0 + cols * grid.pixel_mm)[None, :]
    y = (grid.y0 + rows * grid.pixel_mm)[:, None]
    w = np.asarray(fn(x, y), dtype=np.float64)
    w = np.broadcast_to(w, (len(rows), len(cols)))
    cov = w.reshape(r1 - r0, ss, c1 - c0, ss).mean(axis=(1, 3))
    img[r0:r1, c0:c1] += value * cov


def add_disc(img: np.ndarray, grid: Grid, cx: float, cy: float, r: float, value: float,
             ss: int | None = None) -> None:
    if value == 0 or r <= 0:
        return
    if r / grid.pixel_mm > 40:   # large disc: exact inside, sub-sampled only near the rim
        _add_big_disc(img, grid, cx, cy, r, value, ss or grid.ss)
        return
    add_shape(img, grid, (cx - r, cx + r, cy - r, cy + r), value,
              lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r, ss)


def _add_big_disc(img: np.ndarray, grid: Grid, cx: float, cy: float, r: float, value: float,
                  ss: int) -> None:
    xs, ys = grid.centres()
    d = np.hypot(xs[None, :] - cx, ys[:, None] - cy)
    margin = grid.pixel_mm * 0.75
    img[d <= r - margin] += value
    rim_r, rim_c = np.nonzero(np.abs(d - r) < margin)
    if len(rim_r) == 0:
        return
    sub = (np.arange(ss) + 0.5) / ss - 0.5
    sx = (xs[rim_c][:, None, None] + sub[None, None, :] * grid.pixel_mm)
    sy = (ys[rim_r][:, None, None] + sub[None, :, None] * grid.pixel_mm)
    inside = ((sx - cx) ** 2 + (sy - cy) ** 2 <= r * r).mean(axis=(1, 2))
    img[rim_r, rim_c] += value * inside


def add_rect(img: np.ndarray, grid: Grid, cx: float, cy: float, half_len: float, half_wid: float,
             angle_rad: float, value: float, ss: int | None = None) -> None:
    """A rectangle whose long axis (half_len) points along angle_rad."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    reach = math.hypot(half_len, half_wid)

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u = (x - cx) * c + (y - cy) * s
        v = -(x - cx) * s + (y - cy) * c
        return (np.abs(u) <= half_len) & (np.abs(v) <= half_wid)

    add_shape(img, grid, (cx - reach, cx + reach, cy - reach, cy + reach), value, inside, ss)


def add_wire_segment(img: np.ndarray, grid: Grid, cx: float, cy: float, along_rad: float,
                     s_lo: float, s_hi: float, half_wid: float, value: float,
                     weight: Callable[[np.ndarray], np.ndarray], ss: int | None = None) -> None:
    """A straight wire of width 2*half_wid along ``along_rad`` through (cx, cy) for s in
    [s_lo, s_hi], whose strength along s is ``value * weight(s)`` (slice-profile overlap)."""
    c, s = math.cos(along_rad), math.sin(along_rad)
    pts = [(cx + c * q, cy + s * q) for q in (s_lo, s_hi)]
    pad = half_wid + grid.pixel_mm
    bbox = (min(p[0] for p in pts) - pad, max(p[0] for p in pts) + pad,
            min(p[1] for p in pts) - pad, max(p[1] for p in pts) + pad)

    n_ss = max(ss or grid.ss, 8)
    cell = grid.pixel_mm / n_ss

    def fn(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u = (x - cx) * c + (y - cy) * s
        v = -(x - cx) * s + (y - cy) * c
        # a wire thinner than a sub-sample: each sub-sample cell holds the share of the
        # wire's cross-section that falls inside it (1-D box overlap across the wire)
        across = np.clip(np.minimum(v + cell / 2, half_wid) - np.maximum(v - cell / 2, -half_wid),
                         0.0, None) / cell
        on = (u >= s_lo) & (u <= s_hi)
        return np.where(on, across * weight(np.clip(u, s_lo, s_hi)), 0.0)

    add_shape(img, grid, bbox, value, fn, ss=n_ss)
