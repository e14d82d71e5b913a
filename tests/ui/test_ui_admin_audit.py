"""User administration (reason required, service calls) and the audit viewer."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QLineEdit

from app.core.roles import Role
from app.runtime.task_runner import TaskRunner
from app.ui.audit_viewer import AuditViewer
from app.ui.user_admin import UserAdminPanel
from tests.ui.ui_fakes import FakeAuth, sample_audit


@pytest.fixture
def auth():
    a = FakeAuth()
    a.add("admin", "pw-admin-123", Role.ADMIN, full_name="Admin")
    a.add("liwei", "pw-liwei-123", Role.OPERATOR, full_name="Li Wei")
    return a


def test_user_list_and_create_needs_reason(qtbot, auth):
    panel = UserAdminPanel(auth, acting_username="admin")
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 2 and panel.table.item(1, 1).text() == "Li Wei"
    dlg = panel.create_user()
    dlg.findChild(QLineEdit, "user_new_username").setText("zhangmin")
    dlg.findChild(QLineEdit, "user_new_full_name").setText("Zhang Min")
    dlg.findChild(QCheckBox, "user_role_reviewer").setChecked(True)
    dlg.findChild(QLineEdit, "user_new_password").setText("pw-zhang-123")
    dlg.findChild(QLineEdit, "user_new_password_confirm").setText("pw-zhang-123")
    assert not dlg.apply()                                 # no reason yet
    assert "reason is required" in dlg.error_bar.text()
    assert not any(c[0] == "create_user" for c in auth.calls)
    dlg.reason_edit.setPlainText("New reviewer for line 3")
    assert dlg.apply()
    assert auth.calls[-1] == ("create_user", "zhangmin",
                              frozenset({Role.OPERATOR, Role.REVIEWER}), "admin",
                              "New reviewer for line 3")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3)


def test_roles_unlock_deactivate_reset(qtbot, auth):
    panel = UserAdminPanel(auth, acting_username="admin")
    qtbot.addWidget(panel)
    panel.select_username("liwei")
    dlg = panel.edit_roles()
    dlg.findChild(QCheckBox, "user_role_operator").setChecked(False)
    dlg.reason_edit.setPlainText("no roles")
    assert not dlg.apply() and "at least one role" in dlg.error_bar.text()
    dlg.findChild(QCheckBox, "user_role_supervisor").setChecked(True)
    assert dlg.apply()
    assert auth.users["liwei"].roles == frozenset({Role.SUPERVISOR})
    panel.refresh()
    panel.select_username("liwei")
    for open_dialog, reason in ((panel.unlock_user, "called from line"),
                                (panel.toggle_active, "left the company")):
        d = open_dialog()
        d.reason_edit.setPlainText(reason)
        assert d.apply()
        panel.refresh()
        panel.select_username("liwei")
    assert auth.users["liwei"].active is False
    assert panel.buttons["active"].text() == "Reactivate"
    d = panel.reset_password()
    d.findChild(QLineEdit, "user_new_password").setText("pw-new-12345")
    d.findChild(QLineEdit, "user_new_password_confirm").setText("pw-new-12345")
    d.reason_edit.setPlainText("forgotten")
    assert d.apply() and auth.passwords["liwei"] == "pw-new-12345"
    assert [c[0] for c in auth.calls] == ["set_roles", "unlock", "set_active", "reset_password"]


def test_non_admin_change_refused_inline(qtbot, auth):
    panel = UserAdminPanel(auth, acting_username="liwei")
    qtbot.addWidget(panel)
    panel.select_username("admin")
    d = panel.unlock_user()
    d.reason_edit.setPlainText("try")
    assert not d.apply()
    assert d.error_bar.code_label.text() == "PH-PERM"


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
