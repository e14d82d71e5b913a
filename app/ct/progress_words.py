"""The CT engine's progress messages in the user's language (Qt-free).

The analysis, the AI check, the simulator and the CT QC jobs report their progress in
English (``progress(fraction, message)``: the CLI and the log print it as it is). A
screen shows a message through :func:`progress_text` with Qt's translation of the
``EngineNotes`` context (catalogue resources/i18n/ct_notes_zh_CN.ts): a fixed message, a
message with numbers or names (kept as written), or an analysis step (the step names
are :data:`app.ct.note_table.TERMS`). A message this table does not know is shown as
written: never blank. tests/ct_qc/test_progress_words.py checks every message a real
run reports.
"""
from __future__ import annotations

import re
from typing import Callable

from app.ct.note_table import CONTEXT, QT_TRANSLATE_NOOP, TERMS

Translate = Callable[[str, str, "str | None"], str]

FIXED: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("EngineNotes", "reading images"),
    QT_TRANSLATE_NOOP("EngineNotes", "locating the phantom"),
    QT_TRANSLATE_NOOP("EngineNotes", "done"),
    QT_TRANSLATE_NOOP("EngineNotes", "AI check"),
    QT_TRANSLATE_NOOP("EngineNotes", "inference"),
    QT_TRANSLATE_NOOP("EngineNotes", "writing the PDF report"),
    QT_TRANSLATE_NOOP("EngineNotes", "report written"),
    QT_TRANSLATE_NOOP("EngineNotes", "sending to the PACS"),
    QT_TRANSLATE_NOOP("EngineNotes", "validating files"),
    QT_TRANSLATE_NOOP("EngineNotes", "importing"),
    QT_TRANSLATE_NOOP("EngineNotes", "pushed"),
    QT_TRANSLATE_NOOP("EngineNotes", "adding noise"),
    QT_TRANSLATE_NOOP("EngineNotes", "simulation done"),
)

# (the English message's pattern, its template: %1.. the groups, as written)
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"rendering slice (\d+)/(\d+)"),
     QT_TRANSLATE_NOOP("EngineNotes", "rendering slice %1/%2")),
    (re.compile(r"simulating (.+)"), QT_TRANSLATE_NOOP("EngineNotes", "simulating %1")),
    (re.compile(r"pushing (\S+) to (\S+)"), QT_TRANSLATE_NOOP("EngineNotes", "pushing %1 to %2")),
    (re.compile(r"(\S+) day (\d+)"), QT_TRANSLATE_NOOP("EngineNotes", "%1 day %2")),
)

_KNOWN = frozenset(FIXED) | frozenset(TERMS)
_PLACEHOLDER = re.compile(r"%(\d)")


def progress_text(message: str, translate: Translate | None = None) -> str:
    """``message`` in the language ``translate`` gives (None: as written)."""
    if translate is None or not message:
        return message
    if message in _KNOWN:
        return translate(CONTEXT, message, None)
    for pattern, template in PATTERNS:
        m = pattern.fullmatch(message)
        if m:
            return _fill(translate(CONTEXT, template, None), m.groups())
    return message


def _fill(text: str, values: tuple[str, ...]) -> str:
    """%1.. -> the values, in one pass (a value holding "%2" stays as it is)."""
    return _PLACEHOLDER.sub(
        lambda p: values[k] if 0 <= (k := int(p.group(1)) - 1) < len(values) else p.group(0),
        text)
