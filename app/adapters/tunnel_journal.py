"""Durable journal of tunnel test runs: SQLite (WAL, synchronous=FULL), one file per
station data folder, written by the process that runs the sequence.

Every event is committed before anyone is told about it. Events carry a per-run
sequence number and a hash chain (sha256 of the previous event's hash + this event),
so a gap or an edit is detectable by :meth:`TunnelJournal.verify`. The same file holds
the MES outbox (idempotent, keyed) so "record committed -> release queued" survives a
crash.
"""
from __future__ import annotations

import errno
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable

from app.core.errors import StoreError
from app.core.ids import canonical_json, sha256_hex, utc_iso

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tunnel_runs (
  run_id TEXT PRIMARY KEY, serial TEXT NOT NULL, socket TEXT NOT NULL,
  status TEXT NOT NULL, started_utc TEXT NOT NULL, ended_utc TEXT,
  header TEXT NOT NULL, last_seq INTEGER NOT NULL, last_hash TEXT NOT NULL,
  disposition TEXT, record_id TEXT);
CREATE TABLE IF NOT EXISTS tunnel_events (
  run_id TEXT NOT NULL, seq INTEGER NOT NULL, ts_utc TEXT NOT NULL, kind TEXT NOT NULL,
  step TEXT, body TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS tunnel_outbox (
  key TEXT PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT,
  created_utc TEXT NOT NULL, sent_utc TEXT);
CREATE TRIGGER IF NOT EXISTS tunnel_events_no_update BEFORE UPDATE ON tunnel_events
  BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS tunnel_events_no_delete BEFORE DELETE ON tunnel_events
  BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
"""
ACTIVE = "running"


class JournalError(StoreError):
    code = "PH-TT-JOURNAL"
    remedy = ("Free disk space in the data folder; the run was stopped safely and what was "
              "journalled is kept. Resume or abort the run afterwards.")


def _raise(exc: BaseException, what: str) -> None:
    full = isinstance(exc, OSError) and exc.errno == errno.ENOSPC or \
        "full" in str(exc).lower()
    raise JournalError(f"The run journal could not {what}: "
                       f"{'disk full' if full else exc}.") from exc


class TunnelJournal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._con = sqlite3.connect(str(self.path), isolation_level=None,
                                        check_same_thread=False, timeout=30)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=FULL")
            self._con.execute("PRAGMA busy_timeout=30000")
            self._con.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            _raise(exc, f"be opened at {self.path}")

    def close(self) -> None:
        with self._lock:
            self._con.close()

    # --- writing ---------------------------------------------------------------
    def begin_run(self, run_id: str, header: dict, event: dict) -> list[dict]:
        with self._lock:
            try:
                self._con.execute("BEGIN IMMEDIATE")
                self._con.execute(
                    "INSERT INTO tunnel_runs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (run_id, header.get("serial", ""), header.get("socket", "A"), ACTIVE,
                     utc_iso(), None, canonical_json(header), 0, "", None, None))
                out = self._insert(run_id, [event])
                self._con.execute("COMMIT")
                return out
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, (sqlite3.Error, OSError)):
                    _raise(exc, "start the run")
                raise

    def append(self, run_id: str, events: Iterable[dict], *, status: str | None = None,
               disposition: str | None = None) -> list[dict]:
        """Append events in one transaction (optionally closing the run)."""
        with self._lock:
            try:
                self._con.execute("BEGIN IMMEDIATE")
                out = self._insert(run_id, list(events))
                if status is not None:
                    self._con.execute(
                        "UPDATE tunnel_runs SET status=?, ended_utc=?, disposition=? "
                        "WHERE run_id=?", (status, None if status == ACTIVE else utc_iso(),
                                           disposition, run_id))
                self._con.execute("COMMIT")
                return out
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, (sqlite3.Error, OSError)):
                    _raise(exc, "append an event")
                raise

    def _insert(self, run_id: str, events: list[dict]) -> list[dict]:
        row = self._con.execute("SELECT last_seq, last_hash FROM tunnel_runs WHERE run_id=?",
                                (run_id,)).fetchone()
        if row is None:
            raise JournalError(f"run {run_id} is not in the journal")
        seq, prev = row
        out = []
        for ev in events:
            seq += 1
            ev = {**ev, "seq": seq, "ts_utc": ev.get("ts_utc") or utc_iso()}
            body = canonical_json(ev)
            prev = sha256_hex(prev + body)
            self._con.execute("INSERT INTO tunnel_events VALUES (?,?,?,?,?,?,?)",
                              (run_id, seq, ev["ts_utc"], ev["kind"], ev.get("step"), body, prev))
            out.append(ev)
        self._con.execute("UPDATE tunnel_runs SET last_seq=?, last_hash=? WHERE run_id=?",
                          (seq, prev, run_id))
        return out

    def _rollback(self) -> None:
        try:
            self._con.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def set_record(self, run_id: str, record_id: str) -> None:
        with self._lock:
            self._con.execute("UPDATE tunnel_runs SET record_id=? WHERE run_id=?",
                              (record_id, run_id))

    # --- reading ---------------------------------------------------------------
    def run(self, run_id: str) -> dict | None:
        with self._lock:
            r = self._con.execute("SELECT run_id, serial, socket, status, started_utc, "
                                  "ended_utc, header, last_seq, disposition, record_id "
                                  "FROM tunnel_runs WHERE run_id=?", (run_id,)).fetchone()
        return _run_row(r) if r else None

    def runs(self, *, status: str | None = None, limit: int = 50) -> list[dict]:
        q = ("SELECT run_id, serial, socket, status, started_utc, ended_utc, header, "
             "last_seq, disposition, record_id FROM tunnel_runs")
        args: tuple = ()
        if status:
            q, args = q + " WHERE status=?", (status,)
        with self._lock:
            rows = self._con.execute(q + " ORDER BY started_utc DESC LIMIT ?",
                                     (*args, limit)).fetchall()
        return [_run_row(r) for r in rows]

    def unfinished_runs(self) -> list[dict]:
        return self.runs(status=ACTIVE, limit=1000)

    def events(self, run_id: str) -> list[dict]:
        with self._lock:
            rows = self._con.execute("SELECT body FROM tunnel_events WHERE run_id=? "
                                     "ORDER BY seq", (run_id,)).fetchall()
        return [json.loads(b) for (b,) in rows]

    def verify(self, run_id: str) -> list[str]:
        """Problems found in a run's journal (empty list = consistent)."""
        problems: list[str] = []
        with self._lock:
            rows = self._con.execute("SELECT seq, body, hash FROM tunnel_events WHERE "
                                     "run_id=? ORDER BY seq", (run_id,)).fetchall()
            head = self._con.execute("SELECT last_seq, last_hash FROM tunnel_runs WHERE "
                                     "run_id=?", (run_id,)).fetchone()
        prev = ""
        for i, (seq, body, h) in enumerate(rows, start=1):
            if seq != i:
                problems.append(f"sequence gap at {i} (found {seq})")
                break
            prev = sha256_hex(prev + body)
            if prev != h:
                problems.append(f"hash chain broken at event {seq}")
                break
        if head is None:
            problems.append("run header missing")
        elif rows and (head[0] != len(rows) or head[1] != prev):
            problems.append("run header does not match the last event")
        return problems

    # --- MES outbox (idempotent by key) -------------------------------------------
    def outbox_put(self, key: str, run_id: str, kind: str, payload: dict) -> bool:
        with self._lock:
            try:
                cur = self._con.execute(
                    "INSERT OR IGNORE INTO tunnel_outbox VALUES (?,?,?,?,?,?,?,?,?)",
                    (key, run_id, kind, canonical_json(payload), "pending", 0, None,
                     utc_iso(), None))
            except (sqlite3.Error, OSError) as exc:
                _raise(exc, "queue an MES message")
        return cur.rowcount == 1

    def outbox_pending(self) -> list[dict]:
        with self._lock:
            rows = self._con.execute("SELECT key, run_id, kind, payload, attempts FROM "
                                     "tunnel_outbox WHERE state='pending' ORDER BY "
                                     "created_utc, rowid").fetchall()
        return [{"key": k, "run_id": r, "kind": kd, "payload": json.loads(p), "attempts": a}
                for k, r, kd, p, a in rows]

    def outbox_all(self, run_id: str) -> list[dict]:
        with self._lock:
            rows = self._con.execute("SELECT key, kind, state, attempts, last_error, sent_utc "
                                     "FROM tunnel_outbox WHERE run_id=? ORDER BY rowid",
                                     (run_id,)).fetchall()
        return [dict(zip(("key", "kind", "state", "attempts", "last_error", "sent_utc"), r))
                for r in rows]

    def outbox_mark(self, key: str, state: str, error: str | None = None) -> None:
        with self._lock:
            self._con.execute("UPDATE tunnel_outbox SET state=?, attempts=attempts+1, "
                              "last_error=?, sent_utc=? WHERE key=?",
                              (state, error, utc_iso() if state == "sent" else None, key))


def _run_row(r: tuple) -> dict:
    keys = ("run_id", "serial", "socket", "status", "started_utc", "ended_utc", "header",
            "last_seq", "disposition", "record_id")
    d: dict[str, Any] = dict(zip(keys, r))
    d["header"] = json.loads(d["header"])
    return d
