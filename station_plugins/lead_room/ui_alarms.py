"""Alarm lists (active / unacknowledged / shelved / suppressed / out of service) and the
operator actions on them. Every action goes through the service (role check, journal).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError
from station_plugins.lead_room.ui_texts import alarm_text
from widgets.alarm_table import AlarmRow, AlarmTable
from widgets.staged_build import StagedWidget

TABS = (("active", "Active"), ("unacked", "Unacknowledged"), ("shelved", "Shelved"),
        ("suppressed", "Suppressed"), ("oos", "Out of service"))   # titles: retranslate_ui
_STATE = {"UNACK": "active", "ACKED": "acknowledged", "RTN_UNACK": "cleared",
          "NORMAL": "closed"}


def to_row(r: dict[str, Any]) -> AlarmRow:
    ts = r["activated_ts"] or r["cleared_ts"] or 0.0
    iso = datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z") \
        if ts else ""
    msg = alarm_text(r["title"])
    if r["first_out"]:
        msg = QCoreApplication.translate("AlarmPanel", "FIRST OUT") + " - " + msg
    extra = {"SHELVED": f" [shelved by {r['shelved_by']}: {r['shelve_reason']}]",
             "SUPPRESSED": f" [{r['suppressed_reason']}]",
             "OUT_OF_SERVICE": f" [out of service, permit {r['oos_permit']}]"}.get(r["state"], "")
    value = r["value"]
    if isinstance(value, float):
        value = f"{value:.3f}"
    return AlarmRow(r["id"], r["priority"], _STATE[r["base_state"]], iso, r["room"],
                    f"{msg}{extra} (value {value})", r["acked_by"])


class AlarmPanel(StagedWidget, QWidget):
    """Built in slices (``widgets.staged_build``): the tabs, the buttons and the active
    alarms first, each other list in its own turn (the five tables at once held the GUI
    thread 30-40 ms on a 2-core workstation, session 30); a list not built yet is filled
    when it is (``refresh`` fills the lists there are)."""

    def __init__(self, service: Any, parent: QWidget | None = None,
                 report: Callable[[BaseException], None] = lambda e: None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_alarm_panel")
        self.service = service
        self.report = report
        self._last: dict[str, list] = {}
        self.tables: dict[str, AlarmTable] = {}
        self.start_staged_build(self._build())

    def _build(self) -> Iterator[None]:
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("leadroom_alarm_tabs")
        self.lists_label = QLabel(self)
        self.lists_label.setObjectName("leadroom_alarm_lists")
        bar = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, fn in (("shelve", self.shelve), ("unshelve", self.unshelve),
                         ("maintenance", self.maintenance), ("oos", self.out_of_service),
                         ("rts", self.return_to_service)):
            b = QPushButton(self)
            b.setObjectName(f"leadroom_alarm_{name}")
            b.clicked.connect(fn)
            bar.addWidget(b)
            self.buttons[name] = b
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.lists_label)
        lay.addLayout(bar)
        for i, (key, _title) in enumerate(TABS):
            if i:
                yield
            t = AlarmTable(self, object_name=f"leadroom_alarms_{key}")
            t.sig_ack_requested.connect(self.acknowledge)
            self.tables[key] = t
            self.tabs.addTab(t, self._titles()[key])
            if i == 0:
                self.retranslate_ui()
        self.refresh()            # the lists built after the last refresh

    def _titles(self) -> dict[str, str]:
        return dict(zip((k for k, _t in TABS), (
            self.tr("Active"), self.tr("Unacknowledged"), self.tr("Shelved"),
            self.tr("Suppressed"), self.tr("Out of service"))))

    def retranslate_ui(self) -> None:
        titles = self._titles()
        for i, (key, _title) in enumerate(TABS[:self.tabs.count()]):
            self.tabs.setTabText(i, titles[key])
        for name, text in (("shelve", self.tr("Shelve...")), ("unshelve", self.tr("Unshelve")),
                           ("maintenance", self.tr("Room maintenance...")),
                           ("oos", self.tr("Out of service...")),
                           ("rts", self.tr("Return to service"))):
            self.buttons[name].setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
            self.refresh()
        super().changeEvent(event)

    def refresh(self) -> None:
        eng = self.service.engine
        for key in list(self.tables):          # the lists built so far
            rows = eng.list(key)
            sig = [(r["id"], r["state"], r["first_out"], r["acked_by"]) for r in rows]
            if self._last.get(key) != sig:
                self._last[key] = sig
                self.tables[key].set_alarms([to_row(r) for r in rows])
        fl = eng.flood()
        self.lists_label.setText(
            self.tr("Flood: %1 (%2 in %3 min)   Chattering: %4   Stale (>24 h): %5")
            .replace("%1", self.tr("YES") if fl["in_flood"] else self.tr("no"))
            .replace("%2", str(fl["activations_window"])).replace("%3", f"{fl['window_s'] / 60:g}")
            .replace("%4", ", ".join(eng.chattering()) or "-")
            .replace("%5", ", ".join(eng.stale()) or "-"))

    def _selected(self) -> list[str]:
        key = TABS[self.tabs.currentIndex()][0]
        return self.tables[key].selected_ids()

    def _do(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except PharosError as exc:
            self.report(exc)
        self.refresh()

    def acknowledge(self, ids: list[str]) -> None:
        comment, ok = QInputDialog.getText(self, self.tr("Acknowledge"),
                                             self.tr("Comment (optional):"))
        if ok:
            self._do(lambda: self.service.acknowledge(ids, comment))

    def shelve(self) -> None:
        ids = self._selected()
        if not ids:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Shelve alarm"),
                                          self.tr("Reason (required):"))
        if not ok:
            return
        minutes, ok = QInputDialog.getInt(self, self.tr("Shelve alarm"), self.tr("Minutes:"),
                                          15, 1, 480)
        if ok:
            self._do(lambda: [self.service.shelve(i, reason, minutes) for i in ids])

    def unshelve(self) -> None:
        self._do(lambda: [self.service.unshelve(i) for i in self._selected()])

    def maintenance(self) -> None:
        rooms = self.service.monitor.room_names()
        room, ok = QInputDialog.getItem(self, self.tr("Room maintenance"), self.tr("Room:"),
                                        rooms, 0, False)
        if not ok:
            return
        on = room not in self.service.engine.maintenance_manual
        reason = ""
        if on:
            reason, ok = QInputDialog.getText(self, self.tr("Room maintenance"),
                                              self.tr("Reason (required):"))
            if not ok:
                return
        self._do(lambda: self.service.set_maintenance(room, on, reason))

    def out_of_service(self) -> None:
        ids = self._selected()
        if not ids:
            return
        permit, ok = QInputDialog.getText(self, self.tr("Out of service"),
                                          self.tr("Permit number:"))
        if ok:
            self._do(lambda: [self.service.out_of_service(i, permit, "") for i in ids])

    def return_to_service(self) -> None:
        self._do(lambda: [self.service.return_to_service(i) for i in self._selected()])
