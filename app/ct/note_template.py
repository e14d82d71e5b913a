"""The template type of the CT engine's note table (Qt-free): :class:`Template`, the Qt
translation context and lupdate's marker, shared by :mod:`app.ct.note_table` and
:mod:`app.ct.note_table_metrics`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

CONTEXT = "EngineNotes"   # the Qt translation context of every template and term


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802, ARG001 - lupdate's marker
    """Marks a template for lupdate (pyside6-lupdate finds it); returns it unchanged."""
    return text


@dataclass(frozen=True)
class Template:
    """``text``: English with %1..%n (the translation source); ``params``: their names in
    that order; ``formats``: how a parameter becomes text - a Python format spec
    (".3f", "g": no locale, as the engine writes it), "s" (as written), "term" (a word of
    :data:`TERMS`, translated; any other as written), "key" (a measurement key: as written
    in English, its name in other languages), "name" (a measurement key: its name),
    "artifact" (an artifact type, like "key"), "part" (an insert or material: as
    written in English, its name in other languages where app.ct.names knows it), "note" (a nested note; plain text as
    "term"), "list" / "list;" (items joined by ", " / "; ", each formatted as ``item``
    says) or "concat" (nested notes one after the other)."""

    text: str
    params: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    item: Mapping[str, str] = field(default_factory=dict)   # list param -> its items' format
