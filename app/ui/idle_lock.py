"""Idle lock: an event filter on the top-level windows tracks activity; after the
configured time the window is covered by a lock screen. The panels stay as they are underneath.

Unlock needs the same user's password (``session.unlock(password)``), or an
administrator's credentials (``auth.authenticate`` + admin role), which hands the
session to the administrator. The same cover serves as the "logged out" screen.
"""
from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (QFormLayout, QFrame, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from app.core.errors import AuthError, PharosError
from app.core.roles import Role
from widgets.message_bar import MessageBar

ACTIVITY_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove,
    QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
})


class IdleWatcher(QObject):
    """Emits ``sig_idle`` once after ``idle_seconds`` without user input.

    The filter sits on the top-level windows (``QWindow``: the main window, dialogs,
    menus), where the platform delivers every mouse, key, wheel and touch event before
    Qt dispatches it to a widget. An application-wide filter would run Python for every
    event of every widget (paint, layout, polish...) and doubled the time to build a
    station panel."""

    sig_idle = Signal()

    def __init__(self, idle_seconds: float, *, session: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_seconds = float(idle_seconds)
        self._session = session
        self._last = time.monotonic()
        self._last_touch = 0.0
        self._fired = False
        self._timer = QTimer(self)
        self._timer.setObjectName("idle_check_timer")
        self._timer.setInterval(max(50, min(1000, int(self.idle_seconds * 250))))
        self._timer.timeout.connect(self._check)

    def start(self) -> None:
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._watch)     # a dialog / menu opens
        self._watch_all()
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            try:
                app.focusWindowChanged.disconnect(self._watch)
            except (RuntimeError, TypeError):
                pass
            for window in QGuiApplication.topLevelWindows():
                window.removeEventFilter(self)

    def _watch_all(self) -> None:
        if isinstance(QGuiApplication.instance(), QGuiApplication):
            for window in QGuiApplication.topLevelWindows():
                self._watch(window)

    def _watch(self, window: QWindow | None) -> None:
        # installing twice is harmless (Qt keeps one entry per filter object)
        if window is not None:
            window.installEventFilter(self)

    def reset(self) -> None:
        self._last = time.monotonic()
        self._fired = False

    def idle_for(self) -> float:
        return time.monotonic() - self._last

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in ACTIVITY_EVENTS:
            now = time.monotonic()
            self._last = now
            if self._session is not None and now - self._last_touch > 5.0:
                self._last_touch = now
                self._session.touch()
        return False

    def _check(self) -> None:
        self._watch_all()              # windows created since (the main window on show)
        if not self._fired and self.idle_for() >= self.idle_seconds:
            self._fired = True
            self.sig_idle.emit()


class LockScreen(QWidget):
    """Cover for the whole window. Modes: "locked" (same user or admin) and "logged_out"."""

    sig_unlocked = Signal(object)       # the user now holding the session
    sig_login_requested = Signal()

    def __init__(self, parent: QWidget, *, session: Any, auth: Any) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._session, self._auth = session, auth
        self.mode = "locked"
        self.card = QFrame(self)
        self.card.setObjectName("lock_card")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title_label = QLabel(self.card)
        self.title_label.setObjectName("lock_title")
        self.user_label = QLabel(self.card)
        self.user_label.setObjectName("lock_user")
        self.user_label.setWordWrap(True)
        self.password_edit = QLineEdit(self.card)
        self.password_edit.setObjectName("lock_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton(self.card)
        self.unlock_button.setObjectName("lock_unlock")
        self.unlock_button.clicked.connect(self.try_unlock)
        self.login_button = QPushButton(self.card)
        self.login_button.setObjectName("lock_login")
        self.login_button.clicked.connect(self.sig_login_requested.emit)
        self.admin_box = QGroupBox(self.card)
        self.admin_box.setObjectName("lock_admin_box")
        self.admin_user_edit = QLineEdit(self.admin_box)
        self.admin_user_edit.setObjectName("lock_admin_username")
        self.admin_password_edit = QLineEdit(self.admin_box)
        self.admin_password_edit.setObjectName("lock_admin_password")
        self.admin_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_button = QPushButton(self.admin_box)
        self.admin_button.setObjectName("lock_admin_unlock")
        self.admin_button.clicked.connect(self.try_admin_unlock)
        self._admin_labels = [QLabel(self.admin_box), QLabel(self.admin_box)]
        admin_form = QFormLayout(self.admin_box)
        admin_form.addRow(self._admin_labels[0], self.admin_user_edit)
        admin_form.addRow(self._admin_labels[1], self.admin_password_edit)
        admin_form.addRow("", self.admin_button)
        self.error_bar = MessageBar(self.card, object_name="lock_error")
        row = QHBoxLayout()
        row.addWidget(self.password_edit, 1)
        row.addWidget(self.unlock_button)
        card_layout = QVBoxLayout(self.card)
        card_layout.setContentsMargins(28, 24, 28, 24)
        card_layout.setSpacing(12)
        card_layout.addWidget(self.title_label)
        card_layout.addWidget(self.user_label)
        card_layout.addLayout(row)
        card_layout.addWidget(self.login_button)
        card_layout.addWidget(self.error_bar)
        card_layout.addWidget(self.admin_box)
        self.card.setFixedWidth(560)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(self.card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.retranslate_ui()
        self.setVisible(False)

    def show_locked(self) -> None:
        self.mode = "locked"
        self._show()

    def show_logged_out(self) -> None:
        self.mode = "logged_out"
        self._show()

    def _show(self) -> None:
        self.error_bar.clear()
        self.password_edit.clear()
        self.admin_password_edit.clear()
        self.admin_user_edit.clear()
        locked = self.mode == "locked"
        for w in (self.password_edit, self.unlock_button, self.admin_box):
            w.setVisible(locked)
        self.login_button.setVisible(not locked)
        self.retranslate_ui()
        self.setGeometry(self.parentWidget().rect())
        self.setVisible(True)
        self.raise_()
        (self.password_edit if locked else self.login_button).setFocus()

    def try_unlock(self) -> bool:
        try:
            self._session.unlock(self.password_edit.text())
        except PharosError as exc:
            self.error_bar.show_error(exc)
            self.password_edit.clear()
            return False
        self.setVisible(False)
        self.sig_unlocked.emit(self._session.user)
        return True

    def try_admin_unlock(self) -> bool:
        username = self.admin_user_edit.text().strip()
        try:
            admin = self._auth.authenticate(username, self.admin_password_edit.text())
            if Role.ADMIN not in {Role(r) for r in admin.roles}:
                raise AuthError(self.tr("%1 is not an administrator.").replace("%1", username),
                                code="PH-AUTH-ROLE")
        except PharosError as exc:
            self.error_bar.show_error(exc)
            self.admin_password_edit.clear()
            return False
        self._session.logout()
        self._session.login(admin)
        self.setVisible(False)
        self.sig_unlocked.emit(admin)
        return True

    def retranslate_ui(self) -> None:
        user = getattr(self._session, "user", None)
        if self.mode == "locked":
            self.title_label.setText(self.tr("Workstation locked"))
            name = f"{getattr(user, 'full_name', '')} ({getattr(user, 'username', '')})" \
                if user else ""
            self.user_label.setText(self.tr(
                "Locked for %1. Enter the password to continue; open work is kept.").replace(
                "%1", name))
        else:
            self.title_label.setText(self.tr("Logged out"))
            self.user_label.setText(self.tr("Log in to use the workstation."))
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.unlock_button.setText(self.tr("Unlock"))
        self.login_button.setText(self.tr("Log in…"))
        self.admin_box.setTitle(self.tr("Administrator override"))
        self._admin_labels[0].setText(self.tr("Administrator"))
        self._admin_labels[1].setText(self.tr("Password"))
        self.admin_button.setText(self.tr("Unlock as administrator"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
