"""Import the stations' heavy modules in a background thread after start-up.

The first use of a station would otherwise import scipy / pyqtgraph / the simulators on
the GUI thread (0.5-3 s frozen on a busy 2-core workstation). Imports in this thread
hand the interpreter back every few milliseconds, so the window stays responsive; a
station opened before its modules are ready simply waits for that one import.

    start_warmup(["ct_qc", "detector_matching"])      # once, after the window exists
"""
from __future__ import annotations

import importlib
import logging
import threading
import time

log = logging.getLogger(__name__)

# per station: the heavy non-Qt modules its first actions import. Never Qt modules
# (panels, widgets, pyqtgraph): Qt classes must be imported on the GUI thread.
STATION_MODULES = {
    "ct_qc": ["app.ct.simulator", "app.ct.analysis",
              "station_plugins.ct_qc.report_pdf", "scipy.signal", "scipy.ndimage",
              "scipy.stats"],
    "detector_matching": ["onnxruntime", "station_plugins.detector_matching.optimiser",
                          "station_plugins.detector_matching.importer"],
    "tunnel_test": ["station_plugins.tunnel_test.record_pdf"],
    "image_review": ["onnxruntime"],
    "lead_room": [],
}
COMMON: list[str] = ["numpy", "scipy.ndimage"]
_started = False


def modules_for(station_ids: list[str]) -> list[str]:
    out: list[str] = []
    for name in COMMON + [m for sid in station_ids for m in STATION_MODULES.get(sid, [])]:
        if name not in out:
            out.append(name)
    return out


def start_warmup(station_ids: list[str]) -> threading.Thread | None:
    """Start the warm-up thread once per process; returns it (None when already done)."""
    global _started
    if _started:
        return None
    _started = True
    names = modules_for(station_ids)

    def work() -> None:
        t0 = time.perf_counter()
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - the station reports it when opened
                log.debug("warm-up import of %s failed: %s", name, exc)
        log.info("warm-up imports done in %.1f s (%d modules)", time.perf_counter() - t0,
                 len(names))
    thread = threading.Thread(target=work, name="pharos-warmup", daemon=True)
    thread.start()
    return thread
