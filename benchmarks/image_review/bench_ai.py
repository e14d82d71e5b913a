"""AI image check throughput and latency on this machine's CPU (or CUDA when present).

    .venv/bin/python benchmarks/image_review/bench_ai.py [--slices 256] [--threads 0]
        [--repeats 3] [--busy 2] [--models DIR] [--version V] [--breakdown] [--file-graph]
        [--opencv-pool] [--no-kernels]

``--models`` / ``--version``: the registry folder and the model version measured (default:
the station's models, the highest valid version) - a candidate and the released model
in one session without copying either into the tree. ``--file-graph``: the network
as the model file's graph, without app/adapters/onnx_exact's rewrites (the same outputs
bit for bit, slower on the CPU) - the network's A/B in one tree. ``--opencv-pool``: OpenCV's
own thread pool left on during the series run (app/ct/ai/series_run.OPENCV_SERIAL off) -
that A/B in one tree (its spinning workers cost CPU where a core is idle).

Prints one table (the load average before and after: the CPUs are shared):

* the raw ONNX inference (256 x 256 x 3-slice input + the context vector) on the
  model's default session at batch 1 and 16, and on its single-threaded session at
  batch 4 (the series run's batches);
* the scanner-independent normalisation alone (1 mm grid + physical context, measured on
  the native 512 x 512 slices, all cores);
* the whole AI check of a simulated 68 x 512^2 series (normalisation + network + per-slice
  verdicts and input digests), BASELINE (the former path: every input stacked first,
  then the network in batches of 16 on the default session) and NOW (app/ct/ai/
  series_run: measurements and network overlapped on all cores, batches of 4 on the
  single-threaded session), run alternately ``--repeats`` times back to back (A/B):
  best and median slices/s, and the CPU time per slice (all threads; it moves less
  with the other processes' load than the wall time does);
* the same NOW check while ``--busy`` spinning processes compete for the CPUs (a busy
  machine: what an operator sees while the station does other work);
* one occlusion heatmap;
* ``--breakdown``: one more NOW check with each part's CPU time summed over the pool's
  threads (``time.thread_time``): the slice measurements (normalise.slice_facts) and,
  within them, the evidence of each slice (evidence.slice_evidence, or the ring layout's
  slice_ring), the context vectors and, within them, the stacks' evidence
  (stack_evidence, or stack_ring_features), the network, and the
  rest (stacking, input sha256, levels, the pool) - the CPU ms per judged slice.
The AI check's compiled kernels (app/ct/ai/compiled.py) are warmed up first, as the
station does at start-up; ``--no-kernels`` measures without them (OpenCV / numpy: the same
values) - that A/B in one tree. A one-shot ``pharos ai classify`` does not warm them up.
Goal (issue 16, item 5): >= 200 slices/s for the whole check on the 2-core CPU.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.adapters.inference import ModelRegistry, OnnxModel  # noqa: E402
from app.paths import models_dir  # noqa: E402
from app.ct.simulator import SimParams, simulate_series  # noqa: E402
from app.ct.ai.check import AiChecker, _digest  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def baseline_check(checker: AiChecker, volume: np.ndarray, pixel_mm: float) -> np.ndarray:
    """The former whole-series path (before series_run): prepare every input, then the
    network in batches of 16 on the default session, then the input digests."""
    idx, feeds, _problems, _px = checker.prepared(volume, None, pixel_mm)
    parts = []
    for s in range(0, len(idx), 16):
        out = checker.onnx.run({k: np.ascontiguousarray(v[s:s + 16]) for k, v in feeds.items()})
        parts.append(out["probabilities"])
    x = feeds["image"]
    for k in range(len(idx)):
        _digest(x[k])
    return np.concatenate(parts)


def breakdown(checker: AiChecker, vol: np.ndarray, px: float, n: int) -> dict[str, float]:
    """One NOW check with the thread CPU time of its parts summed (ms per judged slice)."""
    import threading

    import app.ct.ai.normalise as norm
    import app.ct.ai.series_run as series_run

    acc: dict[str, float] = {}
    lock = threading.Lock()

    def wrap(name: str, f):
        def g(*args, **kw):
            t = time.thread_time()
            try:
                return f(*args, **kw)
            finally:
                with lock:
                    acc[name] = acc.get(name, 0.0) + time.thread_time() - t
        return g

    saved = [(norm, "slice_evidence"), (norm, "stack_evidence"), (norm, "slice_ring"),
             (norm, "stack_ring_features"), (series_run, "slice_facts"),
             (series_run, "context_vector"), (checker.onnx, "run")]
    old = [getattr(m, k) for m, k in saved]
    names = ["slice evidence", "stack evidence", "slice ring evidence", "stack ring evidence",
             "slice measurements (incl. evidence)", "context vectors (incl. stack evidence)",
             "network"]
    try:
        for (m, k), f, name in zip(saved, old, names):
            setattr(m, k, wrap(name, f))
        total = timed(lambda: checker.classify(vol, pixel_mm=px))[1]
    finally:
        for (m, k), f in zip(saved, old):
            setattr(m, k, f)
    out = {k: acc.get(k, 0.0) * 1000 / n for k in names}
    out["rest"] = total * 1000 / n - sum(out[k] for k in names[4:])
    out["total"] = total * 1000 / n
    return out


def timed(fn) -> tuple[float, float]:
    """(wall s, CPU s of this process, all threads)."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--slices", type=int, default=256)
    p.add_argument("--threads", type=int, default=0,
                   help="onnxruntime intra-op threads of the default session (0: default)")
    p.add_argument("--repeats", type=int, default=3, help="A/B rounds of the whole check")
    p.add_argument("--busy", type=int, default=2,
                   help="spinning processes beside the busy-machine run (0: skip it)")
    p.add_argument("--models", type=Path, default=None,
                   help="the model registry's folder (default: the station's models)")
    p.add_argument("--version", default=None,
                   help="the classifier version (default: the highest valid one)")
    p.add_argument("--breakdown", action="store_true",
                   help="CPU per part of the whole check (one more NOW run)")
    p.add_argument("--file-graph", action="store_true",
                   help="run the model file's graph as it is (no exact rewrites)")
    p.add_argument("--opencv-pool", action="store_true",
                   help="keep OpenCV's own thread pool on during the series run (the former "
                        "path; default: OpenCV single-threaded while the run's workers measure)")
    p.add_argument("--no-kernels", action="store_true",
                   help="measure the slices with OpenCV / numpy alone (no compiled kernels, "
                        "app/ct/ai/compiled.py: the same values) - that A/B in one tree")
    a = p.parse_args()
    if not a.no_kernels:
        # as the station does in its start-up warm-up (app/ui/warmup.py)
        from app.ct.ai import compiled

        compiled.warm_up()
    if a.opencv_pool:
        import app.ct.ai.series_run as series_run

        series_run.OPENCV_SERIAL = False
    load0 = os.getloadavg()
    reg = ModelRegistry(a.models or models_dir())
    card = reg.find("ct_phantom_classifier", a.version)
    reg.verify(card)
    onnx = OnnxModel(card, intra_op_threads=a.threads, exact_rewrites=not a.file_graph)
    rng = np.random.default_rng(0)
    x = (rng.normal(0, 10, (a.slices, 3, 256, 256))).astype(np.float32)
    with_ctx = len(onnx.input_names) > 1
    ctx = np.zeros((a.slices, onnx.session.get_inputs()[1].shape[1]), np.float32) \
        if with_ctx else None

    def feeds(i: int, j: int):
        return {"image": x[i:j], "context": ctx[i:j]} if with_ctx else x[i:j]

    rows = []
    for batch, threads in ((1, 0), (16, 0), (4, 1)):
        onnx.run(feeds(0, batch), threads=threads)  # warm-up
        lat = []
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, a.slices, batch):
            t1 = time.perf_counter()
            onnx.run(feeds(i, i + batch), threads=threads)
            lat.append((time.perf_counter() - t1) * 1000 / batch)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
        name = f"ONNX inference, batch {batch}" + (", single-threaded" if threads else "")
        rows.append((name, a.slices / total, pct(lat, 50), pct(lat, 95),
                     cpu * 1000 / a.slices))
    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=68, seed=3))
    vol, px = sim.volume, sim.pixel_mm
    n = len(vol) - 2                      # judged: every slice with both neighbours
    checker = AiChecker(onnx)
    checker.classify(vol[:4], pixel_mm=px)
    if checker.uses_context:
        from app.ct.ai.normalise import prepare

        idx = list(range(1, 67))
        wall, cpu = timed(lambda: prepare(vol, px, idx))
        rows.append(("normalisation alone (1 mm grid + context), 66 slices", 66 / wall,
                     wall * 1000 / 66, float("nan"), cpu * 1000 / 66))
    ab: dict[str, list[tuple[float, float]]] = {"baseline": [], "now": []}
    runs = {"baseline": lambda: baseline_check(checker, vol, px),
            "now": lambda: checker.classify(vol, pixel_mm=px)}
    for _ in range(max(1, a.repeats)):
        for name in ("baseline", "now"):
            ab[name].append(timed(runs[name]))
    for name, label in (("baseline", "whole check BASELINE (prepare, then batch 16)"),
                        ("now", "whole check NOW (overlapped, series_run)")):
        walls = sorted(w for w, _ in ab[name])
        cpus = [c for _, c in ab[name]]
        rows.append((f"{label}, best of {len(walls)}", n / walls[0], walls[0] * 1000 / n,
                     walls[-1] * 1000 / n, min(cpus) * 1000 / n))
        rows.append((f"{label}, median", n / float(np.median(walls)),
                     float(np.median(walls)) * 1000 / n, float("nan"),
                     float(np.median(cpus)) * 1000 / n))
    busy_row = None
    if a.busy > 0:
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(a.busy)]
        try:
            time.sleep(0.5)
            walls = sorted(timed(runs["now"])[0] for _ in range(2))
        finally:
            for h in hogs:
                h.kill()
                h.wait()
        busy_row = (f"whole check NOW beside {a.busy} spinning processes, best of 2",
                    n / walls[0], walls[0] * 1000 / n, walls[-1] * 1000 / n, float("nan"))
    parts = breakdown(checker, vol, px, n) if a.breakdown and checker.uses_context else None
    t0 = time.perf_counter()
    checker.explain(vol, 34, pixel_mm=px)
    heat = time.perf_counter() - t0
    load1 = os.getloadavg()
    print(f"model {card.model_id} sha256 {card.sha256[:16]}…, providers "
          f"{', '.join(onnx.providers)}, {os.cpu_count()} CPUs, load average (1/5/15 min) "
          f"{load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f} before, "
          f"{load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f} after")
    from app.ct.ai import compiled

    print("slice measurements: " + ("with the compiled kernels (app/ct/ai/compiled: OpenCV's "
                                    "and numpy's values bit for bit)" if compiled.ready()
                                    else "OpenCV / numpy alone (no compiled kernels)"))
    print("network graph: " + ("; ".join(onnx.rewrites) + " (onnx_exact, outputs bit for bit "
                               "the file's)" if onnx.rewrites else "the model file's, as it is"))
    print(f"{'measure':66s} {'slices/s':>9s} {'p50 ms/sl':>10s} {'max ms/sl':>10s} "
          f"{'CPU ms/sl':>10s}")
    for name, sps, p50, p95, cpu_ms in rows + ([busy_row] if busy_row else []):
        print(f"{name:66s} {sps:9.0f} {p50:10.2f} {p95:10.2f} {cpu_ms:10.2f}")
    print(f"{'occlusion heatmap (8x8 patches), one slice':66s} {'':9s} {heat * 1000:10.0f} ms")
    best_cpu = min(c for _, c in ab["now"]) * 1000 / n
    print(f"whole check NOW, {os.cpu_count()} idle cores at the measured CPU time: about "
          f"{(os.cpu_count() or 1) * 1000 / best_cpu:.0f} slices/s (an upper bound: "
          f"perfect overlap)")
    if parts:
        print("whole check NOW, CPU ms per judged slice by part (all threads): " + ", ".join(
            f"{k} {v:.2f}" for k, v in parts.items()))
    print("(ONNX rows: p50 / max columns are p50 / p95 of the per-batch latency per slice; "
          "whole-check rows: best / worst of the runs)")


if __name__ == "__main__":
    main()
