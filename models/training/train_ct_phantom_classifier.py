"""Train the CT phantom image classifier and export it to ONNX with its model card.

    .venv/bin/pip install torch==2.13.0 onnx        # development-only dependencies
    nice -n 10 .venv/bin/python models/training/ct_phantom_dataset.py      # ~35 min, 2 cores
    nice -n 10 .venv/bin/python models/training/train_ct_phantom_classifier.py --threads 2
    .venv/bin/python models/training/train_ct_phantom_classifier.py --validate-only  # choices

Choices (epochs, class weights, front end) are made on the validation split (10 % of
the training data); the held-out set (other seeds and ranges) is only reported.

Network: a small CNN on three adjacent slices (see preprocess.py). The exported graph
takes (N, 3, 256, 256) HU float32, pools 2 x 2, scales intensities, and returns
``probabilities`` (N, 7), ``logits`` and ``anomaly`` (N,): the Mahalanobis distance of the
penultimate features to the nearest class mean (shared covariance, fitted on the
training set), normalised so that 1.0 is the 99.9th percentile seen in training. An
anomaly score above 1 means "fits no class".
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from app.ct.ai.preprocess import CLASSES, INPUT_SIZE  # noqa: E402

NAME, VERSION = "ct_phantom_classifier", "1.2.0"


def _polar_grid(n_r: int = 160, n_theta: int = 512, r_max: float = 0.97) -> torch.Tensor:
    """Sampling grid (1, n_theta, n_r, 2) in grid_sample coordinates about the centre."""
    r = torch.linspace(0.0, r_max, n_r)
    t = torch.linspace(0.0, 2 * np.pi, n_theta + 1)[:-1]
    xs = r[None, :] * torch.cos(t)[:, None]
    ys = r[None, :] * torch.sin(t)[:, None]
    return torch.stack([xs, ys], dim=-1)[None]


class PhantomNet(nn.Module):
    """Physics-informed front end (fixed) + a small learned classifier.

    Fixed maps at 64 x 64 from the 128 x 128 input: narrow and wide intensity windows,
    the high-pass residual and its magnitude (noise, streaks, edges), the centre slice
    minus its neighbours (z-bands). A polar branch samples the high-pass residual of the
    MEAN of the three slices (a bad detector channel rings in every slice: sqrt(3) less
    noise) about the reconstruction centre on 512 angles and averages it over 16
    angular sectors: a ring or arc is a peak at one radius (coherent over angle, so even
    a faint ring stands out), phantom structures sit in a few sectors only.
    """

    SECTORS = 16

    def __init__(self, n_classes: int = len(CLASSES), width: int = 24) -> None:
        super().__init__()
        w = width
        self.register_buffer("grid", _polar_grid(), persistent=False)

        def conv(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                                 nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

        self.c1, self.c2, self.c3, self.c4 = conv(6, w), conv(w, 2 * w), conv(2 * w, 3 * w), \
            conv(3 * w, 3 * w)
        self.ring = nn.Sequential(
            nn.Conv1d(self.SECTORS, 32, 5, padding=2), nn.ReLU(inplace=True),
            nn.Conv1d(32, 32, 5, padding=2), nn.ReLU(inplace=True),
            nn.Conv1d(32, 16, 3, padding=1), nn.ReLU(inplace=True))
        self.feat_dim = 3 * w * 2 + 16 * 2
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(self.feat_dim, 96),
                                  nn.ReLU(inplace=True), nn.Dropout(0.2),
                                  nn.Linear(96, n_classes))

    def fixed_maps(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = x[:, 1:2]
        nb = 0.5 * (x[:, 0:1] + x[:, 2:3])
        smooth = F.avg_pool2d(c, 5, stride=1, padding=2, count_include_pad=False)
        resid = torch.clamp((c - smooth) / 30.0, -4.0, 4.0)
        band = torch.clamp((c - nb) / 20.0, -4.0, 4.0)
        maps = torch.cat([torch.clamp(c / 50.0, -4.0, 4.0), torch.clamp(c / 500.0, -2.0, 2.0),
                          resid, resid.abs(), band, band.abs()], dim=1)
        maps = F.avg_pool2d(maps, 8)                                   # 32 x 32
        m3 = x.mean(dim=1, keepdim=True)
        resid3 = m3 - F.avg_pool2d(m3, 5, stride=1, padding=2, count_include_pad=False)
        polar = F.grid_sample(torch.clamp(resid3 / 5.0, -6.0, 6.0),
                              self.grid.expand(x.shape[0], -1, -1, -1),
                              mode="bilinear", padding_mode="zeros", align_corners=False)
        n, _, n_t, n_r = polar.shape                                   # N,1,theta,r
        sectors = polar.reshape(n, self.SECTORS, n_t // self.SECTORS, n_r).mean(dim=2)
        return maps, sectors                                           # N,16,r

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, 3, 256, 256) HU."""
        return self.features_from_maps(*self.fixed_maps(x))

    def features_from_maps(self, maps: torch.Tensor, sectors: torch.Tensor) -> torch.Tensor:
        h = F.max_pool2d(self.c1(maps), 2)    # 16
        h = F.max_pool2d(self.c2(h), 2)       # 8
        h = self.c3(h)
        h = self.c4(h)
        # order statistics across sectors: rotation invariant, and robust to phantom
        # structures that sit in a few sectors only (inserts), unlike a ring or an arc
        r = self.ring(torch.sort(sectors, dim=1).values)
        return torch.cat([F.adaptive_avg_pool2d(h, 1).flatten(1),
                          F.adaptive_max_pool2d(h, 1).flatten(1),
                          r.amax(dim=2), r.mean(dim=2)], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def forward_maps(self, maps: torch.Tensor, sectors: torch.Tensor) -> torch.Tensor:
        return self.head(self.features_from_maps(maps, sectors))


def precompute(net: "PhantomNet", x: np.ndarray, bs: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """The fixed (parameter-free) front end for a whole data set, once."""
    maps, secs = [], []
    with torch.no_grad():
        for i in range(0, len(x), bs):
            m, s_ = net.fixed_maps(torch.from_numpy(np.asarray(x[i:i + bs], dtype=np.float32)))
            maps.append(m.numpy().astype(np.float16))
            secs.append(s_.numpy().astype(np.float16))
    return np.concatenate(maps), np.concatenate(secs)


class ExportWrapper(nn.Module):
    """(N, 3, 256, 256) HU -> probabilities, logits, anomaly (ONNX graph)."""

    def __init__(self, net: PhantomNet, means: np.ndarray, inv_cov: np.ndarray,
                 anomaly_scale: float, temperature: float) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("means", torch.tensor(means, dtype=torch.float32))
        self.register_buffer("inv_cov", torch.tensor(inv_cov, dtype=torch.float32))
        self.anomaly_scale = float(anomaly_scale)
        self.temperature = float(temperature)

    def forward(self, x: torch.Tensor):
        f = self.net.features(x)
        logits = self.net.head(f)
        probs = torch.softmax(logits / self.temperature, dim=1)
        d = f.unsqueeze(1) - self.means.unsqueeze(0)                 # N, C, D
        m = torch.einsum("ncd,de,nce->nc", d, self.inv_cov, d)       # N, C
        anomaly = torch.sqrt(torch.clamp(m.min(dim=1).values, min=0.0)) / self.anomaly_scale
        return probs, logits, anomaly


def evaluate(net: nn.Module, x: np.ndarray, bs: int = 128,
             maps: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Logits and features, from images or from precomputed front-end maps."""
    net.eval()
    logits, feats = [], []
    n = len(maps[0]) if maps is not None else len(x)
    with torch.no_grad():
        for i in range(0, n, bs):
            if maps is not None:
                f = net.features_from_maps(torch.from_numpy(maps[0][i:i + bs].astype(np.float32)),
                                           torch.from_numpy(maps[1][i:i + bs].astype(np.float32)))
            else:
                f = net.features(torch.from_numpy(np.asarray(x[i:i + bs], dtype=np.float32)))
            feats.append(f.numpy())
            logits.append(net.head(f).numpy())
    return np.concatenate(logits), np.concatenate(feats)


TRAIN_SETS = ("train", "train_extra")


def cached_front_end(net: "PhantomNet", data_dir: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The fixed front end of a data set, cached beside it (keyed by the model version
    and the data file's size and time)."""
    x_path = data_dir / f"{name}.x.npy"
    st = x_path.stat()
    cache = data_dir / f"{name}.front_end.{VERSION}.{st.st_size}.{int(st.st_mtime)}.npz"
    if cache.exists():
        with np.load(cache) as z:
            return z["maps"], z["sectors"]
    maps, sectors = precompute(net, np.load(x_path, mmap_mode="r"))
    np.savez(cache, maps=maps, sectors=sectors)
    return maps, sectors


def confusion(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    cm = np.zeros((len(CLASSES), len(CLASSES)), int)
    for t_, p_ in zip(y, pred):
        cm[t_, p_] += 1
    return cm


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best, best_t = 1e9, 1.0
    for t in np.linspace(0.5, 5.0, 46):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        nll = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))).mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def calibration(probs: np.ndarray, y: np.ndarray, bins: int = 10) -> dict:
    conf = probs.max(1)
    correct = probs.argmax(1) == y
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            acc, c = float(correct[m].mean()), float(conf[m].mean())
            ece += m.mean() * abs(acc - c)
            table.append({"bin": [round(lo, 2), round(hi, 2)], "n": int(m.sum()),
                          "accuracy": round(acc, 4), "confidence": round(c, 4)})
    return {"expected_calibration_error": round(float(ece), 5), "bins": table}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", type=Path, default=ROOT / "build" / "ai_data")
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--seed", type=int, default=20261128)
    p.add_argument("--out", type=Path, default=ROOT / "models" / NAME / VERSION)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--normal-weight", type=float, default=1.5,
                   help="loss weight of the normal class (a false flag on a clean scan)")
    p.add_argument("--validate-only", action="store_true",
                   help="train and print the validation confusion; no held-out, no export")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    net = PhantomNet()
    t0 = time.time()
    sets = [n for n in TRAIN_SETS if (a.data_dir / f"{n}.npz").exists()]
    metas = {n: np.load(a.data_dir / f"{n}.npz") for n in sets}
    ytr = np.concatenate([metas[n]["y"] for n in sets])
    parts = [cached_front_end(net, a.data_dir, n) for n in sets]
    mtr = np.concatenate([m for m, _ in parts])
    str_ = np.concatenate([s_ for _, s_ in parts])
    print(f"fixed front end of {len(ytr)} training samples ({', '.join(sets)}) in "
          f"{time.time() - t0:.0f} s", flush=True)
    # 10 % of the training data: validation (choices), temperature, anomaly threshold
    rng = np.random.default_rng(a.seed)
    perm = rng.permutation(len(ytr))
    n_cal = len(ytr) // 10
    cal_idx, fit_idx = perm[:n_cal], perm[n_cal:]
    weights = torch.ones(len(CLASSES))
    weights[CLASSES.index("normal")] = a.normal_weight
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=5e-4)
    steps = a.epochs * (len(fit_idx) // 64 + 1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    for epoch in range(a.epochs):
        net.train()
        order = rng.permutation(fit_idx)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(order), 64):
            idx = np.sort(order[i:i + 64])
            yb = torch.from_numpy(ytr[idx])
            out = net.forward_maps(torch.from_numpy(mtr[idx].astype(np.float32)),
                                   torch.from_numpy(str_[idx].astype(np.float32)))
            loss = F.cross_entropy(out, yb, weight=weights, label_smoothing=0.02)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == yb).sum())
            total += len(idx)
        lg, _ = evaluate(net, None, maps=(mtr[cal_idx], str_[cal_idx]))
        cal_acc = float((lg.argmax(1) == ytr[cal_idx]).mean())
        print(f"epoch {epoch + 1}/{a.epochs}: loss {loss_sum / total:.4f} train acc "
              f"{correct / total:.4f} calib acc {cal_acc:.4f} ({time.time() - t0:.0f} s)",
              flush=True)
    # calibration and the anomaly model
    lg_cal, f_cal = evaluate(net, None, maps=(mtr[cal_idx], str_[cal_idx]))
    cm_val = confusion(ytr[cal_idx], lg_cal.argmax(1))
    print("validation confusion (rows true, cols predicted):", CLASSES)
    print(cm_val)
    if a.validate_only:
        return
    ho = np.load(a.data_dir / "heldout.npz")
    xho, yho = np.load(a.data_dir / "heldout.x.npy", mmap_mode="r"), ho["y"]
    temperature = fit_temperature(lg_cal, ytr[cal_idx])
    _, f_fit = evaluate(net, None, maps=(mtr[fit_idx], str_[fit_idx]))
    y_fit = ytr[fit_idx]
    means = np.stack([f_fit[y_fit == c].mean(0) for c in range(len(CLASSES))])
    centred = f_fit - means[y_fit]
    cov = np.cov(centred.T) + 1e-3 * np.eye(centred.shape[1])
    inv_cov = np.linalg.inv(cov).astype(np.float32)

    def maha(f: np.ndarray) -> np.ndarray:
        d = f[:, None, :] - means[None]
        return np.sqrt(np.maximum(np.einsum("ncd,de,nce->nc", d, inv_cov, d).min(1), 0))

    anomaly_scale = float(np.quantile(maha(f_cal), 0.999))
    # held-out evaluation
    lg_ho, f_ho = evaluate(net, None, maps=precompute(net, xho))
    z = lg_ho / temperature
    probs = np.exp(z - z.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    pred = probs.argmax(1)
    acc = float((pred == yho).mean())
    cm = confusion(yho, pred)
    recall = {c: round(float(cm[i, i] / cm[i].sum()), 4) for i, c in enumerate(CLASSES)}
    precision = {c: round(float(cm[i, i] / max(cm[:, i].sum(), 1)), 4)
                 for i, c in enumerate(CLASSES)}
    anomalous_normals = float((maha(f_ho) / anomaly_scale > 1.0).mean())
    print(f"held-out accuracy {acc:.4f}; recall {recall}")
    print("confusion (rows true, cols predicted):", CLASSES)
    print(cm)
    # OOD check: pure noise and an empty field must score as anomalous
    ood = np.concatenate([np.random.default_rng(1).normal(0, 300, (16, 3, 256, 256)),
                          np.full((16, 3, 256, 256), -1000.0)]).astype(np.float32)
    _, f_ood = evaluate(net, ood)
    ood_rate = float((maha(f_ood) / anomaly_scale > 1.0).mean())
    print(f"anomaly > 1 on held-out (in-distribution): {anomalous_normals:.4f}; "
          f"on OOD probes: {ood_rate:.3f}")

    a.out.mkdir(parents=True, exist_ok=True)
    onnx_path = a.out / "model.onnx"
    wrapper = ExportWrapper(net.eval(), means.astype(np.float32), inv_cov, anomaly_scale,
                            temperature).eval()
    dummy = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    torch.onnx.export(wrapper, (dummy,), str(onnx_path), input_names=["image"],
                      output_names=["probabilities", "logits", "anomaly"],
                      dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"},
                                    "logits": {0: "batch"}, "anomaly": {0: "batch"}},
                      opset_version=17, dynamo=False)
    sha = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    card = {
        "name": NAME, "version": VERSION, "file": "model.onnx", "sha256": sha,
        "task": "classification of CT phantom slices (3 adjacent slices) + anomaly score",
        "inputs": [{"name": "image", "shape": ["batch", 3, INPUT_SIZE, INPUT_SIZE],
                    "dtype": "float32", "unit": "HU",
                    "description": "slices i-1, i, i+1 resampled to 256x256 over the "
                                   "reconstruction field of view"}],
        "outputs": [{"name": "probabilities", "shape": ["batch", len(CLASSES)]},
                    {"name": "logits", "shape": ["batch", len(CLASSES)]},
                    {"name": "anomaly", "shape": ["batch"],
                     "description": "Mahalanobis distance to the nearest class, 1.0 = "
                                    "99.9th percentile of training; > 1 fits no class"}],
        "classes": list(CLASSES),
        "preprocessing": {"module": "app.ct.ai.preprocess",
                          "resample": "area to 256x256", "in_graph": "fixed front end: intensity windows, "
                          "high-pass residual, neighbour difference (32x32 maps); polar "
                          "high-pass residual of the mean of the 3 slices, 512 angles x 160 "
                          "radii about the image (reconstruction) centre, 16 sector profiles"},
        "training": {"script": "models/training/train_ct_phantom_classifier.py",
                     "data_script": "models/training/ct_phantom_dataset.py",
                     "data": "digital phantom simulator (app/ct/simulator): "
                             "catphan504/604, acr464, vendor_water; random module, "
                             "offset, roll, thickness, kernel, noise, blur; graded "
                             "artifacts",
                     "data_recipe": {
                         "sets": {n: {c: int((metas[n]["y"] == i).sum())
                                      for i, c in enumerate(CLASSES)
                                      if (metas[n]["y"] == i).any()} for n in sets},
                         "seeds": "sample k of class c: seed0 + index(c) * 1000003 + k; "
                                  "train and train_extra share seed0 (extra = k 1400..2799)",
                         "ring_label": "measured ring amplitude (physics definition: radial "
                                       "profile about the rotation centre over the covered "
                                       "angles, on the 256x256 input) 3..25 HU (held-out "
                                       "3..21) and >= the physics detection criterion over "
                                       "three slices (z 6 ring / 7 arc, 2 / 3 HU minimum; "
                                       "arcs r >= 15 mm); 3 HU = the ring warning level",
                         "band_label": "measured band amplitude (physics definition: median "
                                       "of a 15 mm central disc minus its value without the "
                                       "band, on the centre slice) 3..30 HU (held-out "
                                       "3.5..28), on the centre slice (70 %) or on it and one "
                                       "neighbour; 3 HU = the band action level",
                         "class_weights": {"normal": a.normal_weight}},
                     "train_samples": int(len(ytr)), "validation_samples": int(n_cal),
                     "validation_accuracy": round(float(np.trace(cm_val) / cm_val.sum()), 5),
                     "validation_confusion": cm_val.tolist(),
                     "train_seed0": int(metas["train"]["seed0"]), "seed": a.seed,
                     "epochs": a.epochs,
                     "labelled_sets": [], "framework": f"torch {torch.__version__}"},
        "metrics": {"heldout": {"samples": int(len(xho)), "seed0": int(ho["seed0"]),
                                "note": "different seeds and parameter ranges "
                                        "(catphan600 instead of 604, larger offsets/rolls, "
                                        "other thicknesses, ring radii and amplitudes)",
                                "accuracy": round(acc, 5), "recall": recall,
                                "precision": precision,
                                "confusion_matrix": {"rows_true_cols_pred": list(CLASSES),
                                                     "matrix": cm.tolist()},
                                "anomaly_rate_in_distribution": round(anomalous_normals, 5),
                                "anomaly_rate_ood_probes": round(ood_rate, 4)},
                    "calibration": {"temperature": temperature,
                                    **calibration(probs, yho)}},
        "thresholds": {"anomaly": 1.0, "low_confidence": 0.8},
    }
    (a.out / "card.json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.2f} MB) and card.json; "
          f"sha256 {sha[:16]}…")


if __name__ == "__main__":
    main()
