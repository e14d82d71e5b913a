"""ISA-18.2 alarm engine of the lead rooms (Qt-free, thread-safe, injectable clock).

Feed it signal values (``ingest``) and call ``tick`` about once a second for the time
rules (delays, shelving expiry, stale data, frozen readings, re-alarm, calibration).
Every state change and operator action goes to the ``journal`` callable as an
:class:`AlarmEvent` (the station stores them append-only). Operator actions take the
user and a reason/comment; role checks are the caller's (``ctx.require``), the
engine enforces the rules that never bend: safety alarms are never shelved, the
interlock alarm is never suppressed or taken out of service.

Values are duck-typed: ``key, value, status, reason, source_ts, receive_ts``.

This module holds the engine's state, inputs, rule evaluation and suppression by design;
the operator actions are in :mod:`station_plugins.lead_room.alarm_actions`, the read-only
views (lists, banner, flood, room summaries) in :mod:`station_plugins.lead_room.alarm_views`
(mixins of :class:`AlarmEngine`).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from station_plugins.lead_room.alarm_actions import (  # noqa: F401 - re-exported
    MAX_SHELVE_S, AlarmActions)
from station_plugins.lead_room.alarm_defs import AlarmDefinition, Priority
from station_plugins.lead_room.alarm_state import Alarm, AlarmEvent
from station_plugins.lead_room.alarm_views import AlarmViews
from station_plugins.lead_room.data_quality import UNMONITORED_ALARM, UnmonitoredSignals
from station_plugins.lead_room.signals import leaf_of, room_of

COMM_ALARM = AlarmDefinition("gateway_comm", "Gateway connection lost: all values invalid",
                             "", "true", Priority.HIGH, shelvable=False, suppressible=False,
                             oos_allowed=False, safety=True, builtin=True,
                             remedy="Check the gateway and network; the station keeps "
                                    "reconnecting. Rooms are unmonitored until then.")


SYSTEM_IDS = (COMM_ALARM.id, UNMONITORED_ALARM.id)     # built in, not in definitions


def _matches(pattern: str, leaf: str) -> bool:
    return leaf.startswith(pattern[:-1]) if pattern.endswith("*") else leaf == pattern


class AlarmEngine(AlarmActions, AlarmViews):
    def __init__(self, definitions: Iterable[AlarmDefinition], *,
                 clock: Callable[[], float] = time.time,
                 journal: Callable[[AlarmEvent], None] = lambda e: None,
                 on_annunciate: Callable[[Alarm], None] = lambda a: None,
                 first_out_window_s: float = 5.0, flood_count: int = 10,
                 flood_window_s: float = 600.0, chatter_count: int = 3,
                 chatter_window_s: float = 60.0, stale_active_s: float = 24 * 3600.0) -> None:
        self.definitions = [d for d in definitions if d.id not in SYSTEM_IDS]
        self.clock = clock
        self.journal = journal
        self.on_annunciate = on_annunciate
        self.first_out_window_s = first_out_window_s
        self.flood_count, self.flood_window_s = flood_count, flood_window_s
        self.chatter_count, self.chatter_window_s = chatter_count, chatter_window_s
        self.stale_active_s = stale_active_s
        self.alarms: dict[str, Alarm] = {}
        self.values: dict[str, Any] = {}
        self.last_update: dict[str, float] = {}
        self.last_change: dict[str, float] = {}
        self.room_keys: dict[str, set[str]] = {}
        self.connected = True
        self.unmonitored = UnmonitoredSignals()
        self.maintenance_manual: dict[str, str] = {}      # room -> reason
        self._activations: deque[float] = deque()
        self._lock = threading.RLock()
        self._flood_since: float | None = None
        self.flood_seconds = 0.0
        self._last_tick: float | None = None

    def set_definitions(self, definitions: Iterable[AlarmDefinition]) -> None:
        """Apply edited definitions; alarms of removed definitions are dropped (cleared)."""
        with self._lock:
            self.definitions = [d for d in definitions if d.id not in SYSTEM_IDS]
            by_id = {d.id: d for d in self.definitions}
            for aid, a in list(self.alarms.items()):
                d = by_id.get(a.definition.id)
                if d is None and a.definition.id not in SYSTEM_IDS:
                    if a.active:
                        a.active = False
                        self._emit(a, "cleared", comment="definition removed")
                    del self.alarms[aid]
                elif d is not None:
                    a.definition = d

    # --- journal --------------------------------------------------------------------
    def _emit(self, a: Alarm, event: str, *, user: str = "", comment: str = "",
              source_ts: float | None = None) -> AlarmEvent:
        ev = AlarmEvent(self.clock(), a.id, a.room, a.definition.id, event,
                        a.definition.priority.label, a.state, a.value, source_ts, user, comment)
        self.journal(ev)
        return ev

    def _alarm(self, room: str, d: AlarmDefinition, source: str) -> Alarm:
        aid = f"{room}/{d.id}" if source == room else f"{room}/{d.id}/{source.rsplit('/', 1)[-1]}"
        a = self.alarms.get(aid)
        if a is None:
            a = self.alarms[aid] = Alarm(aid, room, d, source)
            self._apply_design_suppression(a)
        return a

    # --- inputs ---------------------------------------------------------------------
    def ingest(self, values: Iterable[Any]) -> None:
        now = self.clock()
        rooms: dict[str, set[str]] = {}
        quality: set[str] = set()
        with self._lock:
            for v in values:
                if (q := self.unmonitored.update(v)) is not None:
                    quality.add(q)
                key = v.key
                old = self.values.get(key)
                if old is None or old.value != v.value or old.status != v.status:
                    self.last_change[key] = now
                self.values[key] = v
                if v.status == "GOOD" or v.reason != "connection lost":
                    self.last_update[key] = now
                room = room_of(key)
                if key not in self.room_keys.setdefault(room, set()):
                    self.room_keys[room].add(key)
                rooms.setdefault(room, set()).add(key)
            for room, changed in rooms.items():
                self._evaluate_room(room, now, changed)
            for room in quality:
                self._drive_unmonitored(room, now)

    def _drive_unmonitored(self, room: str, now: float) -> None:
        """One data-quality alarm per room listing its signals not monitored."""
        a = self._alarm(room, UNMONITORED_ALARM, room)
        a.value = self.unmonitored.describe(room)
        self._set_design_suppression(a, self._signal_maint(room)
                                     or room in self.maintenance_manual, room)
        self._drive(a, self.unmonitored.count(room) > 0, now, now)

    def set_connection(self, connected: bool, message: str = "") -> None:
        with self._lock:
            now = self.clock()
            self.connected = connected
            a = self._alarm("GATEWAY", COMM_ALARM, "GATEWAY")
            a.value = message
            self._drive(a, not connected, now, now)
            if connected:
                for key in self.last_update:
                    self.last_update[key] = max(self.last_update[key], now)

    def tick(self) -> None:
        with self._lock:
            now = self.clock()
            for a in list(self.alarms.values()):
                if a.shelved_until is not None and now >= a.shelved_until:
                    a.shelved_until = None
                    self._emit(a, "shelve_expired")
                    if a.active and not a.acked:
                        self.on_annunciate(a)
                d = a.definition
                if a.active and a.acked and d.realarm_s and a.acked_ts and \
                        now - a.acked_ts >= d.realarm_s:
                    a.acked = False
                    self._emit(a, "realarm")
                    self.on_annunciate(a)
            for room in list(self.room_keys):
                self._evaluate_room(room, now)
            while self._activations and now - self._activations[0] > self.flood_window_s:
                self._activations.popleft()
            flood = len(self._activations) > self.flood_count
            if self._last_tick is not None and flood:
                self.flood_seconds += now - self._last_tick
            self._flood_since = (self._flood_since or now) if flood else None
            self._last_tick = now

    # --- evaluation -------------------------------------------------------------------
    def _evaluate_room(self, room: str, now: float, changed: set[str] | None = None) -> None:
        keys = self.room_keys.get(room, ())
        maint = self.values.get(f"{room}/Maintenance")
        in_maint = (maint is not None and maint.status == "GOOD" and maint.value is True) \
            or room in self.maintenance_manual
        if changed is not None and f"{room}/Maintenance" in changed:
            changed = None                       # suppression may change everywhere
        for d in self.definitions:
            if d.rule == "door_beam":
                if changed is None or any(leaf_of(k) == "BeamOn" or leaf_of(k).startswith(
                        "Doors/") for k in changed):
                    self._eval_door_beam(room, d, keys, now)
                continue
            for key in (keys if changed is None else changed):
                if _matches(d.signal, leaf_of(key)):
                    a = self._alarm(room, d, key)
                    self._set_design_suppression(a, in_maint, room)
                    cond = self._condition(d, a, key, now)
                    if cond is not None:
                        self._drive(a, cond[0], now, cond[1])

    def _condition(self, d: AlarmDefinition, a: Alarm, key: str,
                   now: float) -> tuple[bool, float | None] | None:
        v = self.values[key]
        a.value = v.value
        src = v.source_ts
        if d.rule == "stale":
            if not self.connected:
                return None                      # covered by the single gateway alarm
            stale = now - self.last_update.get(key, now) > (d.limit or 10.0)
            a.value = v.reason or v.value
            return (v.status == "BAD" or stale), src or now
        if v.status != "GOOD":
            return None                          # invalid: hold (the stale rule reports it)
        if d.rule == "high":
            assert d.limit is not None   # load_definitions: high / low need a limit
            limit = d.limit - d.deadband if a.active else d.limit
            return float(v.value) > limit, src
        if d.rule == "low":
            assert d.limit is not None
            limit = d.limit + d.deadband if a.active else d.limit
            return float(v.value) < limit, src
        if d.rule == "true":
            return bool(v.value), src
        if d.rule == "calibration":
            due = v.value
            if isinstance(due, datetime):
                due = due if due.tzinfo else due.replace(tzinfo=timezone.utc)
                return due.timestamp() < now, src
            return None
        if d.rule == "flatline":
            return now - self.last_change.get(key, now) > (d.limit or 120.0), src
        return None

    def _eval_door_beam(self, room: str, d: AlarmDefinition, keys: Iterable[str],
                        now: float) -> None:
        beam = self.values.get(f"{room}/BeamOn")
        doors = [self.values[k] for k in keys if leaf_of(k).startswith("Doors/")]
        if beam is None or not doors:
            return
        a = self._alarm(room, d, room)
        open_doors = [x for x in doors if x.status == "GOOD" and x.value is True]
        if beam.status == "GOOD" and beam.value is True and open_doors:
            src = max([beam.source_ts or 0.0] + [x.source_ts or 0.0 for x in open_doors])
            a.value = ", ".join(leaf_of(x.key) for x in open_doors)
            self._drive(a, True, now, src or now)
        elif (beam.status == "GOOD" and beam.value is False) or \
                all(x.status == "GOOD" and x.value is False for x in doors):
            self._drive(a, False, now, beam.source_ts)

    def _drive(self, a: Alarm, cond: bool, now: float, src: float | None) -> None:
        """Apply on/off delays, then change the alarm state (and journal it)."""
        d = a.definition
        if cond == a.active:
            a.pending_since = a.pending_src_ts = None
            return
        delay = d.on_delay_s if cond else d.off_delay_s
        if delay > 0:
            if a.pending_since is None:
                a.pending_since, a.pending_src_ts = now, src
                return
            if now - a.pending_since < delay:
                return
            src = a.pending_src_ts or src
        a.pending_since = a.pending_src_ts = None
        if cond:
            a.active, a.acked = True, False
            a.activated_src_ts, a.activated_ts, a.cleared_ts = src or now, now, None
            a.activations.append(now)
            self._activations.append(now)
            self._emit(a, "activated", source_ts=src)
            if a.annunciated:
                self.on_annunciate(a)
        else:
            a.active, a.cleared_ts = False, now
            self._emit(a, "cleared", source_ts=src)

    # --- suppression by design --------------------------------------------------------
    def _apply_design_suppression(self, a: Alarm) -> None:
        if a.room in self.maintenance_manual and a.definition.suppressible:
            a.suppressed_reason = f"maintenance: {self.maintenance_manual[a.room]}"

    def _set_design_suppression(self, a: Alarm, in_maint: bool, room: str) -> None:
        want = in_maint and a.definition.suppressible
        if want and not a.suppressed:
            a.suppressed_reason = "room in maintenance" + (
                f": {self.maintenance_manual[room]}" if room in self.maintenance_manual else "")
            self._emit(a, "suppressed", comment=a.suppressed_reason)
        elif not want and a.suppressed:
            a.suppressed_reason = ""
            self._emit(a, "unsuppressed")
            if a.active and not a.acked:
                self.on_annunciate(a)
