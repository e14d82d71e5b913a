"""The theme draws what the operator must see: empty check boxes, radio buttons, spin arrows."""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QRadioButton, QSpinBox, QStyle, QStyleOptionButton,
                               QStyleOptionSpinBox, QWidget, QVBoxLayout)


def _contrast_pixels(top: QWidget, widget: QWidget, rect) -> int:  # noqa: ANN001
    """Pixels of ``rect`` (in ``widget``) that stand out from ``top``'s background."""
    img = top.grab().toImage()
    origin = widget.mapTo(top, rect.topLeft())
    bg = img.pixelColor(top.width() - 2, top.height() - 2).lightness()
    n = 0
    for x in range(origin.x(), origin.x() + rect.width()):
        for y in range(origin.y(), origin.y() + rect.height()):
            if abs(img.pixelColor(x, y).lightness() - bg) > 60:
                n += 1
    return n


def test_unchecked_boxes_and_radio_buttons_are_visible(qtbot):
    """Issue 17: the pre-shift safety checklist showed no boxes (unchecked = invisible)."""
    holder = QWidget()
    lay = QVBoxLayout(holder)
    box, radio = QCheckBox("Door interlock tested"), QRadioButton("Shift A")
    lay.addWidget(box)
    lay.addWidget(radio)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    for w, element in ((box, QStyle.SubElement.SE_CheckBoxIndicator),
                       (radio, QStyle.SubElement.SE_RadioButtonIndicator)):
        opt = QStyleOptionButton()
        w.initStyleOption(opt)
        rect = w.style().subElementRect(element, opt, w)
        assert rect.width() >= 12, rect
        assert _contrast_pixels(holder, w, rect) >= 20, f"{type(w).__name__}: no indicator"


def test_spin_boxes_have_arrows(qtbot):
    holder = QWidget()
    spin = QSpinBox(holder)
    QVBoxLayout(holder).addWidget(spin)
    qtbot.addWidget(holder)
    holder.resize(180, 60)
    holder.show()
    qtbot.waitExposed(holder)
    opt = QStyleOptionSpinBox()
    spin.initStyleOption(opt)
    for sub in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
        rect = spin.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, opt, sub, spin)
        assert rect.width() >= 12
        assert _contrast_pixels(holder, spin, rect.adjusted(3, 1, -3, -1)) >= 6, sub
