"""A classifier of several training seeds (models/training/train_ct_phantom_classifier2.py
``--member-seeds``): one ONNX graph with one front end and one learned part per member,
whose outputs are the mean of the members' own exported outputs, and which the station
runs like any released model (the registry, the onnx_exact rewrites, ``pharos ai
classify``)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from app.adapters.inference import ModelRegistry, OnnxModel, file_sha256
from app.ct.ai.check import AiChecker
from tests.image_review.conftest import phantom_volume

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models" / "training"))


def _member(tr, seed: int, n_evidence: int):  # noqa: ANN001, ANN202
    import torch

    torch.manual_seed(seed)
    net = tr.PhantomNet2(n_evidence=n_evidence).eval()      # untrained: random weights
    rng = np.random.default_rng(seed)
    d = net.feat_dim
    means = rng.normal(0, 0.2, (7, d)).astype(np.float32)
    inv_cov = np.eye(d, dtype=np.float32) * (0.5 + seed)
    return tr.Member(net, 0.8 + 0.1 * seed, means, inv_cov, 3.0 + seed, np.eye(7), seed)


def _run(path: Path, x: np.ndarray, ctx: np.ndarray) -> list[np.ndarray]:
    import onnxruntime as ort

    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return s.run(None, {"image": x, "context": ctx})


@pytest.mark.slow                                   # three torch ONNX exports: ~10 s
def test_an_ensemble_export_is_the_mean_of_its_members_and_runs_in_the_station(tmp_path):
    pytest.importorskip("torch", reason="training extra (pip install .[train]) absent")
    pytest.importorskip("onnx", reason="training extra (pip install .[train]) absent")
    import train_ct_phantom_classifier2 as tr
    from loro_export import card_interface

    from app.ct.ai.normalise import RING, prepare
    from app.ct.ai.evidence import RING_EVIDENCE_NAMES

    n_ev = len(RING_EVIDENCE_NAMES)
    members = [_member(tr, 0, n_ev), _member(tr, 1, n_ev)]
    vol = phantom_volume(8.0, n=5, size=512)
    x, ctx, problems = prepare(vol, 0.5, [1, 2, 3], RING)
    assert not any(problems)
    outs = []
    for k, m in enumerate(members):
        tr.export(m.net, m.means, m.inv_cov, m.scale, m.temperature, tmp_path / f"m{k}")
        outs.append(_run(tmp_path / f"m{k}" / "model.onnx", x, ctx))
    tr.export_members(members, tmp_path / "ens")
    p, logits, anomaly = _run(tmp_path / "ens" / "model.onnx", x, ctx)
    mean_p = (outs[0][0] + outs[1][0]) / 2
    assert np.allclose(p, mean_p, atol=1e-5)
    assert np.allclose(anomaly, (outs[0][2] + outs[1][2]) / 2, rtol=1e-4, atol=1e-5)
    assert np.allclose(np.exp(logits), p, atol=1e-5)
    # the members differ (else the test could not tell a mean from either member)
    assert np.abs(outs[0][0] - outs[1][0]).max() > 1e-3

    # installed as a registry model: the station's session (with the exact rewrites,
    # checked bit for bit against the file's graph when the session is built) and the
    # series check
    d = tmp_path / "models" / "ct_phantom_classifier" / "9.9.9"
    d.mkdir(parents=True)
    (tmp_path / "ens" / "model.onnx").rename(d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": "9.9.9", "file": "model.onnx",
            "sha256": file_sha256(d / "model.onnx"), **card_interface(RING),
            "thresholds": {"anomaly": 1.0, "not_applicable": 1e9, "low_confidence": 0.8}}
    (d / "card.json").write_text(json.dumps(card))
    checker = AiChecker.from_registry(ModelRegistry(tmp_path / "models"))
    assert isinstance(checker.onnx, OnnxModel)
    got = checker.onnx.run({"image": x, "context": ctx}, threads=1)
    assert np.allclose(got["probabilities"], p, atol=1e-6)
    assert checker.onnx.rewrites, "the ensemble graph keeps the front-end rewrites"
    res = checker.classify(vol, pixel_mm=0.5)
    assert len(res.slices) == 3 and res.label


@pytest.mark.parametrize("lsf", [False, True])     # the blur gate on the MTF; + line spread
def test_the_fused_ensemble_graph_computes_the_member_by_member_ensemble(lsf):
    """ai_fused_ensemble: one operator per layer for all the members (stacked and grouped
    convolutions, batch norms folded, batched products) - the outputs of
    EnsembleExportWrapper to float rounding, on members whose batch norms are not the
    identity (a fold that ignored them would show)."""
    torch = pytest.importorskip("torch", reason="training extra (pip install .[train]) absent")
    import train_ct_phantom_classifier2 as tr
    from ai_fused_ensemble import FusedEnsembleExportWrapper

    from app.ct.ai.evidence import RING_EVIDENCE_NAMES
    from app.ct.ai.normalise import RING, prepare

    members = [_member(tr, s, len(RING_EVIDENCE_NAMES)) for s in (0, 1, 2)]
    g = torch.Generator().manual_seed(5)
    vol = phantom_volume(8.0, n=5, size=512)
    x, ctx, problems = prepare(vol, 0.5, [1, 2, 3], RING)
    if lsf:
        torch.manual_seed(7)
        members = [m._replace(net=tr.PhantomNet2(n_evidence=len(RING_EVIDENCE_NAMES),
                                                 blur_gate_lsf=True).eval()) for m in members]
        esf = torch.from_numpy(ctx[:, tr.N_SCALARS:tr.N_FEATURES])
        for m in members:          # a fitted gate's standardisation (not the identity)
            z = m.net.gate.inputs(esf)
            m.net.gate.mu.copy_(z.mean(0) + 0.1 * torch.randn(z.shape[1], generator=g))
            m.net.gate.sd.copy_(torch.rand(z.shape[1], generator=g) + 0.3)
    for m in members:
        for bn in (mod for mod in m.net.modules() if isinstance(mod, torch.nn.BatchNorm2d)):
            n = bn.num_features
            bn.running_mean.copy_(torch.randn(n, generator=g) * 0.3)
            bn.running_var.copy_(torch.rand(n, generator=g) * 2 + 0.2)
            bn.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            bn.bias.data.copy_(torch.randn(n, generator=g) * 0.2)
    assert not any(problems)
    rng = np.random.default_rng(1)
    x = np.concatenate([x, x + rng.normal(0, 40, x.shape).astype(np.float32)])
    ctx = np.concatenate([ctx, ctx])
    with torch.no_grad():
        ref = tr.EnsembleExportWrapper(members).eval()(torch.from_numpy(x), torch.from_numpy(ctx))
        got = FusedEnsembleExportWrapper(members).eval()(torch.from_numpy(x),
                                                          torch.from_numpy(ctx))
    assert torch.allclose(got[0], ref[0], atol=1e-5)
    assert torch.allclose(got[1], ref[1], atol=1e-4)
    assert torch.allclose(got[2], ref[2], rtol=1e-4, atol=1e-5)
    # the members differ (else a fused graph that ran one member three times would pass)
    with torch.no_grad():
        own = [tr.EnsembleExportWrapper([m]).eval()(torch.from_numpy(x), torch.from_numpy(ctx))
               for m in members]
    assert float((own[0][0] - own[1][0]).abs().max()) > 1e-4
    assert float((own[1][2] - own[2][2]).abs().max()) > 1e-4
    # an inference rule the fused graph does not carry is refused, not dropped
    members[1].net.noise_gate_hu = 12.0
    with pytest.raises(ValueError, match="blur gate alone"):
        FusedEnsembleExportWrapper(members)


def test_the_blur_gate_reads_the_line_spread_only_when_asked():
    """ai_edge_mtf.EdgeMTFGate: the default gate is the former one (a logistic of the log
    MTF, no standardisation); ``with_lsf`` standardises the log MTF and the line spread
    with the fitted slices' mean / SD, and ``folded`` is the same function on the raw
    inputs (what the fused ensemble graph computes)."""
    torch = pytest.importorskip("torch", reason="training extra (pip install .[train]) absent")
    from ai_edge_mtf import EdgeMTFGate

    g = torch.Generator().manual_seed(3)
    x = torch.linspace(-6, 6, 48)
    # edges of different sharpness: sigmoid profiles, body side first (1 -> 0)
    width = torch.rand(200, 1, generator=g) * 1.5 + 0.2
    esf = torch.sigmoid(-x[None] / width) + 0.01 * torch.randn(200, 48, generator=g)
    blur = width[:, 0] > 0.9
    old = EdgeMTFGate(48)
    assert not hasattr(old, "mu") and old.lin.in_features == 8
    old.fit(esf, blur)
    assert torch.allclose(old(esf), old.lin(old.log_mtf(esf)).squeeze(1))
    new = EdgeMTFGate(48, with_lsf=True)
    err = new.fit(esf, blur)
    assert err < 0.1 and new.lin.in_features == 8 + 47
    z = new.inputs(esf)
    assert torch.allclose(new.mu, z.mean(0)) and not torch.allclose(new.sd, torch.ones(55))
    w, b = new.folded()
    assert torch.allclose(new(esf), z @ w + b, atol=1e-4)
    assert "mu" in new.state_dict() and "sd" in new.state_dict()   # kept in the weights
