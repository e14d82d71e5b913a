"""Sync page and plant view (offscreen Qt) against a real PostgreSQL."""
from __future__ import annotations

import pytest

from app.adapters.sync import SyncService, feed_status_model
from app.runtime.status import StatusModel
from app.runtime.task_runner import TaskRunner
from tests.sync.stations import legacy_record, open_station, write_mixed

pytestmark = pytest.mark.postgres


@pytest.fixture
def runner():
    r = TaskRunner(max_workers=2)
    yield r
    r._pool.shutdown(wait=True)


def test_sync_page_shows_backlog_and_sync_now_empties_it(qtbot, tmp_path, central_url, runner):
    from app.ui.sync_page import SyncPage

    store, audit = open_station(tmp_path / "s1", "ST-1")
    write_mixed(store, audit, 40)
    legacy_record(store, "BAD")
    svc = SyncService(store, central_url)
    lights = StatusModel()
    stop_feed = feed_status_model(svc, lights)
    page = SyncPage(svc, tasks=runner)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 41 and page.backlog_label.text() == "41")
    page.table.sortByColumn(0, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.DescendingOrder)
    ids = [int(page.table.cell_text(r, 0)) for r in range(41)]
    assert ids == sorted(ids, reverse=True)              # sorted as numbers, not as text
    assert page.connected_label.text() == "not yet"
    qtbot.mouseClick(page.sync_button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.backlog_label.text() == "0" and page.table.rowCount() == 1,
                    timeout=15000)
    assert page.quarantined_label.text() == "1"
    assert "ck_c_records_verdict" in page.table.cell_text(0, 7)
    assert page.table.cell_at(0, 7).tip == page.table.cell_text(0, 7)   # the full error
    assert page.table.cell_text(0, 6) == "yes"                          # quarantined
    assert "1 quarantined" in page.messages.text() or "Pushed" in page.messages.text()
    assert lights.get("central_db").state == "ok"
    assert lights.get("sync_backlog").state == "error"      # a quarantined row needs a person
    stop_feed()
    page.detach()


def test_sync_page_local_only_and_unreachable(qtbot, tmp_path, runner, pg_server):
    from app.ui.sync_page import SyncPage

    store, audit = open_station(tmp_path / "s1", "ST-1")
    written = write_mixed(store, audit, 5)
    page = SyncPage(SyncService(store, ""), tasks=runner)
    qtbot.addWidget(page)
    assert not page.sync_button.isEnabled()
    assert "Local only" in page.state_label.text()
    dead = f"postgresql://pharos@127.0.0.1:{pg_server.port + 1}/nowhere"
    svc = SyncService(store, dead, connect_timeout_s=1)
    lights = StatusModel()
    feed_status_model(svc, lights)
    page2 = SyncPage(svc, tasks=runner)
    qtbot.addWidget(page2)
    page2.sync_now()
    qtbot.waitUntil(lambda: not page2.messages.isHidden() and bool(page2.error_label.text()), timeout=15000)
    assert "PH-SYNC-DOWN" in page2.error_label.text()
    assert page2.connected_label.text() == "no"
    assert lights.get("central_db").state == "error"
    assert svc.backlog_counts()[0] == written                      # nothing lost
    page.detach()
    page2.detach()


def test_plant_view_queries_across_stations(qtbot, tmp_path, central_url, runner):
    from app.ui.plant_view import PlantView

    for i in (1, 2):
        store, audit = open_station(tmp_path / f"s{i}", f"ST-{i}")
        write_mixed(store, audit, 120, seed=i)
        SyncService(store, central_url).sync_once()
    from app.adapters.central.plant import PlantQueries

    view = PlantView(PlantQueries(central_url), tasks=runner)
    qtbot.addWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: view.stations_table.rowCount() == 2 and
                    view.summary_table.rowCount() > 0 and view.results_table.rowCount() > 0,
                    timeout=15000)
    assert view.serial_combo.count() == 8 and view.key_combo.count() == 5
    assert view.alarm_table.rowCount() > 0
    assert len(view.trend_plot._x) > 0
    stations = {view.stations_table.cell_text(r, 0) for r in range(2)}
    assert stations == {"ST-1", "ST-2"}
    view.shutdown()
