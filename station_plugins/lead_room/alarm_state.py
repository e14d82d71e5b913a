"""One alarm's ISA-18.2 state and the journal event written for every change.

States (ISA-18.2 / IEC 62682): NORMAL, UNACK (active, unacknowledged), ACKED (active,
acknowledged), RTN_UNACK (returned to normal, unacknowledged), and the overlays
SHELVED (operator, time-limited, reasoned), SUPPRESSED (by design: room in maintenance,
gateway link down) and OUT_OF_SERVICE (under a permit). Qt-free.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from station_plugins.lead_room.alarm_defs import AlarmDefinition

NORMAL, UNACK, ACKED, RTN_UNACK = "NORMAL", "UNACK", "ACKED", "RTN_UNACK"
SHELVED, SUPPRESSED, OUT_OF_SERVICE = "SHELVED", "SUPPRESSED", "OUT_OF_SERVICE"


@dataclass
class Alarm:
    id: str
    room: str
    definition: AlarmDefinition
    source: str                          # signal key (or room for room-level alarms)
    active: bool = False
    acked: bool = True
    value: Any = None
    activated_src_ts: float | None = None     # gateway time of the triggering change
    activated_ts: float | None = None         # workstation time of annunciation
    cleared_ts: float | None = None
    acked_ts: float | None = None
    acked_by: str = ""
    ack_comment: str = ""
    pending_since: float | None = None        # on/off delay timer (workstation time)
    pending_src_ts: float | None = None
    shelved_until: float | None = None
    shelved_by: str = ""
    shelve_reason: str = ""
    suppressed_reason: str = ""               # by design; "" = not suppressed
    oos_by: str = ""
    oos_permit: str = ""                      # "" = in service
    activations: deque = field(default_factory=lambda: deque(maxlen=32))

    @property
    def priority(self):  # noqa: ANN201
        return self.definition.priority

    @property
    def out_of_service(self) -> bool:
        return bool(self.oos_permit)

    @property
    def shelved(self) -> bool:
        return self.shelved_until is not None

    @property
    def suppressed(self) -> bool:
        return bool(self.suppressed_reason)

    @property
    def base_state(self) -> str:
        if self.active:
            return ACKED if self.acked else UNACK
        return NORMAL if self.acked else RTN_UNACK

    @property
    def state(self) -> str:
        if self.out_of_service:
            return OUT_OF_SERVICE
        if self.suppressed:
            return SUPPRESSED
        if self.shelved:
            return SHELVED
        return self.base_state

    @property
    def annunciated(self) -> bool:
        """Shown in the active list and counted for the banner / horn."""
        return not (self.out_of_service or self.suppressed or self.shelved) and \
            self.base_state != NORMAL

    def view(self, first_out: bool = False) -> dict[str, Any]:
        d = self.definition
        return {
            "id": self.id, "room": self.room, "definition": d.id, "title": d.title,
            "priority": d.priority.label, "safety": d.safety, "source": self.source,
            "state": self.state, "base_state": self.base_state, "active": self.active,
            "acked": self.acked, "value": self.value,
            "activated_src_ts": self.activated_src_ts, "activated_ts": self.activated_ts,
            "cleared_ts": self.cleared_ts, "acked_by": self.acked_by,
            "ack_comment": self.ack_comment, "shelved_until": self.shelved_until,
            "shelved_by": self.shelved_by, "shelve_reason": self.shelve_reason,
            "suppressed_reason": self.suppressed_reason, "oos_permit": self.oos_permit,
            "oos_by": self.oos_by, "first_out": first_out, "remedy": d.remedy,
        }


@dataclass(frozen=True)
class AlarmEvent:
    """One journal line: a state change or an operator action."""

    ts: float                 # workstation time
    alarm_id: str
    room: str
    definition: str
    event: str                # activated / cleared / acked / shelved / unshelved / ...
    priority: str
    state_after: str
    value: Any = None
    source_ts: float | None = None
    user: str = ""
    comment: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"ts": self.ts, "alarm_id": self.alarm_id, "room": self.room,
                "definition": self.definition, "event": self.event,
                "priority": self.priority, "state_after": self.state_after,
                "value": self.value if not hasattr(self.value, "isoformat")
                else self.value.isoformat(),
                "source_ts": self.source_ts, "user": self.user, "comment": self.comment}
