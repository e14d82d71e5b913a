"""ONNX regression for the detector matching station's learned neighbour cost.

Loads ``models/detector_neighbour_cost/<version>/model.onnx`` only after its sha256
matches ``card.json`` (through :mod:`app.adapters.inference`): a mismatch or a missing
file raises ModelIntegrityError and the station falls back to the physics cost.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from app.adapters.inference import ModelRegistry, OnnxModel
from app.core.errors import ModelIntegrityError
from app.core.ports import AuditPort
from app.paths import models_dir

REGRESSION_NAME = "detector_neighbour_cost"


class NeighbourCostRegression:
    def __init__(self, onnx_model: OnnxModel) -> None:
        self.onnx_model = onnx_model
        card = onnx_model.card.data
        self.output_scale = float(card.get("output_scale", 1.0))
        self.n_features = int(card["inputs"][0]["shape"][1])
        self.source_id = f"{onnx_model.card.model_id} sha256 {onnx_model.sha256[:12]}"

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ModelIntegrityError(f"regression expects (n, {self.n_features}) "
                                      f"features, got {x.shape}")
        out = self.onnx_model.run(x)
        return np.asarray(next(iter(out.values()))).ravel() * self.output_scale


def load_neighbour_cost_regression(root: Path | None = None, *, audit: AuditPort | None = None,
                                   version: str | None = None) -> NeighbourCostRegression:
    registry = ModelRegistry(Path(root) if root else models_dir(), audit=audit,
                             providers=["CPUExecutionProvider"])
    return NeighbourCostRegression(registry.load(REGRESSION_NAME, version))
