"""The right-hand column of the detector-matching panel, as sub-widgets:

* :class:`ArrangementSide` - the arrangement summary (weak-result banner), the comparison
  with an earlier arrangement (history combo, "go back"), the manual edit (selection,
  swap, lock); in a scroll area so wrapped texts keep their height on a small screen;
* :class:`ReleaseBox` - detector serial, reason for a weak result, Approve, Send to MES
  (below the scroll area: the primary actions are always on screen).

They show what :mod:`~station_plugins.detector_matching.presenter` builds and report the
operator's wishes as signals; the panel acts on the session. Texts keep the translation
context of the panel (``dm_tr``), where the zh_CN catalogue has them.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from station_plugins.detector_matching import presenter as P

CONTEXT = "DetectorMatchingPanel"


def dm_tr(text: str) -> str:
    """A text of the station in the UI language (the panel's translation context)."""
    return QCoreApplication.translate(CONTEXT, text)


def _button(parent: QWidget, name: str) -> QPushButton:
    b = QPushButton(parent)
    b.setObjectName(name)
    return b


def _label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


class ArrangementSide(QScrollArea):
    sig_compare_chosen = Signal(int)      # history number to compare with
    sig_restore = Signal()
    sig_swap = Signal()
    sig_lock = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dm_side_scroll")
        inner = QWidget(self)
        self.summary = _label(inner, "result_summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.compare = _label(inner, "compare_label")
        # weak result (gap above the detector model's threshold, or no bound): said in
        # the summary box, and approval needs a reason (signed and audited)
        self.weak_label = _label(inner, "weak_result_label")
        self.weak_label.setStyleSheet("background: #fdebd0; color: #873600; "
                                      "border: 1px solid #e67e22; padding: 4px;")
        self.weak_label.hide()
        self.compare_combo = QComboBox(inner)
        self.compare_combo.setObjectName("compare_with_combo")
        self.compare_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compare_combo.setMinimumContentsLength(16)
        self.compare_combo.activated.connect(
            lambda i: self.sig_compare_chosen.emit(int(self.compare_combo.itemData(i))))
        self.restore_button = _button(inner, "restore_button")
        self.restore_button.clicked.connect(self.sig_restore)
        self.selection_label = _label(inner, "selection_label")
        self.swap_button = _button(inner, "swap_button")
        self.swap_button.clicked.connect(self.sig_swap)
        self.lock_button = _button(inner, "lock_button")
        self.lock_button.clicked.connect(self.sig_lock)
        self.arrangement_box = QGroupBox(inner)
        self.compare_box = QGroupBox(inner)
        self.edit_box = QGroupBox(inner)
        for box, widgets in ((self.arrangement_box, (self.weak_label, self.summary)),
                             (self.compare_box, (self.compare_combo, self.compare,
                                                 self.restore_button)),
                             (self.edit_box, (self.selection_label, self.swap_button,
                                              self.lock_button))):
            lay = QVBoxLayout(box)
            for w in widgets:
                lay.addWidget(w)
        side = QVBoxLayout(inner)
        for box in (self.arrangement_box, self.compare_box, self.edit_box):
            side.addWidget(box)
        side.addStretch(1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(300)

    def show_state(self, session: Any, ref: Any, selected: list[int]) -> None:
        """The session's current arrangement compared with ``ref``; the selected slots."""
        has = session.current is not None
        self.swap_button.setEnabled(has)
        self.lock_button.setEnabled(has)
        self.summary.setText(P.summary_html(session, dm_tr))
        self.compare.setText(P.compare_text(session, ref, dm_tr))
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        if has:
            for text, no in P.compare_choices(session, dm_tr):
                self.compare_combo.addItem(text, no)
        if ref is not None:
            self.compare_combo.setCurrentIndex(self.compare_combo.findData(ref.no))
        self.compare_combo.blockSignals(False)
        self.compare_combo.setEnabled(self.compare_combo.count() > 0)
        self.restore_button.setEnabled(ref is not None)
        self.show_selection(session, selected)

    def show_selection(self, session: Any, selected: list[int]) -> None:
        self.selection_label.setText(P.selection_text(session, selected, dm_tr))

    def show_weakness(self, weak: Any) -> None:
        self.weak_label.setVisible(weak is not None)
        if weak is not None:
            self.weak_label.setText(P.weak_banner(weak, dm_tr))

    def retranslate_ui(self) -> None:
        self.swap_button.setText(dm_tr("Swap selected slots"))
        self.lock_button.setText(dm_tr("Lock / unlock slot"))
        self.arrangement_box.setTitle(dm_tr("Arrangement"))
        self.compare_box.setTitle(dm_tr("Compare arrangements"))
        self.compare_combo.setToolTip(dm_tr(
            "Every arrangement of this pool and detector model in this session: optimised, "
            "opened from a batch, edited by hand or restored"))
        self.restore_button.setText(dm_tr("Go back to this arrangement"))
        self.restore_button.setToolTip(dm_tr(
            "Make the compared arrangement current again (a new entry; nothing is deleted)"))
        self.edit_box.setTitle(dm_tr("Manual edit"))


class ReleaseBox(QGroupBox):
    sig_approve = Signal()
    sig_send_to_mes = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.serial_edit = QLineEdit(self)
        self.serial_edit.setObjectName("detector_serial_edit")
        self.weak_reason_edit = QLineEdit(self)
        self.weak_reason_edit.setObjectName("weak_reason_edit")
        self.approve_button = _button(self, "approve_button")
        self.approve_button.clicked.connect(self.sig_approve)
        self.mes_button = _button(self, "send_to_mes_button")
        self.mes_button.clicked.connect(self.sig_send_to_mes)
        self.serial_label, self.weak_reason_label = QLabel(self), QLabel(self)
        form = QFormLayout(self)
        # labels above the fields: the column is narrow at 1366x768 and a field beside its
        # label showed "detector s..." (issue 17)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(self.serial_label, self.serial_edit)
        form.addRow(self.weak_reason_label, self.weak_reason_edit)
        form.addRow(self.approve_button)
        form.addRow(self.mes_button)
        self._weak_for: int | None = None

    @property
    def serial(self) -> str:
        return self.serial_edit.text().strip()

    @property
    def reason(self) -> str:
        return self.weak_reason_edit.text().strip()

    def show_state(self, session: Any) -> None:
        cur = session.current
        no = getattr(cur, "no", None)
        if no != self._weak_for:
            self.weak_reason_edit.clear()       # a reason belongs to one arrangement
            self._weak_for = no
        weak = session.weakness if cur is not None else None
        self.weak_reason_edit.setEnabled(weak is not None)
        self.weak_reason_label.setEnabled(weak is not None)
        self.approve_button.setEnabled(cur is not None)
        self.mes_button.setEnabled(session.approved_record_id is not None)

    def retranslate_ui(self) -> None:
        self.setTitle(dm_tr("Release"))
        self.serial_label.setText(dm_tr("Detector serial"))
        self.serial_edit.setPlaceholderText(dm_tr("detector serial, e.g. DET-24-0815"))
        self.weak_reason_label.setText(dm_tr("Reason (weak result)"))
        self.weak_reason_edit.setPlaceholderText(dm_tr(
            "why this weak arrangement is approved anyway (signed and audited)"))
        self.approve_button.setText(dm_tr("Approve (e-signature)..."))
        self.mes_button.setText(dm_tr("Send to MES"))
