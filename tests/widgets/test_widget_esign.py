"""SignatureDialog: what is signed is shown, AuthError stays inline, Signature returned."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.core.ids import content_hash
from widgets.esign_dialog import SignatureDialog, format_signature

import pytest  # noqa: E402

from app.core.roles import Role  # noqa: E402

CONTENT = {"record": "ctqc-1", "verdict": "PASS"}


@pytest.fixture
def ws(data_dir):  # noqa: ANN001, ANN201
    """The real signature service (store, audit, AuthService) on a fresh folder."""
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                         admin_password="Adm1n-secret-pw")
    for name, full in (("liwei", "Li Wei"), ("zhangmin", "Zhang Min")):
        w.auth.create_user(name, full, [Role.QUALITY_ENGINEER], "right-password-1",
                           by=w.auth.get("admin"), reason="test", must_change_password=False)
    yield w
    w.close()


def make_sign_fn(calls, ws):
    def sign(username, password, meaning, comment):
        calls.append((username, password, meaning, comment))
        return ws.signatures.sign("ct_qc_result", "ctqc-1", CONTENT, meaning, username=username,
                                  password=password, comment=comment)
    return sign


def test_session_user_prefilled_read_only_and_failure_inline(qtbot, ws):
    calls = []
    user = ws.auth.get("liwei")
    dlg = SignatureDialog(make_sign_fn(calls, ws), title="CT QC result CT-0412",
                          summary="12 measurements, PASS", content_sha256=content_hash(CONTENT),
                          session_user=user, default_meaning="approved")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.user_edit.text() == "liwei" and dlg.user_edit.isReadOnly()
    assert dlg.hash_label.text().replace(" ", "") == content_hash(CONTENT)
    assert dlg.content_sha256 == content_hash(CONTENT)
    assert dlg.what_label.text() == "CT QC result CT-0412"
    assert dlg.full_name_label.text() == "Li Wei"
    assert dlg.meaning() == "approved"
    assert not dlg.sign_button.isEnabled()  # no password yet
    qtbot.waitExposed(dlg)
    field_heights = {f.objectName(): f.height() for f in (
        dlg.meaning_combo, dlg.user_edit, dlg.password_edit, dlg.comment_edit)}
    qtbot.keyClicks(dlg.password_edit, "wrong")
    qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.result() != QDialog.DialogCode.Accepted
    assert "wrong password" in dlg.error_bar.text()
    assert dlg.error_bar.code_label.text() == "PH-AUTH"
    assert dlg.password_edit.text() == ""
    assert dlg.signature is None
    qtbot.wait(20)
    # the form does not collapse after the error (issue 17): every field keeps its height,
    # the wrapped statement and error are shown in full
    assert {f.objectName(): f.height() for f in (
        dlg.meaning_combo, dlg.user_edit, dlg.password_edit, dlg.comment_edit)} == field_heights
    for label in (dlg.statement_label, dlg.error_bar.text_label, dlg.what_label):
        assert label.height() >= label.heightForWidth(label.width()), label.objectName()

    qtbot.keyClicks(dlg.password_edit, "right-password-1")
    dlg.comment_edit.setPlainText("checked against the phantom log")
    with qtbot.waitSignal(dlg.sig_signed) as blocker:
        qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.signature is blocker.args[0]
    assert dlg.signature.content_sha256 == content_hash(CONTENT)
    assert calls[-1] == ("liwei", "right-password-1", "approved",
                         "checked against the phantom log")
    assert dlg.signature.meaning == "approved"
    assert format_signature(dlg.signature).startswith("Approved by Li Wei (liwei), ")


def test_without_session_user_name_is_editable(qtbot, ws):
    calls = []
    dlg = SignatureDialog(make_sign_fn(calls, ws), title="t", summary="s",
                          content_sha256=content_hash(CONTENT))
    qtbot.addWidget(dlg)
    assert not dlg.user_edit.isReadOnly() and dlg.user_edit.text() == ""
    qtbot.keyClicks(dlg.user_edit, "zhangmin")
    qtbot.keyClicks(dlg.password_edit, "right-password-1")
    dlg.meaning_combo.setCurrentIndex(dlg.meaning_combo.findData("rejected"))
    qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    assert dlg.signature.username == "zhangmin" and dlg.signature.meaning == "rejected"
