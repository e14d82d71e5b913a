"""Kernels (as MTFs), noise (as NPSs) and image artifacts for the third renderer (renderer_r3).

Everything here is a function of spatial frequency rho (cycles/mm) or of image coordinates
(mm); nothing is fitted to any other renderer or to the foreign sample.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Kernel:
    """Reconstruction kernel given as its MTF.

    kind: 'gauss' (PSF sigma_mm), 'standard' (super-Gaussian exp(-ln2 (rho/f50)^p)),
    'sharp' (the same, higher f50), 'edge' (standard x (1 + boost * bump at f_peak, 0 at rho = 0): the
    MTF rises above 1 at mid frequencies, so edges overshoot, and is 1 at rho = 0)."""
    kind: str = "standard"
    f50: float = 0.45           # lp/mm where a super-Gaussian MTF is 0.5
    p: float = 1.7
    sigma_mm: float = 0.4       # for 'gauss'
    boost: float = 0.45         # for 'edge'
    f_peak: float = 0.32
    f_width: float = 0.14
    name: str = "R3_STD"

    def mtf(self, rho: np.ndarray) -> np.ndarray:
        if self.kind == "gauss":
            return np.exp(-2.0 * (math.pi * self.sigma_mm * rho) ** 2)
        base = np.exp(-math.log(2.0) * (rho / self.f50) ** self.p)
        if self.kind == "edge":
            # the bump vanishes at rho = 0 (quadratically, so the PSF has no long tail): a
            # reconstruction kernel keeps the CT number of a large uniform region (MTF(0) = 1,
            # what the scanner's calibration is made with). A wide bump read as is lifted the
            # MTF near 0 by up to 20 %: a CT-number shift of the whole slice (air moved by
            # -1 to -7 HU), not a kernel.
            bump = np.exp(-(((rho - self.f_peak) / self.f_width) ** 2)) * \
                (1.0 - np.exp(-((2.0 * rho / self.f_peak) ** 2)))
            base = base * (1.0 + self.boost * bump)
        elif self.kind not in ("standard", "sharp"):
            raise ValueError(f"unknown kernel kind {self.kind!r}")
        return base

    def mtf50(self) -> float:
        rho = np.linspace(0.0, 3.0, 30001)
        m = self.mtf(rho)
        below = np.nonzero(m < 0.5)[0]
        return float(rho[below[0]]) if below.size else float("nan")


KERNELS = {
    "standard": Kernel(),
    "smooth": Kernel(kind="gauss", sigma_mm=0.55, name="R3_SOFT"),
    "sharp": Kernel(kind="sharp", f50=0.62, p=1.9, name="R3_SHARP"),
    "edge": Kernel(kind="edge", f50=0.50, p=1.8, name="R3_EDGE"),
}


def noise_field(shape: tuple[int, int], px: float, sd: float, kernel: Kernel, rng: np.random.Generator,
                lf_fraction: float = 0.0, lf_scale_mm: float = 25.0, centre_gain: float = 0.0,
                centre_xy_mm: tuple[float, float] = (0.0, 0.0), radius_mm: float = 100.0) -> np.ndarray:
    """Correlated noise with NPS = |rho| x MTF_kernel(rho)^2 (filtered back projection: ramp x
    apodisation), pixel SD = sd in expectation; lf_fraction of the variance optionally in a
    low-frequency Gaussian-NPS component (correlation length lf_scale_mm); centre_gain > 0
    makes the noise that much higher at the phantom centre than at its edge (as FBP noise in
    a cylinder)."""
    if sd <= 0:
        return np.zeros(shape, dtype=np.float64)
    ny, nx = shape
    fy = np.fft.fftfreq(ny, d=px)[:, None]
    fx = np.fft.fftfreq(nx, d=px)[None, :]
    rho = np.hypot(fx, fy)
    h = np.sqrt(rho) * kernel.mtf(rho)
    h /= math.sqrt(float(np.mean(h ** 2)))          # unit expected variance per pixel
    white = rng.standard_normal(shape)
    field = np.fft.ifft2(np.fft.fft2(white) * h).real
    if lf_fraction > 0:
        g = np.exp(-((rho * lf_scale_mm) ** 2))
        g /= math.sqrt(float(np.mean(g ** 2)))
        lf = np.fft.ifft2(np.fft.fft2(rng.standard_normal(shape)) * g).real
        field = math.sqrt(1.0 - lf_fraction) * field + math.sqrt(lf_fraction) * lf
    field *= sd
    if centre_gain:
        x, y = coords(shape, px)
        r = np.hypot(x - centre_xy_mm[0], y - centre_xy_mm[1]) / radius_mm
        field *= 1.0 + centre_gain * np.clip(1.0 - r ** 2, 0.0, 1.0)
        field /= 1.0 + centre_gain / 2.0                    # keep the phantom-average SD near sd
    return field


def coords(shape: tuple[int, int], px: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (mm) about the image centre, as DICOM places them."""
    ny, nx = shape
    x = (np.arange(nx) - (nx - 1) / 2.0) * px
    y = (np.arange(ny) - (ny - 1) / 2.0) * px
    return x[None, :], y[:, None]


def ring(shape, px, amp, radius_mm, width_mm, centre=(0.0, 0.0), arc_deg=None, arc_centre_deg=0.0):
    """A ring (Gaussian radial profile, sigma width_mm, peak amp HU) about `centre` (the
    rotation centre); arc_deg limits it to a partial ring with soft ends."""
    x, y = coords(shape, px)
    r = np.hypot(x - centre[0], y - centre[1])
    out = amp * np.exp(-0.5 * ((r - radius_mm) / width_mm) ** 2)
    if arc_deg is not None:
        ang = np.degrees(np.arctan2(y - centre[1], x - centre[0]))
        d = np.abs((ang - arc_centre_deg + 180.0) % 360.0 - 180.0)
        taper = np.clip((arc_deg / 2.0 - d) / 8.0 + 0.5, 0.0, 1.0)
        out = out * taper
    return out


def streak(shape, px, amp, angle_deg, width_mm, through=(0.0, 0.0), flank=0.0):
    """A straight streak across the whole image through `through` at angle_deg (from +x towards
    +y), Gaussian cross profile (sigma width_mm); flank > 0 adds dark side lobes (amp*flank)
    as filtered back projection leaves them."""
    x, y = coords(shape, px)
    a = math.radians(angle_deg)
    d = -(x - through[0]) * math.sin(a) + (y - through[1]) * math.cos(a)
    out = amp * np.exp(-0.5 * (d / width_mm) ** 2)
    if flank:
        out -= amp * flank * (np.exp(-0.5 * ((d - 3 * width_mm) / (1.5 * width_mm)) ** 2)
                              + np.exp(-0.5 * ((d + 3 * width_mm) / (1.5 * width_mm)) ** 2))
    return out


def cupping(shape, px, depth_hu, centre=(0.0, 0.0), radius_mm=100.0):
    """Beam-hardening cupping: -depth at the phantom centre, 0 at its edge (parabolic)."""
    x, y = coords(shape, px)
    r2 = ((x - centre[0]) ** 2 + (y - centre[1]) ** 2) / radius_mm ** 2
    return -depth_hu * np.clip(1.0 - r2, 0.0, 1.0)
