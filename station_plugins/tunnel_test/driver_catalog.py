"""The tunnel's driver calls: one table shared by the OPC UA simulator, the OPC UA
driver set and the in-process driver set.

name -> (OPC UA object, method, inputs [(arg, type)], outputs [(key, type)]).
Types: ``d`` double, ``s`` string, ``b`` boolean, ``npy`` an array carried as a
ByteString in .npy format, ``wave`` an array of doubles.
"""
from __future__ import annotations

from typing import Any, Callable

from station_plugins.tunnel_test.carm_sim import CArmSim

CallSpec = tuple[str, str, list[tuple[str, str]], list[tuple[str, str]]]

CATALOG: dict[str, CallSpec] = {
    "unit.identity": ("Unit", "Identity", [], [("identity_json", "s")]),
    "tunnel.instruments": ("Tunnel", "Instruments", [], [("instruments_json", "s")]),
    "generator.expose": ("Generator", "Expose", [("kv", "d"), ("ma", "d"), ("ms", "d")],
                         [("kv_measured", "d"), ("ma_measured", "d"), ("time_ms", "d"),
                          ("dose_uGy", "d"), ("inhibited", "b")]),
    "generator.beam_off": ("Generator", "BeamOff", [], [("beam_on", "b")]),
    "detector.capture": ("Detector", "Capture",
                         [("kv", "d"), ("ma", "d"), ("ms", "d"), ("phantom", "s")],
                         [("image", "npy")]),
    "axis.range": ("Axes", "Range", [("axis", "s")], [("min", "d"), ("max", "d")]),
    "axis.move": ("Axes", "Move", [("axis", "s"), ("target", "d"), ("speed", "d")],
                  [("position", "d"), ("speed", "d"), ("time_s", "d"), ("current", "wave"),
                   ("stopped", "b")]),
    "axis.brake_test": ("Axes", "BrakeTest", [("axis", "s"), ("torque", "d")],
                        [("slip", "d"), ("holding", "b")]),
    "axis.stop_all": ("Axes", "StopAll", [], [("stopped", "b")]),
    "safety.earth_resistance": ("SafetyAnalyser", "EarthResistance", [("point", "s")],
                                [("resistance", "d")]),
    "safety.leakage": ("SafetyAnalyser", "Leakage", [("kind", "s"), ("condition", "s")],
                       [("current", "d")]),
    "safety.insulation": ("SafetyAnalyser", "Insulation", [("test_v", "d"), ("between", "s")],
                          [("resistance", "d")]),
    "door.set": ("Door", "Set", [("closed", "b")], [("closed", "b")]),
    "interlock.test": ("Interlocks", "Test", [("name", "s")],
                       [("beam_inhibited", "b"), ("response_ms", "d")]),
    "estop.test": ("EStops", "Test", [("which", "s")],
                   [("motion_stopped", "b"), ("beam_inhibited", "b"), ("stop_time_ms", "d"),
                    ("stop_distance", "d")]),
    "estop.reset": ("EStops", "Reset", [], [("reset", "b")]),
    "sensors.read": ("Sensors", "Read", [],
                     [("ambient_temp", "d"), ("tube_temp", "d"), ("humidity", "d"),
                      ("door_closed", "b")]),
}

# Variables readable with read('...') in conditions (batch-read over OPC UA).
VARIABLES: dict[str, tuple[str, str, str]] = {
    "door.closed": ("Door", "Closed", "b"),
    "generator.beam_on": ("Generator", "BeamOn", "b"),
    "sensors.tube_temp": ("Sensors", "TubeTemp", "d"),
    **{f"axis.{a}.position": ("Axes", f"{a.capitalize()}Position", "d")
       for a in ("lift", "horizontal", "orbital", "angulation", "wigwag")},
}


def sim_handlers(sim: CArmSim) -> dict[str, Callable[..., dict]]:
    """driver name -> function(**args) -> outputs, bound to one simulated C-arm."""
    import json

    return {
        "unit.identity": lambda: {"identity_json": json.dumps(sim.identity())},
        "tunnel.instruments": lambda: {"instruments_json": json.dumps(sim.instruments())},
        "generator.expose": sim.expose,
        "generator.beam_off": sim.beam_off,
        "detector.capture": lambda kv, ma, ms, phantom="flat":
            {"image": sim.capture(kv, ma, ms, phantom)},
        "axis.range": sim.axis_range,
        "axis.move": sim.move,
        "axis.brake_test": sim.brake_test,
        "axis.stop_all": sim.stop_all,
        "safety.earth_resistance": sim.earth_resistance,
        "safety.leakage": sim.leakage,
        "safety.insulation": sim.insulation,
        "door.set": sim.set_door,
        "interlock.test": sim.interlock_test,
        "estop.test": sim.estop_test,
        "estop.reset": sim.estop_reset,
        "sensors.read": sim.sensors,
    }


def sim_variables(sim: CArmSim) -> dict[str, Callable[[], Any]]:
    out: dict[str, Callable[[], Any]] = {
        "door.closed": lambda: sim.door_closed,
        "generator.beam_on": lambda: sim.beam_on,
        "sensors.tube_temp": lambda: sim.sensors()["tube_temp"],
    }

    def axis_position(ax: str) -> Callable[[], Any]:
        return lambda: sim.positions[ax]
    for a in ("lift", "horizontal", "orbital", "angulation", "wigwag"):
        out[f"axis.{a}.position"] = axis_position(a)
    return out
