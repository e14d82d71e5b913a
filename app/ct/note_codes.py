"""Stable codes of the CT engine's notes, and the one table that turns a code back into words.

Qt-free. The analysis and the AI check write their notes in English (the record keeps that
text: CLI JSON ``notes``, ``note``, unchanged). Each note the engine makes through
:func:`note` is a :class:`Note` - a ``str`` equal to that English text - that also carries a
stable ``code`` and its ``params``. Records carry them beside the text (``note_codes`` /
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
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from app.ct.names import artifact_name, measurement_name

CONTEXT = "EngineNotes"   # the Qt translation context of every template and term

# (context, text, disambiguation) -> translated text; the identity keeps the English
Translate = Callable[[str, str, str | None], str]


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - lupdate's marker name
    """Marks a template for lupdate (pyside6-lupdate finds it); returns it unchanged."""
    return text


def _identity(context: str, text: str, disambiguation: str | None = None) -> str:
    return text


@dataclass(frozen=True)
class Template:
    """``text``: English with %1..%n (the translation source); ``params``: their names in
    that order; ``formats``: how a parameter becomes text - a Python format spec
    (".3f", "g", "d"), "s" (as written), "term" (a word of :data:`TERMS`, translated),
    "key" (a measurement key: as written in English, its name in other languages),
    "artifact" (an artifact type, likewise), "note" (a nested note), or
    "list" / "list;" (items joined by ", " / "; ", each item formatted as ``item``)."""

    text: str
    params: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    item: Mapping[str, str] = field(default_factory=dict)   # list param -> its items' format


_T = QT_TRANSLATE_NOOP
C = CONTEXT

# code -> template. A code is a contract (stored in records): never reuse one for other
# words; add a new code instead. Every template needs a zh_CN translation (tests check).
TEMPLATES: dict[str, Template] = {
    # -- loading the series (app.ct.dicom_load) -------------------------------------------
    "dicom.files_skipped": Template(_T(C, "%1 non-image / non-DICOM file(s) skipped"),
                                    ("count",), {"count": "d"}),
    "dicom.uneven_spacing": Template(_T(C, "uneven slice spacing %1..%2 mm"),
                                     ("min_mm", "max_mm"), {"min_mm": ".3f", "max_mm": ".3f"}),
    # -- the analysis (app.ct.analysis.pipeline, units, result) ---------------------------
    "analysis.step_failed": Template(_T(C, "%1: could not be measured (%2)"),
                                     ("step", "error"), {"step": "term", "error": "s"}),
    "analysis.step_error": Template(_T(C, "%1 failed: %2"), ("step", "error"),
                                    {"step": "term", "error": "s"}),
    "analysis.modules_missing": Template(_T(C, "modules not in the series: %1"),
                                         ("modules",), {"modules": "list"}, {"modules": "s"}),
    "analysis.low_module_confidence": Template(
        _T(C, "low localisation confidence for %1; its measurements are kept, read them "
              "with care"), ("modules",), {"modules": "list"}, {"modules": "note"}),
    "analysis.low_module_confidence.module": Template(
        _T(C, "%1 (%2: the image there differs from the definition - body CT number or "
              "inserts)"), ("module", "confidence"), {"module": "s", "confidence": ".2f"}),
    "scale.not_hu": Template(
        _T(C, "pixel values are not HU (%1); the phantom is located and measured on an "
              "HU-equivalent scale taken from the image (air -> -1000, body -> its nominal: "
              "HU-eq = %2 x value %3); CT-number checks are not applicable"),
        ("reason", "slope", "intercept"),
        {"reason": "note", "slope": ".6g", "intercept": "+.4g"}),
    "scale.reasons": Template(_T(C, "%1"), ("parts",), {"parts": "list;"}, {"parts": "note"}),
    "scale.rescale_type": Template(_T(C, "RescaleType %1"), ("rescale_type",),
                                   {"rescale_type": "s"}),
    "scale.air_body": Template(_T(C, "air reads %1, the phantom body %2"), ("air", "body"),
                               {"air": ".5g", "body": ".5g"}),
    # the record keeps "limited by the profile but not measured: <keys>" (names.UNMEASURED_NOTE);
    # people read the names (app.ct.names.note_text is the same in plain Python)
    "result.unmeasured": Template(
        _T(C, "Limited by the profile but not measured (the result cannot read PASS): %1"),
        ("keys",), {"keys": "list;"}, {"keys": "name"}),
    # -- the AI check and its place beside the physics (app.ct.ai.check, app.ct.review) ----
    "ai.pixel_unknown": Template(
        _T(C, "pixel size unknown: a %1 mm field of view was assumed (%2 mm)"),
        ("fov_mm", "pixel_mm"), {"fov_mm": ".0f", "pixel_mm": ".3f"}),
    "ai.not_applicable": Template(
        _T(C, "AI not applicable to this series (%1): the physics decides alone"),
        ("why",), {"why": "term"}),
    "ai.physics_beside": Template(
        _T(C, "physics %1: %2 - not what an AI class judges; the AI's 'normal' does not "
              "contradict it, the physics decides"),
        ("verdict", "findings"), {"verdict": "term", "findings": "list"},
        {"findings": "note"}),
    "ai.physics_warns": Template(
        _T(C, "physics warns of %1 (below the action level); the AI sees no artifact: a "
              "note, not a disagreement"), ("kinds",), {"kinds": "list"},
        {"kinds": "artifact"}),
    "ai.uncertain": Template(
        _T(C, "AI uncertain on some slices (physics %1): a note for the reviewer, not a "
              "disagreement"), ("verdict",), {"verdict": "term"}),
    "ai.uncertain_weak": Template(
        _T(C, "AI uncertain on some slices (%1) (physics %2): a note for the reviewer, not "
              "a disagreement"), ("evidence", "verdict"),
        {"evidence": "note", "verdict": "term"}),
    "ai.normal_weak": Template(
        _T(C, "AI normal: %1 - within chance; the weak slices keep their own flags"),
        ("evidence",), {"evidence": "note"}),
    "ai.weak_evidence": Template(
        _T(C, "%1 of %2 slices weak where a clean series shows about %3, p = %4"),
        ("weak", "judged", "expected", "p_value"),
        {"weak": "s", "judged": "s", "expected": ".1f", "p_value": ".2g"}),
    # findings of app.ct.review_proportion.contradictions
    "proportion.unjudged_slices": Template(
        _T(C, "%1 on slices %2-%3, which the AI did not judge"), ("kind", "first", "last"),
        {"kind": "artifact", "first": "s", "last": "s"}),
    "proportion.failed": Template(_T(C, "%1"), ("key",), {"key": "key"}),
    "proportion.failed_value": Template(_T(C, "%1 %2"), ("key", "value"),
                                        {"key": "key", "value": "g"}),
    "proportion.against_class": Template(_T(C, "%1 %2 (%3)"), ("key", "value", "ai_class"),
                                         {"key": "key", "value": "g", "ai_class": "term"}),
}

# words a parameter may hold that people read translated (format "term"); anything else
# in a "term" parameter is shown as written
TERMS: tuple[str, ...] = (
    # the analysis steps (app.ct.analysis.pipeline)
    _T(C, "streaks"), _T(C, "CT numbers"), _T(C, "uniformity and noise"),
    _T(C, "noise power spectrum"), _T(C, "rings"), _T(C, "bands, cupping, CT shift"),
    _T(C, "TTF"), _T(C, "MTF"), _T(C, "bar patterns"), _T(C, "slice thickness"),
    _T(C, "geometry"), _T(C, "low contrast"), _T(C, "detectability"), _T(C, "dose"),
    # verdicts and the AI's classes as they appear inside notes
    _T(C, "PASS"), _T(C, "WARN"), _T(C, "FAIL"), _T(C, "ERROR"), _T(C, "none"),
    _T(C, "noise"), _T(C, "blur"), _T(C, "ring"), _T(C, "streak"), _T(C, "band"),
    _T(C, "shift"),
    _T(C, "the input is unlike its training"),
)
# list separators (format "list" / "list;")
SEPARATORS = {"list": _T(C, ", "), "list;": _T(C, "; ")}
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
    if how.startswith("list"):
        if not isinstance(value, (list, tuple)):
            raise TypeError("list expected")
        sep = tr(CONTEXT, SEPARATORS[how], None)
        return sep.join(_fmt(v, item or "s", "", tr, language, depth) for v in value)
    if how == "note":
        if isinstance(value, Note) and value.code:
            value = {"code": value.code, "params": value.params}
        if not isinstance(value, dict):
            return str(value)           # a plain-text part: as written
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
    out, i = [], 0
    while i < len(text):
        if text[i] == "%" and i + 1 < len(text) and text[i + 1].isdigit():
            k = int(text[i + 1]) - 1
            if 0 <= k < len(values):
                out.append(values[k])
                i += 2
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def render(n: Any, translate: Translate | None = None, language: str = "en") -> str:
    """What people read of a note: its code's template in their language with its
    parameters; the note's own (English) text when it has no code this table knows."""
    if isinstance(n, Note) and n.code:
        text = render_code(n.code, n.params, translate, language)
        if text:
            return text
    return "" if n is None else str(n)
