"""The CT QC measurement table at 1366x768 in the real main window (en, zh_CN): every
measurement name is readable whole - it wraps at its words onto more lines (the row grows)
instead of being cut ("CT num…, LDPE", "Low-cont…"); the columns stay Measurement | Value |
Unit | Verdict | Limits with every verdict in view; the tooltip holds the full name and
the limits. Bar groups and TTF frequencies read as physics ("21 lp/cm", "50 %")."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.ct.names import measurement_name  # noqa: E402
from tests.ui.conftest import _themed_english, ini_settings, open_analysed_ct_qc  # noqa: E402,F401

SIZE = (1366, 768)


def test_canonical_names_of_bar_groups_ttf_and_nps():
    assert measurement_name("resolution.bars.lp21") == "Resolution, bar group 21 lp/cm"
    assert measurement_name("resolution.bars.lp4_5") == "Resolution, bar group 4.5 lp/cm"
    assert measurement_name("ttf.teflon.f50") == "TTF, Teflon 50 %"
    assert measurement_name("ttf.air.f10", "zh_CN") == "TTF（空气 10 %）"
    assert measurement_name("nps.f_peak") == "NPS, peak frequency"
    assert measurement_name("resolution.bars.lp7", "zh_CN") == "分辨率（线对组 7 lp/cm）"


def _lines(text: str, font, width: int) -> list[str]:  # noqa: ANN001
    """The lines an item view breaks ``text`` into at ``width`` (QCommonStyle wraps at a
    word boundary, or anywhere when a word is too long)."""
    from PySide6.QtGui import QTextLayout, QTextOption

    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        lines.append(text[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    from tests.sim_series import write_sim_series

    return write_sim_series(tmp_path_factory.mktemp("names-series"))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_name_is_readable_whole_at_1366(qtbot, ini_settings, tmp_path, series_folder,
                                             language):  # noqa: ANN001
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtWidgets import QStyleOptionViewItem

    from app.bootstrap import Workstation
    from widgets.measurement_table import (COL_LIMITS, COL_NAME, COL_UNIT, COL_VALUE,
                                           COL_VERDICT)

    ws = Workstation.open(data_dir=tmp_path / "data", admin_password="Adm1n-secret-pw")
    try:
        window, panel = open_analysed_ct_qc(qtbot, ws, ini_settings, language,
                                            series_folder)
        assert (window.width(), window.height()) == SIZE
        table = panel.tabs.table
        proxy, header, fm = table.proxy, table.horizontalHeader(), table.fontMetrics()
        order = sorted((COL_NAME, COL_VALUE, COL_UNIT, COL_VERDICT, COL_LIMITS),
                       key=header.visualIndex)
        assert order == [COL_NAME, COL_VALUE, COL_UNIT, COL_VERDICT, COL_LIMITS]
        assert table.horizontalScrollBar().maximum() == 0
        text_width = table._text_width()
        problems, wrapped = [], 0
        for r in range(proxy.rowCount()):
            index = proxy.index(r, COL_NAME)
            name = str(index.data())
            option = QStyleOptionViewItem()
            table.initViewItemOption(option)
            table.itemDelegateForIndex(index).initStyleOption(option, index)
            if not option.features & QStyleOptionViewItem.ViewItemFeature.WrapText:
                problems.append(f"{name!r}: the name column does not wrap")
            need = fm.boundingRect(QRect(0, 0, text_width, 100000),
                                   int(Qt.TextFlag.TextWordWrap), name)
            if need.width() > text_width:
                problems.append(f"{name!r}: a word is wider than the column ({text_width})")
            if table.rowHeight(r) < need.height():
                problems.append(f"{name!r}: row {table.rowHeight(r)} px < {need.height()} px "
                                "the wrapped name needs (cut)")
            wrapped += need.height() > fm.lineSpacing() * 1.5
            for line in _lines(name, table.font(), text_width):
                if line.rstrip().endswith("lp/"):           # "lp/" | "cm" read as two
                    problems.append(f"{name!r}: the unit is broken at its slash")
            tip = str(index.data(Qt.ItemDataRole.ToolTipRole))
            m = table.measurements()[r]
            if not tip.startswith(name) or (not m.limits.is_empty()
                                            and m.limits.text() not in tip):
                problems.append(f"{name!r}: the tooltip lacks the full name or the limits")
            verdict = table.visualRect(proxy.index(r, COL_VERDICT))
            if verdict.right() > table.viewport().width():
                problems.append(f"{name!r}: verdict out of view")
        assert not problems, "\n".join(problems)
        if language == "en":
            assert wrapped >= 3          # the long English names do take two lines here
        window.close()
    finally:
        ws.close()


def test_a_unit_is_never_broken_at_its_slash(qapp):  # noqa: ANN001
    """'lp/cm' stays whole at any column width (Qt broke '…19 lp/' | 'cm)' in Chinese)."""
    from app.ui import i18n
    from station_plugins.ct_qc.ui_results import QcResultTabs, TrendView

    tabs = QcResultTabs(TrendView(lambda s, k: ([], {}), lambda: []))
    try:
        for language in ("en", "zh_CN"):
            i18n.set_language(qapp, language)
            for key in ("resolution.bars.lp19", "resolution.bars.lp4_5"):
                label = tabs.measurement_label(key)
                for width in range(40, 320, 3):
                    lines = _lines(label, tabs.table.font(), width)
                    assert "".join(lines) == label
                    bad = [ln for ln in lines if ln.rstrip().rstrip("\u2060").endswith("lp/")]
                    assert not bad, (language, width, lines)
    finally:
        i18n.set_language(qapp, "en")
