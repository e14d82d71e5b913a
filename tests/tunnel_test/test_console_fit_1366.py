"""The tunnel console in the real main window at 1366x768 (en, zh_CN) after a run of the
shipped 172-step sequence with a demo fault (kV 6 % high: a FAIL): every text of the
step table is whole on screen - title wrapped, measurement names, values with units,
limits, verdicts, AI - with no sideways scrolling and rows as high as their lines (the
cells were elided, only tooltips had the whole text); the detail pane shows the failed
step whole; the live signal's title and the recent units' lines are whole; the window
keeps its size; after a live switch to the other language every row is whole again."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import _themed_english, ini_settings, open_station_window  # noqa: E402,F401

SIZE = (1366, 768)


def _run(qtbot, panel, serial: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(panel.start_btn.isEnabled, timeout=60000)
    panel.serial.setText(serial)
    panel.start_run()
    qtbot.waitUntil(lambda: panel.banner.state == "RUNNING", timeout=60000)

    def done() -> bool:
        if panel.prompt.isVisible():          # the operator answers (first choice)
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
        qtbot.wait(300)
        problems += [f"after the switch: {p}" for p in table_problems(table)]
        assert (window.width(), window.height()) == SIZE, "the window grew"
        assert not problems, "\n".join(problems)
        window.close()
    finally:
        ws.close()
