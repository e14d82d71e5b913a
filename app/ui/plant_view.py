"""Plant view for supervisors: query the central database across stations.

    view = PlantView(PlantQueries(central_url), tasks=task_runner)

Tabs: results per scanner serial, fleet trend of one measurement key (plot + per-scanner
summary), alarm KPIs, stations (last seen, backlog, quarantine, anchored audit seq).
Every query runs in the background (TaskController); errors show in the message bar.
Access control (supervisors) is the caller's: open it only after ctx.require(...).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Slot
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QTabWidget, QVBoxLayout, QWidget)

from app.runtime.task_runner import TaskRunner
from widgets.message_bar import MessageBar
from widgets.rows_model import Cell, RowsModel, RowsTable
from widgets.tasks import TaskController
from widgets.trend_plot import TrendPlot


def _cell(row: tuple[dict, list[str]], c: int) -> Cell:
    values, columns = row
    v = values.get(columns[c])
    if v is None:
        return Cell("", sort="")
    if isinstance(v, bool):
        return Cell(str(v), sort=int(v))
    if isinstance(v, (int, float)):
        return Cell(f"{v:.4g}" if isinstance(v, float) else str(v), align_right=True, sort=v)
    return Cell(str(v))


class KeyTable(RowsTable):
    """A sortable live table whose columns are the keys of the rows it is given."""

    def __init__(self, parent: QWidget, name: str) -> None:
        self.columns: list[str] = []
        super().__init__(RowsModel(lambda: list(self.columns), _cell, parent), parent,
                         name=name, sortable=True)
        self.horizontalHeader().setStretchLastSection(True)


def _table(parent: QWidget, name: str) -> KeyTable:
    return KeyTable(parent, name)


def fill_table(table: KeyTable, rows: list[dict], columns: list[str]) -> None:
    """Show ``rows`` (one dict each) in ``columns`` (keys, also the headers)."""
    table.columns = list(columns)
    table.model_.set_rows((i, (row, table.columns)) for i, row in enumerate(rows))


class PlantView(QWidget):
    def __init__(self, queries: Any, *, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plant_view")
        self.queries = queries          # app.adapters.central.plant.PlantQueries
        self.messages = MessageBar(self, object_name="plant_messages")
        self.messages.hide()
        self.days = QSpinBox(self)
        self.days.setObjectName("plant_days")
        self.days.setRange(1, 3650)
        self.days.setValue(90)
        self.days_label = QLabel(self)
        self.reload_button = QPushButton(self)
        self.reload_button.setObjectName("plant_reload_button")
        self.reload_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.days_label)
        top.addWidget(self.days)
        top.addWidget(self.reload_button)
        top.addStretch(1)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("plant_tabs")
        # results per scanner
        self.serial_combo = QComboBox(self)
        self.serial_combo.setObjectName("plant_serial_combo")
        self.serial_combo.activated.connect(lambda _i: self.load_serial())
        self.results_table = _table(self, "plant_results_table")
        self.tabs.addTab(self._page(self.serial_combo, self.results_table), "")
        # fleet trend
        self.key_combo = QComboBox(self)
        self.key_combo.setObjectName("plant_key_combo")
        self.key_combo.activated.connect(lambda _i: self.load_trend())
        self.trend_plot = TrendPlot(self, object_name="plant_trend_plot")
        self.summary_table = _table(self, "plant_fleet_summary_table")
        trend_page = self._page(self.key_combo, self.trend_plot)
        trend_page.layout().addWidget(self.summary_table)
        self.tabs.addTab(trend_page, "")
        self.alarm_table = _table(self, "plant_alarm_table")
        self.tabs.addTab(self._page(None, self.alarm_table), "")
        self.stations_table = _table(self, "plant_stations_table")
        self.tabs.addTab(self._page(None, self.stations_table), "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.messages)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self._tasks: dict[str, TaskController] = {}
        for name, done in (("overview", self._show_overview), ("serial", self._show_serial),
                           ("trend", self._show_trend)):
            tc = TaskController(tasks, self)
            tc.sig_finished.connect(done)
            tc.sig_failed.connect(self.messages.show_error)
            self._tasks[name] = tc
        self.retranslate_ui()

    def _page(self, selector: QWidget | None, body: QWidget) -> QWidget:
        page = QWidget(self)
        lay = QVBoxLayout(page)
        if selector is not None:
            lay.addWidget(selector)
        lay.addWidget(body, 1)
        return page

    # --- background queries -----------------------------------------------------
    def _overview_job(self, days: float, *, token: Any, progress: Any) -> dict:  # noqa: ARG002
        return self.queries.overview(days)

    def reload(self) -> None:
        self.messages.hide()
        self._tasks["overview"].start(self._overview_job, float(self.days.value()))

    def load_serial(self) -> None:
        serial = self.serial_combo.currentText()
        if serial:
            days = float(self.days.value())
            self._tasks["serial"].start(lambda *, token, progress: self.queries.results_for_serial(
                serial, days))

    def load_trend(self) -> None:
        key = self.key_combo.currentText()
        if key:
            days = float(self.days.value())
            self._tasks["trend"].start(lambda *, token, progress: self.queries.fleet(key, days))

    @Slot(object)
    def _show_overview(self, out: dict) -> None:
        for combo, items in ((self.serial_combo, out["serials"]), (self.key_combo, out["keys"])):
            current = combo.currentText()
            combo.clear()
            combo.addItems(items)
            if current in items:
                combo.setCurrentText(current)
        fill_table(self.alarm_table, out["alarms"], ["room", "alarm_id", "events", "raised",
                                                     "cleared", "high", "stations", "last_event"])
        fill_table(self.stations_table, out["stations"], [
            "station_id", "last_seen", "software_version", "schema_version", "backlog",
            "quarantined", "anchored_seq"])
        self.load_serial()
        self.load_trend()

    @Slot(object)
    def _show_serial(self, rows: list[dict]) -> None:
        fill_table(self.results_table, rows, ["created_at", "station_id", "kind", "verdict",
                                              "ref", "signatures", "record_id"])

    @Slot(object)
    def _show_trend(self, result: tuple[str, list[dict], list[dict]]) -> None:
        _key, rows, summary = result
        self.trend_plot.set_points([r["created_at"] for r in rows], [r["value"] for r in rows],
                                   [r["verdict"] for r in rows], [r["record_id"] for r in rows])
        fill_table(self.summary_table, summary, ["scanner_serial", "n", "mean", "sd", "min",
                                                 "max", "warn", "fail"])

    def shutdown(self) -> None:
        for tc in self._tasks.values():
            tc.cancel(silent=True)
        self.queries.close()

    # --- language ---------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.days_label.setText(self.tr("Period (days)"))
        self.reload_button.setText(self.tr("Query central database"))
        for i, text in enumerate((self.tr("Results per scanner"), self.tr("Fleet trend"),
                                  self.tr("Alarm KPIs"), self.tr("Stations"))):
            self.tabs.setTabText(i, text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
