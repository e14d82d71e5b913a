"""Intake part of the CT QC panel: the receive toggle and its status, folder import,
demo scanner, rejected files (reason + quarantine path) and the intake activity log.

IntakeService calls back from network / poller threads; :class:`IntakeBridge` turns
those calls into queued signals so that widgets only change on the GUI thread.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHeaderView, QLabel, QListWidget, QPushButton,
    QTableWidget, QTableWidgetItem, QWidget)

from widgets.flow_layout import FlowLayout
from widgets.state_style import LIGHT_COLORS

from station_plugins.ct_qc import workflow


class IntakeBridge(QObject):
    """IntakeService callbacks (any thread) -> queued signals (GUI thread)."""

    sig_event = Signal(object)              # IntakeEvent
    sig_series_complete = Signal(object)    # workflow.SeriesEntry of a complete series
    sig_error = Signal(object)              # BaseException

    def callbacks(self) -> dict:
        return {"on_event": self.sig_event.emit,
                "on_series_complete": self._complete,
                "on_error": self.sig_error.emit}

    def _complete(self, info: Any) -> None:
        # the header read happens here, on the intake's thread, not on the GUI thread
        self.sig_series_complete.emit(workflow.entry_from_info(info))


class IntakeBar(QWidget):
    """[Receive from scanners] status · [Import folder…] [Simulate series] [Demo scanner]
    [x] analyse complete series automatically."""

    def __init__(self, demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_intake_bar")
        self.receive_button = QPushButton(self)
        self.receive_button.setObjectName("ct_qc_receive")
        self.receive_button.setCheckable(True)
        self.light = QLabel(self)
        self.light.setObjectName("ct_qc_receive_light")
        self.light.setFixedWidth(14)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("ct_qc_receive_status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_button = QPushButton(self)
        self.import_button.setObjectName("ct_qc_import")
        self.simulate_button = QPushButton(self)
        self.simulate_button.setObjectName("ct_qc_simulate")
        self.demo_button = QPushButton(self)
        self.demo_button.setObjectName("ct_qc_demo_scanner")
        self.demo_button.setVisible(demo)
        self.simulate_button.setVisible(demo)
        self.auto_check = QCheckBox(self)
        self.auto_check.setObjectName("ct_qc_auto_analyse")
        lay = FlowLayout(self)      # wraps at 1366 px / in Chinese instead of widening
        lay.addWidget(self.receive_button)
        lay.addWidget(self.light)
        lay.addWidget(self.status_label, stretch=True)
        lay.addWidget(self.auto_check)
        for w in (self.import_button, self.simulate_button, self.demo_button):
            lay.addWidget(w)
        self._state, self._detail = "off", ""
        self.retranslate_ui()

    def set_status(self, state: str, detail: str) -> None:
        """state: ok (receiving) / off / error / starting."""
        self._state, self._detail = state, detail
        colour = LIGHT_COLORS.get(state, LIGHT_COLORS["unknown"])
        self.light.setStyleSheet(f"background: {colour}; border-radius: 6px; min-height: 12px;"
                                 f" max-height: 12px;")
        self.receive_button.blockSignals(True)
        self.receive_button.setChecked(state in ("ok", "starting"))
        self.receive_button.blockSignals(False)
        self.demo_button.setEnabled(state == "ok")
        self.retranslate_ui()

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    def retranslate_ui(self) -> None:
        self.receive_button.setText(self.tr("Stop receiving") if self._state in ("ok", "starting")
                                    else self.tr("Receive from scanners"))
        self.status_label.setText(self._detail or self.tr("Receiver off"))
        self.import_button.setText(self.tr("Import folder…"))
        self.simulate_button.setText(self.tr("Simulate series"))
        self.demo_button.setText(self.tr("Demo scanner"))
        self.demo_button.setToolTip(self.tr("Push a simulated phantom series from a simulated "
                                            "scanner to this station's receiver"))
        self.auto_check.setText(self.tr("Analyse complete series automatically"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class RejectedTable(QTableWidget):
    """Files the intake refused: when, from where, the specific reason, where kept."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setObjectName("ct_qc_rejected")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideLeft)   # a path keeps its file name
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(3, 150)
        self._files: list[Any] = []
        self.retranslate_ui()

    def add_rejected(self, rejected: Any) -> None:
        """A RejectedFile (reason, code, message, source, quarantine_path)."""
        self._files.append(rejected)
        r = self.rowCount()
        self.insertRow(r)
        source = str(rejected.source)
        when = str(getattr(rejected, "received_utc", "") or "")[11:19]
        reason = f"{rejected.message} [{rejected.code}]"
        kept = str(rejected.quarantine_path or self.tr("not kept (too large)"))
        short = Path(kept).name if rejected.quarantine_path else kept
        for c, text in enumerate((when, source.rsplit("/", 1)[-1], reason, short)):
            item = QTableWidgetItem(text)
            item.setToolTip(f"{source}\n{reason}\n{kept}")
            self.setItem(r, c, item)
        self.resizeRowToContents(r)

    def rejected(self) -> list[Any]:
        return list(self._files)

    def retranslate_ui(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Time"), self.tr("File / sender"),
                                        self.tr("Reason"), self.tr("Quarantined as")])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class ActivityLog(QListWidget):
    """The newest intake events (one line each), newest at the bottom."""

    MAX_LINES = 300
    QUIET = ("stored", "duplicate")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_activity")
        self.setUniformItemSizes(True)
        self._stored = 0

    def add_event(self, event: Any) -> None:
        if event.kind in self.QUIET:       # one line per file would drown the rest
            self._stored += 1
            return
        if self._stored:
            self.addItem(f"{event.ts_utc[11:19]}  {self._stored} file(s) stored")
            self._stored = 0
        self.addItem(f"{event.ts_utc[11:19]}  {event.kind}: {event.text}")
        while self.count() > self.MAX_LINES:
            self.takeItem(0)
        self.scrollToBottom()
