"""Gantt view of the room schedule; drag a job to another room / time to override.

The view only proposes: ``on_move(job_id, room, start_min)`` decides (validation and
audit are the station's); a refused move snaps back and shows the reason.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import (QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView, QWidget)

ROW_H = 22.0
LABEL_W = 70.0
PX_PER_MIN = 0.9
JOB_FILL = QColor("#8fa3b3")
LATE_FILL = QColor("#9a5b00")
OVERRIDE_PEN = QPen(QColor("#2b2f33"), 2.0)


class JobItem(QGraphicsRectItem):
    def __init__(self, view: "GanttView", job_id: str, rect: QRectF, late: bool,
                 overridden: bool) -> None:
        super().__init__(rect)
        self.view, self.job_id = view, job_id
        self.setBrush(QBrush(LATE_FILL if late else JOB_FILL))
        self.setPen(OVERRIDE_PEN if overridden else QPen(QColor("#5b6168"), 0.5))
        self.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemIsMovable, True)
        self.setToolTip(job_id + (" (late)" if late else ""))
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mouseReleaseEvent(self, ev: Any) -> None:  # noqa: N802 - Qt API
        super().mouseReleaseEvent(ev)
        if self.pos().manhattanLength() > 2:
            self.view.dropped(self)


class GanttView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None,
                 on_move: Callable[[str, str, int], str | None] = lambda j, r, s: None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_gantt")
        self.scene_ = QGraphicsScene(self)
        self.setScene(self.scene_)
        self.setBackgroundBrush(QColor("#eceef0"))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.on_move = on_move
        self.rooms: list[str] = []
        self.items: dict[str, JobItem] = {}
        self.last_message = ""

    def set_schedule(self, rooms: list[str], assignments: list[Any],
                     due: dict[str, int]) -> None:
        self.scene_.clear()
        self.items.clear()
        self.rooms = rooms
        end = max([a.end for a in assignments] + [60])
        small = QFont(self.font())
        small.setPointSizeF(7.5)
        for i, room in enumerate(rooms):
            y = i * ROW_H
            if i % 2:
                self.scene_.addRect(QRectF(0, y, LABEL_W + end * PX_PER_MIN, ROW_H),
                                    QPen(Qt.PenStyle.NoPen), QBrush(QColor("#e4e7ea")))
            label = QGraphicsSimpleTextItem(room)
            label.setPos(4, y + 4)
            self.scene_.addItem(label)
        for h in range(0, end // 60 + 2):
            x = LABEL_W + h * 60 * PX_PER_MIN
            self.scene_.addLine(x, 0, x, len(rooms) * ROW_H, QPen(QColor("#c9cdd1"), 0.5))
            t = QGraphicsSimpleTextItem(f"{h:02d}h")
            t.setFont(small)
            t.setPos(x + 2, len(rooms) * ROW_H + 2)
            self.scene_.addItem(t)
        self.scene_.setSceneRect(self.scene_.itemsBoundingRect())
        for a in assignments:
            if a.room not in rooms:
                continue
            rect = QRectF(LABEL_W + a.start * PX_PER_MIN, rooms.index(a.room) * ROW_H + 3,
                          max(2.0, (a.end - a.start) * PX_PER_MIN), ROW_H - 6)
            item = JobItem(self, a.job_id, rect, a.end > due.get(a.job_id, 1 << 30),
                           a.overridden)
            self.scene_.addItem(item)
            self.items[a.job_id] = item

    def dropped(self, item: JobItem) -> None:
        r = item.rect().translated(item.pos())
        row = int((r.center().y()) // ROW_H)
        start = int(round((r.left() - LABEL_W) / PX_PER_MIN))
        if not 0 <= row < len(self.rooms):
            item.setPos(0, 0)
            self.last_message = "dropped outside the room rows"
            return
        problem = self.on_move(item.job_id, self.rooms[row], max(0, start))
        if problem:
            item.setPos(0, 0)
            self.last_message = problem
        else:
            self.last_message = ""
