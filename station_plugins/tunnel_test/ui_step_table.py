"""The live step table of the tunnel console: an item model and its view.

One row per main step, one line per measurement (as the test record prints it):
step title | measurement | value with its unit | limits | step verdict | AI. Before a
step has run its planned measurements (name, limits) are shown, so the rows have their
final height when the run starts. Titles are the sequence's own (``title_zh`` when the UI
is Chinese and the sequence has one); measurement names, units and yes/no values are put
into words by ``ui_words``.

At 1366x768 nothing is elided (issue 17): the title column takes the room the others
leave and wraps, the other columns are as wide as their longest line (the value column
reserves room for a number before any value arrives and only ever grows), and each row
is as high as its lines - computed here per row (a few font-metric calls), never by
``resizeRowsToContents`` (which asks every cell of every row on each update). A value
outside its limits is drawn in its verdict's colour (``LinesDelegate``); the step key,
the reason and the AI's details are in the detail pane (``ui_step_detail``) and the
tooltips.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex,
                            QPersistentModelIndex, Qt, QTimer, Signal)
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from station_plugins.tunnel_test.ui_step_paint import (LINE_COLORS_ROLE, STEP, LinesDelegate,
                                                       text_pad, wrapped_height)
from station_plugins.tunnel_test.ui_reason_words import reason_text
from station_plugins.tunnel_test.ui_words import (limits_text, measurement_name, unit_text,
                                                  value_text)

VERDICT_COLORS = {"PASS": "#2e7d32", "WARN": "#9a5b00", "FAIL": "#c62828", "ERROR": "#6a1b9a",
                  "SKIP": "#6b7177"}
MEASUREMENT, VALUE, LIMITS, VERDICT, AI = range(1, 6)    # STEP (0): ui_step_paint
COLUMNS = 6
WORD_UNITS = {"bool", "text", "ratio"}   # said by the value itself: not beside the number
VALUE_RESERVE = "-888.88"                # room for a number before any value arrives
Index = QModelIndex | QPersistentModelIndex


def header_texts() -> list[str]:
    tr = QCoreApplication.translate
    return [tr("StepTableModel", "Step"), tr("StepTableModel", "Measurement"),
            tr("StepTableModel", "Value"), tr("StepTableModel", "Limits"),
            tr("StepTableModel", "Verdict"), tr("StepTableModel", "AI")]


def verdict_word(code: str) -> str:
    """PASS / 合格 ...: the verdict in the user's language (the record keeps the code)."""
    from widgets.verdict_badge import verdict_text

    try:
        return verdict_text(code) if code else ""
    except (KeyError, ValueError):
        return code


def ai_lines(ai: dict) -> list[str]:
    """['PASS 0.97', 'disagrees', 'to review'] in the user's language (flags only when set)."""
    tr = QCoreApplication.translate
    lines = [f"{verdict_word(str(ai.get('verdict')))} {ai.get('confidence', '')}".strip()]
    if ai.get("disagrees"):
        lines.append(tr("StepTableModel", "disagrees"))
    if ai.get("review"):
        lines.append(tr("StepTableModel", "to review"))
    return lines


def ai_text(ai: dict) -> str:
    """'PASS 0.97 to review' on one line (the detail pane, the tooltip)."""
    return " ".join(ai_lines(ai))


def value_with_unit(m: dict) -> str:
    """'40.17 kV', 'Yes' (a unit said in words is left to the value); '' before a value."""
    if "value" not in m:
        return ""
    unit = str(m.get("unit", ""))
    text = value_text(m.get("value"))
    return text if unit in WORD_UNITS or not unit else f"{text} {unit_text(unit)}"


@dataclass
class StepRow:
    key: str
    title: str
    title_zh: str = ""
    plan: list[dict] = field(default_factory=list)           # {name, unit, limits_text}
    measurements: list[dict] = field(default_factory=list)   # the run's events, as sent
    verdict: str = ""
    reason: str = ""
    ai: dict = field(default_factory=dict)

    def lines(self) -> list[dict]:
        """The measurements shown: the measured ones, else the planned ones (no value)."""
        return self.measurements or self.plan


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
        return 0 if parent.isValid() else COLUMNS

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
        if role == LINE_COLORS_ROLE:
            return self.line_colors(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, col)
        return None

    def text(self, row: StepRow, col: int) -> str:
        return "\n".join(self.cell_lines(row, col))

    def cell_lines(self, row: StepRow, col: int) -> list[str]:
        """What the cell shows, line by line (one line per measurement)."""
        if col == STEP:
            return [self.title(row)]
        if col == MEASUREMENT:
            return [measurement_name(str(m.get("name", ""))) for m in row.lines()]
        if col == VALUE:
            return [value_with_unit(m) for m in row.measurements]
        if col == LIMITS:
            return [limits_text(str(m.get("limits_text", ""))) for m in row.lines()]
        if col == VERDICT:
            return [verdict_word(row.verdict)] if row.verdict else []
        return ai_lines(row.ai) if row.ai else []

    def line_colors(self, row: StepRow, col: int) -> list[str | None]:
        """A value outside its limits in its verdict's colour; the verdict in its own."""
        if col == VALUE:
            return [None if m.get("verdict") in (None, "", "PASS") else
                    VERDICT_COLORS.get(str(m.get("verdict")), "#000000")
                    for m in row.measurements]
        if col == VERDICT and row.verdict:
            return [VERDICT_COLORS.get(row.verdict, "#000000")]
        if col == AI and row.ai:
            return [VERDICT_COLORS.get(str(row.ai.get("verdict")))] + \
                [VERDICT_COLORS["WARN"]] * (len(ai_lines(row.ai)) - 1)
        return []

    def title(self, row: StepRow) -> str:
        return row.title_zh if row.title_zh and self.language.startswith("zh") else row.title

    def tooltip(self, row: StepRow, col: int) -> str | None:
        if col == STEP:                   # the key, and the English title of the released file
            return row.key + (f"\n{row.title}" if row.title_zh else "")
        if col in (MEASUREMENT, VALUE) and row.lines():
            return "\n".join(f"{m.get('name')}: {value_with_unit(m) or '-'}"
                             for m in row.lines())   # the file's own name beside the word
        if col == VERDICT and row.reason:
            return reason_text(row.reason)
        if col == AI and row.ai:
            return ai_text(row.ai) + (f"\n{reason_text(str(row.ai['reason']))}"
                                      if row.ai.get("reason")
                                      else "")
        return None

    # --- what the console does ----------------------------------------------------------
    def retranslate(self, language: str) -> None:
        self.language = language
        self._headers = header_texts()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMNS - 1)
        if self.rows:       # titles, measurement names, yes/no and units follow the language
            self.dataChanged.emit(self.index(0, STEP), self.index(len(self.rows) - 1, AI))

    def load(self, steps: list[tuple]) -> None:
        """(key, title, title_zh[, planned measurements]) per main step of the run; a
        planned measurement is {name, unit, limits_text} (or a MeasurementSpec)."""
        self.beginResetModel()
        self.rows = [StepRow(s[0], s[1], s[2], [_plan(m) for m in (s[3] if len(s) > 3 else ())])
                     for s in steps]
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
        self._changed(i, MEASUREMENT, LIMITS)

    def clear_values(self, key: str) -> None:
        i = self._index.get(key)
        if i is not None:
            self.rows[i].measurements = []
            self._changed(i, MEASUREMENT, LIMITS)

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


def _plan(m: Any) -> dict:
    if isinstance(m, dict):
        return {k: m.get(k, "") for k in ("name", "unit", "limits_text")}
    return {"name": m.name, "unit": m.unit, "limits_text": m.limits_text}


class StepTable(QTableView):
    """The view: read-only, whole texts (wrapped title, fitted columns, rows as high as
    their lines), scrolls to the step that ended. ``sig_step_selected(key)``."""

    sig_step_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_item_table")
        self.steps = StepTableModel(self)
        self.setModel(self.steps)
        self.setItemDelegate(LinesDelegate(self))
        head = self.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        head.setSectionResizeMode(STEP, QHeaderView.ResizeMode.Stretch)
        head.setMinimumSectionSize(24)
        head.sectionResized.connect(self._on_section_resized)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)                      # the title wraps in its column
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.steps.modelReset.connect(self.fit)
        self.steps.dataChanged.connect(self._on_data_changed)
        # a language switch: the headers, then every row (dataChanged) - fitted once
        self.steps.headerDataChanged.connect(self._on_headers_changed)
        self.selectionModel().selectionChanged.connect(self._on_selection)
        self._title_width = -1
        self._fitting = False
        self._refit = False             # the rows' texts changed: fit before the next paint
        self._pad_px = -1
        self._advances: dict[tuple[float, str, str], int] = {}
        self.fit()

    # --- sizes ----------------------------------------------------------------------------
    def pad(self) -> int:
        if self._pad_px < 0:                 # a style metric: asked per cell otherwise
            self._pad_px = text_pad(self)
        return self._pad_px

    def column_width_needed(self, col: int, fm: QFontMetrics | None = None,
                            rows: list[StepRow] | None = None) -> int:
        """The widest line of a column over ``rows`` (default every row; values: room for
        a number before they arrive), and the header's own width."""
        fm = fm or self.fontMetrics()
        m = self.steps
        texts: set[str] = set()         # (each distinct line measured once: a 200-step
        for row in m.rows if rows is None else rows:    # sequence repeats its units,
            texts.update(m.cell_lines(row, col))        # limits and names)
            if col == VALUE:
                texts.update(value_with_unit({**p, "value": 0}).replace("0", VALUE_RESERVE, 1)
                             for p in row.lines() if p.get("unit") not in WORD_UNITS)
        if col == VERDICT:      # every verdict it may show: the column never jumps
            texts.update(verdict_word(v) for v in VERDICT_COLORS)
        widest = max((self._advance(fm, t) for t in texts), default=0)
        return max(widest + self.pad(), self.horizontalHeader().sectionSizeHint(col))

    def _advance(self, fm: QFontMetrics, text: str) -> int:
        """fm.horizontalAdvance(text), kept per font (a run start and a language switch ask
        the same lines again)."""
        key = (fm.fontDpi(), self.font().key(), text)
        width = self._advances.get(key)
        if width is None:
            if len(self._advances) > 20000:
                self._advances.clear()
            width = self._advances[key] = fm.horizontalAdvance(text)
        return width

    def fit(self) -> None:
        """Column widths from every row's lines, then every row's height."""
        self._refit = False
        fm = self.fontMetrics()
        head = self.horizontalHeader()
        self._fitting = True            # the rows once, at the title's last width (each
        try:                            # column resized the stretched title: 4 passes)
            for col in (MEASUREMENT, VALUE, LIMITS, VERDICT, AI):
                head.resizeSection(col, self.column_width_needed(col, fm))
        finally:
            self._fitting = False
        self.fit_rows()

    def _grow(self, col: int, first: int, last: int) -> None:
        """A value wider than its reserve widens its column (never narrows in a run): the
        changed rows' lines only (the header's width was taken at ``fit``)."""
        fm, m = self.fontMetrics(), self.steps
        widest = max((self._advance(fm, line) for row in m.rows[first:last + 1]
                      for line in m.cell_lines(row, col)), default=0)
        need = widest + self.pad()
        if need > self.horizontalHeader().sectionSize(col):
            self.horizontalHeader().resizeSection(col, need)

    def row_height(self, i: int, fm: QFontMetrics | None = None,
                   title_width: int | None = None) -> int:
        fm = fm or self.fontMetrics()
        row = self.steps.rows[i]
        width = max((self.columnWidth(STEP) if title_width is None else title_width)
                    - self.pad(), 20)
        title = wrapped_height(self.steps.title(row), self.font(), width)
        lines = max(len(row.lines()), len(ai_lines(row.ai)) if row.ai else 1, 1)
        return max(title, lines * fm.lineSpacing()) + 8

    def fit_rows(self, first: int = 0, last: int | None = None) -> None:
        fm = self.fontMetrics()
        rows = self.verticalHeader()
        last = len(self.steps.rows) - 1 if last is None else last
        # while the header lays out its stretched title, columnWidth() may still say the
        # old width: the width it last announced (sectionResized) is the one painted
        width = self._title_width if self._title_width > 0 else None
        for i in range(first, last + 1):
            h = self.row_height(i, fm, width)
            if rows.sectionSize(i) != h:
                rows.resizeSection(i, h)

    def _on_section_resized(self, col: int, _old: int, new: int) -> None:
        if col == STEP and new != self._title_width:   # the title wraps anew
            self._title_width = new
            if not self._fitting:
                self.fit_rows()

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex, *_: Any) -> None:
        if top.row() == 0 and bottom.row() == len(self.steps.rows) - 1 and bottom.row() > 0:
            # a language switch: every row, fitted in the table's own LanguageChange (the
            # panel re-words the model first; a hidden console's switch comes in slices,
            # app.ui.language_switch) or, without one, in the next turn
            self._refit = True
            QTimer.singleShot(0, self, self._fit_if_asked)
            return
        for col in range(top.column(), bottom.column() + 1):
            if col != STEP:
                self._grow(col, top.row(), bottom.row())
        self.fit_rows(top.row(), bottom.row())

    def _on_headers_changed(self, *_: Any) -> None:
        if not self.steps.rows:         # (with rows, their dataChanged fits once)
            self.fit()

    def _fit_if_asked(self) -> None:
        if self._refit:
            self.fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._pad_px = -1                          # the Chinese font: other widths
            self.fit()
        elif event.type() == QEvent.Type.LanguageChange:
            self._fit_if_asked()

    # --- selection ------------------------------------------------------------------------
    def _on_selection(self, *_: Any) -> None:
        self.sig_step_selected.emit(self.selected_key())

    def selected_key(self) -> str:
        rows = self.selectionModel().selectedRows()
        return self.steps.rows[rows[0].row()].key if rows else ""

    def scroll_to(self, key: str) -> None:
        i = self.steps.row_of(key)
        if i is not None:
            self.scrollTo(self.steps.index(i, VERDICT))
