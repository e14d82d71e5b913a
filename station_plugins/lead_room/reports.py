"""Weekly integrated dose per point of interest, energy per room, heat recovery.

Computed from the historian's 1-minute aggregates (exact integrals: every received
value is in them). Qt-free; the historian is passed in.

* Dose: net dose above the point's background, integrated over the week (uSv), against
  the weekly reference level of the area behind the point: 100 uSv for worker areas,
  5 uSv for public areas. Coverage (share of minutes with valid data) is reported: a
  week with gaps is flagged, never silently scaled up.
* Energy: kWh from the mean power per minute; standby share = energy while the room
  draws less than ``standby_kw``. Heat recovery: practically all electrical energy
  ends up as heat in the room; ``recovery_efficiency`` of it is recoverable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

WEEK_S = 7 * 24 * 3600
REFERENCE_USV = {"worker": 100.0, "public": 5.0}
# Default area behind each point of interest (room config may override).
DEFAULT_POI_AREA = {"POI1": "worker", "POI2": "worker", "POI3": "public", "POI4": "public"}


@dataclass(frozen=True)
class DosePoint:
    key: str
    area: str
    dose_usv: float
    reference_usv: float
    coverage: float
    peak_usvh: float

    @property
    def share(self) -> float:
        return self.dose_usv / self.reference_usv if self.reference_usv else 0.0

    @property
    def verdict(self) -> str:
        if self.coverage < 0.95:
            return "INCOMPLETE" if self.share <= 1.0 else "FAIL"
        return "FAIL" if self.share > 1.0 else ("WARN" if self.share > 0.8 else "PASS")

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "area": self.area, "dose_usv": round(self.dose_usv, 3),
                "reference_usv": self.reference_usv, "share": round(self.share, 4),
                "coverage": round(self.coverage, 4), "peak_usvh": round(self.peak_usvh, 4),
                "verdict": self.verdict}


def weekly_dose(historian: Any, keys: list[str], week_start: float, *,
                background_usvh: float = 0.12,
                areas: dict[str, str] | None = None) -> list[DosePoint]:
    areas = {**DEFAULT_POI_AREA, **(areas or {})}
    t1 = week_start + WEEK_S
    series = historian.query(keys, week_start, t1, resolution=60)
    minutes = WEEK_S / 60
    out = []
    for key in keys:
        poi = key.rsplit("/", 1)[-1]
        area = areas.get(key, areas.get(poi, "public"))
        s = series.get(key)
        if s is None or len(s.ts) == 0:
            out.append(DosePoint(key, area, 0.0, REFERENCE_USV[area], 0.0, 0.0))
            continue
        net = np.clip(s.avg - background_usvh, 0.0, None)
        dose = float(net.sum() / 60.0)           # uSv/h x 1 min buckets
        out.append(DosePoint(key, area, dose, REFERENCE_USV[area],
                             min(1.0, len(s.ts) / minutes), float(np.nanmax(s.vmax))))
    return out


@dataclass(frozen=True)
class RoomEnergy:
    room: str
    kwh: float
    standby_kwh: float
    recoverable_heat_kwh: float
    mean_temp_c: float | None
    max_temp_c: float | None
    coverage: float

    @property
    def standby_share(self) -> float:
        return self.standby_kwh / self.kwh if self.kwh > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"room": self.room, "kwh": round(self.kwh, 2),
                "standby_kwh": round(self.standby_kwh, 2),
                "standby_share": round(self.standby_share, 4),
                "recoverable_heat_kwh": round(self.recoverable_heat_kwh, 2),
                "mean_temp_c": None if self.mean_temp_c is None else round(self.mean_temp_c, 2),
                "max_temp_c": None if self.max_temp_c is None else round(self.max_temp_c, 2),
                "coverage": round(self.coverage, 4)}


def room_energy(historian: Any, rooms: list[str], t0: float, t1: float, *,
                standby_kw: float = 1.0, recovery_efficiency: float = 0.6) -> list[RoomEnergy]:
    keys = [f"{r}/PowerKw" for r in rooms] + [f"{r}/Temperature" for r in rooms]
    series = historian.query(keys, t0, t1, resolution=60)
    minutes = max(1.0, (t1 - t0) / 60)
    out = []
    for r in rooms:
        p = series.get(f"{r}/PowerKw")
        t = series.get(f"{r}/Temperature")
        if p is None or len(p.ts) == 0:
            out.append(RoomEnergy(r, 0.0, 0.0, 0.0, None, None, 0.0))
            continue
        kwh_per_min = p.avg / 60.0
        kwh = float(kwh_per_min.sum())
        standby = float(kwh_per_min[p.avg < standby_kw].sum())
        out.append(RoomEnergy(
            r, kwh, standby, kwh * recovery_efficiency,
            float(np.nanmean(t.avg)) if t is not None and len(t.ts) else None,
            float(np.nanmax(t.vmax)) if t is not None and len(t.ts) else None,
            min(1.0, len(p.ts) / minutes)))
    return out
