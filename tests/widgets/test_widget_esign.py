"""SignatureDialog: what is signed is shown, AuthError stays inline, Signature returned."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.core.errors import AuthError
from app.core.ids import content_hash
from widgets.esign_dialog import SignatureDialog, format_signature

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from tests.ui.ui_fakes import FakeSignature, FakeUser  # noqa: E402

CONTENT = {"record": "ctqc-1", "verdict": "PASS"}


def make_sign_fn(calls):
    def sign(username, password, meaning, comment):
        calls.append((username, password, meaning, comment))
        if password != "right-password":
            raise AuthError("Wrong password. 2 attempts left before the account is locked.")
        return FakeSignature(username, meaning, content_hash(CONTENT))
    return sign


def test_session_user_prefilled_read_only_and_failure_inline(qtbot):
    calls = []
    user = FakeUser("u1", "liwei", "Li Wei", frozenset())
    dlg = SignatureDialog(make_sign_fn(calls), title="CT QC result CT-0412",
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
    qtbot.keyClicks(dlg.password_edit, "wrong")
    qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.result() != QDialog.DialogCode.Accepted
    assert "Wrong password" in dlg.error_bar.text()
    assert dlg.error_bar.code_label.text() == "PH-AUTH"
    assert dlg.password_edit.text() == ""
    assert dlg.signature is None

    qtbot.keyClicks(dlg.password_edit, "right-password")
    dlg.comment_edit.setPlainText("checked against the phantom log")
    with qtbot.waitSignal(dlg.sig_signed) as blocker:
        qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.signature is blocker.args[0]
    assert dlg.signature.content_sha256 == content_hash(CONTENT)
    assert calls[-1] == ("liwei", "right-password", "approved", "checked against the phantom log")
    text = format_signature(dlg.signature)
    assert text.startswith("Approved by Liwei (liwei), 2026-01-05 08:12:03 UTC")


def test_without_session_user_name_is_editable(qtbot):
    calls = []
    dlg = SignatureDialog(make_sign_fn(calls), title="t", summary="s", content_sha256="ab" * 32)
    qtbot.addWidget(dlg)
    assert not dlg.user_edit.isReadOnly() and dlg.user_edit.text() == ""
    qtbot.keyClicks(dlg.user_edit, "zhangmin")
    qtbot.keyClicks(dlg.password_edit, "right-password")
    dlg.meaning_combo.setCurrentIndex(dlg.meaning_combo.findData("rejected"))
    qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    assert dlg.signature.username == "zhangmin" and dlg.signature.meaning == "rejected"
