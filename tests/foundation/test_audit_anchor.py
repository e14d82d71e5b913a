"""D10: the local audit anchor (audit.head) is keyed with an HMAC (audit key); a missing,
unkeyed or rewritten anchor is an error in `pharos audit verify`, never "ok"."""
from __future__ import annotations

import json
import os
import sqlite3

import pytest

from app.adapters.audit import AuditTrail, load_or_create_key
from app.adapters.store import Store
from app.main import main
from tests.accounts import PASSWORD, make_user


@pytest.fixture()
def trail(tmp_path):
    store = Store(tmp_path / "pharos.db", station_id="S1", software_version="t",
                  config_hash="h").open()
    audit = AuditTrail(store, load_or_create_key(tmp_path / "keys" / "audit.key"))
    yield audit
    store.close()


def _fill(audit: AuditTrail, n: int) -> None:
    for i in range(n):
        audit.append("create", "thing", f"t{i}", username="u", new={"i": i}, reason="r")


def test_first_run_creates_a_keyed_anchor(trail):
    assert trail.verify().ok                       # empty trail, no anchor: first run
    assert not trail.head_file.exists()
    _fill(trail, 3)
    d = json.loads(trail.head_file.read_text())
    assert d["seq"] == 3 and len(d["mac"]) == 64
    assert oct(trail.head_file.stat().st_mode & 0o777) == "0o600"
    assert trail.verify().ok


def test_missing_anchor_is_an_error(trail):
    _fill(trail, 3)
    trail.head_file.unlink()
    r = trail.verify()
    assert not r.ok and "missing" in r.problem
    _fill(trail, 1)                                # later appends do not paper over it
    assert not trail.head_file.exists() and not trail.verify().ok


def test_rewritten_anchor_hides_no_cut_tail(trail, tmp_path):
    _fill(trail, 5)
    # cut the tail in the database (triggers dropped, as an attacker with file access
    # would) and rewrite audit.head to the new end, plain JSON as before
    con = sqlite3.connect(trail.store.db_path)
    trigger = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger' "
                                         "AND tbl_name='audit_log'")]
    for t in trigger:
        con.execute(f"DROP TRIGGER {t}")
    con.execute("DELETE FROM audit_log WHERE seq > 3")
    h = con.execute("SELECT hash FROM audit_log WHERE seq = 3").fetchone()[0]
    con.commit()
    con.close()
    assert trail.verify(use_local_anchor=False).ok            # the chain alone looks fine
    trail.head_file.write_text(json.dumps({"seq": 3, "hash": h, "ts_utc": "x"}))
    r = trail.verify()
    assert not r.ok and "not keyed" in r.problem
    trail.head_file.write_text(json.dumps({"seq": 3, "hash": h, "mac": "0" * 64}))
    r = trail.verify()
    assert not r.ok and "rewritten" in r.problem


def test_anchor_from_another_key_is_refused(trail, tmp_path):
    _fill(trail, 2)
    other = AuditTrail(trail.store, os.urandom(32), head_file=tmp_path / "other.head")
    other._write_head(2, trail.head()[1])
    trail.head_file.write_bytes((tmp_path / "other.head").read_bytes())
    assert not trail.verify().ok


def test_cli_verify_fails_and_reanchor_is_an_audited_admin_decision(tmp_path, capsys,
                                                                    monkeypatch):
    d = tmp_path / "data"
    make_user(d, "adm", "admin")
    make_user(d, "qe", "quality_engineer")
    assert main(["--data-dir", str(d), "audit", "verify"]) == 0
    (d / "audit.head").unlink()
    capsys.readouterr()
    assert main(["--data-dir", str(d), "audit", "verify"]) == 1
    assert "missing" in capsys.readouterr().out
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(d), "audit", "anchor", "--as", "qe", "--reason", "x"]) == 2
    assert main(["--data-dir", str(d), "audit", "anchor", "--as", "adm", "--reason",
                 "anchor deleted by the disk clean-up; chain checked against central"]) == 0
    assert main(["--data-dir", str(d), "audit", "verify"]) == 0
    store = Store(d / "pharos.db", station_id="x", software_version="t", config_hash="h").open()
    try:
        trail = AuditTrail(store, load_or_create_key(d / "keys" / "audit.key"))
        (e,) = trail.entries(action="anchor")
        assert e.username == "adm" and "missing" in e.old_value
    finally:
        store.close()
