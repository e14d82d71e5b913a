"""Audit trail viewer: filter, read, export (CSV / PDF) and verify the hash chain.

    viewer = AuditViewer(audit_trail, tasks=task_runner)   # tasks: run queries off the GUI
    dlg = AuditViewerDialog(audit_trail, tasks=task_runner, parent=window)

Filters map to ``AuditTrail.entries(username, action, entity, since, until, text, limit)``;
``since``/``until`` are ISO-8601 UTC strings (``2026-01-05T00:00:00.000Z``), the same form
as ``ts_utc``. Without a TaskRunner the calls run inline (tests, small stores).
"""
from __future__ import annotations

from datetime import timezone
from typing import Any, Callable

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QDateTime, QEvent,
                            QModelIndex, QPersistentModelIndex, Qt)
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDateTimeEdit, QDialog,
                               QFileDialog, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.core.errors import PharosError
from app.core.ids import utc_iso
from widgets.message_bar import MessageBar
from widgets.tasks import TaskController

FIELDS = ("seq", "ts_utc", "username", "action", "entity", "entity_id", "old_value",
          "new_value", "reason")
LIMIT = 5000


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 120 else text[:117] + "…"


class AuditItemModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (QCoreApplication.translate("AuditViewer", "#"),
                QCoreApplication.translate("AuditViewer", "Time (UTC)"),
                QCoreApplication.translate("AuditViewer", "User"),
                                           QCoreApplication.translate("AuditViewer", "Action"),
                QCoreApplication.translate("AuditViewer", "Entity"),
                                           QCoreApplication.translate("AuditViewer", "Entity id"),
                QCoreApplication.translate("AuditViewer", "Old value"),
                                           QCoreApplication.translate("AuditViewer", "New value"),
                QCoreApplication.translate("AuditViewer", "Reason"))[section]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = getattr(self.rows[index.row()], FIELDS[index.column()], None)
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(value)
        if role == Qt.ItemDataRole.ToolTipRole and value is not None and len(str(value)) > 120:
            return str(value)
        return None


class AuditViewer(QWidget):
    def __init__(self, audit: Any, *, tasks: Any = None,
                 choose_save_path: Callable[[str, str], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_viewer")
        self._audit = audit
        self._choose = choose_save_path or self._ask_path
        self._load_task = TaskController(tasks, self) if tasks is not None else None
        self._action_task = TaskController(tasks, self) if tasks is not None else None
        self._on_done: dict[int, Callable[[Any], None]] = {}
        for controller in (self._load_task, self._action_task):
            if controller is not None:
                controller.sig_finished.connect(
                    lambda result, key=id(controller): self._on_done[key](result))
                controller.sig_failed.connect(lambda exc: self.message_bar.show_error(exc))
        self.user_edit = self._edit("audit_filter_user")
        self.action_edit = self._edit("audit_filter_action")
        self.entity_edit = self._edit("audit_filter_entity")
        self.text_edit = self._edit("audit_filter_text")
        self.since_check, self.since_edit = self._date("audit_filter_since", days=-7)
        self.until_check, self.until_edit = self._date("audit_filter_until", days=1)
        self.refresh_button = self._button("audit_refresh", self.refresh)
        self.csv_button = self._button("audit_export_csv", lambda: self.export("csv"))
        self.pdf_button = self._button("audit_export_pdf", lambda: self.export("pdf"))
        self.verify_button = self._button("audit_verify", self.verify)
        self.item_model = AuditItemModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("audit_table")
        self.table.setModel(self.item_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("audit_count")
        self.message_bar = MessageBar(self, object_name="audit_messages")
        self._labels = [QLabel(self) for _ in range(4)]
        grid = QGridLayout()
        for col, (label, widget) in enumerate(((self._labels[0], self.user_edit),
                                               (self._labels[1], self.action_edit),
                                               (self._labels[2], self.entity_edit))):
            grid.addWidget(label, 0, 2 * col)
            grid.addWidget(widget, 0, 2 * col + 1)
        grid.addWidget(self.since_check, 1, 0)
        grid.addWidget(self.since_edit, 1, 1)
        grid.addWidget(self.until_check, 1, 2)
        grid.addWidget(self.until_edit, 1, 3)
        grid.addWidget(self._labels[3], 1, 4)
        grid.addWidget(self.text_edit, 1, 5)
        grid.addWidget(self.refresh_button, 0, 6, 2, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        for b in (self.verify_button, self.csv_button, self.pdf_button):
            actions.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.retranslate_ui()
        self.refresh()

    # --- building blocks -------------------------------------------------------
    def _edit(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setClearButtonEnabled(True)
        edit.returnPressed.connect(self.refresh)
        return edit

    def _date(self, name: str, days: int) -> tuple[QCheckBox, QDateTimeEdit]:
        check = QCheckBox(self)
        check.setObjectName(f"{name}_enabled")
        edit = QDateTimeEdit(QDateTime.currentDateTime().addDays(days), self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setEnabled(False)
        check.toggled.connect(edit.setEnabled)
        return check, edit

    def _button(self, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def filters(self) -> dict[str, Any]:
        def iso(check: QCheckBox, edit: QDateTimeEdit) -> str | None:
            if not check.isChecked():
                return None
            return utc_iso(edit.dateTime().toPython().astimezone(timezone.utc))
        return {"username": self.user_edit.text().strip() or None,
                "action": self.action_edit.text().strip() or None,
                "entity": self.entity_edit.text().strip() or None,
                "since": iso(self.since_check, self.since_edit),
                "until": iso(self.until_check, self.until_edit),
                "text": self.text_edit.text().strip() or None}

    def _run(self, controller: TaskController | None, fn: Callable[[], Any],
             done: Callable[[Any], None]) -> None:
        if controller is None:
            try:
                result = fn()
            except PharosError as exc:
                self.message_bar.show_error(exc)
                return
            done(result)
            return
        self._on_done[id(controller)] = done
        controller.start(lambda *, token, progress: fn())

    # --- actions ---------------------------------------------------------------------
    def refresh(self) -> None:
        f = self.filters()
        self._run(self._load_task, lambda: self._audit.entries(**f, limit=LIMIT), self._show_rows)

    def _show_rows(self, rows: Any) -> None:
        rows = list(rows)
        self.item_model.set_rows(rows)
        self.table.resizeColumnsToContents()
        text = self.tr("%1 entries").replace("%1", str(len(rows)))
        if len(rows) >= LIMIT:
            text += " " + self.tr("(first %1 shown: narrow the filters)").replace("%1", str(LIMIT))
        self.count_label.setText(text)

    def export(self, kind: str) -> str | None:
        path = self._choose(kind, self.tr("Export the audit trail"))
        if not path:
            return None
        f = self.filters()
        fn = self._audit.export_csv if kind == "csv" else self._audit.export_pdf
        self._run(self._action_task, lambda: fn(path, **f),
                  lambda _r: self.message_bar.show_message(
                      self.tr("Exported to %1").replace("%1", path), level="success"))
        return path

    def _ask_path(self, kind: str, title: str) -> str:
        pattern = "CSV (*.csv)" if kind == "csv" else "PDF (*.pdf)"
        path, _ = QFileDialog.getSaveFileName(self, title, f"audit_trail.{kind}", pattern)
        return path

    def verify(self) -> None:
        self._run(self._action_task, lambda: self._audit.verify(), self._show_report)

    def _show_report(self, report: Any) -> None:
        if report.ok:
            self.message_bar.show_message(
                lambda: self.tr("Audit trail intact: %1 entries, every link verified.").replace(
                    "%1", str(report.count)), level="success", code="PH-AUDIT-OK")
        else:
            first = getattr(report, "first_bad_seq", None)
            self.message_bar.show_message(
                lambda: self.tr("Audit trail BROKEN at entry %1: %2").replace(
                    "%1", str(first) if first is not None else "?").replace(
                    "%2", str(report.problem)),
                remedy=lambda: self.tr("Do not use this station's records until quality "
                                       "assurance has investigated; keep the database file "
                                       "as it is."),
                code="PH-AUDIT-BROKEN", level="error", dismissable=False)

    def retranslate_ui(self) -> None:
        for label, text in zip(self._labels, (self.tr("User"), self.tr("Action"),
                                              self.tr("Entity"), self.tr("Text"))):
            label.setText(text)
        self.since_check.setText(self.tr("From"))
        self.until_check.setText(self.tr("Until"))
        self.refresh_button.setText(self.tr("Apply filters"))
        self.csv_button.setText(self.tr("Export CSV…"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self.verify_button.setText(self.tr("Verify chain"))
        self.item_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(FIELDS) - 1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class AuditViewerDialog(QDialog):
    def __init__(self, audit: Any, *, tasks: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_viewer_dialog")
        self.viewer = AuditViewer(audit, tasks=tasks, parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewer)
        self.resize(1300, 760)
        self.setWindowTitle(self.tr("Audit trail"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(self.tr("Audit trail"))
        super().changeEvent(event)
