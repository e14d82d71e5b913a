"""The optimiser's compiled (numba) kernels: compiling them before anybody's clock runs.

numba compiles a kernel on its first call (5-10 s for all of them) and, with
``cache=True``, keeps the machine code on disk - where, is app/runtime/numba_cache.py's
business (one folder for every station's kernels: ``NUMBA_CACHE_DIR``, else the data
folder's ``cache/numba``, seeded from a frozen bundle's shipped kernels); its
:func:`configure` and the rest are re-exported here under their old names.

:func:`ensure_ready` compiles (or loads) every kernel once per process, with exactly the
argument types the optimiser uses, and is called by ``optimiser.solve`` *before* its
clock starts; the station calls :func:`warm_up_in_background` when it opens, and
``pharos match warmup`` / ``pharos setup`` do it at installation time.
"""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

# (the cache's folder and locator: one for every station's kernels; re-exported under the
# names this module had before they moved)
from app.runtime.numba_cache import (  # noqa: F401
    CACHED_MODULES,
    ENV,
    SUBDIR,
    _install_locator,
    _rebind,
    _seed_from,
    cache_dir_for,
    configure,
    configured_cache,
    seeded_files,
    share_with_all_accounts,
    shipped_cache,
)

KERNEL_MODULES = ("station_plugins.detector_matching.anneal",
                  "station_plugins.detector_matching.bounds",
                  "station_plugins.detector_matching.lap")

_lock = threading.Lock()
_ready = threading.Event()
_state: dict = {"seconds": 0.0, "how": ""}


@dataclass(frozen=True)
class WarmUp:
    cache_dir: str | None
    seconds: float          # wall time of the warm-up in this process
    how: str                # "compiled" | "loaded" | "already ready"
    compiled: int           # kernels compiled now (0: all came from the cache)
    seeded_files: int       # files copied from the bundle's shipped cache


def dispatchers() -> list:
    import importlib

    from numba.core.registry import CPUDispatcher
    out = []
    for name in KERNEL_MODULES:
        mod = importlib.import_module(name)
        out += [v for v in vars(mod).values() if isinstance(v, CPUDispatcher)]
    return out


def ready() -> bool:
    return _ready.is_set()


def _compiled_count() -> int:
    return sum(sum(d.stats.cache_misses.values()) for d in dispatchers())


def ensure_ready() -> WarmUp:
    """Compile or load every kernel with the optimiser's argument types (once per
    process; thread-safe: a second caller waits for the first)."""
    if _ready.is_set():
        return WarmUp(configured_cache(), 0.0, "already ready", 0, seeded_files())
    with _lock:
        if _ready.is_set():
            return WarmUp(configured_cache(), 0.0, "already ready", 0, seeded_files())
        if configured_cache() is None:     # ours (fixed sub-folder), also when the
            configure()                     # cache folder came from $NUMBA_CACHE_DIR
        t0 = time.perf_counter()
        before = _compiled_count()
        try:
            _exercise()
        except Exception:  # noqa: BLE001 - e.g. a damaged cache file: rebuild it once
            import logging
            logging.getLogger(__name__).warning("kernel cache %s unusable: rebuilt",
                                                configured_cache(), exc_info=True)
            folder = configured_cache()
            if folder:
                shutil.rmtree(Path(folder) / SUBDIR, ignore_errors=True)
            _rebind()
            _exercise()
        compiled = _compiled_count() - before
        _state["seconds"] = time.perf_counter() - t0
        _state["how"] = "compiled" if compiled else "loaded"
        _ready.set()
        return WarmUp(configured_cache(), _state["seconds"], _state["how"], compiled,
                      seeded_files())


def warm_ai_kernels() -> bool:
    """The AI check's compiled kernels (app/ct/ai/compiled.py), into the same cache: for
    the installation step (``pharos match warmup``, the installers and the bundle's
    build), so that the CT stations and ``pharos qc listen`` load them instead of
    compiling. Not part of :func:`ensure_ready`: the optimiser never needs them, and a
    detector-matching run would pay their load (~0.3 s) or compile (~2 s) before its clock.
    A failure is logged, never raised (the AI check measures with OpenCV / numpy then)."""
    from app.ct.ai import compiled

    return compiled.warm_up_from()


def register_exercise(fn: Callable[[], None]) -> None:
    """The optimiser registers the tiny solve that compiles / loads every kernel with its
    own argument types (``optimiser._exercise``); the cache keeps no import of the
    optimiser (no kernels <-> optimiser import cycle)."""
    _state["exercise"] = fn


def _exercise() -> None:
    fn = _state.get("exercise")
    if fn is None:       # the optimiser module registers it when it is imported
        raise RuntimeError("no kernel warm-up registered: import "
                           "station_plugins.detector_matching.optimiser first")
    fn()


def warm_up_in_background(data_dir: str | Path | None = None) -> threading.Thread | None:
    """Station opening: load / compile the kernels on a daemon thread (numba releases
    the GIL while compiling only partly, so this is started after the window shows)."""
    if _ready.is_set():
        return None

    def work() -> None:
        try:
            if configured_cache() is None:
                configure(data_dir)
            ensure_ready()
        except Exception:  # noqa: BLE001 - solve() compiles again before its clock
            import logging
            logging.getLogger(__name__).exception("detector matching kernel warm-up failed")

    t = threading.Thread(target=work, name="dm-kernel-warmup", daemon=True)
    t.start()
    return t
