"""The frozen bundle's compiled optimiser kernels reach a new operator account.

A PyInstaller bundle cannot be built inside the test suite (minutes, 1 GB), so the bundle's
situation is reproduced in a child interpreter: ``sys.frozen`` / ``sys._MEIPASS`` /
``sys.executable`` as the bootloader sets them, the kernels compiled at build time into
``<program folder>/numba_cache`` (what ``installer/build.sh`` does), the program folder made
read-only, then a new account (empty HOME, no ``NUMBA_CACHE_DIR``) warms up: it must load
the shipped kernels into its own data folder, compile nothing and write nothing into the
program folder. The measured run on a real bundle is in docs/installer.md.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# the bootloader's view of a one-folder bundle at PROG: the executable PROG/pharos, the
# bundled modules and data in PROG/_internal (sys._MEIPASS)
FROZEN = """
import sys
prog = sys.argv[1]
sys.frozen = True
sys._MEIPASS = prog + "/_internal"
sys.executable = prog + "/pharos"
from app.main import main
raise SystemExit(main(sys.argv[2:]))
"""


def _program_folder(tmp: Path) -> Path:
    prog = tmp / "opt" / "pharos"
    internal = prog / "_internal"
    internal.mkdir(parents=True)
    for pkg in ("resources", "models"):
        (internal / pkg).symlink_to(ROOT / pkg)
    (prog / "pharos").write_text("#!/bin/sh\n")  # stands in for the bootloader binary
    return prog


def _pharos(prog: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-c", FROZEN, str(prog), *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=900)


def _read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable_again(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.mark.slow
def test_a_new_account_loads_the_bundles_kernels_from_a_read_only_install(tmp_path):
    prog = _program_folder(tmp_path)
    builder = tmp_path / "build-home"
    builder.mkdir()
    # build time: installer/build.sh compiles into the bundle's own numba_cache
    r = _pharos(prog, builder, "match", "warmup", "--cache-dir", str(prog / "numba_cache"),
                "--data-dir", str(builder / "data"))
    assert r.returncode == 0, r.stderr
    shipped = sorted(p.name for p in (prog / "numba_cache" / "detector_matching").iterdir())
    assert any(n.endswith(".nbi") for n in shipped) and any(n.endswith(".nbc") for n in shipped)
    # pharos runs with umask 077; the installation's cache must still be readable by every
    # operator account (root built it 0600: every other account compiled again)
    for p in [prog / "numba_cache", *(prog / "numba_cache").rglob("*")]:
        need = 0o755 if p.is_dir() else 0o644
        assert stat.S_IMODE(p.stat().st_mode) & need == need, (p, oct(p.stat().st_mode))

    _read_only(prog)
    try:
        before = {p: p.stat().st_mtime_ns for p in prog.rglob("*") if not p.is_symlink()}
        for user in ("operator1", "operator2"):
            home = tmp_path / user
            home.mkdir()
            r = _pharos(prog, home, "match", "warmup")
            assert r.returncode == 0, r.stderr
            data_cache = home / ".local" / "share" / "pharos" / "cache" / "numba"
            # loaded, not compiled: every kernel came from the shipped cache via the copy
            assert "kernels loaded" in r.stderr and "(0 compiled" in r.stderr, r.stderr
            assert f"{len(shipped)} copied from the installation" in r.stderr, r.stderr
            assert f"cache {data_cache}" in r.stderr, r.stderr
            assert sorted(p.name for p in (data_cache / "detector_matching").iterdir()) == shipped
            # a second start of the same account copies nothing and still compiles nothing
            r = _pharos(prog, home, "match", "warmup")
            assert "kernels loaded" in r.stderr and "0 copied from the installation" in r.stderr
        after = {p: p.stat().st_mtime_ns for p in prog.rglob("*") if not p.is_symlink()}
        assert after == before                 # the program folder was never written
    finally:
        _writable_again(prog)                  # pytest can clean tmp_path


def test_an_installation_cache_is_made_readable_by_every_account(tmp_path):
    from station_plugins.detector_matching import kernels
    cache = tmp_path / "numba_cache"
    sub = cache / kernels.SUBDIR
    sub.mkdir(parents=True)
    (sub / "anneal.x-1.py311.nbi").write_bytes(b"i")
    (sub / "anneal.x-1.py311.1.nbc").write_bytes(b"c")
    for p in (cache, sub):
        p.chmod(0o700)
    for f in sub.iterdir():
        f.chmod(0o600)
    assert kernels.share_with_all_accounts(cache) == 4
    assert {stat.S_IMODE(p.stat().st_mode) for p in (cache, sub)} == {0o755}
    assert {stat.S_IMODE(f.stat().st_mode) for f in sub.iterdir()} == {0o644}
    assert kernels.share_with_all_accounts(cache) == 0      # nothing to do the second time
