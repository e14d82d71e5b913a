"""Lead-room monitor station: live state, radiation alarms, history, energy, schedule.

Import-light: adapters (asyncua, historian), the simulator and Qt are imported only
when the station starts its service or builds its panel.
"""
from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ConfigError
from app.core.roles import roles
from app.station_settings import in_range, one_of, positive, setting
from app.stations import StationContext, StationInfo, StationPlugin

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
_ALL = ("supervisor", "quality_engineer", "operator", "admin")
SECURITY_MODES = ("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")


def _endpoint(v: str) -> str | None:
    return None if v == "" or v.startswith("opc.tcp://") else "must be an opc.tcp:// URL"


@dataclass(frozen=True)
class LeadRoomSettings:
    """``[stations.lead_room]``, settings_version 2 (version 1 called the historian's
    heartbeat ``heartbeat_s``, see ``migrate_settings``)."""

    endpoint: str | None = setting(None, check=_endpoint, doc="else [opcua] gateway_endpoint")
    security: str | None = setting(None, check=one_of(*SECURITY_MODES),
                                   doc="else [opcua] security (\"None\" in demo mode)")
    publishing_ms: float = setting(250.0, check=in_range(100, 1000),
                                   doc="OPC UA subscription publishing interval")
    live_process: bool = setting(True, doc="live parts in their own process")
    demo_rooms: int = setting(30, check=in_range(1, 999), doc="rooms of the demo gateway")
    historian_heartbeat_s: float = setting(
        60.0, check=positive, doc="a flat signal is still written at least this often")
    historian_raw_days: float = setting(90.0, check=positive, doc="raw samples kept (days)")
    historian_minute_days: float = setting(400.0, check=positive, doc="1-minute rollups kept")
    historian_5min_days: float = setting(3 * 365.0, check=positive, doc="5-minute rollups kept")
    historian_15min_days: float = setting(10 * 365.0, check=positive,
                                          doc="15-minute rollups kept")


class LeadRoomStation(StationPlugin):
    info = StationInfo(
        id="lead_room", title="Lead-room monitor", title_zh="铅房监控",
        description="Shielded X-ray test rooms: live state, radiation-safety alarms, "
                    "history, weekly dose, energy and the room schedule.",
        open_roles=roles(*_ALL),
        actions={
            "acknowledge": roles(*_ALL),
            "shelve": roles("supervisor", "admin"),
            "suppress": roles("supervisor", "admin"),
            "out_of_service": roles("supervisor", "admin"),
            "edit_alarms": roles("quality_engineer", "admin"),
            "schedule_override": roles("supervisor", "admin"),
            "sign_checklist": roles("operator", "supervisor", "quality_engineer"),
        },
        order=50,
        requires=("resources/lead_rooms/alarms.yaml",),
    )
    settings_type = LeadRoomSettings
    settings_version = 2

    @classmethod
    def migrate_settings(cls, raw: dict[str, Any], from_version: int) -> dict[str, Any]:
        """1 -> 2: ``heartbeat_s`` became ``historian_heartbeat_s`` (it is the historian's
        write heartbeat, not a link heartbeat; all historian keys share the prefix)."""
        if from_version == 1 and "heartbeat_s" in raw:
            if "historian_heartbeat_s" in raw:
                raise ConfigError("Configuration table [stations.lead_room] (settings_version "
                                  "1) has both heartbeat_s and historian_heartbeat_s; keep "
                                  "one (version 2 names it historian_heartbeat_s).")
            raw["historian_heartbeat_s"] = raw.pop("heartbeat_s")
        return raw

    def __init__(self, ctx: StationContext) -> None:
        super().__init__(ctx)
        self.service: Any = None
        self._writer: Any = None

    def build_service(self, on_annunciate: Any = None) -> Any:
        """Compose the running parts (adapters imported here, not at module import).

        Default: the live parts in their own process (``[stations.lead_room]
        live_process = true``); ``false`` runs them in this process (tools, tests).
        """
        if self.service is not None:
            return self.service
        from station_plugins.lead_room.service import LeadRoomService

        ctx = self.ctx
        if bool(ctx.settings.get("live_process", True)):
            from station_plugins.lead_room.live_proxy import LiveProcess

            self.service = LeadRoomService(ctx, live=LiveProcess(
                self.live_config(), on_error=lambda e: ctx.notifier.error(e, "lead_room")))
            return self.service
        from station_plugins.lead_room.adapters.historian import Historian, HistorianWriter, Retention
        from app.adapters.opcua_gateway import OpcUaGatewayClient
        from station_plugins.lead_room.service import deadband_for
        from station_plugins.lead_room.signals import range_check

        security, pki, opc = self._security()

        def client_factory(url: str, **kw: Any) -> Any:
            return OpcUaGatewayClient(
                url, security=security, pki_dir=pki,
                publishing_ms=float(ctx.settings.get("publishing_ms", 250)),
                reconnect_max_s=float(opc.get("reconnect_max_s", 4.0)),
                range_check=range_check, **kw)

        def historian_factory(path: Any) -> Any:
            h = Historian(path, deadbands=deadband_for,
                          heartbeat_s=float(ctx.settings.get("historian_heartbeat_s", 60)),
                          retention=Retention.from_settings(ctx.settings))
            self._writer = HistorianWriter(h, on_error=lambda e: ctx.notifier.error(
                e, "lead_room")).start()
            return h

        sim_factory = None
        if self._demo():
            def sim_factory() -> Any:
                from station_plugins.lead_room.gateway_sim import GatewaySimulator
                return GatewaySimulator(rooms=int(ctx.settings.get("demo_rooms", 30)),
                                        rate_hz=2.0)
        self.service = LeadRoomService(ctx, client_factory=client_factory,
                                       historian_factory=historian_factory,
                                       simulator_factory=sim_factory,
                                       on_annunciate=on_annunciate or (lambda a: None))
        return self.service

    def _demo(self) -> bool:
        return bool(getattr(self.ctx.config, "demo", False))

    def _security(self) -> tuple[str, Any, dict]:
        ctx = self.ctx
        opc = ctx.config.section("opcua") if ctx.config is not None else {}
        security = "None" if self._demo() else str(ctx.settings.get("security", opc.get(
            "security", "Basic256Sha256_SignAndEncrypt")))
        return security, ctx.data_dir / "pki", opc

    def live_config(self) -> Any:
        """What the live process needs (paths and settings only, picklable)."""
        from station_plugins.lead_room.live_protocol import LiveConfig, StoreTarget
        from station_plugins.lead_room.service import alarm_definitions_path

        ctx = self.ctx
        security, pki, opc = self._security()
        st: Any = ctx.store   # the concrete Store: the live process opens its own on that file
        store = None if st is None else StoreTarget(st.db_path, st.station_id,
                                                    st.software_version, st.config_hash)
        endpoint = str(ctx.settings.get("endpoint") or opc.get("gateway_endpoint", ""))
        return LiveConfig(
            endpoint=endpoint, security=security, pki_dir=pki,
            publishing_ms=float(ctx.settings.get("publishing_ms", 250)),
            reconnect_max_s=float(opc.get("reconnect_max_s", 4.0)),
            alarm_definitions=alarm_definitions_path(ctx.data_dir),
            historian_path=ctx.data_dir / "historian.db",
            heartbeat_s=float(ctx.settings.get("historian_heartbeat_s", 60)), store=store,
            historian_retention={k: float(v) for k, v in ctx.settings.items()
                                 if k.startswith("historian_") and k.endswith("_days")},
            demo_rooms=int(ctx.settings.get("demo_rooms", 30)) if self._demo() else 0,
            log_level=logging.getLogger().getEffectiveLevel())

    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.lead_room.panel import LeadRoomPanel

        from widgets.staged_build import call_when_idle

        service = self.build_service()
        panel = LeadRoomPanel(service, parent)
        # the live process is spawned in the next pass of the event loop (~10 ms, not in
        # the one that builds and shows the panel: session 30), before the panel's idle
        # builds; the panel says "connecting" meanwhile, and a station shut down before
        # that never starts it
        call_when_idle(panel, lambda: self._start_service(service), first=True)
        return panel

    def _start_service(self, service: Any) -> None:
        if self.service is service:
            service.start()

    def can_close(self) -> bool:
        return True

    def shutdown(self) -> None:
        if self.service is not None:
            self.service.stop()
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        if self.service is not None and self.service.historian is not None:
            self.service.historian.close()
        self.service = None

    @classmethod
    def add_cli(cls, subparsers: argparse._SubParsersAction) -> None:
        from station_plugins.lead_room.cli import register

        register(subparsers)
