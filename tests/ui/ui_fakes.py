"""Small in-test fakes of the auth / session / audit services the UI talks to.

They follow the interfaces in docs/ui.md; the real ones live in app/adapters/.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from app.core.errors import AuthError, PermissionDenied, ValidationError
from app.core.roles import Role


@dataclass(frozen=True)
class FakeUser:
    id: str
    username: str
    full_name: str
    roles: frozenset
    active: bool = True
    locked_until: Any = None


class FakeAuth:
    def __init__(self) -> None:
        self.users: dict[str, FakeUser] = {}
        self.passwords: dict[str, str] = {}
        self.expired: set[str] = set()
        self.failures: dict[str, int] = {}
        self.calls: list[tuple] = []

    def add(self, username: str, password: str, *roles: Role, full_name: str = "",
            expired: bool = False) -> FakeUser:
        user = FakeUser(username, username, full_name or username.title(), frozenset(roles))
        self.users[username] = user
        self.passwords[username] = password
        if expired:
            self.expired.add(username)
        return user

    def authenticate(self, username: str, password: str) -> FakeUser:
        user = self.users.get(username)
        if user is None or not user.active:
            raise AuthError("Unknown user or inactive account.")
        if user.locked_until is not None:
            raise AuthError(f"Account locked until {user.locked_until:%H:%M}.")
        if self.passwords[username] != password:
            self.failures[username] = self.failures.get(username, 0) + 1
            if self.failures[username] >= 3:
                until = datetime.now(timezone.utc) + timedelta(minutes=30)
                self.users[username] = replace(user, locked_until=until)
                raise AuthError(f"Wrong password. Account locked until {until:%H:%M}.")
            raise AuthError("Wrong password.")
        self.failures[username] = 0
        return user

    def password_expired(self, user: FakeUser) -> bool:
        return user.username in self.expired

    def change_password(self, username: str, old: str, new: str) -> None:
        self.calls.append(("change_password", username))
        if self.passwords.get(username) != old:
            raise AuthError("Wrong password.")
        if len(new) < 10:
            raise ValidationError("The password must have at least 10 characters.")
        self.passwords[username] = new
        self.expired.discard(username)

    def list_users(self) -> list[FakeUser]:
        return sorted(self.users.values(), key=lambda u: u.username)

    def _admin(self, by: str) -> None:
        if Role.ADMIN not in self.users[by].roles:
            raise PermissionDenied(f"User '{by}' may not manage users.")

    def create_user(self, username: str, full_name: str, roles: frozenset, password: str, *,
                    by: str, reason: str) -> FakeUser:
        self._admin(by)
        self.calls.append(("create_user", username, frozenset(roles), by, reason))
        if username in self.users:
            raise ValidationError(f"User '{username}' exists.")
        user = self.add(username, password, *roles, full_name=full_name)
        return user

    def set_roles(self, username: str, roles: frozenset, *, by: str, reason: str) -> None:
        self._admin(by)
        self.calls.append(("set_roles", username, frozenset(roles), by, reason))
        self.users[username] = replace(self.users[username], roles=frozenset(roles))

    def reset_password(self, username: str, new_password: str, *, by: str, reason: str) -> None:
        self._admin(by)
        self.calls.append(("reset_password", username, by, reason))
        self.passwords[username] = new_password
        self.expired.add(username)

    def unlock(self, username: str, *, by: str, reason: str) -> None:
        self._admin(by)
        self.calls.append(("unlock", username, by, reason))
        self.users[username] = replace(self.users[username], locked_until=None)
        self.failures[username] = 0

    def set_active(self, username: str, active: bool, *, by: str, reason: str) -> None:
        self._admin(by)
        self.calls.append(("set_active", username, active, by, reason))
        self.users[username] = replace(self.users[username], active=active)


class FakeSession:
    def __init__(self, auth: FakeAuth, user: FakeUser | None = None) -> None:
        self.auth = auth
        self.user = user
        self.locked = False
        self._touched = time.monotonic()
        self.events: list[str] = []

    def login(self, user: FakeUser) -> None:
        self.user, self.locked = user, False
        self.events.append(f"login:{user.username}")
        self.touch()

    def logout(self) -> None:
        self.events.append(f"logout:{self.user.username if self.user else '-'}")
        self.user, self.locked = None, False

    def touch(self) -> None:
        self._touched = time.monotonic()

    def lock(self) -> None:
        self.locked = True
        self.events.append("lock")

    def unlock(self, password: str) -> None:
        if self.user is None:
            raise AuthError("Nobody is logged in.")
        self.auth.authenticate(self.user.username, password)
        self.locked = False
        self.events.append("unlock")

    def idle_seconds(self) -> float:
        return time.monotonic() - self._touched


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


class FakeSignature:
    def __init__(self, username: str, meaning: str, sha: str) -> None:
        self.id = "sig-1"
        self.content_sha256 = sha
        self.meaning = meaning
        self.username = username
        self.printed_name = username.title()
        self.signed_utc = "2026-01-05T08:12:03.000Z"
