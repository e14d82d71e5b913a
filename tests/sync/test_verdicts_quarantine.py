"""D4: one verdict vocabulary for local and central records; `sync verify` fails while
anything is quarantined; quarantined rows are re-sent under an audited decision."""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from app.adapters.central.db import make_engine
from app.adapters.schema import RECORD_VERDICTS
from app.adapters.sync import SyncService
from app.bootstrap import Workstation
from app.core.errors import ValidationError
from app.core.measurement import Verdict
from app.sync_cli import add_sync_commands
from tests.accounts import make_user
from tests.sync.stations import open_station

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Adm1n-secret-pw"


def _sql(url: str, sql: str):
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            r = conn.execute(text(sql))
            return r.all() if r.returns_rows else None
    finally:
        engine.dispose()


def test_every_verdict_a_station_can_write_is_accepted_centrally(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s", "ST-V")
    for v in (*RECORD_VERDICTS, None):
        store.add_record("image_review.ai_result", "CT1", {"v": v}, username="u", verdict=v)
    svc = SyncService(store, central_url)
    report = svc.sync_once(pull=False)
    assert report["quarantined"] == 0 and svc.backlog_counts()[:2] == (0, 0)
    got = {r[0] for r in _sql(central_url, "SELECT verdict FROM records")}
    assert got == {*RECORD_VERDICTS, None}
    svc.close()
    store.close()


def _verdict_literals() -> set[str]:
    """Every string literal passed as verdict= / disposition= in station and app code."""
    found: set[str] = set()
    for path in [*(ROOT / "station_plugins").rglob("*.py"), *(ROOT / "app").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg in ("verdict", "disposition"):
                for sub in ast.walk(node.value):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str) \
                            and sub.value.isupper():
                        found.add(sub.value)
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "disposition" for t in node.targets):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found.add(node.value.value)
    return found


def test_station_code_writes_only_vocabulary_verdicts():
    literals = _verdict_literals()
    assert {"FLAG", "ABORTED"} <= literals            # the scan sees the stations' values
    assert literals <= set(RECORD_VERDICTS), literals - set(RECORD_VERDICTS)
    assert {v.value for v in Verdict} <= set(RECORD_VERDICTS)


def test_central_migration_and_table_use_the_same_vocabulary():
    from app.adapters.central import tables as T

    path = ROOT / "app/adapters/central/migrations/versions/0003_verdicts.py"
    spec = importlib.util.spec_from_file_location("m0003", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert tuple(mod.VERDICTS) == RECORD_VERDICTS == T.VERDICTS


def test_local_store_refuses_a_verdict_central_would_refuse(tmp_path):
    store, _ = open_station(tmp_path / "s", "ST-X")
    with pytest.raises(ValidationError, match="not one of"):
        store.add_record("x.y", "S", {}, username="u", verdict="MAYBE")
    assert store.outbox_size()[0] == 0
    store.close()


# --- quarantine, verify, requeue through the CLI ---------------------------------------------
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
    ws.store.add_record("ct_qc.result", "CT1", {"m": 1}, username="admin", verdict="PASS")
    ws.store.add_record("image_review.ai_result", "CT1", {"m": 2}, username="admin",
                        verdict="FLAG")
    ws.close()
    monkeypatch.setenv("PHAROS_DATA_DIR", str(d))
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    return d


def test_quarantine_fails_verify_until_requeued_after_the_fix(data_dir, central_url, capsys,
                                                              monkeypatch):
    # a plant database still carrying the old constraint (what D4 found): FLAG refused
    _sql(central_url, "ALTER TABLE records DROP CONSTRAINT ck_c_records_verdict; "
                      "ALTER TABLE records ADD CONSTRAINT ck_c_records_verdict CHECK "
                      "(verdict IS NULL OR verdict IN ('PASS','WARN','FAIL','ERROR','SKIP'))")
    code, out, _ = _run(["sync", "now", "--central", central_url, "--json"], capsys)
    assert json.loads(out)["quarantined"] == 1
    code, out, _ = _run(["sync", "verify", "--central", central_url], capsys)
    assert code == 1 and "QUARANTINED" in out and "DIFFER" in out
    code, out, _ = _run(["sync", "status", "--central", central_url, "--json"], capsys)
    st = json.loads(out)
    assert code == 1 and st["quarantined"] == 1 and st["in_sync"] is False
    code, out, _ = _run(["sync", "quarantine", "--json"], capsys)
    (row,) = json.loads(out)["quarantined"]
    assert code == 1 and "ck_c_records_verdict" in row["last_error"]

    # the fix: the plant migrates its constraint; an operator may not decide the re-send
    _sql(central_url, "ALTER TABLE records DROP CONSTRAINT ck_c_records_verdict; "
                      "ALTER TABLE records ADD CONSTRAINT ck_c_records_verdict CHECK "
                      "(verdict IS NULL OR verdict IN ('PASS','WARN','FAIL','ERROR','SKIP',"
                      "'FLAG','ABORTED'))")
    make_user(data_dir, "op1", "operator", password=PASSWORD)
    code, _, err = _run(["sync", "requeue", "--all", "--as", "op1", "--reason", "fixed",
                         "--central", central_url], capsys)
    assert code == 2 and "may not re-send" in err
    code, out, err = _run(["sync", "requeue", "--id", str(row["id"]), "--as", "admin",
                           "--reason", "central constraint migrated (0003_verdicts)",
                           "--central", central_url], capsys)
    assert code == 0, err
    assert "1 rows requeued by admin" in out
    code, out, _ = _run(["sync", "verify", "--central", central_url], capsys)
    assert code == 0 and "agree" in out
    assert _sql(central_url, "SELECT count(*) FROM quarantine")[0][0] == 0
    assert _sql(central_url, "SELECT count(*) FROM records WHERE verdict='FLAG'")[0][0] == 1
    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                          env={"PHAROS_DATA_DIR": str(data_dir)})
    try:
        (e,) = ws.audit.entries(action="requeue")
        assert e.username == "admin" and "ck_c_records_verdict" in e.old_value
        assert e.reason == "central constraint migrated (0003_verdicts)"
    finally:
        ws.close()
    # the audit entry itself reached the central trail
    code, _, _ = _run(["sync", "now", "--central", central_url], capsys)
    assert _sql(central_url, "SELECT count(*) FROM audit_log WHERE action='requeue'")[0][0] == 1
