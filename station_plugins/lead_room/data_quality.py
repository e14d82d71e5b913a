"""Signals the gateway link does not monitor: one data-quality alarm per room (Qt-free).

The OPC UA adapter publishes a signal it could not monitor (the gateway refused the
monitored item, lost it on a re-created subscription, or the node was removed) as
``BAD`` with reason ``"not subscribed: <StatusCode name>"``. That is a communication /
data-quality condition, not a process alarm (ISA-18.2 / IEC 62682: a diagnostic alarm on
the monitoring system itself): the room's values are shown invalid with the reason, and
one built-in alarm per room lists the signals concerned. It activates and clears once
(journalled once each), whatever the number of signals or retries: no flood. A link-wide
reason (connection lost, subscription ended) says nothing about a single item and leaves
the list as it is; any other value for the signal (good or a bad value the item
delivered) means it is monitored again.
"""
from __future__ import annotations

from typing import Any

from station_plugins.lead_room.alarm_defs import AlarmDefinition, Priority
from station_plugins.lead_room.signals import leaf_of, room_of

NOT_SUBSCRIBED = "not subscribed"          # the adapter's reason prefix (a contract)
LINK_WIDE = ("connection lost", "no connection to the gateway",
             "subscription ended by the gateway")

UNMONITORED_ALARM = AlarmDefinition(
    "signals_unmonitored", "Signals not monitored by the gateway link (data quality)", "",
    "true", Priority.MEDIUM, shelvable=True, suppressible=True, oos_allowed=True,
    safety=False, builtin=True,
    remedy="The listed signals show no live value. Check the gateway's configuration "
           "(node removed or renamed, access rights, monitored-item limit); the station "
           "retries by itself and clears this alarm when they update again.")


class UnmonitoredSignals:
    """room -> {leaf: status code name} of the signals not monitored now."""

    def __init__(self) -> None:
        self.by_room: dict[str, dict[str, str]] = {}

    def update(self, v: Any) -> str | None:
        """Apply one value; returns its room when that room's list changed."""
        reason = v.reason or ""
        room, leaf = room_of(v.key), leaf_of(v.key)
        cur = self.by_room.setdefault(room, {})
        if reason.startswith(NOT_SUBSCRIBED):
            code = reason.split(":", 1)[1].strip() if ":" in reason else "?"
            if cur.get(leaf) != code:
                cur[leaf] = code
                return room
            return None
        if v.status != "GOOD" and reason.startswith(LINK_WIDE):
            return None
        if leaf in cur:
            del cur[leaf]
            return room
        return None

    def describe(self, room: str, most: int = 8) -> str:
        cur = self.by_room.get(room, {})
        items = [f"{leaf} ({code})" for leaf, code in sorted(cur.items())]
        more = f" and {len(items) - most} more" if len(items) > most else ""
        return ", ".join(items[:most]) + more

    def count(self, room: str) -> int:
        return len(self.by_room.get(room, {}))
