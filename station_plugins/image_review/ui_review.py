"""The review view of one item: the flagged slice with its heatmap beside the scanner's
accepted baseline (window/level, zoom and pan linked), both verdicts, and the decision
controls (controlled reasons, free text, keyboard hints). It never decides: the panel
asks for the signature."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QSizePolicy, QStackedWidget,
                               QVBoxLayout,
                               QWidget)

from app.ct.review import APPROVE_REASONS, REJECT_REASONS
from station_plugins.image_review.ui_texts import (class_text, decision_reason_text,
                                                   queue_reason_text, status_text)
from station_plugins.image_review.ui_verdicts import AiScoresView, PhysicsView
from widgets.slice_viewer import SliceViewer, link_viewers
from widgets.staged_build import StagedWidget, show_part
from widgets.state_style import NOTICE_COLORS

BANNER = "QLabel {{ background: {}; color: white; padding: 4px 8px; border-radius: 3px; }}"


class ReviewView(StagedWidget, QWidget):
    """``staged=True``: built in slices driven by the panel's build (the texts and the
    decision box first, then each image viewer; ``staged_slices``)."""

    sig_decide_requested = Signal(str)        # "approve" / "reject"
    sig_next_requested = Signal()
    sig_draft_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, staged: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("review_view")
        self.item: Any = None
        self.start_staged_build(self._build(), auto=False)
        if not staged:
            self.finish_build()

    def _build(self) -> Iterator[None]:
        self.header_label = QLabel(self)
        self.header_label.setObjectName("review_header")
        self.header_label.setWordWrap(True)
        font = self.header_label.font()
        font.setBold(True)
        self.header_label.setFont(font)
        self.disagreement_label = QLabel(self)
        self.disagreement_label.setObjectName("review_disagreement")
        self.disagreement_label.setStyleSheet(BANNER.format(NOTICE_COLORS["warning"]))
        self.disagreement_label.setWordWrap(True)
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("review_notice")
        self.notice_label.setStyleSheet(BANNER.format(NOTICE_COLORS["info"]))
        self.notice_label.setWordWrap(True)
        self.image_title = QLabel(self)
        self.image_title.setObjectName("review_image_title")
        self.baseline_title = QLabel(self)
        self.baseline_title.setObjectName("review_baseline_title")
        # the titles wrap in their column: unwrapped, "Flagged image, slice 2 - AI abnormal,
        # Failed limits" set the panel's minimum wider than 1366x768 leaves (it scrolled)
        self.image_title.setWordWrap(True)
        self.baseline_title.setWordWrap(True)

        self.decision_box = QGroupBox(self)
        self.decision_box.setObjectName("review_decision")
        self.approve_reason = QComboBox(self.decision_box)
        self.approve_reason.setObjectName("review_approve_reason")
        self.reject_reason = QComboBox(self.decision_box)
        self.reject_reason.setObjectName("review_reject_reason")
        for combo, codes in ((self.approve_reason, APPROVE_REASONS),
                             (self.reject_reason, REJECT_REASONS)):
            combo.addItem("", None)
            for code in codes:
                combo.addItem(code, code)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.currentIndexChanged.connect(lambda *_: self.sig_draft_changed.emit())
            combo.currentIndexChanged.connect(lambda *_: self._reason_tips())
        self.comment_edit = QPlainTextEdit(self.decision_box)
        self.comment_edit.setObjectName("review_comment")
        self.comment_edit.setFixedHeight(46)
        self.comment_edit.textChanged.connect(self.sig_draft_changed)
        self.approve_button = QPushButton(self.decision_box)
        self.approve_button.setObjectName("review_approve")
        self.reject_button = QPushButton(self.decision_box)
        self.reject_button.setObjectName("review_reject")
        self.next_button = QPushButton(self.decision_box)
        self.next_button.setObjectName("review_next")
        self.heatmap_button = QPushButton(self.decision_box)
        self.heatmap_button.setObjectName("review_heatmap_toggle")
        self.heatmap_button.setCheckable(True)
        self.heatmap_button.setChecked(True)
        self.keys_label = QLabel(self.decision_box)
        self.keys_label.setObjectName("review_key_hints")
        self.keys_label.setStyleSheet("color: #5b6168;")
        self.keys_label.setWordWrap(True)
        self.history_label = QLabel(self.decision_box)
        self.history_label.setObjectName("review_history")
        self.history_label.setWordWrap(True)
        self.approve_button.clicked.connect(lambda: self.sig_decide_requested.emit("approve"))
        self.reject_button.clicked.connect(lambda: self.sig_decide_requested.emit("reject"))
        self.next_button.clicked.connect(self.sig_next_requested)
        self._build_layout()
        yield
        # the AI scores and the physics table (~10 ms of their own; session 30)
        self.ai_view = AiScoresView(self)
        self.physics_view = PhysicsView(self)
        self._lower.addWidget(self.ai_view, 1)
        self._lower.addWidget(self.physics_view, 1)
        show_part(self.ai_view, self.physics_view)
        yield
        self.image_viewer = SliceViewer(self, object_name="review_image", preset="phantom")
        self.heatmap_button.toggled.connect(self.image_viewer.heatmap_check.setChecked)
        self.image_viewer.heatmap_check.toggled.connect(self.heatmap_button.setChecked)
        # the image's toolbar (window/level, heatmap, fit) serves both linked viewers: it
        # sits above them so both canvases have the same size (same zoom for one range)
        toolbar = self.image_viewer.toolbar
        self.image_viewer.layout().removeWidget(toolbar)
        self._images.insertWidget(0, toolbar)
        self._left.addWidget(self.image_viewer, 1)
        show_part(self.image_viewer, toolbar)
        yield
        # W/L, zoom and pan follow the flagged image's controls (linked): no own toolbar
        self.baseline_viewer = SliceViewer(self, object_name="review_baseline",
                                           preset="phantom", show_toolbar=False)
        link_viewers(self.image_viewer, self.baseline_viewer)
        self.no_baseline_label = QLabel(self)
        self.no_baseline_label.setObjectName("review_no_baseline")
        self.no_baseline_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_baseline_label.setStyleSheet("background: #101214; color: #c9ced3;")
        self.baseline_stack = QStackedWidget(self)
        self.baseline_stack.addWidget(self.baseline_viewer)
        self.baseline_stack.addWidget(self.no_baseline_label)
        self._right.addWidget(self.baseline_stack, 1)
        show_part(self.baseline_stack)
        self.set_item(None)

    def _build_layout(self) -> None:
        # the two reason lists side by side, each named by its empty entry ("— Approve
        # reason —"; the label stays the list's buddy and accessible name), the comment
        # under them: the queue above keeps the height (one list a row left it 2 rows
        # high at 1366x768 in zh_CN)
        self._form_labels = [QLabel(self.decision_box) for _ in range(3)]
        for label, field in zip(self._form_labels, (self.approve_reason, self.reject_reason,
                                                    self.comment_edit)):
            label.setBuddy(field)
        for label in self._form_labels[:2]:
            label.setVisible(False)
        reasons = QHBoxLayout()
        reasons.addWidget(self.approve_reason, 1)
        reasons.addWidget(self.reject_reason, 1)
        comment = QHBoxLayout()
        comment.addWidget(self._form_labels[2])
        comment.addWidget(self.comment_edit, 1)
        self.form = QVBoxLayout()
        self.form.addLayout(reasons)
        self.form.addLayout(comment)
        buttons = QGridLayout()      # one row: the queue above keeps the height (1366x768)
        for i, b in enumerate((self.approve_button, self.reject_button, self.next_button,
                               self.heatmap_button)):
            buttons.addWidget(b, 0, i)
        box = QVBoxLayout(self.decision_box)
        box.addLayout(self.form)
        box.addLayout(buttons)
        # the keys are on the buttons; the full hint (mouse too) is a tooltip, so the
        # decision box fits a 1366x768 screen with a safety banner shown
        self.keys_label.setVisible(False)
        box.addWidget(self.keys_label)
        box.addWidget(self.history_label)
        box.addStretch(1)

        # the image viewers come in later slices (their places: _images, _left, _right)
        self._left, self._right = left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.image_title)
        right.addWidget(self.baseline_title)
        pair = QHBoxLayout()
        pair.addLayout(left, 1)
        pair.addLayout(right, 1)
        self._images = images = QVBoxLayout()
        images.addLayout(pair, 1)
        # the AI and physics views: the next slice; the decision box is placed by the panel
        self._lower = lower = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header_label)
        layout.addWidget(self.disagreement_label)
        layout.addWidget(self.notice_label)
        layout.addLayout(images, 5)
        layout.addLayout(lower, 3)

    # --- content -----------------------------------------------------------------------
    def set_item(self, item: Any, *, notice: str = "") -> None:
        """Show an item's facts (images come later from set_images)."""
        self.item = item
        has = item is not None
        may = bool(getattr(self, "may_decide", True))    # the user's role may review
        for w in (self.approve_button, self.reject_button, self.approve_reason,
                  self.reject_reason, self.comment_edit):
            w.setEnabled(may and has and item.status in ("open", "awaiting_second"))
        tip = "" if may else self.tr("Your role may not approve or reject (reviewer or "
                                      "supervisor needed).")
        for w in (self.approve_button, self.reject_button):
            w.setToolTip(tip)
        self.heatmap_button.setEnabled(has)          # nothing to overlay without an item
        self.disagreement_label.setVisible(has and item.disagreement)
        self.ai_view.set_item(item, highlight=has and item.disagreement)
        self.physics_view.set_item(item, highlight=has and item.disagreement)
        self.set_notice(notice)
        if not has:
            self.image_viewer.clear()
            self.baseline_viewer.clear()
            self.baseline_stack.setCurrentWidget(self.no_baseline_label)
        self.retranslate_ui()

    def set_notice(self, text: str, level: str = "info") -> None:
        self.notice_label.setStyleSheet(BANNER.format(NOTICE_COLORS.get(level, "#37627a")))
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))

    def set_images(self, image: np.ndarray, baseline: np.ndarray | None,
                   heatmap: np.ndarray | None) -> None:
        """image / baseline: (3, rows, cols) adjacent slices; the centre one is shown."""
        self.image_viewer.set_heatmap(None)
        self.image_viewer.set_image(image[1])
        if heatmap is not None:
            self.image_viewer.set_heatmap(heatmap, alpha=0.45)
        if baseline is not None:
            self.baseline_viewer.set_image(baseline[min(1, len(baseline) - 1)])
            self.baseline_stack.setCurrentWidget(self.baseline_viewer)
        else:
            self.baseline_viewer.clear()
            self.baseline_stack.setCurrentWidget(self.no_baseline_label)

    def has_baseline(self) -> bool:
        return self.baseline_stack.currentWidget() is self.baseline_viewer

    def toggle_heatmap(self) -> None:
        self.heatmap_button.toggle()

    # --- draft (reason + comment; kept until signed) -------------------------------------
    def draft(self) -> dict:
        return {"approve_reason": self.approve_reason.currentData(),
                "reject_reason": self.reject_reason.currentData(),
                "comment": self.comment_edit.toPlainText()}

    def set_draft(self, draft: dict | None) -> None:
        draft = draft or {}
        for combo, key in ((self.approve_reason, "approve_reason"),
                           (self.reject_reason, "reject_reason")):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(draft.get(key)), 0))
            combo.blockSignals(False)
        self.comment_edit.blockSignals(True)
        self.comment_edit.setPlainText(draft.get("comment", ""))
        self.comment_edit.blockSignals(False)

    def reason_for(self, decision: str) -> str | None:
        combo = self.approve_reason if decision == "approve" else self.reject_reason
        return combo.currentData()

    def focus_reason(self, decision: str) -> None:
        (self.approve_reason if decision == "approve" else self.reject_reason).setFocus()

    # --- texts -----------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        it = self.item
        if it is None:
            self.header_label.setText(self.tr("Select an item in the queue."))
        else:
            self.header_label.setText(self.tr(
                "Scanner %1 · series %2 · slice %3 · %4 · analysed by %5").replace(
                "%1", it.scanner_serial).replace("%2", it.series_uid).replace(
                "%3", str(it.slice_index)).replace("%4", status_text(it.status)).replace(
                "%5", it.analysed_by))
            phys = it.physics.get("verdict") or self.tr("none")
            self.disagreement_label.setText(self.tr(
                "AI and physics disagree: AI class '%1', physics verdict %2. Look closely."
            ).replace("%1", class_text(it.ai_label)).replace("%2", str(phys)))
        self.image_title.setText(self.tr("Flagged image (AI heatmap)") if it is None else
                                 self.tr("Flagged image, slice %1 - %2").replace(
                                     "%1", str(it.slice_index)).replace(
                                     "%2", ", ".join(queue_reason_text(r) for r in it.reasons)))
        self.baseline_title.setText(self.tr("Accepted baseline of the scanner"))
        self.no_baseline_label.setText(self.tr("No accepted baseline for this scanner"))
        self.decision_box.setTitle(self.tr("Decision (recorded only when signed)"))
        for label, text in zip(self._form_labels, (self.tr("Approve reason"),
                                                   self.tr("Reject reason"),
                                                   self.tr("Comment"))):
            label.setText(text)
        for combo, label in zip((self.approve_reason, self.reject_reason), self._form_labels):
            combo.setItemText(0, f"— {label.text()} —")
            combo.setAccessibleName(label.text())
            for i in range(1, combo.count()):
                combo.setItemText(i, decision_reason_text(combo.itemData(i)))
        self._reason_tips()
        self.approve_button.setText(self.tr("Approve [A]"))
        self.reject_button.setText(self.tr("Reject [R]"))
        self.next_button.setText(self.tr("Next [N]"))
        self.heatmap_button.setText(self.tr("Heatmap [H]"))
        self.keys_label.setText(self.tr(
            "Keys: N next item · A approve · R reject · H heatmap on/off. Mouse: drag pans, "
            "wheel zooms, right-drag sets window/level (both images follow)."))
        for w in (self.decision_box, self.image_viewer):
            w.setToolTip(self.keys_label.text())
        self._show_history()

    def _reason_tips(self) -> None:
        """The chosen reason whole in the tooltip (a long one is elided in its half)."""
        for combo, label in zip((self.approve_reason, self.reject_reason), self._form_labels):
            combo.setToolTip(label.text() + (f"\n{combo.currentText()}"
                                             if combo.currentData() is not None else ""))

    def _show_history(self) -> None:
        it = self.item
        if it is None or not it.decisions:
            self.history_label.setText("")
            self.history_label.setVisible(False)     # no empty line under the buttons
            return
        self.history_label.setVisible(True)
        lines = [self.tr("%1 by %2 (%3), %4").replace(
            "%1", status_text("approved") if d["decision"] == "approve" else
            status_text("rejected")).replace("%2", d["username"]).replace(
            "%3", decision_reason_text(d["reason_code"])).replace("%4", d["created_utc"][:19])
            for d in it.decisions]
        if it.status == "awaiting_second":
            lines.append(self.tr("Two-person rule: a second reviewer must sign the rejection."))
        self.history_label.setText("\n".join(lines))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
