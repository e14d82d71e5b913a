"""The first-run QWizard: field errors named, tests off the GUI thread, Finish writes config."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSpinBox, QWizard

from app.bootstrap import Workstation
from app.config import load_config


@pytest.fixture
def ws(data_dir):
    w = Workstation.open(data_dir=data_dir, with_stations=False)
    yield w
    w.close()


def _set(wizard, name: str, value) -> None:
    w = wizard.findChild(QLineEdit, f"setup_{name}") or \
        wizard.findChild(QSpinBox, f"setup_{name}")
    assert w is not None, name
    w.setValue(value) if isinstance(w, QSpinBox) else w.setText(value)


def _error(wizard) -> str:
    return wizard.currentPage().findChild(QLabel, "setupError").text()


def test_wizard_validates_each_page_and_writes_the_config(qtbot, ws, data_dir, echo_scp):
    from app.ui.setup_wizard_dialog import build_wizard

    wizard = build_wizard(ws)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.findChild(QLineEdit, "setup_admin_username").isReadOnly()  # generated admin

    _set(wizard, "station_id", "bad id")
    wizard.next()
    assert wizard.currentId() == 0 and _error(wizard).startswith("Station id:")   # the label, not the field
    _set(wizard, "station_id", "QC-11")
    wizard.next()
    assert wizard.currentId() == 1

    _set(wizard, "admin_password", "Lighthouse42x")
    _set(wizard, "admin_password_repeat", "Lighthouse42y")
    wizard.next()
    assert wizard.currentId() == 1 and _error(wizard).startswith("Password again:")
    _set(wizard, "admin_password_repeat", "Lighthouse42x")
    wizard.next()
    assert wizard.currentId() == 2

    ae, port = echo_scp
    _set(wizard, "pacs_ae_title", ae)
    _set(wizard, "pacs_port", port)
    wizard.findChild(QPushButton, "setup_test_pacs").click()
    result = wizard.findChild(QLabel, "setup_result_pacs")
    qtbot.waitUntil(lambda: result.text().startswith(("✔", "✘")), timeout=10000)
    assert result.text().startswith("✔") and "C-ECHO" in result.text()
    for _ in range(4):  # OPC UA, central, stations, summary
        wizard.next()
    assert "QC-11" in wizard.findChild(QLabel, "setup_summary").text()
    wizard.accept()  # Finish: validatePage of the summary applies the setup
    assert wizard.outcome is not None and wizard.result() == QWizard.DialogCode.Accepted
    cfg = load_config(data_dir=data_dir, env={})
    assert cfg.path is not None and cfg.get("station", "id") == "QC-11"
    assert cfg.get("pacs", "peer_port") == port
    assert not ws.auth.password_expired(ws.auth.authenticate("admin", "Lighthouse42x"))


def test_wizard_not_shown_once_configured(qtbot, ws, data_dir):
    from app.ui.setup_wizard_dialog import run_first_run_wizard

    (data_dir / "pharos.toml").write_text("[station]\n")
    ws2 = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False)
    try:
        assert run_first_run_wizard(ws2, None) is False  # returns at once, no dialog
    finally:
        ws2.close()


def test_unreachable_central_database_shows_a_failure(qtbot, ws):
    from app.ui.setup_wizard_dialog import build_wizard
    from tests.installer.conftest import free_port

    wizard = build_wizard(ws)
    qtbot.addWidget(wizard)
    _set(wizard, "central_url", f"postgresql://u:p@127.0.0.1:{free_port()}/pharos")
    wizard.findChild(QPushButton, "setup_test_central").click()
    result = wizard.findChild(QLabel, "setup_result_central")
    qtbot.waitUntil(lambda: result.text().startswith(("✔", "✘")), timeout=15000)
    assert result.text().startswith("✘") and "not reachable" in result.text()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_pages_render_offscreen_in_both_languages(qtbot, ws, tmp_path, language):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n
    from app.ui.setup_wizard_dialog import build_wizard, render_pages

    app = QApplication.instance()
    i18n.set_language(app, language)
    try:
        wizard = build_wizard(ws, language=language)
        qtbot.addWidget(wizard)
        if language == "zh_CN":
            assert wizard.windowTitle() == "Pharos – 首次运行设置"
        paths = render_pages(wizard, tmp_path, f"setup-{language}")
        assert len(paths) == 7
        for p in paths:
            img = QImage(str(p))
            colours = {img.pixel(x, y) for x in range(0, 760, 7) for y in range(0, 560, 7)}
            assert img.width() == 760 and len(colours) > 10, p  # drawn, not blank
    finally:
        i18n.set_language(app, "en")
