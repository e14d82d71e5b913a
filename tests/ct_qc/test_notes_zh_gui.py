"""In a Chinese window the CT QC panel shows the engine's notes in Chinese (issue: English
sentences among Chinese ones): a real partial series imported and analysed through the
station, its result note on the message bar, a measurement's note in the ROI details and
the table's tooltip; the same screen in English shows the English notes. Both are rendered
at 1366x768 (NOTE_SHOTS=<folder> keeps the PNGs) and checked to fit."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ct_qc._station_env import station_env  # noqa: E402,F401
from tests.ct_qc.test_panel import import_and_wait, open_panel  # noqa: E402
from tests.ui.zh_walk import untranslated  # noqa: E402

SIZE = (1366, 768)


@pytest.fixture(scope="module")
def partial_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    """CTP404 and a little beyond: the other modules are not in the series (a result note)."""
    from tests.sim_series import write_sim_series

    return write_sim_series(tmp_path_factory.mktemp("partial"), "SN-NOTES")


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("NOTE_SHOTS") or tmp_path)


def _show_teflon(panel) -> str:  # noqa: ANN001
    teflon = next(r for r in panel.viewer.rois() if r.id == "ct_number.teflon")
    panel.viewer.sig_roi_clicked.emit(teflon.id)
    return panel.roi_details.text()


def _fits(panel) -> None:  # noqa: ANN001
    """Nothing grew past the screen; the message bar and the ROI details lie inside it."""
    assert panel.width() <= SIZE[0] and panel.height() <= SIZE[1]
    for w in (panel.messages, panel.roi_details):
        top_left = w.mapTo(panel, w.rect().topLeft())
        assert top_left.x() >= 0 and top_left.y() >= 0
        assert top_left.x() + w.width() <= panel.width() + 1
        assert top_left.y() + w.height() <= panel.height() + 1


def _analyse(qtbot, ctx, folder):  # noqa: ANN001, ANN201
    panel = open_panel(qtbot, ctx)
    panel.resize(*SIZE)
    panel.show()
    import_and_wait(qtbot, panel, folder)
    qtbot.waitUntil(lambda: not panel.messages.isHidden(), timeout=20000)
    return panel


def test_result_and_measurement_notes_in_english(qtbot, station_env, partial_folder,
                                                 tmp_path):
    from app.ui.screenshot import render_widget_png

    panel = _analyse(qtbot, station_env.context(), partial_folder)
    note = panel._result.notes[0]
    assert note == "modules not in the series: CTP486, CTP515, CTP528"     # the record
    assert panel.messages.text() == note                                   # English screen
    assert re.search(r"<br>nominal -?\d+ HU, SD \d+\.\d, SE \d+\.\d\d$", _show_teflon(panel))
    render_widget_png(panel, _shots(tmp_path) / "ct_qc_notes_en.png", SIZE)
    _fits(panel)


def test_result_and_measurement_notes_in_chinese(qtbot, station_env, qapp, partial_folder,
                                                 tmp_path):
    from PySide6.QtCore import Qt

    from app.ui import i18n
    from app.ui.screenshot import render_widget_png
    from widgets.note_texts import note_text

    i18n.set_language(qapp, "zh_CN")
    try:
        panel = _analyse(qtbot, station_env.context(), partial_folder)
        assert panel._result.notes[0] == "modules not in the series: CTP486, CTP515, CTP528"
        assert panel.messages.text() == "序列中缺少的模块：CTP486、CTP515、CTP528"
        details = _show_teflon(panel)
        assert re.search(r"<br>标称值 -?\d+ HU，SD \d+\.\d，标准误 \d+\.\d\d$", details), details
        row = [m.key for m in panel.tabs.table.measurements()].index("ct_number.teflon")
        model = panel.tabs.table.model()
        tip = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
        # key, limits (the profile's own text), the note, the verdict
        assert any(line.startswith("标称值 ") and "标准误" in line for line in tip.split("\n"))
        assert not any(line.startswith("nominal ") for line in tip.split("\n")), tip
        # every measurement note of the analysed series reads Chinese (compound ones too)
        for m in panel._result.measurements:
            if m.note:
                assert not untranslated(note_text(m.note)), (m.key, note_text(m.note))
        render_widget_png(panel, _shots(tmp_path) / "ct_qc_notes_zh_CN.png", SIZE)
        _fits(panel)
    finally:
        i18n.set_language(qapp, "en")


def test_the_ai_note_tooltip_of_the_verdict_strip_in_chinese(qtbot, qapp):
    """The AI record's note (app.ct.review.ai_note, stored with ``note_code``)."""
    from app.ct.note_codes import code_entry
    from app.ct.review import ai_note
    from app.ui import i18n
    from station_plugins.ct_qc.ui_verdicts import VerdictStrip

    phys = {"verdict": "PASS", "artifacts": [{"type": "ring", "verdict": "WARN"}]}
    ai = {"available": True, "label": "normal", "flagged": False, "review_reasons": [],
          "model_id": "ct_phantom_classifier", "model_version": "2.0.0"}
    note = ai_note(ai, phys)
    record = {**ai, "note": str(note), "note_code": code_entry(note)}   # as stored (JSON)
    strip = VerdictStrip()
    qtbot.addWidget(strip)
    strip.set_state(physics="PASS", ai=record)
    assert strip.ai_label.toolTip() == ("physics warns of ring (below the action level); the "
                                        "AI sees no artifact: a note, not a disagreement")
    i18n.set_language(qapp, "zh_CN")
    try:
        assert strip.ai_label.toolTip() == ("物理检测对环形伪影发出警告（低于行动限值）；AI 未见"
                                            "伪影：仅为提示，并非结论不一致")
    finally:
        i18n.set_language(qapp, "en")


def test_artifact_rows_name_the_artifact_and_its_note_in_chinese(qtbot, qapp):
    from app.core.measurement import Verdict
    from app.ct.analysis.result import Artifact
    from app.ct.note_codes import note
    from app.ui import i18n
    from station_plugins.ct_qc.ui_results import ArtifactTable

    table = ArtifactTable()
    qtbot.addWidget(table)
    table.set_artifacts([Artifact("streak", 42.0, {"angle_deg": 30.0}, Verdict.FAIL,
                                  note=note("artifact.streak"))])
    assert table.cell_text(0, 0) == "streak"                    # English: as recorded
    assert "directional energy" in table.model_.cell(0, 0).tip
    i18n.set_language(qapp, "zh_CN")
    try:
        table.retranslate_ui()
        assert table.cell_text(0, 0) == "条纹伪影"
        assert table.model_.cell(0, 0).tip == "条纹伪影\n高通残差的方向能量；条纹走向角（图像角度，自 +x " \
            "转向 +y，模 180）；幅度取横截剖面的峰值"
    finally:
        i18n.set_language(qapp, "en")


def test_the_shown_note_follows_a_language_switch(qtbot, station_env, qapp, partial_folder):
    """A note already on the message bar reads Chinese after the switch, and English again
    after switching back (the bar keeps the note, not its English sentence)."""
    from app.ui import i18n

    panel = _analyse(qtbot, station_env.context(), partial_folder)
    english = "modules not in the series: CTP486, CTP515, CTP528"
    assert panel.messages.text() == english
    try:
        i18n.set_language(qapp, "zh_CN")
        assert panel.messages.text() == "序列中缺少的模块：CTP486、CTP515、CTP528"
        assert panel.messages.level == "warning"
    finally:
        i18n.set_language(qapp, "en")
    assert panel.messages.text() == english


def test_the_import_summary_follows_a_language_switch(qtbot, station_env, qapp,
                                                      partial_folder):
    """Importing the same series again: the import summary on the bar switches language."""
    from app.ui import i18n

    panel = _analyse(qtbot, station_env.context(), partial_folder)
    panel.messages.clear()
    panel.import_folder(partial_folder)                    # all duplicates now
    qtbot.waitUntil(lambda: panel.messages.text().startswith("Import: "), timeout=60000)
    english = panel.messages.text()
    assert re.fullmatch(r"Import: 0 new file\(s\), \d+ already stored \(duplicates\), "
                        r"0 conflict\(s\), \d+ rejected; 1 series, 1 unchanged\.",
                        english), english
    try:
        i18n.set_language(qapp, "zh_CN")
        assert re.fullmatch(r"导入：新文件 0 个，已保存过 \d+ 个（重复），冲突 0 个，拒收 \d+ 个；"
                            r"序列 1 个，未变化 1 个。", panel.messages.text()), panel.messages.text()
    finally:
        i18n.set_language(qapp, "en")
    assert panel.messages.text() == english
