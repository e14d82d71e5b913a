"""Train the motor-current waveform anomaly classifier on simulated axis moves.

Positive class (1, "anomaly"): bearing fault (periodic ripple + spikes).
Run: .venv/bin/python models/training/train_tunnel_waveform.py
"""
from __future__ import annotations

import numpy as np
from train_tunnel_common import train_and_export

from station_plugins.tunnel_test.ai_step import waveform_features
from station_plugins.tunnel_test.carm_sim import AXES, CArmSim, Defects


def make_data(n_per_class: int = 600, seed: int = 21) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X, y = [], []
    axes = list(AXES)
    for label in (0, 1):
        for i in range(n_per_class):
            axis = axes[i % len(axes)]
            sim = CArmSim(seed=int(rng.integers(1 << 30)),
                          defects=Defects(bearing_fault=axis if label else ""))
            X.append(waveform_features(sim.motor_current(axis)))
            y.append(label)
    return np.asarray(X, dtype=np.float32), np.asarray(y)


if __name__ == "__main__":
    X, y = make_data()
    train_and_export("tunnel_waveform", "1.0.0", X, y, classes=["normal", "anomaly"],
                     preprocess="waveform_residual32",
                     description="Axis motor-current waveform: normal vs anomaly (bearing "
                                 "ripple, current spikes)",
                     training_data="CArmSim moves on 5 axes; 600 normal + 600 bearing-fault, "
                                   "seed 21; 30 % held out")
