"""User administration (reason required, service calls) and the audit viewer."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QLineEdit

from app.core.roles import Role
from app.runtime.task_runner import TaskRunner
from app.ui.audit_viewer import AuditViewer
from app.ui.user_admin import UserAdminPanel
from app.ui.main_window import MainWindow
from tests.ui.conftest import add_user
from tests.ui.ui_fakes import sample_audit


@pytest.fixture
def auth(ws):  # noqa: ANN001, ANN201
    add_user(ws, "liwei", Role.OPERATOR, password="Shift-start-123", full_name="Li Wei")
    return ws.auth


def test_user_list_and_create_needs_reason(qtbot, ws, auth):
    """B2: New user -> OK with the real service (was AttributeError: 'str' ... 'roles')."""
    panel = UserAdminPanel(auth, acting_user=auth.get("admin"))
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 2 and panel.table.item(1, 1).text() == "Li Wei"
    dlg = panel.create_user()
    dlg.findChild(QLineEdit, "user_new_username").setText("zhangmin")
    dlg.findChild(QLineEdit, "user_new_full_name").setText("Zhang Min")
    dlg.findChild(QCheckBox, "user_role_reviewer").setChecked(True)
    dlg.findChild(QLineEdit, "user_new_password").setText("Reviewer-pw-123")
    dlg.findChild(QLineEdit, "user_new_password_confirm").setText("Reviewer-pw-123")
    assert not dlg.apply()                                 # no reason yet
    assert "reason is required" in dlg.error_bar.text()
    assert auth.get("zhangmin") is None
    dlg.reason_edit.setPlainText("New reviewer for line 3")
    assert dlg.apply(), dlg.error_bar.text()
    created = auth.get("zhangmin")
    assert created.roles == frozenset({Role.OPERATOR, Role.REVIEWER})
    assert created.must_change_password                    # forced change at first login
    entry = ws.audit.entries(action="create", entity_id="zhangmin")
    assert entry and entry[-1].username == "admin" and entry[-1].reason == "New reviewer for line 3"
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3)


def test_roles_unlock_deactivate_reset(qtbot, ws, auth):
    """B2: roles, unlock, deactivate, reset all pass a real User to the service."""
    panel = UserAdminPanel(auth, acting_user=auth.get("admin"))
    qtbot.addWidget(panel)
    panel.select_username("liwei")
    dlg = panel.edit_roles()
    dlg.findChild(QCheckBox, "user_role_operator").setChecked(False)
    dlg.reason_edit.setPlainText("no roles")
    assert not dlg.apply() and "at least one role" in dlg.error_bar.text()
    dlg.findChild(QCheckBox, "user_role_supervisor").setChecked(True)
    assert dlg.apply(), dlg.error_bar.text()
    assert auth.get("liwei").roles == frozenset({Role.SUPERVISOR})
    for _ in range(5):                                     # lock the account for real
        with pytest.raises(Exception):
            auth.authenticate("liwei", "wrong-password")
    panel.refresh()
    panel.select_username("liwei")
    assert panel.table.item(1, 4).text()                   # "locked until" shown
    for open_dialog, reason in ((panel.unlock_user, "called from line"),
                                (panel.toggle_active, "left the company")):
        d = open_dialog()
        d.reason_edit.setPlainText(reason)
        assert d.apply(), d.error_bar.text()
        panel.refresh()
        panel.select_username("liwei")
    assert auth.get("liwei").locked_until is None
    assert auth.get("liwei").active is False
    assert panel.buttons["active"].text() == "Reactivate"
    d = panel.reset_password()
    d.findChild(QLineEdit, "user_new_password").setText("pw-new-12345")
    d.findChild(QLineEdit, "user_new_password_confirm").setText("pw-new-12345")
    d.reason_edit.setPlainText("forgotten")
    assert d.apply(), d.error_bar.text()
    d = panel.toggle_active()
    d.reason_edit.setPlainText("back again")
    assert d.apply(), d.error_bar.text()
    assert auth.authenticate("liwei", "pw-new-12345", allow_expired=True).must_change_password
    mine = [e for e in ws.audit.entries(entity_id="liwei") if e.username == "admin"]
    assert sorted(e.action for e in mine) == ["change", "change", "change", "create", "password_reset",
                                              "unlock"]


def test_non_admin_change_refused_inline(qtbot, auth):
    panel = UserAdminPanel(auth, acting_user=auth.get("liwei"))
    qtbot.addWidget(panel)
    panel.select_username("admin")
    d = panel.unlock_user()
    d.reason_edit.setPlainText("try")
    assert not d.apply()
    assert d.error_bar.code_label.text() == "PH-PERM"


def test_main_window_user_admin_creates_user_with_the_session_user(qtbot, ws, auth,
                                                                   ini_settings):
    """The File menu path: MainWindow -> UserAdminDialog with the logged-in admin."""
    ws.session.login(auth.get("admin"))
    window = MainWindow([], session=ws.session, auth=auth, audit=ws.audit,
                        settings=ini_settings)
    qtbot.addWidget(window)
    dlg = window.show_user_admin()
    change = dlg.panel.create_user()
    change.findChild(QLineEdit, "user_new_username").setText("wangfang")
    change.findChild(QLineEdit, "user_new_full_name").setText("Wang Fang")
    change.findChild(QLineEdit, "user_new_password").setText("Operator-pw-123")
    change.findChild(QLineEdit, "user_new_password_confirm").setText("Operator-pw-123")
    change.reason_edit.setPlainText("new operator")
    assert change.apply(), change.error_bar.text()
    assert auth.get("wangfang") is not None
    window.close()


def test_audit_viewer_filters_export_verify(qtbot, tmp_path):
    audit = sample_audit(8)
    paths = {"csv": str(tmp_path / "a.csv"), "pdf": str(tmp_path / "a.pdf")}
    viewer = AuditViewer(audit, choose_save_path=lambda kind, _t: paths[kind])
    qtbot.addWidget(viewer)
    assert viewer.item_model.rowCount() == 8 and "8 entries" in viewer.count_label.text()
    viewer.user_edit.setText("liwei")
    viewer.refresh()
    assert viewer.item_model.rowCount() == 4
    assert audit.calls[-1][1] == "liwei"
    viewer.since_check.setChecked(True)
    since = viewer.filters()["since"]
    assert since.endswith("Z") and "T" in since
    viewer.since_check.setChecked(False)
    viewer.export("csv")
    assert (tmp_path / "a.csv").read_text().count("liwei") == 4
    viewer.export("pdf")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    viewer.verify()
    assert viewer.message_bar.level == "success" and "8 entries" in viewer.message_bar.text()
    audit.broken_at = 5
    viewer.verify()
    assert viewer.message_bar.level == "error"
    assert "entry 5" in viewer.message_bar.text() and "HMAC" in viewer.message_bar.text()
    assert not viewer.message_bar.close_button.isVisibleTo(viewer.message_bar)


def test_audit_viewer_with_task_runner(qtbot):
    runner = TaskRunner(max_workers=1)
    try:
        viewer = AuditViewer(sample_audit(5), tasks=runner)
        qtbot.addWidget(viewer)
        qtbot.waitUntil(lambda: viewer.item_model.rowCount() == 5)
        viewer.verify()
        qtbot.waitUntil(lambda: viewer.message_bar.level == "success")
    finally:
        runner.shutdown()
