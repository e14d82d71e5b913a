"""Every shipped phantom, offset and rolled, named and auto-detected: every module at the
z where the simulator put it, the right centre and roll, and no artifact on a clean series.

Regression: the z-signature score added numpy bools (True + True is True), so a slice whose
air signature matched counted as a full agreement whatever its high-density signature said;
CatPhan 600 was then placed 62 mm off (CTP404 "missing", spurious arcs in misplaced modules)
and auto-detection chose catphan504 for it."""
from __future__ import annotations

import numpy as np
import pytest

from app.ct.analysis import analyze_series, phantom_spec as ps
from app.ct.analysis.localise import _z_score
from app.ct.dicom_load import LoadedSeries

from tests.ct_qc._qc_helpers import simulated

PHANTOMS = ["catphan504", "catphan600", "catphan604", "acr464", "vendor_water"]
CASES = {"catphan504": ((25.0, -15.0), 30.0), "catphan600": ((-20.0, 20.0), -40.0),
         "catphan604": ((15.0, 25.0), 44.0), "acr464": ((-25.0, -10.0), -30.0),
         "vendor_water": ((20.0, 10.0), 20.0)}


def _check(sim, r, name: str, roll: float) -> None:
    loc = r.localisation
    pos = sim.slice_positions_mm
    assert r.phantom == name
    assert not loc.missing_modules
    assert set(loc.module_slices) == set(sim.truth["modules"])
    for mid, t in sim.truth["modules"].items():
        # the nearest slice to the module centre (a tie between two slices either way)
        assert abs(pos[loc.module_slices[mid]] - t["z_table_mm"]) <= sim.params.spacing_mm / 2 + 0.5, mid
    assert loc.origin_z_mm == pytest.approx(sim.truth["z_origin_mm"], abs=1.0)
    assert np.allclose(loc.centre_px, sim.truth["centre_px"], atol=0.6)
    assert abs((loc.roll_deg - roll + 180) % 360 - 180) < 1.0
    assert loc.confidence > 0.8
    assert r.artifacts == (), r.artifacts
    # every measurement is either made or says why it does not apply (the ACR phantom has
    # no bead or wire in its resolution module: its distance BBs or an insert edge serve)
    errors = [(m.key, m.note) for m in r.measurements if m.verdict.name == "ERROR"]
    assert not errors, errors
    assert r.verdict.name != "ERROR"
    assert any(m.key == "mtf.mtf50" and m.value for m in r.measurements)


@pytest.mark.parametrize("name", PHANTOMS)
def test_every_phantom_offset_and_rolled_named_and_auto(name):
    offset, roll = CASES[name]
    sim = simulated(phantom=name, centre_offset_mm=offset, roll_deg=roll, seed=61)
    series = LoadedSeries.from_simulated(sim)
    for mode in (name, "auto"):
        _check(sim, analyze_series(series, phantom=mode), name, roll)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["catphan600", "catphan504"])
def test_catphan_at_512_offset_and_rolled(name):
    sim = simulated(phantom=name, matrix=512, centre_offset_mm=(25.0, -15.0), roll_deg=30.0, seed=62)
    _check(sim, analyze_series(LoadedSeries.from_simulated(sim), phantom="auto"), name, 30.0)


def test_catphan600_true_origin_scores_above_the_62mm_shift():
    sim = simulated(phantom="catphan600", seed=63)
    from app.ct.analysis.localise import slice_features
    defn = ps.load("catphan600")
    f = slice_features(sim.volume, sim.pixel_mm, 0.0, 100.0)
    anchor = ps.anchor_module(defn)
    obs_air = (f.air_mm2 > max(10.0, 0.3 * ps.air_area_mm2(anchor))) & f.inside
    obs_high = (f.high_mm2 > 20.0) & f.inside
    pos = sim.slice_positions_mm
    true = _z_score(defn, pos, obs_air, obs_high, f.inside, 0.0, f.high_mm2)
    shifted = _z_score(defn, pos, obs_air, obs_high, f.inside, 62.0, f.high_mm2)
    assert true > 0.9 and true - shifted > 0.2


@pytest.mark.slow
def test_acr_mtf_from_its_distance_bbs_matches_truth():
    """ACR 464 has bar patterns, no bead or wire, in its resolution module: the 1 mm steel
    BBs of module 3 give the point-spread MTF (size-corrected) at 512 x 512."""
    sim = simulated(phantom="acr464", matrix=512, seed=5)
    r = analyze_series(LoadedSeries.from_simulated(sim), phantom="acr464")
    got = {m.key: m for m in r.measurements}
    assert got["mtf.mtf50"].value == pytest.approx(sim.truth["mtf"]["mtf50_lp_cm"], rel=0.05)
    assert got["mtf.mtf10"].value == pytest.approx(sim.truth["mtf"]["mtf10_lp_cm"], rel=0.05)
    assert "bead PSF" in got["mtf.mtf50"].note
