"""User administration (admin only): list, create, roles, reset password, unlock, (de)activate.

Every change asks for a reason, passed to the AuthService (``by=``, ``reason=``), which
enforces the admin role and writes the audit trail; this UI only collects input.

    dlg = UserAdminDialog(auth, acting_user=session.user, parent=window)

``acting_user`` is the logged-in ``User`` (the service checks its roles); a bare user
name is looked up with ``auth.get``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QHeaderView, QLineEdit,
                               QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError, ValidationError
from app.core.roles import Role
from app.ui.i18n import role_text
from widgets.message_bar import MessageBar



def _when(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)


class UserChangeDialog(QDialog):
    """A form plus a mandatory reason; ``apply_fn(reason)`` does the change."""

    def __init__(self, title: str, fields: list[tuple[str, QWidget]],
                 apply_fn: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_change_dialog")
        self.setWindowTitle(title)
        self._apply = apply_fn
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("user_change_reason")
        self.reason_edit.setFixedHeight(70)
        self.reason_edit.setPlaceholderText(self.tr("Why is this change made? (required)"))
        self.error_bar = MessageBar(self, object_name="user_change_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.setObjectName("user_change_buttons")
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        for label, widget in fields:
            widget.setParent(self)
            form.addRow(label, widget)
        form.addRow(self.tr("Reason"), self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_bar)
        layout.addWidget(self.buttons)
        self.resize(540, self.sizeHint().height())

    def apply(self) -> bool:
        reason = self.reason_edit.toPlainText().strip()
        if len(reason) < 3:
            self.error_bar.show_message(self.tr("A reason is required for every change."),
                                        level="warning")
            return False
        try:
            self._apply(reason)
        except PharosError as exc:
            self.error_bar.show_error(exc)
            return False
        self.accept()
        return True


class UserAdminPanel(QWidget):
    COLUMNS = 5

    def __init__(self, auth: Any, *, acting_user: Any = None, acting_username: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_admin_panel")
        self._auth = auth
        self._acting = acting_user if acting_user is not None else acting_username
        self.users: list[Any] = []
        self.change_dialog: UserChangeDialog | None = None
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("user_admin_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.message_bar = MessageBar(self, object_name="user_admin_messages")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, slot in (("create", self.create_user), ("roles", self.edit_roles),
                           ("reset", self.reset_password), ("unlock", self.unlock_user),
                           ("active", self.toggle_active)):
            button = QPushButton(self)
            button.setObjectName(f"user_admin_{name}")
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[name] = button
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.retranslate_ui()
        self.refresh()

    @property
    def _by(self) -> Any:
        """The acting administrator as the service's ``User`` (re-read: roles may change)."""
        name = getattr(self._acting, "username", self._acting)
        user = self._auth.get(name) if name else None
        if user is None:
            raise ValidationError(QCoreApplication.translate(
                "UserAdmin", "The acting user %1 does not exist.").replace("%1", str(name)))
        return user

    def refresh(self) -> None:
        try:
            self.users = list(self._auth.list_users())
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._show_users()

    def _show_users(self) -> None:
        """The table from the users last read (a language change re-labels them: no store
        read on the GUI thread, and none from a dialog whose workstation has closed)."""
        self.table.setRowCount(len(self.users))
        for r, u in enumerate(self.users):
            cells = (u.username, u.full_name, ", ".join(sorted(role_text(x) for x in u.roles)),
                     self.tr("yes") if u.active else self.tr("no"), _when(u.locked_until))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self._update_buttons()

    def selected_user(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def select_username(self, username: str) -> None:
        for r, u in enumerate(self.users):
            if u.username == username:
                self.table.selectRow(r)

    def _update_buttons(self) -> None:
        user = self.selected_user()
        for name in ("roles", "reset", "unlock", "active"):
            self.buttons[name].setEnabled(user is not None)
        self.buttons["active"].setText(self.tr("Reactivate") if user is not None and
                                       not user.active else self.tr("Deactivate"))

    def _open(self, title: str, fields: list[tuple[str, QWidget]],
              apply_fn: Callable[[str], None], done_text: str) -> UserChangeDialog:
        dlg = UserChangeDialog(title, fields, apply_fn, self)

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.message_bar.show_message(done_text, level="success")
                self.refresh()
        dlg.finished.connect(finished)
        self.change_dialog = dlg
        dlg.open()
        return dlg

    def _role_boxes(self, checked: frozenset = frozenset()) -> tuple[QWidget, dict]:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        boxes = {}
        for role in Role:
            cb = QCheckBox(role_text(role), box)
            cb.setObjectName(f"user_role_{role.value}")
            cb.setChecked(role in checked)
            layout.addWidget(cb)
            boxes[role] = cb
        return box, boxes

    @staticmethod
    def _chosen(boxes: dict) -> frozenset[Role]:
        chosen = frozenset(r for r, cb in boxes.items() if cb.isChecked())
        if not chosen:
            raise ValidationError(QCoreApplication.translate(
                "UserAdmin", "Choose at least one role."))
        return chosen

    def _password_pair(self) -> tuple[QLineEdit, QLineEdit]:
        first, second = QLineEdit(), QLineEdit()
        first.setObjectName("user_new_password")
        second.setObjectName("user_new_password_confirm")
        for e in (first, second):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        return first, second

    @staticmethod
    def _same(first: QLineEdit, second: QLineEdit) -> str:
        if first.text() != second.text():
            raise ValidationError(QCoreApplication.translate("UserAdmin",
                                                             "The two passwords differ."))
        return first.text()

    def create_user(self) -> UserChangeDialog:
        username, full_name = QLineEdit(), QLineEdit()
        username.setObjectName("user_new_username")
        full_name.setObjectName("user_new_full_name")
        roles_box, boxes = self._role_boxes(frozenset({Role.OPERATOR}))
        pw1, pw2 = self._password_pair()

        def apply(reason: str) -> None:
            self._auth.create_user(username.text().strip(), full_name.text().strip(),
                                   self._chosen(boxes), self._same(pw1, pw2),
                                   by=self._by, reason=reason)
        return self._open(self.tr("New user"),
                          [(self.tr("User name"), username), (self.tr("Full name"), full_name),
                           (self.tr("Roles"), roles_box), (self.tr("Password"), pw1),
                           (self.tr("Password again"), pw2)],
                          apply, self.tr("User created."))

    def edit_roles(self) -> UserChangeDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        roles_box, boxes = self._role_boxes(frozenset(Role(r) for r in user.roles))
        return self._open(self.tr("Roles of %1").replace("%1", user.username),
                          [(self.tr("Roles"), roles_box)],
                          lambda reason: self._auth.set_roles(user.username, self._chosen(boxes),
                                                              by=self._by, reason=reason),
                          self.tr("Roles changed."))

    def reset_password(self) -> UserChangeDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        pw1, pw2 = self._password_pair()
        return self._open(self.tr("Reset the password of %1").replace("%1", user.username),
                          [(self.tr("New password"), pw1), (self.tr("Password again"), pw2)],
                          lambda reason: self._auth.reset_password(
                              user.username, self._same(pw1, pw2), by=self._by, reason=reason),
                          self.tr("Password reset; the user must change it at the next log in."))

    def unlock_user(self) -> UserChangeDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        return self._open(self.tr("Unlock %1").replace("%1", user.username), [],
                          lambda reason: self._auth.unlock(user.username, by=self._by,
                                                           reason=reason),
                          self.tr("Account unlocked."))

    def toggle_active(self) -> UserChangeDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        active = not user.active
        title = (self.tr("Reactivate %1") if active else self.tr("Deactivate %1")).replace(
            "%1", user.username)
        return self._open(title, [],
                          lambda reason: self._auth.set_active(user.username, active,
                                                               by=self._by, reason=reason),
                          self.tr("Account reactivated.") if active
                          else self.tr("Account deactivated."))

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels([
            self.tr("User name"), self.tr("Full name"), self.tr("Roles"), self.tr("Active"),
            self.tr("Locked until")])
        for name, text in (("create", self.tr("New user…")), ("roles", self.tr("Roles…")),
                           ("reset", self.tr("Reset password…")),
                           ("unlock", self.tr("Unlock…"))):
            self.buttons[name].setText(text)
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
            self._show_users()
        super().changeEvent(event)


class UserAdminDialog(QDialog):
    def __init__(self, auth: Any, *, acting_user: Any = None, acting_username: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_admin_dialog")
        self.panel = UserAdminPanel(auth, acting_user=acting_user,
                                    acting_username=acting_username, parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.resize(900, 560)
        self.setWindowTitle(self.tr("User administration"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(self.tr("User administration"))
        super().changeEvent(event)


