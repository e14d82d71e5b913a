"""End to end against a real Orthanc: the demo scanner simulates a series and pushes it to
the station's receiver -> complete -> auto-analysed (physics + AI verdict) -> archived to
Orthanc -> a ct_qc.archive record with every instance committed; and DCMTK storescu as an
independent sender."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from station_plugins.ct_qc import workflow  # noqa: E402
from tests.ct_qc._station_env import FakeConfig, station_env, write_series  # noqa: E402,F401
from tests.ct_qc.test_panel import open_panel  # noqa: E402
from tests.pacs_fixtures import run_dcmtk  # noqa: E402

pytestmark = [pytest.mark.pacs, pytest.mark.slow]


def _context(station_env, orthanc, scp_port):  # noqa: ANN001, ANN202
    config = FakeConfig(demo=True, pacs={"peer_port": orthanc.dicom_port,
                                         "peer_ae_title": orthanc.ae_title,
                                         "allowed_calling_aes": ["SIMSCAN", "STORESCU",
                                                                 "ORTHANC"]})
    return station_env.context(config=config, settings={"scp_port": scp_port,
                                                        "commit_timeout_s": 20,
                                                        "demo_matrix": 256})


def test_demo_scanner_push_auto_analyse_archive_to_orthanc_committed(
        qtbot, station_env, orthanc, scp_port):
    ctx = _context(station_env, orthanc, scp_port)
    panel = open_panel(qtbot, ctx)
    assert panel.intake_bar.demo_button.isVisible() or not panel.isVisible()
    assert panel.start_receiving() and panel.intake.scp_port == scp_port
    before = orthanc.instance_count()
    panel.intake_bar.demo_button.click()               # simulate + C-STORE to ourselves
    qtbot.waitUntil(lambda: bool(ctx.store.query_records(kind=workflow.RESULT_KIND))
                    and not panel.is_busy(), timeout=180000)
    result = ctx.store.query_records(kind=workflow.RESULT_KIND)[0]
    assert result.subject == "CT-SIM-0001"
    assert ctx.store.query_records(kind="ct_qc.ai_verdict", ref=result.ref)
    qtbot.waitUntil(lambda: panel._current_uid == result.ref and panel._result is not None,
                    timeout=30000)
    panel.archive_button.click()
    qtbot.waitUntil(lambda: bool(ctx.store.query_records(kind="ct_qc.archive")),
                    timeout=60000)
    # the series' instances as the table shows them now (on a loaded machine the demo's
    # sender can pause longer than the test's 0.4 s settle time: the series completes
    # early and reopens as a new revision when the rest arrives - read before the
    # archive, the count was that first revision's)
    n = panel.series_table.row_texts(result.ref)[2]
    (arch,) = ctx.store.query_records(kind="ct_qc.archive")
    p = arch.payload
    assert p["archived"] and arch.verdict == "PASS" and arch.ref == result.ref
    assert p["instances"] == int(n) == len(p["committed"]) and p["failed"] == {}
    assert p["peer"] == f"ORTHANC@127.0.0.1:{orthanc.dicom_port}"
    assert p["result_record_id"] == result.id
    assert orthanc.instance_count() == before + int(n)
    qtbot.waitUntil(lambda: panel.series_table.row_texts(result.ref)[5] == "✔",
                    timeout=15000)
    assert "archived" in panel.strip.archive_label.text()
    from PySide6.QtCore import Qt
    from station_plugins.ct_qc.ui_series import COL_PACS
    st = panel.series_table
    assert st.model_.index(st.row_of(result.ref), COL_PACS).data(
        Qt.ItemDataRole.ToolTipRole) == "archived"          # the chip's word in its tooltip
    assert station_env.status.get("pacs").state == "ok"
    panel.stop_receiving()


def test_storescu_sender_and_a_disallowed_calling_ae(qtbot, station_env, orthanc, scp_port,
                                                     storescu, tmp_path):
    ctx = _context(station_env, orthanc, scp_port)
    ctx.settings["auto_analyse"] = False
    panel = open_panel(qtbot, ctx)
    assert panel.start_receiving()
    folder = write_series(tmp_path / "s", serial="SN-DCMTK")
    files = [str(p) for p in sorted(folder.glob("*.dcm"))]
    ok = run_dcmtk([storescu, "-aet", "STORESCU", "-aec", "PHAROS_QC", "127.0.0.1",
                    str(scp_port), *files])
    assert ok.returncode == 0, ok.stderr
    qtbot.waitUntil(lambda: panel.series_table.rowCount() == 1
                    and panel.series_table.row_texts(panel.series_table.uids()[0])[3]
                    == "received", timeout=20000)
    assert panel.series_table.row_texts(panel.series_table.uids()[0])[:3][2] == "28"
    bad = run_dcmtk([storescu, "-aet", "INTRUDER", "-aec", "PHAROS_QC", "127.0.0.1",
                     str(scp_port), files[0]])
    assert bad.returncode != 0
    qtbot.waitUntil(lambda: any("rejected" in panel.activity.item(i).text()
                                for i in range(panel.activity.count())), timeout=10000)
    assert ctx.store.query_records(kind=workflow.RESULT_KIND) == []   # auto-analyse off
    panel.stop_receiving()
