"""Lead-room monitor station: live state, radiation alarms, history, energy, schedule.

Import-light: adapters (asyncua, historian), the simulator and Qt are imported only
when the station starts its service or builds its panel.
"""
from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING, Any

from app.core.roles import roles
from app.stations import StationContext, StationInfo, StationPlugin

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
_ALL = ("supervisor", "quality_engineer", "operator", "admin")


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
    )

    def __init__(self, ctx: StationContext) -> None:
        super().__init__(ctx)
        self.service: Any = None
        self._writer: Any = None

    def build_service(self, on_annunciate: Any = None) -> Any:
        """Compose the running parts (adapters imported here, not at module import)."""
        if self.service is not None:
            return self.service
        from app.adapters.historian import Historian, HistorianWriter
        from app.adapters.opcua_gateway import OpcUaGatewayClient
        from station_plugins.lead_room.service import LeadRoomService, deadband_for
        from station_plugins.lead_room.signals import range_check

        ctx = self.ctx
        demo = bool(getattr(ctx.config, "demo", False))
        opc = ctx.config.section("opcua") if ctx.config is not None else {}
        security = "None" if demo else str(ctx.settings.get("security", opc.get(
            "security", "Basic256Sha256_SignAndEncrypt")))
        pki = ctx.data_dir / "pki"

        def client_factory(url: str, **kw: Any) -> Any:
            return OpcUaGatewayClient(
                url, security=security, pki_dir=pki,
                publishing_ms=float(ctx.settings.get("publishing_ms", 250)),
                reconnect_max_s=float(opc.get("reconnect_max_s", 4.0)),
                range_check=range_check, **kw)

        def historian_factory(path: Any) -> Any:
            h = Historian(path, deadbands=deadband_for,
                          heartbeat_s=float(ctx.settings.get("heartbeat_s", 60)))
            self._writer = HistorianWriter(h, on_error=lambda e: ctx.notifier.error(
                e, "lead_room")).start()
            return h

        sim_factory = None
        if demo:
            def sim_factory() -> Any:
                from station_plugins.lead_room.gateway_sim import GatewaySimulator
                return GatewaySimulator(rooms=int(ctx.settings.get("demo_rooms", 30)),
                                        rate_hz=2.0)
        self.service = LeadRoomService(ctx, client_factory=client_factory,
                                       historian_factory=historian_factory,
                                       simulator_factory=sim_factory,
                                       on_annunciate=on_annunciate or (lambda a: None))
        return self.service

    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.lead_room.panel import LeadRoomPanel

        service = self.build_service()
        panel = LeadRoomPanel(service, parent)
        service.start()
        return panel

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
