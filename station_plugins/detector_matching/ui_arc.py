"""Detector arc view: slots as a heat-coloured arc (slot cost), boundaries as ticks
coloured by neighbour mismatch; click to select slots, locked slots outlined."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


def heat(x: float) -> QColor:
    """0 -> green, 0.5 -> amber, 1 -> red."""
    x = min(1.0, max(0.0, x))
    if x < 0.5:
        return QColor.fromRgbF(0.18 + 1.4 * x * 0.55, 0.65, 0.25)
    return QColor.fromRgbF(0.95, 0.65 - (x - 0.5) * 1.1, 0.2)


class DetectorArcView(QWidget):
    sig_slot_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detector_arc_view")
        self.setMinimumSize(420, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._angles = np.zeros(0)
        self._slot = np.zeros(0)
        self._boundary = np.zeros(0)
        self._locked: set[int] = set()
        self._selected: list[int] = []
        self._fan = 52.0

    def set_data(self, angles: np.ndarray, slot_cost: np.ndarray, boundary_cost: np.ndarray,
                 locked: set[int], fan_deg: float) -> None:
        self._angles, self._slot, self._boundary = angles, slot_cost, boundary_cost
        self._locked, self._fan = set(locked), fan_deg
        self.update()

    def set_selected(self, slots: list[int]) -> None:
        self._selected = list(slots)
        self.update()

    DISPLAY_FAN = 110.0   # the arc is drawn opened up to this angle (labels stay real)

    def _k(self) -> float:
        return self.DISPLAY_FAN / max(self._fan, 1e-6)

    def _geometry(self) -> tuple[QPointF, float, float]:
        w, h = self.width(), self.height()
        half = math.radians(self.DISPLAY_FAN / 2)
        # ring band width = 0.22 R; ticks need ~24 px outside; labels below
        radius = min((w - 60) / (2 * math.sin(half) * 1.11),
                     (h - 70) / (1.11 - math.cos(half) * 0.89 + 0.02))
        centre = QPointF(w / 2, 34 + 1.11 * radius)
        return centre, radius, radius * 0.22

    def _slot_at(self, pos: QPointF) -> int | None:
        if self._angles.size == 0:
            return None
        centre, radius, width = self._geometry()
        dx, dy = pos.x() - centre.x(), pos.y() - centre.y()
        r = math.hypot(dx, dy)
        if abs(r - radius) > width:
            return None
        ang = math.degrees(math.atan2(dx, -dy)) / self._k()
        k = int(np.argmin(np.abs(self._angles - ang)))
        step = self._fan / max(1, self._angles.size)
        return k if abs(self._angles[k] - ang) <= step else None

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.update()                      # its texts are drawn with self.tr()
        super().changeEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        k = self._slot_at(event.position())
        if k is not None:
            self.sig_slot_clicked.emit(k)

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001, ARG002
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if self._angles.size == 0:
            p.setPen(self.palette().text().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       self.tr("Import a pool and optimise to see the detector arc"))
            return
        centre, radius, width = self._geometry()
        n = self._angles.size
        step = self._fan / n * self._k()
        kd = self._k()
        smax = float(np.nanpercentile(self._slot, 98)) or 1.0
        bmax = float(np.nanpercentile(self._boundary, 98)) if self._boundary.size else 1.0
        p.setPen(Qt.PenStyle.NoPen)
        for k in range(n):
            a0 = 90 - (self._angles[k] * kd + step / 2)
            path = QPainterPath()
            outer = QRectF(centre.x() - radius - width / 2, centre.y() - radius - width / 2,
                           2 * radius + width, 2 * radius + width)
            inner = QRectF(centre.x() - radius + width / 2, centre.y() - radius + width / 2,
                           2 * radius - width, 2 * radius - width)
            path.arcMoveTo(outer, a0)
            path.arcTo(outer, a0, step)
            path.arcTo(inner, a0 + step, -step)
            path.closeSubpath()
            p.fillPath(path, heat(self._slot[k] / smax))
            if k in self._locked or k in self._selected:
                p.setPen(QPen(QColor("#1f4e9e") if k in self._selected else QColor("#222"), 2))
                p.drawPath(path)
                p.setPen(Qt.PenStyle.NoPen)
        for b in range(self._boundary.size):
            ang = math.radians(self._angles[b] * kd + step / 2)
            val = self._boundary[b] / (bmax or 1.0)
            r0, r1 = radius + width / 2 + 2, radius + width / 2 + 4 + 18 * min(val, 1.5)
            p.setPen(QPen(heat(val), max(1.0, 2 * radius * math.radians(step) * 0.6)))
            p.drawLine(QPointF(centre.x() + r0 * math.sin(ang), centre.y() - r0 * math.cos(ang)),
                       QPointF(centre.x() + r1 * math.sin(ang), centre.y() - r1 * math.cos(ang)))
        p.setPen(self.palette().text().color())
        p.setFont(QFont(p.font().family(), 9))
        for deg in (-self._fan / 2, -self._fan / 4, 0.0, self._fan / 4, self._fan / 2):
            a = math.radians(deg * kd)
            r = radius - width / 2 - 14
            pt = QPointF(centre.x() + r * math.sin(a), centre.y() - r * math.cos(a))
            p.drawText(QRectF(pt.x() - 30, pt.y() - 8, 60, 16), Qt.AlignmentFlag.AlignCenter,
                       f"{deg:+.0f}°")
        p.drawText(QRectF(4, self.height() - 36, self.width() - 8, 34),
                   int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
                       | Qt.TextFlag.TextWordWrap),
                   self.tr("arc: slot cost (green good, red poor) - ticks: neighbour mismatch "
                           "- outlined: locked / selected (arc opened up for legibility)"))
        p.end()
