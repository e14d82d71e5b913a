"""CPU cost of the edge-ring rule (app/ct/ai/edge_ring.py, edge_ring_fit.py), live and frozen.

The series of bench_ai.py's whole check (the projection simulator's CatPhan 504, 68 x 512^2,
2 mm, seed 3; 66 judged slices, of which the rule measures every k-th: 22), put on the
1 mm grid by normalise.slice_facts. Prints per call (ms CPU, one thread, ``time.process_time``;
each figure the best of ``--repeats`` rounds - the machine is shared: the best of a few is
the code's cost, not the neighbours' load):

* ``slice_profiles``: one measured slice's packed measurements;
* ``series_ring``: the series' rule (the profiles' medians and noise, fit A, fit B) - once
  per series, after the pool;
* the same per judged slice of this series (``series_ring`` / 66 + ``slice_profiles`` x 22 / 66);

for the live code and for the frozen copy of the rule as first released
(tests/image_review/ev4_reference/edge_ring.py, edge_ring_fit.py; the same results:
tests/image_review/test_ai_edge_ring_fit_equivalence.py), and checks that both give the
same series verdict on this series.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/image_review/bench_ai_edge_ring.py [--repeats 5]
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

from app.ct.ai import edge_ring as live  # noqa: E402
from app.ct.ai.edge_ring import measure_every  # noqa: E402
from app.ct.ai.normalise import grid_rotation_centre, slice_facts  # noqa: E402
from app.ct.simulator import SimParams, simulate_series  # noqa: E402
from tests.image_review.ev4_reference import edge_ring as frozen  # noqa: E402


def best_ms(fn, repeats: int, n: int = 1) -> float:
    out = []
    for _ in range(repeats):
        t = time.process_time()
        for _ in range(n):
            fn()
        out.append((time.process_time() - t) * 1000 / n)
    return min(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    cv2.setNumThreads(1)
    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=68, seed=3))
    vol, px = sim.volume, sim.pixel_mm
    judged = list(range(1, len(vol) - 1))
    every = measure_every(len(judged))
    rc = grid_rotation_centre(vol.shape[1], px)
    field = vol.shape[1] * px / 2.0
    facts = [slice_facts(vol[i], px) for i in judged if i % every == 0]
    rows = {}
    res = {}
    print(f"{len(judged)} judged slices, {len(facts)} measured (every {every}); "
          f"ms CPU, best of {a.repeats}")
    print(f"{'':10s} {'slice_profiles':>15s} {'series_ring':>12s} {'per judged slice':>17s}")
    for name, mod in (("frozen", frozen), ("live", live)):
        packed = np.stack([mod.slice_profiles(f.grid, rc, f.noise_native, field)
                           for f in facts])
        rows[name] = packed
        res[name] = mod.series_ring(packed, packed[:, mod.NOISE])
        sp = best_ms(lambda: [mod.slice_profiles(f.grid, rc, f.noise_native, field)
                              for f in facts], a.repeats) / len(facts)
        sr = best_ms(lambda: mod.series_ring(packed, packed[:, mod.NOISE]), a.repeats, 5)
        per = (sr + sp * len(facts)) / len(judged)
        print(f"{name:10s} {sp:15.3f} {sr:12.2f} {per:17.3f}")
    same = np.array_equal(rows["frozen"], rows["live"])
    f, g = res["frozen"], res["live"]
    print(f"measurements identical: {same}; verdict frozen {f}; live {g}")
    if not same or f is None or g is None or (f.radius_mm, f.test, f.ring) != (
            g.radius_mm, g.test, g.ring):
        raise SystemExit("the live rule differs from the frozen one")


if __name__ == "__main__":
    main()
