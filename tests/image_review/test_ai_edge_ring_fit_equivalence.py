"""The edge-ring rule's cheaper fits and measurements decide exactly as the code they
replace (issue 16: the whole check cheaper, no output moved).

The reference is a frozen copy of the rule as it was released with the edge-ring rule
(``tests/image_review/ev4_reference/edge_ring.py`` and ``edge_ring_fit.py``). The live
fits - the off-centre fit (B) by every radius's and template's normal equations at once
instead of one SVD least squares each, the concentric fit's (A) templates computed once
per distinct u - u0 - must give:

* fit A bit for bit (the same operations on the same values);
* fit B the same radius and amplitude and z to 1e-9 relative (the normal equations'
  rounding differs from the SVD's by ~1e-15 on these columns);

on the fit inputs of stored series (tests/image_review/data/edge_ring_fit_cases.npz: the
analytic phantom on a smooth and an edge-enhancing kernel, centred, near and off the
rotation centre, and the projection simulator, each clean and with a ring at 95 mm) and
on random profiles (edges, rings of any sign and width, missing bins, off-centre fields);
a slice's packed measurements (``slice_profiles``: its circle's constants hoisted, the
median of the sectors' edges by a sort, the dump bin by one unsigned minimum) bit for bit
on both renderers' slices; and the series' verdict (radius, amplitude, z, test, ring) the
same on live slices.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import edge_ring as live
from app.ct.ai import edge_ring_fit as live_fit
from tests.image_review.ev4_reference import edge_ring as frozen
from tests.image_review.ev4_reference import edge_ring_fit as frozen_fit

CASES = Path(__file__).with_name("data") / "edge_ring_fit_cases.npz"
RTOL = 1e-9


def _stored() -> list[tuple[tuple, tuple]]:
    d = np.load(CASES)
    n = len([k for k in d.files if k.startswith("s")])
    out = []
    for i in range(n):
        off, r, field = (float(x) for x in d[f"s{i}"])
        out.append(((d[f"a{i}_y"], d[f"a{i}_se"], off), (d[f"b{i}_y"], d[f"b{i}_se"], r, field)))
    return out


def _random(seed: int) -> tuple[tuple, tuple]:
    """A random edge profile about P (a blurred shell and outer edge, overshoot, a ring)
    and a residual profile about C (a ring of any width and sign, a slope), noise, some
    bins missing."""
    rng = np.random.default_rng(seed)
    u = live_fit.U0 + (np.arange(live_fit.NU) + 0.5) * live_fit.DU
    sg = rng.uniform(0.3, 2.0)
    phi = frozen_fit._phi
    body, shell = rng.uniform(-50, 50), rng.uniform(-20, 200)
    ei = rng.uniform(-7.0, -2.0)
    ya = body + (shell - body) * phi(u - ei, sg) + (-1000 - shell) * phi(u, sg) \
        + rng.uniform(-0.3, 0.3) * (shell - body) * (phi(u - ei, sg) - phi(u - ei, 2.5 * sg))
    if rng.random() < 0.6:
        ya += rng.uniform(-150, 150) * np.exp(-0.5 * ((u - rng.uniform(-12, -2)) / 0.6) ** 2)
    sea = rng.uniform(0.3, 4.0, u.size)
    ya = ya + rng.normal(0, 1, u.size) * sea
    v = live_fit.V0 + (np.arange(live_fit.NV) + 0.5) * live_fit.DV
    r = rng.uniform(70.0, 115.0)
    yb = rng.normal(0, 1, v.size) * rng.uniform(0.5, 5.0) + rng.uniform(-0.1, 0.1) * (v - r)
    if rng.random() < 0.7:
        yb += rng.uniform(-80, 80) * np.exp(-0.5 * ((v - r + rng.uniform(0.5, 12)) /
                                                    rng.uniform(0.4, 2.0)) ** 2)
    seb = rng.uniform(0.3, 5.0, v.size)
    for arr in (ya, sea, yb, seb):
        gone = rng.random(arr.size) < 0.04
        arr[gone] = np.nan if rng.random() < 0.5 else np.inf
    field = float(rng.choice([1e4, r + rng.uniform(-2.0, 8.0)]))
    return (ya, sea, float(rng.uniform(0.0, 2.0))), (yb, seb, r, field)


def _same_b(got: tuple[float, float, float], want: tuple[float, float, float]) -> None:
    assert got[0] == want[0]
    assert math.isclose(got[1], want[1], rel_tol=RTOL, abs_tol=1e-12)
    assert math.isclose(got[2], want[2], rel_tol=RTOL, abs_tol=1e-12)


@pytest.mark.parametrize("i", range(16))
def test_the_fits_of_stored_series_are_the_frozen_ones(i):
    a, b = _stored()[i]
    assert live_fit.fit_a(*a) == frozen_fit.fit_a(*a)
    _same_b(live_fit.fit_b(*b), frozen_fit.fit_b(*b))


def test_the_fits_of_random_profiles_are_the_frozen_ones():
    for seed in range(40):
        a, b = _random(seed)
        assert live_fit.fit_a(*a) == frozen_fit.fit_a(*a), seed
        _same_b(live_fit.fit_b(*b), frozen_fit.fit_b(*b))


def test_fit_b_where_a_template_vanishes_from_its_window_is_the_svds():
    """A window where a narrow template weighs (nearly) nothing - the bins about its
    radius have no weight: the SVD's rank leaves that template out as before; no window
    at all: no ring."""
    v = live_fit.V0 + (np.arange(live_fit.NV) + 0.5) * live_fit.DV
    rng = np.random.default_rng(3)
    y = rng.normal(0, 2, live_fit.NV) + 20 * np.exp(-0.5 * ((v - 91.0) / 0.8) ** 2)
    se = np.ones(live_fit.NV)
    se[np.abs(v - 95.0) < 4.6] = 1e30
    _same_b(live_fit.fit_b(y, se, 100.0), frozen_fit.fit_b(y, se, 100.0))
    none = np.full(live_fit.NV, np.nan)
    assert live_fit.fit_b(none, se, 100.0) == frozen_fit.fit_b(none, se, 100.0) \
        == (0.0, 0.0, 0.0)


def test_a_series_verdict_is_the_frozen_ones():
    from tests.image_review.test_ai_edge_ring import PX, _analytic
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    rc = grid_rotation_centre(512, PX)
    for kernel, ring, offset in (("smooth", 0.0, (0.0, 0.0)), ("edge", 60.0, (0.6, 0.3)),
                                 ("edge", 80.0, (6.0, -3.0))):
        grids = [slice_facts(_analytic(kernel, 30 + s, ring_hu=ring, offset=offset), PX)
                 for s in range(2)]
        rows = np.stack([frozen.slice_profiles(f.grid, rc, f.noise_native, 1e4) for f in grids])
        got = np.stack([live.slice_profiles(f.grid, rc, f.noise_native, 1e4) for f in grids])
        np.testing.assert_array_equal(got, rows)
        want = frozen.series_ring(rows, rows[:, frozen.NOISE])
        res = live.series_ring(got, got[:, live.NOISE])
        assert res is not None and want is not None
        assert (res.radius_mm, res.test, res.ring) == (want.radius_mm, want.test, want.ring)
        assert math.isclose(res.amplitude_hu, want.amplitude_hu, rel_tol=RTOL)
        assert math.isclose(res.z, want.z, rel_tol=RTOL)
        assert res.ring == (ring > 0)


def test_the_sectors_medians_and_noise_are_the_frozen_ones_bit_for_bit():
    """The medians over the sectors (NaN: a sector without pixels; rows without any) and
    the noise per bin: numpy's nanmedian's values exactly."""
    rng = np.random.default_rng(7)
    for nb in (live_fit.NU, live_fit.NV):
        s = rng.normal(0, 50, (nb, live.SECTORS)) * rng.integers(1, 40, (nb, live.SECTORS))
        c = rng.integers(0, 40, (nb, live.SECTORS)).astype(np.float64)
        c[rng.random(c.shape) < 0.3] = 0.0
        c[:3] = 0.0                                   # rows without any sector
        s[:, 5] = s[:, 6]                             # ties
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(c > 0, s / c, np.nan)
        with pytest.warns(RuntimeWarning):
            want = np.nanmedian(m, axis=1)
        np.testing.assert_array_equal(live._nanmedian_rows(m), want)
        np.testing.assert_array_equal(live._median_profile(s, c.copy()),
                                      frozen._median_profile(s, c.copy()))
        np.testing.assert_array_equal(live._noise(s, c), frozen._noise(s, c))
        full = c + 1.0
        np.testing.assert_array_equal(live._median_profile(s, full),
                                      frozen._median_profile(s, full))
    m = np.array([[1.0, np.inf, 3.0, np.nan], [np.nan] * 4, [-np.inf, 2.0, 5.0, 7.0]])
    with pytest.warns(RuntimeWarning):
        np.testing.assert_array_equal(live._nanmedian_rows(m), np.nanmedian(m, axis=1))


@pytest.mark.parametrize("kw", [dict(seed=21, centre_offset_mm=(9.0, -6.0), couch=True),
                                dict(seed=22, psf="edge", edge_overshoot=0.6, pixel_mm=0.9,
                                     matrix=256, centre_offset_mm=(0.6, 0.3)),
                                dict(seed=23, centre_offset_mm=(40.0, 0.0))],
                         ids=["offset-couch", "edge-0.9mm", "band-off-the-grid"])
def test_a_slices_measurements_are_the_frozen_ones_bit_for_bit(kw):
    """The image renderer's slices - a couch (sectors left out of the circle), an edge
    kernel at 0.9 mm, a phantom whose band leaves the grid - and the simulator's, ring or
    not: the packed measurements identical."""
    from dataclasses import replace

    from app.ct.ai.normalise import grid_rotation_centre, slice_facts
    from app.ct.image_renderer.series import render_volume
    from tests.image_review.test_ai_edge_ring import BASE, SIM_PX, _simulated

    p = replace(BASE, n_slices=1, **kw)
    vol, _ = render_volume(p)
    cases = [(vol[0], p.pixel_mm)]
    if kw["seed"] == 21:
        cases += [(s, SIM_PX) for s in _simulated(150.0, 97.0, n_slices=1,
                                                  centre_offset_mm=(4.8, 3.6))]
    for img, px in cases:
        f = slice_facts(img, px)
        rc = grid_rotation_centre(img.shape[0], px)
        field = img.shape[0] * px / 2.0
        np.testing.assert_array_equal(live.slice_profiles(f.grid, rc, f.noise_native, field),
                                      frozen.slice_profiles(f.grid, rc, f.noise_native, field))
