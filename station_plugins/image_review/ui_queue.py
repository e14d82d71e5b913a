"""The reviewer queue table: priority, age, scanner, AI class, reasons, status, assignee;
sortable, filterable by scanner / class / status / date."""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit,
                               QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyle,
                               QTableView, QVBoxLayout, QWidget)

from station_plugins.image_review.ui_queue_model import (  # noqa: F401 - re-exported
    COLUMNS, PAIRED, SHOWN_ROLE, TO_REVIEW, QueueFilterProxy, QueueItemModel, age_text)
from station_plugins.image_review.ui_texts import class_text, status_text


class QueueView(QWidget):
    sig_item_selected = Signal(str)
    sig_assign_requested = Signal(str)
    sig_refresh_requested = Signal()

    STATUS_FILTERS = (("to_review", TO_REVIEW), ("all", None), ("open", ("open",)),
                      ("awaiting_second", ("awaiting_second",)), ("approved", ("approved",)),
                      ("rejected", ("rejected",)))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False             # fitting held back (fitted once afterwards)
        self._rows_fitted_at = -1       # the reasons' width the rows were fitted to
        self.setObjectName("review_queue_view")
        self.item_model = QueueItemModel(self)
        self.proxy = QueueFilterProxy(self)
        self.proxy.setSourceModel(self.item_model)
        self.table = QTableView(self)
        self.table.setMinimumHeight(48)   # the list scrolls; the decision box stays on screen
        self.table.setObjectName("review_queue_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)           # the reasons wrap in their column
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)   # rows fit their texts
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._fit_rows()
        for sig in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.layoutChanged,
                    self.proxy.dataChanged):
            sig.connect(self._fit_rows)          # the font is final once rows arrive
        # widths over every item: a new read or language, never a sort or a filter
        for sig in (self.item_model.modelReset, self.item_model.dataChanged,
                    self.item_model.headerDataChanged):
            sig.connect(self.fit_widths)
        head = self.table.horizontalHeader()
        # widths from each column's longest texts (fit_widths) - ResizeToContents asked
        # every cell of every row at each change (~15,000 data() calls for 200 items)
        head.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        head.setSectionResizeMode(COLUMNS.index("reasons"), QHeaderView.ResizeMode.Stretch)
        head.setStyleSheet("QHeaderView::section { padding: 5px 4px; }")   # theme: 8 px
        head.sectionResized.connect(self._on_section_resized)
        head.sortIndicatorChanged.connect(self.fit_widths)   # the arrow's room moves
        for hidden in PAIRED.values():
            head.hideSection(hidden)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.scanner_combo = QComboBox(self)
        self.scanner_combo.setObjectName("review_filter_scanner")
        self.class_combo = QComboBox(self)
        self.class_combo.setObjectName("review_filter_class")
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("review_filter_status")
        for code, _ in self.STATUS_FILTERS:
            self.status_combo.addItem(code, code)
        self.date_check = QCheckBox(self)
        self.date_check.setObjectName("review_filter_dates")
        self.since_edit = QDateEdit(self)
        self.since_edit.setObjectName("review_filter_since")
        self.until_edit = QDateEdit(self)
        self.until_edit.setObjectName("review_filter_until")
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
        self.since_edit.setDate(QDate.currentDate().addDays(-30))
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("review_refresh")
        self.assign_button = QPushButton(self)
        self.assign_button.setObjectName("review_assign")
        self.assign_button.setEnabled(False)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("review_queue_count")

        for combo in (self.scanner_combo, self.class_combo, self.status_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._apply_filters)
        self.date_check.toggled.connect(self._on_dates_toggled)
        self.since_edit.dateChanged.connect(self._apply_filters)
        self.until_edit.dateChanged.connect(self._apply_filters)
        self.refresh_button.clicked.connect(self.sig_refresh_requested)
        self.assign_button.clicked.connect(
            lambda: self.current_id() and self.sig_assign_requested.emit(self.current_id()))

        # the count, Refresh and Assign end the two filter rows where they fit (zh_CN at
        # 1366x768: the list keeps the height of that row - it showed 2 rows), else they
        # make a row under the list (English: the filters fill their rows); _place_actions
        self._filters = filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for w in (self.status_combo, self.scanner_combo, self.class_combo):
            filters.addWidget(w)
        filters.addStretch(1)
        self._dates = dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        for w in (self.date_check, self.since_edit, self.until_edit):
            dates.addWidget(w)
        dates.addStretch(1)
        self.actions_bar = QWidget(self)
        self.actions_bar.setObjectName("review_queue_actions")
        self._actions = actions = QHBoxLayout(self.actions_bar)
        actions.setContentsMargins(0, 0, 0, 0)
        self._actions_inline = False
        self._put_actions(inline=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(dates)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.actions_bar)
        self.retranslate_ui()

    # --- data --------------------------------------------------------------------------
    def set_items(self, items: list[Any]) -> None:
        """Replace the rows, keeping the selection and the filter choices."""
        keep = self.current_id()
        self.item_model.set_items(items)
        self._fill_combo(self.scanner_combo, sorted({i.scanner_serial for i in items}),
                         self.tr("All scanners"), str)
        self._fill_combo(self.class_combo, sorted({i.ai_label for i in items if i.ai_label}),
                         self.tr("All AI classes"), class_text)
        if keep:
            self.select_id(keep)
        self._update_count()

    def _fill_combo(self, combo: QComboBox, values: list[str], all_text: str, text) -> None:  # noqa: ANN001
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_text, None)
        for v in values:
            combo.addItem(text(v), v)
        idx = combo.findData(current)
        combo.setCurrentIndex(max(idx, 0))
        combo.blockSignals(False)
        if idx < 0 and current is not None:
            self._apply_filters()

    def visible_ids(self) -> list[str]:
        return [self.item_model.item_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).id
                for r in range(self.proxy.rowCount())]

    def current_id(self) -> str | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return self.item_model.item_at(self.proxy.mapToSource(idx).row()).id

    def select_id(self, item_id: str) -> bool:
        for r, iid in enumerate(self.visible_ids()):
            if iid == item_id:
                self.table.selectRow(r)
                self.table.setCurrentIndex(self.proxy.index(r, 0))
                return True
        return False

    def select_next(self) -> str | None:
        """The next visible item after the current one (wraps); None when empty."""
        ids = self.visible_ids()
        if not ids:
            return None
        cur = self.current_id()
        nxt = ids[(ids.index(cur) + 1) % len(ids)] if cur in ids else ids[0]
        self.select_id(nxt)
        return nxt

    # --- filters -------------------------------------------------------------------------
    def _on_dates_toggled(self, on: bool) -> None:
        self.since_edit.setEnabled(on)
        self.until_edit.setEnabled(on)
        self._apply_filters()

    def _apply_filters(self, *_: Any) -> None:
        statuses = dict(self.STATUS_FILTERS).get(self.status_combo.currentData(), TO_REVIEW)
        dates = self.date_check.isChecked()
        self.proxy.set_filters(
            scanner=self.scanner_combo.currentData(), ai_class=self.class_combo.currentData(),
            statuses=statuses,
            since=self.since_edit.date().toString("yyyy-MM-dd") if dates else None,
            until=self.until_edit.date().toString("yyyy-MM-dd") if dates else None)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(self.tr("%1 of %2 items").replace(
            "%1", str(self.proxy.rowCount())).replace("%2", str(self.item_model.rowCount())))

    def _fit_rows(self, *_args: Any) -> None:
        if not self._quiet:
            self.fit_rows()

    def fit_widths(self, *_args: Any) -> None:
        """The shown columns as wide as their widest line over *every* item (so sorting
        and filtering never move them) and their titles; the reasons stretch. A title
        gets the sort arrow's room only where the arrow is drawn (Qt's size hint adds it
        to every title while sorting is on: ~50 px a two-line column the reasons
        lacked at 1366x768). One font metric per line, in Python - not
        ``ResizeToContents``, which asked every cell of every row at each change. The
        widths are the fractional advances Qt's text layout wraps by, rounded up: the
        whole-pixel ``QFontMetrics`` rounds 94.06 px down to 94, and "CT-SIM-0002"
        wrapped at its hyphen in a 94 px text rect (English, the column's grid line
        taken)."""
        if self._quiet:
            return
        table, head = self.table, self.table.horizontalHeader()
        fm, model = QFontMetricsF(table.font()), self.item_model
        pad = self.text_pad() + 1                  # both margins and the grid line
        margin = table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, head)
        arrow = head.sizeHint().height() + margin
        items = model.items()
        for c in range(len(COLUMNS)):
            if c in PAIRED.values() or COLUMNS[c] == "reasons":
                continue
            cols = (c, PAIRED[c]) if c in PAIRED else (c,)
            widest = math.ceil(max((fm.horizontalAdvance(model.text(it, k)) for it in items
                                    for k in cols), default=0.0))
            title = head.sectionSizeHint(c) - (0 if head.sortIndicatorSection() == c
                                               else arrow - 6)
            width = max(widest + pad, title)
            if head.sectionSize(c) != width:
                self._quiet = True       # the reasons' rows once, at their last width
                try:
                    head.resizeSection(c, width)
                finally:
                    self._quiet = False
        reasons = head.sectionSize(COLUMNS.index("reasons"))
        if reasons != self._rows_fitted_at:
            self.fit_rows(reasons)

    def fit_rows(self, reasons_width: int | None = None) -> None:
        """Rows two lines high in the table's font (the UI language may change it); a row
        with more reasons (or one that wraps) as high as its reasons - computed for the
        shown rows only, never ``resizeRowsToContents`` (every cell of every row)."""
        table = self.table
        fm = table.fontMetrics()
        self._rows_fitted_at = table.columnWidth(COLUMNS.index("reasons")) \
            if reasons_width is None else reasons_width
        two = 2 * fm.lineSpacing() + 8
        rows = table.verticalHeader()
        rows.setDefaultSectionSize(two)
        col = COLUMNS.index("reasons")
        # the text rect Qt wraps in: the cell less both margins and the grid line; the
        # fractional metrics its text layout uses (whole pixels round a line down)
        width = max((table.columnWidth(col) if reasons_width is None else reasons_width)
                    - self.text_pad() - 1, 20)
        fmf = QFontMetricsF(table.font())
        flags = int(Qt.TextFlag.TextWordWrap)
        for r in range(self.proxy.rowCount()):
            text = str(self.proxy.index(r, col).data() or "")
            wraps = max((fmf.horizontalAdvance(line) for line in text.split("\n")),
                        default=0.0) > width
            need = math.ceil(fmf.boundingRect(QRectF(0, 0, width, 100000), flags,
                                              text).height()) + 8 \
                if text.count("\n") >= 2 or wraps else two
            h = max(two, need)
            if rows.sectionSize(r) != h:
                rows.resizeSection(r, h)

    def text_pad(self) -> int:
        """What a cell leaves of its width to the text (focus frame margins, both sides)."""
        style = self.table.style()
        return 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                      self.table) + 1)

    def _on_section_resized(self, col: int, old: int, new: int) -> None:
        if col == COLUMNS.index("reasons") and old != new and not self._quiet:
            self.fit_rows(new)       # the reasons wrap anew; columnWidth() may still say
                                     # the old width here

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.assign_button.setEnabled(current.isValid())
        if current.isValid():
            self.sig_item_selected.emit(
                self.item_model.item_at(self.proxy.mapToSource(current).row()).id)

    def retranslate_ui(self) -> None:
        names = {"to_review": self.tr("To review"), "all": self.tr("All statuses"),
                 "open": status_text("open"), "awaiting_second": status_text("awaiting_second"),
                 "approved": status_text("approved"), "rejected": status_text("rejected")}
        for i in range(self.status_combo.count()):
            self.status_combo.setItemText(i, names[self.status_combo.itemData(i)])
        if self.scanner_combo.count():
            self.scanner_combo.setItemText(0, self.tr("All scanners"))
        if self.class_combo.count():
            self.class_combo.setItemText(0, self.tr("All AI classes"))
            for i in range(1, self.class_combo.count()):
                self.class_combo.setItemText(i, class_text(self.class_combo.itemData(i)))
        self.date_check.setText(self.tr("Created between"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.assign_button.setText(self.tr("Assign…"))
        self.assign_button.setToolTip(self.tr("Assign the selected item to a reviewer"))
        self._quiet = True              # new titles and texts: fitted once, below (each
        try:                            # signal fitted the widths and rows again)
            self.item_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0,
                                                   len(COLUMNS) - 1)
            if self.item_model.rowCount():
                self.item_model.dataChanged.emit(
                    self.item_model.index(0, 0),
                    self.item_model.index(self.item_model.rowCount() - 1, len(COLUMNS) - 1))
        finally:
            self._quiet = False
        self._rows_fitted_at = -1        # new texts: the rows anew, whatever the width
        self.fit_widths()
        self._update_count()
        self._place_actions()

    # --- the actions' place ----------------------------------------------------------------
    def _put_actions(self, inline: bool) -> None:
        for w in (self.count_label, self.refresh_button, self.assign_button):
            for lay in (self._filters, self._dates, self._actions):
                lay.removeWidget(w)
        if inline:
            self._filters.addWidget(self.count_label)
            self._filters.addWidget(self.refresh_button)
            self._dates.addWidget(self.assign_button)
        else:
            self._actions.insertWidget(0, self.count_label, 1)
            self._actions.insertWidget(1, self.assign_button)
            self._actions.insertWidget(2, self.refresh_button)
        for w in (self.count_label, self.refresh_button, self.assign_button):
            w.show()
        self._actions_inline = inline
        self.actions_bar.setVisible(not inline)

    def _place_actions(self) -> None:
        """The count and Refresh after the filters, Assign after the dates, when both rows
        still fit the queue's width (sizeHints, not the placement: no flip-flop)."""
        gap = self._filters.spacing() if self._filters.spacing() >= 0 else 6
        one = sum(w.sizeHint().width() + gap for w in (
            self.status_combo, self.scanner_combo, self.class_combo, self.count_label,
            self.refresh_button))
        two = sum(w.sizeHint().width() + gap for w in (
            self.date_check, self.since_edit, self.until_edit, self.assign_button))
        inline = max(one, two) <= self.width()
        if inline != self._actions_inline:
            self._put_actions(inline)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place_actions()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
