"""Slice sensitivity profile (SSP) from a wire-ramp profile, by model fitting.

Along an inclined wire (ramp angle theta to the scan plane) the in-plane coordinate s maps
to z = s tan(theta), so the background-subtracted ramp profile is the SSP stretched by
1 / tan(theta) and blurred by the in-plane system response (Gaussian-equivalent sigma from
the measured TTF / MTF, plus the wire's own z-extent and the line-sampling interpolation).

The SSP is modelled as a trapezoid: rect(a) convolved with rect(b), b <= a. Its FWHM is
exactly ``a`` whatever ``b`` is. This covers both acquisition modes without assuming a
vendor's reconstruction:

* axial (step-and-shoot): the collimated beam, a rect (b ~ 0);
* helical: the z-interpolation between rotations spreads each reconstructed slice; the
  profile is a trapezoid (or, at b = a, a triangle) whose edge width grows with the
  spiral pitch and the interpolation kernel.

``b`` is fitted from the profile (bounded to [0, a]); the in-plane blur is known (TTF),
so the edge width is what separates b from the blur. A rect model (b = 0 imposed) reads
a helical profile too wide by up to ~0.1 mm at 0.625 mm; a free fit does not.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.special import ndtr

_SQRT2PI = math.sqrt(2 * math.pi)


def _antideriv_phi(x: np.ndarray, sigma: float) -> np.ndarray:
    """F(x) = integral of Phi(u / sigma) du = x Phi(x / sigma) + sigma phi(x / sigma)."""
    u = x / sigma
    return x * ndtr(u) + sigma * np.exp(-0.5 * u * u) / _SQRT2PI


def blurred_trapezoid(s: np.ndarray, a: float, b: float, sigma: float) -> np.ndarray:
    """rect(a) * rect(b) / b * Gaussian(sigma) at s (plateau height 1 when b < a, sigma -> 0)."""
    s = np.asarray(s, dtype=np.float64)
    sigma = max(float(sigma), 1e-6)
    if b < 1e-4 * max(a, sigma):  # rect limit
        return ndtr((s + a / 2) / sigma) - ndtr((s - a / 2) / sigma)
    h_p, h_m = (a + b) / 2, (a - b) / 2
    F = _antideriv_phi
    return (F(s + h_p, sigma) - F(s + h_m, sigma) - F(s - h_m, sigma) + F(s - h_p, sigma)) / b


@dataclass(frozen=True)
class SspFit:
    fwhm: float          # FWHM of the SSP along the profile coordinate (mm in-plane), = a
    edge: float          # b: width of each trapezoid edge (0 = rect, = fwhm: triangle)
    centre: float        # profile coordinate of the SSP centre
    amplitude: float
    rms_residual: float  # of the fit, same unit as the profile
    ok: bool


def fit_ssp(profile: np.ndarray, step: float, sigma: float, fwhm0: float, centre0: float,
            edge: float | None = None) -> SspFit:
    """Fit the blurred trapezoid to a background-subtracted, positive-peak ``profile``
    sampled every ``step`` (mm) with a known Gaussian blur ``sigma`` (mm).

    ``fwhm0`` / ``centre0``: start values (the direct half-maximum width and centre).
    ``edge``: impose the trapezoid edge width (e.g. 0 for a rect) instead of fitting it.
    """
    p = np.asarray(profile, dtype=np.float64)
    s = np.arange(len(p)) * step
    reach = 1.5 * fwhm0 + 4 * sigma + 2 * step
    sel = np.abs(s - centre0) <= reach
    if sel.sum() < 8 or not math.isfinite(fwhm0) or fwhm0 <= 0:
        return SspFit(math.nan, math.nan, centre0, math.nan, math.nan, False)
    s, p = s[sel], p[sel]
    amp0 = float(p.max())
    scale = max(amp0, 1e-9)

    free = edge is None

    def unpack(x: np.ndarray) -> tuple[float, float, float, float, float]:
        if edge is None:
            amp, c, a, frac, off = x
            return amp, c, a, frac * a, off
        amp, c, a, off = x
        return amp, c, a, min(float(edge), a), off

    def resid(x: np.ndarray) -> np.ndarray:
        amp, c, a, b, off = unpack(x)
        return (amp * blurred_trapezoid(s - c, a, b, sigma) + off - p) / scale

    a_hi = max(3.0 * fwhm0, fwhm0 + 6 * sigma)
    x0 = [amp0, centre0, max(fwhm0, 1e-3), 0.0]
    lo = [0.0, centre0 - fwhm0, 1e-3, -0.5 * scale]
    hi = [10.0 * scale, centre0 + fwhm0, a_hi, 0.5 * scale]
    starts = [x0]
    if free:
        # the edge fraction can sit in a shallow valley: start from a rect-like and a
        # triangle-like guess and keep the better fit
        starts = [x0[:3] + [f] + x0[3:] for f in (0.05, 0.6)]
        lo, hi = lo[:3] + [0.0] + lo[3:], hi[:3] + [1.0] + hi[3:]
    best = None
    for start in starts:
        try:
            r = least_squares(resid, np.array(start), bounds=(np.array(lo), np.array(hi)),
                              max_nfev=200)
        except ValueError:
            continue
        if best is None or r.cost < best.cost:
            best = r
    if best is None:
        return SspFit(math.nan, math.nan, centre0, math.nan, math.nan, False)
    amp, c, a, b, _ = unpack(best.x)
    rms = math.sqrt(2 * best.cost / len(p)) * scale
    return SspFit(float(a), float(b), float(c), float(amp), rms, bool(best.success))
