"""GUI: scan a serial, watch the run to PASS, role rules, render the panel to PNG."""
from __future__ import annotations

import os

import pytest

from .conftest import USER_PW


@pytest.fixture
def station(ws, mini_seq):
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    ws.session.login(ws.auth.authenticate("op1", USER_PW))
    ctx = ws.context_for("tunnel_test")
    ctx.settings["sequence"] = str(mini_seq)
    st = TunnelTestStation(ctx)
    yield st
    st.shutdown()


@pytest.mark.slow
def test_scan_serial_runs_to_pass_and_renders(qtbot, station, tmp_path):
    from PySide6.QtCore import Qt

    panel = station.create_panel()
    qtbot.addWidget(panel)
    panel.resize(1400, 800)
    panel.show()
    assert panel.mode.count() == 1                     # operator: released sequences only
    assert station.can_close()
    qtbot.keyClicks(panel.serial, "CA-4711")
    qtbot.keyClick(panel.serial, Qt.Key.Key_Return)     # a barcode scanner ends with Enter
    qtbot.waitUntil(lambda: panel.banner.state == "RUNNING", timeout=30000)
    qtbot.waitUntil(lambda: panel.banner.state == "PASS", timeout=60000)
    qtbot.waitUntil(lambda: panel.recent.count() >= 1 and "Record" in panel.message.text(),
                    timeout=30000)
    assert station.can_close()
    from station_plugins.tunnel_test.ui_step_table import VERDICT

    assert panel.items.steps.cell(0, VERDICT) == "PASS"
    assert panel.release_btn.isEnabled()               # no signed criteria: e-signature
    out = os.environ.get("TUNNEL_PANEL_PNG", str(tmp_path / "panel.png"))
    assert panel.grab().save(out)
    # the message line follows a language switch (it kept the old language before)
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n

    said = panel.message.text()
    record_id = said.split()[1]
    try:
        i18n.set_language(QApplication.instance(), "zh_CN")
        assert panel.message.text().startswith(f"记录 {record_id} 已提交；放行："), \
            panel.message.text()
    finally:
        i18n.set_language(QApplication.instance(), "en")
    assert panel.message.text() == said


def test_operator_cannot_start_single_step(qtbot, station):
    panel = station.create_panel()
    qtbot.addWidget(panel)
    assert [panel.mode.itemData(i) for i in range(panel.mode.count())] == ["released"]
    assert not panel.step_key.isVisible()


@pytest.fixture
def engineer_station(ws, mini_seq):
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    ws.session.login(ws.auth.authenticate("qe1", USER_PW))
    ctx = ws.context_for("tunnel_test")
    ctx.settings["sequence"] = str(mini_seq)
    st = TunnelTestStation(ctx)
    yield st
    st.shutdown()


def test_editor_validates_saves_new_version_and_releases_with_esignature(qtbot,
                                                                       engineer_station):
    from station_plugins.tunnel_test.ui_sequence_editor import SequenceEditorDialog
    from station_plugins.tunnel_test.ui_tasks import submitter

    panel = engineer_station.create_panel()
    qtbot.addWidget(panel)
    assert panel.edit_btn.isVisibleTo(panel)
    qtbot.waitUntil(lambda: panel.sequence_combo.count() == 2, timeout=20000)  # + shipped
    lib = engineer_station.library
    signed = []

    def sign_with_dialog(parent, sign_fn, **kw):        # what SignatureDialog.ask does
        assert kw["meanings"] == ("approved",) and kw["content_sha256"]
        signed.append(sign_fn("qe1", USER_PW, "approved", "validated"))
        return signed[-1]

    dlg = SequenceEditorDialog(lib, user=engineer_station.ctx.user,
                               submit=submitter(engineer_station.ctx.tasks, panel),
                               sign_dialog=sign_with_dialog)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.versions.count() == 2, timeout=20000)
    dlg.versions.setCurrentIndex(dlg.versions.findData(panel.selected_sequence()))
    dlg.open_selected()
    qtbot.waitUntil(lambda: "version: \"1.1\"" in dlg.text.toPlainText(), timeout=20000)
    good = dlg.text.toPlainText()
    dlg.text.setPlainText(good.replace("unit: ohm,", "unit: ohmz,"))
    dlg.validate()
    qtbot.waitUntil(lambda: "ohmz" in dlg.status.text(), timeout=20000)
    bad_line = next(i for i, l in enumerate(good.splitlines(), 1) if "unit: ohm," in l)
    assert f"<editor>:{bad_line}:" in dlg.status.text()
    assert dlg.text.textCursor().blockNumber() + 1 == bad_line   # the error line is marked
    dlg.save()                                                   # invalid: nothing saved
    qtbot.waitUntil(lambda: "ohmz" in dlg.status.text(), timeout=20000)
    assert not lib.folder.exists() or not any(lib.folder.glob("*/*"))
    dlg.text.setPlainText(good)
    dlg.save()
    qtbot.waitUntil(lambda: dlg.versions.count() == 3, timeout=20000)
    assert dlg.current_entry().status == "draft" and dlg.release_btn.isEnabled()
    assert dlg.release_selected() is not None and signed[0].meaning == "approved"
    qtbot.waitUntil(lambda: dlg.versions.count() == 4, timeout=20000)
    assert dlg.current_entry().status == "released" and not dlg.current_entry().problem
    dlg.close()
    panel._refresh_lists()
    qtbot.waitUntil(lambda: panel.sequence_combo.count() == 4, timeout=20000)


def test_operator_sees_released_versions_only_and_mes_state(qtbot, station):
    panel = station.create_panel()
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.sequence_combo.count() == 2, timeout=20000)
    assert not panel.edit_btn.isVisibleTo(panel)
    assert all("released" in panel.sequence_combo.itemText(i) for i in range(2))
    station.library.save_draft(station.library.new_draft_text(panel.selected_sequence()),
                               username="qe1")
    panel._refresh_lists()
    qtbot.waitUntil(lambda: panel.mes_state.text() != "", timeout=20000)
    assert panel.sequence_combo.count() == 2                   # the new draft is not offered
    panel.mes_state.show_result({"pending": 3})
    assert "3" in panel.mes_state.text()


def test_console_retranslates_to_zh_cn(qtbot, station):
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n

    panel = station.create_panel()
    qtbot.addWidget(panel)
    app = QApplication.instance()
    try:
        i18n.set_language(app, "zh_CN")
        assert panel.start_btn.text() == "开始"
        assert panel.banner.text() == "就绪" and panel.banner.state == "READY"
        assert panel.prompt.title() == "操作员提示"
    finally:
        i18n.set_language(app, "en")
    assert panel.start_btn.text() == "Start" and panel.banner.text() == "READY"


@pytest.mark.slow
def test_release_dialog_shows_the_meaning_it_records(qtbot, station, ws, monkeypatch):
    """Part 11 11.50: the release signature dialog offers 'Released' only, and the stored
    signature says released (it showed 'Reviewed' and offered 'Rejected')."""
    from PySide6.QtCore import Qt

    from widgets.esign_dialog import SignatureDialog

    panel = station.create_panel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.keyClicks(panel.serial, "CA-4712")
    qtbot.keyClick(panel.serial, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.release_btn.isEnabled(), timeout=90000)
    shown = {}

    def sign_in_dialog(dlg):  # the operator reads the meaning, types the password, signs
        shown["meanings"] = [dlg.meaning_combo.itemData(i)
                             for i in range(dlg.meaning_combo.count())]
        shown["text"] = dlg.meaning_combo.currentText()
        dlg.password_edit.setText(USER_PW)
        dlg._on_sign()
        assert dlg.wait_until_done()
        return dlg.result()

    monkeypatch.setattr(SignatureDialog, "exec", sign_in_dialog)
    panel.release_run()
    assert shown["meanings"] == ["released"] and shown["text"] == "Released"
    with ws.store.read() as conn:
        meanings = [r[0] for r in conn.exec_driver_sql("select meaning from signatures")]
    assert meanings and set(meanings) == {"released"}
