"""Login, password change, idle lock / unlock, admin override, log out."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from app.core.roles import Role
from app.ui.login_dialog import ChangePasswordDialog, LoginDialog
from app.ui.main_window import MainWindow
from tests.ui.ui_fakes import FakeAuth, FakeSession
from tests.ui.ui_stations import GoodStation, make_ctx


@pytest.fixture
def auth():
    a = FakeAuth()
    a.add("liwei", "pw-liwei-123", Role.OPERATOR, full_name="Li Wei")
    a.add("admin", "pw-admin-123", Role.ADMIN, full_name="Admin")
    a.add("old", "pw-old-12345", Role.REVIEWER, expired=True)
    return a


def test_login_failure_message_and_lockout_text(qtbot, auth):
    session = FakeSession(auth)
    dlg = LoginDialog(auth, session=session)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.user_edit, "liwei")
    for _ in range(2):
        qtbot.keyClicks(dlg.password_edit, "wrong")
        qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
        assert dlg.error_bar.text() == "Wrong password."
        assert dlg.password_edit.text() == "" and dlg.isVisible()
    qtbot.keyClicks(dlg.password_edit, "wrong")
    qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
    assert "locked until" in dlg.error_bar.text()
    assert session.user is None and dlg.result() != QDialog.DialogCode.Accepted


def test_login_success_logs_session_in(qtbot, auth):
    session = FakeSession(auth)
    dlg = LoginDialog(auth, session=session, username="liwei")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password_edit, "pw-liwei-123")
    assert dlg.try_login()
    assert session.user.username == "liwei" and dlg.user is session.user


def test_expired_password_forces_change(qtbot, auth, monkeypatch):
    session = FakeSession(auth)
    dlg = LoginDialog(auth, session=session, username="old")
    qtbot.addWidget(dlg)
    shown = []

    def fake_exec(change: ChangePasswordDialog) -> int:
        shown.append(change)
        assert not change.old_edit.isVisibleTo(change)   # old password already typed
        change.new_edit.setText("short")
        change.confirm_edit.setText("short")
        change._on_ok()
        assert "at least 10" in change.error_bar.text()  # policy error shown inline
        change.new_edit.setText("brand-new-pw-1")
        change.confirm_edit.setText("brand-new-pw-2")
        change._on_ok()
        assert "differ" in change.error_bar.text()
        change.confirm_edit.setText("brand-new-pw-1")
        change._on_ok()
        return change.result()

    monkeypatch.setattr(ChangePasswordDialog, "exec", fake_exec)
    qtbot.keyClicks(dlg.password_edit, "pw-old-12345")
    assert dlg.try_login()
    assert shown and auth.passwords["old"] == "brand-new-pw-1"
    assert session.user.username == "old"


def make_window(qtbot, auth, ini_settings, tmp_path, idle):
    session = FakeSession(auth)
    session.login(auth.users["liwei"])
    window = MainWindow([GoodStation(make_ctx("good", tmp_path, session))], session=session,
                        auth=auth, settings=ini_settings, idle_lock_seconds=idle)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, session


def test_idle_lock_and_unlock_keeps_panel(qtbot, auth, ini_settings, tmp_path):
    window, session = make_window(qtbot, auth, ini_settings, tmp_path, idle=0.3)
    panel = window.host.open_station("good")
    panel.findChild(QLineEdit, "good_input").setText("CT-0412 unsaved")
    qtbot.waitUntil(window.is_locked, timeout=5000)
    assert session.locked and "lock" in session.events
    assert not window.host.isEnabled() and not window.menuBar().isEnabled()
    lock = window.lock_screen
    assert lock.geometry() == window.rect()
    qtbot.keyClicks(lock.password_edit, "nope")
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert window.is_locked() and lock.error_bar.text() == "Wrong password."
    qtbot.keyClicks(lock.password_edit, "pw-liwei-123")
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.is_locked() and not session.locked and window.host.isEnabled()
    assert window.host.page("good") is panel
    assert panel.findChild(QLineEdit, "good_input").text() == "CT-0412 unsaved"
    assert session.user.username == "liwei"


def test_activity_postpones_idle_lock(qtbot, auth, ini_settings, tmp_path):
    window, _ = make_window(qtbot, auth, ini_settings, tmp_path, idle=0.6)
    watcher = window.idle_watcher
    for _ in range(6):  # keep typing for longer than the idle time
        qtbot.wait(150)
        qtbot.keyClick(window.host.launcher, Qt.Key.Key_Down)
        assert watcher.idle_for() < 0.6
    assert not window.is_locked()
    qtbot.waitUntil(window.is_locked, timeout=5000)


def test_admin_override_takes_the_session(qtbot, auth, ini_settings, tmp_path):
    window, session = make_window(qtbot, auth, ini_settings, tmp_path, idle=None)
    window.lock()
    lock = window.lock_screen
    lock.admin_user_edit.setText("liwei")               # not an admin
    lock.admin_password_edit.setText("pw-liwei-123")
    assert not lock.try_admin_unlock()
    assert "not an administrator" in lock.error_bar.text()
    lock.admin_user_edit.setText("admin")
    lock.admin_password_edit.setText("pw-admin-123")
    assert lock.try_admin_unlock()
    assert session.user.username == "admin" and not window.is_locked()
    assert "Admin (admin)" in window.user_label.text()


def test_log_out_drops_panels_and_login_restores(qtbot, auth, ini_settings, tmp_path):
    window, session = make_window(qtbot, auth, ini_settings, tmp_path, idle=None)
    window.host.open_station("good")
    assert window.log_out()
    assert session.user is None and window.host.page("good") is None
    assert window.is_locked() and window.lock_screen.mode == "logged_out"
    dlg = window.show_login()
    dlg.user_edit.setText("admin")
    dlg.password_edit.setText("pw-admin-123")
    assert dlg.try_login()
    assert not window.is_locked() and session.user.username == "admin"
    assert window.host.open_station("good").objectName() == "good_panel"
