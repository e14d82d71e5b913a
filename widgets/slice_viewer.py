"""SliceViewer: a 2-D CT slice in Hounsfield units with window/level, zoom/pan and ROIs.

    viewer = SliceViewer(parent, object_name="ctqc_slice")
    viewer.set_image(hu_array)                    # 2-D, rows x columns, HU
    viewer.set_preset("phantom")                  # or set_window(width=400, level=40)
    viewer.set_rois([RoiOverlay.circle("water", cx=256, cy=256, r=40, label="Water",
                                       verdict="PASS")])
    viewer.sig_roi_clicked.connect(table.select_key)
    viewer.set_heatmap(saliency_0_to_1, alpha=0.45)   # AI explanation; None removes it
    link_viewers(left, right)                     # W/L, zoom and pan follow each other

Mouse: left drag pans, wheel zooms, right drag changes window (left/right) and level
(up/down), double click fits the image. Signals: sig_roi_clicked(str roi_id),
sig_window_changed(float width, float level), sig_cursor_value(float x, float y, float hu).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QVBoxLayout, QWidget)

from widgets.slice_overlays import RoiGraphic, RoiOverlay, layout_labels

# name -> (width, level) in HU
WINDOW_PRESETS: dict[str, tuple[float, float]] = {
    "soft_tissue": (400.0, 40.0),
    "bone": (1500.0, 300.0),
    "phantom": (100.0, 0.0),
    "lung": (1500.0, -600.0),
    "wide": (2000.0, 0.0),
}


def preset_title(name: str) -> str:
    return {"soft_tissue": QCoreApplication.translate("SliceViewer", "Soft tissue"),
            "bone": QCoreApplication.translate("SliceViewer", "Bone"),
            "phantom": QCoreApplication.translate("SliceViewer", "Phantom"),
            "lung": QCoreApplication.translate("SliceViewer", "Lung"),
            "wide": QCoreApplication.translate("SliceViewer", "Wide"),
            "custom": QCoreApplication.translate("SliceViewer", "Custom")}.get(
        name, name)


class _SliceViewBox(pg.ViewBox):
    """Left drag pans, right drag sets window/level, double click fits."""

    def __init__(self, owner: "SliceViewer") -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self._owner = owner
        self.setMouseMode(pg.ViewBox.PanMode)

    def mouseDragEvent(self, ev: Any, axis: Any = None) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            delta = ev.screenPos() - ev.lastScreenPos()
            self._owner.nudge_window(delta.x(), delta.y())
            return
        super().mouseDragEvent(ev, axis)

    def mouseClickEvent(self, ev: Any) -> None:  # noqa: N802 - pyqtgraph API
        if ev.double() and ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._owner.reset_view()
            return
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()  # no context menu: right button is window/level
            return
        super().mouseClickEvent(ev)


class SliceViewer(QWidget):
    sig_roi_clicked = Signal(str)
    sig_window_changed = Signal(float, float)
    sig_cursor_value = Signal(float, float, float)

    def __init__(self, parent: QWidget | None = None, *, object_name: str = "slice_viewer",
                 preset: str = "soft_tissue", show_toolbar: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._image: np.ndarray | None = None
        self._width, self._level = WINDOW_PRESETS.get(preset, WINDOW_PRESETS["soft_tissue"])
        self._preset = preset if preset in WINDOW_PRESETS else "custom"
        self._rois: dict[str, RoiGraphic] = {}
        self._highlighted: str | None = None
        self._linked: list[SliceViewer] = []
        self._syncing = False

        self.view = pg.GraphicsView(self)
        self.view.setObjectName(f"{object_name}_canvas")
        self.view.setBackground("#101214")
        self.viewbox = _SliceViewBox(self)
        self.view.setCentralItem(self.viewbox)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.viewbox.addItem(self.image_item)
        self.heatmap_item = pg.ImageItem(axisOrder="row-major")
        self.heatmap_item.setZValue(10)
        self.heatmap_item.setLookupTable(pg.colormap.get("inferno").getLookupTable(nPts=256))
        self.heatmap_item.setVisible(False)
        self.viewbox.addItem(self.heatmap_item)
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.viewbox.sigRangeChanged.connect(self._on_range_changed)

        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName(f"{object_name}_preset")
        for name in (*WINDOW_PRESETS, "custom"):
            self.preset_combo.addItem(preset_title(name), name)
        self.preset_combo.activated.connect(self._on_preset_chosen)
        self.reset_button = QPushButton(self)
        self.reset_button.setObjectName(f"{object_name}_reset_view")
        self.reset_button.clicked.connect(self.reset_view)
        self.heatmap_check = QCheckBox(self)
        self.heatmap_check.setObjectName(f"{object_name}_heatmap_visible")
        self.heatmap_check.setChecked(True)
        self.heatmap_check.setEnabled(False)
        self.heatmap_check.toggled.connect(self._on_heatmap_toggled)
        self.heatmap_alpha = QSlider(Qt.Orientation.Horizontal, self)
        self.heatmap_alpha.setObjectName(f"{object_name}_heatmap_alpha")
        self.heatmap_alpha.setRange(0, 100)
        self.heatmap_alpha.setValue(45)
        self.heatmap_alpha.setMaximumWidth(120)
        self.heatmap_alpha.setEnabled(False)
        self.heatmap_alpha.valueChanged.connect(
            lambda v: self.heatmap_item.setOpacity(v / 100.0))
        self._show_heatmap_controls(False)
        self.window_label = QLabel(self)
        self.window_label.setObjectName(f"{object_name}_window_text")
        self.cursor_label = QLabel(self)
        self.cursor_label.setObjectName(f"{object_name}_cursor_text")
        self.cursor_label.setMinimumWidth(180)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.preset_combo)
        bar.addWidget(self.window_label)
        bar.addStretch(1)
        bar.addWidget(self.heatmap_check)
        bar.addWidget(self.heatmap_alpha)
        bar.addWidget(self.reset_button)
        self.toolbar = QWidget(self)
        self.toolbar.setObjectName(f"{object_name}_toolbar")
        self.toolbar.setLayout(bar)
        self.toolbar.setVisible(show_toolbar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.cursor_label)
        self.retranslate_ui()
        self._apply_levels()

    # --- image ---------------------------------------------------------------
    def set_image(self, hu: np.ndarray, *, keep_view: bool = False) -> None:
        arr = np.asarray(hu)
        if arr.ndim != 2:
            raise ValueError(f"a slice must be 2-D, got shape {arr.shape}")
        first = self._image is None or self._image.shape != arr.shape
        self._image = arr
        self.image_item.setImage(arr.astype(np.float32, copy=False), autoLevels=False)
        self._apply_levels()
        if first or not keep_view:
            self.reset_view()

    def image(self) -> np.ndarray | None:
        return self._image

    def clear(self) -> None:
        self._image = None
        self.image_item.clear()
        self.clear_rois()
        self.set_heatmap(None)

    def reset_view(self) -> None:
        if self._image is not None:
            h, w = self._image.shape
            self.viewbox.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        return (x0, x1), (y0, y1)

    def set_view_range(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        self.viewbox.setRange(xRange=x, yRange=y, padding=0)

    def zoom(self, factor: float) -> None:
        """factor > 1 zooms in, about the view centre."""
        self.viewbox.scaleBy((1.0 / factor, 1.0 / factor))

    # --- window / level ------------------------------------------------------
    @property
    def window(self) -> tuple[float, float]:
        return self._width, self._level

    def set_window(self, width: float, level: float, *, preset: str | None = None) -> None:
        width = max(1.0, float(width))
        level = float(level)
        if preset is None:
            preset = next((n for n, wl in WINDOW_PRESETS.items() if wl == (width, level)),
                          "custom")
        self._preset = preset
        if (width, level) == (self._width, self._level):
            self._sync_preset_combo()
            return
        self._width, self._level = width, level
        self._apply_levels()
        self.sig_window_changed.emit(width, level)

    def set_preset(self, name: str) -> None:
        if name not in WINDOW_PRESETS:
            raise ValueError(f"unknown window preset {name!r}; known: {', '.join(WINDOW_PRESETS)}")
        self.set_window(*WINDOW_PRESETS[name], preset=name)

    def nudge_window(self, dx: float, dy: float) -> None:
        """Mouse drag in screen pixels: right widens the window, up raises the level."""
        step = max(1.0, self._width / 200.0)
        self.set_window(self._width + dx * step, self._level - dy * step)

    def _apply_levels(self) -> None:
        lo = self._level - self._width / 2.0
        self.image_item.setLevels((lo, lo + self._width))
        self.window_label.setText(
            self.tr("W %1  L %2").replace("%1", f"{self._width:g}").replace(
                "%2", f"{self._level:g}"))
        self._sync_preset_combo()

    def _sync_preset_combo(self) -> None:
        idx = self.preset_combo.findData(self._preset)
        if idx >= 0:
            self.preset_combo.setCurrentIndex(idx)

    def _on_preset_chosen(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        if name in WINDOW_PRESETS:
            self.set_preset(name)

    # --- ROIs ------------------------------------------------------------------
    def set_rois(self, rois: Iterable[RoiOverlay | Mapping[str, Any]]) -> None:
        self.clear_rois()
        for roi in rois:
            self.add_roi(roi)
        layout_labels(list(self._rois.values()), self.viewbox)   # outward, apart

    def add_roi(self, roi: RoiOverlay | Mapping[str, Any]) -> None:
        if not isinstance(roi, RoiOverlay):
            roi = RoiOverlay.from_dict(dict(roi))
        if roi.id in self._rois:
            self._rois.pop(roi.id).remove_from(self.viewbox)
        graphic = RoiGraphic(roi, self.sig_roi_clicked.emit)
        graphic.add_to(self.viewbox)
        self._rois[roi.id] = graphic

    def relabel_rois(self, labels: Mapping[str, str]) -> bool:
        """New label texts for the ROIs shown (id -> label; a language switch): the drawn
        items stay, only their texts change and the labels are laid out once. False (and
        nothing changed) when ``labels`` does not name exactly the ROIs shown."""
        if set(labels) != set(self._rois):
            return False
        for roi_id, graphic in self._rois.items():
            graphic.set_label(str(labels[roi_id]))
        layout_labels(list(self._rois.values()), self.viewbox)
        return True

    def clear_rois(self) -> None:
        for graphic in self._rois.values():
            graphic.remove_from(self.viewbox)
        self._rois.clear()
        self._highlighted = None

    def rois(self) -> list[RoiOverlay]:
        return [g.roi for g in self._rois.values()]

    def highlight_roi(self, roi_id: str | None) -> None:
        if self._highlighted in self._rois:
            self._rois[self._highlighted].set_highlighted(False)
        self._highlighted = roi_id if roi_id in self._rois else None
        if self._highlighted:
            self._rois[self._highlighted].set_highlighted(True)

    def roi_scene_pos(self, roi_id: str) -> QPointF:
        """Scene position of an ROI's centre (for tests and tours)."""
        g = self._rois[roi_id].roi.geometry
        kind = self._rois[roi_id].roi.kind
        if kind == "circle":
            p = QPointF(g[0], g[1])
        elif kind == "rect":
            p = QPointF(g[0] + g[2] / 2, g[1] + g[3] / 2)
        else:
            p = QPointF((g[0] + g[2]) / 2, (g[1] + g[3]) / 2)
        return self.viewbox.mapViewToScene(p)

    # --- heatmap -----------------------------------------------------------------
    def set_heatmap(self, values: np.ndarray | None, *, alpha: float | None = None) -> None:
        """Values 0..1 over the same grid as the image (None removes the overlay)."""
        if values is None:
            self.heatmap_item.clear()
            self.heatmap_item.setVisible(False)
            self._show_heatmap_controls(False)
            return
        arr = np.asarray(values, dtype=np.float32)
        if self._image is not None and arr.shape != self._image.shape:
            raise ValueError(f"heatmap shape {arr.shape} differs from image {self._image.shape}")
        if alpha is not None:
            self.heatmap_alpha.setValue(int(round(max(0.0, min(1.0, alpha)) * 100)))
        self.heatmap_item.setImage(arr, levels=(0.0, 1.0), autoLevels=False)
        self.heatmap_item.setOpacity(self.heatmap_alpha.value() / 100.0)
        self.heatmap_item.setVisible(self.heatmap_check.isChecked())
        self._show_heatmap_controls(True)

    def has_heatmap(self) -> bool:
        return self._has_heatmap

    def _show_heatmap_controls(self, on: bool) -> None:
        self._has_heatmap = on
        for w in (self.heatmap_check, self.heatmap_alpha):
            w.setEnabled(on)
            w.setVisible(on)

    def _on_heatmap_toggled(self, on: bool) -> None:
        self.heatmap_item.setVisible(on and self.has_heatmap())

    # --- linking ---------------------------------------------------------------------
    def link(self, other: "SliceViewer") -> None:
        """Synchronise window/level, zoom and pan with ``other`` (both ways)."""
        if other is self or other in self._linked:
            return
        self._linked.append(other)
        other._linked.append(self)
        self.sig_window_changed.connect(other._follow_window)
        other.sig_window_changed.connect(self._follow_window)
        other.set_window(self._width, self._level, preset=self._preset)
        other._follow_range(*self.view_range())

    def unlink(self, other: "SliceViewer") -> None:
        if other not in self._linked:
            return
        self._linked.remove(other)
        other._linked.remove(self)
        self.sig_window_changed.disconnect(other._follow_window)
        other.sig_window_changed.disconnect(self._follow_window)

    def _on_range_changed(self, *_args: Any) -> None:
        layout_labels(list(self._rois.values()), self.viewbox)
        if self._syncing:
            return
        x, y = self.view_range()
        for other in self._linked:
            other._follow_range(x, y)

    def _follow_range(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        """Same image region in view (pyqtgraph's own axis links align by screen position,
        which is wrong for side-by-side viewers)."""
        if self._syncing:
            return
        cx, cy = self.view_range()
        if np.allclose((*cx, *cy), (*x, *y), rtol=0, atol=1e-6):
            return
        self._syncing = True
        try:
            self.set_view_range(x, y)
            for other in self._linked:   # propagate along chains a-b-c
                other._follow_range(x, y)
        finally:
            self._syncing = False

    def _follow_window(self, width: float, level: float) -> None:
        if not self._syncing:
            self._syncing = True
            try:
                self.set_window(width, level)
            finally:
                self._syncing = False

    # --- cursor readout ------------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self._image is None or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return
        p = self.viewbox.mapSceneToView(scene_pos)
        col, row = int(np.floor(p.x())), int(np.floor(p.y()))
        h, w = self._image.shape
        if 0 <= row < h and 0 <= col < w:
            hu = float(self._image[row, col])
            self.cursor_label.setText(
                self.tr("x %1  y %2   %3 HU").replace("%1", str(col)).replace(
                    "%2", str(row)).replace("%3", f"{hu:.1f}"))
            self.sig_cursor_value.emit(float(col), float(row), hu)

    def retranslate_ui(self) -> None:
        for i in range(self.preset_combo.count()):
            self.preset_combo.setItemText(i, preset_title(self.preset_combo.itemData(i)))
        self.reset_button.setText(self.tr("Fit"))
        self.reset_button.setToolTip(self.tr("Fit the image to the view (double click)"))
        self.heatmap_check.setText(self.tr("AI heatmap"))
        self.preset_combo.setToolTip(self.tr(
            "Window/level preset. Right-drag on the image: left/right = window, "
            "up/down = level"))
        self._apply_levels()
        if not self.cursor_label.text():
            self.cursor_label.setText(" ")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def link_viewers(*viewers: SliceViewer) -> None:
    """Link every viewer to the first one (W/L, zoom and pan follow)."""
    for other in viewers[1:]:
        viewers[0].link(other)
