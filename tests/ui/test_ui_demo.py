"""Demo mode: a visible DEMO mark, and the simulators' faults injected from the GUI (the
real workstation in demo mode, real services, the real MainWindow)."""
from __future__ import annotations

import logging

import pytest

from app.core.roles import ALL_ROLES
from tests.ui.conftest import add_user

logging.getLogger("asyncua").setLevel(logging.CRITICAL)


@pytest.fixture
def demo_window(data_dir, qtbot, ini_settings):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation
    from app.gui import build_window

    ws = Workstation.open(data_dir=data_dir, admin_password="Adm1n-secret-pw")
    assert ws.config.demo
    ws.session.login(add_user(ws, "demo1", *ALL_ROLES, password="Show-floor-123"))
    window = build_window(ws, language="en", settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    yield ws, window
    window.close()
    ws.close()


def test_demo_mark_and_tunnel_fault_from_the_gui(demo_window, qtbot):
    ws, window = demo_window
    assert window.demo_label.isVisible() and "DEMO" in window.demo_label.text()
    assert "DEMO" in window.windowTitle()
    assert window.demo_menu.menuAction().isVisible()
    panel = window.host.open_station("tunnel_test")
    faults = window.demo_faults()
    assert "expired_calibration" in dict(faults["tunnel_test"])
    window._fill_demo_menu()                                  # the menu lists them
    assert window.findChild(type(window.act_about), "action_demo_tunnel_test_expired_calibration")
    window.inject_demo_fault("tunnel_test", "expired_calibration")
    panel.serial.setText("CA-DEMO-1")
    panel.start_run()
    qtbot.waitUntil(lambda: panel.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED"),
                    timeout=120000)
    assert panel.banner.state == "ERROR"
    assert "calibration expired" in panel.message.text()


def test_lead_room_fault_from_the_gui_raises_the_safety_banner(demo_window, qtbot):
    ws, window = demo_window
    window.host.open_station("lead_room")
    assert "door_open_during_beam" in dict(window.demo_faults()["lead_room"])
    window.inject_demo_fault("lead_room", "door_open_during_beam")
    qtbot.waitUntil(window.safety_banner.isVisible, timeout=60000)
    assert "Room03" in window.safety_banner.text_label.text()
    window.inject_demo_fault("lead_room", "clear")
    qtbot.waitUntil(lambda: not window.safety_banner.isVisible(), timeout=60000)


def test_no_demo_mark_outside_demo_mode(qtbot, ini_settings):
    from app.ui.main_window import MainWindow

    window = MainWindow([], settings=ini_settings)
    qtbot.addWidget(window)
    assert not window.demo_label.isVisibleTo(window)
    assert not window.demo_menu.menuAction().isVisible() and "DEMO" not in window.windowTitle()
