"""Qt parts of the tunnel console: state banner, live plot, prompt box (the step table is
``ui_step_table``)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap, QPolygonF
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


class WaveformView(QWidget):
    """A waveform as one polyline with its range and title: built and painted in well under
    a millisecond (a pyqtgraph plot here cost ~70 ms to create and ~10 ms per repaint on
    the GUI thread, the largest share of the console's stalls)."""

    MAX_POINTS = 2000                      # min/max pairs per pixel column beyond this

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_waveform_plot")
        self.title, self.label = "", ""
        self._data = np.zeros(0)
        self.setMinimumSize(200, 100)

    def set_data(self, y: np.ndarray, title: str = "") -> None:
        y = np.asarray(y, dtype=float).ravel()
        if y.size > self.MAX_POINTS:           # keep the envelope: min and max per bucket
            n = self.MAX_POINTS // 2
            cut = y[: y.size - y.size % n].reshape(n, -1)
            y = np.column_stack((cut.min(axis=1), cut.max(axis=1))).ravel()
        self._data, self.title = y[np.isfinite(y)], title
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802, ARG002 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        if self._data.size < 2:                # nothing measured yet: an empty card
            p.end()
            return
        fm = self.fontMetrics()
        left, top = fm.horizontalAdvance("-0000.0") + 8, fm.height() + 6
        box = self.rect().adjusted(left, top, -8, -fm.height() - 4)
        p.setPen(QColor("#9aa5ad"))
        p.drawRect(box)
        p.setPen(QColor("#37474f"))
        title = fm.elidedText(self.title, Qt.TextElideMode.ElideMiddle, self.width() - 8)
        p.drawText(self.rect().adjusted(4, 2, -4, 0),          # whole: a name in words
                   int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), title)
        p.drawText(4, box.bottom() + fm.height() + 2, self.label)
        y = self._data
        if box.width() > 2 and box.height() > 2:
            lo, hi = float(y.min()), float(y.max())
            span = hi - lo or 1.0
            xs = box.left() + np.linspace(0.0, box.width(), y.size)
            ys = box.bottom() - (y - lo) / span * box.height()
            p.drawText(4, box.top() + fm.ascent(), f"{hi:.4g}")
            p.drawText(4, box.bottom(), f"{lo:.4g}")
            p.setPen(QPen(QColor("#1565c0"), 1.5))
            p.drawPolyline(QPolygonF([QPointF(a, b) for a, b in zip(xs, ys)]))
        p.end()


class LivePlot(QStackedWidget):
    """Waveform or detector image of the current step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_live_plot")
        self.plot = WaveformView()
        self.image = QLabel()
        self.image.setObjectName("tunnel_image_view")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.plot)
        self.addWidget(self.image)
        self.setMinimumSize(260, 200)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.plot.label = self.tr("Signal")
        self.plot.update()

    def set_title(self, title: str, tip: str = "") -> None:
        """The shown signal's name (in words; ``tip``: the attachment file)."""
        self.plot.title = title
        self.plot.setToolTip(tip)
        self.image.setToolTip(f"{title}\n{tip}" if tip else title)
        self.plot.update()

    def title(self) -> str:
        return self.plot.title

    def show_array(self, arr: np.ndarray, title: str = "") -> None:
        a = np.asarray(arr)
        if a.ndim == 1:
            self.plot.set_data(a, title)
            self.setCurrentWidget(self.plot)
        elif a.ndim == 2:
            lo, hi = np.percentile(a, (1, 99))
            g = np.clip((a.astype(float) - lo) / max(hi - lo, 1e-9) * 255, 0, 255).astype(np.uint8)
            g = np.ascontiguousarray(g)
            img = QImage(g.data, g.shape[1], g.shape[0], g.shape[1],
                         QImage.Format.Format_Grayscale8).copy()
            self.image.setPixmap(QPixmap.fromImage(img).scaled(
                240, 240, Qt.AspectRatioMode.KeepAspectRatio))
            self.image.setToolTip(title)
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
