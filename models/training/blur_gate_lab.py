"""The blur gate alone, left out by renderer (issue 16): each gate variant fitted on two
renderers' stored edge profiles, tested on the third - in seconds, without training a
network (the gate is fitted first and frozen, ai_edge_mtf.EdgeMTFGate.fit, so its
left-out figures are the network's blur decision's, to the members' validation splits).

    PYTHONPATH=$PWD .venv/bin/python models/training/blur_gate_lab.py --data-dir D

D: ct_phantom_dataset2.py output (``<r>_<kind>.npz`` of the renderers sim / img / r3;
the edge spread is the context's ``esf`` columns). Prints per left-out renderer the blur
recall, the share of the other classes called blur and of the normals called blur.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))

from app.ct.ai.normalise import N_FEATURES  # noqa: E402
from app.ct.ai.preprocess import CLASSES  # noqa: E402
from train_ct_phantom_classifier2 import N_SCALARS, applicable  # noqa: E402
KINDS = ("train", "edge", "centred", "heldout", "edgeheldout")
F_2_10 = (0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50)
F_2_11 = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50, 0.60)
F_WIDE = tuple(round(0.05 * k, 2) for k in range(1, 17))          # 0.05-0.80
VARIANTS = {"0.10-0.50 lp/mm (to 2.10.0)": (F_2_10, False),
            "0.05-0.60 lp/mm (2.11.0)": (F_2_11, False),
            "0.05-0.80 lp/mm": (F_WIDE, False),
            "0.05-0.80 lp/mm + line spread, standardised (--blur-gate-lsf)": (F_WIDE, True)}


def load(data_dir: Path, r: str) -> tuple[np.ndarray, np.ndarray]:
    esf, y = [], []
    for k in KINDS:
        p = data_dir / f"{r}_{k}.npz"
        if not p.exists():
            continue
        m = np.load(p)
        ok = applicable(m["problems"])
        esf.append(np.nan_to_num(m["ctx"][ok, N_SCALARS:N_FEATURES]).astype(np.float32))
        y.append(m["y"][ok])
    return np.concatenate(esf), np.concatenate(y)


def main() -> None:
    import torch
    from ai_edge_mtf import EdgeMTFGate

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, required=True)
    a = ap.parse_args()
    blur = CLASSES.index("blur")
    data = {r: load(a.data_dir, r) for r in ("sim", "img", "r3")
            if (a.data_dir / f"{r}_train.npz").exists()}
    print("| gate | left out | blur recall | others called blur | normals called blur |")
    print("|---|---|---|---|---|")
    for name, (freqs, lsf) in VARIANTS.items():
        for test in data:
            fit = [r for r in data if r != test]
            e = torch.from_numpy(np.concatenate([data[r][0] for r in fit]))
            y = torch.from_numpy(np.concatenate([data[r][1] for r in fit]) == blur)
            torch.manual_seed(0)
            gate = EdgeMTFGate(e.shape[1], freqs, with_lsf=lsf)
            gate.fit(e, y)
            et, yt = data[test]
            with torch.no_grad():
                p = (gate(torch.from_numpy(et)) > 0).numpy()
            print(f"| {name} | {test} | {p[yt == blur].mean():.3f} | "
                  f"{100 * p[yt != blur].mean():.2f} % | {100 * p[yt == 0].mean():.2f} % |",
                  flush=True)


if __name__ == "__main__":
    main()
