"""Installed classifier folders judged on stored data sets (held-out), side by side.

    PYTHONPATH=$PWD .venv/bin/python models/training/eval_heldout.py \
        --data-dir /tmp/ai25/data models/ct_phantom_classifier/2.0.0 /tmp/cand/2.5.0

Each folder's ``model.onnx`` (inputs ``image``, ``context`` as the series run feeds them)
on the applicable samples of the named sets (ct_phantom_dataset2.py output): accuracy,
recall per class, the share of slices below the 0.8 confidence (weak) and the weak rate
the series test would use (weak share + 1 - normal recall, as
app/ct/ai/series_decision reads it from a card). A model trained on other sets can be
compared on the same slices: e.g. 2.0.0 (recipe 2.0 data) on the recipe 2.5 held-out.
A model of an evidence layout (its card's ``preprocessing.scheme``) gets the stored
context with the set's evidence (ai_evidence_cache.py's ev4; the ring layout: its ring
slots) before the body median, as the training fed it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ct.ai.preprocess import CLASSES  # noqa: E402

SETS = "sim_heldout,sim_edgeheldout,img_heldout,img_edgeheldout"


def context(scheme: str, data_dir: Path, name: str, ctx: np.ndarray) -> np.ndarray:
    """The stored context in the layout of the card's ``scheme``."""
    from app.ct.ai.check import SCHEME_EVIDENCE, ring_layout
    from app.ct.ai.evidence import EVIDENCE_NAMES, RING_EVIDENCE_NAMES
    from app.ct.ai.normalise import N_FEATURES, concentric_level

    ring = ring_layout(scheme)
    if scheme != SCHEME_EVIDENCE and ring is None:
        return ctx
    sys.path.insert(0, str(ROOT / "models" / "training"))
    import ai_evidence_cache
    from ai_evidence_cache import set_evidence

    ai_evidence_cache.CONCENTRIC = concentric_level(ring or False)   # ev4 / ev5 / ev6
    ev = set_evidence(data_dir, name)
    if ring is not None:
        ev = ev[:, [EVIDENCE_NAMES.index(n) for n in RING_EVIDENCE_NAMES]]
    return np.concatenate([ctx[:, :N_FEATURES], ev, ctx[:, N_FEATURES:]], axis=1)


def judge(model_dir: Path, data_dir: Path, sets: list[str]) -> tuple[np.ndarray, np.ndarray]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), so,
                                providers=["CPUExecutionProvider"])
    import json

    scheme = json.loads((model_dir / "card.json").read_text())["preprocessing"]["scheme"]
    probs, ys = [], []
    for name in sets:
        meta = np.load(data_dir / f"{name}.npz")
        x = np.load(data_dir / f"{name}.x.npy", mmap_mode="r")
        ok = np.array([not p for p in meta["problems"]])
        ctx = context(scheme, data_dir, name, meta["ctx"]).astype(np.float32)
        for i in range(0, len(ok), 64):
            p = sess.run(["probabilities"], {
                "image": np.asarray(x[i:i + 64], np.float32),
                "context": ctx[i:i + 64]})[0]
            probs.append(p[ok[i:i + 64]])
            ys.append(meta["y"][i:i + 64][ok[i:i + 64]])
    return np.concatenate(probs), np.concatenate(ys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("models", nargs="+", type=Path, help="installed model folders")
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--sets", default=SETS)
    a = ap.parse_args()
    print("| model | samples | accuracy | " + " | ".join(CLASSES) + " | weak < 0.8 | weak rate q |")
    print("|---" * (len(CLASSES) + 5) + "|")
    for m in a.models:
        p, y = judge(m, a.data_dir, a.sets.split(","))
        pred, conf = p.argmax(1), p.max(1)
        rec = [f"{(pred[y == k] == k).mean():.3f}" if (y == k).any() else "-"
               for k in range(len(CLASSES))]
        weak = float((conf < 0.8).mean())
        q = weak + 1.0 - float((pred[y == 0] == 0).mean())
        print(f"| {m} | {len(y)} | {(pred == y).mean():.4f} | " + " | ".join(rec)
              + f" | {weak:.4f} | {q:.4f} |")


if __name__ == "__main__":
    main()
