"""ISA-101 overview: every room on one screen, painted by one widget.

Grey is normal; colour only for abnormal (alarm priority); an invalid value is drawn
hatched with the word INVALID, never as a plausible number. Beam on is normal
operation: shown as a dark marker, not a colour. Click a tile to open the room.
"""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets.state_style import PRIORITY_COLORS

BG = QColor("#dfe2e5")
TILE = QColor("#eceef0")
TEXT = QColor("#2b2f33")
MUTED = QColor("#6b7177")
HATCH = QColor("#9aa0a6")
TILE_PAD = 6.0          # inside a tile, around its text


def invalid_text() -> str:
    return QCoreApplication.translate("RoomOverview", "INVALID")


def fmt(v: Any, nd: int = 1, unit: str = "") -> tuple[str, bool]:
    """(text, valid)."""
    if v is None:
        return invalid_text(), False
    if isinstance(v, float):
        return f"{v:.{nd}f}{unit}", True
    return f"{v}{unit}", True


class RoomOverview(QWidget):
    sig_room_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_overview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(600, 400)
        self.tiles: list[dict[str, Any]] = []
        self.connected = True
        self._rects: list[tuple[QRectF, str]] = []
        self.paints = 0
        self.row_font = QFont(self.font())      # the font of the tiles' lines, last painted

    def set_tiles(self, tiles: list[dict[str, Any]], connected: bool) -> None:
        if tiles != self.tiles or connected != self.connected:
            self.tiles, self.connected = tiles, connected
            self.update()

    def _grid(self) -> tuple[int, int]:
        n = max(1, len(self.tiles))
        w, h = max(1, self.width()), max(1, self.height())
        cols = max(1, round(math.sqrt(n * w / h / 1.6)))
        return cols, math.ceil(n / cols)

    def paintEvent(self, _ev: Any) -> None:  # noqa: N802 - Qt API
        self.paints += 1
        p = QPainter(self)
        p.fillRect(self.rect(), BG)
        if not self.tiles:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       self.tr("Waiting for the gateway: no room data yet"))
            return
        cols, rows = self._grid()
        gap = 6.0
        tw = (self.width() - gap * (cols + 1)) / cols
        th = (self.height() - gap * (rows + 1)) / rows
        self._rects = []
        base = QFont(self.font())
        base.setPointSizeF(max(7.0, min(11.0, th / 9)))
        rows = [self._rows(t) for t in self.tiles]
        fm = QFontMetricsF(base)                  # label and value side by side must fit
        need = max(fm.horizontalAdvance(label) + fm.horizontalAdvance(text)
                   for tile_rows in rows for label, text, _valid in tile_rows)
        need += fm.horizontalAdvance("  ") + 2 * TILE_PAD
        if need > tw:
            base.setPointSizeF(max(6.0, base.pointSizeF() * tw / need))
        self.row_font = base
        big = QFont(base)
        big.setBold(True)
        for i, t in enumerate(self.tiles):
            r = QRectF(gap + (i % cols) * (tw + gap), gap + (i // cols) * (th + gap), tw, th)
            self._rects.append((r, t["room"]))
            self._paint_tile(p, r, t, rows[i], base, big)
        p.end()

    def _rows(self, t: dict[str, Any]) -> list[tuple[str, str, bool]]:
        """(label, value, valid) of a tile's lines below its heading."""
        return [
            (self.tr("POI max"), *fmt(t["boundary_max_usvh"], 2, " uSv/h")),
            (self.tr("Doors open"), *fmt(t["doors_open"])),
            (self.tr("Temp / kW"), f"{fmt(t['temperature_c'], 1, ' C')[0]} / "
                                   f"{fmt(t['power_kw'])[0]}",
             t["temperature_c"] is not None and t["power_kw"] is not None),
            (self.tr("Job"), t["job"] or "-", True),
        ]

    def _paint_tile(self, p: QPainter, r: QRectF, t: dict[str, Any],
                    rows: list[tuple[str, str, bool]], base: QFont, big: QFont) -> None:
        worst = t["alarms"]["worst"]
        fill = QColor(PRIORITY_COLORS[worst]) if worst else TILE
        p.fillRect(r, fill)
        fg = QColor("#ffffff") if worst else TEXT
        if not self.connected:
            p.fillRect(r, QBrush(HATCH, Qt.BrushStyle.BDiagPattern))
        pen = QPen(QColor("#ffffff") if t["alarms"]["unacked"] else QColor("#b5babf"))
        pen.setWidthF(3.0 if t["alarms"]["unacked"] else 1.0)
        p.setPen(pen)
        p.drawRect(r)
        pad = TILE_PAD
        line = (r.height() - 2 * pad) / 6
        p.setFont(big)
        p.setPen(fg)
        head = QRectF(r.left() + pad, r.top() + pad, r.width() - 2 * pad, line)
        p.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, t["room"])
        state = self.tr("MAINT") if t["maintenance"] else (
            self.tr("BEAM ON") if t["beam_on"] else
            (self.tr("READY") if t["xray_ready"] else self.tr("idle")))
        if t["beam_on"] is None:
            state = invalid_text()
        p.drawText(head, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, state)
        p.setFont(base)
        for k, (label, text, valid) in enumerate(rows, start=1):
            rr = QRectF(r.left() + pad, r.top() + pad + k * line, r.width() - 2 * pad, line)
            if not valid:
                p.fillRect(rr, QBrush(HATCH, Qt.BrushStyle.BDiagPattern))
            p.setPen(fg if worst else MUTED)
            p.drawText(rr, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            p.setPen(fg)
            p.drawText(rr, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        if t["alarms"]["count"]:
            badge = self.tr("%1 alarm(s)").replace("%1", str(t["alarms"]["count"]))
            p.drawText(QRectF(r.left() + pad, r.top() + pad + 5 * line, r.width() - 2 * pad,
                              line), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       badge)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.update()                     # every text is drawn in paintEvent
        super().changeEvent(event)

    def mousePressEvent(self, ev: Any) -> None:  # noqa: N802 - Qt API
        for rect, room in self._rects:
            if rect.contains(ev.position()):
                self.sig_room_clicked.emit(room)
                return
