"""Plant model of the shielded X-ray test rooms, driving the gateway simulator.

Each room cycles: idle/standby -> door open, unit loaded -> doors closed, X-ray ready ->
exposures (beam on/off bursts at a job's kV/mA) -> door open, unit unloaded -> next job.
Power and heat follow the load; boundary dose rate at each point of interest (POI)
follows kV*mA through the shielding; energy integrates power. Faults are injected per
room. Time is the simulated clock (``time_scale`` simulated seconds per real second),
so a demo shows jobs starting and ending within minutes. Qt-free and I/O-free.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from station_plugins.lead_room.signals import room_name

FAULTS = ("dose_excursion", "door_open_during_beam", "stuck_sensor", "monitor_fault",
          "bad_status", "out_of_range", "clock_skew", "bypass_key", "estop", "maintenance",
          "calibration_expired")
AMBIENT_C = 22.0


@dataclass
class RoomState:
    name: str
    n_poi: int
    n_doors: int
    poi_factor: list[float]
    phase: str = "idle"            # idle / loading / ready / exposing / unloading / standby
    phase_left_s: float = 0.0
    job_id: str = ""
    job_left_s: float = 0.0
    kv: float = 0.0
    ma: float = 0.0
    beam: bool = False
    beam_left_s: float = 0.0
    temp_c: float = AMBIENT_C
    humidity: float = 45.0
    energy_kwh: float = 0.0
    power_kw: float = 1.0
    calibration_due: datetime = field(default_factory=lambda: datetime.now(timezone.utc)
                                      + timedelta(days=120))
    faults: dict[str, Any] = field(default_factory=dict)
    stuck_values: dict[str, Any] = field(default_factory=dict)
    job_counter: int = 0


class PlantModel:
    """All rooms; ``step(dt_real)`` advances and returns the new signal values."""

    def __init__(self, rooms: int = 30, *, seed: int = 7, time_scale: float = 30.0,
                 busy_share: float = 0.8) -> None:
        self.rng = random.Random(seed)
        self.time_scale = time_scale
        self.busy_share = busy_share
        self.rooms: dict[str, RoomState] = {}
        for i in range(1, rooms + 1):
            n_poi = 3 + (i % 2)
            n_doors = 1 + (i % 3 == 0)
            st = RoomState(room_name(i), n_poi, n_doors,
                           [self.rng.uniform(0.4, 1.0) for _ in range(n_poi)])
            st.energy_kwh = self.rng.uniform(1000, 5000)
            st.humidity = self.rng.uniform(38, 52)
            st.phase = self.rng.choice(["idle", "exposing", "exposing", "loading"])
            st.phase_left_s = self.rng.uniform(10, 300)
            if st.phase == "exposing":
                self._start_job(st)
            self.rooms[st.name] = st

    # --- faults ---------------------------------------------------------------------
    def inject(self, room: str, fault: str, value: Any = True) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault '{fault}' (known: {', '.join(FAULTS)})")
        st = self.rooms[room]
        if value in (False, None, 0) and fault != "clock_skew":
            st.faults.pop(fault, None)
            st.stuck_values.clear() if fault == "stuck_sensor" else None
        else:
            st.faults[fault] = value
        if fault == "door_open_during_beam" and value:
            st.phase, st.beam = "exposing", True
            st.kv, st.ma = st.kv or 120.0, st.ma or 200.0
            st.beam_left_s, st.job_left_s = 1e9, max(st.job_left_s, 600)
            st.job_id = st.job_id or f"{st.name}-FAULT"
        if fault == "dose_excursion" and value:
            st.phase, st.beam, st.beam_left_s = "exposing", True, 1e9
            st.kv, st.ma = st.kv or 140.0, st.ma or 300.0
            st.job_left_s = max(st.job_left_s, 600)
            st.job_id = st.job_id or f"{st.name}-FAULT"

    def clear_faults(self, room: str | None = None) -> None:
        for st in ([self.rooms[room]] if room else self.rooms.values()):
            st.faults.clear()
            st.stuck_values.clear()
            if st.beam_left_s > 1e8:
                st.beam_left_s = 5.0

    # --- dynamics --------------------------------------------------------------------
    def _start_job(self, st: RoomState) -> None:
        st.job_counter += 1
        st.job_id = f"J{st.name[-2:]}-{st.job_counter:04d}"
        st.kv = self.rng.choice([80.0, 100.0, 120.0, 140.0])
        st.ma = self.rng.choice([50.0, 100.0, 200.0, 300.0, 400.0])
        st.job_left_s = self.rng.uniform(600, 2400)
        st.beam, st.beam_left_s = True, self.rng.uniform(5, 60)

    def _advance_phase(self, st: RoomState, dt: float) -> None:
        if "maintenance" in st.faults:
            st.phase, st.beam, st.job_id = "standby", False, ""
            return
        st.phase_left_s -= dt
        if st.phase == "exposing":
            st.job_left_s -= dt
            st.beam_left_s -= dt
            if st.beam_left_s <= 0:
                st.beam = not st.beam
                st.beam_left_s = self.rng.uniform(5, 60) if st.beam else self.rng.uniform(3, 20)
            if st.job_left_s <= 0 and st.beam_left_s < 1e8:
                st.phase, st.beam, st.phase_left_s = "unloading", False, self.rng.uniform(60, 240)
            return
        if st.phase_left_s > 0:
            return
        if st.phase in ("idle", "standby"):
            if self.rng.random() < self.busy_share:
                st.phase, st.phase_left_s = "loading", self.rng.uniform(60, 300)
            else:
                st.phase, st.phase_left_s = "standby", self.rng.uniform(300, 1200)
        elif st.phase == "loading":
            st.phase, st.phase_left_s = "ready", self.rng.uniform(10, 60)
        elif st.phase == "ready":
            st.phase = "exposing"
            self._start_job(st)
        elif st.phase == "unloading":
            st.phase, st.phase_left_s, st.job_id = "idle", self.rng.uniform(30, 300), ""
            st.kv = st.ma = 0.0

    def step(self, dt_real: float) -> dict[str, Any]:
        """Advance by ``dt_real`` real seconds; return ``{key: value}`` for all signals."""
        dt = dt_real * self.time_scale
        out: dict[str, Any] = {}
        for st in self.rooms.values():
            self._advance_phase(st, dt)
            out.update(self._signals(st, dt))
        return out

    def _signals(self, st: RoomState, dt: float) -> dict[str, Any]:
        rng, f = self.rng, st.faults
        beam = st.beam and st.phase == "exposing"
        tube_kw = st.kv * st.ma / 1000.0 if beam else 0.0
        base_kw = {"standby": 0.6, "idle": 2.5, "loading": 3.0, "unloading": 3.0,
                   "ready": 4.0, "exposing": 6.0}[st.phase]
        st.power_kw = max(0.0, base_kw + tube_kw * 1.15 + rng.gauss(0, 0.05))
        st.energy_kwh += st.power_kw * dt / 3600.0
        # first-order thermal lag toward ambient + load (tau ~ 20 min)
        target = AMBIENT_C + 0.12 * st.power_kw
        st.temp_c += (target - st.temp_c) * (1 - math.exp(-dt / 1200.0))
        st.humidity = min(70.0, max(25.0, st.humidity + rng.gauss(0, 0.02)))
        leak = (st.kv / 140.0) ** 3 * (st.ma / 400.0) * 0.9 if beam else 0.0
        n = st.name
        doors_open = st.phase in ("loading", "unloading")
        if "door_open_during_beam" in f:
            doors_open = True
        vals: dict[str, Any] = {
            f"{n}/Temperature": round(st.temp_c + rng.gauss(0, 0.03), 3),
            f"{n}/Humidity": round(st.humidity + rng.gauss(0, 0.1), 2),
            f"{n}/PowerKw": round(st.power_kw, 3),
            f"{n}/EnergyKwh": round(st.energy_kwh, 4),
            f"{n}/InRoomDoseRate": round((st.kv * st.ma * 0.05 if beam else 0.12)
                                         * rng.uniform(0.97, 1.03), 3),
            f"{n}/Kv": st.kv if st.phase in ("ready", "exposing") else 0.0,
            f"{n}/Ma": st.ma if beam else 0.0,
            f"{n}/XrayReady": st.phase in ("ready", "exposing") and not doors_open
            or "door_open_during_beam" in f,
            f"{n}/BeamOn": beam,
            f"{n}/EStop": bool(f.get("estop", False)),
            f"{n}/BypassKey": bool(f.get("bypass_key", False)),
            f"{n}/MonitorFault": bool(f.get("monitor_fault", False)),
            f"{n}/Maintenance": "maintenance" in f,
            f"{n}/CalibrationDue": (datetime.now(timezone.utc) - timedelta(days=3)
                                    if "calibration_expired" in f else st.calibration_due),
            f"{n}/JobId": st.job_id,
        }
        for i, k in enumerate(st.poi_factor, start=1):
            rate = 0.11 + leak * k + abs(rng.gauss(0, 0.01))
            if "dose_excursion" in f and beam and i == 1:
                rate = float(f["dose_excursion"]) if not isinstance(f["dose_excursion"], bool) \
                    else 6.0
            vals[f"{n}/Boundary/POI{i}"] = round(rate, 4)
        for d in range(1, st.n_doors + 1):
            vals[f"{n}/Doors/Door{d}"] = doors_open if d == 1 else False
        if "out_of_range" in f:
            vals[f"{n}/Humidity"] = 180.0
        if "stuck_sensor" in f:
            key = f"{n}/Boundary/POI2"
            st.stuck_values.setdefault(key, vals[key])
            vals[key] = st.stuck_values[key]
        return vals

    # --- per-signal overrides the server applies ----------------------------------
    def bad_status_keys(self) -> set[str]:
        return {f"{st.name}/Temperature" for st in self.rooms.values()
                if "bad_status" in st.faults}

    def clock_skew_s(self, room: str) -> float:
        v = self.rooms[room].faults.get("clock_skew", 0.0)
        return float(v) if not isinstance(v, bool) else (300.0 if v else 0.0)

    def room_phase(self, room: str) -> str:
        return self.rooms[room].phase
