"""Alarm lists (active / unacknowledged / shelved / suppressed / out of service) and the
operator actions on them. Every action goes through the service (role check, journal).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError
from widgets.alarm_table import AlarmRow, AlarmTable

TABS = (("active", "Active"), ("unacked", "Unacknowledged"), ("shelved", "Shelved"),
        ("suppressed", "Suppressed"), ("oos", "Out of service"))
_STATE = {"UNACK": "active", "ACKED": "acknowledged", "RTN_UNACK": "cleared",
          "NORMAL": "closed"}


def to_row(r: dict[str, Any]) -> AlarmRow:
    ts = r["activated_ts"] or r["cleared_ts"] or 0.0
    iso = datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z") \
        if ts else ""
    msg = r["title"]
    if r["first_out"]:
        msg = "FIRST OUT - " + msg
    extra = {"SHELVED": f" [shelved by {r['shelved_by']}: {r['shelve_reason']}]",
             "SUPPRESSED": f" [{r['suppressed_reason']}]",
             "OUT_OF_SERVICE": f" [out of service, permit {r['oos_permit']}]"}.get(r["state"], "")
    value = r["value"]
    if isinstance(value, float):
        value = f"{value:.3f}"
    return AlarmRow(r["id"], r["priority"], _STATE[r["base_state"]], iso, r["room"],
                    f"{msg}{extra} (value {value})", r["acked_by"])


class AlarmPanel(QWidget):
    def __init__(self, service: Any, parent: QWidget | None = None,
                 report: Callable[[BaseException], None] = lambda e: None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_alarm_panel")
        self.service = service
        self.report = report
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("leadroom_alarm_tabs")
        self.tables: dict[str, AlarmTable] = {}
        for key, title in TABS:
            t = AlarmTable(self, object_name=f"leadroom_alarms_{key}")
            t.sig_ack_requested.connect(self.acknowledge)
            self.tables[key] = t
            self.tabs.addTab(t, title)
        self.lists_label = QLabel(self)
        self.lists_label.setObjectName("leadroom_alarm_lists")
        bar = QHBoxLayout()
        for name, text, fn in (("shelve", "Shelve...", self.shelve),
                               ("unshelve", "Unshelve", self.unshelve),
                               ("maintenance", "Room maintenance...", self.maintenance),
                               ("oos", "Out of service...", self.out_of_service),
                               ("rts", "Return to service", self.return_to_service)):
            b = QPushButton(text, self)
            b.setObjectName(f"leadroom_alarm_{name}")
            b.clicked.connect(fn)
            bar.addWidget(b)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.lists_label)
        lay.addLayout(bar)
        self._last: dict[str, list] = {}

    def refresh(self) -> None:
        eng = self.service.engine
        for key, _title in TABS:
            rows = eng.list(key)
            sig = [(r["id"], r["state"], r["first_out"], r["acked_by"]) for r in rows]
            if self._last.get(key) != sig:
                self._last[key] = sig
                self.tables[key].set_alarms([to_row(r) for r in rows])
        fl = eng.flood()
        self.lists_label.setText(
            f"Flood: {'YES' if fl['in_flood'] else 'no'} ({fl['activations_window']} in "
            f"{fl['window_s'] / 60:g} min)   Chattering: {', '.join(eng.chattering()) or '-'}"
            f"   Stale (>24 h): {', '.join(eng.stale()) or '-'}")

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
        comment, ok = QInputDialog.getText(self, "Acknowledge", "Comment (optional):")
        if ok:
            self._do(lambda: self.service.acknowledge(ids, comment))

    def shelve(self) -> None:
        ids = self._selected()
        if not ids:
            return
        reason, ok = QInputDialog.getText(self, "Shelve alarm", "Reason (required):")
        if not ok:
            return
        minutes, ok = QInputDialog.getInt(self, "Shelve alarm", "Minutes:", 15, 1, 480)
        if ok:
            self._do(lambda: [self.service.shelve(i, reason, minutes) for i in ids])

    def unshelve(self) -> None:
        self._do(lambda: [self.service.unshelve(i) for i in self._selected()])

    def maintenance(self) -> None:
        rooms = self.service.monitor.room_names()
        room, ok = QInputDialog.getItem(self, "Room maintenance", "Room:", rooms, 0, False)
        if not ok:
            return
        on = room not in self.service.engine.maintenance_manual
        reason = ""
        if on:
            reason, ok = QInputDialog.getText(self, "Room maintenance", "Reason (required):")
            if not ok:
                return
        self._do(lambda: self.service.set_maintenance(room, on, reason))

    def out_of_service(self) -> None:
        ids = self._selected()
        if not ids:
            return
        permit, ok = QInputDialog.getText(self, "Out of service", "Permit number:")
        if ok:
            self._do(lambda: [self.service.out_of_service(i, permit, "") for i in ids])

    def return_to_service(self) -> None:
        self._do(lambda: [self.service.return_to_service(i) for i in self._selected()])
