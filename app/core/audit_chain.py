"""Audit-chain rules (Qt-free, I/O-free): canonical entry text and the HMAC link.

hash_n = HMAC-SHA256(key, prev_hash || canonical_json(entry_n without hashes)).
The first entry links to GENESIS. Verification needs the key; a chain alone cannot
see its tail being cut off, so a head (seq, hash) anchored elsewhere is compared too.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from app.core.ids import canonical_json

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "id", "ts_utc", "station_id", "username", "action", "entity",
                 "entity_id", "old_value", "new_value", "reason")


def link_hash(key: bytes, prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = canonical_json({k: entry.get(k) for k in HASHED_FIELDS})
    return hmac.new(key, (prev_hash + body).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class VerifyReport:
    ok: bool
    count: int
    head: tuple[int, str] | None
    first_bad_seq: int | None = None
    problem: str = ""
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        if self.ok:
            h = f"head seq {self.head[0]} hash {self.head[1][:16]}…" if self.head else "empty"
            return f"Audit trail OK: {self.count} entries, {h}."
        return f"Audit trail BROKEN at seq {self.first_bad_seq}: {self.problem}"


def verify_chain(key: bytes, rows: Iterable[Mapping[str, Any]],
                 anchor: tuple[int, str] | None = None) -> VerifyReport:
    """Check every link, the sequence for gaps, and the tail against ``anchor``."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    head: tuple[int, str] | None = None
    seen: dict[int, str] = {}
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            return VerifyReport(False, count, head, first_bad_seq=expected_seq,
                                problem=f"gap: expected seq {expected_seq}, found {seq} "
                                        f"(entries {expected_seq}..{seq - 1} missing)")
        if row["prev_hash"] != prev_hash:
            return VerifyReport(False, count, head, first_bad_seq=seq,
                                problem=f"seq {seq} does not link to seq {seq - 1} "
                                        f"(prev_hash differs: entry replaced or reordered)")
        calc = link_hash(key, prev_hash, row)
        if not hmac.compare_digest(calc, row["hash"]):
            return VerifyReport(False, count, head, first_bad_seq=seq,
                                problem=f"seq {seq} was altered: its content no longer "
                                        f"matches its HMAC ({row['action']} {row['entity']} "
                                        f"{row['entity_id']} by '{row['username']}')")
        prev_hash = row["hash"]
        head = (seq, prev_hash)
        seen[seq] = prev_hash
        expected_seq += 1
        count += 1
    if anchor is not None:
        a_seq, a_hash = anchor
        if head is None or head[0] < a_seq:
            last = head[0] if head else 0
            return VerifyReport(False, count, head, first_bad_seq=last + 1,
                                problem=f"tail cut off: the anchored head is seq {a_seq}, "
                                        f"the trail ends at seq {last} "
                                        f"({a_seq - last} entries missing)")
        if seen.get(a_seq) != a_hash:
            return VerifyReport(False, count, head, first_bad_seq=a_seq,
                                problem=f"seq {a_seq} differs from its anchored hash "
                                        f"(the trail was rewritten after anchoring)")
    return VerifyReport(True, count, head)
