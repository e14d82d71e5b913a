"""The tunnel console's reasons in the user's language: why a step ended ERROR, why the
AI's judgement did not count, why a run stopped.

The engine writes its reasons in English (``condition: …``, ``PH-TT-TIMEOUT: read('kv')
did not answer within 5 s``, ``confidence 0.62 < 0.80``): the journal and the record keep
them as written. A screen shows them through :func:`reason_text`, which puts each known
pattern into the current language and keeps what it carries (step keys, device names,
error codes, numbers) as written; a reason it does not know is shown as written, never
blank. Nested reasons (a condition's timeout) are put in words layer by layer.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

CONTEXT = "TunnelReasons"


def _noop(context: str, text: str) -> str:  # noqa: ARG001 - marks a template (catalogue)
    return text


# (the English reason's pattern, its template: %1, %2 = the groups; the groups marked
# nested are put in words too)
PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[int, ...]], ...] = (
    (re.compile(r"condition: (.+)", re.S), _noop(CONTEXT, "condition: %1"), (1,)),
    (re.compile(r"precondition: (.+)", re.S), _noop(CONTEXT, "precondition: %1"), (1,)),
    (re.compile(r"group '(.+?)' condition: (.+)", re.S),
     _noop(CONTEXT, "group '%1' condition: %2"), (2,)),
    (re.compile(r"(PH-[A-Z0-9-]+): (.+)", re.S), _noop(CONTEXT, "%1: %2"), (2,)),
    (re.compile(r"(.+) did not answer within (\S+) s"),
     _noop(CONTEXT, "%1 did not answer within %2 s"), ()),
    (re.compile(r"model '(.+)' not available"), _noop(CONTEXT, "model '%1' not available"), ()),
    (re.compile(r"output '(.+)' missing"), _noop(CONTEXT, "output '%1' missing"), ()),
    (re.compile(r"confidence (\S+) < (\S+)"), _noop(CONTEXT, "confidence %1 < %2"), ()),
    (re.compile(r"no answer within (\S+) s"), _noop(CONTEXT, "no answer within %1 s"), ()),
    (re.compile(r"journal write failed: (.+)", re.S),
     _noop(CONTEXT, "journal write failed: %1"), ()),
    (re.compile(r"aborted while waiting for the operator"),
     _noop(CONTEXT, "aborted while waiting for the operator"), ()),
    (re.compile(r"aborted by (\S+): (.*)", re.S), _noop(CONTEXT, "aborted by %1: %2"), ()),
    (re.compile(r"calibration expired: (.+)", re.S),
     _noop(CONTEXT, "calibration expired: %1"), ()),
    (re.compile(r"setup step '(.+)' did not pass"),
     _noop(CONTEXT, "setup step '%1' did not pass"), ()),
)
_PLACEHOLDER = re.compile(r"%(\d)")


def reason_text(reason: str, depth: int = 0) -> str:
    """``reason`` in the current UI language (as written when no pattern knows it)."""
    if not reason or depth > 4:
        return reason
    for pattern, template, nested in PATTERNS:
        m = pattern.fullmatch(reason)
        if m is None:
            continue
        groups = [reason_text(g, depth + 1) if k + 1 in nested else g
                  for k, g in enumerate(m.groups())]
        return _fill(QCoreApplication.translate(CONTEXT, template), groups)
    return reason


def _fill(words: str, groups: list[str]) -> str:
    """%1.. of a translated template -> the groups, in one pass (a group's own "%1" stays)."""
    return _PLACEHOLDER.sub(lambda p: groups[int(p[1]) - 1]
                            if 0 < int(p[1]) <= len(groups) else p[0], words)
