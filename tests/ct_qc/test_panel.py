"""CT QC panel: import a simulated series, analyse in the background, table, ROI click."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.adapters.store import Store  # noqa: E402
from app.core.roles import Role  # noqa: E402
from app.runtime.task_runner import TaskRunner  # noqa: E402
from app.stations import StationContext  # noqa: E402
from station_plugins.ct_qc import workflow  # noqa: E402
from station_plugins.ct_qc.simulator import (  # noqa: E402
    ArtifactSpec, SimParams, simulate_series, write_dicom_series)


@dataclass(frozen=True)
class _User:
    username: str
    full_name: str
    roles: frozenset


class _Session:
    def __init__(self, user):  # noqa: ANN001
        self.user = user


@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    out = tmp_path_factory.mktemp("ctqc_series")
    s = simulate_series(SimParams(matrix=256, slice_thickness_mm=5.0, seed=2,
                                  artifacts=[ArtifactSpec("ring", 30.0, radius_mm=45.0)]))
    write_dicom_series(s, out, scanner_serial="SN-PANEL")
    return out


@pytest.fixture
def ctx(tmp_path):  # noqa: ANN001, ANN201
    from station_plugins.ct_qc.plugin import CtQcStation

    store = Store(tmp_path / "pharos.db", station_id="WS1", software_version="t",
                  config_hash="h").open()
    runner = TaskRunner(max_workers=2)
    c = StationContext(station_id="ct_qc", config=None, settings={}, store=store, audit=None,
                       auth=None, signatures=None,
                       session=_Session(_User("qe1", "Q. Engineer",
                                              frozenset({Role.QUALITY_ENGINEER}))),
                       tasks=runner, loop=None, notifier=None, data_dir=tmp_path / "ct_qc")
    CtQcStation(c)  # declares the station's actions on the context
    yield c
    runner.shutdown(wait=True)


def _open(qtbot, ctx, series_folder):  # noqa: ANN001, ANN202
    from station_plugins.ct_qc.panel import CtQcPanel

    panel = CtQcPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1500, 900)
    panel.import_folder(series_folder)
    qtbot.waitUntil(lambda: panel.series_list.count() == 1 and panel._loaded is not None,
                    timeout=30000)
    return panel


def test_analyse_fills_table_stores_result_and_roi_click_shows_numbers(qtbot, ctx, series_folder):
    panel = _open(qtbot, ctx, series_folder)
    assert "SN-PANEL" in panel.series_list.item(0).text()
    panel.phantom_combo.setCurrentIndex(panel.phantom_combo.findData("catphan504"))
    qtbot.mouseClick(panel.analyse_button, qtbot_button())
    qtbot.waitUntil(lambda: panel._result is not None, timeout=120000)
    table = panel.tabs.table
    assert table.model().rowCount() > 20
    keys = {m.key for m in table.measurements()}
    assert "ct_number.teflon" in keys and "noise.sd" in keys
    assert panel.verdict.verdict is not None
    rows = ctx.store.query_records(kind=workflow.RESULT_KIND)
    assert len(rows) == 1 and rows[0].subject == "SN-PANEL"
    assert rows[0].ref == panel._entry.series_uid
    assert panel.tabs.artifacts.rowCount() >= 1
    assert panel.tabs.artifacts.item(0, 0).text() == "ring"
    assert panel.module_nav.count() >= 3
    # the origin slice shows the CT-number ROIs; clicking one shows its numbers
    rois = panel.viewer.rois()
    teflon = next(r for r in rois if r.id == "ct_number.teflon")
    panel.viewer.sig_roi_clicked.emit(teflon.id)
    text = panel.roi_details.text()
    assert "ct_number.teflon" in text and "HU" in text
    value = panel._result.measurement("ct_number.teflon").value
    assert f"{value:.4g}" in text
    # module navigation moves the viewer
    panel.module_nav.setCurrentIndex(0)
    panel.module_nav.activated.emit(0)
    assert panel._slice == panel.module_nav.itemData(0)
    # plots and trend are filled
    assert panel.tabs.plots.mtf.curve_names()
    assert panel.trend.serial_combo.currentText() == "SN-PANEL"
    assert panel.trend.plot._ids == [rows[0].id] or len(panel.trend.plot._ids) <= 1


def qtbot_button():  # noqa: ANN201
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_without_a_login_analysis_is_refused_on_screen(qtbot, ctx, series_folder):
    panel = _open(qtbot, ctx, series_folder)
    ctx.session = None
    panel.analyse_current()
    assert not panel.messages.isHidden()
    assert "login" in panel.messages.text().lower()
    assert not panel.analysis.running


def test_cancel_stops_the_analysis(qtbot, ctx, series_folder):
    panel = _open(qtbot, ctx, series_folder)
    panel.analyse_current()
    panel.analysis.cancel()
    qtbot.waitUntil(lambda: not panel.analysis.running, timeout=60000)
    assert panel._result is None
    assert ctx.store.query_records(kind=workflow.RESULT_KIND) == []


def test_undecidable_series_is_stored_as_error(ctx):
    import numpy as np

    from app.core.errors import InputRejected
    from app.core.tasks import CancelToken, no_progress
    from station_plugins.ct_qc.dicom_load import LoadedSeries

    tiny = LoadedSeries.from_arrays(np.zeros((1, 16, 16), np.float32), 1.0, [0.0], 1.0)
    entry = workflow.SeriesEntry(series_uid="1.2.3", label="bad", scanner_serial="SN-X")
    with pytest.raises(InputRejected):
        workflow.analyse_and_store(entry, tiny, ctx.store, "qe1", token=CancelToken(),
                                   progress=no_progress)
    rows = ctx.store.query_records(kind=workflow.RESULT_KIND)
    assert len(rows) == 1 and rows[0].verdict == "ERROR" and rows[0].ref == "1.2.3"
    assert rows[0].payload["error"]["code"] == "PH-INPUT"


def test_panel_speaks_chinese(qtbot, ctx, series_folder, qapp):  # noqa: ANN001
    from app.ui import i18n

    panel = _open(qtbot, ctx, series_folder)
    i18n.set_language(qapp, "zh_CN")
    assert panel.analyse_button.text() == "分析"
    assert panel.tabs.tabText(0) == "测量结果"
    assert panel.tabs.measurement_label("ct_number.water") == "CT值 · water"
    i18n.set_language(qapp, "en")
    assert panel.analyse_button.text() == "Analyse"
