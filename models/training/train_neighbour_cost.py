"""Train the detector matching station's learned neighbour cost (ONNX regression).

    PYTHONPATH=. .venv/bin/python models/training/train_neighbour_cost.py [--quick]

Dev-only dependencies: scikit-learn (MLPRegressor) and onnx (graph export); the
station itself needs only onnxruntime. Deterministic for --seed.

1. Simulated modules (station_plugins.detector_matching.generator) with a hidden true
   channel response; features come from the *measured* indicators only.
2. Label of a pair (i left of j): ring amplitude at their boundary in the FBP of the
   channel error profile (ring_sim.pair_labels), rescaled to physics-cost units.
3. MLP 60-64-32-1 (ReLU); input standardisation folded into the first layer.
4. Held-out pools (other seeds): R^2 and Spearman rank correlation, also for the
   physics cost, for comparison.
5. Decision level: on held-out detectors, arrangements optimised on the learned cost,
   the physics cost and the TRUE (simulated) cost, all measured by the full-detector
   FBP ring metric; the margin is (metric(learned) - metric(true)) / metric(true).
Writes models/detector_neighbour_cost/<version>/model.onnx and card.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from station_plugins.detector_matching import ring_sim  # noqa: E402
from station_plugins.detector_matching.costs import (build_problem, edge_features,  # noqa: E402
                                                     physics_neighbour_cost)
from station_plugins.detector_matching.detector_models import load_layout  # noqa: E402
from station_plugins.detector_matching.generator import generate  # noqa: E402
from station_plugins.detector_matching.importer import validate_table  # noqa: E402
from station_plugins.detector_matching.learned_cost import pair_features  # noqa: E402
from station_plugins.detector_matching.optimiser import OptimiserSettings, solve  # noqa: E402
from station_plugins.detector_matching.pool_io import RawTable, generated_rows  # noqa: E402
from station_plugins.detector_matching.indicators import UNITS  # noqa: E402

VERSION = "1.0.0"
NAME = "detector_neighbour_cost"


def pool_from(gen, name: str):
    cols, rows = generated_rows(gen)
    return validate_table(RawTable(cols, dict(UNITS), rows, "memory"), name)


def sample_pairs(gen, count: int, rng: np.random.Generator, A: np.ndarray):
    ok = np.flatnonzero(~gen.out_of_spec)
    i = rng.choice(ok, count)
    j = rng.choice(ok, count)
    keep = i != j
    i, j = i[keep], j[keep]
    err = ring_sim.channel_error(gen.truth)
    y = ring_sim.pair_labels(err[i], err[j], A)
    x = pair_features(gen.values, i, j)
    d_phys = physics_neighbour_cost(edge_features(gen.values))[i, j]
    return x, y, d_phys


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def r2(y: np.ndarray, p: np.ndarray) -> float:
    return float(1 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def export_onnx(mlp, mu: np.ndarray, sd: np.ndarray, path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    W = [w.astype(np.float32) for w in mlp.coefs_]
    B = [b.astype(np.float32) for b in mlp.intercepts_]
    W0 = (W[0] / sd[:, None]).astype(np.float32)              # fold standardisation
    B0 = (B[0] - (mu / sd) @ W[0]).astype(np.float32)
    W[0], B[0] = W0, B0
    nodes, inits = [], []
    prev = "edge_features"
    for k, (w, b) in enumerate(zip(W, B)):
        inits += [numpy_helper.from_array(w, f"W{k}"), numpy_helper.from_array(b, f"B{k}")]
        nodes.append(helper.make_node("MatMul", [prev, f"W{k}"], [f"mm{k}"]))
        last = k == len(W) - 1
        out = "neighbour_cost_raw" if last else f"z{k}"
        nodes.append(helper.make_node("Add", [f"mm{k}", f"B{k}"], [out]))
        if not last:
            nodes.append(helper.make_node("Relu", [out], [f"h{k}"]))
            prev = f"h{k}"
    nodes.append(helper.make_node("Relu", ["neighbour_cost_raw"], ["neighbour_cost"]))
    graph = helper.make_graph(
        nodes, NAME, [helper.make_tensor_value_info("edge_features", TensorProto.FLOAT,
                                                    [None, W0.shape[0]])],
        [helper.make_tensor_value_info("neighbour_cost", TensorProto.FLOAT, [None, 1])],
        inits)
    onnx_graph = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                   producer_name="pharos-train_neighbour_cost")
    onnx_graph.ir_version = 8
    onnx.checker.check_model(onnx_graph)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(onnx_graph, str(path))


def decision_level(predict, scale: float, A: np.ndarray, seeds, settings) -> dict:
    """Held-out detectors: arrangement from learned / physics / true cost, all measured
    by the full-detector FBP ring metric."""
    layout = load_layout("PX-48")
    rows = []
    for seed in seeds:
        gen = generate(56, seed)
        pool = pool_from(gen, f"heldout-{seed}")
        keep = [gen.serials.index(s) for s in pool.serials]
        err = ring_sim.channel_error(gen.truth)[keep]
        m = len(keep)
        ii, jj = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
        d_true = scale * ring_sim.pair_labels(err[ii.ravel()], err[jj.ravel()], A).reshape(m, m)
        d_learn = predict(pair_features(pool.values, ii.ravel(), jj.ravel())).reshape(m, m)
        res = {}
        for name, d in (("true", d_true), ("learned", d_learn), ("physics", None)):
            p = build_problem(pool, layout, neighbour_cost=d) if d is not None else \
                build_problem(pool, layout)
            sol = solve(p, settings)
            idx = [pool.serials.index(p.serials[k]) for k in sol.perm[:p.n]]
            res[name] = ring_sim.detector_ring_metric(err, np.array(idx))
        rows.append(res)
    learned = np.array([(r["learned"] - r["true"]) / r["true"] for r in rows])
    physics = np.array([(r["physics"] - r["true"]) / r["true"] for r in rows])
    return {"detectors": len(rows), "slots": layout.slots,
            "ring_metric_true_mean": float(np.mean([r["true"] for r in rows])),
            "margin_learned_mean": float(learned.mean()),
            "margin_learned_max": float(learned.max()),
            "margin_physics_mean": float(physics.mean()),
            "margin_physics_max": float(physics.max())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="small run (smoke test)")
    ap.add_argument("--out", type=Path, default=ROOT / "models" / NAME / VERSION)
    args = ap.parse_args(argv)
    from sklearn.neural_network import MLPRegressor
    t0 = time.time()
    rng = np.random.default_rng(args.seed)
    A = ring_sim.pair_operator()
    n_pairs = 4000 if args.quick else 25000
    train_seeds = [101, 102, 103, 104]
    test_seeds = [201, 202]
    xs, ys, ds = [], [], []
    for s in train_seeds:
        x, y, d = sample_pairs(generate(500, s), n_pairs, rng, A)
        xs.append(x), ys.append(y), ds.append(d)
    x, y, d = np.concatenate(xs), np.concatenate(ys), np.concatenate(ds)
    scale = float(d.mean() / y.mean())           # labels in physics-cost units
    mu, sd = x.mean(0), x.std(0) + 1e-6
    mlp = MLPRegressor(hidden_layer_sizes=(64, 32), activation="relu", alpha=1e-4,
                       learning_rate_init=2e-3, max_iter=60 if args.quick else 300,
                       early_stopping=True, n_iter_no_change=15, random_state=args.seed)
    mlp.fit((x - mu) / sd, y * scale)
    onnx_path = args.out / "model.onnx"
    export_onnx(mlp, mu, sd, onnx_path)

    import onnxruntime as ort
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])

    def predict(features: np.ndarray) -> np.ndarray:
        return sess.run(None, {"edge_features": features.astype(np.float32)})[0].ravel()

    xt, yt, dt = [], [], []
    for s in test_seeds:
        a, b, c = sample_pairs(generate(500, s), n_pairs // 2, rng, A)
        xt.append(a), yt.append(b), dt.append(c)
    xt, yt, dt = np.concatenate(xt), np.concatenate(yt) * scale, np.concatenate(dt)
    pt = predict(xt)
    coef = np.polyfit(dt, yt, 1)                 # physics cost, best linear rescale
    metrics = {"heldout_pairs": int(len(yt)), "heldout_r2": r2(yt, pt),
               "heldout_spearman": spearman(yt, pt),
               "physics_r2_after_linear_fit": r2(yt, np.polyval(coef, dt)),
               "physics_spearman": spearman(yt, dt)}
    print(json.dumps(metrics, indent=2))
    settings = OptimiserSettings(seed=args.seed, time_limit=20, moves_per_slot=20000,
                                 bound=False)
    dec = decision_level(predict, scale, A, range(301, 303 if args.quick else 311), settings)
    print(json.dumps(dec, indent=2))
    sha = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    card = {
        "name": NAME, "version": VERSION, "file": "model.onnx", "sha256": sha,
        "task": "regression: module-pair edge indicators -> boundary ring amplitude "
                "(neighbour cost, physics-cost units)",
        "inputs": [{"name": "edge_features", "dtype": "float32", "shape": [None, 60],
                    "description": "i right edge (5 kinds x 4 zones), j left edge, "
                                   "difference; normalised as costs.edge_features"}],
        "outputs": [{"name": "neighbour_cost", "dtype": "float32", "shape": [None, 1]}],
        "output_scale": 1.0,
        "training": {"script": "models/training/train_neighbour_cost.py", "seed": args.seed,
                     "quick": args.quick, "train_pool_seeds": train_seeds,
                     "heldout_pool_seeds": test_seeds, "pairs_per_pool": n_pairs,
                     "label": "ring_sim.pair_labels (FBP, Ram-Lak, 180 views, boundary "
                              f"{ring_sim.REF_OFFSET} channels from iso, window "
                              f"+-{ring_sim.WINDOW}) x label_scale",
                     "label_scale": scale, "estimator": "sklearn MLPRegressor (64, 32) relu",
                     "iterations": int(mlp.n_iter_), "seconds": round(time.time() - t0, 1)},
        "metrics": {**metrics, "decision_level": dec},
    }
    (args.out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {onnx_path} ({sha[:12]}) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
