"""Sync page: connection state, backlog, oldest unsynced age, last error, the backlog
table and a "Sync now" that runs in the background.

    page = SyncPage(sync_service, tasks=task_runner)

Status arrives from the sync thread through a queued signal; the backlog table is read
in the background (TaskController) after every status change and on "Refresh".
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from app.core.sync_status import LOCAL_ONLY, SyncStatus
from app.runtime.task_runner import TaskRunner
from app.ui.status_words import detail_text
from widgets.message_bar import MessageBar
from widgets.rows_model import Cell, RowsModel, RowsTable
from widgets.tasks import TaskController

COLUMNS = ("id", "table_name", "row_id", "station_seq", "created_utc", "attempts",
           "quarantined", "last_error")
BACKLOG_ROWS = 500


class SyncPage(QWidget):
    sig_status_changed = Signal(object)   # SyncStatus, emitted from any thread

    def __init__(self, service: Any, *, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_page")
        self.service = service
        self._shown_status: SyncStatus | None = None   # shown again at a language switch
        self.messages = MessageBar(self, object_name="sync_messages")
        self.messages.hide()
        self.state_label = self._value("sync_state")
        self.connected_label = self._value("sync_connected")
        self.backlog_label = self._value("sync_backlog")
        self.oldest_label = self._value("sync_oldest")
        self.quarantined_label = self._value("sync_quarantined")
        self.last_sync_label = self._value("sync_last_sync")
        self.error_label = self._value("sync_last_error")
        self.error_label.setWordWrap(True)
        self.form = QFormLayout()
        self._form_labels = [QLabel(self) for _ in range(7)]
        for lab, val in zip(self._form_labels, (
                self.state_label, self.connected_label, self.backlog_label, self.oldest_label,
                self.quarantined_label, self.last_sync_label, self.error_label)):
            self.form.addRow(lab, val)
        self.sync_button = QPushButton(self)
        self.sync_button.setObjectName("sync_now_button")
        self.sync_button.clicked.connect(self.sync_now)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("sync_refresh_button")
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        self.model_ = RowsModel(self._headers, self._cell, self)
        self.table = RowsTable(self.model_, self, name="sync_backlog_table", sortable=True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.messages)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

        self._sync_task = TaskController(tasks, self)
        self._sync_task.sig_finished.connect(self._on_synced)
        self._sync_task.sig_failed.connect(self._on_sync_failed)
        self._load_task = TaskController(tasks, self)
        self._load_task.sig_finished.connect(self._show_rows)
        self._load_task.sig_failed.connect(self.messages.show_error)
        self.sig_status_changed.connect(self._show_status, Qt.ConnectionType.QueuedConnection)
        self._listener = listener = self.sig_status_changed.emit
        service.add_listener(listener)
        self.destroyed.connect(lambda *_: service.remove_listener(listener))
        self.retranslate_ui()
        self._show_status(service.status)
        self.refresh()

    def _value(self, name: str) -> QLabel:
        lab = QLabel(self)
        lab.setObjectName(name)
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return lab

    def detach(self) -> None:
        """Stop listening to the service (call before the service goes away)."""
        self.service.remove_listener(self._listener)
        self._sync_task.cancel(silent=True)
        self._load_task.cancel(silent=True)

    # --- actions ----------------------------------------------------------------
    def sync_now(self) -> None:
        if not self.service.enabled or self._sync_task.running:
            return
        self.sync_button.setEnabled(False)
        self.messages.hide()
        self._sync_task.start(self._sync_job)

    def _sync_job(self, *, token, progress) -> dict:
        return self.service.sync_once(token=token, progress=progress, pull=True)

    def refresh(self) -> None:
        self._load_task.start(self._load_job)

    def _load_job(self, *, token, progress) -> tuple[SyncStatus, list[dict]]:
        status = self.service.refresh_backlog()
        return status, self.service.backlog_rows(BACKLOG_ROWS)

    # --- results ----------------------------------------------------------------
    @Slot(object)
    def _on_synced(self, report: dict) -> None:
        self.sync_button.setEnabled(self.service.enabled)
        counts = (report.get("pushed", 0), report.get("quarantined", 0), report.get("pulled", 0))
        self.messages.show_message(
            lambda: self.tr("Pushed {0} rows ({1} quarantined); {2} configuration items "
                            "pulled.").format(*counts), level="success")
        self.refresh()

    @Slot(object)
    def _on_sync_failed(self, exc: object) -> None:
        self.sync_button.setEnabled(self.service.enabled)
        self.messages.show_error(exc)
        self.refresh()

    @Slot(object)
    def _show_rows(self, result: tuple[SyncStatus, list[dict]]) -> None:
        _status, rows = result
        self.model_.set_rows((row.get("id", i), row) for i, row in enumerate(rows))

    def _headers(self) -> list[str]:
        return [self.tr("#"), self.tr("Table"), self.tr("Row id"), self.tr("Seq"),
                self.tr("Created (UTC)"), self.tr("Attempts"), self.tr("Quarantined"),
                self.tr("Error")]

    def _cell(self, row: dict, c: int) -> Cell:
        key = COLUMNS[c]
        value = row.get(key)
        if key == "quarantined":
            return Cell(self.tr("yes") if value else "", sort=1 if value else 0)
        text = "" if value is None else str(value)
        numeric = key in ("id", "station_seq", "attempts")
        return Cell(text, tip=text if key == "last_error" else "", align_right=numeric,
                    sort=value if numeric and isinstance(value, (int, float)) else text)

    @Slot(object)
    def _show_status(self, s: SyncStatus) -> None:
        self._shown_status = s
        state = s.summary() if s.state == LOCAL_ONLY else s.summary().split("; ")[0]
        self.state_label.setText(detail_text(state) if s.state == LOCAL_ONLY or not s.central
                                 else f"{detail_text(state)} - {s.central}")
        self.state_label.setProperty("level", s.level)
        self.connected_label.setText({True: self.tr("yes"), False: self.tr("no"),
                                      None: self.tr("not yet")}[s.connected])
        self.backlog_label.setText(str(s.backlog))
        age = s.oldest_age_s()
        self.oldest_label.setText("" if age is None or not s.backlog
                                  else self.tr("{0:.0f} s").format(age))
        self.quarantined_label.setText(str(s.quarantined))
        self.last_sync_label.setText(s.last_sync_utc or self.tr("never"))
        self.error_label.setText(f"{s.last_error} [{s.last_error_code}]" if s.last_error else "")
        self.sync_button.setEnabled(s.enabled and not self._sync_task.running)

    # --- language ---------------------------------------------------------------
    def retranslate_ui(self) -> None:
        for lab, text in zip(self._form_labels, (
                self.tr("State"), self.tr("Connected"), self.tr("Backlog (rows)"),
                self.tr("Oldest unsynced"), self.tr("Quarantined"), self.tr("Last sync (UTC)"),
                self.tr("Last error"))):
            lab.setText(text)
        self.sync_button.setText(self.tr("Sync now"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.model_.retranslate()
        if not self.service.enabled:
            self.sync_button.setToolTip(self.tr("No central database configured "
                                                "([database] central_url)."))
        if self._shown_status is not None:
            self._show_status(self._shown_status)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
