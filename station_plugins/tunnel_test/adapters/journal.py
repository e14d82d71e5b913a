"""Durable journal of tunnel test runs: SQLite (WAL, synchronous=FULL), one file per
station data folder, written by the process that runs the sequence.

Every event is committed before anyone is told about it. Events carry a per-run
sequence number and a keyed hash chain (HMAC-SHA256 of the previous link + this event,
key in the data folder's ``keys/tunnel_journal.key`` like the audit trail's), so a gap,
an edit - even one with a recomputed chain - or a damaged file is detected by
:meth:`TunnelJournal.verify`. Runs journalled before the chain was keyed (``chain =
'sha256'``) are reported as such: they need a supervisor's decision like a broken one.
The same file holds the MES outbox (idempotent, keyed) so "record committed -> release
queued" survives a crash.
"""
from __future__ import annotations

import errno
import hashlib
import hmac
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

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
CHAIN = "hmac-sha256"
KEY_FILE = "tunnel_journal.key"

_REMEDIES = {
    "disk_full": ("Free disk space in the data folder; the run was stopped safely and what "
                  "was journalled is kept. Resume or abort the run afterwards."),
    "damaged": ("The journal file is damaged. Do not delete or edit it; keep it for the "
                "investigation. Release and resume of the runs in it stay blocked until a "
                "supervisor decides under e-signature (pharos tunnel integrity RUN_ID)."),
    "permission": ("The workstation account cannot write the data folder; an administrator "
                   "restores its permissions. Nothing journalled was lost."),
    "busy": ("Another program holds the journal file locked for too long; close it (or the "
             "second Pharos instance) and try again. Nothing journalled was lost."),
    "io": ("The disk holding the data folder reported an I/O error; check the disk and its "
           "cable/controller. What was journalled before is kept."),
    "other": ("Check the data folder; the run was stopped safely and what was journalled is "
              "kept. Resume or abort the run afterwards."),
}


class JournalError(StoreError):
    code = "PH-TT-JOURNAL"
    remedy = _REMEDIES["other"]


def classify(exc: BaseException) -> tuple[str, str]:
    """(fault, words) for a sqlite/OS error: what actually went wrong, for the operator."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "full" in text:
        return "disk_full", "the disk is full"
    if isinstance(exc, sqlite3.DatabaseError) and any(
            w in text for w in ("malformed", "not a database", "corrupt", "file is encrypted")):
        return "damaged", f"the journal file is damaged ({exc})"
    if isinstance(exc, PermissionError) or "readonly" in text or "permission" in text or \
            "unable to open" in text:
        return "permission", f"the journal file cannot be written ({exc})"
    if "locked" in text or "busy" in text:
        return "busy", f"the journal file is locked by another program ({exc})"
    if isinstance(exc, OSError) and exc.errno == errno.EIO or "disk i/o" in text:
        return "io", f"a disk I/O error ({exc})"
    return "other", str(exc)


def _raise(exc: BaseException, what: str) -> None:
    fault, words = classify(exc)
    raise JournalError(f"The run journal could not {what}: {words}.",
                       remedy=_REMEDIES[fault], detail=fault) from exc


def key_path_for(folder: str | Path) -> Path:
    """The journal's HMAC key: ``<data folder>/keys/tunnel_journal.key`` (a station folder
    ``<data>/stations/<id>`` uses the data folder's keys/, like the audit key)."""
    folder = Path(folder)
    root = folder.parent.parent if folder.parent.name == "stations" else folder
    return root / "keys" / KEY_FILE


def _link(key: bytes, prev: str, body: str) -> str:
    return hmac.new(key, (prev + body).encode("utf-8"), hashlib.sha256).hexdigest()


class TunnelJournal:
    def __init__(self, path: str | Path, *, key: bytes | None = None) -> None:
        from app.adapters.audit import load_or_create_key

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._key = key if key is not None else load_or_create_key(key_path_for(self.path.parent))
        try:
            self._con = sqlite3.connect(str(self.path), isolation_level=None,
                                        check_same_thread=False, timeout=30)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=FULL")
            self._con.execute("PRAGMA busy_timeout=30000")
            self._con.executescript(_SCHEMA)
            cols = {r[1] for r in self._con.execute("PRAGMA table_info(tunnel_runs)")}
            if "chain" not in cols:      # journals written before the chain was keyed
                self._con.execute("ALTER TABLE tunnel_runs ADD COLUMN chain TEXT NOT NULL "
                                  "DEFAULT 'sha256'")
        except (sqlite3.Error, OSError) as exc:
            _raise(exc, f"be opened at {self.path}")

    def close(self) -> None:
        with self._lock:
            self._con.close()

    # --- writing ---------------------------------------------------------------
    def begin_run(self, run_id: str, header: dict, event: dict) -> list[dict]:
        with self._transaction("start the run"):
            self._con.execute(
                "INSERT INTO tunnel_runs (run_id, serial, socket, status, started_utc, "
                "ended_utc, header, last_seq, last_hash, disposition, record_id, chain) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, header.get("serial", ""), header.get("socket", "A"), ACTIVE,
                 utc_iso(), None, canonical_json(header), 0, "", None, None, CHAIN))
            return self._insert(run_id, [event])

    def append(self, run_id: str, events: Iterable[dict], *, status: str | None = None,
               disposition: str | None = None) -> list[dict]:
        """Append events in one transaction (optionally closing the run)."""
        with self._transaction("append an event"):
            out = self._insert(run_id, list(events))
            if status is not None:
                self._con.execute(
                    "UPDATE tunnel_runs SET status=?, ended_utc=?, disposition=? "
                    "WHERE run_id=?", (status, None if status == ACTIVE else utc_iso(),
                                       disposition, run_id))
            return out

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        """One write transaction under the lock; rolled back on any exception (a storage
        error is raised as the journal's own, naming ``what`` was being done)."""
        with self._lock:
            try:
                self._con.execute("BEGIN IMMEDIATE")
                yield
                self._con.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, (sqlite3.Error, OSError)):
                    _raise(exc, what)
                raise

    def _insert(self, run_id: str, events: list[dict]) -> list[dict]:
        row = self._con.execute("SELECT last_seq, last_hash, chain FROM tunnel_runs WHERE "
                                "run_id=?", (run_id,)).fetchone()
        if row is None:
            raise JournalError(f"run {run_id} is not in the journal")
        seq, prev, chain = row
        out = []
        for ev in events:
            seq += 1
            ev = {**ev, "seq": seq, "ts_utc": ev.get("ts_utc") or utc_iso()}
            body = canonical_json(ev)
            prev = _link(self._key, prev, body) if chain == CHAIN else sha256_hex(prev + body)
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

    def note_record(self, run_id: str, record_id: str,
                    messages: Iterable[tuple[str, str, dict]]) -> None:
        """Note the committed record and queue its MES messages (key, kind, payload) in
        ONE journal transaction: a kill between the two left a run with its record noted
        but no "units tested" / "work completed" message, and recovery (which looks for
        runs without a noted record) never queued them. Messages are idempotent by key."""
        with self._transaction("note the committed record and queue its MES messages"):
            self._con.execute("UPDATE tunnel_runs SET record_id=? WHERE run_id=?",
                              (record_id, run_id))
            self._con.executemany(_OUTBOX_INSERT, [_outbox_row(key, run_id, kind, payload)
                                                   for key, kind, payload in messages])

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._con.execute(sql, args).fetchall()
            except (sqlite3.Error, OSError) as exc:
                _raise(exc, "be read")
                raise   # unreachable

    # --- reading ---------------------------------------------------------------
    _COLS = ("SELECT run_id, serial, socket, status, started_utc, ended_utc, header, "
             "last_seq, disposition, record_id FROM tunnel_runs")

    def run(self, run_id: str) -> dict | None:
        rows = self._query(self._COLS + " WHERE run_id=?", (run_id,))
        return _run_row(rows[0]) if rows else None

    def runs(self, *, status: str | None = None, limit: int = 50) -> list[dict]:
        q = self._COLS
        args: tuple[str, ...] = ()
        if status:
            q, args = q + " WHERE status=?", (status,)
        rows = self._query(q + " ORDER BY started_utc DESC LIMIT ?", (*args, limit))
        return [_run_row(r) for r in rows]

    def unfinished_runs(self) -> list[dict]:
        return self.runs(status=ACTIVE, limit=1000)

    def ended_without_record(self) -> list[dict]:
        """Runs that ended (run_end journalled) but whose record was never committed, or
        whose record was noted without its MES messages (journals written before
        :meth:`note_record` made the two one transaction)."""
        rows = self._query(self._COLS + " WHERE status<>? AND (record_id IS NULL OR NOT "
                           "EXISTS (SELECT 1 FROM tunnel_outbox o WHERE o.key = "
                           "tunnel_runs.run_id || ':completed')) ORDER BY started_utc",
                           (ACTIVE,))
        return [_run_row(r) for r in rows]

    def events(self, run_id: str) -> list[dict]:
        rows = self._query("SELECT body FROM tunnel_events WHERE run_id=? ORDER BY seq",
                           (run_id,))
        return [json.loads(b) for (b,) in rows]

    def last_event(self, run_id: str) -> dict | None:
        rows = self._query("SELECT body FROM tunnel_events WHERE run_id=? ORDER BY seq DESC "
                           "LIMIT 1", (run_id,))
        return json.loads(rows[0][0]) if rows else None

    def verify(self, run_id: str) -> list[str]:
        """Problems found in a run's journal (empty list = consistent): a gap, an edited or
        re-chained event (keyed chain), a header that does not match its events, a run
        whose status disagrees with its run_end, or a damaged file (named)."""
        try:
            with self._lock:
                rows = self._con.execute("SELECT seq, kind, body, hash FROM tunnel_events "
                                         "WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()
                head = self._con.execute("SELECT last_seq, last_hash, chain, status, "
                                         "disposition FROM tunnel_runs WHERE run_id=?",
                                         (run_id,)).fetchone()
        except (sqlite3.Error, OSError) as exc:
            return [f"journal file damaged: {classify(exc)[1]}"]
        if head is None:
            return ["run header missing"]
        problems: list[str] = []
        last_seq, last_hash, chain, status, disposition = head
        if chain != CHAIN:
            problems.append(f"unkeyed ({chain}) hash chain from an older Pharos version: "
                            f"an edit with a recomputed chain would not be detected")
        prev, end = "", None
        for i, (seq, kind, body, h) in enumerate(rows, start=1):
            if seq != i:
                problems.append(f"sequence gap at {i} (found {seq})")
                break
            prev = _link(self._key, prev, body) if chain == CHAIN else sha256_hex(prev + body)
            if not hmac.compare_digest(prev, h):
                problems.append(f"hash chain broken at event {seq}")
                break
            try:
                ev = json.loads(body)
            except ValueError:
                problems.append(f"event {seq} is not readable JSON")
                break
            if ev.get("seq") != seq or ev.get("kind") != kind:
                problems.append(f"event {seq}: stored columns differ from the signed body")
                break
            if kind == "run_end":
                end = ev
        else:
            if rows and (last_seq != len(rows) or last_hash != prev):
                problems.append("run header does not match the last event")
            if status == ACTIVE and end is not None:
                problems.append("run marked running although its run_end is journalled")
            elif status != ACTIVE and end is None:
                problems.append(f"run marked {status} but no run_end is journalled")
            elif end is not None and (end.get("status") != status
                                      or end.get("disposition") != disposition):
                problems.append(f"run header says {status}/{disposition}, its run_end says "
                                f"{end.get('status')}/{end.get('disposition')}")
        return problems

    # --- MES outbox (idempotent by key) -------------------------------------------
    def outbox_put(self, key: str, run_id: str, kind: str, payload: dict) -> bool:
        with self._lock:
            try:
                cur = self._con.execute(_OUTBOX_INSERT,
                                        _outbox_row(key, run_id, kind, payload))
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


_OUTBOX_INSERT = "INSERT OR IGNORE INTO tunnel_outbox VALUES (?,?,?,?,?,?,?,?,?)"


def _outbox_row(key: str, run_id: str, kind: str, payload: dict) -> tuple:
    """A new, pending outbox row (key, run, kind, payload, state, attempts, last error,
    created, sent)."""
    return (key, run_id, kind, canonical_json(payload), "pending", 0, None, utc_iso(), None)


def _run_row(r: tuple) -> dict:
    keys = ("run_id", "serial", "socket", "status", "started_utc", "ended_utc", "header",
            "last_seq", "disposition", "record_id")
    d: dict[str, Any] = dict(zip(keys, r))
    d["header"] = json.loads(d["header"])
    return d
