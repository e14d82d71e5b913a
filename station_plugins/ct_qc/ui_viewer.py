"""Image part of the CT QC panel: slice viewer with ROI overlays, module navigator, slice
slider, and the numbers of a clicked ROI."""
from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from widgets.note_texts import note_text
from widgets.slice_viewer import SliceViewer
from widgets.verdict_badge import verdict_text

from station_plugins.ct_qc import workflow
from station_plugins.ct_qc.ui_toolbar import FitCombo


def _roi_label(label: str) -> str:
    """An overlay label in the user's language: an insert's name ('teflon' -> 'Teflon' /
    '特氟龙'), a ring ('ring 40 mm' -> '环形伪影 40 mm'); anything else as given."""
    from app.ui.i18n import current_language
    from station_plugins.ct_qc.ui_names import PARTS, part_name

    language = current_language()
    if label in PARTS:
        return part_name(label, language)
    head, _, rest = label.partition(" ")
    if head in PARTS and rest.endswith("mm"):
        return f"{part_name(head, language)} {rest}"
    return label


class QcSliceView(QWidget):
    sig_measurement_clicked = Signal(str)     # measurement key of a clicked ROI

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ct_qc_slice_view")
        self._loaded: Any = None
        self._result: Any = None
        self._slice = 0
        self.viewer = SliceViewer(self, object_name="ct_qc_viewer", preset="phantom")
        self.viewer.sig_roi_clicked.connect(self.show_roi)
        self.module_label = QLabel(self)
        # as wide as its modules (the slice each is on in its tooltip and the text beside
        # it): sized once, at its first show, the empty box was as wide as seven "x" and
        # cut "CTP404  #3" to "CTP404"; after a language switch Qt measured it anew, whole,
        # and the image pane took 26 px of the series list
        self.module_nav = FitCombo(self)
        self.module_nav.setObjectName("ct_qc_module_nav")
        self.module_nav.activated.connect(self._on_module_chosen)
        self.slice_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slice_slider.setObjectName("ct_qc_slice_slider")
        self.slice_slider.valueChanged.connect(self.show_slice)
        self.slice_label = QLabel(self)
        self.slice_label.setObjectName("ct_qc_slice_text")
        self.slice_label.setMinimumWidth(100)
        self.slice_label.setWordWrap(True)     # "slice 3 / 5," over "z 0.0 mm" when narrow
        # module and slice text on one line, the slider on its own below: in the narrow
        # centre pane at 1366x768 the slider had shrunk to a few pixels and the text was
        # cut ("z -0.2 m", issue 17)
        nav = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.module_label)
        top.addWidget(self.module_nav)
        top.addWidget(self.slice_label, 1)
        nav.addLayout(top)
        nav.addWidget(self.slice_slider)
        self.roi_details = QLabel(self)
        self.roi_details.setObjectName("ct_qc_roi_details")
        self.roi_details.setWordWrap(True)
        self.roi_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(nav)
        lay.addWidget(self.viewer, 1)
        lay.addWidget(self.roi_details)
        self.retranslate_ui()

    @property
    def current_slice(self) -> int:
        return self._slice

    def clear(self) -> None:
        self._loaded, self._result = None, None
        self.viewer.clear()
        self.viewer.set_rois([])
        self.module_nav.clear()
        self.slice_label.setText("")
        self.roi_details.setText(self.tr("Click an ROI to see its numbers."))
        self.roi_details.setProperty("hint", True)

    def set_loaded(self, loaded: Any) -> None:
        self._loaded = loaded
        n = loaded.volume.shape[0]
        self.slice_slider.blockSignals(True)
        self.slice_slider.setRange(0, n - 1)
        self.slice_slider.blockSignals(False)
        if self._result is None:
            self.module_nav.clear()
        self.show_slice(n // 2)
        self.viewer.reset_view()

    def set_result(self, result: Any) -> None:
        """Overlays and module navigation of an analysed result (None clears them)."""
        self._result = result
        self.module_nav.clear()
        if result is None:
            self.show_slice(self._slice)
            return
        for module_id, k in workflow.module_slices(result):
            self.module_nav.addItem(module_id, k)
        self._module_tips()
        origin = result.localisation.origin_slice
        self.show_slice(origin if origin >= 0 else self._slice)
        i = self.module_nav.findData(self._slice)
        if i >= 0:
            self.module_nav.setCurrentIndex(i)

    def show_slice(self, k: int) -> None:
        if self._loaded is None:
            return
        n = self._loaded.volume.shape[0]
        k = max(0, min(n - 1, int(k)))
        self._slice = k
        if self.slice_slider.value() != k:
            self.slice_slider.blockSignals(True)
            self.slice_slider.setValue(k)
            self.slice_slider.blockSignals(False)
        self.viewer.set_image(self._loaded.volume[k], keep_view=True)
        self.slice_label.setText(self._slice_text(k))
        # several measurements share a circle (CT number, TTF of the same insert): the
        # first (the labelled CT number) is added last, so it is on top and a click on
        # the insert selects it, not the TTF
        self.viewer.set_rois(list(reversed(self._overlays(k))))

    def _module_tips(self) -> None:
        if self._loaded is None:
            return
        for i in range(self.module_nav.count()):
            self.module_nav.setItemData(i, self._slice_text(int(self.module_nav.itemData(i))),
                                        Qt.ItemDataRole.ToolTipRole)

    def _slice_text(self, k: int) -> str:
        n = self._loaded.volume.shape[0]
        z = float(self._loaded.slice_positions_mm[k])
        text = self.tr("slice %1 / %2, z %3 mm").replace("%1", str(k + 1)).replace(
            "%2", str(n)).replace("%3", f"{z:.1f}")
        # a narrow pane wraps between the slice and the position, never inside either
        return "".join(p if p in (", ", "，") else p.replace(" ", "\u00a0")
                       for p in re.split(r"(, |，)", text))

    def _overlays(self, k: int) -> list[dict]:
        rois = (workflow.overlays_for_slice(self._result, k, self._loaded.pixel_mm)
                if self._result is not None else [])
        for roi in rois:        # "Teflon" / "特氟龙" on the image, as in the table
            roi["label"] = _roi_label(str(roi.get("label") or ""))
        return rois

    def _on_module_chosen(self, index: int) -> None:
        k = self.module_nav.itemData(index)
        if k is not None:
            self.show_slice(int(k))

    def show_roi(self, roi_id: str) -> None:
        """An ROI was clicked: show its numbers (and tell the panel to select its row)."""
        if self._result is None:
            return
        d = workflow.measurement_details(self._result, roi_id)
        self.roi_details.setProperty("hint", False)
        if not d:
            self.roi_details.setText(self._artifact_text(roi_id))
            return
        value = "-" if d["value"] is None else (f"{d['value']:.4g}" if isinstance(d["value"], float)
                                               else str(d["value"]))
        w = d["where"]
        where = ""
        if "centre_px" in w:
            where = self.tr("at (%1, %2) px, radius %3 px").replace(
                "%1", f"{w['centre_px'][0]:.1f}").replace("%2", f"{w['centre_px'][1]:.1f}").replace(
                "%3", f"{w.get('radius_px', 0):.1f}")
        self.roi_details.setText(f"<b>{d['key']}</b>: {value} {d['unit']}  ·  "
                                 f"{self.tr('limits')} {d['limits']}  ·  "
                                 f"{verdict_text(d['verdict'])}  ·  {where}"
                                 + (f"<br>{html.escape(note_text(d['note']))}"
                                    if d["note"] else ""))
        self.viewer.highlight_roi(roi_id)
        self.sig_measurement_clicked.emit(d["key"])

    def _artifact_text(self, roi_id: str) -> str:
        if not roi_id.startswith("artifact."):
            return ""
        a = self._result.artifacts[int(roi_id.split(".")[1].split("#")[0])]
        loc = ", ".join(f"{k} {v}" for k, v in (a.location or {}).items() if k != "centre_px")
        return f"<b>{a.type}</b>: {a.amplitude_hu:+.1f} HU · {loc} · {a.verdict.value}"

    def show_measurement(self, key: str) -> None:
        """A table row was chosen: go to its slice and show its ROI."""
        if self._result is None:
            return
        m = self._result.measurement(key)
        if m is None:
            return
        w = m.where or {}
        if "slice" in w and int(w["slice"]) != self._slice:
            self.show_slice(int(w["slice"]))
        if any(r.id == key for r in self.viewer.rois()):
            self.blockSignals(True)
            self.show_roi(key)
            self.blockSignals(False)

    def retranslate_ui(self) -> None:
        self.module_label.setText(self.tr("Module"))
        if not self.roi_details.text() or self.roi_details.property("hint"):
            self.roi_details.setText(self.tr("Click an ROI to see its numbers."))
            self.roi_details.setProperty("hint", True)
        if self._loaded is not None:      # the same image and ROIs under new names
            self.slice_label.setText(self._slice_text(self._slice))
            self._module_tips()
            rois = self._overlays(self._slice)
            if not self.viewer.relabel_rois({str(r["id"]): str(r.get("label") or "")
                                             for r in reversed(rois)}):
                self.show_slice(self._slice)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
