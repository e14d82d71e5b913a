"""LazyMenuViewBox: a plot's right-click menu is built at the first right-click, not with
the plot (a third of a plot's construction on the GUI thread), and is pyqtgraph's menu."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from widgets.lazy_plot import LazyMenuViewBox, lazy_plot_widget


# offscreen: a popup cannot grab the keyboard or be raised; the click is the scene's
@pytest.mark.qt_log_ignore("Mouse event", "This plugin does not support")
def test_menu_is_built_at_the_first_right_click(qtbot):
    from pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu import ViewBoxMenu

    plot = lazy_plot_widget(None, background="#fbfbfc")
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    vb = plot.getPlotItem().getViewBox()
    assert isinstance(vb, LazyMenuViewBox)
    assert vb.menu is None and vb.menuEnabled()          # nothing built with the plot
    centre = plot.mapFromScene(vb.sceneBoundingRect().center())
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.RightButton, pos=QPoint(centre.x(),
                                                                            centre.y()))
    qtbot.waitUntil(lambda: vb.menu is not None and vb.menu.isVisible(), timeout=3000)
    assert isinstance(vb.menu, ViewBoxMenu)
    assert [a.text() for a in vb.getContextMenus(None)] == [a.text() for a in
                                                            vb.menu.actions()]
    vb.menu.hide()


def test_a_disabled_menu_is_never_built():
    vb = LazyMenuViewBox(enableMenu=False)
    assert vb.getMenu(None) is None and vb.getContextMenus(None) == []
    vb.setMenuEnabled(True)
    assert vb.menu is None                               # still lazy
    assert vb.getMenu(None) is not None
    vb.setMenuEnabled(False)
    assert vb.menu is None and vb.getMenu(None) is None
