from datetime import timedelta

import pytest

from app.adapters.auth import AccountLocked, PasswordExpired, SessionState
from app.core.errors import AuthError, PermissionDenied, ValidationError
from app.core.ids import utcnow
from app.core.roles import Role
from tests.foundation.conftest import ADMIN_PW


def _mk(ws, admin, name="qe1", roles=(Role.QUALITY_ENGINEER,), pw="Quality-123x"):
    ws.auth.create_user(name, "Li Wei", roles, pw, by=admin, reason="new hire",
                        must_change_password=False)
    return pw


def test_first_run_admin_and_hashing(ws):
    users = ws.auth.list_users()
    assert [u.username for u in users] == ["admin"]
    with ws.store.read() as conn:
        h = conn.exec_driver_sql("select password_hash from users").scalar()
    assert h.startswith("$argon2id$") and ADMIN_PW not in h


def test_wrong_password_then_lockout(ws, admin):
    pw = _mk(ws, admin)
    for i in range(4):
        with pytest.raises(AuthError, match="attempt"):
            ws.auth.authenticate("qe1", "wrong-password1")
    with pytest.raises(AccountLocked, match="now locked"):
        ws.auth.authenticate("qe1", "wrong-password1")
    with pytest.raises(AccountLocked, match="locked until"):
        ws.auth.authenticate("qe1", pw)  # even the right password is refused while locked
    failed = ws.audit.entries(action="login_failed", entity_id="qe1")
    assert len(failed) == 6
    assert ws.audit.entries(action="lockout", entity_id="qe1")
    ws.auth.unlock("qe1", by=admin, reason="verified identity by phone")
    assert ws.auth.authenticate("qe1", pw).username == "qe1"
    assert ws.audit.verify().ok


def test_lock_expires(ws, admin):
    pw = _mk(ws, admin)
    now = [utcnow()]
    ws.auth.clock = lambda: now[0]
    for _ in range(5):
        with pytest.raises(AuthError):
            ws.auth.authenticate("qe1", "nope-nope-1")
    now[0] += timedelta(minutes=31)
    assert ws.auth.authenticate("qe1", pw)


def test_password_rules_and_ageing(ws, admin):
    with pytest.raises(ValidationError, match="at least"):
        ws.auth.create_user("op", "Op", [Role.OPERATOR], "short1", by=admin, reason="r")
    with pytest.raises(ValidationError, match="letters and digits"):
        ws.auth.create_user("op", "Op", [Role.OPERATOR], "onlyletterslong", by=admin, reason="r")
    pw = _mk(ws, admin)
    now = [utcnow()]
    ws.auth.clock = lambda: now[0]
    now[0] += timedelta(days=91)
    with pytest.raises(PasswordExpired):
        ws.auth.authenticate("qe1", pw)
    ws.auth.change_password("qe1", pw, "Brand-new-pw-7")
    assert ws.auth.authenticate("qe1", "Brand-new-pw-7")
    with pytest.raises(ValidationError, match="differ"):
        ws.auth.change_password("qe1", "Brand-new-pw-7", pw)


def test_only_admin_manages_users(ws, admin):
    _mk(ws, admin)
    qe = ws.auth.get("qe1")
    with pytest.raises(PermissionDenied):
        ws.auth.create_user("x", "X", [Role.OPERATOR], "Xx-1234567", by=qe, reason="r")
    with pytest.raises(ValidationError, match="reason"):
        ws.auth.set_roles("qe1", [Role.REVIEWER], by=admin, reason=" ")
    u = ws.auth.set_roles("qe1", [Role.REVIEWER, Role.QUALITY_ENGINEER], by=admin,
                          reason="now reviews too")
    assert u.roles == {Role.REVIEWER, Role.QUALITY_ENGINEER}
    change = ws.audit.entries(entity="user", entity_id="qe1", action="change")[0]
    assert "reviewer" in change.new_value and "quality_engineer" in change.old_value


def test_deactivated_user_cannot_log_in(ws, admin):
    pw = _mk(ws, admin)
    ws.auth.set_active("qe1", False, by=admin, reason="left the company")
    with pytest.raises(AuthError, match="deactivated"):
        ws.auth.authenticate("qe1", pw)


def test_session_idle_lock_and_unlock(ws, admin):
    pw = _mk(ws, admin)
    t = [0.0]
    s = SessionState(ws.auth, idle_lock_minutes=1, monotonic=lambda: t[0])
    s.login(ws.auth.authenticate("qe1", pw))
    t[0] = 30
    assert not s.check_idle()
    t[0] = 61
    assert s.check_idle() and s.locked
    with pytest.raises(AuthError):
        s.unlock("bad-password-1")
    assert s.locked
    s.unlock(pw)
    assert not s.locked and s.user.username == "qe1"
    assert ws.audit.entries(action="session_lock")
