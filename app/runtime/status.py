"""StatusModel: Qt-free connection lights (hardware / PACS / central database / sync backlog).

Any thread pushes values; listeners are called on the pushing thread (the Qt status bar
re-emits them through a queued signal, so widgets only change on the GUI thread).

    status = StatusModel()
    status.set("hardware", "ok", "Tunnel PLC connected (opc.tcp://10.0.4.12:4840)")
    status.set("pacs", "error", "Association rejected by ORTHANC")
    status.set_backlog(37)          # sync outbox rows waiting; state derived from thresholds
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

from app.core.ids import utc_iso

CHANNELS = ("hardware", "pacs", "central_db", "sync_backlog")
STATES = ("ok", "warning", "error", "unknown", "off")


@dataclass(frozen=True)
class ChannelStatus:
    name: str
    state: str = "unknown"
    detail: str = ""
    value: int | None = None          # e.g. backlog row count
    updated_utc: str = field(default_factory=utc_iso)


class StatusModel:
    def __init__(self, *, backlog_warning: int = 100, backlog_error: int = 1000) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, ChannelStatus] = {n: ChannelStatus(n) for n in CHANNELS}
        self._listeners: list[Callable[[ChannelStatus], None]] = []
        self.backlog_warning = backlog_warning
        self.backlog_error = backlog_error

    def set(self, name: str, state: str, detail: str = "", value: int | None = None) -> None:
        if name not in self._channels:
            raise ValueError(f"unknown status channel {name!r}; known: {', '.join(CHANNELS)}")
        if state not in STATES:
            raise ValueError(f"status state must be one of {', '.join(STATES)}, not {state!r}")
        status = ChannelStatus(name, state, detail, value)
        with self._lock:
            self._channels[name] = status
            listeners = list(self._listeners)
        for fn in listeners:
            fn(status)

    def set_backlog(self, rows: int, detail: str = "") -> None:
        """Sync outbox rows waiting: ok when 0, warning/error above the thresholds."""
        if rows < 0:
            raise ValueError("backlog cannot be negative")
        state = "error" if rows >= self.backlog_error else \
            "warning" if rows >= self.backlog_warning else "ok"
        self.set("sync_backlog", state, detail, value=rows)

    def get(self, name: str) -> ChannelStatus:
        with self._lock:
            return self._channels[name]

    def snapshot(self) -> dict[str, ChannelStatus]:
        with self._lock:
            return dict(self._channels)

    def subscribe(self, fn: Callable[[ChannelStatus], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)
        return unsubscribe
