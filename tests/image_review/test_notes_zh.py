"""The image-review detail shows the AI's note beside the physics (app.ct.review.ai_note,
stored with the item with its code) in the user's language: the "physics FAIL ... not what
an AI class judges" note of a series the AI calls normal, in Chinese in a Chinese window,
as recorded in an English one. Rendered at 1366x768 (NOTE_SHOTS=<folder> keeps the PNGs)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from station_plugins.image_review.service import ReviewService  # noqa: E402
from tests.image_review.conftest import queue_item  # noqa: E402
from tests.image_review.test_panel import open_panel, wait_item  # noqa: E402
from tests.ui.zh_walk import untranslated  # noqa: E402

SIZE = (1366, 768)
PHYS = {"verdict": "FAIL", "artifacts": [], "measurements": [
    {"key": "ct_number.uniform", "value": 23.2, "unit": "HU", "verdict": "FAIL"},
    {"key": "slice_thickness", "value": 6.1, "unit": "mm", "verdict": "FAIL"}]}
ENGLISH = ("physics FAIL: ct_number.uniform 23.2, slice_thickness 6.1 - not what an AI class "
           "judges; the AI's 'normal' does not contradict it, the physics decides")
CHINESE = ("物理检测不合格：CT值（均匀区） 23.2、层厚 6.1 - 不属于 AI 类别判定的范围；AI 的“正常”"
           "与此不矛盾，以物理检测为准")


def _inside(panel, w) -> bool:  # noqa: ANN001
    tl = w.mapTo(panel, w.rect().topLeft())
    return (tl.x() >= 0 and tl.y() >= 0 and tl.x() + w.width() <= panel.width()
            and tl.y() + w.height() <= panel.height())


def _check_fit(panel) -> None:  # noqa: ANN001
    view = panel.review_view
    label = view.physics_view.note_label
    assert panel.width() <= SIZE[0] and panel.height() <= SIZE[1]     # nothing grew
    for w in (label, view.approve_button, view.reject_button, view.decision_box,
              view.physics_view):
        assert w.isVisible() and _inside(panel, w), w.objectName()
    # the wrapped note has the height its lines need (not cut off)
    assert label.height() >= label.heightForWidth(label.width()) - 1


def test_ai_note_beside_the_physics_in_english_and_chinese(qtbot, env, qapp, tmp_path):
    from app.ui import i18n
    from app.ui.screenshot import render_widget_png
    from app.ui.theme import apply_theme

    _, item = queue_item(ReviewService(env.context("qe1")), noise_sd=5.0, seed=7, physics=PHYS)
    assert item.ai["label"] == "normal" and item.reasons == ["failed_limits"]
    assert item.ai["note"] == ENGLISH                         # the record, in English
    assert item.ai["note_code"]["code"] == "ai.physics_beside"
    shots = Path(os.environ.get("NOTE_SHOTS") or tmp_path)
    style, font = qapp.styleSheet(), qapp.font()
    apply_theme(qapp, "en")
    panel = open_panel(qtbot, env)
    panel.resize(*SIZE)
    wait_item(qtbot, panel, item.id)
    qtbot.waitUntil(lambda: panel.review_view.image_viewer.image() is not None, timeout=20000)
    label = panel.review_view.physics_view.note_label
    assert label.text() == ENGLISH and label.isVisible()
    render_widget_png(panel, shots / "image_review_notes_en.png", SIZE)
    _check_fit(panel)
    try:
        i18n.set_language(qapp, "zh_CN")
        apply_theme(qapp, "zh_CN")
        qtbot.waitUntil(lambda: label.text() == CHINESE, timeout=5000)
        assert not untranslated(label.text())
        render_widget_png(panel, shots / "image_review_notes_zh_CN.png", SIZE)
        _check_fit(panel)
    finally:
        i18n.set_language(qapp, "en")
        qapp.setStyleSheet(style)
        qapp.setFont(font)
    qtbot.waitUntil(lambda: label.text() == ENGLISH, timeout=5000)


def test_an_item_without_a_note_code_shows_its_english_note(qtbot, env, qapp):
    """An item queued before the codes (or by another version): the note as recorded, in
    any language - never lost, never blank."""
    from app.ui import i18n

    _, item = queue_item(ReviewService(env.context("qe1")), noise_sd=5.0, seed=8, physics=PHYS)
    panel = open_panel(qtbot, env)
    wait_item(qtbot, panel, item.id)
    view = panel.review_view.physics_view
    item.ai.pop("note_code")
    try:
        i18n.set_language(qapp, "zh_CN")
        view.set_item(item)
        assert view.note_label.text() == ENGLISH and view.note_label.isVisible()
    finally:
        i18n.set_language(qapp, "en")
