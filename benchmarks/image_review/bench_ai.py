"""AI image check throughput and latency on this machine's CPU (or CUDA when present).

    .venv/bin/python benchmarks/image_review/bench_ai.py [--slices 256] [--threads 0]

Prints one table: the raw ONNX inference (256 x 256 x 3-slice input) at batch 1 and 16,
and the whole AI check of a simulated series (preprocessing + inference + verdicts),
slices per second and per-slice latency p50/p95; plus one occlusion heatmap.
Goal (issue #4): >= 200 slices/s for 256 x 256 input on the 2-core CPU.
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

from app.adapters.inference import ModelRegistry, OnnxModel  # noqa: E402
from app.paths import models_dir  # noqa: E402
from station_plugins.ct_qc.simulator import SimParams, simulate_series  # noqa: E402
from station_plugins.image_review.ai_check import AiChecker  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--slices", type=int, default=256)
    p.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0: default)")
    a = p.parse_args()
    reg = ModelRegistry(models_dir())
    card = reg.find("ct_phantom_classifier")
    reg.verify(card)
    onnx = OnnxModel(card, intra_op_threads=a.threads)
    rng = np.random.default_rng(0)
    x = (rng.normal(0, 10, (a.slices, 3, 256, 256)) ).astype(np.float32)
    rows = []
    for batch in (1, 16):
        onnx.run(x[:batch])  # warm-up
        lat = []
        t0 = time.perf_counter()
        for i in range(0, a.slices, batch):
            t1 = time.perf_counter()
            onnx.run(x[i:i + batch])
            lat.append((time.perf_counter() - t1) * 1000 / batch)
        total = time.perf_counter() - t0
        rows.append((f"ONNX inference, batch {batch}", a.slices / total, pct(lat, 50), pct(lat, 95)))
    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=68, seed=3))
    checker = AiChecker(onnx)
    checker.classify(sim.volume[:4])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = checker.classify(sim.volume, batch_size=16)
        times.append(time.perf_counter() - t0)
    best = min(times)
    rows.append((f"AI check of a 68 x 512^2 series (incl. resampling)", 68 / best,
                 best * 1000 / 68, max(times) * 1000 / 68))
    t0 = time.perf_counter()
    checker.explain(sim.volume, 34)
    heat = time.perf_counter() - t0
    load = os.getloadavg()[0]
    print(f"model {card.model_id} sha256 {card.sha256[:16]}…, providers {', '.join(onnx.providers)}, "
          f"load average {load:.2f} on {os.cpu_count()} CPUs")
    print(f"{'measure':52s} {'slices/s':>9s} {'p50 ms/slice':>13s} {'p95 ms/slice':>13s}")
    for name, sps, p50, p95 in rows:
        print(f"{name:52s} {sps:9.0f} {p50:13.2f} {p95:13.2f}")
    print(f"{'occlusion heatmap (8x8 patches), one slice':52s} {'':9s} {heat * 1000:13.0f}")


if __name__ == "__main__":
    main()
