"""D11 tamper evidence that changes something, D13 release criteria that are checked.

A journal edited by someone without the key (value changed, chain recomputed the old
unkeyed way) or a damaged journal file blocks release and resume until a supervisor
decides under e-signature (the real signature service). Release criteria are a signed
record in the store; a hand-written criteria file or a forged record is refused."""
from __future__ import annotations

import json
import sqlite3

import pytest

from app.adapters.mes import MesClient
from station_plugins.tunnel_test.adapters.journal import JournalError, TunnelJournal
from app.core.errors import PermissionDenied
from app.core.ids import content_hash, sha256_hex
from station_plugins.tunnel_test import integrity
from station_plugins.tunnel_test import release as rel
from station_plugins.tunnel_test.console import TunnelConsole

from .conftest import ADMIN_PW, USER_PW, trivial_sequence


@pytest.fixture
def console(tmp_path, ws, mes):
    admin = ws.auth.authenticate("admin", ADMIN_PW)
    ws.auth.create_user("sup1", "Sonia Supervisor", ["supervisor"], USER_PW, by=admin,
                        reason="test", must_change_password=False)
    c = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit,
                      signatures=ws.signatures, mes=MesClient(mes.url, timeout_s=2))
    yield c
    c.close()


def _tamper(db, run_id: str) -> int:
    """Change a measured value the way someone without the key would: edit the event
    and recompute the chain from there on (sha256, the key is unknown to them). Returns
    the edited seq."""
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("DROP TRIGGER tunnel_events_no_update")
    rows = con.execute("SELECT seq, body, hash FROM tunnel_events WHERE run_id=? ORDER BY seq",
                       (run_id,)).fetchall()
    target = next(seq for seq, body, _ in rows if json.loads(body)["kind"] == "measurement")
    prev = ""
    for seq, body, h in rows:
        if seq < target:
            prev = h
            continue
        ev = json.loads(body)
        if seq == target:
            ev["value"], ev["verdict"] = 1.5, "PASS"
            body = json.dumps(ev, sort_keys=True, separators=(",", ":"))
        prev = sha256_hex(prev + body)
        con.execute("UPDATE tunnel_events SET body=?, hash=? WHERE run_id=? AND seq=?",
                    (body, prev, run_id, seq))
    con.execute("UPDATE tunnel_runs SET last_hash=? WHERE run_id=?", (prev, run_id))
    con.close()
    return target


def test_edited_value_with_recomputed_chain_blocks_release_until_supervisor(
        tmp_path, console, ws, mes, mini_seq):
    rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={}, username="qe1",
                      password=USER_PW)
    op = ws.auth.authenticate("op1", USER_PW)
    out = console.run_inline(console.make_spec(sequence_path=str(mini_seq), serial="SN-T",
                                               user=op))
    seq = _tamper(console.journal.path, out.run_id)
    problems = console.journal.verify(out.run_id)
    assert problems == [f"hash chain broken at event {seq}"]
    row, decision = console.finish(out.run_id, "op1")
    assert row.payload["journal"]["problems"] == problems
    assert decision["mode"] == "blocked" and f"hash chain broken at event {seq}" in \
        decision["reason"]
    assert mes.messages[f"{out.run_id}:results"]["body"]["journal_intact"] is False
    assert f"{out.run_id}:release" not in mes.messages            # never automatic
    with pytest.raises(integrity.IntegrityBlocked, match="supervisor must decide"):
        console.release(out.run_id, username="op1", password=USER_PW)
    with pytest.raises(PermissionDenied):                         # only a supervisor
        integrity.decide(ws.store, ws.signatures, ws.audit, console.journal, out.run_id,
                         decision="accept", reason="looked fine", username="qe1",
                         password=USER_PW)
    d = integrity.decide(ws.store, ws.signatures, ws.audit, console.journal, out.run_id,
                         decision="accept", reason="edit traced to a test script; values "
                         "re-measured", username="sup1", password=USER_PW)
    assert d["signed_by"] == "Sonia Supervisor"
    sig = ws.signatures.signatures_for(integrity.DECISION_KIND, d["record_id"])[0]
    assert sig.meaning == "approved"
    _, decision = console.finish(out.run_id, "op1")
    assert decision["mode"] == "esign"                            # accepted: e-sign only
    auth = console.release(out.run_id, username="op1", password=USER_PW)
    assert auth["mode"] == "esign"
    assert ws.audit.entries(action="tunnel.integrity_decision")


def test_tampered_interrupted_run_cannot_resume_until_accepted(tmp_path, console, ws):
    import os
    import signal
    import threading

    from station_plugins.tunnel_test.runner import RunProcess

    seq_path = trivial_sequence(tmp_path, 100, step_fn="slow", args="{ms: 5}")
    qe = ws.auth.authenticate("qe1", USER_PW)
    spec = console.make_spec(sequence_path=str(seq_path), serial="SN-R", user=qe)
    seen = threading.Event()
    proc = RunProcess(spec, lambda k, b: seen.set()
                      if k == "event" and b["kind"] == "step_end" and b["step"] == "s0.20"
                      else None)
    assert seen.wait(60)
    os.kill(proc.process.pid, signal.SIGKILL)
    proc.wait(30)
    seq = _tamper(console.journal.path, spec.run_id)
    with pytest.raises(integrity.IntegrityBlocked) as ei:
        console.resume_spec(spec.run_id, user=qe, reason="power back")
    assert f"hash chain broken at event {seq}" in ei.value.message
    assert "disk" not in ei.value.message.lower() + ei.value.remedy.lower()
    integrity.decide(ws.store, ws.signatures, ws.audit, console.journal, spec.run_id,
                     decision="reject", reason="cannot trust the results", username="sup1",
                     password=USER_PW)
    with pytest.raises(integrity.IntegrityBlocked, match="rejected"):
        console.resume_spec(spec.run_id, user=qe, reason="power back")
    integrity.decide(ws.store, ws.signatures, ws.audit, console.journal, spec.run_id,
                     decision="accept", reason="second review: edit was ours",
                     username="sup1", password=USER_PW)
    assert console.resume_spec(spec.run_id, user=qe, reason="power back").run_id == spec.run_id


def test_damaged_journal_file_names_the_fault_not_disk_space(tmp_path):
    db = tmp_path / "tunnel_journal.db"
    j = TunnelJournal(db)
    j.close()
    with open(db, "r+b") as f:                    # the file header is destroyed
        f.write(b"\x00garbage-garbage" * 4)
    with pytest.raises(JournalError) as ei:
        TunnelJournal(db).runs()
    assert "damaged" in ei.value.message and "disk full" not in ei.value.message
    assert "Free disk space" not in ei.value.remedy and "supervisor" in ei.value.remedy


def test_journal_chain_is_keyed(tmp_path):
    """The same events under another key do not verify: the chain is an HMAC."""
    j = TunnelJournal(tmp_path / "j.db")
    j.begin_run("r1", {"serial": "S"}, {"kind": "run_start"})
    j.append("r1", [{"kind": "note"}])
    j.close()
    assert (tmp_path / "keys" / "tunnel_journal.key").exists()
    other = TunnelJournal(tmp_path / "j.db", key=b"k" * 32)
    assert other.verify("r1") == ["hash chain broken at event 1"]
    other.close()


# --- D13 --------------------------------------------------------------------------------
def test_hand_written_criteria_file_is_refused(tmp_path, console, ws, mes, mini_seq):
    body = {"criteria_id": "AUTO-REL", "version": "1", "rules": {}}
    (console.data_dir / rel.CRITERIA_FILE).write_text(json.dumps(
        {**body, "signed_by": "qe.nobody", "signature_id": "00000000-fake",
         "content_sha256": content_hash(body)}), encoding="utf-8")
    op = ws.auth.authenticate("op1", USER_PW)
    out = console.run_inline(console.make_spec(sequence_path=str(mini_seq), serial="SN-C",
                                               user=op))
    row, decision = console.finish(out.run_id, "op1")
    assert row.payload["disposition"] == "PASS"
    assert decision["mode"] == "esign" and "is refused" in decision["reason"]
    assert f"{out.run_id}:release" not in mes.messages


def test_forged_criteria_record_is_not_honoured(console, ws, mes, mini_seq):
    body = {"criteria_id": "AUTO-REL", "version": "1", "rules": {}}
    ws.store.add_record(rel.CRITERIA_KIND, "AUTO-REL", {**body,
                        "content_sha256": content_hash(body)}, username="qe1")
    crit, note = rel.load_criteria(ws.store, ws.signatures)
    assert crit is None and "no valid approval signature" in note
    # a real signature on other content does not make the record valid either
    row = ws.store.query_records(kind=rel.CRITERIA_KIND, limit=1)[0]
    ws.signatures.sign(rel.CRITERIA_KIND, row.id, {"other": 1}, "approved", username="qe1",
                       password=USER_PW)
    assert rel.load_criteria(ws.store, ws.signatures)[0] is None
    with pytest.raises(PermissionDenied):                 # operators do not sign criteria
        rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={}, username="op1",
                          password=USER_PW)
    c = rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={"dispositions": ["PASS"]},
                          username="qe1", password=USER_PW, comment="QE approval")
    got, _ = rel.load_criteria(ws.store, ws.signatures)
    assert got == c and got.signed_by == "Quentin Engineer"
    assert ws.audit.entries(action="tunnel.release_criteria")


def test_cli_criteria_and_integrity_commands(tmp_path, ws, mini_seq, capsys, monkeypatch):
    """`tunnel criteria show|sign` and `tunnel integrity [--decide]` headless, real users,
    real signatures (passwords from $PHAROS_PASSWORD)."""
    from app.main import main
    from station_plugins.tunnel_test.runner import RunSpec, run_here

    admin = ws.auth.authenticate("admin", ADMIN_PW)
    ws.auth.create_user("sup1", "Sonia Supervisor", ["supervisor"], USER_PW, by=admin,
                        reason="test", must_change_password=False)
    data = ws.config.data_dir
    common = ["--data-dir", str(data)]
    station = data / "stations" / "tunnel_test"
    station.mkdir(parents=True, exist_ok=True)
    (station / rel.CRITERIA_FILE).write_text('{"criteria_id": "X"}', encoding="utf-8")
    capsys.readouterr()
    assert main(["tunnel", "criteria", "show", *common]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["criteria"] is None and "release_criteria.json is refused" in out["note"]
    monkeypatch.setenv("PHAROS_PASSWORD", USER_PW)
    assert main(["tunnel", "criteria", "sign", "--rules", '{"dispositions": ["PASS"]}',
                 "--as", "qe1", *common]) == 0
    signed = json.loads(capsys.readouterr().out)["criteria"]
    assert signed["signed_by"] == "Quentin Engineer" and signed["signature_id"]
    assert main(["tunnel", "criteria", "show", *common]) == 0
    assert json.loads(capsys.readouterr().out)["criteria"]["record_id"] == signed["record_id"]
    assert main(["tunnel", "criteria", "sign", "--rules", "{}", "--as", "op1", *common]) == 2

    spec = RunSpec(sequence_path=str(mini_seq), serial="SN-CLI-I", operator="op1",
                   data_dir=str(station))
    run_here(spec)
    capsys.readouterr()
    assert main(["tunnel", "integrity", spec.run_id, *common]) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True
    seq = _tamper(spec.journal_path, spec.run_id)
    assert main(["tunnel", "integrity", spec.run_id, *common]) == 1
    got = json.loads(capsys.readouterr().out)
    assert got["problems"] == [f"hash chain broken at event {seq}"] and got["decision"] is None
    assert main(["tunnel", "integrity", spec.run_id, "--decide", "accept", "--reason",
                 "reviewed", "--as", "op1", *common]) == 2          # not a supervisor
    capsys.readouterr()
    assert main(["tunnel", "integrity", spec.run_id, "--decide", "accept", "--reason",
                 "reviewed with QA", "--as", "sup1", *common]) == 0
    d = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert d["decision"] == "accept" and d["signed_by"] == "Sonia Supervisor"
    assert main(["tunnel", "integrity", spec.run_id, *common]) == 1
    assert json.loads(capsys.readouterr().out)["decision"]["decision"] == "accept"
