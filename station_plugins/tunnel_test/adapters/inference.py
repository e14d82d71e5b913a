"""ONNX classifiers for the tunnel's AI judgement steps (onnxruntime, CPU provider).

A model folder holds ``<name>.onnx`` + ``card.json``; the file is loaded only when its
sha256 matches the card. Each inference runs under a hard budget: a timer sets
``RunOptions.terminate`` when the budget (or a cancel) expires, so a slow run is cut off
and reported as a timeout, never as a verdict.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import ModelIntegrityError
from app.core.ids import sha256_hex


class InferenceTimeout(Exception):
    """The inference did not finish inside its budget (or was cancelled)."""


@dataclass(frozen=True)
class OnnxCard:
    id: str
    version: str
    sha256: str
    file: str
    classes: tuple[str, ...]
    input_name: str
    input_size: int
    preprocess: str
    raw: dict


class OnnxTunnelClassifier:
    def __init__(self, folder: str | Path) -> None:
        import onnxruntime as ort

        folder = Path(folder)
        try:
            card_raw = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelIntegrityError(f"Model card {folder / 'card.json'} cannot be read: "
                                      f"{exc}.") from exc
        self.card = OnnxCard(id=card_raw["id"], version=card_raw["version"],
                             sha256=card_raw["sha256"], file=card_raw["file"],
                             classes=tuple(card_raw["classes"]),
                             input_name=card_raw["input"]["name"],
                             input_size=int(card_raw["input"]["size"]),
                             preprocess=card_raw["input"]["preprocess"], raw=card_raw)
        path = folder / self.card.file
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelIntegrityError(f"ONNX file {path} cannot be read: {exc}.") from exc
        digest = sha256_hex(data)
        if digest != self.card.sha256:
            raise ModelIntegrityError(
                f"ONNX file {path.name} does not match its card (sha256 {digest[:12]}... "
                f"vs {self.card.sha256[:12]}...); it was not loaded.")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self._ort = ort
        self._session = ort.InferenceSession(data, sess_options=opts,
                                             providers=["CPUExecutionProvider"])
        self._output_names = [o.name for o in self._session.get_outputs()]

    def predict(self, features: np.ndarray, *, budget_s: float, token: Any = None
                ) -> tuple[np.ndarray, float]:
        """Class probabilities for one row of features, and latency in ms."""
        x = np.asarray(features, dtype=np.float32).reshape(1, -1)
        if x.shape[1] != self.card.input_size:
            raise ValueError(f"expected {self.card.input_size} features, got {x.shape[1]}")
        run_opts = self._ort.RunOptions()
        timer = threading.Timer(budget_s, lambda: setattr(run_opts, "terminate", True))
        timer.daemon = True
        if token is not None:
            token.on_cancel(lambda: setattr(run_opts, "terminate", True))
        t0 = time.perf_counter()
        timer.start()
        try:
            outs = self._session.run(self._output_names, {self.card.input_name: x}, run_opts)
        except Exception as exc:  # noqa: BLE001 - terminate surfaces as a runtime error
            if run_opts.terminate:
                raise InferenceTimeout(f"inference exceeded {budget_s:.2f} s") from exc
            raise
        finally:
            timer.cancel()
        latency_ms = (time.perf_counter() - t0) * 1e3
        if latency_ms > budget_s * 1e3:
            raise InferenceTimeout(f"inference took {latency_ms:.0f} ms > budget")
        return _probabilities(outs, len(self.card.classes)), latency_ms


def _probabilities(outs: list, n_classes: int) -> np.ndarray:
    for o in outs:   # skl2onnx: [label, probabilities]; a plain MLP: [probabilities]
        if isinstance(o, list) and o and isinstance(o[0], dict):
            return np.array([o[0][k] for k in sorted(o[0])], dtype=float)
        arr = np.asarray(o)
        if arr.dtype.kind == "f" and arr.size == n_classes:
            return arr.reshape(-1).astype(float)
    raise ValueError("the ONNX graph has no probability output")
