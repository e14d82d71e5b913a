"""Synthetic module pools in the import format (demo, tests, benchmarks, training).

Each module has a hidden *true* channel response (what the ring simulator uses) and
*measured* indicators (what the import file holds = truth + test-bench noise).
Structure that matters for matching:

* lots share offsets (crystal growth batch) -> lot clusters in indicator space;
* correlated indicators (one crystal-quality factor drives linearity, afterglow and
  noise; one temperature factor drives drift and dark current);
* each module has its own LEFT and RIGHT edge behaviour (cut and polish of the crystal
  edges), so the mismatch i|j differs from j|i;
* a few modules are out of spec (dead or noisy channel, high afterglow).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from station_plugins.detector_matching import indicators as I

# the kinds that reach the image after calibration (see ring_sim.channel_error)
RESIDUAL_KINDS = ("linearity", "afterglow", "spectral", "noise")


@dataclass
class GeneratedPool:
    serials: list[str]
    lots: list[str]
    test_dates: list[str]
    values: np.ndarray                       # (m, 500) measured indicators
    truth: dict[str, np.ndarray] = field(default_factory=dict)  # kind -> (m, Z, C)
    out_of_spec: np.ndarray | None = None    # (m,) bool, planted defects


def _profile(rng: np.random.Generator, m: int, base: np.ndarray, tilt_sd: float,
             edge_sd: float, zone_sd: float, chan_sd: float, edge_mean: float = 0.0,
             edge_left: np.ndarray | None = None, edge_right: np.ndarray | None = None
             ) -> np.ndarray:
    """(m, Z, C) channel profile: base + tilt + left/right edge bumps + zone + noise."""
    c = np.arange(I.CHANNELS)
    x = (c - (I.CHANNELS - 1) / 2) / ((I.CHANNELS - 1) / 2)
    left_shape = np.exp(-c / 1.3)
    right_shape = np.exp(-(I.CHANNELS - 1 - c) / 1.3)
    tilt = rng.normal(0, tilt_sd, (m, 1, 1))
    el = edge_left if edge_left is not None else rng.normal(edge_mean, edge_sd, (m, 1))
    er = edge_right if edge_right is not None else rng.normal(edge_mean, edge_sd, (m, 1))
    zone = rng.normal(0, zone_sd, (m, I.ZONES, 1))
    # edge effects vary a little with z as well
    el_z = el[:, None, :] * (1 + rng.normal(0, 0.15, (m, I.ZONES, 1)))
    er_z = er[:, None, :] * (1 + rng.normal(0, 0.15, (m, I.ZONES, 1)))
    return (base[:, None, None] + tilt * x + el_z * left_shape + er_z * right_shape
            + zone + rng.normal(0, chan_sd, (m, I.ZONES, I.CHANNELS)))


def generate(modules: int, seed: int = 0, *, lots: int | None = None,
             out_of_spec_fraction: float = 0.02, measurement_noise: float = 0.08,
             start_date: date = date(2025, 3, 1)) -> GeneratedPool:
    rng = np.random.default_rng(seed)
    m = int(modules)
    n_lots = lots or max(2, int(round(m / 55)))
    lot_of = np.sort(rng.integers(0, n_lots, m))
    lot_names = [f"L{seed % 1000:03d}-{k:02d}" for k in range(n_lots)]
    lot_q = rng.normal(0, 0.8, n_lots)            # lot crystal quality offset
    lot_t = rng.normal(0, 0.6, n_lots)            # lot temperature behaviour
    lot_s = rng.normal(0, 0.7, n_lots)            # lot spectral offset
    lot_edge = rng.normal(0, 0.5, (n_lots, 4))    # lot edge polish signature
    q = lot_q[lot_of] + rng.normal(0, 1, m)       # crystal quality factor (+ = worse)
    t = lot_t[lot_of] + rng.normal(0, 1, m)       # temperature factor
    s = lot_s[lot_of] + rng.normal(0, 1, m)       # spectral factor
    le = lot_edge[lot_of]

    def edges(k: int, sd: float) -> tuple[np.ndarray, np.ndarray]:
        lft = (le[:, k] * sd + rng.normal(0, sd, m))[:, None]
        rgt = (le[:, (k + 1) % 4] * sd + rng.normal(0, sd, m))[:, None]
        return lft, rgt

    truth: dict[str, np.ndarray] = {}
    truth["gain"] = _profile(rng, m, 1 + 0.02 * lot_q[lot_of] + rng.normal(0, 0.02, m),
                             0.01, 0.015, 0.005, 0.008)
    truth["offset"] = _profile(rng, m, 100 + 5 * t + rng.normal(0, 4, m), 1.0, 1.5, 0.8, 1.2)
    el, er = edges(0, 0.09)
    truth["linearity"] = _profile(rng, m, 0.25 + 0.08 * q, 0.05, 0, 0.02, 0.015,
                                  edge_left=el + 0.03 * q[:, None],
                                  edge_right=er + 0.03 * q[:, None])
    el, er = edges(1, 22.0)
    truth["afterglow"] = _profile(rng, m, 120 + 22 * q + 8 * t, 6.0, 0, 3.0, 2.5,
                                  edge_left=el + 25, edge_right=er + 25)
    el, er = edges(2, 0.12)
    truth["spectral"] = _profile(rng, m, 0.1 * s, 0.05, 0, 0.02, 0.02,
                                 edge_left=el, edge_right=er)
    el, er = edges(3, 0.10)
    truth["noise"] = _profile(rng, m, 0.85 + 0.05 * q, 0.02, 0, 0.01, 0.02,
                              edge_left=el + 0.08, edge_right=er + 0.08)
    truth["crosstalk"] = _profile(rng, m, 1.2 + 0.15 * q, 0.08, 0.1, 0.03, 0.05,
                                  edge_mean=-0.3)
    drift = (0.03 * t[:, None] + 0.01 * rng.normal(0, 1, (m, 1))
             + rng.normal(0, 0.004, (m, I.CHANNELS)))
    truth["drift"] = np.repeat(drift[:, None, :], I.ZONES, axis=1)

    # planted defects
    bad = rng.random(m) < out_of_spec_fraction
    for i in np.flatnonzero(bad):
        ch, z = rng.integers(0, I.CHANNELS), rng.integers(0, I.ZONES)
        defect = rng.integers(0, 3)
        if defect == 0:
            truth["gain"][i, z, ch] = rng.uniform(0.05, 0.45)        # dead channel
        elif defect == 1:
            truth["noise"][i, z, ch] = rng.uniform(2.0, 4.0)         # noisy channel
        else:
            truth["afterglow"][i, :, ch] += rng.uniform(350, 600)   # afterglow defect

    values = np.empty((m, len(I.INDICATOR_COLUMNS)))
    measured: dict[str, np.ndarray] = {}
    for kind in I.ZONED_KINDS:
        tr = truth[kind]
        spread = float(np.std(tr)) or 1.0
        measured[kind] = tr + rng.normal(0, measurement_noise * spread, tr.shape)
        start = I.COLUMN_INDEX[I.zoned_column(kind, 0, 0)]
        values[:, start:start + I.ZONES * I.CHANNELS] = measured[kind].reshape(m, -1)
    drift_meas = truth["drift"][:, 0, :] + rng.normal(0, measurement_noise * 0.03,
                                                      (m, I.CHANNELS))
    values[:, I.COLUMN_INDEX[I.drift_column(0)]:
           I.COLUMN_INDEX[I.drift_column(0)] + I.CHANNELS] = drift_meas
    for kind in I.ZONED_KINDS:
        v = measured[kind]
        values[:, I.COLUMN_INDEX[f"agg_{kind}_mean"]] = v.mean(axis=(1, 2))
        values[:, I.COLUMN_INDEX[f"agg_{kind}_std"]] = v.std(axis=(1, 2))
        values[:, I.COLUMN_INDEX[f"agg_{kind}_max"]] = v.max(axis=(1, 2))
        values[:, I.COLUMN_INDEX[f"agg_{kind}_edge_step"]] = np.abs(
            v[:, :, I.LEFT_EDGE] - v[:, :, I.RIGHT_EDGE]).mean(axis=1)
    values[:, I.COLUMN_INDEX["agg_drift_mean"]] = drift_meas.mean(axis=1)
    values[:, I.COLUMN_INDEX["agg_drift_std"]] = drift_meas.std(axis=1)
    values[:, I.COLUMN_INDEX["agg_dead_channels"]] = (measured["gain"] < 0.6).sum(axis=(1, 2))
    values[:, I.COLUMN_INDEX["agg_hot_channels"]] = (measured["gain"] > 1.4).sum(axis=(1, 2))
    values[:, I.COLUMN_INDEX["agg_dark_current"]] = 12 + 3 * t + rng.normal(0, 1, m)
    values[:, I.COLUMN_INDEX["agg_temperature"]] = 24 + rng.normal(0, 0.5, m)
    values[:, I.COLUMN_INDEX["agg_hv_bias"]] = 400 + rng.normal(0, 2, m)
    values[:, I.COLUMN_INDEX["agg_test_duration"]] = 180 + rng.normal(0, 10, m)

    serials = [f"DM{seed % 100000:05d}-{k:05d}" for k in range(m)]
    order = rng.permutation(m)  # files are not sorted by lot
    days = rng.integers(0, 60, m)
    dates = [(start_date + timedelta(days=int(d))).isoformat() for d in days]
    return GeneratedPool(
        serials=[serials[k] for k in order],
        lots=[lot_names[lot_of[k]] for k in order],
        test_dates=[dates[k] for k in order],
        values=values[order],
        truth={k: v[order] for k, v in truth.items()},
        out_of_spec=bad[order])
