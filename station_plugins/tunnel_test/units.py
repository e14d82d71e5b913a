"""Units of the tunnel's measurements: dimension + scale, conversion, compatibility.

A limit written in a unit of the same dimension as the measurement (mA vs uA) is
converted; a limit in a unit of another dimension (kV vs mA) is rejected at load.
"""
from __future__ import annotations

# unit -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    # electric potential
    "V": ("voltage", 1.0), "kV": ("voltage", 1e3), "mV": ("voltage", 1e-3),
    # current
    "A": ("current", 1.0), "mA": ("current", 1e-3), "uA": ("current", 1e-6),
    "µA": ("current", 1e-6),
    # time
    "s": ("time", 1.0), "ms": ("time", 1e-3), "us": ("time", 1e-6), "min": ("time", 60.0),
    # resistance
    "ohm": ("resistance", 1.0), "mohm": ("resistance", 1e-3), "kohm": ("resistance", 1e3),
    "Mohm": ("resistance", 1e6), "Gohm": ("resistance", 1e9),
    # length
    "m": ("length", 1.0), "mm": ("length", 1e-3), "cm": ("length", 1e-2), "um": ("length", 1e-6),
    # angle
    "deg": ("angle", 1.0),
    # speeds
    "mm/s": ("speed", 1e-3), "m/s": ("speed", 1.0), "deg/s": ("angular_speed", 1.0),
    # dose / dose rate / charge
    "Gy": ("dose", 1.0), "mGy": ("dose", 1e-3), "uGy": ("dose", 1e-6),
    "uGy/mAs": ("dose_per_charge", 1.0), "mAs": ("charge", 1.0),
    # imaging
    "lp/mm": ("spatial_frequency", 1.0), "DN": ("digital_number", 1.0),
    # mechanics, temperature
    "N": ("force", 1.0), "Nm": ("torque", 1.0), "degC": ("temperature", 1.0),
    # dimensionless
    "%": ("ratio", 1e-2), "ratio": ("ratio", 1.0), "1": ("ratio", 1.0),
    "count": ("count", 1.0), "bool": ("boolean", 1.0), "text": ("text", 1.0),
}


class UnitError(ValueError):
    """Unknown unit or incompatible dimensions (message is operator-readable)."""


def dimension(unit: str) -> str:
    try:
        return _UNITS[unit][0]
    except KeyError:
        raise UnitError(f"unknown unit '{unit}' (known: {', '.join(sorted(_UNITS))})") from None


def is_known(unit: str) -> bool:
    return unit in _UNITS


def factor(from_unit: str, to_unit: str) -> float:
    """Multiplier converting a value in ``from_unit`` into ``to_unit``."""
    d_from, f_from = _UNITS.get(from_unit, (None, 0.0))
    d_to, f_to = _UNITS.get(to_unit, (None, 0.0))
    if d_from is None:
        raise UnitError(f"unknown unit '{from_unit}'")
    if d_to is None:
        raise UnitError(f"unknown unit '{to_unit}'")
    if d_from != d_to:
        raise UnitError(f"unit '{from_unit}' ({d_from}) is not compatible with "
                        f"'{to_unit}' ({d_to})")
    return f_from / f_to


def convert(value: float | None, from_unit: str, to_unit: str) -> float | None:
    if value is None:
        return None
    if from_unit == to_unit:
        return value
    return float(value) * factor(from_unit, to_unit)
