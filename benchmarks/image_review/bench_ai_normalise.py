"""The AI check's slice measurements, live against the code the models were trained on.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/image_review/bench_ai_normalise.py \
        [--slices 20] [--repeats 4]

``normalise.slice_facts`` of app/ct/ai/ (live) and of tests/image_review/ev4_reference/
(frozen: the values 2.0.0 and the 2.3 candidate were trained on) on the same simulated
CatPhan 504 slices (512 x 512, 0.49 mm), as they come and with -3024 HU padding outside
the reconstruction circle, without and with the 2.3 evidence: ms per slice on one
thread, the two codes run alternately ``--repeats`` times (the best of each: the CPUs
are shared), and whether every measurement agrees (grid bit for bit, context and
evidence 1e-6: test_ai_normalise_equivalence.py's check). Prints one table.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ct.ai import normalise as live  # noqa: E402
from app.ct.simulator import SimParams, simulate_series  # noqa: E402
from tests.image_review.ev4_reference import normalise as frozen  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slices", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=4)
    args = ap.parse_args()
    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=args.slices, seed=3))
    vol, px = sim.volume, sim.pixel_mm
    n = vol.shape[1]
    yy, xx = np.mgrid[:n, :n]
    outside = np.hypot(xx - (n - 1) / 2, yy - (n - 1) / 2) > 0.47 * n
    padded = np.where(outside, np.float32(-3024.0), vol)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.slices} slices 512 x 512, "
          f"{px:.3f} mm, one thread")
    print(f"{'slices':<22}{'evidence':<10}{'trained ms':>11}{'live ms':>9}{'speed-up':>9}  same")
    for name, v in (("as simulated", vol), ("padded -3024 HU", padded)):
        for ev in (False, True):
            best = {"frozen": 1e9, "live": 1e9}
            for _ in range(args.repeats):
                for key, mod in (("frozen", frozen), ("live", live)):
                    t0 = time.perf_counter()
                    for s in v:
                        mod.slice_facts(s, px, ev)
                    best[key] = min(best[key], (time.perf_counter() - t0) / len(v) * 1e3)
            same = all(_same(live.slice_facts(s, px, ev), frozen.slice_facts(s, px, ev))
                       for s in v)
            print(f"{name:<22}{'yes' if ev else 'no':<10}{best['frozen']:>11.2f}"
                  f"{best['live']:>9.2f}{best['frozen'] / best['live']:>8.2f}x  {same}")


def _same(a, b) -> bool:
    ok = np.array_equal(a.grid, b.grid) and a.problem == b.problem
    for k in ("centre", "radius_mm", "body_hu", "air_offset", "noise_native", "noise_grid",
              "esf"):
        ok &= bool(np.allclose(np.asarray(getattr(a, k), float), np.asarray(getattr(b, k), float),
                               rtol=1e-6, atol=1e-6, equal_nan=True))
    if (a.evidence is None) != (b.evidence is None):
        return False
    if a.evidence is not None:
        for k in ("ring_s", "ring_c", "ring_scale", "streak", "spec", "cupping", "streak_z",
                  "spec_z"):
            ok &= bool(np.allclose(np.asarray(getattr(a.evidence, k), float),
                                   np.asarray(getattr(b.evidence, k), float),
                                   rtol=1e-6, atol=1e-6, equal_nan=True))
    return ok


if __name__ == "__main__":
    main()
