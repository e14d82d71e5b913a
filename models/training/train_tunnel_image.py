"""Train the detector-image uniformity/defect classifier on simulated flat-field images.

Positive class (1, "defect"): images with a blob or a dead column (CArmSim image_defect).
Run: .venv/bin/python models/training/train_tunnel_image.py
"""
from __future__ import annotations

import numpy as np
from train_tunnel_common import train_and_export

from station_plugins.tunnel_test.ai_step import image_features
from station_plugins.tunnel_test.carm_sim import CArmSim, Defects


def make_data(n_per_class: int = 600, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X, y = [], []
    for label in (0, 1):
        sim = CArmSim(seed=seed + label, defects=Defects(image_defect=bool(label)))
        for _ in range(n_per_class):
            kv, ms = float(rng.uniform(55, 115)), float(rng.choice([5, 10, 20, 40, 80]))
            X.append(image_features(sim.capture(kv, 5.0, ms, "flat")))
            y.append(label)
    return np.asarray(X, dtype=np.float32), np.asarray(y)


if __name__ == "__main__":
    X, y = make_data()
    train_and_export("tunnel_image", "1.0.0", X, y, classes=["ok", "defect"],
                     preprocess="image_blocks16",
                     description="Flat-field detector image: uniform (ok) vs defect "
                                 "(local blob, dead column)",
                     training_data="CArmSim flat fields 55-115 kV, 5-80 ms; 600 ok + 600 "
                                   "defect, seed 11; 30 % held out")
