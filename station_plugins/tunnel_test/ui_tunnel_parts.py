"""Qt parts of the tunnel console: state banner, item table, live plot, prompt box."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPixmap
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

STATE_COLORS = {"READY": "#37627a", "RUNNING": "#1565c0", "PASS": "#2e7d32", "WARN": "#9a5b00",
                "FAIL": "#c62828", "ERROR": "#6a1b9a", "ABORTED": "#c62828",
                "INTERRUPTED": "#6a1b9a"}
VERDICT_COLORS = {"PASS": "#2e7d32", "WARN": "#9a5b00", "FAIL": "#c62828", "ERROR": "#6a1b9a",
                  "SKIP": "#6b7177"}


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
        self.state = ""
        self.set_state("READY")

    def set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.setText(state + (f"  {detail}" if detail else ""))
        self.setStyleSheet(f"background:{STATE_COLORS.get(state, '#37627a')}; color:white; "
                           f"border-radius:6px; padding:8px;")


class ItemTable(QTableWidget):
    COLS = ("Step", "Title", "Value", "Unit", "Limits", "Verdict", "AI")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLS), parent)
        self.setObjectName("tunnel_item_table")
        self.setHorizontalHeaderLabels(list(self.COLS))
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._rows: dict[str, int] = {}

    def load(self, keys_titles: list[tuple[str, str]]) -> None:
        self.setRowCount(len(keys_titles))
        self._rows = {}
        for i, (k, t) in enumerate(keys_titles):
            self._rows[k] = i
            self.setItem(i, 0, QTableWidgetItem(k))
            self.setItem(i, 1, QTableWidgetItem(t))
            for c in range(2, len(self.COLS)):
                self.setItem(i, c, QTableWidgetItem(""))

    def set_measurement(self, key: str, m: dict) -> None:
        row = self._rows.get(key)
        if row is None:
            return
        v = m.get("value")
        text = f"{v:.4g}" if isinstance(v, float) else str(v)
        for col, piece in ((2, f"{m['name']}={text}"), (3, m.get("unit", "")),
                           (4, m.get("limits_text", ""))):
            prev = self.item(row, col).text()
            self.item(row, col).setText(f"{prev}; {piece}" if prev else piece)

    def clear_values(self, key: str) -> None:
        row = self._rows.get(key)
        if row is not None:
            for col in (2, 3, 4):
                self.item(row, col).setText("")

    def set_verdict(self, key: str, verdict: str, reason: str = "") -> None:
        row = self._rows.get(key)
        if row is None:
            return
        it = self.item(row, 5)
        it.setText(verdict + (f" ({reason})" if reason and verdict != "PASS" else ""))
        it.setForeground(QColor(VERDICT_COLORS.get(verdict, "#000000")))
        self.scrollToItem(it)

    def set_ai(self, key: str, ai: dict) -> None:
        row = self._rows.get(key)
        if row is None:
            return
        txt = f"{ai.get('verdict')} {ai.get('confidence', '')}"
        if ai.get("disagrees"):
            txt += " DISAGREES"
        if ai.get("review"):
            txt += " REVIEW"
        self.item(row, 6).setText(txt)


class LivePlot(QStackedWidget):
    """Waveform (pyqtgraph) or detector image of the current step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self.setObjectName("tunnel_live_plot")
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("tunnel_waveform_plot")
        self.plot.setLabel("left", "motor current", "A")
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#1565c0", width=2))
        self.image = QLabel()
        self.image.setObjectName("tunnel_image_view")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.plot)
        self.addWidget(self.image)
        self.setMinimumSize(260, 200)

    def show_array(self, arr: np.ndarray) -> None:
        a = np.asarray(arr)
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
        super().__init__("Operator prompt", parent)
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
        self.hide()

    def ask(self, text: str, choices: list[str]) -> None:
        while self.buttons.count():
            w = self.buttons.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.text.setText(text)
        for c in choices:
            b = QPushButton(c)
            b.setObjectName(f"tunnel_prompt_choice_{c}")
            b.setMinimumHeight(48)
            b.clicked.connect(lambda _=False, c=c: self._answer(c))
            self.buttons.addWidget(b)
        self.show()

    def _answer(self, choice: str) -> None:
        self.hide()
        self.sig_answered.emit(choice)
