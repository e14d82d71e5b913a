"""Compiled kernels: ready before the optimiser's clock starts, one cache per data folder
(install-path independent, seeded from a shipped cache, read-only folders handled), and a
real solve after the warm-up compiles nothing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from station_plugins.detector_matching import kernels, optimiser
from station_plugins.detector_matching.optimiser import OptimiserSettings, solve

from .conftest import random_problem

ROOT = Path(__file__).resolve().parents[2]


def _signatures() -> dict:
    return {d.py_func.__qualname__: len(d.signatures) for d in kernels.dispatchers()}


@pytest.fixture
def restore_cache(monkeypatch):
    before = os.environ.get(kernels.ENV)
    yield
    monkeypatch.undo()                   # shipped_cache() unpatched first: nothing seeded
    if before:
        kernels.configure(cache_dir=before)


def test_a_solve_after_the_warm_up_compiles_nothing():
    kernels.ensure_ready()
    assert kernels.ready()
    before = _signatures()
    p = random_problem(30, 34, seed=4)
    for threads in (2, 1):
        sol = solve(p, OptimiserSettings(time_limit=30, moves_per_slot=500,
                                         bound_iterations=5, anneal_threads=threads))
        assert sol.feasible and sol.lower_bound <= sol.objective + 1e-9
    assert _signatures() == before       # every kernel type the optimiser uses was ready


def test_the_clock_starts_only_when_the_kernels_are_ready(monkeypatch):
    import time
    events = []

    def fake_ready():
        events.append(("ready", time.perf_counter()))
        return kernels.WarmUp(None, 0.25, "compiled", 3, 0)

    real = optimiser._solve_timed

    def timed(*a, clock_start=None, **kw):
        events.append(("clock", time.perf_counter() if clock_start is None else clock_start))
        return real(*a, clock_start=clock_start, **kw)

    monkeypatch.setattr(kernels, "ensure_ready", fake_ready)
    monkeypatch.setattr(optimiser, "_solve_timed", timed)
    sol = solve(random_problem(12, 14, seed=1),
                OptimiserSettings(time_limit=5, moves_per_slot=200, bound_iterations=2))
    assert [e[0] for e in events] == ["ready", "clock"]
    assert events[1][1] >= events[0][1]
    assert sol.compile_seconds == 0.25   # reported, not charged to the time limit


def test_shipped_kernels_seed_a_fresh_data_folder_and_are_never_written(tmp_path, monkeypatch,
                                                                        restore_cache):
    shipped = tmp_path / "install" / "numba_cache" / kernels.SUBDIR
    shipped.mkdir(parents=True)
    (shipped / "anneal.path_cost-30.py311.nbi").write_bytes(b"index")
    (shipped / "anneal.path_cost-30.py311.1.nbc").write_bytes(b"code")
    listing = sorted((p.name, p.stat().st_mtime) for p in shipped.iterdir())
    from app.runtime import numba_cache          # (where configure looks for it)
    monkeypatch.setattr(numba_cache, "shipped_cache", lambda: shipped.parent)
    monkeypatch.delenv(kernels.ENV, raising=False)
    data = tmp_path / "data"
    target = kernels.configure(data)
    assert target == (data / "cache" / "numba").resolve()
    got = target / kernels.SUBDIR
    assert (got / "anneal.path_cost-30.py311.nbi").read_bytes() == b"index"
    assert (got / "anneal.path_cost-30.py311.1.nbc").read_bytes() == b"code"
    assert os.environ[kernels.ENV] == str(target)
    # a second start copies nothing; a newer shipped file (an upgrade) replaces the old
    assert kernels._seed_from(shipped.parent, target) == 0
    os.utime(shipped / "anneal.path_cost-30.py311.nbi", (2e9, 2e9))
    (shipped / "anneal.path_cost-30.py311.nbi").write_bytes(b"index v2")
    os.utime(shipped / "anneal.path_cost-30.py311.nbi", (2e9, 2e9))
    assert kernels._seed_from(shipped.parent, target) == 1
    assert (got / "anneal.path_cost-30.py311.nbi").read_bytes() == b"index v2"
    assert sorted(p.name for p in shipped.iterdir()) == [n for n, _ in listing]


def test_an_unwritable_cache_folder_falls_back_to_a_private_one(tmp_path, monkeypatch,
                                                                restore_cache):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.delenv(kernels.ENV, raising=False)
    target = kernels.configure(cache_dir=blocker / "numba")
    assert target is not None and target.is_dir() and blocker not in target.parents
    assert os.access(target, os.W_OK)


def test_kernels_compiled_in_one_install_folder_load_in_another(tmp_path):
    """numba's own locators key the cache by the source folder's path: compiled in the
    build folder, never found in the install folder. Ours does not."""
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k not in (kernels.ENV, "PYTHONPATH")}
    test_cache = Path(os.environ[kernels.ENV]) / kernels.SUBDIR
    if test_cache.is_dir():
        shutil.copytree(test_cache, cache / kernels.SUBDIR)  # saves a compile

    def warmup(tree: Path) -> str:
        r = subprocess.run([sys.executable, "-m", "app", "match", "warmup", "--cache-dir",
                            str(cache), "--data-dir", str(tmp_path / "data")],
                           cwd=tree, env={**env, "PYTHONPATH": str(tree)},
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        return r.stderr

    first = warmup(ROOT)                 # compiles if the test cache had nothing yet
    assert "cache " + str(cache.resolve()) in first
    other = tmp_path / "elsewhere" / "pharos"
    for pkg in ("app", "station_plugins", "widgets"):
        shutil.copytree(ROOT / pkg, other / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    second = warmup(other)
    assert "kernels loaded" in second and "(0 compiled" in second, second
    assert sorted(p.name for p in cache.iterdir()) == [kernels.SUBDIR]


def test_a_damaged_cache_is_rebuilt_not_fatal(tmp_path, restore_cache):
    cache = tmp_path / "cache"
    shutil.copytree(Path(os.environ[kernels.ENV]), cache)
    for f in (cache / kernels.SUBDIR).glob("anneal.path_cost-*.nbi"):
        f.write_bytes(b"damaged")        # e.g. a disk error, a half-copied file
    kernels.configure(cache_dir=cache)
    kernels._ready.clear()
    w = kernels.ensure_ready()
    assert kernels.ready() and w.how in ("compiled", "loaded")


def test_kernel_cache_is_chosen_before_anything_compiles():
    """The data folder's cache (not numba's per-source-folder default) after configure."""
    kernels.configure()
    for d in kernels.dispatchers():
        assert Path(d.stats.cache_path).name == kernels.SUBDIR
    assert np.isfinite(kernels.ensure_ready().seconds)


def test_frozen_bundle_stamp_follows_the_kernel_code(monkeypatch):
    """In a frozen bundle the cache's freshness stamp is the kernel module's code (not
    the executable, which need not change when the code it loads does)."""
    import hashlib
    import marshal

    from station_plugins.detector_matching import anneal
    kernels._install_locator()
    d = anneal.path_cost
    d.enable_caching()
    locator = d._cache._impl.locator
    assert type(locator).__name__ == "PharosCacheLocator"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    code = anneal.__loader__.get_code(anneal.__name__)
    assert locator.get_source_stamp() == "code:" + hashlib.sha256(marshal.dumps(code)).hexdigest()
    monkeypatch.delattr(sys, "frozen")
    assert locator.get_source_stamp() != "code:" + hashlib.sha256(marshal.dumps(code)).hexdigest()


def test_every_kernel_is_listed_and_cached_in_the_station_folder():
    """A kernel moved to a module of its own (bound_dp: the bound's walk DPs) is still
    compiled by the warm-up's count, rebound by configure and cached in our folder."""
    import importlib

    from numba.core.registry import CPUDispatcher
    kernels.configure()
    listed = {id(d) for d in kernels.dispatchers()}
    defined = [v for name in kernels.CACHED_MODULES
               for v in vars(importlib.import_module(name)).values()
               if isinstance(v, CPUDispatcher) and v.py_func.__module__ == name]
    assert len([d for d in defined if d.py_func.__module__.endswith(".bound_dp")]) == 7
    assert {id(d) for d in defined} <= listed
    for d in defined:
        assert Path(d.stats.cache_path).name == kernels.SUBDIR, d.py_func.__qualname__
