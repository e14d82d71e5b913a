"""The GUI process's side of the live process: start/stop, snapshots, requests.

:class:`LiveProcess` spawns :func:`live_core.child_main` and keeps the newest snapshot.
A reader thread receives messages (unpickling a snapshot of 30-150 rooms is well under
a millisecond of GIL time) and calls the listeners (the panel turns that into one
queued Qt signal). ``monitor``, ``engine`` and ``historian`` are views with the same
methods the panel used on the in-process parts, so the views do not care where the
live parts run. Operator actions are requests: the caller waits for the reply (a few
milliseconds) and gets the live process's error as its own (``ValidationError`` ...).

If the live process dies, everything it owned goes visibly invalid at once (tiles
hatched, link "lost", a safety banner that the live monitoring stopped) and it is
started again with a bounded backoff.
"""
from __future__ import annotations

import builtins
import itertools
import logging
import multiprocessing
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

from app.core.errors import DeviceError
from app.core.spawn import start_process
from station_plugins.lead_room.listeners import ChangeListeners
from station_plugins.lead_room.live_protocol import LinkState, LiveConfig, rebuild_error

log = logging.getLogger(__name__)
RESTART_MAX_S = 8.0
PROCESS_BANNER_ID = "WORKSTATION/live_process"


def _down_snapshot(last: dict[str, Any] | None, reason: str) -> dict[str, Any]:
    """What the GUI shows while no live process runs: nothing looks valid."""
    last = last or {}
    keep = ("room", "alarms")
    tiles = [{k: (v if k in keep else None) for k, v in t.items()} | {"invalid": ["*"]}
             for t in last.get("tiles", [])]
    return {**last, "seq": -1, "built": time.time(), "tiles": tiles, "room_values": {},
            "link": LinkState("lost", f"live monitoring process stopped: {reason}"),
            "banner": {
                "id": PROCESS_BANNER_ID, "room": "Workstation", "source": "Workstation",
                "title": "Live monitoring stopped - values and alarms are not evaluated",
                "priority": "critical", "count": 1, "unacked": 1, "activated_src_ts": None,
                "remedy": "It restarts by itself within seconds; if this stays, restart "
                          "Pharos and call the administrator."}}


class LiveProcess:
    def __init__(self, cfg: LiveConfig, *,
                 on_error: Callable[[BaseException], None] = lambda e: None,
                 restart: bool = True) -> None:
        self.cfg = cfg
        self.on_error = on_error
        self.restart = restart
        self.snap: dict[str, Any] | None = None
        self.snapshots = 0
        self.starts = 0
        self.fatal: BaseException | None = None
        self._proc: Any = None
        self._conn: Any = None
        self._send_lock = threading.Lock()
        self._pending: dict[int, Future] = {}
        self._ids = itertools.count(1)
        self._listeners = ChangeListeners("live")
        self._stopping = False
        self._stopped = threading.Event()
        self.started = threading.Event()
        self.monitor = MonitorView(self)
        self.engine = EngineView(self)
        self.historian = HistorianView(self)

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> "LiveProcess":
        self._stopping = False
        self._spawn()
        return self

    def _spawn(self) -> None:
        from station_plugins.lead_room.live_core import child_main

        mp = multiprocessing.get_context("spawn")
        parent_end, child_end = mp.Pipe(duplex=True)
        proc = mp.Process(target=child_main, args=(self.cfg, child_end), daemon=True,
                          name="lead-room-live")
        start_process(proc)     # not while OpenCV's loader edits sys.path
        child_end.close()
        self._proc, self._conn = proc, parent_end
        self._stopped.clear()
        self.started.clear()
        self.starts += 1
        threading.Thread(target=self._read, args=(parent_end, proc), name="live-reader",
                         daemon=True).start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the live process: it drains its journal and historian first."""
        self._stopping = True
        proc = self._proc
        if proc is None:
            return
        try:
            with self._send_lock:
                self._conn.send((0, "stop", ()))
        except (OSError, BrokenPipeError):
            pass
        self._stopped.wait(timeout)
        proc.join(5)
        if proc.is_alive():
            log.error("live process did not stop: terminating it")
            proc.terminate()
            proc.join(5)
        self._proc = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # --- messages (reader thread) ------------------------------------------------------------
    def _read(self, conn: Any, proc: Any) -> None:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            kind = msg[0]
            if kind == "snap":
                self.snap = msg[1]
                self.snapshots += 1
                self._notify()
            elif kind == "reply":
                fut = self._pending.pop(msg[1], None)
                if fut is not None:
                    if msg[2]:
                        fut.set_result(msg[3])
                    else:
                        fut.set_exception(rebuild_error(msg[3]))
            elif kind in ("error", "fatal"):
                exc = rebuild_error(msg[1])
                if kind == "fatal":
                    self.fatal = exc
                self.on_error(exc)
            elif kind == "started":
                self.started.set()
            elif kind == "stopped":
                self._stopped.set()
        self._stopped.set()
        proc.join(5)
        for fut in list(self._pending.values()):
            if not fut.done():
                fut.set_exception(DeviceError("The live monitoring process stopped."))
        self._pending.clear()
        if self._stopping:
            return
        reason = f"exit code {proc.exitcode}"
        log.error("live process ended unexpectedly (%s)", reason)
        self.snap = _down_snapshot(self.snap, reason)
        self._notify()
        self.on_error(DeviceError(f"The live monitoring process ended ({reason}); "
                                  f"restarting it.", code="PH-LIVE"))
        if self.restart and self.fatal is None:
            time.sleep(min(RESTART_MAX_S, 1.0 * self.starts))
            if not self._stopping:
                self._spawn()

    def _notify(self) -> None:
        self._listeners.notify()

    def add_listener(self, fn: Callable[[], None]) -> Callable[[], None]:
        return self._listeners.add(fn)

    # --- requests (any thread) -----------------------------------------------------------------
    def send(self, cmd: str, *args: Any) -> Future:
        fut: Future = Future()
        if self._proc is None or not self._proc.is_alive():
            fut.set_exception(DeviceError("The live monitoring process is not running.",
                                          code="PH-LIVE"))
            return fut
        rid = next(self._ids)
        self._pending[rid] = fut
        try:
            with self._send_lock:
                self._conn.send((rid, cmd, args))
        except (OSError, BrokenPipeError) as exc:
            self._pending.pop(rid, None)
            fut.set_exception(DeviceError(f"The live monitoring process is not reachable: "
                                          f"{exc}.", code="PH-LIVE"))
        return fut

    def request(self, cmd: str, *args: Any, timeout: float = 10.0) -> Any:
        return self.send(cmd, *args).result(timeout)

    def stat(self, name: str, default: Any = 0) -> Any:
        return ((self.snap or {}).get("stats") or {}).get(name, default)


class MonitorView:
    """The monitor's views, from the newest snapshot."""

    def __init__(self, live: LiveProcess) -> None:
        self.live = live
        self._watched = ""

    @property
    def connection(self) -> LinkState | None:
        return (self.live.snap or {}).get("link")

    def add_listener(self, fn: Callable[[], None]) -> Callable[[], None]:
        return self.live.add_listener(fn)

    def overview(self) -> list[dict[str, Any]]:
        return (self.live.snap or {}).get("tiles", [])

    def room_names(self) -> list[str]:
        return list((self.live.snap or {}).get("rooms", []))

    def room_values(self, room: str) -> dict[str, Any]:
        """The shown room's values; asks the live process to send this room from now on."""
        if room != self._watched:
            self._watched = room
            self.live.send("watch_room", room)
        snap = self.live.snap or {}
        return dict(snap.get("room_values", {})) if snap.get("room") == room else {}

    @property
    def values_received(self) -> int:
        return int(self.live.stat("values_received"))


class EngineView:
    """The alarm engine: views from the snapshot, operator actions as requests."""

    def __init__(self, live: LiveProcess) -> None:
        self.live = live

    def _snap(self, key: str, default: Any) -> Any:
        return (self.live.snap or {}).get(key, default)

    def banner(self) -> dict[str, Any] | None:
        return self._snap("banner", None)

    def list(self, which: str = "active") -> list[dict[str, Any]]:
        return list(self._snap("lists", {}).get(which, []))

    def flood(self) -> dict[str, Any]:
        return self._snap("flood", {"in_flood": False, "activations_window": 0,
                                    "window_s": 600.0, "flood_seconds": 0.0})

    def chattering(self) -> builtins.list[str]:
        return list(self._snap("chattering", []))

    def stale(self) -> builtins.list[str]:
        return list(self._snap("stale", []))

    @property
    def maintenance_manual(self) -> dict[str, str]:
        return dict(self._snap("maintenance_manual", {}))

    def ack_many(self, alarm_ids: builtins.list[str], user: str, comment: str = "") -> int:
        return int(self.live.request("ack_many", list(alarm_ids), user, comment))

    def shelve(self, alarm_id: str, user: str, reason: str, duration_s: float = 900.0) -> None:
        self.live.request("shelve", alarm_id, user, reason, duration_s)

    def unshelve(self, alarm_id: str, user: str) -> None:
        self.live.request("unshelve", alarm_id, user)

    def set_maintenance(self, room: str, on: bool, user: str, reason: str = "") -> None:
        self.live.request("set_maintenance", room, on, user, reason)

    def out_of_service(self, alarm_id: str, user: str, permit: str, reason: str = "") -> None:
        self.live.request("out_of_service", alarm_id, user, permit, reason)

    def return_to_service(self, alarm_id: str, user: str) -> None:
        self.live.request("return_to_service", alarm_id, user)

    def set_definitions(self, definitions: builtins.list[Any]) -> None:
        self.live.request("set_definitions", list(definitions))


class HistorianView:
    """The historian lives with the ingest; queries run there (not on the GUI's GIL)."""

    def __init__(self, live: LiveProcess) -> None:
        self.live = live

    def keys(self) -> list[str]:
        return list(self.live.request("history_keys"))

    def flush(self) -> int:
        return int(self.live.request("history_flush", timeout=60))

    def query(self, keys: list[str], t0: float, t1: float, **kw: Any) -> dict[str, Any]:
        return self.live.request("history_query", list(keys), t0, t1, kw, timeout=60)

    def close(self) -> None:
        """Closed by the live process when it stops."""
