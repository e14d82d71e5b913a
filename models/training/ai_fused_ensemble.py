"""One graph for an ensemble's learned parts (issue 16, item 5: the whole check's 200
slices/s).

``EnsembleExportWrapper`` (train_ct_phantom_classifier2.py) runs the K members' learned
parts one after the other over the shared front end: K x (4 convolutions, 3 ring
convolutions, the context MLP, the head, the blur gate, the Mahalanobis distance). Each of
those operators works on a few thousand numbers (32 x 32 maps and smaller, batch 4), so on
the CPU the cost is mostly per operator, not per multiply: three members cost 2.10.0
+0.4 ms a slice over one.

``FusedEnsembleExportWrapper`` computes the same function with one operator per layer
for all the members:

* the first 2-D and 1-D convolutions read the same input in every member: their kernels
  are stacked along the output channels (one convolution, K x the channels);
* the later convolutions are grouped (``groups=K``): member k's channels see only member
  k's channels, exactly its own kernels;
* each convolution's batch normalisation (eval: a per-channel affine map) is folded into
  its kernel and bias (w * g / sqrt(v + eps), b - m * g / sqrt(v + eps));
* the context MLP's first layer is stacked, its second and the head's two layers are
  batched matrix products over the member axis ((K, N, D) @ (K, D, H));
* the blur gate's inputs (edge MTF, and the line spread for a ``with_lsf`` gate; no
  parameters) are computed once, its K logistic weights (standardisation folded in) in
  one product;
* the Mahalanobis distance is a batched product over the member and class axes.

The outputs are those of ``EnsembleExportWrapper`` (mean of the calibrated probabilities,
log of that mean, mean of the scaled anomaly scores) to float rounding (the folded batch
norm and the summation order differ: ~1e-6 relative), checked by
tests/image_review/test_ai_ensemble_export.py. Only the inference rules every release
since 2.9.0 uses are supported (blur gate on; no band gate, no noise gate, no shell-only
context): anything else raises.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def _bn_folded(conv: nn.Module, bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """(kernel, bias) of conv (no bias) followed by bn in eval mode."""
    g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * g.reshape(-1, *([1] * (conv.weight.dim() - 1)))
    return w, bn.bias - bn.running_mean * g


def _stacked(parts: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[nn.Parameter, nn.Parameter]:
    w = torch.cat([p[0] for p in parts], dim=0).detach().clone()
    b = torch.cat([p[1] for p in parts], dim=0).detach().clone()
    return nn.Parameter(w, requires_grad=False), nn.Parameter(b, requires_grad=False)


class FusedEnsembleExportWrapper(nn.Module):
    """K members (train_ct_phantom_classifier2.Member) as one set of layers; the outputs of
    EnsembleExportWrapper (see the module)."""

    @staticmethod
    def unsupported(members: list) -> str:
        """Why these members cannot be fused ('' = they can)."""
        n0 = members[0].net
        for m in members:
            n = m.net
            if n.gate is None or n.band_gate or n.noise_gate_hu > 0 or n.shell_gate_only:
                return ("the fused ensemble supports the blur gate alone (no band gate, "
                        "noise gate or shell-only context)")
            if n.gate.freqs != n0.gate.freqs or n.gate.with_lsf != n0.gate.with_lsf \
                    or n.n_features != n0.n_features:
                return "the members differ in their blur gate or context layout"
        return ""

    def __init__(self, members: list) -> None:
        super().__init__()
        why = self.unsupported(members)
        if why:
            raise ValueError(why)
        nets = [m.net.eval() for m in members]
        n0 = nets[0]
        self.front = n0                      # fixed_maps / ctx_input / the gate's MTF only
        self.k = k = len(nets)
        self.conv2d = nn.ParameterList()
        for j, name in enumerate(("c1", "c2", "c3", "c4")):
            self.conv2d.extend(_stacked([_bn_folded(getattr(n, name)[0], getattr(n, name)[1])
                                         for n in nets]))
        self.conv1d = nn.ParameterList()
        for j in (0, 2, 4):
            self.conv1d.extend(_stacked([(n.ring[j].weight, n.ring[j].bias) for n in nets]))
        self.pads1d = [n0.ring[j].padding[0] for j in (0, 2, 4)]

        def batched(layers: list[nn.Linear]) -> tuple[nn.Parameter, nn.Parameter]:
            # (K, in, out) and (K, 1, out): x (K, N, in) @ w + b
            w = torch.stack([lin.weight.t() for lin in layers]).detach().clone()
            b = torch.stack([lin.bias[None] for lin in layers]).detach().clone()
            return nn.Parameter(w, requires_grad=False), nn.Parameter(b, requires_grad=False)

        self.ctx1 = nn.ParameterList(_stacked([(n.ctx[0].weight, n.ctx[0].bias) for n in nets]))
        self.ctx2 = nn.ParameterList(batched([n.ctx[2] for n in nets]))
        self.head1 = nn.ParameterList(batched([n.head[1] for n in nets]))
        self.head2 = nn.ParameterList(batched([n.head[4] for n in nets]))
        # each member's logistic on the gate's raw inputs (a standardisation folded in)
        folded = [n.gate.folded() for n in nets]
        self.gate_w = nn.Parameter(torch.stack([w for w, _ in folded], dim=1).detach().clone(),
                                   requires_grad=False)                        # (F, K)
        self.gate_b = nn.Parameter(torch.stack([b for _, b in folded]).detach().clone(),
                                   requires_grad=False)                        # (K,)
        self.register_buffer("means", torch.stack(
            [torch.as_tensor(m.means, dtype=torch.float32) for m in members]))  # (K, C, D)
        self.register_buffer("inv_cov", torch.stack(
            [torch.as_tensor(m.inv_cov, dtype=torch.float32) for m in members]))  # (K, D, D)
        self.register_buffer("inv_temperature", torch.tensor(
            [1.0 / float(m.temperature) for m in members], dtype=torch.float32).reshape(1, k, 1))
        self.register_buffer("inv_scale", torch.tensor(
            [1.0 / float(m.scale) for m in members], dtype=torch.float32).reshape(1, k))
        # (the training script's layout: imported here, it imports this module lazily)
        from train_ct_phantom_classifier2 import BLUR, N_FEATURES, N_SCALARS
        self.blur_index, self.esf_cols = BLUR, slice(N_SCALARS, N_FEATURES)

    def forward(self, x: torch.Tensor, ctx: torch.Tensor):
        k = self.k
        maps, sectors, feats = self.front.fixed_maps(x, ctx)
        p2 = list(self.conv2d)
        h = maps
        for j in range(4):
            h = F.relu(F.conv2d(h, p2[2 * j], p2[2 * j + 1], padding=1, groups=1 if j == 0 else k))
            if j < 2:
                h = F.max_pool2d(h, 2)
        n = h.shape[0]
        p1 = list(self.conv1d)
        r = torch.sort(sectors, dim=1).values
        for j in range(3):
            r = F.relu(F.conv1d(r, p1[2 * j], p1[2 * j + 1], padding=self.pads1d[j],
                                groups=1 if j == 0 else k))
        c = F.relu(F.linear(self.front.ctx_input(feats), self.ctx1[0], self.ctx1[1]))
        c = F.relu(torch.matmul(c.reshape(n, k, -1).transpose(0, 1), self.ctx2[0])
                   + self.ctx2[1])                                      # (K, N, 32)
        avg = F.adaptive_avg_pool2d(h, 1).reshape(n, k, -1).transpose(0, 1)
        mx = F.adaptive_max_pool2d(h, 1).reshape(n, k, -1).transpose(0, 1)
        ra = r.amax(dim=2).reshape(n, k, -1).transpose(0, 1)
        rm = r.mean(dim=2).reshape(n, k, -1).transpose(0, 1)
        f = torch.cat([avg, mx, ra, rm, c], dim=2)                      # (K, N, D)
        z = F.relu(torch.matmul(f, self.head1[0]) + self.head1[1])
        head = torch.matmul(z, self.head2[0]) + self.head2[1]           # (K, N, 6)
        g = torch.matmul(self.front.gate.inputs(feats[:, self.esf_cols]), self.gate_w) \
            + self.gate_b                                               # (N, K)
        g = g.t().unsqueeze(2)                                          # (K, N, 1)
        lp_rest = F.log_softmax(head, dim=2) + F.logsigmoid(-g)
        b = self.blur_index
        lp = torch.cat([lp_rest[:, :, :b], F.logsigmoid(g), lp_rest[:, :, b:]], dim=2)
        probs = torch.softmax(lp.transpose(0, 1) * self.inv_temperature, dim=2)  # (N, K, 7)
        p = probs.mean(dim=1)
        d = f.unsqueeze(2) - self.means.unsqueeze(1)                    # (K, N, C, D)
        m = (torch.matmul(d, self.inv_cov.unsqueeze(1)) * d).sum(dim=3)  # (K, N, C)
        an = torch.sqrt(torch.clamp(m.min(dim=2).values, min=0.0)).t() * self.inv_scale
        return p, torch.log(torch.clamp(p, min=1e-12)), an.mean(dim=1)

