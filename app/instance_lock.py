"""One workstation GUI per data folder: an exclusive OS lock on ``pharos.lock``.

The OS releases the lock when the process dies (kill -9 included): no stale locks.
Command-line tools share the store safely through SQLite's own locking.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from app.core.errors import AlreadyRunning


class InstanceLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "pharos.lock"
        self._fh = None

    def acquire(self) -> "InstanceLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - the open handle holds the lock until release()
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            raise AlreadyRunning(
                f"Another Pharos workstation is already running on the data folder "
                f"{self.path.parent}{f' (process {holder})' if holder else ''}.") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            try:
                self._fh.close()
            finally:
                self._fh = None
