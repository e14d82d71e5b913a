"""The measured-streak rule (app/ct/ai/streak_measured.py, issue 16): a stack the network
calls "normal" whose 3-slice streak spectrum z is above the model's level (the largest z
of any non-streak stack of its training sets, ``thresholds.streak_measured_spec_z`` in
the card) is judged streak, with a coded series note; below it, or without a level in the
card, nothing moves.

The networks are stand-ins calling every stack "normal" (data/normal_always.onnx, the
released context layout) or reading only the ring evidence (data/ring_rule.onnx, the
ring layout: the spectrum shares the ring part's residual there); the phantoms are the
independent image-domain renderer's, measured through the station's own series run. The
level is the released model's own, read from its card."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import streak_measured as sm
from app.ct.ai.evidence import (EVIDENCE_NAMES, slice_evidence, slice_ring, slice_spectrum,
                                stack_evidence)
from app.ct.image_renderer.series import render_volume
from tests.image_review.conftest import (REAL_DIR, judged_and_notes, stand_in_checker,
                                         streak_series, uniform_series)

DATA = Path(__file__).with_name("data")
STREAK, NORMAL = sm.STREAK, sm.NORMAL
BASE = uniform_series()


def _released_level() -> float:
    card = json.loads((REAL_DIR / "card.json").read_text())
    level = sm.floor_from_card(card)
    assert level is not None and 10.0 < level < 30.0
    return level


def _checker(models_dir: Path, layout: str, level: float | None):  # noqa: ANN202
    from app.ct.ai.check import SCHEME_RING
    from app.ct.ai.normalise import CONTEXT_NAMES_RING

    th = {sm.CARD_KEY: level} if level is not None else {}
    if layout == "context":
        return stand_in_checker(models_dir, DATA / "normal_always.onnx", "9.4.0", **th)
    return stand_in_checker(models_dir, DATA / "ring_rule.onnx", "9.4.0", SCHEME_RING,
                            list(CONTEXT_NAMES_RING), **th)


def _normal_probs(n: int) -> np.ndarray:
    p = np.zeros((n, 7), np.float32)
    p[:, NORMAL], p[:, STREAK], p[:, 1] = 0.9, 0.05, 0.05
    return p


def test_the_rule_moves_only_judged_normals_above_the_level():
    z = np.array([20.0, 17.0, 18.0, np.nan, 50.0, 50.0], np.float32)
    probs = _normal_probs(6)
    probs[5] = (0.1, 0.8, 0.1, 0.0, 0.0, 0.0, 0.0)          # called ring: not touched
    problems = ["", "", "", "", "no phantom", ""]
    out, n = sm.apply(probs, z, problems, 17.5)
    assert [bool(out[k].argmax() == STREAK) for k in range(6)] == [True, False, True, False,
                                                                   False, False]
    assert n == 2
    assert out[0, STREAK] == pytest.approx(0.95) and out[0, NORMAL] == 0.0
    assert out[0, 1] == pytest.approx(0.05) and np.allclose(out.sum(1), 1.0)
    assert np.array_equal(out[5], probs[5])
    # no level (a card without one), no measurements: nothing runs
    assert sm.apply(probs, z, problems, None)[1] == 0
    assert sm.apply(probs, None, problems, 17.5)[1] == 0
    # the measure: only the stacks the network calls normal, and only judged ones
    assert sm.floor_from_card({"thresholds": {sm.CARD_KEY: "x"}}) is None
    assert sm.floor_from_card({"thresholds": {sm.CARD_KEY: 12.5}}) == 12.5
    assert sm.floor_from_card({}) is None


def test_the_spectrum_is_the_evidences_on_every_path():
    """slice_spectrum, slice_ring(spec=True) and the evidence's spec are the same values;
    the stack's z is the evidence's streak_spec3 x 5 (below its cap)."""
    from app.ct.ai.normalise import slice_facts

    isp = EVIDENCE_NAMES.index("streak_spec3")
    for params in (BASE, streak_series(40.0)):
        vol, _ = render_volume(replace(params, n_slices=3))
        fs = [slice_facts(vol[k], BASE.pixel_mm) for k in range(3)]
        evs = []
        for f in fs:
            ev = slice_evidence(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu)
            ring = slice_ring(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu,
                              spec=True)
            alone = slice_spectrum(f.grid, f.centre, f.radius_mm, f.noise_grid)
            assert np.array_equal(ev.spec, ring.spec) and np.array_equal(ev.spec, alone)
            assert np.array_equal(ring.ring_s, slice_ring(f.grid, f.centre, f.radius_mm,
                                                          f.noise_grid, f.body_hu).ring_s)
            evs.append(ev)
        with_spec = [replace(f, spec=e.spec) for f, e in zip(fs, evs)]
        z = sm.stack_z(with_spec)
        assert stack_evidence(evs)[isp] == pytest.approx(min(z, 60.0) / 5.0, rel=1e-6)
    # a centre slice the AI cannot judge carries no z
    assert np.isnan(sm.stack_z([with_spec[0], replace(with_spec[1], problem="x"),
                                with_spec[2]]))


@pytest.mark.parametrize("layout", ["context", "ring"])
@pytest.mark.parametrize("case", ["clean", "streak 80 HU", "streak 80 HU, no level"])
def test_a_network_normal_with_a_measured_streak_is_judged_streak(tmp_path, layout, case):
    level = _released_level()
    checker = _checker(tmp_path, layout, None if case.endswith("no level") else level)
    params = BASE if case == "clean" else streak_series(80.0)
    vol, _ = render_volume(params)
    res = checker.classify(vol, pixel_mm=BASE.pixel_mm)
    judged, codes = judged_and_notes(res, "ai.streak_measured")
    assert judged, [s.reasons for s in res.slices]
    if case == "streak 80 HU":
        assert {s.label for s in judged} == {"streak"}
        assert len(codes) == 1 and codes[0]["params"]["count"] == len(judged)
        assert codes[0]["params"]["min_z"] == pytest.approx(level)
        assert all(s.scores["normal"] == 0.0 and s.scores["streak"] > 0.9 for s in judged)
        assert res.thresholds[sm.CARD_KEY] == level
    else:
        # clean: the spectrum is far below the level; no level: the rule does not run
        assert {s.label for s in judged} == {"normal"}
        assert not codes
        assert (sm.CARD_KEY in res.thresholds) == (case == "clean")


def test_the_training_level_is_the_runtime_measure_and_only_from_non_streak_fit_sets(
        tmp_path, monkeypatch):
    """models/training/ai_streak_spec.py measures the stored grids as the station does
    (the same z as the series run's slice facts), takes the largest non-streak z of the
    fit sets (never a held-out set, never a streak) and writes it into the card."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))
    import ai_streak_spec  # noqa: PLC0415

    from app.ct.ai.normalise import slice_facts

    stacks, runtime = [], []
    for params in (BASE, replace(BASE, seed=9), streak_series(40.0)):
        vol, _ = render_volume(replace(params, n_slices=3))
        fs = [slice_facts(vol[k], BASE.pixel_mm, False, True) for k in range(3)]
        stacks.append(np.stack([f.grid for f in fs]).astype(np.float32))
        runtime.append(sm.stack_z(fs))
    x = np.stack(stacks)
    # train: normal, normal, streak; held-out: the streak labelled normal (never counted)
    np.save(tmp_path / "img_train.x.npy", x)
    np.savez(tmp_path / "img_train.npz", y=np.array([0, 0, 2]))
    np.save(tmp_path / "img_heldout.x.npy", x[2:])
    np.savez(tmp_path / "img_heldout.npz", y=np.array([0]))
    # (the native matrix and pixel: the evidence cache's rotation centre; the gate's levels)
    (tmp_path / "img_train.facts.json").write_text(json.dumps(
        [{"scanner": {"matrix": 512, "pixel_mm": BASE.pixel_mm}}] * 3))
    z = ai_streak_spec.set_z(tmp_path, "img_train")
    assert np.allclose(z, runtime, rtol=1e-5)
    assert runtime[2] > 20.0 > max(runtime[:2])
    level, per = ai_streak_spec.floor(tmp_path, ["img"])
    assert level == pytest.approx(max(runtime[:2]), rel=1e-5) and per["img"]["samples"] == 2
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"name": "ct_phantom_classifier", "thresholds": {"anomaly": 1.0}}))
    monkeypatch.setattr(sys, "argv", ["ai_streak_spec.py", "--data-dir", str(tmp_path),
                                      "--renderers", "img", "--update-card", str(card)])
    ai_streak_spec.main()
    th = json.loads(card.read_text())["thresholds"]
    assert th["anomaly"] == 1.0
    assert sm.floor_from_card({"thresholds": th}) == pytest.approx(level, abs=1e-4)
    # the streak gate's levels: the two normals' 99th percentile of each measure, as the
    # station's slice_evidence measures them on the stored grids
    from app.ct.ai import streak_gate
    from app.ct.ai.evidence import EVIDENCE_NAMES

    ev = np.load(tmp_path / "img_train.ev4.npz")["ev"][:2]
    want = {n: round(float(np.quantile(ev[:, EVIDENCE_NAMES.index(n)], 0.99)), 4)
            for n in streak_gate.NAMES}
    assert th[streak_gate.CARD_KEY] == want
    assert streak_gate.levels_from_card({"thresholds": th}) is not None
