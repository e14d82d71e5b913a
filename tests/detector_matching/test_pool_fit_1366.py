"""Detector matching's pool at 1366x768 in the real main window (en, zh_CN), after a real
pool file is imported: the pool table shows serial, lot and test date of its modules whole
(the test date was cut at the pane's edge), and the excluded-modules table has its three
headers in view - "Reason" sat off the pane with its text cut - and each reason whole,
wrapped onto more lines, with no sideways scrolling."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import _themed_english, ini_settings, open_station_window  # noqa: E402,F401

from .conftest import write_pool  # noqa: E402

SIZE = (1366, 768)


def _cell_problems(table, cols, name: str) -> list[str]:  # noqa: ANN001
    """Columns ``cols`` inside the viewport, each header and cell text within its column."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle

    header, fm, vp = table.horizontalHeader(), table.fontMetrics(), table.viewport().rect()
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                            table) + 1)
    model, problems = table.model(), []
    for col in cols:
        title = model.headerData(col, Qt.Orientation.Horizontal)
        left, size = header.sectionViewportPosition(col), header.sectionSize(col)
        if left < 0 or left + size > vp.width():
            problems.append(f"{name} {title!r}: {left}+{size} outside {vp.width()}")
        if size < header.sectionSizeHint(col):
            problems.append(f"{name} header {title!r} cut: {size} < "
                            f"{header.sectionSizeHint(col)}")
        for r in range(model.rowCount()):
            text = str(model.index(r, col).data() or "")
            if table.wordWrap() and header.sectionResizeMode(col) == \
                    header.ResizeMode.Stretch:
                need = fm.boundingRect(0, 0, size - margin, 100000,
                                       int(Qt.TextFlag.TextWordWrap), text)
                if need.width() > size - margin or table.rowHeight(r) < need.height():
                    problems.append(f"{name} row {r} {text!r}: needs {need.getRect()} in "
                                    f"{size} x {table.rowHeight(r)}")
            elif fm.horizontalAdvance(text) + margin > size:
                problems.append(f"{name} row {r} {title!r}: {text!r} cut to {size}")
    return problems


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_pool_and_excluded_tables_readable_at_1366(qtbot, ini_settings, tmp_path,
                                                    language):  # noqa: ANN001
    from app.bootstrap import Workstation

    pool_file = tmp_path / "pool.csv"
    write_pool(pool_file, modules=440, seed=3)
    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_station_window(qtbot, ws, ini_settings, language, "detector_matching")
        panel.import_file(str(pool_file))
        qtbot.waitUntil(lambda: panel.session.pool is not None, timeout=120000)
        view = panel.pool_view
        qtbot.waitUntil(lambda: view.widths_fitted, timeout=30000)   # a column a turn
        assert view.excluded.model().rowCount() >= 5          # the generator's bad rows
        problems = _cell_problems(view.table, [0, 1, 2], "pool")
        problems += _cell_problems(view.excluded, [0, 1, 2], "excluded")
        if view.excluded.horizontalScrollBar().maximum() > 0 or \
                view.excluded.horizontalHeader().length() > view.excluded.viewport().width():
            problems.append("the excluded table scrolls sideways")
        assert not problems, "\n".join(problems)
        assert (window.width(), window.height()) == SIZE, "the window grew"
        window.close()
    finally:
        ws.close()
