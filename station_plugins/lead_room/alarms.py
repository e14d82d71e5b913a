"""ISA-18.2 alarm engine of the lead rooms (Qt-free, thread-safe, injectable clock).

Feed it signal values (``ingest``) and call ``tick`` about once a second for the time
rules (delays, shelving expiry, stale data, frozen readings, re-alarm, calibration).
Every state change and operator action goes to the ``journal`` callable as an
:class:`AlarmEvent` (the station stores them append-only). Operator actions take the
user and a reason/comment; role checks are the caller's (``ctx.require``), the
engine enforces the rules that never bend: safety alarms are never shelved, the
interlock alarm is never suppressed or taken out of service.

Values are duck-typed: ``key, value, status, reason, source_ts, receive_ts``.
"""
from __future__ import annotations

import builtins
import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from app.core.errors import ValidationError
from station_plugins.lead_room.alarm_defs import AlarmDefinition, Priority
from station_plugins.lead_room.alarm_state import (Alarm, AlarmEvent, NORMAL, UNACK)
from station_plugins.lead_room.data_quality import UNMONITORED_ALARM, UnmonitoredSignals
from station_plugins.lead_room.signals import leaf_of, room_of

MAX_SHELVE_S = 8 * 3600.0
COMM_ALARM = AlarmDefinition("gateway_comm", "Gateway connection lost: all values invalid",
                             "", "true", Priority.HIGH, shelvable=False, suppressible=False,
                             oos_allowed=False, safety=True, builtin=True,
                             remedy="Check the gateway and network; the station keeps "
                                    "reconnecting. Rooms are unmonitored until then.")


SYSTEM_IDS = (COMM_ALARM.id, UNMONITORED_ALARM.id)     # built in, not in definitions


def _matches(pattern: str, leaf: str) -> bool:
    return leaf.startswith(pattern[:-1]) if pattern.endswith("*") else leaf == pattern


class AlarmEngine:
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

    # --- operator actions -------------------------------------------------------------
    def _get(self, alarm_id: str) -> Alarm:
        try:
            return self.alarms[alarm_id]
        except KeyError:
            raise ValidationError(f"No alarm '{alarm_id}'.") from None

    def ack(self, alarm_id: str, user: str, comment: str = "") -> AlarmEvent:
        with self._lock:
            a = self._get(alarm_id)
            if a.acked:
                raise ValidationError(f"Alarm {alarm_id} is already acknowledged.")
            a.acked, a.acked_ts, a.acked_by, a.ack_comment = True, self.clock(), user, comment
            return self._emit(a, "acked", user=user, comment=comment)

    def ack_many(self, alarm_ids: Iterable[str], user: str, comment: str = "") -> int:
        n = 0
        with self._lock:
            for aid in alarm_ids:
                if aid in self.alarms and not self.alarms[aid].acked:
                    self.ack(aid, user, comment)
                    n += 1
        return n

    def shelve(self, alarm_id: str, user: str, reason: str, duration_s: float = 900.0
               ) -> AlarmEvent:
        with self._lock:
            a = self._get(alarm_id)
            if not a.definition.shelvable:
                raise ValidationError(f"'{a.definition.title}' is a safety alarm and is never "
                                      f"shelved.", remedy="Remove the cause, or take the "
                                      "alarm out of service under a permit if allowed.")
            if not reason.strip():
                raise ValidationError("Shelving needs a reason.")
            if not 0 < duration_s <= MAX_SHELVE_S:
                raise ValidationError(f"Shelve time must be between 1 s and "
                                      f"{MAX_SHELVE_S / 3600:g} h.")
            a.shelved_until = self.clock() + duration_s
            a.shelved_by, a.shelve_reason = user, reason.strip()
            return self._emit(a, "shelved", user=user,
                              comment=f"{reason.strip()} ({duration_s / 60:g} min)")

    def unshelve(self, alarm_id: str, user: str) -> AlarmEvent:
        with self._lock:
            a = self._get(alarm_id)
            if not a.shelved:
                raise ValidationError(f"Alarm {alarm_id} is not shelved.")
            a.shelved_until = None
            ev = self._emit(a, "unshelved", user=user)
            if a.active and not a.acked:
                self.on_annunciate(a)
            return ev

    def set_maintenance(self, room: str, on: bool, user: str, reason: str = "") -> None:
        """Suppress by design every suppressible alarm of ``room`` (room in maintenance)."""
        with self._lock:
            if on and not reason.strip():
                raise ValidationError("Maintenance suppression needs a reason.")
            if on:
                self.maintenance_manual[room] = reason.strip()
            else:
                self.maintenance_manual.pop(room, None)
            for a in [a for a in self.alarms.values() if a.room == room]:
                self._set_design_suppression(a, on or self._signal_maint(room), room)
            ev = AlarmEvent(self.clock(), f"{room}/maintenance", room, "maintenance",
                            "maintenance_on" if on else "maintenance_off", "info",
                            "SUPPRESSED" if on else NORMAL, None, None, user, reason)
            self.journal(ev)

    def _signal_maint(self, room: str) -> bool:
        m = self.values.get(f"{room}/Maintenance")
        return m is not None and m.status == "GOOD" and m.value is True

    def out_of_service(self, alarm_id: str, user: str, permit: str, reason: str = ""
                       ) -> AlarmEvent:
        with self._lock:
            a = self._get(alarm_id)
            if not a.definition.oos_allowed:
                raise ValidationError(f"'{a.definition.title}' can never be taken out of "
                                      f"service.")
            if not permit.strip():
                raise ValidationError("Out of service needs a permit number.")
            a.oos_permit, a.oos_by = permit.strip(), user
            return self._emit(a, "out_of_service", user=user,
                              comment=f"permit {permit.strip()}: {reason}")

    def return_to_service(self, alarm_id: str, user: str) -> AlarmEvent:
        with self._lock:
            a = self._get(alarm_id)
            if not a.out_of_service:
                raise ValidationError(f"Alarm {alarm_id} is in service.")
            a.oos_permit = a.oos_by = ""
            return self._emit(a, "returned_to_service", user=user)

    # --- views ------------------------------------------------------------------------
    def first_out_ids(self) -> set[str]:
        """Per room: the earliest (by source time) of alarms activated together."""
        out: set[str] = set()
        by_room: dict[str, list[Alarm]] = {}
        for a in self.alarms.values():
            if a.active and a.annunciated:
                by_room.setdefault(a.room, []).append(a)
        for alarms in by_room.values():
            alarms.sort(key=lambda a: (a.activated_src_ts or 0.0, a.priority))
            first = alarms[0]
            group = [a for a in alarms if (a.activated_src_ts or 0) - (first.activated_src_ts
                                                                     or 0) <= self.first_out_window_s]
            if len(group) > 1:
                out.add(first.id)
        return out

    def list(self, which: str = "active") -> list[dict[str, Any]]:
        """active (annunciated) / unacked / shelved / suppressed / oos / all."""
        with self._lock:
            fo = self.first_out_ids()
            pick = {
                "active": lambda a: a.annunciated,
                "unacked": lambda a: a.annunciated and not a.acked,
                "shelved": lambda a: a.shelved,
                "suppressed": lambda a: a.suppressed,
                "oos": lambda a: a.out_of_service,
                "all": lambda a: True,
            }[which]
            rows = [a.view(a.id in fo) for a in self.alarms.values() if pick(a)]
        rows.sort(key=lambda r: (Priority[r["priority"].upper()], -(r["activated_ts"] or 0)))
        return rows

    def banner(self) -> dict[str, Any] | None:
        """The safety banner: the worst active safety alarm (acked or not), else None."""
        with self._lock:
            act = [a for a in self.alarms.values()
                   if a.active and a.definition.safety and not a.out_of_service]
            if not act:
                return None
            act.sort(key=lambda a: (a.priority, a.activated_ts or 0))
            worst = act[0]
            return {"count": len(act), "unacked": sum(not a.acked for a in act),
                    **worst.view()}

    def flood(self) -> dict[str, Any]:
        with self._lock:
            now = self.clock()
            n = sum(1 for t in self._activations if now - t <= self.flood_window_s)
            return {"in_flood": n > self.flood_count, "activations_window": n,
                    "window_s": self.flood_window_s, "flood_seconds": self.flood_seconds}

    def chattering(self) -> builtins.list[str]:
        with self._lock:
            now = self.clock()
            return sorted(a.id for a in self.alarms.values() if sum(
                1 for t in a.activations if now - t <= self.chatter_window_s)
                >= self.chatter_count)

    def stale(self) -> builtins.list[str]:
        with self._lock:
            now = self.clock()
            return sorted(a.id for a in self.alarms.values() if a.active and a.activated_ts
                          and now - a.activated_ts > self.stale_active_s)

    def room_summaries(self) -> dict[str, dict[str, Any]]:
        """All rooms' tile summaries in one pass over the alarms (for the overview)."""
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            for a in self.alarms.values():
                s = out.setdefault(a.room, {"worst": None, "count": 0, "unacked": 0,
                                            "suppressed": False})
                if a.suppressed:
                    s["suppressed"] = True
                if not a.annunciated:
                    continue
                s["count"] += 1
                s["unacked"] += a.base_state in (UNACK, "RTN_UNACK")
                if a.active and (s["worst"] is None or a.priority < s["worst"]):
                    s["worst"] = a.priority
        for s in out.values():
            s["worst"] = s["worst"].label if s["worst"] is not None else None
        return out

    def room_summary(self, room: str) -> dict[str, Any]:
        """Worst annunciated priority and counts for the overview tile."""
        with self._lock:
            act = [a for a in self.alarms.values() if a.room == room and a.annunciated]
            worst = min((a.priority for a in act if a.active), default=None)
            return {"worst": worst.label if worst else None, "count": len(act),
                    "unacked": sum(a.base_state in (UNACK, "RTN_UNACK") for a in act),
                    "suppressed": any(a.suppressed for a in self.alarms.values()
                                      if a.room == room)}
