"""Part 11: the pre-shift checklist is signed and stored atomically.

A wrong password stores nothing (the failure is audited as every signature failure is),
a retry stores exactly one record with its one signature, and a failure while storing
leaves neither. Real Workstation: AuthService, Store, AuditTrail, SignatureService.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.bootstrap import Workstation
from app.core.errors import AuthError
from station_plugins.lead_room.plugin import LeadRoomStation
from station_plugins.lead_room.service import CHECKLIST_ITEMS, LeadRoomService
from station_plugins.lead_room.ui_reports import ChecklistView

ADMIN_PW = "Adm1n-secret-pw"
OP_PW = "Operat0r-secret-pw"
KIND = "lead_room.checklist"


@pytest.fixture
def ws_svc(data_dir):
    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                          admin_password=ADMIN_PW)
    admin = ws.auth.authenticate("admin", ADMIN_PW)
    ws.auth.create_user("op1", "Olga Operator", ["operator"], OP_PW, by=admin,
                        reason="test", must_change_password=False)
    ws.session.login(ws.auth.authenticate("op1", OP_PW))
    ctx = ws.context_for("lead_room")
    LeadRoomStation(ctx)                          # declares the station's actions and roles
    svc = LeadRoomService(ctx)                    # in process, not started
    yield ws, svc
    if svc.journal is not None:
        svc.journal.close()
    ws.close()


def _records(ws) -> list:  # noqa: ANN001
    return ws.store.query_records(kind=KIND)


def _signs(ws) -> list:  # noqa: ANN001
    return ws.audit.entries(action="sign", entity=KIND)


def test_wrong_password_stores_nothing_and_a_retry_stores_one_signed_record(ws_svc):
    ws, svc = ws_svc
    content = svc.checklist_content("Room01", {i: True for i in CHECKLIST_ITEMS}, "all fine")
    for _ in range(2):                                        # two wrong tries
        with pytest.raises(AuthError):
            svc.sign_checklist(content, "wrong-password")
    assert _records(ws) == [] and _signs(ws) == []
    failed = ws.audit.entries(action="signature_auth_failed", entity_id="op1")
    assert len(failed) == 2 and all(e.username == "op1" for e in failed)
    assert all("wrong-password" not in repr(e) for e in failed)   # no secret audited

    sig = svc.sign_checklist(content, OP_PW, comment="checked at 06:00")
    recs = _records(ws)
    assert len(recs) == 1 and len(_signs(ws)) == 1
    rec = recs[0]
    assert rec.subject == "Room01" and rec.verdict == "PASS" and rec.payload == content
    assert sig.record_id == rec.id and sig.username == "op1" and sig.meaning == "verified"
    assert sig.comment == "checked at 06:00"
    stored = ws.signatures.signatures_for(KIND, rec.id)
    assert [s.id for s in stored] == [sig.id] and ws.signatures.verify(stored[0], rec.payload)


def test_failure_while_storing_leaves_neither_record_nor_signature(ws_svc):
    ws, svc = ws_svc
    content = svc.checklist_content("Room02", {i: True for i in CHECKLIST_ITEMS})
    del content["all_ok"]                      # the record write fails after the signature
    with pytest.raises(KeyError):
        svc.sign_checklist(content, OP_PW)
    assert _records(ws) == [] and _signs(ws) == []


def test_dialog_stays_open_after_a_wrong_password_and_signs_on_retry(ws_svc, qtbot):
    ws, svc = ws_svc
    view = ChecklistView(svc)
    qtbot.addWidget(view)
    view.set_rooms(["Room01", "Room02"])
    for box in view.boxes.values():
        box.setChecked(True)
    seen: dict = {}

    def drive() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None or dlg.objectName() != "signature_dialog":
            QTimer.singleShot(20, drive)
            return
        dlg.password_edit.setText("wrong-password")
        dlg.sign_button.click()
        assert dlg.wait_until_done()           # signing runs off the GUI thread
        seen["open_after_wrong"] = dlg.isVisible()
        seen["error"] = dlg.error_bar.isVisible()
        seen["records_after_wrong"] = len(_records(ws))
        seen["password_cleared"] = dlg.password_edit.text() == ""
        dlg.password_edit.setText(OP_PW)
        dlg.sign_button.click()

    QTimer.singleShot(0, drive)
    view.sign_button.click()                   # runs the modal dialog until drive() signs
    assert seen == {"open_after_wrong": True, "error": True, "records_after_wrong": 0,
                    "password_cleared": True}
    assert len(_records(ws)) == 1 and len(_signs(ws)) == 1
    assert "Room01" in view.result.text() and "signed" in view.result.text()
    assert len(ws.audit.entries(action="signature_auth_failed")) == 1
