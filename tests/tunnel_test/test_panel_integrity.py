"""The supervisor's journal-integrity decision from the tunnel console (issue 17/18):
the real panel, AuthService, store, audit and signature services, the real signature
dialog (only its modal ``exec`` is driven by the test, as a supervisor would)."""
from __future__ import annotations

import pytest

from .conftest import ADMIN_PW, USER_PW
from .test_integrity_release import _tamper


@pytest.fixture
def tampered(ws, mini_seq):
    """A run of op1 whose journal was edited without the key; its record is committed
    with release blocked. Returns (run_id, edited seq)."""
    from station_plugins.tunnel_test.console import TunnelConsole

    admin = ws.auth.authenticate("admin", ADMIN_PW)
    ws.auth.create_user("sup1", "Sonia Supervisor", ["supervisor"], USER_PW, by=admin,
                        reason="test", must_change_password=False)
    ctx = ws.context_for("tunnel_test")
    console = TunnelConsole(data_dir=ctx.data_dir, store=ws.store, audit=ws.audit,
                            signatures=ws.signatures)
    try:
        op = ws.auth.authenticate("op1", USER_PW)
        out = console.run_inline(console.make_spec(sequence_path=str(mini_seq),
                                                   serial="SN-INTEG", user=op))
        seq = _tamper(console.journal.path, out.run_id)
        _, decision = console.finish(out.run_id, "op1")
        assert decision["mode"] == "blocked"
    finally:
        console.close()
    return out.run_id, seq


def _station(ws, mini_seq, username):
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    ws.session.login(ws.auth.authenticate(username, USER_PW))
    ctx = ws.context_for("tunnel_test")
    ctx.settings["sequence"] = str(mini_seq)
    return TunnelTestStation(ctx)


def _sign_as(monkeypatch, meaning, comments):
    """Drive the real SignatureDialog: read what it shows, pick ``meaning``, type the
    password and each comment in turn (an empty one first: refused in the dialog)."""
    from widgets.esign_dialog import SignatureDialog

    seen = {}

    def exec_(dlg):
        seen["meanings"] = [dlg.meaning_combo.itemData(i)
                            for i in range(dlg.meaning_combo.count())]
        seen["default"] = dlg.meaning()
        seen["summary"] = dlg.summary_label.text()
        seen["user"] = dlg.user_edit.text()
        dlg.meaning_combo.setCurrentIndex(seen["meanings"].index(meaning))
        for comment in comments:
            dlg.password_edit.setText(USER_PW)
            dlg.comment_edit.setPlainText(comment)
            dlg._on_sign()
            assert dlg.wait_until_done()
            if dlg.signature is None:
                seen.setdefault("errors", []).append(dlg.error_bar.text())
        return dlg.result()
    monkeypatch.setattr(SignatureDialog, "exec", exec_)
    return seen


@pytest.mark.slow
def test_supervisor_accepts_the_journal_in_the_console(qtbot, ws, mini_seq, tampered,
                                                       monkeypatch):
    from PySide6.QtCore import Qt

    from station_plugins.tunnel_test import integrity

    run_id, seq = tampered
    station = _station(ws, mini_seq, "sup1")
    try:
        panel = station.create_panel()
        qtbot.addWidget(panel)
        panel.show()
        assert panel.integrity.isVisible()                        # a supervisor sees it
        qtbot.waitUntil(lambda: panel.recent.count() == 1, timeout=30000)
        panel.recent.setCurrentRow(0)
        assert panel.integrity.run_id == run_id and panel.integrity.isEnabled()
        seen = _sign_as(monkeypatch, "approved", ["", "edit traced to a test script"])
        decided = []
        panel.integrity.sig_decided.connect(decided.append)
        qtbot.mouseClick(panel.integrity, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(decided), timeout=30000)
        # the dialog showed what is decided, both meanings, the supervisor as signer
        assert seen["meanings"] == ["approved", "rejected"] and seen["default"] == "rejected"
        assert f"hash chain broken at event {seq}" in seen["summary"]
        assert seen["user"] == "sup1"
        assert len(seen["errors"]) == 1 and "reason" in seen["errors"][0]  # none: refused
        assert decided[0]["decision"] == "accept" and decided[0]["signed_by"] == "Sonia Supervisor"
        # stored as the CLI stores it: signed record, verified, audited
        status = station.console.integrity_status(run_id)
        assert status["decision"]["decision"] == "accept"
        assert status["decision"]["reason"] == "edit traced to a test script"
        sig = ws.signatures.signatures_for(integrity.DECISION_KIND,
                                           status["decision"]["record_id"])
        assert [s.meaning for s in sig] == ["approved"] and sig[0].username == "sup1"
        assert ws.audit.entries(action="tunnel.integrity_decision")[0].username == "sup1"
        assert "Decision recorded" in panel.message.text()
        # release is no longer blocked: an operator may now release it by e-signature
        _, decision = station.console.finish(run_id, "op1")
        assert decision["mode"] == "esign"
    finally:
        station.shutdown()


@pytest.mark.slow
def test_supervisor_rejects_and_the_record_stays_blocked(qtbot, ws, mini_seq, tampered,
                                                         monkeypatch):
    from station_plugins.tunnel_test import integrity

    run_id, _ = tampered
    station = _station(ws, mini_seq, "sup1")
    try:
        panel = station.create_panel()
        qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: panel.recent.count() == 1, timeout=30000)
        _sign_as(monkeypatch, "rejected", ["values cannot be trusted"])
        decided = []
        panel.integrity.sig_decided.connect(decided.append)
        panel.integrity.review()                        # no selection: the last run listed
        qtbot.waitUntil(lambda: bool(decided), timeout=30000)
        assert decided[0]["decision"] == "reject"
        with pytest.raises(integrity.IntegrityBlocked, match="rejected"):
            station.console.release(run_id, username="op1", password=USER_PW)
    finally:
        station.shutdown()


def test_integrity_button_only_for_supervisors_and_signer_role_checked(qtbot, ws, mini_seq,
                                                                       tampered):
    from app.core.errors import PermissionDenied

    run_id, _ = tampered
    station = _station(ws, mini_seq, "qe1")
    try:
        panel = station.create_panel()
        qtbot.addWidget(panel)
        assert not panel.integrity.isVisibleTo(panel)          # engineers: no button
        with pytest.raises(PermissionDenied):                  # and the service refuses
            station.console.decide_integrity(run_id, decision="accept", reason="x",
                                             username="qe1", password=USER_PW)
    finally:
        station.shutdown()


def test_intact_journal_has_nothing_to_decide(qtbot, ws, mini_seq, monkeypatch):
    from station_plugins.tunnel_test.console import TunnelConsole

    admin = ws.auth.authenticate("admin", ADMIN_PW)
    ws.auth.create_user("sup1", "Sonia Supervisor", ["supervisor"], USER_PW, by=admin,
                        reason="test", must_change_password=False)
    ctx = ws.context_for("tunnel_test")
    console = TunnelConsole(data_dir=ctx.data_dir, store=ws.store, audit=ws.audit,
                            signatures=ws.signatures)
    op = ws.auth.authenticate("op1", USER_PW)
    out = console.run_inline(console.make_spec(sequence_path=str(mini_seq), serial="SN-OK",
                                               user=op))
    console.finish(out.run_id, "op1")
    console.close()
    station = _station(ws, mini_seq, "sup1")
    try:
        panel = station.create_panel()
        qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: panel.recent.count() == 1, timeout=30000)
        seen = _sign_as(monkeypatch, "approved", ["should not be asked"])
        panel.integrity.review()
        qtbot.waitUntil(lambda: "intact" in panel.message.text(), timeout=30000)
        assert "meanings" not in seen                           # no signature asked for
        from PySide6.QtWidgets import QApplication

        from app.ui import i18n

        said = panel.message.text()
        try:                            # the message line follows a language switch
            i18n.set_language(QApplication.instance(), "zh_CN")
            assert panel.message.text() == f"测试 {out.run_id} 的日志完整，无需决定。"
        finally:
            i18n.set_language(QApplication.instance(), "en")
        assert panel.message.text() == said
    finally:
        station.shutdown()
