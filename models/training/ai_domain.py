"""Domain randomisation shared by both renderers (classifier 2.0 data).

What a real scanner varies and the class does not: pixel size 0.3-0.9 mm on a 512 / 768 /
1024 matrix, slice thickness 0.625-10 mm, the kernel (Gaussian PSF plus an optional
edge-enhancing unsharp mask with overshoot), the noise power spectrum (shape and peak
frequency, and its level), the phantom's body values (+-20 HU production / batch
offsets), the pixel padding outside the reconstruction circle and integer rescaling.

The class is defined by what the physics measures: blur by the system MTF50 (PSF x
kernel), noise by the native pixel SD, a shift by the CT-number calibration (air and
water move together) or cupping, rings and bands by their measured amplitude.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import fft as sfft

# normal: MTF50 at least that of a 0.65 mm Gaussian PSF; blur: at most that of 0.95 mm
# (the classes' definitions, shared with the runtime)
from app.ct.ai_classes import MTF50_BLUR_MAX, MTF50_NORMAL_MIN
from ai_variety import apply_filter, boost_mtf, draw_boost  # models/training (recipe 2.5)



@dataclass
class Scanner:
    """One randomly drawn scanner / protocol."""

    matrix: int
    pixel_mm: float
    thickness_mm: float
    psf_sigma_mm: float
    sharpen: float            # unsharp-mask gain (0 = none)
    sharpen_sigma_mm: float
    nps_peak: float           # lp/mm
    nps_kind: str             # "ramp_gauss" (f^a exp) or "ramp_hann"
    nps_alpha: float
    noise_sd: float
    body_offset: float        # HU, phantom production / batch
    hu_offset: float          # HU, CT-number calibration (air moves too)
    pad_value: float | None   # outside the reconstruction circle, None: no circle
    integer: bool
    extra: dict = field(default_factory=dict)
    # recipe 2.5 (ai_variety): a band-pass MTF boost (0 = none), noise through it or not
    boost: float = 0.0
    boost_f0: float = 0.25
    boost_q: float = 1.0
    boost_noise: bool = False

    @property
    def fov_mm(self) -> float:
        return self.matrix * self.pixel_mm

    def mtf(self, f_lpmm: np.ndarray) -> np.ndarray:
        g = np.exp(-2 * math.pi ** 2 * self.psf_sigma_mm ** 2 * f_lpmm ** 2)
        s = np.exp(-2 * math.pi ** 2 * self.sharpen_sigma_mm ** 2 * f_lpmm ** 2)
        return g * (1 + self.sharpen * (1 - s)) * self.boost_mtf(f_lpmm)

    def boost_mtf(self, f_lpmm: np.ndarray) -> np.ndarray:
        return boost_mtf(f_lpmm, self.boost, self.boost_f0, self.boost_q)

    def mtf50_lp_cm(self) -> float:
        f = np.linspace(0, 2.0, 4001)
        m = self.mtf(f)
        below = np.nonzero(m < 0.5 * m[0])[0]
        return float(10 * f[below[0]]) if below.size else 20.0


def draw_scanner(rng: np.random.Generator, label: str, heldout: bool,
                 variety: np.random.Generator | None = None) -> Scanner:
    """A scanner and protocol for a sample of ``label`` (held-out: shifted ranges).
    With ``variety`` (recipe 2.5, its own random stream, so the rest of a sample is that
    of recipe 2.0 bit for bit) a band-pass MTF boost on 30 % of the scanners
    (ai_variety)."""
    while True:
        matrix = int(rng.choice([512, 768, 1024], p=[0.6, 0.25, 0.15]))
        pixel = float(rng.uniform(0.3, 0.9))
        if 215.0 <= matrix * pixel <= 480.0:
            break
    thick = float(np.exp(rng.uniform(np.log(0.625), np.log(10.0))))
    blur = label == "blur"
    sig = (rng.uniform(1.0, 1.55) if heldout else rng.uniform(0.95, 1.6)) if blur else \
        (rng.uniform(0.33, 0.62) if heldout else rng.uniform(0.25, 0.65))
    sharpen, s_sig = 0.0, 1.0
    if rng.random() < 0.5:
        sharpen, s_sig = float(rng.uniform(0.1, 0.8)), float(rng.uniform(0.5, 1.6))
    sc = Scanner(matrix=matrix, pixel_mm=pixel, thickness_mm=thick, psf_sigma_mm=float(sig),
                 sharpen=sharpen, sharpen_sigma_mm=s_sig,
                 nps_peak=float(rng.uniform(0.1, 0.5)),
                 nps_kind=str(rng.choice(["ramp_gauss", "ramp_hann"])),
                 nps_alpha=float(rng.uniform(0.6, 1.4)),
                 noise_sd=float(rng.uniform(5.0, 13.0) if heldout else rng.uniform(4.0, 14.0)),
                 body_offset=float(rng.uniform(-20.0, 20.0)),
                 hu_offset=float(rng.uniform(-3.0, 3.0) if heldout else rng.uniform(-4.0, 4.0)),
                 pad_value=(None if rng.random() < 0.6 else float(rng.choice([-1024.0, -2048.0,
                                                                               -3024.0]))),
                 integer=bool(rng.random() < 0.7))
    if variety is not None and variety.random() < 0.3:
        for k, v in draw_boost(variety).items():
            setattr(sc, k, v)
    # the class follows the system MTF50: a sharpened blur stays blur, sharp normal
    mtf50 = sc.mtf50_lp_cm()
    if (blur and mtf50 > MTF50_BLUR_MAX) or (not blur and mtf50 < MTF50_NORMAL_MIN):
        sc.sharpen = 0.0
        mtf50 = sc.mtf50_lp_cm()
    if (blur and mtf50 > MTF50_BLUR_MAX) or (not blur and mtf50 < MTF50_NORMAL_MIN):
        sc.boost = 0.0
    return sc


def nps_filter(n: int, pixel_mm: float, sc: Scanner) -> np.ndarray:
    fy = np.fft.fftfreq(n, d=pixel_mm)[:, None]
    fx = np.fft.rfftfreq(n, d=pixel_mm)[None, :]
    f = np.sqrt(fy ** 2 + fx ** 2)
    nyq = 0.5 / pixel_mm
    peak = min(sc.nps_peak, 0.7 * nyq)
    if sc.nps_kind == "ramp_hann":        # ramp x Hann window (cut-off 2.2 x peak)
        fc = min(2.2 * peak, nyq)
        power = f * np.where(f < fc, 0.5 * (1 + np.cos(np.pi * f / fc)), 0.0)
    else:
        a = peak * math.sqrt(2.0 / sc.nps_alpha) if sc.nps_alpha > 0 else peak
        power = f ** sc.nps_alpha * np.exp(-(f / a) ** 2)
    if sc.boost > 0 and sc.boost_noise:      # the noise passes the kernel's boost too
        power = power * sc.boost_mtf(f) ** 2
    return np.sqrt(power).astype(np.float32)


def noise_field(rng: np.random.Generator, nz: int, n: int, pixel_mm: float, sc: Scanner,
                sd: float | np.ndarray) -> np.ndarray:
    h = nps_filter(n, pixel_mm, sc)
    white = rng.standard_normal((nz, n, n), dtype=np.float32)
    noise = sfft.irfft2(sfft.rfft2(white, workers=1) * h[None], s=(n, n), workers=1)
    noise /= noise.std(axis=(1, 2), keepdims=True) + 1e-12
    return (noise * np.asarray(sd, np.float32).reshape(-1, 1, 1)).astype(np.float32)


def noise_corr_mm(sc: Scanner) -> float:
    """Correlation length of the noise (for the ring detection floor)."""
    return max(1.5 * sc.pixel_mm, 0.5 / max(sc.nps_peak, 1e-3))


def sharpen(vol: np.ndarray, sc: Scanner) -> np.ndarray:
    if sc.sharpen <= 0:
        return vol
    s = sc.sharpen_sigma_mm / sc.pixel_mm
    k = int(2 * math.ceil(3 * s) + 1)
    out = np.empty_like(vol)
    for i, a in enumerate(vol):
        out[i] = a + sc.sharpen * (a - cv2.GaussianBlur(a, (k, k), s))
    return out


def body_mask(vol_clean: np.ndarray) -> np.ndarray:
    return vol_clean > -500.0


def finish(vol_clean: np.ndarray, sc: Scanner, rng: np.random.Generator,
           noise_sd: float | np.ndarray | None = None) -> np.ndarray:
    """Noise-free render (HU, PSF applied) -> what the scanner writes: body offset,
    calibration offset, kernel sharpening, noise with this scanner's NPS, padding
    outside the reconstruction circle, integer HU."""
    vol = vol_clean.copy()
    inside = body_mask(vol_clean)
    vol += np.float32(sc.body_offset) * inside
    vol += np.float32(sc.hu_offset)
    vol = sharpen(vol, sc)
    if sc.boost > 0:
        vol = apply_filter(vol, sc.pixel_mm, sc.boost_mtf)
    nz, n, _ = vol.shape
    sd = sc.noise_sd if noise_sd is None else noise_sd
    vol += noise_field(rng, nz, n, sc.pixel_mm, sc, sd)
    return as_written(vol, sc)


def as_written(vol: np.ndarray, sc: Scanner) -> np.ndarray:
    """How this scanner writes a finished volume: its padding value outside the
    reconstruction circle, integer HU (the last step of every renderer's sample)."""
    n = vol.shape[-1]
    if sc.pad_value is not None:
        yy, xx = np.ogrid[:n, :n]
        c = (n - 1) / 2
        vol[:, (yy - c) ** 2 + (xx - c) ** 2 > (n / 2) ** 2] = sc.pad_value
    if sc.integer:
        vol = np.round(vol)
    return vol.astype(np.float32)
