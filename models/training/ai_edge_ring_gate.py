"""The edge-ring rule (app/ct/ai/edge_ring.py) on stored 3-slice training stacks: which
samples it calls ring, cached per set (``{set}.er1.npz``, the rule's version in the name),
and its effect on stored probabilities (``loro_error_analysis.py --edge-ring``): a sample
the rule calls ring has its "normal" probability moved to "ring", as at inference."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from app.ct.ai import edge_ring as er
from app.ct.ai.normalise import grid_rotation_centre

CACHE = "er1"


def _scanner(f: dict) -> tuple[int, float]:
    sc = f.get("scanner") or (f.get("params") or {})
    return int(sc["matrix"]), float(sc["pixel_mm"])


def set_rings(data_dir: Path, name: str) -> np.ndarray:
    """(N,) bool: the rule's ring per stored sample of set ``name`` (cached)."""
    cache = data_dir / f"{name}.{CACHE}.npz"
    if cache.exists():
        with np.load(cache) as z:
            return z["ring"]
    x = np.load(data_dir / f"{name}.x.npy", mmap_mode="r")
    with np.load(data_dir / f"{name}.npz") as m:
        ctx = m["ctx"]
    facts = json.loads((data_dir / f"{name}.facts.json").read_text())
    ring = np.zeros(len(ctx), bool)
    for i in range(len(ctx)):
        mtx, px = _scanner(facts[i])
        rc = grid_rotation_centre(mtx, px)
        sd = 10.0 * math.exp(float(ctx[i, 0]))
        packs = np.stack([er.slice_profiles(np.asarray(x[i, k], np.float32), rc, sd,
                                              mtx * px / 2.0)
                          for k in range(3)])
        res = er.series_ring(packs, packs[:, er.NOISE])
        ring[i] = bool(res is not None and res.ring)
    np.savez(cache, ring=ring)
    return ring


def apply_numpy(probs: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Stored probabilities with the rule: normal's mass to ring where it holds."""
    out = np.array(probs, np.float64, copy=True)
    out[ring, 1] += out[ring, 0]
    out[ring, 0] = 0.0
    return out
