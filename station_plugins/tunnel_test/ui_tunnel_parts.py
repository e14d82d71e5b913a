"""Qt parts of the tunnel console: state banner, live plot, prompt box (the step table is
``ui_step_table``)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

STATE_COLORS = {"READY": "#37627a", "RUNNING": "#1565c0", "PASS": "#2e7d32", "WARN": "#9a5b00",
                "FAIL": "#c62828", "ERROR": "#6a1b9a", "ABORTED": "#c62828",
                "INTERRUPTED": "#6a1b9a"}


class StateBanner(QLabel):
    """Huge state word readable across the tunnel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_state_banner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        f = QFont()
        f.setPixelSize(56)
        f.setBold(True)
        self.setFont(f)
        self.setMinimumHeight(96)
        self.state, self.detail = "", ""
        self.set_state("READY")

    def state_text(self, state: str) -> str:
        return {"READY": self.tr("READY"), "RUNNING": self.tr("RUNNING"), "PASS": self.tr("PASS"),
                "WARN": self.tr("WARN"), "FAIL": self.tr("FAIL"), "ERROR": self.tr("ERROR"),
                "ABORTED": self.tr("ABORTED"), "INTERRUPTED": self.tr("INTERRUPTED")
                }.get(state, state)

    def retranslate_ui(self) -> None:
        self.set_state(self.state, self.detail)

    def set_state(self, state: str, detail: str = "") -> None:
        self.state, self.detail = state, detail
        self.setText(self.state_text(state) + (f"  {detail}" if detail else ""))
        self.setStyleSheet(f"background:{STATE_COLORS.get(state, '#37627a')}; color:white; "
                           f"border-radius:6px; padding:8px;")


class LivePlot(QStackedWidget):
    """Waveform (pyqtgraph) or detector image of the current step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self.setObjectName("tunnel_live_plot")
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("tunnel_waveform_plot")
        self.retranslate_ui()
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#1565c0", width=2))
        self.image = QLabel()
        self.image.setObjectName("tunnel_image_view")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.plot)
        self.addWidget(self.image)
        self.setMinimumSize(260, 200)

    def retranslate_ui(self) -> None:
        self.plot.setLabel("left", self.tr("Signal"))

    def show_array(self, arr: np.ndarray, title: str = "") -> None:
        a = np.asarray(arr)
        self.plot.setTitle(title or None)
        if a.ndim == 1:
            self.curve.setData(np.arange(a.size), a.astype(float))
            self.setCurrentWidget(self.plot)
        elif a.ndim == 2:
            lo, hi = np.percentile(a, (1, 99))
            g = np.clip((a.astype(float) - lo) / max(hi - lo, 1e-9) * 255, 0, 255).astype(np.uint8)
            g = np.ascontiguousarray(g)
            img = QImage(g.data, g.shape[1], g.shape[0], g.shape[1],
                         QImage.Format.Format_Grayscale8).copy()
            self.image.setPixmap(QPixmap.fromImage(img).scaled(
                240, 240, Qt.AspectRatioMode.KeepAspectRatio))
            self.setCurrentWidget(self.image)


class PromptBox(QGroupBox):
    sig_answered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_prompt_box")
        self.text = QLabel()
        self.text.setWordWrap(True)
        f = self.text.font()
        f.setPixelSize(20)
        self.text.setFont(f)
        self.buttons = QHBoxLayout()
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addLayout(self.buttons)
        self.retranslate_ui()
        self.hide()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("Operator prompt"))

    def ask(self, text: str, choices: Sequence[str],
            labels: Sequence[str] | None = None) -> None:
        """``labels``: what the buttons show (the sequence's choices_zh in Chinese); the
        answer sent is always the choice itself."""
        while self.buttons.count():
            w = self.buttons.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.text.setText(text)
        shown = list(labels) if labels and len(labels) == len(choices) else list(choices)
        for c, label in zip(choices, shown):
            b = QPushButton(label)
            b.setObjectName(f"tunnel_prompt_choice_{c}")
            b.setMinimumHeight(48)
            b.clicked.connect(lambda _=False, c=c: self._answer(c))
            self.buttons.addWidget(b)
        self.show()

    def _answer(self, choice: str) -> None:
        self.hide()
        self.sig_answered.emit(choice)
