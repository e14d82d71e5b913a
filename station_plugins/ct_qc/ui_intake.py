"""Intake part of the CT QC panel: the receive toggle and its status, folder import,
demo scanner, rejected files (reason + quarantine path) and the intake activity log.

The station service calls back from network / poller threads; ``ui_service.
ServiceAdapter`` turns those calls into queued signals so that widgets only change on the
GUI thread.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHeaderView, QLabel, QListWidget, QListWidgetItem,
    QPushButton, QTableView, QWidget)

from widgets.flow_layout import FlowLayout
from widgets.rows_model import Cell, RowsModel
from widgets.state_style import LIGHT_COLORS


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
        self._state = "off"
        self._detail: str | Callable[[], str] = ""
        self.retranslate_ui()

    def set_status(self, state: str, detail: str | Callable[[], str]) -> None:
        """state: ok (receiving) / off / error / starting; ``detail`` as shown, or a
        function rendering it in the UI language (called again at a switch)."""
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
        detail = self._detail() if callable(self._detail) else self._detail
        self.status_label.setText(detail or self.tr("Receiver off"))
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


REASON_CHARS = 110       # a rejection's message in the list (whole in the tooltip)
REASON_MIN = 180         # px: the reason column's least width


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"


class RejectedTable(QTableView):
    """Files the intake refused: when, from where, the specific reason, where kept (a live
    table: a row is added as each file is refused)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_rejected")
        self.model_ = RowsModel(self._headers, self._cell, self)
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideLeft)   # a path keeps its file name
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the reason comes second and gets the room (at least REASON_MIN px: squeezed by a
        # stretch it read one letter a line at 1366 x 768); the file and the quarantine
        # file (a hash name; both paths in the tooltip) follow and may scroll into view
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(3, 110)
        h.moveSection(h.visualIndex(2), 1)      # when, why, then which file and where kept
        self._fit_reason()

    def _fit_reason(self) -> None:
        h = self.horizontalHeader()
        room = self.viewport().width() - h.sectionSize(0) - h.sectionSize(1) - h.sectionSize(3)
        width = max(REASON_MIN, room)
        if h.sectionSize(2) != width:
            h.resizeSection(2, width)
            self.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_reason()

    def add_rejected(self, rejected: Any) -> None:
        """A RejectedFile (reason, code, message, source, quarantine_path)."""
        r = self.model_.upsert(self.model_.rowCount(), rejected)
        self._fit_reason()
        self.resizeRowToContents(r)
        self.scrollToBottom()                   # the newest refusal in view

    def rejected(self) -> list[Any]:
        return [self.model_.row(k) for k in self.model_.keys()]

    def count(self) -> int:
        return self.model_.rowCount()

    def cell(self, r: int, c: int) -> Cell:
        return self.model_.cell(r, c)

    def _headers(self) -> list[str]:
        return [self.tr("Time"), self.tr("File / sender"), self.tr("Reason"),
                self.tr("Quarantined as")]

    def _cell(self, rejected: Any, c: int) -> Cell:
        source = str(rejected.source)
        full = f"{rejected.message} [{rejected.code}]"
        kept = str(rejected.quarantine_path or self.tr("not kept (too large)"))
        tip = f"{source}\n{full}\n{kept}"
        # the code first, the message cut at a word (a library's message ran to 14 lines in
        # the narrow list at 1366 x 768); the whole message is in the tooltip
        reason = f"[{rejected.code}] {_shortened(str(rejected.message), REASON_CHARS)}"
        if c == 0:
            return Cell(str(getattr(rejected, "received_utc", "") or "")[11:19], tip=tip)
        if c == 1:
            return Cell(source.rsplit("/", 1)[-1], tip=tip)
        if c == 2:
            return Cell(reason, tip=tip)
        return Cell(Path(kept).name if rejected.quarantine_path else kept, tip=tip)

    def retranslate_ui(self) -> None:
        self.model_.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class ActivityLog(QListWidget):
    """The newest intake events (one line each), newest at the bottom."""

    MAX_LINES = 300
    QUIET = ("stored", "duplicate")
    # the analysis queue's own events: the series list and the progress bar show them
    NOT_LOGGED = frozenset({"series_ready", "queued", "analysing", "progress", "analysed",
                            "analysis_failed", "analysis_cancelled", "waiting"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_activity")
        self.setUniformItemSizes(True)
        self._stored = 0
        self._duplicates = 0

    def event_text(self, event: Any) -> str:
        """The intake service's event in the UI language, what matters first (the line is
        cut at the list's edge; the whole English text is the item's tooltip)."""
        if event.kind == "unchanged":
            u = event.data
            return self.tr("Series unchanged, not analysed again: its result (%1) stands; "
                           "%2 images already stored").replace(
                "%1", u.verdict).replace("%2", str(u.entry.n_images))
        if event.kind == "rejected" and hasattr(event.data, "code"):
            return self.tr("file rejected: %1 [%2]").replace(
                "%1", str(event.data.source).rsplit("/", 1)[-1]).replace("%2", event.data.code)
        m = re.fullmatch(r"series (\S+) complete: (\d+) instances.*", event.text or "")
        if event.kind == "series_complete" and m:
            return self.tr("Series complete: %1 images (%2)").replace(
                "%1", m.group(2)).replace("%2", m.group(1))
        kinds = {"series_complete": self.tr("series complete"),
                 "rejected": self.tr("file rejected"), "quarantined": self.tr("quarantined"),
                 "association": self.tr("scanner connected"), "error": self.tr("error"),
                 "started": self.tr("receiver started"), "stopped": self.tr("receiver stopped")}
        return f"{kinds.get(event.kind, event.kind)}: {event.text}"

    def add_event(self, event: Any) -> None:
        if event.kind in self.NOT_LOGGED:
            return
        if event.kind in self.QUIET:       # one line per file would drown the rest
            if event.kind == "duplicate" or getattr(event.data, "duplicate", False):
                self._duplicates += 1
            else:
                self._stored += 1
            return
        if self._stored:
            self.addItem(f"{event.ts_utc[11:19]}  " + self.tr("%n file(s) stored", "",
                                                             self._stored))
            self._stored = 0
        if self._duplicates:
            self.addItem(f"{event.ts_utc[11:19]}  " + self.tr(
                "%n file(s) already stored (duplicates, not stored again)", "",
                self._duplicates))
            self._duplicates = 0
        item = QListWidgetItem(f"{event.ts_utc[11:19]}  {self.event_text(event)}")
        item.setToolTip(f"{event.ts_utc}\n{event.text}")
        self.addItem(item)
        while self.count() > self.MAX_LINES:
            self.takeItem(0)
        self.scrollToBottom()
