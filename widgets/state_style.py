"""State colours shared by every widget: grey is normal, colour means a state.

One table so a verdict, an alarm priority and a connection light never disagree.
Colours are dark enough for white text (contrast >= 4.5:1 on the badge) and are
never used for decoration.
"""
from __future__ import annotations

from app.core.measurement import Verdict

NEUTRAL_BG = "#d5d9de"     # grey "nothing to report" badge
NEUTRAL_FG = "#2b2f33"
TEXT_ON_STATE = "#ffffff"

VERDICT_COLORS: dict[Verdict, str] = {
    Verdict.PASS: "#2e7d32",   # green
    Verdict.WARN: "#9a5b00",   # amber (dark, readable with white text)
    Verdict.FAIL: "#c62828",   # red
    Verdict.ERROR: "#6a1b9a",  # purple: could not decide, never reads as pass
    Verdict.SKIP: "#6b7177",   # grey
}

# Alarm priorities (IEC 60601-1-8 style: high / medium / low) plus a critical level.
PRIORITY_COLORS: dict[str, str] = {
    "critical": "#b71c1c",
    "high": "#c62828",
    "medium": "#9a5b00",
    "low": "#37627a",
    "info": "#6b7177",
}

# Connection / service lights in the status bar.
LIGHT_COLORS: dict[str, str] = {
    "ok": "#2e7d32",
    "warning": "#9a5b00",
    "error": "#c62828",
    "unknown": "#8a9096",
    "off": "#8a9096",
}

NOTICE_COLORS: dict[str, str] = {
    "info": "#37627a",
    "success": "#2e7d32",
    "warning": "#9a5b00",
    "error": "#c62828",
    "safety": "#b71c1c",
}


def as_verdict(value: Verdict | str | None) -> Verdict | None:
    """Accept a Verdict, its name ("pass", "FAIL") or None."""
    if value is None or value == "":
        return None
    if isinstance(value, Verdict):
        return value
    return Verdict(str(value).upper())


def verdict_color(value: Verdict | str | None) -> str:
    v = as_verdict(value)
    return VERDICT_COLORS[v] if v is not None else NEUTRAL_BG

# Overlays drawn on dark CT images need brighter tones of the same states.
OVERLAY_NEUTRAL = "#e3e6ea"
OVERLAY_COLORS: dict[Verdict, str] = {
    Verdict.PASS: "#5fd068",
    Verdict.WARN: "#ffb300",
    Verdict.FAIL: "#ff5252",
    Verdict.ERROR: "#d59cf0",
    Verdict.SKIP: "#b0b8c0",
}


def overlay_color(value: Verdict | str | None) -> str:
    v = as_verdict(value)
    return OVERLAY_COLORS[v] if v is not None else OVERLAY_NEUTRAL
