"""Operator actions of the lead-room alarm engine (:class:`AlarmEngine
<station_plugins.lead_room.alarms.AlarmEngine>`): acknowledge, shelve / unshelve,
maintenance suppression, out of service / return to service. Role checks are the
caller's; the rules that never bend are enforced here (safety alarms are never
shelved, an alarm that forbids it is never taken out of service).
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable

from app.core.errors import ValidationError
from station_plugins.lead_room.alarm_state import Alarm, AlarmEvent, NORMAL

MAX_SHELVE_S = 8 * 3600.0


class AlarmActions:
    """Mixin of :class:`~station_plugins.lead_room.alarms.AlarmEngine` (its state and
    journal live there)."""

    if TYPE_CHECKING:
        alarms: dict[str, Alarm]
        values: dict[str, Any]
        maintenance_manual: dict[str, str]
        clock: Callable[[], float]
        journal: Callable[[AlarmEvent], None]
        on_annunciate: Callable[[Alarm], None]
        _lock: threading.RLock

        def _emit(self, a: Alarm, event: str, *, user: str = "", comment: str = "",
                  source_ts: float | None = None) -> AlarmEvent: ...

        def _set_design_suppression(self, a: Alarm, in_maint: bool, room: str) -> None: ...

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
