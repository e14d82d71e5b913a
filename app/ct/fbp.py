"""Parallel-beam filtered back-projection of *error* sinograms (numpy only).

Artifacts are made where they arise: an error added to the projections, reconstructed
by the same linear operator as the image, so only the error needs reconstructing.
f(x) = integral over [0, pi) of q_theta(x . n_theta) d theta, q = g (*) ramp kernel.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.signal import fftconvolve


def ramlak_kernel(n_half: int, tau: float) -> np.ndarray:
    """Discrete Ram-Lak (band-limited ramp) kernel for sample spacing ``tau``."""
    n = np.arange(-n_half, n_half + 1)
    h = np.zeros(len(n), dtype=np.float64)
    h[n_half] = 1.0 / (4 * tau * tau)
    odd = (n % 2) != 0
    h[odd] = -1.0 / (math.pi ** 2 * n[odd].astype(np.float64) ** 2 * tau * tau)
    return h


def ramp_filter(g: np.ndarray, tau: float) -> np.ndarray:
    """Filter projections along the last axis (zero padded, same length)."""
    nt = g.shape[-1]
    h = ramlak_kernel(nt, tau)
    if g.ndim == 1:
        return tau * fftconvolve(g, h, mode="same")
    return tau * fftconvolve(g, h[None, :], mode="same", axes=-1)


def radial_fbp(g: np.ndarray, t_axis: np.ndarray, r_axis: np.ndarray,
               n_theta: int = 1024) -> np.ndarray:
    """FBP of a view-invariant projection g(t): a radially symmetric image f(r)."""
    tau = float(t_axis[1] - t_axis[0])
    q = ramp_filter(g, tau)
    theta = (np.arange(n_theta) + 0.5) * math.pi / n_theta
    out = np.zeros(len(r_axis), dtype=np.float64)
    for c in np.cos(theta):
        out += np.interp(r_axis * c, t_axis, q, left=0.0, right=0.0)
    return out * (math.pi / n_theta)


def backproject(q_views: np.ndarray, thetas: np.ndarray, t_axis: np.ndarray,
                x: np.ndarray, y: np.ndarray, d_theta: float) -> np.ndarray:
    """Back-project filtered views ``q_views`` (n_views, nt) at angles ``thetas`` (rad)
    onto points (x, y) mm relative to the rotation centre; each view weighs ``d_theta``."""
    out = np.zeros(np.broadcast(x, y).shape, dtype=np.float64)
    for q, th in zip(q_views, thetas):
        t = x * math.cos(th) + y * math.sin(th)
        out += np.interp(t, t_axis, q, left=0.0, right=0.0)
    return out * d_theta
