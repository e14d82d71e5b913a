"""A band a few slices before a module of another body value is one band (app/ct/analysis/
artifacts.py): on a foreign renderer's CatPhan 504 (models/training/renderer_r3, clean
room) a +30 HU band on three CTP486 slices, two slices before CTP515's +45 HU body, was
reported with a second, -30 HU "band" on the two CTP486 slices between them - the series'
running median sat between the two modules' levels there. A slice is "off" only when it is
off the series' running median AND its own module's."""
from __future__ import annotations

import json

import pytest

from app.ct.analysis import analyze_series
from app.ct.dicom_load import load_series
from app.ct.limits import load_profile
from models.training.renderer_r3 import SeriesConfig, render_series

pytestmark = pytest.mark.slow


def test_a_band_before_a_module_boundary_is_one_band(tmp_path):
    cfg = SeriesConfig(name="band", seed=41, band={"slices": [14, 15, 16], "gain": 1.03})
    render_series(cfg, tmp_path / "band")
    res = analyze_series(load_series(tmp_path / "band"), phantom="catphan504",
                         profile=load_profile("factory_simct_120kv"))
    bands = [a for a in json.loads(res.to_json())["artifacts"] if a["type"] == "band"]
    assert len(bands) == 1, bands
    lo, hi = bands[0]["location"]["slice_range"]
    assert 14 <= lo <= hi <= 16 and bands[0]["amplitude_hu"] > 20.0
