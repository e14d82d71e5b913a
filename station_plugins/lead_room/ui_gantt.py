"""Gantt view of the room schedule; drag a job to another room / time to override.

The view only proposes: ``on_move(job_id, room, start_min)`` decides (validation and
audit are the station's); a refused move snaps back and shows the reason.

Each bar carries its job id (and the capability when the bar is wide enough) and a tool
tip with unit, times and due time; the hour ruler stays at the top while the rooms
scroll; :class:`GanttLegend` says what the colours and the outline mean.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView, QHBoxLayout, QLabel,
                               QVBoxLayout, QWidget)

ROW_H = 22.0
LABEL_W = 70.0
RULER_H = 18.0          # the hour ruler above the first room (kept on top when scrolled)
PX_PER_MIN = 0.9
JOB_FILL = QColor("#8fa3b3")
LATE_FILL = QColor("#9a5b00")
JOB_TEXT = QColor("#1b1f23")
LATE_TEXT = QColor("#ffffff")
OVERRIDE_PEN = QPen(QColor("#2b2f33"), 2.0)


def clock(minute: int) -> str:
    """Minutes from the start of the planned day as hh:mm."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def job_tooltip(job_id: str, start: int, end: int, job: Any, late: bool,
                overridden: bool) -> str:
    tr = QCoreApplication.translate
    lines = [tr("GanttView", "Job %1").replace("%1", job_id)]
    if job is not None:
        lines.append(tr("GanttView", "Unit %1 · needs %2").replace("%1", job.unit).replace(
            "%2", job.capability))
    lines.append(tr("GanttView", "%1 to %2 (%3 min)").replace("%1", clock(start)).replace(
        "%2", clock(end)).replace("%3", str(end - start)))
    if job is not None:
        due = tr("GanttView", "Due %1").replace("%1", clock(job.due))
        if late:
            due += " · " + tr("GanttView", "late by %1 min").replace("%1", str(end - job.due))
        lines.append(due)
    if overridden:
        lines.append(tr("GanttView", "Moved by hand (override, audited)"))
    return "\n".join(lines)


class JobItem(QGraphicsRectItem):
    def __init__(self, view: "GanttView", job_id: str, rect: QRectF, late: bool,
                 overridden: bool, label: str = "", tooltip: str = "",
                 font: QFont | None = None) -> None:
        super().__init__(rect)
        self.view, self.job_id = view, job_id
        self.late, self.overridden = late, overridden
        self.setBrush(QBrush(LATE_FILL if late else JOB_FILL))
        self.setPen(OVERRIDE_PEN if overridden else QPen(QColor("#5b6168"), 0.5))
        self.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemIsMovable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.setToolTip(tooltip or job_id)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.label: QGraphicsSimpleTextItem | None = None
        if label and font is not None:
            fm = QFontMetricsF(font)
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, rect.width() - 4)
            if text and text != "…":
                self.label = QGraphicsSimpleTextItem(text, self)
                self.label.setFont(font)
                self.label.setBrush(QBrush(LATE_TEXT if late else JOB_TEXT))
                self.label.setPos(rect.left() + 2,
                                  rect.top() + (rect.height() - fm.height()) / 2)

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
        # the ruler is painted over the scrolled content: repaint all of it on a scroll
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.on_move = on_move
        self.rooms: list[str] = []
        self.items: dict[str, JobItem] = {}
        self.last_message = ""
        self._end = 60

    def set_schedule(self, rooms: list[str], assignments: list[Any],
                     due: dict[str, int], jobs: dict[str, Any] | None = None) -> None:
        """``jobs`` (job id -> Job): unit, capability and due time for labels and tips."""
        self.scene_.clear()
        self.items.clear()
        self.rooms = rooms
        jobs = jobs or {}
        end = max([a.end for a in assignments] + [60])
        self._end = end
        small = QFont(self.font())
        small.setPointSizeF(7.5)
        width = LABEL_W + (end // 60 + 1) * 60 * PX_PER_MIN
        for i, room in enumerate(rooms):
            y = i * ROW_H
            if i % 2:
                self.scene_.addRect(QRectF(0, y, width, ROW_H),
                                    QPen(Qt.PenStyle.NoPen), QBrush(QColor("#e4e7ea")))
            label = QGraphicsSimpleTextItem(room)
            label.setPos(4, y + 4)
            self.scene_.addItem(label)
        for h in range(0, end // 60 + 2):
            x = LABEL_W + h * 60 * PX_PER_MIN
            self.scene_.addLine(x, -RULER_H, x, len(rooms) * ROW_H,
                                QPen(QColor("#c9cdd1"), 0.5))
        # room for the ruler above the first row (drawn in drawForeground)
        self.scene_.addRect(QRectF(0, -RULER_H, width, RULER_H), QPen(Qt.PenStyle.NoPen))
        self.scene_.setSceneRect(self.scene_.itemsBoundingRect())
        for a in assignments:
            if a.room not in rooms:
                continue
            job = jobs.get(a.job_id)
            due_at = job.due if job is not None else due.get(a.job_id, 1 << 30)
            late = a.end > due_at
            rect = QRectF(LABEL_W + a.start * PX_PER_MIN, rooms.index(a.room) * ROW_H + 3,
                          max(2.0, (a.end - a.start) * PX_PER_MIN), ROW_H - 6)
            label = a.job_id if job is None else f"{a.job_id} · {job.capability}"
            item = JobItem(self, a.job_id, rect, late, a.overridden, label=label,
                           tooltip=job_tooltip(a.job_id, a.start, a.end, job, late,
                                               a.overridden), font=small)
            self.scene_.addItem(item)
            self.items[a.job_id] = item

    def drawForeground(self, painter: QPainter, _rect: QRectF) -> None:  # noqa: N802 - Qt API
        """The hour ruler, at the top of the visible area whatever the scroll."""
        if not self.rooms:
            return
        top = self.mapToScene(0, 0).y()
        left = self.mapToScene(0, 0).x()
        band = QRectF(left, top, self.viewport().width(), RULER_H)
        painter.save()
        painter.fillRect(band, QColor("#dde1e5"))
        painter.setPen(QPen(QColor("#2b2f33")))
        font = QFont(self.font())
        font.setPointSizeF(7.5)
        painter.setFont(font)
        painter.drawText(QRectF(left + 4, top, LABEL_W - 6, RULER_H),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         self.tr("Room"))
        for h in range(0, self._end // 60 + 1):
            x = LABEL_W + h * 60 * PX_PER_MIN
            painter.drawText(QRectF(x + 2, top, 60 * PX_PER_MIN - 4, RULER_H),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             clock(h * 60))
        painter.restore()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.viewport().update()
        super().changeEvent(event)

    def dropped(self, item: JobItem) -> None:
        r = item.rect().translated(item.pos())
        row = int((r.center().y()) // ROW_H)
        start = int(round((r.left() - LABEL_W) / PX_PER_MIN))
        if not 0 <= row < len(self.rooms):
            item.setPos(0, 0)
            self.last_message = self.tr("Dropped outside the room rows")
            return
        problem = self.on_move(item.job_id, self.rooms[row], max(0, start))
        if problem:
            item.setPos(0, 0)
            self.last_message = problem
        else:
            self.last_message = ""


class GanttLegend(QWidget):
    """What the bars say: plain, late, moved by hand; how to move one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_gantt_legend")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        lay = QHBoxLayout()
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        outer.addLayout(lay)
        self.texts: dict[str, QLabel] = {}
        for key, style in (
                ("job", f"background:{JOB_FILL.name()}; border:1px solid #5b6168;"),
                ("late", f"background:{LATE_FILL.name()}; border:1px solid #5b6168;"),
                ("override", f"background:{JOB_FILL.name()}; border:2px solid #2b2f33;")):
            swatch = QLabel(self)
            swatch.setFixedSize(22, 12)
            swatch.setStyleSheet(style)
            text = QLabel(self)
            text.setObjectName(f"leadroom_gantt_legend_{key}")
            lay.addWidget(swatch)
            lay.addWidget(text)
            lay.addSpacing(10)
            self.texts[key] = text
        lay.addStretch(1)
        hint = QLabel(self)
        hint.setObjectName("leadroom_gantt_legend_hint")
        hint.setStyleSheet("color:#5b6168;")
        hint.setWordWrap(True)
        outer.addWidget(hint)
        self.texts["hint"] = hint
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.texts["job"].setText(self.tr("Job (id · capability needed)"))
        self.texts["late"].setText(self.tr("Late: ends after its due time"))
        self.texts["override"].setText(self.tr("Moved by hand (audited)"))
        self.texts["hint"].setText(self.tr(
            "Drag a job to another room or time to override the plan; point at it for "
            "details."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
