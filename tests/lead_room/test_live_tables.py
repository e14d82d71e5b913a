"""The lead room's live tables are item views (QTableView on a RowsModel): the room
detail's signal table updates a row only when it changed and hatches invalid rows; the
dose / energy report computes in the background from the real historian and sorts by
number."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.bootstrap import Workstation
from station_plugins.lead_room.plugin import LeadRoomStation
from station_plugins.lead_room.ui_detail import RoomDetail, SignalsModel
from station_plugins.lead_room.ui_reports import ReportsView
from tests.lead_room.helpers import SV

ADMIN_PW = "Adm1n-secret-pw"


def test_signal_table_updates_changed_rows_only_and_hatches_invalid(qtbot):
    detail = RoomDetail()
    qtbot.addWidget(detail)
    assert isinstance(detail.table, QTableView)
    detail.show_room("Room01")
    t = 1_800_000_000.0
    values = {"Temperature": SV("Room01/Temperature", 24.5, receive_ts=t),
              "PowerKw": SV("Room01/PowerKw", 3.25, receive_ts=t),
              "BeamOn": SV("Room01/BeamOn", True, receive_ts=t)}
    detail.update_values(values)
    m = detail.table.model()
    assert [m.data(m.index(r, 0)) for r in range(m.rowCount())] == \
        ["BeamOn", "PowerKw", "Temperature"]
    assert detail.table.cell_text(2, 1) == "24.500"
    changed: list[int] = []
    m.dataChanged.connect(lambda a, b, *_: changed.append(a.row()))
    detail.update_values(values)                       # nothing new: nothing repainted
    assert changed == []
    values["PowerKw"] = SV("Room01/PowerKw", 0.0, status="BAD", reason="comm lost",
                           receive_ts=t + 1)
    detail.update_values(values)
    assert changed == [1]
    assert detail.table.cell_text(1, 1) == "INVALID"
    assert detail.table.cell_text(1, 2) == "BAD: comm lost"
    bg = m.data(m.index(1, 3), Qt.ItemDataRole.BackgroundRole)
    assert bg is SignalsModel.INVALID_BRUSH and bg.style() == Qt.BrushStyle.BDiagPattern
    assert m.data(m.index(0, 3), Qt.ItemDataRole.BackgroundRole) is None
    del values["BeamOn"]                               # a signal went away: its row too
    detail.update_values(values)
    assert m.rowCount() == 2 and detail.table.cell_text(0, 0) == "PowerKw"
    detail.show_room("Room02")
    assert m.rowCount() == 0


@pytest.fixture
def station(data_dir):
    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                          admin_password=ADMIN_PW)
    ws.session.login(ws.auth.authenticate("admin", ADMIN_PW))
    ctx = ws.context_for("lead_room")
    ctx.settings["live_process"] = False
    st = LeadRoomStation(ctx)
    svc = st.build_service()                       # in process (real historian), not started
    yield ws, svc
    if svc.journal is not None:
        svc.journal.close()
    st.shutdown()
    ws.close()


def test_reports_compute_in_the_background_and_sort_by_number(station, qtbot):
    ws, svc = station
    now = time.time()
    samples = []
    for i in range(0, 24 * 3600, 60):              # a day of one-minute samples
        ts = now - 24 * 3600 + i
        for room, poi, kw in (("Room01", 0.5, 12.0), ("Room02", 9.0, 0.4)):
            samples += [SV(f"{room}/Boundary/POI1", poi, source_ts=ts, receive_ts=ts),
                        SV(f"{room}/PowerKw", kw, source_ts=ts, receive_ts=ts)]
    svc.historian.ingest(samples)
    view = ReportsView(svc)
    qtbot.addWidget(view)
    view.refresh_button.click()
    qtbot.waitUntil(lambda: view.dose.rowCount() == 2 and view.energy.rowCount() == 2,
                    timeout=20000)
    assert isinstance(view.dose, QTableView) and view.status.text().startswith("Computed at")
    keys = [view.dose.cell_text(r, 0) for r in range(2)]
    assert sorted(keys) == ["Room01/Boundary/POI1", "Room02/Boundary/POI1"]
    view.dose.sortByColumn(2, Qt.SortOrder.DescendingOrder)      # week dose, as a number
    assert view.dose.cell_text(0, 0) == "Room02/Boundary/POI1"
    doses = [float(view.dose.cell_text(r, 2)) for r in range(2)]
    assert doses[0] > doses[1] > 0
    view.energy.sortByColumn(1, Qt.SortOrder.AscendingOrder)     # kWh
    assert [view.energy.cell_text(r, 0) for r in range(2)] == ["Room02", "Room01"]


def test_overview_tile_lines_fit_their_tile_at_1366x768(qtbot):
    """Label and value of every tile line fit side by side (they overlapped: 'Temp / kW'
    ran into '22.0 C / 2.6' with 30 rooms in the panel of a 1366x768 screen)."""
    from PySide6.QtGui import QFontMetricsF

    from station_plugins.lead_room.ui_overview import TILE_PAD, RoomOverview

    view = RoomOverview()
    qtbot.addWidget(view)
    view.resize(1090, 630)                       # the overview's share of 1366x768
    tiles = [{"room": f"Room{i:02d}", "alarms": {"worst": None, "unacked": 0, "count": 0},
              "maintenance": False, "beam_on": i % 2 == 0, "xray_ready": False,
              "boundary_max_usvh": 0.97, "doors_open": 1, "temperature_c": 122.0,
              "power_kw": 170.4, "job": f"J{i:02d}-0001"} for i in range(1, 31)]
    view.set_tiles(tiles, True)
    view.grab()
    fm = QFontMetricsF(view.row_font)
    width = view._rects[0][0].width() - 2 * TILE_PAD
    for t in tiles:
        for label, text, _valid in view._rows(t):
            assert fm.horizontalAdvance(label) + fm.horizontalAdvance(text) < width, label
