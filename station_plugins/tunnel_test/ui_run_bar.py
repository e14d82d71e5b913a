"""Panel part: the console's top bar - what starts, stops and releases a run.

``RunBar`` builds the serial field (a barcode scanner types the serial + Enter), the
sequence chooser's place, the mode (only the modes the user may run), the single-step
key, the socket, Start / Abort / Release and the supervisor's integrity button on one
``FlowLayout`` (it wraps at 1366 px and in Chinese instead of widening the window), and
puts their texts in the UI language (context ``TunnelPanel``). The panel connects the
buttons; the bar holds no run state.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.core.errors import PharosError
from widgets.flow_layout import FlowLayout

MODES = (("released", "Released sequence", "run_released"),
         ("draft", "Draft sequence (engineering)", "run_draft"),
         ("single_step", "Single step (engineering)", "run_single_step"))


def may(ctx: Any, action: str) -> bool:
    """Whether the session user may do ``action`` of this station."""
    try:
        ctx.require(action)
        return True
    except PharosError:
        return False


def _tr(text: str) -> str:
    return QCoreApplication.translate("TunnelPanel", text)


def demo_faults() -> list[tuple[str, str]]:
    """Demo mode: the faults of the simulated C-arm the next run can have (code, words)."""
    return [("kv_offset", _tr("Generator kV 6 % high")),
            ("leaky_earth", _tr("Leaky protective earth")),
            ("weak_brake", _tr("Weak lift brake")),
            ("image_defect", _tr("Image defect (AI check)")),
            ("expired_calibration", _tr("kVp meter calibration expired")),
            ("clear", _tr("No fault"))]


class RunBar(QObject):
    def __init__(self, *, allowed: Callable[[str], bool], chooser: QWidget,
                 integrity: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.serial = QLineEdit()
        self.serial.setObjectName("tunnel_serial")
        f = self.serial.font()
        f.setPixelSize(22)
        self.serial.setFont(f)
        self.mode = QComboBox()
        self.mode.setObjectName("tunnel_mode")
        # as wide as its texts in the language shown (the first show's width stayed after a
        # live switch: 'Released sequence' cut after Chinese)
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, _text, action in MODES:
            if allowed(action):
                self.mode.addItem(key, key)
        self.step_key = QLineEdit()
        self.step_key.setObjectName("tunnel_single_step_key")
        self.step_key.setVisible(self.mode.count() > 1)
        self.socket = QComboBox()
        self.socket.setObjectName("tunnel_socket")
        self.socket.addItems(["A", "B"])
        self.start_btn = QPushButton()
        self.start_btn.setObjectName("tunnel_start")
        self.abort_btn = QPushButton()
        self.abort_btn.setObjectName("tunnel_abort")
        self.abort_btn.setEnabled(False)
        self.release_btn = QPushButton()
        self.release_btn.setObjectName("tunnel_release")
        self.release_btn.setEnabled(False)
        self.serial_label, self.socket_label = QLabel(), QLabel()
        self.top = FlowLayout()          # wraps at 1366 px / in Chinese instead of widening
        # Release sits in the top bar with Start and Abort: always on screen
        self.serial.setMinimumWidth(240)
        # the socket's label and box wrap as one (a wrap between them left "Socket" alone at
        # the end of the first row in Chinese)
        socket_box = QWidget()
        socket_row = QHBoxLayout(socket_box)
        socket_row.setContentsMargins(0, 0, 0, 0)
        socket_row.addWidget(self.socket_label)
        socket_row.addWidget(self.socket)
        for w in (self.serial_label, self.serial, chooser, self.mode, self.step_key,
                  socket_box, self.start_btn, self.abort_btn, self.release_btn, integrity):
            self.top.addWidget(w, stretch=w is self.serial)

    def action(self) -> tuple[str, str]:
        """The chosen mode and the station action it needs."""
        mode = self.mode.currentData() or "released"
        return mode, {m: a for m, _, a in MODES}[mode]

    def retranslate(self) -> None:
        self.serial.setPlaceholderText(_tr("Scan the serial (Enter starts)"))
        self.serial.setMinimumWidth(max(   # the whole hint in its 22 px font, in either language
            240, self.serial.fontMetrics().horizontalAdvance(self.serial.placeholderText()) + 24))
        self.step_key.setPlaceholderText(_tr("step key (single step)"))
        self.step_key.setMinimumWidth(   # the whole hint, not "step key (single st..."
            self.step_key.fontMetrics().horizontalAdvance(self.step_key.placeholderText()) + 24)
        mode_texts = {"released": _tr("Released sequence"),
                      "draft": _tr("Draft sequence (engineering)"),
                      "single_step": _tr("Single step (engineering)")}
        for i in range(self.mode.count()):
            self.mode.setItemText(i, mode_texts[self.mode.itemData(i)])
        self.serial_label.setText(_tr("Serial"))
        self.socket_label.setText(_tr("Socket"))
        self.start_btn.setText(_tr("Start"))
        self.abort_btn.setText(_tr("Abort..."))
        self.release_btn.setText(_tr("Release (e-signature)..."))
