"""The demo C-arm simulator in its own process (import-light: asyncua and the simulator
are imported in the child only)."""
from __future__ import annotations

import asyncio
from typing import Any


def _process_main(conn: Any, parent_pid: int, serial: str) -> None:
    """Body of :class:`SimulatorProcess`: serve until the parent says stop or dies."""
    import logging
    import os

    logging.getLogger("asyncua").setLevel(logging.ERROR)    # demo server, no security
    from station_plugins.tunnel_test.carm_sim import CArmSim, Defects
    from station_plugins.tunnel_test.simulator import build_server

    async def main() -> None:
        server = build_server(CArmSim(serial=serial, defects=Defects()))
        await server.start()
        conn.send(("endpoint", server.endpoint))
        loop = asyncio.get_running_loop()
        try:
            while os.getppid() == parent_pid:          # re-parented: the console is gone
                if await loop.run_in_executor(None, conn.poll, 1.0):
                    break                             # "stop" (or the pipe closed)
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    except Exception as exc:  # noqa: BLE001 - reported to the parent, then exit
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass


class SimulatorProcess:
    """The demo simulator in its own process. In-process (``SimulatorHandle``) its
    asyncio server answered every OPC UA call of a run on a thread of the GUI process,
    and that Python work held the interpreter the GUI thread needs (stalls of 100-300 ms
    while a run started and ran). ``start`` blocks until the server listens: call it off
    the GUI thread."""

    def __init__(self, *, serial: str = "CA-000001") -> None:
        import multiprocessing as mp

        self._ctx = mp.get_context("spawn")
        self.serial = serial
        self.process: Any = None
        self._conn: Any = None
        self.endpoint = ""

    def start(self, timeout_s: float = 60.0) -> "SimulatorProcess":
        import os

        from app.core.errors import DeviceError
        from app.core.spawn import start_process

        self._conn, child = self._ctx.Pipe()
        self.process = self._ctx.Process(target=_process_main,
                                         args=(child, os.getpid(), self.serial),
                                         name="tunnel-simulator", daemon=True)
        start_process(self.process)     # not while OpenCV's loader edits sys.path
        child.close()
        if not self._conn.poll(timeout_s):
            self.stop()
            raise DeviceError(f"the tunnel simulator did not start within {timeout_s:g} s",
                              code="PH-TT-SIM")
        kind, value = self._conn.recv()
        if kind != "endpoint":
            self.stop()
            raise DeviceError(f"the tunnel simulator failed to start: {value}",
                              code="PH-TT-SIM")
        self.endpoint = value
        return self

    def stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send("stop")
            except OSError:
                pass
        if self.process is not None:
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        if self._conn is not None:
            self._conn.close()
            self._conn = None
