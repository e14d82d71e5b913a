"""Issue 16: the AI input means the same on every scanner, the AI says when it cannot
judge, and a disagreement with the physics is shown in proportion.

Normalisation and decision logic run without a model; the trained classifier (the
registry's newest, see conftest.REAL_VERSION) is checked on series of the independent
image-domain renderer (app/ct/image_renderer) and on inputs that are not a phantom.
"""
from __future__ import annotations

import numpy as np
import pytest

from app.ct.ai.check import NOT_APPLICABLE, AiResult, SliceVerdict
from app.ct.ai.normalise import prepare, slice_facts
from app.ct.review import ai_note, flag_reasons
from tests.image_review.conftest import REAL_DIR, real_model


def _sim(matrix: int, fov: float, **kw) -> tuple[np.ndarray, float]:
    from app.ct.simulator import SimParams, simulate_series

    s = simulate_series(SimParams(phantom="catphan504", matrix=matrix, fov_mm=fov, n_slices=3,
                                  slice_thickness_mm=2.0, z_range_mm=(-67.0, -63.0),
                                  noise_sd_hu=kw.pop("noise", 8.0), seed=kw.pop("seed", 3),
                                  **kw))
    return s.volume, s.pixel_mm


# --- normalisation ----------------------------------------------------------------------
def test_pixel_size_and_matrix_do_not_change_what_the_network_sees():
    """The same phantom at 0.49 mm / 512 and 0.33 mm / 768: the 1 mm grid, the edge
    spread (system blur), air level and native noise agree; a naive 256 x 256 resample
    of the two would differ in scale by 1.5 x."""
    (v1, p1), (v2, p2) = _sim(512, 250.0), _sim(768, 250.0)
    f1, f2 = slice_facts(v1[1], p1), slice_facts(v2[1], p2)
    assert not f1.problem and not f2.problem
    assert abs(f1.radius_mm - f2.radius_mm) < 1.0 and abs(f1.radius_mm - 100.0) < 2.0
    assert np.abs(f1.esf - f2.esf).max() < 0.06
    assert abs(f1.air_offset - f2.air_offset) < 2.0
    assert abs(np.log(f1.noise_native / f2.noise_native)) < 0.25
    inside = np.hypot(*np.mgrid[-128:128, -128:128]) < 90
    assert np.median(np.abs(f1.grid - f2.grid)[inside]) < 8.0


def test_padding_rescale_and_body_offset():
    """Padding outside the reconstruction circle (-1024 or -3024) does not read as a
    CT-number shift; a +20 HU body (production tolerance) moves the body median, not the
    air level; a calibration offset moves the air level."""
    v, px = _sim(512, 250.0)
    ref = slice_facts(v[1], px)
    n = v.shape[1]
    yy, xx = np.ogrid[:n, :n]
    outside = (yy - (n - 1) / 2) ** 2 + (xx - (n - 1) / 2) ** 2 > (n / 2) ** 2
    for pad in (-1024.0, -3024.0):
        a = np.round(v[1]).copy()
        a[outside] = pad
        f = slice_facts(a, px)
        assert not f.problem and abs(f.air_offset - ref.air_offset) < 1.5, pad
    body = v[1] + 20.0 * (v[1] > -500)
    f = slice_facts(body, px)
    assert abs(f.air_offset - ref.air_offset) < 1.5 and abs(f.body_hu - ref.body_hu - 20) < 2
    f = slice_facts(v[1] + 25.0, px)
    assert abs(f.air_offset - ref.air_offset - 25.0) < 1.5


def test_couch_is_not_the_phantom():
    from app.ct.image_renderer import RenderParams, render_volume

    vol, _ = render_volume(RenderParams(matrix=512, pixel_mm=0.5, n_slices=1, z_start_mm=0.0,
                                        couch=True, noise_sd_hu=10.0, seed=2))
    f = slice_facts(vol[0], 0.5)
    assert not f.problem
    assert abs(f.radius_mm - 100.0) < 2.0
    assert abs(f.centre[0] - 127.5) < 1.5 and abs(f.centre[1] - 127.5) < 1.5


def test_what_the_ai_cannot_judge_is_named():
    rng = np.random.default_rng(0)
    air = np.full((3, 256, 256), -1000.0, np.float32) + rng.normal(0, 5, (3, 256, 256))
    _, _, probs = prepare(air.astype(np.float32), 1.0, [1])
    assert probs[0] == "no phantom body in the slice"
    v, px = _sim(512, 250.0)
    _, _, probs = prepare(v, 2.0, [1])
    assert "pixel size 2.00 mm is outside" in probs[0]
    v, px = _sim(512, 215.0, centre_offset_mm=(25.0, 0.0))
    _, _, probs = prepare(v, px, [1])
    assert probs[0] == "the phantom is cut by the field of view"
    n = 512
    yy, xx = np.mgrid[:n, :n]
    ell = ((xx - 255.5) / 200) ** 2 + ((yy - 255.5) / 120) ** 2 <= 1      # 200 x 120 mm
    body = np.where(ell, 40.0, -1000.0)[None].repeat(3, 0).astype(np.float32)
    _, _, probs = prepare(body, 0.5, [1])
    assert probs[0].startswith("the body is not round")
    small = np.hypot(xx - 255.5, yy - 255.5) <= 50                     # 50 mm diameter
    body = np.where(small, 0.0, -1000.0)[None].repeat(3, 0).astype(np.float32)
    _, _, probs = prepare(body, 0.5, [1])
    assert probs[0].startswith("no phantom of 120..280 mm diameter")


def _head(a_mm: float, b_mm: float, skull_mm: float, seed: int = 0) -> np.ndarray:
    """A head-shaped phantom: a brain-like body (+35 HU) in an elliptical skull (+1200 HU)."""
    rng = np.random.default_rng(seed)
    n, px = 512, 0.5
    yy, xx = np.mgrid[:n, :n]
    e = lambda a, b: ((xx - 255.5) * px / a) ** 2 + ((yy - 255.5) * px / b) ** 2 <= 1  # noqa: E731
    img = np.where(e(a_mm, b_mm), 1200.0, -1000.0)
    if skull_mm:
        img[e(a_mm - skull_mm, b_mm - skull_mm)] = 35.0
    else:
        img[e(a_mm, b_mm)] = 35.0
    return (img[None] + rng.normal(0, 8, (3, n, n))).astype(np.float32)


def test_head_shaped_phantoms_are_not_judged():
    """A head phantom is not a QC cylinder: elliptical (190 x 150 mm, 180 x 160 mm, with or
    without a skull) or round with a dense skull-like shell -> "not applicable" with the
    reason; a CatPhan-sized cylinder with a plastic shell stays judgeable."""
    for a, b, skull, why in ((95, 75, 6, "the body is elliptical"),
                             (90, 80, 6, "the body is elliptical"),
                             (90, 80, 0, "the body is elliptical"),
                             (86, 86, 6, "a dense shell inside the body's edge")):
        _, _, probs = prepare(_head(a, b, skull), 0.5, [1])
        assert probs[0].startswith(why), (a, b, skull, probs[0])
    v, px = _sim(512, 250.0)
    _, _, probs = prepare(v, px, [1])
    assert probs[0] == ""


def test_series_normalisation_is_the_same_on_all_cores():
    """The slices of a series are measured in parallel: the result equals one at a time."""
    from app.ct.ai import normalise

    v, px = _sim(512, 250.0)
    vol = np.concatenate([v, v[::-1], v, v[::-1]])          # 12 slices -> the pool
    x, ctx, probs = normalise.prepare(vol, px, list(range(1, 11)))
    for k, i in enumerate(range(1, 11)):
        x1, c1, p1 = normalise.prepare(vol[i - 1:i + 2], px, [1])
        assert np.array_equal(x[k], x1[0]) and np.array_equal(ctx[k], c1[0]) and probs[k] == p1[0]


# --- series label and review reasons ------------------------------------------------------
def _slice(i: int, label: str, conf: float, flagged: bool | None = None) -> SliceVerdict:
    reasons = [] if label == "normal" else [f"AI class '{label}' ({conf:.2f})"]
    if label == NOT_APPLICABLE:
        reasons = ["AI not applicable: no phantom body in the slice"]
    if conf < 0.8 and label != NOT_APPLICABLE:
        reasons.append(f"low confidence ({conf:.2f} < 0.80)")
    return SliceVerdict(i, label, conf, {}, 0.1,
                        bool(reasons) and label != NOT_APPLICABLE if flagged is None else flagged,
                        tuple(reasons), "")


def _result(slices: list[SliceVerdict], na: str = "") -> AiResult:
    return AiResult("m", "2.0.0", "x", ("CPU",), tuple(slices), 1.0, 1.0,
                    not_applicable_reason=na)


def test_series_class_needs_support():
    clean = [_slice(i, "normal", 0.99) for i in range(20)]
    assert _result(clean).label == "normal" and not _result(clean).flagged
    lone_weak = clean[:10] + [_slice(10, "ring", 0.7)] + clean[11:]
    assert _result(lone_weak).label == "normal"            # one weak slice in 20: a note
    assert _result(lone_weak).slices[10].flagged
    # two weak slices of 20 are what a clean series shows at a 5 % weak rate (p = 0.26):
    # normal, the slices keep their flags (series_decision; was "uncertain")
    weak = clean[:10] + [_slice(10, "ring", 0.7), _slice(11, "streak", 0.6)] + clean[12:]
    assert _result(weak).label == "normal" and _result(weak).slices[11].flagged
    weaker = clean[:8] + [_slice(i, "normal", 0.6) for i in range(8, 14)] + clean[14:]
    assert _result(weaker).label == "uncertain" and _result(weaker).flagged    # p = 3e-4
    lone_sure = clean[:10] + [_slice(10, "band", 0.99)] + clean[11:]
    assert _result(lone_sure).label == "band"
    pair = clean[:10] + [_slice(10, "band", 0.85), _slice(11, "band", 0.9)] + clean[12:]
    assert _result(pair).label == "band"                   # two adjacent band slices
    apart = clean[:5] + [_slice(5, "band", 0.85)] + clean[6:15] + [_slice(15, "band", 0.9)]
    assert _result(apart).label == "normal"                # two lone, unsure band slices
    # a band on slices 18, 19 that lie between two modules (a hand-off judges module
    # slices only): the judged slices on either side (17, 20) both hold it in their input
    around = ([_slice(i, "normal", 0.99) for i in range(10, 17)] + [_slice(17, "band", 0.87)]
              + [_slice(20, "band", 0.92)] + [_slice(i, "normal", 0.99) for i in range(21, 30)])
    assert _result(around).label == "band"
    # ... but not when the slices between were judged and are normal, or are too far apart
    judged = around[:8] + [_slice(18, "normal", 0.99), _slice(19, "normal", 0.99)] + around[8:]
    assert _result(judged).label == "normal"
    far = around[:6] + [_slice(16, "band", 0.87)] + around[8:]       # 10..15, 16, 20, ...
    assert [v.slice_index for v in far][5:8] == [15, 16, 20]
    assert _result(far).label == "normal"                  # 16 and 20: no common band
    # a ring is a bad detector channel: on every slice, not on 3 of 20
    few = clean[:10] + [_slice(i, "ring", 0.97) for i in (10, 11, 12)] + clean[13:]
    assert _result(few).label == "normal" and _result(few).slices[10].flagged
    many = [_slice(i, "ring", 0.9) for i in range(6)] + clean[6:]
    assert _result(many).label == "ring"
    mixed = [_slice(i, "ring", 0.95) for i in range(6)] + [_slice(7 + i, "shift", 0.99)
                                                         for i in range(3)]
    assert _result(mixed).label == "ring"        # the class most slices share
    na = _result([_slice(i, NOT_APPLICABLE, 0.9) for i in range(4)],
                 na="no phantom body in the slice (4 of 4 slices)")
    assert na.label == NOT_APPLICABLE and not na.flagged and na.verdict == "NOT_APPLICABLE"


def _series(n: int, weak: dict[int, tuple[str, float]], rate: float | None = None):
    th = {} if rate is None else {"series_weak_rate": rate}
    return AiResult("m", "2.0.0", "x", ("CPU",),
                    tuple(_slice(i, *weak.get(i, ("normal", 0.99))) for i in range(n)),
                    1.0, 1.0, thresholds=th)


def test_series_decision_weighs_weak_slices_against_chance():
    """The demo's clean phantoms: 3 weak slices of 54 (2 low-confidence normals, a band at
    0.69) were "uncertain" under the former >= 5 % rule; at the card's weak rate of clean
    slices (2.0.0: 6.75 %) that is chance (p = 0.72): normal. 12 weak of 54 is not
    (p = 2e-4): uncertain. A class on 11 of 54 slices (20 %, below the 25 % persistence)
    was called normal; it is far more than chance: uncertain."""
    from app.ct.ai.series_decision import binomial_sf, decide, weak_rate_from_card

    demo = _series(54, {17: ("band", 0.69), 43: ("normal", 0.53), 51: ("normal", 0.71)},
                   rate=0.0675)
    label, ev = demo.decision()
    assert label == "normal" and not demo.flagged
    assert (ev.judged, ev.weak) == (54, 3) and ev.p_value == pytest.approx(0.72, abs=0.01)
    assert demo.slices[17].flagged                          # the slice keeps its flag
    d = demo.to_dict()
    assert d["label"] == "normal" and d["series_evidence"]["weak"] == 3
    assert "within chance" in ai_note(d, PASS) and flag_reasons(d, PASS) == []
    many = _series(54, {i: ("normal", 0.6) for i in range(5, 53, 4)}, rate=0.0675)
    assert many.label == "uncertain" and many.decision()[1].weak == 12
    assert flag_reasons(many.to_dict(), PASS) == ["low_confidence"]
    assert "12 of 54 slices weak" in ai_note(many.to_dict(), PASS)
    partial = _series(54, {i: ("ring", 0.97) for i in range(20, 31)}, rate=0.0675)
    assert partial.label == "uncertain"                     # was "normal"
    assert _series(54, {i: ("ring", 0.97) for i in range(20, 34)}, 0.0675).label == "ring"
    # the test scales with the series: 4 weak slices of 10 at 5 % are not chance
    assert _series(10, {i: ("normal", 0.6) for i in (1, 3, 5, 7)},
                   rate=0.05).label == "uncertain"
    # the binomial tail and the rate from the card's held-out figures
    assert binomial_sf(0, 5, 0.1) == 1.0 and binomial_sf(6, 5, 0.1) == 0.0
    assert binomial_sf(1, 5, 0.1) == pytest.approx(1 - 0.9 ** 5)
    card = {"thresholds": {"low_confidence": 0.8}, "metrics": {
        "calibration": {"bins": [{"bin": [0.5, 0.8], "n": 44}, {"bin": [0.8, 1.0], "n": 1245}]},
        "heldout": {"all": {"recall": {"normal": 0.9667}}}}}
    q, why = weak_rate_from_card(card)
    assert q == pytest.approx(44 / 1289 + 0.0333) and "held-out" in why
    assert weak_rate_from_card({"thresholds": {"series_weak_rate": 0.02}})[0] == 0.02
    assert weak_rate_from_card({})[0] == 0.05
    # not applicable stays not applicable; a supported class stays that class
    label, _ = decide([_slice(i, "shift", 0.99) for i in range(10)], weak_rate=0.0675)
    assert label == "shift"


PASS = {"verdict": "PASS", "artifacts": [], "measurements": []}
FAIL = {"verdict": "FAIL", "artifacts": [{"type": "ring", "verdict": "FAIL"}]}


def test_disagreement_in_proportion():
    uncertain = {"label": "uncertain", "slices": [
        {"label": "ring", "reasons": ["AI class 'ring' (0.70)", "low confidence (0.70 < 0.80)"]}]}
    r = flag_reasons(uncertain, PASS)
    assert "disagreement" not in r and r == ["low_confidence"]
    assert "not a disagreement" in ai_note(uncertain, PASS)
    assert "disagreement" in flag_reasons({"label": "ring", "slices": []}, PASS)
    assert "disagreement" in flag_reasons({"label": "normal", "slices": []}, FAIL)
    assert "disagreement" not in flag_reasons({"label": "ring", "slices": []}, FAIL)
    assert "disagreement" not in flag_reasons(uncertain, FAIL)
    warn = {"verdict": "WARN", "artifacts": [{"type": "ring", "verdict": "WARN"}]}
    assert flag_reasons({"label": "normal", "slices": []}, warn) == []
    assert "not a disagreement" in ai_note({"label": "normal"}, warn)
    na = {"label": NOT_APPLICABLE, "applicable": False,
          "not_applicable_reason": "no phantom body in the slice (5 of 5 slices)",
          "slices": [{"label": NOT_APPLICABLE, "reasons": ["AI not applicable: x"]}]}
    assert flag_reasons(na, PASS) == []
    assert flag_reasons(na, FAIL) == ["failed_limits"]
    assert ai_note(na, PASS).startswith("AI not applicable to this series (no phantom body")


# --- the trained classifier ---------------------------------------------------------------
@pytest.fixture(scope="module")
def checker():
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    return AiChecker.from_registry(ModelRegistry(REAL_DIR.parents[1]))


def _img_series(seed: int, **kw) -> tuple[np.ndarray, float]:
    from app.ct.image_renderer import RenderParams, render_volume

    p = RenderParams(matrix=kw.pop("matrix", 512), pixel_mm=kw.pop("pixel_mm", 0.5),
                     slice_thickness_mm=2.0, n_slices=8, z_start_mm=kw.pop("z", -74.0),
                     noise_sd_hu=kw.pop("noise", 12.0), seed=seed, **kw)
    vol, _ = render_volume(p)
    return vol, p.pixel_mm


@real_model
def test_real_classifier_on_the_independent_renderer(checker):
    """A clean image-domain CatPhan (another renderer's kernel, NPS and body values) is
    normal on >= 95 % of its slices and not flagged; a 25 HU ring is 'ring'."""
    from app.ct.image_renderer import RenderArtifact

    if not checker.uses_context:
        pytest.skip("the installed classifier predates the scanner-independent input")
    vol, px = _img_series(5, roll_deg=7.0, psf_sigma_mm=0.35)
    res = checker.classify(vol, pixel_mm=px)
    normal = sum(s.label == "normal" for s in res.slices) / len(res.slices)
    assert res.label == "normal" and not res.flagged and normal >= 0.95, \
        [(s.label, s.confidence) for s in res.slices]
    vol, px = _img_series(6, artifacts=(RenderArtifact("ring", 25.0, radius_mm=33.0,
                                                       width_mm=0.7),))
    assert checker.classify(vol, pixel_mm=px).label == "ring"


@real_model
def test_real_classifier_says_when_it_cannot_judge(checker):
    """A head-size water cylinder in a skull-like ring and an elliptical body are not
    phantom slices the AI knows: 'not applicable' with a reason, never a confident class."""
    if not checker.uses_context:
        pytest.skip("the installed classifier predates the scanner-independent input")
    rng = np.random.default_rng(1)
    n, px = 512, 0.5
    yy, xx = np.mgrid[:n, :n]
    r = np.hypot(xx - 255.5, yy - 255.5) * px
    ell = ((xx - 255.5) * px / 150) ** 2 + ((yy - 255.5) * px / 100) ** 2 <= 1
    for name, img in (("elliptical body", np.where(ell, 40.0, -1000.0)),
                      ("no phantom", np.full((n, n), -1000.0))):
        vol = np.stack([img + rng.normal(0, 10, img.shape) for _ in range(5)]).astype(np.float32)
        res = checker.classify(vol, pixel_mm=px)
        assert res.label == NOT_APPLICABLE and res.not_applicable_reason, name
        assert not res.flagged
    del r


def test_the_series_weak_rate_of_a_card_is_what_the_left_out_renderers_show():
    """The training writes ``thresholds.series_weak_rate`` from the leave-one-renderer-out
    runs: per left-out renderer, the share of its normal slices a series counts as weak
    (another class, or confidence below 0.8), averaged; the series test reads it."""
    import sys
    from pathlib import Path

    pytest.importorskip("torch")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))
    from app.ct.ai.series_decision import weak_rate_from_card
    from train_ct_phantom_classifier2 import normal_weak_rate, series_weak_rate

    p = np.array([[0.95, 0.05] + [0.0] * 5,      # normal, sure: not weak
                  [0.70, 0.30] + [0.0] * 5,      # normal, unsure: weak
                  [0.10, 0.90] + [0.0] * 5,      # called ring: weak
                  [0.05, 0.95] + [0.0] * 5])     # a ring sample: not counted
    y = np.array([0, 0, 0, 1])
    assert normal_weak_rate(p, y) == pytest.approx(2 / 3, abs=1e-4)
    loro = {"a": {"left_out": {"normal_weak_rate": 0.2}},
            "b": {"left_out": {"normal_weak_rate": 0.1}}}
    q = series_weak_rate(loro)
    assert q == pytest.approx(0.15)
    assert weak_rate_from_card({"thresholds": {"series_weak_rate": q}})[0] == pytest.approx(0.15)
    assert series_weak_rate({"a": {"left_out": {}}}) is None     # an older LORO run
