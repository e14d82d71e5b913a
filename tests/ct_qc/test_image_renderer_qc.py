"""The CT QC analysis on series from the independent image-domain renderer (app.ct.image_renderer):
no false alarms on clean series, artifacts found as physics says, localisation that survives
streaks, partial scans, blank ends and a couch; limits on the phantom's default profile."""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

from app.core.measurement import Verdict
from app.ct.image_renderer import RenderArtifact, RenderParams, render_volume
from app.ct.analysis import analyze_series
from app.ct.dicom_load import LoadedSeries
from app.ct.limits import default_profile_for


@lru_cache(maxsize=24)
def _run(**kw):
    kw.setdefault("matrix", 256)
    kw.setdefault("pixel_mm", 0.9)
    kw.setdefault("slice_thickness_mm", 2.0)
    p = RenderParams(**kw)
    vol, truth = render_volume(p)
    s = LoadedSeries.from_arrays(vol, p.pixel_mm, truth["slice_positions_mm"], p.slice_thickness_mm)
    return truth, analyze_series(s, phantom="catphan504", profile=default_profile_for)


def _bad(r):
    return [(m.key, m.value, m.verdict.value, m.note) for m in r.measurements if m.verdict not in (Verdict.PASS, Verdict.SKIP)]


CLEAN = [
    dict(noise_sd_hu=12.0, roll_deg=4.0, seed=1),
    dict(noise_sd_hu=30.0, roll_deg=-40.0, centre_offset_mm=(15.0, -12.0), psf="edge", psf_sigma_mm=0.3,
         edge_overshoot=0.5, hu_offset=-3.0, seed=2),
    dict(noise_sd_hu=20.0, roll_deg=33.0, centre_offset_mm=(-18.0, 6.0), slice_thickness_mm=5.0,
         psf_sigma_mm=0.8, hu_offset=2.5, pin_node=0, seed=3),
    dict(noise_sd_hu=15.0, roll_deg=-12.0, slice_thickness_mm=0.625, z_start_mm=-12.0, n_slices=40, seed=4),
    # the empty vial of CTP404 sits at the insert radius: its core once stayed unmasked
    # (a 7 HU "arc" at r = 61.5 mm)
    dict(noise_sd_hu=20.0, roll_deg=26.0, seed=8),
]


@pytest.mark.parametrize("kw", CLEAN, ids=["sd12", "sd30-edge-roll-40-offset", "5mm-smooth-pin0", "0.625mm-partial",
                                      "sd20-roll26-vial"])
def test_clean_series_pass_on_the_default_profile_with_no_artifact(kw):
    truth, r = _run(**kw)
    assert r.artifacts == (), [(a.type, a.amplitude_hu, a.location) for a in r.artifacts]
    assert r.verdict is Verdict.PASS, _bad(r)
    assert r.profile.name == "catphan504_default"
    ins = {i["name"]: i["rendered_hu"] for i in truth["features"]["CTP404"]["inserts"]}
    for name, want in ins.items():   # within noise: 3.5 x the standard error the result states
        m = r.measurement(f"ct_number.{name}")
        se = float(re.search(r"SE ([0-9.]+)", m.note).group(1))
        assert m.value == pytest.approx(want, abs=max(1.0, 3.5 * se)), (name, m.note)
    assert r.value("slice_thickness") == pytest.approx(truth["slice_thickness_mm"], abs=0.15)


def test_ctp486_is_judged_against_its_material_not_water():
    truth, r = _run(noise_sd_hu=12.0, hu_offset=3.0, seed=5)
    m = r.measurement("ct_number.uniform")
    assert r.value("ct_number.water") is None
    assert m.value == pytest.approx(truth["modules"]["CTP486"]["background_hu"], abs=1.5)   # ~ +8 HU
    assert m.verdict is Verdict.PASS and m.limits.low < 5.0 < m.limits.high


def test_geometry_from_all_four_nodes_including_the_teflon_pin():
    for pin in (3, 1):
        truth, r = _run(noise_sd_hu=12.0, roll_deg=20.0, pin_node=pin, seed=6)
        m = r.measurement("geometry.node_distance")
        assert m.note.startswith("4 distance(s)"), m.note
        assert m.value == pytest.approx(50.0, abs=0.3)


@pytest.mark.parametrize("radius", [8.0, 60.0, 90.0])
def test_ring_found_at_its_radius_over_the_slices_as_one_finding(radius):
    truth, r = _run(noise_sd_hu=12.0, seed=7, artifacts=(RenderArtifact("ring", 12.0, radius_mm=radius, width_mm=1.0),))
    rings = r.artifacts_of("ring") + r.artifacts_of("arc")
    assert len(rings) == 1 and len(r.artifacts) == 1, [(a.type, a.location) for a in r.artifacts]
    loc = rings[0].location
    assert loc["radius_mm"] == pytest.approx(radius, abs=1.0)
    assert loc["n_slices"] >= 0.6 * truth["n_slices"]
    assert "detector_channel" in loc


def test_a_300_hu_ring_next_to_the_shell_is_one_ring_at_its_radius():
    # at 0.9 mm pixels the ring lifts the median baseline of the last radii and the
    # undershoot beside it scored the higher z: the ring was described there and dropped
    _, r = _run(noise_sd_hu=20.0, roll_deg=26.0, seed=8,
                artifacts=(RenderArtifact("ring", 300.0, radius_mm=95.0, width_mm=1.0),))
    rings = r.artifacts_of("ring")
    assert len(rings) == 1 and not r.artifacts_of("arc"), [(a.type, a.location) for a in r.artifacts]
    assert rings[0].location["radius_mm"] == pytest.approx(95.0, abs=1.0)
    assert rings[0].amplitude_hu > 150.0


def test_streaks_in_two_directions_with_their_peak_amplitude_and_nothing_else():
    truth, r = _run(noise_sd_hu=12.0, centre_offset_mm=(6.0, 4.0), seed=8,
                    artifacts=(RenderArtifact("streak", 100.0, angle_deg=20.0, width_mm=1.8),
                               RenderArtifact("streak", 100.0, angle_deg=110.0, width_mm=1.8)))
    st = sorted(r.artifacts_of("streak"), key=lambda a: a.location["angle_deg"])
    assert [a.type for a in r.artifacts] == ["streak", "streak"], [(a.type, a.amplitude_hu) for a in r.artifacts]
    assert st[0].location["angle_deg"] == pytest.approx(20.0, abs=2.0)
    assert st[1].location["angle_deg"] == pytest.approx(110.0, abs=2.0)
    assert all(a.amplitude_hu == pytest.approx(100.0, rel=0.2) for a in st)
    # the streak pixels are left out of the uniform module's ROIs: noise is the noise
    assert r.value("noise.sd") == pytest.approx(12.0, rel=0.25)
    assert r.measurement("ct_number.uniform").verdict is Verdict.PASS


def test_a_300_hu_streak_does_not_lose_the_phantom():
    truth, r = _run(noise_sd_hu=12.0, seed=9, artifacts=(RenderArtifact("streak", 300.0, angle_deg=60.0, width_mm=1.5),))
    assert r.localisation.missing_modules == ()
    assert r.localisation.origin_slice == pytest.approx(truth["origin_slice"], abs=1)
    assert r.verdict is not Verdict.ERROR, _bad(r)
    assert [a.type for a in r.artifacts] == ["streak"]
    assert r.artifacts[0].amplitude_hu == pytest.approx(300.0, rel=0.2)
    assert r.value("slice_thickness") is not None


def test_cupping_is_one_finding():
    truth, r = _run(noise_sd_hu=12.0, seed=10, artifacts=(RenderArtifact("cupping", 20.0),))
    assert [a.type for a in r.artifacts] == ["cupping"]


def test_thick_slices_module_boundaries_are_not_bands():
    truth, r = _run(noise_sd_hu=12.0, slice_thickness_mm=5.0, seed=11)
    assert not r.artifacts_of("band")


def test_partial_scan_names_the_missing_modules_and_measures_the_rest():
    truth, r = _run(noise_sd_hu=12.0, z_start_mm=-8.0, n_slices=24, seed=12)   # CTP404 + CTP528
    assert set(r.localisation.missing_modules) == {"CTP486", "CTP515"}
    assert r.verdict is not Verdict.ERROR, _bad(r)
    assert r.measurement("noise.sd").verdict is Verdict.SKIP
    assert r.value("ct_number.teflon") is not None and r.value("slice_thickness") is not None


def test_blank_end_slices_and_a_couch_in_the_field():
    truth, r = _run(noise_sd_hu=12.0, couch=True, centre_offset_mm=(0.0, -10.0), z_start_mm=-130.0,
                    n_slices=106, seed=13)
    assert r.localisation.missing_modules == ()
    assert r.localisation.origin_slice == pytest.approx(truth["origin_slice"], abs=1)
    assert r.localisation.centre_mm[1] == pytest.approx(-10.0, abs=1.0)
    assert r.artifacts == () and r.verdict is Verdict.PASS, _bad(r)
    assert all(v >= 0.5 for v in r.localisation.module_confidence.values())


def test_a_streak_over_the_centre_roi_skips_the_centre_figures_not_errors():
    # a streak through the rotation centre with the phantom centred: the uniform module's
    # centre ROI lies on it - its CT number / uniformity are the streak's (SKIP), noise
    # comes from the edge ROIs, nothing is ERROR, the streak is the one finding
    truth, r = _run(noise_sd_hu=12.0, seed=14, artifacts=(RenderArtifact("streak", 80.0, angle_deg=30.0, width_mm=8.0),))
    assert [a.type for a in r.artifacts] == ["streak"]
    assert r.measurement("ct_number.uniform").verdict is Verdict.SKIP
    assert "streak" in r.measurement("ct_number.uniform").note
    assert r.value("noise.sd") == pytest.approx(12.0, rel=0.25)
    assert not [m for m in r.measurements if m.verdict is Verdict.ERROR], _bad(r)
