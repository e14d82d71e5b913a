"""Accuracy of the CT QC measurements against the image renderer's ground truth (issue 15:
HU <= 0.7, slice thickness <= 0.04 mm, ring and cupping amplitudes as rendered)."""
from __future__ import annotations

import statistics

import pytest

from app.ct.image_renderer import RenderArtifact, RenderParams, render_volume
from app.ct.analysis import analyze_series
from app.ct.dicom_load import LoadedSeries
from app.ct.limits import default_profile_for


def _analyse(**kw):
    kw.setdefault("matrix", 256)
    kw.setdefault("pixel_mm", 0.9)
    p = RenderParams(**kw)
    vol, truth = render_volume(p)
    s = LoadedSeries.from_arrays(vol, p.pixel_mm, truth["slice_positions_mm"], p.slice_thickness_mm)
    return truth, analyze_series(s, phantom="catphan504", profile=default_profile_for)


def _hu_error(truth, r) -> float:
    ins = truth["features"]["CTP404"]["inserts"]
    return statistics.mean(abs(r.value(f"ct_number.{i['name']}") - i["rendered_hu"]) for i in ins)


@pytest.mark.slow
def test_ct_numbers_have_no_bias_without_noise():
    # the ROI keeps clear of the insert edge even with a smooth kernel (no PSF spill)
    for sigma in (0.4, 0.7):
        truth, r = _analyse(noise_sd_hu=0.0, psf_sigma_mm=sigma, roll_deg=4.0)
        assert _hu_error(truth, r) < 0.1


@pytest.mark.slow
def test_ct_numbers_within_0_7_hu_at_the_issues_conditions():
    # 512 x 512, 0.5 mm, 2 mm slices, SD 12 HU: what is left is the standard error of the
    # ROI mean (no bias, see above); the CT number averages the central 15 mm of the 25 mm
    # long inserts (it was 5 mm: mean error 0.73 HU over these seeds, 0.45 now)
    errs = [_hu_error(*_analyse(matrix=512, pixel_mm=0.5, noise_sd_hu=12.0, roll_deg=4.0, seed=s))
            for s in (499, 1, 2, 3, 4, 5)]
    assert statistics.mean(errs) <= 0.6, errs
    assert max(errs) <= 0.7, errs


@pytest.mark.slow
@pytest.mark.parametrize("sigma", [0.4, 0.7, 1.0])
def test_thin_slice_thickness_with_a_smooth_kernel(sigma):
    # the in-plane blur removed from the ramp profile comes from the TTF; a Hann window over
    # the whole edge-spread span narrowed a smooth kernel's LSF (0.7 mm read 0.66 mm) and
    # 0.625 mm slices read 0.71 mm; the ESF smoothing is divided out of the TTF; sigma 1.0 mm:
    # the taper over +/-2..4 mm still cut its LSF tails (sigma 2.6 % low, which the deblurring
    # of the ramp profile amplifies: 0.625 mm read ~0.07 mm wide); the edge span is +/-6 mm
    truth, r = _analyse(matrix=512, pixel_mm=0.5, slice_thickness_mm=0.625, n_slices=64, z_start_mm=-20.0,
                        psf_sigma_mm=sigma, noise_sd_hu=15.0, roll_deg=4.0, seed=1)
    assert r.value("slice_thickness") == pytest.approx(0.625, abs=0.04)


@pytest.mark.slow
@pytest.mark.parametrize("radius,amp", [(95.0, 300.0), (94.5, 15.0), (50.0, 10.0)])
def test_ring_amplitude_and_radius_from_a_profile_model(radius, amp):
    # a ring next to the shell: the search stops 1.5 mm inside it, and the baseline's
    # "nearest" padding repeated the ring (300 HU at 95 mm read 51 HU at 94.6 mm); the
    # Gaussian profile fit reads the peak from the flank that is seen
    truth, r = _analyse(matrix=512, pixel_mm=0.5, n_slices=40, z_start_mm=-60.0, noise_sd_hu=12.0, seed=700,
                        artifacts=(RenderArtifact("ring", amp, radius_mm=radius, width_mm=1.0),))
    rings = r.artifacts_of("ring")
    assert len(rings) == 1 and len(r.artifacts) == 1, [(a.type, a.amplitude_hu, a.location) for a in r.artifacts]
    assert rings[0].location["radius_mm"] == pytest.approx(radius, abs=0.3)
    assert rings[0].amplitude_hu == pytest.approx(amp, rel=0.15)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cupping", "capping"])
def test_cupping_amplitude_where_qc_reads_it(kind):
    # the renderer's amplitude is the depth at the inner shell; QC (and the station
    # simulator, and the foreign renderer within 0.1 HU) read edge minus centre 15 mm
    # inside it: the truth states both, and the reading matches the latter
    truth, r = _analyse(n_slices=40, z_start_mm=-60.0, noise_sd_hu=12.0, seed=706,
                        artifacts=(RenderArtifact(kind, 10.0),))
    want = truth["artifacts"][0]["edge_minus_centre_at_inset_hu"]
    found = r.artifacts_of(kind)
    assert len(found) == 1 and len(r.artifacts) == 1
    assert found[0].location["edge_minus_centre_hu"] == pytest.approx(want, abs=1.0)
    assert found[0].location["edge_radius_mm"] == pytest.approx(truth["artifacts"][0]["inset_radius_mm"], abs=0.5)
