"""Change listeners of the room monitor and of its proxy in the GUI process (same API)."""
from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger(__name__)


class ChangeListeners:
    def __init__(self, name: str) -> None:
        self.name = name
        self._fns: list[Callable[[], None]] = []

    def add(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Register ``fn``; returns a function that removes it again."""
        self._fns.append(fn)

        def remove() -> None:
            if fn in self._fns:
                self._fns.remove(fn)
        return remove

    def notify(self) -> None:
        for fn in list(self._fns):
            try:
                fn()
            except Exception:  # noqa: BLE001 - one listener must not stop the others
                log.exception("%s listener failed", self.name)
