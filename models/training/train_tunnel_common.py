"""Shared helpers for the tunnel AI models: train an MLP on simulator data, export to
ONNX (skl2onnx, probabilities as a plain tensor), write the card with held-out metrics.

Dev-only dependencies: scikit-learn, skl2onnx, onnx.
"""
from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def train_and_export(name: str, version: str, X: np.ndarray, y: np.ndarray,
                     classes: list[str], preprocess: str, description: str,
                     training_data: str, hidden: tuple[int, ...] = (32,), seed: int = 0) -> dict:
    from skl2onnx import to_onnx
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    clf = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=hidden, max_iter=800,
                                                        random_state=seed))
    clf.fit(Xtr, ytr)
    pred = clf.predict(Xte)
    cm = confusion_matrix(yte, pred, labels=[0, 1])
    tn, fp, fn, tp = (int(v) for v in cm.ravel())   # positive class = 1 = defect/anomaly
    onx = to_onnx(clf, Xtr[:1].astype(np.float32), options={id(clf.steps[-1][1]): {"zipmap": False}},
                  target_opset=17)
    out_dir = ROOT / "models" / name
    out_dir.mkdir(parents=True, exist_ok=True)
    data = onx.SerializeToString()
    (out_dir / f"{name}.onnx").write_bytes(data)
    card = {
        "id": name, "version": version, "file": f"{name}.onnx",
        "sha256": hashlib.sha256(data).hexdigest(), "description": description,
        "classes": classes, "input": {"name": onx.graph.input[0].name, "size": int(X.shape[1]),
                                      "preprocess": preprocess},
        "training_data": training_data, "trained_utc": datetime.now(timezone.utc).isoformat(
            timespec="seconds"),
        "trainer": "models/training/" + Path(sys.argv[0]).name,
        "architecture": f"StandardScaler + MLP{hidden} (scikit-learn), exported with skl2onnx",
        "metrics_held_out": {"n": int(len(yte)), "accuracy": round((tp + tn) / len(yte), 4),
                             "sensitivity": round(tp / max(tp + fn, 1), 4),
                             "specificity": round(tn / max(tn + fp, 1), 4),
                             "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn}},
        "intended_use": "Second opinion beside the engineering limits of the tunnel test; "
                        "never turns an engineering FAIL into a PASS.",
    }
    (out_dir / "card.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    print(json.dumps(card["metrics_held_out"]), out_dir)
    return card
