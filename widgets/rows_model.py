"""RowsModel: a QAbstractTableModel over keyed rows, for live tables in a QTableView.

    def cell(row: MyRow, column: int) -> Cell:
        return Cell(row.serial, tip=row.uid) if column == 0 else Cell(str(row.images))

    model = RowsModel(lambda: [tr("Scanner"), tr("Images")], cell, parent=view)
    view.setModel(model)
    model.upsert(uid, MyRow(...))          # add or update one row (dataChanged / insert)
    model.set_rows([(uid, row), ...])      # replace every row (reset)
    model.retranslate()                    # headers and cells again, in the UI language

    table = RowsTable(model, parent, name="my_table", sortable=True)   # the usual view
    table.rowCount(); table.cell_text(r, c)  # in the order shown (after sorting)
    model.sort(column, order)              # order the rows in Python (big tables, below)
    fit_columns(table, model)              # widths for every row, from their longest texts

A row is any object; ``cell(row, column)`` turns it into a :class:`Cell` (text, tooltip,
colours, bold, alignment, sort value) when the view asks, so an update repaints one row and nothing
is rebuilt. ``KEY_ROLE`` of every cell is the row's key.

A big table sorts in the model (``sort``: one ``cell`` per row, in Python) instead of a
QSortFilterProxyModel's sort, which asks ``data()`` twice per comparison (~8,000 Python
calls for 440 rows, on the GUI thread, at every reset); a filtering proxy forwards its
``sort`` here (``ForwardingSortProxy``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QStyleOptionViewItem, QTableView, QWidget

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2     # Cell.sort (else the text): for a sort proxy
_Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(int(r) for r in (
    KEY_ROLE, SORT_ROLE, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole))


@dataclass(frozen=True)
class Cell:
    text: str = ""
    tip: str = ""
    background: str | None = None       # colour name / #rrggbb
    foreground: str | None = None
    bold: bool = False
    align_right: bool = False
    sort: Any = None                     # the value a sort proxy orders by (SORT_ROLE)


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Callable[[], list[str]], cell: Callable[[Any, int], Cell],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._headers, self._cell = headers, cell
        self._names = headers()
        self._keys: list[Hashable] = []
        self._rows: dict[Hashable, Any] = {}
        self._index: dict[Hashable, int] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- rows ------------------------------------------------------------------------
    def keys(self) -> list[Hashable]:
        return list(self._keys)

    def row(self, key: Hashable) -> Any:
        return self._rows.get(key)

    def row_of(self, key: Hashable) -> int:
        return self._index.get(key, -1)

    def key_at(self, r: int) -> Hashable | None:
        return self._keys[r] if 0 <= r < len(self._keys) else None

    def upsert(self, key: Hashable, row: Any) -> int:
        """Add ``row`` under ``key`` at the end, or replace the row of that key."""
        r = self._index.get(key)
        if r is None:
            r = len(self._keys)
            self.beginInsertRows(QModelIndex(), r, r)
            self._keys.append(key)
            self._rows[key], self._index[key] = row, r
            self.endInsertRows()
            return r
        self._rows[key] = row
        self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))
        return r

    def set_rows(self, rows: Iterable[tuple[Hashable, Any]]) -> None:
        """Replace every row; the headers are read again (a table whose columns change)."""
        self.beginResetModel()
        self._names = self._headers()
        self._keys, self._rows = [], {}
        for key, row in rows:
            if key not in self._rows:
                self._keys.append(key)
            self._rows[key] = row
        self._index = {k: i for i, k in enumerate(self._keys)}
        if self._sort is not None:
            self._order_keys(*self._sort)
        self.endResetModel()

    # --- sorting (in the model) --------------------------------------------------------
    @property
    def sort_column(self) -> int:
        """The column ``sort`` ordered by (-1: the order the rows came in)."""
        return -1 if self._sort is None else self._sort[0]

    def sort(self, column: int,
             order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``Cell.sort`` (else the text) of ``column``; ``set_rows``
        keeps that order. Rows added by ``upsert`` come at the end until the next sort.
        Numbers sort before texts; equal values keep their order."""
        if not 0 <= column < self.columnCount():
            self._sort = None
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._keys[i.row()], i.column()) if 0 <= i.row() < len(self._keys) else None
                for i in persistent]
        self._order_keys(column, order)
        self.changePersistentIndexList(
            persistent, [self.index(self._index[h[0]], h[1]) if h is not None else QModelIndex()
                         for h in held])
        self.layoutChanged.emit()

    def _order_keys(self, column: int, order: Qt.SortOrder) -> None:
        def key(k: Hashable) -> tuple:
            cell = self._cell(self._rows[k], column)
            value = cell.text if cell.sort is None else cell.sort
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return (0, value, "") if value == value else (2, 0, "")   # NaN last
            return (1, 0, str(value))
        self._keys.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._index = {k: i for i, k in enumerate(self._keys)}

    def refresh(self) -> None:
        """Every cell again (a change that is not in the rows: language, marks)."""
        if self._keys:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._keys) - 1, self.columnCount() - 1))

    def retranslate(self) -> None:
        self._names = self._headers()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        self.refresh()

    def cell(self, r: int, c: int) -> Cell:
        return self._cell(self._rows[self._keys[r]], c)

    # --- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._names)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._names)):
            return self._names[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a view asks ~10 roles per cell for every paint and size hint: the roles a Cell
        # never answers return before any lookup (thousands of calls per table reset)
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        if role == KEY_ROLE:
            return self._keys[index.row()]
        cell = self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == SORT_ROLE:
            return cell.text if cell.sort is None else cell.sort
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tip or None
        if role == Qt.ItemDataRole.BackgroundRole and cell.background:
            return QBrush(QColor(cell.background))
        if role == Qt.ItemDataRole.ForegroundRole and cell.foreground:
            return QBrush(QColor(cell.foreground))
        if role == Qt.ItemDataRole.FontRole and cell.bold:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and cell.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def fit_columns(view: QTableView, model: Any, columns: Iterable[int] | None = None,
                per_column: int = 3) -> None:
    """Size columns to their widest cell over *every* row, as ``resizeColumnsToContents``
    with unlimited precision does, but asking the delegate only for the ``per_column``
    longest texts of each column (Qt asks ~10 roles of every cell: ~5,000 data() calls
    for 60 rows of 9 columns). Never narrower than the header. ``model``: a RowsModel
    (texts from its cells), a model with ``text(row, column)`` or any table model (texts
    from data())."""
    header = view.horizontalHeader()
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    delegate = view.itemDelegate()
    grid = 1 if view.showGrid() else 0
    n = model.rowCount()
    if isinstance(model, RowsModel):
        def text(r: int, c: int) -> str:
            return model.cell(r, c).text
    elif callable(getattr(model, "text", None)):     # a model that says its texts itself
        text = model.text
    else:
        def text(r: int, c: int) -> str:
            return str(model.data(model.index(r, c)) or "")
    for c in (range(model.columnCount()) if columns is None else columns):
        lengths = sorted((len(text(r, c)), r) for r in range(n))[-per_column:]
        width = max((delegate.sizeHint(option, model.index(r, c)).width() + grid
                     for _, r in lengths), default=0)
        if not header.isHidden():
            width = max(width, header.sectionSizeHint(c))
        header.resizeSection(c, width)


class ForwardingSortProxy(QSortFilterProxyModel):
    """A filtering proxy that leaves sorting to its :class:`RowsModel` (``RowsModel.sort``)
    and keeps the model's order: a view with sorting enabled sorts through it."""

    def sort(self, column: int,
             order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, RowsModel):
            model.sort(column, order)
        else:
            super().sort(column, order)


class RowsTable(QTableView):
    """A read-only, row-selecting QTableView on a :class:`RowsModel` (optionally sorted by
    clicking a header, through a proxy ordering by ``SORT_ROLE``)."""

    def __init__(self, model: RowsModel, parent: QWidget | None = None, *, name: str = "",
                 sortable: bool = False) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self.model_ = model
        self.proxy: QSortFilterProxyModel | None = None
        if sortable:
            self.proxy = QSortFilterProxyModel(self)
            self.proxy.setSortRole(SORT_ROLE)
            self.proxy.setSourceModel(model)
            self.setModel(self.proxy)
            self.setSortingEnabled(True)
            self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        else:
            self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()

    def rowCount(self) -> int:  # noqa: N802 - the QTableWidget name, kept for callers
        return self.model_.rowCount()

    def columnCount(self) -> int:  # noqa: N802 - the QTableWidget name, kept for callers
        return self.model_.columnCount()

    def source_row(self, r: int) -> int:
        """The model row shown at view row ``r`` (the same unless sorted)."""
        if self.proxy is None:
            return r
        return self.proxy.mapToSource(self.proxy.index(r, 0)).row()

    def cell_text(self, r: int, c: int) -> str:
        """The text shown at view row ``r``, column ``c``."""
        return self.model_.cell(self.source_row(r), c).text

    def cell_at(self, r: int, c: int) -> Cell:
        return self.model_.cell(self.source_row(r), c)
