"""Ring / band simulator: channel error profile across the fan -> FBP -> ring amplitude.

A channel error that is constant over views (what calibration leaves: nonlinearity,
afterglow, spectral and drift residuals of the *true* module response) appears in the
rebinned parallel sinogram as the same row e(t) in every view. Filtered
back-projection of that sinogram (the CT QC simulator's ``radial_fbp``: Ram-Lak ramp
filter, 180 views) gives a radially symmetric image f(r): rings. We measure the ring amplitude as the largest |high-pass
f| in a window around a radius (localised labels), and a detector's ring metric as
the mean over row zones of the windowed maxima at every module boundary plus the RMS
of the high-passed ring image (sharp rings inside modules).
"""
from __future__ import annotations

import numpy as np

from app.ct.fbp import radial_fbp
from station_plugins.detector_matching import indicators as I

VIEWS = 180
HP_WIDTH = 9          # samples of the moving average removed by the high-pass
WINDOW = 2            # +- channels around a boundary for the local label
REF_OFFSET = 40       # reference boundary: 40 channels from the iso-ray


def channel_error(truth: dict[str, np.ndarray]) -> np.ndarray:
    """(m, Z, C) residual error (%) of each channel at the scan condition (truth)."""
    lin, ag, sp = truth["linearity"], truth["afterglow"], truth["spectral"]
    drift = truth["drift"]
    return lin + 0.6 * lin ** 2 + 0.004 * ag + 0.8 * sp + 3.0 * drift + 0.5 * lin * sp


def ring_image(e: np.ndarray) -> np.ndarray:
    """FBP of view-constant sinogram rows e (..., N channels centred on the iso-ray), by
    the CT QC simulator's radial FBP (Ram-Lak ramp filter, ``VIEWS`` views), the same
    reconstruction that makes the simulated phantom series' rings.

    Returns f on radii r_k = (k + 0.5) pitch, k = 0 .. N/2 - 1 (shape (..., N // 2)).
    """
    e = np.asarray(e, dtype=float)
    N = e.shape[-1]
    t = np.arange(N) - (N - 1) / 2                  # channel positions (pitch units)
    r = np.arange(N // 2) + 0.5
    rows = e.reshape(-1, N)
    out = np.stack([radial_fbp(row, t, r, n_theta=VIEWS) for row in rows])
    return out.reshape(e.shape[:-1] + (r.size,))


def high_pass(f: np.ndarray) -> np.ndarray:
    k = np.ones(HP_WIDTH) / HP_WIDTH
    pad = HP_WIDTH // 2
    fp = np.concatenate([np.repeat(f[..., :1], pad, -1), f, np.repeat(f[..., -1:], pad, -1)], -1)
    smooth = np.apply_along_axis(lambda v: np.convolve(v, k, mode="valid"), -1, fp)
    return f - smooth


def pair_operator(channels: int = I.CHANNELS) -> np.ndarray:
    """Linear map (2C -> window) from two adjacent modules' channel errors, placed with
    their boundary REF_OFFSET channels from the iso-ray, to the high-passed ring image
    in the window around that boundary's radius."""
    N = 2 * (REF_OFFSET + channels + 8)
    centre = N // 2
    first = centre + REF_OFFSET - channels          # channel index of module i's c00
    cols = []
    for k in range(2 * channels):
        e = np.zeros(N)
        e[first + k] = 1.0
        cols.append(high_pass(ring_image(e)))
    A = np.stack(cols, axis=1)                      # (radii, 2C)
    rb = REF_OFFSET                                  # boundary radius (in pitches)
    rows = np.arange(rb - WINDOW, rb + WINDOW)
    return A[rows]


def pair_labels(err_left: np.ndarray, err_right: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Ring amplitude at the boundary of module i (left) and j (right): (pairs,)."""
    e = np.concatenate([err_left, err_right], axis=-1)      # (pairs, Z, 2C)
    f = e @ A.T                                              # (pairs, Z, W)
    return np.abs(f).max(axis=-1).mean(axis=-1)


def detector_ring_metric(err: np.ndarray, arrangement: np.ndarray) -> float:
    """Ring metric of a whole detector: modules ``arrangement`` (slot order) with channel
    errors err (m, Z, C). Mean over zones of (windowed boundary maxima summed, weighted
    like the optimiser's boundary weights come from physics here: FBP itself makes
    central rings larger) + RMS of the high-passed ring image."""
    prof = err[arrangement]                                    # (n, Z, C)
    n, Z, C = prof.shape
    e = prof.transpose(1, 0, 2).reshape(Z, n * C)              # (Z, N)
    e = e - e.mean(axis=1, keepdims=True)
    f = high_pass(ring_image(e))                               # (Z, N/2)
    N = n * C
    centre = N / 2
    total = 0.0
    for b in range(1, n):
        rb = abs(b * C - centre)
        k = int(rb)
        lo, hi = max(0, k - WINDOW), min(f.shape[1], k + WINDOW)
        if hi > lo:
            total += float(np.abs(f[:, lo:hi]).max(axis=1).mean())
    return total + float(np.sqrt((f ** 2).mean()))
