"""CT QC's analysis bar after a live switch of the real 1366x768 window: the phantom and
limit combos are as wide as their texts in the new language. After English -> Chinese
the phantom kept its English width ("Detect automatically" for "自动识别"): the bar
wrapped onto a third line ("PDF 报告…" alone) and the results pane below lost that
line's height; after Chinese -> English it kept its Chinese width and "Detect
automatically" was cut (QComboBox computes its size hints once)."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import SCREEN_1366, open_station_window, settle_layout  # noqa: E402


def spare(combo) -> int:  # noqa: ANN001
    """Pixels of the closed box's text field beyond its widest text (in its own font):
    the same few in every language for a box as wide as its texts, less than 0 when a
    text is cut."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    return field.width() - max(combo.fontMetrics().horizontalAdvance(combo.itemText(i))
                               for i in range(combo.count()))


def combo_problems(bar, tag: str, first: dict) -> list[str]:  # noqa: ANN001
    """Each combo's spare room as when the window opened (``first``, filled then), to a
    pixel: in the other language's font the box's measure of its texts (their bounding
    boxes) and the test's (their advances) round one pixel apart."""
    problems = []
    for combo in (bar.phantom_combo, bar.profile_combo):
        room = first.setdefault(combo.objectName(), spare(combo))
        if room < 0 or abs(spare(combo) - room) > 1:
            problems.append(f"{tag}: {combo.objectName()} ({combo.currentText()!r}) "
                            f"{combo.width()} px wide: {spare(combo)} px beyond its widest "
                            f"text, {room} when the window opened")
    return problems


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_bar_combos_take_the_width_of_the_language_shown(qtbot, ini_settings, tmp_path,
                                                         language):  # noqa: ANN001
    from app.bootstrap import Workstation

    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "ct_qc")
        settle_layout(qtbot, window)
        first: dict = {}
        problems = combo_problems(panel.bar, language, first)
        other = "en" if language == "zh_CN" else "zh_CN"
        for now, tag in ((other, f"{language} -> {other}"), (language, f"back to {language}")):
            window.set_language(now)
            qtbot.waitUntil(lambda: not window.language_switcher.busy(), timeout=20000)
            settle_layout(qtbot, window)
            problems += combo_problems(panel.bar, tag, first)
        assert (window.width(), window.height()) == SCREEN_1366, "the window grew"
        assert not problems, "\n".join(problems)
        window.close()
    finally:
        ws.close()
