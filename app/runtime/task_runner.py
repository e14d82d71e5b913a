"""Thread pool for CPU and blocking work, with progress and cooperative cancellation.

``TaskRunner.submit(fn, *args, token=..., progress=...)`` runs ``fn(*args, token=token,
progress=progress)`` in the pool. Single-flight keys cancel the previous task of the
same key before the next one starts (one analysis per panel). Qt-free: the Qt bridge
(:mod:`widgets.tasks`) turns callbacks into queued signals.
"""
from __future__ import annotations

import concurrent.futures
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from app.core.tasks import CancelToken

log = logging.getLogger(__name__)


@dataclass
class TaskHandle:
    key: str | None
    token: CancelToken
    future: concurrent.futures.Future
    progress: list = field(default_factory=lambda: [0.0, ""])

    def cancel(self) -> None:
        self.token.cancel()
        self.future.cancel()

    @property
    def done(self) -> bool:
        return self.future.done()


class TaskRunner:
    def __init__(self, max_workers: int = 2, name: str = "pharos-worker") -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers,
                                                           thread_name_prefix=name)
        self._single: dict[str, TaskHandle] = {}
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               on_done: Callable[[concurrent.futures.Future], None] | None = None,
               **kwargs: Any) -> TaskHandle:
        if self._closed:
            raise RuntimeError("task runner is shut down")
        token = CancelToken()
        holder: list[TaskHandle] = []

        def progress(fraction: float, message: str = "") -> None:
            if holder:
                holder[0].progress[:] = [fraction, message]
            if on_progress is not None:
                on_progress(fraction, message)

        with self._lock:
            if key is not None and key in self._single:
                self._single[key].cancel()
            fut = self._pool.submit(fn, *args, token=token, progress=progress, **kwargs)
            handle = TaskHandle(key=key, token=token, future=fut)
            holder.append(handle)
            if key is not None:
                self._single[key] = handle
        if on_done is not None:
            fut.add_done_callback(on_done)
        fut.add_done_callback(lambda f: self._forget(handle))
        return handle

    def _forget(self, handle: TaskHandle) -> None:
        with self._lock:
            if handle.key is not None and self._single.get(handle.key) is handle:
                del self._single[handle.key]

    @property
    def closed(self) -> bool:
        return self._closed

    def active(self) -> list[TaskHandle]:
        with self._lock:
            return list(self._single.values())

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        with self._lock:
            pending = list(self._single.values())
        for h in pending:      # outside the lock: cancelling runs the done callbacks (_forget)
            h.cancel()
        self._pool.shutdown(wait=wait, cancel_futures=True)
