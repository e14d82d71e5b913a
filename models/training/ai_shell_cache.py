"""Shell steps (app/ct/ai/shell_step.py) of the stored 3-slice 1 mm grids of a data set,
cached beside it (``<set>.sh1.npz``: (n, 2) centre-minus-neighbour shell medians, HU).

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python models/training/ai_shell_cache.py \
        /tmp/ai16/data sim_train img_train ...
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from app.ct.ai.shell_step import shell_features, stack_shell_steps  # noqa: E402

sys.path.insert(0, str(ROOT / "models" / "training"))
from ai_evidence_cache import cached_per_sample  # noqa: E402

SH_VERSION = "1"


def shell_columns(steps_hu: np.ndarray) -> np.ndarray:
    """(n, 2) HU -> the (n, 2) context features."""
    return np.stack([shell_features(float(a), float(b)) for a, b in steps_hu]) \
        if len(steps_hu) else np.zeros((0, 2), np.float32)


def set_shell(data_dir: Path, name: str) -> np.ndarray:
    """(n, 2) shell steps in HU of a stored set (cached)."""
    return cached_per_sample(data_dir, name, f"sh{SH_VERSION}", "steps",
                             lambda i, x3: stack_shell_steps(np.asarray(x3, np.float32)),
                             2, np.float32)


if __name__ == "__main__":
    import time
    d = Path(sys.argv[1])
    for n in sys.argv[2:]:
        t = time.time()
        s = set_shell(d, n)
        print(n, s.shape, f"{time.time() - t:.0f} s", flush=True)
