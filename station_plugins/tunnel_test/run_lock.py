"""One writer per run: an OS file lock in the journal folder plus a pid note.

``<data>/runs/<run_id>.lock`` is locked (``flock``; ``msvcrt.locking`` on Windows) by
the process that writes the run - the runner, or the console while it puts an
interrupted unit in its safe state - for as long as it writes. The file also holds who
took it (pid, host, what, since) for the message shown to the next one.

Stale-lock rule: the lock belongs to the open file, so the kernel drops it the moment
the holding process dies (kill -9 included). A lock file whose lock can be taken is
stale whatever pid it names, and is taken over; one whose lock cannot be taken has a
live writer, and resume / abort / a second runner are refused naming that process.
"""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from app.core.errors import PharosError
from app.core.ids import utc_iso
from station_plugins.tunnel_test.execution import _try_lock, _unlock


class RunBusy(PharosError):
    code = "PH-TT-BUSY"
    remedy = ("Another process is still writing this run (a runner whose console was lost, "
              "or a second console). Wait until it has put the unit in its safe state and "
              "stopped; it stops by itself when its console is gone.")


class RunLock:
    def __init__(self, data_dir: str | Path, run_id: str) -> None:
        self.path = Path(data_dir) / "runs" / f"{run_id}.lock"
        self.run_id = run_id
        self._f: Any = None

    def acquire(self, what: str, *, wait_s: float = 0.0) -> "RunLock":
        """Take the lock (waiting up to ``wait_s``) or raise :class:`RunBusy`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = open(self.path, "a+b")  # noqa: SIM115 - held for the writer's lifetime
        deadline = time.monotonic() + wait_s
        while not _try_lock(f):
            if time.monotonic() >= deadline:
                f.close()
                holder = self.holder_note()
                raise RunBusy(f"Run {self.run_id} is being written by "
                              f"{_describe(holder)}; refused.")
            time.sleep(0.05)
        f.seek(0)
        f.truncate()
        f.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "what": what,
                            "since": utc_iso()}).encode())
        f.flush()
        self._f = f
        return self

    def try_acquire(self, what: str) -> "RunLock | None":
        try:
            return self.acquire(what)
        except RunBusy:
            return None

    def release(self) -> None:
        f, self._f = self._f, None
        if f is not None:
            try:
                _unlock(f)
            finally:
                f.close()

    def holder_note(self) -> dict:
        try:
            return json.loads(self.path.read_bytes() or b"{}")
        except (OSError, ValueError):
            return {}

    def holder(self) -> dict | None:
        """Who writes the run now (pid note), or None when nobody does (free or stale)."""
        if not self.path.exists():
            return None
        with open(self.path, "a+b") as f:
            if _try_lock(f):
                _unlock(f)
                return None
        return self.holder_note() or {"pid": "?"}

    def __enter__(self) -> "RunLock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def _describe(h: dict) -> str:
    if not h:
        return "another process"
    return (f"process {h.get('pid', '?')} on {h.get('host', '?')} ({h.get('what', '?')}, "
            f"since {h.get('since', '?')})")
