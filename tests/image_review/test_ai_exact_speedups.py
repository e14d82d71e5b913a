"""The AI check's per-slice measurements made cheaper without moving a value (issue 16,
item 5: >= 200 slices/s; session 24). Each replacement is compared here with the code it
replaced, kept as a reference in this file, on inputs that exercise its edge cases; the
whole measurements are compared with the frozen ev4 / edge-ring references by
test_ai_evidence_equivalence.py and test_ai_edge_ring_fit_equivalence.py.

- ``grid_field.ogrid``: np.ogrid's arrays without its index machinery (~15 us a call);
- ``evidence._up2_into``: ``dst |= _up2(m)`` / ``dst &= ~_up2(m)`` in place (``_up2``: the
  frozen ev4 copy's, the code it replaced);
- ``evidence.ring_bands(..., origin=)``: the pieces labelled on the search disc's box
  only (the same pieces: the mask is nothing outside the disc);
- ``edge_ring._circle``: the binary moments as integer sums (as cv2.moments gives them);
- ``edge_ring._median_profile``: np.median over 16 sectors by one sort;
- ``edge_ring_fit.fit_a``: the 24 edge models' QR decompositions in one LAPACK call;
- ``evidence._spec_z``: the median and robust SD of the 60 directions from one sort
  (session 25: the measured-streak rule measures it on every judged stack).
"""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from app.ct.ai import edge_ring, evidence
from app.ct.ai.grid_field import ogrid
from tests.image_review.ev4_reference import evidence as frozen

RNG = np.random.default_rng(20261207)


@pytest.mark.parametrize("box", [(0, 256, 0, 256), (10, 20, 30, 400), (5, 5, 0, 3),
                                 (0, 5000, 0, 2), (7, 4096, 4095, 4096)])
def test_ogrid_is_numpys(box):
    y0, y1, x0, x1 = box
    yy, xx = ogrid(*box)
    ry, rx = np.ogrid[y0:y1, x0:x1]
    for a, b in ((yy, ry), (xx, rx)):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if y1 <= 4096 and x1 <= 4096:                  # views of the shared index: read only
        assert not yy.flags.writeable and not xx.flags.writeable


@pytest.mark.parametrize("keep", [False, True])
@pytest.mark.parametrize("shape", [(256, 256), (257, 255)])
def test_up2_into_is_up2(keep, shape):
    m = (RNG.random((shape[0] // 2, shape[1] // 2)) > 0.8).astype(np.uint8)
    dst = RNG.random(shape) > 0.5
    up = frozen._up2(m, shape)                 # the code it replaced (the frozen ev4 copy)
    ref = dst & ~up if keep else dst | up
    evidence._up2_into(dst, m, keep)
    assert np.array_equal(dst, ref)


def _rings_and_clutter(n: int, c: float) -> list[np.ndarray]:
    """2 mm masks: thin rings and arcs about c, with random specks and blobs."""
    yy, xx = np.ogrid[:n, :n]
    r = np.hypot(xx - c, yy - c) * 2.0
    ang = np.degrees(np.arctan2(yy - c, xx - c)) % 360
    out = []
    for k in range(24):
        m = RNG.random((n, n)) > 0.93
        rr = RNG.uniform(15, 80)
        m |= (np.abs(r - rr) <= RNG.uniform(1, 6)) & (ang < RNG.uniform(40, 360))
        for _ in range(k % 5):
            bx, by = RNG.uniform(20, n - 20, 2)
            m |= (xx - bx) ** 2 + (yy - by) ** 2 <= RNG.uniform(4, 40)
        out.append(m.astype(np.uint8))
    return out


def test_ring_bands_on_the_disc_box_are_the_full_grids():
    n, c = 128, 63.75
    cx, cy, r2 = 61.3, 66.8, 46.0
    by0, bx0 = max(0, math.floor(cy - r2)), max(0, math.floor(cx - r2))
    by1, bx1 = min(n, math.ceil(cy + r2) + 1), min(n, math.ceil(cx + r2) + 1)
    yy, xx = np.ogrid[:n, :n]
    d2 = (xx - cx) ** 2 + (yy - cy) ** 2
    inside = (d2 <= r2 * r2).view(np.uint8)
    rim = inside & (d2 > (r2 - 1.5) ** 2).view(np.uint8)
    box = np.s_[by0:by1, bx0:bx1]
    found = 0
    for m in _rings_and_clutter(n, c):
        for width in (evidence.RING_STRUCT_MM, evidence.RING_BUSY_MM):
            full = evidence.ring_bands(m, c, 2.0, width, inside, rim)
            part = evidence.ring_bands(m, c, 2.0, width, np.ascontiguousarray(inside[box]),
                                       np.ascontiguousarray(rim[box]), (by0, bx0))
            assert (full is None) == (part is None)
            if full is not None:
                found += 1
                assert part.shape == full.shape and np.array_equal(part, full)
    assert found >= 5            # the comparison met bands, not only empty answers


def test_the_edge_rings_circle_is_the_binary_moments():
    for _ in range(30):
        g = np.full((256, 256), -1000.0, np.float32)
        cx, cy = RNG.uniform(80, 170, 2)
        r = RNG.uniform(20, 110)
        yy, xx = np.ogrid[:256, :256]
        g[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = 0.0
        g += RNG.normal(0, 300, g.shape).astype(np.float32)
        mom = cv2.moments((g > -500.0).astype(np.uint8), binaryImage=True)
        ref = (mom["m10"] / mom["m00"], mom["m01"] / mom["m00"], math.sqrt(mom["m00"] / math.pi))
        assert edge_ring._circle(g) == ref
    assert edge_ring._circle(np.full((256, 256), -1000.0, np.float32)) is None


def test_the_median_profile_is_numpys_median():
    for rows in (40, 80):
        c = RNG.integers(1, 50, (rows, edge_ring.SECTORS)).astype(np.float64)
        s = RNG.normal(0, 1, c.shape) * c * RNG.choice([1e-3, 1.0, 1e3])
        assert np.array_equal(edge_ring._median_profile(s, c), np.median(s / c, axis=1))


def test_edge_ring_fit_batched_qr():
    """numpy's QR over a stack of matrices gives each matrix's own QR bit for bit (the
    premise of fit_a's single call), also for the fit's shapes."""
    for n in (20, 45, 60):
        stack = RNG.normal(size=(24, n, 6)) * RNG.uniform(0.1, 10, (24, n, 1))
        q_all = np.linalg.qr(stack)[0]
        for a, q in zip(stack, q_all):
            assert np.array_equal(np.linalg.qr(a)[0], q)


def test_the_spectrum_z_from_one_sort_is_the_partitions():
    """evidence._spec_z (one sort) against the frozen ev4 copy's (the partitions of
    _median and _mad_sd): the same value, bit for bit, on spectra with ties, rounding,
    spikes and too few or non-finite values."""
    rng = np.random.default_rng(16)
    cases = []
    for k in range(3000):
        e = (rng.gamma(2.0, 1.0, 60) * rng.uniform(0.1, 10.0)).astype(np.float32)
        if k % 3 == 0:
            e[rng.integers(0, 60, 5)] = e[0]                 # ties
        if k % 7 == 0:
            e = np.round(e, 1).astype(np.float32)
        if k % 11 == 0:
            e[rng.integers(0, 60)] *= 50.0                   # one strong direction
        cases.append(e)
    cases += [np.ones(60, np.float32), np.arange(10, dtype=np.float32),
              np.where(np.arange(60) == 3, np.nan, 1.0 + np.arange(60)).astype(np.float32)]
    for e in cases:
        a, b = frozen._spec_z(e), evidence._spec_z(e)
        assert a == b or (math.isnan(a) and math.isnan(b)), (e, a, b)


def test_the_context_vectors_scalar_clip_and_nan_to_num_are_numpys():
    """normalise._clip20 / _nan_to_num (context_vector, session 25) against np.clip and
    np.nan_to_num on the values they meet: finite, NaN, +-inf, -0.0, float32 and float."""
    from app.ct.ai.normalise import _clip20, _nan_to_num

    for x in (0.0, -0.0, 3.25, -19.99, 20.0, 25.0, -1e9, math.inf, -math.inf, math.nan,
              np.float32(2.5), np.float32(-31.0), np.float32(np.nan), np.float64(7.0)):
        want = float(np.clip(x, -20, 20))
        got = _clip20(x)
        assert (got == want and math.copysign(1, got) == math.copysign(1, want)) or \
            (math.isnan(got) and math.isnan(want)), (x, got, want)
    rng = np.random.default_rng(25)
    for k in range(50):
        a = rng.normal(0, 30, 59).astype(np.float32 if k % 2 else np.float64)
        if k % 3 == 0:
            a[rng.integers(0, 59, 4)] = np.nan
        if k % 5 == 0:
            a[rng.integers(0, 59)] = np.inf
            a[rng.integers(0, 59)] = -np.inf
        for args in ((0.0, 20.0, -20.0), (0.0, None, None)):
            want = np.nan_to_num(a, nan=args[0], posinf=args[1], neginf=args[2])
            got = _nan_to_num(a, *args)
            assert got.dtype == want.dtype and np.array_equal(got, want)
            assert got is not a
