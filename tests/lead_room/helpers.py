"""Small helpers shared by the lead-room tests (no fixtures with side effects here)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SV:
    """Duck-typed signal value (same attributes as the OPC UA adapter's SignalValue)."""

    key: str
    value: Any
    status: str = "GOOD"
    reason: str = ""
    source_ts: float | None = None
    receive_ts: float = 0.0

    @property
    def valid(self) -> bool:
        return self.status == "GOOD"


class FakeClock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


def room_values(room: str = "Room01", *, beam: bool = False, door: bool = False,
                poi: float = 0.12, ts: float = 0.0, **extra: Any) -> list[SV]:
    from datetime import datetime, timedelta, timezone

    base = {
        f"{room}/BeamOn": beam, f"{room}/Doors/Door1": door, f"{room}/Boundary/POI1": poi,
        f"{room}/Boundary/POI2": 0.11, f"{room}/MonitorFault": False,
        f"{room}/BypassKey": False, f"{room}/Maintenance": False,
        f"{room}/Temperature": 23.0,
        f"{room}/CalibrationDue": datetime.now(timezone.utc) + timedelta(days=90),
    }
    base.update({f"{room}/{k}": v for k, v in extra.items()})
    return [SV(k, v, source_ts=ts or None) for k, v in base.items()]
