"""ImageReviewPanel: the reviewer queue beside the review view of the selected item.

Background work (queue reads, image loading + heatmaps, the AI probe, series checks,
exports) runs through TaskControllers; decisions are recorded only inside the signature
dialog's sign function (ReviewQueue.decide, one transaction). A draft reason and comment
survive a session lock and a panel re-creation (a small JSON file per user).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from app.adapters.esign import content_digest
from app.core.errors import PermissionDenied, PharosError
from app.core.roles import Role
from station_plugins.image_review import panel_jobs as jobs
from app.ct.review import ConflictError, KIND_DECISION
from station_plugins.image_review.service import ReviewService
from station_plugins.image_review.ui_queue import QueueView
from station_plugins.image_review.ui_review import BANNER, ReviewView
from station_plugins.image_review.ui_texts import decision_reason_text
from widgets.esign_dialog import SignatureDialog
from widgets.message_bar import MessageBar
from widgets.note_texts import note_text, progress_message_text
from widgets.progress_bar import TaskProgressBar
from widgets.staged_build import StagedWidget, show_part
from widgets.state_style import NOTICE_COLORS
from widgets.tasks import TaskController

log = logging.getLogger(__name__)


class ImageReviewPanel(StagedWidget, QWidget):
    """Built in slices while on screen (widgets.staged_build): the frame with the queue,
    then the review view, then the wiring and the first queue read (at once it held the
    GUI thread ~65 ms). Parts are made inside the splitter they live in: moving a built
    part into it re-styled every child (~16 ms)."""

    sig_built = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("image_review_panel")
        self.ctx = ctx
        self.service = ReviewService(ctx)
        self.ai_available: bool | None = None
        self._ai_detail = ""
        self.sign_dialog: SignatureDialog | None = None
        self._pending_select: str | None = None
        self._advance_after_reload = False
        self._drafts: dict[str, dict] = self._read_drafts()

        self.queue_loader = TaskController(ctx.tasks, self)
        self.item_loader = TaskController(ctx.tasks, self)
        self.ai_probe = TaskController(ctx.tasks, self)
        self.worker = TaskController(ctx.tasks, self)       # series checks and exports
        self.start_staged_build(self._build())

    def _build(self) -> Iterator[None]:
        self.ai_label = QLabel(self)
        self.ai_label.setObjectName("review_ai_status")
        self.ai_label.setWordWrap(True)
        self.hold_label = QLabel(self)
        self.hold_label.setObjectName("review_holds")
        self.hold_label.setWordWrap(True)
        self.check_button = QPushButton(self)
        self.check_button.setObjectName("review_check_series")
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("review_export")
        self.messages = MessageBar(self, object_name="review_messages")
        self.progress = TaskProgressBar(self, object_name="review_progress",
                                        controller=self.worker,
                                        message_text=progress_message_text)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("review_splitter")
        left = QWidget(self.splitter)
        left.setObjectName("review_left_pane")
        self._left_layout = left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.queue_view = QueueView(left)
        left_layout.addWidget(self.queue_view, 1)
        self.splitter.addWidget(left)
        placeholder = QWidget(self.splitter)
        self.splitter.addWidget(placeholder)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([730, 870])

        top = QHBoxLayout()
        top.addWidget(self.ai_label, 3)
        top.addWidget(self.hold_label, 2)
        top.addWidget(self.check_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.messages)
        layout.addWidget(self.progress)
        layout.addWidget(self.splitter, 1)
        self.messages.setVisible(False)
        yield
        self.review_view = ReviewView(self.splitter, staged=True)   # its viewers: below
        try:                      # Approve / Reject only for roles that may review
            self.ctx.require("review")
            self.review_view.may_decide = True
        except Exception:  # noqa: BLE001 - PharosError: not allowed; shown as disabled
            self.review_view.may_decide = False
        # made inside the splitter, it was added at its end: in the placeholder's place
        self.splitter.insertWidget(1, self.review_view)
        placeholder.setParent(None)
        placeholder.deleteLater()
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([730, 870])
        left_layout.addWidget(self.review_view.decision_box)   # next to the queue: fast keys
        show_part(self.review_view, self.review_view.decision_box)
        yield
        yield from self.review_view.staged_slices()     # one image viewer per turn
        self.queue_loader.sig_finished.connect(self._on_queue_loaded)
        self.queue_loader.sig_failed.connect(self.messages.show_error)
        self.item_loader.sig_finished.connect(self._on_item_loaded)
        self.item_loader.sig_failed.connect(self.messages.show_error)
        self.ai_probe.sig_finished.connect(self._on_ai_status)
        self.worker.sig_finished.connect(self._on_work_done)
        self.worker.sig_failed.connect(self.messages.show_error)
        self.queue_view.sig_item_selected.connect(self.open_item)
        self.queue_view.sig_refresh_requested.connect(self.reload)
        self.queue_view.sig_assign_requested.connect(self.choose_reviewer)
        self.review_view.sig_decide_requested.connect(self.decide)
        self.review_view.sig_next_requested.connect(self.next_item)
        self.review_view.sig_draft_changed.connect(self._save_draft)
        self.check_button.clicked.connect(self.choose_series)
        self.export_button.clicked.connect(self.choose_export_folder)
        self.shortcuts = {}
        for key, slot in (("N", self.next_item), ("A", lambda: self.decide("approve")),
                          ("R", lambda: self.decide("reject")),
                          ("H", self.review_view.toggle_heatmap)):
            sc = QShortcut(QKeySequence(key), self, activated=slot)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.shortcuts[key] = sc
        self.retranslate_ui()
        self.ai_probe.start(jobs.probe_ai, self.service)
        self.reload()

    # --- queue ---------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self._pending_select = select or self.queue_view.current_id()
        self.queue_loader.start(jobs.load_queue, self.service)

    def _on_queue_loaded(self, result: tuple) -> None:
        items, holds = result
        self.queue_view.set_items(items)
        self._show_holds(holds)
        if self._advance_after_reload:
            self._advance_after_reload = False
            if self.queue_view.select_next() is None:
                self.review_view.set_item(None)
            return
        pending, shown = self._pending_select, self.review_view.item
        if pending and (self.queue_view.select_id(pending)
                        or (shown is not None and shown.id == pending)):
            self.open_item(pending)     # also when filtered out: show its new state
        elif self.review_view.item is None:
            self.queue_view.select_next()          # first visible item (opens it)

    def _show_holds(self, holds: dict) -> None:
        self._holds = holds
        if holds:
            self.hold_label.setStyleSheet(BANNER.format(NOTICE_COLORS["error"]))
            self.hold_label.setText(self.tr("On hold: %1").replace("%1", "; ".join(
                f"{sn} ({h.get('reason', '')})" for sn, h in sorted(holds.items()))))
        else:
            self.hold_label.setStyleSheet("")
            self.hold_label.setText(self.tr("No scanner on hold"))

    def open_item(self, item_id: str) -> None:
        self.item_loader.start(jobs.load_item, self.service, item_id)

    def _on_item_loaded(self, loaded: jobs.LoadedItem) -> None:
        item = loaded.item
        notice, level = "", "info"
        user = self.ctx.user
        if loaded.image_error:
            notice, level = loaded.image_error, "error"
        elif user is not None and user.username == item.analysed_by:
            notice, level = self.tr("You analysed this series: another reviewer must "
                                    "decide it."), "warning"
        elif item.assigned_to and user is not None and item.assigned_to != user.username:
            notice = self.tr("Assigned to %1.").replace("%1", item.assigned_to)
        elif loaded.heat_note:
            notice = (self.tr("No heatmap: %1").replace("%1", loaded.heat_error)
                      if loaded.heat_error else
                      self.tr("No heatmap: the AI check is unavailable."))
        self.review_view.set_item(item, notice=notice)
        self.review_view.notice_label.setStyleSheet(BANNER.format(NOTICE_COLORS[level]))
        self.review_view.set_draft(self._drafts.get(item.id))
        if loaded.image is not None:
            self.review_view.set_images(loaded.image, loaded.baseline, loaded.heatmap)

    def next_item(self) -> None:
        if self.queue_view.select_next() is None:
            self.messages.show_message(lambda: self.tr("The queue is empty."), level="info")

    # --- assignment ------------------------------------------------------------------------
    def choose_reviewer(self, item_id: str) -> None:
        try:
            self.ctx.require("assign")
        except PermissionDenied as exc:
            self.messages.show_error(exc)
            return
        names = [u.username for u in self.ctx.auth.list_users()
                 if {Role.REVIEWER, Role.SUPERVISOR} & set(u.roles) and u.active]
        name, ok = QInputDialog.getItem(self, self.tr("Assign"), self.tr("Reviewer"), names,
                                        0, False)
        if ok and name:
            self.assign(item_id, name)

    def assign(self, item_id: str, reviewer: str) -> bool:
        try:
            self.ctx.require("assign")
            self.service.queue.assign(item_id, reviewer, by=self.ctx.user.username)
        except PharosError as exc:
            self.messages.show_error(exc)
            return False
        self.messages.show_message(lambda: self.tr("Assigned to %1.").replace("%1", reviewer),
                                   level="success")
        self.reload(item_id)
        return True

    # --- decision under signature --------------------------------------------------------
    def decide(self, decision: str) -> None:
        item = self.review_view.item
        if item is None or item.status not in ("open", "awaiting_second"):
            return
        try:
            self.ctx.require("review")
        except PermissionDenied as exc:
            self.messages.show_error(exc)
            return
        reason = self.review_view.reason_for(decision)
        if reason is None:
            self.messages.show_message(
                lambda: self.tr("Choose an approve reason from the list first.")
                if decision == "approve" else self.tr("Choose a reject reason from the list first."),
                level="warning")
            self.review_view.focus_reason(decision)
            return
        comment = self.review_view.draft()["comment"].strip()
        queue = self.service.queue
        content = queue.signed_content(item, decision, reason, comment)
        meaning = ("verified" if item.status == "awaiting_second" else
                   "rejected" if decision == "reject" else "approved")
        conflict: list[ConflictError] = []

        def sign_fn(username: str, password: str, _meaning: str, _comment: str) -> Any:
            # runs in the dialog's worker thread: no widgets here
            try:
                queue.decide(item.id, decision, reason, comment, username=username,
                             password=password, expected_status=item.status)
            except ConflictError as exc:
                conflict.append(exc)
                raise
            return self.ctx.signatures.signatures_for(KIND_DECISION, item.id)[-1]

        verb = self.tr("Approve") if decision == "approve" else self.tr("Reject")
        dlg = SignatureDialog(
            sign_fn, title=self.tr("%1 review item: scanner %2, slice %3").replace(
                "%1", verb).replace("%2", item.scanner_serial).replace(
                "%3", str(item.slice_index)),
            summary=self.tr("Reason: %1. Series %2.").replace(
                "%1", decision_reason_text(reason)).replace("%2", item.series_uid),
            content_sha256=content_digest(content), session_user=self.ctx.user,
            meanings=(meaning,), default_meaning=meaning, parent=self)
        dlg.comment_edit.setPlainText(comment)
        dlg.comment_edit.setReadOnly(True)       # the comment is part of the signed content
        dlg.finished.connect(lambda result: self._after_sign(result, item, decision, conflict))
        dlg.sig_failed.connect(lambda _exc: conflict and dlg.reject())   # decided meanwhile
        self.sign_dialog = dlg
        dlg.open()

    def _after_sign(self, result: int, item: Any, decision: str,
                    conflict: list[ConflictError]) -> None:
        self.sign_dialog = None
        if conflict:
            self.messages.show_message(conflict[0].message, remedy=conflict[0].remedy,
                                       code=conflict[0].code, level="warning")
            self.reload(item.id)
            return
        if result != QDialog.DialogCode.Accepted:
            self.messages.show_message(lambda: self.tr("Not signed: nothing was recorded."),
                                       level="info")
            return
        self._drafts.pop(item.id, None)
        self._write_drafts()
        done = self.service.queue.get(item.id)
        status, serial = done.status, done.scanner_serial

        def text() -> str:
            if status == "awaiting_second":
                return self.tr("Rejection signed; a second reviewer must sign it (two-person "
                               "rule).")
            if status == "rejected":
                return self.tr("Rejected: scanner %1 is on hold.").replace("%1", serial)
            if status == "approved":
                return self.tr("Approved and signed.")
            return self.tr("The second reviewer disagreed: the item is open again.")
        self.messages.show_message(text, level="success")
        self._advance_after_reload = True
        self.reload()

    # --- series check and export ----------------------------------------------------------
    def choose_series(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("CT series folder"))
        if folder:
            self.check_series(Path(folder))

    def check_series(self, folder: Path) -> None:
        try:
            self.ctx.require("classify")
        except PermissionDenied as exc:
            self.messages.show_error(exc)
            return
        self.worker.start(jobs.check_series, self.service, folder, self.ctx.user.username)

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Empty folder for the export"))
        if folder:
            self.export(Path(folder))

    def export(self, folder: Path) -> None:
        try:
            self.ctx.require("export")
        except PermissionDenied as exc:
            self.messages.show_error(exc)
            return
        self.worker.start(jobs.export, self.service, folder, self.ctx.user.username)

    def _on_work_done(self, outcome: tuple) -> None:
        kind, value = outcome
        if kind == "export":
            items, dataset = str(value["items"]), value["dataset_id"]
            self.messages.show_message(lambda: self.tr("Exported %1 decided items (data set %2).")
                                       .replace("%1", items).replace("%2", dataset),
                                       level="success")
            return
        result, item = value
        serial = item.scanner_serial if item is not None else None
        self.messages.show_message(
            lambda: (self.tr("Queued for review: %1.").replace("%1", serial) if serial is not None
                     else self.tr("Nothing to review in this series.")),
            level="success" if item is None else "info")
        self.reload(item.id if item is not None else None)

    # --- AI status, drafts, lifecycle ----------------------------------------------------------
    def _on_ai_status(self, status: tuple) -> None:
        self.ai_available, _english, self._ai_detail = status
        self._show_ai_status()

    def _show_ai_status(self) -> None:
        if self.ai_available is None:
            self.ai_label.setText(self.tr("AI check: loading the model…"))
        elif self.ai_available:
            self.ai_label.setText(self.tr("AI check: %1").replace("%1", self._ai_detail))
        else:
            self.ai_label.setText(self.tr("AI check unavailable: %1 - physics checks only")
                                  .replace("%1", note_text(self._ai_detail)))
        self.ai_label.setStyleSheet("" if self.ai_available is not False else
                                    BANNER.format(NOTICE_COLORS["warning"]))

    def _drafts_path(self) -> Path:
        user = self.ctx.user.username if self.ctx.user is not None else "_nobody"
        return Path(self.ctx.data_dir) / "drafts" / f"{user}.json"

    def _read_drafts(self) -> dict:
        try:
            return json.loads(self._drafts_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_drafts(self) -> None:
        path = self._drafts_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self._drafts), encoding="utf-8")
        except OSError:
            log.exception("could not keep the review draft")

    def _save_draft(self) -> None:
        item = self.review_view.item
        if item is not None:
            self._drafts[item.id] = self.review_view.draft()
            self._write_drafts()

    def is_busy(self) -> bool:
        return self.worker.running or self.sign_dialog is not None

    def shutdown(self) -> None:
        for controller in (self.queue_loader, self.item_loader, self.ai_probe, self.worker):
            controller.cancel(silent=True)

    def retranslate_ui(self) -> None:
        self.check_button.setText(self.tr("Check a series…"))
        self.check_button.setToolTip(self.tr("Run the AI check and the physics checks on a "
                                             "DICOM series and queue it when it needs review"))
        self.export_button.setText(self.tr("Export labelled set…"))
        self._show_ai_status()
        self._show_holds(getattr(self, "_holds", {}))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
