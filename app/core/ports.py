"""The ports a station is given (``StationContext``): what each service offers a station,
as Protocols. Stations program against these, never against the adapters' classes, and
tests can hand a station any object that provides the same methods.

The concrete services (``app.adapters.store.Store``, ``app.adapters.audit.AuditTrail``,
``app.adapters.auth.AuthService``, ``app.adapters.esign.SignatureService``,
``app.runtime.*``) are checked against these by ``tests/foundation/test_ports.py``.
Qt-free and I/O-free: transaction handles are opaque (``Any``).
"""
from __future__ import annotations

import concurrent.futures
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from app.core.roles import Role


@runtime_checkable
class ConfigPort(Protocol):
    """The whole workstation configuration, read-only."""

    data_dir: Path
    config_hash: str

    @property
    def demo(self) -> bool: ...
    def get(self, section: str, key: str) -> Any: ...
    def section(self, section: str) -> dict[str, Any]: ...


@runtime_checkable
class RecordPort(Protocol):
    """One stored record (``app.adapters.store.RecordRow``)."""

    id: str
    kind: str
    subject: str
    ref: str
    verdict: str | None
    payload: dict[str, Any]


@runtime_checkable
class StorePort(Protocol):
    """The local regulated store: append-only records, each with its sync outbox row."""

    station_id: str

    def write(self) -> AbstractContextManager[Any]: ...
    def read(self) -> AbstractContextManager[Any]: ...
    def add_record(self, kind: str, subject: str, payload: dict[str, Any], *, username: str,
                   ref: str = "", verdict: str | None = None, supersedes: str | None = None,
                   conn: Any = None, record_id: str | None = None) -> Any: ...
    def get_record(self, record_id: str, conn: Any = None) -> Any: ...
    def query_records(self, kind: str | None = None, subject: str | None = None,
                      ref: str | None = None, since: str | None = None, limit: int = 1000,
                      newest_first: bool = True, conn: Any = None) -> list[Any]: ...
    def subjects(self, kind: str) -> list[str]: ...


@runtime_checkable
class AuditPort(Protocol):
    """The append-only, HMAC-chained audit trail."""

    def append(self, action: str, entity: str, entity_id: str, *, username: str,
               old: Any = None, new: Any = None, reason: str = "", conn: Any = None) -> Any: ...


@runtime_checkable
class UserPort(Protocol):
    username: str
    full_name: str
    roles: frozenset[Role]


@runtime_checkable
class AuthPort(Protocol):
    def authenticate(self, username: str, password: str, *,
                     allow_expired: bool = False) -> Any: ...
    def list_users(self) -> list[Any]: ...


@runtime_checkable
class SignaturePort(Protocol):
    """Part 11 electronic signatures bound to the content they sign."""

    def authenticate_signer(self, username: str, password: str, meaning: str, *,
                            allowed_roles: frozenset[Role] | None = None,
                            forbid_user: str | None = None) -> Any: ...
    def record(self, conn: Any, signer: Any, record_kind: str, record_id: str,
               content: Any, meaning: str, comment: str = "") -> Any: ...
    def sign(self, record_kind: str, record_id: str, content: Any, meaning: str, *,
             username: str, password: str, comment: str = "",
             allowed_roles: frozenset[Role] | None = None,
             forbid_user: str | None = None) -> Any: ...
    def signatures_for(self, record_kind: str, record_id: str) -> list[Any]: ...


@runtime_checkable
class SessionPort(Protocol):
    """Who is logged in at this workstation (``user`` is None when nobody is)."""

    @property
    def user(self) -> Any: ...


@runtime_checkable
class TaskPort(Protocol):
    """The thread pool for CPU and blocking work (single-flight per key, cancellable)."""

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               on_done: Callable[[concurrent.futures.Future[Any]], None] | None = None,
               **kwargs: Any) -> Any: ...


@runtime_checkable
class LoopPort(Protocol):
    """The one asyncio loop thread (OPC UA)."""

    def submit(self, coro: Awaitable[Any],
               callback: Callable[[concurrent.futures.Future[Any]], Any] | None = None
               ) -> concurrent.futures.Future[Any]: ...


@runtime_checkable
class NotifierPort(Protocol):
    """Errors and notices that reach a person (panel message bar, log)."""

    def notify(self, notice: Any) -> None: ...
    def warning(self, text: str, source: str = "") -> None: ...
    def error(self, exc: BaseException | str, source: str = "") -> None: ...


@runtime_checkable
class StatusPort(Protocol):
    """The connection lights (PACS, OPC UA, central database, hardware)."""

    def set(self, name: str, state: str, detail: str = "", value: int | None = None) -> None: ...


@runtime_checkable
class ModelPort(Protocol):
    """The hash-checked ONNX model registry: a model loads only if its sha256 matches."""

    def cards(self) -> list[Any]: ...
    def find(self, name: str, version: str | None = None) -> Any: ...
    def load(self, name: str, version: str | None = None) -> Any: ...


SettingsPort = Mapping[str, Any]
