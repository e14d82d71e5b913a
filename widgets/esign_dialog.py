"""SignatureDialog: the electronic signature prompt (21 CFR Part 11 §11.50/11.200).

    dlg = SignatureDialog(lambda u, p, meaning, comment: ctx.signatures.sign(
                              "ctqc_result", record_id, content, meaning,
                              username=u, password=p, comment=comment),
                          title="CT QC result, scanner CT-0412",
                          summary="Daily QC, 12 measurements, overall PASS",
                          content_sha256=content_hash(content),
                          session_user=ctx.session.user, parent=self)
    if dlg.exec() == QDialog.DialogCode.Accepted:
        signature = dlg.signature

    signature = SignatureDialog.ask(parent, sign_fn, title=..., summary=..., content_sha256=...)

The dialog never decides: ``sign_fn(username, password, meaning, comment)`` verifies the
password and stores the signature. It runs once per Sign press in a worker thread
(password hashing takes a second; the GUI thread never waits for it): meanwhile the form
is read-only, the dialog says "Checking the password and signing..." and cannot be
cancelled (the signature may already be stored: the dialog closes only on the answer).
A PharosError from it (wrong password, locked account, permission) is shown inline and
the dialog stays open with the password cleared; any other error is shown as PH-BUG
(and logged), never swallowed. ``sig_failed(exc)`` reports either to the caller.
``sign_fn`` must not touch widgets (it runs off the GUI thread).
``wait_until_done()`` spins the event loop until the answer (scripts and tests).
``format_signature(sig)`` is the one-line text to show beside a signed record.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any, Callable, Sequence

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEvent, QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QVBoxLayout,
                               QWidget)

from app.core.errors import PharosError
from widgets.message_bar import MessageBar

log = logging.getLogger(__name__)
SignFn = Callable[[str, str, str, str], Any]
DEFAULT_MEANINGS = ("reviewed", "approved", "released", "rejected", "verified")


def meaning_text(meaning: str) -> str:
    return {"reviewed": QCoreApplication.translate("SignatureDialog", "Reviewed"),
            "approved": QCoreApplication.translate("SignatureDialog", "Approved"),
            "released": QCoreApplication.translate("SignatureDialog", "Released"),
            "rejected": QCoreApplication.translate("SignatureDialog", "Rejected"),
            "verified": QCoreApplication.translate("SignatureDialog", "Verified"),
            "authored": QCoreApplication.translate("SignatureDialog", "Authored"),
            }.get(meaning, meaning)


def format_signature(sig: Any) -> str:
    """'Approved by Li Wei (liwei), 2026-01-05 08:12:03 UTC' from a Signature."""
    when = str(getattr(sig, "signed_utc", ""))
    try:
        when = datetime.fromisoformat(when.replace("Z", "+00:00")).strftime(
            "%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        pass
    return QCoreApplication.translate("SignatureDialog", "%1 by %2 (%3), %4").replace(
        "%1", meaning_text(sig.meaning)).replace("%2", sig.printed_name).replace(
        "%3", sig.username).replace("%4", when)


def group_hex(digest: str, size: int = 8) -> str:
    """'9f2c4e51 b0a7d3c8 ...': readable aloud, and wraps instead of clipping."""
    return " ".join(digest[i:i + size] for i in range(0, len(digest), size))


class _Answer(QObject):
    """Carries the worker's answer to the GUI thread (a queued signal)."""
    sig_done = Signal(object, object)      # (signature, exception)


class SignatureDialog(QDialog):
    sig_signed = Signal(object)   # the Signature
    sig_failed = Signal(object)   # the exception sign_fn raised (the dialog stays open)

    def __init__(self, sign_fn: SignFn, *, title: str, summary: str, content_sha256: str,
                 session_user: Any = None, meanings: Sequence[str] = DEFAULT_MEANINGS,
                 default_meaning: str | None = None,
                 meaning_label: Callable[[str], str] | None = None,
                 parent: QWidget | None = None) -> None:
        """``meaning_label(meaning)``: what a meaning says for this record (e.g. the
        pre-shift checklist: "Verified: I performed these checks myself"), shown in the
        user's language instead of the bare word; the recorded meaning stays the key."""
        super().__init__(parent)
        self.setObjectName("signature_dialog")
        self.setModal(True)
        self._sign_fn = sign_fn
        self._meaning_label = meaning_label or meaning_text
        self.signature: Any = None
        self.what_label = QLabel(title, self)
        self.what_label.setObjectName("signature_what")
        self.what_label.setWordWrap(True)
        font = self.what_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.what_label.setFont(font)
        self.summary_label = QLabel(summary, self)
        self.summary_label.setObjectName("signature_summary")
        self.summary_label.setWordWrap(True)
        self.content_sha256 = content_sha256
        self.hash_caption = QLabel(self)
        self.hash_caption.setObjectName("signature_hash_caption")
        self.hash_label = QLabel(group_hex(content_sha256), self)
        self.hash_label.setObjectName("signature_content_sha256")
        self.hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hash_label.setStyleSheet("font-family: monospace; color: #3a3f45;")
        self.hash_label.setWordWrap(True)
        self.meaning_combo = QComboBox(self)
        self.meaning_combo.setObjectName("signature_meaning")
        self.meaning_combo.setSizePolicy(QSizePolicy.Policy.Expanding,
                                         QSizePolicy.Policy.Fixed)   # a long meaning fits
        for m in meanings:
            self.meaning_combo.addItem(self._meaning_label(m), m)
        if default_meaning is not None and default_meaning in meanings:
            self.meaning_combo.setCurrentIndex(list(meanings).index(default_meaning))
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("signature_username")
        username = getattr(session_user, "username", session_user) if session_user else ""
        if username:
            self.user_edit.setText(str(username))
            self.user_edit.setReadOnly(True)
            self.user_edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.full_name_label = QLabel(str(getattr(session_user, "full_name", "") or ""), self)
        self.full_name_label.setObjectName("signature_printed_name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("signature_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.comment_edit = QPlainTextEdit(self)
        self.comment_edit.setObjectName("signature_comment")
        self.comment_edit.setFixedHeight(70)
        self.statement_label = QLabel(self)
        self.statement_label.setObjectName("signature_statement")
        self.statement_label.setWordWrap(True)
        self.error_bar = MessageBar(self, object_name="signature_error")
        self.busy_label = QLabel(self)
        self.busy_label.setObjectName("signature_busy")
        self.busy_label.setWordWrap(True)
        self.busy_label.setVisible(False)
        self._busy = False
        self._answer = _Answer(self)
        self._answer.sig_done.connect(self._on_answer)
        self.buttons = QDialogButtonBox(self)
        self.sign_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signature_sign")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("signature_cancel")
        self.buttons.accepted.connect(self._on_sign)
        self.buttons.rejected.connect(self.reject)
        self.password_edit.textChanged.connect(self._update_enabled)
        self.user_edit.textChanged.connect(self._update_enabled)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._rows: list[QLabel] = []
        for field in (self.meaning_combo, self.user_edit, self.full_name_label,
                      self.password_edit, self.comment_edit):
            label = QLabel(self)
            self._rows.append(label)
            self.form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addWidget(self.summary_label)
        hash_row = QHBoxLayout()
        hash_row.addWidget(self.hash_caption)
        hash_row.addWidget(self.hash_label, 1)
        layout.addLayout(hash_row)
        layout.addSpacing(6)
        layout.addLayout(self.form)
        layout.addWidget(self.statement_label)
        layout.addWidget(self.error_bar)
        layout.addWidget(self.busy_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self._update_enabled()
        self.resize(640, self.sizeHint().height())
        (self.password_edit if username else self.user_edit).setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, sign_fn: SignFn, **kw: Any) -> Any:
        dlg = cls(sign_fn, parent=parent, **kw)
        return dlg.signature if dlg.exec() == QDialog.DialogCode.Accepted else None

    def meaning(self) -> str:
        return self.meaning_combo.currentData()

    def _update_enabled(self) -> None:
        self.sign_button.setEnabled(not self._busy and bool(self.user_edit.text().strip()
                                                            and self.password_edit.text()))

    def is_busy(self) -> bool:
        """True while ``sign_fn`` runs (the answer is not known yet)."""
        return self._busy

    def _on_sign(self) -> None:
        if self._busy or not self.sign_button.isEnabled():
            return
        args = (self.user_edit.text().strip(), self.password_edit.text(), self.meaning(),
                self.comment_edit.toPlainText().strip())
        self.password_edit.clear()            # the password lives only in the worker now
        self._set_busy(True)
        answer, sign_fn = self._answer, self._sign_fn

        def work() -> None:
            signature: Any = None
            error: BaseException | None = None
            try:
                signature = sign_fn(*args)
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the dialog
                error = exc
                if not isinstance(exc, PharosError):
                    log.exception("signing failed unexpectedly")
            try:
                answer.sig_done.emit(signature, error)
            except RuntimeError:              # the dialog was destroyed meanwhile
                log.warning("signature dialog gone before the answer (signed: %s)",
                            signature is not None)
        threading.Thread(target=work, name="pharos-esign", daemon=True).start()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.meaning_combo, self.password_edit, self.comment_edit):
            w.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.error_bar.clear()
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
        self.busy_label.setVisible(busy)
        self._update_enabled()

    def _on_answer(self, signature: Any, error: BaseException | None) -> None:
        self._set_busy(False)
        if error is not None:
            self.error_bar.show_error(error)
            self.password_edit.setFocus()
            self.sig_failed.emit(error)
            return
        self.signature = signature
        self.sig_signed.emit(signature)
        self.accept()

    def wait_until_done(self, timeout_ms: int = 60000) -> bool:
        """Run the event loop until the answer of the running ``sign_fn`` arrived (at once
        when none runs); False on timeout."""
        deadline = QDeadlineTimer(timeout_ms)
        while self._busy and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)
        return not self._busy

    def reject(self) -> None:
        if self._busy:              # the signature may be stored already: wait for the answer
            return
        super().reject()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Electronic signature"))
        self.hash_caption.setText(self.tr("Content SHA-256"))
        self.hash_caption.setToolTip(self.content_sha256)
        labels = (self.tr("Meaning"), self.tr("User name"), self.tr("Printed name"),
                  self.tr("Password"), self.tr("Comment (optional)"))
        for label, text in zip(self._rows, labels):
            label.setText(text)
        self._rows[2].setVisible(bool(self.full_name_label.text()))
        self.full_name_label.setVisible(bool(self.full_name_label.text()))
        for i in range(self.meaning_combo.count()):
            self.meaning_combo.setItemText(i, self._meaning_label(
                self.meaning_combo.itemData(i)))
        self.statement_label.setText(self.tr(
            "By signing you confirm the meaning above for exactly this content. Your "
            "electronic signature is the legally binding equivalent of your handwritten "
            "signature."))
        self.sign_button.setText(self.tr("Sign"))
        self.busy_label.setText(self.tr("Checking the password and signing..."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

