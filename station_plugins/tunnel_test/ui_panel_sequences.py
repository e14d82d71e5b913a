"""Panel parts: the sequence chooser (versions + editor) and the MES outbox state line.

Sub-widgets with their dependencies in the constructor and signals out; the panel
composes them (they replaced a mixin that reached into the panel's attributes).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QStyle,
                               QStyleOptionComboBox, QWidget)

from app.core.errors import PharosError
from station_plugins.tunnel_test.ui_words import sequence_label, sequence_short_label

SHORT_ROLE = Qt.ItemDataRole.UserRole + 1      # an item's text for the closed box
BOX_WIDTH = (220, 360)       # the chooser's width: the widest short text within these


def edit_field(combo: QComboBox, option: QStyleOptionComboBox) -> QRect:
    """The rect the closed box draws its text in (the style's edit field)."""
    return combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo)


class VersionCombo(QComboBox):
    """A combo whose closed box shows the current item's short text (``SHORT_ROLE``:
    name and version), the popup list the whole labels. A short text still wider than
    the box loses the middle of the name, never the version at its end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # its width is ``fit_short_texts``'s minimum, not the whole labels' (Qt's default
        # sizes a combo once by whatever labels it holds at the time)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def initStyleOption(self, option: QStyleOptionComboBox) -> None:  # noqa: N802 - Qt API
        super().initStyleOption(option)
        short = self.currentData(SHORT_ROLE)
        if short:
            room = edit_field(self, option).width() - 2    # the label's 1 px a side
            option.currentText = self.fontMetrics().elidedText(
                str(short), Qt.TextElideMode.ElideMiddle, room)

    def fit_short_texts(self) -> None:
        """As wide as the widest short text needs, within ``BOX_WIDTH`` (not by the
        whole labels: the box does not grow with a version's source or problem)."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, 1000, max(self.height(), 30))
        # + 2: the label's 1 px a side; + 4: elidedText measures a shade wider than
        # horizontalAdvance (a text exactly as wide as the room was elided)
        frame = 1000 - edit_field(self, option).width() + 2 + 4
        widest = max((self.fontMetrics().horizontalAdvance(str(self.itemData(i, SHORT_ROLE)
                                                                or self.itemText(i)))
                      for i in range(self.count())), default=0)
        self.setMinimumWidth(min(BOX_WIDTH[1], max(BOX_WIDTH[0], widest + frame)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit_short_texts()           # the theme's font arrives with the polish


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
        self.combo = VersionCombo()
        self.combo.setObjectName("tunnel_sequence")
        self.combo.addItem(Path(self._default).name, self._default)
        self.combo.fit_short_texts()
        # the whole label ('... (released, shipped)') is wider than the box at 1366 px: the
        # box shows name and version, the list and the tooltip the whole label
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
                self.combo.setItemData(i, sequence_short_label(entry), SHORT_ROLE)
        self.combo.fit_short_texts()
        self._tooltip()

    def _tooltip(self, *_: Any) -> None:
        """What the box is for and the chosen version's whole label (short in the box)."""
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
        for i, e in enumerate(entries):
            self.combo.addItem(sequence_label(e), e.path)
            self.combo.setItemData(i, sequence_short_label(e), SHORT_ROLE)
        self.combo.fit_short_texts()
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
