"""Rings and arcs in every module (not only the uniform one), near the phantom edge, and
the detector channel from the DICOM fan-beam geometry."""
from __future__ import annotations

import pytest

from app.ct.analysis import analyze_series
from app.ct.analysis.rings import DetectorGeometry, geometry_from_header
from app.ct.dicom_load import LoadedSeries, load_series
from app.ct.simulator import ArtifactSpec, SimParams, simulate_series, write_dicom_series

from tests.ct_qc._qc_helpers import analysed, art, simulated


def _slice_of(module: str) -> int:
    return simulated(seed=4).truth["modules"][module]["nearest_slice"]


@pytest.mark.parametrize("module,radius", [("CTP404", 40.0), ("CTP528", 30.0), ("CTP515", 70.0)])
def test_ring_in_one_slice_of_a_structured_module(module, radius):
    k = _slice_of(module)
    _, r = analysed(artifacts=(art("ring", 20.0, radius_mm=radius, slices=(k,)),), seed=50)
    rings = r.artifacts_of("ring")
    assert len(rings) == 1, r.artifacts
    loc = rings[0].location
    assert loc["radius_mm"] == pytest.approx(radius, abs=2.0)
    assert loc["slice_range"] == [k, k]
    assert loc["module"] == module and loc["modules"] == [module]
    assert rings[0].amplitude_hu > 5


@pytest.mark.parametrize("module", ["CTP404", "CTP486"])
def test_ring_near_the_phantom_edge(module):
    # inner radius of the shell: 100 - 3 = 97 mm; the search reaches to 95.5 mm
    k = _slice_of(module)
    _, r = analysed(artifacts=(art("ring", 20.0, radius_mm=93.0, slices=(k - 1, k)),), seed=52)
    rings = r.artifacts_of("ring")
    assert len(rings) == 1 and rings[0].location["radius_mm"] == pytest.approx(93.0, abs=2.0)
    lo, hi = rings[0].location["slice_range"]
    assert lo >= k - 2 and hi <= k + 1


def test_arc_near_the_edge_in_the_sensitometry_module():
    _, r = analysed(matrix=256, artifacts=(art("ring", 30.0, radius_mm=88.0, coverage_deg=120.0,
                                                  start_deg=200.0),), z_range_mm=(-12.0, 12.0), seed=53)
    arcs = r.artifacts_of("arc")
    assert arcs and arcs[0].location["radius_mm"] == pytest.approx(88.0, abs=2.0)
    assert 60 <= arcs[0].location["angular_coverage_deg"] <= 240
    assert arcs[0].location["module"] == "CTP404"


def test_persistent_ring_is_one_artifact_over_all_modules():
    _, r = analysed(artifacts=(art("ring", 20.0, radius_mm=60.0),), seed=26)
    rings = r.artifacts_of("ring")
    assert len(rings) == 1
    assert set(rings[0].location["modules"]) == {"CTP486", "CTP515", "CTP404", "CTP528"}


@pytest.mark.parametrize("phantom", ["catphan604", "acr464", "vendor_water"])
def test_no_ring_false_alarm_on_the_structures_of_other_phantoms(phantom):
    sim = simulated(phantom=phantom, seed=54)
    r = analyze_series(LoadedSeries.from_simulated(sim), phantom=phantom)
    assert set(r.localisation.module_slices) == set(sim.truth["modules"])
    assert not r.artifacts_of("ring") and not r.artifacts_of("arc"), r.artifacts


def test_offset_phantom_no_false_alarm_and_rings_about_the_rotation_centre():
    _, clean = analysed(centre_offset_mm=(18.0, -12.0), roll_deg=25.0, seed=55)
    assert clean.artifacts == ()
    _, r = analysed(centre_offset_mm=(18.0, -12.0), roll_deg=25.0,
                    artifacts=(art("ring", 20.0, radius_mm=50.0),), seed=55)
    rings = r.artifacts_of("ring") + r.artifacts_of("arc")
    assert len(rings) == 1 and rings[0].location["radius_mm"] == pytest.approx(50.0, abs=2.0)


def test_detector_channel_from_the_dicom_geometry(tmp_path):
    """R_iso and the channel pitch come from DistanceSourceToPatient, DetectorElementSpacing
    and DistanceSourceToDetector; the configured values (wrong on purpose) are not used."""
    sim = simulate_series(SimParams(matrix=256, z_range_mm=(-80.0, -50.0), seed=56,
                                    artifacts=(ArtifactSpec("ring", 20.0, channel=540),)))
    write_dicom_series(sim, tmp_path)
    p = sim.params
    configured = DetectorGeometry(source_iso_mm=500.0, channel_pitch_deg=0.08,
                                  central_channel=p.central_channel)
    r = analyze_series(load_series(tmp_path), phantom="catphan504", geometry=configured)
    ring = r.artifacts_of("ring")[0]
    loc = ring.location
    assert loc["detector_channel"] == pytest.approx(sim.truth["artifacts"][0]["channel"], abs=3)
    assert loc["detector_channel_mirror"] == pytest.approx(sim.truth["artifacts"][0]["channel_mirror"], abs=3)
    g = loc["detector_geometry"]
    assert g["source_iso_mm"] == pytest.approx(p.source_iso_mm)
    assert g["channel_pitch_deg"] == pytest.approx(p.channel_pitch_deg, rel=1e-4)
    assert g["source"].startswith("DICOM DistanceSourceToPatient, DetectorElementSpacing")
    assert "configured central channel" in g["source"]
    assert r.inputs["distance_source_to_patient_mm"] == pytest.approx(p.source_iso_mm)


def test_detector_channel_falls_back_to_the_configured_geometry():
    sim = simulated(matrix=256, z_range_mm=(-80.0, -50.0), seed=57,
                    artifacts=((("amplitude_hu", 20.0), ("channel", 540), ("kind", "ring")),))
    series = LoadedSeries.from_arrays(sim.volume, sim.pixel_mm, sim.slice_positions_mm, 2.0,
                                      recon_centre_px=tuple(sim.truth["rotation_centre_px"]))
    p = sim.params
    configured = DetectorGeometry(p.source_iso_mm, p.channel_pitch_deg, p.central_channel)
    r = analyze_series(series, phantom="catphan504", geometry=configured)
    loc = r.artifacts_of("ring")[0].location
    assert loc["detector_geometry"]["source"].startswith("configured (no detector geometry")
    assert loc["detector_channel"] == pytest.approx(540, abs=3)


def test_geometry_from_header_field_by_field():
    d = DetectorGeometry()
    assert geometry_from_header({}, d).source.startswith("configured")
    g = geometry_from_header({"distance_source_to_patient_mm": 600.0}, d)
    assert g.source_iso_mm == 600.0 and g.channel_pitch_deg == d.channel_pitch_deg
    assert "configured central channel, channel pitch" in g.source
    g = geometry_from_header({"distance_source_to_patient_mm": 600.0, "distance_source_to_detector_mm": 1100.0,
                              "detector_element_spacing_mm": 1.2}, d)
    assert g.channel_pitch_deg == pytest.approx(57.29578 * 1.2 / 1100.0, rel=1e-5)


def test_configured_geometry_from_the_station_settings():
    from app.ct.analysis.rings import geometry_from_settings
    assert geometry_from_settings({}) is None and geometry_from_settings(None) is None
    g = geometry_from_settings({"detector_source_iso_mm": 570, "detector_central_channel": 443.75})
    assert (g.source_iso_mm, g.central_channel) == (570.0, 443.75)
    assert g.channel_pitch_deg == DetectorGeometry().channel_pitch_deg
    assert g.source == "configured ([stations.ct_qc] settings)"
    # the header still wins for what it carries; the configured central channel stays
    h = geometry_from_header({"distance_source_to_patient_mm": 600.0}, g)
    assert h.source_iso_mm == 600.0 and h.central_channel == 443.75


def test_ring_still_found_in_streaked_slices_and_no_arc_from_the_streak():
    _, r = analysed(artifacts=(art("streak", 60.0, angle_deg=30.0), art("ring", 20.0, radius_mm=70.0)), seed=58)
    assert r.artifacts_of("streak")
    rings = r.artifacts_of("ring")
    assert len(rings) == 1 and rings[0].location["radius_mm"] == pytest.approx(70.0, abs=2.0)
    assert not r.artifacts_of("arc")


@pytest.mark.slow
@pytest.mark.parametrize("matrix", [256, 512])
def test_a_cupped_profile_rising_at_the_shell_is_not_a_ring(matrix):
    # a baseline padded away from the search edge turned a 40 HU cupping's rise at the shell
    # into a 7 HU "ring" at 95 mm; the ring profile fit describes rings, it finds none
    _, r = analysed(artifacts=(art("cupping", 40.0),), seed=702, matrix=matrix)
    assert [a.type for a in r.artifacts] == ["cupping"], [(a.type, a.amplitude_hu, a.location) for a in r.artifacts]
    assert r.artifacts[0].amplitude_hu == pytest.approx(40.0, abs=3.0)
