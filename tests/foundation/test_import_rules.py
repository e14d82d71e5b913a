"""Layering rules, machine-checked: Qt-free logic, adapters own the I/O libraries.

1. Qt-free: app/ (but app/ui and app/gui.py) and every station module other than its
   Qt view files (panel*.py, ui_*.py, */ui/*) import no Qt at module level.
2. Only adapter modules import asyncua, pynetdicom, onnxruntime, SQLAlchemy, Alembic:
   app/adapters/ (shared: store, audit, PACS, plant OPC UA gateway, MES) and a station's
   own station_plugins/<station>/adapters/ (its journal, its OPC UA link, its models).
   Simulators (``*sim*.py``, ``simulator/``) are exempt: they stand in for the peer
   (an OPC UA server, a scanner), they are not station logic.
3. app/core imports no adapters, UI, widgets or stations.
A second test imports every Qt-free module in a process where PySide6 cannot load.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "pyqtgraph", "widgets", "app.ui", "app.gui", "shiboken6")
IO_LIBS = ("asyncua", "pynetdicom", "onnxruntime", "sqlalchemy", "alembic", "psycopg")


def _is_qt_view(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    name = path.name
    return (rel.startswith(("app/ui/", "widgets/")) or rel == "app/gui.py"
            or name.startswith(("panel", "ui_")) or "/ui/" in rel)


def _python_files(*tops: str):
    for top in tops:
        for p in sorted((ROOT / top).rglob("*.py")):
            if "__pycache__" in p.parts or "/migrations/" in p.as_posix():
                continue
            yield p


def _imports(path: Path, module_level_only: bool):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    nodes = []
    if module_level_only:
        stack = list(tree.body)
        while stack:  # top-level statements, including inside if/try blocks
            n = stack.pop()
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                nodes.append(n)
            elif isinstance(n, (ast.If, ast.Try, ast.With)):
                if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
                    continue
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(n, field, []) or []:
                        stack.extend(child.body if isinstance(child, ast.ExceptHandler)
                                     else [child])
    else:
        nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    for n in nodes:
        if isinstance(n, ast.Import):
            for a in n.names:
                yield a.name, n.lineno
        elif n.module and n.level == 0:
            yield n.module, n.lineno


def _matches(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_qt_free_layers():
    bad = []
    for p in _python_files("app", "station_plugins"):
        if _is_qt_view(p):
            continue
        for name, line in _imports(p, module_level_only=True):
            if _matches(name, QT):
                bad.append(f"{p.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "Qt imported by Qt-free code:\n" + "\n".join(bad)


def test_io_libraries_only_in_adapters():
    bad = []
    for p in _python_files("app", "station_plugins", "widgets"):
        rel = p.relative_to(ROOT).as_posix()
        if (rel.startswith("app/adapters/") or re.match(r"station_plugins/[^/]+/adapters/", rel)
                or "sim" in p.stem or "/simulator/" in rel):
            continue
        for name, line in _imports(p, module_level_only=False):
            if _matches(name.lower(), IO_LIBS):
                bad.append(f"{rel}:{line} imports {name}")
    assert not bad, "I/O library outside an adapter module:\n" + "\n".join(bad)


def test_core_depends_on_nothing_above_it():
    bad = []
    for p in _python_files("app/core"):
        for name, line in _imports(p, module_level_only=False):
            if _matches(name, ("app.adapters", "app.ui", "app.runtime", "widgets",
                               "station_plugins", "app.bootstrap")):
                bad.append(f"{p.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "\n".join(bad)


def test_qt_free_modules_import_without_qt():
    modules = []
    for p in _python_files("app", "station_plugins"):
        if _is_qt_view(p):
            continue
        rel = p.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":
            continue
        modules.append(".".join(parts))
    code = (
        "import sys, json, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
        "            raise ImportError('Qt blocked for this test: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"mods = {json.dumps(modules)}\n"
        "bad = []\n"
        "for m in mods:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ImportError as e:\n"
        "        if 'Qt blocked' in str(e): bad.append(f'{m}: {e}')\n"
        "print(json.dumps(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    bad = json.loads(out.stdout.strip().splitlines()[-1])
    assert not bad, "Qt-free modules that need Qt:\n" + "\n".join(bad)
