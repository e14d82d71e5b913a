"""Per-slice cost of the AI's physical evidence (app/ct/ai/evidence.py, ring_evidence.py).

Prints a table: the evidence of one slice (slice_evidence: ring sums, structure masks,
streak line sums, streak spectrum, cupping), of one 3-slice stack (stack_evidence: the
matched-filter ring statistics, the streak scores) and the sum - what the station pays
per slice, each slice being measured once and being the centre of one stack; then the
ring part alone (slice_ring: what the ring layouts' models pay per slice) in ring layouts
1, 2 (the masks' ring bands kept in the search, evidence.ring_bands) and 3 (also the
polar bands, evidence._polar_bands: paid only on slices with a wide piece, hence the
mean beside the median) and their differences. ``--kernels``: with the AI check's
compiled kernels (app/ct/ai/compiled.py), as the station runs. Each
figure is the median over the slices of the best of ``--repeats`` calls (the machine is
shared: the best of a few calls is the code's cost, not the neighbours' load). One
thread (cv2.setNumThreads(1)), as in the station's worker pool.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/image_review/bench_ai_evidence.py \
        [--data /tmp/ai16/data/img_train.x.npy] [--slices 40] [--repeats 5] [--check-reference]

``--check-reference``: before timing, compare every slice's profiles and every stack's
features with the frozen ev4 evidence the 2.3 candidate was trained on
(tests/image_review/ev4_reference; 1e-6 relative, as test_ai_evidence_equivalence.py).

Without ``--data`` the slices are analytic (a 200 mm water phantom with inserts, noise
10 HU, 0.5 mm pixels, tests/image_review/test_ai_evidence.py's phantom), put on the
grid by normalise.slice_facts.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ct.ai.evidence import slice_evidence, slice_ring, stack_evidence  # noqa: E402


def _grid_args(g: np.ndarray) -> tuple | None:
    """slice_evidence's arguments for a grid slice (the training cache's own builder)."""
    sys.path.insert(0, str(ROOT / "models" / "training"))
    from ai_evidence_cache import grid_evidence_args
    return grid_evidence_args(g)


def _analytic(n: int) -> list[np.ndarray]:
    sys.path.insert(0, str(ROOT))
    from app.ct.ai.normalise import slice_facts
    from tests.image_review.test_ai_evidence import PX, _phantom
    return [slice_facts(_phantom("smooth" if k % 2 else "edge", k), PX).grid for k in range(n)]


def _check_reference(data: Path | None, args: list[tuple], n_samples: int) -> None:
    """The live evidence against the frozen ev4 code (slices and stacks) and, on a data
    set with its ev4 cache (``<set>.ev4.npz``: the features the 2.3 candidate was
    trained on), the live features of ``n_samples`` stored samples against the cache."""
    from tests.image_review.test_ai_evidence_equivalence import RTOL, assert_same
    try:
        # any three consecutive grids form a stack
        n = sum(assert_same(args[i:i + 3]) for i in range(0, len(args) - 2, 3))
    except AssertionError as e:
        print(f"evidence DIFFERS from the frozen ev4: {e}")
        raise SystemExit(1) from None
    print(f"evidence equals the frozen ev4 (1e-6 relative) on {len(args)} slices, {n} stacks")
    if data is None:
        return
    name = data.name.removesuffix(".x.npy")
    cache = data.with_name(f"{name}.ev4.npz")
    if not cache.exists():
        print(f"(no ev4 cache {cache.name}: the training's features not compared)")
        return
    sys.path.insert(0, str(ROOT / "models" / "training"))
    from ai_evidence_cache import rotation_centres, stack_features
    with np.load(cache) as z:
        ev = z["ev"]
    x = np.load(data, mmap_mode="r")
    rc = rotation_centres(data.parent, name)
    worst = 0.0
    idx = np.linspace(0, len(x) - 1, min(n_samples, len(x))).astype(int)
    for i in idx:
        f = stack_features(np.asarray(x[i]), float(rc[i]))
        worst = max(worst, float(np.max(np.abs(f - ev[i]) / np.maximum(np.abs(ev[i]), 1.0))))
    ok = worst <= RTOL
    print(f"live features {'equal' if ok else 'DIFFER from'} the training's ev4 cache on "
          f"{len(idx)} samples of {name} (largest difference {worst:.1e}, relative above 1)")
    if not ok:
        raise SystemExit(1)


def _best(f, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=None, help="a data set's .x.npy (N, 3, 256, 256)")
    p.add_argument("--slices", type=int, default=40)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--kernels", action="store_true", help="warm up the compiled kernels first")
    p.add_argument("--check-reference", action="store_true",
                   help="compare with the frozen ev4 evidence first (exit 1 on a difference)")
    a = p.parse_args()
    cv2.setNumThreads(1)
    if a.kernels:
        from app.ct.ai import compiled

        compiled.warm_up()
    if a.data is not None:
        x = np.load(a.data, mmap_mode="r")
        step = max(1, len(x) // a.slices)
        grids = [np.asarray(x[i, k], np.float32) for i in range(0, len(x), step)[:a.slices]
                 for k in range(3)]
    else:
        grids = _analytic(3 * a.slices)
    args = [v for v in (_grid_args(g) for g in grids) if v is not None]
    if a.check_reference:
        _check_reference(a.data, args, a.slices)
    for v in args[:3]:
        slice_evidence(*v)
    t_slice = [_best(lambda v=v: slice_evidence(*v), a.repeats) for v in args]
    evs = [slice_evidence(*v) for v in args]
    stacks = [evs[i:i + 3] for i in range(0, len(evs) - 2, 3)]
    t_stack = [_best(lambda s=s: stack_evidence(s), a.repeats) for s in stacks]
    ms = 1e3
    rows = [("slice_evidence (per slice)", np.median(t_slice) * ms, np.percentile(t_slice, 90) * ms),
            ("stack_evidence (per stack)", np.median(t_stack) * ms, np.percentile(t_stack, 90) * ms)]
    rows.append(("evidence per slice (sum)", rows[0][1] + rows[1][1], rows[0][2] + rows[1][2]))
    t_ring = {k: [_best(lambda v=v: slice_ring(*v, concentric=k), a.repeats) for v in args]
              for k in (0, 1, 2)}
    for k in (0, 1, 2):
        rows.append((f"slice_ring, ring layout {k + 1}", np.median(t_ring[k]) * ms,
                     np.percentile(t_ring[k], 90) * ms))
    for k in (1, 2):
        extra = np.array(t_ring[k]) - np.array(t_ring[k - 1])
        rows.append((f"layout {k + 1} - layout {k}", np.median(extra) * ms,
                     np.percentile(extra, 90) * ms))
        if k == 2:
            rows.append(("layout 3 - layout 2 (mean)", float(np.mean(extra)) * ms, float("nan")))
    src = str(a.data) if a.data is not None else "analytic phantom (0.5 mm, noise 10 HU)"
    print(f"evidence cost: {len(args)} slices, {len(stacks)} stacks of {src}; best of "
          f"{a.repeats} calls each, one thread")
    print(f"| {'':28s} | median ms | 90th pct ms |")
    print(f"|{'-' * 30}|-----------|-------------|")
    for name, med, p90 in rows:
        print(f"| {name:28s} | {med:9.3f} | {p90:11.3f} |")


if __name__ == "__main__":
    main()
