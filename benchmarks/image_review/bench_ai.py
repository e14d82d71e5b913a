"""AI image check throughput and latency on this machine's CPU (or CUDA when present).

    .venv/bin/python benchmarks/image_review/bench_ai.py [--slices 256] [--threads 0]

Prints one table: the raw ONNX inference (256 x 256 x 3-slice input; 2.0 and later also
the context vector) at batch 1 and 16, the scanner-independent normalisation alone (2.0:
1 mm grid + physical context, measured on the native 512 x 512 slices) and the whole AI
check of a simulated series (normalisation + inference + verdicts), slices per second
and per-slice latency p50/p95; plus one occlusion heatmap.
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
from app.ct.simulator import SimParams, simulate_series  # noqa: E402
from app.ct.ai.check import AiChecker  # noqa: E402


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
    with_ctx = len(onnx.input_names) > 1
    ctx = np.zeros((a.slices, onnx.session.get_inputs()[1].shape[1]), np.float32) \
        if with_ctx else None

    def feeds(i: int, j: int):
        return {"image": x[i:j], "context": ctx[i:j]} if with_ctx else x[i:j]

    rows = []
    for batch in (1, 16):
        onnx.run(feeds(0, batch))  # warm-up
        lat = []
        t0 = time.perf_counter()
        for i in range(0, a.slices, batch):
            t1 = time.perf_counter()
            onnx.run(feeds(i, i + batch))
            lat.append((time.perf_counter() - t1) * 1000 / batch)
        total = time.perf_counter() - t0
        rows.append((f"ONNX inference, batch {batch}", a.slices / total, pct(lat, 50), pct(lat, 95)))
    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=68, seed=3))
    checker = AiChecker(onnx)
    checker.classify(sim.volume[:4], pixel_mm=sim.pixel_mm)
    if checker.uses_context:
        from app.ct.ai.normalise import prepare

        idx = list(range(1, 67))
        t0 = time.perf_counter()
        prepare(sim.volume, sim.pixel_mm, idx)
        t = time.perf_counter() - t0
        rows.append(("normalisation alone (1 mm grid + context), 66 slices", 66 / t,
                     t * 1000 / 66, float("nan")))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        checker.classify(sim.volume, batch_size=16, pixel_mm=sim.pixel_mm)
        times.append(time.perf_counter() - t0)
    best = min(times)
    rows.append(("AI check of a 68 x 512^2 series (incl. normalisation)", 68 / best,
                 best * 1000 / 68, max(times) * 1000 / 68))
    t0 = time.perf_counter()
    checker.explain(sim.volume, 34, pixel_mm=sim.pixel_mm)
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
