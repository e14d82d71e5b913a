"""The OPC UA tunnel + C-arm simulator (demo and tests).

Physics in :mod:`carm_sim`; the server itself is the generic asyncua adapter
``station_plugins.tunnel_test.adapters.opcua_sim``. ``SimulatorHandle`` runs it on its own asyncio loop
thread (tests, demo); ``serve_forever`` is the ``pharos tunnel sim`` command.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from station_plugins.tunnel_test.adapters.opcua_sim import TunnelSimServer
from app.runtime.loop_thread import LoopThread
from station_plugins.tunnel_test.carm_sim import CArmSim, Defects
from station_plugins.tunnel_test.driver_catalog import CATALOG, VARIABLES, sim_handlers, sim_variables

log = logging.getLogger(__name__)


def build_server(sim: CArmSim, *, port: int = 0, host: str = "127.0.0.1",
                 security: str = "None", pki_dir: Any = None,
                 users: dict[str, str] | None = None) -> TunnelSimServer:
    return TunnelSimServer(CATALOG, sim_handlers(sim), VARIABLES, sim_variables(sim),
                           host=host, port=port, security=security, pki_dir=pki_dir,
                           users=users)


class SimulatorHandle:
    """Simulator on a private loop thread: start(), restart(), set_fault(), stop()."""

    def __init__(self, *, serial: str = "CA-000001", defects: Defects | None = None,
                 port: int = 0, seed: int = 7, security: str = "None", pki_dir: Any = None,
                 users: dict[str, str] | None = None) -> None:
        self.sim = CArmSim(serial=serial, defects=defects or Defects(), seed=seed)
        self.server = build_server(self.sim, port=port, security=security, pki_dir=pki_dir,
                                   users=users)
        self.loop = LoopThread(name="tunnel-sim")

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def start(self) -> "SimulatorHandle":
        self.loop.start()
        self.loop.submit(self.server.start()).result(30)
        return self

    def restart(self, down_s: float = 1.0, *, wait: bool = True) -> Any:
        fut = self.loop.submit(self.server.restart(down_s))
        return fut.result(30) if wait else fut

    def set_fault(self, call: str, fault: str | None) -> None:
        if fault is None:
            self.server.faults.pop(call, None)
        else:
            self.server.faults[call] = fault

    def stop(self) -> None:
        if self.loop.running:
            try:
                self.loop.submit(self.server.stop()).result(15)
            finally:
                self.loop.stop()

    def __enter__(self) -> "SimulatorHandle":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve_forever(*, port: int, host: str = "127.0.0.1", defects: Defects | None = None,
                  serial: str = "CA-000001", security: str = "None", pki_dir: Any = None,
                  users: dict[str, str] | None = None) -> None:
    async def main() -> None:
        server = build_server(CArmSim(serial=serial, defects=defects or Defects()),
                              port=port, host=host, security=security, pki_dir=pki_dir,
                              users=users)
        await server.start()
        print(f"tunnel simulator: {server.endpoint} security={security}  (Ctrl+C to stop)",
              flush=True)
        if security != "None":
            print(f"server certificate: {pki_dir}/own/cert.der (trust list: "
                  f"{pki_dir}/trusted)", flush=True)
        try:
            while True:
                await asyncio.sleep(3600)
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass

