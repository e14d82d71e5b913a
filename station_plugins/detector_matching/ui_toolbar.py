"""The top bar of the detector-matching panel: import the pool (file / test database),
detector model, seed, time limit, neighbour cost, Optimise and the run's progress.
It wraps at 1366 px and in Chinese (FlowLayout) instead of widening the window."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton,
                               QSpinBox, QWidget)

from widgets.flow_layout import FlowLayout
from widgets.progress_bar import TaskProgressBar
from widgets.tasks import TaskController

from station_plugins.detector_matching.presenter import progress_text
from station_plugins.detector_matching.ui_side import dm_tr

COST_KEYS = ("auto", "physics", "learned")


class OptimiseBar(QWidget):
    sig_import_file = Signal()
    sig_import_db = Signal()
    sig_model_chosen = Signal(str)
    sig_optimise = Signal()

    def __init__(self, models: list[str], model: str, runner: TaskController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dm_optimise_bar")
        self.import_button = self._button("import_button", self.sig_import_file)
        self.import_db_button = self._button("import_db_button", self.sig_import_db)
        self.model_combo = QComboBox(self)
        self.model_combo.setObjectName("detector_model_combo")
        for name in models:
            self.model_combo.addItem(name, name)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(model)))
        self.model_combo.currentIndexChanged.connect(
            lambda _i: self.sig_model_chosen.emit(str(self.model_combo.currentData())))
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("seed_spin")
        self.seed_spin.setRange(0, 10 ** 6)
        self.time_spin = QDoubleSpinBox(self)
        self.time_spin.setObjectName("time_limit_spin")
        self.time_spin.setRange(0.5, 600)
        self.time_spin.setValue(5.0)
        self.time_spin.setSuffix(" s")
        self.cost_combo = QComboBox(self)
        self.cost_combo.setObjectName("cost_combo")
        for key in COST_KEYS:
            self.cost_combo.addItem(key, key)
        self.optimise_button = self._button("optimise_button", self.sig_optimise)
        self.progress = TaskProgressBar(
            self, object_name="optimise_progress", controller=runner,
            message_text=lambda m: progress_text(m, dm_tr))   # the workers' English, translated
        self.model_label, self.seed_label = QLabel(self), QLabel(self)
        self.time_label, self.cost_label = QLabel(self), QLabel(self)
        lay = FlowLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.import_button)
        lay.addWidget(self.import_db_button)
        # a label wraps together with its field (in Chinese "相邻代价" ended one line and
        # its list began the next)
        for label, field in ((self.model_label, self.model_combo),
                             (self.seed_label, self.seed_spin),
                             (self.time_label, self.time_spin),
                             (self.cost_label, self.cost_combo)):
            pair = QWidget(self)
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(label)
            row.addWidget(field)
            lay.addWidget(pair)
        lay.addWidget(self.optimise_button)
        lay.addWidget(self.progress, stretch=True)

    def _button(self, name: str, signal: Signal) -> QPushButton:
        b = QPushButton(self)
        b.setObjectName(name)
        b.clicked.connect(signal)
        return b

    def set_busy(self, busy: bool) -> None:
        for w in (self.optimise_button, self.import_button, self.import_db_button):
            w.setEnabled(not busy)

    def retranslate_ui(self) -> None:
        self.import_button.setText(dm_tr("Import pool..."))
        self.import_db_button.setText(dm_tr("From test database..."))
        self.import_db_button.setToolTip(dm_tr(
            "Read the module test results from the MES / test database (table in long "
            "format: module_serial, lot, test_date, schema_version, indicator, value, unit)."))
        self.model_label.setText(dm_tr("Detector model"))
        self.seed_label.setText(dm_tr("Seed"))
        self.time_label.setText(dm_tr("Time limit"))
        self.cost_label.setText(dm_tr("Neighbour cost"))
        for i, text in enumerate((dm_tr("learned if available"), dm_tr("physics only"),
                                  dm_tr("learned"))):
            self.cost_combo.setItemText(i, text)
        self.optimise_button.setText(dm_tr("Optimise"))

