"""The station contract (API version 1) and entry-point discovery.

A station is a class registered under the entry-point group ``pharos.stations`` whose
name equals its ``info.id`` and its package folder in ``station_plugins/``. It is given
one :class:`StationContext` and never the main window or another station.

Import rule: a station's ``plugin.py`` is import-light (no Qt, no numpy-heavy work at
import); ``create_panel`` imports its Qt view lazily.
"""
from __future__ import annotations

import argparse
import logging
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

from app.core.errors import PermissionDenied
from app.core.ports import (AuditPort, AuthPort, ConfigPort, LoopPort, ModelPort,
                            NotifierPort, SessionPort, SignaturePort, StatusPort, StorePort,
                            TaskPort)
from app.core.roles import Role, check_action

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

API_VERSION = 1
ENTRY_POINT_GROUP = "pharos.stations"
log = logging.getLogger(__name__)

# Built-in fallback list: used when entry-point metadata is missing (frozen bundle,
# source tree without install). Entry points take precedence.
BUILTIN_STATIONS: dict[str, str] = {
    "ct_qc": "station_plugins.ct_qc.plugin:CtQcStation",
    "image_review": "station_plugins.image_review.plugin:ImageReviewStation",
    "detector_matching": "station_plugins.detector_matching.plugin:DetectorMatchingStation",
    "tunnel_test": "station_plugins.tunnel_test.plugin:TunnelTestStation",
    "lead_room": "station_plugins.lead_room.plugin:LeadRoomStation",
}


@dataclass(frozen=True)
class StationInfo:
    id: str
    title: str                      # English title; zh_CN comes from the Qt translation
    title_zh: str                   # Simplified Chinese title (plant vocabulary)
    description: str
    open_roles: frozenset[Role]     # roles that may open the station
    actions: Mapping[str, frozenset[Role]] = field(default_factory=dict)  # action -> roles
    api_version: int = API_VERSION
    order: int = 100                # position in the station selector
    # data the station cannot work without, as globs under the installation's data
    # packages ("resources/phantoms/*.json", "models/ct_phantom_classifier/*/card.json");
    # ``pharos --self-check`` fails an enabled station whose pattern matches nothing
    requires: tuple[str, ...] = ()


class StationContext:
    """Everything a station may use. Built by :mod:`app.bootstrap`.

    Attributes are typed ports (``app.core.ports`` Protocols), not adapter classes; a
    station uses only what it needs.
    """

    def __init__(self, *, station_id: str, config: ConfigPort, settings: Mapping[str, Any],
                 store: StorePort, audit: AuditPort, auth: AuthPort,
                 signatures: SignaturePort, session: SessionPort, tasks: TaskPort,
                 loop: LoopPort | None, notifier: NotifierPort, data_dir: Path,
                 status: StatusPort | None = None, models: ModelPort | None = None,
                 extras: Mapping[str, Any] | None = None) -> None:
        # each port is a Protocol (app.core.ports); the comment names the service behind it
        self.station_id = station_id
        self.config: ConfigPort = config          # app.config.Config (whole, read-only)
        self.settings: dict[str, Any] = dict(settings)  # this station's [stations.<id>] table
        self.store: StorePort = store             # app.adapters.store.Store
        self.audit: AuditPort = audit             # app.adapters.audit.AuditTrail
        self.auth: AuthPort = auth                # app.adapters.auth.AuthService
        self.signatures: SignaturePort = signatures  # app.adapters.esign.SignatureService
        self.session: SessionPort = session       # app.adapters.auth.SessionState
        self.tasks: TaskPort = tasks              # app.runtime.task_runner.TaskRunner
        self.loop: LoopPort | None = loop         # app.runtime.loop_thread.LoopThread
        self.notifier: NotifierPort = notifier    # app.runtime.notifier.Notifier
        self.data_dir = Path(data_dir)            # this station's folder in the data folder
        self.status: StatusPort | None = status   # app.runtime.status.StatusModel
        self.models: ModelPort | None = models    # app.adapters.inference.ModelRegistry
        self.extras = dict(extras or {})
        self._actions: Mapping[str, frozenset[Role]] = {}

    @property
    def user(self) -> Any:
        return self.session.user if self.session is not None else None

    def require(self, action: str) -> None:
        """Raise PermissionDenied unless the current user's role allows ``action``."""
        user = self.user
        if user is None:
            raise PermissionDenied(f"No user is logged in; '{action}' needs a login.")
        allowed = self._actions.get(action)
        if allowed is None:
            raise PermissionDenied(f"Action '{action}' is not declared by station "
                                   f"'{self.station_id}'.")
        check_action(user.roles, allowed, action, user.username)


class StationPlugin:
    """Base class of every station (API version 1)."""

    info: ClassVar[StationInfo]

    def __init__(self, ctx: StationContext) -> None:
        self.ctx = ctx
        ctx._actions = self.info.actions  # noqa: SLF001 - the base class binds its own context

    # --- GUI -----------------------------------------------------------------
    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        raise NotImplementedError  # every station overrides; contract test checks it

    def can_close(self) -> bool:
        """False while work that must not be interrupted runs (e.g. a test run)."""
        return True

    def shutdown(self) -> None:
        """Stop background work and release resources. Must be idempotent."""

    # --- headless ------------------------------------------------------------
    @classmethod
    def add_cli(cls, subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
        """Register the station's ``pharos <command>`` subcommands (optional)."""


@dataclass
class DiscoveredStation:
    id: str
    target: str
    cls: type[StationPlugin] | None = None
    error: str | None = None        # import or contract error: shown as "unavailable"
    traceback: str | None = None

    @property
    def available(self) -> bool:
        return self.cls is not None and self.error is None


def _load_target(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    import importlib

    module = importlib.import_module(module_name)
    return getattr(module, attr)


def _check_class(sid: str, obj: Any) -> str | None:
    if not isinstance(obj, type) or not issubclass(obj, StationPlugin):
        return f"{obj!r} is not a StationPlugin subclass"
    info = getattr(obj, "info", None)
    if not isinstance(info, StationInfo):
        return "class has no StationInfo 'info'"
    if info.id != sid:
        return f"entry-point name '{sid}' differs from info.id '{info.id}'"
    if info.api_version != API_VERSION:
        return f"station API version {info.api_version}, workstation supports {API_VERSION}"
    return None


def station_targets() -> dict[str, str]:
    """Station id -> ``module:Class`` of every installed station (entry points, backed by
    the built-in list for a frozen bundle); imports no station."""
    targets: dict[str, str] = dict(BUILTIN_STATIONS)
    try:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            targets[ep.name] = ep.value
    except Exception as exc:  # noqa: BLE001 - broken metadata must not stop start-up
        log.warning("entry-point discovery failed: %s", exc)
    return targets


def known_station_ids() -> tuple[str, ...]:
    """Ids of the installed stations, built-in ones first in their usual order."""
    return tuple(station_targets())


def discover_stations(enabled: list[str] | None = None,
                      loader: Callable[[str], Any] = _load_target) -> list[DiscoveredStation]:
    """Find stations; a station that fails to import is returned with its error."""
    targets = station_targets()
    out: list[DiscoveredStation] = []
    for sid, target in targets.items():
        if enabled is not None and sid not in enabled:
            continue
        d = DiscoveredStation(id=sid, target=target)
        try:
            obj = loader(target)
            err = _check_class(sid, obj)
            if err:
                d.error = err
            else:
                d.cls = obj
        except BaseException as exc:  # noqa: BLE001 - includes SystemExit from a plugin
            if isinstance(exc, KeyboardInterrupt):
                raise
            d.error = f"{type(exc).__name__}: {exc}"
            d.traceback = traceback.format_exc()
            log.error("station '%s' unavailable: %s", sid, d.error)
        out.append(d)
    out.sort(key=lambda d: (d.cls.info.order if d.cls else 999, d.id))
    return out
