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
    assert panel.items.item(0, 5).text() == "PASS"
    assert panel.release_btn.isEnabled()               # no signed criteria: e-signature
    out = os.environ.get("TUNNEL_PANEL_PNG", str(tmp_path / "panel.png"))
    assert panel.grab().save(out)


def test_operator_cannot_start_single_step(qtbot, station):
    panel = station.create_panel()
    qtbot.addWidget(panel)
    assert [panel.mode.itemData(i) for i in range(panel.mode.count())] == ["released"]
    assert not panel.step_key.isVisible()
