"""The live step table of the tunnel console: an item model and its view.

``StepTableModel`` holds one row per main step (key, title, values, units, limits,
verdict, AI) and says which cells changed; the view paints only those. Titles are the
sequence's own (``title_zh`` when the UI is Chinese and the sequence has one);
measurement names, units and yes/no values are put into words by ``ui_words``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from station_plugins.tunnel_test.ui_words import measurement_texts

VERDICT_COLORS = {"PASS": "#2e7d32", "WARN": "#9a5b00", "FAIL": "#c62828", "ERROR": "#6a1b9a",
                  "SKIP": "#6b7177"}
STEP, TITLE, VALUE, UNIT, LIMITS, VERDICT, AI = range(7)
Index = QModelIndex | QPersistentModelIndex


def header_texts() -> list[str]:
    tr = QCoreApplication.translate
    return [tr("StepTableModel", "Step"), tr("StepTableModel", "Title"),
            tr("StepTableModel", "Value"), tr("StepTableModel", "Unit"),
            tr("StepTableModel", "Limits"), tr("StepTableModel", "Verdict"),
            tr("StepTableModel", "AI")]


def _verdict(code: str) -> str:
    """PASS / 合格 ...: the verdict in the user's language (the record keeps the code)."""
    from widgets.verdict_badge import verdict_text

    try:
        return verdict_text(code) if code else ""
    except (KeyError, ValueError):
        return code


def ai_text(ai: dict) -> str:
    """'PASS 0.97', then 'disagrees' / 'to review' in the user's language."""
    tr = QCoreApplication.translate
    txt = f"{_verdict(str(ai.get('verdict')))} {ai.get('confidence', '')}"
    if ai.get("disagrees"):
        txt += " " + tr("StepTableModel", "disagrees")
    if ai.get("review"):
        txt += " " + tr("StepTableModel", "to review")
    return txt


@dataclass
class StepRow:
    key: str
    title: str
    title_zh: str = ""
    measurements: list[dict] = field(default_factory=list)   # the run's events, as sent
    verdict: str = ""
    reason: str = ""
    ai: dict = field(default_factory=dict)


class StepTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[StepRow] = []
        self._index: dict[str, int] = {}
        self.language = "en"
        self._headers = header_texts()

    # --- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == VERDICT and row.verdict:
            return QColor(VERDICT_COLORS.get(row.verdict, "#000000"))
        if role == Qt.ItemDataRole.ToolTipRole and col == TITLE and row.title_zh:
            return row.title                   # the English title of the released file
        if role == Qt.ItemDataRole.ToolTipRole and col == VALUE and row.measurements:
            return "\n".join(f"{m.get('name')}: {' '.join(measurement_texts(m)[:2])}"
                             for m in row.measurements)   # the file's name beside the word
        if role == Qt.ItemDataRole.ToolTipRole and col in (STEP, UNIT, LIMITS, TITLE, VALUE):
            return self.text(row, col) or None   # the whole text of a cell its column elides
        return None

    def text(self, row: StepRow, col: int) -> str:
        if col == STEP:
            return row.key
        if col == TITLE:
            return row.title_zh if row.title_zh and self.language.startswith("zh") \
                else row.title
        if col in (VALUE, UNIT, LIMITS):
            return "; ".join(measurement_texts(m)[col - VALUE] for m in row.measurements)
        if col == VERDICT:
            reason = f" ({row.reason})" if row.reason and row.verdict != "PASS" else ""
            return _verdict(row.verdict) + reason
        return ai_text(row.ai) if row.ai else ""

    # --- what the console does ----------------------------------------------------------
    def retranslate(self, language: str) -> None:
        self.language = language
        self._headers = header_texts()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 6)
        if self.rows:       # titles, measurement names, yes/no and units follow the language
            self.dataChanged.emit(self.index(0, TITLE), self.index(len(self.rows) - 1, AI))

    def load(self, steps: list[tuple[str, str, str]]) -> None:
        """(key, title, title_zh) per main step of the run."""
        self.beginResetModel()
        self.rows = [StepRow(k, t, zh) for k, t, zh in steps]
        self._index = {r.key: i for i, r in enumerate(self.rows)}
        self.endResetModel()

    def row_of(self, key: str) -> int | None:
        return self._index.get(key)

    def _changed(self, i: int, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(i, first), self.index(i, last))

    def set_measurement(self, key: str, m: dict) -> None:
        i = self._index.get(key)
        if i is None:
            return
        self.rows[i].measurements.append(m)
        self._changed(i, VALUE, LIMITS)

    def clear_values(self, key: str) -> None:
        i = self._index.get(key)
        if i is not None:
            self.rows[i].measurements = []
            self._changed(i, VALUE, LIMITS)

    def set_verdict(self, key: str, verdict: str, reason: str = "") -> None:
        i = self._index.get(key)
        if i is not None:
            self.rows[i].verdict, self.rows[i].reason = verdict, reason
            self._changed(i, VERDICT, VERDICT)

    def set_ai(self, key: str, ai: dict) -> None:
        i = self._index.get(key)
        if i is None:
            return
        self.rows[i].ai = ai
        self._changed(i, AI, AI)

    def cell(self, row: int, col: int) -> str:
        return self.text(self.rows[row], col)


class StepTable(QTableView):
    """The view: read-only, title column stretched, scrolls to the step that ended."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_item_table")
        self.steps = StepTableModel(self)
        self.setModel(self.steps)
        self.horizontalHeader().setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # the values carry names in words now ("tube voltage=39.85"): they get the room
        for col, width in ((STEP, 140), (VALUE, 190), (UNIT, 60), (LIMITS, 110),
                           (VERDICT, 80), (AI, 60)):      # the title takes the rest
            self.setColumnWidth(col, width)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)

    def scroll_to(self, key: str) -> None:
        i = self.steps.row_of(key)
        if i is not None:
            self.scrollTo(self.steps.index(i, VERDICT))
