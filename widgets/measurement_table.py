"""MeasurementTable: a sortable table over a list of app.core.measurement.Measurement.

    table = MeasurementTable(parent, object_name="ctqc_results")
    table.set_measurements(result.measurements, labels={"noise.sd_hu": "Noise (SD)"})
    table.set_label_source(name_of_key)   # or: names asked anew on a language switch
    table.sig_measurement_selected.connect(viewer.highlight_roi)   # carries the key

Columns (model order): measurement (label or key), value, unit, limits, verdict. On screen
the verdict sits right after the unit (before the limits) and the columns always fit the
view: the limits, then the name give way first, so a row's verdict is never behind a
scroll bar. A name wraps at its words onto more lines (the row grows) rather than being
cut ("Low-cont…" at 1366 x 768); only a single word wider than the column is elided; the
tooltip holds the full name, the key, the exact limits and the verdict's meaning. The verdict cell is coloured
by state and carries its word (never colour alone); every other cell stays neutral.
A value and its limits are shown to the same decimals (``display_decimals``); the exact
limits are in the tooltip. Sorting uses raw values. Display only: records keep raw values.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex,
                            QPersistentModelIndex, QRect, QSortFilterProxyModel, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget)

from app.core.measurement import Measurement, Verdict
from widgets.measurement_text import (MAX_DECIMALS, display_decimals,  # noqa: F401
                                      format_value, limits_text, value_text)
from widgets.note_texts import note_text
from widgets.rows_model import fit_columns
from widgets.state_style import TEXT_ON_STATE, verdict_color
from widgets.verdict_badge import verdict_text, verdict_tooltip

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
COL_NAME, COL_VALUE, COL_UNIT, COL_LIMITS, COL_VERDICT = range(5)
FITTED = (COL_VALUE, COL_UNIT, COL_LIMITS, COL_VERDICT)
NAME_FLOOR = 72          # the narrowest an elided name gets before the table scrolls
WRAP_PAD = 8             # px above + below a name on two or more lines (a row stays dense)
_ROLES = frozenset(int(r) for r in (
    KEY_ROLE, SORT_ROLE, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole))


class MeasurementItemModel(QAbstractTableModel):
    """Item model over Measurements (read-only)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Measurement] = []
        self._labels: dict[str, str] = {}
        self._texts: dict[tuple[int, int], str] = {}   # shown texts, until they change

    def set_measurements(self, rows: Sequence[Measurement],
                         labels: Mapping[str, str] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = {}
        if labels is not None:
            self._labels = dict(labels)
        self.endResetModel()

    def set_labels(self, labels: Mapping[str, str]) -> None:
        """Other names for the same rows (a language switch): no reset, so the selection,
        the sort and the scroll position stay."""
        self._labels = dict(labels)
        self.retranslate()

    def text(self, row: int, col: int) -> str:
        """The text a cell shows (computed once: a view and the column fitting ask each
        cell many times per layout; a value's decimals take a dozen Python calls)."""
        key = (row, col)
        text = self._texts.get(key)
        if text is None:
            m = self._rows[row]
            if col == COL_NAME:
                text = self._labels.get(m.key, m.key)
            elif col == COL_VALUE:
                text = value_text(m)
            elif col == COL_UNIT:
                text = m.unit
            else:
                text = limits_text(m) if col == COL_LIMITS else verdict_text(m.verdict)
            self._texts[key] = text
        return text

    def measurement(self, row: int) -> Measurement:
        return self._rows[row]

    def rows(self) -> list[Measurement]:
        return self._rows

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
            return self.text(index.row(), col)
        if role == SORT_ROLE:
            if col == COL_VALUE:
                v = m.value
                if isinstance(v, (int, float)) and not isinstance(v, bool) and \
                        not (isinstance(v, float) and math.isnan(v)):
                    return float(v)
                return -math.inf
            if col == COL_VERDICT:
                return m.verdict.rank
            return self.text(index.row(), col)
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
            name = self._labels.get(m.key, m.key)
            parts = [name, m.key] if name != m.key else [m.key]
            exact = m.limits.text() if not m.limits.is_empty() else ""
            if exact or m.limits.source:       # the exact limits: the cell rounds them
                detail = " · ".join(t for t in (exact, m.limits.source) if t)
                parts.append(QCoreApplication.translate("MeasurementTable", "Limits: %1")
                             .replace("%1", detail))
            if m.note:
                parts.append(note_text(m.note))
            parts.append(verdict_tooltip(m.verdict))
            return "\n".join(parts)
        return None

    def retranslate(self) -> None:
        self._texts = {}
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 4)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 4))


class NameDelegate(QStyledItemDelegate):
    """The name column: the text wraps at word boundaries (the other columns stay on one
    line); the table sets each row's height to its wrapped name."""

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt API
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText


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
        self.setWordWrap(False)                 # the figures stay on one line ...
        self.name_delegate = NameDelegate(self)   # ... the name wraps at its words
        self.setItemDelegateForColumn(COL_NAME, self.name_delegate)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # a single too-long word only
        header = self.horizontalHeader()
        # the verdict next to the value (before the limits): the first thing to read
        header.moveSection(header.visualIndex(COL_VERDICT), header.visualIndex(COL_LIMITS))
        self._natural: dict[int, int] = {}
        self._heights: dict[int, dict[str, int]] = {}   # text width -> name -> row height
        self._fitting = False
        self._label_source: Callable[[str], str] | None = None
        # the name takes the room the figures leave, at least a readable width (a stretched
        # name column shrank to "ıre", issue 17); in a narrow pane the limits give way first,
        # then the name (elided, down to NAME_FLOOR), so the verdict stays in view. The
        # figures' widths are set with each result (fit_columns: the longest texts of every
        # row); ResizeToContents asked ~7,000 data() calls on the GUI thread per analysis
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        for col in FITTED:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(24)        # a short verdict/unit column may be narrow
        header.sectionResized.connect(self._on_section_resized)
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.proxy.layoutChanged.connect(self._fit_rows)      # sorted: rows move
        self._fit()

    def _fit(self) -> None:
        self._compact = {}                      # texts or font changed: measured anew
        self._fitting = True
        try:
            fit_columns(self, self.item_model, FITTED)
        finally:
            self._fitting = False
        header = self.horizontalHeader()
        self._natural = {c: header.sectionSize(c) for c in FITTED}
        self._fit_name_column()
        self._fit_rows()

    def _on_section_resized(self, col: int, _old: int, new: int) -> None:
        if col == COL_NAME:
            self._fit_rows()                  # the name wraps anew at its width
            return
        if self._fitting:
            return
        self._natural[col] = new              # the user's width for that column
        self._fit_name_column()

    def min_name_width(self) -> int:
        title = str(self.model().headerData(COL_NAME, Qt.Orientation.Horizontal) or "")
        return max(140, self.fontMetrics().horizontalAdvance(title) + 36)

    def _compact_width(self, col: int) -> int:
        """The least a figure column needs: its widest text (the longest 3 of every row) and
        its title (the sort arrow's room only where it is drawn: the sorted column).
        Remembered until the texts change (``_fit``): every viewport resize asks it, and
        each time it measured every row (~70 ms per language switch in CT QC)."""
        key = (col, self.horizontalHeader().sortIndicatorSection())
        cache = getattr(self, "_compact", None)
        if cache is None:
            cache = self._compact = {}
        if key not in cache:
            cache[key] = self._measure_compact_width(col)
        return cache[key]

    def _measure_compact_width(self, col: int) -> int:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        fm = self.fontMetrics()                 # the 3 widest texts, then the delegate's say
        model = self.item_model                 # every row, in any order: the model's texts
        longest = sorted((fm.horizontalAdvance(model.text(r, col)), r)
                         for r in range(model.rowCount()))[-3:]
        content = max((self.itemDelegate().sizeHint(option, model.index(r, col)).width() + 1
                       for _, r in longest), default=0)
        return max(content, self._compact_title(col))

    def _fit_name_column(self) -> None:
        """Share the viewport so that nothing scrolls and the verdict stays in view: the
        figures at their natural width and the name the rest (at least min_name_width);
        when that does not fit, the figures at their compact width, then the name down to
        NAME_FLOOR (elided in the middle), and last the limits down to their title."""
        header = self.horizontalHeader()
        avail = self.viewport().width()
        widths = {c: self._natural.get(c, header.sectionSize(c)) for c in FITTED}
        floor = self.name_floor()
        if avail - sum(widths.values()) < self.min_name_width():
            widths = {c: min(widths[c], self._compact_width(c)) for c in FITTED}
        rest = avail - sum(widths.values())
        if rest < floor:                         # the limits give way last (elided)
            widths[COL_LIMITS] = max(self._compact_title(COL_LIMITS),
                                     widths[COL_LIMITS] - (floor - rest))
        name = max(floor, avail - sum(widths.values()))
        self._fitting = True
        try:
            for col, width in (*widths.items(), (COL_NAME, name)):
                if header.sectionSize(col) != width:
                    header.resizeSection(col, width)
        finally:
            self._fitting = False

    def _text_width(self) -> int:
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self)
        return max(1, self.columnWidth(COL_NAME) - 2 * (margin + 1))

    def _wrapped(self, text: str) -> QRect:
        return self.fontMetrics().boundingRect(
            QRect(0, 0, self._text_width(), 100000),
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), text)

    def _fit_rows(self) -> None:
        """Each row as high as its wrapped name (one line: the default height); a few
        dozen rows of one font metric each - no ResizeToContents on the GUI thread. A name's
        height is remembered per column width (a layout sets the width several times)."""
        base = self.verticalHeader().defaultSectionSize()
        pad = min(WRAP_PAD, max(0, base - self.fontMetrics().lineSpacing()))
        width = self._text_width()
        if width not in self._heights and len(self._heights) >= 8:
            self._heights = {}                  # many widths seen (resizes): start over
        heights = self._heights.setdefault(width, {})
        model, proxy = self.item_model, self.proxy
        for r in range(proxy.rowCount()):
            text = model.text(proxy.mapToSource(proxy.index(r, COL_NAME)).row(), COL_NAME)
            height = heights.get(text)
            if height is None:
                height = heights[text] = max(base, self._wrapped(text).height() + pad)
            if self.rowHeight(r) != height:
                self.setRowHeight(r, height)

    def name_floor(self) -> int:
        """The narrowest the name column gets (its title whole) before the limits elide."""
        return max(NAME_FLOOR, self._compact_title(COL_NAME))

    def _compact_title(self, col: int) -> int:
        """A column title's width without the sort arrow's room (Qt adds the header's height
        and a margin to every title while sorting is on; the arrow shows on one column)."""
        header = self.horizontalHeader()
        hint = header.sectionSizeHint(col)
        if header.isSortIndicatorShown() and header.sortIndicatorSection() != col:
            margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
            hint -= header.sizeHint().height() + margin
        return max(hint + 6, header.minimumSectionSize())

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:   # e.g. the vertical scroll bar came
            self._fit_name_column()
        return super().viewportEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_name_column()

    def set_label_source(self, source: Callable[[str], str] | None) -> None:
        """``source(key)``: a measurement's name in the current language. With a source the
        names are asked anew on a language switch and change in place (the selection, the
        sort and the scroll position stay; the rows are fitted once)."""
        self._label_source = source

    def set_measurements(self, rows: Sequence[Measurement],
                         labels: Mapping[str, str] | None = None) -> None:
        if labels is None and self._label_source is not None:
            labels = {m.key: self._label_source(m.key) for m in rows}
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
            rows = self.item_model.rows()
            if self._label_source is not None and rows:
                self.item_model.set_labels({m.key: self._label_source(m.key) for m in rows})
            else:
                self.item_model.retranslate()
            self._fit()
        elif event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._compact = {}                  # other metrics: measured anew
            self._heights = {}
        super().changeEvent(event)
