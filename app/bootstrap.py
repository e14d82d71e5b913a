"""Composition root: config -> adapters -> StationContext -> stations.

The only place that builds adapters and hands them to stations. Used by the GUI, the
command line and the tests (``Workstation.open(...)``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.adapters.audit import AuditTrail, load_or_create_key
from app.adapters.auth import AuthService, SessionState
from app.adapters.esign import SignatureService
from app.adapters.store import Store
from app.config import Config, load_config
from app.core.errors import ConfigError
from app.instance_lock import InstanceLock
from app.logging_setup import setup_logging
from app.paths import models_dir
from app.runtime.loop_thread import LoopThread
from app.runtime.notifier import Notifier
from app.runtime.status import StatusModel
from app.runtime.task_runner import TaskRunner
from app.station_settings import resolve_station_settings
from app.stations import DiscoveredStation, StationContext, StationPlugin, discover_stations

log = logging.getLogger(__name__)


@dataclass
class StationEntry:
    """A discovered station: constructed, or unavailable with its error."""

    id: str
    discovered: DiscoveredStation
    instance: StationPlugin | None = None
    error: str | None = None

    @property
    def available(self) -> bool:
        return self.instance is not None

    @property
    def title(self) -> str:
        cls = self.discovered.cls
        return cls.info.title if cls else self.id

    @property
    def title_zh(self) -> str:
        cls = self.discovered.cls
        return cls.info.title_zh if cls else self.id


@dataclass
class Workstation:
    config: Config
    store: Store
    audit: AuditTrail
    auth: AuthService
    signatures: SignatureService
    session: SessionState
    tasks: TaskRunner
    loop: LoopThread
    notifier: Notifier
    lock: InstanceLock | None
    status: StatusModel = field(default_factory=StatusModel)
    models: Any = None  # app.adapters.inference.ModelRegistry
    sync: Any = None    # app.adapters.sync.SyncService (local only when no central URL)
    stations: list[StationEntry] = field(default_factory=list)
    first_run_password: str | None = None
    log_path: Path | None = None

    @classmethod
    def open(cls, *, config_path: Path | None = None, data_dir: Path | None = None,
             exclusive: bool = False, with_stations: bool = True, console_log: bool = False,
             start_loop: bool = True, admin_password: str | None = None,
             env: dict[str, str] | None = None, start_sync: bool = False) -> "Workstation":
        config = load_config(config_path, data_dir=data_dir, env=env)
        config.data_dir.mkdir(parents=True, exist_ok=True)
        lg = config.section("logging")
        log_path = setup_logging(config.data_dir, lg["level"], lg["max_bytes"], lg["backups"],
                                 console=console_log)
        lock = InstanceLock(config.data_dir).acquire() if exclusive else None
        store = None
        try:
            store = Store(config.data_dir / "pharos.db", station_id=config.get("station", "id"),
                          software_version=__version__, config_hash=config.config_hash).open()
            ws = cls.assemble(config, store, lock=lock, start_loop=start_loop)
            ws.first_run_password = ws.auth.ensure_admin(admin_password)
        except BaseException:
            if store is not None:
                store.close()
            if lock is not None:
                lock.release()
            raise
        ws.log_path = log_path
        ws._start_sync(start_sync)
        if with_stations:
            ws.load_stations()
        return ws

    @classmethod
    def assemble(cls, config: Config, store: Store, *, lock: InstanceLock | None = None,
                 start_loop: bool = True, workers: int = 2,
                 audit_model_refusals: bool = True) -> "Workstation":
        """Services on an open store, creating no account and starting no sync
        (``open`` adds the first-run admin; the self-check uses this as it is)."""
        audit = AuditTrail(store, load_or_create_key(config.data_dir / "keys" / "audit.key"))
        auth = AuthService.from_config(store, audit, config.section("security"))
        loop = LoopThread()
        if start_loop:
            loop.start()
        ws = cls(config=config, store=store, audit=audit, auth=auth,
                 signatures=SignatureService(store, audit, auth),
                 session=SessionState(auth, config.get("security", "idle_lock_minutes")),
                 tasks=TaskRunner(max_workers=workers), loop=loop, notifier=Notifier(),
                 lock=lock)
        from app.adapters.inference import ModelRegistry  # numpy: after the store opens

        ws.models = ModelRegistry(models_dir(), audit=audit if audit_model_refusals else None)
        return ws

    def _start_sync(self, start: bool) -> None:
        from app.adapters.sync import SyncService, feed_status_model

        self.sync = SyncService.from_config(self.config, self.store, self.audit)
        feed_status_model(self.sync, self.status)
        if not self.sync.enabled:
            log.info("no central database configured: results stay local (embedded default)")
        elif start:
            self.sync.start()

    def context_for(self, station_id: str, extras: dict[str, Any] | None = None,
                    station: type[StationPlugin] | None = None) -> StationContext:
        """The context of ``station_id``; its ``[stations.<id>]`` table migrated and
        validated against the station's typed settings (``station``, else the class found
        by discovery). An invalid table raises ConfigError naming the key."""
        if station is None:
            found = discover_stations([station_id])
            station = found[0].cls if found and found[0].available else None
        raw = self.config.station_settings(station_id)
        resolved = resolve_station_settings(station_id, station, raw) if station else None
        if resolved is not None and resolved.migrated:
            log.info("[stations.%s] settings_version %d read as version %d", station_id,
                     resolved.written_version, resolved.version)
        station_dir = self.config.data_dir / "stations" / station_id
        station_dir.mkdir(parents=True, exist_ok=True)
        ctx = StationContext(
            station_id=station_id, config=self.config,
            settings=resolved.mapping if resolved else raw, store=self.store,
            audit=self.audit, auth=self.auth, signatures=self.signatures,
            session=self.session, tasks=self.tasks, loop=self.loop, notifier=self.notifier,
            data_dir=station_dir, status=self.status, models=self.models, extras=extras)
        if station is not None:
            ctx.bind_settings(station, resolved)
        return ctx

    def load_stations(self) -> list[StationEntry]:
        enabled = self.config.get("stations", "enabled")
        entries: list[StationEntry] = []
        for d in discover_stations(enabled):
            entry = StationEntry(id=d.id, discovered=d, error=d.error)
            if d.available:
                try:
                    ctx = self.context_for(d.id, station=d.cls)
                    entry.instance = d.cls(ctx)  # type: ignore[misc]
                except ConfigError as exc:   # invalid [stations.<id>] table: named key
                    entry.error = exc.message
                    log.error("station '%s' unavailable: %s", d.id, exc.message)
                except Exception as exc:  # noqa: BLE001 - a broken station never stops start-up
                    entry.error = f"{type(exc).__name__}: {exc}"
                    log.exception("station '%s' failed to construct", d.id)
            if entry.error:
                self.notifier.warning(f"Station '{d.id}' unavailable: {entry.error}",
                                      source="stations")
            entries.append(entry)
        self.stations = entries
        return entries

    def station(self, station_id: str) -> StationEntry | None:
        return next((s for s in self.stations if s.id == station_id), None)

    def close(self) -> None:
        for entry in self.stations:
            if entry.instance is not None:
                try:
                    entry.instance.shutdown()
                except Exception:  # noqa: BLE001
                    log.exception("station '%s' shutdown failed", entry.id)
        if self.sync is not None:
            try:
                self.sync.close()
            except Exception:  # noqa: BLE001
                log.exception("sync service close failed")
        self.tasks.shutdown(wait=True)
        self.loop.stop()
        self.store.close()
        if self.lock is not None:
            self.lock.release()
