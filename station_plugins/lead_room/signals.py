"""Signal catalogue of a lead room: names, units, valid instrument ranges, value kinds.

Shared by the gateway simulator (what it publishes), the OPC UA client (what a browsed
leaf means, which range makes a value invalid) and the alarm engine. Qt-free, I/O-free.

Address space (browse path below ``Objects``)::

    Rooms/Room01/Temperature            float  degC
    Rooms/Room01/Boundary/POI1          float  uSv/h   (boundary dose rate, 30 cm outside)
    Rooms/Room01/Doors/Door1            bool   True = open
    ...

A signal key is the browse path below ``Rooms`` joined with "/": ``Room01/Boundary/POI1``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Any


class Kind(str, Enum):
    ANALOG = "analog"
    BOOL = "bool"
    TEXT = "text"
    DATE = "date"


@dataclass(frozen=True)
class SignalSpec:
    leaf: str              # leaf browse name or group name ("Boundary", "Doors")
    kind: Kind
    unit: str = ""
    lo: float | None = None   # instrument range: outside it the value is INVALID
    hi: float | None = None
    deadband: float = 0.0     # historian deadband (absolute, in unit)
    label: str = ""


# Per-room scalar signals (leaf -> spec).
ROOM_SIGNALS: dict[str, SignalSpec] = {s.leaf: s for s in (
    SignalSpec("Temperature", Kind.ANALOG, "degC", -20.0, 80.0, 0.2, "Temperature"),
    SignalSpec("Humidity", Kind.ANALOG, "%RH", 0.0, 100.0, 0.5, "Humidity"),
    SignalSpec("PowerKw", Kind.ANALOG, "kW", 0.0, 200.0, 0.1, "Power"),
    SignalSpec("EnergyKwh", Kind.ANALOG, "kWh", 0.0, 1e9, 0.01, "Energy"),
    SignalSpec("InRoomDoseRate", Kind.ANALOG, "uSv/h", 0.0, 1e7, 1.0, "In-room dose rate"),
    SignalSpec("Kv", Kind.ANALOG, "kV", 0.0, 160.0, 0.5, "Tube voltage"),
    SignalSpec("Ma", Kind.ANALOG, "mA", 0.0, 1000.0, 1.0, "Tube current"),
    SignalSpec("XrayReady", Kind.BOOL, label="X-ray ready"),
    SignalSpec("BeamOn", Kind.BOOL, label="Beam on"),
    SignalSpec("EStop", Kind.BOOL, label="E-stop pressed"),
    SignalSpec("BypassKey", Kind.BOOL, label="Interlock bypass key"),
    SignalSpec("MonitorFault", Kind.BOOL, label="Monitor fault"),
    SignalSpec("Maintenance", Kind.BOOL, label="Maintenance mode"),
    SignalSpec("CalibrationDue", Kind.DATE, label="Monitor calibration due"),
    SignalSpec("JobId", Kind.TEXT, label="Job"),
)}
BOUNDARY = SignalSpec("Boundary", Kind.ANALOG, "uSv/h", 0.0, 1e4, 0.02, "Boundary dose rate")
DOORS = SignalSpec("Doors", Kind.BOOL, label="Door open")


def room_name(index: int) -> str:
    return f"Room{index:02d}"


def spec_for(key: str) -> SignalSpec | None:
    """The spec of a signal key ``RoomNN/Leaf`` or ``RoomNN/Group/Item``."""
    parts = key.split("/")
    if len(parts) == 2:
        return ROOM_SIGNALS.get(parts[1])
    if len(parts) == 3:
        return {"Boundary": BOUNDARY, "Doors": DOORS}.get(parts[1])
    return None


def room_of(key: str) -> str:
    return key.split("/", 1)[0]


def leaf_of(key: str) -> str:
    return key.split("/", 1)[1] if "/" in key else key


def out_of_range(spec: SignalSpec | None, value: Any) -> str | None:
    """A reason text when ``value`` cannot be a true reading of ``spec``, else None."""
    if spec is None or value is None:
        return None
    if spec.kind is Kind.ANALOG:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"not a number ({type(value).__name__})"
        if value != value:  # NaN
            return "NaN"
        if spec.lo is not None and value < spec.lo:
            return f"{value:g} below instrument range {spec.lo:g} {spec.unit}"
        if spec.hi is not None and value > spec.hi:
            return f"{value:g} above instrument range {spec.hi:g} {spec.unit}"
    elif spec.kind is Kind.BOOL and not isinstance(value, bool):
        return f"not a boolean ({value!r})"
    elif spec.kind is Kind.DATE and not isinstance(value, datetime):
        return f"not a date ({value!r})"
    return None


def as_utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def range_check(key: str, value: Any) -> str | None:
    """For the OPC UA adapter: why ``value`` of ``key`` is invalid, or None."""
    return out_of_range(spec_for(key), value)
