"""Driver sets: how the engine reaches hardware by driver-call name.

* :class:`LocalDriverSet` calls the simulated C-arm in-process (benchmarks, crash tests,
  demo without a network). Faults can be injected per call name.
* :class:`OpcUaDriverSet` marshals the same calls onto an OPC UA client adapter
  (``station_plugins.tunnel_test.adapters.opcua.TunnelOpcUaClient``, given by the caller).
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Protocol

from app.core.errors import DeviceError
from station_plugins.tunnel_test.execution import CallTimeout
from station_plugins.tunnel_test.carm_sim import CArmSim, Defects, bytes_to_array
from station_plugins.tunnel_test.driver_catalog import CATALOG, VARIABLES, sim_handlers, sim_variables


class DriverSet(Protocol):
    def call(self, name: str, args: dict, timeout_s: float) -> dict: ...
    def read(self, names: list[str]) -> dict: ...
    def close(self) -> None: ...


def known_driver_names() -> list[str]:
    return sorted(CATALOG)


class LocalDriverSet:
    """In-process simulated tunnel. ``faults``: name -> 'hang' | 'raise' | 'bad_status'."""

    def __init__(self, sim: CArmSim | None = None, *, faults: dict[str, str] | None = None,
                 extra: dict[str, Callable[..., dict]] | None = None) -> None:
        self.sim = sim or CArmSim()
        self.faults = dict(faults or {})
        self._handlers = {**sim_handlers(self.sim), **(extra or {})}
        self._vars = sim_variables(self.sim)
        self._released = threading.Event()

    def call(self, name: str, args: dict,
             timeout_s: float) -> dict:  # noqa: ARG002 - DriverSet protocol
        fault = self.faults.get(name)
        if fault == "hang":
            self._released.wait()          # never returns until close(): a hung driver
            raise DeviceError(f"driver call '{name}' was abandoned")
        if fault == "raise":
            raise RuntimeError(f"simulated driver exception in '{name}'")
        if fault == "bad_status":
            raise DeviceError(f"'{name}' answered BadInternalError", code="PH-TT-OPC-STATUS")
        try:
            fn = self._handlers[name]
        except KeyError:
            raise DeviceError(f"unknown driver call '{name}'") from None
        with self.sim.lock:
            return fn(**args)

    def read(self, names: list[str]) -> dict:
        return {n: self._vars[n]() for n in names}

    def instruments(self) -> list[dict]:
        return self.sim.instruments()

    def close(self) -> None:
        self._released.set()


class OpcUaDriverSet:
    """Driver calls over OPC UA: methods for actions, one batch read for variables."""

    timeout_factor = 2.0      # a call may first wait up to its timeout for a reconnection
    timeout_grace_s = 3.0

    def __init__(self, client: Any, *, root: str = "CArmTunnel") -> None:
        self.client = client          # station_plugins.tunnel_test.adapters.opcua.TunnelOpcUaClient
        self.root = root

    def call(self, name: str, args: dict, timeout_s: float) -> dict:
        try:
            obj, method, inputs, outputs = CATALOG[name]
        except KeyError:
            raise DeviceError(f"unknown driver call '{name}'") from None
        values = []
        for arg, typ in inputs:
            if arg not in args:
                raise DeviceError(f"driver call '{name}' needs argument '{arg}'")
            v = args[arg]
            values.append((float(v) if typ == "d" else bool(v) if typ == "b" else str(v), typ))
        try:
            raw = self.client.call_method(f"{self.root}/{obj}", method, values,
                                          timeout_s=timeout_s)
        except DeviceError as exc:
            if exc.code == "PH-TT-OPC-TIMEOUT":
                raise CallTimeout(exc.message) from exc
            raise
        if len(raw) != len(outputs):
            raise DeviceError(f"'{name}' returned {len(raw)} values, expected {len(outputs)}")
        out: dict[str, Any] = {}
        for (key, typ), v in zip(outputs, raw):
            if typ == "npy":
                out[key] = bytes_to_array(bytes(v))
            elif typ == "wave":
                import numpy as np
                out[key] = np.asarray(v, dtype=float)
            else:
                out[key] = v
        for key in ("identity_json", "instruments_json"):
            if key in out:
                out[key.removesuffix("_json")] = json.loads(out[key])
        return out

    def read(self, names: list[str]) -> dict:
        paths = []
        for n in names:
            if n not in VARIABLES:
                raise DeviceError(f"unknown variable '{n}'")
            obj, var, _ = VARIABLES[n]
            paths.append(f"{self.root}/{obj}/{var}")
        return dict(zip(names, self.client.read_values(paths, timeout_s=5.0)))

    def instruments(self) -> list[dict]:
        return self.call("tunnel.instruments", {}, 5.0)["instruments"]

    def recover(self) -> None:
        """After a hung call: a fresh session, so safe-state calls are not queued behind
        it on the server."""
        self.client.recover()

    def close(self) -> None:
        self.client.close()


def defects_from(names: list[str] | None) -> Defects:
    """'kv_offset', 'weak_brake', 'leaky_earth', 'image_defect', 'bearing_fault',
    'soft_interlock', 'expired_calibration' -> Defects."""
    d = Defects()
    for n in names or []:
        if n == "kv_offset":
            d.kv_offset_pct = 6.0
        elif n == "weak_brake":
            d.weak_brake = "lift"
        elif n == "leaky_earth":
            d.leaky_earth = True
        elif n == "image_defect":
            d.image_defect = True
        elif n == "bearing_fault":
            d.bearing_fault = "orbital"
        elif n == "soft_interlock":
            d.soft_interlock = "door"
        elif n == "expired_calibration":
            d.expired_calibration = "KVP-3"
        else:
            raise ValueError(f"unknown defect '{n}'")
    return d
