"""Series whose pixel values are not calibrated HU (direct-density / linear-attenuation
reconstructions, a rescale with an offset or scale): the phantom is located on thresholds
taken from the image, measured on an HU-equivalent scale, and CT-number checks are not
applicable with the reason - a clear result, not ERROR (issue 15)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from app.core.measurement import Verdict
from app.ct.analysis import analyze_series, units
from app.ct.dicom_load import LoadedSeries, load_series
from app.ct.image_renderer import RenderArtifact, RenderParams, render_series, render_volume
from app.ct.limits import default_profile_for

SMALL = dict(matrix=256, pixel_mm=0.9, noise_sd_hu=12.0, roll_deg=10.0)


@lru_cache(maxsize=8)
def _arrays(**kw):
    p = RenderParams(**{**SMALL, **kw})
    vol, truth = render_volume(p)
    s = LoadedSeries.from_arrays(vol, p.pixel_mm, truth["slice_positions_mm"], p.slice_thickness_mm)
    return truth, analyze_series(s, phantom="catphan504", profile=default_profile_for)


def _dicom(tmp_path, **kw):
    p = RenderParams(**{**SMALL, **kw})
    truth = render_series(p, tmp_path)
    return p, truth, load_series(tmp_path)


def _not_hu_result_is_clear(r, truth, keys=("ct_number.teflon", "ct_number.air", "linearity.slope",
                                             "ct_number.uniform"), may_fail=()):
    assert r.localisation.missing_modules == ()
    assert r.localisation.confidence > 0.8
    assert min(r.localisation.module_confidence.values()) > 0.5
    assert r.inputs["pixel_values"]["units"] == "not HU"
    for key in keys:
        m = r.measurement(key)
        assert m.verdict is Verdict.SKIP and "not HU" in m.note and "reads" in m.note, (key, m.note)
    assert not any(m.verdict is Verdict.ERROR and m.key not in may_fail for m in r.measurements), \
        [(m.key, m.note) for m in r.measurements if m.verdict is Verdict.ERROR]
    assert r.value("slice_thickness") == pytest.approx(truth["slice_thickness_mm"], abs=0.15)
    if "geometry.node_distance" not in may_fail:
        assert r.value("geometry.node_distance") == pytest.approx(50.0, abs=0.3)
    assert any("not HU" in n for n in r.notes)


def _warns_for_the_unjudged_ct_numbers(r):
    """Everything measurable passes, but the profile limits CT numbers that a series in other
    units cannot show: the result is WARN (never a plain PASS) and a note names them."""
    assert r.verdict is Verdict.WARN
    assert all(m.verdict in (Verdict.PASS, Verdict.SKIP) for m in r.measurements), \
        [(m.key, m.verdict) for m in r.measurements if m.verdict not in (Verdict.PASS, Verdict.SKIP)]
    note = next(n for n in r.notes if n.startswith("limited by the profile but not measured"))
    assert "ct_number.air" in note


@pytest.mark.slow
def test_linear_attenuation_series_is_located_and_measured(tmp_path):
    p, truth, s = _dicom(tmp_path, output_units="mu_per_cm", seed=3)
    assert s.header["rescale_type"] == "US" and float(s.volume.max()) < 1.0
    r = analyze_series(s, phantom="catphan504", profile=default_profile_for)
    _not_hu_result_is_clear(r, truth)
    assert r.artifacts == ()
    _warns_for_the_unjudged_ct_numbers(r)
    # noise on the HU-equivalent scale (air -> -1000, body -> nominal) is the rendered HU noise
    assert r.value("noise.sd") == pytest.approx(12.0, rel=0.15)
    assert r.inputs["pixel_values"]["reason"].startswith("RescaleType US")


@pytest.mark.slow
def test_direct_density_series_with_a_300_hu_streak(tmp_path):
    # bilinear HU -> mg/ml: inserts above water compressed (teflon ~ +600 HU-equivalent)
    p, truth, s = _dicom(tmp_path, output_units="density_mg_ml", density_slope_above_water=0.6, seed=4,
                         artifacts=(RenderArtifact("streak", 300.0, angle_deg=60.0, width_mm=1.5),))
    r = analyze_series(s, phantom="auto", profile=default_profile_for)
    assert r.phantom == "catphan504"
    # (the streak crosses the centre ROI: ct_number.uniform is SKIP for the streak)
    # (and its crossing of the nodes leaves geometry unmeasured, as on an HU series)
    _not_hu_result_is_clear(r, truth, ("ct_number.air", "ct_number.pmp", "linearity.slope"),
                            may_fail=("geometry.node_distance",))
    streaks = r.artifacts_of("streak")
    assert len(r.artifacts) == 1 and len(streaks) == 1
    assert streaks[0].amplitude_hu == pytest.approx(0.6 * 300, rel=0.25)


@pytest.mark.slow
@pytest.mark.parametrize("kw", [dict(hu_scale=0.5), dict(hu_offset=1024.0), dict(hu_scale=0.87, hu_offset=120.0)],
                         ids=["scale-0.5", "intercept-missing", "scale-and-offset"])
def test_a_rescale_with_an_offset_or_scale_is_not_hu_and_measures_what_it_can(kw):
    truth, r = _arrays(seed=3, **kw)
    _not_hu_result_is_clear(r, truth)
    assert r.artifacts == (), [(a.type, a.amplitude_hu, a.location) for a in r.artifacts]
    _warns_for_the_unjudged_ct_numbers(r)


@pytest.mark.slow
def test_an_hu_series_off_by_150_hu_is_judged_as_hu_and_fails_its_ct_numbers():
    truth, r = _arrays(seed=3, hu_offset=150.0)
    assert r.inputs["pixel_values"]["units"] == "HU"
    assert r.measurement("ct_number.air").verdict is Verdict.FAIL
    assert [a.type for a in r.artifacts] == ["ct_shift"]
    # the phantom is where it is: a calibration offset is a CT-number finding, not a doubt
    # about the localisation
    assert r.localisation.confidence > 0.8
    assert min(r.localisation.module_confidence.values()) > 0.8


def test_estimate_reads_air_and_body_from_the_histogram():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:128, :128]
    disc = (yy - 64) ** 2 + (xx - 64) ** 2 < 45 ** 2
    hu = np.where(disc, 10.0, -1000.0)[None].repeat(4, 0) + rng.normal(0, 15, (4, 128, 128))
    hu[:, 60:64, 60:64] = 1000.0                 # a small dense insert does not move the body
    s = units.estimate(hu)
    assert s.is_hu and s.air == pytest.approx(-1000, abs=3) and s.body == pytest.approx(10, abs=3)
    mu = 0.2 * (1 + hu / 1000)
    s = units.estimate(mu, "US")
    assert not s.is_hu and "RescaleType US" in s.reason
    eq = s.to_hu(mu)
    assert float(np.median(eq[:, 64, 40:50])) == pytest.approx(0.0, abs=3)   # body -> water first
    assert float(np.median(eq[:, 2, :])) == pytest.approx(-1000.0, abs=3)
    with pytest.raises(Exception, match="phantom"):
        units.estimate(np.zeros((2, 64, 64)) + rng.normal(0, 1, (2, 64, 64)))


def test_renderer_writes_the_units_it_renders(tmp_path):
    p, truth, s = _dicom(tmp_path, output_units="density_mg_ml", noise_sd_hu=0.0, n_slices=3, z_start_mm=-2.0)
    assert s.header["rescale_type"] == "MGML"
    assert truth["output_units"] == "density_mg_ml" and truth["water_value"] == 1000.0
    vol, _ = render_volume(p)
    assert np.abs(s.volume - vol).max() <= 0.51           # stored at 1 mg/ml
    assert float(np.median(s.volume[1, :5, :])) == pytest.approx(0.0, abs=1)   # air
