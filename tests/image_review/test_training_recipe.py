"""The classifier's training recipe: a sample is labelled "ring" only when the physics
ring detector would still see it in the network's own input (models/training)."""
from __future__ import annotations

import numpy as np
import pytest

from models.training.ct_phantom_dataset import (ARC_MIN_RADIUS_MM, RING_MIN_HU,
                                                ring_detection_floor, ring_measured_amplitude,
                                                sample_seed, sample_spec)
from station_plugins.ct_qc.simulator import ArtifactSpec, SimParams


@pytest.mark.parametrize("heldout, seed0, hi", [(False, 1_000, 25.0), (True, 900_000_000, 21.0)])
def test_ring_samples_lie_between_the_detection_floor_and_the_range_top(heldout, seed0, hi):
    for k in (0, 1, 2, 3, 4, 5):
        p = sample_spec("ring", sample_seed(seed0, "ring", k), heldout)
        (ring,) = p.artifacts
        measured = ring_measured_amplitude(p, ring)
        floor = ring_detection_floor(p, ring)
        assert measured >= max(3.0, floor) - 0.05, (k, measured, floor)
        assert measured <= max(hi, floor + 1.0) + 0.05, (k, measured, hi)
        if ring.coverage_deg < 360:
            assert ring.radius_mm >= ARC_MIN_RADIUS_MM


def test_detection_floor_follows_noise_extent_and_kernel():
    p = SimParams(matrix=256, fov_mm=250.0, noise_sd_hu=14.0, noise_kernel="smooth")
    small_arc = ArtifactSpec("ring", 1.0, radius_mm=15.0, coverage_deg=180.0)
    big_ring = ArtifactSpec("ring", 1.0, radius_mm=80.0)
    assert ring_detection_floor(p, small_arc) > ring_detection_floor(p, big_ring)
    quiet = SimParams(matrix=256, fov_mm=250.0, noise_sd_hu=4.0, noise_kernel="sharp")
    assert ring_detection_floor(quiet, big_ring) == RING_MIN_HU["ring"]
    assert ring_detection_floor(p, big_ring) > ring_detection_floor(
        SimParams(matrix=256, fov_mm=250.0, noise_sd_hu=14.0, noise_kernel="sharp"), big_ring)


def test_measured_amplitude_is_linear_and_below_the_simulator_peak_for_arcs():
    p = SimParams(matrix=256, fov_mm=250.0, psf_sigma_mm=0.45)
    full = ring_measured_amplitude(p, ArtifactSpec("ring", 10.0, radius_mm=50.0))
    assert full == pytest.approx(2 * ring_measured_amplitude(
        p, ArtifactSpec("ring", 5.0, radius_mm=50.0)), rel=1e-6)
    arc = ring_measured_amplitude(p, ArtifactSpec("ring", 10.0, radius_mm=50.0,
                                                  coverage_deg=200.0, start_deg=30.0))
    # the simulator scales an arc by its image peak (at the arc's ends): the arc itself is
    # much fainter than its nominal amplitude, which is why the recipe uses the measurement
    assert 0 < arc < 0.6 * 10.0
    assert 0 < full <= 10.0 and np.isfinite(full)
