"""The third (clean-room) CatPhan renderer, models/training/renderer_r3: its output is a valid
CT series the station reads (its own DICOM loader), with a truth file, and what the truth
says is in the pixels (materials, ring, band, rescale conventions, the wire ramps' slice
width). A few small slices: fast."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.ct.dicom_load import load_series
from models.training.renderer_r3 import SeriesConfig, render_series

BASE = dict(matrix=256, pixel_mm=0.9, thickness_mm=2.0, spacing_mm=2.0, z_from=-2.0, z_to=2.0,
            noise_sd=0.0, noise_centre_gain=0.0)


def _render(tmp_path: Path, name: str, **kw) -> tuple[dict, object]:
    cfg = SeriesConfig(name=name, **{**BASE, **kw})
    truth = render_series(cfg, tmp_path / name)
    return truth, load_series(tmp_path / name)


def _mean(img: np.ndarray, px: float, x: float, y: float, r: float) -> float:
    n = img.shape[0]
    c = (np.arange(n) - (n - 1) / 2) * px
    m = (c[None, :] - x) ** 2 + (c[:, None] - y) ** 2 < r * r
    return float(img[m].mean())


def _ring_profile(img: np.ndarray, px: float, radius: float) -> float:
    """Mean HU on the circle r = radius minus the mean 3 mm inside and outside it."""
    n = img.shape[0]
    c = (np.arange(n) - (n - 1) / 2) * px
    r = np.hypot(c[None, :], c[:, None])
    on = img[np.abs(r - radius) < 0.5].mean()
    off = np.concatenate([img[np.abs(r - radius - 3) < 0.5], img[np.abs(r - radius + 3) < 0.5]]).mean()
    return float(on - off)


def test_series_is_read_by_the_station_with_its_truth(tmp_path):
    truth, s = _render(tmp_path, "clean")
    files = sorted((tmp_path / "clean").glob("*.dcm"))
    assert len(files) == 3 == truth["n_slices"] == s.n_slices
    assert s.header["series_uid"] == truth["series_uid"]
    assert s.header.get("manufacturer") == "R3-SYNTHETIC"
    assert math.isclose(s.pixel_mm, 0.9) and math.isclose(s.slice_thickness_mm, 2.0)
    assert list(s.slice_positions_mm) == pytest.approx(truth["z_mm"]) == [-2.0, 0.0, 2.0]
    on_disk = json.loads((tmp_path / "clean" / "truth.json").read_text())
    assert on_disk["series_uid"] == truth["series_uid"] and on_disk["truth_class"] == "normal"
    # CTP404 at z = 0: the inserts at 58.7 mm (air at the top, teflon at -60 deg, delrin at 0 deg)
    img, mats = s.volume[1], truth["materials"]
    for deg, key in ((-90, "air"), (-60, "teflon"), (0, "delrin"), (180, "ldpe")):
        x, y = 58.7 * math.cos(math.radians(deg)), 58.7 * math.sin(math.radians(deg))
        assert _mean(img, 0.9, x, y, 3.5) == pytest.approx(mats[key], abs=8), key
    assert _mean(img, 0.9, 0, 0, 8) == pytest.approx(mats["body_404"], abs=2)
    assert _mean(img, 0.9, 0, -108, 4) == pytest.approx(-1000, abs=2)     # air outside


def test_ring_on_the_slices_the_truth_names_and_a_band_slice_scaled(tmp_path):
    ring = [{"amp": 60.0, "radius_mm": 40.0, "width_mm": 0.9, "slices": [0, 2]}]
    truth, s = _render(tmp_path, "ringband", ring=ring, band={"slices": [1], "gain": 1.05})
    assert truth["config"]["ring"][0]["slices"] == [0, 2]
    on = [_ring_profile(s.volume[i], 0.9, 40.0) for i in range(3)]
    assert on[0] > 30 and on[2] > 30, on          # the ring (peak 60 HU, averaged over +-0.5 mm)
    assert abs(on[1]) < 5, on                     # not on slice 1
    body = truth["materials"]["body_404"]
    assert _mean(s.volume[1], 0.9, 0, 0, 8) == pytest.approx((body + 1000) * 1.05 - 1000, abs=2)
    assert _mean(s.volume[0], 0.9, 0, 0, 8) == pytest.approx(body, abs=2)


def test_rescale_conventions_give_the_same_hu(tmp_path):
    _, a = _render(tmp_path, "int1024")
    _, b = _render(tmp_path, "slope05", rescale_slope=0.5, rescale_intercept=-1000.0)
    inside = a.volume > -990                     # below -1000 the -1000 convention clips
    assert np.abs(a.volume - b.volume)[inside].max() <= 0.51


def test_wire_ramps_show_the_slice_width(tmp_path):
    """The top wire ramp (23 deg) in a noiseless 4 mm slice is 4 / tan 23 = 9.4 mm long."""
    _, s = _render(tmp_path, "wire", thickness_mm=4.0, spacing_mm=4.0, z_from=0.0, z_to=0.0, matrix=512,
                   pixel_mm=0.5, ssp_sigma_mm=0.0)
    img = s.volume[0]
    c = (np.arange(512) - 255.5) * 0.5
    row = img[np.argmin(np.abs(c + 38.0)), :]            # y = -38 mm, along x
    prof = row[np.abs(c) < 20] - 15.0
    fwhm = float((prof > prof.max() / 2).sum()) * 0.5
    assert fwhm == pytest.approx(4.0 / math.tan(math.radians(23.0)), abs=1.0)
