"""AI judgement step: an ONNX classifier on a step's image or waveform.

Hard budget per inference (2 s at most; the target is well under 100 ms). The verdict is
kept beside the engineering limits (``disagrees`` shows when they differ). Timeouts and
low confidence apply the step's policy: ``retry`` (run again, then review), ``review``
(route to a reviewer: the run cannot be released until a person signs), ``fail``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from app.core.ids import sha256_hex
from app.core.measurement import Verdict
from station_plugins.tunnel_test.sequence_model import AiSpec

IMAGE_GRID = 16
WAVE_BINS = 32


class Classifier(Protocol):
    card: Any

    def predict(self, features: np.ndarray, *, budget_s: float, token: Any = None
                ) -> tuple[np.ndarray, float]: ...


def image_features(img: np.ndarray, grid: int = IMAGE_GRID) -> np.ndarray:
    """Block means normalised by the median: 16x16 = 256 features (flat-field shape)."""
    a = np.asarray(img, dtype=np.float64)
    h, w = (a.shape[0] // grid) * grid, (a.shape[1] // grid) * grid
    blocks = a[:h, :w].reshape(grid, h // grid, grid, w // grid).mean(axis=(1, 3))
    return (blocks / max(float(np.median(blocks)), 1e-9) - 1.0).reshape(-1).astype(np.float32)


def waveform_features(wave: np.ndarray, bins: int = WAVE_BINS) -> np.ndarray:
    """Residual spectrum (32 bins) + residual statistics of a motor-current waveform."""
    w = np.asarray(wave, dtype=np.float64)
    kernel = np.ones(9) / 9.0
    smooth = np.convolve(w, kernel, mode="same")
    resid = (w - smooth)[8:-8]
    spec = np.abs(np.fft.rfft(resid))[1:bins + 1]
    if spec.size < bins:
        spec = np.pad(spec, (0, bins - spec.size))
    stats = [resid.std(), np.abs(resid).max(), float(np.mean(np.abs(np.diff(resid))))]
    return np.concatenate([spec / max(len(resid), 1) * 10, stats]).astype(np.float32)


PREPROCESS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "image_blocks16": image_features, "waveform_residual32": waveform_features}


def input_digest(arr: np.ndarray) -> str:
    a = np.ascontiguousarray(arr)
    return sha256_hex(f"{a.dtype.str}{a.shape}".encode() + a.tobytes())


def judge(spec: AiSpec, outputs: dict, classifier: Classifier | None, *,
          engineering: Verdict, token: Any = None,
          timeout_error: type[BaseException] = TimeoutError) -> dict:
    """Run the classifier under the policy; returns the journal's ai_verdict body."""
    body: dict[str, Any] = {"policy": {"min_confidence": spec.min_confidence,
                                       "on_timeout": spec.on_timeout,
                                       "on_low_confidence": spec.on_low_confidence,
                                       "budget_s": spec.budget_s},
                            "engineering_verdict": engineering.value, "tries": []}
    if classifier is None:
        return {**body, "verdict": Verdict.ERROR.value, "route": "review",
                "reason": f"model '{spec.onnx}' not available", "effective": "review"}
    card = classifier.card
    body.update(model_id=card.id, model_version=card.version, model_sha256=card.sha256)
    if spec.source not in outputs:
        return {**body, "verdict": Verdict.ERROR.value, "effective": "fail",
                "reason": f"output '{spec.source}' missing"}
    arr = np.asarray(outputs[spec.source])
    body["input_digest"] = input_digest(arr)
    feats = PREPROCESS[card.preprocess](arr)
    attempts = 1 + (spec.retries if spec.on_timeout == "retry" else 0)
    for n in range(1, attempts + 1):
        try:
            probs, latency = classifier.predict(feats, budget_s=spec.budget_s, token=token)
        except timeout_error as exc:
            body["tries"].append({"n": n, "timeout": True, "reason": str(exc)})
            continue
        idx = int(np.argmax(probs))
        label, conf = card.classes[idx], float(probs[idx])
        ai_verdict = Verdict.PASS if label in ("ok", "normal", "pass") else Verdict.FAIL
        body["tries"].append({"n": n, "latency_ms": round(latency, 3)})
        body.update(label=label, confidence=round(conf, 4), latency_ms=round(latency, 3),
                    verdict=ai_verdict.value,
                    disagrees=(ai_verdict is Verdict.FAIL) != (engineering in (Verdict.FAIL,)))
        if conf < spec.min_confidence:
            action = "review" if spec.on_low_confidence == "retry" else spec.on_low_confidence
            return {**body, "reason": f"confidence {conf:.2f} < {spec.min_confidence:.2f}",
                    "effective": action}
        return {**body, "effective": "verdict"}
    final = "review" if spec.on_timeout == "retry" else spec.on_timeout
    return {**body, "verdict": Verdict.ERROR.value, "effective": final,
            "reason": f"no answer within {spec.budget_s} s"}


def step_verdict_with_ai(engineering: Verdict, ai: dict) -> tuple[Verdict, bool]:
    """Combine: (step verdict, needs review). The AI never turns an engineering FAIL or
    ERROR into a PASS; a confident AI FAIL fails the step; 'review' holds the release."""
    eff = ai.get("effective")
    if eff == "verdict":
        v = Verdict(ai["verdict"])
        return Verdict.worst([engineering, v]), False
    if eff == "fail":
        return Verdict.worst([engineering, Verdict.FAIL]), False
    return engineering, True


class ClassifierCache:
    """Loads each model folder once per process (through the given factory)."""

    def __init__(self, models_root: Path, factory: Callable[[Path], Classifier]) -> None:
        self.root, self.factory = Path(models_root), factory
        self._cache: dict[str, Classifier | None] = {}
        self.errors: dict[str, str] = {}

    def get(self, name: str) -> Classifier | None:
        if name not in self._cache:
            try:
                self._cache[name] = self.factory(self.root / name)
            except Exception as exc:  # noqa: BLE001 - recorded; the step routes to review
                self._cache[name] = None
                self.errors[name] = f"{type(exc).__name__}: {exc}"
        return self._cache[name]
