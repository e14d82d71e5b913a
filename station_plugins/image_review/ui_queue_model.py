"""The reviewer queue's item model and its sort / filter proxy (Qt-free of widgets): the
columns, their texts and colours, the sort keys (ui_queue.QueueView shows them)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QColor

from station_plugins.image_review.ui_texts import (PRIORITY_LEVEL, class_text, priority_text,
                                                   queue_reason_short, queue_reason_text,
                                                   status_text)
from widgets.state_style import PRIORITY_COLORS, TEXT_ON_STATE

COLUMNS = ("priority", "age", "scanner", "ai_class", "reasons", "status", "assigned")
# at 1366x768 the queue is ~490 px wide: age under the priority, the AI class under the
# scanner and the reviewer under the status (two lines a row), the reasons wrap beside
PAIRED = {0: 1, 2: 3, 5: 6}            # shown column -> the hidden one on its second line
SHOWN_ROLE = Qt.ItemDataRole.UserRole + 7
TO_REVIEW = ("open", "awaiting_second")


def _parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def age_text(created_utc: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    s = max(0, int((now - _parse_utc(created_utc)).total_seconds()))
    if s < 3600:
        return QCoreApplication.translate("ImageReview", "%1 min").replace("%1", str(s // 60))
    if s < 86400:
        return QCoreApplication.translate("ImageReview", "%1 h %2 min").replace(
            "%1", str(s // 3600)).replace("%2", f"{s % 3600 // 60:02d}")
    return QCoreApplication.translate("ImageReview", "%1 d %2 h").replace(
        "%1", str(s // 86400)).replace("%2", str(s % 86400 // 3600))


class QueueItemModel(QAbstractTableModel):
    """Rows are ReviewItem objects (review_queue.ReviewItem)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Any] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self._items = list(items)
        if self._sort is not None:            # a new read keeps the order shown
            self._order(*self._sort)
        self.endResetModel()

    @staticmethod
    def sort_key(it: Any, column: int) -> Any:
        return {"priority": it.priority, "age": it.created_utc, "scanner": it.scanner_serial,
                "ai_class": it.ai_label or "", "reasons": len(it.reasons),
                "status": it.status, "assigned": it.assigned_to or ""}[COLUMNS[column]]

    def _order(self, column: int, order: Qt.SortOrder) -> None:
        self._items.sort(key=lambda it: self.sort_key(it, column),
                         reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows in Python, one key per row (a QSortFilterProxyModel sort asked
        ``data()`` twice per comparison: ~3,000 calls for 200 items, ~100 ms on the GUI
        thread); the selection follows its item."""
        if not 0 <= column < len(COLUMNS):
            self._sort = None
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._items[i.row()], i.column()) if 0 <= i.row() < len(self._items)
                else None for i in persistent]
        self._order(column, order)
        where = {id(it): r for r, it in enumerate(self._items)}
        self.changePersistentIndexList(
            persistent, [self.index(where[id(h[0])], h[1]) if h is not None else QModelIndex()
                         for h in held])
        self.layoutChanged.emit()

    def item_at(self, row: int) -> Any:
        return self._items[row]

    def items(self) -> list[Any]:
        return list(self._items)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            names = (self.tr("Priority"), self.tr("Age"), self.tr("Scanner"),
                     self.tr("AI class"), self.tr("Reasons"), self.tr("Status"),
                     self.tr("Reviewer"))
            if section in PAIRED:                  # the shown column: both titles
                return names[section] + "\n" + names[PAIRED[section]]
            return names[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        it, col = self._items[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(it, index.column())
        if role == SHOWN_ROLE:                     # what the queue shows: two on a line
            text = self.text(it, index.column())
            pair = PAIRED.get(index.column())
            return text if pair is None else text + "\n" + self.text(it, pair)
        if role == Qt.ItemDataRole.UserRole:       # sort keys
            return self.sort_key(it, index.column())
        if role == Qt.ItemDataRole.BackgroundRole and col == "priority":
            return QColor(PRIORITY_COLORS[PRIORITY_LEVEL.get(it.priority, "info")])
        if role == Qt.ItemDataRole.ForegroundRole and col == "priority":
            return QColor(TEXT_ON_STATE)
        if role == Qt.ItemDataRole.ForegroundRole and col == "reasons" and it.disagreement:
            return QColor(PRIORITY_COLORS["medium"])
        if role == Qt.ItemDataRole.ToolTipRole:
            return (", ".join(queue_reason_text(r) for r in it.reasons) + "\n"
                    f"{it.series_uid}  slice {it.slice_index}\n"
                    f"{self.tr('created')} {it.created_utc}  {self.tr('analysed by')} "
                    f"{it.analysed_by}")
        return None


    @staticmethod
    def text(it: Any, column: int) -> str:
        """One column's text (only that one is computed: the view asks per cell)."""
        col = COLUMNS[column]
        if col == "reasons":     # one reason a line, every one shown (the third was elided)
            return "\n".join(queue_reason_short(r) for r in it.reasons)
        if col == "priority":
            return priority_text(it.priority)
        if col == "age":
            return age_text(it.created_utc)
        if col == "scanner":
            return it.scanner_serial
        if col == "ai_class":
            return class_text(it.ai_label)
        if col == "status":
            return status_text(it.status)
        return it.assigned_to or "–"


class QueueFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.scanner: str | None = None
        self.ai_class: str | None = None
        self.statuses: tuple[str, ...] | None = TO_REVIEW
        self.since: str | None = None      # ISO date, inclusive
        self.until: str | None = None      # ISO date, inclusive
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the item model's (in Python); this proxy keeps its order."""
        self.sourceModel().sort(column, order)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The view shows a paired column's two texts on two lines (SHOWN_ROLE)."""
        if role == Qt.ItemDataRole.DisplayRole:
            role = SHOWN_ROLE
        return super().data(index, role)

    def set_filters(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)
        self.invalidate()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802, ARG002 - Qt API
        it = self.sourceModel().item_at(row)
        day = it.created_utc[:10]
        return ((self.scanner is None or it.scanner_serial == self.scanner)
                and (self.ai_class is None or it.ai_label == self.ai_class)
                and (self.statuses is None or it.status in self.statuses)
                and (self.since is None or day >= self.since)
                and (self.until is None or day <= self.until))
