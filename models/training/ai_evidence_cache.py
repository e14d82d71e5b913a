"""Evidence features (app/ct/ai/evidence.py) of the stored 3-slice 1 mm grids of a data
set made by ct_phantom_dataset2.py, cached beside it (``<set>.ev<version>.npz``).

The grids are what ``normalise.slice_facts`` produced; the phantom centre, radius and the
grid's noise SD are re-measured on them exactly as slice_facts measures them on the grid,
and the rotation centre on the grid follows from the native matrix and pixel size in the
set's facts (``normalise.grid_rotation_centre``, as slice_facts has it), so the features
equal what the station computes (up to the float16 storage).

Versions: ev1-ev3 the 2.3 candidate's (sector medians), ev4 the matched-filter ring
(app/ct/ai/ring_evidence.py) with the rotation centre to the half pixel, ev5 the same with
the masks' ring bands kept in the ring search (``CONCENTRIC``: ring layout 2,
app/ct/ai/evidence.py ring_bands; ``train_ct_phantom_classifier2.py --ring-concentric``).

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python models/training/ai_evidence_cache.py \
        /tmp/ai16/data sim_train img_train ...
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from app.ct.ai.evidence import EVIDENCE_NAMES, slice_evidence, stack_evidence  # noqa: E402
from app.ct.ai.normalise import (GRID_MM, grid_rotation_centre, phantom_mask,  # noqa: E402
                                 robust_noise_disc)
from app.ct.ai.ring_evidence import GRID_C  # noqa: E402

EV_VERSION = "4"
CONCENTRIC = 0         # ring layout 2 / 3: 1 / 2 (the training's --ring-concentric /
#                        --ring-polar): ev5 / ev6


def ev_version() -> str:
    """The cache version of the evidence measured now (ev4; ev5 / ev6 in ring layout 2 / 3)."""
    return {0: EV_VERSION, 1: "5", 2: "6"}[int(CONCENTRIC)]


def grid_evidence_args(g: np.ndarray) -> tuple | None:
    """slice_evidence's arguments for one grid slice (slice_facts' own grid measurements):
    (grid, centre, radius_mm, noise, body level); None without a phantom."""
    g = np.asarray(g, np.float32)
    body = phantom_mask(g)
    if body.sum() < 100:
        return None
    ys, xs = np.nonzero(body)
    cx, cy = float(xs.mean()), float(ys.mean())
    r_mm = math.sqrt(float(body.sum()) / math.pi) * GRID_MM
    r_in = 0.8 * r_mm / GRID_MM
    noise = robust_noise_disc(g, cx, cy, r_in, 5)
    yy, xx = np.ogrid[:g.shape[0], :g.shape[1]]
    inner = ((xx - cx) ** 2 + (yy - cy) ** 2 <= r_in * r_in) & body
    return g, (cx, cy), r_mm, noise, float(np.median(g[inner]))


def grid_evidence(g: np.ndarray, rot_centre: float = GRID_C):
    """slice_evidence of one grid slice, with slice_facts' own grid measurements."""
    args = grid_evidence_args(g)
    return None if args is None else slice_evidence(*args, rot_centre, concentric=CONCENTRIC)


def stack_features(x3: np.ndarray, rot_centre: float = GRID_C) -> np.ndarray:
    return stack_evidence([grid_evidence(x3[k], rot_centre) for k in range(3)])


def rotation_centres(data_dir: Path, name: str) -> np.ndarray:
    """The rotation centre on the grid of every sample of a set (from its facts: the
    native matrix and pixel size the renderer drew it on)."""
    facts = json.loads((data_dir / f"{name}.facts.json").read_text())
    return np.array([grid_rotation_centre(int(f["scanner"]["matrix"]),
                                          float(f["scanner"]["pixel_mm"])) for f in facts])


def cached_per_sample(data_dir: Path, name: str, tag: str, key: str,
                      per_sample: Callable[[int, np.ndarray], Any], width: int,
                      dtype: Any = None) -> np.ndarray:
    """One row per stored sample of a set (``per_sample(i, grids)``), cached beside it in
    ``<set>.<tag>.npz`` under ``key`` (the evidence and the shell-step caches)."""
    cache = data_dir / f"{name}.{tag}.npz"
    if cache.exists():
        with np.load(cache) as z:
            return z[key]
    x = np.load(data_dir / f"{name}.x.npy", mmap_mode="r")
    out = np.asarray([per_sample(i, x[i]) for i in range(len(x))], dtype) if len(x) \
        else np.zeros((0, width), dtype or np.float32)
    np.savez(cache, **{key: out})
    return out


def set_evidence(data_dir: Path, name: str) -> np.ndarray:
    """The set's evidence rows, from its cache when there is one (the set's facts - the
    rotation centres - are read only to measure)."""
    rc: list[np.ndarray] = []

    def one(i: int, x3: np.ndarray) -> np.ndarray:
        if not rc:
            rc.append(rotation_centres(data_dir, name))
        return stack_features(np.asarray(x3), float(rc[0][i]))

    return cached_per_sample(data_dir, name, f"ev{ev_version()}", "ev", one,
                             len(EVIDENCE_NAMES))


if __name__ == "__main__":
    import time
    d = Path(sys.argv[1])
    for n in sys.argv[2:]:
        t = time.time()
        e = set_evidence(d, n)
        print(n, e.shape, f"{time.time() - t:.0f} s", flush=True)
