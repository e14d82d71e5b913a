"""Rotating log files in <data>/logs plus stderr for the command line."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


def setup_logging(data_dir: Path, level: str = "INFO", max_bytes: int = 5_000_000,
                  backups: int = 10, console: bool = False) -> Path:
    log_dir = Path(data_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "pharos.log"
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_pharos", False):
            root.removeHandler(h)
            h.close()
    fh = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups,
                                              encoding="utf-8")
    fh.setFormatter(logging.Formatter(_FORMAT))
    fh._pharos = True  # type: ignore[attr-defined]
    root.addHandler(fh)
    if console:
        ch = logging.StreamHandler()
        ch.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        ch.setLevel(logging.WARNING)
        ch._pharos = True  # type: ignore[attr-defined]
        root.addHandler(ch)
    root.setLevel(getattr(logging, level, logging.INFO))
    for noisy in ("asyncua", "pynetdicom", "numba", "PIL", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
