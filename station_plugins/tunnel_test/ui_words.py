"""The tunnel console's words for what the sequence files name in code: measurement
names (``kv``, ``dose_per_mas``), units written as words (``bool``, ``ratio``), yes/no
values and answers, and the sequence list's status and source.

The sequence file is the released, signed contract: its names stay as they are in the
record; only what the table shows is put into the user's language (a name the
vocabulary does not know is shown as written). Chinese from the plant where it has the
word (噪声, 空间分辨率, 温度, 湿度, 电流; ``resources/i18n/tunnel_test_zh_CN.ts``).
"""
from __future__ import annotations

import re
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication


_WORDS: dict[tuple[str, str], dict[str, str]] = {}


def _cached(kind: str, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """A vocabulary in the current UI language, built once per language (the step table
    asks for a word per line of every painted cell: 36 translate calls each, uncached)."""
    from app.ui.i18n import current_language

    key = (kind, current_language())
    words = _WORDS.get(key)
    if words is None:
        words = _WORDS[key] = build()
    return words


def _names() -> dict[str, str]:
    return _cached("names", _build_names)


def _build_names() -> dict[str, str]:
    tr = QCoreApplication.translate
    return {
        "closed": tr("TunnelWords", "door closed"),
        "ambient": tr("TunnelWords", "ambient temperature"),
        "humidity": tr("TunnelWords", "humidity"),
        "answer": tr("TunnelWords", "answer"),
        "beam_on": tr("TunnelWords", "beam on"),
        "kv": tr("TunnelWords", "tube voltage"),
        "ma": tr("TunnelWords", "tube current"),
        "inhibited": tr("TunnelWords", "exposure inhibited"),
        "time": tr("TunnelWords", "exposure time"),
        "linearity": tr("TunnelWords", "dose linearity"),
        "dose_per_mas": tr("TunnelWords", "dose per mAs"),
        "cv": tr("TunnelWords", "coefficient of variation"),
        "uniformity": tr("TunnelWords", "uniformity"),
        "noise": tr("TunnelWords", "noise"),
        "defects": tr("TunnelWords", "defect contrast"),
        "signal": tr("TunnelWords", "signal"),
        "limiting_resolution": tr("TunnelWords", "limiting resolution"),
        "modulation": tr("TunnelWords", "modulation"),
        "min": tr("TunnelWords", "lowest position"),
        "max": tr("TunnelWords", "highest position"),
        "speed": tr("TunnelWords", "speed"),
        "position": tr("TunnelWords", "position"),
        "errors": tr("TunnelWords", "position errors"),
        "slip": tr("TunnelWords", "brake slip"),
        "holding": tr("TunnelWords", "brake holds"),
        "current_rms": tr("TunnelWords", "motor current (RMS)"),
        "current_peak": tr("TunnelWords", "motor current (peak)"),
        "stopped": tr("TunnelWords", "axes stopped"),
        "resistance": tr("TunnelWords", "earth resistance"),
        "current": tr("TunnelWords", "leakage current"),
        "response": tr("TunnelWords", "response time"),
        "beam_inhibited": tr("TunnelWords", "beam inhibited"),
        "motion_stopped": tr("TunnelWords", "motion stopped"),
        "stop_time": tr("TunnelWords", "stopping time"),
        "stop_distance": tr("TunnelWords", "stopping distance"),
        "reset": tr("TunnelWords", "reset works"),
    }


def _units() -> dict[str, str]:
    return _cached("units", _build_units)


def _build_units() -> dict[str, str]:
    tr = QCoreApplication.translate
    return {"bool": tr("TunnelWords", "yes/no"), "text": "",      # a prompt's answer: no unit
            "ratio": tr("TunnelWords", "ratio"), "degC": "°C", "ohm": "Ω", "mohm": "mΩ", "Mohm": "MΩ",
            "deg": "°",
            "uA": "µA", "uGy/mAs": "µGy/mAs", "DN": "DN"}


def _yes_no() -> dict[str, str]:
    return _cached("yes_no", _build_yes_no)


def _build_yes_no() -> dict[str, str]:
    tr = QCoreApplication.translate
    yes, no = tr("TunnelWords", "Yes"), tr("TunnelWords", "No")
    return {"True": yes, "False": no, "Yes": yes, "No": no}


def measurement_name(name: str) -> str:
    """The measurement's name in the user's language (unknown names as written)."""
    return _names().get(name, name)


def unit_text(unit: str) -> str:
    return _units().get(unit, unit)


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return _yes_no()[str(value)]
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str):
        return _yes_no().get(value, value)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    return str(value)


_WORD = re.compile(r"\b(True|False|Yes|No)\b")


def limits_text(text: str) -> str:
    """'= False' -> '= No' / '= 否'; 'Yes | Maybe' -> '是 | Maybe' (numbers unchanged)."""
    words = _yes_no()
    return _WORD.sub(lambda m: words[m.group(1)], text)


def measurement_texts(m: dict) -> tuple[str, str, str]:
    """(name=value, unit, limits) of one measurement event, in the user's language."""
    return (f"{measurement_name(str(m.get('name', '')))}={value_text(m.get('value'))}",
            unit_text(str(m.get("unit", ""))), limits_text(str(m.get("limits_text", ""))))


def _status_word(status: str) -> str:
    tr = QCoreApplication.translate
    return {"released": tr("TunnelWords", "released"), "draft": tr("TunnelWords", "draft"),
            "invalid": tr("TunnelWords", "invalid")}.get(status, status)


def sequence_label(entry: Any) -> str:
    """'carm-x200-final v3.2.0 (released, shipped)' in the user's language."""
    tr = QCoreApplication.translate
    status = _status_word(entry.status)
    source = {"shipped": tr("TunnelWords", "shipped"),
              "library": tr("TunnelWords", "library")}.get(entry.source, entry.source)
    extra = f" - {entry.problem}" if entry.problem else ""
    return f"{entry.id} v{entry.version} ({status}, {source}){extra}"


def sequence_short_label(entry: Any) -> str:
    """What the closed sequence chooser shows: name and version ('carm-x200-final v3.2.0'),
    plus the status when the version is no intact release ('... v3.3.0 (draft)'; a release
    with a problem, e.g. its signature not matching, says 'invalid': it does not run as
    released). The whole label (source, problem) is in the list and the tooltip."""
    if entry.status == "released" and not entry.problem:
        return f"{entry.id} v{entry.version}"
    status = _status_word("invalid" if entry.problem else entry.status)
    return f"{entry.id} v{entry.version} ({status})"
