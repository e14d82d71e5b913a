"""The 2.4 candidate's physics gates (models/training/ai_band_gate.py, ai_noise_gate.py):
a band-size step whose shell stays is no band (the shell veto), the normal / noise /
blur split follows the native noise SD; the other classes keep the network's
probabilities."""
from __future__ import annotations

import math

import numpy as np
import pytest

# the gates are torch modules of the training scripts: the training extra, not the runtime lock
torch = pytest.importorskip("torch", reason="training extra (pip install .[train]) absent")

from models.training import ai_band_gate as bg  # noqa: E402
from models.training import ai_noise_gate as ng  # noqa: E402

P0 = [0.6, 0.05, 0.05, 0.1, 0.05, 0.05, 0.1]     # normal ring streak band noise shift blur


def _veto(step_hu: float, shell_hu: float, grid_noise_hu: float = 7.0, side: str = "prev"
          ) -> float:
    z = torch.zeros(1)
    step, shell = torch.tensor([step_hu / 5.0]), torch.tensor([shell_hu / 5.0])
    args = (torch.tensor([math.log(grid_noise_hu / 10.0)]),
            *((step, z, shell, z) if side == "prev" else (z, step, z, shell)))
    return float(bg.veto(*args)[0])


@pytest.mark.parametrize("side", ["prev", "next"])
def test_a_band_size_step_whose_shell_stays_is_no_band(side):
    assert _veto(20.0, 0.5, side=side) > 0.999           # a module boundary in a shell
    assert _veto(20.0, -5.0, side=side) > 0.999          # an edge kernel's overshoot
    assert _veto(-6.0, 0.3, side=side) > 0.999
    assert _veto(60.0, 1.0, side=side) > 0.999           # a boundary beyond the class too
    # the shell follows: a band, or a phantom whose body reaches its rim - no veto
    assert _veto(20.0, 22.0, side=side) < 1e-3
    assert _veto(-6.0, -6.6, side=side) < 1e-3


def test_no_veto_below_the_class_floor_or_within_the_noise():
    assert _veto(2.0, 0.0) < 0.02                        # < 3 HU: not a band step at all
    assert _veto(10.0, 0.0, grid_noise_hu=60.0) < 1e-3   # within 5 standard errors (18 HU)
    assert _veto(25.0, 0.0, grid_noise_hu=60.0) > 0.999


def test_the_veto_moves_band_mass_to_normal_only():
    lp = torch.log(torch.tensor([P0, P0]))
    out = torch.exp(bg.apply(lp, torch.tensor([1.0, 0.0])))
    assert torch.allclose(out.sum(dim=1), torch.ones(2), atol=1e-5)
    assert out[0, 0] == pytest.approx(0.7, abs=1e-5) and out[0, 3] < 1e-6
    assert torch.allclose(out[1], torch.tensor(P0), atol=1e-6)      # no veto: unchanged
    for k in (1, 2, 4, 5, 6):
        assert torch.allclose(out[:, k], torch.tensor([P0[k]] * 2), atol=1e-6)
    # the numpy path (stored leave-one-renderer-out probabilities) agrees
    ctx = np.zeros((2, 5), np.float32)
    ctx[:, 1] = math.log(0.7)
    ctx[:, 3] = 4.0                                      # +20 HU to the previous slice
    v = bg.veto_numpy(ctx, np.array([[0.0, 0.0], [22.0, 0.0]], np.float32))
    assert v[0] > 0.999 and v[1] < 1e-3
    assert np.allclose(bg.apply_numpy(np.array([P0, P0], np.float32), v), out.numpy(),
                       atol=1e-4)


def test_the_noise_threshold_is_the_middle_of_the_training_gap():
    ln = np.log(np.array([5.0, 19.0, 8.0, 25.0, 60.0]) / 10.0)
    y = np.array([0, 0, 6, 4, 4])
    assert ng.threshold_hu(ln, y) == pytest.approx(math.sqrt(19.0 * 25.0))
    with pytest.raises(ValueError, match="no gap"):
        ng.threshold_hu(ln, np.array([0, 0, 6, 4, 0]))     # a 60 HU normal


def test_the_noise_gate_moves_mass_among_normal_noise_and_blur_only():
    lp = torch.log(torch.tensor([P0, P0, P0]))
    sd = torch.log(torch.tensor([30.0, 10.0, 21.0]) / 10.0)
    out = torch.exp(ng.apply(lp, sd, 21.0))
    assert torch.allclose(out.sum(dim=1), torch.ones(3), atol=1e-5)
    m = P0[0] + P0[4] + P0[6]
    assert out[0, 4] == pytest.approx(m, abs=1e-4)             # 30 HU: noise
    assert out[1, 4] < 1e-6                                    # 10 HU: not noise
    assert out[1, 0] / out[1, 6] == pytest.approx(P0[0] / P0[6], rel=1e-4)
    assert out[2, 4] == pytest.approx(m / 2, abs=1e-4)         # at the threshold
    for k in (1, 2, 3, 5):
        assert torch.allclose(out[:, k], torch.tensor([P0[k]] * 3), atol=1e-6)
