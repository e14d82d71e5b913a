"""The learned neighbour cost: module-pair edge indicators -> ring amplitude (ONNX).

Features of the pair (i left of j), all from *measured* indicators normalised as in
:mod:`costs`: i's right-edge values, j's left-edge values and their difference, per
residual kind and row zone (3 x 5 x 4 = 60 float32). The ONNX regression predicts the
simulated boundary ring amplitude (ring_sim.pair_labels), rescaled to physics-cost
units (card: ``output_scale``). Loading and the sha256 check belong to the adapter
(station_plugins/detector_matching/adapters/cost_onnx.py); this module only needs a ``predict``.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
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

    cache_size = 4          # pools whose matrices are kept (440 modules: 1.5 MB each)

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray], source_id: str,
                 batch: int = 262_144) -> None:
        self._predict = predict
        self.source_id = source_id
        self.batch = batch
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()        # one computation at a time, others wait
        self.computed = 0                    # matrices computed (not served from cache)

    @staticmethod
    def _key(values: np.ndarray) -> str:
        v = np.ascontiguousarray(values)
        return hashlib.sha256(v.tobytes() + str((v.shape, v.dtype.str)).encode()).hexdigest()

    def neighbour_cost(self, values: np.ndarray) -> np.ndarray:
        """All m x m pairs (read-only). The matrix of a pool is kept (by the content of
        ``values``): the 194 k predictions of a 440-module pool take ~0.3 s of CPU, and
        the CLI computes them before the optimiser's clock, the station when a pool is
        accepted (:meth:`prefetch`), so an optimisation finds them ready. A second caller
        for the same pool waits for the first instead of computing them again."""
        key = self._key(values)
        with self._lock:
            hit = self._cache.get(key)
            if hit is None:
                hit = self._compute(values)
                hit.flags.writeable = False
                self._cache[key] = hit
                self.computed += 1
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return hit

    def prefetch(self, values: np.ndarray) -> threading.Thread:
        """Compute a pool's matrix on a daemon thread now (ONNX and numpy release the
        GIL for most of it); :meth:`neighbour_cost` then returns it at once, or waits for
        this computation to end."""
        values = np.array(values, copy=True)

        def work() -> None:
            try:
                self.neighbour_cost(values)
            except Exception:  # noqa: BLE001 - the optimisation computes (and reports) it
                import logging
                logging.getLogger(__name__).warning("learned cost prefetch failed",
                                                    exc_info=True)
        t = threading.Thread(target=work, name="dm-learned-prefetch", daemon=True)
        t.start()
        return t

    def _compute(self, values: np.ndarray) -> np.ndarray:
        """The features of a block of left modules are written by broadcasting into one
        float32 buffer (the same numbers as :func:`pair_features`, about 4x faster than
        gathering them pair by pair)."""
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
