"""The workstation GUI: log in, then the main window hosting every station.

Start-up order: QApplication + theme -> Workstation (config, store with migrations,
audit, auth, stations; refused cleanly on a bad config, a damaged store or a second
instance) -> first-run admin password shown once -> login -> main window.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)
_T0 = time.perf_counter()


def _qt_app(language: str) -> QApplication:
    from PySide6.QtWidgets import QApplication

    from app.ui.theme import apply_theme, configure_high_dpi

    app = QApplication.instance()
    if app is None:
        configure_high_dpi()
        app = QApplication(sys.argv[:1])
        app.setOrganizationName("Pharos")
        app.setApplicationName("Pharos")
        apply_theme(app, language)
    from app.ui import i18n

    i18n.set_language(app, language)
    return app


def _fatal(title: str, exc: BaseException) -> int:
    from PySide6.QtWidgets import QMessageBox

    from app.core.errors import PharosError

    text = exc.operator_text() if isinstance(exc, PharosError) else f"{type(exc).__name__}: {exc}"
    remedy = getattr(exc, "remedy", "")
    print(f"error: {text}\n  remedy: {remedy}" if remedy else f"error: {text}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        QMessageBox.critical(None, title, f"{text}\n\n{remedy}")
    return 2


def station_entries(ws: Any) -> list[Any]:
    """Bootstrap entries -> what the main window hosts (plugins or 'unavailable' pages)."""
    from app.ui.station_host import StationEntry

    out = []
    for e in ws.stations:
        if e.instance is not None:
            out.append(e.instance)
        else:
            cls = e.discovered.cls
            info = getattr(cls, "info", None)
            out.append(StationEntry.unavailable(
                e.id, e.error or "unknown error", title=getattr(info, "title", None),
                title_zh=getattr(info, "title_zh", ""), detail=e.discovered.traceback or ""))
    return out


# How long a Python thread may hold the interpreter before the GUI thread gets it back
# (Python's default 5 ms made every Qt call of the GUI thread wait behind a busy worker:
# building a plot took 6x as long next to a busy thread; 1 ms: about half the wait).
GUI_SWITCH_INTERVAL_S = 0.001


def build_window(ws: Any, *, language: str, settings: Any = None) -> Any:
    from app.cli.core_commands import versions

    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    from app.ui.main_window import MainWindow

    window = MainWindow(station_entries(ws), session=ws.session, auth=ws.auth, audit=ws.audit,
                        notifier=ws.notifier, status=ws.status, settings=settings,
                        idle_lock_seconds=ws.config.get("security", "idle_lock_minutes") * 60,
                        language=language, versions=versions(), tasks=ws.tasks,
                        demo=bool(ws.config.demo))
    _add_central_pages(window, ws)
    from app.ui.gui_gc import GuiThreadCollector

    window.collector = GuiThreadCollector(window)   # Qt objects die on the GUI thread
    from app.ui.warmup import start_gui_imports, start_warmup

    ids = [e.id for e in ws.stations if e.instance is not None]
    thread = start_warmup(ids, getattr(ws.config, "data_dir", None),   # off the GUI thread
                          [e.instance for e in ws.stations if e.instance is not None])
    if thread is not None:
        start_gui_imports(ids, after=thread)      # then the Qt modules, one per idle turn
    return window


def _add_central_pages(window: Any, ws: Any) -> None:
    """View menu: the sync page (everyone) and the plant view (supervisors, admins)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog, QVBoxLayout

    from app.core.roles import Role

    def open_page(kind: str) -> None:
        from app.adapters.central.plant import PlantQueries
        from app.ui.plant_view import PlantView
        from app.ui.sync_page import SyncPage

        user = ws.session.user
        if kind == "plant" and (user is None or not user.has_role(Role.SUPERVISOR, Role.ADMIN)):
            window.message_bar.show_message(QCoreApplication.translate(
                "CentralPages", "The plant view is for supervisors."),
                                            level="warning")
            return
        dlg = QDialog(window)
        dlg.setObjectName(f"dialog_{kind}")
        dlg.setWindowTitle(QCoreApplication.translate("CentralPages", "Central database sync")
                           if kind == "sync" else
                           QCoreApplication.translate("CentralPages", "Plant view"))
        lay = QVBoxLayout(dlg)
        page = SyncPage(ws.sync, tasks=ws.tasks) if kind == "sync" else \
            PlantView(PlantQueries(_central_url(ws.config)), tasks=ws.tasks)
        lay.addWidget(page)
        dlg.resize(1100, 700)
        dlg.show()

    def texts() -> dict[str, str]:
        return {"sync": QCoreApplication.translate("CentralPages", "Central database sync…"),
                "plant": QCoreApplication.translate("CentralPages", "Plant view…")}

    actions = {}
    for kind, text in texts().items():
        act = actions[kind] = QAction(text, window)
        act.setObjectName(f"action_{kind}_page")
        act.triggered.connect(lambda _=False, k=kind: open_page(k))
        window.view_menu.addAction(act)

    def retranslate(_language: str) -> None:     # a live switch re-words them too
        for kind, text in texts().items():
            actions[kind].setText(text)
    window.sig_language_changed.connect(retranslate)


def run_gui(args: argparse.Namespace) -> int:
    from app.bootstrap import Workstation
    from app.config import load_config
    from app.core.errors import PharosError

    probe = bool(getattr(args, "probe", False))
    try:
        language = load_config(getattr(args, "config", None),
                               data_dir=getattr(args, "data_dir", None)).get("station", "language")
    except PharosError:
        language = "en"
    app = _qt_app(language)
    try:
        ws = Workstation.open(config_path=getattr(args, "config", None),
                              data_dir=getattr(args, "data_dir", None), exclusive=not probe,
                              console_log=True, start_sync=not probe)
    except PharosError as exc:
        return _fatal("Pharos cannot start", exc)
    ws.notifier.install_excepthooks()
    try:
        if not probe:
            from app.ui.setup_wizard_dialog import run_first_run_wizard

            if run_first_run_wizard(ws, None):       # pharos.toml written: reopen with it
                ws.close()
                ws = Workstation.open(config_path=getattr(args, "config", None),
                                      data_dir=getattr(args, "data_dir", None),
                                      exclusive=True, console_log=True, start_sync=True)
                ws.notifier.install_excepthooks()
                language = ws.config.get("station", "language")
                from app.ui import i18n

                i18n.set_language(app, language)
        if ws.first_run_password:
            from app.cli.common import print_first_run_password

            print_first_run_password(ws.first_run_password)
        window = build_window(ws, language=language)
        if probe:
            return _probe(app, window)
        from app.ui.login_dialog import LoginDialog
        from PySide6.QtWidgets import QDialog

        if ws.first_run_password:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(
                None, "Pharos - first run",
                "An administrator account was created.\n\nUser: admin\nPassword: "
                f"{ws.first_run_password}\n\nThis password is shown once; you will choose a "
                "new one at first login.")
        login = LoginDialog(ws.auth, session=ws.session, username="admin" if
                            ws.first_run_password else "",
                            station_name=ws.config.get("station", "name"))
        if login.exec() != QDialog.DialogCode.Accepted:
            return 0
        window.sig_logged_in.emit(ws.session.user)
        window.show()
        from app.runtime.gc_pauses import freeze_long_lived

        freeze_long_lived()       # start-up objects live as long as the process
        return app.exec()
    finally:
        ws.close()


def _probe(app: Any, window: Any) -> int:
    """--startup-probe: time from process start to an interactive main window."""
    from PySide6.QtCore import QTimer

    def ready() -> None:
        print(f"PROBE_READY {time.perf_counter() - _T0:.3f}", flush=True)
        window.close()
        app.quit()

    window.show()
    QTimer.singleShot(0, ready)
    app.exec()
    return 0


def screenshot_station(args: argparse.Namespace) -> int:
    """`pharos screenshot STATION OUT.png`: render offscreen for docs and review."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.adapters.auth import User
    from app.bootstrap import Workstation
    from app.core.ids import utcnow
    from app.core.roles import ALL_ROLES
    from app.ui.screenshot import ensure_app, render_station, render_widget_png

    w, h = (int(v) for v in args.size.lower().split("x"))
    app = ensure_app(args.lang)
    ws = Workstation.open(config_path=args.config, data_dir=args.data_dir, exclusive=False,
                          console_log=True)
    try:
        # a rendering-only session: nothing is signed or changed by a screenshot
        ws.session.login(User(id="screenshot", username="screenshot",
                              full_name="Screenshot", roles=frozenset(ALL_ROLES), active=True,
                              locked_until=None, password_changed_utc=utcnow(),
                              must_change_password=False))
        if args.station == "main":
            from PySide6.QtCore import QSettings
            import tempfile

            from app.ui import i18n

            i18n.set_language(app, args.lang)
            with tempfile.TemporaryDirectory() as tmp:
                settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
                window = build_window(ws, language=args.lang, settings=settings)
                render_widget_png(window, args.out, (w, h))
                window.close()
        else:
            entry = ws.station(args.station)
            if entry is None:
                print(f"error: no station '{args.station}' (known: "
                      f"{', '.join(s.id for s in ws.stations)})", file=sys.stderr)
                return 2
            target = entry.instance if entry.instance is not None else \
                station_entries(ws)[ws.stations.index(entry)]
            render_station(target, args.out, args.lang, (w, h))
        print(f"wrote {args.out}")
        return 0
    finally:
        ws.close()


def _central_url(config):  # noqa: ANN001, ANN202 - the URL with its 0600 password file
    from app.config import central_url

    return central_url(config)
