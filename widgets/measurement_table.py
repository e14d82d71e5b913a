"""MeasurementTable: a sortable table over a list of app.core.measurement.Measurement.

    table = MeasurementTable(parent, object_name="ctqc_results")
    table.set_measurements(result.measurements, labels={"noise.sd_hu": "Noise (SD)"})
    table.sig_measurement_selected.connect(viewer.highlight_roi)   # carries the key

Columns: measurement (label or key), value, unit, limits, verdict. The verdict cell is
coloured by state; every other cell stays grey/neutral. Sorting uses raw values.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex,
                            QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.core.measurement import Measurement, Verdict
from widgets.note_texts import note_text
from widgets.rows_model import fit_columns
from widgets.state_style import TEXT_ON_STATE, verdict_color
from widgets.verdict_badge import verdict_text, verdict_tooltip

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
COL_NAME, COL_VALUE, COL_UNIT, COL_LIMITS, COL_VERDICT = range(5)
FITTED = (COL_VALUE, COL_UNIT, COL_LIMITS, COL_VERDICT)
_ROLES = frozenset(int(r) for r in (
    KEY_ROLE, SORT_ROLE, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole))


def format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return QCoreApplication.translate("MeasurementTable", "yes") if value else \
            QCoreApplication.translate("MeasurementTable", "no")
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3e}"
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"
    return str(value)


class MeasurementItemModel(QAbstractTableModel):
    """Item model over Measurements (read-only)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Measurement] = []
        self._labels: dict[str, str] = {}

    def set_measurements(self, rows: Sequence[Measurement],
                         labels: Mapping[str, str] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if labels is not None:
            self._labels = dict(labels)
        self.endResetModel()

    def measurement(self, row: int) -> Measurement:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (QCoreApplication.translate("MeasurementTable", "Measurement"),
                QCoreApplication.translate("MeasurementTable", "Value"),
                QCoreApplication.translate("MeasurementTable", "Unit"),
                                           QCoreApplication.translate("MeasurementTable", "Limits"),
                QCoreApplication.translate("MeasurementTable", "Verdict"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a view asks ~10 roles per cell at every paint: the others return at once
        if role not in _ROLES or not index.isValid():
            return None
        m = self._rows[index.row()]
        col = index.column()
        if role == KEY_ROLE:
            return m.key
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return self._labels.get(m.key, m.key)
            if col == COL_VALUE:
                return format_value(m.value)
            if col == COL_UNIT:
                return m.unit
            return m.limits.text() if col == COL_LIMITS else verdict_text(m.verdict)
        if role == SORT_ROLE:
            if col == COL_VALUE:
                v = m.value
                if isinstance(v, (int, float)) and not isinstance(v, bool) and \
                        not (isinstance(v, float) and math.isnan(v)):
                    return float(v)
                return -math.inf
            if col == COL_VERDICT:
                return m.verdict.rank
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_VALUE, COL_LIMITS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_VERDICT:
            return int(Qt.AlignmentFlag.AlignCenter)
        if col == COL_VERDICT and role == Qt.ItemDataRole.BackgroundRole \
                and m.verdict is not Verdict.SKIP:
            return QBrush(QColor(verdict_color(m.verdict)))
        if col == COL_VERDICT and role == Qt.ItemDataRole.ForegroundRole \
                and m.verdict is not Verdict.SKIP:
            return QBrush(QColor(TEXT_ON_STATE))
        if col == COL_VERDICT and role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [m.key]
            if m.limits.source:
                parts.append(QCoreApplication.translate("MeasurementTable", "Limits: %1")
                             .replace("%1", m.limits.source))
            if m.note:
                parts.append(note_text(m.note))
            parts.append(verdict_tooltip(m.verdict))
            return "\n".join(parts)
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 4)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 4))


class MeasurementTable(QTableView):
    """``sig_measurement_selected(str key)`` fires when the user selects a row."""

    sig_measurement_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None, *,
                 object_name: str = "measurement_table") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.item_model = MeasurementItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.item_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the given order at first
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        # the name takes the room the figures leave, but never less than a readable width
        # (a stretched name column in a narrow pane shrank to "ıre", issue 17): narrower
        # panes scroll sideways instead. The figures' widths are set with each result
        # (fit_columns: the longest texts of every row); ResizeToContents asked ~7,000
        # data() calls on the GUI thread per analysis
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        for col in FITTED:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(lambda col, _old, _new: col != COL_NAME and
                                      self._fit_name_column())
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        self._fit()

    def _fit(self) -> None:
        fit_columns(self, self.item_model, FITTED)
        self._fit_name_column()

    def min_name_width(self) -> int:
        title = str(self.model().headerData(COL_NAME, Qt.Orientation.Horizontal) or "")
        return max(140, self.fontMetrics().horizontalAdvance(title) + 36)

    def _fit_name_column(self) -> None:
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != COL_NAME)
        width = max(self.min_name_width(), self.viewport().width() - others)
        if header.sectionSize(COL_NAME) != width:
            header.resizeSection(COL_NAME, width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_name_column()

    def set_measurements(self, rows: Sequence[Measurement],
                         labels: Mapping[str, str] | None = None) -> None:
        self.item_model.set_measurements(rows, labels)
        self._fit()

    def measurements(self) -> list[Measurement]:
        """In display (sorted) order."""
        return [self.item_model.measurement(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(self.proxy.rowCount())]

    def select_key(self, key: str) -> bool:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(KEY_ROLE) == key:
                self.selectRow(r)
                return True
        return False

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.sig_measurement_selected.emit(current.data(KEY_ROLE))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.item_model.retranslate()
            self._fit()
        super().changeEvent(event)
