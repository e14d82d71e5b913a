"""The classifier's training recipe: a sample is labelled "ring" only when the physics
ring detector would still see it in the network's own input (models/training)."""
from __future__ import annotations

import numpy as np
import pytest

from models.training.ct_phantom_dataset import (ARC_MIN_RADIUS_MM, RING_MIN_HU,
                                                ring_detection_floor, ring_measured_amplitude,
                                                sample_seed, sample_spec)
from app.ct.simulator import ArtifactSpec, SimParams


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


# --- band label: the amplitude the physics band detector measures (not the nominal) ---

def _disc_median_shift(p, k: int = 1) -> float:
    """Centre-slice median of a 15 mm disc about the phantom centre, with minus without the
    band (noise-free renders of the sample's own parameters)."""
    from dataclasses import replace

    from app.ct.simulator import simulate_series
    from app.ct.simulator.series import make_grid, phantom_centre_at

    with_band = simulate_series(replace(p, noise_sd_hu=0.0))
    without = simulate_series(replace(p, noise_sd_hu=0.0, artifacts=()))
    grid = make_grid(p)
    cx, cy = phantom_centre_at(p, float(without.slice_positions_mm[k]))
    yy, xx = np.mgrid[0:grid.ny, 0:grid.nx]
    disc = ((yy - (cy - grid.y0) / grid.pixel_mm) ** 2
            + (xx - (cx - grid.x0) / grid.pixel_mm) ** 2) <= (15.0 / grid.pixel_mm) ** 2
    return float(np.median(with_band.volume[k][disc]) - np.median(without.volume[k][disc]))


@pytest.mark.parametrize("heldout, seed0, lo, hi", [(False, 1_000, 3.0, 30.0),
                                                    (True, 900_000_000, 3.5, 28.0)])
def test_band_samples_measure_between_the_action_level_and_the_range_top(heldout, seed0, lo, hi):
    rows_seen = set()
    for k in range(8):
        p = sample_spec("band", sample_seed(seed0, "band", k), heldout)
        (band,) = p.artifacts
        assert band.kind == "band" and 1 in band.slices
        assert band.slices in ((1,), (1, 2), (0, 1))
        rows_seen.add(band.slices)
        measured = abs(_disc_median_shift(p))
        assert lo - 0.05 <= measured <= hi + 0.05, (k, measured, band.amplitude_hu)
    assert (1,) in rows_seen and len(rows_seen) > 1     # one slice and two adjacent slices


def test_band_measured_amplitude_is_what_the_physics_band_detector_reports():
    from dataclasses import replace

    from models.training.ct_phantom_dataset import band_measured_amplitude
    from app.ct.analysis import analyze_series
    from app.ct.dicom_load import LoadedSeries
    from app.ct.limits import load_profile
    from app.ct.simulator import simulate_series

    base = SimParams(phantom="catphan504", matrix=256, slice_thickness_mm=5.0,
                     noise_sd_hu=2.0, seed=3)
    clean = simulate_series(replace(base, noise_sd_hu=0.0))
    z = clean.slice_positions_mm
    # a slice in the middle of the uniformity module: the phantom's body values differ
    # from module to module (CTP515 +40 HU), and the physics treats a slice on a module's
    # edge, between two body levels, as a step, not a band
    loc = analyze_series(LoadedSeries.from_simulated(clean), phantom="catphan504",
                         profile=load_profile("factory_simct_120kv")).localisation
    k = int(loc.module_slices["CTP486"])
    unit = band_measured_amplitude(replace(base, n_slices=3,
                                           z_range_mm=(float(z[k - 1]), float(z[k + 1]))))
    assert 0.8 < unit < 1.3
    sim = simulate_series(replace(base, artifacts=(ArtifactSpec("band", 4.0, slices=(k,)),)))
    res = analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan504",
                         profile=load_profile("factory_simct_120kv"))
    found = [a for a in res.artifacts if a.type == "band"]
    assert len(found) == 1 and found[0].location["slice_range"] == [k, k]
    assert found[0].amplitude_hu == pytest.approx(4.0 * unit, abs=0.3)
    assert found[0].verdict.value == "FAIL"          # 4 HU measured > the 3 HU action level


def test_image_renderer_facts_say_boundary_and_edge_kernel_apart():
    """``facts["boundary"]`` is a module-boundary sample (its neighbours lie in the next
    module), ``facts["edge_kernel"]`` an edge-enhancing kernel (was: the kernel flag under
    the boundary's name, which misled the error analysis)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))
    from models.training.image_renderer_adapter import render_sample

    seen = set()
    for seed in range(1000, 1003):
        _, _, normal = render_sample("normal", seed, False)
        _, _, boundary = render_sample("normal@edge", seed, False)
        assert normal["boundary"] is False and boundary["boundary"] is True
        for f in (normal, boundary):
            assert f["edge_kernel"] == (f["params"]["psf"] == "edge")
            seen.add(f["edge_kernel"])
    assert seen == {True, False}
