"""AI judgement step: real ONNX models, budget, policies, integrity check."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import numpy as np
import pytest

from station_plugins.tunnel_test.adapters.inference import InferenceTimeout, OnnxTunnelClassifier
from app.core.errors import ModelIntegrityError
from app.core.measurement import Verdict
from app.paths import models_dir
from station_plugins.tunnel_test import ai_step
from station_plugins.tunnel_test.carm_sim import CArmSim, Defects
from station_plugins.tunnel_test.sequence_model import AiSpec

SPEC = AiSpec(onnx="tunnel_image", source="image", budget_s=2.0, min_confidence=0.8)


@pytest.fixture(scope="module")
def image_clf():
    return OnnxTunnelClassifier(models_dir() / "tunnel_image")


def test_image_model_judges_simulated_images(image_clf):
    ok = ai_step.judge(SPEC, {"image": CArmSim(seed=99).capture(80, 5, 20)}, image_clf,
                       engineering=Verdict.PASS)
    bad = ai_step.judge(SPEC, {"image": CArmSim(seed=98, defects=Defects(image_defect=True))
                               .capture(80, 5, 20)}, image_clf, engineering=Verdict.PASS)
    assert ok["verdict"] == "PASS" and ok["effective"] == "verdict" and not ok["disagrees"]
    assert bad["verdict"] == "FAIL" and bad["disagrees"] is True     # beside the limits
    for r in (ok, bad):
        assert r["model_sha256"] == image_clf.card.sha256 and len(r["input_digest"]) == 64
        assert r["latency_ms"] > 0 and r["confidence"] >= 0.8   # latency: benchmarks, not tests
    assert ai_step.step_verdict_with_ai(Verdict.PASS, bad) == (Verdict.FAIL, False)


def test_waveform_model_flags_bearing_fault():
    clf = OnnxTunnelClassifier(models_dir() / "tunnel_waveform")
    spec = AiSpec(onnx="tunnel_waveform", source="current")
    normal = ai_step.judge(spec, {"current": CArmSim(seed=5).motor_current("lift")}, clf,
                           engineering=Verdict.PASS)
    fault = ai_step.judge(spec, {"current": CArmSim(seed=6, defects=Defects(
        bearing_fault="lift")).motor_current("lift")}, clf, engineering=Verdict.PASS)
    assert (normal["verdict"], fault["verdict"]) == ("PASS", "FAIL")


@dataclass
class FakeCard:
    id: str = "fake"
    version: str = "0"
    sha256: str = "0" * 64
    classes: tuple = ("ok", "defect")
    preprocess: str = "image_blocks16"


class FakeClf:
    def __init__(self, probs=None, timeouts=0):
        self.card, self.probs, self.timeouts, self.calls = FakeCard(), probs, timeouts, 0

    def predict(self, x, *, budget_s, token=None):
        self.calls += 1
        if self.calls <= self.timeouts:
            raise InferenceTimeout("over budget")
        return np.asarray(self.probs), 1.0


def test_low_confidence_routes_to_review_and_never_upgrades():
    img = {"image": np.ones((128, 128))}
    r = ai_step.judge(SPEC, img, FakeClf([0.6, 0.4]), engineering=Verdict.PASS,
                      timeout_error=InferenceTimeout)
    assert r["effective"] == "review" and "confidence" in r["reason"]
    assert ai_step.step_verdict_with_ai(Verdict.PASS, r) == (Verdict.PASS, True)
    assert ai_step.step_verdict_with_ai(Verdict.FAIL, {"effective": "verdict",
                                                       "verdict": "PASS"})[0] is Verdict.FAIL


def test_timeout_policy_retry_then_review_or_fail():
    img = {"image": np.ones((128, 128))}
    clf = FakeClf([0.99, 0.01], timeouts=1)
    r = ai_step.judge(SPEC, img, clf, engineering=Verdict.PASS, timeout_error=InferenceTimeout)
    assert r["effective"] == "verdict" and clf.calls == 2 and r["tries"][0]["timeout"]
    always = FakeClf([0.99, 0.01], timeouts=10)
    r = ai_step.judge(SPEC, img, always, engineering=Verdict.PASS, timeout_error=InferenceTimeout)
    assert r["verdict"] == "ERROR" and r["effective"] == "review"
    fail_spec = AiSpec(onnx="x", source="image", on_timeout="fail")
    r = ai_step.judge(fail_spec, img, FakeClf([1, 0], timeouts=10), engineering=Verdict.PASS,
                      timeout_error=InferenceTimeout)
    assert ai_step.step_verdict_with_ai(Verdict.PASS, r)[0] is Verdict.FAIL


def test_real_budget_terminates_inference(image_clf):
    with pytest.raises(InferenceTimeout):
        image_clf.predict(np.zeros(256), budget_s=1e-7)


def test_tampered_model_is_refused(tmp_path):
    src = models_dir() / "tunnel_image"
    dst = tmp_path / "tunnel_image"
    shutil.copytree(src, dst)
    data = bytearray((dst / "tunnel_image.onnx").read_bytes())
    data[-10] ^= 0xFF
    (dst / "tunnel_image.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="does not match"):
        OnnxTunnelClassifier(dst)
    card = json.loads((src / "card.json").read_text())
    assert card["metrics_held_out"]["n"] > 100
