"""The live process: OPC UA client, alarm engine, historian ingest and alarm journal.

Runs in its own process (``multiprocessing`` spawn, started by :mod:`live_proxy`) so
that OPC UA decoding, alarm evaluation and historian bookkeeping never hold the GUI
process's GIL. Inside it, the parts are the same as in one process: an asyncio loop
thread (client, monitor timers, simulator in demo mode), the journal writer thread
(journal straight into the regulated store's SQLite file: durable even if the GUI
process dies) and the historian writer thread.

Messages (``live_protocol``): out, ``("snap", dict)`` at most 10 Hz, coalesced (a slow
reader gets the newest, never a backlog), ``("reply", id, ok, payload)`` and
``("error", payload)`` (never dropped, in order); in, ``(id, command, args)``.
The process ends when told ``stop``, when the GUI process's end of the pipe closes or on
SIGTERM; each way it stops the client and drains the journal and the historian first.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from typing import Any, Callable

from app.runtime.gc_pauses import freeze_long_lived
from station_plugins.lead_room.live_protocol import (LIST_KEYS, LinkState, LiveConfig,
                                                     LiveValue, error_payload)

log = logging.getLogger(__name__)


class Outbox:
    """Sends on its own thread: ordered messages first, then the newest snapshot."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._cv = threading.Condition()
        self._ordered: deque[tuple] = deque()
        self._snap: dict | None = None
        self._closed = False
        self.sent_snapshots = 0
        self.dropped_snapshots = 0
        self._t = threading.Thread(target=self._run, name="live-outbox", daemon=True)
        self._t.start()

    def put(self, msg: tuple) -> None:
        with self._cv:
            self._ordered.append(msg)
            self._cv.notify()

    def snapshot(self, snap: dict) -> None:
        with self._cv:
            if self._snap is not None:
                self.dropped_snapshots += 1
            self._snap = snap
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._ordered and self._snap is None and not self._closed:
                    self._cv.wait()
                if self._ordered:
                    msg: tuple = self._ordered.popleft()
                elif self._snap is not None:
                    msg, self._snap = ("snap", self._snap), None
                else:
                    return
            try:
                self.conn.send(msg)
                if msg[0] == "snap":
                    self.sent_snapshots += 1
            except (OSError, EOFError, BrokenPipeError):
                return                                  # the GUI process is gone

    def close(self, timeout: float = 5.0) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._t.join(timeout)


class LiveCore:
    """The parts, built from a :class:`LiveConfig`; commands arrive on ``handle``."""

    def __init__(self, cfg: LiveConfig, outbox: Outbox) -> None:
        from station_plugins.lead_room.adapters.historian import Historian, HistorianWriter, Retention
        from station_plugins.lead_room.alarm_defs import load_definitions
        from station_plugins.lead_room.alarms import AlarmEngine
        from station_plugins.lead_room.monitor import JournalWriter, RoomMonitor
        from station_plugins.lead_room.service import deadband_for

        self.cfg = cfg
        self.outbox = outbox
        self.store: Any = None

        def log_sink(ev: Any) -> None:
            log.info("alarm event %s", ev.to_dict())

        sink: Callable[[Any], None] = log_sink
        if cfg.store is not None:
            from app.adapters.store import Store
            from station_plugins.lead_room.monitor import store_journal_sink

            st = cfg.store
            self.store = Store(st.db_path, station_id=st.station_id,
                               software_version=st.software_version,
                               config_hash=st.config_hash).open()
            sink = store_journal_sink(self.store)
        self.journal = JournalWriter(sink, on_error=self.report)
        self.engine = AlarmEngine(load_definitions(cfg.alarm_definitions),
                                  journal=self.journal)
        self.historian: Any = None
        self.historian_writer: Any = None
        if cfg.historian_path is not None:
            self.historian = Historian(cfg.historian_path, deadbands=deadband_for,
                                       heartbeat_s=cfg.heartbeat_s,
                                       retention=Retention.from_settings(cfg.historian_retention))
            self.historian_writer = HistorianWriter(self.historian, on_error=self.report).start()
        self.monitor = RoomMonitor(self.engine, historian=self.historian)
        self.monitor.add_listener(self.publish)
        self.client: Any = None
        self.simulator: Any = None
        self.watched_room = ""
        self.loop: asyncio.AbstractEventLoop | None = None
        self._seq = 0

    def report(self, exc: BaseException) -> None:
        log.error("live process error: %s", exc)
        self.outbox.put(("error", error_payload(exc)))

    # --- lifecycle (loop thread) ------------------------------------------------------------
    async def start(self) -> None:
        from app.adapters.opcua_gateway import OpcUaGatewayClient
        from station_plugins.lead_room.signals import range_check

        self.loop = asyncio.get_running_loop()
        url = self.cfg.endpoint
        if self.cfg.demo_rooms > 0:
            from station_plugins.lead_room.gateway_sim import GatewaySimulator

            self.simulator = GatewaySimulator(rooms=self.cfg.demo_rooms,
                                              rate_hz=self.cfg.demo_rate_hz)
            await self.simulator.start()
            url = self.simulator.url
        self.client = OpcUaGatewayClient(
            url, on_values=self.monitor.on_values, on_state=self.monitor.on_state,
            security=self.cfg.security, pki_dir=self.cfg.pki_dir,
            publishing_ms=self.cfg.publishing_ms, reconnect_max_s=self.cfg.reconnect_max_s,
            range_check=range_check)
        await self.monitor.start()
        await self.client.start()

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.stop()
        await self.monitor.stop()
        if self.simulator is not None:
            await self.simulator.stop()

    def close(self) -> None:
        """After the loop stopped: drain the journal and the historian (nothing lost)."""
        self.journal.close(timeout=30)
        if self.historian_writer is not None:
            self.historian_writer.stop()
        if self.historian is not None:
            self.historian.close()
        if self.store is not None:
            self.store.close()

    # --- snapshot (loop thread, <= 10 Hz, only when something changed) -------------------
    def snapshot(self) -> dict[str, Any]:
        eng, mon, cl = self.engine, self.monitor, self.client
        st = mon.connection
        self._seq += 1
        room = self.watched_room
        return {
            "seq": self._seq, "built": time.time(), "cpu_s": time.process_time(),
            "link": None if st is None else LinkState(st.state, st.message, st.attempts),
            "tiles": mon.overview(), "rooms": mon.room_names(),
            "room": room, "room_values": {lf: LiveValue.of(v) for lf, v in
                                          mon.room_values(room).items()} if room else {},
            "banner": eng.banner(),
            "lists": {k: eng.list(k) for k in LIST_KEYS},
            "flood": eng.flood(), "chattering": eng.chattering(), "stale": eng.stale(),
            "maintenance_manual": dict(eng.maintenance_manual),
            "stats": {
                "values_received": mon.values_received,
                "changes_received": cl.changes_received if cl else 0,
                "losses": cl.losses if cl else 0, "signals": len(cl.nodes) if cl else 0,
                "signals_not_monitored": len(cl.items.failed) if cl else 0,
                "journal_written": self.journal.written, "journal_pending": self.journal.pending(),
                "historian_received": self.historian.received if self.historian else 0,
                "historian_recorded": self.historian.recorded if self.historian else 0,
                "alarms_ever_activated": sum(1 for a in eng.alarms.values() if a.activated_ts),
                "stale_alarms": sum(1 for a in eng.alarms.values()
                                    if a.definition.id == "monitor_stale" and a.activated_ts),
                "snapshots_dropped": self.outbox.dropped_snapshots,
            },
        }

    def publish(self) -> None:
        self.outbox.snapshot(self.snapshot())

    def _touch(self) -> None:
        """Something changed by command: the next timer pass sends a snapshot."""
        self.monitor.mark_dirty()

    # --- commands (command thread) -----------------------------------------------------------
    def _on_loop(self, coro: Any, timeout: float = 20.0) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def handle(self, cmd: str, args: tuple) -> Any:
        eng = self.engine
        simple: dict[str, Callable[..., Any]] = {
            "ack_many": eng.ack_many, "shelve": eng.shelve, "unshelve": eng.unshelve,
            "set_maintenance": eng.set_maintenance, "out_of_service": eng.out_of_service,
            "return_to_service": eng.return_to_service,
            "set_definitions": eng.set_definitions,
        }
        if cmd in simple:
            out = simple[cmd](*args)
            self._touch()
            return out if cmd in ("ack_many",) else None
        if cmd == "watch_room":
            self.watched_room = str(args[0])
            self._touch()
            return None
        if cmd == "history_keys":
            return self.historian.keys() if self.historian else []
        if cmd == "history_query":
            keys, t0, t1, kw = args
            return self.historian.query(keys, t0, t1, **kw) if self.historian else {}
        if cmd == "history_flush":
            return self.historian.flush() if self.historian else 0
        if cmd == "sim_call":                  # OPC UA method on the gateway (demo/bench)
            return self._on_loop(self.client.call_simulator(*args))
        if cmd in ("sim_inject", "sim_clear", "sim_stop", "sim_start"):
            if self.simulator is None:
                from app.core.errors import DeviceError
                raise DeviceError("No simulator runs in the live process (not demo mode).")
            if cmd == "sim_inject":
                self.simulator.plant.inject(*args)
            elif cmd == "sim_clear":
                self.simulator.plant.clear_faults(*args)
            elif cmd == "sim_stop":
                self._on_loop(self.simulator.stop())
            else:
                self._on_loop(self.simulator.start())
            return None
        if cmd == "ping":
            return {"pid": __import__("os").getpid(), "journal_written": self.journal.written}
        raise ValueError(f"unknown live-process command {cmd!r}")


def child_main(cfg: LiveConfig, conn: Any) -> None:
    """Entry point of the live process (spawned)."""
    logging.basicConfig(level=cfg.log_level,
                        format="%(asctime)s live %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncua").setLevel(max(cfg.log_level, logging.WARNING))
    import signal

    def on_term(*_: Any) -> None:        # terminate() (e.g. the GUI's atexit): stop cleanly
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, on_term)
    outbox = Outbox(conn)
    try:
        core = LiveCore(cfg, outbox)
    except Exception as exc:  # noqa: BLE001 - reported to the GUI, then the process ends
        outbox.put(("fatal", error_payload(exc)))
        outbox.close()
        return
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever, name="live-asyncio", daemon=True)
    loop_thread.start()
    try:
        asyncio.run_coroutine_threadsafe(core.start(), loop).result(60)
    except Exception as exc:  # noqa: BLE001
        outbox.put(("fatal", error_payload(exc)))
    outbox.put(("started", {"pid": __import__("os").getpid()}))
    freeze_long_lived()           # the parts live as long as the process: short GC pauses
    _serve(core, conn, outbox)
    try:
        asyncio.run_coroutine_threadsafe(core.stop(), loop).result(20)
    except Exception:  # noqa: BLE001 - shutdown must finish
        log.exception("live process stop failed")
    loop.call_soon_threadsafe(loop.stop)
    loop_thread.join(10)
    core.close()
    outbox.put(("stopped", {"journal_written": core.journal.written}))
    outbox.close()


def _serve(core: LiveCore, conn: Any, outbox: Outbox) -> None:
    """Commands in order, on this (the main) thread, until ``stop`` or the pipe closes."""
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, SystemExit):
            return                  # GUI process gone or SIGTERM: stop, drain, exit
        req_id, cmd, args = msg
        if cmd == "stop":
            return
        try:
            outbox.put(("reply", req_id, True, core.handle(cmd, tuple(args))))
        except Exception as exc:  # noqa: BLE001 - the caller gets it as its own error
            outbox.put(("reply", req_id, False, error_payload(exc)))
