"""Stable codes of the CT engine's notes: making them, their JSON, their words.

Qt-free. The analysis and the AI check write their notes in English (the record keeps that
text: CLI JSON ``notes``, ``note``, unchanged). Each note the engine makes through
:func:`note` is a :class:`Note` - a ``str`` equal to that English text - that also carries a
stable ``code`` and its ``params`` (the code -> template table: app.ct.note_table).
Records carry them beside the text (``note_codes`` /
``note_code``: ``{"code": ..., "params": {...}}``), so a screen shows the note in the
user's language: the UI translates the code's template with Qt (``QCoreApplication.translate``
with the context :data:`CONTEXT`; the templates are marked for lupdate) and fills in the
parameters, numbers formatted as the engine formats them (Python format specs: no locale).

A note without a known code (an older record, a code this version does not know, text
from elsewhere) is shown as its English text: never lost, never blank.

    n = note("dicom.uneven_spacing", min_mm=0.5, max_mm=1.25)
    str(n)                      # 'uneven slice spacing 0.500..1.250 mm' (the record)
    code_entry(n)               # {'code': 'dicom.uneven_spacing', 'params': {...}}
    render(n, translate=tr, language="zh_CN")   # '层间距不均匀：0.500..1.250 mm'
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable, Mapping

from app.ct.names import PARTS, artifact_name, measurement_name
from app.ct.note_table import CONTEXT, SEPARATORS, TEMPLATES, TERMS

_PLACEHOLDER = re.compile(r"%(\d)")   # Qt's %1..%9

__all__ = ["CONTEXT", "TEMPLATES", "TERMS", "SEPARATORS", "Note", "note", "coded", "joined", "more",
           "code_entry", "code_entries", "restore", "restore_all", "render", "render_code"]

# (context, text, disambiguation) -> translated text; the identity keeps the English
Translate = Callable[[str, str, str | None], str]


def _identity(context: str, text: str, disambiguation: str | None = None) -> str:  # noqa: ARG001
    return text


_TERMS = frozenset(TERMS)


class Note(str):
    """A note: the English text (``str(note)``, what the record keeps) with its code and
    parameters (JSON-safe: numbers, strings, lists, nested notes)."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str = "", params: Mapping[str, Any] | None = None
                ) -> "Note":
        self = super().__new__(cls, text)
        self.code = code
        self.params = dict(params or {})
        return self

    def __reduce__(self) -> tuple:
        return (Note, (str(self), self.code, self.params))


def note(code: str, **params: Any) -> Note:
    """The engine's note ``code`` with ``params``; its text is the template in English."""
    text = render_code(code, params)
    if text is None:
        raise KeyError(f"unknown note code {code!r} or parameters {sorted(params)}")
    return Note(text, code, params)


def coded(text: str, code: str, **params: Any) -> Note:
    """A note whose record text is written elsewhere (kept as it is) with its code."""
    return Note(text, code, params)


def joined(*parts: Any) -> Any:
    """A note made of parts written one after the other (each part a note with its own
    leading "; " or ", "); a single part is itself."""
    parts = tuple(p for p in parts if p)
    if len(parts) == 1:
        return parts[0]
    return Note("".join(parts), "note.concat", {"parts": list(parts)})


def more(part: Any) -> Note:
    """"; <part>": a part appended to a note (``part`` a note or plain text)."""
    return Note(f"; {part}", "note.more", {"part": part})


# -- JSON -------------------------------------------------------------------------------------
def _json_param(v: Any) -> Any:
    if isinstance(v, Note) and v.code:
        return {"code": v.code, "params": {k: _json_param(x) for k, x in v.params.items()}}
    if isinstance(v, dict):
        return {str(k): _json_param(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_param(x) for x in v]
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):     # a numpy scalar
        return _json_param(v.item())
    if isinstance(v, str):
        return str(v)
    return v


def code_entry(n: Any) -> dict | None:
    """``{"code", "params"}`` of a coded note; None for plain text."""
    if isinstance(n, Note) and n.code:
        return {"code": n.code, "params": {k: _json_param(v) for k, v in n.params.items()}}
    return None


def code_entries(notes: Iterable[Any]) -> list[dict | None]:
    """One entry per note, in the same order (``None``: a note without a code)."""
    return [code_entry(n) for n in notes]


def restore(text: Any, entry: Any) -> Any:
    """The note of a record: ``text`` with the code of ``entry`` (from :func:`code_entry`)
    when it is one; else ``text`` as it is."""
    if not isinstance(text, str) or not isinstance(entry, dict):
        return text
    code, params = entry.get("code"), entry.get("params")
    if not isinstance(code, str) or not code or not isinstance(params, dict):
        return text
    return Note(text, code, params)


def restore_all(texts: Iterable[Any], entries: Any) -> tuple:
    """The notes of a record with their codes (``entries`` parallel to ``texts``; a
    missing or malformed list leaves the texts as they are)."""
    texts = tuple(texts)
    if not isinstance(entries, list) or len(entries) != len(texts):
        return texts
    return tuple(restore(t, e) for t, e in zip(texts, entries))


# -- words --------------------------------------------------------------------------------------
def _is_zh(language: str) -> bool:
    return (language or "").startswith("zh")


def _fmt(value: Any, how: str, item: str, tr: Translate, language: str, depth: int) -> str:
    if how.startswith("list") or how == "concat":
        if not isinstance(value, (list, tuple)):
            raise TypeError("list expected")
        sep = "" if how == "concat" else tr(CONTEXT, SEPARATORS[how], None)
        return sep.join(_fmt(v, item or "s", "", tr, language, depth) for v in value)
    if how == "note":
        if isinstance(value, Note) and value.code:
            value = {"code": value.code, "params": value.params}
        if not isinstance(value, dict):     # a plain-text part: a term, else as written
            return _fmt(value, "term", "", tr, language, depth)
        text = render_code(value.get("code"), value.get("params"), tr, language, depth + 1)
        if text is None:
            raise KeyError("nested note")
        return text
    if how == "term":
        s = str(value)
        return tr(CONTEXT, s, None) if s in _TERMS else s
    if how == "key":
        return measurement_name(str(value), language) if _is_zh(language) else str(value)
    if how == "name":
        return measurement_name(str(value), language)
    if how == "part":
        s = str(value)
        known = PARTS.get(s.strip().lower().replace(" ", "_"))
        return known[1] if known and _is_zh(language) else s
    if how == "artifact":
        return artifact_name(str(value), language) if _is_zh(language) else str(value)
    if how == "s":
        return str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("number expected")
    return format(value, how)


def render_code(code: Any, params: Any, translate: Translate | None = None,
                language: str = "en", depth: int = 0) -> str | None:
    """The words of ``code`` with ``params``; None when the code is unknown or its
    parameters do not fit (the caller then shows the English text)."""
    t = TEMPLATES.get(code) if isinstance(code, str) else None
    if t is None or not isinstance(params, Mapping) or depth > 4:
        return None
    tr = translate or _identity
    try:
        values = [_fmt(params[p], t.formats.get(p, "s"), t.item.get(p, ""), tr, language,
                       depth) for p in t.params]
    except (KeyError, TypeError, ValueError):
        return None
    text = tr(CONTEXT, t.text, None)
    # one pass over the placeholders, so a value that contains "%2" stays as it is
    return _PLACEHOLDER.sub(
        lambda m: values[k] if 0 <= (k := int(m.group(1)) - 1) < len(values) else m.group(0),
        text)


def render(n: Any, translate: Translate | None = None, language: str = "en") -> str:
    """What people read of a note: its code's template in their language with its
    parameters; the note's own (English) text when it has no code this table knows."""
    if isinstance(n, Note) and n.code:
        text = render_code(n.code, n.params, translate, language)
        if text:
            return text
    return "" if n is None else str(n)
