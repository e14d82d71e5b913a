"""Qt parts of the tunnel console: state banner, item table, live plot, prompt box."""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPixmap
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

STATE_COLORS = {"READY": "#37627a", "RUNNING": "#1565c0", "PASS": "#2e7d32", "WARN": "#9a5b00",
                "FAIL": "#c62828", "ERROR": "#6a1b9a", "ABORTED": "#c62828",
                "INTERRUPTED": "#6a1b9a"}
VERDICT_COLORS = {"PASS": "#2e7d32", "WARN": "#9a5b00", "FAIL": "#c62828", "ERROR": "#6a1b9a",
                  "SKIP": "#6b7177"}


class BackgroundWorker(QObject):
    """One persistent worker thread for the panel's I/O (MES route check, record commit,
    journal reads). ``submit`` never blocks the GUI thread: starting a new Python thread
    per job did (``Thread.start`` waits until the new thread gets the GIL: up to 106 ms
    measured while the runner's events were arriving). Results come back queued."""

    _sig_done = Signal(object, object, object)   # done callback, result, error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._sig_done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name="tunnel-panel-worker",
                                        daemon=True)
        self._thread.start()
        jobs = self._jobs
        self.destroyed.connect(lambda *_: jobs.put(None))   # the panel is gone: end the thread

    def submit(self, fn: Callable[[], Any], done: Callable[[Any, Any], None]) -> None:
        self._jobs.put((fn, done))

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, done = job
            try:
                result, error = fn(), None
            except Exception as exc:  # noqa: BLE001 - delivered to the panel's message line
                result, error = None, exc
            try:
                self._sig_done.emit(done, result, error)
            except RuntimeError:      # the panel is gone
                return

    def _deliver(self, done: Callable[[Any, Any], None], result: Any, error: Any) -> None:
        done(result, error)

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread once the jobs already queued are done (waits up to ``timeout``)."""
        self._jobs.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)


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


class ItemTable(QTableWidget):
    COLS = ("Step", "Title", "Value", "Unit", "Limits", "Verdict", "AI")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLS), parent)
        self.setObjectName("tunnel_item_table")
        self.retranslate_ui()
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._rows: dict[str, int] = {}

    def retranslate_ui(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Step"), self.tr("Title"), self.tr("Value"),
                                        self.tr("Unit"), self.tr("Limits"), self.tr("Verdict"),
                                        self.tr("AI")])

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

    def set_verdict(self, key: str, verdict: str, reason: str = "", *,
                    scroll: bool = True) -> None:
        row = self._rows.get(key)
        if row is None:
            return
        it = self.item(row, 5)
        it.setText(verdict + (f" ({reason})" if reason and verdict != "PASS" else ""))
        it.setForeground(QColor(VERDICT_COLORS.get(verdict, "#000000")))
        if scroll:
            self.scrollToItem(it)

    def scroll_to(self, key: str) -> None:
        row = self._rows.get(key)
        if row is not None:
            self.scrollToItem(self.item(row, 5))

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
