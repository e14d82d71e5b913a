"""The streak gate (app/ct/ai/streak_gate.py, issue 16): a stack the network calls "streak"
on which none of the four streak measures (line sums and directional spectrum, one and
three slices) reaches the model's levels (its training normals' 99th percentiles,
``thresholds.streak_gate_levels``) is counted normal with a coded series note; a streak
any measure shows keeps the call, and a card without levels has no gate.

The network is a stand-in calling EVERY stack "streak" (data/streak_always.onnx, the
released context layout); the phantoms are the independent image-domain renderer's,
measured through the station's own series run; the levels are the released card's."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import streak_gate as sg
from app.ct.ai.evidence import (EVIDENCE_NAMES, STREAK_NAMES, slice_evidence, slice_streak,
                                stack_evidence, stack_streak)
from app.ct.image_renderer.series import render_volume
from tests.image_review.conftest import (REAL_DIR, judged_and_notes, stand_in_checker,
                                         streak_series, uniform_series)

DATA = Path(__file__).with_name("data")
STREAK, NORMAL = sg.STREAK, sg.NORMAL
BASE = uniform_series()


def _released_levels() -> dict:
    card = json.loads((REAL_DIR / "card.json").read_text())
    assert sg.levels_from_card(card) is not None
    return card["thresholds"][sg.CARD_KEY]


def test_the_gate_takes_back_only_streaks_no_measure_shows():
    levels = np.array([1.5, 1.9, 1.6, 1.3], np.float32)
    gate = np.array([[1.0, 1.0, 1.0, 1.0],          # all below: refuted
                     [1.6, 1.0, 1.0, 1.0],          # the line sum shows it
                     [1.0, 1.0, 1.0, 1.4],          # the 3-slice spectrum shows it
                     [np.nan] * 4,                  # not measured (not called streak)
                     [0.5, 0.5, 0.5, 0.5]], np.float32)
    probs = np.zeros((5, 7), np.float32)
    probs[:, NORMAL], probs[:, STREAK], probs[:, 1] = 0.1, 0.85, 0.05
    out, n = sg.apply(probs, gate, ["", "", "", "", "no phantom"], levels)
    assert [bool(out[k].argmax() == NORMAL) for k in range(5)] == [True, False, False, False,
                                                                   False]
    assert n == 1 and out[0, NORMAL] == pytest.approx(0.95) and out[0, 1] == pytest.approx(0.05)
    assert np.allclose(out.sum(1), 1.0)
    assert sg.apply(probs, gate, [""] * 5, None)[1] == 0
    assert sg.apply(probs, None, [""] * 5, levels)[1] == 0
    assert sg.levels_from_card({"thresholds": {sg.CARD_KEY: {"streak_z": 1.0}}}) is None
    assert sg.levels_from_card({}) is None
    lv = sg.levels_from_card({"thresholds": {sg.CARD_KEY: dict(zip(sg.NAMES, levels.tolist()))}})
    assert np.array_equal(lv, levels)


def test_the_gates_measures_are_the_evidences():
    """slice_streak / stack_streak give slice_evidence / stack_evidence's streak features."""
    from app.ct.ai.normalise import slice_facts

    cols = [EVIDENCE_NAMES.index(n) for n in STREAK_NAMES]
    for params in (BASE, streak_series(40.0)):
        vol, _ = render_volume(replace(params, n_slices=3))
        fs = [slice_facts(vol[k], BASE.pixel_mm) for k in range(3)]
        args = [(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu) for f in fs]
        full = stack_evidence([slice_evidence(*a) for a in args])
        part = stack_streak([slice_streak(*a) for a in args])
        assert np.array_equal(part, full[cols])
    assert stack_streak([None, None, None]) is None


@pytest.mark.parametrize("case,kept", [
    ("clean", False),            # nothing to show: counted normal, with the note
    ("streak 20 HU", True),      # shown by the spectrum
    ("streak 80 HU", True),
    ("clean, no levels", True),  # no gate: the network's call stands
])
def test_network_streaks_are_taken_back_only_where_nothing_is_measured(tmp_path, case, kept):
    levels = None if case.endswith("no levels") else _released_levels()
    checker = stand_in_checker(tmp_path, DATA / "streak_always.onnx", "9.5.0",
                               **({sg.CARD_KEY: levels} if levels is not None else {}))
    params = {"streak 20 HU": streak_series(20.0),
              "streak 80 HU": streak_series(80.0)}.get(case, BASE)
    vol, _ = render_volume(params)
    res = checker.classify(vol, pixel_mm=BASE.pixel_mm)
    judged, codes = judged_and_notes(res, "ai.streak_unmeasured")
    assert judged, [s.reasons for s in res.slices]
    if kept:
        assert {s.label for s in judged} == {"streak"}
        assert not codes
    else:
        assert {s.label for s in judged} == {"normal"}
        assert len(codes) == 1 and codes[0]["params"]["count"] == len(judged)
        assert all(s.scores["streak"] == 0.0 and s.scores["normal"] > 0.95 for s in judged)
        assert res.thresholds[sg.CARD_KEY] == pytest.approx(levels)


@pytest.mark.parametrize("spectrum", [False, True])
def test_the_spectrum_first_shortcut_decides_as_the_full_measure(spectrum):
    """With the levels, a stack whose spectrum already reaches its level keeps NaN line
    sums (not measured); the gate's decisions equal the full measurement's, with the slice
    facts' own spectra (the measured-streak rule's) or the cache's."""
    from app.ct.ai.normalise import slice_facts

    levels = sg.levels_from_card({"thresholds": {sg.CARD_KEY: _released_levels()}})
    for params in (BASE, streak_series(20.0), streak_series(80.0), replace(BASE, noise_sd_hu=3.0)):
        vol, _ = render_volume(params)
        fs = [slice_facts(vol[k], BASE.pixel_mm, False, spectrum) for k in range(len(vol))]
        triples = [(k - 1, k, k + 1) for k in range(1, len(vol) - 1)]
        facts = [tuple(fs[j] for j in t) for t in triples]
        probs = np.zeros((len(triples), 7), np.float32)
        probs[:, STREAK] = 1.0
        full = sg.measure(probs, triples, facts, sg.StreakCache())
        short = sg.measure(probs, triples, facts, sg.StreakCache(), levels)
        assert np.isfinite(full).all()
        both = np.isfinite(short).all(1)
        assert np.array_equal(short[both], full[both])
        spec_cols = [sg.NAMES.index("streak_spec"), sg.NAMES.index("streak_spec3")]
        assert np.array_equal(short[:, spec_cols], full[:, spec_cols])
        # not measured only where the spectrum reaches its level
        assert ((full[~both][:, spec_cols] >= levels[spec_cols]).any(1)).all()
        a = sg.apply(probs, full, [""] * len(triples), levels)[0]
        b = sg.apply(probs, short, [""] * len(triples), levels)[0]
        assert np.array_equal(a, b)
        if params is not BASE and params.noise_sd_hu == BASE.noise_sd_hu:
            assert (~both).any()          # a streak: the line sums were spared
