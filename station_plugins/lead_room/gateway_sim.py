"""Gateway simulator: an asyncua OPC UA server publishing the plant model's rooms.

Deliberate exception to "only app/adapters imports asyncua": this module stands in for
the plant's IoT gateway (a peer, not station logic); the station never imports it,
only the demo, the CLI ``pharos rooms sim``, tests and benchmarks do.

Address space: ``Objects/Rooms/RoomNN/<signal>`` (see :mod:`signals`), plus
``Objects/Simulator/InjectFault(room, fault, value)`` and ``ClearFaults(room)`` for
demos and benchmarks. Values carry source timestamps (skewed under the ``clock_skew``
fault) and status codes (``bad_status`` -> BadSensorFailure).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

from asyncua import Server, ua
from asyncua.common.methods import uamethod

from app.adapters.opcua_security import Pki, make_server_validator
from station_plugins.lead_room.plant_model import PlantModel
from station_plugins.lead_room.signals import Kind, room_of, spec_for

log = logging.getLogger(__name__)
NAMESPACE = "urn:pharos:lead-rooms"
SERVER_URI = "urn:pharos:lead-room-gateway-sim"


def _nid(name: str, idx: int) -> ua.NodeId:
    """A string node id (asyncua types its fields with its own str / int subclasses)."""
    return ua.NodeId(ua.String(name), ua.Int16(idx))


def _stamp(t: datetime) -> ua.DateTime:
    """asyncua types timestamps as its DateTime (a datetime subclass); any datetime does."""
    return cast(ua.DateTime, t)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _variant(key: str, value: Any) -> ua.Variant:
    spec = spec_for(key)
    kind = spec.kind if spec else Kind.TEXT
    if kind is Kind.ANALOG:
        return ua.Variant(float(value), ua.VariantType.Double)
    if kind is Kind.BOOL:
        return ua.Variant(bool(value), ua.VariantType.Boolean)
    if kind is Kind.DATE:
        return ua.Variant(value, ua.VariantType.DateTime)
    return ua.Variant(str(value), ua.VariantType.String)


class GatewaySimulator:
    """Start/stop-able OPC UA server over a persistent :class:`PlantModel`."""

    def __init__(self, *, rooms: int = 30, port: int | None = None, rate_hz: float = 2.0,
                 time_scale: float = 30.0, seed: int = 7, pki_dir: Path | None = None,
                 security: str = "None", host: str = "127.0.0.1") -> None:
        self.plant = PlantModel(rooms, seed=seed, time_scale=time_scale)
        self.port = port or free_port()
        self.host = host
        self.rate_hz = rate_hz
        self.security = security
        self.pki = Pki(pki_dir) if pki_dir else None
        self.server: Server | None = None
        self._task: asyncio.Task | None = None
        self._nodes: dict[str, ua.NodeId] = {}
        self._last: dict[str, Any] = {}
        self.writes = 0
        self.paused = False         # "gateway frozen": values stop updating

    @property
    def url(self) -> str:
        return f"opc.tcp://{self.host}:{self.port}/pharos/gateway"

    @property
    def signal_count(self) -> int:
        """Signals published (after start())."""
        return len(self._nodes)

    async def start(self) -> "GatewaySimulator":
        server = Server()
        await server.init()
        server.set_endpoint(self.url)
        server.set_server_name("Pharos lead-room gateway simulator")
        await server.set_application_uri(SERVER_URI)
        if self.security != "None":
            if self.pki is None:
                raise ValueError("security needs a pki_dir")
            self.pki.ensure_own("Pharos gateway simulator", SERVER_URI, server=True)
            server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
            await server.load_certificate(str(self.pki.cert_path))
            await server.load_private_key(str(self.pki.key_path))
            server.set_certificate_validator(make_server_validator(self.pki))
        else:
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        idx = await server.register_namespace(NAMESPACE)
        await self._build(server, idx)
        await server.start()
        self.server = server
        self._last.clear()
        await self._publish(self.plant.step(0.0))
        self._task = asyncio.create_task(self._run(), name="gateway-sim")
        log.info("gateway simulator on %s (%d rooms, %d signals)", self.url,
                 len(self.plant.rooms), len(self._nodes))
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self.server is not None:
            await self.server.stop()
            self.server = None

    async def restart(self, down_s: float = 1.0) -> None:
        """Gateway restart: the server goes away for ``down_s`` and comes back fresh."""
        await self.stop()
        await asyncio.sleep(down_s)
        await self.start()

    async def _build(self, server: Server, idx: int) -> None:
        objects = server.nodes.objects
        rooms = await objects.add_folder(_nid("Rooms", idx), ua.QualifiedName("Rooms", idx))
        initial = self.plant.step(0.0)
        folders: dict[str, Any] = {}
        for key, value in initial.items():
            parts = key.split("/")
            parent_key = parts[0]
            if parent_key not in folders:
                folders[parent_key] = await rooms.add_folder(
                    _nid(parent_key, idx), ua.QualifiedName(parent_key, idx))
            parent = folders[parent_key]
            if len(parts) == 3:
                group = f"{parts[0]}/{parts[1]}"
                if group not in folders:
                    folders[group] = await parent.add_folder(
                        _nid(group, idx), ua.QualifiedName(parts[1], idx))
                parent = folders[group]
            var = await parent.add_variable(_nid(key, idx), ua.QualifiedName(parts[-1], idx),
                                            _variant(key, value))
            spec = spec_for(key)
            if spec is not None and spec.unit:
                await var.write_attribute(ua.AttributeIds.Description,
                                        ua.DataValue(ua.Variant(ua.LocalizedText(spec.unit))))
            self._nodes[key] = var.nodeid
        sim = await objects.add_object(_nid("Simulator", idx), ua.QualifiedName("Simulator", idx))

        @uamethod
        def inject(_parent: ua.NodeId, room: str, fault: str, value: str) -> bool:
            v: Any = True if value in ("", "1", "true", "on") else \
                False if value in ("0", "false", "off") else float(value)
            self.plant.inject(room, fault, v)
            return True

        @uamethod
        def clear(_parent: ua.NodeId, room: str) -> bool:
            self.plant.clear_faults(room or None)
            return True

        await sim.add_method(_nid("Simulator/InjectFault", idx),
                             ua.QualifiedName("InjectFault", idx), inject,
                             [ua.VariantType.String] * 3, [ua.VariantType.Boolean])
        await sim.add_method(_nid("Simulator/ClearFaults", idx),
                             ua.QualifiedName("ClearFaults", idx), clear,
                             [ua.VariantType.String], [ua.VariantType.Boolean])

    async def _publish(self, values: dict[str, Any]) -> None:
        assert self.server is not None
        bad = self.plant.bad_status_keys()
        now = datetime.now(timezone.utc)
        skews: dict[str, float] = {}
        write = self.server.write_attribute_value
        for key, value in values.items():
            is_bad = key in bad
            if not is_bad and self._last.get(key) == value:
                continue
            room = room_of(key)
            if room not in skews:
                skews[room] = self.plant.clock_skew_s(room)
            src = now + timedelta(seconds=skews[room]) if skews[room] else now
            if is_bad:
                dv = ua.DataValue(ua.Variant(None), ua.StatusCode(ua.UInt32(ua.StatusCodes.BadSensorFailure)),
                                  SourceTimestamp=_stamp(src), ServerTimestamp=_stamp(now))
                self._last[key] = None
            else:
                dv = ua.DataValue(_variant(key, value), SourceTimestamp=_stamp(src),
                                  ServerTimestamp=_stamp(now))
                self._last[key] = value
            await write(self._nodes[key], dv)
            self.writes += 1

    async def _run(self) -> None:
        period = 1.0 / self.rate_hz
        nxt = time.monotonic()
        last = nxt
        while True:
            nxt += period
            await asyncio.sleep(max(0.0, nxt - time.monotonic()))
            now = time.monotonic()
            if now - nxt > 5 * period:          # fell far behind: do not burst
                nxt = now
            if self.paused:
                last = now
                continue
            try:
                await self._publish(self.plant.step(now - last))
            except Exception:  # noqa: BLE001 - a simulator tick must not end the loop
                log.exception("simulator tick failed")
            last = now


async def _main(args: argparse.Namespace) -> None:
    sim = GatewaySimulator(rooms=args.rooms, port=args.port, rate_hz=args.rate,
                           time_scale=args.time_scale, seed=args.seed,
                           pki_dir=Path(args.pki) if args.pki else None,
                           security=args.security)
    for item in args.fault or []:
        room, _, fault = item.partition(":")
        sim.plant.inject(room, fault)
    await sim.start()
    print(f"gateway simulator: {sim.url}  rooms={args.rooms} signals={sim.signal_count} "
          f"rate={args.rate} Hz security={args.security}", flush=True)
    if sim.pki is not None and args.security != "None":
        print(f"server certificate: {sim.pki.cert_path} (trust list: {sim.pki.trusted_dir})",
              flush=True)
    try:
        while True:
            await asyncio.sleep(3600)
    finally:
        await sim.stop()


def run_cli(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(_main(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    from station_plugins.lead_room.sim_args import add_sim_arguments

    parser = argparse.ArgumentParser(description=__doc__)
    add_sim_arguments(parser)
    raise SystemExit(run_cli(parser.parse_args()))
