"""A page (tab) whose content is built when it is first needed, not with its panel.

Building every tab of a station panel at once froze the window for half a second on a
busy workstation (pyqtgraph plots, alarm tables). A ``LazyPage`` stands in the tab
widget; its content is built

* when the page is shown (the user opens the tab),
* when code asks for it (``page.content()``: a property of the panel), or
* in idle moments after the panel appeared (:func:`build_when_idle`, one page per
  turn of the event loop, so no single turn holds the GUI thread for long).

    self._alarms_page = LazyPage(lambda parent: AlarmPanel(service, parent), self)
    tabs.addTab(self._alarms_page, "")
    build_when_idle([self._alarms_page, self._detail_page])

    @property
    def alarms(self) -> AlarmPanel:
        return self._alarms_page.content()
"""
from __future__ import annotations

from typing import Callable, Generic, Iterable, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from widgets.staged_build import idle_queue

W = TypeVar("W", bound=QWidget)


class LazyPage(QWidget, Generic[W]):
    def __init__(self, factory: Callable[[QWidget], W], parent: QWidget | None = None,
                 object_name: str = "") -> None:
        super().__init__(parent)
        if object_name:
            self.setObjectName(object_name)
        self._factory: Callable[[QWidget], W] | None = factory
        self._content: W | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._content is not None

    def content(self) -> W:
        """The page's widget, built now if it was not yet."""
        if self._content is None:
            assert self._factory is not None
            factory, self._factory = self._factory, None
            self._content = factory(self)
            self.layout().addWidget(self._content)
        return self._content

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        self.content()
        super().showEvent(event)


def build_when_idle(pages: Iterable[LazyPage], delay_ms: int = 0) -> None:
    """Build the pages one per pass of the event loop (those not built by then), as jobs
    of the GUI thread's idle queue (``widgets.staged_build.IdleQueue``: with every other
    staged build, one slice per pass)."""
    todo = list(pages)
    if not todo:
        return
    def step() -> bool | None:
        while todo:
            page = todo.pop(0)
            try:
                if page.built:
                    continue
                page.content()
            except RuntimeError:        # the panel was deleted meanwhile (log out)
                todo.clear()
                return None
            return bool(todo)
        return None

    if delay_ms > 0:
        context = todo[0].parentWidget() or todo[0]    # the timer dies with the panel
        QTimer.singleShot(delay_ms, context, lambda: idle_queue().add(step))
    else:
        idle_queue().add(step)
