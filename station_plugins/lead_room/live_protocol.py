"""What travels between the GUI process and the live process (plain, picklable, Qt-free).

The live process (OPC UA client, alarm engine, historian ingest, alarm journal) sends
coalesced snapshots at most ``SNAPSHOT_HZ`` times a second, replies to requests and
error reports; the GUI process sends requests (operator actions, queries, the room
it shows). Nothing here imports asyncua, SQLite or Qt, so the GUI process can unpickle
every message without loading the OPC UA stack.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import PharosError

SNAPSHOT_HZ = 10.0
LIST_KEYS = ("active", "unacked", "shelved", "suppressed", "oos")


@dataclass(frozen=True, slots=True)
class LiveValue:
    """A signal value as the GUI sees it (same attributes the views read)."""

    key: str
    value: Any
    status: str
    reason: str
    source_ts: float | None
    receive_ts: float

    @property
    def valid(self) -> bool:
        return self.status == "GOOD"

    @classmethod
    def of(cls, v: Any) -> "LiveValue":
        return cls(v.key, v.value, v.status, v.reason, v.source_ts, v.receive_ts)


@dataclass(frozen=True, slots=True)
class LinkState:
    """The gateway link as the GUI sees it (``connected`` like the adapter's state)."""

    state: str = "connecting"
    message: str = ""
    attempts: int = 0

    @property
    def connected(self) -> bool:
        return self.state == "connected"


@dataclass(frozen=True)
class StoreTarget:
    """Where the live process journals alarm events (the regulated store's file)."""

    db_path: Path
    station_id: str
    software_version: str
    config_hash: str


@dataclass(frozen=True)
class LiveConfig:
    """Everything the live process needs to build its parts (no live objects)."""

    endpoint: str
    security: str = "Basic256Sha256_SignAndEncrypt"
    pki_dir: Path | None = None
    publishing_ms: float = 250.0
    reconnect_max_s: float = 4.0
    alarm_definitions: Path | None = None
    historian_path: Path | None = None
    heartbeat_s: float = 60.0
    historian_retention: dict[str, float] = field(default_factory=dict)  # historian_*_days
    store: StoreTarget | None = None          # None: journal events are only logged
    demo_rooms: int = 0                       # > 0: run the gateway simulator in-process
    demo_rate_hz: float = 2.0
    log_level: int = 30
    extra: dict[str, Any] = field(default_factory=dict)


def error_payload(exc: BaseException) -> dict[str, Any]:
    """An exception as plain data (PharosError subclasses keep class, text, remedy)."""
    if isinstance(exc, PharosError):
        return {"module": type(exc).__module__, "cls": type(exc).__name__,
                "message": exc.message, "remedy": exc.remedy, "code": exc.code,
                "detail": exc.detail}
    return {"module": "", "cls": type(exc).__name__, "message": f"{type(exc).__name__}: {exc}",
            "remedy": None, "code": None, "detail": None}


def rebuild_error(p: dict[str, Any]) -> Exception:
    """The exception again, in this process (unknown classes become PharosError)."""
    cls: Any = None
    if p.get("module"):
        try:
            cls = getattr(importlib.import_module(p["module"]), p["cls"], None)
        except ImportError:
            cls = None
    if not (isinstance(cls, type) and issubclass(cls, PharosError)):
        if p.get("module"):
            cls = PharosError
        else:
            return RuntimeError(p["message"])
    try:
        return cls(p["message"], remedy=p.get("remedy"), code=p.get("code"),
                   detail=p.get("detail"))
    except TypeError:                        # a subclass with its own signature
        return PharosError(p["message"], remedy=p.get("remedy"), code=p.get("code"),
                           detail=p.get("detail"))
