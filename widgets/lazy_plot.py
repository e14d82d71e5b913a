"""pyqtgraph plots whose right-click menu is built when it is first asked for.

``pg.ViewBox`` builds its context menu (``ViewBoxMenu``: two axis forms of spin boxes,
check boxes and line edits) in its constructor: about a third of the GUI-thread CPU of
making a ``PlotWidget`` (session 30: 12-13 ms a plot, 9 ms without the menu, on a 2-core
workstation), paid for every plot of a station while it opens, though few operators ever
right-click a plot. :class:`LazyMenuViewBox` builds the same menu at the first
right-click (or ``getMenu`` / ``getContextMenus``); everything else is pyqtgraph's.

    plot = lazy_plot_widget(parent, background="#fbfbfc")   # pg.PlotWidget(...) otherwise
"""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu import ViewBoxMenu
from PySide6.QtWidgets import QWidget


class LazyMenuViewBox(pg.ViewBox):
    def __init__(self, *args: Any, enableMenu: bool = True, **kwargs: Any) -> None:  # noqa: N803
        super().__init__(*args, enableMenu=False, **kwargs)
        self.state["enableMenu"] = enableMenu       # built by menu_now(), not here

    def _applyMenuEnabled(self) -> None:  # noqa: N802 - pyqtgraph API
        if not self.state.get("enableMenu", True) and self.menu is not None:
            self.menu.setParent(None)
            self.menu = None

    def menu_now(self) -> ViewBoxMenu | None:
        """The context menu, built now if it is enabled and was not built yet."""
        if self.menu is None and self.menuEnabled():
            self.menu = ViewBoxMenu(self)
            self.updateViewLists()
        return self.menu

    def getMenu(self, ev: Any) -> ViewBoxMenu | None:  # noqa: N802, ARG002 - pyqtgraph API
        return self.menu_now()

    def getContextMenus(self, event: Any) -> list:  # noqa: N802, ARG002 - pyqtgraph API
        menu = self.menu_now()
        return menu.actions() if menu is not None else []


def lazy_plot_widget(parent: QWidget | None = None, **kwargs: Any) -> pg.PlotWidget:
    """``pg.PlotWidget(parent, **kwargs)`` with a :class:`LazyMenuViewBox`."""
    return pg.PlotWidget(parent, viewBox=LazyMenuViewBox(), **kwargs)
