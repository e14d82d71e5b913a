"""Append-only audit trail with an HMAC chain (21 CFR 11.10(e)).

Every create / change / delete / sign / login / failed login / configuration change is
one entry: who, what, when, old and new value, reason. The database refuses UPDATE and
DELETE (triggers); each entry is chained by HMAC to the previous one; the head is written
to ``audit.head`` beside the store after each append (a local anchor; the sync service
anchors it centrally too) so a cut-off tail is detected.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import Connection, event, func, insert, select

from app.adapters import schema as S
from app.adapters.store import Store
from app.core.audit_chain import GENESIS, VerifyReport, link_hash, verify_chain
from app.core.errors import StoreError
from app.core.ids import canonical_json, new_id, utc_iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    id: str
    ts_utc: str
    station_id: str
    username: str
    action: str
    entity: str
    entity_id: str
    old_value: str | None
    new_value: str | None
    reason: str
    prev_hash: str
    hash: str


def load_or_create_key(path: Path) -> bytes:
    """The HMAC key: 32 random bytes, created once, readable by the owner only."""
    if path.exists():
        data = path.read_bytes().strip()
        try:
            key = bytes.fromhex(data.decode("ascii"))
        except ValueError as exc:
            raise StoreError(f"The audit key file {path} is damaged.") from exc
        if len(key) < 32:
            raise StoreError(f"The audit key file {path} is too short.")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def _json_or_none(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


class AuditTrail:
    def __init__(self, store: Store, key: bytes, head_file: Path | None = None) -> None:
        self.store = store
        self._key = key
        self.head_file = head_file or store.db_path.with_name("audit.head")
        assert store.engine is not None, "open the store first"
        event.listen(store.engine, "commit", self._on_commit)
        event.listen(store.engine, "rollback", lambda c: c.info.pop("audit_heads", None))

    # --- writing --------------------------------------------------------------------
    def append(self, action: str, entity: str, entity_id: str, *, username: str,
               old: Any = None, new: Any = None, reason: str = "",
               conn: Connection | None = None) -> AuditEntry:
        if conn is None:
            with self.store.write() as c:
                return self.append(action, entity, entity_id, username=username, old=old,
                                   new=new, reason=reason, conn=c)
        last = conn.execute(select(S.audit_log.c.seq, S.audit_log.c.hash)
                            .order_by(S.audit_log.c.seq.desc()).limit(1)).first()
        seq = (last[0] + 1) if last else 1
        prev = last[1] if last else GENESIS
        row: dict[str, Any] = {"seq": seq, "id": new_id(), "ts_utc": utc_iso(),
               "station_id": self.store.station_id, "username": username or "",
               "action": action, "entity": entity, "entity_id": str(entity_id),
               "old_value": _json_or_none(old), "new_value": _json_or_none(new),
               "reason": reason or "", "prev_hash": prev}
        row["hash"] = link_hash(self._key, prev, row)
        conn.execute(insert(S.audit_log).values(**row))
        self.store.enqueue(conn, "audit_log", {**row, "station_seq": seq})
        # the local head file is refreshed when the caller's transaction commits
        conn.info.setdefault("audit_heads", []).append((seq, row["hash"]))
        return AuditEntry(**row)

    def _on_commit(self, conn: Connection) -> None:
        heads = conn.info.pop("audit_heads", [])
        if not heads:
            return
        _anchor, problem = self.read_anchor()
        if problem and not (problem == "missing" and heads[0][0] == 1):
            # never paper over a deleted or rewritten anchor by writing a fresh one: the
            # first entry creates it (first run); otherwise `pharos audit anchor` (audited)
            log.error("audit anchor %s is %s; not advanced (run `pharos audit verify`)",
                      self.head_file, problem)
            return
        self._write_head(*heads[-1])

    def _anchor_mac(self, seq: int, hsh: str) -> str:
        msg = f"pharos-audit-head|{self.store.station_id}|{int(seq)}|{hsh}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def _write_head(self, seq: int, hsh: str) -> None:
        """The local anchor: head (seq, hash) keyed with an HMAC (audit key), 0600."""
        try:
            tmp = self.head_file.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps({"seq": seq, "hash": hsh, "ts_utc": utc_iso(),
                                     "station_id": self.store.station_id,
                                     "mac": self._anchor_mac(seq, hsh)}))
            os.replace(tmp, self.head_file)
        except OSError as exc:
            # never fail an append here; `pharos audit verify` reports the stale anchor
            log.error("audit anchor %s not written: %s", self.head_file, exc)

    def reanchor(self, *, username: str, reason: str) -> tuple[int, str]:
        """Write a keyed anchor at the current head after verifying every link (an
        administrator's audited decision: a missing or unkeyed anchor of an older
        install). Refused when the chain itself is broken."""
        report = verify_chain(self._key, self._iter_rows(), None)
        if not report.ok:
            raise StoreError(f"The audit trail is broken ({report.problem}); it is not "
                             f"re-anchored.")
        old = self.read_anchor()
        with self.store.write() as conn:
            self.append("anchor", "audit_head", self.head_file.name, username=username,
                        old={"anchor": list(old[0]) if old[0] else None, "problem": old[1]},
                        new={"head_before": list(report.head) if report.head else None},
                        reason=reason, conn=conn)
        head = self.head()
        assert head is not None
        self._write_head(*head)
        return head

    # --- reading --------------------------------------------------------------------
    def head(self) -> tuple[int, str] | None:
        with self.store.read() as conn:
            r = conn.execute(select(S.audit_log.c.seq, S.audit_log.c.hash)
                             .order_by(S.audit_log.c.seq.desc()).limit(1)).first()
        return (int(r[0]), r[1]) if r else None

    def local_anchor(self) -> tuple[int, str] | None:
        """The keyed local anchor, or None when it is missing or not genuine."""
        return self.read_anchor()[0]

    def read_anchor(self) -> tuple[tuple[int, str] | None, str]:
        """(anchor, problem): problem is '' for a genuine anchor, 'missing' when there
        is no file, otherwise why the file cannot be trusted."""
        try:
            text = self.head_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, "missing"
        except OSError as exc:
            return None, f"unreadable ({exc.strerror or exc})"
        try:
            d = json.loads(text)
            seq, hsh = int(d["seq"]), str(d["hash"])
        except (ValueError, KeyError, TypeError):
            return None, "damaged (not an anchor)"
        mac = d.get("mac")
        if not mac:
            return None, "not keyed (written by an older Pharos, no HMAC)"
        if not hmac.compare_digest(str(mac), self._anchor_mac(seq, hsh)):
            return None, "rewritten (its HMAC does not match the audit key)"
        return (seq, hsh), ""

    def count(self) -> int:
        with self.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(S.audit_log)).scalar() or 0)

    def entries(self, *, username: str | None = None, action: str | None = None,
                entity: str | None = None, entity_id: str | None = None,
                since: str | None = None, until: str | None = None, text: str | None = None,
                limit: int = 5000, newest_first: bool = True) -> list[AuditEntry]:
        t = S.audit_log
        q = select(t)
        if username:
            q = q.where(t.c.username == username)
        if action:
            q = q.where(t.c.action == action)
        if entity:
            q = q.where(t.c.entity == entity)
        if entity_id:
            q = q.where(t.c.entity_id == entity_id)
        if since:
            q = q.where(t.c.ts_utc >= since)
        if until:
            q = q.where(t.c.ts_utc <= until)
        if text:
            like = f"%{text}%"
            q = q.where(t.c.reason.like(like) | t.c.entity_id.like(like)
                        | t.c.new_value.like(like) | t.c.old_value.like(like))
        q = q.order_by(t.c.seq.desc() if newest_first else t.c.seq).limit(limit)
        with self.store.read() as conn:
            return [AuditEntry(**dict(r)) for r in conn.execute(q).mappings()]

    def _iter_rows(self) -> Iterable[dict]:
        with self.store.read() as conn:
            for r in conn.execute(select(S.audit_log).order_by(S.audit_log.c.seq)).mappings():
                yield dict(r)

    def verify(self, anchor: tuple[int, str] | None = None,
               use_local_anchor: bool = True) -> VerifyReport:
        """Verify links, gaps and the tail (against ``anchor`` or the local head file)."""
        if anchor is not None or not use_local_anchor:
            return verify_chain(self._key, self._iter_rows(), anchor)
        anchor, problem = self.read_anchor()
        report = verify_chain(self._key, self._iter_rows(), anchor)
        if not report.ok or not problem:
            return report
        if problem == "missing" and report.count == 0:
            return report           # first run: nothing written yet, nothing to anchor
        what = ("missing: the anchor of the trail's tail was deleted"
                if problem == "missing" else problem)
        return VerifyReport(False, report.count, report.head,
                            first_bad_seq=(report.head[0] if report.head else 0),
                            problem=(f"the local anchor {self.head_file} is {what}; a cut "
                                     f"tail cannot be ruled out. Verify against the central "
                                     f"anchor (`pharos audit verify --central`), then "
                                     f"re-anchor with `pharos audit anchor --as ADMIN "
                                     f"--reason TEXT`."))

    # --- export ---------------------------------------------------------------------
    COLUMNS = ("seq", "ts_utc", "station_id", "username", "action", "entity", "entity_id",
               "old_value", "new_value", "reason", "hash")

    def export_csv(self, path: Path, **filters: Any) -> int:
        rows = self.entries(newest_first=False, limit=10_000_000, **filters)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(self.COLUMNS)
            for e in rows:
                w.writerow([getattr(e, c) if getattr(e, c) is not None else "" for c in self.COLUMNS])
        return len(rows)

    def export_pdf(self, path: Path, **filters: Any) -> int:
        from app.adapters.pdf_table import write_table_pdf

        rows = self.entries(newest_first=False, limit=10_000_000, **filters)
        report = self.verify()
        body = [[str(e.seq), e.ts_utc, e.username, e.action, e.entity, e.entity_id,
                 _short(e.old_value), _short(e.new_value), e.reason] for e in rows]
        write_table_pdf(
            path, title="Pharos audit trail",
            subtitle=f"Station {self.store.station_id} - exported {utc_iso()} - "
                     f"{report.text()}",
            header=["seq", "UTC", "user", "action", "entity", "id", "old", "new", "reason"],
            rows=body, col_widths=[30, 95, 55, 55, 60, 80, 110, 110, 120])
        return len(rows)


def _short(v: str | None, n: int = 60) -> str:
    if v is None:
        return ""
    return v if len(v) <= n else v[: n - 1] + "…"
