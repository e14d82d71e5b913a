"""CT QC at 1366x768 in the real main window (en, zh_CN): after a real series is imported and
analysed, the verdict of every measurement row lies inside the table's viewport (no
sideways scrolling), a value and its limits are shown to the same decimals, a shortened
name keeps its full text in the tooltip, every column of the series list (scanner,
acquired, physics, AI, PACS) is in view with its header and texts whole (it scrolled
sideways with "norma…" and a cut PACS column), and the window keeps its size. The lead
saw the verdict column behind a scroll bar and limits as "-1007.31 .. -992.634" next to
"-999.9". RESULTS_FIT_SHOTS=<folder> keeps the PNGs."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import open_analysed_ct_qc, open_station_window, settle_layout  # noqa: E402

SIZE = (1366, 768)


@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    from tests.sim_series import write_sim_series

    return write_sim_series(tmp_path_factory.mktemp("fit-series"))


def series_list_problems(panel) -> list[str]:  # noqa: ANN001
    """Every column of the series list readable whole at 1366x768: scanner, acquired,
    physics, AI and PACS in view without scrolling, each header and each cell text (of the
    rows and of every state/verdict the column can show later) within its column, the full
    AI class in the AI chip's tooltip."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle

    from station_plugins.ct_qc.ui_series import (COL_AI, COL_PACS, COL_PHYSICS, COL_SCANNER,
                                                 COL_TIME)
    from widgets.ai_texts import class_text

    series = panel.series_table
    header, fm, vp = series.horizontalHeader(), series.fontMetrics(), series.viewport().rect()
    margin = 2 * (series.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                             series) + 1)
    problems = []
    if header.length() > vp.width() or series.horizontalScrollBar().maximum() > 0:
        problems.append(f"the list scrolls sideways: {header.length()} > {vp.width()}")
    names = {c: series.model_.headerData(c, Qt.Orientation.Horizontal) for c in range(6)}
    for col in (COL_SCANNER, COL_PHYSICS, COL_AI, COL_PACS):
        size, name = header.sectionSize(col), names[col]
        if header.isSectionHidden(col):
            problems.append(f"column {name!r} hidden")
            continue
        left = header.sectionViewportPosition(col)
        if left < 0 or left + size > vp.width():
            problems.append(f"column {name!r} at {left}+{size} outside {vp.width()}")
        if size < header.sectionSizeHint(col):
            problems.append(f"header {name!r} cut: {size} < {header.sectionSizeHint(col)}")
        texts = [str(series.model_.index(r, col).data() or "")
                 for r in range(series.model_.rowCount())] + series.column_texts(col)
        for text in (line for t in texts for line in t.split("\n")):
            if fm.horizontalAdvance(text) + margin > size:
                problems.append(f"{name!r}: {text!r} needs "
                                f"{fm.horizontalAdvance(text) + margin} > {size}")
    for r in range(series.model_.rowCount()):
        # the acquisition time under the scanner, both lines within the row
        lines = str(series.model_.index(r, COL_SCANNER).data()).split("\n")
        if len(lines) != 2 or lines[1] != series.model_.index(r, COL_TIME).data() \
                or not lines[1]:
            problems.append(f"row {r}: scanner and time {lines!r}")
        if series.rowHeight(r) < 2 * fm.lineSpacing():
            problems.append(f"row {r}: {series.rowHeight(r)} px cut the two lines")
        ai = series.model_.index(r, COL_AI)
        label = series._snapshot.ai.get(series.model_.key_at(r), {}).get("label") \
            if series._snapshot is not None else None
        if label and not str(ai.data(Qt.ItemDataRole.ToolTipRole)).startswith(
                class_text(label)):
            problems.append(f"AI tooltip {ai.data(Qt.ItemDataRole.ToolTipRole)!r} lacks "
                            f"{class_text(label)!r}")
    return problems


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_verdict_in_view_and_limits_at_the_values_precision(
        qtbot, ini_settings, tmp_path, series_folder, language):  # noqa: ANN001
    from PySide6.QtCore import Qt

    from app.bootstrap import Workstation
    from app.ui.screenshot import render_widget_png
    from widgets.measurement_table import COL_LIMITS, COL_NAME, COL_VALUE, COL_VERDICT

    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_analysed_ct_qc(qtbot, ws, ini_settings, language,
                                            series_folder)
        shots = os.environ.get("RESULTS_FIT_SHOTS")
        if shots:
            render_widget_png(window, Path(shots) / f"ct_qc_results_{language}.png", SIZE)
        assert (window.width(), window.height()) == SIZE, "the window grew"

        table = panel.tabs.table
        proxy, vp = table.proxy, table.viewport()
        assert proxy.rowCount() >= 10
        assert table.horizontalScrollBar().maximum() == 0, "the table scrolls sideways"
        problems = []
        for r in range(proxy.rowCount()):
            verdict = proxy.index(r, COL_VERDICT)
            table.scrollTo(verdict)                    # down to the row, never sideways
            table.horizontalScrollBar().setValue(0)
            rect = table.visualRect(verdict)
            if not vp.rect().contains(rect):
                problems.append(f"row {r} ({proxy.index(r, COL_NAME).data()}): verdict "
                                f"{rect.getRect()} outside {vp.rect().getRect()}")
            if rect.width() < table.fontMetrics().horizontalAdvance(verdict.data()):
                problems.append(f"row {r}: verdict {verdict.data()!r} cut to {rect.width()}")
            limits = proxy.index(r, COL_LIMITS)          # "-1007….-992.6" was elided
            if table.visualRect(limits).width() < \
                    table.fontMetrics().horizontalAdvance(str(limits.data())) + 6:
                problems.append(f"row {r}: limits {limits.data()!r} cut to "
                                f"{table.visualRect(limits).width()}")
            # the full name (and key) in the tooltip of a name the column may shorten
            name = proxy.index(r, COL_NAME)
            if not str(name.data(Qt.ItemDataRole.ToolTipRole)).startswith(name.data()):
                problems.append(f"row {r}: the tooltip lacks the full name {name.data()!r}")
        assert not problems, "\n".join(problems)

        checked = 0
        for r in range(proxy.rowCount()):
            m = table.measurements()[r]
            value, limits = proxy.index(r, COL_VALUE).data(), proxy.index(r, COL_LIMITS).data()
            numbers = re.findall(r"-?\d+(?:\.\d+)?", limits)
            if m.limits.equals is not None or not numbers or \
                    not re.fullmatch(r"-?\d+(?:\.\d+)?", value):
                continue
            assert re.fullmatch(r"-?[\d.]+ \.\. -?[\d.]+|[<>]= -?[\d.]+", limits), limits
            assert {_decimals(n) for n in numbers} == {_decimals(value)}, (m.key, value,
                                                                          limits)
            if m.limits.low is not None and m.limits.high is not None:
                assert limits.startswith(f"{m.limits.low:.{_decimals(value)}f} .. ")
            elif m.limits.low is not None:
                assert limits.startswith(">= ")
            else:
                assert limits.startswith("<= ")
            tip = str(proxy.index(r, COL_LIMITS).data(Qt.ItemDataRole.ToolTipRole))
            assert m.limits.text() in tip                  # the exact limits, unrounded
            checked += 1
        assert checked >= 7              # the seven CT-number inserts at least

        problems = series_list_problems(panel)
        assert not problems, "\n".join(problems)
        assert (window.width(), window.height()) == SIZE, "the window grew"
        window.close()
    finally:
        ws.close()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_roi_labels_of_a_small_phantom_do_not_overlap(qtbot, ini_settings, tmp_path,
                                                      language):  # noqa: ANN001
    """A phantom drawn small (384 mm field of view) at 1366x768: the inserts' labels sat on
    one another ("PM air eflon"); each now lies outward of its insert, and none overlaps
    another or its own neighbour's circle label."""
    from app.bootstrap import Workstation
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    folder = tmp_path / "small"
    write_dicom_series(simulate_series(SimParams(matrix=256, fov_mm=384.0, seed=4,
                                                 slice_thickness_mm=5.0,
                                                 z_range_mm=(-10.0, 10.0))),
                       folder, scanner_serial="SN-SMALL")
    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "ct_qc")
        panel.import_folder(folder)
        qtbot.waitUntil(lambda: panel._result is not None and not panel.is_busy()
                        and len(panel.viewer.rois()) >= 7, timeout=180000)
        settle_layout(qtbot, window)
        labels = [(g.roi.id, g.label.sceneBoundingRect())
                  for g in panel.viewer._rois.values()
                  if g.roi.kind == "circle" and g.label.isVisible()]
        assert len(labels) >= 7
        overlaps = [f"{a} {ra.getRect()} / {b} {rb.getRect()}"
                    for i, (a, ra) in enumerate(labels) for b, rb in labels[i + 1:]
                    if ra.adjusted(1, 1, -1, -1).intersects(rb.adjusted(1, 1, -1, -1))]
        assert not overlaps, "\n".join(overlaps)
        assert (window.width(), window.height()) == SIZE
        window.close()
    finally:
        ws.close()
