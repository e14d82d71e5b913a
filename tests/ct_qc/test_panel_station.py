"""CT QC panel as a station: receiver on/off with the PACS light, AI verdict beside the
physics one (available, disagreement, queued for review), scanner holds from the
image-review station, the signed baseline and its constancy limits, archive errors,
PDF report with e-signatures, trend with many records."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from station_plugins.ct_qc import workflow  # noqa: E402
from tests.ct_qc._station_env import (PASSWORD, REAL_MODEL_DIR, station_env,  # noqa: E402,F401
                                      station_env_ai, write_series)
from tests.ct_qc.test_panel import import_and_wait, open_panel  # noqa: E402


@pytest.fixture(scope="module")
def ring_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    """Low noise (4 HU): the stand-in classifier calls every slice normal."""
    return write_series(tmp_path_factory.mktemp("ring"), artifacts=[("ring", 30.0, 45.0)],
                        noise=4.0)


@pytest.fixture(scope="module")
def passing_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    """512 x 512 x 2 mm: every measurement decided (PASS), usable as a baseline."""
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    out = tmp_path_factory.mktemp("pass")
    write_dicom_series(simulate_series(SimParams(matrix=512, slice_thickness_mm=2.0, seed=5)),
                       out, scanner_serial="SN-BASE")
    return out


def test_receiver_toggle_sets_pacs_status_and_series_arrive_live(qtbot, station_env, ring_folder):
    from app.ct.simulator.scanner_push import push_series

    ctx = station_env.context()
    panel = open_panel(qtbot, ctx)
    panel.intake_bar.receive_button.click()
    assert panel.receiving and panel.intake_bar.receive_button.isChecked()
    port = panel.intake.scp_port
    assert station_env.status.get("pacs").state == "ok"
    assert f":{port}" in panel.intake_bar.status_text and "PHAROS_QC" in panel.intake_bar.status_text
    assert panel.intake_bar.demo_button.isEnabled()
    report = push_series(sorted(ring_folder.glob("*.dcm")), "127.0.0.1", port, "PHAROS_QC")
    assert len(report.sent_ok) == 28
    qtbot.waitUntil(lambda: panel.series_table.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(lambda: bool(ctx.store.query_records(kind=workflow.RESULT_KIND)),
                    timeout=120000)
    qtbot.waitUntil(lambda: panel._result is not None, timeout=30000)
    assert panel.series_table.row_texts(panel._current_uid)[2] == "28"
    assert any("association" in panel.activity.item(i).text()
               for i in range(panel.activity.count()))
    panel.intake_bar.receive_button.click()
    assert not panel.receiving and station_env.status.get("pacs").state == "off"
    assert panel.intake_bar.status_text == "Receiver off"


def test_port_in_use_is_an_error_on_screen_and_on_the_status_light(qtbot, station_env):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        ctx = station_env.context(settings={"scp_port": blocker.getsockname()[1]})
        panel = open_panel(qtbot, ctx)
        assert not panel.start_receiving()
        assert station_env.status.get("pacs").state == "error"
        assert not panel.intake_bar.receive_button.isChecked()
        assert "PH-SCP-START" in panel.messages.code_label.text()
        english = panel.intake_bar.status_text
        assert station_env.status.get("pacs").detail.endswith(" [PH-SCP-START]")
        from PySide6.QtWidgets import QApplication

        from app.ui import i18n
        from app.ui.status_words import detail_text
        i18n.set_language(QApplication.instance(), "zh_CN")   # the bar and the light's
        try:                                                  # detail in the UI language
            assert panel.intake_bar.status_text.startswith("DICOM 接收端无法启动：")
            assert panel.intake_bar.status_text.endswith(english)
            assert detail_text(station_env.status.get("pacs").detail).startswith(
                "DICOM 接收端无法启动：")
        finally:
            i18n.set_language(QApplication.instance(), "en")
        assert panel.intake_bar.status_text == english
    finally:
        blocker.close()


def test_ai_disagreement_is_marked_queued_for_review_and_a_rejection_holds_the_scanner(
        qtbot, station_env_ai, ring_folder):
    from app.ct.review import ReviewQueue

    env = station_env_ai
    ctx = env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), ring_folder)
    uid = panel._current_uid
    ai = ctx.store.query_records(kind="ct_qc.ai_verdict")[0].payload
    # physics names a ring, the stand-in classifier sees a smooth image: they disagree
    assert ai["available"] and ai["label"] == "normal" and ai["disagreement"]
    assert panel.strip.ai_text.startswith("normal") and panel.strip.disagreement_shown
    assert "AI and physics disagree" in panel.strip.disagree.text()
    assert panel.series_table.row_texts(uid)[4] == "⚠ normal"
    queue = ReviewQueue.for_data_folder(ctx.store, ctx.signatures, ctx.config.data_dir)
    (item,) = queue.items()
    assert item.series_uid == uid and "disagreement" in item.reasons
    assert (ctx.config.data_dir / "review_images" / item.image_path).exists()
    assert panel.hold_banner.isHidden()
    # a reviewer at the image-review station rejects it: the scanner is held
    queue.decide(item.id, "reject", "ring_artifact", "ring at 45 mm", username="rev1",
                 password=PASSWORD)
    panel.refresh_marks()
    qtbot.waitUntil(lambda: not panel.hold_banner.isHidden(), timeout=10000)
    assert panel.hold_banner.text == ("Scanner SN-PANEL on hold: Ring / arc artifact "
                                      "(by rev1)")
    assert panel.series_table.row_texts(uid)[0].split("\n")[0] == "HOLD · SN-PANEL"


def _newest_classifier_version() -> str | None:
    cards = (REAL_MODEL_DIR / "ct_phantom_classifier").glob("*/card.json")
    versions = [c.parent.name for c in cards]
    return max(versions, key=lambda v: tuple(int(p) for p in v.split("."))) if versions else None


@pytest.mark.skipif(_newest_classifier_version() is None,
                    reason="the trained classifier is not installed")
def test_trained_classifier_verdict_is_stored_and_shown(qtbot, tmp_path, ring_folder):
    from tests.ct_qc._station_env import StationEnv

    env = StationEnv(tmp_path, model="real")
    try:
        ctx = env.context()
        panel = import_and_wait(qtbot, open_panel(qtbot, ctx), ring_folder)
        ai = ctx.store.query_records(kind="ct_qc.ai_verdict")[0].payload
        assert ai["available"] and ai["model_id"] == "ct_phantom_classifier"
        # only slices inside localised modules (neighbours included) are judged
        result = ctx.store.query_records(kind="ct_qc.result")[0].payload
        from app.ct.ai.handoff import assessable_slices

        expected = assessable_slices(result, 28)
        version = _newest_classifier_version()
        assert ai["model_version"] == version and expected
        assert [s["slice_index"] for s in ai["slices"]] == expected
        assert panel.strip.ai_label.toolTip() == f"ct_phantom_classifier {version}"
        print("trained classifier on a 30 HU ring series:", ai["label"], ai["review_reasons"])
        assert panel.strip.disagreement_shown == bool(ai["disagreement"])
        panel.shutdown()
    finally:
        env.close()


def _sign_next_dialog(qtbot, password: str = PASSWORD) -> list:  # noqa: ANN001
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen: list = []

    def fill() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(50, fill)
            return
        seen.append(dlg.what_label.text())
        dlg.password_edit.setText(password)
        dlg.sign_button.click()
        assert dlg.wait_until_done()   # signing runs off the GUI thread
        if dlg.isVisible():           # wrong password: the dialog stays open
            seen.append(dlg.error_bar.text())
            dlg.reject()
    QTimer.singleShot(50, fill)
    return seen


def test_signed_baseline_drives_constancy_limits_and_the_report_lists_the_signature(
        qtbot, station_env, passing_folder, tmp_path):
    ctx = station_env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), passing_folder)
    assert panel._result.verdict.value == "PASS"
    first_uid, first_record = panel._current_uid, panel._record_id
    seen = _sign_next_dialog(qtbot, "wrong-password")
    assert panel.set_baseline_current() is None
    assert seen[0] == "Accept as baseline of scanner SN-BASE" and ctx.store.query_records(
        kind="ct_qc.baseline") == []
    seen = _sign_next_dialog(qtbot)
    rec = panel.set_baseline_current()
    assert rec is not None and rec.subject == "SN-BASE" and rec.ref == first_uid
    (sig,) = ctx.signatures.signatures_for("ct_qc.baseline", rec.id)
    assert sig.meaning == "approved" and sig.username == "qe1"
    assert rec.payload["result_record_id"] == first_record
    qtbot.waitUntil(lambda: "accepted baseline" in panel.strip.baseline_label.text(), timeout=10000)
    assert panel.series_table.row_texts(first_uid)[0].split("\n")[0].endswith("★")
    # the next analysis of this scanner is judged against the baseline's constancy limits
    panel.analyse_current()
    qtbot.waitUntil(lambda: len(ctx.store.query_records(kind=workflow.RESULT_KIND)) == 2
                    and not panel.is_busy(), timeout=120000)
    newest = ctx.store.query_records(kind=workflow.RESULT_KIND)[0].payload
    assert newest["profile"]["name"] == "factory_simct_120kv+baseline"
    noise = next(m for m in newest["measurements"] if m["key"] == "noise.sd")
    assert "baseline" in noise["limits"]["source"]
    # PDF report of the baseline result lists its e-signature
    panel.analyse_current()
    path = tmp_path / "report.pdf"
    panel.report_current(path)
    qtbot.waitUntil(lambda: panel.last_report is not None, timeout=60000)
    assert path.stat().st_size > 10000
    assert "Report written" in panel.messages.text()


def test_report_lists_signatures_on_the_result(station_env, passing_folder, tmp_path):
    from app.core.tasks import CancelToken, no_progress
    from station_plugins.ct_qc import baseline, intake_jobs
    from app.ct.dicom_load import load_series

    ctx = station_env.context()
    (entry,) = workflow.scan_folder(passing_folder)
    loaded = load_series(list(entry.files))
    out = intake_jobs.analyse_job(entry, loaded, ctx.store, "qe1", profile="factory_simct_120kv",
                                  token=CancelToken(), progress=no_progress)
    rec = baseline.set_baseline(ctx.store, ctx.signatures, out.record_id, username="sup1",
                                password=PASSWORD, comment="first install")
    sigs = baseline.signatures_on_result(ctx.store, ctx.signatures, out.record_id)
    assert [(s.username, s.meaning) for s in sigs] == [("sup1", "approved")]
    calls = {}
    import station_plugins.ct_qc.report_pdf as rp
    real = rp.write_report

    def spy(result, path, **kw):  # noqa: ANN001, ANN202
        calls.update(kw)
        return real(result, path, **kw)
    rp.write_report = spy
    try:
        workflow.report_job(out.result, loaded, tmp_path / "r.pdf", sigs, token=CancelToken(),
                            progress=no_progress)
    finally:
        rp.write_report = real
    (row,) = calls["signatures"]
    assert row[0] == "Sam Supervisor (sup1)" and row[2] == "approved: first install"
    assert (tmp_path / "r.pdf").stat().st_size > 10000
    assert rec.payload["signature_id"] == sigs[0].id


def test_archive_with_the_pacs_down_shows_the_reason_and_marks_nothing(qtbot, station_env,
                                                                        ring_folder):
    ctx = station_env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), ring_folder)
    panel.archive_current()          # receiver off: the PACS could not report commitment
    qtbot.waitUntil(lambda: "receiver" in panel.messages.text(), timeout=10000)
    assert panel.start_receiving()
    panel.archive_current()          # peer port 1: nothing listens there
    qtbot.waitUntil(lambda: not panel.actions.running and "PH-PACS" in
                    panel.messages.code_label.text(), timeout=30000)
    assert panel.messages.code_label.text().strip("[]") == "PH-PACS-DOWN"
    assert "127.0.0.1" in panel.messages.text()
    assert station_env.status.get("pacs").state == "error"
    assert ctx.store.query_records(kind="ct_qc.archive") == []
    assert panel.series_table.row_texts(panel._current_uid)[5] == ""
    assert panel.strip.archive_label.text() == "not archived"
    panel.stop_receiving()


def test_trend_with_many_records(qtbot, station_env):
    from station_plugins.ct_qc.ui_results import TrendView

    from datetime import datetime, timedelta

    ctx = station_env.context()
    day0 = datetime(2025, 1, 1, 8, 0)
    with ctx.store.write() as conn:
        for i in range(400):
            acquired = (day0 + timedelta(days=i)).strftime("%Y-%m-%d %H:%M")
            if i == 7:
                acquired = "2025-13-45 99:99"       # a nonsense header date: record time used
            ctx.store.add_record(workflow.RESULT_KIND, "SN-TREND", {
                "verdict": "PASS", "station": {"acquired": acquired},
                "measurements": [{"key": "noise.sd", "value": 10 + (i % 7) * 0.1,
                                  "verdict": "PASS", "limits": {"low": 7, "high": 13}}]},
                username="qe1", ref=f"1.2.{i}", verdict="PASS", conn=conn)
    view = TrendView(lambda s, k: workflow.trend_points(ctx.store, s, k),
                     lambda: workflow.known_serials(ctx.store))
    qtbot.addWidget(view)
    view.refresh(prefer_serial="SN-TREND")
    view.key_combo.setCurrentIndex(view.key_combo.findData("noise.sd"))
    qtbot.waitUntil(lambda: view.count_label.text() == "400 result(s)")   # read off the GUI thread
    assert len(view.plot._ids) == 400
    # past the limit the NEWEST results are shown (was: the oldest, so new ones never came)
    points, _ = workflow.trend_points(ctx.store, "SN-TREND", "noise.sd", limit=50)
    newest = ctx.store.query_records(kind=workflow.RESULT_KIND, subject="SN-TREND", limit=1)[0]
    assert len(points) == 50 and points[-1].record_id == newest.id
    assert points[0].series_uid == "1.2.350"
    assert workflow.known_serials(ctx.store) == ["SN-TREND"]
