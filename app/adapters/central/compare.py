"""Does the central database hold exactly what a station holds? (tests, `pharos sync verify`)

For one station: every local record, signature and audit entry is either in the central
table with an identical content hash, or in the central quarantine (and marked
quarantined locally); nothing central is unknown locally; no duplicate; the station
sequence (records + signatures) and the audit sequence have no gap.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, select, text

from app.adapters import schema as S
from app.adapters.central import tables as T
from app.adapters.central.push import SPECS, select_rows, snapshot_from_central
from app.adapters.store import Store
from app.core.ids import canonical_json, sha256_hex

TABLES = ("records", "signatures", "audit_log")


@dataclass
class Agreement:
    station_id: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pending: int = 0
    quarantined: int = 0        # local outbox rows the central database refused

    @property
    def ok(self) -> bool:
        """Central holds exactly what this station holds: nothing pending, nothing
        quarantined (a refused row is not in the plant's database), no problem."""
        return not self.problems and self.pending == 0 and self.quarantined == 0

    def text(self) -> str:
        head = "central and local agree" if self.ok else "central and local DIFFER"
        lines = [f"{head} for station {self.station_id}"]
        for t, c in self.counts.items():
            lines.append(f"  {t}: local {c['local']}, central {c['central']}, "
                         f"quarantined {c['quarantined']}, content hashes equal {c['equal']}")
        if self.pending:
            lines.append(f"  {self.pending} outbox rows not pushed yet")
        if self.quarantined:
            lines.append(f"  {self.quarantined} rows QUARANTINED (refused by the central "
                         f"database; see `pharos sync quarantine`, re-send after the fix "
                         f"with `pharos sync requeue`)")
        lines += [f"  problem: {p}" for p in self.problems[:20]]
        return "\n".join(lines)


def _row_hash(table: str, row: dict) -> str:
    return sha256_hex(canonical_json({k: row.get(k) for k, _ in SPECS[table].columns}))


def local_rows(store: Store, table: str) -> dict[str, dict]:
    t = S.metadata.tables[table]
    with store.read() as conn:
        return {str(r["id"]): dict(r) for r in conn.execute(
            select(t).where(t.c.station_id == store.station_id)).mappings()}


def central_rows(conn: Connection, table: str, station_id: str) -> dict[str, dict]:
    t = T.metadata.tables[table]
    return {str(r["id"]): snapshot_from_central(table, dict(r)) for r in conn.execute(
        select_rows(table).where(t.c.station_id == station_id)).mappings()}


def compare_station(store: Store, conn: Connection) -> Agreement:
    sid = store.station_id
    ag = Agreement(sid)
    o = S.outbox
    with store.read() as lc:
        pending = {(r.table_name, r.row_id) for r in lc.execute(
            select(o.c.table_name, o.c.row_id).where(o.c.quarantined.is_(False)))}
        ag.pending = len(pending)
        local_q = {(r.table_name, r.row_id) for r in lc.execute(
            select(o.c.table_name, o.c.row_id).where(o.c.quarantined.is_(True)))}
        ag.quarantined = len(local_q)
        seq_value = lc.execute(select(S.sequences.c.value).where(
            S.sequences.c.name == f"station:{sid}")).scalar() or 0
    central_q: dict[tuple[str, str], dict] = {}
    for r in conn.execute(select(T.quarantine).where(T.quarantine.c.station_id == sid)).mappings():
        central_q[(r["table_name"], r["row_id"])] = dict(r)
    if set(central_q) - pending != local_q:      # a requeued row waits to be re-sent
        ag.problems.append(f"quarantine differs: local {sorted(local_q)[:5]} vs central "
                           f"{sorted(central_q)[:5]}")
    station_seqs: list[int] = []
    for table in TABLES:
        mine, theirs = local_rows(store, table), central_rows(conn, table, sid)
        quarantined = {rid: central_q[(table, rid)] for (tn, rid) in central_q if tn == table}
        equal = 0
        for rid, row in mine.items():
            if rid in theirs:
                if _row_hash(table, row) == _row_hash(table, theirs[rid]):
                    equal += 1
                else:
                    ag.problems.append(f"{table} {rid}: content hash differs")
            elif rid in quarantined and (table, rid) in pending:
                pass                                # requeued: counted as pending
            elif rid in quarantined:
                if sha256_hex(quarantined[rid]["row_text"]) != sha256_hex(
                        canonical_json({**row, **({"station_seq": row["seq"]}
                                                  if table == "audit_log" else {})})):
                    ag.problems.append(f"{table} {rid}: quarantined copy differs")
            else:
                ag.problems.append(f"{table} {rid}: missing centrally")
        extra = set(theirs) - set(mine)
        if extra:
            ag.problems.append(f"{table}: {len(extra)} central rows unknown locally")
        ag.counts[table] = {"local": len(mine), "central": len(theirs),
                            "quarantined": len(quarantined), "equal": equal}
        seq_col = "seq" if table == "audit_log" else "station_seq"
        seqs = [int(r[seq_col]) for r in theirs.values()] + [
            int(json.loads(q["row_text"]).get(seq_col, 0)) for q in quarantined.values()]
        if table == "audit_log":
            _check_contiguous(ag, "audit sequence", seqs)
        else:
            station_seqs += seqs
    _check_contiguous(ag, "station sequence", station_seqs, expected_max=int(seq_value))
    for table, col in (("records", "station_seq"), ("signatures", "station_seq"),
                       ("audit_log", "seq")):
        dup = conn.execute(text(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE "
                                f"station_id = :s GROUP BY {col} HAVING count(*) > 1) d"),
                           {"s": sid}).scalar()
        if dup:
            ag.problems.append(f"{table}: {dup} duplicated sequence numbers")
    return ag


def _check_contiguous(ag: Agreement, what: str, seqs: list[int],
                      expected_max: int | None = None) -> None:
    if len(seqs) != len(set(seqs)):
        ag.problems.append(f"{what}: duplicates")
    have = set(seqs)
    top = expected_max if expected_max is not None else (max(have) if have else 0)
    missing = sorted(set(range(1, top + 1)) - have)
    if missing:
        ag.problems.append(f"{what}: {len(missing)} gap(s), first {missing[:5]}")
    if have and max(have) > top:
        ag.problems.append(f"{what}: central beyond the local sequence ({max(have)} > {top})")
