"""GUI tests run offscreen with the Pharos theme; language is reset after each test."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _themed_english(qapp):  # noqa: ANN001, ANN202
    from app.ui import i18n
    from app.ui.theme import apply_theme

    if not qapp.property("pharos_themed"):
        apply_theme(qapp)
        qapp.setProperty("pharos_themed", True)
    yield
    if i18n.current_language() != "en":
        i18n.set_language(qapp, "en")


@pytest.fixture
def ini_settings(tmp_path):  # noqa: ANN001, ANN201
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "pharos_ui.ini"), QSettings.Format.IniFormat)
