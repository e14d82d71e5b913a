"""CT QC panel: folder import through the intake (validation + quarantine), auto-analysis,
results, ROI click, AI-unavailable path, roles, cancel, language."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from station_plugins.ct_qc import workflow  # noqa: E402
from tests.ct_qc._station_env import station_env, write_series  # noqa: E402,F401



@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    """A ring series (30 HU) with the simulator's truth.json beside the images."""
    return write_series(tmp_path_factory.mktemp("ctqc_series"), artifacts=[("ring", 30.0, 45.0)])


def open_panel(qtbot, ctx):  # noqa: ANN001, ANN201
    panel = ctx.extras["station"].create_panel()     # on the plugin's real service
    qtbot.addWidget(panel)
    ctx.extras.setdefault("panels", []).append(panel)
    panel.resize(1500, 900)
    return panel


def import_and_wait(qtbot, panel, folder, *, analysed: bool = True):  # noqa: ANN001, ANN201
    panel.import_folder(folder)
    qtbot.waitUntil(lambda: panel.series_table.rowCount() == 1 and panel._loaded is not None,
                    timeout=60000)
    if analysed:
        qtbot.waitUntil(lambda: panel._result is not None and not panel.is_busy()
                        and not panel.refresher.running
                        and panel._current_uid in panel._snapshot.results, timeout=120000)
    return panel


def test_import_validates_quarantines_and_auto_analyses(qtbot, station_env, series_folder):
    ctx = station_env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), series_folder)
    # truth.json is not DICOM: rejected with its reason, quarantined, listed and notified
    assert panel.rejected_table.count() == 1
    rej = panel.rejected_table.rejected()[0]
    assert rej.code == "PH-DCM-UNREADABLE" and Path(rej.quarantine_path).exists()
    assert "PH-DCM-UNREADABLE" in panel.rejected_table.cell(0, 2).text
    assert Path(rej.quarantine_path).name == panel.rejected_table.cell(0, 3).text
    assert str(rej.quarantine_path) in panel.rejected_table.cell(0, 3).tip
    assert panel.left_tabs.tabText(1).endswith("(1)")
    assert any("truth.json" in n.text for n in station_env.notices)
    # the images went through the intake folder and were analysed automatically
    uid = panel._current_uid
    rows = ctx.store.query_records(kind=workflow.RESULT_KIND)
    assert len(rows) == 1 and rows[0].subject == "SN-PANEL" and rows[0].ref == uid
    assert "/intake/" in rows[0].payload["station"]["folder"]
    texts = panel.series_table.row_texts(uid)
    assert texts[0].split("\n") == ["SN-PANEL", texts[1]] and texts[2] == "28" and texts[3] == rows[0].verdict
    # no model: the AI verdict says why, stored beside the physics result
    ai = ctx.store.query_records(kind="ct_qc.ai_verdict")
    assert len(ai) == 1 and ai[0].payload["available"] is False
    assert ai[0].payload["qc_record_id"] == rows[0].id
    assert panel.strip.ai_text.startswith("AI check unavailable: No model 'ct_phantom_classifier'")
    assert panel.strip.ai_text.endswith("- physics checks only")
    assert not panel.strip.disagreement_shown
    # results, artifacts, overlays, ROI click, module navigation, plots, trend
    keys = {m.key for m in panel.tabs.table.measurements()}
    assert {"ct_number.teflon", "noise.sd"} <= keys
    assert panel.tabs.artifacts.cell_text(0, 0) == "ring"
    assert panel.module_nav.count() >= 3
    order = [r.id for r in panel.viewer.rois()]
    if "ttf.teflon" in order:                  # the CT number is on top of the TTF circle
        assert order.index("ct_number.teflon") > order.index("ttf.teflon")
    teflon = next(r for r in panel.viewer.rois() if r.id == "ct_number.teflon")
    panel.viewer.sig_roi_clicked.emit(teflon.id)
    value = panel._result.measurement("ct_number.teflon").value
    assert "ct_number.teflon" in panel.roi_details.text() and f"{value:.4g}" in panel.roi_details.text()
    panel.module_nav.activated.emit(0)
    assert panel.view.current_slice == panel.module_nav.itemData(0)
    panel.tabs.setCurrentWidget(panel.tabs.plots)        # drawn when shown
    assert panel.tabs.plots.mtf.curve_names()
    qtbot.waitUntil(lambda: panel.trend.serial_combo.currentText() == "SN-PANEL")


def test_the_overlays_come_one_turn_after_the_result(qtbot, station_env, series_folder):
    """A result shows its table and verdict in one turn of the GUI thread and the viewer's
    overlays (a pyqtgraph item per ROI) in the next: one turn for both held the GUI thread
    110-170 ms on a busy machine (benchmarks/ui/heartbeat.py). A result replaced or cleared
    before that turn never draws its overlays."""
    ctx = station_env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), series_folder)
    result, rid = panel._result, panel._record_id
    panel.viewer.set_rois([])
    panel._show_result(result, rid)
    assert {m.key for m in panel.tabs.table.measurements()} >= {"ct_number.teflon"}
    assert panel.viewer.rois() == []
    qtbot.waitUntil(lambda: any(r.id == "ct_number.teflon" for r in panel.viewer.rois()),
                    timeout=5000)
    panel.viewer.set_rois([])
    panel._show_result(result, rid)
    panel._result = None                      # cleared before the next turn
    from PySide6.QtCore import QTimer
    later: list[int] = []                     # queued after the overlays' turn: once it
    QTimer.singleShot(0, lambda: later.append(1))   # has run, that turn has run too
    qtbot.waitUntil(lambda: bool(later), timeout=5000)
    assert panel.viewer.rois() == []


def test_reopened_panel_lists_stored_results_with_their_verdicts(qtbot, station_env,
                                                                 series_folder):
    ctx = station_env.context()
    first = import_and_wait(qtbot, open_panel(qtbot, ctx), series_folder)
    uid, verdict = first._current_uid, first._result.verdict.value
    first.shutdown()
    again = open_panel(qtbot, ctx)
    qtbot.waitUntil(lambda: again._result is not None, timeout=60000)
    assert again.series_table.uids() == [uid]
    assert again.series_table.row_texts(uid)[3] == verdict
    assert again._record_id == ctx.store.query_records(kind=workflow.RESULT_KIND)[0].id


def test_without_a_login_nothing_is_imported_and_the_reason_is_shown(qtbot, station_env,
                                                                     series_folder):
    ctx = station_env.context(username=None)
    panel = open_panel(qtbot, ctx)
    panel.import_folder(series_folder)
    assert not panel.messages.isHidden() and "login" in panel.messages.text().lower()
    assert not panel.io.running
    panel.intake_bar.receive_button.click()
    assert not panel.receiving and not panel.intake_bar.receive_button.isChecked()


def test_cancel_stops_the_analysis_and_stores_nothing(qtbot, station_env, series_folder):
    ctx = station_env.context(settings={"auto_analyse": False})
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), series_folder, analysed=False)
    assert not panel.intake_bar.auto_check.isChecked()
    assert panel.series_table.row_texts(panel._current_uid)[3] == "received"
    panel.analyse_current()
    assert panel.analysis.running
    panel.analysis.cancel()
    qtbot.waitUntil(lambda: not panel.analysis.running, timeout=60000)
    assert panel._result is None
    assert ctx.store.query_records(kind=workflow.RESULT_KIND) == []


def test_undecidable_series_is_stored_as_error(station_env):
    import numpy as np

    from app.core.errors import InputRejected
    from app.core.tasks import CancelToken, no_progress
    from app.ct.dicom_load import LoadedSeries

    ctx = station_env.context()
    tiny = LoadedSeries.from_arrays(np.zeros((1, 16, 16), np.float32), 1.0, [0.0], 1.0)
    entry = workflow.SeriesEntry(series_uid="1.2.3", label="bad", scanner_serial="SN-X")
    with pytest.raises(InputRejected):
        workflow.analyse_and_store(entry, tiny, ctx.store, "qe1", token=CancelToken(),
                                   progress=no_progress)
    rows = ctx.store.query_records(kind=workflow.RESULT_KIND)
    assert len(rows) == 1 and rows[0].verdict == "ERROR" and rows[0].ref == "1.2.3"
    assert rows[0].payload["error"]["code"] == "PH-INPUT"


def test_operator_may_not_set_baseline_or_archive(qtbot, station_env, series_folder):
    ctx = station_env.context(username="op1")
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), series_folder)
    assert panel.set_baseline_current() is None
    assert "set_baseline" in panel.messages.text()
    panel.archive_current()
    assert "archive" in panel.messages.text() and not panel.actions.running
    assert ctx.store.query_records(kind="ct_qc.baseline") == []


def test_panel_speaks_chinese(qtbot, station_env, qapp):  # noqa: ANN001
    from app.ui import i18n

    panel = open_panel(qtbot, station_env.context())
    i18n.set_language(qapp, "zh_CN")
    try:
        assert panel.analyse_button.text() == "分析"
        assert panel.tabs.tabText(0) == "测量结果"
        assert panel.tabs.measurement_label("ct_number.water") == "CT值（水）"
        assert panel.intake_bar.receive_button.text() == "接收扫描仪图像"
        assert panel.archive_button.text() == "归档到PACS"
    finally:
        i18n.set_language(qapp, "en")
    assert panel.analyse_button.text() == "Analyse"
    assert panel.intake_bar.receive_button.text() == "Receive from scanners"


def test_the_service_outlives_the_panel_and_can_close_asks_it(qtbot, station_env,
                                                               series_folder):
    ctx = station_env.context()
    plugin = ctx.extras["station"]
    first = import_and_wait(qtbot, open_panel(qtbot, ctx), series_folder)
    uid = first._current_uid
    assert first.start_receiving()
    port = plugin.service.intake.scp_port
    first.shutdown()                 # the view goes (log-out); the receiver does not
    first.hide()
    assert plugin.service.receiving and plugin.service.intake.scp_port == port
    again = open_panel(qtbot, ctx)
    assert again.receiving and again.intake_bar.receive_button.isChecked()
    assert f":{port}" in again.intake_bar.status_text
    assert again.series_table.uids() == [uid]
    assert plugin.can_close()
    again.analyse_current()          # the queue is the service's: closing would drop it
    assert again.analysis.running and not plugin.can_close()
    qtbot.waitUntil(lambda: not plugin.service.busy and again.series_table.row_texts(uid)[3]
                    not in ("queued", "analysing…"), timeout=120000)
    assert plugin.can_close()
    assert len(ctx.store.query_records(kind=workflow.RESULT_KIND)) == 2
    plugin.shutdown()
    assert not plugin.service.receiving
