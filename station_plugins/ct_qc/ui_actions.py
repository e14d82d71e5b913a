"""Result actions of the CT QC panel (mixed into CtQcPanel): set as baseline (signed),
archive to the PACS (C-STORE + Storage Commitment, in the background) and the PDF report.
Every action is role-checked with ``ctx.require`` before anything happens."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from station_plugins.ct_qc import archive, baseline, workflow


class ResultActionsMixin:
    """Needs: ctx, messages, intake, series_table, actions (TaskController), _allowed,
    _current_entry(), _result, _record_id, _loaded, refresh_marks()."""

    # --- baseline ----------------------------------------------------------------------
    def set_baseline_current(self) -> Any:
        """Ask for an e-signature (meaning 'approved') and record the shown result as
        its scanner's accepted baseline. Returns the baseline record (None: not set)."""
        from widgets.esign_dialog import SignatureDialog

        if not self._allowed("set_baseline"):
            return None
        if not self._record_id or self._result is None:
            self.messages.show_message(self.tr("Analyse the series first; only an analysed "
                                               "result can become the baseline."), level="info")
            return None
        row = self.ctx.store.get_record(self._record_id)
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

        from app.core.ids import content_hash
        dlg = self.make_signature_dialog(
            SignatureDialog, sign,
            title=self.tr("Accept as baseline of scanner %1").replace("%1", serial),
            summary=self.tr("Series %1, analysed %2, verdict %3. Later analyses of this "
                            "scanner are checked against its constancy limits.")
            .replace("%1", row.ref).replace("%2", row.created_utc[:19].replace("T", " "))
            .replace("%3", str(row.verdict)),
            content_sha256=content_hash(content))
        if dlg.exec() and made:
            self.messages.show_message(self.tr("Baseline of %1 set and signed.").replace(
                "%1", serial), level="success")
            self.refresh_marks()
            return made[0]
        return None

    def make_signature_dialog(self, cls: Any, sign: Any, **kw: Any) -> Any:
        """The signature dialog (tests replace this to sign without a modal loop)."""
        return cls(sign, session_user=self.ctx.user, meanings=("approved",),
                   default_meaning="approved", parent=self, **kw)

    def _show_refusal(self, exc: BaseException) -> None:
        from app.core.errors import PharosError
        if not isinstance(exc, PharosError):
            raise exc
        self.messages.show_error(exc)
        return None

    # --- archive -----------------------------------------------------------------------
    def archive_current(self) -> None:
        if not self._allowed("archive"):
            return
        entry = self._current_entry()
        if entry is None:
            self.messages.show_message(self.tr("Choose a series first."), level="info")
            return
        self.messages.clear()
        self.messages.setVisible(False)
        self._action_kind = "archive"
        self.series_table.upsert(entry.series_uid)
        self.actions.start(archive.archive_entry, self.intake, entry, self.ctx.store,
                           self._username(), result_record_id=self._record_id or "",
                           commit_timeout=float(self.ctx.settings.get("commit_timeout_s", 30)))

    def _on_archived(self, payload: dict) -> None:
        status = getattr(self.ctx, "status", None)
        if payload["archived"]:
            self.messages.show_message(self.tr("Series archived to %1: all %2 instances "
                                               "confirmed by storage commitment.")
                                       .replace("%1", payload["peer"])
                                       .replace("%2", str(payload["instances"])),
                                       level="success")
            if status is not None:
                status.set("pacs", "ok", f"archived to {payload['peer']}")
        else:
            self.messages.show_message(
                self.tr("NOT archived: %1 of %2 instances confirmed by %3.")
                .replace("%1", str(len(payload["committed"])))
                .replace("%2", str(payload["instances"])).replace("%3", payload["peer"]),
                remedy=self.tr("Check the PACS, then archive again."), level="error")
        self.refresh_marks()

    # --- PDF report ---------------------------------------------------------------------
    def report_current(self, path: str | Path | None = None) -> None:
        if not self._allowed("export_report"):
            return
        if self._result is None or self._loaded is None:
            self.messages.show_message(self.tr("Analyse the series first."), level="info")
            return
        if path is None:
            serial = (self._result.inputs or {}).get("scanner_serial") or "scanner"
            default = str(Path.home() / f"ct_qc_{serial}_{self._result.result_id[:8]}.pdf")
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save PDF report"), default,
                                                  "PDF (*.pdf)")
            if not path:
                return
        sigs = baseline.signatures_on_result(self.ctx.store, self.ctx.signatures,
                                             self._record_id or "")
        from station_plugins.ct_qc.review_link import ai_summary
        uid = (self._result.inputs or {}).get("series_uid") or self._current_uid or ""
        serial = (self._result.inputs or {}).get("scanner_serial") or ""
        snap = self._snapshot
        review = {"ai": ai_summary(snap.ai.get(uid) if snap is not None else None),
                  "hold": (snap.holds.get(serial) if snap is not None else None)}
        self._action_kind = "report"
        self.actions.start(workflow.report_job, self._result, self._loaded, str(path), sigs,
                           record_id=self._record_id or "", review=review)

    def _on_action_done(self, value: Any) -> None:
        kind, self._action_kind = getattr(self, "_action_kind", ""), ""
        if kind == "archive":
            self._on_archived(value)
        elif kind == "report":
            self.messages.show_message(self.tr("Report written: %1").replace("%1", str(value)),
                                       level="success")
            self.last_report = Path(value)

    def _on_action_failed(self, exc: BaseException) -> None:
        from app.core.errors import DeviceError
        kind, self._action_kind = getattr(self, "_action_kind", ""), ""
        status = getattr(self.ctx, "status", None)
        if kind == "archive" and isinstance(exc, DeviceError) and status is not None:
            status.set("pacs", "error", exc.message)
        self._on_failed(exc)
        self.refresh_marks()
