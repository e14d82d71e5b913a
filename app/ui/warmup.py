"""Import the stations' heavy modules in a background thread after start-up.

The first use of a station would otherwise import scipy / pyqtgraph / the simulators on
the GUI thread (0.5-3 s frozen on a busy 2-core workstation). Imports in this thread
hand the interpreter back every few milliseconds, so the window stays responsive; a
station opened before its modules are ready simply waits for that one import.

    start_warmup(["ct_qc", "detector_matching"], data_dir)   # once, after the window exists

After the imports it loads the detector-matching optimiser's compiled kernels from the
data folder's cache (numba: a second or more of Python that would otherwise run in a
thread next to the GUI when the station opens).

The stations' Qt modules (``panel*.py``, ``ui_*.py``: Qt classes are made on the GUI
thread) are imported afterwards on the GUI thread, one module per idle turn
(:func:`start_gui_imports`): opening a station then does not compile and run them in the
same turn as it builds its panel (10-20 ms per station).
"""
from __future__ import annotations

import importlib
import logging
import sys
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
                          "station_plugins.detector_matching.importer",
                          "station_plugins.detector_matching.workflow",
                          "station_plugins.detector_matching.session",
                          "station_plugins.detector_matching.learned_cost"],
    "tunnel_test": ["station_plugins.tunnel_test.record_pdf",
                    "station_plugins.tunnel_test.console",
                    "station_plugins.tunnel_test.release"],
    "image_review": ["onnxruntime", "app.ct.ai", "station_plugins.image_review.service",
                     "station_plugins.image_review.panel_jobs"],
    "lead_room": ["station_plugins.lead_room.service", "station_plugins.lead_room.scheduling",
                  "station_plugins.lead_room.jobs_io", "station_plugins.lead_room.reports",
                  "station_plugins.lead_room.live_proxy", "multiprocessing.popen_spawn_posix"],
}
COMMON: list[str] = ["numpy", "scipy.ndimage"]
_started = False
_gui_pending: list[str] = []
GUI_IMPORT_GAP_MS = 30          # between two GUI-thread imports: input goes first


def modules_for(station_ids: list[str]) -> list[str]:
    out: list[str] = []
    for name in COMMON + [m for sid in station_ids for m in STATION_MODULES.get(sid, [])]:
        if name not in out:
            out.append(name)
    return out


def _load_kernels(data_dir: object) -> None:
    from station_plugins.detector_matching import kernels, optimiser  # noqa: F401 - the
    # optimiser registers the warm-up solve that ensure_ready runs
    kernels.configure(data_dir)         # type: ignore[arg-type]
    kernels.ensure_ready()


def _load_ai_kernels(data_dir: object) -> None:
    """The AI check's compiled slice measurements (app/ct/ai/compiled.py; the same values
    as OpenCV's / numpy's, ~1 ms less CPU a slice), from the data folder's kernel cache."""
    from app.ct.ai import compiled

    compiled.warm_up_from(data_dir)


AI_STATIONS = ("ct_qc", "image_review")


def start_warmup(station_ids: list[str], data_dir: object = None,
                 plugins: list[object] | None = None) -> threading.Thread | None:
    """Start the warm-up thread once per process; returns it (None when already done).
    A station plugin with a ``warm_up()`` method gets it called in this thread after the
    imports (Qt-free preparation its panel would otherwise do on the GUI thread, e.g.
    loading a model); it must be safe to call while the panel is being opened."""
    global _started
    if _started:
        return None
    _started = True
    names = modules_for(station_ids)
    # OpenCV first, here on the calling (GUI) thread and before any worker thread: its
    # loader edits sys.path while it loads, and a process spawned from another thread
    # meanwhile would inherit that path (app/core/spawn.py). ~15 ms after numpy.
    try:
        importlib.import_module("cv2")
    except Exception as exc:  # noqa: BLE001 - the stations that need it say why
        log.debug("import of cv2 failed: %s", exc)

    def work() -> None:
        t0 = time.perf_counter()
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - the station reports it when opened
                log.debug("warm-up import of %s failed: %s", name, exc)
        for plugin in plugins or []:
            warm = getattr(plugin, "warm_up", None)
            if callable(warm):
                try:
                    warm()
                except Exception as exc:  # noqa: BLE001 - the panel prepares it when opened
                    log.debug("warm-up of %s failed: %s", type(plugin).__name__, exc)
        if "detector_matching" in station_ids and data_dir is not None:
            try:
                _load_kernels(data_dir)
            except Exception as exc:  # noqa: BLE001 - the optimiser loads them before its clock
                log.debug("warm-up of the optimiser's kernels failed: %s", exc)
        if any(s in station_ids for s in AI_STATIONS) and data_dir is not None:
            try:
                _load_ai_kernels(data_dir)
            except Exception as exc:  # noqa: BLE001 - OpenCV resamples (the same values)
                log.debug("warm-up of the AI check's kernel failed: %s", exc)
        log.info("warm-up imports done in %.1f s (%d modules)", time.perf_counter() - t0,
                 len(names))
    thread = threading.Thread(target=work, name="pharos-warmup", daemon=True)
    thread.start()
    return thread


def gui_modules(station_ids: list[str]) -> list[str]:
    """The stations' Qt modules, ``ui_*`` before ``panel*`` (a panel imports its parts:
    one small module per turn)."""
    import pkgutil

    out: list[str] = []
    for sid in station_ids:
        try:
            package = importlib.import_module(f"station_plugins.{sid}")
        except Exception:  # noqa: BLE001 - an unavailable station says why when opened
            continue
        names = sorted(m.name for m in pkgutil.iter_modules(package.__path__)
                       if m.name.startswith(("ui_", "panel")))
        out += [f"station_plugins.{sid}.{n}"
                for n in sorted(names, key=lambda n: n.startswith("panel"))]
    return out


def gui_imports_pending() -> bool:
    """True while :func:`start_gui_imports` has modules left to import."""
    return bool(_gui_pending)


def start_gui_imports(station_ids: list[str], after: threading.Thread | None = None) -> None:
    """Import the stations' Qt modules on the GUI thread, one per idle turn, once the
    warm-up thread ``after`` is done (an import it holds would make the GUI thread wait)."""
    from PySide6.QtCore import QTimer

    names = [n for n in gui_modules(station_ids) if n not in _gui_pending]
    _gui_pending.extend(names)

    def step() -> None:
        if after is not None and after.is_alive():
            QTimer.singleShot(200, step)
            return
        while _gui_pending:
            name = _gui_pending.pop(0)
            if name in sys.modules:
                continue
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - the station reports it when opened
                log.debug("GUI-thread import of %s failed: %s", name, exc)
            break
        if _gui_pending:
            QTimer.singleShot(GUI_IMPORT_GAP_MS, step)
        else:   # what the imports made lives as long as the process: out of the GC's way
            from app.runtime.gc_pauses import freeze_long_lived

            freeze_long_lived(count=False)

    QTimer.singleShot(GUI_IMPORT_GAP_MS, step)
