"""A spawned child never inherits the sys.path that an import edits while it runs
(OpenCV's loader does: app/core/spawn.py)."""
from __future__ import annotations

import multiprocessing as mp
import sys
import threading
import time

from app.core import spawn


def _report_path(conn) -> None:       # the child: send back the sys.path it started with
    conn.send(list(sys.path))
    conn.close()


def _child_path(start) -> list[str]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_report_path, args=(child,), daemon=True)
    start(proc)
    child.close()
    try:
        assert parent.poll(60), "the child did not report"
        return parent.recv()
    finally:
        proc.join(30)


def _slow_path_editor(tmp_path, name: str):
    """A package that, like cv2, puts its own folder first in sys.path while it loads."""
    pkg = tmp_path / name
    (pkg / "shadow").mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "import os, sys, time\n"
        "_saved = list(sys.path)\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'shadow'))\n"
        "time.sleep(1.5)\n"
        "sys.path = _saved\n")
    return str(pkg / "shadow")


def _spawn_during_import(tmp_path, monkeypatch, name: str, start) -> tuple[list[str], str]:
    shadow = _slow_path_editor(tmp_path, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(spawn, "SYS_PATH_EDITING_MODULES", (name,))
    t = threading.Thread(target=__import__, args=(name,))
    t.start()
    try:
        deadline = time.monotonic() + 10
        while shadow not in sys.path:            # the import is editing sys.path now
            assert time.monotonic() < deadline
            time.sleep(0.005)
        return _child_path(start), shadow
    finally:
        t.join()
        sys.modules.pop(name, None)


def test_a_child_started_during_such_an_import_gets_the_restored_path(tmp_path, monkeypatch):
    path, shadow = _spawn_during_import(tmp_path, monkeypatch, "slow_editor_a",
                                        spawn.start_process)
    assert shadow not in path


def test_without_waiting_the_child_would_inherit_the_edited_path(tmp_path, monkeypatch):
    """The hazard start_process guards against is real (this test shows the window)."""
    path, shadow = _spawn_during_import(tmp_path, monkeypatch, "slow_editor_b",
                                        lambda p: p.start())
    assert shadow in path


def test_the_workstation_imports_opencv_before_its_warm_up_thread(monkeypatch):
    from app.ui import warmup

    events: list[str] = []
    real = warmup.importlib.import_module
    monkeypatch.setattr(warmup, "_started", False)
    monkeypatch.setattr(warmup.importlib, "import_module",
                        lambda name, *a: events.append(f"import {name}") or real(name, *a))
    monkeypatch.setattr(warmup.threading, "Thread",
                        lambda **kw: events.append("thread") or _NoThread())
    warmup.start_warmup([])
    assert events.index("import cv2") < events.index("thread")


class _NoThread:
    def start(self) -> None:
        pass
