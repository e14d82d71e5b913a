"""Which UI texts of a station's modules are missing from its zh_CN catalogue.

``self.tr("...")`` inside a class is looked up in that class's context (PySide walks the
class's bases too, so a base class's context counts); ``fn("...")`` for a function named
in ``translators`` (e.g. ``dm_tr``, the presenter's ``tr``) in the context given there.
lupdate does not see the second kind, so this check is what keeps them translated."""
from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path


def catalogue(ts: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for ctx in ET.parse(ts).getroot().iter("context"):  # noqa: S314 - our own catalogue
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            tr = m.find("translation")
            if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete",
                                                                      "vanished"):
                out.setdefault(name, {})[m.findtext("source") or ""] = tr.text
    return out


def missing_texts(ts: Path, modules: list[Path], translators: dict[str, str]) -> list[str]:
    have = catalogue(ts)
    missing = []
    for mod in modules:
        tree = ast.parse(mod.read_text(encoding="utf-8"))
        classes = {n.name: [b.id for b in n.bases if isinstance(b, ast.Name)]
                   for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            contexts = [cls.name, *classes.get(cls.name, [])]
            for call in ast.walk(cls):
                text = _literal(call)
                own = text is not None and isinstance(call.func, ast.Attribute) \
                    and call.func.attr == "tr"
                if own and not any(text in have.get(c, {}) for c in contexts):
                    missing.append(f"{mod.name}:{call.lineno} {cls.name}: {text!r}")
        for call in ast.walk(tree):
            text = _literal(call)
            named = text is not None and isinstance(call.func, ast.Name) \
                and call.func.id in translators
            if named and text not in have.get(translators[call.func.id], {}):
                missing.append(f"{mod.name}:{call.lineno} {call.func.id}: {text!r}")
    return missing


def _literal(call: ast.AST) -> str | None:
    if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant) \
            and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None
