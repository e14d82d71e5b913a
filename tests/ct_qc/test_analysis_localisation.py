"""Localisation: offsets, roll, pitch/yaw, thin/thick slices, missing modules, auto phantom."""
from __future__ import annotations

import numpy as np
import pytest

from app.core.errors import Cancelled, InputRejected
from app.core.measurement import Verdict
from app.core.tasks import CancelToken
from app.ct.analysis import analyze_series
from app.ct.dicom_load import LoadedSeries

from tests.ct_qc._qc_helpers import analysed, simulated

SHORT = (-45.0, 45.0)  # CTP515, CTP404, CTP528 of a CatPhan 504


@pytest.mark.parametrize("offset,roll", [((30.0, 0.0), 0.0), ((-20.0, 25.0), 30.0),
                                         ((0.0, -30.0), -45.0), ((10.0, 10.0), 44.0)])
def test_offset_and_roll(offset, roll):
    sim, r = analysed(centre_offset_mm=offset, roll_deg=roll, z_range_mm=SHORT, seed=7)
    loc = r.localisation
    assert np.allclose(loc.centre_px, sim.truth["centre_px"], atol=0.5)
    assert loc.roll_deg == pytest.approx(roll, abs=1.0)
    assert loc.origin_slice == sim.truth["origin_slice"]
    assert abs(r.value("ct_number.teflon") - 1000) < 5


def test_pitch_and_yaw_follow_the_centre_drift():
    sim, r = analysed(pitch_deg=2.0, yaw_deg=-2.0, seed=8)
    loc = r.localisation
    assert loc.pitch_deg == pytest.approx(2.0, abs=0.5)
    assert loc.yaw_deg == pytest.approx(-2.0, abs=0.5)
    assert abs(r.value("ct_number.air") + 1000) < 5


@pytest.mark.parametrize("thk,helical", [(0.625, True), (10.0, False)])
def test_thin_helical_and_thick_axial(thk, helical):
    sim, r = analysed(slice_thickness_mm=thk, helical=helical, seed=9,
                      z_range_mm=(-70.0, 35.0) if thk > 5 else (-20.0, 20.0))
    assert r.localisation.origin_z_mm == pytest.approx(0.0, abs=max(1.0, thk / 2))


def test_partial_scan_names_missing_modules_and_measures_the_rest():
    sim, r = analysed(z_range_mm=(-12.0, 45.0), seed=10)  # no CTP486, no CTP515
    assert set(r.localisation.missing_modules) == {"CTP486", "CTP515"}
    # what the series cannot show is SKIP with the reason, not an ERROR of the whole series
    assert r.measurement("noise.sd").verdict is Verdict.SKIP
    assert "CTP486" in r.measurement("noise.sd").note
    assert r.measurement("low_contrast.cnr").verdict is Verdict.SKIP
    assert r.measurement("ct_number.teflon").verdict is not Verdict.ERROR
    assert r.measurement("slice_thickness").value == pytest.approx(2.0, abs=0.1)
    assert r.verdict is not Verdict.ERROR
    assert any("CTP486" in n for n in r.notes)


@pytest.mark.parametrize("name", ["catphan504", "catphan600", "catphan604", "acr464", "vendor_water"])
def test_auto_phantom_detection(name):
    sim = simulated(phantom=name, seed=11)
    r = analyze_series(LoadedSeries.from_simulated(sim), phantom="auto")
    assert r.phantom == name
    assert r.localisation.confidence > 0.3


def test_cancel_stops_between_steps():
    sim = simulated(z_range_mm=SHORT, seed=12)
    token = CancelToken()
    seen = []

    def progress(f, msg=""):
        seen.append(msg)
        if len(seen) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan504", token=token,
                       progress=progress)


@pytest.mark.parametrize("vol,why", [(np.zeros((4, 16, 16)), "shape"),
                                     (np.full((4, 64, 64), -1000.0), "no phantom"),
                                     (np.full((4, 64, 64), np.nan), "NaN")])
def test_bad_volumes_are_rejected(vol, why):
    s = LoadedSeries.from_arrays(vol, 1.0, np.arange(len(vol)) * 2.0, 2.0)
    with pytest.raises(InputRejected):
        analyze_series(s, phantom="catphan504")


def test_unknown_phantom_name_is_rejected():
    sim = simulated(z_range_mm=SHORT, seed=12)
    with pytest.raises(InputRejected, match="unknown phantom"):
        analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan999")
