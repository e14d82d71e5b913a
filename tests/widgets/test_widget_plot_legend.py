"""PlotPanel's legend: a row of entries above the canvas (widgets/plot_legend.py), one per
curve in the order drawn, renamed in place on a language switch, gone with its curve; a
narrow plot wraps the entries onto more lines; an entry wider than the plot is elided
with its whole text in the tooltip; the reading at the pointer in a tooltip; plots side
by side (``level_with``) start their graphs at one height however their legends wrap."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ui.conftest import settle_layout


def _panel(qtbot, width: int = 420, height: int = 300):  # noqa: ANN001, ANN202
    from widgets.plot_panel import PlotPanel

    plot = PlotPanel(object_name="mtf", title="MTF / TTF", x_label="frequency",
                     x_unit="lp/cm", y_label="MTF")
    qtbot.addWidget(plot)
    plot.resize(width, height)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def _settle(qtbot, plot) -> None:  # noqa: ANN001
    settle_layout(qtbot, plot)   # the flow's wrapped height comes one relayout later


def test_entries_follow_the_curves_and_stay_off_the_canvas(qtbot):  # noqa: ANN001
    plot = _panel(qtbot)
    f = np.linspace(0, 5, 30)
    assert not plot.legend.isVisible()                     # no curve, no empty row
    for name in ("TTF air", "TTF acrylic", "MTF (bead)"):
        plot.add_curve(name, f, np.exp(-f / 4))
    plot.add_curve("measured", f, f, symbols=True)
    _settle(qtbot, plot)
    assert plot.legend.texts() == ["TTF air", "TTF acrylic", "MTF (bead)", "measured"]
    assert plot.legend.entries()[-1].symbol
    canvas = plot.plot_widget.geometry()
    for entry in plot.legend.entries():
        rect = entry.geometry().translated(plot.legend.pos())
        assert rect.bottom() < canvas.top() and not rect.intersects(canvas)
        assert not entry.is_elided() and entry.toolTip() == entry.text()

    plot.rename_curve("TTF acrylic", "TTF 丙烯酸")        # a switch: the text, same order
    assert plot.legend.texts() == ["TTF air", "TTF 丙烯酸", "MTF (bead)", "measured"]
    assert plot.legend.entries()[1].toolTip() == "TTF 丙烯酸"
    plot.remove_curve("TTF air")
    assert plot.legend.texts() == ["TTF 丙烯酸", "MTF (bead)", "measured"]
    plot.clear()
    assert plot.legend.texts() == [] and not plot.legend.isVisible()


def test_a_narrow_plot_wraps_the_legend_and_elides_only_what_cannot_fit(qtbot):  # noqa: ANN001
    plot = _panel(qtbot, width=200, height=260)
    f = np.linspace(0, 5, 30)
    for name in ("uniformity", "ring residual", "a curve with a very long name indeed"):
        plot.add_curve(name, f, np.sin(f))
    _settle(qtbot, plot)
    entries = plot.legend.entries()
    tops = sorted({e.geometry().top() for e in entries})
    assert len(tops) >= 2                                  # wrapped onto more lines
    assert plot.legend.height() >= entries[-1].geometry().bottom()   # its room reserved
    for a in entries:
        assert plot.legend.rect().contains(a.geometry())
        assert all(not a.geometry().intersects(b.geometry()) for b in entries if b is not a)
    assert not entries[0].is_elided() and not entries[1].is_elided()
    assert entries[2].is_elided()
    assert entries[2].toolTip() == entries[2].text() == "a curve with a very long name indeed"


def test_a_long_title_is_elided_whole_in_its_tooltip(qtbot):  # noqa: ANN001
    plot = _panel(qtbot, width=120, height=200)
    plot.set_axes(title="Noise power spectrum")
    _settle(qtbot, plot)
    assert plot.title_label.is_elided() and plot.title_label.toolTip() == "Noise power spectrum"
    assert plot.width() == 120                              # the plot did not widen


@pytest.mark.qt_log_ignore("does not support raise")    # the tooltip, offscreen
def test_the_reading_at_the_pointer(qtbot):  # noqa: ANN001
    plot = _panel(qtbot)
    plot.add_curve("NPS", [0.0, 0.5, 1.0], [1.0, 2.0, 3.0])
    _settle(qtbot, plot)
    got = []
    plot.sig_point_hovered.connect(lambda *a: got.append(a))
    vb = plot.plot_item.vb
    plot._on_mouse_moved(vb.mapViewToScene(vb.mapSceneToView(vb.sceneBoundingRect().center())))
    assert got and got[-1][0] == "NPS"
    assert plot.hover_text.startswith("NPS\nfrequency ")


def test_plots_side_by_side_start_their_graphs_level(qtbot):  # noqa: ANN001
    """``level_with``: a row of plots whose legends wrap to different line counts (or one
    has no curve) keeps their graphs' tops level, as the lines come and go."""
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from widgets.plot_panel import PlotPanel

    row = QWidget()
    qtbot.addWidget(row)
    lay = QHBoxLayout(row)
    left, right, third = (PlotPanel(object_name=n, title=n, x_label="x", y_label="y")
                          for n in ("left", "right", "third"))
    for plot in (left, right, third):
        lay.addWidget(plot)
    left.level_with(right, third)
    row.resize(600, 300)
    row.show()
    qtbot.waitExposed(row)
    f = np.linspace(0, 5, 30)

    def tops() -> set[int]:
        settle_layout(qtbot, row)
        return {p.plot_widget.mapTo(row, p.plot_widget.rect().topLeft()).y()
                for p in (left, right, third)}

    for name in ("TTF air", "TTF acrylic", "TTF Teflon", "MTF (bead)"):
        left.add_curve(name, f, np.exp(-f / 4))
    right.add_curve("NPS", f, f)                       # third: no curve, no legend
    wrapped = tops()
    assert len({e.y() for e in left.legend.entries()}) > 1     # it did wrap
    assert len(wrapped) == 1
    left.clear()                           # one legend line left in the row: all go up
    one_line = tops()
    assert len(one_line) == 1 and min(one_line) < min(wrapped)
    right.clear()                          # no legend in the row: no room kept for one
    no_legend = tops()
    assert len(no_legend) == 1 and min(no_legend) < min(one_line)
