"""Measurements against the simulator's ground truth (clean CatPhan 504 series)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest

from app.core.measurement import Verdict
from app.ct.analysis.result import QcResult

from tests.ct_qc._qc_helpers import analysed

SCHEMA = Path(__file__).resolve().parents[2] / "station_plugins/ct_qc/schema/qc_result.schema.json"


@pytest.fixture(scope="module")
def full():
    """Full-size 512 x 512, 2 mm: the figures that need fine pixels (MTF, TTF, NPS)."""
    return analysed(matrix=512, seed=3)


@pytest.fixture(scope="module")
def small():
    return analysed(matrix=256, seed=4)


def test_ct_numbers_within_2_hu_of_nominal(full):
    sim, r = full
    for ins in sim.truth["features"]["CTP404"]["inserts"]:
        v = r.value(f"ct_number.{ins['name']}")
        assert abs(v - ins["rendered_hu"]) <= 2.0, (ins["name"], v)
    # CTP486 is a water-equivalent material (+5 HU nominal), judged against itself, not water
    assert r.value("ct_number.water") is None
    assert abs(r.value("ct_number.uniform") - sim.truth["modules"]["CTP486"]["background_hu"]) <= 2.0
    assert r.value("linearity.slope") == pytest.approx(1.0, abs=0.01)
    assert r.value("linearity.r2") > 0.9999


def test_mtf_from_bead_within_5_percent(full):
    sim, r = full
    assert r.value("mtf.mtf50") == pytest.approx(sim.truth["mtf"]["mtf50_lp_cm"], rel=0.05)
    assert r.value("mtf.mtf10") == pytest.approx(sim.truth["mtf"]["mtf10_lp_cm"], rel=0.05)


def test_ttf_of_high_contrast_inserts_within_5_percent(full):
    sim, r = full
    for name in ("air", "teflon", "delrin"):
        assert r.value(f"ttf.{name}.f50") == pytest.approx(sim.truth["mtf"]["mtf50_lp_cm"], rel=0.05)
    assert r.curve("ttf.teflon") is not None


def test_noise_sd_and_nps_match_truth(full):
    sim, r = full
    truth = sim.truth["noise"]
    assert r.value("noise.sd") == pytest.approx(truth["sd_hu"], rel=0.05)
    assert r.value("nps.f_peak") == pytest.approx(truth["nps_f_peak_lp_mm"], abs=0.04)
    nps = r.curve("nps")
    df = nps.x[1] - nps.x[0]
    var = sum(2 * math.pi * f * v * df for f, v in zip(nps.x, nps.y))
    assert math.sqrt(var) == pytest.approx(truth["sd_hu"], rel=0.1)


def test_slice_thickness_and_geometry(full, small):
    for sim, r in (full, small):
        assert r.value("slice_thickness") == pytest.approx(sim.truth["slice_thickness_mm"], abs=0.2)
        assert r.value("geometry.node_distance") == pytest.approx(50.0, abs=0.3)


@pytest.mark.parametrize("thk", [0.625, 5.0, 10.0])
def test_slice_thickness_range(thk):
    sim, r = analysed(matrix=256, slice_thickness_mm=thk, z_range_mm=(-14.0, 14.0), seed=5)
    assert "in-plane blur" in r.measurement("slice_thickness").note
    tol = max(0.2, 0.1 * thk)
    assert r.value("slice_thickness") == pytest.approx(thk, abs=tol)


def test_uniformity_low_contrast_and_dose(small):
    sim, r = small
    assert abs(r.value("uniformity.max_edge_dev")) < 2.0
    assert 0.5 < r.value("low_contrast.cnr") < 2.0
    assert r.value("low_contrast.dprime") > 1.0
    assert r.value("dose.ctdivol") == pytest.approx(sim.truth["ctdivol_mgy"])
    assert r.verdict is not Verdict.FAIL


def test_where_points_at_the_measured_roi(small):
    sim, r = small
    m = r.measurement("ct_number.teflon")
    want = next(i for i in sim.truth["features"]["CTP404"]["inserts"] if i["name"] == "teflon")
    assert m.where["slice"] == sim.truth["modules"]["CTP404"]["nearest_slice"]
    assert math.dist(m.where["centre_px"], want["centre_px"]) < 1.0
    assert m.where["radius_px"] > 2


def test_result_validates_against_schema_and_round_trips(small):
    _, r = small
    doc = json.loads(r.to_json())
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    back = QcResult.from_json(r.to_json())
    assert back.to_dict() == doc
    assert doc["schema_version"] == "1.2"


def test_schema_rejects_a_broken_document(small):
    _, r = small
    doc = json.loads(r.to_json())
    doc["measurements"][0]["verdict"] = "MAYBE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
