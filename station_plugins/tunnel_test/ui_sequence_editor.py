"""Sequence editor (engineers): a validated YAML text editor with line numbers.

Open a version (shipped or library) -> the text becomes a NEW draft version (version
bumped, ``status: draft``) -> edit -> Validate (the runner's own loader; the error names
file, line and reason and the line is marked) -> Save as new version (write-once) ->
Release (e-signature, ``widgets.esign_dialog.SignatureDialog``; audited). Validation and
saving run on the panel's worker thread; the signature is recorded by the dialog.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QPainter, QTextCursor, QTextFormat
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QTextEdit, QVBoxLayout, QWidget)

from app.core.errors import PharosError


class _LineNumbers(QWidget):
    def __init__(self, editor: "SequenceTextEdit") -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.editor.paint_gutter(event)


class SequenceTextEdit(QPlainTextEdit):
    """Plain-text editor with a line-number gutter and an error-line mark."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sequence_editor_text")
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.gutter = _LineNumbers(self)
        self.blockCountChanged.connect(lambda _=0: self.setViewportMargins(
            self.gutter_width(), 0, 0, 0))
        self.updateRequest.connect(self._scroll_gutter)
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def gutter_width(self) -> int:
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(3, len(str(self.blockCount())))

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event: Any) -> None:
        painter = QPainter(self.gutter)
        painter.fillRect(event.rect(), QColor("#eceff1"))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        painter.setPen(QColor("#607d8b"))
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(0, top, self.gutter.width() - 4, height,
                                 Qt.AlignmentFlag.AlignRight, str(block.blockNumber() + 1))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

    def mark_line(self, line: int) -> None:
        """Highlight ``line`` (1-based) and put the cursor there; 0 clears the mark."""
        if line <= 0:
            self.setExtraSelections([])
            return
        block = self.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor("#ffcdd2"))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        sel.cursor = cursor
        self.setExtraSelections([sel])
        self.setTextCursor(cursor)
        self.centerCursor()


class SequenceEditorDialog(QDialog):
    def __init__(self, library: Any, *, user: Any, submit: Callable, parent: QWidget | None = None,
                 sign_dialog: Callable | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sequence_editor")
        self.library, self.user, self._submit = library, user, submit
        self._sign_dialog = sign_dialog
        self.entries: list[Any] = []
        self.versions = QComboBox()
        self.versions.setObjectName("sequence_editor_versions")
        self.open_btn = QPushButton()
        self.open_btn.setObjectName("sequence_editor_open")
        self.open_btn.clicked.connect(self.open_selected)
        self.release_btn = QPushButton()
        self.release_btn.setObjectName("sequence_editor_release")
        self.release_btn.clicked.connect(self.release_selected)
        self.versions.currentIndexChanged.connect(self._selection_changed)
        self.text = SequenceTextEdit()
        self.status = QLabel()
        self.status.setObjectName("sequence_editor_status")
        self.status.setWordWrap(True)
        self.validate_btn = QPushButton()
        self.validate_btn.setObjectName("sequence_editor_validate")
        self.validate_btn.clicked.connect(self.validate)
        self.save_btn = QPushButton()
        self.save_btn.setObjectName("sequence_editor_save")
        self.save_btn.clicked.connect(self.save)
        top = QHBoxLayout()
        top.addWidget(self.versions, 1)
        for w in (self.open_btn, self.release_btn):
            top.addWidget(w)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for w in (self.validate_btn, self.save_btn):
            bottom.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.text, 1)
        lay.addLayout(bottom)
        self.retranslate_ui()
        self.resize(1000, 760)
        self.reload()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Sequence editor"))
        self.open_btn.setText(self.tr("Open as new draft"))
        self.release_btn.setText(self.tr("Release (e-signature)..."))
        self.validate_btn.setText(self.tr("Validate"))
        self.save_btn.setText(self.tr("Save as new version"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- library ---------------------------------------------------------------------
    def reload(self, select_path: str = "") -> None:
        self._submit(lambda: self.library.visible(engineer=True),
                     lambda entries, err: self._entries_loaded(entries, err, select_path))

    def _entries_loaded(self, entries: Any, error: Any, select_path: str) -> None:
        if error is not None:
            return self._show(error)
        self.entries = list(entries)
        self.versions.blockSignals(True)
        self.versions.clear()
        for e in self.entries:
            self.versions.addItem(e.label, e.path)
        idx = self.versions.findData(select_path) if select_path else -1
        self.versions.setCurrentIndex(max(idx, 0))
        self.versions.blockSignals(False)
        self._selection_changed()

    def current_entry(self) -> Any:
        i = self.versions.currentIndex()
        return self.entries[i] if 0 <= i < len(self.entries) else None

    def _selection_changed(self, *_: Any) -> None:
        e = self.current_entry()
        self.release_btn.setEnabled(bool(e and e.source == "library" and e.status == "draft"
                                         and not e.problem))

    def open_selected(self) -> None:
        e = self.current_entry()
        if e is not None:
            self._submit(lambda: self.library.new_draft_text(e.path), self._opened)

    def _opened(self, text: Any, error: Any) -> None:
        if error is not None:
            return self._show(error)
        self.text.setPlainText(text)
        self.text.mark_line(0)
        self._ok(self.tr("New draft: edit, validate, then save as a new version."))

    # --- validate / save -------------------------------------------------------------
    def validate(self) -> None:
        text = self.text.toPlainText()
        self._submit(lambda: self.library.validate(text), self._validated)

    def _validated(self, seq: Any, error: Any) -> None:
        if error is not None:
            return self._show(error)
        self.text.mark_line(0)
        n = len(seq.all_steps())
        self._ok(self.tr("Valid: %1 v%2, %3 steps.").replace("%1", seq.id).replace(
            "%2", seq.version).replace("%3", str(n)))

    def save(self) -> None:
        text, username = self.text.toPlainText(), self.user.username
        self._submit(lambda: self.library.save_draft(text, username=username), self._saved)

    def _saved(self, entry: Any, error: Any) -> None:
        if error is not None:
            return self._show(error)
        self.text.mark_line(0)
        self._ok(self.tr("Saved %1 v%2 as a draft (engineers only; records not "
                         "releasable).").replace("%1", entry.id).replace("%2", entry.version))
        self.reload(entry.path)

    def release_selected(self) -> Any:
        e = self.current_entry()
        if e is None or e.status != "draft" or e.source != "library":
            return None
        from app.core.ids import sha256_hex
        from widgets.esign_dialog import SignatureDialog

        released = self.library.release_text(e.path, self.user.username)
        ask = self._sign_dialog or SignatureDialog.ask
        sig = ask(self, lambda u, p, meaning, comment: self.library.release(
                      e.path, username=u, password=p, comment=comment)[1],
                  title=self.tr("Release sequence %1 v%2 for operators").replace(
                      "%1", e.id).replace("%2", e.version),
                  summary=self.tr("The released file is the draft with status: released."),
                  content_sha256=sha256_hex(released.encode("utf-8")),
                  session_user=self.user, meanings=("approved",), default_meaning="approved")
        if sig is not None:
            self._ok(self.tr("Released %1 v%2; operators can run it.").replace(
                "%1", e.id).replace("%2", e.version))
            self.reload(e.path.replace("draft.yaml", "released.yaml"))
        return sig

    # --- messages --------------------------------------------------------------------
    def _show(self, exc: BaseException) -> None:
        line = getattr(exc, "line", 0)
        if line:
            self.text.mark_line(int(line))
        text = exc.operator_text() if isinstance(exc, PharosError) else str(exc)
        self.status.setText(text)
        self.status.setStyleSheet("color:#c62828; font-weight:bold;")

    def _ok(self, text: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color:#2e7d32;")
