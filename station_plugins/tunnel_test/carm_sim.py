"""Physics of the simulated C-arm and tunnel instruments (numpy, no I/O).

Realistic values with noise, configurable defects (weak brake, kV offset, leaky earth,
image defect, bearing fault) used by the OPC UA simulator server and by the in-process
driver set (benchmarks, crash tests). Moves are not waited for in real time: the model
returns the time the move would take.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field

import numpy as np

AXES: dict[str, dict] = {   # name -> unit, range, nominal speed
    "lift": {"unit": "mm", "min": 0.0, "max": 450.0, "speed": 15.0},
    "horizontal": {"unit": "mm", "min": 0.0, "max": 200.0, "speed": 20.0},
    "orbital": {"unit": "deg", "min": -90.0, "max": 45.0, "speed": 12.0},
    "angulation": {"unit": "deg", "min": -190.0, "max": 190.0, "speed": 18.0},
    "wigwag": {"unit": "deg", "min": -12.5, "max": 12.5, "speed": 5.0},
}
INTERLOCKS = ("door", "collimator", "tube_temp", "generator_ready", "footswitch",
              "key_switch", "detector_ready", "grid")
ESTOPS = ("console", "carm_left", "carm_right", "monitor_cart", "tunnel_wall")
PIXEL_MM = 0.15
IMAGE_SIZE = 128
LP_FREQS = (0.5, 0.8, 1.0, 1.25, 1.6, 2.0, 2.5)


@dataclass
class Defects:
    kv_offset_pct: float = 0.0
    weak_brake: str = ""            # axis name
    leaky_earth: bool = False
    image_defect: bool = False
    bearing_fault: str = ""         # axis name: motor current waveform anomaly
    soft_interlock: str = ""        # interlock that does not inhibit the beam
    expired_calibration: str = ""   # instrument id whose calibration has run out


@dataclass
class CArmSim:
    serial: str = "CA-000001"
    seed: int = 7
    defects: Defects = field(default_factory=Defects)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.positions = {a: 0.0 for a in AXES}
        self.beam_on = False
        self.door_closed = True
        self.moving = False
        self.estopped: set[str] = set()
        self.lock = threading.Lock()

    # --- identity / instruments -----------------------------------------------
    def identity(self) -> dict:
        return {"serial": self.serial, "part_number": "CARM-X200", "revision": "C",
                "udi": f"(01)04056869000000(21){self.serial}",
                "parts": {"tube": f"TB-{self.serial[-6:]}", "generator": f"GN-{self.serial[-6:]}",
                          "detector": f"FD-{self.serial[-6:]}"}}

    def instruments(self) -> list[dict]:
        """The tunnel's instruments; calibrations due some months from today (the
        simulator never ages), one expired when ``defects.expired_calibration`` names it."""
        from datetime import date, timedelta

        today = date.today()
        out: list[dict] = [{"id": "DOSI-7", "kind": "dosimeter", "cal_due": today + timedelta(days=117)},
               {"id": "KVP-3", "kind": "kVp meter", "cal_due": today + timedelta(days=41)},
               {"id": "ESA-12", "kind": "safety analyser", "cal_due": today + timedelta(days=26)},
               {"id": "ENC-5", "kind": "laser tracker", "cal_due": today + timedelta(days=207)}]
        for i in out:
            if i["id"] == self.defects.expired_calibration:
                i["cal_due"] = today - timedelta(days=3)
            i["cal_due"] = i["cal_due"].isoformat()
        return out

    # --- generator --------------------------------------------------------------
    def expose(self, kv: float, ma: float, ms: float) -> dict:
        if not self.door_closed or self.estopped:
            return {"kv_measured": 0.0, "ma_measured": 0.0, "time_ms": 0.0, "dose_uGy": 0.0,
                    "inhibited": True}
        r = self.rng
        kv_m = kv * (1 + self.defects.kv_offset_pct / 100) * (1 + r.normal(0, 0.003))
        ma_m = ma * (1 + r.normal(0, 0.008))
        t = ms + r.normal(0, 0.15)
        dose = 0.045 * (kv_m / 80.0) ** 2.4 * ma_m * t * (1 + r.normal(0, 0.004))
        return {"kv_measured": float(kv_m), "ma_measured": float(ma_m), "time_ms": float(t),
                "dose_uGy": float(dose), "inhibited": False}

    def beam_off(self) -> dict:
        self.beam_on = False
        return {"beam_on": False}

    # --- detector -----------------------------------------------------------------
    def capture(self, kv: float, ma: float, ms: float, phantom: str = "flat") -> np.ndarray:
        n, r = IMAGE_SIZE, self.rng
        signal = 60.0 * (kv / 80.0) ** 2 * ma * ms
        yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
        field_ = signal * (1 - 0.04 * (xx - 0.5) - 0.03 * ((yy - 0.5) ** 2))  # heel effect
        if phantom == "line_pairs":
            ss = 4                                  # supersampled, blurred, binned
            seg = n * ss // len(LP_FREQS)
            x_mm = np.arange(n * ss) * PIXEL_MM / ss
            fine = np.ones(n * ss)
            for i, f in enumerate(LP_FREQS):
                sl = slice(i * seg, (i + 1) * seg)
                fine[sl] = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * f * x_mm[sl]))
            sigma = (1.3 if not self.defects.image_defect else 2.0) * ss
            k = np.exp(-0.5 * (np.arange(-32, 33) / sigma) ** 2)
            fine = np.convolve(np.pad(fine, 32, mode="edge"), k / k.sum(), mode="valid")
            bars = fine.reshape(n, ss).mean(axis=1)
            field_ = field_ * (0.35 + 0.65 * bars[None, :])
        if self.defects.image_defect and phantom == "flat":
            cy, cx = r.integers(24, n - 24, size=2)
            blob = np.exp(-(((yy * (n - 1) - cy) ** 2 + (xx * (n - 1) - cx) ** 2) / 30.0))
            field_ = field_ * (1 - 0.25 * blob)
            field_[:, int(r.integers(10, n - 10))] *= 0.7       # dead column
        img = r.normal(field_, np.sqrt(np.maximum(field_, 1.0)) * 1.2)
        return np.clip(img, 0, 65535).astype(np.uint16)

    # --- motion ---------------------------------------------------------------------
    def axis_range(self, axis: str) -> dict:
        a = AXES[axis]
        return {"min": a["min"] - abs(self.rng.normal(0, 0.05)),
                "max": a["max"] + abs(self.rng.normal(0, 0.05))}

    def move(self, axis: str, target: float, speed: float) -> dict:
        a = AXES[axis]
        if self.estopped:
            return {"position": self.positions[axis], "speed": 0.0, "time_s": 0.0,
                    "current": np.zeros(128), "stopped": True}
        target = min(max(target, a["min"]), a["max"])
        dist = abs(target - self.positions[axis])
        v = speed * (1 + self.rng.normal(0, 0.01))
        pos = target + self.rng.normal(0, 0.04)
        self.positions[axis] = float(pos)
        return {"position": float(pos), "speed": float(v),
                "time_s": float(dist / max(v, 1e-6) + 0.4),
                "current": self.motor_current(axis), "stopped": False}

    def motor_current(self, axis: str) -> np.ndarray:
        t = np.linspace(0, 1, 128)
        ramp = np.clip(t / 0.15, 0, 1) * np.clip((1 - t) / 0.15, 0, 1)
        cur = 1.8 * ramp + 0.4 * (t < 0.15) + self.rng.normal(0, 0.03, t.size)
        if self.defects.bearing_fault == axis:
            cur = cur + 0.35 * np.sin(2 * np.pi * 23 * t) * ramp + \
                0.5 * (self.rng.random(t.size) < 0.05)
        return cur.astype(np.float64)

    def brake_test(self, axis: str, torque: float) -> dict:
        slip = abs(self.rng.normal(0.02, 0.01)) * torque / 50.0
        if self.defects.weak_brake == axis:
            slip += 1.6 * torque / 50.0
        return {"slip": float(slip), "holding": bool(slip < 1.0)}

    def stop_all(self) -> dict:
        self.moving = False
        return {"stopped": True}

    # --- safety analyser ----------------------------------------------------------------
    def earth_resistance(self, point: str) -> dict:  # noqa: ARG002 - driver API, by keyword
        base = 0.26 if self.defects.leaky_earth else 0.055
        return {"resistance": float(base + abs(self.rng.normal(0, 0.004)))}

    def leakage(self, kind: str, condition: str) -> dict:
        nominal = {"earth": 180.0, "touch": 12.0, "patient": 6.0, "patient_aux": 3.0}[kind]
        if condition == "single_fault":
            nominal *= 2.2
        if self.defects.leaky_earth and kind == "earth":
            nominal *= 1.5
        return {"current": float(nominal * (1 + self.rng.normal(0, 0.03)))}

    def insulation(self, test_v: float, between: str) -> dict:  # noqa: ARG002 - driver API
        return {"resistance": float(abs(self.rng.normal(850.0, 60.0)) * (500.0 / test_v))}

    # --- door, interlocks, e-stops, sensors -----------------------------------------------
    def set_door(self, closed: bool) -> dict:
        self.door_closed = bool(closed)
        return {"closed": self.door_closed}

    def interlock_test(self, name: str) -> dict:
        inhibited = self.defects.soft_interlock != name
        return {"beam_inhibited": inhibited,
                "response_ms": float(abs(self.rng.normal(12.0, 2.0)))}

    def estop_test(self, which: str) -> dict:  # noqa: ARG002 - driver API, by keyword
        return {"motion_stopped": True, "beam_inhibited": True,
                "stop_time_ms": float(abs(self.rng.normal(85.0, 8.0))),
                "stop_distance": float(abs(self.rng.normal(1.2, 0.2)))}

    def estop_reset(self) -> dict:
        self.estopped.clear()
        return {"reset": True}

    def sensors(self) -> dict:
        return {"ambient_temp": float(22.5 + self.rng.normal(0, 0.2)),
                "tube_temp": float(31.0 + self.rng.normal(0, 0.5)),
                "humidity": float(41.0 + self.rng.normal(0, 1.0)),
                "door_closed": self.door_closed}


def array_to_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def bytes_to_array(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)
