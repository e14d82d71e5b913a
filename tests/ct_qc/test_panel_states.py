"""What the CT QC screen says in its states at 1366x768 (seen on its screenshots): an empty
series list tells what to do; the result actions are disabled (saying why) until there
is a series or a result; a rejected file's reason is read code first, shortened, in view
(a library's message ran one letter a line in the narrow list)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ct_qc._station_env import station_env, write_series  # noqa: E402,F401
from tests.ct_qc.test_panel import import_and_wait, open_panel  # noqa: E402


def _ink(widget) -> int:  # noqa: ANN001
    """Pixels of the widget's rendering that differ from its background colour."""
    image = widget.grab().toImage()
    bg = image.pixelColor(2, 2).rgb()
    return sum(image.pixelColor(x, y).rgb() != bg
               for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))


def test_empty_list_says_what_to_do_and_actions_wait_for_a_series(qtbot, station_env, qapp,
                                                                  tmp_path):
    from app.ui import i18n

    ctx = station_env.context()
    panel = open_panel(qtbot, ctx)
    panel.resize(1366, 700)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.series_table
    assert table.rowCount() == 0
    assert table.empty_hint().startswith("No series yet. Import a folder")
    assert _ink(table.viewport()) > 50                   # the hint is drawn, not a blank box
    for button in (panel.analyse_button, panel.archive_button):
        assert not button.isEnabled()
        assert button.toolTip() == "Choose a series in the list first."
    for button in (panel.report_button, panel.baseline_button):
        assert not button.isEnabled() and button.toolTip().startswith("Analyse the series")
    try:
        i18n.set_language(qapp, "zh_CN")
        assert table.empty_hint().startswith("暂无序列。")
        assert panel.archive_button.toolTip() == "请先在列表中选择序列。"
    finally:
        i18n.set_language(qapp, "en")
    # a series and its result: every action is there, the hint gone
    import_and_wait(qtbot, panel, write_series(tmp_path / "series", serial="SN-STATES"))
    # the trend opens on a measurement every phantom has (a Catphan has no water insert)
    trend = panel.trend
    assert trend.key_combo.currentData() == "noise.sd"
    qtbot.waitUntil(lambda: trend.count_label.text() == "1 result(s)", timeout=30000)
    trend.key_combo.setCurrentIndex(trend.key_combo.findData("ct_number.water"))
    qtbot.waitUntil(lambda: trend.count_label.text().startswith(
        "No result of this scanner has this measurement"), timeout=30000)
    for button in (panel.analyse_button, panel.archive_button, panel.report_button,
                   panel.baseline_button):
        assert button.isEnabled() and button.toolTip() == ""
    # truth.json was rejected: its reason reads code first, shortened, whole in the tip
    rejected = panel.rejected_table
    panel.left_tabs.setCurrentWidget(rejected)
    qtbot.wait(50)
    cell = rejected.cell(0, 2)
    assert cell.text.startswith("[PH-DCM-UNREADABLE] Not a readable DICOM")
    assert cell.text.endswith("…") and len(cell.text) < 140
    assert rejected.rejected()[0].message in cell.tip
    rect = rejected.visualRect(rejected.model_.index(0, 2))
    assert rect.width() >= 170 and rejected.viewport().rect().contains(rect)
    # the activity line says what matters first; the whole text is its tooltip
    lines = [panel.activity.item(i) for i in range(panel.activity.count())]
    (line,) = [i for i in lines if "truth.json" in i.text()]
    assert line.text().endswith("file rejected: truth.json [PH-DCM-UNREADABLE]")
    assert "Not a readable DICOM" in line.toolTip()
