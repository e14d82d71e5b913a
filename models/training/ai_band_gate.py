"""The shell veto on the band class of the CT phantom classifier 2.4 candidate.

A band is a detector row's gain error: the central-disc level of the slice (or of it and
one neighbour) steps by 3..30 HU against a neighbour (the class definition,
app/ct/ai_classes.BAND_CLASS_MIN_HU), and a gain error scales the WHOLE slice - a
phantom's shell moves with the body, by ~(shell + 1000) / (body + 1000) ~ 1.1 of its
step (app/ct/ai/shell_step.py). So a step of band size whose shell stays is no band: it
is a module boundary of a phantom whose modules sit in a common shell (both training
renderers draw CatPhan / ACR phantoms so; e4 left out sim -> img called 28-47 such
boundaries band, by seed). The converse does not hold on every phantom: a renderer (or a
phantom) whose module body reaches the outer edge moves the "shell" at a boundary too
(the shared foreign CatPhan sample does: shell / disc step 0.99-1.0 at its boundaries),
so a moving shell proves nothing and the decision stays the network's:

    v = sigmoid((|step| - floor) / 0.25 HU) * sigmoid((0.55 - shell step / step) / 0.05)
    P(band) = (1 - v) * P_net(band),  P(normal) = P_net(normal) + v * P_net(band)

``step``: the larger of the centre slice's two central-disc steps (the context's
band_prev / band_next), ``shell step`` the shell's step on the same side; ``floor`` the
class's 3 HU or 5 standard errors of the step, whichever is larger (the standard error
of a 15 mm disc's median at the grid noise, x 1.15, x sqrt 2 for the difference: the
floor of app/ct/ai/series_consistency.py, BAND_SE_FACTOR 5); 0.55 is the middle between
a module boundary's shell step (0) and a band's (~1.1). No constant is fitted; the other
classes keep the network's probabilities.

Applied at inference (evaluation, reports, the exported graph), not in training;
``veto_numpy`` gives the same decision on stored leave-one-renderer-out probabilities
(loro_error_analysis.py --band-gate).
"""
from __future__ import annotations

import math

import numpy as np
import torch

BAND_MIN_HU = 3.0                   # = app.ct.ai_classes.BAND_CLASS_MIN_HU
SE_FACTOR = 5.0                     # = app.ct.ai.series_consistency.BAND_SE_FACTOR
SE_PER_NOISE = 1.15 * math.sqrt(2.0) / math.sqrt(math.pi * 15.0 ** 2)
SHELL_RATIO_MIN = 0.55
STEP_SOFT_HU, RATIO_SOFT = 0.25, 0.05
NORMAL, BAND = 0, 3


def veto(log_noise_1mm: torch.Tensor, band_prev: torch.Tensor, band_next: torch.Tensor,
         shell_prev: torch.Tensor, shell_next: torch.Tensor) -> torch.Tensor:
    """How surely the step is no band (its shell stays), from the context features (band
    and shell steps in the context's 5 HU units, the grid noise as log(SD / 10 HU))."""
    prev_side = band_prev.abs() >= band_next.abs()
    step = torch.where(prev_side, band_prev, band_next) * 5.0
    shell = torch.where(prev_side, shell_prev, shell_next) * 5.0
    floor = torch.clamp(SE_FACTOR * SE_PER_NOISE * 10.0 * torch.exp(log_noise_1mm),
                        min=BAND_MIN_HU)
    ratio = shell * torch.sign(step) / torch.clamp(step.abs(), min=0.5)
    return torch.sigmoid((step.abs() - floor) / STEP_SOFT_HU) * \
        torch.sigmoid((SHELL_RATIO_MIN - ratio) / RATIO_SOFT)


def apply(log_probs: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """7-class log-probabilities with the vetoed share of 'band' moved to 'normal'."""
    p = torch.exp(log_probs)
    lp_n = torch.log(torch.clamp(p[:, NORMAL] + v * p[:, BAND], min=1e-12))
    lp_b = torch.log(torch.clamp((1.0 - v) * p[:, BAND], min=1e-12))
    cols = [log_probs[:, k] for k in range(log_probs.shape[1])]
    cols[NORMAL], cols[BAND] = lp_n, lp_b
    return torch.stack(cols, dim=1)


def veto_numpy(ctx: np.ndarray, shell_hu: np.ndarray) -> np.ndarray:
    """``veto`` on a stored set: ctx (n, >= 5) context rows, shell_hu (n, 2) in HU (the
    context's steps are clipped at +-100 HU as the context clips them)."""
    t = torch.from_numpy
    with torch.no_grad():
        return veto(t(ctx[:, 1].astype(np.float32)), t(ctx[:, 3].astype(np.float32)),
                    t(ctx[:, 4].astype(np.float32)),
                    t((np.clip(shell_hu[:, 0], -100, 100) / 5.0).astype(np.float32)),
                    t((np.clip(shell_hu[:, 1], -100, 100) / 5.0).astype(np.float32))).numpy()


def apply_numpy(probs: np.ndarray, v: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.exp(apply(torch.log(torch.clamp(torch.from_numpy(probs.astype(np.float32)),
                                                     min=1e-12)),
                               torch.from_numpy(v.astype(np.float32)))).numpy()
