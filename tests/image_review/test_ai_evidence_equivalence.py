"""The live ring / streak / cupping evidence equals the ev4 evidence the 2.3 candidate was
trained on (issue 16: the evidence was made faster, its values must not move).

``tests/image_review/ev4_reference/`` is a frozen copy of app/ct/ai/evidence.py and
ring_evidence.py as trained on. Both are fed the same grids - analytic phantoms on both
kernels (clean, rings and arcs from the physics floor to strong, a streak, pins, a
concentric step, cupping, a phantom off centre and a small one), simulated CatPhan 504
slices (512 at 0.488 mm, 256 at 0.89 mm: the other rotation centre) with a ring - and
every per-slice profile and every stack feature must agree to 1e-6 relative. On the
training's stored grids: ``bench_ai_evidence.py --data ... --check-reference``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.ct.ai import evidence as live
from app.ct.ai.normalise import grid_rotation_centre, slice_facts
from tests.image_review.ev4_reference import evidence as frozen
from tests.image_review.test_ai_evidence import PX, _phantom

RTOL, ATOL = 1e-6, 1e-6
FIELDS = ("ring_s", "ring_c", "ring_scale", "streak", "spec", "cupping", "noise",
          "streak_z", "streak_sd", "streak_at", "spec_z")


def _args(native: np.ndarray, px: float) -> tuple | None:
    """slice_evidence's arguments, measured by slice_facts (as the station does)."""
    f = slice_facts(native, px)
    if f.problem:
        return None
    return (f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu,
            grid_rotation_centre(native.shape[0], px))


def assert_same(args: list[tuple]) -> int:
    """Live and frozen evidence of consecutive grids (slices and 3-slice stacks) agree;
    returns the number of stacks compared."""
    evs = []
    for a in args:
        new, old = live.slice_evidence(*a), frozen.slice_evidence(*a)
        assert (new is None) == (old is None)
        if new is not None:
            for name in FIELDS:
                np.testing.assert_allclose(np.asarray(getattr(new, name), np.float64),
                                           np.asarray(getattr(old, name), np.float64),
                                           rtol=RTOL, atol=ATOL, err_msg=name)
        evs.append((new, old))
    n = 0
    for k in range(1, len(evs) - 1):
        trip = evs[k - 1:k + 2]
        new = live.stack_evidence([e[0] for e in trip])
        old = frozen.stack_evidence([e[1] for e in trip])
        scale = np.maximum(np.abs(old), 1.0)      # features are O(1); relative above 1
        assert np.all(np.abs(new - old) <= RTOL * scale), \
            dict(zip(live.EVIDENCE_NAMES, zip(new.tolist(), old.tolist())))
        n += 1
    return n


CASES = [
    {}, {"ring": 6.0}, {"ring": 3.0, "ring_r": 80.0}, {"ring": 30.0, "ring_fwhm": 1.0},
    {"ring": 8.0, "arc_deg": 200.0}, {"ring": -10.0, "ring_r": 25.0, "ring_fwhm": 3.0},
    {"streak": 40.0}, {"pins": True}, {"step": 20.0}, {"cup": 40.0}, {"noise": 35.0},
]


@pytest.mark.parametrize("kernel", ("smooth", "edge"))
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items())
                         or "clean")
def test_the_evidence_equals_the_trained_ev4_on_analytic_phantoms(kernel, case):
    args = [_args(_phantom(kernel, seed, **case), PX) for seed in range(4)]
    assert all(a is not None for a in args)
    assert assert_same(args) == 2


def test_the_evidence_equals_the_trained_ev4_off_centre_and_on_a_small_phantom():
    big = _phantom("edge", 7, ring=10.0)
    shifted = np.full_like(big, -1000.0)
    shifted[:, 40:] = big[:, :-40]                  # 20 mm off the rotation centre
    small = np.full((512, 512), -1000.0, np.float32)
    small[128:384, 128:384] = _phantom("smooth", 8)[::2, ::2]      # a 100 mm phantom
    args = [_args(v, PX) for v in (shifted, shifted[::-1].copy(), shifted.T.copy(), small)]
    assert sum(a is not None for a in args) >= 3
    assert_same([a for a in args if a is not None])


@pytest.fixture(scope="module")
def simulated():
    from app.ct.simulator import SimParams, simulate_series
    from app.ct.simulator.params import ArtifactSpec

    out = []
    for matrix, fov, seed in ((512, 250.0, 21), (256, 229.0, 22)):
        s = simulate_series(SimParams(
            phantom="catphan504", matrix=matrix, fov_mm=fov, slice_thickness_mm=2.0,
            n_slices=5, z_range_mm=(-70.0, -62.0), noise_sd_hu=10.0, seed=seed,
            artifacts=(ArtifactSpec("ring", 12.0, radius_mm=45.0, slices=(0, 1, 2)),)))
        out.append((s.volume, s.pixel_mm))
    return out


def test_the_evidence_equals_the_trained_ev4_on_simulated_catphan_slices(simulated):
    rcs = set()
    for vol, px in simulated:
        rcs.add(grid_rotation_centre(vol.shape[1], px))
        args = [_args(v, px) for v in vol]
        assert all(a is not None for a in args)
        assert assert_same(args) == len(vol) - 2
    assert len(rcs) == 2 and all(math.isfinite(r) for r in rcs)   # both rotation centres
