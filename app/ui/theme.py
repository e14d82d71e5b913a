"""Theme: fonts readable from a metre away, the grey style sheet, high-DPI settings.

Call :func:`configure_high_dpi` before the QApplication exists, then
:func:`apply_theme` once it does (and again on a language switch: CJK fonts first).
"""
from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication

from app.paths import resources_dir

BASE_POINT_SIZE = 11.5
LATIN_FAMILIES = ["Segoe UI", "DejaVu Sans", "Noto Sans", "Helvetica"]
CJK_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC",
                "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC"]


def configure_high_dpi() -> None:
    """Fractional scale factors (125 %, 150 %) without rounding. Before QApplication."""
    if QGuiApplication.instance() is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)


def style_sheet() -> str:
    """The theme; ``url(theme:NAME)`` points at resources/theme/NAME (indicator images)."""
    folder = resources_dir() / "theme"
    text = (folder / "pharos.qss").read_text(encoding="utf-8")
    return text.replace("url(theme:", f"url({folder.as_posix()}/")


def ui_font(language: str = "en", point_size: float = BASE_POINT_SIZE) -> QFont:
    font = QFont()
    families = (CJK_FAMILIES + LATIN_FAMILIES) if language.startswith("zh") \
        else (LATIN_FAMILIES + CJK_FAMILIES)
    if sys.platform == "darwin":
        families = ["Helvetica Neue", "PingFang SC", *families]
    font.setFamilies(families)
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def apply_theme(app: QApplication, language: str = "en") -> None:
    app.setStyle("Fusion")
    app.setFont(ui_font(language))
    app.setStyleSheet(style_sheet())
