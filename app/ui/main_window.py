"""MainWindow: station launcher + pages, status lights, notices, menus, lock and log-out.

    window = MainWindow(entries, session=session, auth=auth, audit=audit,
                        notifier=notifier, status=status_model, idle_lock_seconds=15 * 60)
    window.show()

``entries``: constructed stations (``info`` + ``create_panel``), StationEntry objects,
or discovery results carrying ``error`` (shown as unavailable). Window geometry, dock
state, the last station and the language are kept in QSettings (organisation "Pharos").
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

from PySide6.QtCore import QEvent, QPoint, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu, QVBoxLayout, QWidget

from app.core.roles import Role
from app.runtime.notifier import Notice, Notifier
from app.ui import i18n
from app.ui.about_dialog import AboutDialog
from app.ui.idle_lock import IdleWatcher, LockScreen
from app.ui.language_switch import LanguageSwitcher
from app.ui.login_dialog import ChangePasswordDialog, LoginDialog
from app.ui.notifications import NotificationArea, SafetyBanner
from app.ui.station_host import StationHost
from app.ui.status import StatusModel
from app.ui.status_lights import GivingLabel, StatusLights
from widgets.message_bar import MessageBar

log = logging.getLogger(__name__)
ORGANISATION, APPLICATION = "Pharos", "Pharos"


def default_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


class MainWindow(QMainWindow):
    sig_language_changed = Signal(str)
    sig_logged_out = Signal()
    sig_logged_in = Signal(object)

    def __init__(self, entries: Iterable[Any], *, session: Any = None, auth: Any = None,
                 audit: Any = None, notifier: Notifier | None = None,
                 status: StatusModel | None = None, settings: QSettings | None = None,
                 idle_lock_seconds: float | None = None, language: str | None = None,
                 versions: dict[str, str] | None = None, tasks: Any = None,
                 remember_layout: bool = True, demo: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.session, self.auth, self.audit, self.tasks = session, auth, audit, tasks
        self.notifier = notifier or Notifier()
        self.status = status or StatusModel()
        self.settings = settings if settings is not None else default_settings()
        self._remember = remember_layout
        self._versions = versions
        self.demo = demo
        self._restored = False
        self.dialogs: dict[str, QDialog] = {}

        self.host = StationHost(entries, user_roles=self._user_roles, parent=self)
        self.host.sig_panel_failed.connect(self._on_panel_failed)
        self.safety_banner = SafetyBanner(self)
        self.safety_banner.source_title = self._source_title
        self.message_bar = MessageBar(self, object_name="main_message_bar")
        central = QWidget(self)
        central.setObjectName("main_central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.safety_banner)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.host, 1)
        self.setCentralWidget(central)

        self.user_label = GivingLabel(self)       # elided, never pushes the lights out
        self.user_label.setObjectName("status_user")
        self.status_lights = StatusLights(self.status, self)
        self.notification_area = NotificationArea(self.notifier, self)
        self.notification_area.sig_safety_changed.connect(self._on_safety_changed)
        # demo mode: a mark nobody can miss (records made here are not production records)
        self.demo_label = QLabel(self)
        self.demo_label.setObjectName("status_demo")
        self.demo_label.setStyleSheet("background:#e8a317; color:#1b1b1b; font-weight:bold; "
                                      "padding:2px 10px; border-radius:3px;")
        self.demo_label.setVisible(demo)
        self.statusBar().addWidget(self.demo_label)
        self.statusBar().addWidget(self.user_label, 1)
        self.statusBar().addPermanentWidget(self.status_lights)
        self.statusBar().addPermanentWidget(self.notification_area)

        self.lock_screen = LockScreen(self, session=session, auth=auth)
        self.lock_screen.sig_unlocked.connect(self._on_unlocked)
        self.lock_screen.sig_login_requested.connect(self.show_login)
        self.idle_watcher: IdleWatcher | None = None
        if idle_lock_seconds and session is not None:
            self.idle_watcher = IdleWatcher(idle_lock_seconds, session=session, parent=self)
            self.idle_watcher.sig_idle.connect(self.lock)
            self.idle_watcher.start()

        self._build_menus()
        self.language_switcher = LanguageSwitcher(self, self.host)
        self.sig_logged_in.connect(lambda _user: self._update_user_state())
        self.resize(1600, 1000)
        lang = language or str(self.settings.value("ui/language", "") or "") or \
            i18n.current_language()
        if lang != i18n.current_language():
            self.set_language(lang)
        self.retranslate_ui()

    # --- menus ------------------------------------------------------------------
    def _action(self, name: str, slot: Any, shortcut: str | None = None) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = QMenu(bar)
        self.file_menu.setObjectName("menu_file")
        self.act_audit = self._action("action_audit_trail", self.show_audit_viewer)
        self.act_users = self._action("action_user_admin", self.show_user_admin)
        self.act_quit = self._action("action_quit", self.close, "Ctrl+Q")
        self.act_audit.setEnabled(self.audit is not None)
        self.act_users.setEnabled(self.auth is not None)
        self.file_menu.addActions([self.act_audit, self.act_users])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_quit)
        self.view_menu = QMenu(bar)
        self.view_menu.setObjectName("menu_view")
        self.language_menu = QMenu(self.view_menu)
        self.language_menu.setObjectName("menu_language")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, native in i18n.LANGUAGES.items():
            act = QAction(native, self, checkable=True)
            act.setObjectName(f"action_language_{code}")
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            group.addAction(act)
            self.language_menu.addAction(act)
            self.language_actions[code] = act
        self.act_fullscreen = self._action("action_full_screen", self._toggle_full_screen, "F11")
        self.view_menu.addMenu(self.language_menu)
        self.view_menu.addAction(self.act_fullscreen)
        self.user_menu = QMenu(bar)
        self.user_menu.setObjectName("menu_user")
        self.act_password = self._action("action_change_password", self.show_change_password)
        self.act_lock = self._action("action_lock", self.lock, "Ctrl+L")
        self.act_logout = self._action("action_log_out", self.log_out)
        self.user_menu.addActions([self.act_password, self.act_lock, self.act_logout])
        self.demo_menu = QMenu(bar)
        self.demo_menu.setObjectName("menu_demo")
        self.demo_menu.aboutToShow.connect(self._fill_demo_menu)
        self.help_menu = QMenu(bar)
        self.help_menu.setObjectName("menu_help")
        self.act_about = self._action("action_about", self.show_about)
        self.help_menu.addAction(self.act_about)
        for menu in (self.file_menu, self.view_menu, self.user_menu, self.demo_menu,
                     self.help_menu):
            bar.addMenu(menu)
        self.demo_menu.menuAction().setVisible(self.demo)
        self._update_user_state()

    def demo_faults(self) -> dict[str, list[tuple[str, str]]]:
        """Station id -> the simulator faults its open panel can inject (demo mode)."""
        out = {}
        for sid, panel in self.host.created_panels().items():
            faults = getattr(panel, "demo_faults", None)
            if callable(faults) and faults():
                out[sid] = faults()
        return out

    def inject_demo_fault(self, station_id: str, code: str) -> None:
        panel = self.host.created_panels().get(station_id)
        if panel is not None and self.demo:
            panel.inject_demo_fault(code)

    def _fill_demo_menu(self) -> None:
        self.demo_menu.clear()
        faults = self.demo_faults()
        if not faults:
            act = self.demo_menu.addAction(self.tr("Open a station to inject its faults"))
            act.setEnabled(False)
        for sid, items in faults.items():
            sub = self.demo_menu.addMenu(self.host.entry(sid).display_title())
            sub.setObjectName(f"menu_demo_{sid}")
            for code, text in items:
                act = sub.addAction(text)
                act.setObjectName(f"action_demo_{sid}_{code}")
                act.triggered.connect(lambda _=False, s=sid, c=code: self.inject_demo_fault(s, c))

    # --- session ----------------------------------------------------------------------
    def _user(self) -> Any:
        return getattr(self.session, "user", None) if self.session is not None else None

    def _user_roles(self) -> Any:
        if self.session is None:
            return None  # no session at all (screenshots, tests): no role filter
        user = self._user()
        return frozenset(user.roles) if user is not None else frozenset()

    def _update_user_state(self) -> None:
        user = self._user()
        has_session = self.session is not None
        for act in (self.act_password, self.act_lock, self.act_logout):
            act.setEnabled(has_session and user is not None)
        self.user_menu.menuAction().setVisible(has_session)
        if user is None:
            self.user_label.setText(self.tr("Not logged in") if has_session else "")
            self.user_menu.setTitle(self.tr("User"))
            return
        roles = ", ".join(sorted(i18n.role_text(r) for r in user.roles))
        self.user_label.setText(f"{user.full_name} ({user.username}) · {roles}")
        self.user_menu.setTitle(user.full_name or user.username)

    def is_locked(self) -> bool:
        return self.lock_screen.isVisible()

    def lock(self) -> None:
        if self.session is None or self._user() is None or self.is_locked():
            return
        self.session.lock()
        self._cover(True)
        self.lock_screen.show_locked()
        self._place_lock_screen()

    def log_out(self) -> bool:
        busy = self.host.busy_stations()
        if busy:
            self._refuse_busy(busy, lambda: self.tr("log out"))
            return False
        if self.session is not None:
            self.session.logout()
        self.host.drop_panels()
        self.message_bar.clear()               # the next user does not see this one's errors
        self.statusBar().clearMessage()
        self._cover(True)
        self.lock_screen.show_logged_out()
        self._place_lock_screen()
        self._update_user_state()
        self.sig_logged_out.emit()
        return True

    def show_login(self) -> LoginDialog:
        dlg = LoginDialog(self.auth, session=self.session, parent=self)
        dlg.accepted.connect(lambda: self._on_unlocked(dlg.user))
        self.dialogs["login"] = dlg
        dlg.open()
        return dlg

    def _on_unlocked(self, user: Any) -> None:
        self.lock_screen.setVisible(False)
        self._cover(False)
        if self.idle_watcher is not None:
            self.idle_watcher.reset()
        self._update_user_state()
        self.sig_logged_in.emit(user)

    def _cover(self, on: bool) -> None:
        self.host.setEnabled(not on)
        self.message_bar.setEnabled(not on)
        self.menuBar().setEnabled(not on)

    def _place_lock_screen(self) -> None:
        top = 0
        if self.safety_banner.isVisible():  # safety notices stay readable while locked
            top = self.safety_banner.mapTo(self, QPoint(0, self.safety_banner.height())).y()
        self.lock_screen.setGeometry(0, top, self.width(), self.height() - top)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.lock_screen.isVisible():
            self._place_lock_screen()

    def _on_safety_changed(self, notices: list) -> None:
        self.safety_banner.set_notices(notices)
        if self.lock_screen.isVisible():
            self.centralWidget().layout().activate()
            self._place_lock_screen()

    def _source_title(self, source: str) -> str:
        try:
            return self.host.entry(source).display_title()
        except KeyError:
            return source

    def _on_panel_failed(self, station_id: str, error: str) -> None:
        self.notifier.notify(Notice(
            "error", self.tr("Station %1 could not open its panel: %2").replace(
                "%1", station_id).replace("%2", error), code="PH-STATION", source=station_id))

    # --- dialogs --------------------------------------------------------------------------
    def show_about(self) -> AboutDialog:
        dlg = AboutDialog(self._versions, self)
        self.dialogs["about"] = dlg
        dlg.open()
        return dlg

    def show_change_password(self) -> ChangePasswordDialog | None:
        user = self._user()
        if user is None or self.auth is None:
            return None
        dlg = ChangePasswordDialog(self.auth, user.username, parent=self)
        self.dialogs["change_password"] = dlg
        dlg.open()
        return dlg

    def show_user_admin(self) -> QDialog | None:
        user = self._user()
        if self.session is not None and (user is None or Role.ADMIN not in
                                         {Role(r) for r in user.roles}):
            self.message_bar.show_message(lambda: self.tr("Only an administrator can manage "
                                                          "users."),
                                          code="PH-PERM", level="warning")
            return None
        from app.ui.user_admin import UserAdminDialog

        dlg = UserAdminDialog(self.auth, acting_user=user, parent=self)
        self.dialogs["user_admin"] = dlg
        dlg.open()
        return dlg

    def show_audit_viewer(self) -> QDialog | None:
        if self.audit is None:
            return None
        from app.ui.audit_viewer import AuditViewerDialog

        dlg = AuditViewerDialog(self.audit, tasks=self.tasks, parent=self)
        self.dialogs["audit"] = dlg
        dlg.open()
        return dlg

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # --- language -----------------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        """The shell and the station on screen switch before this returns; the window is
        painted once the layouts have settled and hidden stations follow one per turn
        (``self.language_switcher``: ``busy()``, ``finish()``, ``sig_settled``)."""
        self.language_switcher.switch(language)
        if self._remember:
            self.settings.setValue("ui/language", language)
        self.language_actions[language].setChecked(True)
        self.sig_language_changed.emit(language)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Pharos workstation") + (
            " — " + self.tr("DEMO (simulated hardware)") if self.demo else ""))
        self.demo_label.setText(self.tr("DEMO · simulators, not production records"))
        self.demo_menu.setTitle(self.tr("&Demo"))
        self.file_menu.setTitle(self.tr("&File"))
        self.view_menu.setTitle(self.tr("&View"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.language_menu.setTitle(self.tr("Language"))
        self.act_audit.setText(self.tr("Audit trail…"))
        self.act_users.setText(self.tr("User administration…"))
        self.act_quit.setText(self.tr("Quit"))
        self.act_fullscreen.setText(self.tr("Full screen"))
        self.act_password.setText(self.tr("Change password…"))
        self.act_lock.setText(self.tr("Lock"))
        self.act_logout.setText(self.tr("Log out"))
        self.act_about.setText(self.tr("About Pharos…"))
        self.language_actions[i18n.current_language()].setChecked(True)
        self._update_user_state()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- layout memory and closing ---------------------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if not self._restored:
            self._restored = True
            self.restore_layout()
        super().showEvent(event)

    def restore_layout(self) -> None:
        if not self._remember:
            return
        geometry = self.settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("main_window/state")
        if state is not None:
            self.restoreState(state)
        station = self.settings.value("main_window/station")
        if station:
            try:
                self.host.open_station(str(station))
            except KeyError:
                pass

    def save_layout(self) -> None:
        if not self._remember:
            return
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.settings.setValue("main_window/state", self.saveState())
        self.settings.setValue("main_window/station", self.host.current_station_id() or "")
        self.settings.sync()

    def _refuse_busy(self, busy: list, what: Callable[[], str]) -> None:
        """``what``: the refused action in the UI language (re-read after a switch)."""
        self.message_bar.show_message(
            lambda: self.tr("Cannot %1 now: %2 is still working.").replace("%1", what()).replace(
                "%2", ", ".join(e.display_title() for e in busy)),
            remedy=lambda: self.tr("Stop or finish the running test first."), level="warning",
            code="PH-BUSY")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        busy = self.host.busy_stations()
        if busy:
            self._refuse_busy(busy, lambda: self.tr("close"))
            event.ignore()
            return
        self.save_layout()
        if self.idle_watcher is not None:
            self.idle_watcher.stop()
        self.host.shutdown_all()
        self.status_lights.detach()
        self.notification_area.detach()
        super().closeEvent(event)
