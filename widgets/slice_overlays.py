"""ROI overlays for the slice viewer, described by plain data.

    RoiOverlay.circle("water", cx=256, cy=256, r=40, label="Water 0.4 HU", verdict="PASS")
    RoiOverlay.rect("uniformity_n", x=230, y=60, w=50, h=50, label="N")
    RoiOverlay.line("profile", x1=100, y1=256, x2=400, y2=256, label="profile")
    RoiOverlay.from_dict({"id": "air", "kind": "circle", "cx": 10, "cy": 10, "r": 5})

Coordinates are image pixels: x = column, y = row (row 0 at the top).
"""
from __future__ import annotations

import math

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsLineItem, QGraphicsRectItem

from app.core.measurement import Verdict
from widgets.state_style import as_verdict, overlay_color

KINDS = ("circle", "rect", "line")


@dataclass(frozen=True)
class RoiOverlay:
    id: str
    kind: str                      # circle | rect | line
    geometry: tuple[float, ...]    # circle (cx, cy, r); rect (x, y, w, h); line (x1, y1, x2, y2)
    label: str = ""
    verdict: Verdict | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"ROI '{self.id}': kind must be one of {KINDS}, not {self.kind!r}")
        need = 3 if self.kind == "circle" else 4
        if len(self.geometry) != need:
            raise ValueError(f"ROI '{self.id}': a {self.kind} needs {need} numbers")
        object.__setattr__(self, "verdict", as_verdict(self.verdict))

    @classmethod
    def circle(cls, id: str, *, cx: float, cy: float, r: float, label: str = "",  # noqa: A002
               verdict: Verdict | str | None = None) -> "RoiOverlay":
        return cls(id, "circle", (cx, cy, r), label, verdict)  # type: ignore[arg-type]

    @classmethod
    def rect(cls, id: str, *, x: float, y: float, w: float, h: float, label: str = "",  # noqa: A002
             verdict: Verdict | str | None = None) -> "RoiOverlay":
        return cls(id, "rect", (x, y, w, h), label, verdict)  # type: ignore[arg-type]

    @classmethod
    def line(cls, id: str, *, x1: float, y1: float, x2: float, y2: float,  # noqa: A002
             label: str = "", verdict: Verdict | str | None = None) -> "RoiOverlay":
        return cls(id, "line", (x1, y1, x2, y2), label, verdict)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RoiOverlay":
        kind = d.get("kind", "circle")
        keys = {"circle": ("cx", "cy", "r"), "rect": ("x", "y", "w", "h"),
                "line": ("x1", "y1", "x2", "y2")}.get(kind)
        if keys is None:
            raise ValueError(f"ROI kind must be one of {KINDS}, not {kind!r}")
        missing = [k for k in keys if k not in d]
        if missing:
            raise ValueError(f"ROI '{d.get('id', '?')}' lacks {', '.join(missing)}")
        return cls(str(d["id"]), kind, tuple(float(d[k]) for k in keys),
                   str(d.get("label", "")), d.get("verdict"))

    @property
    def anchor(self) -> tuple[float, float]:
        """Where the label sits (top-left of the shape)."""
        g = self.geometry
        if self.kind == "circle":
            return g[0] - g[2], g[1] - g[2]
        if self.kind == "rect":
            return g[0], g[1]
        return min(g[0], g[2]), min(g[1], g[3])


class _Clickable:
    """Mixin: pyqtgraph's scene delivers mouseClickEvent to items under the cursor."""

    on_click: Callable[[str], None] | None = None
    roi_id: str = ""

    def mouseClickEvent(self, ev: Any) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() == Qt.MouseButton.LeftButton and self.on_click is not None:
            ev.accept()
            self.on_click(self.roi_id)


class _CircleItem(_Clickable, QGraphicsEllipseItem):
    pass


class _RectItem(_Clickable, QGraphicsRectItem):
    pass


class _LineItem(_Clickable, QGraphicsLineItem):
    def shape(self) -> QPainterPath:  # a few pixels of slack so a thin line can be clicked
        path = QPainterPath()
        path.moveTo(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(4.0)
        return stroker.createStroke(path)


class RoiGraphic:
    """The drawn shape plus its label; owned by a ViewBox."""

    def __init__(self, roi: RoiOverlay, on_click: Callable[[str], None]) -> None:
        self.roi = roi
        g = roi.geometry
        if roi.kind == "circle":
            self.shape = _CircleItem(QRectF(g[0] - g[2], g[1] - g[2], 2 * g[2], 2 * g[2]))
        elif roi.kind == "rect":
            self.shape = _RectItem(QRectF(g[0], g[1], g[2], g[3]))
        else:
            self.shape = _LineItem(QLineF(QPointF(g[0], g[1]), QPointF(g[2], g[3])))
        self.shape.roi_id = roi.id
        self.shape.on_click = on_click
        self.shape.setZValue(20)
        self.shape.setToolTip(roi.label or roi.id)
        self.label = pg.TextItem(roi.label, anchor=(0, 1), fill=pg.mkBrush(20, 22, 25, 170))
        self.label.setZValue(21)
        font = self.label.textItem.font()
        font.setPointSizeF(11.0)
        self.label.setFont(font)
        self.label.setPos(*roi.anchor)
        self.label.setVisible(bool(roi.label))
        self.set_highlighted(False)

    def set_label(self, label: str) -> None:
        """The same ROI under another name (a language switch): the text and tooltip only,
        no new graphics items (re-creating 20 labelled ROIs cost ~15 ms of GUI thread)."""
        if label == self.roi.label:
            return
        self.roi = replace(self.roi, label=label)
        self.shape.setToolTip(label or self.roi.id)
        self.label.setText(label)
        self.label.setVisible(bool(label))

    def place_label_outward(self, centre: tuple[float, float]) -> None:
        """Put a circle's label on its side away from ``centre`` (the ROI ring's middle),
        touching the circle: labels of neighbouring inserts on a small phantom no longer
        sit on one another ("PM air eflon"). Other shapes keep the top-left place."""
        if self.roi.kind != "circle":
            return
        cx, cy, r = self.roi.geometry
        dx, dy = cx - centre[0], cy - centre[1]
        n = math.hypot(dx, dy)
        if n < 1e-6:                             # the middle ROI: above it, centred
            ux, uy = 0.0, -1.0
        else:
            ux, uy = dx / n, dy / n
        self.label.setAnchor((0.5 - 0.5 * ux, 0.5 - 0.5 * uy))   # y grows downwards
        self.label.setPos(cx + r * ux, cy + r * uy)
        self._outward = (ux, uy)

    def push_label_out(self, dx: float, dy: float) -> None:
        """Move an outward-placed label further out by (dx, dy) view units."""
        ux, uy = getattr(self, "_outward", (0.0, 0.0))
        pos = self.label.pos()
        self.label.setPos(pos.x() + ux * dx, pos.y() + uy * dy)


    def set_highlighted(self, on: bool) -> None:
        color = QColor(overlay_color(self.roi.verdict))
        pen = QPen(color, 3.5 if on else 2.0)
        pen.setCosmetic(True)
        if on:
            pen.setStyle(Qt.PenStyle.SolidLine)
        self.shape.setPen(pen)
        self.label.setColor(color)

    def add_to(self, viewbox: pg.ViewBox) -> None:
        viewbox.addItem(self.shape, ignoreBounds=True)
        viewbox.addItem(self.label, ignoreBounds=True)

    def remove_from(self, viewbox: pg.ViewBox) -> None:
        viewbox.removeItem(self.shape)
        viewbox.removeItem(self.label)


def layout_labels(graphics: list[RoiGraphic], viewbox: pg.ViewBox) -> None:
    """Labels of a ring of circular ROIs: each outward from the ring's middle, and pushed
    further out (3 px at a time, at most 60 px) until it overlaps no label placed before
    it. Labels keep their size on screen, so this runs again when the view range changes."""
    circles = [g for g in graphics if g.roi.kind == "circle"]
    if len(circles) < 3:
        return
    centre = (sum(g.roi.geometry[0] for g in circles) / len(circles),
              sum(g.roi.geometry[1] for g in circles) / len(circles))
    for g in circles:
        g.place_label_outward(centre)
    # one label per insert: a second ROI of the same name on the same insert (another
    # measurement's) keeps its circle and tooltip; its label would be a pushed-out twin
    kept: list[RoiGraphic] = []
    def unjudged(g: RoiGraphic) -> bool:         # a judged ROI's label (its colour) first
        return str(getattr(g.roi.verdict, "value", g.roi.verdict) or "SKIP").upper() == "SKIP"
    for g in sorted(circles, key=unjudged):
        twin = any(k.roi.label == g.roi.label and math.hypot(
            k.roi.geometry[0] - g.roi.geometry[0], k.roi.geometry[1] - g.roi.geometry[1])
            <= max(k.roi.geometry[2], g.roi.geometry[2]) for k in kept)
        g.label.setVisible(bool(g.roi.label) and not twin)
        if not twin:
            kept.append(g)
    if not viewbox.isVisible() or viewbox.width() <= 0:
        return                                   # measured once the view is on screen
    px, py = viewbox.viewPixelSize()             # view units per screen pixel
    placed = []
    for g in circles:
        if not g.label.isVisible():
            continue
        g.label.updateTransform(force=True)
        for _ in range(20):
            rect = g.label.sceneBoundingRect()
            if not any(rect.intersects(other) for other in placed):
                break
            g.push_label_out(3 * px, 3 * py)
        rect, view = g.label.sceneBoundingRect(), viewbox.sceneBoundingRect()
        shift = max(0.0, view.left() - rect.left()) - max(0.0, rect.right() - view.right())
        if shift:                                # kept inside the view sideways
            pos = g.label.pos()
            g.label.setPos(pos.x() + shift * px, pos.y())
        placed.append(g.label.sceneBoundingRect())
