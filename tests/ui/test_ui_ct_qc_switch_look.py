"""CT QC after a live language switch of the real 1366x768 window looks as a window opened
in that language. A real series is imported and analysed in a window opened in English
and in one opened in Chinese (the windows a user opens); then a window opened in the
other language is switched with CT QC on screen and, back again, while CT QC is hidden
behind another station (retranslated in slices). Compared: each widget's font (family,
size, weight; the combo lists' and the plots' axes too) and size, the series list
(splitter, column widths, each cell as drawn) and the module box. After English ->
Chinese the CT QC panel kept DejaVu Sans (Latin first, CJK glyphs by fallback) - under
the application style sheet the application font never reached a widget below the
window - and the series list its English widths: "CT-S…001" for "CT-SIM-0001".
SWITCH_LOOK_SHOTS=<folder> keeps the PNGs."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QFont

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.conftest import SCREEN_1366, open_analysed_ct_qc, settle_layout  # noqa: E402
from tests.ui.test_ui_ct_qc_bar_switch import spare  # noqa: E402

OTHER = {"en": "zh_CN", "zh_CN": "en"}
_LOOKS: dict[str, dict] = {}      # what the windows looked like, for every test here


@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    from tests.sim_series import write_sim_series

    return write_sim_series(tmp_path_factory.mktemp("switch-look-series"))


def widget_keys(window) -> dict[str, object]:  # noqa: ANN001
    """Every visible widget of ``window`` by its place: the object names (or classes) from
    the window down, a sibling's number among its namesakes."""
    from PySide6.QtWidgets import QWidget

    keys: dict[str, object] = {}
    stack = [("", window)]
    while stack:
        key, widget = stack.pop()
        keys[key] = widget
        seen: dict[str, int] = {}
        for child in widget.children():
            if isinstance(child, QWidget) and child.isVisible() and not child.isWindow():
                name = child.objectName() or type(child).__name__
                seen[name] = seen.get(name, 0) + 1
                stack.append((f"{key}/{name}#{seen[name]}", child))
    return keys


def font_of(item) -> tuple:  # noqa: ANN001
    f = item if isinstance(item, QFont) else item.font()
    return ", ".join(f.families()), f.pointSizeF(), f.weight(), f.italic()


def look(qtbot, window, panel) -> dict:  # noqa: ANN001
    """What the user sees of the window, with the plots tab and the measurements tab in
    turn: each visible widget's font (and each combo's list's, each plot axis's) and
    size, the series list, the module box."""
    from PySide6.QtWidgets import QComboBox, QWidget

    fonts: dict[str, tuple] = {}
    sizes: dict[str, dict] = {"plots": {}, "measurements": {}}
    for tab, name in ((panel.tabs.plots, "plots"), (panel.tabs.table, "measurements")):
        panel.tabs.setCurrentWidget(tab)
        settle_layout(qtbot, window)
        for key, widget in widget_keys(window).items():
            fonts[key] = font_of(widget)
            sizes[name][key] = (widget.width(), widget.height())
    for combo in panel.findChildren(QComboBox):      # their lists: hidden windows
        fonts[f"{combo.objectName() or type(combo).__name__} list"] = font_of(combo.view())
    for plot in panel.findChildren(QWidget):         # the plots' texts on their canvases
        item = getattr(plot, "plot_item", None)
        for side in ("left", "bottom") if item is not None else ():
            axis = item.getAxis(side)
            fonts[f"{plot.objectName()} {side} axis"] = font_of(axis.label)
            fonts[f"{plot.objectName()} {side} ticks"] = font_of(axis.style["tickFont"])
    nav = panel.module_nav          # its text field beyond its widest module, <0: cut
    return {"size": (window.width(), window.height()), "fonts": fonts,
            "sizes": sizes["measurements"], "sizes with the plots": sizes["plots"],
            "series list": series_list(panel),
            "module box": {"text": nav.currentText(), "px beyond its widest module":
                           spare(nav) if nav.count() else None}}


def series_list(panel) -> dict[str, object]:  # noqa: ANN001
    """The splitter's widths, each column's width and each cell as the list draws it (a
    line too long for its column shortened in its middle: "CT-S…001")."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QSplitter, QStyle

    series = panel.series_table
    header, fm, model = series.horizontalHeader(), series.fontMetrics(), series.model_
    margin = 2 * (series.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                             series) + 1)
    split = panel.findChild(QSplitter, "ct_qc_splitter")
    seen: dict[str, object] = {"splitter (series, image, results)": tuple(split.sizes())}
    for col in range(model.columnCount()):
        name = str(model.headerData(col, Qt.Orientation.Horizontal)).replace("\n", " ")
        if header.isSectionHidden(col):
            continue
        seen[f"column {name!r}"] = header.sectionSize(col)
        for row in range(model.rowCount()):
            index = model.index(row, col)
            width = series.visualRect(index).width() - margin
            seen[f"row {row} {name!r}"] = " | ".join(
                fm.elidedText(line, Qt.TextElideMode.ElideMiddle, width)
                for line in str(index.data() or "").split("\n"))
    return seen


def switch(qtbot, window, language: str) -> None:  # noqa: ANN001
    window.set_language(language)
    qtbot.waitUntil(lambda: not window.language_switcher.busy(), timeout=20000)
    settle_layout(qtbot, window)


def looks(qtbot, tmp_path_factory, folder) -> dict[str, dict]:  # noqa: ANN001
    """``en`` and ``zh_CN``: a window opened in the language; ``A -> B``: a window opened
    in A switched to B with CT QC on screen; ``A -> B -> A hidden``: then switched back
    with another station on screen, CT QC opened after. Taken once for the module."""
    from PySide6.QtCore import QSettings

    from app.bootstrap import Workstation
    from app.ui.screenshot import render_widget_png

    if _LOOKS:
        return _LOOKS
    shots, taken = os.environ.get("SWITCH_LOOK_SHOTS"), {}      # taken: all or nothing
    for first in ("en", "zh_CN"):
        data = tmp_path_factory.mktemp(f"switch-look-{first}")
        ws = Workstation.open(data_dir=data / "data", admin_password="Adm1n-secret-pw")
        try:
            settings = QSettings(str(data / "ui.ini"), QSettings.Format.IniFormat)
            window, panel = open_analysed_ct_qc(qtbot, ws, settings, first, folder)
            steps = [(first, None), (f"{first} -> {OTHER[first]}", OTHER[first]),
                     (f"{first} -> {OTHER[first]} -> {first} hidden", first)]
            for name, language in steps:
                if language is not None and name.endswith("hidden"):
                    window.host.open_station("image_review")
                    switch(qtbot, window, language)
                    window.host.open_station("ct_qc")
                    settle_layout(qtbot, window)
                elif language is not None:
                    switch(qtbot, window, language)
                taken[name] = look(qtbot, window, panel)
                if shots:
                    file = "ct_qc_" + name.replace(" -> ", "_to_").replace(" ", "_") + ".png"
                    render_widget_png(window, Path(shots) / file, SCREEN_1366)
            window.close()
        finally:
            ws.close()
    _LOOKS.update(taken)
    return _LOOKS


def differences(name: str, seen: dict, fresh: dict, what: str) -> list[str]:
    problems = [f"{name}: the window is {seen['size']}"] if seen["size"] != SCREEN_1366 else []
    for key in sorted(set(seen[what]) | set(fresh[what])):
        if seen[what].get(key) != fresh[what].get(key):
            where = key.split("ct_qc_panel#1")[-1] or "window"
            problems.append(f"{name}: {where}: {seen[what].get(key)}, in a window opened in "
                            f"the language {fresh[what].get(key)}")
    return problems


def switched(all_looks: dict) -> list[tuple[str, dict, dict]]:
    """(name, look, the look of a window opened in its language) of every switched one."""
    out = []
    for name, seen in all_looks.items():
        if "->" in name:
            language = name.replace(" hidden", "").split(" -> ")[-1]
            out.append((name, seen, all_looks[language]))
    return out


def test_fonts_after_a_switch_as_in_a_window_opened_in_the_language(
        qtbot, tmp_path_factory, series_folder):  # noqa: ANN001
    all_looks = looks(qtbot, tmp_path_factory, series_folder)
    assert len(all_looks["en"]["fonts"]) > 80          # the shell, CT QC, both tabs
    problems = [p for name, seen, fresh in switched(all_looks)
                for p in differences(name, seen, fresh, "fonts")]
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


def test_series_list_after_a_switch_as_in_a_window_opened_in_the_language(
        qtbot, tmp_path_factory, series_folder):  # noqa: ANN001
    """The series list as wide as in a window opened in the language, its columns as wide,
    every text as whole: after English -> Chinese the splitter and the scanner column kept
    their English widths and the list showed "CT-S…001" for "CT-SIM-0001"."""
    all_looks = looks(qtbot, tmp_path_factory, series_folder)
    assert "CT-SIM-0001" in str(all_looks["zh_CN"]["series list"])      # whole when opened
    problems = [p for name, seen, fresh in switched(all_looks)
                for p in differences(name, seen, fresh, "series list")]
    assert not problems, "\n".join(problems)


def test_module_box_whole_and_as_wide_after_a_switch(
        qtbot, tmp_path_factory, series_folder):  # noqa: ANN001
    """The module box beside the slice shows its module whole, in a window opened in either
    language and after a switch as wide as there. Sized once, at its first show, while it
    was empty, it cut "CTP404  #3" to "CTP404"; a switch measured it anew, whole, and the
    image pane took the series list's room."""
    all_looks = looks(qtbot, tmp_path_factory, series_folder)
    room = "px beyond its widest module"
    problems = [f"{name}: module box {seen['module box']}" for name, seen in all_looks.items()
                if seen["module box"][room] is None or seen["module box"][room] < 0]
    problems += [p for name, seen, fresh in switched(all_looks)
                 for p in differences(name, seen, fresh, "module box")]
    assert not problems, "\n".join(problems)


def test_sizes_after_a_switch_as_in_a_window_opened_in_the_language(
        qtbot, tmp_path_factory, series_folder):  # noqa: ANN001
    """Every visible widget as wide and high as in a window opened in the language, the
    measurements tab shown: after Chinese -> English the buttons kept their Chinese height
    (the style sheet's min-height: 1.6em in the font they were polished with, 46 px for
    41), each bar above the panes was 5 px higher and the results pane lower."""
    all_looks = looks(qtbot, tmp_path_factory, series_folder)
    problems = [p for name, seen, fresh in switched(all_looks)
                for p in differences(name, seen, fresh, "sizes")]
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


def test_plot_titles_after_a_switch_as_in_a_window_opened_in_the_language(
        qtbot, tmp_path_factory, series_folder):  # noqa: ANN001
    """With the plots tab shown the plots' titles and legends are as high as in a window
    opened in the language: after Chinese -> English the titles stayed 22 px high (a
    Chinese line) for 18 - a title levelled to the highest of its row never shrank again.
    (The graphs below are left out: pyqtgraph keeps an axis's room for its tick labels
    until it is 10 px too big, so a graph can stay a few px shorter.)"""
    all_looks = looks(qtbot, tmp_path_factory, series_folder)
    heads = {name: {"size": seen["size"], "plot heads": {
        key: size for key, size in seen["sizes with the plots"].items()
        if key.endswith("_title#1") or "_legend#1" in key}} for name, seen in all_looks.items()}
    assert sum("_title#1" in key for key in heads["en"]["plot heads"]) >= 4
    problems = [p for name, seen, fresh in switched(heads)
                for p in differences(name, seen, fresh, "plot heads")]
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"
