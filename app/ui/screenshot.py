"""Offscreen rendering for `pharos screenshot STATION out.png` and for documentation.

    render_widget_png(widget, "out.png", size=(1600, 1000))
    render_station(plugin_or_unavailable_entry, "ct_qc.png", "zh_CN")

Both work without a display: when no QApplication exists yet one is created on the
"offscreen" platform with the Pharos theme.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget


def ensure_app(language: str = "en") -> QApplication:
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from app.ui.theme import configure_high_dpi

        configure_high_dpi()
        app = QApplication([])
        from app.ui.theme import apply_theme

        apply_theme(app, language)
    return app  # type: ignore[return-value]


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def render_widget_png(widget: QWidget, path: str | Path,
                      size: tuple[int, int] = (1600, 1000)) -> Path:
    """Lay the widget out at ``size`` and save what it paints as PNG."""
    app = ensure_app()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.isVisible():
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(*size)
    widget.show()
    _settle(app)
    if not widget.grab().save(str(out), "PNG"):
        raise OSError(f"could not write {out}")
    return out


def wait_until_ready(app: QApplication, panel: Any, timeout_s: float = 30.0) -> bool:
    """A panel that fills itself in the background (the lead room connects to its
    gateway) says when it shows what a user would see: ``screenshot_ready()``."""
    import time

    ready = getattr(panel, "screenshot_ready", None)
    if not callable(ready):
        return True
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.02)
    _settle(app)
    return True


def render_station(station: Any, path: str | Path, language: str = "en",
                   size: tuple[int, int] = (1600, 1000), prepare: Any = None) -> Path:
    """Render one station (a constructed plugin or an unavailable entry) in the shell.
    ``prepare(window)``, if given, runs after the station is open (e.g. to pick a tab)."""
    from app.ui import i18n
    from app.ui.main_window import MainWindow
    from app.ui.station_host import as_entry

    app = ensure_app(language)
    previous = i18n.current_language()
    i18n.set_language(app, language)
    entry = as_entry(station)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "screenshot.ini"), QSettings.Format.IniFormat)
        window = MainWindow([entry], settings=settings, remember_layout=False)
        try:
            panel = window.host.open_station(entry.id)
            wait_until_ready(app, panel)
            if prepare is not None:
                prepare(window)
            return render_widget_png(window, path, size)
        finally:
            window.close()
            window.deleteLater()
            _settle(app, 2)
            i18n.set_language(app, previous)
