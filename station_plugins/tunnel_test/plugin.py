"""Tunnel test console station (import-light: no Qt, no numpy at import)."""
from __future__ import annotations

import argparse
import logging
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.roles import roles
from app.station_settings import one_of, positive, setting
from app.stations import StationInfo, StationPlugin
from station_plugins.tunnel_test.endpoint import configured_endpoint

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
DEFAULT_SEQUENCE = Path(__file__).resolve().parent / "sequences" / "carm_final.yaml"
ALL = ("operator", "quality_engineer", "supervisor", "admin")
ENGINEERS = ("quality_engineer", "admin")
SECURITY_MODES = ("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")


def _endpoint(v: str) -> str | None:
    if v in ("", "local") or v.startswith("opc.tcp://"):
        return None
    return "must be an opc.tcp:// URL, or \"local\" (simulated C-arm inside the runner)"


@dataclass(frozen=True)
class TunnelTestSettings:
    """``[stations.tunnel_test]`` (settings_version 1); unset (None) keys fall back to the
    workstation-wide sections."""

    sequence: str = setting(str(DEFAULT_SEQUENCE), doc="test sequence run by default")
    endpoint: str | None = setting(None, check=_endpoint,
                                   doc="else [opcua] tunnel_endpoint; demo: built-in simulator")
    security: str | None = setting(None, check=one_of(*SECURITY_MODES),
                                   doc="else [opcua] security (\"None\" in demo mode)")
    opcua_user: str = setting("", doc="OPC UA user identity (password never here)")
    mes_url: str | None = setting(None, doc="else [mes] url, else the built-in simulated MES")
    mes_resend_s: float = setting(5.0, check=positive, doc="MES outbox resend interval")


class TunnelTestStation(StationPlugin):
    info = StationInfo(
        id="tunnel_test", title="Tunnel test console", title_zh="自动测试隧道",
        description="Automated C-arm test tunnel: 200+ items over OPC UA, AI judgement, "
                    "durable journal, DHR record and MES release.",
        open_roles=roles(*ALL),
        actions={"run_released": roles(*ALL), "run_draft": roles(*ENGINEERS),
                 "run_single_step": roles(*ENGINEERS), "abort": roles(*ALL),
                 "resume": roles("operator", "quality_engineer", "supervisor", "admin"),
                 "release": roles("operator", "quality_engineer", "supervisor"),
                 "edit_sequence": roles(*ENGINEERS),
                 # the signer's role is checked again by the signature service
                 "integrity_decision": roles("supervisor")},
        order=40,
        requires=("models/tunnel_image/card.json", "models/tunnel_waveform/card.json"))
    settings_type = TunnelTestSettings
    settings_version = 1

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._console: Any = None
        self._mes_sim: Any = None
        self._simulator: Any = None
        self._simulator_lock = threading.Lock()
        self._library: Any = None
        self._panel_tasks: weakref.WeakSet = weakref.WeakSet()   # panels' writing jobs
        self._service_lock = threading.RLock()  # console / library: created once, any thread

    # --- services (lazy) ------------------------------------------------------------
    @property
    def console(self) -> Any:
        with self._service_lock:
            return self._console or self._make_console()

    def _make_console(self) -> Any:
        if self._console is None:
            from station_plugins.tunnel_test.console import TunnelConsole

            self._console = TunnelConsole(
                data_dir=self.ctx.data_dir, store=self.ctx.store, audit=self.ctx.audit,
                signatures=self.ctx.signatures, mes=self._mes_client(),
                station_id=self.ctx.config.get("station", "id"),
                library=self.library,
                resend_interval_s=float(self.ctx.settings.get("mes_resend_s", 5.0)),
                link=self.link_options())
        return self._console

    def link_options(self) -> dict:
        """Security of the tunnel OPC UA link, like the lead-room client's: the station's
        ``security`` setting, else ``[opcua] security``; "None" only in demo mode (built-in
        simulator) or when configured so. PKI: ``<station folder>/pki``. User identity:
        station setting ``opcua_user``, its password from $PHAROS_TUNNEL_OPCUA_PASSWORD or
        ``<data>/keys/tunnel_opcua.password`` (never in the configuration file)."""
        import os

        cfg = self.ctx.config
        demo = bool(getattr(cfg, "demo", True))
        security = str(self.ctx.settings.get("security") or (
            "None" if demo else cfg.get("opcua", "security")))
        user = str(self.ctx.settings.get("opcua_user", "") or "")
        password = os.environ.get("PHAROS_TUNNEL_OPCUA_PASSWORD", "")
        pw_file = Path(self.ctx.data_dir).parent.parent / "keys" / "tunnel_opcua.password"
        if user and not password and pw_file.exists():
            password = pw_file.read_text(encoding="utf-8").strip()
        return {"security": security, "pki_dir": str(Path(self.ctx.data_dir) / "pki"),
                "opcua_user": user, "opcua_password": password,
                "reconnect_max_s": float(cfg.get("opcua", "reconnect_max_s"))}

    @property
    def library(self) -> Any:
        """Versioned sequences: shipped ones + ``<data dir>/sequences`` (drafts, releases)."""
        with self._service_lock:
            return self._library or self._make_library()

    def _make_library(self) -> Any:
        if self._library is None:
            from station_plugins.tunnel_test.sequence_library import SequenceLibrary

            shipped = sorted(DEFAULT_SEQUENCE.parent.glob("*.yaml"))
            configured = Path(self.ctx.settings.get("sequence", DEFAULT_SEQUENCE))
            if configured not in shipped:
                shipped.append(configured)
            self._library = SequenceLibrary(Path(self.ctx.data_dir) / "sequences",
                                            shipped=shipped, audit=self.ctx.audit,
                                            signatures=self.ctx.signatures)
        return self._library

    def _mes_client(self) -> Any:
        from app.adapters.mes import MesClient, SimulatedMes

        url = self.ctx.settings.get("mes_url") or self.ctx.config.get("mes", "url")
        if not url:
            self._mes_sim = SimulatedMes().start()
            url = self._mes_sim.url
        return MesClient(url, station=self.ctx.config.get("station", "id"))

    def sequence_path(self) -> Path:
        return Path(self.ctx.settings.get("sequence", DEFAULT_SEQUENCE))

    def endpoint(self) -> str:
        """OPC UA endpoint (see :func:`configured_endpoint`); the built-in simulator in
        demo mode. ``""``: simulated C-arm inside the runner process (no network)."""
        configured = configured_endpoint(self.ctx.settings, self.ctx.config)
        if configured is not None:
            return configured
        with self._simulator_lock:
            if self._simulator is None:
                # its own process: served from a thread here it competed with the GUI
                # thread for the interpreter during every run
                from station_plugins.tunnel_test.sim_process import SimulatorProcess

                self._simulator = SimulatorProcess().start()
        return self._simulator.endpoint

    # --- contract --------------------------------------------------------------------
    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.tunnel_test.panel import TunnelPanel

        return TunnelPanel(self, parent)

    def can_close(self) -> bool:
        return self._console is None or not self._console.any_active()

    def register_panel_tasks(self, slot: Any) -> None:
        """A panel's job slot (``ui_tasks.TaskSlot``) that writes through the console: the
        station lets its current job end before it closes the console."""
        self._panel_tasks.add(slot)

    def shutdown(self) -> None:
        for slot in list(self._panel_tasks):
            try:
                slot.wait(10.0)
            except RuntimeError:          # the panel (and its slot) is already deleted
                pass
        self._panel_tasks.clear()
        if self._console is not None:
            self._console.close()
            self._console = None
        if self._mes_sim is not None:
            self._mes_sim.stop()
            self._mes_sim = None
        if self._simulator is not None:
            self._simulator.stop()
            self._simulator = None

    @classmethod
    def add_cli(cls, subparsers: argparse._SubParsersAction) -> None:
        from station_plugins.tunnel_test.cli import register

        register(subparsers)
