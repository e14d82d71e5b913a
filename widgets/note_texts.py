"""The CT engine's notes in the user's language (shared by every view that shows them: CT
QC's message bar, verdict strip, measurement table and ROI details; image review), and
its progress messages (app.ct.progress_words).

The codes and templates live in app.ct.note_codes (Qt-free); here they go through Qt's
translation (context ``EngineNotes``, catalogue resources/i18n/ct_notes_zh_CN.ts). A note
without a known code is shown as its English text.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from app.ct.note_codes import render, restore
from app.ct.progress_words import progress_text
from app.ui.i18n import current_language


def _tr(context: str, text: str, disambiguation: str | None = None) -> str:
    return QCoreApplication.translate(context, text, disambiguation)


def note_text(note: Any, code: Any = None) -> str:
    """What people read of ``note`` (a coded note, or its record text plus the record's
    ``note_code`` entry as ``code``)."""
    if code is not None:
        note = restore(note, code)
    return render(note, _tr, current_language())


def progress_message_text(message: str) -> str:
    """A progress message of the CT engine or a CT QC job in the user's language (an
    unknown one as written): ``TaskProgressBar(message_text=progress_message_text)``."""
    return progress_text(message, _tr)
