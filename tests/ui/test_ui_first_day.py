"""First day at the plant, per role, end to end in the real GUI: the real MainWindow,
AuthService, store, audit and signature services on a fresh data folder (demo mode:
the built-in simulators stand in for the hardware). No fake for anything a user touches;
modal dialogs are the real dialogs, filled in and confirmed in place of a modal loop.

Every role: the administrator's first login with the forced password change, the user's
creation in User administration, the user's first login with the forced change, a job
in a station the role may use, an e-signature, log-out.
"""
from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QCheckBox, QLineEdit

from app.core.roles import Role
from app.ui.login_dialog import ChangePasswordDialog
from widgets.esign_dialog import SignatureDialog

logging.getLogger("asyncua").setLevel(logging.CRITICAL)
NEW_ADMIN_PW = "Plant-root-2026"


@pytest.fixture
def plant(data_dir, qtbot, ini_settings, monkeypatch):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation
    from app.gui import build_window

    ws = Workstation.open(data_dir=data_dir)            # first run: admin, password shown once
    assert ws.first_run_password and ws.auth.get("admin").must_change_password
    window = build_window(ws, language="en", settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.log_out()                                     # the logged-out cover, as at start
    state = {"new_password": None, "sign_password": None}

    def change_exec(dlg: ChangePasswordDialog) -> int:   # the user types the new one twice
        dlg.new_edit.setText(state["new_password"])
        dlg.confirm_edit.setText(state["new_password"])
        dlg._on_ok()
        return dlg.result()

    def sign_exec(dlg: SignatureDialog) -> int:          # the user re-enters the password
        dlg.password_edit.setText(state["sign_password"])
        dlg._on_sign()
        assert dlg.wait_until_done()                     # signed off the GUI thread
        state.setdefault("signed", []).append(dlg.meaning())
        return dlg.result()

    monkeypatch.setattr(ChangePasswordDialog, "exec", change_exec)
    monkeypatch.setattr(SignatureDialog, "exec", sign_exec)
    yield ws, window, state
    window.close()
    ws.close()


def log_in(window, state, username: str, password: str, new_password: str) -> None:  # noqa: ANN001
    dlg = window.show_login()
    dlg.user_edit.setText(username)
    dlg.password_edit.setText(password)
    state["new_password"] = new_password
    assert dlg.try_login(), dlg.error_bar.text()
    assert not window.is_locked() and window.session.user.username == username
    assert not window.session.user.must_change_password


def admin_creates(window, ws, username: str, full_name: str, role: Role) -> None:  # noqa: ANN001
    dlg = window.show_user_admin()
    change = dlg.panel.create_user()
    change.findChild(QLineEdit, "user_new_username").setText(username)
    change.findChild(QLineEdit, "user_new_full_name").setText(full_name)
    change.findChild(QCheckBox, "user_role_operator").setChecked(role == Role.OPERATOR)
    change.findChild(QCheckBox, f"user_role_{role.value}").setChecked(True)
    change.findChild(QLineEdit, "user_new_password").setText("Given-1st-day")
    change.findChild(QLineEdit, "user_new_password_confirm").setText("Given-1st-day")
    change.reason_edit.setPlainText("first day on line 3")
    assert change.apply(), change.error_bar.text()
    dlg.close()
    assert ws.auth.get(username).roles == frozenset({role})


def first_login_and_create(ws, window, state, username: str, role: Role,  # noqa: ANN001
                           own_pw: str) -> None:
    log_in(window, state, "admin", ws.first_run_password, NEW_ADMIN_PW)
    admin_creates(window, ws, username, username.title() + " Li", role)
    assert window.log_out()
    log_in(window, state, username, "Given-1st-day", own_pw)
    state["sign_password"] = own_pw


def finish(ws, window, username: str) -> None:  # noqa: ANN001
    assert window.log_out() and window.session.user is None
    assert window.host.created_panels() == {}
    actions = [e.action for e in ws.audit.entries(username=username)]
    assert {"login", "password_change", "logout"} <= set(actions), actions
    assert ws.audit.verify().ok


def test_administrator(plant, qtbot):
    ws, window, state = plant
    log_in(window, state, "admin", ws.first_run_password, NEW_ADMIN_PW)
    admin_creates(window, ws, "zhao", "Zhao Lei", Role.SUPERVISOR)
    viewer = window.show_audit_viewer()                  # the admin's daily check
    viewer.viewer.verify() if hasattr(viewer, "viewer") else None
    assert ws.audit.entries(action="create", entity_id="zhao")[0].username == "admin"
    finish(ws, window, "admin")


def test_operator_runs_the_tunnel_and_releases_with_a_signature(plant, qtbot):
    ws, window, state = plant
    first_login_and_create(ws, window, state, "wang", Role.OPERATOR, "Operator-day-1")
    panel = window.host.open_station("tunnel_test")
    panel.serial.setText("CA-FIRST-1")
    panel.start_run()

    def done() -> bool:
        if panel.prompt.isVisible():                      # the operator answers the prompts
            b = panel.prompt.buttons.itemAt(0).widget()
            if b is not None:
                b.click()
        return panel.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED")
    qtbot.waitUntil(done, timeout=180000)
    assert panel.banner.state == "PASS"
    qtbot.waitUntil(panel.release_btn.isEnabled, timeout=60000)
    panel.release_run()
    assert state["signed"] == ["released"]
    with ws.store.read() as conn:
        rows = conn.exec_driver_sql("select username, meaning from signatures").fetchall()
    assert [tuple(r) for r in rows] == [("wang", "released")]
    finish(ws, window, "wang")


def test_quality_engineer_analyses_ct_qc_and_signs_the_baseline(plant, qtbot, tmp_path):
    ws, window, state = plant
    first_login_and_create(ws, window, state, "chen", Role.QUALITY_ENGINEER, "Quality-day-1")
    panel = window.host.open_station("ct_qc")
    panel.simulate_series()
    qtbot.waitUntil(lambda: panel._result is not None and not panel.is_busy(), timeout=300000)
    assert panel._record_id
    rec = panel.set_baseline_current()
    assert rec is not None and state["signed"] == ["approved"]
    panel.report_current(tmp_path / "report.pdf")
    qtbot.waitUntil(lambda: getattr(panel, "last_report", None) is not None, timeout=120000)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    # the analysis queue is the station service's: log-out waits for it (can_close asks it)
    panel.analyse_current()
    assert not window.log_out() and window.session.user.username == "chen"
    assert "still working" in window.message_bar.text()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=300000)
    assert len(ws.store.query_records(kind="ct_qc.result")) == 2
    finish(ws, window, "chen")


def test_supervisor_signs_the_pre_shift_checklist(plant, qtbot):
    ws, window, state = plant
    first_login_and_create(ws, window, state, "liu", Role.SUPERVISOR, "Supervisor-day-1")
    panel = window.host.open_station("lead_room")
    checklist = panel.checklist
    panel.tabs.setCurrentWidget(checklist.parentWidget())     # its tab (a lazy page)
    qtbot.waitUntil(lambda: checklist.room.count() > 0, timeout=180000)   # gateway connected
    for cb in checklist.boxes.values():
        cb.setChecked(True)
    checklist.sign()
    assert "Room01 signed: Verified by" in checklist.result.text(), checklist.result.text()
    assert ws.store.query_records(kind="lead_room.checklist")[0].verdict == "PASS"
    assert state["signed"]
    finish(ws, window, "liu")


def test_reviewer_opens_the_review_queue(plant, qtbot):
    """The reviewer's station opens with the decision controls; a signed decision on a
    queued image is covered in tests/image_review with the same dialog."""
    ws, window, state = plant
    first_login_and_create(ws, window, state, "sun", Role.REVIEWER, "Reviewer-day-1")
    panel = window.host.open_station("image_review")
    assert panel.objectName() != "station_denied_page"
    assert panel.findChild(type(panel.review_view.approve_button), "review_approve")
    assert window.host.open_station("tunnel_test").objectName() == "station_denied_page"
    finish(ws, window, "sun")


def test_review_decisions_disabled_for_a_role_that_may_not_review(plant, qtbot):
    """Issue 17 minor: Approve/Reject were enabled for users who may not review."""
    ws, window, state = plant
    first_login_and_create(ws, window, state, "qian", Role.QUALITY_ENGINEER, "Quality-day-2")
    panel = window.host.open_station("image_review")
    assert panel.review_view.may_decide is False
    assert not panel.review_view.approve_button.isEnabled()
    assert "may not approve" in panel.review_view.approve_button.toolTip()
    finish(ws, window, "qian")


def test_tunnel_eta_follows_the_steps_not_the_start_up(plant, qtbot, monkeypatch):
    """Issue 17 minor: 'ETA 3087 s' for a 5 s run (the runner's start-up counted as a step)."""
    import station_plugins.tunnel_test.panel as tp

    ws, window, state = plant
    log_in(window, state, "admin", ws.first_run_password, NEW_ADMIN_PW)
    panel = window.host.open_station("tunnel_test")
    clock = [100.0]
    monkeypatch.setattr(tp.time, "monotonic", lambda: clock[0])
    panel.progress.setRange(0, 100)
    panel._t_first = None
    panel._done_steps = 1
    clock[0] += 30.0                        # 30 s of start-up before the first step ended
    assert panel._eta_text() == ""
    for _ in range(3):                      # then 0.05 s per step
        clock[0] += 0.05
        panel._done_steps += 1
        text = panel._eta_text()
    assert text == "about 5 s left"        # 96 steps x 0.05 s, not 96 x 10 s
