"""The status lights' details in the user's language.

The producers of a light's detail (the sync service, the CT QC receiver, the lead-room
link; ``app.runtime.status``) run on any thread and write English: the CLI, the log and
the JSON read it so. The status bar shows it in the UI language: a detail is parts joined
by "; " (``SyncStatus.summary``, the backlog detail), each read against the patterns
below; a part no pattern knows (a peer's error text, an exception) stays as written.
Read again at every language switch, so a tooltip never keeps the old language.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from widgets.error_words import coded_text, pattern_text



# (English part, its template): %1.. are the groups; a group named "age" is read by
# age_text. The templates are marked for lupdate.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx), template) for rx, template in (
        (r"Local only: no central database configured",
         QT_TRANSLATE_NOOP("StatusWords", "Local only: no central database configured")),
        (r"results stay on this station\.", QT_TRANSLATE_NOOP("StatusWords", "results stay on this station.")),
        (r"In sync", QT_TRANSLATE_NOOP("StatusWords", "In sync")),
        (r"Syncing", QT_TRANSLATE_NOOP("StatusWords", "Syncing")),
        (r"Central database unreachable \(retrying\)",
         QT_TRANSLATE_NOOP("StatusWords", "Central database unreachable (retrying)")),
        (r"Refused: central schema does not match",
         QT_TRANSLATE_NOOP("StatusWords", "Refused: central schema does not match")),
        (r"Sync stopped", QT_TRANSLATE_NOOP("StatusWords", "Sync stopped")),
        (r"Not in sync: rows waiting for the central database",
         QT_TRANSLATE_NOOP("StatusWords", "Not in sync: rows waiting for the central database")),
        (r"Refused: central database credentials or URL wrong \(not retried\)",
         QT_TRANSLATE_NOOP("StatusWords", "Refused: central database credentials or URL wrong (not retried)")),
        (r"backlog (\d+)", QT_TRANSLATE_NOOP("StatusWords", "backlog %1")),
        (r"oldest (?P<age>.+)", QT_TRANSLATE_NOOP("StatusWords", "oldest %1")),
        (r"(\d+) quarantined \(refused by the central database: `pharos sync quarantine`\)",
         QT_TRANSLATE_NOOP("StatusWords",
            "%1 quarantined (refused by the central database: `pharos sync quarantine`)")),
        (r"(\d+) quarantined", QT_TRANSLATE_NOOP("StatusWords", "%1 quarantined")),
        (r"(\d+) rows waiting, oldest (?P<age>.+)", QT_TRANSLATE_NOOP("StatusWords", "%1 rows waiting, oldest %2")),
        (r"(\d+) rows waiting", QT_TRANSLATE_NOOP("StatusWords", "%1 rows waiting")),
        (r"local only", QT_TRANSLATE_NOOP("StatusWords", "local only")),
        (r"lead-room gateway: connected", QT_TRANSLATE_NOOP("StatusWords", "lead-room gateway: connected")),
        (r"lead-room gateway: connecting", QT_TRANSLATE_NOOP("StatusWords", "lead-room gateway: connecting")),
        (r"lead-room gateway: lost", QT_TRANSLATE_NOOP("StatusWords", "lead-room gateway: connection lost")),
        (r"lead-room gateway: untrusted", QT_TRANSLATE_NOOP("StatusWords", "lead-room gateway: not trusted")),
        (r"lead-room gateway: stopped", QT_TRANSLATE_NOOP("StatusWords", "lead-room gateway: stopped")),
        (r"archived to (.+)", QT_TRANSLATE_NOOP("StatusWords", "archived to %1")),
        (r"DICOM receiver (\S+) on (\S+)", QT_TRANSLATE_NOOP("StatusWords", "DICOM receiver %1 on %2")),
        (r"DICOM receiver stopped", QT_TRANSLATE_NOOP("StatusWords", "DICOM receiver stopped")),
        (r"intake error: (.+)", QT_TRANSLATE_NOOP("StatusWords", "intake error: %1")),
    ))
_UNITS = {"s": QT_TRANSLATE_NOOP("StatusWords", "%1 s"), "min": QT_TRANSLATE_NOOP("StatusWords", "%1 min"),
          "h": QT_TRANSLATE_NOOP("StatusWords", "%1 h")}
_JOINT = QT_TRANSLATE_NOOP("StatusWords", "; ")


def _tr(text: str) -> str:
    return QCoreApplication.translate("StatusWords", text)


_AGE = re.compile(r"(\d+(?:\.\d+)?) (s|min|h)")


def age_text(age: str) -> str:
    """``_age_text``'s "45 s" / "12 min" / "2.5 h" in the UI language."""
    m = _AGE.fullmatch(age)
    if m is None:
        return age
    return _tr(_UNITS[m[2]]).replace("%1", m[1])


_CODED = re.compile(r"(.+) \[((?:PH|DM)-[A-Z0-9-]+)\]")     # PharosError.operator_text()


def part_text(part: str) -> str:
    """One part of a detail in the UI language (as written when no pattern knows it); a
    typed error's ``operator_text()`` ("message [CODE]": the PACS light after a failed
    archive or receiver start) under the code's headline (``widgets.error_words``, the
    English detail kept)."""
    coded = _CODED.fullmatch(part)
    if coded is not None:
        return coded_text(None, coded[2], part) or part
    return pattern_text(_PATTERNS, part, "StatusWords", _group) or part


def _group(m: re.Match[str], k: int, value: str) -> str:
    return age_text(value) if k == m.re.groupindex.get("age") else value


def detail_text(detail: str) -> str:
    """A light's English detail in the UI language, part by part ("; ")."""
    if not detail:
        return detail
    return _tr(_JOINT).join(part_text(p) for p in detail.split("; "))
