"""Local accounts, password rules, lockout, sessions (21 CFR 11.300).

Passwords are argon2id hashed. Every login, failed login, lockout and account change
goes to the audit trail. Role checks are enforced in the domain (``check_action``).
"""
from __future__ import annotations

import json
import secrets
import string
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, select, update

from app.adapters import schema as S
from app.adapters.audit import AuditTrail
from app.adapters.store import Store
from app.core.errors import AuthError, PermissionDenied, ValidationError
from app.core.ids import new_id, utcnow
from app.core.roles import Role

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
SYSTEM = ""


class PasswordExpired(AuthError):
    code = "PH-AUTH-EXPIRED"
    remedy = "Choose a new password now."


class AccountLocked(AuthError):
    code = "PH-AUTH-LOCKED"
    remedy = "Wait until the lock expires or ask an administrator to unlock the account."


@dataclass(frozen=True)
class User:
    id: str
    username: str
    full_name: str
    roles: frozenset[Role]
    active: bool
    locked_until: datetime | None
    password_changed_utc: datetime
    must_change_password: bool

    def has_role(self, *roles: Role | str) -> bool:
        return any(Role(r) in self.roles for r in roles)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _user(row: Any) -> User:
    return User(id=row.id, username=row.username, full_name=row.full_name,
                roles=frozenset(Role(r) for r in json.loads(row.roles)), active=bool(row.active),
                locked_until=_aware(row.locked_until),
                password_changed_utc=_aware(row.password_changed_utc),  # type: ignore[arg-type]
                must_change_password=bool(row.must_change_password))


def generate_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


class AuthService:
    HISTORY = 5  # a new password may not repeat the last five

    def __init__(self, store: Store, audit: AuditTrail, *, max_failed_logins: int = 5,
                 lockout_minutes: int = 30, password_min_length: int = 10,
                 password_max_age_days: int = 90,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.store, self.audit = store, audit
        self.max_failed = max_failed_logins
        self.lockout = timedelta(minutes=lockout_minutes)
        self.min_len = password_min_length
        self.max_age = timedelta(days=password_max_age_days) if password_max_age_days else None
        self.clock = clock

    @classmethod
    def from_config(cls, store: Store, audit: AuditTrail, security: dict) -> "AuthService":
        return cls(store, audit, max_failed_logins=security["max_failed_logins"],
                   lockout_minutes=security["lockout_minutes"],
                   password_min_length=security["password_min_length"],
                   password_max_age_days=security["password_max_age_days"])

    # --- queries -----------------------------------------------------------------------
    def get(self, username: str) -> User | None:
        with self.store.read() as conn:
            row = conn.execute(select(S.users).where(S.users.c.username == username)).first()
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        with self.store.read() as conn:
            return [_user(r) for r in conn.execute(select(S.users).order_by(S.users.c.username))]

    def password_expired(self, user: User) -> bool:
        if user.must_change_password:
            return True
        return self.max_age is not None and self.clock() - user.password_changed_utc > self.max_age

    # --- password rules ----------------------------------------------------------------
    def check_password_rules(self, password: str, username: str = "") -> None:
        if len(password) < self.min_len:
            raise ValidationError(f"The password must have at least {self.min_len} characters.")
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError("The password must contain letters and digits.")
        if username and username.lower() in password.lower():
            raise ValidationError("The password must not contain the user name.")

    # --- administration (admin role enforced here, not only in the UI) -----------------
    def _require_admin(self, by: User | None, action: str) -> str:
        if by is None:
            return SYSTEM  # bootstrap / command line run by the machine's administrator
        if Role.ADMIN not in by.roles:
            raise PermissionDenied(f"User '{by.username}' may not {action}: needs admin.")
        return by.username

    def create_user(self, username: str, full_name: str, roles: Iterable[Role | str],
                    password: str, *, by: User | None, reason: str,
                    must_change_password: bool = True) -> User:
        actor = self._require_admin(by, "create users")
        username = username.strip()
        if not username or not all(c.isalnum() or c in "._-" for c in username):
            raise ValidationError("User names use letters, digits, '.', '_' or '-'.")
        if not full_name.strip():
            raise ValidationError("A printed (full) name is required: it appears on signatures.")
        role_set = sorted({Role(r).value for r in roles})
        if not role_set:
            raise ValidationError("A user needs at least one role.")
        self.check_password_rules(password, username)
        now = self.clock()
        row = {"id": new_id(), "username": username, "full_name": full_name.strip(),
               "password_hash": _hasher.hash(password), "roles": json.dumps(role_set),
               "active": True, "failed_logins": 0, "locked_until": None,
               "password_changed_utc": now, "must_change_password": must_change_password,
               "created_utc": now, "password_history": "[]"}
        with self.store.write() as conn:
            if conn.execute(select(S.users.c.id).where(S.users.c.username == username)).first():
                raise ValidationError(f"User '{username}' already exists.")
            conn.execute(insert(S.users).values(**row))
            self.audit.append("create", "user", username, username=actor,
                              new={"full_name": row["full_name"], "roles": role_set},
                              reason=reason, conn=conn)
        return self.get(username)  # type: ignore[return-value]

    def _change(self, username: str, values: dict, *, actor: str, action: str, old: Any,
                new: Any, reason: str) -> User:
        if not reason.strip():
            raise ValidationError("A reason is required for every account change.")
        with self.store.write() as conn:
            if not conn.execute(select(S.users.c.id).where(S.users.c.username == username)).first():
                raise ValidationError(f"User '{username}' does not exist.")
            conn.execute(update(S.users).where(S.users.c.username == username).values(**values))
            self.audit.append(action, "user", username, username=actor, old=old, new=new,
                              reason=reason, conn=conn)
        return self.get(username)  # type: ignore[return-value]

    def set_roles(self, username: str, roles: Iterable[Role | str], *, by: User | None,
                  reason: str) -> User:
        actor = self._require_admin(by, "change roles")
        user = self._existing(username)
        new = sorted({Role(r).value for r in roles})
        if not new:
            raise ValidationError("A user needs at least one role.")
        return self._change(username, {"roles": json.dumps(new)}, actor=actor, action="change",
                            old={"roles": sorted(r.value for r in user.roles)},
                            new={"roles": new}, reason=reason)

    def set_active(self, username: str, active: bool, *, by: User | None, reason: str) -> User:
        actor = self._require_admin(by, "activate or deactivate users")
        user = self._existing(username)
        if by is not None and by.username == username and not active:
            raise ValidationError("You cannot deactivate your own account.")
        return self._change(username, {"active": active}, actor=actor, action="change",
                            old={"active": user.active}, new={"active": active}, reason=reason)

    def unlock(self, username: str, *, by: User | None, reason: str) -> User:
        actor = self._require_admin(by, "unlock accounts")
        self._existing(username)
        return self._change(username, {"locked_until": None, "failed_logins": 0}, actor=actor,
                            action="unlock", old=None, new={"locked": False}, reason=reason)

    def reset_password(self, username: str, new_password: str, *, by: User | None,
                       reason: str) -> User:
        actor = self._require_admin(by, "reset passwords")
        self._existing(username)
        self.check_password_rules(new_password, username)
        return self._change(username, {"password_hash": _hasher.hash(new_password),
                                       "password_changed_utc": self.clock(),
                                       "must_change_password": True, "failed_logins": 0,
                                       "locked_until": None},
                            actor=actor, action="password_reset", old=None,
                            new={"must_change_password": True}, reason=reason)

    def _existing(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise ValidationError(f"User '{username}' does not exist.")
        return user

    # --- authentication ----------------------------------------------------------------
    def authenticate(self, username: str, password: str, *, purpose: str = "login",
                     allow_expired: bool = False) -> User:
        """Check credentials; count failures, lock after too many; audit every attempt."""
        now = self.clock()
        error: AuthError | None = None
        # every attempt is audited in the same transaction; errors are raised only
        # after it commits, so a refused attempt is never rolled back out of the trail
        with self.store.write() as conn:
            row = conn.execute(select(S.users).where(S.users.c.username == username)).first()
            user = _user(row) if row is not None else None
            if user is None or row is None:
                why, error = "unknown user name", AuthError("Unknown user name or wrong password.")
            elif not user.active:
                why, error = "account deactivated", AuthError(
                    f"The account '{username}' is deactivated.")
            elif user.locked_until and user.locked_until > now:
                why, error = "account locked", AccountLocked(
                    f"The account '{username}' is locked until "
                    f"{user.locked_until.astimezone().strftime('%H:%M')} after repeated "
                    f"failed attempts.")
            else:
                try:
                    ok: bool = _hasher.verify(row.password_hash, password)
                except (VerifyMismatchError, VerificationError, InvalidHashError):
                    ok = False
                if ok:
                    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
                    if _hasher.check_needs_rehash(row.password_hash):
                        values["password_hash"] = _hasher.hash(password)
                    conn.execute(update(S.users).where(S.users.c.username == username)
                                 .values(**values))
                    self.audit.append(purpose, "user", username, username=username,
                                      reason="" if purpose == "login" else purpose, conn=conn)
                    why = ""
                else:
                    failed = int(row.failed_logins) + 1
                    values = {"failed_logins": failed}
                    if failed >= self.max_failed:
                        values["locked_until"] = now + self.lockout
                    conn.execute(update(S.users).where(S.users.c.username == username)
                                 .values(**values))
                    why = f"wrong password (attempt {failed})"
                    if failed >= self.max_failed:
                        self.audit.append(f"{purpose}_failed", "user", username,
                                          username=username, reason=why, conn=conn)
                        self.audit.append("lockout", "user", username, username=SYSTEM,
                                          new={"locked_until": values["locked_until"].isoformat()},
                                          reason=f"{failed} failed attempts", conn=conn)
                        why = ""
                        error = AccountLocked(
                            f"Wrong password. The account '{username}' is now locked for "
                            f"{int(self.lockout.total_seconds() // 60)} minutes.")
                    else:
                        left = self.max_failed - failed
                        error = AuthError(f"Unknown user name or wrong password ({left} "
                                          f"attempt{'s' if left != 1 else ''} left before "
                                          f"lockout).")
            if why:
                self.audit.append(f"{purpose}_failed", "user", username, username=username,
                                  reason=why, conn=conn)
        if error is not None:
            raise error
        user = self.get(username)
        assert user is not None
        if not allow_expired and purpose == "login" and self.password_expired(user):
            raise PasswordExpired("Your password has expired or must be changed now.")
        return user

    def change_password(self, username: str, old: str, new: str) -> User:
        self.authenticate(username, old, purpose="password_check", allow_expired=True)
        self.check_password_rules(new, username)
        with self.store.read() as conn:
            row = conn.execute(select(S.users).where(S.users.c.username == username)).first()
        assert row is not None   # authenticate() above found the account
        history = json.loads(row.password_history) + [row.password_hash]
        for old_hash in history[-self.HISTORY:]:
            try:
                if _hasher.verify(old_hash, new):
                    raise ValidationError("The new password must differ from the last "
                                          f"{self.HISTORY} passwords.")
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                pass
        return self._change(username, {"password_hash": _hasher.hash(new),
                                       "password_changed_utc": self.clock(),
                                       "must_change_password": False,
                                       "password_history": json.dumps(history[-self.HISTORY:])},
                            actor=username, action="password_change", old=None, new=None,
                            reason="password changed by its owner")

    def ensure_admin(self, password: str | None = None) -> str | None:
        """First run: create 'admin' when no user exists. Returns the password once."""
        if self.list_users():
            return None
        pw = password or generate_password()
        self.create_user("admin", "Administrator", [Role.ADMIN], pw, by=None,
                         reason="first-run setup", must_change_password=password is None)
        return pw


class SessionState:
    """The logged-in user of this workstation, with the idle lock (Qt-free)."""

    def __init__(self, auth: AuthService | None, idle_lock_minutes: float = 15,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.auth = auth
        self.idle_limit_s = idle_lock_minutes * 60
        self._mono = monotonic
        self._lock = threading.Lock()
        self.user: User | None = None
        self.locked = False
        self._last = monotonic()
        self.signed_in_session = False  # 11.200: first signature uses id + password

    def login(self, user: User) -> None:
        with self._lock:
            self.user, self.locked, self._last = user, False, self._mono()
            self.signed_in_session = False

    def logout(self) -> None:
        with self._lock:
            if self.user is not None and self.auth is not None:
                self.auth.audit.append("logout", "user", self.user.username,
                                       username=self.user.username)
            self.user, self.locked = None, False

    def touch(self) -> None:
        self._last = self._mono()

    def idle_seconds(self) -> float:
        return self._mono() - self._last

    def check_idle(self) -> bool:
        """Lock when idle too long; returns True when the session is (now) locked."""
        if self.user is not None and not self.locked and self.idle_seconds() >= self.idle_limit_s:
            self.lock(reason="idle")
        return self.locked

    def lock(self, reason: str = "manual") -> None:
        with self._lock:
            if self.user is None or self.locked:
                return
            self.locked = True
        if self.auth is not None:
            self.auth.audit.append("session_lock", "user", self.user.username,
                                   username=self.user.username, reason=reason)

    def unlock(self, password: str, username: str | None = None) -> User:
        """Re-authenticate: the same user, or an admin who then takes over the session."""
        if self.user is None:
            raise AuthError("No session to unlock.")
        if self.auth is None:
            raise AuthError("No authentication service.")
        who = username or self.user.username
        user = self.auth.authenticate(who, password, purpose="session_unlock",
                                      allow_expired=True)
        if user.username != self.user.username and Role.ADMIN not in user.roles:
            raise PermissionDenied("Only the session's user or an administrator may unlock it.")
        with self._lock:
            self.user, self.locked, self._last = user, False, self._mono()
        return user
