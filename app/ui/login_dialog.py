"""Login and password change dialogs.

    dlg = LoginDialog(auth, session=session)       # session.login(user) on success
    if dlg.exec() == QDialog.DialogCode.Accepted:
        user = dlg.user

AuthError texts from the service (wrong password, "locked until 14:35", inactive
account) appear inline; the dialog stays open. An expired password forces a change
before the login completes.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError
from widgets.message_bar import MessageBar


class _BusyCursor:
    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: Any) -> None:
        QGuiApplication.restoreOverrideCursor()


class ChangePasswordDialog(QDialog):
    def __init__(self, auth: Any, username: str, *, forced: bool = False,
                 old_password: str | None = None, must_change: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("change_password_dialog")
        self._auth, self._username, self._forced = auth, username, forced
        self._must_change = must_change
        self.user: Any = None
        self._old_given = old_password
        self.reason_label = QLabel(self)
        self.reason_label.setObjectName("change_password_reason")
        self.reason_label.setWordWrap(True)
        self.old_edit = QLineEdit(self)
        self.old_edit.setObjectName("change_password_old")
        self.new_edit = QLineEdit(self)
        self.new_edit.setObjectName("change_password_new")
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setObjectName("change_password_confirm")
        for edit in (self.old_edit, self.new_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_bar = MessageBar(self, object_name="change_password_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.setObjectName("change_password_buttons")
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(3)]
        if old_password is None:
            self.form.addRow(self._labels[0], self.old_edit)
        else:
            self.old_edit.setVisible(False)
        self.form.addRow(self._labels[1], self.new_edit)
        self.form.addRow(self._labels[2], self.confirm_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addLayout(self.form)
        layout.addWidget(self.error_bar)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.resize(520, self.sizeHint().height())

    def _on_ok(self) -> None:
        old = self._old_given if self._old_given is not None else self.old_edit.text()
        new = self.new_edit.text()
        if new != self.confirm_edit.text():
            self.error_bar.show_message(self.tr("The two new passwords differ."),
                                        remedy=self.tr("Type the same new password twice."))
            return
        if new == old:
            self.error_bar.show_message(self.tr("The new password must differ from the old one."))
            return
        try:
            with _BusyCursor():
                self.user = self._auth.change_password(self._username, old, new)
        except PharosError as exc:
            self.error_bar.show_error(exc)
            return
        self.accept()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Change password"))
        self.reason_label.setText(
            self.tr("Your password was set by an administrator. Choose your own password "
                    "to continue.") if self._forced and self._must_change else
            self.tr("Your password has expired. Choose a new one to continue.")
            if self._forced else self.tr("Change the password of %1.").replace(
                "%1", self._username))
        for label, text in zip(self._labels, (self.tr("Current password"),
                                              self.tr("New password"),
                                              self.tr("New password again"))):
            label.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class LoginDialog(QDialog):
    def __init__(self, auth: Any, *, session: Any = None, username: str = "",
                 station_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self._auth, self._session, self._station_name = auth, session, station_name
        self.user: Any = None
        self.title_label = QLabel(self)
        self.title_label.setObjectName("login_title")
        self.user_edit = QLineEdit(username, self)
        self.user_edit.setObjectName("login_username")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("login_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_bar = MessageBar(self, object_name="login_error")
        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setObjectName("login_submit")
        self.login_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("login_cancel")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        self._labels = [QLabel(self), QLabel(self)]
        form = QFormLayout()
        form.addRow(self._labels[0], self.user_edit)
        form.addRow(self._labels[1], self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addLayout(form)
        layout.addWidget(self.error_bar)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.resize(480, self.sizeHint().height())
        (self.password_edit if username else self.user_edit).setFocus()

    def try_login(self) -> bool:
        username = self.user_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            self.error_bar.show_message(self.tr("Enter your user name and password."),
                                        level="warning")
            return False
        try:
            with _BusyCursor():
                # allow_expired: the service checks the password (and audits the attempt);
                # an expired or admin-set password then leads to the change dialog here
                user = self._auth.authenticate(username, password, allow_expired=True)
        except PharosError as exc:
            self.error_bar.show_error(exc)
            self.password_edit.clear()
            self.password_edit.setFocus()
            return False
        if self._auth.password_expired(user):
            change = ChangePasswordDialog(self._auth, username, forced=True,
                                          old_password=password,
                                          must_change=bool(getattr(user, "must_change_password",
                                                                   False)), parent=self)
            self.change_dialog = change
            if change.exec() != QDialog.DialogCode.Accepted:
                self.error_bar.show_message(
                    self.tr("Your password must be changed before you can log in."),
                    remedy=self.tr("Log in again and choose a new password."),
                    level="warning")
                self.password_edit.clear()
                return False
            user = change.user or user
        self.user = user
        if self._session is not None:
            self._session.login(user)
        self.accept()
        return True

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Pharos log in"))
        self.title_label.setText(self._station_name or self.tr("Pharos workstation"))
        self._labels[0].setText(self.tr("User name"))
        self._labels[1].setText(self.tr("Password"))
        self.login_button.setText(self.tr("Log in"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
