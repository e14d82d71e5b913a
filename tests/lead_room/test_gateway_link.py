"""OPC UA link: discovery, batch reads, invalid values, reconnection, certificates.

Every server binds 127.0.0.1 on a free port and is stopped by the test that starts it.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.adapters.opcua_gateway import OpcUaGatewayClient
from app.adapters.opcua_security import Pki
from station_plugins.lead_room.gateway_sim import GatewaySimulator, free_port
from station_plugins.lead_room.signals import range_check
from tests.lead_room.link_proxy import LinkProxy

ROOT = Path(__file__).resolve().parents[2]
logging.getLogger("asyncua").setLevel(logging.CRITICAL)


class Sink:
    def __init__(self) -> None:
        self.latest: dict[str, object] = {}
        self.batches = 0
        self.states: list[tuple[str, str]] = []

    def values(self, batch) -> None:  # noqa: ANN001
        self.batches += 1
        for v in batch:
            self.latest[v.key] = v

    def state(self, s) -> None:  # noqa: ANN001
        self.states.append((s.state, s.message))


async def wait_for(cond, timeout: float = 20.0, what: str = "condition") -> None:  # noqa: ANN001
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def make_client(url: str, sink: Sink, **kw) -> OpcUaGatewayClient:  # noqa: ANN003
    kw.setdefault("security", "None")
    return OpcUaGatewayClient(url, on_values=sink.values, on_state=sink.state,
                              publishing_ms=100, reconnect_max_s=2.0, timeout_s=2.0,
                              range_check=range_check, **kw)


def fresh_after(sink: Sink, t: float) -> int:
    return sum(1 for v in sink.latest.values() if v.valid and v.receive_ts > t)


def test_discover_subscribe_batch_read_and_invalid_values():
    async def scenario() -> None:
        sim = await GatewaySimulator(rooms=3, rate_hz=5).start()
        sim.plant.inject("Room02", "bad_status")
        sim.plant.inject("Room03", "out_of_range")
        sim.plant.inject("Room01", "clock_skew", 300.0)
        sink = Sink()
        client = make_client(sim.url, sink)
        try:
            await client.start()
            await wait_for(lambda: client.state.connected, what="connected")
            assert len(client.nodes) == len(sim._nodes)
            assert "Room01/Boundary/POI1" in client.nodes and "Room03/Doors/Door1" in client.nodes
            calls = []
            orig = client.client.uaclient.read_attributes

            async def counting(nodeids, attr):  # noqa: ANN001
                calls.append(len(nodeids))
                return await orig(nodeids, attr)
            client.client.uaclient.read_attributes = counting
            snap = await client.read_snapshot()
            assert calls == [len(client.nodes)]                 # one Read for all nodes
            assert len(snap) == len(client.nodes)
            await wait_for(lambda: "Room02/Temperature" in sink.latest
                           and not sink.latest["Room02/Temperature"].valid)
            bad = sink.latest["Room02/Temperature"]
            assert bad.value is None and bad.reason == "BadSensorFailure"
            hum = sink.latest["Room03/Humidity"]
            assert not hum.valid and "out of range" in hum.reason
            skewed = sink.latest["Room01/Temperature"]
            assert skewed.source_ts - skewed.receive_ts == pytest.approx(300, abs=5)
            t = time.time()
            await wait_for(lambda: fresh_after(sink, t) > 10, what="live changes")
        finally:
            await client.stop()
            await sim.stop()
    asyncio.run(scenario())


def _spawn_sim(port: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "station_plugins.lead_room.gateway_sim", "--port", str(port),
         "--rooms", "3", "--rate", "5"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


@pytest.mark.slow
def test_killed_and_restarted_gateway_values_invalid_then_restored():
    port = free_port()
    url = f"opc.tcp://127.0.0.1:{port}/pharos/gateway"

    async def scenario() -> None:
        proc = _spawn_sim(port)
        sink = Sink()
        client = make_client(url, sink)
        try:
            await client.start()
            await wait_for(lambda: client.state.connected, 30, "first connect")
            n = len(client.nodes)
            await wait_for(lambda: len(sink.latest) == n)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            await wait_for(lambda: not client.state.connected, 10, "loss seen")
            await wait_for(lambda: all(not v.valid for v in sink.latest.values()), 2,
                           "all values invalid")
            assert {v.reason for v in sink.latest.values()} <= {"connection lost",
                                                                "no connection to the gateway"}
            proc = _spawn_sim(port)
            t = time.time()
            await wait_for(lambda: client.state.connected, 30, "reconnected")
            await wait_for(lambda: fresh_after(sink, t) == n, 15, "every value valid again")
            t2 = time.time()
            await wait_for(lambda: fresh_after(sink, t2) > 5, 10, "subscription data flowing")
        finally:
            await client.stop()
            proc.kill()
            proc.wait(10)
    asyncio.run(scenario())


@pytest.mark.slow
def test_link_drop_of_several_seconds_recovers_without_endless_republish():
    async def scenario() -> None:
        sim = await GatewaySimulator(rooms=3, rate_hz=5).start()
        proxy = await LinkProxy(sim.port).start()
        sink = Sink()
        client = make_client(f"opc.tcp://127.0.0.1:{proxy.port}/pharos/gateway", sink)
        try:
            await client.start()
            await wait_for(lambda: client.state.connected, what="connected")
            n = len(client.nodes)
            proxy.pause()
            await wait_for(lambda: not client.state.connected, 10, "loss detected")
            assert all(not v.valid for v in sink.latest.values())
            await asyncio.sleep(4.0)
            proxy.resume()
            t = time.time()
            await wait_for(lambda: client.state.connected, 20, "reconnected (republish bounded)")
            await wait_for(lambda: fresh_after(sink, t) == n, 10, "values valid again")
            t2 = time.time()
            await wait_for(lambda: fresh_after(sink, t2) > 5, 10, "live data after reconnect")
            assert [s for s, _ in sink.states].count("lost") >= 1
        finally:
            await client.stop()
            await proxy.stop()
            await sim.stop()
    asyncio.run(scenario())


def test_gateway_gone_at_start_keeps_retrying_then_connects():
    port = free_port()

    async def scenario() -> None:
        sink = Sink()
        client = make_client(f"opc.tcp://127.0.0.1:{port}/pharos/gateway", sink)
        sim = GatewaySimulator(rooms=2, rate_hz=5, port=port)
        try:
            await client.start()
            await wait_for(lambda: client.state.state == "lost" and client.state.attempts >= 2,
                           15, "retries")
            assert "not reachable" in client.state.message
            await sim.start()
            await wait_for(lambda: client.state.connected, 15, "connected once the gateway is up")
        finally:
            await client.stop()
            await sim.stop()
    asyncio.run(scenario())


def test_certificates_untrusted_named_then_trusted_sign_and_encrypt(tmp_path):
    ws_pki, sim_pki = tmp_path / "ws", tmp_path / "sim"

    async def scenario() -> None:
        sim = await GatewaySimulator(rooms=2, rate_hz=5, pki_dir=sim_pki,
                                     security="Basic256Sha256_SignAndEncrypt").start()
        sink = Sink()
        client = make_client(sim.url, sink, security="Basic256Sha256_SignAndEncrypt",
                             pki_dir=ws_pki)
        try:
            await client.start()
            await wait_for(lambda: client.state.state == "untrusted", 15, "untrusted")
            msg = client.state.message
            from app.adapters.opcua_security import cert_info, load_cert
            info = cert_info(load_cert(Path(sim_pki) / "own" / "cert.der"))
            assert info.thumbprint in msg and "Pharos gateway simulator" in msg
            assert (Path(ws_pki) / "rejected" / f"{info.thumbprint}.der").exists()
            Pki(ws_pki).trust(Path(sim_pki) / "own" / "cert.der")      # admin trusts gateway
            await wait_for(lambda: "refused this workstation" in client.state.message, 15,
                           "server refuses the untrusted workstation")
            Pki(sim_pki).trust(Path(ws_pki) / "own" / "cert.der")      # gateway trusts us
            await wait_for(lambda: client.state.connected, 20, "secure connection")
            pol = client.client.security_policy
            assert pol.URI.endswith("Basic256Sha256") and pol.Mode.name == "SignAndEncrypt"
            await wait_for(lambda: len(sink.latest) == len(client.nodes))
        finally:
            await client.stop()
            await sim.stop()
    asyncio.run(scenario())
