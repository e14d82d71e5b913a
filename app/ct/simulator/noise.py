"""Correlated CT-like noise with a known noise power spectrum (NPS).

White Gaussian noise is filtered in the Fourier domain by H(f) with
|H(f)|^2 proportional to f * exp(-(f/a)^2) (zero at DC like filtered back-projection, a
peak at f_peak = a / sqrt(2)), normalised so the pixel SD is exactly ``sd``. The 2-D NPS
is then sd^2 * dx * dy * |H(f)|^2 / mean(|H|^2) (HU^2 mm^2).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from app.ct.simulator.params import NOISE_KERNELS


def _shape(f: np.ndarray, f_peak: float) -> np.ndarray:
    a = f_peak * math.sqrt(2.0)
    return f * np.exp(-(f / a) ** 2)


def nps_filter(ny: int, nx: int, pixel_mm: float, kernel: str) -> np.ndarray:
    """Amplitude filter on the rfft2 grid, normalised to unit mean power over the full grid."""
    f_peak = NOISE_KERNELS[kernel][0]
    fy = np.fft.fftfreq(ny, d=pixel_mm)[:, None]
    fx_full = np.fft.fftfreq(nx, d=pixel_mm)[None, :]
    power_full = _shape(np.sqrt(fy ** 2 + fx_full ** 2), f_peak)
    fx = np.fft.rfftfreq(nx, d=pixel_mm)[None, :]
    power = _shape(np.sqrt(fy ** 2 + fx ** 2), f_peak)
    return np.sqrt(power / power_full.mean()).astype(np.float32)


def add_noise(volume: np.ndarray, sd: float | np.ndarray, pixel_mm: float, kernel: str,
              rng: np.random.Generator, batch: int = 16) -> None:
    """Add filtered noise in place; ``sd`` is a scalar or one value per slice."""
    nz, ny, nx = volume.shape
    sds = np.broadcast_to(np.asarray(sd, dtype=np.float32), (nz,))
    if not np.any(sds > 0):
        return
    h = nps_filter(ny, nx, pixel_mm, kernel)
    for k0 in range(0, nz, batch):
        k1 = min(nz, k0 + batch)
        white = rng.standard_normal((k1 - k0, ny, nx), dtype=np.float32)
        spec = sfft.rfft2(white, workers=-1)
        spec *= h[None]
        noise = sfft.irfft2(spec, s=(ny, nx), workers=-1).astype(np.float32)
        volume[k0:k1] += noise * sds[k0:k1, None, None]


def nps_truth(sd: float, pixel_mm: float, kernel: str, n: int = 512) -> dict:
    """The radial 1-D NPS (HU^2 mm^2) on 0..Nyquist, its peak frequency and mean frequency."""
    f_peak = NOISE_KERNELS[kernel][0]
    fy = np.fft.fftfreq(n, d=pixel_mm)[:, None]
    fx = np.fft.fftfreq(n, d=pixel_mm)[None, :]
    norm = _shape(np.sqrt(fy ** 2 + fx ** 2), f_peak).mean()
    nyq = 0.5 / pixel_mm
    f = np.linspace(0.0, nyq, 257)
    nps = sd * sd * pixel_mm * pixel_mm * _shape(f, f_peak) / norm
    f_av = float(np.trapezoid(f * nps, f) / np.trapezoid(nps, f)) if sd > 0 else 0.0
    return {"kernel": kernel, "sd_hu": sd, "nps_f_peak_lp_mm": f_peak, "nps_f_av_lp_mm": f_av,
            "nps_freq_lp_mm": [round(float(v), 5) for v in f[::8]],
            "nps_hu2mm2": [round(float(v), 4) for v in nps[::8]],
            "formula": "NPS(f) ~ f*exp(-(f/a)^2), a = f_peak*sqrt(2); f_av over 0..Nyquist"}
