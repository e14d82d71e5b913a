"""StationHost: the launcher list on the left and the station pages on the right.

It knows stations only through the contract: ``info`` and ``create_panel(parent)``.
Panels are created on first open. A language switch retranslates only the panel on
screen; a hidden panel's ``LanguageChange`` is held until ``retranslate_next_hidden``
gives it (one panel per event-loop turn, ``app.ui.language_switch``) or, at the latest,
just before the panel is shown (retranslating every created panel at once froze the
window for half a second). A station that is unavailable (failed import or
construction) or whose ``create_panel`` raises gets a clear page with its error; the
workstation keeps running.
"""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QScrollArea, QSizePolicy, QStackedWidget,
                               QVBoxLayout, QWidget)

from app.runtime.gc_pauses import freeze_long_lived
from app.ui.i18n import current_language
from app.ui.language_switch import SlicedLanguageChange

log = logging.getLogger(__name__)


@dataclass
class StationEntry:
    id: str
    title: str
    title_zh: str = ""
    plugin: Any = None                   # a constructed StationPlugin (or look-alike)
    error: str | None = None             # set: the station is unavailable
    detail: str = ""                     # traceback or longer explanation
    open_roles: frozenset | None = None  # None: anyone logged in
    order: int = 100

    @property
    def available(self) -> bool:
        return self.plugin is not None and self.error is None

    @classmethod
    def from_plugin(cls, plugin: Any) -> "StationEntry":
        info = plugin.info
        return cls(id=info.id, title=info.title, title_zh=info.title_zh, plugin=plugin,
                   open_roles=frozenset(info.open_roles), order=info.order)

    @classmethod
    def unavailable(cls, station_id: str, error: str, *, title: str | None = None,
                    title_zh: str = "", detail: str = "", order: int = 999) -> "StationEntry":
        return cls(id=station_id, title=title or station_id, title_zh=title_zh, error=error,
                   detail=detail, order=order)

    def display_title(self, language: str | None = None) -> str:
        lang = language or current_language()
        return self.title_zh if lang.startswith("zh") and self.title_zh else self.title


def as_entry(obj: Any) -> StationEntry:
    """StationEntry, a constructed plugin, or a discovery result with ``error``."""
    if isinstance(obj, StationEntry):
        return obj
    if hasattr(obj, "create_panel") and hasattr(obj, "info"):
        return StationEntry.from_plugin(obj)
    if getattr(obj, "error", None):
        cls = getattr(obj, "cls", None)
        info = getattr(cls, "info", None)
        return StationEntry.unavailable(obj.id, obj.error, detail=getattr(obj, "traceback", "")
                                        or "", title=getattr(info, "title", None),
                                        title_zh=getattr(info, "title_zh", ""))
    raise TypeError(f"not a station entry: {obj!r}")


class StationStatusPage(QFrame):
    """A page that says why a station cannot be shown (unavailable / not allowed)."""

    def __init__(self, kind: str, entry: StationEntry, message: str, detail: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.entry, self.message, self.detail_text = kind, entry, message, detail
        self.setObjectName(f"station_{kind}_page")
        self.title_label = QLabel(self)
        self.title_label.setObjectName("station_page_title")
        self.title_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("station_page_message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("station_page_hint")
        self.hint_label.setWordWrap(True)
        self.detail_edit = QPlainTextEdit(detail, self)
        self.detail_edit.setObjectName(f"station_{kind}_detail")
        self.detail_edit.setReadOnly(True)
        self.detail_edit.setVisible(bool(detail))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.detail_edit, 1)
        if not detail:
            layout.addStretch(1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        name = self.entry.display_title()
        if self.kind == "unavailable":
            self.title_label.setText(self.tr("%1 is unavailable").replace("%1", name))
            self.hint_label.setText(self.tr(
                "The other stations keep working. Give this message and the log file to "
                "the station administrator."))
        else:
            self.title_label.setText(self.tr("%1: not allowed for your role").replace("%1", name))
            self.hint_label.setText(self.tr("Log in as a user with one of these roles."))
        self.message_label.setText(self.message)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class _PageHolder(QWidget):
    """Holds the page stack inside the scroll area without height-for-width.

    A QScrollArea gives a height-for-width widget (any panel with a word-wrapped label)
    its *preferred* height, so a panel would scroll although its minimum fits. This holder
    reports only the stack's minimum size and lays the stack out itself."""

    def __init__(self, stack: QStackedWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("station_page_holder")
        self._stack = stack
        stack.setParent(self)
        stack.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self._stack.minimumSizeHint().expandedTo(self._stack.minimumSize())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.minimumSizeHint()

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        self._stack.setGeometry(self.rect())
        super().resizeEvent(event)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self._stack and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return False


class StationHost(QWidget):
    sig_station_opened = Signal(str)
    sig_panel_failed = Signal(str, str)     # station id, error text

    def __init__(self, entries: Iterable[Any], *, user_roles: Callable[[], Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("station_host")
        self.entries = sorted((as_entry(e) for e in entries), key=lambda e: (e.order, e.id))
        self._user_roles = user_roles or (lambda: None)
        self._pages: dict[str, QWidget] = {}
        self._slicer = SlicedLanguageChange(self)   # held LanguageChanges, widget by widget
        self.launcher = QListWidget(self)
        self.launcher.setObjectName("station_launcher")
        self.launcher.setMinimumWidth(190)
        self.launcher.setMaximumWidth(260)
        self.launcher.setWordWrap(True)
        self.launcher.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("station_stack")
        self.stack.currentChanged.connect(self._size_to_current)
        self.empty_page = QLabel(self)
        self.empty_page.setObjectName("station_empty_page")
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty_page)
        for entry in self.entries:
            item = QListWidgetItem(entry.display_title())
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.launcher.addItem(item)
        self.launcher.currentRowChanged.connect(self._on_row)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # the pages sit in a scroll area: a panel's minimum size never grows the window
        # (the window keeps the size the user gave it; panels are laid out to fit 1366x768,
        # tests/ui/test_ui_screen_fit.py checks it from widget geometry)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("station_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(_PageHolder(self.stack))
        layout.addWidget(self.launcher)
        layout.addWidget(self.scroll, 1)
        self.retranslate_ui()

    # --- public -----------------------------------------------------------------
    def entry(self, station_id: str) -> StationEntry:
        for e in self.entries:
            if e.id == station_id:
                return e
        raise KeyError(station_id)

    def open_station(self, station_id: str) -> QWidget:
        for row in range(self.launcher.count()):
            if self.launcher.item(row).data(Qt.ItemDataRole.UserRole) == station_id:
                self.launcher.setCurrentRow(row)
                return self.stack.currentWidget()
        raise KeyError(station_id)

    def current_station_id(self) -> str | None:
        item = self.launcher.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def page(self, station_id: str) -> QWidget | None:
        return self._pages.get(station_id)

    def created_panels(self) -> dict[str, QWidget]:
        return {sid: p for sid, p in self._pages.items()
                if not isinstance(p, StationStatusPage)}

    def busy_stations(self) -> list[StationEntry]:
        """Stations whose ``can_close()`` says no (a test is running)."""
        busy = []
        for e in self.entries:
            if e.available and e.id in self._pages:
                try:
                    if not e.plugin.can_close():
                        busy.append(e)
                except Exception:  # noqa: BLE001 - a broken can_close must not trap the user
                    log.exception("can_close of %s failed", e.id)
        return busy

    def drop_panels(self) -> None:
        """Delete every created page (log out: the next user starts clean)."""
        self.stack.setCurrentWidget(self.empty_page)
        for page in self._pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self._slicer.clear()
        self.launcher.setCurrentRow(-1)

    def shutdown_all(self) -> None:
        for e in self.entries:
            if e.plugin is not None:
                try:
                    e.plugin.shutdown()
                except Exception:  # noqa: BLE001 - keep shutting down the others
                    log.exception("shutdown of station %s failed", e.id)

    # --- internals ---------------------------------------------------------------------
    def _on_row(self, row: int) -> None:
        if row < 0:
            self.stack.setCurrentWidget(self.empty_page)
            return
        entry = self.entries[row]
        page = self._pages.get(entry.id)
        denied = self._denied_text(entry)
        if denied is not None:
            page = StationStatusPage("denied", entry, denied, "", self.stack)
            self.stack.addWidget(page)  # not cached: the next user may be allowed
        elif page is None:
            page = self._build_page(entry)
            self._pages[entry.id] = page
            self.stack.addWidget(page)
        self._drop_stale_denied(keep=page)
        self._deliver_language_change(page)     # still hidden: new texts, laid out once
        self.stack.setCurrentWidget(page)
        if not isinstance(page, StationStatusPage):
            self.sig_station_opened.emit(entry.id)

    def _size_to_current(self, _index: int) -> None:
        """Only the shown page counts for the stack's size (a QStackedWidget otherwise
        asks for the largest page's minimum: one wide station would shape them all)."""
        current = self.stack.currentWidget()
        for i in range(self.stack.count()):
            w = self.stack.widget(i)
            own = w.property("pharos_own_size_policy")
            if w is current:
                if own is not None:
                    w.setSizePolicy(own)
                    w.setProperty("pharos_own_size_policy", None)
            elif own is None:
                w.setProperty("pharos_own_size_policy", w.sizePolicy())
                w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.stack.updateGeometry()

    def _drop_stale_denied(self, keep: QWidget) -> None:
        for i in reversed(range(self.stack.count())):
            w = self.stack.widget(i)
            if isinstance(w, StationStatusPage) and w.kind == "denied" and w is not keep:
                self.stack.removeWidget(w)
                w.deleteLater()

    def _denied_text(self, entry: StationEntry) -> str | None:
        if not entry.available or entry.open_roles is None:
            return None
        have = self._user_roles()
        if have is None:
            return None
        if {getattr(r, "value", r) for r in have} & {getattr(r, "value", r)
                                                    for r in entry.open_roles}:
            return None
        needed = ", ".join(sorted(getattr(r, "value", str(r)) for r in entry.open_roles))
        return self.tr("Roles that may open this station: %1").replace("%1", needed)

    def _build_page(self, entry: StationEntry) -> QWidget:
        if not entry.available:
            return StationStatusPage("unavailable", entry, entry.error or "", entry.detail,
                                     self.stack)
        try:
            panel = entry.plugin.create_panel(self.stack)
            if not isinstance(panel, QWidget):
                raise TypeError(f"create_panel returned {type(panel).__name__}, not a QWidget")
        except Exception as exc:  # noqa: BLE001 - one broken panel never stops the workstation
            entry.error = f"{type(exc).__name__}: {exc}"
            entry.detail = traceback.format_exc()
            log.error("station %s: create_panel failed: %s", entry.id, entry.error)
            self.sig_panel_failed.emit(entry.id, entry.error)
            self.retranslate_ui()  # the launcher now marks it unavailable
            return StationStatusPage("unavailable", entry, entry.error, entry.detail, self.stack)
        if not panel.objectName():
            panel.setObjectName(f"{entry.id}_panel")
        panel.installEventFilter(self)       # LanguageChange waits while it is hidden
        freeze_long_lived(count=False)   # the panel lives as long as the window: short GC pauses
        built = getattr(type(panel), "sig_built", None)    # a panel built in slices: again
        if built is not None:                               # with its last part
            panel.sig_built.connect(lambda: freeze_long_lived(count=False))
        return panel

    PENDING_LANGUAGE = "pharos_language_change_pending"

    def holds_language_change(self, widget: QWidget) -> bool:
        """``widget`` is a created station panel off screen: its LanguageChange (and its
        children's, and the new font) wait for ``retranslate_next_hidden`` or its opening."""
        return widget is not self._slicer.delivering and widget is not \
            self.stack.currentWidget() and widget in self._pages.values() \
            and not isinstance(widget, StationStatusPage)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """A hidden panel keeps its LanguageChange (and its children's) for later."""
        if event.type() == QEvent.Type.LanguageChange and isinstance(obj, QWidget) \
                and self.holds_language_change(obj):
            obj.setProperty(self.PENDING_LANGUAGE, True)
            self._slicer.forget(obj)            # a newer switch: from the top again
            return True
        return super().eventFilter(obj, event)

    def _deliver_language_change(self, page: QWidget) -> None:
        """The panel's held LanguageChange, all of it, now (it is about to be shown)."""
        if page.property(self.PENDING_LANGUAGE):
            self._deliver_slices(page, None)

    def _deliver_slices(self, page: QWidget, deadline: float | None) -> bool:
        if not self._slicer.deliver(page, deadline):
            return False
        page.setProperty(self.PENDING_LANGUAGE, False)
        return True

    def language_change_pending(self, station_id: str) -> bool:
        page = self._pages.get(station_id)
        return bool(page is not None and page.property(self.PENDING_LANGUAGE))

    def retranslate_next_hidden(self, budget_ms: float | None = None) -> bool:
        """Give hidden panels their held LanguageChange: widget by widget for about
        ``budget_ms`` (None: one whole panel). A language switch calls this once per
        event-loop turn after the screen is done; True while more wait."""
        deadline = None if budget_ms is None else time.perf_counter() + budget_ms / 1000
        for page in list(self._pages.values()):
            if not page.property(self.PENDING_LANGUAGE) or page is self.stack.currentWidget():
                continue
            if not self._deliver_slices(page, deadline):
                return True
            if deadline is not None and time.perf_counter() > deadline:
                break
        return any(p.property(self.PENDING_LANGUAGE) and p is not self.stack.currentWidget()
                   for p in self._pages.values())

    def retranslate_ui(self) -> None:
        for row, entry in enumerate(self.entries):
            item = self.launcher.item(row)
            item.setText(entry.display_title() if not entry.error else
                         self.tr("%1 (unavailable)").replace("%1", entry.display_title()))
            item.setToolTip(self.tr("Unavailable: %1").replace("%1", entry.error)
                            if entry.error else "")
        self.empty_page.setText(self.tr("Choose a station on the left."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
