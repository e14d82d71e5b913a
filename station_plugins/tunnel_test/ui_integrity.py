"""The supervisor's journal-integrity decision in the tunnel console.

A run whose journal failed its keyed-chain check cannot be released or resumed until a
supervisor decides under e-signature (``integrity.py``). The button is shown to users
who may decide; it reviews the run the panel names (the selected recent unit, else the
interrupted run, else the last run, else the newest listed): the check runs in the background, then the real
signature dialog opens with the problems and the two meanings, each the decision it
records - Approved: accept the journal; Rejected: the unit is tested again. The reason
is the signature's comment. Same service code as ``pharos tunnel integrity --decide``
(``TunnelConsole.decide_integrity``); the signer's role is checked there (supervisor).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.core.errors import ValidationError
from station_plugins.tunnel_test.ui_reason_words import error_text
from station_plugins.tunnel_test.ui_tasks import TaskSlot

MEANING_DECISION = {"approved": "accept", "rejected": "reject"}


class IntegrityReview(QPushButton):
    """``sig_message(text, is_error)`` reports to the panel; ``sig_decided(dict)`` after a
    signed decision (the panel refreshes its lists)."""

    sig_message = Signal(object, bool)   # (() -> words in the UI language, is_error)
    sig_decided = Signal(object)

    def __init__(self, *, console: Callable[[], Any], user: Any, tasks: Any, can_decide: bool,
                 sign_dialog: Callable[..., Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_integrity_decision")
        self._console, self._user = console, user
        self._sign_dialog = sign_dialog
        self.slot = TaskSlot(tasks, self)
        self.run_id = ""
        self.can_decide = can_decide
        self.setVisible(can_decide)
        self.setEnabled(False)
        self.clicked.connect(self.review)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setText(self.tr("Journal integrity decision..."))
        self.setToolTip(self.tr("Supervisor: accept or reject a run whose journal failed "
                                "its integrity check (e-signature)"))

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def decision_text(self, decision: str) -> str:
        return {"accept": self.tr("journal accepted"),
                "reject": self.tr("results rejected")}.get(decision, decision)

    def set_run(self, run_id: str) -> None:
        """The run the button reviews ("" = none)."""
        self.run_id = run_id
        self.setEnabled(bool(run_id) and not self.slot.running)

    def review(self) -> None:
        if not self.run_id or not self.can_decide:
            return
        run_id, console = self.run_id, self._console
        self.setEnabled(False)
        self.slot.run(lambda: console().integrity_status(run_id), self._checked)

    def _checked(self, status: Any, error: Any) -> None:
        self.setEnabled(bool(self.run_id))
        if error is not None:
            self.sig_message.emit(lambda: error_text(error), True)
            return
        if status["intact"]:
            run_id = status["run_id"]
            self.sig_message.emit(lambda: self.tr("The journal of run %1 is intact; there is "
                                                  "nothing to decide.").replace("%1", run_id),
                                  False)
            return
        self.decide(status)

    def decide(self, status: dict) -> Any:
        """The signature dialog for ``status`` (an integrity_status with problems)."""
        from app.core.ids import content_hash
        from widgets.esign_dialog import SignatureDialog

        console, run_id = self._console(), status["run_id"]

        def sign(username: str, password: str, meaning: str, comment: str) -> dict:
            if not comment.strip():
                raise ValidationError(self.tr("Write the reason for the decision in the "
                                              "comment."))
            return console.decide_integrity(run_id, decision=MEANING_DECISION[meaning],
                                            reason=comment, username=username,
                                            password=password)
        previous = status.get("decision")
        summary = self.tr("Unit %1, run %2. The journal failed its integrity check: %3. "
                          "Approved = accept the journal (the run may be released or "
                          "resumed); Rejected = the results are not trusted, the unit is "
                          "tested again. Write the reason in the comment.").replace(
            "%1", status["serial"]).replace("%2", run_id).replace(
            "%3", "; ".join(status["problems"]))
        if previous:
            summary += " " + self.tr("Current decision: %1 by %2 (%3).").replace(
                "%1", self.decision_text(previous["decision"])).replace(
                "%2", previous["signed_by"]).replace("%3", previous["signed_utc"])
        ask = self._sign_dialog or SignatureDialog.ask
        body = {"run_id": run_id, "serial": status["serial"], "problems": status["problems"]}
        decided = ask(self, sign, title=self.tr("Journal integrity decision, run %1").replace(
                          "%1", run_id[:8]),
                      summary=summary, content_sha256=content_hash(body),
                      session_user=self._user, meanings=("approved", "rejected"),
                      default_meaning="rejected")
        if decided is not None:
            self.sig_message.emit(lambda: self.tr("Decision recorded: %1 by %2 (signature "
                                                  "%3).").replace(
                "%1", self.decision_text(decided["decision"])).replace(
                "%2", decided["signed_by"]).replace("%3", decided["signature_id"][:8]), False)
            self.sig_decided.emit(decided)
        return decided

