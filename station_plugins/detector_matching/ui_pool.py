"""Pool view: imported modules with key indicators, a filter, and the excluded modules
with their reasons. Both tables are QTableViews on item models: the pool (hundreds to
thousands of modules) is sorted and filtered by a proxy, nothing is rebuilt per cell."""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableView,
                               QVBoxLayout, QWidget)

from widgets.rows_model import SORT_ROLE, Cell, ForwardingSortProxy, RowsModel, fit_columns

from station_plugins.detector_matching import indicators as I

SHOWN = ("agg_linearity_mean", "agg_afterglow_mean", "agg_spectral_mean", "agg_noise_mean",
         "agg_drift_mean")
SLOT = 3          # the column that says where a module is placed


class PoolView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pool_view")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("pool_filter")
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.pool_model = RowsModel(self._headers, self._pool_cell, self)
        self.proxy = _SerialLotFilter(self)
        self.proxy.setSourceModel(self.pool_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = _PoolTable(self)
        self.table.setObjectName("pool_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        # widths set per pool from each column's longest texts (fit_columns): Qt's
        # ResizeToContents asked data() of every cell (a second per import of 440
        # modules), of 60 rows still ~5,000 times at every change
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.summary = QLabel(self)
        self.summary.setObjectName("pool_summary")
        self.summary.setWordWrap(True)
        self.excluded_model = RowsModel(
            lambda: [self.tr("Serial"), self.tr("Row"), self.tr("Reason")],
            self._excluded_cell, self)
        self.excluded = _PoolTable(self)
        self.excluded.setObjectName("pool_excluded_table")
        self.excluded.setModel(self.excluded_model)
        self.excluded.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.excluded.verticalHeader().setVisible(False)
        # the reason wraps onto more lines in the column left beside serial and row: no
        # sideways scrolling, and the "Reason" header in view (it sat off the pane's edge)
        self.excluded.setWordWrap(True)
        self.excluded.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.excluded.setTextElideMode(Qt.TextElideMode.ElideNone)
        ex_header = self.excluded.horizontalHeader()
        ex_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        ex_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.excluded.on_resized = self.fit_excluded_rows
        ex_header.sectionResized.connect(
            lambda col, _old, _new: col == 2 and self.fit_excluded_rows())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self.table, 2)     # the excluded reasons wrap: they get a third
        self.excluded_label = QLabel(self)
        lay.addWidget(self.excluded_label)
        lay.addWidget(self.excluded, 1)
        self._shown: tuple | None = None
        self._cell_cache: dict[tuple, Cell] = {}
        self._fit_run = 0                   # the newest fit_widths run (older ones stop)
        self.widths_fitted = True           # False while a fit_widths run is under way
        self._placed: dict[str, int] = {}
        self._cols = [I.COLUMN_INDEX[c] for c in SHOWN]
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.filter_edit.setPlaceholderText(self.tr("Filter by serial or lot"))
        self.excluded_label.setText(self.tr("Excluded modules"))
        if self._shown is not None:
            self._retranslate_shown()
        else:                # no pool yet: the empty tables' titles (stayed in English)
            self.pool_model.retranslate()
            self.excluded_model.retranslate()

    def _headers(self) -> list[str]:
        indicators = {"agg_linearity_mean": self.tr("linearity"),
                      "agg_afterglow_mean": self.tr("afterglow"),
                      "agg_spectral_mean": self.tr("spectral"),
                      "agg_noise_mean": self.tr("noise"), "agg_drift_mean": self.tr("drift")}
        return [self.tr("Serial"), self.tr("Lot"), self.tr("Tested"), self.tr("Slot")] + \
            [indicators[c] for c in SHOWN]

    def _retranslate_shown(self) -> None:
        """Language change: headers and the 'spare' marks and reasons are asked again (the
        models hold the data, not the texts)."""
        self._cell_cache.clear()
        self.pool_model.retranslate()
        self.excluded_model.retranslate()
        # the widths in the next turn (every pool row's texts), not in the turn that
        # retranslates every station
        self.widths_fitted = False
        QTimer.singleShot(0, self, self.fit_widths)
        self._show_summary(self._shown[0])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_pool(self, pool, placed: dict[str, int] | None = None) -> None:  # noqa: ANN001
        """The pool's modules (row r: module r of the pool), where each is placed. The same
        pool again (a new arrangement) changes only the Slot column: no reset, no new
        widths. The proxy filters a reset model by itself."""
        same = self._shown is not None and self._shown[0] is pool
        self._shown = (pool, placed)
        self._placed = placed or {}
        self._spare_marks = bool(placed)
        if same:
            for r in range(pool.size):
                self._cell_cache.pop((r, SLOT), None)
            m = self.pool_model
            if m.sort_column == SLOT:
                m.sort(SLOT, self.table.horizontalHeader().sortIndicatorOrder())
            m.dataChanged.emit(m.index(0, SLOT), m.index(m.rowCount() - 1, SLOT))
            fit_columns(self.table, m, [SLOT])
            return
        self._cell_cache.clear()
        self.pool_model.set_rows((r, (pool, r)) for r in range(pool.size))
        self.excluded_model.set_rows(enumerate(pool.excluded))
        self._show_summary(pool)
        # the widths in the next turn (every cell's text: ~10 ms for 440 modules), not in
        # the turn that takes the pool in
        self.widths_fitted = False
        QTimer.singleShot(0, self, self.fit_widths)

    def fit_widths(self) -> None:
        """Columns as wide as their widest cell (header included), one pool column a turn
        of the event loop, then the excluded table: every text of a column is a cell made
        for each of the pool's rows (~1 ms a column for 440 modules, quiet); the whole table
        in one turn held the GUI thread 40-45 ms of CPU, 100-130 ms beside two busy
        processes (benchmarks/ui/heartbeat.py, "detector import pool"). A newer run (a new
        pool, a language switch) stops an older one; ``widths_fitted`` says when done."""
        self._fit_run += 1
        run, self.widths_fitted = self._fit_run, False
        columns = iter(range(self.pool_model.columnCount()))

        def step() -> None:
            if run != self._fit_run:
                return
            c = next(columns, None)
            if c is not None:
                fit_columns(self.table, self.pool_model, [c])
                QTimer.singleShot(0, self, step)
                return
            fit_columns(self.excluded, self.excluded_model, [0, 1])
            self.fit_excluded_rows()
            self.widths_fitted = True

        step()

    def fit_excluded_rows(self) -> None:
        """Each excluded row as high as its wrapped reason (a few dozen rows at most): the
        delegate's height, or the font's own wrap where that needs more lines (Chinese
        reasons break between any two characters). One font metric per row, not
        ``resizeRowsToContents`` (every cell's delegate: 26 ms a call, five calls per
        import; the other columns are one line)."""
        table = self.excluded
        base = table.verticalHeader().defaultSectionSize()
        fm, width = table.fontMetrics(), table.columnWidth(2) - 8
        for r in range(self.excluded_model.rowCount()):
            text = self.excluded_model.cell(r, 2).text
            need = fm.boundingRect(0, 0, max(1, width), 100000,
                                   int(Qt.TextFlag.TextWordWrap), text).height() + 6
            if table.rowHeight(r) != max(base, need):
                table.setRowHeight(r, max(base, need))

    def _show_summary(self, pool: Any) -> None:
        self.summary.setText(self.tr("{src}: {acc} modules imported, {exc} excluded").format(
            src=pool.report.source, acc=pool.size, exc=len(pool.excluded)))

    def _pool_cell(self, row: tuple, c: int) -> Cell:
        """Cached per shown pool (the view asks for every cell several times: sorting,
        filtering, widths, painting; thousands of calls at each import)."""
        key = (row[1], c)
        cell = self._cell_cache.get(key)
        if cell is None:
            cell = self._cell_cache[key] = self._make_pool_cell(row, c)
        return cell

    def _make_pool_cell(self, row: tuple, c: int) -> Cell:
        pool, r = row
        if c == 0:
            return Cell(pool.serials[r], sort=pool.serials[r])
        if c == 1:
            return Cell(str(pool.lots[r]), sort=str(pool.lots[r]))
        if c == 2:
            return Cell(str(pool.test_dates[r]), sort=str(pool.test_dates[r]))
        if c == SLOT:
            slot = self._placed.get(pool.serials[r])
            if slot is None:
                return Cell(self.tr("spare") if self._spare_marks else "", sort=10 ** 9)
            return Cell(str(slot), sort=int(slot), align_right=True)
        value = round(float(pool.values[r, self._cols[c - 4]]), 4)
        return Cell(f"{value:g}", sort=value, align_right=True)

    def _excluded_cell(self, e: Any, c: int) -> Cell:
        key = ("excluded", id(e), c)        # the reasons' words: once per shown pool
        cell = self._cell_cache.get(key)
        if cell is None:
            cell = self._cell_cache[key] = self._make_excluded_cell(e, c)
        return cell

    def _make_excluded_cell(self, e: Any, c: int) -> Cell:
        if c == 0:
            return Cell(e.serial)
        if c == 1:
            return Cell(str(e.row), align_right=True)
        reason = "; ".join(self.reason_text(x) for x in e.reasons)
        # the full wording (and the English of the record) in the tooltip
        return Cell(reason, tip="\n".join(dict.fromkeys([reason, *e.reasons])))

    def reason_text(self, reason: str) -> str:
        """An import reason (English in the report, the JSON and the log) in the user's
        language; a reason of unknown form is shown as it is."""
        what = {
            "lowest channel gain (dead channel)": self.tr("lowest channel gain (dead channel)"),
            "highest channel gain (hot channel)": self.tr("highest channel gain (hot channel)"),
            "highest channel noise": self.tr("highest channel noise"),
            "highest channel afterglow": self.tr("highest channel afterglow"),
            "largest |linearity deviation|": self.tr("largest |linearity deviation|"),
            "largest |temperature drift|": self.tr("largest |temperature drift|"),
            "highest crosstalk": self.tr("highest crosstalk"),
        }
        m = re.fullmatch(r"out of spec: (.+) (\S+) \(limit (.+)\)", reason)
        if m and m.group(1) in what:
            return self.tr("out of spec: {what} {value} (limit {limit})").format(
                what=what[m.group(1)], value=m.group(2), limit=m.group(3))
        if reason == "no module serial":
            return self.tr("no module serial")
        m = re.fullmatch(r"bad test date '(.*)'", reason)
        if m:
            return self.tr("bad test date '{date}'").format(date=m.group(1))
        kinds = {"not a number": self.tr("not a number"),
                 "missing value": self.tr("missing value"),
                 "NaN or infinite": self.tr("NaN or infinite")}
        m = re.fullmatch(r"(not a number|missing value|NaN or infinite) in (\d+) "
                         r"indicator\(s\): (.*)", reason)
        if m:
            return self.tr("{kind} in {n} indicator(s): {names}").format(
                kind=kinds[m.group(1)], n=m.group(2), names=m.group(3))
        m = re.fullmatch(r"duplicate serial \(rows (.*)\)", reason)
        if m:
            return self.tr("duplicate serial (rows {rows})").format(rows=m.group(1))
        m = re.fullmatch(r"duplicate measurements with different values: (.*)", reason)
        if m:
            return self.tr("measured twice with different values: {values}").format(
                values=m.group(1))
        fields = {"lots": self.tr("lots"), "test dates": self.tr("test dates")}
        m = re.fullmatch(r"conflicting (lots|test dates): (.*)", reason)
        if m:
            return self.tr("conflicting {what}: {values}").format(what=fields[m.group(1)],
                                                                   values=m.group(2))
        return reason

    def _apply_filter(self, text: str) -> None:
        self.proxy.set_text(text)


class _SerialLotFilter(ForwardingSortProxy):
    """Rows whose serial or lot contains the filter text (case-insensitive); sorting is
    the model's (in Python, one cell per row)."""

    _text = ""

    def set_text(self, text: str) -> None:
        if not hasattr(self, "beginFilterChange"):      # Qt < 6.9
            self._text = text.strip().lower()
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self._text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: Any) -> bool:  # noqa: N802, ARG002 - Qt API
        if not self._text:
            return True
        model = self.sourceModel()
        return any(self._text in model.cell(row, c).text.lower() for c in (0, 1))


class _PoolTable(QTableView):
    """The old QTableWidget accessors the shell and tests use, on the model."""

    on_resized: Any = None        # called (next turn) after the viewport changed its size

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # a stretched column's width follows the viewport's (a vertical scroll bar that
        # comes or goes changes it without resizing the view)
        if event.type() == QEvent.Type.Resize and self.on_resized is not None:
            QTimer.singleShot(0, self, self.on_resized)
        return super().viewportEvent(event)

    def rowCount(self) -> int:  # noqa: N802 - QTableWidget name
        return self.model().rowCount()

    def header_text(self, c: int) -> str:
        return str(self.model().headerData(c, Qt.Orientation.Horizontal))

    def cell_text(self, r: int, c: int) -> str:
        return str(self.model().index(r, c).data() or "")

    def cell_tip(self, r: int, c: int) -> str:
        return str(self.model().index(r, c).data(Qt.ItemDataRole.ToolTipRole) or "")
