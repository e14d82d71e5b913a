"""Panel parts: the sequence chooser (versions + editor) and the MES outbox state line.

Sub-widgets with their dependencies in the constructor and signals out; the panel
composes them (they replaced a mixin that reached into the panel's attributes).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.errors import PharosError
from station_plugins.tunnel_test.ui_words import sequence_label


class SequenceChooser(QWidget):
    """The sequence version to run (operators: released only) and, for engineers, the
    editor. ``sig_error(exc)``: the editor could not open; ``sig_library_changed()``: the
    editor closed (versions may have been saved or released)."""

    sig_error = Signal(object)
    sig_library_changed = Signal()

    def __init__(self, *, library: Callable[[], Any], default_path: Path, user: Any,
                 can_edit: bool, tasks: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library, self._default = library, str(default_path)
        self._user, self._tasks = user, tasks
        self.editor: Any = None
        self._entries: list = []
        self.combo = QComboBox()
        self.combo.setObjectName("tunnel_sequence")
        self.combo.setMinimumWidth(220)
        self.combo.addItem(Path(self._default).name, self._default)
        # the box is narrower than a version's whole label at 1366 px: the tooltip holds it
        self.combo.currentIndexChanged.connect(self._tooltip)
        self.edit_btn = QPushButton()
        self.edit_btn.setObjectName("tunnel_edit_sequences")
        self.edit_btn.setVisible(can_edit)
        self.edit_btn.clicked.connect(self.edit_sequences)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo, 1)
        lay.addWidget(self.edit_btn)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.edit_btn.setText(self.tr("Edit sequences..."))
        for i, entry in enumerate(self._entries):      # status and source in words
            if i < self.combo.count():
                self.combo.setItemText(i, sequence_label(entry))
        self._tooltip()

    def _tooltip(self, *_: Any) -> None:
        """What the box is for and the chosen version's whole label (elided in the box)."""
        tip = self.tr("Sequence version (operators: released only)")
        if self.combo.currentText():
            tip += "\n" + self.combo.currentText()
        self.combo.setToolTip(tip)

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def selected_path(self) -> str:
        return str(self.combo.currentData() or self._default)

    def show_entries(self, entries: list) -> None:
        current = self.selected_path()
        self.combo.clear()
        self._entries = list(entries)
        for e in entries:
            self.combo.addItem(sequence_label(e), e.path)
        self.combo.setCurrentIndex(max(self.combo.findData(current), 0))

    def edit_sequences(self) -> None:
        if not self.edit_btn.isVisible():
            return
        from station_plugins.tunnel_test.ui_sequence_editor import SequenceEditorDialog
        from station_plugins.tunnel_test.ui_tasks import submitter

        try:
            library = self._library()
        except PharosError as exc:
            self.sig_error.emit(exc)
            return
        self.editor = SequenceEditorDialog(library, user=self._user,
                                           submit=submitter(self._tasks, self), parent=self)
        self.editor.finished.connect(lambda _=0: self.sig_library_changed.emit())
        self.editor.open()


class OutboxStatus(QLabel):
    """'MES: n message(s) waiting' / 'MES: all messages delivered'. ``show_result`` may
    be called from the resender thread through ``sig_result`` (queued)."""

    sig_result = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_mes_outbox")
        self._last: dict = {}
        self.sig_result.connect(self.show_result)

    def report(self, result: dict) -> None:
        """Thread-safe: the outbox resender calls this after each pass."""
        try:
            self.sig_result.emit(result)
        except RuntimeError:         # the panel is gone
            pass

    def show_result(self, r: dict) -> None:
        if not r:
            return
        self._last = dict(r)
        if r.get("pending"):
            self.setText(self.tr("MES: %1 message(s) waiting, resending").replace(
                "%1", str(r["pending"])))
            self.setStyleSheet("color:#9a5b00; font-weight:bold;")
        else:
            self.setText(self.tr("MES: all messages delivered"))
            self.setStyleSheet("color:#2e7d32;")

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange and self._last:
            self.show_result(self._last)
        super().changeEvent(event)
