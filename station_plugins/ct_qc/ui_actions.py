"""Result actions of the CT QC panel: set as baseline (signed), archive to the PACS
(C-STORE + Storage Commitment, in the background) and the PDF report. Every action is
role-checked with ``ctx.require`` before anything happens.

:class:`ResultActions` gets what it touches in its constructor: the context, the station
service's intake (archive), the message bar, a TaskController for its background work,
the role check and ``shown()`` - what the panel shows now (:class:`Shown`). It asks the
panel to re-read the series marks with ``sig_marks_changed`` and reports failures with
``sig_failed``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.errors import DeviceError, PharosError
from app.core.ids import content_hash
from widgets.esign_dialog import SignatureDialog
from widgets.message_bar import MessageBar
from widgets.tasks import TaskController

from station_plugins.ct_qc import archive, baseline, workflow
from station_plugins.ct_qc.review_link import ai_summary


@dataclass(frozen=True)
class Shown:
    """What the panel shows: the chosen series, its result and stored record."""

    uid: str | None = None
    entry: Any = None              # workflow.SeriesEntry
    result: Any = None             # QcResult
    record_id: str = ""
    loaded: Any = None             # LoadedSeries
    snapshot: Any = None           # workflow.StationSnapshot


class ResultActions(QObject):
    sig_marks_changed = Signal()      # a baseline / archive record was written
    sig_failed = Signal(object)

    def __init__(self, ctx: Any, intake: Any, *, messages: MessageBar,
                 actions: TaskController, allowed: Callable[[str], bool],
                 shown: Callable[[], Shown], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.ctx, self.intake, self.messages, self.actions = ctx, intake, messages, actions
        self._allowed, self._shown, self._dialog_parent = allowed, shown, dialog_parent
        self._action_kind = ""
        self.last_report: Path | None = None
        actions.sig_finished.connect(self._on_action_done)
        actions.sig_failed.connect(self._on_action_failed)

    def _username(self) -> str:
        return getattr(self.ctx.user, "username", "unknown")

    # --- baseline ----------------------------------------------------------------------
    def set_baseline_current(self) -> Any:
        """Ask for an e-signature (meaning 'approved') and record the shown result as
        its scanner's accepted baseline. Returns the baseline record (None: not set)."""
        if not self._allowed("set_baseline"):
            return None
        shown = self._shown()
        if not shown.record_id or shown.result is None:
            self.messages.show_message(lambda: self.tr("Analyse the series first; only an analysed "
                                               "result can become the baseline."), level="info")
            return None
        row = self.ctx.store.get_record(shown.record_id)
        try:
            baseline.check_eligible(row)
        except Exception as exc:  # noqa: BLE001 - PharosError shown; others re-raised below
            return self._show_refusal(exc)
        content = baseline.signed_content(row)
        serial = row.subject
        allowed = self.ctx._actions.get("set_baseline")  # noqa: SLF001 - declared roles
        made: list[Any] = []

        def sign(username: str, password: str, meaning: str, comment: str) -> Any:
            rec = baseline.set_baseline(self.ctx.store, self.ctx.signatures, row.id,
                                        username=username, password=password,
                                        comment=comment, allowed_roles=allowed)
            made.append(rec)
            return self.ctx.signatures.signatures_for(baseline.BASELINE_KIND, rec.id)[-1]

        dlg = self.make_signature_dialog(
            SignatureDialog, sign,
            title=self.tr("Accept as baseline of scanner %1").replace("%1", serial),
            summary=self.tr("Series %1, analysed %2, verdict %3. Later analyses of this "
                            "scanner are checked against its constancy limits.")
            .replace("%1", row.ref).replace("%2", row.created_utc[:19].replace("T", " "))
            .replace("%3", str(row.verdict)),
            content_sha256=content_hash(content))
        if dlg.exec() and made:
            self.messages.show_message(lambda: self.tr("Baseline of %1 set and signed.").replace(
                "%1", serial), level="success")
            self.sig_marks_changed.emit()
            return made[0]
        return None

    def make_signature_dialog(self, cls: Any, sign: Any, **kw: Any) -> Any:
        """The signature dialog (tests replace this to sign without a modal loop)."""
        return cls(sign, session_user=self.ctx.user, meanings=("approved",),
                   default_meaning="approved", parent=self._dialog_parent, **kw)

    def _show_refusal(self, exc: BaseException) -> None:
        if not isinstance(exc, PharosError):
            raise exc
        self.messages.show_error(exc)
        return None

    # --- archive -----------------------------------------------------------------------
    def archive_current(self) -> None:
        if not self._allowed("archive"):
            return
        shown = self._shown()
        entry = shown.entry
        if entry is None:
            self.messages.show_message(lambda: self.tr("Choose a series first."), level="info")
            return
        self.messages.clear()
        self.messages.setVisible(False)
        self._action_kind = "archive"
        self.actions.start(archive.archive_entry, self.intake, entry, self.ctx.store,
                           self._username(), result_record_id=shown.record_id or "",
                           commit_timeout=float(self.ctx.settings.get("commit_timeout_s", 30)))

    def _on_archived(self, payload: dict) -> None:
        status = getattr(self.ctx, "status", None)
        if payload["archived"]:
            self.messages.show_message(lambda: self.tr("Series archived to %1: all %2 instances "
                                                       "confirmed by storage commitment.")
                                       .replace("%1", payload["peer"])
                                       .replace("%2", str(payload["instances"])),
                                       level="success")
            if status is not None:
                status.set("pacs", "ok", f"archived to {payload['peer']}")
        else:
            self.messages.show_message(
                lambda: self.tr("NOT archived: %1 of %2 instances confirmed by %3.")
                .replace("%1", str(len(payload["committed"])))
                .replace("%2", str(payload["instances"])).replace("%3", payload["peer"]),
                remedy=lambda: self.tr("Check the PACS, then archive again."), level="error")
        self.sig_marks_changed.emit()

    # --- PDF report ---------------------------------------------------------------------
    def report_current(self, path: str | Path | None = None) -> None:
        if not self._allowed("export_report"):
            return
        shown = self._shown()
        result = shown.result
        if result is None or shown.loaded is None:
            self.messages.show_message(lambda: self.tr("Analyse the series first."), level="info")
            return
        if path is None:
            serial = (result.inputs or {}).get("scanner_serial") or "scanner"
            default = str(Path.home() / f"ct_qc_{serial}_{result.result_id[:8]}.pdf")
            path, _ = QFileDialog.getSaveFileName(self._dialog_parent,
                                                  self.tr("Save PDF report"), default,
                                                  "PDF (*.pdf)")
            if not path:
                return
        sigs = baseline.signatures_on_result(self.ctx.store, self.ctx.signatures,
                                             shown.record_id or "")
        uid = (result.inputs or {}).get("series_uid") or shown.uid or ""
        serial = (result.inputs or {}).get("scanner_serial") or ""
        snap = shown.snapshot
        review = {"ai": ai_summary(snap.ai.get(uid) if snap is not None else None),
                  "hold": (snap.holds.get(serial) if snap is not None else None)}
        self._action_kind = "report"
        self.actions.start(workflow.report_job, result, shown.loaded, str(path), sigs,
                           record_id=shown.record_id or "", review=review)

    def _on_action_done(self, value: Any) -> None:
        kind, self._action_kind = self._action_kind, ""
        if kind == "archive":
            self._on_archived(value)
        elif kind == "report":
            self.messages.show_message(
                lambda: self.tr("Report written: %1").replace("%1", str(value)), level="success")
            self.last_report = Path(value)

    def _on_action_failed(self, exc: BaseException) -> None:
        kind, self._action_kind = self._action_kind, ""
        status = getattr(self.ctx, "status", None)
        if kind == "archive" and isinstance(exc, DeviceError) and status is not None:
            status.set("pacs", "error", exc.operator_text())
        self.sig_failed.emit(exc)
        self.sig_marks_changed.emit()
