"""The geometry measurement's node finder on a flat crop: no NaN point (was 0 / 0)."""
from __future__ import annotations

import math
import warnings

import numpy as np

from app.ct.analysis.metrics_geo import _locate_point


def test_a_flat_crop_gives_the_nominal_place_with_zero_contrast():
    img = np.full((64, 64), 40.0, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no "invalid value in divide"
        x, y, snr = _locate_point(img, (30.0, 31.0), 6.0, 1.0, 8.0)
    assert (x, y, snr) == (30.0, 31.0, 0.0)


def test_a_node_is_found_at_its_centroid():
    img = np.zeros((64, 64), np.float32)
    yy, xx = np.mgrid[:64, :64]
    img[np.hypot(xx - 33, yy - 28) <= 3] = 500.0
    img += np.random.default_rng(1).normal(0, 5, img.shape).astype(np.float32)
    x, y, snr = _locate_point(img, (31.0, 30.0), 6.0, 1.0, 8.0)
    assert math.hypot(x - 33, y - 28) < 0.75 and snr > 20
