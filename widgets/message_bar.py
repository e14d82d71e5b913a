"""MessageBar: an in-panel bar for expected errors and notices (text, remedy, code).

    bar = MessageBar(self, object_name="ctqc_messages")
    bar.show_error(exc)                                   # a PharosError
    bar.show_message("Series incomplete", remedy="Wait for the last slice",
                     code="PH-INPUT", level="warning")    # info / success / warning / error
    bar.clear()

The text and the remedy may be given as a callable that renders them in the current
language (``lambda: self.tr("...").replace("%1", n)``, ``lambda: note_text(note)``): the
bar keeps it and renders the shown message again when the language switches.

Signal: sig_dismissed() when the operator closes it.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QDialog, QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout,
                               QWidget)

from app.core.errors import PharosError
from widgets.error_words import message_text, remedy_text
from widgets.state_style import NOTICE_COLORS

LEVELS = ("info", "success", "warning", "error")
Text = str | Callable[[], str]
_TINTS = {"info": "#eef2f5", "success": "#edf5ee", "warning": "#fbf3e6", "error": "#fbeceb"}


class MessageBar(QFrame):
    sig_dismissed = Signal()

    def __init__(self, parent: QWidget | None = None, *,
                 object_name: str = "message_bar") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._level = "info"
        self.text_label = QLabel(self)
        self.text_label.setObjectName(f"{object_name}_text")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remedy_label = QLabel(self)
        self.remedy_label.setObjectName(f"{object_name}_remedy")
        self.remedy_label.setWordWrap(True)
        self.code_label = QLabel(self)
        self.code_label.setObjectName(f"{object_name}_code")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName(f"{object_name}_dismiss")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.text_label)
        texts.addWidget(self.remedy_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addLayout(texts, 1)
        layout.addWidget(self.code_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._remedy = ""
        self._text_source: Text = ""
        self._remedy_source: Text = ""
        self.retranslate_ui()
        self.setVisible(False)

    @property
    def level(self) -> str:
        return self._level

    def text(self) -> str:
        return self.text_label.text()

    def show_message(self, text: Text, *, remedy: Text = "", code: str = "",
                     level: str = "error", dismissable: bool = True) -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
        self._level = level
        self._text_source, self._remedy_source = text, remedy
        self._remedy = _rendered(remedy)
        self.text_label.setText(_rendered(text))
        self.code_label.setText(code)
        self.code_label.setVisible(bool(code))
        self._render_remedy()
        self.close_button.setVisible(dismissable)
        color = NOTICE_COLORS[level]
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: {_TINTS[level]};"
            f" border: 1px solid #c3c8ce; border-left: 6px solid {color}; border-radius: 3px; }}"
            f" QLabel#{self.objectName()}_code {{ color: #4a4f55; font-family: monospace; }}")
        self.setVisible(True)
        self.fit_dialog()

    def fit_dialog(self) -> None:
        """In a dialog, grow it so the message and every field keep their full height.

        A dialog sized once to its sizeHint would otherwise squeeze its form rows and cut
        the wrapped message (a layout's minimum size ignores height-for-width)."""
        win = self.window()
        lay = win.layout() if isinstance(win, QDialog) else None
        if lay is None:
            return
        lay.activate()
        need = lay.totalMinimumSize().height()
        if lay.hasHeightForWidth():
            need = max(need, lay.totalHeightForWidth(win.width()))
        if need > win.height():
            screen = win.screen().availableGeometry() if win.screen() is not None else None
            if screen is not None:
                need = min(need, screen.height())
            win.resize(win.width(), need)

    def show_error(self, exc: BaseException, *, level: str = "error") -> None:
        if isinstance(exc, PharosError):       # in the UI language, again at a switch
            self.show_message(lambda: message_text(exc), remedy=lambda: remedy_text(exc),
                              code=exc.code, level=level)
        else:
            detail = f"{type(exc).__name__}: {exc}"
            self.show_message(lambda: self.tr("Unexpected error: %1").replace("%1", detail),
                              code="PH-BUG", level="error",
                              remedy=lambda: self.tr("Report this with the log file."))

    def clear(self) -> None:
        self.text_label.clear()
        self.code_label.clear()
        self._remedy = ""
        self._text_source = self._remedy_source = ""
        self.setVisible(False)

    def dismiss(self) -> None:
        self.clear()
        self.sig_dismissed.emit()

    def _render_remedy(self) -> None:
        self.remedy_label.setText(self.tr("What to do: %1").replace("%1", self._remedy)
                                  if self._remedy else "")
        self.remedy_label.setVisible(bool(self._remedy))

    def retranslate_ui(self) -> None:
        self.close_button.setToolTip(self.tr("Dismiss"))
        if callable(self._text_source):
            self.text_label.setText(self._text_source())
        if callable(self._remedy_source):
            self._remedy = self._remedy_source()
        self._render_remedy()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _rendered(text: Text) -> str:
    return text() if callable(text) else text
