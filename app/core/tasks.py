"""Cancellation and progress for long computations (Qt-free).

Long work is written as plain functions ``run(inputs, *, token, progress)``; the
runtime's task runner executes them off the GUI thread.
"""
from __future__ import annotations

import threading
from typing import Callable, Protocol

from app.core.errors import Cancelled


class CancelToken:
    """Cooperative cancellation flag, checked between steps. Never kill threads."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks = list(self._callbacks)
        for cb in callbacks:  # e.g. onnxruntime RunOptions.terminate = True
            try:
                cb()
            except Exception:  # noqa: BLE001 - a failing canceller must not stop others
                pass

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("Operation cancelled.")

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


class Progress(Protocol):
    def __call__(self, fraction: float, message: str = "") -> None: ...


def no_progress(fraction: float, message: str = "") -> None:  # noqa: ARG001
    """A progress sink that drops everything (CLI without a bar, tests)."""


class ScaledProgress:
    """Map a sub-step's 0..1 onto a slice [start, stop] of the parent's progress."""

    def __init__(self, parent: Callable[[float, str], None], start: float, stop: float) -> None:
        self.parent, self.start, self.stop = parent, start, stop

    def __call__(self, fraction: float, message: str = "") -> None:
        f = min(1.0, max(0.0, fraction))
        self.parent(self.start + (self.stop - self.start) * f, message)
