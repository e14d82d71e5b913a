"""The command line's log handlers: the stderr handler follows sys.stderr, and building
the parser again does not pile up handlers."""
from __future__ import annotations

import io
import logging
import sys

from app.logging_setup import setup_logging
from app.main import build_parser


def _ours(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if type(h).__name__.startswith("_Pharos")]


def test_console_handler_writes_to_the_current_stderr(tmp_path, monkeypatch):
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        first = io.StringIO()
        monkeypatch.setattr(sys, "stderr", first)
        setup_logging(tmp_path, console=True)
        # stderr is swapped and the old one closed (an in-process command's capture ends)
        first.close()
        second = io.StringIO()
        monkeypatch.setattr(sys, "stderr", second)
        logging.getLogger("app.test").warning("after the swap")
        out = second.getvalue()
        assert "Logging error" not in out            # not logging's own error report
        assert out == "WARNING app.test: after the swap\n"
    finally:
        for h in _ours(root):
            root.removeHandler(h)
            h.close()
        root.setLevel(saved[1])


def test_setup_logging_twice_keeps_one_file_and_one_console_handler(tmp_path):
    root = logging.getLogger()
    try:
        setup_logging(tmp_path, console=True)
        setup_logging(tmp_path, console=True)
        kinds = sorted(type(h).__name__ for h in _ours(root))
        assert kinds == ["_PharosConsoleHandler", "_PharosFileHandler"]
    finally:
        for h in _ours(root):
            root.removeHandler(h)
            h.close()


def test_building_the_parser_again_adds_no_handler():
    build_parser()
    n = len(logging.getLogger("app").handlers)
    build_parser()
    build_parser()
    assert len(logging.getLogger("app").handlers) == n
