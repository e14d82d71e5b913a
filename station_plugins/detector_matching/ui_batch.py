"""The batch tab of the detector-matching panel: the spec, how many detectors, "build",
the batch's summary and its detectors (a QTableView on a RowsModel), "open in the arc
view". It asks with signals; the panel runs the batch and opens a detector."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QAbstractItemView, QDoubleSpinBox, QFormLayout, QHeaderView,
                               QLabel, QPushButton, QSpinBox, QTableView, QVBoxLayout,
                               QWidget)
from PySide6.QtCore import Signal

from widgets.rows_model import Cell, RowsModel

from station_plugins.detector_matching import presenter as P
from station_plugins.detector_matching.ui_side import dm_tr

NOT_MET = "#8b0000"


class BatchTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch_table")
        self.model_ = RowsModel(lambda: [dm_tr("Detector"), dm_tr("Cost/slot"), dm_tr("Spec"),
                                         dm_tr("Note")], self._cell, self)
        self.setModel(self.model_)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    @staticmethod
    def _cell(row: P.BatchRow, c: int) -> Cell:
        if c == 0:
            return Cell(row.detector)
        if c == 1:
            return Cell(row.cost, align_right=True)
        if c == 2:
            return Cell(row.spec, foreground=None if row.meets_spec else NOT_MET)
        return Cell(row.note, tip=row.note_tip)

    def rowCount(self) -> int:  # noqa: N802 - the old QTableWidget name, kept for callers
        return self.model_.rowCount()

    def set_rows(self, rows: list[P.BatchRow]) -> None:
        self.model_.set_rows(enumerate(rows))

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None


class BatchTab(QWidget):
    sig_build = Signal()
    sig_open = Signal()          # open the selected detector

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec_spin = QDoubleSpinBox(self)
        self.spec_spin.setObjectName("batch_spec_spin")
        self.spec_spin.setDecimals(3)
        self.spec_spin.setRange(0.001, 1000.0)
        self.spec_spin.setSingleStep(0.01)
        self.spec_spin.setValue(1.6)
        self.detectors_spin = QSpinBox(self)
        self.detectors_spin.setObjectName("batch_detectors_spin")
        self.detectors_spin.setRange(0, 1000)
        self.batch_button = QPushButton(self)
        self.batch_button.setObjectName("batch_button")
        self.batch_button.clicked.connect(self.sig_build)
        self.summary = QLabel(self)
        self.summary.setObjectName("batch_summary")
        self.summary.setWordWrap(True)
        self.table = BatchTable(self)
        self.table.doubleClicked.connect(lambda _i: self.sig_open.emit())
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("open_batch_detector_button")
        self.open_button.clicked.connect(self.sig_open)
        form = QFormLayout()
        self.spec_label, self.detectors_label = QLabel(self), QLabel(self)
        form.addRow(self.spec_label, self.spec_spin)
        form.addRow(self.detectors_label, self.detectors_spin)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.batch_button)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.open_button)
        self._batch: Any = None

    @property
    def spec(self) -> float:
        return float(self.spec_spin.value())

    @property
    def detectors(self) -> int | None:
        return self.detectors_spin.value() or None      # 0: as many as fit

    def show_batch(self, batch: Any) -> None:
        self._batch = batch
        self.summary.setText(P.batch_summary(batch, dm_tr))
        self.table.set_rows(P.batch_rows(batch, dm_tr))
        self.open_button.setEnabled(batch is not None)

    def retranslate_ui(self) -> None:
        self.spec_label.setText(dm_tr("Spec: cost per slot at most"))
        self.detectors_label.setText(dm_tr("Detectors"))
        self.detectors_spin.setSpecialValueText(dm_tr("as many as fit"))
        self.batch_button.setText(dm_tr("Build detectors from the pool"))
        self.open_button.setText(dm_tr("Open selected detector in the arc view"))
        self.table.model_.retranslate()
        self.show_batch(self._batch)
