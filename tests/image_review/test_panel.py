"""Image review panel (pytest-qt, offscreen): queue, review view, signed decisions,
conflicts, two-person rule, holds, drafts across a lock, refused model, filters."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from app.ct.review import KIND_DECISION  # noqa: E402
from station_plugins.image_review.service import ReviewService  # noqa: E402
from tests.image_review.conftest import PASSWORD, queue_item  # noqa: E402

PHYS_FAIL = {"verdict": "FAIL", "artifacts": [{"type": "ring", "verdict": "FAIL",
                                               "amplitude_hu": 22.0}],
             "measurements": [{"key": "noise.sd", "value": 31.2, "unit": "HU",
                               "verdict": "FAIL"}]}


def fill_queue(env, n: int = 2, analysed_by: str = "qe1") -> list:  # noqa: ANN001
    service = ReviewService(env.context(analysed_by))
    items = [queue_item(service, noise_sd=80.0, scanner="SN-1", seed=1,
                        analysed_by=analysed_by)[1]]
    if n > 1:
        items.append(queue_item(service, noise_sd=90.0, scanner="SN-2", seed=2,
                                analysed_by=analysed_by, physics=PHYS_FAIL)[1])
    return items


def open_panel(qtbot, env, user: str = "rev1"):  # noqa: ANN001, ANN201
    from station_plugins.image_review.panel import ImageReviewPanel

    panel = ImageReviewPanel(env.context(user))
    qtbot.addWidget(panel)
    panel.resize(1600, 1000)
    panel.show()
    qtbot.waitUntil(lambda: panel.ai_available is not None, timeout=20000)
    return panel


def wait_item(qtbot, panel, item_id: str | None = None) -> None:  # noqa: ANN001
    def shown() -> bool:
        it = panel.review_view.item
        return it is not None and (item_id is None or it.id == item_id) and \
            not panel.item_loader.running
    qtbot.waitUntil(shown, timeout=20000)


def choose(combo, code: str) -> None:  # noqa: ANN001
    combo.setCurrentIndex(combo.findData(code))


def sign(qtbot, panel, password: str = PASSWORD) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: panel.sign_dialog is not None, timeout=5000)
    dlg = panel.sign_dialog
    dlg.password_edit.setText(password)
    dlg.sign_button.click()
    qtbot.waitUntil(lambda: panel.sign_dialog is None, timeout=10000)


def test_load_queue_open_item_and_approve_with_signature(qtbot, env):
    first, second = fill_queue(env)
    panel = open_panel(qtbot, env)
    qtbot.waitUntil(lambda: panel.queue_view.proxy.rowCount() == 2, timeout=20000)
    wait_item(qtbot, panel)
    assert panel.queue_view.visible_ids() == [second.id, first.id]   # failed limits first
    assert panel.review_view.item.id == second.id
    view = panel.review_view
    qtbot.waitUntil(lambda: view.image_viewer.image() is not None, timeout=20000)
    assert view.image_viewer.has_heatmap() and view.has_baseline()
    assert view.heatmap_button.isEnabled()
    assert view.physics_view.table.rowCount() == 2 and view.ai_view.bars["noise"].value() > 900
    assert not view.disagreement_label.isVisible()   # AI abnormal + physics FAIL agree
    assert "[A]" in view.approve_button.text() and "N next" in view.keys_label.text()
    # H toggles the heatmap, A without a reason asks for one
    panel.shortcuts["H"].activated.emit()
    assert not view.image_viewer.heatmap_item.isVisible()
    panel.shortcuts["A"].activated.emit()
    assert panel.sign_dialog is None and "approve reason" in panel.messages.text()
    choose(view.approve_reason, "artifact_acceptable")
    view.comment_edit.setPlainText("within acceptance after review")
    panel.shortcuts["A"].activated.emit()
    dlg = panel.sign_dialog
    assert dlg.meaning() == "approved" and dlg.comment_edit.isReadOnly()
    assert env.store.query_records(KIND_DECISION) == []     # nothing before signing
    sign(qtbot, panel)
    decisions = env.store.query_records(KIND_DECISION)
    assert len(decisions) == 1 and decisions[0].username == "rev1"
    assert decisions[0].payload["reason_code"] == "artifact_acceptable"
    assert "Approved" in panel.messages.text()
    wait_item(qtbot, panel, first.id)                 # moved on to the next open item
    assert panel.queue_view.visible_ids() == [first.id]
    assert first.disagreement and panel.review_view.disagreement_label.isVisible()


def test_empty_queue_offers_no_heatmap_and_next_says_it_is_empty(qtbot, env):
    panel = open_panel(qtbot, env)
    view = panel.review_view
    assert view.item is None and not view.heatmap_button.isEnabled()
    view.next_button.click()
    assert "queue is empty" in panel.messages.text()


def test_conflict_says_decided_meanwhile_and_reloads(qtbot, env):
    (item,) = fill_queue(env, 1)
    panel = open_panel(qtbot, env)
    wait_item(qtbot, panel, item.id)
    choose(panel.review_view.approve_reason, "artifact_absent")
    panel.decide("approve")
    other = ReviewService(env.context("rev2")).queue
    other.decide(item.id, "reject", "noise_excess", "", username="rev2", password=PASSWORD)
    panel.sign_dialog.password_edit.setText(PASSWORD)
    panel.sign_dialog.sign_button.click()
    qtbot.waitUntil(lambda: panel.sign_dialog is None, timeout=10000)
    assert "decided meanwhile by rev2" in panel.messages.text()
    qtbot.waitUntil(lambda: panel.review_view.item.status == "rejected", timeout=20000)
    assert [d.username for d in env.store.query_records(KIND_DECISION)] == ["rev2"]
    assert "SN-1" in panel.hold_label.text()


def test_two_person_rejection_then_hold_shown(qtbot, env):
    env.config.two_person = True
    (item,) = fill_queue(env, 1)
    panel = open_panel(qtbot, env, "rev1")
    wait_item(qtbot, panel, item.id)
    choose(panel.review_view.reject_reason, "noise_excess")
    panel.shortcuts["R"].activated.emit()
    assert panel.sign_dialog.meaning() == "rejected"
    sign(qtbot, panel)
    assert "second reviewer" in panel.messages.text()
    assert ReviewService(env.context("rev1")).queue.get(item.id).status == "awaiting_second"
    assert "No scanner on hold" in panel.hold_label.text()
    second = open_panel(qtbot, env, "rev2")
    wait_item(qtbot, second, item.id)
    assert "second reviewer must sign" in second.review_view.history_label.text()
    choose(second.review_view.reject_reason, "noise_excess")
    second.decide("reject")
    assert second.sign_dialog.meaning() == "verified"
    sign(qtbot, second)
    assert second.messages.text() == "Rejected: scanner SN-1 is on hold."
    qtbot.waitUntil(lambda: "SN-1" in second.hold_label.text(), timeout=20000)
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n

    try:                                   # the message follows a language switch
        i18n.set_language(QApplication.instance(), "zh_CN")
        assert second.messages.text() == "已拒绝：扫描机 SN-1 已暂停放行。"
        assert panel.messages.text() == "拒绝已签名；须由第二位复核员签名（双人规则）。"
    finally:
        i18n.set_language(QApplication.instance(), "en")
    assert second.messages.text() == "Rejected: scanner SN-1 is on hold."


def test_unsigned_decision_records_nothing_and_the_draft_survives_a_lock(qtbot, env):
    (item,) = fill_queue(env, 1)
    panel = open_panel(qtbot, env)
    wait_item(qtbot, panel, item.id)
    choose(panel.review_view.reject_reason, "streak_artifact")
    panel.review_view.comment_edit.setPlainText("streak near the bone insert")
    panel.decide("reject")
    panel.sign_dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: panel.sign_dialog is None, timeout=5000)
    assert "nothing was recorded" in panel.messages.text()
    panel.ctx.session.lock()                          # the main window covers the panel
    assert panel.ctx.session.locked
    assert panel.review_view.reason_for("reject") == "streak_artifact"
    panel.ctx.session.unlock(PASSWORD)
    assert env.store.query_records(KIND_DECISION) == []
    # even a new panel (log out / in) restores the unsigned draft
    again = open_panel(qtbot, env)
    wait_item(qtbot, again, item.id)
    assert again.review_view.reason_for("reject") == "streak_artifact"
    assert again.review_view.comment_edit.toPlainText() == "streak near the bone insert"


def test_own_analysis_is_flagged_and_assignment_to_the_analyst_refused(qtbot, env):
    (item,) = fill_queue(env, 1, analysed_by="rev1")
    panel = open_panel(qtbot, env, "rev1")
    wait_item(qtbot, panel, item.id)
    assert "You analysed this series" in panel.review_view.notice_label.text()
    sup = open_panel(qtbot, env, "sup1")
    wait_item(qtbot, sup, item.id)
    assert not sup.assign(item.id, "rev1")
    assert "analysed this series" in sup.messages.text()
    assert sup.assign(item.id, "rev2")
    qtbot.waitUntil(lambda: "rev2" in sup.queue_view.item_model.data(
        sup.queue_view.item_model.index(0, 6)), timeout=20000)
    assert not panel.assign(item.id, "rev2")          # a reviewer may not assign
    assert "may not assign" in panel.messages.text()


def test_refused_model_banner_and_physics_only_review(qtbot, env):
    fill_queue(env, 1)
    env.onnx_path.write_bytes(env.onnx_path.read_bytes()[:100])
    panel = open_panel(qtbot, env)
    assert panel.ai_available is False
    text = panel.ai_label.text()
    assert text.startswith("AI check unavailable: ") and text.endswith("physics checks only")
    wait_item(qtbot, panel)
    qtbot.waitUntil(lambda: panel.review_view.image_viewer.image() is not None, timeout=20000)
    assert not panel.review_view.image_viewer.has_heatmap()
    assert "No heatmap" in panel.review_view.notice_label.text()


def test_tampered_image_is_not_shown(qtbot, env):
    (item,) = fill_queue(env, 1)
    path = env.tmp / "review_images" / item.image_path
    path.write_bytes(path.read_bytes()[:-5] + b"xxxxx")
    panel = open_panel(qtbot, env)
    wait_item(qtbot, panel, item.id)
    assert "altered" in panel.review_view.notice_label.text()
    assert panel.review_view.image_viewer.image() is None


def test_filters_by_scanner_class_status_and_date(qtbot, env):
    first, second = fill_queue(env)
    panel = open_panel(qtbot, env)
    qv = panel.queue_view
    qtbot.waitUntil(lambda: qv.proxy.rowCount() == 2, timeout=20000)
    qv.scanner_combo.setCurrentIndex(qv.scanner_combo.findData("SN-1"))
    assert qv.visible_ids() == [first.id] and "1 of 2" in qv.count_label.text()
    qv.scanner_combo.setCurrentIndex(0)
    qv.class_combo.setCurrentIndex(qv.class_combo.findData("noise"))
    assert len(qv.visible_ids()) == 2
    qv.date_check.setChecked(True)
    qv.since_edit.setDate(qv.since_edit.date().addDays(40))
    assert qv.visible_ids() == []
    qv.date_check.setChecked(False)
    qv.status_combo.setCurrentIndex(qv.status_combo.findData("approved"))
    assert qv.visible_ids() == []
    qv.status_combo.setCurrentIndex(qv.status_combo.findData("all"))
    qv.table.sortByColumn(1, qv.table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    assert qv.visible_ids() == [first.id, second.id]                  # oldest first


def test_chinese_catalogue_is_complete_fresh_and_applies(qtbot, env, tmp_path):
    import os
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from app.paths import resources_dir
    from app.ui import i18n
    from app.ui.screenshot import render_widget_png

    ts = resources_dir() / "i18n" / "image_review_zh_CN.ts"
    qm = ts.with_suffix(".qm")
    assert qm.stat().st_mtime >= ts.stat().st_mtime - 1.0, "run pyside6-lrelease on it"
    assert 'type="unfinished"' not in ts.read_text(encoding="utf-8")
    from app.ui.theme import apply_theme

    fill_queue(env)
    app = QApplication.instance()
    style, font = app.styleSheet(), app.font()
    apply_theme(app, "en")
    panel = open_panel(qtbot, env)
    wait_item(qtbot, panel)
    qtbot.waitUntil(lambda: panel.review_view.image_viewer.image() is not None, timeout=20000)
    shots = Path(os.environ.get("IMAGE_REVIEW_SHOTS", tmp_path))
    assert render_widget_png(panel, shots / "image_review_en.png").stat().st_size > 20000
    other = next(i for i in panel.queue_view.visible_ids() if i != panel.review_view.item.id)
    panel.queue_view.select_id(other)
    wait_item(qtbot, panel, other)
    qtbot.waitUntil(lambda: panel.review_view.image_viewer.image() is not None, timeout=20000)
    assert panel.review_view.disagreement_label.isVisible()
    render_widget_png(panel, shots / "image_review_disagreement_en.png")
    try:
        assert "image_review_zh_CN.qm" in i18n.set_language(app, "zh_CN")
        apply_theme(app, "zh_CN")
        qtbot.waitUntil(lambda: panel.review_view.approve_button.text() == "批准 [A]",
                        timeout=5000)
        assert panel.queue_view.refresh_button.text() == "刷新"
        assert panel.review_view.physics_view.title() == "物理检测判定（CT 质控）"
        render_widget_png(panel, shots / "image_review_zh_CN.png")
    finally:
        i18n.set_language(app, "en")
        app.setStyleSheet(style)
        app.setFont(font)
    qtbot.waitUntil(lambda: panel.review_view.approve_button.text() == "Approve [A]",
                    timeout=5000)


def test_check_a_dicom_series_queues_it_with_both_verdicts(qtbot, env, tmp_path):
    from app.ct.simulator import (ArtifactSpec, SimParams, simulate_series,
                                                 write_dicom_series)

    sim = simulate_series(SimParams(matrix=256, n_slices=5, slice_thickness_mm=5.0, seed=3,
                                    artifacts=[ArtifactSpec("ring", 30.0, radius_mm=45.0)]))
    write_dicom_series(sim, tmp_path / "series", scanner_serial="SN-CHK")
    panel = open_panel(qtbot, env, "qe1")
    panel.check_series(tmp_path / "series")
    qtbot.waitUntil(lambda: "Queued for review" in panel.messages.text(), timeout=60000)
    wait_item(qtbot, panel)
    item = panel.review_view.item
    assert item.scanner_serial == "SN-CHK" and item.analysed_by == "qe1"
    assert item.physics["verdict"] in ("FAIL", "ERROR")
    assert any(a["type"] == "ring" for a in item.physics["artifacts"])
    assert item.ai["model_version"] == "0.0.1" and "failed_limits" in item.reasons
    assert "You analysed this series" in panel.review_view.notice_label.text()
    reviewer = open_panel(qtbot, env, "rev1")
    reviewer.check_series(tmp_path / "series")          # a reviewer may not queue series
    assert "may not classify" in reviewer.messages.text()
