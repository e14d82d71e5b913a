"""`pharos sync ...` / `pharos central ...` end to end against a real PostgreSQL."""
from __future__ import annotations

import argparse
import json

import pytest

from app.bootstrap import Workstation
from app.sync_cli import add_sync_commands
from tests.sync.stations import central_count

pytestmark = pytest.mark.postgres
PASSWORD = "Adm1n-secret-pw"


def _run(argv, capsys):
    parser = argparse.ArgumentParser()
    add_sync_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "ws"
    ws = Workstation.open(data_dir=d, with_stations=False, start_loop=False,
                          admin_password=PASSWORD, env={"PHAROS_DATA_DIR": str(d)})
    ws.store.add_record("ct_qc.result", "CT1", {"measurements": []}, username="admin",
                        verdict="PASS")
    ws.close()
    monkeypatch.setenv("PHAROS_DATA_DIR", str(d))
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    return d


def test_cli_status_now_verify_anchor_and_publish(data_dir, central_url, tmp_path, capsys):
    code, out, _ = _run(["sync", "status", "--json"], capsys)
    assert code == 0 and json.loads(out)["state"] == "local_only"
    code, _, err = _run(["sync", "now"], capsys)
    assert code == 1 and "central_url" in err
    code, out, _ = _run(["sync", "now", "--central", central_url, "--json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["pushed"] >= 2 and report["status"]["backlog"] == 0
    code, out, _ = _run(["sync", "verify", "--central", central_url], capsys)
    assert code == 0 and "agree" in out
    code, out, _ = _run(["sync", "anchor", "--central", central_url], capsys)
    seq, hsh = out.strip().split(":")
    assert code == 0 and int(seq) > 0 and len(hsh) == 64
    profile = tmp_path / "limits.json"
    profile.write_text(json.dumps({"noise.sd": {"high": 6}}))
    code, out, err = _run(["central", "publish", "limit_profile", "default", str(profile),
                           "--approve-as", "admin", "--url", central_url], capsys)
    assert code == 0, err
    assert "version 1" in out
    assert central_count(central_url, "published_config") == 1
    assert central_count(central_url, "signatures") == 1


def test_cli_migrate_and_schema_refusal(data_dir, pg_server, capsys):
    url = pg_server.url(pg_server.create_database())
    code, _, err = _run(["sync", "push", "--central", url], capsys)
    assert code == 1 and "not initialised" in err
    code, out, _ = _run(["central", "migrate", "--url", url, "--revision", "0001_central"], capsys)
    assert code == 0 and "0001_central" in out
    code, _, err = _run(["sync", "push", "--central", url], capsys)
    assert code == 1 and "behind" in err
    code, out, _ = _run(["central", "migrate", "--url", url], capsys)
    assert code == 0 and "0003_verdicts" in out
    code, _, _ = _run(["sync", "push", "--central", url], capsys)
    assert code == 0
