"""Idempotent batch push of outbox rows into the central database (one transaction).

A batch of one table goes to PostgreSQL as ONE JSON array parameter, unpacked by
``json_to_recordset`` and inserted with ``ON CONFLICT (id) DO NOTHING RETURNING id``:
the station does not parse or re-serialise payloads on the hot path, and a replayed
row (lost acknowledgement, crash after commit) is a no-op. Rows not returned were
already there: they are compared field by field with the central copy; identical ->
delivered, different -> quarantined (never overwritten).

A row the central database rejects (constraint, bad value) fails its statement; the
batch is bisected inside SAVEPOINTs until the bad rows are isolated; they are
quarantined with PostgreSQL's reason and the rest is inserted.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, Text, bindparam, cast, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError

from app.adapters.central import tables as T
from app.core.ids import canonical_json


@dataclass(frozen=True)
class OutboxItem:
    outbox_id: int
    table_name: str
    row_id: str
    station_seq: int
    payload: str            # canonical JSON snapshot of the local row
    requeued: bool = False  # quarantined before, re-sent under an audited decision


@dataclass
class PushResult:
    delivered: list[int] = field(default_factory=list)       # outbox ids now central
    inserted: int = 0
    replayed: int = 0
    quarantined: list[tuple[int, str]] = field(default_factory=list)  # (outbox id, reason)


@dataclass(frozen=True)
class TableSpec:
    table: str
    columns: tuple[tuple[str, str], ...]     # snapshot key -> PostgreSQL type
    computed: tuple[tuple[str, str], ...]    # central column -> SQL expression over r.*
    extra_keys: frozenset[str] = frozenset()  # snapshot keys that carry no column

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(c for c, _ in self.columns) | self.extra_keys

    def insert_sql(self) -> str:
        exprs = {c: f"r.{c}" for c, _ in self.columns}
        exprs.update(dict(self.computed))
        cols = ", ".join(exprs)
        defs = ", ".join(f"{c} {t}" for c, t in self.columns)
        return (f"INSERT INTO {self.table} ({cols}) SELECT {', '.join(exprs.values())} "
                f"FROM json_to_recordset(CAST(:rows AS json)) AS r({defs}) "
                f"ON CONFLICT (id) DO NOTHING RETURNING id::text")


SPECS: dict[str, TableSpec] = {
    "records": TableSpec("records", (
        ("id", "uuid"), ("station_id", "text"), ("station_seq", "bigint"), ("kind", "text"),
        ("subject", "text"), ("ref", "text"), ("verdict", "text"), ("payload", "text"),
        ("payload_sha256", "text"), ("supersedes", "uuid"), ("username", "text"),
        ("created_utc", "text"), ("software_version", "text"), ("config_hash", "text")),
        (("payload", "CAST(r.payload AS json)"),
         ("created_at", "CAST(r.created_utc AS timestamptz)"))),
    "audit_log": TableSpec("audit_log", (
        ("id", "uuid"), ("station_id", "text"), ("seq", "bigint"), ("ts_utc", "text"),
        ("username", "text"), ("action", "text"), ("entity", "text"), ("entity_id", "text"),
        ("old_value", "text"), ("new_value", "text"), ("reason", "text"),
        ("prev_hash", "text"), ("hash", "text")), (), frozenset({"station_seq"})),
    "signatures": TableSpec("signatures", (
        ("id", "uuid"), ("station_id", "text"), ("station_seq", "bigint"),
        ("record_kind", "text"), ("record_id", "text"), ("content_sha256", "text"),
        ("meaning", "text"), ("username", "text"), ("printed_name", "text"),
        ("signed_utc", "text"), ("comment", "text"), ("audit_seq", "bigint")), ()),
}
_ROW_ERRORS = ("DataError", "IntegrityError")


class UnknownColumns(Exception):
    """A local row has fields the central schema does not know (schema out of date)."""


def snapshot_from_central(table_name: str, row: dict) -> dict:
    """The local row as the station wrote it, rebuilt from a central row."""
    spec = SPECS[table_name]
    out = {}
    for col, _ in spec.columns:
        v = row[col]
        if col == "payload" and not isinstance(v, str):
            v = canonical_json(v)
        elif col in ("id", "supersedes") and v is not None:
            v = str(v)
        out[col] = v
    return out


def select_rows(table_name: str):
    """SELECT of a central table with the payload as its exact stored text."""
    t = T.metadata.tables[table_name]
    return select(*[cast(c, Text).label(c.name) if c.name == "payload" else c for c in t.c])


def _is_row_error(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    names = {c.__name__ for c in type(orig).__mro__} if orig is not None else set()
    return bool(names & set(_ROW_ERRORS)) and not exc.connection_invalidated


def _reason(exc: DBAPIError) -> str:
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    msg = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    constraint = getattr(diag, "constraint_name", None) if diag is not None else None
    return f"{type(orig).__name__}: {msg}" + (f" (constraint {constraint})" if constraint else "")


def push_items(conn: Connection, station_id: str, items: list[OutboxItem]) -> PushResult:
    """Push ``items`` inside the caller's open transaction (the caller commits)."""
    result = PushResult()
    groups: dict[str, list[tuple[OutboxItem, dict]]] = {}
    for item in items:
        try:
            row = json.loads(item.payload)
        except ValueError as exc:
            result.quarantined.append((item.outbox_id, f"outbox snapshot is not JSON: {exc}"))
            continue
        spec = SPECS.get(item.table_name)
        if spec is not None:
            unknown = set(row) - spec.keys
            if unknown:
                raise UnknownColumns(f"local table {item.table_name} has fields "
                                     f"{', '.join(sorted(unknown))} that the central schema "
                                     f"lacks")
            if row.get("station_id") != station_id:
                result.quarantined.append((item.outbox_id, (
                    f"row belongs to station {row.get('station_id')!r}, pushed by "
                    f"{station_id!r}")))
                continue
        groups.setdefault(item.table_name, []).append((item, row))
    for table_name, group in groups.items():
        if table_name in SPECS:
            _push_typed(conn, SPECS[table_name], group, result)
        else:
            _push_generic(conn, station_id, table_name, group, result)
    if result.quarantined:
        _record_quarantine(conn, station_id, items, result.quarantined)
    return result


def _push_typed(conn: Connection, spec: TableSpec, group: list[tuple[OutboxItem, dict]],
                result: PushResult) -> None:
    sql = text(spec.insert_sql())
    try:
        with conn.begin_nested():
            body = "[" + ",".join(item.payload for item, _ in group) + "]"
            inserted = {r[0] for r in conn.execute(sql, {"rows": body})}
    except DBAPIError as exc:
        if not _is_row_error(exc):
            raise
        if len(group) == 1:
            result.quarantined.append((group[0][0].outbox_id, _reason(exc)))
            return
        mid = len(group) // 2
        _push_typed(conn, spec, group[:mid], result)
        _push_typed(conn, spec, group[mid:], result)
        return
    result.inserted += len(inserted)
    present = [(item, row) for item, row in group if item.row_id not in inserted
               and str(row.get("id")) not in inserted]
    result.delivered.extend(item.outbox_id for item, row in group
                            if item.row_id in inserted or str(row.get("id")) in inserted)
    if present:
        _verify_present(conn, spec, present, result)


def _verify_present(conn: Connection, spec: TableSpec, present: list[tuple[OutboxItem, dict]],
                    result: PushResult) -> None:
    """Rows already central (a replay): delivered only if identical to the local row."""
    table = T.metadata.tables[spec.table]
    ids = [str(row["id"]) for _, row in present]
    central = {str(r["id"]): snapshot_from_central(spec.table, dict(r)) for r in conn.execute(
        select_rows(spec.table).where(table.c.id.in_(bindparam("ids", expanding=True))),
        {"ids": ids}).mappings()}
    for item, row in present:
        mine = {k: row.get(k) for k, _ in spec.columns}
        theirs = central.get(str(row["id"]))
        if theirs == mine:
            result.delivered.append(item.outbox_id)
            result.replayed += 1
        else:
            result.quarantined.append((item.outbox_id, (
                "a different row with the same id is already in the central database; "
                "it was not overwritten")))


def _push_generic(conn: Connection, station_id: str, table_name: str,
                  group: list[tuple[OutboxItem, dict]], result: PushResult) -> None:
    t = T.station_rows
    values = [{"station_id": station_id, "table_name": table_name, "row_id": item.row_id,
               "station_seq": item.station_seq, "row": row} for item, row in group]
    try:
        with conn.begin_nested():
            done = {r[0] for r in conn.execute(
                pg_insert(t).values(values).on_conflict_do_nothing().returning(t.c.row_id))}
    except DBAPIError as exc:
        if not _is_row_error(exc):
            raise
        if len(group) == 1:
            result.quarantined.append((group[0][0].outbox_id, _reason(exc)))
            return
        mid = len(group) // 2
        _push_generic(conn, station_id, table_name, group[:mid], result)
        _push_generic(conn, station_id, table_name, group[mid:], result)
        return
    result.inserted += len(done)
    rest = [(i, r) for i, r in group if i.row_id not in done]
    result.delivered.extend(i.outbox_id for i, _ in group if i.row_id in done)
    if rest:
        have = {r.row_id: r.row for r in conn.execute(
            select(t.c.row_id, t.c.row).where(t.c.station_id == station_id,
                                              t.c.table_name == table_name,
                                              t.c.row_id.in_([i.row_id for i, _ in rest])))}
        for item, row in rest:
            if have.get(item.row_id) == row:
                result.delivered.append(item.outbox_id)
                result.replayed += 1
            else:
                result.quarantined.append((item.outbox_id, "a different row with the same "
                                           "id is already in the central database"))


def _record_quarantine(conn: Connection, station_id: str, items: list[OutboxItem],
                       quarantined: list[tuple[int, str]]) -> None:
    by_id = {i.outbox_id: i for i in items}
    values = [{"station_id": station_id, "table_name": by_id[oid].table_name,
               "row_id": by_id[oid].row_id, "station_seq": by_id[oid].station_seq,
               "row_text": by_id[oid].payload, "reason": reason[:2000]}
              for oid, reason in quarantined]
    conn.execute(pg_insert(T.quarantine).values(values).on_conflict_do_nothing())


def release_quarantine(conn: Connection, station_id: str, items: list[OutboxItem],
                       delivered: list[int]) -> int:
    """Requeued rows now delivered leave the central quarantine (same transaction)."""
    done = set(delivered)
    keys = [(i.table_name, i.row_id) for i in items if i.requeued and i.outbox_id in done]
    n = 0
    for table_name, row_id in keys:
        n += conn.execute(T.quarantine.delete().where(
            T.quarantine.c.station_id == station_id, T.quarantine.c.table_name == table_name,
            T.quarantine.c.row_id == row_id)).rowcount or 0
    return n
