"""The station's live core (Qt-free): live value table, alarm engine, historian, journal.

Wiring: the OPC UA adapter calls :meth:`on_values` / :meth:`on_state` on the asyncio
loop thread; values go to the live table, the alarm engine and the historian buffer.
A loop-thread timer ticks the engine (1 Hz) and notifies listeners at most 10 times
a second when something changed (the panel turns that into one queued Qt signal, so
a burst of thousands of values is one repaint). Alarm events go to the journal sink
on a writer thread (never blocking the loop).
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from typing import Any, Callable

from station_plugins.lead_room.alarm_state import AlarmEvent
from station_plugins.lead_room.alarms import AlarmEngine
from station_plugins.lead_room.listeners import ChangeListeners
from station_plugins.lead_room.signals import leaf_of, room_of

log = logging.getLogger(__name__)
NOTIFY_PERIOD_S = 0.1


class JournalWriter:
    """Append-only alarm journal: ``sink(event)`` on its own thread, in order."""

    def __init__(self, sink: Callable[[AlarmEvent], None],
                 on_error: Callable[[BaseException], None] = lambda e: None) -> None:
        self.sink = sink
        self.on_error = on_error
        self._q: queue.Queue[AlarmEvent | None] = queue.Queue()
        self._t = threading.Thread(target=self._run, name="alarm-journal", daemon=True)
        self._t.start()
        self.written = 0

    def __call__(self, ev: AlarmEvent) -> None:
        self._q.put(ev)

    def _run(self) -> None:
        while True:
            ev = self._q.get()
            if ev is None:
                return
            for attempt in range(5):
                try:
                    self.sink(ev)
                    self.written += 1
                    break
                except Exception as exc:  # noqa: BLE001 - retried, then reported
                    if attempt == 4:
                        self.on_error(exc)
                    time.sleep(0.2 * (attempt + 1))

    def close(self, timeout: float = 5.0) -> None:
        self._q.put(None)
        self._t.join(timeout)

    def pending(self) -> int:
        return self._q.qsize()


def store_journal_sink(store: Any) -> Callable[[AlarmEvent], None]:
    """Journal into the regulated store: one immutable record per event (synced)."""
    def sink(ev: AlarmEvent) -> None:
        store.add_record("lead_room.alarm_event", ev.alarm_id, ev.to_dict(),
                         username=ev.user or "system", ref=ev.room)
    return sink


class RoomMonitor:
    def __init__(self, engine: AlarmEngine, *, historian: Any = None) -> None:
        self.engine = engine
        self.historian = historian
        self.latest: dict[str, Any] = {}
        self.connection: Any = None
        self._lock = threading.Lock()
        self._dirty = False
        self._listeners = ChangeListeners("monitor")
        self._task: asyncio.Task | None = None
        self.values_received = 0

    # --- inputs (loop thread) -------------------------------------------------------------
    def on_values(self, batch: list[Any]) -> None:
        with self._lock:
            for v in batch:
                old = self.latest.get(v.key)
                # a replayed (gap) value never overwrites a newer live one
                if v.replayed and old is not None and old.valid and \
                        (old.source_ts or 0) > (v.source_ts or 0):
                    continue
                self.latest[v.key] = v
            self.values_received += len(batch)
            self._dirty = True
        self.engine.ingest(batch)
        if self.historian is not None:
            self.historian.ingest(batch)

    def on_state(self, state: Any) -> None:
        self.connection = state
        if state.state != "connecting":          # a first connect is not a loss
            self.engine.set_connection(state.connected, state.message)
        with self._lock:
            self._dirty = True

    def mark_dirty(self) -> None:
        """Something changed outside the inputs (a command): listeners hear of it on the
        next timer pass."""
        with self._lock:
            self._dirty = True

    # --- periodic (loop thread) -------------------------------------------------------------
    def add_listener(self, fn: Callable[[], None]) -> Callable[[], None]:
        return self._listeners.add(fn)

    async def run_timers(self) -> None:
        last_tick = 0.0
        while True:
            await asyncio.sleep(NOTIFY_PERIOD_S)
            now = time.monotonic()
            if now - last_tick >= 1.0:
                last_tick = now
                try:
                    self.engine.tick()
                except Exception:  # noqa: BLE001
                    log.exception("alarm tick failed")
                with self._lock:
                    self._dirty = True
            with self._lock:
                dirty, self._dirty = self._dirty, False
            if dirty:
                self._listeners.notify()

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run_timers(), name="room-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    # --- views (any thread) -------------------------------------------------------------------
    def room_names(self) -> list[str]:
        with self._lock:
            return sorted({room_of(k) for k in self.latest})

    def room_values(self, room: str) -> dict[str, Any]:
        prefix = room + "/"
        with self._lock:
            return {leaf_of(k): v for k, v in self.latest.items() if k.startswith(prefix)}

    def overview(self) -> list[dict[str, Any]]:
        """One tile per room: the few facts the overview shows, and validity."""
        tiles = []
        with self._lock:
            by_room: dict[str, dict[str, Any]] = {}
            for k, v in self.latest.items():
                by_room.setdefault(room_of(k), {})[leaf_of(k)] = v
        summaries = self.engine.room_summaries()
        empty = {"worst": None, "count": 0, "unacked": 0, "suppressed": False}
        for room in sorted(by_room):
            vals = by_room[room]

            def val(leaf: str, vals: dict[str, Any] = vals) -> Any:
                v = vals.get(leaf)
                return v.value if v is not None and v.valid else None
            boundary = [v for lf, v in vals.items() if lf.startswith("Boundary/")]
            doors = [v for lf, v in vals.items() if lf.startswith("Doors/")]
            invalid = sorted(lf for lf, v in vals.items() if not v.valid)
            tiles.append({
                "room": room, "beam_on": val("BeamOn"), "xray_ready": val("XrayReady"),
                "doors_open": None if any(not d.valid for d in doors)
                else sum(bool(d.value) for d in doors),
                "boundary_max_usvh": None if not boundary or any(not b.valid for b in boundary)
                else max(b.value for b in boundary),
                "temperature_c": val("Temperature"), "humidity_pct": val("Humidity"),
                "power_kw": val("PowerKw"), "energy_kwh": val("EnergyKwh"),
                "kv": val("Kv"), "ma": val("Ma"), "job": val("JobId"),
                "maintenance": val("Maintenance"), "estop": val("EStop"),
                "bypass_key": val("BypassKey"), "invalid": invalid,
                "alarms": summaries.get(room, empty),
            })
        return tiles
