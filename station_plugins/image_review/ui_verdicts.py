"""The two verdicts side by side: AI scores as a bar list, the physics verdict with its
artifacts and the measurements outside their limits (a QTableView on an item model);
disagreements are highlighted."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QGroupBox, QHeaderView, QLabel,
                               QProgressBar, QTableView, QVBoxLayout, QWidget)

from app.core.measurement import Verdict
from app.ct.ai.preprocess import CLASSES
from app.ct.names import artifact_name, measurement_name
from app.ui.i18n import current_language
from station_plugins.image_review.ui_texts import class_text
from widgets.note_texts import note_text
from widgets.rows_model import Cell, RowsModel
from widgets.state_style import NOTICE_COLORS, verdict_color
from widgets.verdict_badge import VerdictBadge, verdict_text

HIGHLIGHT = (f"QGroupBox {{ border: 2px solid {NOTICE_COLORS['warning']}; border-radius: 4px; "
             "margin-top: 1.2em; padding-top: 0.4em; } "
             "QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; "
             f"font-weight: bold; color: {NOTICE_COLORS['warning']}; }}")


def ai_slice(item: Any) -> dict:
    for s in item.ai.get("slices", []):
        if s.get("slice_index") == item.slice_index:
            return s
    return {}


class AiScoresView(QGroupBox):
    """One bar per class (probability), the anomaly score and the AI's reasons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review_ai_scores")
        self.unavailable_label = QLabel(self)
        self.unavailable_label.setObjectName("review_ai_unavailable")
        self.unavailable_label.setWordWrap(True)
        self.unavailable_label.setVisible(False)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.class_labels: dict[str, QLabel] = {}
        self.bars: dict[str, QProgressBar] = {}
        for row, cls in enumerate(CLASSES):
            label = QLabel(self)
            bar = QProgressBar(self)
            bar.setObjectName(f"review_score_{cls}")
            bar.setRange(0, 1000)
            bar.setTextVisible(True)
            bar.setMaximumHeight(16)
            grid.addWidget(label, row, 0)
            grid.addWidget(bar, row, 1)
            self.class_labels[cls], self.bars[cls] = label, bar
        self.anomaly_label = QLabel(self)
        self.anomaly_label.setObjectName("review_ai_anomaly")
        self.anomaly_label.setWordWrap(True)     # unwrapped it widened the panel at 1366
        self.reasons_label = QLabel(self)
        self.reasons_label.setObjectName("review_ai_reasons")
        self.reasons_label.setWordWrap(True)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("review_ai_model")
        self.model_label.setStyleSheet("color: #5b6168;")
        self.model_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.unavailable_label)
        layout.addLayout(grid)
        layout.addWidget(self.anomaly_label)
        layout.addWidget(self.reasons_label)
        layout.addWidget(self.model_label)
        layout.addStretch(1)
        self._item: Any = None
        self.retranslate_ui()

    def set_item(self, item: Any, *, highlight: bool = False) -> None:
        self._item = item
        self.setStyleSheet(HIGHLIGHT if highlight else "")
        s = ai_slice(item) if item is not None else {}
        scores = s.get("scores", {})
        label = s.get("label")
        for cls in CLASSES:
            v = float(scores.get(cls, 0.0))
            bar = self.bars[cls]
            bar.setValue(int(round(v * 1000)))
            bar.setFormat(f"{v:.3f}" if scores else "–")
            colour = "#37627a" if cls == label else "#9aa3ab"
            if cls == label and cls != "normal":
                colour = NOTICE_COLORS["error"]
            bar.setStyleSheet("QProgressBar { min-height: 12px; max-height: 16px; } "
                              f"QProgressBar::chunk {{ background: {colour}; }}")
            font = self.class_labels[cls].font()
            font.setBold(cls == label)
            self.class_labels[cls].setFont(font)
        unavailable = item is not None and item.ai.get("label") is None
        self.unavailable_label.setVisible(unavailable)
        for w in (*self.bars.values(), *self.class_labels.values()):
            w.setEnabled(not unavailable)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("AI verdict"))
        for cls, label in self.class_labels.items():
            label.setText(class_text(cls))
        item = self._item
        s = ai_slice(item) if item is not None else {}
        if item is not None and item.ai.get("label") is None:
            self.unavailable_label.setText(self.tr("No AI verdict: %1").replace(
                "%1", note_text(str(item.ai.get("unavailable") or item.ai.get("reason") or ""),
                                item.ai.get("unavailable_code") or item.ai.get("reason_code"))))
        anomaly = s.get("anomaly")
        self.anomaly_label.setText(
            self.tr("Anomaly score %1 (above 1: fits no class)").replace(
                "%1", "–" if anomaly is None else f"{anomaly:.2f}"))
        self.reasons_label.setText("\n".join(self._reasons(item, s)))
        if item is not None and item.ai.get("model_id"):
            self.model_label.setText(self.tr("Model %1 %2, sha256 %3…").replace(
                "%1", str(item.ai["model_id"])).replace(
                "%2", str(item.ai.get("model_version", ""))).replace(
                "%3", str(item.ai.get("model_sha256", ""))[:12]))
        else:
            self.model_label.setText("")

    def _reasons(self, item: Any, s: dict) -> list[str]:
        """Why the AI flagged the slice, rebuilt from the stored numbers (translated)."""
        if item is None or not s:
            return []
        th = item.ai.get("thresholds", {})
        out = []
        label, conf, anomaly = s.get("label"), s.get("confidence"), s.get("anomaly")
        if label and label != "normal" and conf is not None:
            out.append(self.tr("AI class: %1 (confidence %2)").replace(
                "%1", class_text(label)).replace("%2", f"{conf:.2f}"))
        if conf is not None and conf < float(th.get("low_confidence", 0.8)):
            out.append(self.tr("Low confidence: %1").replace("%1", f"{conf:.2f}"))
        if anomaly is not None and anomaly > float(th.get("anomaly", 1.0)):
            out.append(self.tr("Anomaly score %1: fits no class").replace(
                "%1", f"{anomaly:.2f}"))
        return out

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class PhysicsView(QGroupBox):
    """The physics (CT QC) verdict: badge, artifacts and measurements outside limits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review_physics")
        self.badge = VerdictBadge(self, object_name="review_physics_verdict")
        self.summary_label = _RoomLabel(self)
        self.summary_label.setObjectName("review_physics_summary")
        self.summary_label.setWordWrap(True)
        # the AI beside the physics (app.ct.review.ai_note, stored with the item with its
        # code), in the user's language; it takes the findings table's room, not the images'
        self.note_label = _RoomLabel(self)
        self.note_label.setObjectName("review_ai_note")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #37627a;")
        self.note_label.setVisible(False)
        self.table = _FindingsTable(self)
        self.model_ = RowsModel(lambda: [self.tr("Finding"), self.tr("Value"),
                                         self.tr("Verdict")], _finding_cell, self)
        self.table.setModel(self.model_)
        self.table.setObjectName("review_physics_table")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # a finding wraps in its row ("Ring ...ifact" was elided at 1366x768)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().sectionResized.connect(
            lambda col, _old, new: col == 0 and self.fit_rows(new))
        for c in (1, 2):
            self.table.horizontalHeader().setSectionResizeMode(
                c, QHeaderView.ResizeMode.ResizeToContents)
        self.setMinimumWidth(240)
        layout = QVBoxLayout(self)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.table, 1)
        self._item: Any = None
        self.retranslate_ui()

    def set_item(self, item: Any, *, highlight: bool = False) -> None:
        self._item = item
        self.setStyleSheet(HIGHLIGHT if highlight else "")
        self.retranslate_ui()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """No more than it needs (the table scrolls): the view beside it and the images
        set the height, a note shown here takes the table's room first."""
        hint = super().sizeHint()
        return QSize(hint.width(), self.minimumSizeHint().height())

    def _fill(self) -> None:
        item = self._item
        phys = item.physics if item is not None else {}
        verdict = phys.get("verdict")
        self.badge.set_verdict(verdict if verdict in Verdict.__members__ else None)
        rows = []
        lang = current_language()
        for a in phys.get("artifacts", []):
            amp = a.get("amplitude_hu")
            rows.append((artifact_name(str(a.get("type")), lang),
                         "" if amp is None else f"{amp:+.1f} HU", a.get("verdict")))
        shown = set()
        for m in phys.get("measurements", []):
            if m.get("verdict") in OUTSIDE:
                v = m.get("value")
                shown.add(m.get("key"))
                rows.append((measurement_name(str(m.get("key")), lang), "–" if v is None else
                             f"{v:.4g} {m.get('unit') or ''}".strip(), m.get("verdict")))
        for key in phys.get("failed", []):      # CT QC hand-off: keys of failed measurements
            if key not in shown:
                rows.append((measurement_name(str(key), lang), "–", "FAIL"))
        self.model_.set_rows(enumerate(rows))
        self.fit_rows()

    def fit_rows(self, width: int | None = None) -> None:
        """Each finding's row as high as its wrapped name (a few rows: one font metric
        each; ``width``: the column's new width while the header lays it out)."""
        table = self.table
        fm, base = table.fontMetrics(), table.verticalHeader().defaultSectionSize()
        w = max(1, (table.columnWidth(0) if width is None else width) - 8)
        for r in range(self.model_.rowCount()):
            need = fm.boundingRect(0, 0, w, 100000, int(Qt.TextFlag.TextWordWrap),
                                   self.model_.cell(r, 0).text).height() + 6
            if table.rowHeight(r) != max(base, need):
                table.setRowHeight(r, max(base, need))

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("Physics verdict (CT QC)"))
        self.model_.retranslate()
        phys = self._item.physics if self._item is not None else {}
        if self._item is None:
            text = ""
        ai = getattr(self._item, "ai", None) or {}
        note = note_text(str(ai.get("note") or ""), ai.get("note_code"))
        lines = self.summary_lines(phys) if phys else []
        if self._item is None:
            text = ""
        elif not phys:
            text = self.tr("No physics verdict was recorded with this item.")
        else:   # with a note shown, what the table lists is its tooltip (the room is the note's)
            text = "\n".join(lines[:2] if note else lines)
        self.summary_label.setText(text)
        self.summary_label.setToolTip(lines[2] if note and lines else "")
        self.note_label.setText(note)
        self.note_label.setToolTip(note)
        self.note_label.setVisible(bool(note))
        self._fill()

    def summary_lines(self, phys: dict) -> list[str]:
        """What the counts mean: measurements *outside their limits* (all measurements
        known: "n of m"; the CT QC hand-off carries only the failed ones), artifact checks
        and how many found something, and what the table lists."""
        measured = phys.get("measurements")
        if measured:
            outside = sum(1 for m in measured if m.get("verdict") in OUTSIDE)
            first = self.tr("Measurements outside their limits: %1 of %2").replace(
                "%1", str(outside)).replace("%2", str(len(measured)))
        else:
            first = self.tr("Measurements outside their limits: %1").replace(
                "%1", str(len(phys.get("failed", []))))
        artifacts = phys.get("artifacts", [])
        found = sum(1 for a in artifacts if a.get("verdict") not in (None, "PASS"))
        return [first,
                self.tr("Artifact checks: %1, with a finding: %2").replace(
                    "%1", str(len(artifacts))).replace("%2", str(found)),
                self.tr("The table lists every measurement outside its limits and every "
                        "artifact check.")]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


OUTSIDE = ("WARN", "FAIL", "ERROR")


def _finding_cell(row: tuple, c: int) -> Cell:
    """(finding, value, verdict) -> the cell of column ``c``; the verdict coloured."""
    what, value, v = row
    if c == 0:
        return Cell(what, tip=what)
    if c == 1:
        return Cell(value, align_right=True)
    return Cell(verdict_text(v) if v else "", background=verdict_color(v) if v else None,
                foreground="#ffffff" if v else None)


class _RoomLabel(QLabel):
    """A wrapped label that takes its lines from its neighbours' spare room (the findings
    table's) instead of asking the whole view to grow: it reports no height-for-width, and
    its minimum height follows the lines its text needs at its width (so it is never cut)."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return False

    def _fit(self) -> None:
        need = 0
        if self.text():
            m = self.contentsMargins()
            inner = max(self.width() - m.left() - m.right() - 2 * self.margin(), 1)
            rect = self.fontMetrics().boundingRect(QRect(0, 0, inner, 100000),
                                                   int(Qt.TextFlag.TextWordWrap), self.text())
            need = rect.height() + m.top() + m.bottom() + 2 * self.margin()
        if need != self.minimumHeight():
            self.setMinimumHeight(need)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(min(super().sizeHint().width(), 200), self.minimumHeight())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(0, self.minimumHeight())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()


class _FindingsTable(QTableView):
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Header and three rows: the table takes what room is left (it scrolls), so the
        images keep theirs when the view shows a note above it."""
        return QSize(super().sizeHint().width(), self._rows_height(3))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Header and two whole rows (a verdict beside its note, never half a row)."""
        return QSize(super().minimumSizeHint().width(), self._rows_height(2))

    def _rows_height(self, rows: int) -> int:
        return (self.horizontalHeader().sizeHint().height()
                + self.verticalHeader().defaultSectionSize() * rows + 2 * self.frameWidth())

    def rowCount(self) -> int:  # noqa: N802 - the old QTableWidget name, kept for callers
        return self.model().rowCount()
