"""Pieces the engine runs steps with: calls under a hard timeout, named instrument
locks shared by tunnels (processes) of one console, and the safe-state routine.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from app.core.errors import DeviceError


class RunStopped(Exception):
    """Raised inside the engine to end the run abnormally (abort, hung call, journal,
    console lost: status ``interrupted``)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class CallTimeout(DeviceError):
    code = "PH-TT-TIMEOUT"
    remedy = "The unit was put in its safe state. Check the device, then resume or abort."


class CallWorker:
    """Runs calls on a worker thread and waits at most ``timeout_s``.

    A call that overruns is abandoned (its thread is left behind, never killed; the
    runner process exits at the end of the run, which ends it) and a fresh worker
    thread takes the next call.
    """

    def __init__(self, interrupt: Callable[[], str] | None = None) -> None:
        self._q: queue.SimpleQueue | None = None
        self.abandoned = 0
        # returns a reason when the run must stop at once (console lost): the call in
        # flight is abandoned instead of waited for
        self.interrupt = interrupt

    def _start(self) -> queue.SimpleQueue:
        q: queue.SimpleQueue = queue.SimpleQueue()

        def loop() -> None:
            while True:
                item = q.get()
                if item is None:
                    return
                fn, box, done = item
                try:
                    box.append((True, fn()))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    box.append((False, exc))
                done.set()

        threading.Thread(target=loop, name="tunnel-call", daemon=True).start()
        return q

    def call(self, fn: Callable[[], Any], timeout_s: float, what: str) -> Any:
        if self._q is None:
            self._q = self._start()
        box: list = []
        done = threading.Event()
        self._q.put((fn, box, done))
        if not self._wait(done, timeout_s):
            self._q = None            # that thread is stuck; the next call gets a new one
            self.abandoned += 1
            why = self.interrupt() if self.interrupt is not None else ""
            if why:
                raise RunStopped("interrupted", why)
            raise CallTimeout(f"{what} did not answer within {timeout_s:g} s")
        ok, value = box[0]
        if ok:
            return value
        raise value

    def _wait(self, done: threading.Event, timeout_s: float) -> bool:
        if self.interrupt is None:
            return done.wait(timeout_s)
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if done.wait(min(max(left, 0.0), 0.1)):
                return True
            if left <= 0 or self.interrupt():
                return False

    def close(self) -> None:
        if self._q is not None:
            self._q.put(None)
            self._q = None


class NamedLocks:
    """Cross-process named locks (one lock file per instrument in ``folder``)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, names: tuple[str, ...], timeout_s: float = 120.0) -> Iterator[float]:
        """Acquire all ``names`` (sorted: no deadlock); yields the seconds waited."""
        files = []
        t0 = time.monotonic()
        try:
            for name in sorted(set(names)):
                f = open(self.folder / f"{name}.lock", "a+b")  # noqa: SIM115
                files.append(f)
                while not _try_lock(f):
                    if time.monotonic() - t0 > timeout_s:
                        raise DeviceError(f"instrument '{name}' stayed busy (another "
                                          f"tunnel) for {timeout_s:g} s",
                                          code="PH-TT-LOCK")
                    time.sleep(0.01)
            yield time.monotonic() - t0
        finally:
            for f in reversed(files):
                _unlock(f)
                f.close()


if sys.platform == "win32":  # pragma: no cover - Windows workstation
    import msvcrt

    def _try_lock(f: Any) -> bool:
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(f: Any) -> None:
        try:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(f: Any) -> bool:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(f: Any) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def make_safe(actions: tuple, call: Callable[[str, dict, float], dict]) -> list[dict]:
    """Run every safe-state action (beam off, motion stop...). Each is tried even when
    an earlier one fails; the outcome of each is returned for the journal."""
    out = []
    for a in actions:
        try:
            res = call(a.driver or a.python, dict(a.args), 5.0)
            out.append({"action": a.target, "ok": True,
                        "result": {k: v for k, v in res.items()
                                   if isinstance(v, (bool, int, float, str))}})
        except Exception as exc:  # noqa: BLE001 - every action must be attempted
            out.append({"action": a.target, "ok": False,
                        "error": f"{type(exc).__name__}: {exc}"})
    return out
