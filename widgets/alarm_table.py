"""AlarmTable: a generic alarm list (priority colour, state, time, source, message, ack).

    table = AlarmTable(self, object_name="leadroom_alarms")
    table.set_alarms([AlarmRow("a1", "high", "active", "2026-01-05T08:12:00Z",
                               "Lead room 3", "Door open during exposure")])
    table.sig_ack_requested.connect(service.acknowledge)     # list[str] alarm ids

States: active (unacknowledged), acknowledged (still active), cleared (returned to
normal, not yet acknowledged), closed. Unacknowledged rows are bold. The table only
asks; the station decides (and audits) whether the acknowledgement is allowed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex,
                            QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from widgets.state_style import PRIORITY_COLORS, TEXT_ON_STATE

PRIORITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
STATES = ("active", "acknowledged", "cleared", "closed")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class AlarmRow:
    id: str
    priority: str        # critical / high / medium / low / info
    state: str           # active / acknowledged / cleared / closed
    time_utc: str        # ISO-8601 UTC when raised
    source: str
    message: str
    acked_by: str = ""

    def __post_init__(self) -> None:
        if self.priority not in PRIORITY_RANK:
            raise ValueError(f"alarm {self.id}: unknown priority {self.priority!r}")
        if self.state not in STATES:
            raise ValueError(f"alarm {self.id}: unknown state {self.state!r}")

    @property
    def needs_ack(self) -> bool:
        return self.state in ("active", "cleared")


def local_time_text(iso_utc: str) -> str:
    try:
        dt = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    return dt.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _state_text(state: str) -> str:
    return {"active": QCoreApplication.translate("AlarmTable", "Active"),
            "acknowledged": QCoreApplication.translate("AlarmTable", "Acknowledged"),
            "cleared": QCoreApplication.translate("AlarmTable", "Cleared, not acknowledged"),
            "closed": QCoreApplication.translate("AlarmTable", "Closed")}[state]


def _priority_text(priority: str) -> str:
    return {"critical": QCoreApplication.translate("AlarmTable", "Critical"),
            "high": QCoreApplication.translate("AlarmTable", "High"),
            "medium": QCoreApplication.translate("AlarmTable", "Medium"),
            "low": QCoreApplication.translate("AlarmTable", "Low"),
            "info": QCoreApplication.translate("AlarmTable", "Info")}[priority]


class AlarmItemModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AlarmRow] = []

    def set_alarms(self, rows: Sequence[AlarmRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def alarm(self, row: int) -> AlarmRow:
        return self._rows[row]

    def alarms(self) -> list[AlarmRow]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (QCoreApplication.translate("AlarmTable", "Priority"),
                QCoreApplication.translate("AlarmTable", "State"),
                QCoreApplication.translate("AlarmTable", "Time"),
                                           QCoreApplication.translate("AlarmTable", "Source"),
                QCoreApplication.translate("AlarmTable", "Message"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self._rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return a.id
        if role == Qt.ItemDataRole.DisplayRole:
            return (_priority_text(a.priority), _state_text(a.state), local_time_text(a.time_utc),
                    a.source, a.message)[col]
        if role == SORT_ROLE:
            return (PRIORITY_RANK[a.priority], STATES.index(a.state), a.time_utc, a.source,
                    a.message)[col]
        if col == 0 and role == Qt.ItemDataRole.BackgroundRole and a.state != "closed":
            return QBrush(QColor(PRIORITY_COLORS[a.priority]))
        if col == 0 and role == Qt.ItemDataRole.ForegroundRole and a.state != "closed":
            return QBrush(QColor(TEXT_ON_STATE))
        if role == Qt.ItemDataRole.FontRole and a.needs_ack:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole and a.acked_by:
            return QCoreApplication.translate("AlarmTable", "Acknowledged by %1").replace(
                "%1", a.acked_by)
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 4)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 4))


class AlarmTable(QWidget):
    """``sig_ack_requested(list)`` carries the ids of the selected alarms needing an ack."""

    sig_ack_requested = Signal(list)
    sig_alarm_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None, *,
                 object_name: str = "alarm_table") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.item_model = AlarmItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.item_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView(self)
        self.view.setObjectName(f"{object_name}_view")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName(f"{object_name}_summary")
        self.ack_button = QPushButton(self)
        self.ack_button.setObjectName(f"{object_name}_ack")
        self.ack_button.clicked.connect(self.request_ack)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: cur.isValid() and self.sig_alarm_selected.emit(cur.data(ID_ROLE)))
        bar = QHBoxLayout()
        bar.addWidget(self.summary_label, 1)
        bar.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self.retranslate_ui()

    def set_alarms(self, rows: Sequence[AlarmRow]) -> None:
        selected = set(self.selected_ids())
        self.item_model.set_alarms(rows)
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(ID_ROLE) in selected:
                self.view.selectionModel().select(
                    self.proxy.index(r, 0), self.view.selectionModel().SelectionFlag.Select
                    | self.view.selectionModel().SelectionFlag.Rows)
        self._update_summary()
        self._update_buttons()

    def alarms(self) -> list[AlarmRow]:
        return self.item_model.alarms()

    def selected_ids(self) -> list[str]:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in sorted(rows)]

    def select_ids(self, ids: Sequence[str]) -> None:
        self.view.clearSelection()
        sm = self.view.selectionModel()
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(ID_ROLE) in ids:
                sm.select(self.proxy.index(r, 0),
                          sm.SelectionFlag.Select | sm.SelectionFlag.Rows)

    def request_ack(self) -> None:
        by_id = {a.id: a for a in self.item_model.alarms()}
        ids = [i for i in self.selected_ids() if by_id[i].needs_ack]
        if ids:
            self.sig_ack_requested.emit(ids)

    def _update_buttons(self, *_args: Any) -> None:
        by_id = {a.id: a for a in self.item_model.alarms()}
        self.ack_button.setEnabled(any(by_id[i].needs_ack for i in self.selected_ids()))

    def _update_summary(self) -> None:
        rows = self.item_model.alarms()
        active = sum(1 for a in rows if a.state in ("active", "acknowledged"))
        unacked = sum(1 for a in rows if a.needs_ack)
        self.summary_label.setText(self.tr("%1 active, %2 not acknowledged").replace(
            "%1", str(active)).replace("%2", str(unacked)))

    def retranslate_ui(self) -> None:
        self.ack_button.setText(self.tr("Acknowledge"))
        self.ack_button.setToolTip(self.tr("Acknowledge the selected alarms"))
        self._update_summary()
        self.item_model.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
