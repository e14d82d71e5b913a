"""The runtime ring gate's own measure of stored training stacks (issue 16), cached beside
the set (``<set>.rg2.npz``): per sample the ring statistic's full-circle and best
180-degree z (``app.ct.ai.evidence.stack_ring_gate_z`` of the three slices, local objects
left out, a radius only where its sectors read one ring or arc - exactly what
``app.ct.ai.ring_gate`` measures on a slice the network calls "ring").

Why: a ring-class sample is drawn down to the physics' *ideal* detection floor
(ct_phantom_dataset2._ring_floor: z 6 / 7 from the amplitude, the noise and an assumed
correlation length). On the network's 1 mm grid, with the phantom's structure left out, a
part of those stacks measures below the ring gate's levels (z 5 full / 6 arc): whatever the
network says, the station counts such a stack "normal" (the gate). Trained on them as
"ring", the network learns to guess "ring" on stacks that look normal.
``train_ct_phantom_classifier2.py --ring-measured-only`` leaves them out of the training
(never out of a test set).

    PYTHONPATH=$PWD .venv/bin/python models/training/ai_ring_measure.py DATA_DIR SET ...
"""
from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))
from app.ct.ai.evidence import slice_ring, stack_ring_gate_z  # noqa: E402
from app.ct.ai.ring_gate import ARC_Z_MIN, EVIDENCE_SCALE, FULL_Z_MIN  # noqa: E402

RG_VERSION = "2"   # 1: before the one-arc test (2.9.0 was trained on rg1)
CONCENTRIC = 0      # ring layout 2 / 3: 1 / 2 (--ring-concentric / --ring-polar): rg3 / rg4


def rg_version() -> str:
    """The cache version of the gate's measure now (rg2; rg3 / rg4 in ring layout 2 / 3)."""
    return {0: RG_VERSION, 1: "3", 2: "4"}[int(CONCENTRIC)]


def stack_ring_measure(x3: np.ndarray, rot_centre: float) -> np.ndarray:
    """(full z, arc z) of one stored 3-slice stack, as the ring gate measures it."""
    from ai_evidence_cache import grid_evidence_args

    rings = []
    for k in range(3):
        args = grid_evidence_args(x3[k])
        rings.append(None if args is None else
                     slice_ring(*args, rot_centre=float(rot_centre), local=True,
                                concentric=CONCENTRIC))
    return np.array(stack_ring_gate_z(rings, FULL_Z_MIN, ARC_Z_MIN),
                    np.float32) * np.float32(EVIDENCE_SCALE)


def set_ring_measure(data_dir: Path, name: str) -> np.ndarray:
    """(N, 2) full / arc z of every sample of a stored set (cached)."""
    from ai_evidence_cache import cached_per_sample, rotation_centres

    rc = rotation_centres(data_dir, name)
    return cached_per_sample(data_dir, name, f"rg{rg_version()}", "z",
                             lambda i, x3: stack_ring_measure(np.asarray(x3), float(rc[i])),
                             2, np.float32)


def copies_ring_measure(cache: Path, copies: Iterable[tuple[np.ndarray, np.ndarray]],
                        rot_centres: np.ndarray) -> np.ndarray:
    """(N, 2) full / arc z of augmented copies (``copies``: (source indices, stacks)
    batches; ``rot_centres`` per source sample), cached in ``cache``."""
    if cache.exists():
        with np.load(cache) as z:
            return z["z"]
    out = [stack_ring_measure(v, float(rot_centres[j]))
           for b, xa in copies for v, j in zip(xa, b)]
    z = np.array(out, np.float32).reshape(-1, 2)
    np.savez(cache, z=z)
    return z


def measurable(z: np.ndarray) -> np.ndarray:
    """Stacks the ring gate lets through: full z >= FULL_Z_MIN or arc z >= ARC_Z_MIN."""
    z = np.asarray(z, np.float32)
    return (z[:, 0] >= FULL_Z_MIN) | (z[:, 1] >= ARC_Z_MIN)


if __name__ == "__main__":
    import time
    d = Path(sys.argv[1])
    for n in sys.argv[2:]:
        t = time.time()
        m = set_ring_measure(d, n)
        print(n, m.shape, f"{time.time() - t:.0f} s", flush=True)
