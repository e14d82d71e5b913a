"""GUI tests run offscreen with the Pharos theme; language is reset after each test."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _themed_english(qapp):  # noqa: ANN001, ANN202
    from app.ui import i18n
    from app.ui.theme import apply_theme

    if not qapp.property("pharos_themed"):
        apply_theme(qapp)
        qapp.setProperty("pharos_themed", True)
    yield
    if i18n.current_language() != "en":
        i18n.set_language(qapp, "en")


@pytest.fixture
def ini_settings(tmp_path):  # noqa: ANN001, ANN201
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "pharos_ui.ini"), QSettings.Format.IniFormat)


ADMIN_PW = "Adm1n-secret-pw"


@pytest.fixture
def ws(data_dir):  # noqa: ANN001, ANN201
    """The real services (store, audit, AuthService, signatures, session) on a fresh folder."""
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                         admin_password=ADMIN_PW)
    yield w
    w.close()


def add_user(ws, username: str, *roles, password: str = "Start-pass-123",  # noqa: ANN001
             full_name: str = "", must_change: bool = False):  # noqa: ANN201
    admin = ws.auth.get("admin")
    return ws.auth.create_user(username, full_name or username.title(), roles, password,
                               by=admin, reason="test set-up", must_change_password=must_change)

SCREEN_1366 = (1366, 768)


def open_station_window(qtbot, ws, ini_settings, language: str, station_id: str,  # noqa: ANN001
                        username: str = "qe"):  # noqa: ANN201
    """The real main window at 1366 x 768 with a user of every role logged in and one
    station open: ``(window, panel)`` (the 1366-fit tests of every station)."""
    from app.core.roles import ALL_ROLES
    from app.gui import build_window

    ws.session.login(add_user(ws, username, *ALL_ROLES, password="Every-role-123"))
    window = build_window(ws, language=language, settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(*SCREEN_1366)
    window.show()
    qtbot.waitExposed(window)
    return window, window.host.open_station(station_id)



def open_analysed_ct_qc(qtbot, ws, ini_settings, language: str, folder):  # noqa: ANN001, ANN201
    """``open_station_window`` on the CT QC station with ``folder`` imported and its
    analysis shown (the station idle again): ``(window, panel)``."""
    window, panel = open_station_window(qtbot, ws, ini_settings, language, "ct_qc")
    panel.import_folder(folder)
    qtbot.waitUntil(lambda: panel._result is not None and not panel.is_busy()
                    and not panel.refresher.running, timeout=180000)
    settle_layout(qtbot, window)
    return window, panel


def settle_layout(qtbot, root, timeout: int = 10000) -> None:  # noqa: ANN001
    """Until the layouts under ``root`` are done: the posted layout requests handled and
    every visible widget's geometry the same on two passes in a row (a wrapping flow or
    legend gets its height one relayout later) - instead of a fixed wait."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QWidget

    last: list = [None]

    def stable() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QCoreApplication.processEvents()
        snap = tuple(w.geometry().getRect() for w in root.findChildren(QWidget)
                     if w.isVisible())
        same, last[0] = snap == last[0], snap
        return same
    qtbot.waitUntil(stable, timeout=timeout)
