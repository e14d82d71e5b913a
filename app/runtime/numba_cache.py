"""Where Pharos's compiled (numba) kernels are cached - one folder for every station.

numba compiles a kernel on its first call and, with ``cache=True``, keeps the machine
code on disk. Pharos's kernels - the detector-matching optimiser's
(station_plugins/detector_matching: anneal, bounds, bound_dp, lap) and the AI check's
slice measurements (app/ct/ai/compiled.py) - are cached in one folder:

* ``NUMBA_CACHE_DIR`` when the user / administrator set it;
* otherwise ``<data folder>/cache/numba`` (per data folder, always writable: the
  install folder may be read-only, and a per-user-home cache made the first run of every
  operator account compile inside its time limit);
* a frozen bundle ships its kernels compiled at build time (``installer/build.sh`` runs
  ``pharos match warmup --cache-dir <bundle>/numba_cache``); :func:`configure` copies
  them into the data folder's cache when that has none (numba's index is keyed by the
  executable's content and the CPU, not by the install path, so the copy is valid
  wherever the bundle is unpacked; on another CPU type numba recompiles).

Every process that compiles or loads kernels calls :func:`configure` first with its data
folder: the GUI's start-up warm-up (app/ui/warmup.py), the detector-matching CLI and
station, and ``pharos qc listen``. Without it numba's own locators would cache beside
the source files (none in a frozen bundle: the kernels would be compiled at every start,
or not at all). Station-independent (no station imports): the detector-matching
station's ``kernels`` module compiles its kernels and re-exports what it uses from here.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ENV = "NUMBA_CACHE_DIR"
SUBDIR = "detector_matching"        # (the sub-folder's name since session 5: caches stay valid)
# every module whose kernels are cached in this folder (by name: nothing is imported here)
CACHED_MODULES = ("station_plugins.detector_matching.anneal",
                  "station_plugins.detector_matching.bounds",
                  "station_plugins.detector_matching.lap",
                  "station_plugins.detector_matching.bound_dp",
                  "app.ct.ai.compiled")

_lock = threading.Lock()
_state: dict = {"cache_dir": None, "seeded": 0}


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


def loaded_dispatchers() -> list:
    """The module-level kernels of the :data:`CACHED_MODULES` imported so far (each once)."""
    from numba.core.registry import CPUDispatcher
    seen: dict[int, object] = {}
    for name in CACHED_MODULES:
        mod = sys.modules.get(name)
        if mod is not None:
            for v in vars(mod).values():
                if isinstance(v, CPUDispatcher):
                    seen.setdefault(id(v), v)
    return list(seen.values())


def _rebind() -> None:
    """Kernel modules imported before :func:`configure` bound their cache elsewhere."""
    _install_locator()
    for d in loaded_dispatchers():
        d.enable_caching()


def configure(data_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> Path | None:
    """Point numba's kernel cache at ``cache_dir`` (or $NUMBA_CACHE_DIR, or the data
    folder's cache) and seed it from a frozen bundle's shipped kernels. Works before or
    after the kernel modules were imported (their cache locators are re-bound). None
    when no folder can be written (numba's own locators then)."""
    with _lock:
        if cache_dir is not None:
            target = Path(cache_dir)
        elif os.environ.get(ENV):
            target = Path(os.environ[ENV])
        else:
            if data_dir is None:
                from app.paths import default_data_dir
                data_dir = default_data_dir()
            target = cache_dir_for(data_dir)
        if not _writable(target):      # e.g. a read-only data folder: a private temp cache
            uid = os.getuid() if hasattr(os, "getuid") else "u"
            target = Path(tempfile.gettempdir()) / f"pharos-numba-{uid}"
            if not _writable(target):
                return None
        target = target.resolve()
        os.environ[ENV] = str(target)  # subprocesses (batch workers) use the same cache
        from numba.core import config
        config.CACHE_DIR = str(target)
        if _state["cache_dir"] == str(target):
            # configured here before (the warm-up thread, then the station opening): the
            # kernels imported since use the installed locator already; binding the 31
            # loaded ones again took ~11 ms of the GUI thread at a station's opening
            return target
        shipped = shipped_cache()
        if shipped is not None and shipped.resolve() != target:
            try:
                _state["seeded"] += _seed_from(shipped, target)
            except OSError:
                pass                    # a copy that fails only costs a compile
        _rebind()
        _state["cache_dir"] = str(target)
        return target


def configured_cache() -> str | None:
    """The cache folder :func:`configure` set in this process (None: not yet)."""
    return _state["cache_dir"]


def seeded_files() -> int:
    """Files copied from a frozen bundle's shipped cache in this process."""
    return int(_state["seeded"])


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
