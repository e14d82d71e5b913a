"""The noise decision of the CT phantom classifier 2.4 candidate, from the measured native
noise SD alone.

The noise class is defined by what the physics noise check measures: the native pixel
noise SD (normal slices are drawn with 4..14 HU, the noise class from
app/ct/ai_classes.NOISE_CLASS_MIN_SD_HU = 24 HU). The context carries that SD
(``log_noise_native``) beside the 1 mm grid's, and the image maps are in units of the
grid noise; trained on one renderer the network leaned on the grid noise, whose ratio
to the native SD is the renderer's noise power spectrum: e4 / sh1 left-out sim -> img
called 3-8 of the image renderer's noise slices (native SD 22-37 HU, low-pass NPS:
grid noise 8-16 HU) normal or shift; img -> sim the blur gate called 3-5 of the
simulator's 64-105 HU slices blur (an edge MTF measured in that noise).

So among normal, noise and blur the noise share is set by the native SD:

    g = sigmoid((log SD_native - log T) / 0.03)
    P(noise) = g * m,  P(normal), P(blur) = (1 - g) * m * their share,
    m = P_net(normal) + P_net(noise) + P_net(blur)

T is the geometric middle of the training slices' measured gap: the largest native SD
of the normal and blur slices (drawn <= 14 HU, measured up to ~19 HU) and the smallest
of the noise slices (>= 24 HU drawn) - taken from the training renderer only (sim 21.4,
img 20.6, both 20.6 HU). Rings, streaks, bands and shifts keep the network's
probabilities (a streak raises the measured SD: the simulator's reach 38 HU).
Applied at inference only, like ai_band_gate.py.
"""
from __future__ import annotations

import math

import numpy as np
import torch

SOFT_LOG = 0.03
NORMAL, NOISE, BLUR = 0, 4, 6


def threshold_hu(log_noise_native: np.ndarray, y: np.ndarray) -> float:
    """T from the training slices (context log(SD / 10 HU), labels)."""
    sd = 10.0 * np.exp(np.asarray(log_noise_native, np.float64))
    lo = float(sd[np.isin(y, (NORMAL, BLUR))].max())
    hi = float(sd[y == NOISE].min())
    if not hi > lo:
        raise ValueError(f"no gap in the measured native noise: {lo:.1f} .. {hi:.1f} HU")
    return math.sqrt(lo * hi)


def apply(log_probs: torch.Tensor, log_noise_native: torch.Tensor, t_hu: float) -> torch.Tensor:
    g = torch.sigmoid((log_noise_native - math.log(t_hu / 10.0)) / SOFT_LOG)
    p = torch.exp(log_probs)
    m = p[:, NORMAL] + p[:, NOISE] + p[:, BLUR]
    rest = torch.clamp(p[:, NORMAL] + p[:, BLUR], min=1e-12)
    cols = [log_probs[:, k] for k in range(log_probs.shape[1])]
    cols[NOISE] = torch.log(torch.clamp(g * m, min=1e-12))
    for k in (NORMAL, BLUR):
        cols[k] = torch.log(torch.clamp((1.0 - g) * m * p[:, k] / rest, min=1e-12))
    return torch.stack(cols, dim=1)


def apply_numpy(probs: np.ndarray, log_noise_native: np.ndarray, t_hu: float) -> np.ndarray:
    with torch.no_grad():
        lp = torch.log(torch.clamp(torch.from_numpy(probs.astype(np.float32)), min=1e-12))
        return torch.exp(apply(lp, torch.from_numpy(log_noise_native.astype(np.float32)),
                               t_hu)).numpy()


def training_threshold(data_dir, renderers: tuple[str, ...]) -> float:
    """T from the stored training sets (train, edge, centred) of ``renderers`` - what the
    training script computes from its fit split (the same slices less 10 % validation)."""
    from pathlib import Path

    lns, ys = [], []
    for r in renderers:
        for s in ("train", "edge", "centred"):
            f = Path(data_dir) / f"{r}_{s}.npz"
            if not f.exists():
                continue
            m = np.load(f)
            ok = np.array([(not p) or p == "the phantom is cut by the field of view"
                           for p in m["problems"]])
            lns.append(m["ctx"][ok, 0])
            ys.append(m["y"][ok])
    return threshold_hu(np.concatenate(lns), np.concatenate(ys))
