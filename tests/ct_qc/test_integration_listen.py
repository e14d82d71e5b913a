"""Headless parity: `pharos qc listen --store` analyses a pushed series like the panel -
result stored, AI verdict stored beside it (or why not) - and JSON-only mode writes the
AI verdict as <uid>.ai.json."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.adapters.store import Store
from tests.accounts import PASSWORD, make_user
from tests.ct_qc._station_env import REAL_MODEL_DIR
from tests.ct_qc.test_dicom_cli import LineReader
from tests.pacs_fixtures import REPO, free_port

pytestmark = [pytest.mark.pacs, pytest.mark.slow]
HAVE_MODEL = (REAL_MODEL_DIR / "ct_phantom_classifier" / "1.0.0" / "card.json").exists()


def _listen(tmp_path: Path, data_dir: Path, *extra: str):  # noqa: ANN202
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",
               PHAROS_DATA_DIR=str(data_dir), PHAROS_PASSWORD=PASSWORD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "qc", "listen", "--port", str(port), "--settle", "0.5",
         "--allow", "SIMSCAN", "--out", str(tmp_path / "results"), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
    return port, proc, LineReader(proc)


def _push(tmp_path: Path, port: int) -> None:
    from app.ct.simulator.scanner_push import demo_loop

    assert demo_loop(tmp_path / "scanner", "127.0.0.1", port, "PHAROS_QC", interval_s=0,
                     count=1, matrix=256) == 1


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def test_listen_with_store_stores_result_and_ai_verdict(tmp_path):
    data_dir = tmp_path / "pharos-data"
    make_user(data_dir, "svc-qc", "operator")       # a service account with a role
    port, proc, reader = _listen(tmp_path, data_dir, "--store", "--as", "svc-qc")
    try:
        reader.wait_for("listening")
        _push(tmp_path, port)
        line = reader.wait_for("analysed", timeout=180)
    finally:
        rc = _stop(proc)
    assert rc == 0
    assert "stored" in line and ("AI unavailable" in line or "AI " in line)
    store = Store(data_dir / "pharos.db", station_id="check", software_version="t",
                  config_hash="h").open()
    try:
        (result,) = store.query_records(kind="ct_qc.result")
        assert result.subject == "CT-SIM-0001" and result.username == "svc-qc"
        assert result.ref in line and result.id in line
        (ai,) = store.query_records(kind="ct_qc.ai_verdict", ref=result.ref)
        assert ai.payload["qc_record_id"] == result.id
        assert ai.payload["available"] is HAVE_MODEL
    finally:
        store.close()
    assert json.loads((tmp_path / "results" / f"{result.ref}.json").read_text())["verdict"] \
        == result.verdict


def test_listen_json_only_writes_the_ai_verdict_beside_the_result(tmp_path):
    port, proc, reader = _listen(tmp_path, tmp_path / "pharos-data",
                                 "--station-dir", str(tmp_path / "station"))
    try:
        reader.wait_for("listening")
        _push(tmp_path, port)
        line = reader.wait_for("ai_verdict", timeout=180)
    finally:
        rc = _stop(proc)
    assert rc == 0
    (path,) = (tmp_path / "results").glob("*.ai.json")
    doc = json.loads(path.read_text())
    assert doc["available"] is HAVE_MODEL
    assert (doc["label"] if HAVE_MODEL else doc["reason"]) in line
    assert not (tmp_path / "pharos-data" / "pharos.db").exists()


def test_listen_store_needs_a_login(tmp_path):
    """D17: results are records; `qc listen --store` without --as is refused at start."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PHAROS_DATA_DIR=str(tmp_path / "data"))
    env.pop("PHAROS_PASSWORD", None)
    proc = subprocess.run([sys.executable, "-m", "app", "qc", "listen", "--port",
                           str(free_port()), "--store", "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
                          stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "needs a user: pass --as USER" in out
    assert "listening" not in out
