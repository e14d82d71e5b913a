"""Weekly dose / energy views and the e-signed pre-shift safety checklist."""
from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from app.core.errors import PharosError
from station_plugins.lead_room import reports
from station_plugins.lead_room.service import CHECKLIST_ITEMS
from widgets.rows_model import Cell, RowsModel, RowsTable
from widgets.state_style import VERDICT_COLORS
from widgets.tasks import TaskController
from widgets.verdict_badge import verdict_text

# the checklist items for pyside6-lupdate (the English text stays the signed key)
_ITEMS_FOR_LUPDATE = (
    QT_TRANSLATE_NOOP("ChecklistItems", "Door-machine interlock tested: opening a door stops exposure"),
    QT_TRANSLATE_NOOP("ChecklistItems", "Closing the door does not restart exposure by itself"),
    QT_TRANSLATE_NOOP("ChecklistItems", "Ready and irradiating lights and the audible warning work"),
    QT_TRANSLATE_NOOP("ChecklistItems", "Emergency stops tested"),
    QT_TRANSLATE_NOOP("ChecklistItems", "Fixed radiation monitor responds (function check)"),
    QT_TRANSLATE_NOOP("ChecklistItems", "No interlock bypass key inserted"),
    QT_TRANSLATE_NOOP("ChecklistItems", "Calibration of the monitor is valid"),
)
VERDICT_BG = {"PASS": None, "WARN": "WARN", "FAIL": "FAIL", "INCOMPLETE": "SKIP"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportsView", text)


def _verdict_text(v: str) -> str:
    return _tr("INCOMPLETE") if v == "INCOMPLETE" else verdict_text(v)


AREA_TEXTS = {"worker": QT_TRANSLATE_NOOP("ReportsView", "worker"),
              "public": QT_TRANSLATE_NOOP("ReportsView", "public")}


def _value_cell(v: Any, verdict: bool = False) -> Cell:
    """One report value: floats with two decimals (right-aligned, sorted as numbers), the
    verdict in the UI language, coloured as everywhere else (sorted by its code)."""
    if verdict:
        bg = VERDICT_BG.get(str(v))
        if bg:
            from app.core.measurement import Verdict

            return Cell(_verdict_text(str(v)), background=VERDICT_COLORS[Verdict(bg)],
                        foreground="#ffffff", sort=str(v))
        return Cell(_verdict_text(str(v)), sort=str(v))
    if isinstance(v, bool):
        return Cell(str(v))
    if isinstance(v, (int, float)):
        return Cell(f"{v:.2f}" if isinstance(v, float) else str(v), align_right=True, sort=v)
    if str(v) in AREA_TEXTS:
        return Cell(_tr(AREA_TEXTS[str(v)]), sort=str(v))
    return Cell(str(v))


def _report_table(parent: QWidget, name: str, headers: Callable[[], list[str]],
                  verdict_col: int | None = None) -> RowsTable:
    model = RowsModel(headers, lambda row, c: _value_cell(row[c], c == verdict_col), parent)
    table = RowsTable(model, parent, name=name, sortable=True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


class ReportsView(QWidget):
    def __init__(self, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_reports")
        self.service = service
        self.dose = _report_table(self, "leadroom_dose_table", lambda: [
            self.tr("Point"), self.tr("Area"), self.tr("Week dose uSv"),
            self.tr("Reference uSv"), self.tr("Coverage"), self.tr("Verdict")], 5)
        self.energy = _report_table(self, "leadroom_energy_table", lambda: [
            self.tr("Room"), "kWh", self.tr("Standby kWh"), self.tr("Standby share"),
            self.tr("Recoverable heat kWh"), self.tr("Mean temp C")])
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("leadroom_reports_refresh")
        self.refresh_button.clicked.connect(self.compute)
        self.status = QLabel("", self)
        self.status.setObjectName("leadroom_reports_status")
        self.task = TaskController(service.ctx.tasks, self)
        self.task.sig_finished.connect(self._show)
        self.task.sig_failed.connect(lambda e: self.status.setText(str(e)))
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.refresh_button)
        top.addWidget(self.status, 1)
        lay.addLayout(top)
        self.dose_label, self.energy_label = QLabel(self), QLabel(self)
        lay.addWidget(self.dose_label)
        lay.addWidget(self.dose, 1)
        lay.addWidget(self.energy_label)
        lay.addWidget(self.energy, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.dose.model_.retranslate()
        self.energy.model_.retranslate()
        self.refresh_button.setText(self.tr("Compute (last 7 days / 24 h)"))
        self.dose_label.setText(self.tr("Weekly integrated dose per point of interest (net of "
                                        "background) vs reference: 100 uSv workers, 5 uSv "
                                        "public"))
        self.energy_label.setText(self.tr("Energy per room, last 24 h (standby < 1 kW; heat "
                                          "recovery at 60 %)"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def compute(self) -> None:
        h = self.service.historian
        if h is None:
            self.status.setText(self.tr("No historian: live monitoring has not started."))
            return
        self.service.historian.flush()
        self.status.setText(self.tr("Computing..."))
        self.task.start(_compute, h)

    def _show(self, res: tuple[list, list]) -> None:
        dose, energy = res
        self.dose.model_.set_rows((p.key, [p.key, p.area, p.dose_usv, p.reference_usv,
                                           f"{p.coverage:.0%}", p.verdict]) for p in dose)
        self.energy.model_.set_rows((e.room, [
            e.room, e.kwh, e.standby_kwh, f"{e.standby_share:.0%}", e.recoverable_heat_kwh,
            "-" if e.mean_temp_c is None else e.mean_temp_c]) for e in energy)
        self.status.setText(self.tr("Computed at %1").replace("%1", time.strftime("%H:%M:%S")))


def _compute(h: Any, *, token: Any = None,  # noqa: ARG001 - task-runner signature
             progress: Any = None) -> tuple[list, list]:  # noqa: ARG001 - task-runner signature
    t1 = time.time()
    keys = [k for k in h.keys() if "/Boundary/" in k]
    rooms = sorted({k.split("/")[0] for k in h.keys()})
    return (reports.weekly_dose(h, keys, t1 - reports.WEEK_S),
            reports.room_energy(h, rooms, t1 - 86400, t1))


class ChecklistView(QWidget):
    """Pre-shift safety checklist per room, e-signed (password re-entered)."""

    def __init__(self, service: Any, parent: QWidget | None = None,
                 ask_signature: Callable[..., Any] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_checklist")
        self.service = service
        self.ask_signature = ask_signature
        self.room = QComboBox(self)
        self.room.setObjectName("leadroom_checklist_room")
        self.boxes: dict[str, QCheckBox] = {}
        lay = QVBoxLayout(self)
        self.heading = QLabel(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.room)
        for i, item in enumerate(CHECKLIST_ITEMS):     # the English item is the signed key
            cb = QCheckBox(self)
            cb.setObjectName(f"leadroom_checklist_item_{i}")
            self.boxes[item] = cb
            lay.addWidget(cb)
        self.remarks = QLineEdit(self)
        self.remarks.setObjectName("leadroom_checklist_remarks")
        lay.addWidget(self.remarks)
        self.sign_button = QPushButton(self)
        self.sign_button.setObjectName("leadroom_checklist_sign")
        self.sign_button.clicked.connect(self.sign)
        self.result = QLabel("", self)
        self.result.setObjectName("leadroom_checklist_result")
        self.result.setWordWrap(True)
        lay.addWidget(self.sign_button)
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.heading.setText(self.tr("Pre-shift safety checklist (GBZ 117-2022 5.1.2)"))
        for item, cb in self.boxes.items():
            cb.setText(QCoreApplication.translate("ChecklistItems", item))
        self.remarks.setPlaceholderText(self.tr("Remarks"))
        self.sign_button.setText(self.tr("Sign checklist..."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def set_rooms(self, rooms: list[str]) -> None:
        if [self.room.itemText(i) for i in range(self.room.count())] != rooms:
            cur = self.room.currentText()
            self.room.clear()
            self.room.addItems(rooms)
            if cur in rooms:
                self.room.setCurrentText(cur)

    def content(self) -> dict:
        return self.service.checklist_content(
            self.room.currentText(), {k: b.isChecked() for k, b in self.boxes.items()},
            self.remarks.text())

    def signature_texts(self, content: dict) -> tuple[str, str]:
        """(title, summary) of the signature dialog in the user's language: the room, and
        which items were found not OK (the record keeps the English item keys)."""
        title = self.tr("Pre-shift safety checklist: %1").replace("%1", content["room"])
        bad = [QCoreApplication.translate("ChecklistItems", i["item"])
               for i in content["items"] if not i["ok"]]
        if not bad:
            summary = self.tr("All %1 items checked and OK.").replace(
                "%1", str(len(content["items"])))
        else:
            summary = self.tr("NOT all items OK (%1 of %2): %3").replace(
                "%1", str(len(bad))).replace("%2", str(len(content["items"]))).replace(
                "%3", self.tr("; ").join(bad))
        if content.get("remarks"):
            summary += "\n" + self.tr("Remarks: %1").replace("%1", content["remarks"])
        return title, summary

    def meaning_label(self, meaning: str) -> str:
        """What the checklist signature means (the signer did the checks in person)."""
        if meaning == "verified":
            return self.tr("Verified: I performed these checks myself, before this shift")
        from widgets.esign_dialog import meaning_text
        return meaning_text(meaning)

    def sign(self) -> None:
        try:
            content = self.content()
            if self.ask_signature is None:
                from app.core.ids import content_hash
                from widgets.esign_dialog import SignatureDialog

                title, summary = self.signature_texts(content)
                sig = SignatureDialog.ask(
                    self, lambda u, pw, meaning, comment: self.service.sign_checklist(
                        content, pw, meaning, comment),
                    title=title, summary=summary, content_sha256=content_hash(content),
                    session_user=self.service.ctx.user, meanings=("verified",),
                    default_meaning="verified", meaning_label=self.meaning_label)
            else:
                sig = self.ask_signature(content)
        except PharosError as exc:
            self.result.setText(exc.operator_text())
            return
        if sig is not None:
            from widgets.esign_dialog import format_signature
            self.result.setText(self.tr("Checklist %1 signed: %2").replace(
                "%1", content["room"]).replace("%2", format_signature(sig)))
