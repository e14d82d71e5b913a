"""Series list of the CT QC panel: one row per series (receiving, received, analysed),
with the physics verdict, the AI verdict, the PACS archive state, the accepted baseline
and scanner holds marked."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from widgets.state_style import NOTICE_COLORS, TEXT_ON_STATE, verdict_color
from widgets.verdict_badge import verdict_text

from station_plugins.ct_qc.review_link import ai_summary

UID_ROLE = Qt.ItemDataRole.UserRole + 1
COL_SCANNER, COL_TIME, COL_IMAGES, COL_PHYSICS, COL_AI, COL_PACS = range(6)


class SeriesTable(QTableWidget):
    sig_series_chosen = Signal(str)       # series UID

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 6, parent)
        self.setObjectName("ct_qc_series_list")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        self._rows: dict[str, dict] = {}          # uid -> what the row shows
        self._snapshot: Any = None
        self.currentCellChanged.connect(self._on_current)
        self.retranslate_ui()

    # --- rows --------------------------------------------------------------------------
    def uids(self) -> list[str]:
        return [self.item(r, 0).data(UID_ROLE) for r in range(self.rowCount())]

    def row_of(self, uid: str) -> int:
        for r in range(self.rowCount()):
            if self.item(r, 0).data(UID_ROLE) == uid:
                return r
        return -1

    def current_uid(self) -> str | None:
        r = self.currentRow()
        return self.item(r, 0).data(UID_ROLE) if r >= 0 and self.item(r, 0) else None

    def select_uid(self, uid: str) -> None:
        r = self.row_of(uid)
        if r >= 0:
            self.setCurrentCell(r, 0)

    def upsert(self, uid: str, **fields: Any) -> int:
        """Add or update a row: serial, acquired, images, state ('receiving', 'queued',
        'analysing', 'analysed', 'error'), verdict."""
        row = self._rows.setdefault(uid, {"serial": "", "acquired": "", "images": 0,
                                          "state": "", "verdict": None})
        row.update({k: v for k, v in fields.items() if v is not None})
        r = self.row_of(uid)
        if r < 0:
            r = self.rowCount()
            self.insertRow(r)
            for c in range(self.columnCount()):
                item = QTableWidgetItem()
                item.setData(UID_ROLE, uid)
                self.setItem(r, c, item)
            self.item(r, 0).setToolTip(uid)
        self._paint(r, uid)
        return r

    def apply_snapshot(self, snapshot: Any) -> None:
        self._snapshot = snapshot
        for uid in self.uids():
            res = snapshot.results.get(uid)
            if res and self._rows[uid].get("state") not in ("analysing", "queued"):
                self._rows[uid].update(verdict=res["verdict"], state="analysed")
            self._paint(self.row_of(uid), uid)

    def hold_of(self, serial: str) -> dict | None:
        return (self._snapshot.holds.get(serial) if self._snapshot is not None else None)

    def row_texts(self, uid: str) -> list[str]:
        r = self.row_of(uid)
        return [self.item(r, c).text() for c in range(self.columnCount())] if r >= 0 else []

    # --- painting ----------------------------------------------------------------------
    def _paint(self, r: int, uid: str) -> None:
        d, snap = self._rows[uid], self._snapshot
        hold = self.hold_of(d["serial"])
        base = (snap.baselines.get(d["serial"]) if snap is not None else None) or {}
        scanner = self.item(r, COL_SCANNER)
        scanner.setText((self.tr("HOLD") + " · " if hold else "") + (d["serial"] or "?")
                        + ("  ★" if base.get("series_uid") == uid else ""))
        tip = [uid]
        if hold:
            tip.append(self.tr("Scanner on hold: %1 (by %2)").replace(
                "%1", str(hold.get("reason", ""))).replace("%2", str(hold.get("username", ""))))
        if base.get("series_uid") == uid:
            tip.append(self.tr("accepted baseline of this scanner"))
        scanner.setToolTip("\n".join(tip))
        self._colour(scanner, NOTICE_COLORS["safety"] if hold else None, bold=bool(hold))
        acquired = d["acquired"] or ""
        self.item(r, COL_TIME).setText(acquired[5:] if len(acquired) >= 16 else acquired)
        self.item(r, COL_TIME).setToolTip(acquired)
        self.item(r, COL_IMAGES).setText(str(d["images"] or ""))
        self.item(r, COL_IMAGES).setTextAlignment(Qt.AlignmentFlag.AlignRight
                                                  | Qt.AlignmentFlag.AlignVCenter)
        phys = self.item(r, COL_PHYSICS)
        state = d.get("state")
        if state in ("receiving", "queued", "analysing") or (not d["verdict"] and state):
            phys.setText({"receiving": self.tr("receiving…"), "queued": self.tr("queued"),
                          "analysing": self.tr("analysing…"),
                          "received": self.tr("received")}.get(state, state))
            self._colour(phys, None)
        else:
            phys.setText(verdict_text(d["verdict"]) if d["verdict"] else "")
            self._colour(phys, verdict_color(d["verdict"]) if d["verdict"] else None)
        ai = ai_summary(snap.ai.get(uid) if snap is not None else None)
        ai_item = self.item(r, COL_AI)
        if ai["state"] == "available":
            from widgets.ai_texts import class_text
            label = class_text(str(ai["label"]))      # AI classes in the UI language
            ai_item.setText(("⚠ " if ai["disagreement"] else "") + label)
            ai_item.setToolTip(self.tr("AI and physics disagree") if ai["disagreement"] else
                               ai["model"])
            self._colour(ai_item, NOTICE_COLORS["warning"] if ai["disagreement"]
                         or ai["label"] != "normal" else None)
        else:
            ai_item.setText("–" if ai["state"] == "unavailable" else "")
            ai_item.setToolTip(ai.get("reason", ""))
            self._colour(ai_item, None)
        arch = (snap.archive.get(uid) if snap is not None else None)
        pacs = self.item(r, COL_PACS)
        if arch is None:
            pacs.setText("")
            self._colour(pacs, None)
        elif arch["archived"]:
            pacs.setText("✔ " + self.tr("archived"))
            self._colour(pacs, None)
        else:
            pacs.setText("✖ " + self.tr("failed"))
            pacs.setToolTip(self.tr("%1 of %2 instances committed").replace(
                "%1", str(arch["committed"])).replace("%2", str(arch["instances"])))
            self._colour(pacs, NOTICE_COLORS["error"])

    @staticmethod
    def _colour(item: QTableWidgetItem, colour: str | None, *, bold: bool = False) -> None:
        if colour is None:
            item.setData(Qt.ItemDataRole.BackgroundRole, None)
            item.setData(Qt.ItemDataRole.ForegroundRole, None)
        else:
            item.setBackground(QBrush(QColor(colour)))
            item.setForeground(QBrush(QColor(TEXT_ON_STATE)))
        font = QFont(item.font())
        font.setBold(bold)
        item.setFont(font)

    def _on_current(self, row: int, _c: int, prev_row: int, _pc: int) -> None:
        if row >= 0 and row != prev_row and self.item(row, 0) is not None:
            self.sig_series_chosen.emit(self.item(row, 0).data(UID_ROLE))

    def retranslate_ui(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Scanner"), self.tr("Acquired"),
                                        self.tr("Images"), self.tr("Physics"), self.tr("AI"),
                                        self.tr("PACS")])
        for uid in self.uids():
            self._paint(self.row_of(uid), uid)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
