"""The tunnel console in the real main window at 1366x768 (en, zh_CN) after a run of the
shipped 172-step sequence with a demo fault (kV 6 % high: a FAIL): every text of the
step table is whole on screen - title wrapped, measurement names, values with units,
limits, verdicts, AI - with no sideways scrolling and rows as high as their lines (the
cells were elided, only tooltips had the whole text); the detail pane shows the failed
step whole; the live signal's title and the recent units' lines are whole; the window
keeps its size; after a live switch to the other language every row is whole again."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import _themed_english, ini_settings, open_station_window, settle_layout  # noqa: E402,F401,E501

SIZE = (1366, 768)


def _run(qtbot, panel, serial: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(panel.start_btn.isEnabled, timeout=60000)
    panel.serial.setText(serial)
    panel.start_run()
    qtbot.waitUntil(lambda: panel.banner.state == "RUNNING", timeout=60000)
    _finish(qtbot, panel)


def _finish(qtbot, panel) -> None:  # noqa: ANN001
    """Until the run ends and its row is shown, the operator answering every prompt with
    its first choice."""
    def done() -> bool:
        if panel.prompt.isVisible():
            button = panel.prompt.buttons.itemAt(0).widget()
            if button is not None:
                button.click()
        return panel.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED")
    qtbot.waitUntil(done, timeout=300000)
    qtbot.waitUntil(lambda: panel.last_run.get("row") is not None, timeout=60000)


def table_problems(table) -> list[str]:  # noqa: ANN001
    """Every cell's every line whole in the 1366x768 console (the title wrapped)."""
    from station_plugins.tunnel_test.ui_step_table import STEP, text_pad, wrapped_height

    problems = []
    model, header, fm, vp = table.steps, table.horizontalHeader(), table.fontMetrics(), \
        table.viewport()
    pad = text_pad(table)
    if header.length() > vp.width():
        problems.append(f"the step table scrolls sideways: {header.length()} > {vp.width()}")
    for col in range(model.columnCount()):
        size = header.sectionSize(col)
        if size < header.sectionSizeHint(col):
            problems.append(f"header {model.headerData(col, 1)!r} cut: {size}")
        for r, row in enumerate(model.rows):
            height = table.rowHeight(r)
            if col == STEP:
                need = wrapped_height(model.title(row), table.font(), size - pad)
                if need > height:
                    problems.append(f"title {model.title(row)!r} needs {need} > {height}")
                continue
            lines = model.cell_lines(row, col)
            if len(lines) * fm.lineSpacing() > height:
                problems.append(f"row {row.key} col {col}: {len(lines)} lines in {height} px")
            for line in lines:
                if fm.horizontalAdvance(line) + pad > size:
                    problems.append(f"row {row.key} col {col}: {line!r} cut to {size}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_console_texts_whole_at_1366(qtbot, ini_settings, tmp_path, language):  # noqa: ANN001
    from app.bootstrap import Workstation
    from station_plugins.tunnel_test.ui_step_table import VALUE, VERDICT

    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "tunnel_test")
        _run(qtbot, panel, "CA-X200-26-000123")
        panel.inject_demo_fault("kv_offset")
        _run(qtbot, panel, "CA-X200-26-000124")
        qtbot.wait(300)
        assert panel.banner.state == "FAIL"
        assert (window.width(), window.height()) == SIZE, "the window grew"
        table = panel.items
        assert len(table.steps.rows) == 172
        problems = table_problems(table)
        # the failed step: its value in red, shown whole in the detail pane
        failed = [r for r in table.steps.rows if r.verdict == "FAIL"]
        assert failed, "the kV fault failed no step"
        i = table.steps.row_of(failed[0].key)
        colors = table.steps.data(table.steps.index(i, VALUE), 11 + 256)
        assert "#c62828" in colors
        detail = panel.detail.label.text()
        assert panel.detail.row is failed[-1] and failed[-1].key in detail
        assert table.steps.cell(i, VERDICT) in detail
        if panel.detail.horizontalScrollBar().maximum() > 0:
            problems.append("the detail pane scrolls sideways")
        # the live signal's title (in words) and the recent units, whole
        plot = panel.plot.plot
        title = panel.plot.title()
        if not title or plot.fontMetrics().horizontalAdvance(title) > plot.width() - 8:
            problems.append(f"live signal title {title!r} cut to {plot.width()}")
        recent = panel.recent
        assert recent.count() == 2
        for k in range(recent.count()):
            text = recent.item(k).text()
            need = recent.fontMetrics().horizontalAdvance(text) + 2 * recent.spacing() + 8
            if need > recent.viewport().width():
                problems.append(f"recent unit {text!r} needs {need} > "
                                f"{recent.viewport().width()}")
        # the top bar: the serial's hint whole, the socket's label on the socket's row
        bar = panel.bar
        hint = bar.serial.placeholderText()
        if bar.serial.fontMetrics().horizontalAdvance(hint) + 16 > bar.serial.width():
            problems.append(f"serial hint {hint!r} cut to {bar.serial.width()}")
        if (bar.socket_label.mapTo(window, bar.socket_label.rect().center()).y()
                != bar.socket.mapTo(window, bar.socket.rect().center()).y()):
            problems.append("the socket's label wrapped away from the socket")
        # a step picked by the operator: the pane follows it
        table.selectRow(0)
        assert panel.detail.row is table.steps.rows[0]
        # a live switch to the other language re-words and re-fits every row
        window.set_language("en" if language == "zh_CN" else "zh_CN")
        settle_layout(qtbot, window)
        problems += [f"after the switch: {p}" for p in table_problems(table)]
        assert (window.width(), window.height()) == SIZE, "the window grew"
        assert not problems, "\n".join(problems)
        window.close()
    finally:
        ws.close()


def _room(edit) -> int:  # noqa: ANN001
    """The width a QLineEdit draws its text / placeholder in (the placeholder is elided to
    it): the style's contents rect less the text margins and Qt's 2 px a side."""
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    opt = QStyleOptionFrame()
    edit.initStyleOption(opt)
    rect = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, edit)
    margins = edit.textMargins()
    return rect.width() - margins.left() - margins.right() - 4


def bar_problems(window, panel) -> list[str]:  # noqa: ANN001
    """The console's top bar as the operator sees it: each label on the row of the box it
    names, the serial's and step key's hints whole, every combo's text whole, buttons and
    labels at their whole width, nothing outside the window."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    bar, problems = panel.bar, []
    tag = f"[{bar.serial_label.text()}]"
    for label, box in ((bar.serial_label, bar.serial), (bar.socket_label, bar.socket)):
        if (label.mapTo(window, label.rect().center()).y()
                != box.mapTo(window, box.rect().center()).y()):
            problems.append(f"{tag} label {label.text()!r} wrapped away from its box")
    for edit in (bar.serial, bar.step_key):
        hint = edit.placeholderText()
        if edit.isVisible() and edit.fontMetrics().horizontalAdvance(hint) > _room(edit):
            problems.append(f"{tag} hint {hint!r} cut: needs "
                            f"{edit.fontMetrics().horizontalAdvance(hint)} > {_room(edit)}")
    # the sequence version's whole label ('... (released, shipped)') is wider than the
    # chooser in either language: whole in the list and the tooltip; the box itself shows
    # name and version ('carm-x200-final v3.2.0'), whole (it showed the label cut)
    seq = panel.sequence_combo
    if seq.currentText() not in seq.toolTip().splitlines():
        problems.append(f"{tag} the version {seq.currentText()!r} is not whole in the "
                        f"tooltip {seq.toolTip()!r}")
    for combo in (bar.mode, bar.socket, seq):
        opt = QStyleOptionComboBox()
        combo.initStyleOption(opt)          # what the box paints (its current text)
        field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                             QStyle.SubControl.SC_ComboBoxEditField, combo)
        need = combo.fontMetrics().horizontalAdvance(opt.currentText)
        if need > field.width():
            problems.append(f"{tag} combo {combo.objectName()} {opt.currentText!r} "
                            f"cut: {need} > {field.width()}")
        if combo is seq and not opt.currentText.startswith(seq.currentText().split(" (")[0]):
            problems.append(f"{tag} the box shows {opt.currentText!r}, not the name and "
                            f"version of {seq.currentText()!r}")
    for w in (bar.serial_label, bar.socket_label, bar.start_btn, bar.abort_btn,
              bar.release_btn, panel.edit_btn, panel.integrity):
        if w.isVisible() and w.width() < w.sizeHint().width():
            problems.append(f"{tag} {w.objectName() or w.text()!r} narrower than its text: "
                            f"{w.width()} < {w.sizeHint().width()}")
    for i in range(bar.top.count()):
        w = bar.top.itemAt(i).widget()
        if w is not None and w.isVisible():
            rect = w.rect().translated(w.mapTo(window, w.rect().topLeft()))
            if not window.rect().contains(rect):
                problems.append(f"{tag} {w.objectName() or type(w).__name__} leaves the "
                                f"window: {rect.getRect()}")
    if (window.width(), window.height()) != SIZE:
        problems.append(f"{tag} the window is {window.width()}x{window.height()}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_top_bar_whole_at_1366(qtbot, ini_settings, tmp_path, language):  # noqa: ANN001
    """The top bar as the line used it (a user of every role, the real tunnel station in the
    real 1366x768 window): opened in one language, switched live to the other, with a serial
    scanned and the run going (its message row and the station's scroll bar narrow the
    bar), and back. Before the socket's label and box wrapped as one, opening in Chinese and
    switching to English left 'Socket' alone at the end of row 1 during the run with the
    serial's hint cut (the hint was cut idle too: the serial kept its Chinese width, the
    mode combo its Chinese width: 'Released sequer')."""
    from app.bootstrap import Workstation

    other = "en" if language == "zh_CN" else "zh_CN"
    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "tunnel_test")
        qtbot.waitUntil(panel.start_btn.isEnabled, timeout=60000)
        default = Path(panel.selected_sequence()).name      # until the library is read
        qtbot.waitUntil(lambda: panel.sequence_combo.currentText() != default, timeout=60000)
        settle_layout(qtbot, window)
        problems = bar_problems(window, panel)
        window.set_language(other)
        settle_layout(qtbot, window)
        problems += bar_problems(window, panel)
        panel.serial.setText("CA-X200-26-000125")
        panel.start_run()
        qtbot.waitUntil(lambda: panel.banner.state == "RUNNING"
                        and panel.abort_btn.isEnabled(), timeout=60000)
        qtbot.waitUntil(lambda: panel.message.text() != "", timeout=60000)
        settle_layout(qtbot, window)
        problems += [f"running: {p}" for p in bar_problems(window, panel)]
        window.grab().save(str(tmp_path / f"bar_{language}_to_{other}_running.png"))
        _finish(qtbot, panel)
        window.set_language(language)
        settle_layout(qtbot, window)
        problems += [f"back: {p}" for p in bar_problems(window, panel)]
        assert not problems, "\n".join(problems)
        window.close()
    finally:
        ws.close()
