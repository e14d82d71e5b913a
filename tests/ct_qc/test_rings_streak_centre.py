"""A streak through the rotation centre is one finding, not also a ring (app/ct/analysis/
rings.py): on a foreign renderer's CatPhan 504 (models/training/renderer_r3, clean room) a
60 HU streak through the centre was reported with a -88 HU "ring" at 2 mm - the streak's
line and dark flanks fill a small circle. A ring whose circle lies >= 25 % within 3 mm of
the streak lines of every slice group that shows it is the streak; a detector ring beside
the same streak, further out, is still a ring."""
from __future__ import annotations

import json

import pytest

from app.ct.analysis import analyze_series
from app.ct.dicom_load import load_series
from app.ct.limits import load_profile
from models.training.renderer_r3 import SeriesConfig, render_series

pytestmark = pytest.mark.slow
STREAK = [{"amp": 60.0, "angle_deg": 30.0, "width_mm": 0.8}]


def _findings(tmp_path, name: str, **kw) -> list[tuple[str, float | None]]:
    render_series(SeriesConfig(name=name, seed=21, z_from=-84.0, z_to=-46.0, **kw),
                  tmp_path / name)
    res = analyze_series(load_series(tmp_path / name), phantom="catphan504",
                         profile=load_profile("factory_simct_120kv"))
    return [(a["type"], a["location"].get("radius_mm"))
            for a in json.loads(res.to_json())["artifacts"]]


def test_a_streak_through_the_centre_is_no_ring(tmp_path):
    got = _findings(tmp_path, "streak", streaks=STREAK)
    assert [t for t, _ in got] == ["streak"]


def test_a_ring_beside_the_streak_is_still_a_ring(tmp_path):
    got = _findings(tmp_path, "streak_ring", streaks=STREAK,
                    ring=[{"amp": 30.0, "radius_mm": 35.0, "width_mm": 0.8}])
    rings = [r for t, r in got if t == "ring"]
    assert "streak" in [t for t, _ in got]
    assert len(rings) == 1 and rings[0] == pytest.approx(35.0, abs=1.0)
