"""Panel part: sequence versions (chooser, editor) and the MES outbox state line."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from app.core.errors import PharosError


class SequencesAndOutboxMixin:
    """Mixed into TunnelPanel (a QWidget with sequence_combo, mes_state, station, ctx)."""

    sequence_combo: Any
    mes_state: Any
    station: Any
    ctx: Any

    def _outbox_result(self, result: dict) -> None:       # resender thread -> queued signal
        try:
            self.sig_run_message.emit("outbox", result)
        except RuntimeError:
            pass

    def _show_outbox(self, r: dict) -> None:
        if not r:
            return
        if r.get("pending"):
            self.mes_state.setText(QCoreApplication.translate(
                "TunnelPanel", "MES: %1 message(s) waiting, resending").replace(
                "%1", str(r["pending"])))
            self.mes_state.setStyleSheet("color:#9a5b00; font-weight:bold;")
        else:
            self.mes_state.setText(QCoreApplication.translate("TunnelPanel", "MES: all messages delivered"))
            self.mes_state.setStyleSheet("color:#2e7d32;")

    def selected_sequence(self) -> str:
        return str(self.sequence_combo.currentData() or self.station.sequence_path())

    def _show_sequences(self, entries: list) -> None:
        current = self.sequence_combo.currentData() or str(self.station.sequence_path())
        self.sequence_combo.clear()
        for e in entries:
            self.sequence_combo.addItem(e.label, e.path)
        self.sequence_combo.setCurrentIndex(max(self.sequence_combo.findData(current), 0))

    def edit_sequences(self) -> None:
        try:
            self.ctx.require("edit_sequence")
        except PharosError as exc:
            self._show_error(exc)
            return
        from station_plugins.tunnel_test.ui_sequence_editor import SequenceEditorDialog

        self.editor = SequenceEditorDialog(self.station.library, user=self.ctx.user,
                                           submit=self._bg, parent=self)
        self.editor.finished.connect(lambda _=0: self._refresh_lists())
        self.editor.open()

