"""Typed errors reach the operator in the UI language (widgets/error_words.py): the real
AuthService's sign-in refusals through the real login dialog, a PACS error no pattern
knows (the code's headline, the English detail kept), every error class's own remedy, and
back to the exact English text after a switch."""
from __future__ import annotations

import importlib
import pkgutil

from PySide6.QtCore import QCoreApplication, Qt

from app.core.errors import PharosError
from app.core.roles import Role
from app.ui import i18n
from app.ui.login_dialog import LoginDialog
from tests.ui.conftest import add_user
from widgets import error_words
from widgets.message_bar import MessageBar


def _error_classes() -> list[type[PharosError]]:
    """Every PharosError subclass of the application (app and the stations' modules)."""
    import app
    import station_plugins
    for pkg in (app, station_plugins):
        for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if ".ui" in mod.name or mod.name.endswith(("panel", "plugin", "gui")) or \
                    "__main__" in mod.name:
                continue
            try:
                importlib.import_module(mod.name)
            except Exception:   # noqa: BLE001 - an optional extra (training) absent
                continue
    seen: list[type[PharosError]] = []
    todo = [PharosError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo += cls.__subclasses__()
    return [c for c in seen if not c.__module__.startswith("tests")]


def test_every_error_class_remedy_and_code_has_chinese_words(qapp):
    classes = _error_classes()
    assert len(classes) >= 35
    remedies = set(error_words.known_remedies())
    own = {c.__dict__["remedy"] for c in classes if "remedy" in c.__dict__}
    assert own <= remedies, own - remedies
    i18n.set_language(qapp, "zh_CN")
    for text in remedies:
        assert QCoreApplication.translate("ErrorWords", text) != text, text
    for cls in classes:
        exc = cls.__new__(cls)
        PharosError.__init__(exc, "detail as written")
        shown = error_words.message_text(exc)
        assert shown != "detail as written" and shown.endswith("detail as written"), cls


def test_the_real_sign_in_refusals_read_in_chinese_and_back(qtbot, qapp, ws):
    add_user(ws, "liwei", Role.OPERATOR, password="Shift-start-123", full_name="Li Wei")
    i18n.set_language(qapp, "zh_CN")
    dlg = LoginDialog(ws.auth, session=ws.session, username="liwei")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password_edit, "wrong")
    qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
    assert dlg.error_bar.text() == "用户名不存在或密码错误（再输错 4 次账户将被锁定）。"
    assert dlg.error_bar.code_label.text() == "PH-AUTH"
    assert "请检查用户名和密码" in dlg.error_bar.remedy_label.text()
    i18n.set_language(qapp, "en")
    assert dlg.error_bar.text() == ("Unknown user name or wrong password (4 attempts left "
                                    "before lockout).")
    assert dlg.error_bar.remedy_label.text().endswith(
        "Check the user name and password; ask an administrator to unlock the account.")
    i18n.set_language(qapp, "zh_CN")
    for _ in range(4):
        dlg.password_edit.clear()
        qtbot.keyClicks(dlg.password_edit, "wrong")
        qtbot.mouseClick(dlg.login_button, Qt.MouseButton.LeftButton)
    assert dlg.error_bar.code_label.text() == "PH-AUTH-LOCKED"
    assert dlg.error_bar.text().startswith("密码错误。账户“liwei”现已锁定 ")
    assert "管理员解锁" in dlg.error_bar.remedy_label.text()


def test_an_error_no_pattern_knows_keeps_its_detail_under_a_chinese_headline(qtbot, qapp):
    from app.adapters.dicom_transport import PacsUnreachable
    bar = MessageBar()
    qtbot.addWidget(bar)
    exc = PacsUnreachable("PACS ORTHANC@127.0.0.1:4242 does not answer (connection refused).")
    i18n.set_language(qapp, "zh_CN")
    bar.show_error(exc)
    assert bar.text() == "PACS 无法连接：PACS ORTHANC@127.0.0.1:4242 does not answer (connection refused)."
    assert "PACS 的 DICOM 端口无响应" in bar.remedy_label.text()
    i18n.set_language(qapp, "en")
    assert bar.text() == exc.message
    assert bar.remedy_label.text().endswith(exc.remedy)
    # a remedy written for one case (not a class's own) stays as written
    bar.show_error(PacsUnreachable("x", remedy="Call the PACS team on 4711."))
    i18n.set_language(qapp, "zh_CN")
    assert bar.remedy_label.text().endswith("Call the PACS team on 4711.")


def test_a_status_light_detail_with_an_error_code_reads_under_its_headline(qapp):
    """The PACS light after a failed archive / receiver start: "message [CODE]" (English,
    as the status model keeps it) under the code's headline in Chinese, as written in
    English; the other parts of a detail are read as before."""
    from app.ui.status_words import detail_text
    detail = "PACS ORTHANC@127.0.0.1:4242 does not answer. [PH-PACS-DOWN]"
    assert detail_text(detail) == detail
    i18n.set_language(qapp, "zh_CN")
    assert detail_text(detail) == ("PACS 无法连接：PACS ORTHANC@127.0.0.1:4242 does not answer. "
                                   "[PH-PACS-DOWN]")
    assert detail_text("In sync") != "In sync"
