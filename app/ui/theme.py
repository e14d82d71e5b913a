"""Theme: fonts readable from a metre away, the grey style sheet, high-DPI settings.

Call :func:`configure_high_dpi` before the QApplication exists, then
:func:`apply_theme` once it does. A language switch sets the application font of the
language (CJK fonts first), then :func:`refresh_font` of every widget that exists
(parents first), their new texts, then :func:`remeasure` of each (``app.ui.i18n``).
"""
from __future__ import annotations

import sys
from typing import Callable, Iterator

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

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


def refresh_font(widget: QWidget) -> None:
    """``widget``'s font anew from its parent's (call it for the parent first), and what
    the style sheet sizes by the font. Under an application style sheet
    ``QApplication.setFont`` reaches the windows only (Qt: "do not use this function in
    conjunction with style sheets"); every widget below kept the font it had - after a
    switch to Chinese DejaVu Sans with a CJK fallback where a window opened in Chinese
    has Noto Sans CJK, other widths. Polished again, a widget gets its parent's font with
    its own size, weight or style-sheet font set over it, and the sizes its style sheet
    gives in em (a button's min-height: 1.6em) in that font."""
    widget.style().polish(widget)


def remeasure(widget: QWidget) -> None:
    """A combo box measures its items anew, as when it is first shown: Qt measures them
    for its minimum size once and again only on a style change, which it gets here
    (after new texts in a new font; other widgets measure theirs when they change)."""
    if isinstance(widget, QComboBox):
        QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))


def widget_tree(root: QWidget, skip: Callable[[QWidget], bool] | None = None
                ) -> Iterator[QWidget]:
    """``root`` and the widgets below it, parents first; a child window (a dialog) and a
    widget ``skip`` names (with what is below it) are left out."""
    stack = [root]
    while stack:
        widget = stack.pop()
        if skip is not None and skip(widget):
            continue
        yield widget
        stack.extend(reversed([c for c in widget.children()
                               if isinstance(c, QWidget) and not c.isWindow()]))
