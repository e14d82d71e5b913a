"""Record (DHR fields, PDF) and MES: route check, outbox store-and-forward, idempotent
release only after the record is committed, rejection, e-signature release."""
from __future__ import annotations

import subprocess

import pytest

from app.adapters.mes import MesClient, MesRejected
from app.core.errors import PermissionDenied, PharosError
from station_plugins.tunnel_test import release as rel
from station_plugins.tunnel_test.console import TunnelConsole
from station_plugins.tunnel_test.record_pdf import write_record_pdf

from .conftest import USER_PW, write_seq


@pytest.fixture
def console(tmp_path, ws, mes):
    c = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit,
                      signatures=ws.signatures, mes=MesClient(mes.url, timeout_s=2))
    yield c
    c.close()


def _run(console, ws, seq, serial="SN-1", user="op1", defects=(), mode="released"):
    u = ws.auth.authenticate(user, USER_PW)
    spec = console.make_spec(sequence_path=str(seq), serial=serial, user=u, mode=mode,
                             defects=list(defects))
    out = console.run_inline(spec)
    return console.finish(out.run_id, u.username)


def test_record_has_dhr_fields_and_pdf_renders(tmp_path, console, ws, mini_seq):
    row, decision = _run(console, ws, mini_seq)
    r = row.payload
    assert r["disposition"] == "PASS" and decision["mode"] == "esign"
    for key in ("run_id", "unit", "mes_order", "station_id", "sequence", "limits", "software",
                "instruments", "operators", "started_utc", "ended_utc", "steps", "attachments",
                "content_sha256"):
        assert key in r
    assert r["sequence"]["sha256"] and r["limits"]["sha256"] and r["unit"]["udi"]
    assert all(i["cal_due"] for i in r["instruments"])
    kv = next(s for s in r["steps"] if s["key"] == "xray.kv80")
    assert kv["attempts"][0]["measurements"][0]["limits"] and kv["measurements"][0]["unit"] == "kV"
    assert r["attachments"] and all(a["verified"] for a in r["attachments"])
    assert r["started_utc"].endswith("Z") and len(r["started_utc"]) == 24   # UTC ms
    pdf = write_record_pdf(r, tmp_path / "rec.pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000
    assert ws.store.query_records(kind="tunnel.run", ref=r["run_id"])[0].id == row.id


def test_route_blocked_unit_never_starts(console, ws, mes, mini_seq):
    mes.blocked_serials.add("SN-HOLD")
    with pytest.raises(MesRejected, match="on hold"):
        _run(console, ws, mini_seq, serial="SN-HOLD")
    assert console.journal.runs() == []


def test_automatic_release_only_under_signed_criteria_and_after_record(tmp_path, console, ws,
                                                                        mes, mini_seq):
    rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={"dispositions": ["PASS"]},
                      username="qe1", password=USER_PW)
    row, decision = _run(console, ws, mini_seq)
    assert decision["mode"] == "automatic" and decision["signed_by"] == "Quentin Engineer"
    kinds = [m["kind"] for m in mes.messages.values()]
    assert kinds == ["work_started", "units_tested", "work_completed", "release"]
    rel_msg = mes.messages[f"{row.payload['run_id']}:release"]["body"]
    assert rel_msg["record_id"] == row.id and rel_msg["record_sha256"] == row.payload_sha256


def test_fail_is_never_released(console, ws, mes, mini_seq):
    rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={}, username="qe1",
                      password=USER_PW)
    row, decision = _run(console, ws, mini_seq, defects=["leaky_earth"])
    assert row.payload["disposition"] == "FAIL" and decision["mode"] == "blocked"
    assert "release" not in [m["kind"] for m in mes.messages.values()]
    with pytest.raises(rel.ReleaseRefused):
        rel.queue_release(console.journal, row.payload, row, authority={})


def test_mes_down_store_and_forward_idempotent(console, ws, mes, mini_seq):
    rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={}, username="qe1",
                      password=USER_PW)
    u = ws.auth.authenticate("op1", USER_PW)
    spec = console.make_spec(sequence_path=str(mini_seq), serial="SN-1", user=u)  # route OK
    mes.down = True                                   # then the MES goes away
    out = console.run_inline(spec)
    row, _ = console.finish(out.run_id, "op1")
    run_id = row.payload["run_id"]
    assert {o["state"] for o in console.journal.outbox_all(run_id)} == {"pending"}
    again, _ = console.finish(run_id, "op1")            # repeated finish: same record
    assert again.id == row.id and len(console.journal.outbox_all(run_id)) == 4
    mes.down = False
    assert console.pump()["sent"] == 4
    console.journal.outbox_put(f"{run_id}:release", run_id, "release", {"dup": True})
    assert console.pump()["sent"] == 0
    assert [k for k, _ in mes.received].count("release") == 1


def test_mes_rejects_release_unit_held(console, ws, mes, mini_seq):
    rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={}, username="qe1",
                      password=USER_PW)
    mes.reject_release = True
    row, _ = _run(console, ws, mini_seq)
    states = {o["kind"]: o for o in console.journal.outbox_all(row.payload["run_id"])}
    assert states["release"]["state"] == "rejected" and "refused" in states["release"]["last_error"]
    assert states["units_tested"]["state"] == "sent"


def test_esign_release_by_operator(console, ws, mes, mini_seq):
    row, decision = _run(console, ws, mini_seq)
    assert decision["mode"] == "esign"
    auth = console.release(row.payload["run_id"], username="op1", password=USER_PW)
    assert auth["printed_name"] == "Olga Operator" and auth["mode"] == "esign"
    assert mes.messages[f"{row.payload['run_id']}:release"]["body"]["authority"]["username"] \
        == "op1"
    sigs = ws.signatures.signatures_for("tunnel.run", row.id)
    assert sigs and sigs[0].meaning == "released"


def test_role_rules_operator_released_only_draft_not_releasable(tmp_path, console, ws, mini_seq):
    draft = write_seq(tmp_path, "groups:\n  - key: g\n    steps:\n      - {key: a, action: "
        "{driver: sensors.read}}\n", name="draft.yaml", status="draft")
    op = ws.auth.authenticate("op1", USER_PW)
    with pytest.raises(PermissionDenied):
        console.make_spec(sequence_path=str(draft), serial="SN", user=op, mode="draft")
    with pytest.raises(PermissionDenied):
        console.make_spec(sequence_path=str(draft), serial="SN", user=op)
    row, decision = _run(console, ws, draft, user="qe1", mode="draft")
    assert row.payload["releasable"] is False and decision["mode"] == "blocked"
    with pytest.raises(rel.ReleaseRefused):
        console.release(row.payload["run_id"], username="qe1", password=USER_PW)


def _pdf_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_record_pdf_pages_calibration_and_no_raw_structures(tmp_path, console, ws, mini_seq):
    """Issue 17: page x of y and the run id on every page, calibration status per
    instrument, human text instead of Python dicts."""
    row, _ = _run(console, ws, mini_seq)
    r = row.payload
    pdf = write_record_pdf(r, tmp_path / "rec.pdf", release={
        "printed_name": "Quality Wang", "signed_utc": "2026-01-05T08:12:03.000Z",
        "meaning": "released", "mes": {"queued": True}})
    pages = _pdf_pages(pdf)
    for n, page in enumerate(pages, start=1):
        assert f"page {n} of {len(pages)}" in page and r["run_id"] in page
    text = "\n".join(pages)
    assert "calibrated, due" in text and "EXPIRED" not in text
    assert "released by Quality Wang" in text
    assert "{'" not in text and "':" not in text


def test_expired_calibration_refuses_the_run_and_is_flagged(tmp_path, console, ws, mini_seq):
    row, _ = _run(console, ws, mini_seq, defects=["expired_calibration"])
    r = row.payload
    assert r["status"] == "error" and "calibration expired" in (r.get("reason") or "")
    assert "KVP-3" in r["reason"] and r["disposition"] != "PASS"
    assert not any(s["attempts"] for s in r["steps"])            # no step was run
    text = "\n".join(_pdf_pages(write_record_pdf(r, tmp_path / "rec.pdf")))
    assert "KVP-3 (kVp meter): CALIBRATION EXPIRED" in text


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://mes.plant/api", "mes.plant:8080"])
def test_mes_client_refuses_a_url_that_is_not_http(url):
    """urllib would open file: and ftp: URLs; the MES client accepts only http(s)."""
    from app.core.errors import ValidationError

    with pytest.raises(ValidationError, match="http:// or https://"):
        MesClient(url)
    assert MesClient("HTTPS://mes.plant/api/").base_url == "HTTPS://mes.plant/api"


def test_record_noted_and_mes_messages_queued_in_one_transaction(console, ws, mini_seq):
    """A kill between noting the record and queueing "units tested" / "work completed"
    left a tested unit whose MES never heard of it (recovery looked only for runs without
    a noted record; tests/tunnel_test/test_lifecycle.py's kill test caught it). Now both
    are one journal transaction: when queueing fails, the record is not noted either, and
    recovery commits nothing twice and queues every message."""
    u = ws.auth.authenticate("op1", USER_PW)
    spec = console.make_spec(sequence_path=str(mini_seq), serial="SN-TX", user=u)
    run_id = console.run_inline(spec).run_id
    con = console.journal._con
    con.execute("CREATE TEMP TRIGGER no_outbox BEFORE INSERT ON tunnel_outbox "
                "BEGIN SELECT RAISE(ABORT, 'disk gone'); END")
    with pytest.raises(PharosError, match="MES messages"):
        console.finish(run_id, "op1")
    assert console.journal.run(run_id)["record_id"] is None          # nothing half-noted
    assert len(ws.store.query_records(kind="tunnel.run", ref=run_id)) == 1   # record kept
    con.execute("DROP TRIGGER no_outbox")
    [found] = console.recover_all()
    assert found["run_id"] == run_id and found["created"] is False     # the same record
    kinds = {o["kind"] for o in console.journal.outbox_all(run_id)}
    assert {"work_started", "units_tested", "work_completed"} <= kinds
    assert console.journal.run(run_id)["record_id"] == found["record_id"]
    assert console.recover_all() == []


def test_recovery_queues_the_messages_of_a_run_noted_without_them(console, ws, mini_seq):
    """A journal written before the fix: record noted, MES messages missing."""
    row, _ = _run(console, ws, mini_seq, serial="SN-OLD")
    run_id = row.payload["run_id"]
    console.journal._con.execute("DELETE FROM tunnel_outbox WHERE run_id=? AND kind<>?",
                                 (run_id, "work_started"))
    [found] = console.recover_all()
    assert found["record_id"] == row.id and found["created"] is False
    kinds = [o["kind"] for o in console.journal.outbox_all(run_id)]
    assert kinds.count("units_tested") == 1 and kinds.count("work_completed") == 1
    assert len(ws.store.query_records(kind="tunnel.run", ref=run_id)) == 1
