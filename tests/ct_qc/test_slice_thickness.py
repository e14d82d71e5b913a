"""Slice thickness from the wire ramps against the simulator's ground truth, axial and helical.

The helical slice sensitivity profile is a trapezoid (FWHM = nominal thickness); a rect
model reads it too wide. These run at 512 x 512 (0.49 mm pixels, as the benchmark) on a
slab around CTP404 only.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.core.measurement import Verdict
from app.ct.analysis.metrics_thk import acquisition_mode
from app.ct.analysis.ssp_fit import blurred_trapezoid, fit_ssp
from app.ct.simulator.params import SliceProfile

from tests.ct_qc._qc_helpers import analysed

# (thickness, tolerance mm): thin slices must beat pylinac's 0.010 mm on the clean
# 0.625 mm helical series by a margin; thick slices have a low, noisy plateau
CASES = [(0.625, 0.012), (1.0, 0.015), (2.0, 0.03), (5.0, 0.15), (10.0, 0.3)]


@pytest.mark.parametrize("helical", [False, True], ids=["axial", "helical"])
@pytest.mark.parametrize("thk,tol", CASES)
def test_slice_thickness_against_truth(thk, tol, helical):
    # the slab is centred on the ramps (a 10 mm helical slice 5 mm off the ramp centre
    # reaches past the 50 mm wires: see the next test)
    z = (-16.0 - thk, 16.0 + thk) if thk < 10 else (-30.0, 30.0)
    sim, r = analysed(matrix=512, slice_thickness_mm=thk, helical=helical, z_range_mm=z, seed=41)
    m = r.measurement("slice_thickness")
    assert m.verdict is not Verdict.ERROR, m.note
    assert sim.truth["slice_thickness_mm"] == thk
    assert m.value == pytest.approx(thk, abs=tol), m.note
    assert ("trapezoid SSP (helical" in m.note) is helical
    assert ("rect SSP (axial)" in m.note) is (not helical)


def test_helical_edge_width_is_fitted_not_assumed():
    sim, r = analysed(matrix=512, slice_thickness_mm=1.0, helical=True, z_range_mm=(-17.0, 17.0), seed=42)
    note = r.measurement("slice_thickness").note
    frac = float(note.split("fitted edge ")[1].split(" x")[0])
    # the simulator's helical profile: rect(T) convolved with rect(T/2)
    assert frac == pytest.approx(0.5, abs=0.12)
    assert sim.truth["slice_profile"]["kind"] == "trapezoid"


def test_wire_too_short_for_an_off_centre_thick_helical_slice_is_an_error_with_reason():
    # slices at -6 and +4 mm: a 10 mm helical SSP (15 mm support) leaves the +/-10.6 mm
    # the 23-degree, 50 mm wires cover
    _, r = analysed(matrix=256, slice_thickness_mm=10.0, helical=True, z_range_mm=(-26.0, 24.0), seed=43)
    m = r.measurement("slice_thickness")
    assert m.verdict is Verdict.ERROR and m.value is None
    assert "unreliable" in m.note


@pytest.mark.parametrize("frac", [0.0, 0.3, 0.5, 1.0])
def test_fit_recovers_fwhm_and_edge_of_a_blurred_trapezoid(frac):
    step, sigma, a = 0.12, 0.5, 1.6
    s = np.arange(0, 30, step)
    rng = np.random.default_rng(1)
    p = 150 * blurred_trapezoid(s - 15.3, a, frac * a, sigma) + rng.normal(0, 1.0, len(s))
    fit = fit_ssp(p, step, sigma, 2.0, 15.0)
    assert fit.ok and fit.fwhm == pytest.approx(a, abs=0.02)
    assert fit.edge / fit.fwhm == pytest.approx(frac, abs=0.1)
    rect = fit_ssp(p, step, sigma, 2.0, 15.0, edge=0.0)
    if frac >= 0.3:   # a rect model reads a trapezoid too wide
        assert rect.fwhm > a + 0.03


def test_model_matches_the_simulator_helical_profile():
    """The analytic trapezoid (sigma -> 0) is the simulator's helical SSP, up to scale."""
    ssp = SliceProfile(2.0, helical=True)
    z = np.linspace(-2.5, 2.5, 201)
    want = ssp.pdf(z) / ssp.pdf(0.0)
    got = blurred_trapezoid(z, 2.0, 1.0, 1e-6)
    assert np.max(np.abs(got - want)) < 1e-3
    half = z[got >= 0.5]
    assert half[-1] - half[0] == pytest.approx(2.0, abs=0.03)


def test_acquisition_mode_from_the_header():
    assert acquisition_mode({"spiral_pitch": 0.984}) == ("helical", 0.984)
    assert acquisition_mode({"table_feed_per_rotation_mm": 39.4})[0] == "helical"
    assert acquisition_mode({"scan_options": "HELICAL"})[0] == "helical"
    assert acquisition_mode({"scan_options": "AXIAL"}) == ("axial", None)
    assert acquisition_mode({}) == ("axial", None)
    assert math.isclose(acquisition_mode({"spiral_pitch": 1.375})[1], 1.375)
