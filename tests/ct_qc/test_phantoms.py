"""Phantom definition files: every shipped file loads; bad files are rejected by key."""
from __future__ import annotations

import json
import math

import pytest

from app.core.errors import InputRejected
from app.ct.phantoms import list_phantoms, load_phantom, parse_phantom


def test_shipped_phantoms_load_with_expected_geometry():
    names = list_phantoms()
    for required in ("catphan504", "catphan604", "catphan600", "acr464", "vendor_water"):
        assert required in names
    p = load_phantom("catphan504")
    assert p.diameter_mm == 200.0 and p.origin_module == "CTP404"
    assert {m.id: m.z_mm for m in p.modules} == {"CTP404": 0.0, "CTP528": 30.0,
                                                "CTP515": -30.0, "CTP486": -65.0}
    ctp404 = p.module("CTP404")
    hu = {i.name: i.nominal_hu for i in ctp404.inserts}
    assert hu["teflon"] == 1000 and hu["air"] == -1000 and hu["pmp"] == -196
    assert all(i.radius_mm == 58.7 and i.diameter_mm == 12.2 for i in ctp404.inserts)
    nodes = [(n.x_mm, n.y_mm) for n in ctp404.nodes]
    assert sorted(nodes) == [(-25, -25), (-25, 25), (25, -25), (25, 25)]
    assert {r.ramp_angle_deg for r in ctp404.ramps} == {23.0}
    lp = [b.lp_per_cm for b in p.module("CTP528").bar_patterns]
    assert lp == list(range(1, 22))
    acr = load_phantom("acr464")
    assert [m.kind for m in acr.modules] == ["ct_number", "low_contrast", "uniformity", "resolution"]
    assert [b.lp_per_cm for b in acr.module("M4").bar_patterns] == [4, 5, 6, 7, 8, 9, 10, 12]
    bb = acr.module("M3").beads
    assert math.dist((bb[0].x_mm, bb[0].y_mm), (bb[1].x_mm, bb[1].y_mm)) == 100.0
    c604 = {i.name for i in load_phantom("catphan604").module("CTP404").inserts}
    assert {"bone20", "bone50"} <= c604


def test_to_dict_is_plain_and_round_trips():
    p = load_phantom("catphan604")
    d = p.to_dict()
    json.dumps(d)
    assert len(p.sha256) == 64
    d.pop("sha256")
    again = parse_phantom(d)
    assert again.modules == p.modules


def _base() -> dict:
    return json.loads(load_phantom("catphan504").source and
                       open(load_phantom("catphan504").source, encoding="utf-8").read())


@pytest.mark.parametrize("mutate, key", [
    (lambda d: d.pop("diameter_mm"), "diameter_mm"),
    (lambda d: d.update(diamter_mm=3), "diamter_mm"),
    (lambda d: d.update(format_version=2), "format_version"),
    (lambda d: d["modules"][2]["inserts"][0].update(nominal_hu="x"), "nominal_hu"),
    (lambda d: d["modules"][2]["inserts"][0].update(radius_mm=150), "inserts[0]"),
    (lambda d: d["modules"][0].update(kind="magic"), "kind"),
    (lambda d: d["modules"][0].update(z_mm=-30.0), "z_mm"),
    (lambda d: d["modules"][2]["ramps"][0].update(orientation="z"), "orientation"),
    (lambda d: d["modules"][1]["discs"][0].update(contrast_hu=5), "discs[0]"),
    (lambda d: d["modules"][1].update(id="CTP404"), "modules"),
])
def test_bad_definitions_are_rejected_naming_file_and_key(tmp_path, mutate, key):
    d = _base()
    mutate(d)
    path = tmp_path / "catphan504.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(InputRejected) as exc:
        load_phantom(path)
    assert "catphan504.json" in exc.value.message
    assert key in exc.value.message


def test_unknown_name_and_broken_json(tmp_path):
    with pytest.raises(InputRejected, match="unknown phantom"):
        load_phantom("no_such_phantom")
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputRejected, match="broken.json"):
        load_phantom(bad)


def test_a_new_phantom_needs_only_a_file(tmp_path):
    d = {"name": "my_qa", "title": "My QA", "format_version": 1, "diameter_mm": 160.0,
         "shell_hu": 100, "background_hu": 0,
         "modules": [{"id": "W", "kind": "uniformity", "z_mm": 0.0, "length_mm": 30.0}]}
    path = tmp_path / "my_qa.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    p = load_phantom(path)
    assert p.module("W").background_hu == 0 and p.origin_module == "W"
