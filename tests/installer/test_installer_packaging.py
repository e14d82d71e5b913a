"""Packaging: the PyInstaller spec names every station; install/upgrade/uninstall on a fake bundle.

No root paths: everything is installed under tmp_path with --prefix and friends.
"""
from __future__ import annotations

import ast
import os
import subprocess
import tarfile
from importlib import metadata
from pathlib import Path

import pytest

from app.stations import BUILTIN_STATIONS, ENTRY_POINT_GROUP
from tests.installer.conftest import ROOT

INSTALLER = ROOT / "installer"
pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX shell scripts")


# --- the spec -------------------------------------------------------------------------------
def _spec_constants() -> dict[str, object]:
    text = (INSTALLER / "pharos.spec").read_text(encoding="utf-8")
    compile(text, "pharos.spec", "exec")  # parses
    out = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


def test_spec_parses_and_names_every_station_module():
    consts = _spec_constants()
    modules = set(consts["STATION_MODULES"])
    packages = set(consts["STATION_PACKAGES"])
    targets = dict(BUILTIN_STATIONS)
    targets.update({ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)})
    for sid, target in targets.items():
        module = target.partition(":")[0]
        assert module in modules, f"{sid}: {module} not a hidden import in pharos.spec"
        assert module.rsplit(".", 1)[0] in packages, f"{sid}: package not collected"
    on_disk = {p.name for p in (ROOT / "station_plugins").iterdir()
               if (p / "plugin.py").exists()}
    assert {p.rsplit(".", 1)[1] for p in packages} == on_disk


def test_spec_bundles_what_is_read_from_disk():
    text = (INSTALLER / "pharos.spec").read_text(encoding="utf-8")
    for needed in ('"app/adapters/migrations"', '"app/adapters/central/migrations"',
                   'tree("resources"', 'tree("models"', "copy_metadata", '"pharos"',
                   "onnxruntime", "numba", "llvmlite", "asyncua", "pynetdicom", "ortools",
                   '"torch"', "pharos_main.py"):
        assert needed in text, needed
    entry = (INSTALLER / "pharos_main.py").read_text()
    assert "freeze_support()" in entry  # the tunnel runner spawns a child process


# --- install / upgrade / uninstall ------------------------------------------------------------
def _bundle(tmp: Path, version: str, extra: str) -> Path:
    b = tmp / f"bundle-{version}"
    (b / "_internal").mkdir(parents=True)
    exe = b / "pharos"
    exe.write_text(f"#!/bin/sh\necho fake pharos {version} \"$@\"\n")
    exe.chmod(0o755)
    (b / "_internal" / "lib.txt").write_text(version)
    (b / "_internal" / extra).write_text(extra)
    return b


def _tarball(tmp: Path, version: str, extra: str) -> Path:
    out = subprocess.run([str(INSTALLER / "linux" / "make_tarball.sh"),
                          str(_bundle(tmp, version, extra)), version, str(tmp / "dist")],
                         capture_output=True, text=True, check=True)
    tarball = Path(out.stdout.strip())
    assert tarball.name.startswith(f"pharos-{version}-linux-") and tarball.exists()
    dest = tmp / f"x-{version}"
    with tarfile.open(tarball) as tf:
        names = tf.getnames()
        tf.extractall(dest, filter="tar")
    top = dest / names[0].split("/")[0]
    for f in ("install.sh", "uninstall.sh", "pharos.desktop", "pharos.png", "pharos.svg",
              "VERSION", "INSTALL.txt", "pharos/pharos"):
        assert (top / f).exists(), f
    return top


def _run(cmd: list[str], tmp: Path, **kw) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp / "home"),
           "PHAROS_DATA_DIR": str(tmp / "data")}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                          timeout=60, **kw)


def _install(top: Path, tmp: Path) -> subprocess.CompletedProcess:
    return _run([str(top / "install.sh"), "--prefix", str(tmp / "opt" / "pharos"),
                 "--bin-dir", str(tmp / "bin"), "--desktop-dir", str(tmp / "apps"),
                 "--icon-dir", str(tmp / "icons")], tmp)


def test_install_upgrade_uninstall_keep_data(tmp_path):
    prefix = tmp_path / "opt" / "pharos"
    data = tmp_path / "data"
    data.mkdir()
    (data / "pharos.db").write_bytes(b"records")
    (data / "pharos.toml").write_text("[station]\n")

    r = _install(_tarball(tmp_path, "1.0.0", "only_in_1.txt"), tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Pharos 1.0.0 installed" in r.stdout
    link = tmp_path / "bin" / "pharos"
    assert link.is_symlink() and os.readlink(link) == str(prefix / "pharos")
    assert subprocess.run([str(link), "version"], capture_output=True, text=True
                          ).stdout.strip() == "fake pharos 1.0.0 version"
    desktop = (tmp_path / "apps" / "pharos.desktop").read_text()
    assert f"Exec={prefix}/pharos" in desktop and f"Icon={prefix}/share/pharos.png" in desktop
    assert (tmp_path / "icons" / "256x256" / "apps" / "pharos.png").exists()
    assert "version=1.0.0" in (prefix / ".pharos-install").read_text()

    r = _install(_tarball(tmp_path, "1.1.0", "only_in_1_1.txt"), tmp_path)
    assert r.returncode == 0, r.stderr
    assert "upgraded 1.0.0 -> 1.1.0" in r.stdout
    assert (prefix / "_internal" / "lib.txt").read_text() == "1.1.0"
    assert not (prefix / "_internal" / "only_in_1.txt").exists()  # no stale files
    assert (data / "pharos.db").read_bytes() == b"records"
    assert not list(prefix.parent.glob(".pharos-*"))  # no temp folders left

    r = _run([str(prefix / "uninstall.sh")], tmp_path)
    assert r.returncode == 0, r.stderr
    assert not prefix.exists() and not link.exists()
    assert not (tmp_path / "apps" / "pharos.desktop").exists()
    assert (data / "pharos.db").read_bytes() == b"records" and "Data kept" in r.stdout


def test_install_refuses_a_foreign_folder(tmp_path):
    foreign = tmp_path / "opt" / "pharos"
    foreign.mkdir(parents=True)
    (foreign / "important.txt").write_text("keep me")
    r = _install(_tarball(tmp_path, "1.0.0", "a.txt"), tmp_path)
    assert r.returncode == 1 and "not a Pharos install" in r.stderr
    assert (foreign / "important.txt").read_text() == "keep me"


def test_purge_needs_confirmation_and_a_pharos_data_folder(tmp_path):
    top = _tarball(tmp_path, "1.0.0", "a.txt")
    prefix = tmp_path / "opt" / "pharos"
    data = tmp_path / "data"
    data.mkdir()
    (data / "pharos.db").write_bytes(b"records")
    assert _install(top, tmp_path).returncode == 0
    r = _run([str(prefix / "uninstall.sh"), "--purge"], tmp_path)  # no tty, no --yes
    assert r.returncode == 2 and "--yes" in r.stderr and data.exists()
    assert _install(top, tmp_path).returncode == 0
    r = _run([str(prefix / "uninstall.sh"), "--purge", "--yes"], tmp_path)
    assert r.returncode == 0 and not data.exists() and not prefix.exists()
    not_ours = tmp_path / "home"
    not_ours.mkdir(exist_ok=True)
    (not_ours / "thesis.txt").write_text("x")
    assert _install(top, tmp_path).returncode == 0
    r = _run([str(prefix / "uninstall.sh"), "--purge", "--yes", "--data-dir", str(not_ours)],
             tmp_path)
    assert r.returncode == 1 and (not_ours / "thesis.txt").exists()


def test_uninstall_refuses_a_folder_without_the_marker(tmp_path):
    folder = tmp_path / "something"
    folder.mkdir()
    r = _run([str(INSTALLER / "linux" / "uninstall.sh"), "--prefix", str(folder)], tmp_path)
    assert r.returncode == 1 and folder.exists()


def test_build_script_is_valid_bash():
    for script in ("build.sh", "linux/install.sh", "linux/uninstall.sh", "linux/make_tarball.sh"):
        r = subprocess.run(["bash", "-n", str(INSTALLER / script)], capture_output=True,
                           text=True)
        assert r.returncode == 0, f"{script}: {r.stderr}"
