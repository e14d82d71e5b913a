"""Sync against a real PostgreSQL: push, idempotent replay, quarantine, schema refusal,
clock jumps, audit anchors, local-only mode."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from app.adapters.central.db import CentralSchemaMismatch, make_engine, migrate_central
from app.adapters.central.status import LOCAL_ONLY, REFUSED
from app.adapters.sync import SyncService
from tests.sync.stations import (assert_agree, central_count, legacy_record, open_station,
                                 write_mixed)

pytestmark = pytest.mark.postgres


def test_push_mixed_rows_agree_and_projections_fill(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    written = write_mixed(store, audit, 600)
    seen = []
    svc = SyncService(store, central_url, batch=128)
    svc.add_listener(seen.append)
    report = svc.sync_once()
    assert report["pushed"] == written and report["quarantined"] == 0
    counts = assert_agree(store, central_url)
    assert counts["records"]["central"] > 0 and counts["signatures"]["central"] > 0
    assert svc.status.backlog == 0 and svc.status.connected and svc.status.last_sync_utc
    assert any(s.state == "syncing" for s in seen) and seen[-1].state == "idle"
    engine = make_engine(central_url)
    with engine.connect() as conn:
        n_qc = conn.execute(text("SELECT count(*) FROM records WHERE kind='ct_qc.result'")).scalar()
        keys = dict(conn.execute(text("SELECT key, count(*) FROM qc_measurements GROUP BY key")).all())
        alarms = conn.execute(text("SELECT count(*) FROM alarm_events")).scalar()
        station = conn.execute(text("SELECT schema_version FROM stations WHERE id='ST-1'")).scalar()
    engine.dispose()
    assert keys["noise.sd"] == n_qc and len(keys) == 5
    assert alarms == counts["records"]["local"] - n_qc
    assert station == "0003_verdicts"


def test_replay_after_failure_between_commit_and_local_delete_does_not_duplicate(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    written = write_mixed(store, audit, 300)
    svc = SyncService(store, central_url, batch=1000)

    def lose_ack(point):
        if point == "after_central_commit":
            raise OSError("connection reset after commit (injected)")
    svc.fault_hook = lose_ack
    with pytest.raises(Exception):
        svc.sync_once()
    assert svc.status.state == "offline"
    assert svc.backlog_counts()[0] == written          # nothing deleted locally
    assert central_count(central_url, "records") > 0   # but the central commit happened
    svc.fault_hook = None
    report = svc.sync_once()
    assert report["replayed"] == written and report["inserted"] == 0
    assert_agree(store, central_url)


def test_rows_rejected_by_central_constraints_are_quarantined_and_the_rest_flows(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    write_mixed(store, audit, 200)
    legacy_record(store, "MAYBE")
    store.add_record("ct_qc.result", "S" * 200, {"x": 2}, username="op")
    store.add_record("ct_qc.result", "CT1", {"x": float("nan")}, username="op")
    write_mixed(store, audit, 200, seed=2)
    svc = SyncService(store, central_url, batch=64)
    report = svc.sync_once()
    assert report["quarantined"] == 3
    bad = svc.backlog_rows(quarantined=True)
    reasons = " | ".join(r["last_error"] for r in bad)
    assert "ck_c_records_verdict" in reasons and "too long" in reasons and "json" in reasons.lower()
    assert svc.status.backlog == 0 and svc.status.quarantined == 3 and svc.status.level == "error"
    assert central_count(central_url, "quarantine") == 3
    counts = assert_agree(store, central_url, quarantined=3)
    assert counts["records"]["quarantined"] == 3
    # quarantined rows are not retried on the next sync; new rows keep flowing
    write_mixed(store, audit, 20, seed=3)
    assert svc.sync_once()["quarantined"] == 0
    assert_agree(store, central_url, quarantined=3)


@pytest.mark.parametrize("where", ["behind", "ahead", "blank"])
def test_schema_mismatch_is_refused_without_partial_write(tmp_path, pg_server, where):
    url = pg_server.url(pg_server.create_database())
    if where == "behind":
        migrate_central(url, "0001_central")
    elif where == "ahead":
        from app.adapters.central.db import CENTRAL_MIGRATIONS

        script = tmp_path / "migrations"
        shutil.copytree(CENTRAL_MIGRATIONS, script)
        (script / "versions" / "0004_future.py").write_text(
            '"""future"""\nfrom alembic import op\nrevision = "0004_future"\n'
            'down_revision = "0003_verdicts"\nbranch_labels = None\ndepends_on = None\n\n\n'
            'def upgrade():\n    op.execute("CREATE TABLE future_table (x int)")\n\n\n'
            'def downgrade():\n    op.execute("DROP TABLE future_table")\n')
        migrate_central(url, script_location=script)
    store, audit = open_station(tmp_path / "s1", "ST-1")
    written = write_mixed(store, audit, 100)
    svc = SyncService(store, url, batch=10)
    with pytest.raises(CentralSchemaMismatch) as err:
        svc.sync_once()
    assert {"behind": "behind", "ahead": "ahead", "blank": "not initialised"}[where] in err.value.message
    assert svc.status.state == REFUSED and "refuses" in svc.status.last_error
    assert svc.backlog_counts()[0] == written
    if where != "blank":
        assert central_count(url, "records") == 0 and central_count(url, "audit_log") == 0
    if where == "behind":   # once the plant migrates, everything flows
        migrate_central(url)
        svc.sync_once()
        assert_agree(store, url)


def test_station_clock_jumping_back_changes_nothing(tmp_path, central_url, monkeypatch):
    import app.adapters.audit as audit_mod
    import app.adapters.store as store_mod
    from app.core.ids import utc_iso as real

    store, audit = open_station(tmp_path / "s1", "ST-1")
    write_mixed(store, audit, 100)
    svc = SyncService(store, central_url, batch=16)
    svc.sync_once()
    past = lambda dt=None: real(datetime.now(timezone.utc) - timedelta(days=3))  # noqa: E731
    monkeypatch.setattr(store_mod, "utc_iso", past)
    monkeypatch.setattr(audit_mod, "utc_iso", past)
    write_mixed(store, audit, 100, seed=5)               # created "3 days ago"
    monkeypatch.setattr(store_mod, "utc_iso", real)
    monkeypatch.setattr(audit_mod, "utc_iso", real)
    write_mixed(store, audit, 50, seed=6)                # and now again
    monkeypatch.setattr(store_mod, "utc_iso", past)
    write_mixed(store, audit, 50, seed=7)                # back again
    svc.refresh_backlog()
    assert svc.status.oldest_age_s() >= 0
    svc.sync_once()
    assert_agree(store, central_url)


def test_audit_head_is_anchored_centrally_and_a_cut_tail_is_detected(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    write_mixed(store, audit, 60)
    svc = SyncService(store, central_url, audit_head=audit.head)
    svc.sync_once()
    assert svc.central_anchor() == audit.head()
    from app.adapters.sync import central_anchor
    assert central_anchor(central_url, "ST-1") == audit.head()
    audit.append("config_change", "settings", "x", username="admin", new={"a": 1})
    svc.sync_once()   # the anchor follows the head at every sync
    anchor = svc.central_anchor()
    assert anchor == audit.head()
    # someone removes the newest audit entries locally (bypassing the triggers)
    with store.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.exec_driver_sql("DELETE FROM audit_log WHERE seq > ?", (anchor[0] - 2,))
    assert audit.verify(use_local_anchor=False).ok          # the chain alone looks fine
    assert not audit.verify(anchor=anchor).ok                # the central anchor sees the cut


def test_local_only_mode_says_so_and_keeps_the_outbox(tmp_path):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    write_mixed(store, audit, 10)
    svc = SyncService(store, "")
    assert svc.status.state == LOCAL_ONLY and svc.status.level == "off"
    assert "Local only" in svc.status.summary()
    with pytest.raises(Exception) as err:
        svc.sync_once()
    assert "central_url" in str(err.value)
    assert svc.backlog_counts()[0] == 10


def test_payload_text_survives_exactly_and_a_wrong_hash_is_refused(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    odd = {"neg_zero": -0.0, "big": 1e300, "tiny": 5e-324, "text": "ü 中文 \u0000 end",
           "precise": 0.1 + 0.2, "int": 2 ** 62}
    rec = store.add_record("ct_qc.result", "CT9", odd, username="op")
    from app.core.ids import canonical_json, new_id, utc_iso
    from sqlalchemy import insert
    from app.adapters import schema as S
    with store.write() as conn:   # a row whose hash does not match its payload
        row = {"id": new_id(), "station_id": "ST-1", "station_seq": store.next_seq(conn),
               "kind": "ct_qc.result", "subject": "CT9", "ref": "", "verdict": None,
               "payload": canonical_json({"a": 1}), "payload_sha256": "0" * 64,
               "supersedes": None, "username": "op", "created_utc": utc_iso(),
               "software_version": "0.1.0", "config_hash": "cfg0"}
        conn.execute(insert(S.records).values(**row))
        store.enqueue(conn, "records", row)
    svc = SyncService(store, central_url)
    assert svc.sync_once()["quarantined"] == 1
    assert "ck_c_records_sha" in svc.backlog_rows(quarantined=True)[0]["last_error"]
    counts = assert_agree(store, central_url, quarantined=1)
    assert counts["records"]["equal"] == 1
    assert store.get_record(rec.id).payload["text"] == odd["text"]
