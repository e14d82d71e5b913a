"""Series list of the CT QC panel: one row per series (receiving, received, analysed),
with the physics verdict, the AI verdict, the PACS archive state, the accepted baseline
and scanner holds marked."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from widgets.ai_texts import class_text
from widgets.rows_model import Cell, RowsModel
from widgets.note_texts import note_text
from widgets.state_style import NOTICE_COLORS, TEXT_ON_STATE, verdict_color
from widgets.verdict_badge import verdict_text

from station_plugins.ct_qc.review_link import ai_summary

COL_SCANNER, COL_TIME, COL_IMAGES, COL_PHYSICS, COL_AI, COL_PACS = range(6)


class SeriesTable(QTableView):
    """A live table (model/view): rows change as files arrive and marks are re-read."""

    sig_series_chosen = Signal(str)       # series UID

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_series_list")
        self.model_ = RowsModel(self._headers, self._cell, self)
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        # at 1366x768 the list is ~350 px wide: the verdicts (physics, AI, PACS) always show
        # whole (each column as wide as the longest text it can show, the AI class and the
        # archive state as short chips, the full words in their tooltips); the scanner and
        # its acquisition time share the first column on two lines, and only the scanner
        # gives way in a narrower list, shortened in its middle
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)         # see fit_columns
        h.setSectionResizeMode(COL_SCANNER, QHeaderView.ResizeMode.Stretch)
        h.setStretchLastSection(False)
        h.setMinimumSectionSize(24)
        h.setStyleSheet("QHeaderView::section { padding: 5px 4px; }")   # theme: 8 px
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the image count is in the tooltips (scanner, physics), the time under the scanner
        h.hideSection(COL_IMAGES)
        h.hideSection(COL_TIME)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(2 * self.fontMetrics().lineSpacing() + 8)
        for col in (COL_PHYSICS, COL_AI):
            h.moveSection(h.visualIndex(col), h.visualIndex(COL_IMAGES))
        self._snapshot: Any = None
        self.fit_columns()
        self.selectionModel().selectionChanged.connect(self._on_selection)

    # --- rows --------------------------------------------------------------------------
    def rowCount(self) -> int:  # noqa: N802 - the old QTableWidget name, kept for callers
        return self.model_.rowCount()

    def uids(self) -> list[str]:
        return [str(k) for k in self.model_.keys()]

    def row_of(self, uid: str) -> int:
        return self.model_.row_of(uid)

    def current_uid(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        return str(self.model_.key_at(rows[0].row())) if rows else None

    def select_uid(self, uid: str) -> None:
        r = self.row_of(uid)
        if r >= 0:
            self.selectRow(r)

    def images(self, uid: str) -> int:
        row = self.model_.row(uid)
        return int(row.get("images") or 0) if row else 0

    def upsert(self, uid: str, **fields: Any) -> int:
        """Add or update a row: serial, acquired, images, state ('receiving', 'queued',
        'analysing', 'analysed', 'error'), verdict."""
        row = dict(self.model_.row(uid) or {"uid": uid, "serial": "", "acquired": "",
                                            "images": 0, "state": "", "verdict": None})
        row.update({k: v for k, v in fields.items() if v is not None})
        return self.model_.upsert(uid, row)

    def apply_snapshot(self, snapshot: Any) -> None:
        self._snapshot = snapshot
        for uid in self.uids():
            row, res = self.model_.row(uid), snapshot.results.get(uid)
            if res and row.get("state") not in ("analysing", "queued"):
                self.model_.upsert(uid, {**row, "verdict": res["verdict"], "state": "analysed"})
        self.model_.refresh()

    def hold_of(self, serial: str) -> dict | None:
        return (self._snapshot.holds.get(serial) if self._snapshot is not None else None)

    def row_texts(self, uid: str) -> list[str]:
        r = self.row_of(uid)
        return [self.model_.cell(r, c).text for c in range(self.model_.columnCount())] \
            if r >= 0 else []

    def column_texts(self, col: int) -> list[str]:
        """Every text ``col`` can show (with its header): the column is as wide as the
        widest, so a state or verdict arriving later never shows cut and the columns
        never jump while series arrive."""
        if col == COL_PHYSICS:
            return [verdict_text(v) for v in ("PASS", "WARN", "FAIL", "ERROR")] + [
                self.tr("receiving…"), self.tr("queued"), self.tr("analysing…"),
                self.tr("received")]
        if col == COL_AI:
            codes = ("normal", "ring", "streak", "band", "noise", "shift", "blur",
                     "uncertain", "not_applicable")
            return ["–"] + ["⚠ " + self._short_class(c, class_text(c)) for c in codes]
        if col == COL_PACS:
            return ["✔", "✖"]
        return []

    def fit_columns(self) -> None:
        """Fixed widths for time and verdicts from the texts they can show, in the UI
        language and font; the scanner column takes the rest (elided in its middle)."""
        h, fm = self.horizontalHeader(), self.fontMetrics()
        pad = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                            self) + 1) + 2
        self.verticalHeader().setDefaultSectionSize(2 * fm.lineSpacing() + 8)
        for col in (COL_PHYSICS, COL_AI, COL_PACS):
            h.resizeSection(col, max([fm.horizontalAdvance(t) + pad
                                      for t in self.column_texts(col)]
                                     + [h.sectionSizeHint(col)]))

    # --- cells (asked by the view; nothing is stored per cell) -------------------------
    def _headers(self) -> list[str]:
        return [self.tr("Scanner") + "\n" + self.tr("Acquired"), self.tr("Acquired"),
                self.tr("Images"), self.tr("Physics"), self.tr("AI"), self.tr("PACS")]

    def _cell(self, d: dict, c: int) -> Cell:
        uid, snap = d["uid"], self._snapshot
        if c == COL_SCANNER:
            hold = self.hold_of(d["serial"])
            base = (snap.baselines.get(d["serial"]) if snap is not None else None) or {}
            tip = [uid, self._images_tip(d)]
            if hold:
                tip.append(self.tr("Scanner on hold: %1 (by %2)").replace(
                    "%1", str(hold.get("reason", ""))).replace("%2",
                                                              str(hold.get("username", ""))))
            if base.get("series_uid") == uid:
                tip.append(self.tr("accepted baseline of this scanner"))
            text = ((self.tr("HOLD") + " · " if hold else "") + (d["serial"] or "?")
                    + ("  ★" if base.get("series_uid") == uid else ""))
            if self.horizontalHeader().isSectionHidden(COL_TIME):     # under the scanner
                text += "\n" + self._cell(d, COL_TIME).text
            return _coloured(text, "\n".join(tip), NOTICE_COLORS["safety"] if hold else None,
                             bold=bool(hold))
        if c == COL_TIME:
            acquired = d["acquired"] or ""
            return Cell(acquired[5:] if len(acquired) >= 16 else acquired,
                        tip="\n".join(t for t in (acquired, self._images_tip(d)) if t))
        if c == COL_IMAGES:
            return Cell(str(d["images"] or ""), align_right=True)
        if c == COL_PHYSICS:
            state = d.get("state")
            if state in ("receiving", "queued", "analysing") or (not d["verdict"] and state):
                return Cell({"receiving": self.tr("receiving…"), "queued": self.tr("queued"),
                             "analysing": self.tr("analysing…"),
                             "received": self.tr("received")}.get(state, state),
                            tip=self._images_tip(d))
            return _coloured(verdict_text(d["verdict"]) if d["verdict"] else "", "",
                             verdict_color(d["verdict"]) if d["verdict"] else None)
        if c == COL_AI:
            ai = ai_summary(snap.ai.get(uid) if snap is not None else None)
            if ai["state"] == "available":
                label = class_text(str(ai["label"]))      # AI classes in the UI language
                tip = [label] + ([self.tr("AI and physics disagree")]
                                 if ai["disagreement"] else []) + [ai["model"]]
                return _coloured(("⚠ " if ai["disagreement"] else "")
                                 + self._short_class(str(ai["label"]), label),
                                 "\n".join(t for t in tip if t),
                                 NOTICE_COLORS["warning"] if ai["disagreement"]
                                 or ai["label"] != "normal" else None)
            return Cell("–" if ai["state"] == "unavailable" else "",
                        tip=note_text(ai.get("reason", ""), ai.get("reason_code")))
        arch = (snap.archive.get(uid) if snap is not None else None)
        if arch is None:
            return Cell("")
        if arch["archived"]:
            return Cell("✔", tip=self.tr("archived"))
        return _coloured("✖", self.tr("failed") + ": " + self.tr("%1 of %2 instances committed")
                         .replace("%1", str(arch["committed"]))
                         .replace("%2", str(arch["instances"])), NOTICE_COLORS["error"])

    def _images_tip(self, d: dict) -> str:
        return self.tr("%1 images").replace("%1", str(d["images"])) if d.get("images") else ""

    def _short_class(self, code: str, full: str) -> str:
        """The AI class as a short chip for the narrow list (the full words in its tooltip):
        the long class names get a short word, the others stay as they are."""
        return {"shift": self.tr("CT shift"), "blur": self.tr("blur"),
                "not_applicable": self.tr("n/a"), "uncertain": self.tr("unsure")}.get(code, full)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if len(rows) == 1:
            key = self.model_.key_at(rows.pop())
            if key is not None:
                self.sig_series_chosen.emit(str(key))

    def empty_hint(self) -> str:
        """What an empty list says (a blank white box told the operator nothing)."""
        return self.tr("No series yet. Import a folder, receive from the scanners or "
                       "simulate a series; each complete series is listed here.")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if self.model_.rowCount():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().placeholderText().color())
        painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap), self.empty_hint())
        painter.end()

    def retranslate_ui(self) -> None:
        self.model_.retranslate()
        self.fit_columns()
        self.viewport().update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _coloured(text: str, tip: str, colour: str | None, *, bold: bool = False) -> Cell:
    return Cell(text, tip=tip, background=colour, foreground=TEXT_ON_STATE if colour else None,
                bold=bold)
