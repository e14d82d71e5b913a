"""One safety truth: the lead room's banner and the main window's banner agree, follow
acknowledgements, clear together, and are translated (the real station on its demo
gateway, in the real MainWindow, with the real services)."""
from __future__ import annotations

import logging

import pytest

from app.core.roles import Role
from tests.ui.conftest import add_user

logging.getLogger("asyncua").setLevel(logging.CRITICAL)


@pytest.fixture
def lead_room(data_dir, qtbot, ini_settings):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation
    from app.ui.main_window import MainWindow
    from station_plugins.lead_room.plugin import LeadRoomStation

    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=True,
                          admin_password="Adm1n-secret-pw")
    ws.session.login(add_user(ws, "op1", Role.OPERATOR, Role.SUPERVISOR,
                              password="Shift-lead-123"))
    ctx = ws.context_for("lead_room")
    ctx.settings["demo_rooms"] = 4
    ctx.settings["live_process"] = False
    st = LeadRoomStation(ctx)
    window = MainWindow([st], session=ws.session, auth=ws.auth, audit=ws.audit,
                        notifier=ws.notifier, settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield ws, st, window
    window.close()
    st.shutdown()
    ws.close()


def _counts(text: str) -> str:
    import re

    m = re.search(r"(\d+)\D+(\d+)", text.split("|", 1)[1]) if "|" in text else None
    return f"{m.group(1)}/{m.group(2)}" if m else ""


def test_station_and_main_banner_agree_and_clear_together(lead_room, qtbot):
    ws, st, window = lead_room
    panel = window.host.open_station("lead_room")
    svc = st.service
    qtbot.waitUntil(lambda: svc.monitor.connection is not None
                    and svc.monitor.connection.connected, timeout=30000)
    svc.simulator.plant.inject("Room02", "door_open_during_beam")
    qtbot.waitUntil(lambda: panel.banner.isVisible() and window.safety_banner.isVisible(),
                    timeout=15000)
    main = window.safety_banner.text_label.text
    qtbot.waitUntil(lambda: _counts(main()) == _counts(panel.banner.text()), timeout=5000)
    assert "lead_room" not in main()                 # the station's name, not its id
    assert st.info.title in main()
    assert main().count("SAFETY") == 1               # not "SAFETY - lead_room: SAFETY: ..."
    before = _counts(main())
    svc.acknowledge([a["id"] for a in svc.engine.list("unacked")], "RSO called")
    qtbot.waitUntil(lambda: _counts(panel.banner.text()) != before, timeout=10000)
    qtbot.waitUntil(lambda: _counts(main()) == _counts(panel.banner.text()), timeout=5000)
    assert _counts(main()).endswith("/0")            # acknowledged: 0 unacknowledged
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: "安全" in main() and "SAFETY" not in main(), timeout=10000)
    assert _counts(main()) == _counts(panel.banner.text())
    window.set_language("en")
    svc.simulator.plant.clear_faults("Room02")
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=15000)
    qtbot.waitUntil(lambda: not window.safety_banner.isVisible(), timeout=5000)


def test_hardware_light_follows_the_gateway(lead_room, qtbot):
    """Issue 17 minor: the Hardware light never changed."""
    ws, st, window = lead_room
    assert ws.status.get("hardware").state == "unknown"
    window.host.open_station("lead_room")
    qtbot.waitUntil(lambda: ws.status.get("hardware").state == "ok", timeout=30000)
    assert "gateway" in ws.status.get("hardware").detail


def test_lead_room_screenshot_shows_the_rooms_not_connecting(data_dir, tmp_path, qtbot):
    """`pharos screenshot lead_room` captured "connecting" (issue 17): the render waits
    until the station is connected and its rooms are on the overview."""
    from PySide6.QtWidgets import QLabel

    from app.bootstrap import Workstation
    from app.ui.screenshot import render_station
    from station_plugins.lead_room.plugin import LeadRoomStation

    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=True,
                          admin_password="Adm1n-secret-pw")
    ws.session.login(add_user(ws, "op2", Role.OPERATOR, password="Shift-lead-123"))
    ctx = ws.context_for("lead_room")
    ctx.settings["demo_rooms"] = 4
    ctx.settings["live_process"] = False
    st = LeadRoomStation(ctx)
    seen: dict = {}

    def look(window) -> None:  # noqa: ANN001 - the window the PNG is rendered from
        from station_plugins.lead_room.panel import LeadRoomPanel

        panels = window.findChildren(LeadRoomPanel)
        seen["ready"] = bool(panels) and panels[0].screenshot_ready() and \
            len(panels[0].overview.tiles) == 4
        seen["texts"] = [w.text() for w in window.findChildren(QLabel)
                         if w.isVisible() and w.text()]
    try:
        png = render_station(st, tmp_path / "lead_room.png", "en", size=(1366, 768),
                             prepare=look)
    finally:
        st.shutdown()
        ws.close()
    assert png.exists() and seen["ready"]
    assert not [t for t in seen["texts"] if "onnecting" in t], seen["texts"]
