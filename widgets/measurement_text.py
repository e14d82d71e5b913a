"""How a measurement's value and limits read in the measurement table (display only: the
record keeps raw values and ``Limits.text()``): a value and its limits to the same
decimals (``display_decimals``), "low .. high" / "<= x" / ">= x" / "= x"."""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QCoreApplication

from app.core.measurement import Measurement

MAX_DECIMALS = 6


def format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return QCoreApplication.translate("MeasurementTable", "yes") if value else \
            QCoreApplication.translate("MeasurementTable", "no")
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3e}"
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"
    return str(value)


def _decimals(text: str) -> int | None:
    """Digits after the point of a fixed-point text (None: exponent or not a number)."""
    if "e" in text or not text.lstrip("-").replace(".", "", 1).isdigit():
        return None
    return len(text.split(".", 1)[1]) if "." in text else 0


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        not (isinstance(value, float) and math.isnan(value))


def display_decimals(m: Measurement) -> int | None:
    """The decimals a measurement's value and limits are shown with: the value's own
    (``format_value``), more only where a limit needs them to stay itself at 4
    significant digits (a slope of 1 against 0.99 .. 1.01 reads "1.00", not "1 .. 1").
    None: not a plain number (texts, exponent form) - each figure keeps its own form."""
    if not _is_number(m.value):
        return None
    d = _decimals(format_value(m.value))
    if d is None:
        return None
    if isinstance(m.value, int):
        d = 0
    for bound in (m.limits.low, m.limits.high):
        if _is_number(bound):
            need = _decimals(format_value(float(bound)))
            if need is None:
                return None
            d = max(d, need)
    return min(d, MAX_DECIMALS)


def value_text(m: Measurement) -> str:
    d = display_decimals(m)
    if d is None or isinstance(m.value, int):
        return format_value(m.value)
    return f"{m.value:.{d}f}"


def limits_text(m: Measurement) -> str:
    """The limits as shown: "low .. high", "<= high", ">= low" or "= x", to the value's
    decimals (the record keeps ``Limits.text()`` and the exact numbers)."""
    lim = m.limits
    if lim.equals is not None:
        return f"= {format_value(lim.equals)}"
    d = display_decimals(m)

    def fmt(x: Any) -> str:
        if d is None or not _is_number(x):
            return format_value(float(x)) if _is_number(x) else str(x)
        return f"{float(x):.{d}f}"
    if lim.low is not None and lim.high is not None:
        return f"{fmt(lim.low)} .. {fmt(lim.high)}"
    if lim.low is not None:
        return f">= {fmt(lim.low)}"
    if lim.high is not None:
        return f"<= {fmt(lim.high)}"
    return "-"
