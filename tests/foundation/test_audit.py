import sqlite3

import pytest

from app.core.errors import StoreError


def _raw(ws):
    return sqlite3.connect(ws.store.db_path)


def test_append_and_verify_chain(ws):
    for i in range(20):
        ws.audit.append("change", "limit_profile", "acr", username="qe", old={"v": i},
                        new={"v": i + 1}, reason="tightened")
    report = ws.audit.verify()
    assert report.ok, report.text()
    assert report.count == 21  # + the first-run admin creation
    assert ws.audit.head()[0] == 21
    assert ws.audit.local_anchor() == ws.audit.head()


def test_database_refuses_update_and_delete(ws):
    ws.audit.append("create", "x", "1", username="u")
    with pytest.raises(StoreError, match="append-only"):
        with ws.store.write() as conn:
            conn.exec_driver_sql("UPDATE audit_log SET reason='x' WHERE seq=1")
    with pytest.raises(StoreError, match="append-only"):
        with ws.store.write() as conn:
            conn.exec_driver_sql("DELETE FROM audit_log")


def test_verify_names_a_tampered_row(ws):
    for i in range(5):
        ws.audit.append("change", "setting", "k", username="u", new=i, reason="r")
    con = _raw(ws)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET new_value='99' WHERE seq=4")
    con.commit()
    report = ws.audit.verify()
    assert not report.ok
    assert report.first_bad_seq == 4
    assert "altered" in report.problem


def test_verify_finds_a_gap(ws):
    for i in range(5):
        ws.audit.append("change", "setting", "k", username="u", new=i)
    con = _raw(ws)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq=3")
    con.commit()
    report = ws.audit.verify()
    assert not report.ok and report.first_bad_seq == 3 and "gap" in report.problem


def test_verify_finds_a_cut_tail_against_the_anchor(ws):
    for i in range(5):
        ws.audit.append("change", "setting", "k", username="u", new=i)
    anchor = ws.audit.head()
    con = _raw(ws)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq>=5")
    con.commit()
    assert ws.audit.verify(use_local_anchor=False).ok  # a chain alone cannot see it
    report = ws.audit.verify(anchor=anchor)
    assert not report.ok and "tail cut off" in report.problem
    assert not ws.audit.verify().ok  # the local head file catches it too


def test_rewritten_chain_differs_from_anchor(ws):
    ws.audit.append("change", "s", "k", username="u", new=1)
    seq, hsh = ws.audit.head()
    report = ws.audit.verify(anchor=(seq, "f" * 64))
    assert not report.ok and "anchored hash" in report.problem


def test_export_csv_and_pdf(ws, tmp_path):
    ws.audit.append("change", "limit", "acr", username="qe", old={"a": 1}, new={"a": 2},
                    reason="受控变更 controlled change")
    n = ws.audit.export_csv(tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    assert n == 2 and "受控变更" in text and "seq,ts_utc" in text
    assert ws.audit.export_pdf(tmp_path / "a.pdf", username="qe") == 1
    assert (tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"


def test_audit_rows_reach_the_outbox(ws):
    before, _ = ws.store.outbox_size()
    ws.audit.append("create", "x", "1", username="u")
    after, _ = ws.store.outbox_size()
    assert after == before + 1
