"""AI image check of CT phantom slices (Qt-free).

Classifies every slice (three adjacent slices as input) with the ONNX classifier from
the model registry, records per slice the class, scores, anomaly score, model id,
version and sha256, the sha256 of the exact input and the latency; flags slices that
are abnormal, low-confidence or anomalous; explains a flagged slice with occlusion
sensitivity (where hiding the image changes the abnormal score most).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from app.core.errors import InputRejected, ModelIntegrityError
from app.core.tasks import CancelToken, no_progress
from station_plugins.image_review.preprocess import CLASSES, INPUT_SIZE, resample

CLASSIFIER = "ct_phantom_classifier"


@dataclass(frozen=True)
class SliceVerdict:
    slice_index: int
    label: str
    confidence: float
    scores: dict[str, float]
    anomaly: float
    flagged: bool
    reasons: tuple[str, ...]
    input_sha256: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        return d


@dataclass(frozen=True)
class AiResult:
    """The AI verdict of one series: kept beside, never instead of, the physics verdict."""

    model_id: str
    model_version: str
    model_sha256: str
    providers: tuple[str, ...]
    slices: tuple[SliceVerdict, ...]
    latency_ms_per_slice: float
    total_ms: float
    thresholds: dict = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return any(s.flagged for s in self.slices)

    @property
    def label(self) -> str:
        """Series class: the most confident abnormal class among flagged slices."""
        abnormal = [s for s in self.slices if s.label != "normal"]
        if abnormal:
            return max(abnormal, key=lambda s: s.confidence).label
        if any(s.flagged for s in self.slices):
            return "uncertain"
        return "normal"

    @property
    def verdict(self) -> str:
        return "ABNORMAL" if self.label not in ("normal",) else "NORMAL"

    def worst_slice(self) -> SliceVerdict:
        flagged = [s for s in self.slices if s.flagged] or list(self.slices)
        return max(flagged, key=lambda s: (s.label != "normal", 1 - s.scores["normal"],
                                           s.anomaly))

    def to_dict(self) -> dict:
        return {"model_id": self.model_id, "model_version": self.model_version,
                "model_sha256": self.model_sha256, "providers": list(self.providers),
                "label": self.label, "verdict": self.verdict, "flagged": self.flagged,
                "latency_ms_per_slice": round(self.latency_ms_per_slice, 3),
                "total_ms": round(self.total_ms, 2), "thresholds": self.thresholds,
                "slices": [s.to_dict() for s in self.slices]}


def _digest(x: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()


class AiChecker:
    """Wraps a loaded classifier (an ``app.adapters.inference.OnnxModel``)."""

    def __init__(self, onnx_model: Any) -> None:
        self.onnx = onnx_model
        card = onnx_model.card.data
        if list(card.get("classes", [])) != list(CLASSES):
            raise ModelIntegrityError(f"Model {onnx_model.card.model_id} has classes "
                                      f"{card.get('classes')}, expected {list(CLASSES)}.")
        th = card.get("thresholds", {})
        self.anomaly_threshold = float(th.get("anomaly", 1.0))
        self.low_confidence = float(th.get("low_confidence", 0.8))

    @classmethod
    def from_registry(cls, registry: Any, name: str = CLASSIFIER) -> "AiChecker":
        return cls(registry.load(name))

    def inputs_for(self, volume_hu: np.ndarray, indices: list[int] | None = None
                   ) -> tuple[list[int], np.ndarray]:
        vol = np.asarray(volume_hu)
        if vol.ndim == 2:
            vol = vol[None]
        if vol.ndim != 3 or vol.shape[1] != vol.shape[2] or vol.shape[1] < 64:
            raise InputRejected(f"The AI check needs square CT slices of at least 64 x 64, "
                                f"got an array of shape {vol.shape}.")
        if not np.isfinite(vol).all():
            raise InputRejected("The image contains non-finite values (NaN or infinity).")
        lo, hi = float(vol.min()), float(vol.max())
        if lo < -3100 or hi > 32000 or hi - lo < 50:
            raise InputRejected(f"The image does not look like a CT image in HU (range "
                                f"{lo:.0f} .. {hi:.0f}).")
        if indices is None:
            # the input is a slice with both neighbours: the first and last slices of a
            # series have only one (they are judged only in a series of one or two)
            nz = vol.shape[0]
            idx = list(range(1, nz - 1)) if nz >= 3 else list(range(nz))
        else:
            idx = list(indices)
        # resample each needed slice once (a slice is the neighbour of two others)
        nz = vol.shape[0]
        needed = sorted({min(max(j, 0), nz - 1) for i in idx for j in (i - 1, i, i + 1)})
        small = {j: resample(vol[j]) for j in needed}
        return idx, np.stack([np.stack([small[min(max(j, 0), nz - 1)] for j in (i - 1, i, i + 1)])
                              for i in idx]).astype(np.float32)

    def classify(self, volume_hu: np.ndarray, indices: list[int] | None = None, *,
                 batch_size: int = 16, token: CancelToken | None = None,
                 progress: Callable[[float, str], None] = no_progress) -> AiResult:
        t0 = time.perf_counter()
        idx, x = self.inputs_for(volume_hu, indices)
        t1 = time.perf_counter()
        out = self.onnx.run_batched(x, batch_size=batch_size, token=token, progress=progress)
        t2 = time.perf_counter()
        probs, anomaly = out["probabilities"], out["anomaly"]
        verdicts = []
        for k, i in enumerate(idx):
            p = probs[k]
            label = CLASSES[int(np.argmax(p))]
            conf = float(np.max(p))
            reasons = []
            if label != "normal":
                reasons.append(f"AI class '{label}' ({conf:.2f})")
            if conf < self.low_confidence:
                reasons.append(f"low confidence ({conf:.2f} < {self.low_confidence:.2f})")
            if float(anomaly[k]) > self.anomaly_threshold:
                reasons.append(f"anomaly score {float(anomaly[k]):.2f} fits no class")
            verdicts.append(SliceVerdict(
                slice_index=int(i), label=label, confidence=round(conf, 5),
                scores={c: round(float(v), 5) for c, v in zip(CLASSES, p)},
                anomaly=round(float(anomaly[k]), 4), flagged=bool(reasons),
                reasons=tuple(reasons), input_sha256=_digest(x[k])))
        card = self.onnx.card
        return AiResult(model_id=card.name, model_version=card.version,
                        model_sha256=card.sha256, providers=tuple(self.onnx.providers),
                        slices=tuple(verdicts),
                        latency_ms_per_slice=(t2 - t1) * 1000 / max(len(idx), 1),
                        total_ms=(t2 - t0) * 1000,
                        thresholds={"anomaly": self.anomaly_threshold,
                                    "low_confidence": self.low_confidence})

    def explain(self, volume_hu: np.ndarray, index: int, *, grid: int = 8,
                token: CancelToken | None = None) -> np.ndarray:
        """Occlusion sensitivity (grid x grid patches) -> heatmap 0..1 at 256 x 256.

        Each patch is replaced by the local median (a neutral fill); the heat is how
        much the 'normal' probability rises (or the anomaly falls) when it is hidden:
        the places that make the image look abnormal.
        """
        _, x = self.inputs_for(volume_hu, [index])
        base = self.onnx.run(x, token)
        p0, a0 = float(base["probabilities"][0][0]), float(base["anomaly"][0])
        step = INPUT_SIZE // grid
        batch = np.repeat(x, grid * grid, axis=0)
        fill = np.median(x[0], axis=(1, 2))
        for gy in range(grid):
            for gx in range(grid):
                k = gy * grid + gx
                batch[k, :, gy * step:(gy + 1) * step, gx * step:(gx + 1) * step] = \
                    fill[:, None, None]
        out = self.onnx.run_batched(batch, batch_size=16, token=token)
        gain = (out["probabilities"][:, 0] - p0) + 0.25 * np.maximum(a0 - out["anomaly"], 0)
        heat = np.clip(gain, 0, None).reshape(grid, grid)
        if heat.max() > 0:
            heat = heat / heat.max()
        import cv2

        return cv2.resize(heat.astype(np.float32), (INPUT_SIZE, INPUT_SIZE),
                          interpolation=cv2.INTER_CUBIC).clip(0, 1)
