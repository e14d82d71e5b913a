"""Rotating log files in <data>/logs plus stderr for the command line."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Never a secret in a log line: URL passwords and ``password=...`` become ***."""

    def format(self, record: logging.LogRecord) -> str:
        from app.config import redact_text

        return redact_text(super().format(record))


class _PharosFileHandler(logging.handlers.RotatingFileHandler):
    """The log file handler setup_logging installs (and replaces when called again)."""


class _PharosConsoleHandler(logging.StreamHandler):
    """The stderr handler setup_logging installs (and replaces when called again).

    It writes to whatever ``sys.stderr`` is when a record is emitted, not to the stream
    that was stderr when it was made (as logging's own last-resort handler does): a
    command run in-process (tests, the GUI's headless tools) may swap stderr and close
    the old one, and a handler bound to it would then fail on every record."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property  # type: ignore[override]
    def stream(self) -> object:
        import sys

        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:   # StreamHandler.setStream; always stderr
        pass


def setup_logging(data_dir: Path, level: str = "INFO", max_bytes: int = 5_000_000,
                  backups: int = 10, console: bool = False) -> Path:
    log_dir = Path(data_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / "pharos.log"
    if not path.exists():
        import os

        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))   # owner only
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, (_PharosFileHandler, _PharosConsoleHandler)):
            root.removeHandler(h)
            h.close()
    fh = _PharosFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    fh.setFormatter(RedactingFormatter(_FORMAT))
    root.addHandler(fh)
    if console:
        ch = _PharosConsoleHandler()
        ch.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        ch.setLevel(logging.WARNING)
        root.addHandler(ch)
    root.setLevel(getattr(logging, level, logging.INFO))
    for noisy in ("asyncua", "pynetdicom", "numba", "PIL", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
