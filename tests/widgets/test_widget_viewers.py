"""Slice viewer (W/L, ROIs, heatmap, linking), plot panel, trend plot."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from app.core.measurement import Limits
from widgets.plot_panel import PlotPanel
from widgets.slice_overlays import RoiOverlay
from widgets.slice_viewer import WINDOW_PRESETS, SliceViewer, link_viewers
from widgets.trend_plot import POINT_NEUTRAL, TrendPlot


def phantom(n: int = 128) -> np.ndarray:
    yy, xx = np.mgrid[0:n, 0:n]
    img = np.where((xx - n / 2) ** 2 + (yy - n / 2) ** 2 < (0.4 * n) ** 2, 0.0, -1000.0)
    img[(xx - 40) ** 2 + (yy - 64) ** 2 < 64] = 900.0
    return img.astype(np.float32)


@pytest.fixture
def viewer(qtbot):
    v = SliceViewer(object_name="viewer_a")
    qtbot.addWidget(v)
    v.resize(600, 600)
    v.show()
    qtbot.waitExposed(v)
    v.set_image(phantom())
    return v


def test_presets_set_levels(viewer):
    for name, (w, l) in WINDOW_PRESETS.items():
        viewer.set_preset(name)
        assert viewer.window == (w, l)
        lo, hi = viewer.image_item.getLevels()
        assert (lo, hi) == pytest.approx((l - w / 2, l + w / 2))
        assert viewer.preset_combo.currentData() == name
    viewer.set_window(123, 45)
    assert viewer.preset_combo.currentData() == "custom"
    with pytest.raises(ValueError):
        viewer.set_preset("brain")
    with pytest.raises(ValueError):
        viewer.set_image(np.zeros((3, 3, 3)))


def test_right_drag_changes_window_and_level(viewer, qtbot):
    viewer.set_preset("soft_tissue")
    with qtbot.waitSignal(viewer.sig_window_changed):
        viewer.nudge_window(50, -20)  # right and up: wider window, higher level
    width, level = viewer.window
    assert width > 400 and level > 40


def test_roi_click_emits_id(viewer, qtbot):
    viewer.set_rois([RoiOverlay.circle("bone", cx=40, cy=64, r=8, label="Bone", verdict="FAIL"),
                     {"id": "water", "kind": "rect", "x": 60, "y": 60, "w": 10, "h": 10}])
    assert [r.id for r in viewer.rois()] == ["bone", "water"]
    scene_pos = viewer.roi_scene_pos("bone")
    view_pos = viewer.view.mapFromScene(scene_pos)
    with qtbot.waitSignal(viewer.sig_roi_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(viewer.view.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert blocker.args == ["bone"]
    viewer.highlight_roi("bone")
    assert viewer._rois["bone"].shape.pen().widthF() > 3
    with pytest.raises(ValueError):
        RoiOverlay.from_dict({"id": "x", "kind": "circle", "cx": 1})
    with pytest.raises(ValueError):
        RoiOverlay("x", "polygon", (1, 2, 3))


def test_heatmap_overlay(viewer):
    assert not viewer.has_heatmap()
    heat = np.zeros((128, 128), dtype=np.float32)
    heat[50:70, 50:70] = 1.0
    viewer.set_heatmap(heat, alpha=0.3)
    assert viewer.has_heatmap() and viewer.heatmap_item.isVisible()
    assert viewer.heatmap_item.opacity() == pytest.approx(0.3)
    viewer.heatmap_check.setChecked(False)
    assert not viewer.heatmap_item.isVisible()
    with pytest.raises(ValueError):
        viewer.set_heatmap(np.zeros((10, 10)))
    viewer.set_heatmap(None)
    assert not viewer.has_heatmap()


def test_linked_viewers_follow_window_zoom_and_pan(viewer, qtbot):
    other = SliceViewer(object_name="viewer_b")
    qtbot.addWidget(other)
    other.resize(600, 600)
    other.show()
    qtbot.waitExposed(other)
    other.set_image(phantom())
    link_viewers(viewer, other)
    viewer.set_preset("bone")
    assert other.window == WINDOW_PRESETS["bone"]
    other.set_window(300, 10)
    assert viewer.window == (300, 10)
    viewer.zoom(2.0)
    assert np.allclose(np.ravel(other.view_range()), np.ravel(viewer.view_range()))
    other.viewbox.translateBy(x=7, y=-3)
    assert np.allclose(np.ravel(other.view_range()), np.ravel(viewer.view_range()))
    viewer.unlink(other)
    viewer.set_window(999, 99)
    assert other.window == (300, 10)


def test_cursor_readout(viewer, qtbot):
    scene = viewer.viewbox.mapViewToScene(QPointF(40.5, 64.5))  # inside the bone insert
    with qtbot.waitSignal(viewer.sig_cursor_value) as blocker:
        viewer._on_mouse_moved(scene)
    x, y, hu = blocker.args
    assert (x, y) == (40.0, 64.0)
    assert hu == 900.0
    assert "HU" in viewer.cursor_label.text()


def test_plot_panel_curves_and_limits(qtbot):
    plot = PlotPanel(object_name="mtf", title="MTF", x_label="Frequency", x_unit="lp/cm",
                     y_label="MTF")
    qtbot.addWidget(plot)
    f = np.linspace(0, 10, 50)
    plot.add_curve("measured", f, np.exp(-f / 4))
    plot.add_curve("reference", f, np.exp(-f / 5), dashed=True)
    plot.add_reference_line(0.5, label="MTF50", kind="warning")
    assert plot.curve_names() == ["measured", "reference"]
    xs, ys = plot.curve_data("measured")
    assert len(xs) == 50 and ys[0] == pytest.approx(1.0)
    assert plot.plot_item.getAxis("bottom").label.toPlainText().strip() == "Frequency (lp/cm)"
    with pytest.raises(ValueError):
        plot.add_curve("bad", [1, 2], [1])
    plot.clear()
    assert plot.curve_names() == []


def test_trend_plot_limits_and_point_colours(qtbot):
    trend = TrendPlot(object_name="noise_trend", title="Noise", y_label="SD", unit="HU")
    qtbot.addWidget(trend)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    times = [t0 + timedelta(days=i) for i in range(5)]
    trend.set_points(times[::-1], [5.8, 6.5, 4.2, 4.0, 4.1][::-1],
                     ["WARN", "FAIL", "PASS", "PASS", None][::-1], ids=list("edcba"))
    trend.set_limits(Limits(high=6.0, warn_high=5.0, low=2.0))
    assert trend.limit_values() == [2.0, 5.0, 6.0]
    # sorted by time: first point is the oldest (t0)
    assert trend.point_colors() == ["#9a5b00", "#c62828", POINT_NEUTRAL, POINT_NEUTRAL,
                                    POINT_NEUTRAL]
    with qtbot.waitSignal(trend.sig_point_clicked) as blocker:
        trend._on_clicked(None, [trend._scatter.points()[1]])
    assert blocker.args == [1, "b"]  # ids follow their times
    with pytest.raises(ValueError):
        trend.set_points(times, [1.0])
    trend.set_points(["2026-01-01T00:00:00Z", 1767312000.0], [1.0, 2.0])
    assert len(trend._scatter.points()) == 2


def test_trend_with_one_point_shows_a_day_not_seconds(qtbot):
    """Issue 17 minor: one result gave time ticks like '59.750 / 23:46:00'."""
    from widgets.trend_plot import MIN_SPAN_S, TrendPlot

    plot = TrendPlot()
    qtbot.addWidget(plot)
    plot.set_points(["2026-12-05T08:00:00Z"], [10.2])
    (x0, x1), _ = plot.plot_item.viewRange()
    assert x1 - x0 >= MIN_SPAN_S * 0.99


def test_trend_axis_reads_numbers_and_limit_labels_stay_inside(qtbot):
    """The date axis printed English ("Sun 06", "Dec") in the Chinese UI: it reads numbers
    now (hours "18:00", a local midnight as its date "12-06", days "12-06", months
    "2026-12"); the label of the top limit sat above its line and was cut at the plot's
    edge: an upper limit's label lies under its line, a lower one's above, and the y range
    holds every line."""
    from datetime import datetime

    from widgets.trend_plot import NumericDateAxis

    axis = NumericDateAxis()
    noon = datetime(2026, 12, 6, 12, 0).timestamp()
    midnight = datetime(2026, 12, 6, 0, 0).timestamp()
    assert axis.tickStrings([noon, midnight], 1.0, 6 * 3600) == ["12:00", "12-06"]
    assert axis.tickStrings([noon], 1.0, 24 * 3600) == ["12-06"]
    assert axis.tickStrings([noon], 1.0, 30 * 24 * 3600) == ["2026-12"]
    assert axis.tickStrings([noon], 1.0, 400 * 24 * 3600) == ["2026"]
    assert axis.tickStrings([noon + 5], 1.0, 5) == ["12:00:05"]

    trend = TrendPlot(object_name="noise_trend", title="Noise", y_label="SD", unit="HU")
    qtbot.addWidget(trend)
    trend.resize(460, 330)
    trend.show()
    trend.set_points([noon], [10.1])
    trend.set_limits(Limits(high=13.0, warn_high=12.0, low=7.0, warn_low=8.0))
    qtbot.wait(50)
    vb = trend.plot_item.getViewBox()
    (y0, y1) = vb.viewRange()[1]
    assert y0 < 7.0 and y1 > 13.0
    view = vb.sceneBoundingRect()
    for line in trend._limit_lines:
        label = line.label.sceneBoundingRect()
        assert view.contains(label), (line.label.toPlainText(), label, view)
        upper = line.value() >= 12.0
        # the label's middle under (scene y grows downward) an upper line, above a lower one
        line_y = vb.mapViewToScene(QPointF(0, line.value())).y()
        assert (label.center().y() > line_y) == upper, line.label.toPlainText()
