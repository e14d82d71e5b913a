"""Ring / streak / cupping evidence on the AI's 1 mm grid (app/ct/ai/evidence.py, issue 16).

An analytic phantom (200 mm water disc, 8 inserts of -1000..+900 HU at 58 mm) at a 0.5 mm
pixel, white noise through a smooth (Gaussian) or an edge-enhancing (unsharp, overshoot)
kernel; artifacts of known amplitude added: the evidence must follow the artifact in
noise units on both kernels and stay at the clean level otherwise.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.ct.ai.evidence import EVIDENCE_NAMES
from app.ct.ai.normalise import (CONTEXT_NAMES, CONTEXT_NAMES_EVIDENCE, N_CONTEXT,
                                 N_CONTEXT_EVIDENCE, context_vector, prepare, slice_facts)

N, PX = 512, 0.5
KERNELS = ("smooth", "edge")
IDX = {n: i for i, n in enumerate(CONTEXT_NAMES_EVIDENCE)}
EVIDENCE_ONNX = Path(__file__).with_name("data") / "evidence_rule.onnx"   # make_tiny_classifier.py


def _phantom(kernel: str, seed: int, *, ring: float = 0.0, arc_deg: float = 360.0,
             streak: float = 0.0, cup: float = 0.0, noise: float = 10.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:N, :N]
    c = (N - 1) / 2
    r = np.hypot(xx - c, yy - c) * PX
    img = np.where(r <= 100, 0.0, -1000.0)
    for k, hu in enumerate((-1000, -200, -100, 120, 340, 900, -50, 50)):
        a = k * math.pi / 4
        img[np.hypot(xx - c - 116 * math.cos(a), yy - c - 116 * math.sin(a)) * PX <= 6] = hu
    img -= cup * (1 - (r / 100) ** 2) * (r <= 100)        # centre darker: cupping
    n = rng.normal(0, 1, (N, N)).astype(np.float32)
    img = img.astype(np.float32)
    if kernel == "smooth":
        img, n = (cv2.GaussianBlur(v, (0, 0), 0.6 / PX) for v in (img, n))
    else:   # edge-enhancing: unsharp mask with overshoot
        def k(v):
            b = cv2.GaussianBlur(v, (0, 0), 0.4 / PX)
            return b + 0.8 * (b - cv2.GaussianBlur(b, (0, 0), 1.2 / PX))
        img, n = k(img), k(n)
    img = img + n / n.std() * noise
    if ring:
        ang = (np.degrees(np.arctan2(yy - c, xx - c)) % 360.0) < arc_deg
        img += ring * np.exp(-0.5 * ((r - 40) / (1.5 / 2.355)) ** 2) * ang
    if streak:
        d = ((xx - c) * math.sin(0.5) - (yy - c) * math.cos(0.5)) * PX
        img += streak * np.exp(-0.5 * (d / (1.5 / 2.355)) ** 2) * (r <= 100)
    return img.astype(np.float32)


def _evidence(kernel: str, **kw) -> tuple[dict[str, float], float]:
    facts = [slice_facts(_phantom(kernel, seed, **kw), PX, evidence=True) for seed in range(3)]
    v = context_vector(facts, evidence=True)
    return {n: float(v[IDX[n]]) for n in EVIDENCE_NAMES}, facts[1].noise_grid


@pytest.fixture(scope="module")
def clean():
    return {k: _evidence(k)[0] for k in KERNELS}


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_clean_phantom_gives_no_evidence(clean, kernel):
    e = clean[kernel]
    # z-scores are stored / 5: a clean slice's strongest radius / line / direction
    # is the largest of many noise samples (3-4 SD), no more
    assert e["ring_z3"] < 0.8 and e["ring_full3"] < 0.8 and e["ring_amp"] < 0.4
    assert e["streak_z"] < 1.0 and e["streak_z3"] < 1.0
    assert e["streak_spec"] < 1.0 and e["streak_spec3"] < 1.0
    assert abs(e["cupping"]) < 0.2           # < 2 HU centre minus periphery


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("amp", [10.0, 20.0])
def test_a_ring_is_measured_in_noise_units_on_both_kernels(clean, kernel, amp):
    e, noise = _evidence(kernel, ring=amp)
    # the 1.5 mm ring keeps about half its peak in the 5 mm high-pass residual
    expected = amp / noise
    assert 0.3 * expected <= e["ring_amp"] <= 0.75 * expected, (e, noise)
    assert e["ring_cover"] >= 0.8                    # a full ring: every sector
    assert e["ring_z3"] > 1.6 * clean[kernel]["ring_z3"] + 0.15 * amp / 10
    assert e["ring_z3"] > e["ring_z"]                # the same radius on all three slices
    # the full circle's mean of the sector medians carries a full ring more strongly
    assert e["ring_full3"] > max(e["ring_z3"], 2 * clean[kernel]["ring_full3"])
    assert e["streak_spec"] < 1.0 and e["streak_z"] < 1.0


def test_an_arc_covers_part_of_the_sectors():
    e, _ = _evidence("smooth", ring=25.0, arc_deg=180.0)
    assert 0.3 <= e["ring_cover"] <= 0.75
    assert e["ring_z3"] > 1.5


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_streak_is_a_line_and_a_direction(clean, kernel):
    e, _ = _evidence(kernel, streak=30.0)
    assert e["streak_z3"] > 2.5 * clean[kernel]["streak_z3"]
    assert e["streak_zmin"] > 1.0                    # on all three slices, same sign
    assert e["streak_spec"] > 3 * clean[kernel]["streak_spec"]
    assert e["ring_z3"] < 0.8


@pytest.mark.parametrize("kernel", KERNELS)
def test_cupping_is_centre_minus_periphery_in_hu(kernel):
    e, _ = _evidence(kernel, cup=30.0)
    # analytic: -30 (1 - (r/100)^2): centre disc (r < 25 mm) ~ -29, 65..85 mm ~ -13
    assert -19.0 <= 10 * e["cupping"] <= -13.0


def test_the_old_layout_is_unchanged_and_the_new_one_extends_it():
    vol = np.stack([_phantom("smooth", s) for s in range(3)])
    x0, c0, p0 = prepare(vol, PX, [1])
    x1, c1, p1 = prepare(vol, PX, [1], evidence=True)
    assert c0.shape == (1, N_CONTEXT) and c1.shape == (1, N_CONTEXT_EVIDENCE)
    assert np.array_equal(x0, x1) and p0 == p1 == [""]
    assert np.array_equal(c0[0, :-1], c1[0, :N_CONTEXT - 1])     # the 2.0 features
    assert c0[0, -1] == c1[0, -1]                                # body median last
    assert CONTEXT_NAMES_EVIDENCE[:N_CONTEXT - 1] == CONTEXT_NAMES[:-1]


def test_a_card_whose_context_names_do_not_match_its_scheme_is_refused(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.core.errors import ModelIntegrityError
    from app.ct.ai.check import AiChecker, SCHEME_EVIDENCE
    from tests.image_review.conftest import REAL_DIR

    if not (REAL_DIR / "card.json").exists():
        pytest.skip("the trained classifier is not there")
    import json

    ok = AiChecker.from_registry(ModelRegistry(REAL_DIR.parents[1]))
    assert ok.uses_context and not ok.uses_evidence        # 2.0.0 runs unchanged
    d = tmp_path / "ct_phantom_classifier" / "9.9.9"
    d.mkdir(parents=True)
    shutil.copy(REAL_DIR / "model.onnx", d / "model.onnx")
    card = json.loads((REAL_DIR / "card.json").read_text())
    card["version"] = "9.9.9"
    card["preprocessing"]["scheme"] = SCHEME_EVIDENCE       # but the 54 names of 2.0
    (d / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelIntegrityError, match="context of 54 features"):
        AiChecker.from_registry(ModelRegistry(tmp_path))


# --- the evidence layout end to end: registry, AiChecker, the overlapped series run ------
def _evidence_model(models_dir):
    """A model of the grid1mm_context_evidence layout whose rule reads the evidence
    (tests/image_review/data/evidence_rule.onnx, built by make_tiny_classifier.py and
    committed: the runtime has onnxruntime, not onnx): logits = context @ W + b, 'ring'
    from ring_full3, 'streak' from streak_spec3, 'normal' otherwise (a stand-in whose
    answer the test can predict; the layout is the real one)."""
    import json

    from app.adapters.inference import file_sha256
    from app.ct.ai.check import SCHEME_EVIDENCE
    from app.ct.ai.preprocess import CLASSES
    d = models_dir / "ct_phantom_classifier" / "9.0.0"
    d.mkdir(parents=True)
    shutil.copy(EVIDENCE_ONNX, d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": "9.0.0", "file": "model.onnx",
            "sha256": file_sha256(d / "model.onnx"), "classes": CLASSES,
            "preprocessing": {"scheme": SCHEME_EVIDENCE},
            "inputs": [{"name": "image"}, {"name": "context",
                                           "names": list(CONTEXT_NAMES_EVIDENCE)}],
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.5}}
    (d / "card.json").write_text(json.dumps(card))


def test_a_model_of_the_evidence_layout_gets_the_evidence_through_the_series_run(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    _evidence_model(tmp_path)
    checker = AiChecker.from_registry(ModelRegistry(tmp_path))
    assert checker.uses_evidence
    clean = np.stack([_phantom("smooth", s) for s in range(5)])
    streak = np.stack([_phantom("edge", s, streak=40.0) for s in range(5)])
    ring = np.stack([_phantom("smooth", s, ring=25.0) for s in range(5)])
    labels = {}
    for name, vol in (("clean", clean), ("streak", streak), ("ring", ring)):
        res = checker.classify(vol, pixel_mm=PX)           # the overlapped series run
        labels[name] = {s.label for s in res.slices}
        # the plain path gives the same outputs
        idx, feeds, _, _ = checker.prepared(vol, None, PX)
        assert feeds["context"].shape == (len(idx), N_CONTEXT_EVIDENCE)
        out = checker.onnx.run(feeds)
        got = np.array([[s.scores[c] for c in s.scores] for s in res.slices])
        assert np.allclose(got, out["probabilities"], atol=1e-5)
    assert labels == {"clean": {"normal"}, "streak": {"streak"}, "ring": {"ring"}}
