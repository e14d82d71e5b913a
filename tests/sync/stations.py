"""Test stations: a real local store + audit trail, writing a plant-like mix of rows."""
from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import insert

from app.adapters import schema as S
from app.adapters.audit import AuditTrail
from app.adapters.store import Store
from app.core.ids import new_id, utc_iso
from tests.waiting import wait_for  # noqa: F401 - re-exported for the tests

KEY = bytes(range(32))


def open_station(folder: Path, station_id: str) -> tuple[Store, AuditTrail]:
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(folder / "pharos.db", station_id=station_id, software_version="0.1.0",
                  config_hash="cfg0").open()
    return store, AuditTrail(store, KEY, head_file=folder / "audit.head")


def qc_payload(rng: random.Random, serial: str) -> dict:
    keys = [("ct_number.water", "HU", 0.0), ("ct_number.teflon", "HU", 950.0),
            ("noise.sd", "HU", 5.0), ("mtf.mtf50", "lp/cm", 4.5), ("uniformity.max_dev", "HU", 2.0)]
    ms = []
    for key, unit, base in keys:
        value = round(base + rng.gauss(0, 1.5), 3)
        ms.append({"key": key, "value": value, "unit": unit, "limits": {"low": base - 5,
                   "high": base + 5}, "verdict": "PASS" if abs(value - base) < 4 else "WARN",
                   "where": {"slice": rng.randint(0, 40), "kind": "circle"}})
    return {"schema_version": "1.0", "verdict": "PASS", "phantom": "catphan604",
            "measurements": ms, "artifacts": [], "curves": [],
            "profile": {"name": "default", "version": "1", "sha256": ""},
            "inputs": {"scanner_serial": serial, "kvp": 120, "n_slices": 48}}


def add_signature(store: Store, audit: AuditTrail, conn, record_id: str, digest: str,
                  username: str = "qe1") -> dict:
    """What SignatureService.sign writes (without the password check)."""
    entry = audit.append("sign", "ct_qc.result", record_id, username=username,
                         new={"meaning": "reviewed", "content_sha256": digest}, conn=conn)
    row = {"id": new_id(), "station_id": store.station_id, "station_seq": store.next_seq(conn),
           "record_kind": "ct_qc.result", "record_id": record_id, "content_sha256": digest,
           "meaning": "reviewed", "username": username, "printed_name": "Q. Engineer",
           "signed_utc": utc_iso(), "comment": "", "audit_seq": entry.seq}
    conn.execute(insert(S.signatures).values(**row))
    store.enqueue(conn, "signatures", row)
    return row


def write_mixed(store: Store, audit: AuditTrail, n: int, *, seed: int = 1,
                per_txn: int = 50) -> int:
    """About n rows: QC results (+ audit entry), every 4th signed, every 7th an alarm."""
    rng = random.Random(seed)
    written = 0
    serials = [f"CT{1000 + i}" for i in range(8)]
    while written < n:
        with store.write() as conn:
            for _ in range(per_txn):
                if written >= n:
                    break
                serial = rng.choice(serials)
                i = written
                if i % 7 == 6:
                    store.add_record("lead_room.alarm", f"room-{i % 3}", {
                        "alarm_id": f"A{i % 5}", "severity": rng.choice(["high", "low"]),
                        "state": rng.choice(["raised", "cleared"]), "value": rng.random()},
                        username="", ref=f"A{i % 5}", conn=conn)
                    written += 1
                    continue
                rec = store.add_record("ct_qc.result", serial, qc_payload(rng, serial),
                                       username="op1", ref=new_id(), verdict="PASS", conn=conn)
                audit.append("create", "ct_qc.result", rec.id, username="op1",
                             new={"verdict": "PASS"}, conn=conn)
                written += 2
                if i % 4 == 0 and written < n:
                    add_signature(store, audit, conn, rec.id, rec.payload_sha256)
                    written += 2
    return written


def legacy_record(store: Store, verdict: str, *, subject: str = "CT1") -> dict:
    """A record as an older station version wrote it, with a verdict outside today's
    vocabulary (the store refuses to write one now): what the central database refuses."""
    from app.core.ids import canonical_json, sha256_hex

    with store.write() as conn:
        body = canonical_json({"x": 1})
        row = {"id": new_id(), "station_id": store.station_id,
               "station_seq": store.next_seq(conn), "kind": "ct_qc.result",
               "subject": subject, "ref": "", "verdict": verdict, "payload": body,
               "payload_sha256": sha256_hex(body), "supersedes": None, "username": "op",
               "created_utc": utc_iso(), "software_version": "0.0.9", "config_hash": "old"}
        conn.execute(insert(S.records).values(**row))
        store.enqueue(conn, "records", row)
    return row


def assert_agree(store: Store, url: str, *, quarantined: int = 0) -> dict:
    """Central and local agree exactly (counts, content hashes), no duplicate, no gap;
    ``quarantined`` rows (consistently quarantined on both sides) are expected."""
    from app.adapters.central.compare import compare_station
    from app.adapters.central.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ag = compare_station(store, conn)
    finally:
        engine.dispose()
    if quarantined:
        assert not ag.problems and not ag.pending and ag.quarantined == quarantined, ag.text()
        assert not ag.ok                    # `sync verify` fails while rows are quarantined
    else:
        assert ag.ok, ag.text()
    return ag.counts


def central_count(url: str, table: str = "records") -> int:
    import psycopg

    from app.adapters.central.db import normalise_url
    from sqlalchemy.engine import make_url

    u = make_url(normalise_url(url))
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database,
                         connect_timeout=3) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
