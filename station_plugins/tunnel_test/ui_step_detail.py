"""The detail pane under the tunnel step table: everything about one step, whole.

The selected step, else (during and after a run) the last step that did not pass, else
the step running now: its title and key, the verdict with the reason as recorded, each
measurement (name in words - the file's own name in the tooltip -, value, unit, limits,
verdict) and
the AI's judgement (verdict, confidence, disagreement, review, reason as recorded). Wrapped
to the pane's width; a step with many measurements scrolls inside the pane.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QWidget

from station_plugins.tunnel_test.ui_reason_words import reason_text
from station_plugins.tunnel_test.ui_step_table import (VERDICT_COLORS, StepRow, ai_lines,
                                                       value_with_unit, verdict_word)
from station_plugins.tunnel_test.ui_words import (limits_text, measurement_name, unit_text,
                                                  value_text)


NBSP = "\u00a0"


def escape(text: str) -> str:
    """Rich-text escape with numeric entities only: the label's text stays free of
    English-looking entity names ("&lt;", "&nbsp;") for readers of its text (zh walk)."""
    return text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")


class StepDetail(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_step_detail")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setObjectName("tunnel_step_detail_text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setContentsMargins(6, 4, 6, 4)
        self.setWidget(self.label)
        self.row: StepRow | None = None
        self.title = ""
        self.show_step(None)

    def show_step(self, row: StepRow | None, title: str = "") -> None:
        """``title``: the step's title in the UI language (the model's ``title(row)``)."""
        self.row, self.title = row, title
        self.label.setText(self.html())
        # the sequence file's own names (the record's) for the engineer, beside the words
        self.label.setToolTip("" if row is None else "\n".join(
            [row.key] + [f"{m.get('name')}: {measurement_name(str(m.get('name', '')))}"
                         for m in row.lines()]))

    def html(self) -> str:
        row = self.row
        if row is None:
            return f"<i>{escape(self.tr('Select a step to see its measurements whole.'))}</i>"
        head = (f"<b>{escape(self.title)}</b> {NBSP}<span style='color:#5f6b73'>"
                f"{escape(row.key)}</span>")
        if row.verdict:    # on the title's line: the pane shows a 3-measurement step whole
            color = VERDICT_COLORS.get(row.verdict, "#000000")
            head += (f" {NBSP}<b style='color:{color}'>{escape(verdict_word(row.verdict))}</b>"
                     + (f" {NBSP}{escape(reason_text(row.reason))}" if row.reason else ""))
        parts = [head]
        lines = []
        for m in row.lines():
            name = str(m.get("name", ""))
            word = measurement_name(name)
            value = value_with_unit(m) if "value" in m else "–"
            unit = str(m.get("unit", ""))
            if "value" in m and unit in ("bool", "ratio") and unit_text(unit):
                value += f" ({unit_text(unit)})"
            verdict = str(m.get("verdict") or "")
            v_html = (f"<b style='color:{VERDICT_COLORS.get(verdict, '#000000')}'>"
                      f"{escape(verdict_word(verdict))}</b>") if verdict else ""
            values = m.get("values")
            extra = (f"<br/><span style='color:#5f6b73'>{escape(value_text(values))}</span>"
                     if isinstance(values, list) and len(values) > 1 else "")
            note = f" {escape(str(m['note']))}" if m.get("note") else ""
            lines.append(f"<tr><td>{escape(word)}</td><td>{NBSP}{escape(value)}{extra}</td>"
                         f"<td>{NBSP}{escape(self.tr('limits'))} "
                         f"{escape(limits_text(str(m.get('limits_text', ''))) or '–')}</td>"
                         f"<td>{NBSP}{v_html}{note}</td></tr>")
        html = "<br/>".join(parts)
        if lines:          # a table starts its own line
            html += "<table cellspacing='0' cellpadding='1'>" + "".join(lines) + "</table>"
        parts = [html]
        if row.ai:
            ai = row.ai
            bits = [" · ".join(ai_lines(ai))]
            if ai.get("reason"):
                bits.append(reason_text(str(ai["reason"])))
            parts.append(f"{escape(self.tr('AI'))}: " + escape(" · ".join(bits)))
        return "<br/>".join(parts)

    def retranslate_ui(self) -> None:
        self.label.setText(self.html())

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
