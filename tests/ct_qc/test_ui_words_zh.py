"""What CT QC shows on the image and in the verdict strip is in the user's language
(issue 17: English insert names on the slice and "uncertain" in a Chinese window)."""
from __future__ import annotations

import pytest


@pytest.fixture
def zh(qapp):  # noqa: ANN001, ANN201
    from app.ui import i18n

    i18n.set_language(qapp, "zh_CN")
    yield qapp
    i18n.set_language(qapp, "en")


def test_overlay_labels_in_english_are_the_table_names(qapp):
    from station_plugins.ct_qc.ui_viewer import _roi_label

    assert [_roi_label(x) for x in ("teflon", "ldpe", "ring 40 mm", "noise.sd", "")] == [
        "Teflon", "LDPE", "ring 40 mm", "noise.sd", ""]


def test_overlay_labels_and_ai_class_in_chinese(zh, qtbot):
    from station_plugins.ct_qc.ui_verdicts import VerdictStrip
    from station_plugins.ct_qc.ui_viewer import _roi_label
    from tests.ui.zh_walk import untranslated

    assert _roi_label("teflon") == "特氟龙" and _roi_label("ring 40 mm") == "环形伪影 40 mm"
    strip = VerdictStrip()
    qtbot.addWidget(strip)
    strip.set_state(physics="PASS", ai={"available": True, "label": "uncertain",
                                        "flagged": True, "review_reasons": ["uncertain"],
                                        "model_id": "ct_phantom_classifier",
                                        "model_version": "2.0.0"})
    assert strip.ai_text.startswith("不确定") and "已送影像复核" in strip.ai_text
    assert not untranslated(strip.ai_text)
