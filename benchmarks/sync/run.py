"""Sync benchmark against a real local PostgreSQL (started here, torn down at the end).

    .venv/bin/python benchmarks/sync/run.py [--quick]

Prints one table:
  * push throughput (rows/s) and station CPU (process CPU s per 10k rows) for 10,000 and
    100,000 mixed rows (QC results, audit entries, signatures, alarm records);
  * catch-up after a 1-hour outage at plant rates (5 stations in 5 processes at once);
  * sync lag in normal operation (record created -> central transaction), p50/p95, at
    sync_interval 1 s.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from app.adapters import schema as S  # noqa: E402
from app.adapters.central.db import make_engine, migrate_central  # noqa: E402
from app.adapters.store import Store  # noqa: E402
from app.adapters.sync import SyncService  # noqa: E402
from app.core.audit_chain import GENESIS, link_hash  # noqa: E402
from app.core.ids import canonical_json, new_id, sha256_hex, utc_iso  # noqa: E402
from tests.pg_fixtures import PgServer  # noqa: E402
from tests.sync.stations import KEY, open_station, qc_payload, write_mixed  # noqa: E402

# Plant rates per station and hour (assumed; see docs/sync.md)
RATES = {"ct_qc.result": 60, "audit": 200, "signatures": 30, "lead_room.alarm": 40,
         "lead_room.aggregate": 360, "tunnel_test.step": 600}
STATIONS = 5


def fill(store: Store, n: int, seed: int = 1) -> int:
    """Write ~n mixed rows fast (bulk, one transaction per 5,000), exactly as the app would."""
    rng = random.Random(seed)
    sid = store.station_id
    with store.read() as conn:
        last = conn.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).first()
    aseq, prev = (last[0], last[1]) if last else (0, GENESIS)
    written = 0
    while written < n:
        recs, audits, sigs, outbox = [], [], [], []
        with store.write() as conn:
            for _ in range(min(5000, n - written)):
                i = written
                now = utc_iso()
                if i % 7 == 6:
                    kind, subject = "lead_room.alarm", f"room-{i % 3}"
                    payload = {"alarm_id": f"A{i % 5}", "severity": "high", "state": "raised",
                               "value": round(rng.random(), 4)}
                elif i % 4 == 3:
                    aseq += 1
                    row = {"seq": aseq, "id": new_id(), "ts_utc": now, "station_id": sid,
                           "username": "op1", "action": "create", "entity": "ct_qc.result",
                           "entity_id": new_id(), "old_value": None,
                           "new_value": canonical_json({"verdict": "PASS"}), "reason": "",
                           "prev_hash": prev}
                    row["hash"] = prev = link_hash(KEY, prev, row)
                    audits.append(row)
                    outbox.append(_ob("audit_log", {**row, "station_seq": aseq}, now))
                    written += 1
                    continue
                elif i % 8 == 5:
                    row = {"id": new_id(), "station_id": sid, "station_seq": store.next_seq(conn),
                           "record_kind": "ct_qc.result", "record_id": new_id(),
                           "content_sha256": sha256_hex(str(i)), "meaning": "reviewed",
                           "username": "qe1", "printed_name": "Q. Engineer", "signed_utc": now,
                           "comment": "", "audit_seq": max(1, aseq)}
                    sigs.append(row)
                    outbox.append(_ob("signatures", row, now))
                    written += 1
                    continue
                else:
                    kind, subject = "ct_qc.result", f"CT{1000 + i % 8}"
                    payload = qc_payload(rng, subject)
                body = canonical_json(payload)
                row = {"id": new_id(), "station_id": sid, "station_seq": store.next_seq(conn),
                       "kind": kind, "subject": subject, "ref": "", "verdict": "PASS",
                       "payload": body, "payload_sha256": sha256_hex(body), "supersedes": None,
                       "username": "op1", "created_utc": now, "software_version": "0.1.0",
                       "config_hash": "cfg0"}
                recs.append(row)
                outbox.append(_ob("records", row, now))
                written += 1
            for table, rows in ((S.records, recs), (S.audit_log, audits),
                                (S.signatures, sigs), (S.outbox, outbox)):
                if rows:
                    conn.execute(insert(table), rows)
    return written


def _ob(table: str, row: dict, now: str) -> dict:
    return {"table_name": table, "row_id": str(row["id"]),
            "station_seq": int(row.get("station_seq", 0)), "created_utc": now,
            "payload": canonical_json(row), "attempts": 0, "quarantined": False}


def bench_push(server: PgServer, n: int, batch: int) -> dict:
    url = server.url(server.create_database())
    migrate_central(url)
    store, _ = open_station(Path(tempfile.mkdtemp()) / "s", "BENCH-1")
    rows = fill(store, n)
    svc = SyncService(store, url, batch=batch)
    cpu0, t0 = time.process_time(), time.perf_counter()
    report = svc.push_all()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    assert report["pushed"] == rows and svc.backlog_counts()[0] == 0, report
    svc.close()
    store.close()
    return {"rows": rows, "wall": wall, "rate": rows / wall, "cpu_per_10k": cpu / rows * 1e4}


def _station_catch_up(args: tuple[str, str, int]) -> tuple[int, float]:
    folder, url, batch = args
    store = Store(Path(folder) / "pharos.db", station_id=Path(folder).name,
                  software_version="0.1.0", config_hash="cfg0").open()
    svc = SyncService(store, url, batch=batch)
    t0 = time.perf_counter()
    report = svc.push_all()
    return report["pushed"], time.perf_counter() - t0


def bench_outage(server: PgServer, factor: int = 1) -> dict:
    url = server.url(server.create_database())
    migrate_central(url)
    per_station = sum(RATES.values()) * factor
    base = Path(tempfile.mkdtemp())
    folders = []
    for i in range(STATIONS):
        store, _ = open_station(base / f"ST-{i + 1}", f"ST-{i + 1}")
        fill(store, per_station, seed=i)
        store.close()
        folders.append(str(base / f"ST-{i + 1}"))
    t0 = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(STATIONS) as pool:
        results = list(pool.map(_station_catch_up, [(f, url, 1000) for f in folders]))
    wall = time.perf_counter() - t0
    total = sum(r[0] for r in results)
    assert total == per_station * STATIONS, results
    return {"rows": total, "wall": wall, "slowest_station": max(r[1] for r in results)}


def bench_lag(server: PgServer, seconds: float, rate_per_s: float) -> dict:
    url = server.url(server.create_database())
    migrate_central(url)
    store, audit = open_station(Path(tempfile.mkdtemp()) / "s", "LAG-1")
    svc = SyncService(store, url, interval_s=1.0, batch=1000)
    svc.start()
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        write_mixed(store, audit, 2, seed=n)   # one QC result + its audit entry
        n += 1
        time.sleep(1.0 / rate_per_s)
    deadline = time.monotonic() + 30
    while svc.backlog_counts()[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    svc.stop()
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT created_utc, received_at FROM records")).all()
    engine.dispose()
    lags = sorted((r[1] - datetime.fromisoformat(r[0].replace("Z", "+00:00"))).total_seconds()
                  for r in rows)
    q = statistics.quantiles(lags, n=100)
    return {"rows": len(lags), "p50": q[49], "p95": q[94], "max": lags[-1]}


def note(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k only, shorter lag run")
    args = ap.parse_args()
    server = PgServer(fsync=True).init().start()  # durable commits, as in the plant
    out = []
    try:
        sizes = [10_000] if args.quick else [10_000, 100_000]
        for n in sizes:
            note(f"push {n} rows")
            r = bench_push(server, n, 1000)
            out.append((f"push {n:,} mixed rows (batch 1000)", f"{r['rate']:,.0f} rows/s",
                        f"{r['wall']:.2f} s wall, station CPU {r['cpu_per_10k']:.2f} s / 10k rows"))
        r = bench_push(server, 10_000, 5000)
        out.append(("push 10,000 mixed rows (batch 5000)", f"{r['rate']:,.0f} rows/s",
                    f"{r['wall']:.2f} s wall, station CPU {r['cpu_per_10k']:.2f} s / 10k rows"))
        for factor in (1, 10):
            note(f"outage catch-up x{factor}")
            o = bench_outage(server, factor)
            out.append((f"catch-up after 1 h outage, {STATIONS} stations x "
                        f"{sum(RATES.values()) * factor:,} rows/h", f"{o['wall']:.2f} s",
                        f"{o['rows']:,} rows; slowest station {o['slowest_station']:.2f} s "
                        f"(5 processes at once)"))
        note("sync lag")
        lg = bench_lag(server, 10 if args.quick else 30, 5)
        out.append(("sync lag at sync_interval 1 s (5 results/s + audit)",
                    f"p50 {lg['p50']:.2f} s / p95 {lg['p95']:.2f} s",
                    f"max {lg['max']:.2f} s over {lg['rows']} records"))
    finally:
        server.destroy()
    w0 = max(len(a) for a, _, _ in out)
    w1 = max(len(b) for _, b, _ in out)
    print(f"\n{'measure'.ljust(w0)}  {'result'.ljust(w1)}  detail")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * 40}")
    for a, b, c in out:
        print(f"{a.ljust(w0)}  {b.ljust(w1)}  {c}")
    load = os.getloadavg()
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f} (1/5/15 min) at the end; PostgreSQL fsync on")
    print("plant rates per station and hour (assumed): "
          + ", ".join(f"{k} {v}" for k, v in RATES.items()))


if __name__ == "__main__":
    main()
