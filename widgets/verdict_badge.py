"""VerdictBadge: a pill that reads PASS / WARN / FAIL / ERROR / SKIP.

Grey when there is no verdict yet; colour only for the state it shows.

    badge = VerdictBadge(parent, object_name="ctqc_overall_verdict")
    badge.set_verdict(Verdict.FAIL)      # or "fail", or None (grey, "-")
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.core.measurement import Verdict
from widgets.state_style import NEUTRAL_BG, NEUTRAL_FG, TEXT_ON_STATE, as_verdict, verdict_color


def verdict_text(value: Verdict | str | None) -> str:
    """Translated display text of a verdict (the stored value stays the English code)."""
    v = as_verdict(value)
    if v is None:
        return "-"
    names = {
        Verdict.PASS: QCoreApplication.translate("Verdict", "PASS"),
        Verdict.WARN: QCoreApplication.translate("Verdict", "WARN"),
        Verdict.FAIL: QCoreApplication.translate("Verdict", "FAIL"),
        Verdict.ERROR: QCoreApplication.translate("Verdict", "ERROR"),
        Verdict.SKIP: QCoreApplication.translate("Verdict", "SKIP"),
    }
    return names[v]


def verdict_tooltip(value: Verdict | str | None) -> str:
    v = as_verdict(value)
    tips = {
        None: QCoreApplication.translate("Verdict", "No result yet"),
        Verdict.PASS: QCoreApplication.translate("Verdict", "Within limits"),
        Verdict.WARN: QCoreApplication.translate(
            "Verdict", "Outside the warning band, inside the action limits"),
        Verdict.FAIL: QCoreApplication.translate("Verdict", "Outside the action limits"),
        Verdict.ERROR: QCoreApplication.translate(
            "Verdict", "Could not decide: the measurement failed"),
        Verdict.SKIP: QCoreApplication.translate("Verdict", "Not judged"),
    }
    return tips[v]


class VerdictBadge(QLabel):
    """Read-only badge; ``sig_verdict_changed(str)`` carries the verdict code or ''."""

    sig_verdict_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, verdict: Verdict | str | None = None,
                 object_name: str = "verdict_badge", large: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._large = large
        self._verdict: Verdict | None = None
        self.set_verdict(verdict)

    @property
    def verdict(self) -> Verdict | None:
        return self._verdict

    def set_verdict(self, value: Verdict | str | None) -> None:
        v = as_verdict(value)
        changed = v != self._verdict
        self._verdict = v
        self._render()
        if changed:
            self.sig_verdict_changed.emit(v.value if v else "")

    def _render(self) -> None:
        v = self._verdict
        bg = verdict_color(v) if v is not None else NEUTRAL_BG
        fg = TEXT_ON_STATE if v is not None else NEUTRAL_FG
        pad = "6px 18px" if self._large else "2px 10px"
        size = "16pt" if self._large else "10.5pt"
        self.setStyleSheet(
            f"QLabel {{ background: {bg}; color: {fg}; border-radius: 4px; padding: {pad};"
            f" font-weight: bold; font-size: {size}; }}")
        self.setText(verdict_text(v))
        self.setToolTip(verdict_tooltip(v))
        # accessible text carries the code so screen readers and tests agree
        self.setAccessibleName(v.value if v else "none")
        self.adjustSize()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)
