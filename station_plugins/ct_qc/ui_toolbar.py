"""The analysis bar of the CT QC panel: phantom and limit profile, Analyse with the
queue's progress, then the result actions (baseline, archive, report) with theirs. It
wraps at 1366 px / in Chinese (FlowLayout) instead of widening the window. The texts keep
the panel's translation context, where the zh_CN catalogue has them."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from app.ct.limits import list_profiles
from app.ct.phantoms import list_phantoms
from app.ui.i18n import current_language
from widgets.flow_layout import FlowLayout
from widgets.note_texts import progress_message_text
from widgets.progress_bar import TaskProgressBar

from station_plugins.ct_qc.ui_names import phantom_name


def _tr(text: str) -> str:
    return QCoreApplication.translate("CtQcPanel", text)


class FitCombo(QComboBox):
    """A combo as wide as its texts in the language shown. Qt sizes a combo once, at its
    first show; AdjustToContents renews the size hint when a text changes, not the
    minimum size hint, and a layout gives no widget less than that: after a live switch
    to Chinese the phantom kept its English width ("Detect automatically"), the bar
    wrapped onto a third line and took the results' room; to English, it was cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()        # recomputed whenever a text changes (AdjustToContents)


class AnalysisBar(QWidget):
    sig_analyse = Signal()
    sig_set_baseline = Signal()
    sig_archive = Signal()
    sig_report = Signal()
    sig_choice_changed = Signal()         # phantom or profile

    def __init__(self, profile: str, analysis: Any, actions: Any,
                 parent: QWidget | None = None) -> None:
        """``analysis``: the analysis queue's TaskController face (ServiceAdapter);
        ``actions``: the TaskController of the result actions."""
        super().__init__(parent)
        self.setObjectName("ct_qc_analysis_bar")
        self.phantom_label, self.profile_label = QLabel(self), QLabel(self)
        self.phantom_combo = FitCombo(self)
        self.phantom_combo.setObjectName("ct_qc_phantom")
        self.phantom_combo.addItem("auto", "auto")
        for name in list_phantoms():
            self.phantom_combo.addItem(name, name)
        self.profile_combo = FitCombo(self)
        self.profile_combo.setObjectName("ct_qc_profile")
        self.profile_combo.addItem("-", None)
        for name in list_profiles():
            self.profile_combo.addItem(name, name)
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(profile)))
        for combo in (self.phantom_combo, self.profile_combo):
            combo.currentIndexChanged.connect(lambda _i: self.sig_choice_changed.emit())
        self.analyse_button = self._button("ct_qc_analyse", self.sig_analyse)
        self.baseline_button = self._button("ct_qc_set_baseline", self.sig_set_baseline)
        self.archive_button = self._button("ct_qc_archive", self.sig_archive)
        self.report_button = self._button("ct_qc_report", self.sig_report)
        self.progress = TaskProgressBar(self, object_name="ct_qc_progress",
                                        controller=analysis, hide_when_idle=False,
                                        message_text=progress_message_text)
        self.action_progress = TaskProgressBar(self, object_name="ct_qc_action_progress",
                                               controller=actions, hide_when_idle=True,
                                               message_text=progress_message_text)
        lay = FlowLayout(self)
        for w in (self.phantom_label, self.phantom_combo, self.profile_label,
                  self.profile_combo, self.analyse_button):
            lay.addWidget(w)
        lay.addWidget(self.progress, stretch=True)
        for w in (self.baseline_button, self.archive_button, self.report_button):
            lay.addWidget(w)
        lay.addWidget(self.action_progress)
        self._available = (False, False, False)
        self.set_available(series=False, result=False, record=False)

    def set_available(self, *, series: bool, result: bool, record: bool) -> None:
        """Analyse and archive need a chosen series, the report a result, the baseline a
        stored one: a button that could only answer "choose a series first" is disabled
        and its tooltip says what it needs."""
        self._available = (series, result, record)
        for button, ok, why in (
                (self.analyse_button, series, _tr("Choose a series in the list first.")),
                (self.archive_button, series, _tr("Choose a series in the list first.")),
                (self.report_button, result,
                 _tr("Analyse the series first: the report shows its result.")),
                (self.baseline_button, record,
                 _tr("Analyse the series first: its stored result becomes the baseline."))):
            button.setEnabled(ok)
            button.setToolTip("" if ok else why)

    def _button(self, name: str, signal: Signal) -> QPushButton:
        b = QPushButton(self)
        b.setObjectName(name)
        b.clicked.connect(signal)
        return b

    @property
    def phantom(self) -> str:
        return str(self.phantom_combo.currentData() or "auto")

    @property
    def profile(self) -> str | None:
        return self.profile_combo.currentData()

    def retranslate_ui(self) -> None:
        self.phantom_label.setText(_tr("Phantom"))
        for i in range(self.phantom_combo.count()):
            self.phantom_combo.setItemText(i, phantom_name(self.phantom_combo.itemData(i),
                                                           current_language()))
        self.profile_label.setText(_tr("Limits"))
        self.analyse_button.setText(_tr("Analyse"))
        self.baseline_button.setText(_tr("Set as baseline…"))
        self.archive_button.setText(_tr("Archive to PACS"))
        self.report_button.setText(_tr("PDF report…"))
        series, result, record = self._available
        self.set_available(series=series, result=result, record=record)
