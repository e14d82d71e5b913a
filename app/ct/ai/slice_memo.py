"""A per-slice measurement made once per series run (Qt-free): neighbouring stacks share
slices, and the series run's batches run on several threads (the ring and streak gates'
caches)."""
from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class SliceMemo(Generic[T]):
    """``get(j, measure)``: slice j's value, measured by ``measure()`` the first time (two
    threads asking at once may both measure - the same value; the first one stored is
    kept)."""

    def __init__(self) -> None:
        self._done: dict[int, T] = {}
        self._lock = threading.Lock()

    def get(self, j: int, measure: Callable[[], T]) -> T:
        with self._lock:
            if j in self._done:
                return self._done[j]
        value = measure()
        with self._lock:
            return self._done.setdefault(j, value)
