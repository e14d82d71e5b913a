"""The optimiser's compiled (numba) kernels: where they are cached, and compiling them
before anybody's clock runs.

numba compiles a kernel on its first call (5-10 s for all of them) and, with
``cache=True``, keeps the machine code on disk. Where:

* ``NUMBA_CACHE_DIR`` when the user / administrator set it;
* otherwise ``<data folder>/cache/numba`` (per data folder, always writable: the
  install folder may be read-only, and a per-user-home cache made the first run of every
  operator account compile inside its time limit);
* a frozen bundle ships its kernels compiled at build time (``installer/build.sh`` runs
  ``pharos match warmup --cache-dir <bundle>/numba_cache``); :func:`configure` copies
  them into the data folder's cache when that has none (numba's index is keyed by the
  executable's content and the CPU, not by the install path, so the copy is valid
  wherever the bundle is unpacked; on another CPU type numba recompiles, see below).

:func:`ensure_ready` compiles (or loads) every kernel once per process, with exactly the
argument types the optimiser uses, and is called by ``optimiser.solve`` *before* its
clock starts; the station calls :func:`warm_up_in_background` when it opens, and
``pharos match warmup`` / ``pharos setup`` do it at installation time.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ENV = "NUMBA_CACHE_DIR"
SUBDIR = "detector_matching"
KERNEL_MODULES = ("station_plugins.detector_matching.anneal",
                  "station_plugins.detector_matching.bounds",
                  "station_plugins.detector_matching.lap")
# every module that defines kernels cached in our folder: the above and the ones split
# out of them (bound_dp: the walk DPs of bounds, which imports each, so
# :func:`dispatchers` finds them in bounds: the same list as before the split)
# (app.ct.ai.compiled: the AI check's slice-measurement kernels, compiled into the same
# cache by :func:`ensure_ready` - ``pharos match warmup`` and the bundle's build - and
# loaded by the CT stations' start-up warm-up, app/ui/warmup.py)
CACHED_MODULES = KERNEL_MODULES + ("station_plugins.detector_matching.bound_dp",
                                   "app.ct.ai.compiled")

_lock = threading.Lock()
_ready = threading.Event()
_state: dict = {"cache_dir": None, "seconds": 0.0, "how": "", "seeded": 0}


@dataclass(frozen=True)
class WarmUp:
    cache_dir: str | None
    seconds: float          # wall time of the warm-up in this process
    how: str                # "compiled" | "loaded" | "already ready"
    compiled: int           # kernels compiled now (0: all came from the cache)
    seeded_files: int       # files copied from the bundle's shipped cache


def cache_dir_for(data_dir: str | Path) -> Path:
    return Path(data_dir) / "cache" / "numba"


def shipped_cache() -> Path | None:
    """Kernels compiled at build time inside a frozen bundle (read-only is fine)."""
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return None
    # compiled for the build machine's CPU inside the bundle; installer/linux/install.sh
    # compiles again for the workstation's CPU beside the executable
    for cand in (Path(sys.executable).resolve().parent / "numba_cache", Path(base) / "numba_cache"):
        if cand.is_dir():
            return cand
    return None


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        return True
    except OSError:
        return False


def _seed_from(src: Path, dst: Path) -> int:
    """Copy the shipped kernels that the data folder's cache lacks or has older (a few
    MB; copy2 keeps the time stamp, so an unchanged file is copied once)."""
    copied = 0
    src_sub, dst_sub = src / SUBDIR, dst / SUBDIR
    if not src_sub.is_dir():
        return 0
    dst_sub.mkdir(parents=True, exist_ok=True)
    for f in sorted(src_sub.iterdir()):
        old = dst_sub / f.name                 # missing, or older than the shipped one
        if f.is_file() and (not old.exists() or old.stat().st_mtime < f.stat().st_mtime):
            tmp = dst_sub / (f.name + ".part")
            shutil.copy2(f, tmp)
            tmp.replace(dst_sub / f.name)      # never a half-written index for numba
            copied += 1
    return copied


def _locator_class():
    """numba's own locators name the cache sub-folder after a hash of the source folder's
    path (in a frozen bundle: of a path relative to the working directory), so a cache
    compiled in the build folder was never found in the install folder, and the key
    changed with the folder a user started from. This one uses a fixed sub-folder; the
    freshness stamp stays numba's (the source file's content; in a frozen bundle the
    executable's)."""
    from numba.core import config
    from numba.core.caching import UserProvidedCacheLocator

    class PharosCacheLocator(UserProvidedCacheLocator):
        def __init__(self, py_func, py_file):
            self._py_file = py_file
            self._modname = py_func.__module__
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = os.path.join(config.CACHE_DIR, SUBDIR)

        def get_source_stamp(self):
            """Frozen bundle: the kernel module's compiled code (numba would take the
            executable, which need not change with the code it loads)."""
            if getattr(sys, "frozen", False):
                stamp = _frozen_stamp(self._modname)
                if stamp is not None:
                    return stamp
            return super().get_source_stamp()

        @classmethod
        def from_function(cls, py_func, py_file):
            if not config.CACHE_DIR or py_func.__module__ not in CACHED_MODULES:
                return None
            if not (os.path.exists(py_file) or getattr(sys, "frozen", False)):
                return None
            self = cls(py_func, py_file)
            try:
                self.ensure_cache_path()
            except OSError:
                return None
            return self

    return PharosCacheLocator


def _frozen_stamp(modname: str) -> str | None:
    import hashlib
    import marshal
    mod = sys.modules.get(modname)
    try:
        code = mod.__loader__.get_code(modname)      # type: ignore[union-attr]
        return "code:" + hashlib.sha256(marshal.dumps(code)).hexdigest()
    except Exception:  # noqa: BLE001 - numba's own stamp then
        return None


def _install_locator() -> None:
    from numba.core.caching import CacheImpl
    if not any(getattr(c, "__name__", "") == "PharosCacheLocator"
               for c in CacheImpl._locator_classes):
        CacheImpl._locator_classes.insert(0, _locator_class())


def configure(data_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> Path | None:
    """Point numba's kernel cache at ``cache_dir`` (or $NUMBA_CACHE_DIR, or the data
    folder's cache) and seed it from a frozen bundle's shipped kernels. Works before or
    after the kernel modules were imported (their cache locators are re-bound)."""
    if cache_dir is not None:
        target = Path(cache_dir)
    elif os.environ.get(ENV):
        target = Path(os.environ[ENV])
    else:
        if data_dir is None:
            from app.paths import default_data_dir
            data_dir = default_data_dir()
        target = cache_dir_for(data_dir)
    if not _writable(target):          # e.g. a read-only data folder: a private temp cache
        target = Path(tempfile.gettempdir()) / f"pharos-numba-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
        if not _writable(target):
            return None
    target = target.resolve()
    os.environ[ENV] = str(target)      # subprocesses (batch workers) use the same cache
    from numba.core import config
    config.CACHE_DIR = str(target)
    shipped = shipped_cache()
    if shipped is not None and shipped.resolve() != target:
        try:
            _state["seeded"] += _seed_from(shipped, target)
        except OSError:
            pass                        # a copy that fails only costs a compile
    _rebind()
    _state["cache_dir"] = str(target)
    return target


def share_with_all_accounts(cache: str | Path) -> int:
    """An installation's cache (``pharos match warmup --cache-dir <program folder>/...``)
    is read by every operator account, but pharos creates its files 0600 (umask 077 in
    ``app.main``): a bundle built or installed by one account shipped kernels that no other
    account could read, so every operator compiled them again. Kernel machine code is no
    secret: files a+r, folders a+rx (nothing gains write access). Returns the entries
    changed."""
    import stat
    changed = 0
    root = Path(cache)
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        mode = p.stat().st_mode
        want = mode | (stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        if p.is_dir():
            want |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        if want != mode:
            p.chmod(stat.S_IMODE(want))
            changed += 1
    return changed


def dispatchers() -> list:
    import importlib

    from numba.core.registry import CPUDispatcher
    out = []
    for name in KERNEL_MODULES:
        mod = importlib.import_module(name)
        out += [v for v in vars(mod).values() if isinstance(v, CPUDispatcher)]
    return out


def _rebind() -> None:
    """Kernel modules imported before :func:`configure` bound their cache elsewhere."""
    _install_locator()
    if any(name in sys.modules for name in CACHED_MODULES):
        for d in dispatchers():
            d.enable_caching()


def configured_cache() -> str | None:
    """The cache folder :func:`configure` set in this process (None: not yet)."""
    return _state["cache_dir"]


def ready() -> bool:
    return _ready.is_set()


def _compiled_count() -> int:
    return sum(sum(d.stats.cache_misses.values()) for d in dispatchers())


def ensure_ready() -> WarmUp:
    """Compile or load every kernel with the optimiser's argument types (once per
    process; thread-safe: a second caller waits for the first)."""
    if _ready.is_set():
        return WarmUp(_state["cache_dir"], 0.0, "already ready", 0, _state["seeded"])
    with _lock:
        if _ready.is_set():
            return WarmUp(_state["cache_dir"], 0.0, "already ready", 0, _state["seeded"])
        if _state["cache_dir"] is None:     # ours (fixed sub-folder), also when the
            configure()                     # cache folder came from $NUMBA_CACHE_DIR
        t0 = time.perf_counter()
        before = _compiled_count()
        try:
            _exercise()
        except Exception:  # noqa: BLE001 - e.g. a damaged cache file: rebuild it once
            import logging
            logging.getLogger(__name__).warning("kernel cache %s unusable: rebuilt",
                                                _state["cache_dir"], exc_info=True)
            if _state["cache_dir"]:
                shutil.rmtree(Path(_state["cache_dir"]) / SUBDIR, ignore_errors=True)
            _rebind()
            _exercise()
        compiled = _compiled_count() - before
        _warm_ai_kernels()
        _state["seconds"] = time.perf_counter() - t0
        _state["how"] = "compiled" if compiled else "loaded"
        _ready.set()
        return WarmUp(_state["cache_dir"], _state["seconds"], _state["how"], compiled,
                      _state["seeded"])


def _warm_ai_kernels() -> None:
    """The AI check's compiled kernels, into the same cache (the optimiser never
    needs them: a failure is logged, never raised)."""
    try:
        from app.ct.ai import compiled

        compiled.warm_up()
    except Exception:  # noqa: BLE001 - the AI check measures with OpenCV / numpy then
        import logging
        logging.getLogger(__name__).warning("AI check kernels not compiled", exc_info=True)


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
            if _state["cache_dir"] is None:
                configure(data_dir)
            ensure_ready()
        except Exception:  # noqa: BLE001 - solve() compiles again before its clock
            import logging
            logging.getLogger(__name__).exception("detector matching kernel warm-up failed")

    t = threading.Thread(target=work, name="dm-kernel-warmup", daemon=True)
    t.start()
    return t
