"""Verdict strip of the CT QC panel: scanner-hold banner, physics and AI verdicts side by
side with a disagreement marker, baseline and PACS-archive state of the shown result."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.measurement import Verdict
from widgets.ai_texts import class_text
from widgets.note_texts import note_text
from widgets.state_style import NOTICE_COLORS, TEXT_ON_STATE, VERDICT_COLORS
from widgets.verdict_badge import VerdictBadge

from station_plugins.ct_qc.review_link import ai_summary

_AI_OK, _AI_FLAG = VERDICT_COLORS[Verdict.PASS], VERDICT_COLORS[Verdict.WARN]


def _pill(label: QLabel, text: str, colour: str | None) -> None:
    label.setText(text)
    if colour is None:
        label.setStyleSheet("padding: 3px 8px; color: #2b2f33;")
    else:
        label.setStyleSheet(f"padding: 3px 8px; border-radius: 3px; font-weight: 600;"
                            f"background: {colour}; color: {TEXT_ON_STATE};")


class HoldBanner(QFrame):
    """'Scanner on hold: <reason> (by X)': cannot be missed, cannot be dismissed here
    (the image-review station releases a hold by an approval)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_hold_banner")
        self.setStyleSheet(f"#ct_qc_hold_banner {{ background: {NOTICE_COLORS['safety']}; "
                           f"border-radius: 4px; }} QLabel {{ color: {TEXT_ON_STATE}; }}")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("ct_qc_hold_text")
        self.text_label.setWordWrap(True)
        font = self.text_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.text_label.setFont(font)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("ct_qc_hold_detail")
        self.detail_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(2)
        lay.addWidget(self.text_label)
        lay.addWidget(self.detail_label)
        self._serial, self._hold = "", None
        self.setVisible(False)

    def set_hold(self, serial: str, hold: dict | None) -> None:
        self._serial, self._hold = serial, hold
        self.setVisible(hold is not None)
        self.retranslate_ui()

    @property
    def text(self) -> str:
        return self.text_label.text()

    def retranslate_ui(self) -> None:
        if self._hold is None:
            return
        h = self._hold
        self.text_label.setText(self.tr("Scanner %1 on hold: %2 (by %3)").replace(
            "%1", self._serial).replace("%2", str(h.get("reason") or "")).replace(
            "%3", str(h.get("username") or "?")))
        self.detail_label.setText(self.tr(
            "Placed %1 by the image-review station. Do not release this scanner; a reviewer "
            "approval of a new series lifts the hold.").replace(
            "%1", str(h.get("since") or "")[:19].replace("T", " ")))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class VerdictStrip(QFrame):
    """Physics verdict | AI verdict | disagreement | baseline | archive, for one result."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_verdict_strip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.physics_caption = QLabel(self)
        self.physics = VerdictBadge(self)
        self.physics.setObjectName("ct_qc_verdict")
        self.ai_caption = QLabel(self)
        self.ai_label = QLabel(self)
        self.ai_label.setObjectName("ct_qc_ai_verdict")
        self.ai_label.setWordWrap(True)
        self.disagree = QLabel(self)
        self.disagree.setObjectName("ct_qc_ai_disagree")
        self.baseline_label = QLabel(self)
        self.baseline_label.setObjectName("ct_qc_baseline_info")
        self.archive_label = QLabel(self)
        self.archive_label.setObjectName("ct_qc_archive_info")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.physics_caption)
        lay.addWidget(self.physics)
        lay.addSpacing(16)
        lay.addWidget(self.ai_caption)
        lay.addWidget(self.ai_label)
        lay.addWidget(self.disagree)
        lay.addStretch(1)
        lay.addWidget(self.baseline_label)
        lay.addSpacing(12)
        lay.addWidget(self.archive_label)
        for w in (self.physics_caption, self.ai_caption):
            w.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        self._physics: Any = None
        self._ai: dict | None = None
        self._baseline: dict | None = None
        self._is_baseline = False
        self._archive: dict | None = None
        self._busy_ai = False
        self.retranslate_ui()

    # --- state ------------------------------------------------------------------------
    def set_state(self, *, physics: Any = None, ai: dict | None = None,
                  baseline: dict | None = None, is_baseline: bool = False,
                  archive: dict | None = None, ai_pending: bool = False) -> None:
        self._physics, self._ai, self._baseline = physics, ai, baseline
        self._is_baseline, self._archive, self._busy_ai = is_baseline, archive, ai_pending
        self.retranslate_ui()

    @property
    def ai_text(self) -> str:
        return self.ai_label.text()

    @property
    def disagreement_shown(self) -> bool:
        return not self.disagree.isHidden()

    def _ai_texts(self) -> tuple[str, str | None, str]:
        s = ai_summary(self._ai)
        if self._busy_ai and s["state"] == "none":
            return self.tr("AI check running…"), None, ""
        if s["state"] == "none":
            return ("-" if self._physics is None else self.tr("no AI verdict stored")), None, ""
        if s["state"] == "unavailable":
            reason = note_text(s["reason"], s.get("reason_code"))
            return (self.tr("AI check unavailable: %1 - physics checks only")
                    .replace("%1", reason), None, reason)
        label = str(s["label"] or "?")
        if label == "not_applicable":      # the physics decides alone: information only
            return (self.tr("AI not applicable to this series (%1) - physics decides alone")
                    .replace("%1", note_text(s.get("not_applicable_reason", ""),
                                             s.get("not_applicable_reason_code"))),
                    None, s["model"])
        # the class in the user's language ("uncertain" stayed English in zh_CN, issue 17)
        text = (self.tr("normal") if label == "normal" else class_text(label))
        if s["flagged"] and s["review_reasons"]:
            text += "  ·  " + self.tr("sent to image review")
        # an uncertain AI is a note, not an alarm
        colour = _AI_OK if label == "normal" else (None if label == "uncertain" else _AI_FLAG)
        note = note_text(s.get("note") or "", s.get("note_code"))
        return text, colour, note or s["model"]

    def retranslate_ui(self) -> None:
        self.physics_caption.setText(self.tr("Physics"))
        self.ai_caption.setText(self.tr("AI"))
        self.physics.set_verdict(self._physics)
        text, colour, tip = self._ai_texts()
        _pill(self.ai_label, text, colour)
        self.ai_label.setToolTip(tip)
        disagree = bool(ai_summary(self._ai).get("disagreement"))
        self.disagree.setVisible(disagree)
        if disagree:
            _pill(self.disagree, "⚠ " + self.tr("AI and physics disagree"), NOTICE_COLORS["error"])
            self.disagree.setToolTip(self.tr("The series was queued for a reviewer at the "
                                             "image-review station."))
        if self._is_baseline:
            self.baseline_label.setText("★ " + self.tr("accepted baseline"))
        elif self._baseline:
            self.baseline_label.setText(self.tr("baseline: %1 (%2)").replace(
                "%1", self._baseline.get("set_utc", "")[:10]).replace(
                "%2", self._baseline.get("set_by", "")))
        else:
            self.baseline_label.setText(self.tr("no baseline") if self._physics else "")
        self.archive_label.setText(self._archive_text())

    def _archive_text(self) -> str:
        a = self._archive
        if not a:
            return self.tr("not archived") if self._physics else ""
        if a.get("archived"):
            return "✔ " + self.tr("archived (%1 instances committed)").replace(
                "%1", str(a.get("committed", 0)))
        return "✖ " + self.tr("archive failed: %1 of %2 committed").replace(
            "%1", str(a.get("committed", 0))).replace("%2", str(a.get("instances", 0)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
