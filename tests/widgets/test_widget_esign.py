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
    assert dlg.wait_until_done()
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
    with qtbot.waitSignal(dlg.sig_signed, timeout=60000) as blocker:
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
    assert dlg.wait_until_done()
    assert dlg.signature.username == "zhangmin" and dlg.signature.meaning == "rejected"


def test_signing_runs_off_the_gui_thread_and_waits_for_its_answer(qtbot, ws):
    """Password hashing takes a second: the GUI thread keeps turning while sign_fn runs,
    the form is read-only and cannot be cancelled (the signature may be stored already),
    and exactly one signature with its audit entry results (issue 17)."""
    import threading

    from PySide6.QtCore import QTimer

    gate, threads, beats = threading.Event(), [], []
    real = make_sign_fn([], ws)

    def sign(*args):
        threads.append(threading.current_thread())
        assert gate.wait(30)
        return real(*args)

    dlg = SignatureDialog(sign, title="t", summary="s", content_sha256=content_hash(CONTENT),
                          session_user=ws.auth.get("liwei"), default_meaning="approved")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.password_edit.setText("right-password-1")
    timer = QTimer(dlg)
    timer.timeout.connect(lambda: beats.append(1))
    timer.start(10)
    qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=10000)
    assert threads[0] is not threading.main_thread()
    assert dlg.is_busy() and dlg.busy_label.isVisible()
    assert dlg.password_edit.text() == ""                  # the password left the form
    assert not dlg.sign_button.isEnabled() and not dlg.cancel_button.isEnabled()
    assert not dlg.meaning_combo.isEnabled()
    before = len(beats)
    qtbot.waitUntil(lambda: len(beats) > before + 5, timeout=5000)
    assert len(beats) > before + 5                          # the GUI thread keeps turning
    ended = []
    dlg.finished.connect(ended.append)
    dlg.reject()                                            # Esc / close while signing
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    dlg.close()
    assert dlg.isVisible() and ended == []
    qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)    # no second signature
    gate.set()
    qtbot.waitUntil(lambda: ended != [], timeout=60000)
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.signature is not None
    assert len(threads) == 1
    assert len(ws.signatures.signatures_for("ct_qc_result", "ctqc-1")) == 1
    assert [e for e in ws.audit.entries(entity="ct_qc_result") if "sign" in e.action]


def test_unexpected_error_is_shown_and_the_form_stays_whole(qtbot, ws):
    def broken(*_args):
        raise RuntimeError("database disk image is malformed")

    dlg = SignatureDialog(broken, title="t", summary="s", content_sha256=content_hash(CONTENT),
                          session_user=ws.auth.get("liwei"))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.password_edit.setText("right-password-1")
    with qtbot.waitSignal(dlg.sig_failed, timeout=10000) as failed:
        dlg.sign_button.click()
    assert isinstance(failed.args[0], RuntimeError)
    assert dlg.isVisible() and not dlg.is_busy() and dlg.signature is None
    assert dlg.error_bar.code_label.text() == "PH-BUG" and "malformed" in dlg.error_bar.text()
    assert dlg.cancel_button.isEnabled() and dlg.password_edit.isEnabled()
    dlg.reject()
    assert not dlg.isVisible()
