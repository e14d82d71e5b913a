"""The learned neighbour cost: module-pair edge indicators -> ring amplitude (ONNX).

Features of the pair (i left of j), all from *measured* indicators normalised as in
:mod:`costs`: i's right-edge values, j's left-edge values and their difference, per
residual kind and row zone (3 x 5 x 4 = 60 float32). The ONNX regression predicts the
simulated boundary ring amplitude (ring_sim.pair_labels), rescaled to physics-cost
units (card: ``output_scale``). Loading and the sha256 check belong to the adapter
(station_plugins/detector_matching/adapters/cost_onnx.py); this module only needs a ``predict``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from station_plugins.detector_matching.costs import edge_features

FEATURES = 60
LEARNED_NAME = "detector_neighbour_cost"


def pair_features(values: np.ndarray, left_idx: np.ndarray, right_idx: np.ndarray
                  ) -> np.ndarray:
    feat = edge_features(values)
    r = feat.right[left_idx].reshape(len(left_idx), -1)
    lft = feat.left[right_idx].reshape(len(right_idx), -1)
    return np.concatenate([r, lft, r - lft], axis=1).astype(np.float32)


class LearnedNeighbourCost:
    """Neighbour-cost provider for the workflow, backed by a verified regression."""

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray], source_id: str,
                 batch: int = 262_144) -> None:
        self._predict = predict
        self.source_id = source_id
        self.batch = batch

    def neighbour_cost(self, values: np.ndarray) -> np.ndarray:
        """All m x m pairs; the features of a block of left modules are written by
        broadcasting into one float32 buffer (the same numbers as :func:`pair_features`,
        about 4x faster than gathering them pair by pair: this runs inside the user's
        time limit)."""
        m = values.shape[0]
        out = np.empty((m, m))
        feat = edge_features(values)
        R = feat.right.reshape(m, -1)
        Lf = feat.left.reshape(m, -1)
        k = R.shape[1]
        rows = max(1, self.batch // max(m, 1))
        buf = np.empty((rows, m, 3 * k), dtype=np.float32)
        for i0 in range(0, m, rows):
            i1 = min(m, i0 + rows)
            x = buf[:i1 - i0]
            x[:, :, :k] = R[i0:i1, None, :]
            x[:, :, k:2 * k] = Lf[None, :, :]
            x[:, :, 2 * k:] = R[i0:i1, None, :] - Lf[None, :, :]
            pred = self._predict(x.reshape(-1, 3 * k))
            out[i0:i1] = np.asarray(pred, dtype=float).reshape(i1 - i0, m)
        d = np.maximum(out, 1e-6)
        np.fill_diagonal(d, np.inf)
        return d


def load_learned_cost() -> tuple[LearnedNeighbourCost | None, str]:
    """Composition helper for the CLI and the station: (provider, '') or (None, why)."""
    from app.core.errors import PharosError
    try:
        from station_plugins.detector_matching.adapters.cost_onnx import load_neighbour_cost_regression
        reg = load_neighbour_cost_regression()
    except PharosError as exc:
        return None, exc.message
    except ImportError as exc:                       # onnxruntime missing
        return None, f"ONNX runtime unavailable ({exc})"
    return LearnedNeighbourCost(reg.predict, reg.source_id), ""
