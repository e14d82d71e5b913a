"""A wheel of Pharos carries everything the stations need: built with ``pip wheel``,
installed into a clean virtual environment, run from a folder far from the source tree.

The clean environment holds only the wheel; its dependencies are made visible from the
project's own venv (a ``.pth`` to its site-packages: the same locked versions) so the test
needs no network. The source tree is not on ``sys.path`` there, and the project venv's
editable-install hook is not processed (a ``.pth`` entry adds a folder, it does not run the
``.pth`` files inside it), so every Pharos file comes from the wheel.
"""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(work / "dist"), str(ROOT)],
                         capture_output=True, text=True, timeout=600, cwd=work)
    assert out.returncode == 0, out.stderr[-3000:]
    wheel = next((work / "dist").glob("pharos-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    # without the caller's PYTHONPATH: run from a source tree (PYTHONPATH=<tree>, as the
    # tests are), pip saw the tree's pharos.egg-info (written there by `pip wheel` above),
    # said "pharos is already installed" and installed nothing into the clean venv
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PHAROS_"))}
    out = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                          "install", "-q", "--no-deps", str(wheel)],
                         capture_output=True, text=True, timeout=600, env=clean)
    assert out.returncode == 0, out.stderr[-3000:]
    assert (venv / "bin" / "pharos").exists(), "pip installed nothing: " + out.stdout[-2000:]
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "pharos_test_deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n")
    env = dict(clean, QT_QPA_PLATFORM="offscreen")
    run_dir = work / "elsewhere"
    run_dir.mkdir()
    return wheel, venv, env, run_dir, Path(purelib)


def _pharos(wheel_env, *args, timeout=600):
    _, venv, env, run_dir, _ = wheel_env
    return subprocess.run([str(venv / "bin" / "pharos"), *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=run_dir)


def test_wheel_carries_resources_models_and_compiled_translations(wheel_env):
    names = set(zipfile.ZipFile(wheel_env[0]).namelist())
    for needed in ("resources/phantoms/catphan504.json", "resources/limits/acr_2024.toml",
                   "resources/i18n/pharos_zh_CN.qm", "resources/theme/pharos.qss",
                   "resources/detector_models/PX-400.toml", "resources/lead_rooms/alarms.yaml",
                   "models/tunnel_waveform/tunnel_waveform.onnx",
                   "station_plugins/tunnel_test/sequences/carm_final.yaml"):
        assert needed in names, f"{needed} missing from the wheel"
    assert not any(n.startswith(("tests/", "models/training/")) for n in names)


def test_installed_wheel_finds_its_data_and_passes_self_check(wheel_env, tmp_path):
    purelib = wheel_env[4]
    where = subprocess.run([str(wheel_env[1] / "bin" / "python"), "-c",
                            "from app.paths import resources_dir, models_dir; "
                            "print(resources_dir()); print(models_dir())"],
                           capture_output=True, text=True, env=wheel_env[2], cwd=wheel_env[3])
    assert where.returncode == 0, where.stderr[-2000:]
    res, mod = where.stdout.split()
    assert Path(res) == purelib / "resources" and Path(mod) == purelib / "models"
    r = _pharos(wheel_env, "--data-dir", str(tmp_path / "d"), "self-check", "--json")
    rows = {row["check"]: row for row in json.loads(r.stdout)["checks"]}
    bad = {k: v for k, v in rows.items() if v["status"] == "FAIL"}
    assert r.returncode == 0 and not bad, bad or r.stderr[-2000:]
    assert all(rows[f"station {s}"]["status"] == "OK" for s in
               ("ct_qc", "image_review", "detector_matching", "tunnel_test", "lead_room"))


def test_installed_wheel_simulates_and_analyses_a_catphan(wheel_env, tmp_path):
    series = tmp_path / "series"
    r = _pharos(wheel_env, "--data-dir", str(tmp_path / "d"), "qc", "simulate", str(series),
                "--phantom", "catphan504")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    out = tmp_path / "result.json"
    r = _pharos(wheel_env, "--data-dir", str(tmp_path / "d"), "qc", "analyze", str(series),
                "--json", str(out))
    assert r.returncode in (0, 1), r.stdout[-2000:] + r.stderr[-2000:]  # PASS or FAIL, not ERROR
    result = json.loads(out.read_text())
    assert result["phantom"] == "catphan504" and result["measurements"]
