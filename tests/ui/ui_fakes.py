"""An in-test audit trail for the audit viewer's filter/export/broken-chain display tests.

Accounts, sessions and signatures are never faked in GUI tests: they use the real
AuthService / SessionState / SignatureService (tests/ui/conftest.py ``ws``).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any



@dataclass(frozen=True)
class FakeEntry:
    seq: int
    ts_utc: str
    username: str
    action: str
    entity: str
    entity_id: str
    old_value: Any = None
    new_value: Any = None
    reason: str = ""


@dataclass(frozen=True)
class FakeReport:
    ok: bool
    count: int
    problem: str = ""
    first_bad_seq: int | None = None


@dataclass
class FakeAudit:
    rows: list[FakeEntry] = field(default_factory=list)
    broken_at: int | None = None
    calls: list[tuple] = field(default_factory=list)

    def entries(self, username=None, action=None, entity=None, since=None, until=None,  # noqa: ANN001
                text=None, limit=5000) -> list[FakeEntry]:
        self.calls.append(("entries", username, action, entity, since, until, text, limit))
        out = [r for r in self.rows
               if (username is None or r.username == username)
               and (action is None or r.action == action)
               and (entity is None or r.entity == entity)
               and (since is None or r.ts_utc >= since) and (until is None or r.ts_utc <= until)
               and (text is None or text in f"{r.old_value} {r.new_value} {r.reason}")]
        return out[:limit]

    def export_csv(self, path: str, **filters: Any) -> int:
        rows = self.entries(**filters)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["seq", "ts_utc", "username", "action"])
            for r in rows:
                w.writerow([r.seq, r.ts_utc, r.username, r.action])
        return len(rows)

    def export_pdf(self, path: str, **filters: Any) -> int:
        rows = self.entries(**filters)
        with open(path, "wb") as fh:
            fh.write(b"%PDF-1.4\n% fake\n")
        return len(rows)

    def verify(self, anchor: Any = None) -> FakeReport:
        if self.broken_at is not None:
            return FakeReport(False, len(self.rows), "HMAC mismatch (row changed)",
                              self.broken_at)
        return FakeReport(True, len(self.rows))


def sample_audit(n: int = 6) -> FakeAudit:
    actions = ["login", "create", "sign", "login_failed", "config_change", "logout"]
    rows = [FakeEntry(i + 1, f"2026-01-0{1 + i % 5}T08:0{i % 10}:00.000Z",
                      "liwei" if i % 2 else "admin", actions[i % len(actions)],
                      "record" if i % 3 else "user", f"id-{i}", None, f"value {i}",
                      "daily QC" if i % 2 else "")
            for i in range(n)]
    return FakeAudit(rows)
