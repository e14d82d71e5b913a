"""StatusLights: the status bar's connection lights, fed by a StatusModel from any thread."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.ui.status import CHANNELS, ChannelStatus, StatusModel
from app.ui.status_words import detail_text
from widgets.state_style import LIGHT_COLORS


class GivingLabel(QLabel):
    """A status-bar label that gives way to the lights: it takes the room left and draws
    its text elided to it ("Li Wei (liwei) · Administrator, Operat..."); ``text()`` and
    the tool tip keep the whole text. A long role list pushed "Central database" and
    "Sync backlog" out of the status bar at 1366x768 (issue 17)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        rect = self.contentsRect()
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.fontMetrics().elidedText(self.text(),
                                                       Qt.TextElideMode.ElideRight,
                                                       rect.width()))


class StatusLights(QWidget):
    _sig_status = Signal(object)

    def __init__(self, status: StatusModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_lights")
        self._status = status
        self._lights: dict[str, QLabel] = {}
        self._texts: dict[str, QLabel] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        for name in CHANNELS:
            light = QLabel(self)
            light.setObjectName(f"status_light_{name}")
            light.setFixedSize(14, 14)
            text = QLabel(self)
            text.setObjectName(f"status_text_{name}")
            layout.addWidget(light)
            layout.addWidget(text)
            layout.addSpacing(12)
            self._lights[name], self._texts[name] = light, text
        self._sig_status.connect(self._apply, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = status.subscribe(self._from_any_thread)
        for st in status.snapshot().values():
            self._apply(st)

    def _from_any_thread(self, status: ChannelStatus) -> None:
        try:
            self._sig_status.emit(status)
        except RuntimeError:  # widget already deleted
            self.detach()

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def state_of(self, name: str) -> str:
        return self._lights[name].property("state") or "unknown"

    @Slot(object)
    def _apply(self, status: ChannelStatus) -> None:
        light = self._lights[status.name]
        light.setProperty("state", status.state)
        color = LIGHT_COLORS.get(status.state, LIGHT_COLORS["unknown"])
        ring = "#ffffff" if status.state in ("ok", "warning", "error") else "#6b7177"
        light.setStyleSheet(f"background: {color}; border-radius: 7px; border: 1px solid {ring};")
        self._render_text(status)

    def _render_text(self, status: ChannelStatus) -> None:
        title = self._title(status.name)
        if status.name == "sync_backlog" and status.value is not None:
            title = f"{title}: {status.value}"
        self._texts[status.name].setText(title)
        tip = f"{title} — {self._state_text(status.state)}"
        if status.detail:
            tip += f"\n{detail_text(status.detail)}"
        tip += "\n" + self.tr("Updated %1").replace("%1", status.updated_utc)
        self._lights[status.name].setToolTip(tip)
        self._texts[status.name].setToolTip(tip)

    def _title(self, name: str) -> str:
        return {"hardware": self.tr("Hardware"), "pacs": self.tr("PACS"),
                "central_db": self.tr("Central database"),
                "sync_backlog": self.tr("Sync backlog")}[name]

    def _state_text(self, state: str) -> str:
        return {"ok": self.tr("connected"), "warning": self.tr("degraded"),
                "error": self.tr("not connected"), "unknown": self.tr("unknown"),
                "off": self.tr("not configured")}.get(state, state)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            for st in self._status.snapshot().values():
                self._render_text(st)
        super().changeEvent(event)
