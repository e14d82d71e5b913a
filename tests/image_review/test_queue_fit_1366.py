"""Image review in the real main window at 1366x768 (en, zh_CN) with a queue and an item
open: the panel no longer grows past the window (an unwrapped image title and anomaly
line made it 1137 px wide: the station scrolled sideways, Fit and the physics verdicts
cut), and the queue shows every column's header and text whole without scrolling - age
under the priority, the AI class under the scanner, the reviewer under the status, the
reasons beside them one a line, every one whole (the "Reasons" header was cut and the
list scrolled; then a third reason was elided): a row with three reasons is three lines
high."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import _themed_english, ini_settings, open_station_window  # noqa: E402,F401

SIZE = (1366, 768)
PHYS_FAIL = {"verdict": "FAIL", "artifacts": [{"type": "ring", "verdict": "FAIL",
                                               "amplitude_hu": 22.0}],
             "measurements": [{"key": "noise.sd", "value": 31.2, "unit": "HU",
                               "verdict": "FAIL"}]}


def laid_lines(font, text: str, width: int) -> list[str]:  # noqa: ANN001
    """The lines a table cell shows ``text`` in at a text width of ``width`` px: Qt's
    item delegate lays it out with QTextLayout, wrapping at words or anywhere."""
    from PySide6.QtGui import QTextLayout, QTextOption

    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    out = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        out.append(text.replace("\n", "\u2028")[line.textStart():line.textStart()
                                                  + line.textLength()].rstrip("\u2028 "))
    layout.endLayout()
    return out


def test_laid_lines_wraps_as_the_cell_does(qtbot):  # noqa: ANN001, ARG001 - a QApplication
    """The helper wraps where a cell would: one fractional pixel short is a wrap."""
    from PySide6.QtGui import QFont, QFontMetricsF

    font = QFont()
    font.setPointSizeF(11.5)
    w = QFontMetricsF(font).horizontalAdvance("CT-SIM-0002")
    assert laid_lines(font, "CT-SIM-0002\nnoise", int(w) + 1) == ["CT-SIM-0002", "noise"]
    if w != int(w):                      # a fractional advance: whole pixels cut it
        assert laid_lines(font, "CT-SIM-0002\nnoise", int(w))[0] != "CT-SIM-0002"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_queue_and_review_fit_1366(qtbot, ini_settings, tmp_path, language):  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QScrollArea, QStyle

    from app.bootstrap import Workstation
    from station_plugins.image_review.service import ReviewService
    from station_plugins.image_review.ui_queue import PAIRED
    from station_plugins.image_review.ui_texts import queue_reason_short, queue_reason_text
    from tests.image_review.conftest import queue_item

    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "image_review", username="rev")
        qtbot.waitUntil(lambda: panel.ai_available is not None, timeout=30000)
        service = ReviewService(panel.ctx)
        queue_item(service, noise_sd=80.0, scanner="CT-SIM-0001", seed=1, analysed_by="qe1")
        queue_item(service, noise_sd=90.0, scanner="CT-SIM-0002", seed=2, analysed_by="qe1",
                   physics=PHYS_FAIL)
        # noise SD 150 HU: beyond the noise class's training range - the AI calls noise
        # with an anomaly score that fits no class (2.12.0: anomaly 1.19-1.44, below its
        # "not applicable" level of 1.58; 2.11.0 1.18-1.38; at 185 HU both say "not
        # applicable", as 2.5.0-2.8.0 did), beside failed limits: three reasons
        three = queue_item(service, noise_sd=150.0, scanner="CT-SIM-0003", seed=2,
                           analysed_by="qe1", physics=PHYS_FAIL)[1]
        assert len(three.reasons) >= 3, three.reasons      # AI class, no class, limits
        panel.queue_view.sig_refresh_requested.emit()
        table = panel.queue_view.table
        qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=30000)
        table.selectRow(0)
        qtbot.waitUntil(lambda: panel.review_view.item is not None
                        and not panel.item_loader.running, timeout=30000)
        qtbot.wait(200)
        assert (window.width(), window.height()) == SIZE, "the window grew"
        problems = []
        if panel.minimumSizeHint().width() > panel.width():
            problems.append(f"panel needs {panel.minimumSizeHint().width()} > {panel.width()}")
        for area in window.findChildren(QScrollArea):
            if area.isVisible() and area.isAncestorOf(panel) and \
                    area.horizontalScrollBar().maximum() > 0:
                problems.append(f"{area.objectName()} scrolls sideways")
        header, fm, vp = table.horizontalHeader(), table.fontMetrics(), table.viewport()
        from PySide6.QtGui import QFont, QFontMetrics

        bold_font = QFont(header.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                                table) + 1)
        if header.length() > vp.width():
            problems.append(f"the queue scrolls sideways: {header.length()} > {vp.width()}")
        model = table.model()
        for col in range(model.columnCount()):
            if col in PAIRED.values():
                assert header.isSectionHidden(col)
                continue
            title = model.headerData(col, Qt.Orientation.Horizontal)
            left, size = header.sectionViewportPosition(col), header.sectionSize(col)
            if left < 0 or left + size > vp.width():
                problems.append(f"{title!r} at {left}+{size} outside {vp.width()}")
            # the title whole: its widest line (bold) and the 4 px padding each side; the
            # sort arrow's room only on the sorted column (Qt's hint adds it to all)
            need = (header.sectionSizeHint(col) if header.sortIndicatorSection() == col else
                    max(bold.horizontalAdvance(line) for line in title.split("\n")) + 8)
            if size < need:
                problems.append(f"header {title!r} cut: {size} < {need}")
            for r in range(model.rowCount()):
                text = str(model.index(r, col).data())
                if col == 4:                          # the reasons: one a line, all of them
                    item = panel.queue_view.item_model.item_at(
                        model.mapToSource(model.index(r, col)).row())
                    if text.split("\n") != [queue_reason_short(c) for c in item.reasons]:
                        problems.append(f"row {r}: reasons {text!r} for {item.reasons}")
                    tip = str(model.index(r, col).data(Qt.ItemDataRole.ToolTipRole))
                    if not all(queue_reason_text(c) in tip for c in item.reasons):
                        problems.append(f"row {r}: the tooltip lacks a reason: {tip!r}")
                    shown = laid_lines(table.font(), text, size - margin - 1)
                    if len(shown) * fm.lineSpacing() > table.rowHeight(r):
                        problems.append(f"reasons {text!r} need {len(shown)} lines in "
                                        f"{size} x {table.rowHeight(r)}")
                    continue
                lines = text.split("\n")
                if col in PAIRED and len(lines) != 2:
                    problems.append(f"{title!r} row {r}: {text!r} is not two lines")
                if len(lines) * fm.lineSpacing() > table.rowHeight(r):
                    problems.append(f"{title!r} row {r}: {text!r} cut in height")
                # as Qt lays it out (fractional advances, the grid line taken): the
                # whole-pixel metric said "CT-SIM-0002" fit while it wrapped at "CT-"
                shown = laid_lines(table.font(), text, size - margin - 1)
                if shown != lines:
                    problems.append(f"{title!r} row {r}: {text!r} shown as {shown} in {size}")
        assert not problems, "\n".join(problems)
        window.close()
    finally:
        ws.close()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_queue_shows_five_rows_beside_the_decision_1366(qtbot, ini_settings, tmp_path,  # noqa: ANN001
                                                        language):
    """Six queued items, each two lines high, at 1366x768: at least five rows are whole
    on screen above the decision box (the filters on two rows, the count / Assign /
    Refresh row and one reason a row in the decision box left two and a half rows in
    zh_CN), and every control a reviewer decides with is whole inside the window."""
    from PySide6.QtCore import QPoint, QRect

    from app.bootstrap import Workstation
    from station_plugins.image_review.service import ReviewService
    from tests.image_review.conftest import queue_item

    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "image_review",
                                            username="rev")
        qtbot.waitUntil(lambda: panel.ai_available is not None, timeout=30000)
        service = ReviewService(panel.ctx)
        for i in range(6):       # AI abnormal + failed limits: two reasons, two lines
            queue_item(service, noise_sd=80.0, scanner=f"CT-SIM-000{i}", seed=i,
                       analysed_by="qe1", physics=PHYS_FAIL)
        panel.queue_view.sig_refresh_requested.emit()
        table = panel.queue_view.table
        qtbot.waitUntil(lambda: table.model().rowCount() == 6, timeout=30000)
        table.selectRow(0)
        qtbot.waitUntil(lambda: panel.review_view.item is not None
                        and not panel.item_loader.running, timeout=30000)
        qtbot.wait(200)
        assert (window.width(), window.height()) == SIZE, "the window grew"
        model, fm = table.model(), table.fontMetrics()
        lines = [max(str(model.index(r, c).data()).count("\n") + 1
                     for c in range(model.columnCount())) for r in range(6)]
        assert lines == [2] * 6, lines
        assert all(table.rowHeight(r) >= 2 * fm.lineSpacing() for r in range(6))
        vp = table.viewport().rect()
        whole = [r for r in range(6) if vp.contains(QRect(
            0, table.rowViewportPosition(r), vp.width(), table.rowHeight(r)))]
        assert len(whole) >= 5, (f"{len(whole)} whole rows in {vp.height()} px "
                                 f"(rows {[table.rowHeight(r) for r in range(6)]})")
        view, queue = panel.review_view, panel.queue_view
        inside = window.rect()
        for w in (view.approve_reason, view.reject_reason, view.comment_edit,
                  view.approve_button, view.reject_button, view.next_button,
                  view.heatmap_button, queue.status_combo, queue.scanner_combo,
                  queue.class_combo, queue.date_check, queue.since_edit, queue.until_edit,
                  queue.count_label, queue.assign_button, queue.refresh_button,
                  view._form_labels[2]):
            assert w.isVisible(), w.objectName()
            rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
            assert inside.contains(rect), f"{w.objectName()} {rect.getRect()} cut"
            if w is view.comment_edit:     # a scroll area's hint says nothing: a line
                assert w.viewport().height() >= w.fontMetrics().lineSpacing()
                continue
            hint = w.minimumSizeHint()
            assert w.width() >= hint.width() and w.height() >= hint.height(), \
                f"{w.objectName()} {w.size().toTuple()} < {hint.toTuple()}"
        # a long chosen reason may be elided in its half of the box: whole in the tooltip
        from station_plugins.image_review.ui_texts import decision_reason_text
        for combo in (view.approve_reason, view.reject_reason):
            longest = max(range(1, combo.count()), key=lambda i: len(combo.itemText(i)))
            combo.setCurrentIndex(longest)
            assert decision_reason_text(combo.itemData(longest)) in combo.toolTip()
            assert view.reason_for("approve" if combo is view.approve_reason
                                   else "reject") == combo.itemData(longest)
        window.close()
    finally:
        ws.close()
