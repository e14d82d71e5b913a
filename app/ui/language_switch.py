"""A language switch that never holds the GUI thread for long (``MainWindow.set_language``).

    switcher = LanguageSwitcher(window, window.host)
    switcher.switch("zh_CN")        # the shell and the station on screen: at once
    switcher.busy()                 # True until every created station is in the language
    switcher.finish()               # the rest now (closing, screenshots)

In the call itself the catalogues are installed and the shell (menus, status bar,
launcher) and the station on screen get the language's font (under the application
style sheet the application font reaches no widget below a window by itself:
``app.ui.theme.refresh_font``) and re-read their texts (``QEvent.LanguageChange``).
What follows is spread over event-loop turns:

1. *Settling*: the new texts have other sizes, so the layouts are recomputed, one level
   of layout requests per turn (a label's new height lets its parent's layout grow ...).
   The window's paint requests are held meanwhile (``_PaintHold``) and what changed is
   painted once when the layouts have settled: nobody sees half the screen in one
   language, and the screen is not painted three times over (every level repainted the
   whole window, 10-20 ms each).
2. *Hidden stations*: the created but hidden station panels get their font and their
   held ``LanguageChange`` widget by widget, about 4 ms of it per turn
   (``StationHost.retranslate_next_hidden``). A station opened before it is done gets
   the rest just before it is shown (``StationHost``). Then the hidden windows (menus,
   combo lists) get their font the same way.

A second switch during either phase starts over in the newer language: the steps of the
older one see a newer generation and stop, and a LanguageChange always reads the
installed catalogues, so no step can apply the older language.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.ui import i18n
from app.ui.theme import refresh_font, remeasure

log = logging.getLogger(__name__)
SETTLE_TURNS = 6        # levels of layout requests handled before the window is painted
HIDDEN_BUDGET_MS = 4.0  # hidden panels' widgets retranslated per turn (about; one widget more)
HIDDEN_GAP_MS = 10      # between two such turns: the loop paints and reads input between
_FONT, _TEXTS, _SIZES = "font", "texts", "sizes"    # a widget's steps in a held tree


class SlicedLanguageChange(QObject):
    """Gives a widget tree its LanguageChange widget by widget: each widget alone (its
    children are held back while it re-reads its texts and get theirs after it), parents
    first, depth first - the order Qt's own propagation has - and only until a deadline,
    so one station panel's retranslation spreads over several event-loop turns. Before
    any of it, the same way, every widget of the tree gets the language's font
    (``i18n.set_language`` left it out too): a widget re-reading its texts measures them
    in the font they are shown in, a table in its header's; after its texts a combo box
    measures its items anew (``app.ui.theme.remeasure``). What is left of a tree is kept
    for the next call (``deliver``); ``forget`` starts it over."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.delivering: QObject | None = None    # the widget being given it now
        self._blocked: set[QObject] = set()       # its children meanwhile
        self._left: dict[QWidget, list[tuple[str, QWidget]]] = {}   # tree -> steps left

    def deliver(self, root: QWidget, deadline: float | None, texts: bool = True) -> bool:
        """Until ``deadline`` (``time.perf_counter``; None: all of it, now). True when the
        whole tree has had it. ``texts`` False: the font and sizes only (a hidden window,
        which had its LanguageChange from Qt)."""
        stack = self._left.setdefault(root, [(_TEXTS if texts else _SIZES, root),
                                             (_FONT, root)])
        while stack:
            step, widget = stack.pop()
            if not shiboken6.isValid(widget):
                continue
            children = [c for c in widget.children() if isinstance(c, QWidget)]
            if step != _TEXTS:      # _FONT above every other step: the tree's fonts first
                if step == _FONT:
                    refresh_font(widget)
                else:
                    remeasure(widget)
                stack.extend((step, c) for c in reversed(children) if not c.isWindow())
                if deadline is not None and time.perf_counter() > deadline:
                    return False
                continue
            for child in children:
                child.installEventFilter(self)
            self._blocked.update(children)
            self.delivering = widget
            try:
                QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
                remeasure(widget)       # after its parent's and its own new texts
            finally:
                self.delivering = None
                self._blocked.difference_update(children)
                for child in children:
                    if shiboken6.isValid(child):
                        child.removeEventFilter(self)
            stack.extend((_TEXTS, c) for c in reversed(children))    # the first child next
            if deadline is not None and stack and time.perf_counter() > deadline:
                return False
        self._left.pop(root, None)
        return True

    def part_done(self) -> bool:
        """A tree has had part of it (the rest waits)."""
        return bool(self._left)

    def forget(self, root: QWidget) -> None:
        self._left.pop(root, None)

    def clear(self) -> None:
        self._left.clear()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        return event.type() == QEvent.Type.LanguageChange and obj in self._blocked


class _PaintHold(QObject):
    """Holds the window's paint requests (``QEvent.UpdateRequest``) while installed; the
    regions marked dirty meanwhile are painted by one request on release. (Disabling the
    window's updates instead re-marked every widget dirty on release: a whole-window
    paint of 25 ms instead of 14.)"""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.held = False
        self._asked = False

    def hold(self) -> None:
        if not self.held:
            self.held, self._asked = True, False
            self._window.installEventFilter(self)

    def release(self) -> None:
        if self.held:
            self.held = False
            self._window.removeEventFilter(self)
            if self._asked:
                QCoreApplication.postEvent(self._window, QEvent(QEvent.Type.UpdateRequest),
                                           Qt.EventPriority.LowEventPriority.value)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self._window and event.type() == QEvent.Type.UpdateRequest:
            self._asked = True
            return True
        return False


class LanguageSwitcher(QObject):
    """Switches ``window`` (a top-level widget) and the stations of ``host``."""

    sig_settled = Signal(str)      # the screen is painted in the language
    sig_finished = Signal(str)     # every created station panel is in the language too

    def __init__(self, window: QWidget, host: Any, parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self._window, self._host = window, host
        self._paint = _PaintHold(window)
        self._generation = 0
        self._hidden_left = False   # hidden panels (or windows) still wait for their turn
        self._windows: list[QWidget] = []       # hidden windows whose fonts wait
        self._window_fonts = SlicedLanguageChange(self)
        self._language = i18n.current_language()

    # --- public ---------------------------------------------------------------------
    def switch(self, language: str) -> list[str]:
        """Install ``language``; the shell and the station on screen re-read their texts
        before this returns. Returns the catalogue files loaded."""
        if language not in i18n.LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(i18n.LANGUAGES)}, "
                             f"not {language!r}")
        self._generation += 1
        gen = self._generation
        self._language = language
        if self._window.isVisible():
            self._paint.hold()
        app = QApplication.instance()
        self._window_fonts.clear()
        self._windows = [w for w in QApplication.topLevelWidgets() if self._deferred(w)]
        try:
            loaded = i18n.set_language(app, language, self._deferred) if app is not None else []
        finally:
            self._hidden_left = True
            if self._paint.held:
                self._later(gen, self._settle, SETTLE_TURNS)
            else:
                self.sig_settled.emit(language)
                self._later(gen, self._next_hidden, ms=HIDDEN_GAP_MS)
        return loaded

    def busy(self) -> bool:
        """A switch is still settling or hidden panels wait for their LanguageChange."""
        return self._paint.held or self._hidden_left

    def settling(self) -> bool:
        """The layouts are being recomputed; the window shows the last painted screen."""
        return self._paint.held

    def finish(self) -> None:
        """Everything left, now (before a screenshot, when the window closes)."""
        self._generation += 1
        if self._paint.held:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self._paint.release()
        while self._hidden_left:
            self._hidden_left = self._host.retranslate_next_hidden() or self._next_window(None)
        self.sig_finished.emit(self._language)

    # --- steps ----------------------------------------------------------------------------
    def _later(self, gen: int, step: Any, *args: Any, ms: int = 0) -> None:
        QTimer.singleShot(ms, self, lambda: self._run(gen, step, *args))

    def _run(self, gen: int, step: Any, *args: Any) -> None:
        if gen != self._generation:          # a newer switch has its own steps
            return
        try:
            step(gen, *args)
        except Exception:  # noqa: BLE001 - the window must never stay unpainted
            log.exception("language switch step %s failed", getattr(step, "__name__", step))
            self._paint.release()
            self._hidden_left = False

    def _settle(self, gen: int, left: int) -> None:
        # the layout requests posted so far (one level), in this turn, painting held
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if left > 1:
            self._later(gen, self._settle, left - 1)
            return
        self._paint.release()                 # one paint of what changed
        self.sig_settled.emit(self._language)
        self._later(gen, self._next_hidden, ms=HIDDEN_GAP_MS)   # after the paint

    def _deferred(self, widget: QWidget) -> bool:
        """Left for the hidden phase: a created station panel off screen (the host holds
        its LanguageChange) and a hidden window (a menu, a combo's list: its new texts
        now, its font in a later turn)."""
        return self._host.holds_language_change(widget) or \
            (widget.isWindow() and not widget.isVisible() and widget is not self._window)

    def _next_window(self, budget_ms: float | None) -> bool:
        """Hidden windows their font and sizes, for about ``budget_ms`` (None: all); True
        while more wait."""
        deadline = None if budget_ms is None else time.perf_counter() + budget_ms / 1000
        while self._windows:
            window = self._windows[-1]
            if shiboken6.isValid(window) and not self._window_fonts.deliver(window, deadline, False):
                return True
            self._windows.pop()
            if deadline is not None and time.perf_counter() > deadline:
                break
        return bool(self._windows)

    def _next_hidden(self, gen: int) -> None:
        self._hidden_left = self._host.retranslate_next_hidden(HIDDEN_BUDGET_MS) or \
            self._next_window(HIDDEN_BUDGET_MS)
        if self._hidden_left:
            self._later(gen, self._next_hidden, ms=HIDDEN_GAP_MS)
        else:
            self.sig_finished.emit(self._language)
