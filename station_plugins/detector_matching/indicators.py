"""The module test-data format: indicator columns, units and specification limits.

A module has ``CHANNELS`` channels along the fan (``c00`` is the LEFT edge channel,
``c15`` the RIGHT edge channel, looking from the source) and ``ZONES`` row zones (z).
Per-channel zoned indicators are named ``<kind>_z<zone>_c<channel>``; the per-channel
temperature drift is ``drift_c<channel>``; module-level aggregates are ``agg_<name>``.
That makes 7*16*4 + 16 + 36 = 500 indicators per module.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCHEMA_VERSION = "DM-1.0"            # value of the schema_version column
SCHEMA_MAJOR = SCHEMA_VERSION.split(".")[0]
CHANNELS = 16
ZONES = 4
LEFT_EDGE, RIGHT_EDGE = 0, CHANNELS - 1

ID_COLUMNS = ("module_serial", "lot", "test_date", "schema_version")

# kind -> unit (per-channel, zoned)
ZONED_KINDS: dict[str, str] = {
    "gain": "rel",          # relative gain (1 = nominal), removed by calibration
    "offset": "counts",     # dark offset, removed by calibration
    "linearity": "%",       # deviation from linear response over the flux range
    "afterglow": "ppm",     # signal remaining 5 ms after beam off
    "noise": "%",           # relative noise at reference flux
    "spectral": "%",        # gain change between 80 kV and 140 kV beams
    "crosstalk": "%",       # signal leaking to the neighbour channel
}
DRIFT_UNIT = "%/K"          # gain temperature coefficient per channel

AGGREGATES: dict[str, str] = {}
for _k, _u in ZONED_KINDS.items():
    AGGREGATES[f"agg_{_k}_mean"] = _u
    AGGREGATES[f"agg_{_k}_std"] = _u
    AGGREGATES[f"agg_{_k}_max"] = _u
    AGGREGATES[f"agg_{_k}_edge_step"] = _u   # |left edge - right edge| mean over zones
AGGREGATES.update({
    "agg_drift_mean": DRIFT_UNIT, "agg_drift_std": DRIFT_UNIT,
    "agg_dead_channels": "count", "agg_hot_channels": "count",
    "agg_dark_current": "pA", "agg_temperature": "degC",
    "agg_hv_bias": "V", "agg_test_duration": "s",
})


def zoned_column(kind: str, zone: int, channel: int) -> str:
    return f"{kind}_z{zone}_c{channel:02d}"


def drift_column(channel: int) -> str:
    return f"drift_c{channel:02d}"


def indicator_columns() -> list[str]:
    cols = [zoned_column(k, z, c) for k in ZONED_KINDS for z in range(ZONES)
            for c in range(CHANNELS)]
    cols += [drift_column(c) for c in range(CHANNELS)]
    cols += list(AGGREGATES)
    return cols


def indicator_units() -> dict[str, str]:
    units = {zoned_column(k, z, c): u for k, u in ZONED_KINDS.items()
             for z in range(ZONES) for c in range(CHANNELS)}
    units.update({drift_column(c): DRIFT_UNIT for c in range(CHANNELS)})
    units.update(AGGREGATES)
    return units


INDICATOR_COLUMNS: tuple[str, ...] = tuple(indicator_columns())
UNITS: dict[str, str] = indicator_units()
COLUMN_INDEX: dict[str, int] = {c: i for i, c in enumerate(INDICATOR_COLUMNS)}


def zoned_block(values: np.ndarray, kind: str) -> np.ndarray:
    """(m, ZONES, CHANNELS) view of one zoned kind from an (m, 500) indicator matrix."""
    start = COLUMN_INDEX[zoned_column(kind, 0, 0)]
    return values[:, start:start + ZONES * CHANNELS].reshape(-1, ZONES, CHANNELS)


def drift_block(values: np.ndarray) -> np.ndarray:
    start = COLUMN_INDEX[drift_column(0)]
    return values[:, start:start + CHANNELS]


def aggregate(values: np.ndarray, name: str) -> np.ndarray:
    return values[:, COLUMN_INDEX[name]]


@dataclass(frozen=True)
class SpecLimit:
    """Acceptance limit of one module property; a module outside is out of spec."""
    name: str
    description: str
    low: float
    high: float


# Evaluated on derived per-module properties (see importer.module_properties).
SPEC_LIMITS: tuple[SpecLimit, ...] = (
    SpecLimit("min_channel_gain", "lowest channel gain (dead channel)", 0.6, np.inf),
    SpecLimit("max_channel_gain", "highest channel gain (hot channel)", -np.inf, 1.4),
    SpecLimit("max_noise", "highest channel noise", -np.inf, 1.6),
    SpecLimit("max_afterglow", "highest channel afterglow", -np.inf, 400.0),
    SpecLimit("max_abs_linearity", "largest |linearity deviation|", -np.inf, 1.2),
    SpecLimit("max_abs_drift", "largest |temperature drift|", -np.inf, 0.12),
    SpecLimit("max_crosstalk", "highest crosstalk", -np.inf, 4.0),
)


def module_properties(values: np.ndarray) -> dict[str, np.ndarray]:
    gain = zoned_block(values, "gain")
    return {
        "min_channel_gain": gain.min(axis=(1, 2)),
        "max_channel_gain": gain.max(axis=(1, 2)),
        "max_noise": zoned_block(values, "noise").max(axis=(1, 2)),
        "max_afterglow": zoned_block(values, "afterglow").max(axis=(1, 2)),
        "max_abs_linearity": np.abs(zoned_block(values, "linearity")).max(axis=(1, 2)),
        "max_abs_drift": np.abs(drift_block(values)).max(axis=1),
        "max_crosstalk": zoned_block(values, "crosstalk").max(axis=(1, 2)),
    }


def out_of_spec_reasons(values: np.ndarray) -> list[list[str]]:
    """Per module, the list of violated limits (empty = in spec)."""
    props = module_properties(values)
    reasons: list[list[str]] = [[] for _ in range(values.shape[0])]
    for lim in SPEC_LIMITS:
        v = props[lim.name]
        bad = (v < lim.low) | (v > lim.high)
        for i in np.flatnonzero(bad):
            bound = f">= {lim.low:g}" if v[i] < lim.low else f"<= {lim.high:g}"
            reasons[i].append(f"out of spec: {lim.description} {v[i]:.4g} "
                              f"(limit {bound})")
    return reasons
