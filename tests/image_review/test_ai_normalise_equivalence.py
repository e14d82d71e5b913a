"""The live slice measurements equal those both models were trained on (issue 16 item 5:
the per-slice path was made faster, no value the models see may move).

``tests/image_review/ev4_reference/normalise.py`` is a frozen copy of app/ct/ai/normalise.py
as trained on (2.0.0 and the 2.3.0 candidate). Both measure the same native slices -
analytic phantoms on both kernels (clean, ring, streak, pins, cupping, noise, off
centre), simulated CatPhan 504 slices at odd and even matrices and pixel sizes from
0.3 to 0.9 mm, constant padding outside the reconstruction circle, integer HU - and
the 1 mm grid must be bit-identical, every context value and evidence profile equal to
1e-6 relative, every context vector (with and without the evidence) likewise.
"""
from __future__ import annotations

import numpy as np
import pytest

from app.ct.ai import normalise as live
from tests.image_review.ev4_reference import normalise as frozen
from tests.image_review.test_ai_evidence import PX, _phantom
from tests.image_review.test_ai_evidence_equivalence import FIELDS

RTOL, ATOL = 1e-6, 1e-6


def _same_facts(new: live.SliceFacts, old: frozen.SliceFacts) -> None:
    assert new.grid.dtype == old.grid.dtype and np.array_equal(new.grid, old.grid)
    for name in ("centre", "radius_mm", "body_hu", "air_offset", "noise_native",
                 "noise_grid", "esf"):
        np.testing.assert_allclose(np.asarray(getattr(new, name), np.float64),
                                   np.asarray(getattr(old, name), np.float64),
                                   rtol=RTOL, atol=ATOL, err_msg=name)
    # (a problem text may be added by a newer applicability rule; a measured slice of
    # the old code is measured by the new one)
    assert (new.evidence is None) == (old.evidence is None) or new.problem
    if new.evidence is not None and old.evidence is not None:
        for name in FIELDS:
            np.testing.assert_allclose(np.asarray(getattr(new.evidence, name), np.float64),
                                       np.asarray(getattr(old.evidence, name), np.float64),
                                       rtol=RTOL, atol=ATOL, err_msg=name)


def assert_same(vol: np.ndarray, px: float) -> int:
    """Live and frozen measurements of every slice and the context vectors of every
    3-slice stack agree; returns the number of judgeable slices (old code)."""
    judged = 0
    for ev in (False, True):
        new = [live.slice_facts(v, px, ev) for v in vol]
        old = [frozen.slice_facts(v, px, ev) for v in vol]
        for a, b in zip(new, old):
            _same_facts(a, b)
            judged += not b.problem
        for k in range(1, len(vol) - 1):
            if any(a.problem != b.problem for a, b in zip(new[k - 1:k + 2], old[k - 1:k + 2])):
                continue     # (a newer applicability rule left a slice's evidence out)
            cn = live.context_vector(new[k - 1:k + 2], ev)
            co = frozen.context_vector(old[k - 1:k + 2], ev)
            np.testing.assert_allclose(cn, co, rtol=RTOL, atol=ATOL)
    return judged // 2


def test_median_is_numpy_median_bit_for_bit():
    rng = np.random.default_rng(5)
    for i in range(400):
        n = int(rng.integers(1, 40000))
        x = [rng.normal(0, 10, n), rng.integers(-4, 4, n).astype(float),
             np.round(rng.normal(-1000, 3, n), 1), rng.exponential(5, n)][i % 4]
        x = x.astype((np.float32, np.float64)[i % 2])
        if i % 7 == 0:
            x[int(rng.integers(0, n))] = np.nan
        want, got = np.median(x), live.median(x)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), (n, want, got)
    ints = rng.integers(-1000, 1000, 9999).astype(np.int16)
    assert live.median(ints) == np.median(ints)


CASES = [{}, {"ring": 8.0}, {"streak": 40.0}, {"pins": True}, {"cup": 40.0}, {"noise": 35.0}]


@pytest.mark.parametrize("kernel", ("smooth", "edge"))
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items())
                         or "clean")
def test_the_measurements_equal_the_trained_ones_on_analytic_phantoms(kernel, case):
    vol = np.stack([_phantom(kernel, seed, **case) for seed in range(3)])
    assert assert_same(vol, PX) == 3


def test_padding_integer_hu_and_off_centre_are_measured_as_trained():
    base = np.stack([_phantom("edge", s, ring=6.0) for s in range(3)])
    n = base.shape[1]
    yy, xx = np.mgrid[:n, :n]
    outside = np.hypot(xx - (n - 1) / 2, yy - (n - 1) / 2) > 0.47 * n
    padded = np.where(outside, np.float32(-1024.0), base)       # constant padding
    deep = np.where(outside, np.float32(-3024.0), base)         # below -1100 HU
    shifted = np.full_like(base, -1000.0)
    shifted[:, 20:, 30:] = base[:, :-20, :-30]                   # off the rotation centre
    ints = np.rint(padded).astype(np.int16)                      # integer HU
    varied = padded.copy()                   # a padding mask of its own on every slice
    for k in range(3):
        varied[k, :, : 4 + 3 * k] = -1024.0
    for vol in (padded, deep, shifted, ints, varied, padded):    # (padded again: cached)
        assert assert_same(vol, PX) == 3


@pytest.fixture(scope="module")
def catphan():
    """Simulated CatPhan 504 slices: (matrix, field of view) at 0.30-0.90 mm pixels, odd
    and even matrices (the grid's two rotation centres)."""
    from app.ct.simulator import SimParams, simulate_series

    out = []
    for matrix, fov, seed in ((720, 216.0, 31), (511, 250.0, 32), (512, 300.0, 33),
                              (343, 240.0, 34), (256, 230.0, 35), (255, 229.5, 36)):
        s = simulate_series(SimParams(phantom="catphan504", matrix=matrix, fov_mm=fov,
                                      slice_thickness_mm=2.0, n_slices=3,
                                      z_range_mm=(-70.0, -66.0), noise_sd_hu=10.0, seed=seed))
        out.append((s.volume, s.pixel_mm))
    return out


def test_the_measurements_equal_the_trained_ones_on_simulated_catphan_slices(catphan):
    pixels = []
    for vol, px in catphan:
        pixels.append(px)
        assert assert_same(vol, px) == len(vol), px
        assert assert_same(np.rint(vol).astype(np.int16), px) == len(vol), px
    assert min(pixels) <= 0.31 and max(pixels) >= 0.89
    assert {v.shape[1] % 2 for v, _ in catphan} == {0, 1}


def test_the_evidence_order_statistics_equal_the_trained_ones():
    """evidence._median / _mad_sd and ring_evidence._mad (one partition about one index
    at a time) give the trained code's values exactly, ties and NaN included."""
    from app.ct.ai import evidence, ring_evidence
    from tests.image_review.ev4_reference import evidence as ev_old
    from tests.image_review.ev4_reference import ring_evidence as ring_old

    rng = np.random.default_rng(9)
    for i in range(300):
        n = int(rng.integers(1, 12000))
        x = [rng.normal(0, 3, n), rng.integers(-3, 3, n).astype(float)][i % 2].astype(np.float32)
        if i % 5 == 0:
            x[int(rng.integers(0, n))] = np.nan
        for new, old in ((evidence._mad_sd, ev_old._mad_sd), (ring_evidence._mad, ring_old._mad)):
            a, b = new(x), old(x)
            assert a == b or (np.isnan(a) and np.isnan(b)), (n, a, b)
        if not np.isnan(x).any():
            assert evidence._median(x) == ev_old._median(x)


def test_the_phantom_mask_equals_the_trained_one_with_several_parts_and_none():
    g = np.full((256, 256), -1000.0, np.float32)
    assert np.array_equal(live.phantom_mask(g), frozen.phantom_mask(g))      # empty
    yy, xx = np.mgrid[:256, :256]
    g[np.hypot(xx - 120.3, yy - 131.7) < 90] = 0.0
    g[240:250, 10:250] = 100.0            # a couch top (a second part)
    g[5:9, 30:200] = 0.0                  # a thin line (opened away)
    g[3:20, 3:20] = 50.0                  # a corner part
    assert np.array_equal(live.phantom_mask(g), frozen.phantom_mask(g))
    g[:, :] = 0.0                          # everything
    assert np.array_equal(live.phantom_mask(g), frozen.phantom_mask(g))


def test_the_padding_masks_equal_the_trained_ones():
    rng = np.random.default_rng(3)
    for n in (255, 256, 512):
        a = rng.normal(-1000, 40, (n, n)).astype(np.float32)      # noisy air, some < -1100
        yy, xx = np.mgrid[:n, :n]
        out = np.hypot(xx - (n - 1) / 2, yy - (n - 1) / 2) > 0.46 * n
        for v in (None, -1024.0, -3024.0, -999.0):
            b = a if v is None else np.where(out, np.float32(v), a)
            for new, old in zip(live.padding_mask(b), frozen.padding_mask(b)):
                assert new.dtype == old.dtype and np.array_equal(new, old)
            for new, old in zip(live.clean_padding(b), frozen.clean_padding(b)):
                assert new.dtype == old.dtype and np.array_equal(new, old)


def test_the_body_pixels_are_numpys_nonzero_bit_for_bit():
    """normalise._nonzero (OpenCV's scan) gives np.nonzero's rows and columns - the same
    pixels, order and dtype - so the centre, the reach and the axis ratio do not move:
    random masks of any density, the phantom's own mask, one pixel, a full and an empty
    mask, odd shapes and a non-contiguous view."""
    rng = np.random.default_rng(16)
    g = live.to_grid(_phantom("smooth", 3), PX)
    masks = [live.phantom_mask(g), np.ones((256, 256), bool), np.zeros((256, 256), bool),
             np.zeros((7, 300), bool), (rng.random((512, 512)) < 0.5)[::2, 1::2]]
    masks[2][100, 37] = True
    masks += [rng.random((n, m)) < p for n, m, p in ((256, 256, 0.01), (255, 257, 0.3),
                                                     (64, 33, 0.9), (1, 256, 0.5))]
    for k, m in enumerate(masks):
        want = np.nonzero(m)
        got = live._nonzero(m)
        assert len(got) == 2, k
        for a, b in zip(got, want):
            assert a.dtype == b.dtype and np.array_equal(a, b), k
    assert all(a.size == 0 for a in live._nonzero(np.zeros((16, 16), bool)))
