"""Pool view: imported modules with key indicators, a filter, and the excluded modules
with their reasons."""
from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from station_plugins.detector_matching import indicators as I

SHOWN = ("agg_linearity_mean", "agg_afterglow_mean", "agg_spectral_mean", "agg_noise_mean",
         "agg_drift_mean")


class PoolView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pool_view")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("pool_filter")
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.table = QTableWidget(self)
        self.table.setObjectName("pool_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.summary = QLabel(self)
        self.summary.setObjectName("pool_summary")
        self.summary.setWordWrap(True)
        self.excluded = QTableWidget(self)
        self.excluded.setObjectName("pool_excluded_table")
        self.excluded.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.excluded.verticalHeader().setVisible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self.table, 3)
        self.excluded_label = QLabel(self)
        lay.addWidget(self.excluded_label)
        lay.addWidget(self.excluded, 1)
        self._shown: tuple | None = None
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.filter_edit.setPlaceholderText(self.tr("Filter by serial or lot"))
        self.excluded_label.setText(self.tr("Excluded modules"))
        if self._shown is not None:
            self._retranslate_shown()

    def _headers(self) -> list[str]:
        return [self.tr("Serial"), self.tr("Lot"), self.tr("Tested"), self.tr("Slot")] + \
            [c.replace("agg_", "").replace("_mean", "") for c in SHOWN]

    def _retranslate_shown(self) -> None:
        """Language change: headers and the 'spare' marks only (rebuilding the whole pool
        table froze the GUI thread for 0.2-0.3 s)."""
        pool, placed = self._shown
        self.table.setHorizontalHeaderLabels(self._headers())
        spare = self.tr("spare")
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 3)
            if item is not None and isinstance(item.data(Qt.ItemDataRole.DisplayRole), str) \
                    and item.data(Qt.ItemDataRole.UserRole) == "spare":
                item.setData(Qt.ItemDataRole.DisplayRole, spare)
        self._show_excluded(pool)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_pool(self, pool, placed: dict[str, int] | None = None) -> None:  # noqa: ANN001
        self._shown = (pool, placed)
        placed = placed or {}
        headers = self._headers()
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(pool.size)
        cols = [I.COLUMN_INDEX[c] for c in SHOWN]
        values = np.round(pool.values[:, cols], 4).tolist()    # one call, not one per cell
        self.table.setUpdatesEnabled(False)
        for r in range(pool.size):
            serial = pool.serials[r]
            slot = placed.get(serial)
            cells = [serial, pool.lots[r], pool.test_dates[r],
                     self.tr("spare") if slot is None and placed else ("" if slot is None else slot)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, text)
                if c == 3 and slot is None and placed:
                    item.setData(Qt.ItemDataRole.UserRole, "spare")
                self.table.setItem(r, c, item)
            for k, value in enumerate(values[r]):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, value)
                self.table.setItem(r, 4 + k, item)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(60)     # widths from 60 rows, not all of them
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setUpdatesEnabled(True)
        self._show_excluded(pool)

    def _show_excluded(self, pool) -> None:  # noqa: ANN001
        self.excluded.clear()
        self.excluded.setColumnCount(3)
        self.excluded.setHorizontalHeaderLabels([self.tr("Serial"), self.tr("Row"),
                                                 self.tr("Reason")])
        self.excluded.setRowCount(len(pool.excluded))
        for r, e in enumerate(pool.excluded):
            reason = "; ".join(self.reason_text(x) for x in e.reasons)
            for c, text in enumerate((e.serial, str(e.row), reason)):
                item = QTableWidgetItem(text)
                if c == 2:          # the full wording (and the English of the record)
                    item.setToolTip("\n".join(dict.fromkeys([reason, *e.reasons])))
                self.excluded.setItem(r, c, item)
        self.excluded.horizontalHeader().setStretchLastSection(True)
        self.excluded.resizeColumnsToContents()
        rep = pool.report
        self.summary.setText(self.tr("{src}: {acc} modules imported, {exc} excluded").format(
            src=rep.source, acc=pool.size, exc=len(pool.excluded)))
        self._apply_filter(self.filter_edit.text())

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
        t = text.strip().lower()
        for r in range(self.table.rowCount()):
            serial = self.table.item(r, 0)
            lot = self.table.item(r, 1)
            hit = not t or (serial and t in serial.text().lower()) or (lot and t in lot.text().lower())
            self.table.setRowHidden(r, not hit)
