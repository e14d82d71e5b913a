"""Issue 16, series level: the AI's series class must agree with the measurement that
defines it (app/ct/ai/series_consistency.py), and a physics FAIL is a "disagreement"
with an AI "normal" only where it answers the AI's own question
(app/ct/review_proportion.py). Figures: docs/image_review.md, "Series level"."""
from __future__ import annotations

import pytest

from app.ct.ai.check import AiResult, SliceVerdict
from app.ct.ai.series_consistency import Level, band_check, disc_level, excursion
from app.ct.ai.series_decision import decide
from app.ct.review import ai_note, flag_reasons
from tests.image_review.conftest import REAL_DIR, real_model, render_module_boundary


def _v(i: int, label: str = "normal", conf: float = 0.99) -> SliceVerdict:
    reasons = () if label == "normal" else (f"AI class '{label}' ({conf:.2f})",)
    return SliceVerdict(i, label, conf, {}, 0.1, bool(reasons), reasons, "")


def _levels(values: list[float], se: float = 0.3) -> dict[int, Level]:
    return {i: Level(v, se) for i, v in enumerate(values)}


# a CatPhan module boundary: CTP486 (+5 HU) meets CTP515 (+40 HU) with one partial-volume
# slice between; slices 0..9 and 11..20
BOUNDARY = [5.0] * 10 + [22.0] + [40.0] * 10


def test_a_band_at_a_module_boundary_without_excursion_is_no_band():
    """Two adjacent band verdicts (the old rule's partners) and a sure one, all on the
    boundary step, are no band series: the step stays between the two modules' levels."""
    slices = [_v(i) for i in range(1, 20)]
    slices[9 - 1] = _v(9, "band", 0.97)
    slices[10 - 1] = _v(10, "band", 0.90)
    label, ev = decide(slices, weak_rate=0.0674, levels=_levels(BOUNDARY))
    assert label == "normal"
    assert all(c["consistent"] is False for c in ev.to_dict()["checks"])
    # without the measurement (a stored verdict, an old model) the old rule stands
    assert decide(slices, weak_rate=0.0674)[0] == "band"


def test_a_measured_band_is_a_band_even_on_one_unsure_slice():
    """One band verdict at 0.6 (the old rule: no lone band under 0.95) whose slice goes
    7 HU outside both neighbours - also right at a module boundary (a band that stays
    between the two modules' levels cannot be told from partial volume: no band)."""
    values = list(BOUNDARY)
    values[9] = -2.0                    # the last CTP486 slice, 7 HU under its module
    slices = [_v(i) for i in range(1, 20)]
    slices[9 - 1] = _v(9, "band", 0.6)
    label, ev = decide(slices, weak_rate=0.0674, levels=_levels(values))
    assert label == "band"
    check = ev.to_dict()["checks"][0]
    assert check["run"] == [9, 9] and check["excursion_hu"] == pytest.approx(-7.0)
    assert decide(slices, weak_rate=0.0674)[0] == "normal"


def test_a_band_verdict_at_the_phantoms_end_is_no_band():
    """The last body slice before the end face (partial volume towards air): the level
    beyond is the air's, so the end slice lies between body and air - no band. Without
    the air level (a slice the AI cannot judge left unmeasured) it was undecidable and a
    sure band verdict there named the series "band"."""
    values = [10.8] * 20 + [0.8, -1000.0, -1000.0]
    slices = [_v(i) for i in range(1, 20)] + [_v(20, "not_applicable", 1.0)]
    slices[18 - 1] = _v(18, "band", 0.98)
    levels = {i: Level(v, 0.0 if v < -900 else 0.3) for i, v in enumerate(values)}
    label, ev = decide(slices, weak_rate=0.0674, levels=levels)
    assert label == "normal" and ev.to_dict()["checks"][0]["consistent"] is False
    del levels[21]
    assert decide(slices, weak_rate=0.0674, levels=levels)[0] == "normal"  # 18: 17..20 suffice
    slices[18 - 1] = _v(19, "band", 0.98)
    assert decide(slices, weak_rate=0.0674, levels=levels)[0] == "band"    # 19, 20 need 21


def test_a_partner_the_measurement_refuted_backs_no_band():
    """The first slice of a module plateau (CTP515 +30 HU over both neighbours, longer
    than a band) is not decided by measurement; its unsure band verdict was backed by its
    neighbour's - the partial-volume slice of the boundary, which the measurement finds
    no band at. A refuted verdict backs nothing (the shared foreign clean series with a
    retrained model: "band" from exactly this pair)."""
    values = [5.0] * 10 + [22.0] + [35.0] * 16 + [10.0] * 6
    slices = [_v(i) for i in range(1, 32)]
    slices[10 - 1] = _v(10, "band", 0.93)      # the partial-volume slice: refuted
    slices[11 - 1] = _v(11, "band", 0.71)      # the plateau's first slice: open
    label, ev = decide(slices, weak_rate=0.0674, levels=_levels(values))
    checks = {c["slice_index"]: c["consistent"] for c in ev.to_dict()["checks"]}
    assert checks == {10: False, 11: None}
    assert label == "normal"
    # a partner left open still backs it (a 3-slice band: every verdict open)
    block = [0.0] * 10 + [20.0] * 3 + [0.0] * 10
    slices = [_v(i) for i in range(1, 22)]
    slices[10 - 1] = _v(10, "band", 0.8)
    slices[11 - 1] = _v(11, "band", 0.8)
    assert decide(slices, weak_rate=0.0674, levels=_levels(block))[0] == "band"


def test_the_floor_follows_the_noise_and_a_long_run_is_left_to_the_old_rule():
    # 4 HU outside both sides: a band at SE 0.3 HU, not at SE 1.5 HU (floor 5 SE)
    quiet = _levels([0.0] * 5 + [4.0] + [0.0] * 5)
    noisy = _levels([0.0] * 5 + [4.0] + [0.0] * 5, se=1.5)
    assert band_check(5, quiet).band is True
    assert band_check(5, noisy).band is False
    # a 6-slice block off both sides (a block of rows, or a short module's plateau): the
    # levels cannot tell them apart - not decided by measurement
    block = _levels([0.0] * 5 + [15.0] * 6 + [0.0] * 5)
    c = band_check(5, block)
    assert c.band is None and c.run == (5, 10) and c.excursion_hu == pytest.approx(15.0)
    # a side or a slice not measured: nothing to say
    assert excursion({0: Level(0, 0.3), 2: Level(0, 0.3)}, 1, 1) is None
    assert band_check(5, {}).band is None
    # the hand-off measures the judged slice and its neighbours only: a band on slice 9
    # (the input of the judged slice 8) has no level beyond it - no veto either
    handoff = {7: Level(45.5, 0.3), 8: Level(45.3, 0.3), 9: Level(53.5, 0.3)}
    assert band_check(8, handoff).band is None
    slices = [_v(4), _v(8, "band", 0.97), _v(15)]
    assert decide(slices, weak_rate=0.0674, levels=handoff)[0] == "band"


def test_disc_levels_measured_on_rendered_slices():
    from app.ct.ai.normalise import GRID_MM, slice_facts

    vol, px = render_module_boundary()
    levels = {}
    for k, s in enumerate(vol):
        f = slice_facts(s, px)
        lv = disc_level(f.grid, f.centre, f.noise_grid, GRID_MM)
        assert lv is not None and 0 < lv.se < 1.0
        levels[k] = lv
    assert levels[0].hu == pytest.approx(5.0, abs=1.5)
    assert levels[8].hu == pytest.approx(40.0, abs=1.5)
    # the boundary step is no band; next to the series' ends a run has no outer side
    assert all(band_check(k, levels).band is False for k in range(2, 7))
    assert all(band_check(k, levels).band is None for k in (1, 7))
    vol, px = render_module_boundary((2,), 8.0)
    f = [slice_facts(s, px) for s in vol]
    banded = {k: disc_level(x.grid, x.centre, x.noise_grid, GRID_MM) for k, x in enumerate(f)}
    c = band_check(2, banded)
    assert c.band is True and c.run == (2, 2) and c.excursion_hu == pytest.approx(8.0, abs=1.5)


@real_model
def test_the_series_run_measures_the_levels_the_decision_uses():
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    checker = AiChecker(ModelRegistry(REAL_DIR.parents[1]).load("ct_phantom_classifier",
                                                               REAL_DIR.name))
    vol, px = render_module_boundary((4,), 10.0)
    vol[8] = -1000.0                                  # beyond the phantom's end: air
    res = checker.classify(vol, pixel_mm=px)
    assert sorted(res.levels) == list(range(9))       # every measured slice
    assert res.levels[8].hu == pytest.approx(-1000.0, abs=1.0)
    assert res.levels[4].hu - res.levels[3].hu == pytest.approx(10.0, abs=2.0)
    assert "checks" in res.to_dict()["series_evidence"]
    # a hand-off judges module slices only: the two slices beyond each judged block are
    # measured for the band check's side levels too
    assert sorted(checker.classify(vol, [4], pixel_mm=px).levels) == [2, 3, 4, 5, 6]


# --- disagreement in proportion -----------------------------------------------------

NORMAL = {"label": "normal", "slices": [{"slice_index": i, "label": "normal", "reasons": []}
                                        for i in range(3, 18)]}


def _phys(failed: dict[str, float] | None = None, artifacts: list | None = None) -> dict:
    failed = failed or {}
    return {"verdict": "FAIL", "artifacts": artifacts or [], "failed": list(failed),
            "failed_values": failed}


def test_limits_no_ai_class_judges_are_no_disagreement():
    """A phantom's own water value, an insert, a protocol's noise spec tighter than the
    AI's noise class: queued for the failed limits, but no red disagreement."""
    phys = _phys({"ct_number.uniform": 23.2, "ct_number.acrylic": 131.0, "noise.sd": 14.0})
    assert flag_reasons(NORMAL, phys) == ["failed_limits"]
    note = ai_note(NORMAL, phys)
    assert "ct_number.uniform 23.2" in note and "not what an AI class judges" in note


def test_failures_the_ai_classes_define_are_a_disagreement():
    assert "disagreement" in flag_reasons(NORMAL, _phys({"noise.sd": 41.0}))
    assert "disagreement" in flag_reasons(NORMAL, _phys({"mtf.mtf50": 1.6}))
    assert "disagreement" not in flag_reasons(NORMAL, _phys({"mtf.mtf50": 3.5}))
    ring = [{"type": "ring", "verdict": "FAIL", "slice_range": [0, 30]}]
    assert "disagreement" in flag_reasons(NORMAL, _phys(artifacts=ring))
    # the review station's physics: full measurements with values
    full = {"verdict": "FAIL", "artifacts": [],
            "measurements": [{"key": "noise.sd", "value": 60.0, "verdict": "FAIL"}]}
    assert "disagreement" in flag_reasons(NORMAL, full)


def test_a_band_on_slices_the_ai_did_not_judge_is_the_physics_finding_alone():
    band = [{"type": "band", "verdict": "FAIL", "slice_range": [19, 20]}]
    r = flag_reasons(NORMAL, _phys(artifacts=band))
    assert r == ["failed_limits"]
    assert "band on slices 19-20, which the AI did not judge" in ai_note(NORMAL, _phys(artifacts=band))
    inside = [{"type": "band", "verdict": "FAIL", "location": {"slice_range": [17, 18]}}]
    assert "disagreement" in flag_reasons(NORMAL, _phys(artifacts=inside))


def test_handoff_physics_summary_keeps_what_the_proportion_needs():
    from app.ct.ai.handoff import physics_summary

    s = physics_summary({"verdict": "FAIL",
                         "artifacts": [{"type": "band", "verdict": "FAIL", "amplitude_hu": 5.0,
                                        "location": {"slice_range": [4, 5]}}],
                         "measurements": [{"key": "noise.sd", "value": 30.0, "verdict": "FAIL"},
                                          {"key": "slice_thickness", "value": None,
                                           "verdict": "ERROR"}]})
    assert s["artifacts"][0]["slice_range"] == [4, 5]
    assert s["failed"] == ["noise.sd", "slice_thickness"]
    assert s["failed_values"] == {"noise.sd": 30.0}


def test_series_evidence_of_a_result_carries_the_checks():
    res = AiResult("m", "2.0.0", "x", ("CPU",),
                   tuple([_v(i) for i in range(1, 9)] + [_v(9, "band", 0.97)]
                         + [_v(i) for i in range(10, 20)]), 1.0, 1.0,
                   levels=_levels(BOUNDARY))
    d = res.to_dict()
    assert d["label"] == "normal" and d["series_evidence"]["checks"][0]["consistent"] is False
