"""Classifier 2.1 training augmentation (models/training/ai_augment.py): a synthetic
streak or ring follows the class definition (streak 30..150 HU peak inside the phantom,
straight and through the phantom's centre region; ring 3..25 HU and at least the
physics detection floor, about the rotation centre), whatever the renderer drew."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.ct.ai.normalise import GRID_N, slice_facts
from models.training.ai_augment import (add_module_step, add_ring, add_streak, ring_pattern,
                                        streak_pattern)


def _normal_grid() -> np.ndarray:
    from app.ct.simulator import SimParams, simulate_series

    s = simulate_series(SimParams(phantom="catphan504", matrix=256, fov_mm=256.0, n_slices=3,
                                  slice_thickness_mm=2.0, z_range_mm=(-67.0, -63.0),
                                  noise_sd_hu=8.0, seed=4))
    return np.stack([slice_facts(v, s.pixel_mm).grid for v in s.volume])


def _radon_contrast(pat: np.ndarray) -> float:
    import cv2

    w = np.abs(pat).astype(np.float32)
    best = 0.0
    for ang in range(0, 180, 2):
        m = cv2.getRotationMatrix2D((127.5, 127.5), float(ang), 1.0)
        proj = cv2.warpAffine(w, m, (GRID_N, GRID_N)).sum(axis=0)
        best = max(best, float(proj.max() / max(proj.mean(), 1e-9)))
    return best


def test_streak_is_a_straight_structure_of_the_class_amplitude_inside_the_phantom():
    g = _normal_grid()
    yy, xx = np.mgrid[:GRID_N, :GRID_N]
    inside = np.hypot(xx - 127.5, yy - 127.5) <= 0.9 * 100
    for seed in range(12):
        rng = np.random.default_rng(seed)
        pat = streak_pattern(g[1], rng)
        peak = float(np.abs(pat[inside]).max())
        assert 30.0 - 1e-3 <= peak <= 150.0 + 1e-3, (seed, peak)
        # straight: projected along its direction the pattern piles up in a narrow
        # band (Radon peak / mean >= 3 at its angle)
        assert _radon_contrast(pat) >= 3.0, seed
        out = add_streak(g, np.random.default_rng(seed))
        assert out.shape == g.shape and np.abs(out - g).max() > 25.0


def test_ring_is_centred_and_above_the_detection_floor():
    yy, xx = np.mgrid[:GRID_N, :GRID_N]
    r = np.hypot(xx - 127.5, yy - 127.5)
    for seed in range(12):
        for sd in (4.0, 12.0, 30.0):
            pat = ring_pattern(sd, np.random.default_rng(seed))
            w = np.abs(pat)
            assert 3.0 - 1e-3 <= w.max() <= max(25.0, 6.0 * sd) + 1.0
            # one radius about the rotation (grid) centre carries the ring: 6 mm of
            # radius hold most of its weight
            hist = np.bincount(r.astype(int).ravel(), weights=w.ravel())
            best = max(hist[i:i + 6].sum() for i in range(len(hist)))
            assert best > 0.6 * hist.sum(), (seed, sd)
    g = _normal_grid()
    out = add_ring(g, 8.0, np.random.default_rng(3))
    assert np.abs(out - g).max() >= 3.0 - 1e-3


def _boundary_grid() -> np.ndarray:
    """Three 1 mm grid slices of a simulated CatPhan 504 across the CTP404 / CTP486
    boundary (the first neighbour in the other module)."""
    from app.ct.phantoms import load_phantom
    from app.ct.simulator import SimParams, simulate_series

    ph = load_phantom("catphan504")
    ext = sorted(m.z_extent_mm for m in ph.modules)
    # the boundary between the two modules nearest z = -40 mm
    bounds = [0.5 * (a[1] + b[0]) for a, b in zip(ext[:-1], ext[1:])]
    zb = min(bounds, key=lambda b: abs(b + 40.0))
    s = simulate_series(SimParams(phantom="catphan504", matrix=256, fov_mm=256.0, n_slices=3,
                                  slice_thickness_mm=3.0, z_range_mm=(zb - 2.0, zb + 4.0),
                                  noise_sd_hu=6.0, seed=5))
    return np.stack([slice_facts(v, s.pixel_mm).grid for v in s.volume])


@pytest.mark.slow
def test_module_step_moves_the_other_modules_body_only():
    g = _boundary_grid()
    for seed in range(4):
        out, k, step = add_module_step(g, np.random.default_rng(seed))
        assert k == 0, "slice 0 lies in the other module"
        assert 5.0 <= abs(step) <= 60.0
        assert np.array_equal(out[1], g[1]) and np.array_equal(out[2], g[2])
        d = out[0] - g[0]
        body = np.abs(g[0] - np.median(g[0][g[0] > -500])) < 30
        # the body material moves by the step; the air around the phantom does not
        assert abs(float(np.median(d[body])) - step) < 0.05 * abs(step) + 0.5
        near = cv2.dilate((g[0] > -500).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
        assert float(np.abs(d[~near]).max()) < 0.01


@pytest.mark.slow
def test_module_step_can_leave_the_phantoms_shell_alone():
    """keep_shell_mm (the shell recipe): a module's body lies inside the phantom's shell,
    which runs through every module - the copy's shell does not step
    (app/ct/ai/shell_step.py), its body does."""
    from app.ct.ai.shell_step import stack_shell_steps

    g = _boundary_grid()
    for seed in range(3):
        old, k0, s0 = add_module_step(g, np.random.default_rng(seed))
        out, k, step = add_module_step(g, np.random.default_rng(seed), keep_shell_mm=4.5)
        assert (k, step) == (k0, s0) and k == 0
        d = out[0] - g[0]
        body = np.abs(g[0] - np.median(g[0][g[0] > -500])) < 30
        assert abs(float(np.median(d[body])) - step) < 0.05 * abs(step) + 0.5
        # the shell step of the copy is that of the source (the former copy moved the
        # part of a shell within 60 HU of the body: this one by 16 % of the step)
        sh0 = stack_shell_steps(g)[0]
        assert abs(stack_shell_steps(out)[0] - sh0) < 0.05 * abs(step)
        assert abs(stack_shell_steps(old)[0] - sh0) > 0.1 * abs(step)
