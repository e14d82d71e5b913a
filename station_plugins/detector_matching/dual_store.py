"""The lower bound's prices per cost matrix, kept between runs (session 8).

The Lagrangian bound is valid for *any* prices mu >= 0, so where its ascent starts only
changes how fast it rises, never whether it is sound. Optimising the same costs again (the
same pool, detector model, cost model and locks: the key is a hash of the finite cost
arrays) continues from the best prices of the last run instead of the Gilmore-Lawler
duals: in one process from memory (session 5), and, once a folder is configured
(`pharos match run` uses ``<data folder>/cache/detector_matching/duals``), from a file
written by an earlier process. A missing, damaged or mismatched file is ignored (the
ascent then starts cold); prices are clipped to >= 0 and must be finite. At most
``KEEP`` files are kept (the oldest removed).
"""
from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

KEEP = 64
MEMORY: "OrderedDict[str, tuple[np.ndarray, float]]" = OrderedDict()
_state: dict = {"folder": None}


def folder_for(data_dir: str | Path) -> Path:
    return Path(data_dir) / "cache" / "detector_matching" / "duals"


def configure(folder: str | Path | None) -> None:
    """Keep the prices in ``folder`` too (None: in memory only)."""
    _state["folder"] = Path(folder) if folder is not None else None


def clear_memory() -> None:
    MEMORY.clear()


def _valid(mu: np.ndarray, theta: float, m: int) -> tuple[np.ndarray, float] | None:
    mu = np.asarray(mu, dtype=float)
    if mu.shape != (m,) or not np.isfinite(mu).all() or not np.isfinite(theta):
        return None
    return np.maximum(mu, 0.0), float(min(1.0, max(theta, 1e-3)))


def load(key: str, m: int) -> tuple[tuple[np.ndarray, float] | None, str]:
    """The last prices and step factor for these costs, and where they came from
    ("memory", "file"; "" when none)."""
    if key in MEMORY:
        got = _valid(*MEMORY[key], m)
        if got is not None:
            return got, "memory"
    folder = _state["folder"]
    if folder is None or len(key) != 40 or not key.isalnum():
        return None, ""
    try:
        with np.load(folder / f"{key}.npz", allow_pickle=False) as z:
            got = _valid(z["mu"], float(z["theta"]), m)
    except (OSError, ValueError, KeyError, EOFError):
        return None, ""                  # none yet, or damaged: a cold start
    return (got, "file") if got is not None else (None, "")


def save(key: str, state: tuple[np.ndarray, float]) -> None:
    """Remember the prices (memory: the last 4 cost matrices; folder: the last KEEP)."""
    mu, theta = np.asarray(state[0], dtype=float).copy(), float(state[1])
    MEMORY[key] = (mu, theta)
    MEMORY.move_to_end(key)
    while len(MEMORY) > 4:
        MEMORY.popitem(last=False)
    folder = _state["folder"]
    if folder is None:
        return
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, mu=mu, theta=np.float64(theta))
        os.replace(tmp, folder / f"{key}.npz")      # atomic: never a half-written file
        tmp = None
        files = sorted(folder.glob("*.npz"), key=lambda q: q.stat().st_mtime)
        for old in files[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass                              # a read-only folder: memory only
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
