"""Classifier 2.2 recipe (models/training): "blur" is decided by the measured edge MTF
of the phantom alone (ai_edge_mtf.py), and module-boundary normals see the other module's
own body value (ai_augment.add_module_step) - the two places where the two renderers
differ without the class changing."""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.ct.ai.normalise import ESF_BINS, ESF_BIN_MM, ESF_HALF_MM, slice_facts

# the training extra (pyproject `train`: torch) is not part of the runtime lock that CI
# installs; where it is installed (retraining machines) these tests run
torch = pytest.importorskip("torch", reason="training extra (pip install .[train]) absent")
from models.training.ai_edge_mtf import EdgeMTFGate, combine  # noqa: E402


def _gaussian_esf(sigma_mm: float) -> np.ndarray:
    """Analytic edge profile of a Gaussian PSF, body side first, air 0 .. body 1."""
    d = -ESF_HALF_MM + ESF_BIN_MM * (np.arange(ESF_BINS) + 0.5)
    return np.array([0.5 * math.erfc(v / (sigma_mm * math.sqrt(2))) for v in d], np.float32)


def _fitted_gate() -> EdgeMTFGate:
    """The gate fitted on analytic edges only (normal PSF 0.25-0.65 mm, blur 0.95-1.6)."""
    rng = np.random.default_rng(0)
    sig = np.concatenate([rng.uniform(0.25, 0.65, 60), rng.uniform(0.95, 1.6, 60)])
    esf = np.stack([_gaussian_esf(s) + rng.normal(0, 0.01, ESF_BINS).astype(np.float32)
                    for s in sig])
    gate = EdgeMTFGate(ESF_BINS)
    err = gate.fit(torch.from_numpy(esf), torch.from_numpy(sig > 0.8))
    assert err == 0.0
    assert not any(q.requires_grad for q in gate.parameters())     # frozen after the fit
    return gate


def _sim_slice(psf: float) -> tuple[np.ndarray, float]:
    from app.ct.simulator import SimParams, simulate_series

    s = simulate_series(SimParams(phantom="catphan504", matrix=512, fov_mm=250.0, n_slices=1,
                                  slice_thickness_mm=2.0, z_range_mm=(-65.0, -65.0),
                                  psf_sigma_mm=psf, noise_sd_hu=8.0, seed=3))
    return s.volume[0], s.pixel_mm


def _img_slice(psf: float, edge: bool = False) -> tuple[np.ndarray, float]:
    from app.ct.image_renderer import RenderParams, render_volume

    p = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, n_slices=1,
                     z_start_mm=-65.0, noise_sd_hu=8.0, psf_sigma_mm=psf, seed=3,
                     psf="edge" if edge else "gaussian", edge_overshoot=0.4 if edge else 0.0)
    vol, _ = render_volume(p)
    return vol[0], p.pixel_mm


def test_mtf_of_an_analytic_edge_follows_the_gaussian_psf():
    gate = EdgeMTFGate(ESF_BINS)
    for sigma in (0.4, 0.8, 1.3):
        with torch.no_grad():
            m = gate.log_mtf(torch.from_numpy(_gaussian_esf(sigma)[None]))[0].exp().numpy()
        f = np.array([0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50])
        expect = np.exp(-2 * math.pi ** 2 * sigma ** 2 * f ** 2)
        assert np.allclose(m, np.maximum(expect, 0.01), atol=0.03), (sigma, m, expect)


@pytest.mark.slow
def test_blur_gate_fitted_on_analytic_edges_judges_both_renderers_slices():
    """The measure is the system's edge MTF, not a renderer's look: a gate fitted on
    analytic Gaussian edges calls both renderers' sharp slices (an edge-enhancing kernel
    included) not-blur and their 1.3 mm PSF slices blur."""
    gate = _fitted_gate()
    cases = [(_sim_slice(0.45), False), (_sim_slice(1.3), True),
             (_img_slice(0.4), False), (_img_slice(0.4, edge=True), False),
             (_img_slice(1.3), True)]
    for k, ((a, px), blur) in enumerate(cases):
        f = slice_facts(a, px)
        assert not f.problem, f.problem
        with torch.no_grad():
            g = float(gate(torch.from_numpy(np.asarray(f.esf, np.float32)[None]))[0])
        assert (g > 0) == blur, (k, g)


def test_combined_probabilities_keep_blur_to_the_gate():
    head = torch.randn(5, 6)
    gate = torch.tensor([-6.0, -1.0, 0.0, 2.0, 8.0])
    lp = combine(head, gate, blur_index=6)
    p = lp.exp()
    assert torch.allclose(p.sum(1), torch.ones(5), atol=1e-6)
    assert torch.allclose(p[:, 6], torch.sigmoid(gate), atol=1e-6)
    # the head's order of the other classes is kept
    assert torch.equal(p[:, :6].argmax(1), head.argmax(1))
