"""Published configuration (pull direction) and central audit anchors.

Limit profiles, phantom definitions, test sequences, alarm definitions and user
accounts are published centrally as numbered versions, each bound to a Part 11
e-signature (meaning "approved") over the sha256 of its canonical content. A station
takes a version only when the content hash, the signature's hash, its meaning, its
record binding and the approver all agree; it never goes back to an older version.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.adapters.central import tables as T
from app.core.errors import ValidationError
from app.core.ids import canonical_json, new_id, sha256_hex, utc_iso


@dataclass(frozen=True)
class PublishedItem:
    kind: str
    name: str
    version: int
    content: Any
    content_sha256: str
    approved_by: str
    approved_utc: str
    signature: dict

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "version": self.version,
                "content": self.content, "content_sha256": self.content_sha256,
                "approved_by": self.approved_by, "approved_utc": self.approved_utc,
                "signature": self.signature}


# sign(record_id, content_text) -> the signature manifest (dict with at least id,
# record_kind, record_id, content_sha256, meaning, username, printed_name, signed_utc)
Signer = Callable[[str, str], dict]


def publish(conn: Connection, kind: str, name: str, content: Any, sign: Signer) -> PublishedItem:
    """Insert the next version of (kind, name) with its approval signature."""
    if kind not in T.PUBLISHED_KINDS:
        raise ValidationError(f"Unknown published configuration kind '{kind}' "
                              f"(known: {', '.join(T.PUBLISHED_KINDS)}).")
    if not name or len(name) > 128:
        raise ValidationError("A published configuration needs a name of 1-128 characters.")
    body = canonical_json(content)
    digest = sha256_hex(body)
    t = T.published_config
    # one publisher at a time per (kind, name): the version number is gap-free
    conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{kind}:{name}"))))
    latest = conn.execute(select(func.max(t.c.version)).where(t.c.kind == kind,
                                                              t.c.name == name)).scalar()
    version = int(latest or 0) + 1
    item_id = new_id()
    signature = sign(item_id, body)
    problem = _signature_problem(item_id, digest, signature, signature.get("username", ""))
    if problem:
        raise ValidationError(f"The approval signature is not valid: {problem}.")
    approved = utc_iso()
    conn.execute(pg_insert(t).values(
        id=item_id, kind=kind, name=name, version=version, content=body,
        content_sha256=digest, approved_by=signature["username"],
        signature=canonical_json(signature),
        approved_utc=datetime.fromisoformat(approved.replace("Z", "+00:00"))))
    return PublishedItem(kind, name, version, json.loads(body), digest, signature["username"],
                         approved, signature)


def _signature_problem(item_id: str, digest: str, sig: dict, approved_by: str) -> str | None:
    if sig.get("content_sha256") != digest:
        return "the signed content hash differs from the content"
    if sig.get("meaning") != "approved":
        return f"the signature means '{sig.get('meaning')}', not 'approved'"
    if sig.get("record_kind") != "published_config" or str(sig.get("record_id")) != item_id:
        return "the signature belongs to another record"
    if not sig.get("username") or sig.get("username") != approved_by:
        return "the signer is not the recorded approver"
    return None


def verify_row(row: dict) -> tuple[PublishedItem | None, str | None]:
    """(item, None) when the central row is approved and intact, else (None, why)."""
    content = row["content"]
    digest = sha256_hex(content)
    if digest != row["content_sha256"]:
        return None, "content does not match its sha256"
    try:
        sig = json.loads(row["signature"])
    except ValueError:
        return None, "signature is not readable"
    problem = _signature_problem(str(row["id"]), digest, sig, row["approved_by"])
    if problem:
        return None, problem
    approved = row["approved_utc"]
    approved = utc_iso(approved) if isinstance(approved, datetime) else str(approved)
    return PublishedItem(row["kind"], row["name"], int(row["version"]), json.loads(content),
                         digest, row["approved_by"], approved, sig), None


def fetch_newer(conn: Connection, known: dict[tuple[str, str], int]) -> list[dict]:
    """Central rows newer than the versions this station already holds."""
    t = T.published_config
    rows = [dict(r) for r in conn.execute(select(t).order_by(t.c.kind, t.c.name,
                                                             t.c.version.desc())).mappings()]
    return [r for r in rows if int(r["version"]) > known.get((r["kind"], r["name"]), 0)]


# --- audit anchors and station heartbeat ------------------------------------------
def record_anchor(conn: Connection, station_id: str, seq: int, hsh: str) -> None:
    conn.execute(pg_insert(T.audit_anchors).values(station_id=station_id, seq=seq, hash=hsh)
                 .on_conflict_do_nothing())


def latest_anchor(conn: Connection, station_id: str) -> tuple[int, str] | None:
    t = T.audit_anchors
    r = conn.execute(select(t.c.seq, t.c.hash).where(t.c.station_id == station_id)
                     .order_by(t.c.seq.desc()).limit(1)).first()
    return (int(r[0]), r[1]) if r else None


def touch_station(conn: Connection, station_id: str, schema_version: str,
                  software_version: str, backlog: int) -> None:
    stmt = pg_insert(T.stations).values(id=station_id, last_seen=func.now(),
                                        schema_version=schema_version,
                                        software_version=software_version, backlog=backlog)
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={
        "last_seen": func.now(), "schema_version": schema_version,
        "software_version": software_version, "backlog": backlog}))


def confirmed_signature_ids(conn: Connection, rows: list[dict]) -> set[str]:
    """Ids of the rows' approval signatures that are in the central signatures table."""
    ids = set()
    for r in rows:
        try:
            ids.add(str(json.loads(r["signature"]).get("id")))
        except (ValueError, AttributeError):
            continue
    if not ids:
        return set()
    t = T.signatures
    found = conn.execute(select(t.c.id).where(t.c.id.in_(sorted(ids)),
                                              t.c.meaning == "approved")).scalars()
    return {str(x) for x in found}
