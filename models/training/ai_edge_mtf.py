"""The blur decision of the CT phantom classifier 2.2, from the measured edge MTF only.

"Blur" is defined by the physics as the system MTF50 (PSF x kernel) below that of a
0.95 mm Gaussian PSF (ai_domain.MTF50_BLUR_MAX); a normal slice has at least the MTF50 of
a 0.65 mm PSF. What the network saw in 2.0 / 2.1 to decide it - the phantom's insert
edges, the noise texture, the full edge spread function including the phantom's shell -
differs between renderers: trained on one renderer, 2.1 called 15-20 % of the other
renderer's sharp normal slices (MTF50 3-9 lp/cm) "blur".

Here the blur probability is a logistic function of the modulation transfer of the
phantom's outer (air) edge, measured on the slice (normalise.edge_spread: azimuthal edge
profile in 0.25 mm bins over +-6 mm, air 0 .. body 1): line spread = derivative of the
profile, modulus of its Fourier transform at 0.10..0.50 lp/mm over its integral. Chosen by
a logistic blur / not-blur fit on one renderer tested on the other (both directions): the
full +-6 mm line spread missed 2.8 / 4.5 % of the left-out renderer's blurred slices and
called 0.1 / 1.7 % of its other slices blur; a Hann window of +-3 mm (to leave out a
phantom shell's inner edge) or the air-side half-width of the line spread did worse
(11 / 5 % and 32-50 % / 18-26 % missed). Nothing else reaches this decision; the structure head (rings, streaks,
bands, noise, shifts) is trained with blurred slices labelled normal, so that sharpness
is not part of what it judges either.

    P(blur) = sigmoid(g(log MTF)),  P(k) = (1 - P(blur)) * softmax(head)_k, k != blur
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

ESF_BIN_MM = 0.25
FREQS_LPMM = (0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50)
WINDOW_MM: float | None = None   # None: the whole +-6 mm profile


def _dft_matrices(n_bins: int, freqs: "tuple[float, ...]" = FREQS_LPMM
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(cos, sin, window) for a line spread of ``n_bins - 1`` samples (bin centres of the
    derivative) at ``freqs`` (lp/mm), the window centred on the air edge (profile
    mid-point)."""
    n = n_bins - 1
    x = (torch.arange(n, dtype=torch.float64) - (n - 1) / 2) * ESF_BIN_MM
    win = torch.ones_like(x) if WINDOW_MM is None else \
        torch.where(x.abs() < WINDOW_MM, 0.5 * (1 + torch.cos(math.pi * x / WINDOW_MM)),
                    torch.zeros_like(x))
    f = torch.tensor(freqs, dtype=torch.float64)
    arg = 2 * math.pi * f[:, None] * x[None]
    return torch.cos(arg).float(), torch.sin(arg).float(), win.float()


class EdgeMTFGate(nn.Module):
    """Logistic blur score from the log edge MTF at ``freqs`` (lp/mm; default FREQS_LPMM,
    every release to 2.10.0; ``--blur-freqs`` of the training script).

    ``with_lsf`` (``--blur-gate-lsf``, candidate of session 22): the line spread itself
    (the profile's differences, 47 values of 0.25 mm, body side first) beside the log MTF,
    every input standardised by its mean and SD over the fitted slices (the L2 penalty
    then weighs every input alike); the standardisation is folded into the weights in the
    exported graph. Without it the gate is exactly the former one."""

    def __init__(self, n_bins: int, freqs: "tuple[float, ...]" = FREQS_LPMM,
                 with_lsf: bool = False) -> None:
        super().__init__()
        self.freqs = tuple(float(f) for f in freqs)
        self.with_lsf = bool(with_lsf)
        c, s, w = _dft_matrices(n_bins, self.freqs)
        self.register_buffer("cos", c, persistent=False)
        self.register_buffer("sin", s, persistent=False)
        self.register_buffer("win", w, persistent=False)
        n_in = len(self.freqs) + (n_bins - 1 if self.with_lsf else 0)
        self.lin = nn.Linear(n_in, 1)
        if self.with_lsf:
            self.register_buffer("mu", torch.zeros(n_in))
            self.register_buffer("sd", torch.ones(n_in))

    def log_mtf(self, esf: torch.Tensor) -> torch.Tensor:
        lsf = (esf[:, :-1] - esf[:, 1:]) * self.win          # body side first: positive
        dc = torch.clamp(lsf.sum(dim=1, keepdim=True), min=1e-3)
        re, im = lsf @ self.cos.t(), lsf @ self.sin.t()
        return torch.log(torch.clamp(torch.sqrt(re * re + im * im + 1e-12) / dc, 0.01, 3.0))

    def inputs(self, esf: torch.Tensor) -> torch.Tensor:
        """What the logistic reads (before the standardisation)."""
        z = self.log_mtf(esf)
        return torch.cat([z, esf[:, :-1] - esf[:, 1:]], dim=1) if self.with_lsf else z

    def folded(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(weight (n_in,), bias ()) of the logistic on the raw ``inputs``: the
        standardisation folded in (the same function)."""
        w, b = self.lin.weight[0], self.lin.bias[0]
        if not self.with_lsf:
            return w, b
        return w / self.sd, b - (w * self.mu / self.sd).sum()

    def forward(self, esf: torch.Tensor) -> torch.Tensor:
        z = self.inputs(esf)
        if self.with_lsf:
            z = (z - self.mu) / self.sd
        return self.lin(z).squeeze(1)

    def fit(self, esf: torch.Tensor, is_blur: torch.Tensor, l2: float = 1e-3) -> float:
        """Logistic fit of the gate (L-BFGS) on the training slices, then frozen: the
        blur decision is a fixed function of the measured MTF, not co-adapted with the
        image network. Returns the training error rate."""
        with torch.no_grad():
            z = self.inputs(esf)
            if self.with_lsf:
                self.mu.copy_(z.mean(0))
                self.sd.copy_(z.std(0) + 1e-6)
                z = (z - self.mu) / self.sd
        y = is_blur.float()
        opt = torch.optim.LBFGS(self.lin.parameters(), max_iter=300, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(self.lin(z).squeeze(1), y) \
                + l2 * (self.lin.weight ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        for q in self.lin.parameters():
            q.requires_grad_(False)
        with torch.no_grad():
            return float(((self.lin(z).squeeze(1) > 0) != is_blur).float().mean())


def combine(head_logits: torch.Tensor, gate: torch.Tensor, blur_index: int) -> torch.Tensor:
    """7-class log-probabilities from the structure head's 6 logits (all classes but
    blur, in order) and the blur gate's logit."""
    lp_rest = F.log_softmax(head_logits, dim=1) + F.logsigmoid(-gate)[:, None]
    lp_blur = F.logsigmoid(gate)[:, None]
    return torch.cat([lp_rest[:, :blur_index], lp_blur, lp_rest[:, blur_index:]], dim=1)
