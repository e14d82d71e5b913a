"""The band decision of the CT phantom classifier 2.4 candidate, from physics the network
cannot override.

A band is a detector row's gain error: the central-disc level of the slice (or of it and
one neighbour) steps by 3..30 HU against a neighbour (the class definition,
app/ct/ai_classes.BAND_CLASS_MIN_HU), and the gain moves the whole slice - the phantom's
shell by ~1.1 of the body's step (app/ct/ai/shell_step.py). A module boundary steps the
body inside a shell that runs through every module (shell step ~0). Trained on one
renderer, the network split its "normal or band" mass by cues that did not transfer
(e4, leave-one-renderer-out sim -> img: one-sided band steps 14-86 % missed, module
boundaries called band 28-47 times, by seed). So the split is taken out of its hands:

    g = sigmoid((|step| - floor) / 0.25 HU) * sigmoid((45 HU - |step|) / 1 HU)
        * sigmoid((shell step / step - 0.55) / 0.05)
    P(band) = g * (P_net(normal) + P_net(band)),  P(normal) = (1 - g) * (same)

``step``: the larger of the centre slice's two central-disc steps (the context's
band_prev / band_next), ``shell step`` the shell's step on the same side; ``floor`` the
class's 3 HU or 5 standard errors of the step, whichever is larger (the standard error
of a 15 mm disc's median at the grid noise, x 1.15, x sqrt 2 for the difference: the
floor of app/ct/ai/series_consistency.py, BAND_SE_FACTOR 5); 0.55 is the middle between
a module boundary's shell step (0) and a band's ((shell + 1000) / (body + 1000) ~ 1.1).
Beyond 45 HU (1.5 x the class's top, 30 HU) the gate claims nothing and the network's
split stands: the phantom's end face (body and shell fade into air together: ratio ~1)
steps by hundreds of HU and is no band. No constant is fitted; the other five classes
keep the network's probabilities.

Applied at inference (evaluation, reports, the exported graph), not in training: the
network is trained as before; ``gate_numpy`` gives the same decision on stored
leave-one-renderer-out probabilities (loro_error_analysis.py --band-gate).
"""
from __future__ import annotations

import math

import numpy as np
import torch

BAND_MIN_HU = 3.0                   # = app.ct.ai_classes.BAND_CLASS_MIN_HU
SE_FACTOR = 5.0                     # = app.ct.ai.series_consistency.BAND_SE_FACTOR
SE_PER_NOISE = 1.15 * math.sqrt(2.0) / math.sqrt(math.pi * 15.0 ** 2)
SHELL_RATIO_MIN = 0.55
STEP_MAX_HU = 45.0                  # 1.5 x the class's top (30 HU): no gain error claimed above
STEP_SOFT_HU, RATIO_SOFT = 0.25, 0.05
NORMAL, BAND = 0, 3


def gate(log_noise_1mm: torch.Tensor, band_prev: torch.Tensor, band_next: torch.Tensor,
         shell_prev: torch.Tensor, shell_next: torch.Tensor) -> torch.Tensor:
    """P(band | normal or band) from the context features (band and shell steps in the
    context's 5 HU units, the grid noise as log(SD / 10 HU))."""
    prev_side = band_prev.abs() >= band_next.abs()
    step = torch.where(prev_side, band_prev, band_next) * 5.0
    shell = torch.where(prev_side, shell_prev, shell_next) * 5.0
    floor = torch.clamp(SE_FACTOR * SE_PER_NOISE * 10.0 * torch.exp(log_noise_1mm),
                        min=BAND_MIN_HU)
    ratio = shell * torch.sign(step) / torch.clamp(step.abs(), min=0.5)
    return torch.sigmoid((step.abs() - floor) / STEP_SOFT_HU) * \
        torch.sigmoid(STEP_MAX_HU - step.abs()) * \
        torch.sigmoid((ratio - SHELL_RATIO_MIN) / RATIO_SOFT)


def apply(log_probs: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """7-class log-probabilities with the normal / band split set by ``g``."""
    p = torch.exp(log_probs)
    m = p[:, NORMAL] + p[:, BAND]
    lp_n = torch.log(torch.clamp((1.0 - g) * m, min=1e-12))
    lp_b = torch.log(torch.clamp(g * m, min=1e-12))
    cols = [log_probs[:, k] for k in range(log_probs.shape[1])]
    cols[NORMAL], cols[BAND] = lp_n, lp_b
    return torch.stack(cols, dim=1)


def gate_numpy(ctx: np.ndarray, shell_hu: np.ndarray) -> np.ndarray:
    """``gate`` on a stored set: ctx (n, >= 5) context rows, shell_hu (n, 2) in HU (the
    context's steps are clipped at +-100 HU as the context clips them)."""
    t = torch.from_numpy
    with torch.no_grad():
        return gate(t(ctx[:, 1].astype(np.float32)), t(ctx[:, 3].astype(np.float32)),
                    t(ctx[:, 4].astype(np.float32)),
                    t((np.clip(shell_hu[:, 0], -100, 100) / 5.0).astype(np.float32)),
                    t((np.clip(shell_hu[:, 1], -100, 100) / 5.0).astype(np.float32))).numpy()


def apply_numpy(probs: np.ndarray, g: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.exp(apply(torch.log(torch.clamp(torch.from_numpy(probs.astype(np.float32)),
                                                     min=1e-12)),
                               torch.from_numpy(g.astype(np.float32)))).numpy()
