"""Login, password change, idle lock / unlock, admin override, log out.

Everything a user touches here is the real AuthService / SessionState / AuditTrail on a
fresh data folder (no fakes: B1 slipped through a fake that behaved unlike the service).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit

from app.core.roles import Role
from app.ui.login_dialog import ChangePasswordDialog, LoginDialog
from app.ui.main_window import MainWindow
from tests.ui.conftest import ADMIN_PW, add_user
from tests.ui.ui_stations import GoodStation, make_ctx


@pytest.fixture
def auth(ws):  # noqa: ANN001, ANN201
    add_user(ws, "liwei", Role.OPERATOR, password="Shift-start-123", full_name="Li Wei")
    add_user(ws, "newbie", Role.REVIEWER, password="Given-by-admin-1", must_change=True)
    return ws.auth


def test_login_failure_message_and_lockout_text(qtbot, ws, auth):
    dlg = LoginDialog(auth, session=ws.session)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.user_edit, "liwei")
    for left in (4, 3, 2, 1):
        qtbot.keyClicks(dlg.password_edit, "wrong")
        qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
        assert f"({left} attempt" in dlg.error_bar.text()
        assert dlg.password_edit.text() == "" and dlg.isVisible()
    qtbot.keyClicks(dlg.password_edit, "wrong")
    qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
    assert "now locked" in dlg.error_bar.text() and dlg.error_bar.code_label.text() == "PH-AUTH-LOCKED"
    assert ws.session.user is None and dlg.result() != QDialog.DialogCode.Accepted
    assert len(ws.audit.entries(action="login_failed", entity_id="liwei")) == 5


def test_login_error_text_is_not_cut_off(qtbot, ws, auth):
    dlg = LoginDialog(auth, session=ws.session, username="liwei")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    height_before = dlg.height()
    field_heights = [e.height() for e in (dlg.user_edit, dlg.password_edit)]
    qtbot.keyClicks(dlg.password_edit, "wrong")
    qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
    qtbot.wait(20)
    assert dlg.height() > height_before           # the dialog made room for the message
    for label in (dlg.error_bar.text_label, dlg.error_bar.remedy_label):
        assert label.isVisible()
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    # the form did not collapse
    assert [e.height() for e in (dlg.user_edit, dlg.password_edit)] >= field_heights
    bar = dlg.error_bar.geometry()
    assert not bar.intersects(dlg.buttons.geometry())
    assert dlg.rect().contains(bar)


def test_login_success_logs_session_in(qtbot, ws, auth):
    dlg = LoginDialog(auth, session=ws.session, username="liwei")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password_edit, "Shift-start-123")
    assert dlg.try_login()
    assert ws.session.user.username == "liwei" and dlg.user is ws.session.user


def _answer_change(shown: list, steps: list):  # noqa: ANN202
    def fake_exec(change: ChangePasswordDialog) -> int:
        shown.append(change)
        assert not change.old_edit.isVisibleTo(change)   # old password already typed
        for new, again, expect in steps:
            change.new_edit.setText(new)
            change.confirm_edit.setText(again)
            change._on_ok()
            if expect:
                assert expect in change.error_bar.text()
        return change.result()
    return fake_exec


def test_admin_set_password_forces_change_at_first_login(qtbot, ws, auth, monkeypatch):
    """B1: must_change_password (every admin-created account) opens the change dialog."""
    dlg = LoginDialog(auth, session=ws.session, username="newbie")
    qtbot.addWidget(dlg)
    shown: list = []
    monkeypatch.setattr(ChangePasswordDialog, "exec", _answer_change(shown, [
        ("short", "short", "at least 10"),                     # policy error shown inline
        ("brand-new-pw-1", "brand-new-pw-2", "differ"),
        ("brand-new-pw-1", "brand-new-pw-1", "")]))
    qtbot.keyClicks(dlg.password_edit, "Given-by-admin-1")
    assert dlg.try_login()
    assert shown and "administrator" in shown[0].reason_label.text()
    assert ws.session.user.username == "newbie"
    assert not ws.session.user.must_change_password
    assert not auth.password_expired(auth.get("newbie"))
    assert auth.authenticate("newbie", "brand-new-pw-1").username == "newbie"
    assert ws.audit.entries(action="password_change", entity_id="newbie")


def test_aged_password_forces_change(qtbot, ws, auth, monkeypatch):
    """B1: a password older than the maximum age (90 days) opens the change dialog too."""
    later = auth.get("liwei").password_changed_utc + timedelta(days=91)
    auth.clock = lambda: later
    dlg = LoginDialog(auth, session=ws.session, username="liwei")
    qtbot.addWidget(dlg)
    shown: list = []
    monkeypatch.setattr(ChangePasswordDialog, "exec", _answer_change(shown, [
        ("Shift-start-123", "Shift-start-123", "differ"),
        ("Shift-start-456", "Shift-start-456", "")]))
    qtbot.keyClicks(dlg.password_edit, "Shift-start-123")
    assert dlg.try_login()
    assert shown and "expired" in shown[0].reason_label.text()
    assert ws.session.user.username == "liwei"


def test_cancelled_forced_change_does_not_log_in(qtbot, ws, auth, monkeypatch):
    dlg = LoginDialog(auth, session=ws.session, username="newbie")
    qtbot.addWidget(dlg)
    monkeypatch.setattr(ChangePasswordDialog, "exec", lambda self: 0)
    qtbot.keyClicks(dlg.password_edit, "Given-by-admin-1")
    assert not dlg.try_login()
    assert ws.session.user is None
    assert "must be changed" in dlg.error_bar.text()


def make_window(qtbot, auth, ini_settings, tmp_path, idle):
    session = auth.ws_session
    session.login(auth.get("liwei"))
    window = MainWindow([GoodStation(make_ctx("good", tmp_path, session))], session=session,
                        auth=auth, settings=ini_settings, idle_lock_seconds=idle)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, session


@pytest.fixture
def wauth(ws, auth):  # noqa: ANN001, ANN201
    auth.ws_session = ws.session
    return auth


def test_idle_lock_and_unlock_keeps_panel(qtbot, ws, wauth, ini_settings, tmp_path):
    window, session = make_window(qtbot, wauth, ini_settings, tmp_path, idle=0.3)
    panel = window.host.open_station("good")
    panel.findChild(QLineEdit, "good_input").setText("CT-0412 unsaved")
    qtbot.waitUntil(window.is_locked, timeout=5000)
    assert session.locked and ws.audit.entries(action="session_lock", entity_id="liwei")
    assert not window.host.isEnabled() and not window.menuBar().isEnabled()
    lock = window.lock_screen
    assert lock.geometry() == window.rect()
    qtbot.keyClicks(lock.password_edit, "nope")
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert window.is_locked() and "wrong password" in lock.error_bar.text()
    qtbot.keyClicks(lock.password_edit, "Shift-start-123")
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.is_locked() and not session.locked and window.host.isEnabled()
    assert window.host.page("good") is panel
    assert panel.findChild(QLineEdit, "good_input").text() == "CT-0412 unsaved"
    assert session.user.username == "liwei"


def test_activity_postpones_idle_lock(qtbot, wauth, ini_settings, tmp_path):
    window, _ = make_window(qtbot, wauth, ini_settings, tmp_path, idle=0.6)
    watcher = window.idle_watcher
    window.host.launcher.setFocus()
    for _ in range(6):  # keep typing for longer than the idle time
        qtbot.wait(150)
        # through the window, as the platform delivers a real key press
        QTest.keyClick(window.windowHandle(), Qt.Key.Key_Down)
        assert watcher.idle_for() < 0.6
    assert not window.is_locked()
    qtbot.waitUntil(window.is_locked, timeout=5000)


def test_typing_in_a_dialog_postpones_idle_lock(qtbot, wauth, ini_settings, tmp_path):
    """A dialog opened after the watcher started is its own window: typing there counts."""
    window, _ = make_window(qtbot, wauth, ini_settings, tmp_path, idle=0.6)
    dlg = window.show_change_password()
    qtbot.waitUntil(lambda: dlg.windowHandle() is not None and dlg.isVisible())
    for _ in range(6):
        qtbot.wait(150)
        QTest.keyClick(dlg.windowHandle(), Qt.Key.Key_A)
        assert window.idle_watcher.idle_for() < 0.6
    assert not window.is_locked()
    dlg.reject()
    qtbot.waitUntil(window.is_locked, timeout=5000)


def test_admin_override_takes_the_session(qtbot, wauth, ini_settings, tmp_path):
    window, session = make_window(qtbot, wauth, ini_settings, tmp_path, idle=None)
    window.lock()
    lock = window.lock_screen
    lock.admin_user_edit.setText("liwei")               # not an admin
    lock.admin_password_edit.setText("Shift-start-123")
    assert not lock.try_admin_unlock()
    assert "not an administrator" in lock.error_bar.text()
    lock.admin_user_edit.setText("admin")
    lock.admin_password_edit.setText(ADMIN_PW)
    assert lock.try_admin_unlock()
    assert session.user.username == "admin" and not window.is_locked()
    assert "Administrator (admin)" in window.user_label.text()


def test_log_out_drops_panels_and_login_restores(qtbot, wauth, ini_settings, tmp_path):
    window, session = make_window(qtbot, wauth, ini_settings, tmp_path, idle=None)
    window.host.open_station("good")
    window.message_bar.show_message("Archive failed: PACS refused the association")
    assert window.log_out()
    assert session.user is None and window.host.page("good") is None
    assert not window.message_bar.isVisible()          # no previous user's error left
    assert window.is_locked() and window.lock_screen.mode == "logged_out"
    dlg = window.show_login()
    dlg.user_edit.setText("admin")
    dlg.password_edit.setText(ADMIN_PW)
    assert dlg.try_login()
    assert not window.is_locked() and session.user.username == "admin"
    assert window.host.open_station("good").objectName() == "good_panel"


def test_cli_passwd_changes_an_expired_password(tmp_path, monkeypatch, capsys):
    """`pharos users passwd NAME`: the owner of an admin-set (expired) password changes it."""
    from app.bootstrap import Workstation
    from app.main import main

    w = Workstation.open(data_dir=tmp_path, with_stations=False, start_loop=False)
    first = w.first_run_password                     # must be changed at first login
    assert w.auth.password_expired(w.auth.get("admin"))
    w.close()
    monkeypatch.setenv("PHAROS_PASSWORD", first)
    monkeypatch.setenv("PHAROS_NEW_PASSWORD", "Chosen-by-me-42")
    assert main(["users", "passwd", "admin", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "password of admin changed" in out.out and first not in out.out + out.err
    monkeypatch.setenv("PHAROS_NEW_PASSWORD", "short")
    assert main(["users", "passwd", "admin", "--data-dir", str(tmp_path)]) == 2   # old pw now wrong
    w = Workstation.open(data_dir=tmp_path, with_stations=False, start_loop=False)
    try:
        user = w.auth.authenticate("admin", "Chosen-by-me-42")   # no longer expired
        assert not user.must_change_password
    finally:
        w.close()
