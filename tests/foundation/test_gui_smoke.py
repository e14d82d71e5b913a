"""GUI smoke test on the real composition: log in, open every registered station, close.

Runs the workstation as `pharos` builds it (real store, audit, auth, stations) under the
offscreen platform; Qt warnings fail the test (pytest-qt qt_log_level_fail).
"""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings

from app.bootstrap import Workstation
from app.gui import build_window

ADMIN_PW = "Adm1n-secret-pw"


@pytest.fixture
def workstation(data_dir):
    ws = Workstation.open(data_dir=data_dir, exclusive=True, admin_password=ADMIN_PW)
    yield ws
    ws.close()


def test_login_open_every_station_and_close(qtbot, workstation, tmp_path):
    from app.ui.login_dialog import LoginDialog

    threads_before = {t.ident for t in threading.enumerate()}
    ws = workstation
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = build_window(ws, language="en", settings=settings)
    qtbot.addWidget(window)
    login = LoginDialog(ws.auth, session=ws.session)
    qtbot.addWidget(login)
    login.user_edit.setText("admin")
    login.password_edit.setText(ADMIN_PW)
    assert login.try_login()
    assert ws.session.user.username == "admin"
    window.show()
    qtbot.waitExposed(window)
    opened = []
    for entry in ws.stations:
        assert entry.available, f"station {entry.id} unavailable: {entry.error}"
        panel = window.host.open_station(entry.id)
        assert panel is not None
        qtbot.waitUntil(panel.isVisible, timeout=5000)
        opened.append(entry.id)
    assert set(opened) == {"ct_qc", "image_review", "detector_matching", "tunnel_test",
                           "lead_room"}
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    ws.close()
    # the process's one-time warm-up (imports, the optimiser's kernels: compiled on a fresh
    # data folder, which may take a while on a busy machine) belongs to no window: it ends
    # by itself; wait for it so that what remains is what the workstation left running
    for t in threading.enumerate():
        if t.ident not in threads_before and t.name in ("pharos-warmup", "dm-kernel-warmup"):
            t.join(timeout=300)
    # the workstation's own threads (pool, asyncio loop) are gone after close
    def leaked():
        return [t for t in threading.enumerate() if t.ident not in threads_before
                and t.is_alive() and not t.name.startswith(("Dummy", "QDBus"))]
    try:
        qtbot.waitUntil(lambda: not leaked(), timeout=10000)
    except Exception:
        raise AssertionError(f"threads left running: {[t.name for t in leaked()]}")
