"""Read-only views of the lead-room alarm engine (:class:`AlarmEngine
<station_plugins.lead_room.alarms.AlarmEngine>`): alarm lists, first-out, the safety
banner, flood / chattering / stale statistics and the overview's room summaries.
"""
from __future__ import annotations

import builtins
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

from station_plugins.lead_room.alarm_defs import Priority
from station_plugins.lead_room.alarm_state import Alarm, UNACK


class AlarmViews:
    """Mixin of :class:`~station_plugins.lead_room.alarms.AlarmEngine` (its state lives
    there)."""

    if TYPE_CHECKING:
        alarms: dict[str, Alarm]
        clock: Callable[[], float]
        first_out_window_s: float
        flood_count: int
        flood_window_s: float
        flood_seconds: float
        chatter_count: int
        chatter_window_s: float
        stale_active_s: float
        _activations: deque[float]
        _lock: threading.RLock

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
