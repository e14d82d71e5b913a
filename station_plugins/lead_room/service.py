"""LeadRoomService: the station's running parts, composed from the context (Qt-free).

The live parts (gateway client, alarm engine, historian, journal) run either in their
own process (``live``: a :class:`live_proxy.LiveProcess`, the station's default, so
OPC UA decoding never holds the GUI's GIL) or in this process on the app's asyncio
loop thread (tests, tools: alarm engine with definitions from the station data folder
or the shipped file, historian, journal writer and gateway client from the factories
the plugin passes in; in demo mode also the gateway simulator).
Operator actions check the role (``ctx.require``) and end in the alarm journal; the
schedule override is also written to the audit trail; checklists are e-signed.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from app.core.errors import ValidationError
from app.core.ids import new_id
from app.paths import resources_dir
from station_plugins.lead_room.alarm_defs import load_definitions
from station_plugins.lead_room.alarms import AlarmEngine
from station_plugins.lead_room.monitor import JournalWriter, RoomMonitor, store_journal_sink
from station_plugins.lead_room.signals import spec_for

log = logging.getLogger(__name__)
CHECKLIST_ITEMS = (
    "Door-machine interlock tested: opening a door stops exposure",
    "Closing the door does not restart exposure by itself",
    "Ready and irradiating lights and the audible warning work",
    "Emergency stops tested",
    "Fixed radiation monitor responds (function check)",
    "No interlock bypass key inserted",
    "Calibration of the monitor is valid",
)


def alarm_definitions_path(data_dir: Path) -> Path:
    own = Path(data_dir) / "alarms.yaml"
    return own if own.exists() else resources_dir() / "lead_rooms" / "alarms.yaml"


class LeadRoomService:
    def __init__(self, ctx: Any, *, client_factory: Callable[..., Any] | None = None,
                 historian_factory: Callable[[Path], Any] | None = None,
                 simulator_factory: Callable[[], Any] | None = None,
                 on_annunciate: Callable[[Any], None] = lambda a: None,
                 live: Any = None) -> None:
        self.ctx = ctx
        self.live = live
        self.client_factory = client_factory
        self.simulator_factory = simulator_factory
        self.simulator: Any = None
        self.client: Any = None
        self.started = False
        if live is not None:       # the live parts run in their own process (live_proxy)
            self.journal = None
            self.engine = live.engine
            self.historian = live.historian
            self.monitor = live.monitor
            return
        self.journal = JournalWriter(store_journal_sink(ctx.store),
                                     on_error=lambda e: ctx.notifier.error(e, "lead_room"))
        self.engine = AlarmEngine(load_definitions(alarm_definitions_path(ctx.data_dir)),
                                  journal=self.journal, on_annunciate=on_annunciate)
        self.historian = historian_factory(Path(ctx.data_dir) / "historian.db") \
            if historian_factory else None
        self.monitor = RoomMonitor(self.engine, historian=self.historian)

    # --- lifecycle ------------------------------------------------------------------------
    async def _start(self) -> None:
        url = self.endpoint
        if self.simulator_factory is not None:
            self.simulator = self.simulator_factory()
            await self.simulator.start()
            url = self.simulator.url
        assert self.client_factory is not None, "an in-process service needs a client_factory"
        self.client = self.client_factory(url, on_values=self.monitor.on_values,
                                          on_state=self.monitor.on_state)
        await self.monitor.start()
        await self.client.start()

    async def _stop(self) -> None:
        if self.client is not None:
            await self.client.stop()
        await self.monitor.stop()
        if self.simulator is not None:
            await self.simulator.stop()

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        if self.live is not None:
            self.live.start()
            return
        self.ctx.loop.submit(self._start()).result(timeout=30)

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        if self.live is not None:
            self.live.stop()
            return
        try:
            self.ctx.loop.submit(self._stop()).result(timeout=15)
        except Exception:  # noqa: BLE001 - shutdown must finish
            log.exception("lead-room service stop failed")
        if self.journal is not None:
            self.journal.close()

    @property
    def endpoint(self) -> str:
        return str(self.ctx.settings.get("endpoint")
                   or self.ctx.config.get("opcua", "gateway_endpoint"))

    # --- operator actions -----------------------------------------------------------------
    @property
    def username(self) -> str:
        user = self.ctx.user
        return user.username if user is not None else "system"

    def acknowledge(self, alarm_ids: list[str], comment: str = "") -> int:
        self.ctx.require("acknowledge")
        return self.engine.ack_many(alarm_ids, self.username, comment)

    def shelve(self, alarm_id: str, reason: str, minutes: float) -> None:
        self.ctx.require("shelve")
        self.engine.shelve(alarm_id, self.username, reason, minutes * 60.0)

    def unshelve(self, alarm_id: str) -> None:
        self.ctx.require("shelve")
        self.engine.unshelve(alarm_id, self.username)

    def set_maintenance(self, room: str, on: bool, reason: str) -> None:
        self.ctx.require("suppress")
        self.engine.set_maintenance(room, on, self.username, reason)

    def out_of_service(self, alarm_id: str, permit: str, reason: str) -> None:
        self.ctx.require("out_of_service")
        self.engine.out_of_service(alarm_id, self.username, permit, reason)

    def return_to_service(self, alarm_id: str) -> None:
        self.ctx.require("out_of_service")
        self.engine.return_to_service(alarm_id, self.username)

    def record_schedule_override(self, job_id: str, old: dict, new: dict, reason: str) -> None:
        self.ctx.require("schedule_override")
        if not reason.strip():
            raise ValidationError("A schedule override needs a reason.")
        self.ctx.audit.append("schedule_override", "lead_room.job", job_id,
                              username=self.username, old=old, new=new, reason=reason)

    def save_alarm_definitions(self, yaml_text: str, reason: str) -> int:
        """Validate, store (station data folder), audit and apply new definitions."""
        self.ctx.require("edit_alarms")
        import yaml

        from station_plugins.lead_room.alarm_defs import parse_definitions

        if not reason.strip():
            raise ValidationError("Changing alarm definitions needs a reason.")
        try:
            doc = yaml.safe_load(yaml_text) or {}
        except yaml.YAMLError as exc:
            raise ValidationError(f"The alarm definitions are not valid YAML: {exc}.") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("alarms", []), list):
            raise ValidationError("Expected a mapping with a list 'alarms'.")
        defs = parse_definitions(doc.get("alarms", []), "edited definitions")
        path = Path(self.ctx.data_dir) / "alarms.yaml"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(yaml_text, encoding="utf-8")
        self.ctx.audit.append("edit_alarm_definitions", "lead_room.alarms", "alarms.yaml",
                              username=self.username, old=old, new=yaml_text, reason=reason)
        self.engine.set_definitions(defs)
        return len(defs)

    # --- pre-shift checklist ----------------------------------------------------------------
    def checklist_content(self, room: str, answers: dict[str, bool], remarks: str = "") -> dict:
        missing = [i for i in CHECKLIST_ITEMS if i not in answers]
        if missing:
            raise ValidationError(f"Checklist for {room} incomplete: {missing[0]!r} "
                                  f"not answered.")
        return {"room": room, "items": [{"item": i, "ok": bool(answers[i])}
                                        for i in CHECKLIST_ITEMS],
                "all_ok": all(answers[i] for i in CHECKLIST_ITEMS), "remarks": remarks}

    def sign_checklist(self, content: dict, password: str, meaning: str = "verified",
                       comment: str = "") -> Any:
        """Sign the checklist (re-entered password, meaning) and store it, atomically.

        The signer is re-authenticated first (a wrong password is audited as
        ``signature_auth_failed`` and nothing is stored, so the dialog can ask again);
        then the record and its signature are written in one transaction: there is never
        a checklist record without its signature, nor a signature without its record.
        """
        self.ctx.require("sign_checklist")
        signer = self.ctx.signatures.authenticate_signer(self.username, password, meaning)
        rid = new_id()
        with self.ctx.store.write() as conn:
            sig = self.ctx.signatures.record(conn, signer, "lead_room.checklist", rid,
                                             content, meaning, comment)
            self.ctx.store.add_record("lead_room.checklist", content["room"], content,
                                      username=signer.username, record_id=rid,
                                      verdict="PASS" if content["all_ok"] else "FAIL",
                                      conn=conn)
        return sig

def deadband_for(key: str) -> float:
    spec = spec_for(key)
    return spec.deadband if spec is not None else 0.0
