"""Runtime language switch (English <-> Simplified Chinese) with QTranslator.

English is the source language. ``set_language(app, "zh_CN")`` installs
``resources/i18n/pharos_zh_CN.qm``, every other ``*_zh_CN.qm`` there (stations may ship
their own catalogue), and Qt's own ``qtbase_zh_CN.qm`` (standard buttons). Installing
or removing translators makes Qt send ``QEvent.LanguageChange`` to every widget; each
widget re-reads its texts in ``changeEvent``. Before that every widget gets the
language's font, after it the combo boxes measure their items anew (``app.ui.theme``).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from app.paths import resources_dir
from app.ui.theme import refresh_font, remeasure, ui_font, widget_tree

log = logging.getLogger(__name__)
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
_state: dict[str, object] = {"language": "en", "translators": []}


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def current_language() -> str:
    return str(_state["language"])


def catalogue_files(language: str) -> list[Path]:
    if language == "en":
        return []
    folder = i18n_dir()
    main = folder / f"pharos_{language}.qm"
    others = sorted(p for p in folder.glob(f"*_{language}.qm") if p != main)
    return ([main] if main.exists() else []) + others


def set_language(app: QCoreApplication, language: str,
                 defer: Callable[[QWidget], bool] | None = None) -> list[str]:
    """Install the catalogues of ``language``; returns the files loaded. ``defer`` names
    widgets (with what is below them) whose font and sizes are left for later (a station
    panel off screen, whose LanguageChange waits too; a hidden window)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    for translator in list(_state["translators"]):  # type: ignore[arg-type]
        app.removeTranslator(translator)
    _state["translators"] = []
    loaded: list[str] = []
    files = catalogue_files(language)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_file = Path(qt_dir) / f"qtbase_{language}.qm"
    if language != "en" and qt_file.exists():
        files.append(qt_file)
    for path in files:
        translator = QTranslator(app)
        if translator.load(str(path)):
            app.installTranslator(translator)
            _state["translators"].append(translator)  # type: ignore[union-attr]
            loaded.append(path.name)
        else:
            log.warning("could not load translation %s", path)
    _state["language"] = language
    QLocale.setDefault(QLocale(language if language != "en" else "en_US"))
    widgets: list[QWidget] = []
    if isinstance(app, QApplication):
        app.setFont(ui_font(language))        # the windows only, under a style sheet
        widgets = [w for window in app.topLevelWidgets() for w in widget_tree(window, defer)]
        for widget in widgets:                # the font first: texts measured in it
            refresh_font(widget)
    # Qt posts LanguageChange to the windows; deliver now so texts switch at once
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    for widget in widgets:
        remeasure(widget)
    return loaded


def role_text(role: object) -> str:
    """Translated display name of an app.core.roles.Role (or its value)."""
    value = str(getattr(role, "value", role))
    names = {
        "operator": QCoreApplication.translate("UserAdmin", "Operator"),
        "quality_engineer": QCoreApplication.translate("UserAdmin", "Quality engineer"),
        "reviewer": QCoreApplication.translate("UserAdmin", "Reviewer"),
        "supervisor": QCoreApplication.translate("UserAdmin", "Supervisor"),
        "admin": QCoreApplication.translate("UserAdmin", "Administrator"),
    }
    return names.get(value, value)
