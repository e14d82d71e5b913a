"""The sequence chooser's closed box says which version is chosen - name and version, and
the status of a version that is no intact release - whole, in English and Chinese, at a
width the 1366 px top bar has room for; the list and the tooltip keep the whole label
(status, source, problem). The box showed the whole label cut at its 220 px ('carm-x200-
final v3.2.0 (re', in Chinese '... (已发'): a longer name lost the version, and a draft
read like the release; only the tooltip (hovering) had it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from station_plugins.tunnel_test.sequence_library import SequenceEntry  # noqa: E402
from tests.ui.conftest import _themed_english, settle_layout  # noqa: E402,F401

SHIPPED = SequenceEntry("carm-x200-final", "3.2.0", "released", "/s/carm_final.yaml", "shipped")
DRAFT = SequenceEntry("carm-x200-final", "3.3.0", "draft", "/lib/3.3.0/draft.yaml", "library")
BROKEN = SequenceEntry("carm-x200-final", "3.1.0", "released", "/lib/3.1.0/released.yaml",
                       "library", problem="signature does not match the file")
LONG = SequenceEntry("carm-x200-final-eu-mains-230v-and-usb-service-variant", "12.0.1",
                     "draft", "/lib/long/draft.yaml", "library")
STATUS = {"en": {"draft": "draft", "invalid": "invalid"},
          "zh_CN": {"draft": "草稿", "invalid": "无效"}}
WIDEST = 360          # the box's most in the top bar (Serial, Edit, mode on one row)


def shown(combo) -> tuple[str, int, int]:  # noqa: ANN001
    """(the text the closed box draws, its width, the width of the edit field it is drawn
    in) - what QComboBox's own paint takes from ``initStyleOption``."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    return opt.currentText, combo.fontMetrics().horizontalAdvance(opt.currentText), \
        field.width()


def box_problems(chooser, entries: list, language: str) -> list[str]:  # noqa: ANN001
    from station_plugins.tunnel_test.ui_words import sequence_label

    combo, problems = chooser.combo, []
    if combo.width() > WIDEST:
        problems.append(f"the box is {combo.width()} px wide")
    for i, entry in enumerate(entries):
        combo.setCurrentIndex(i)
        text, need, room = shown(combo)
        status = "" if entry is SHIPPED else \
            STATUS[language]["invalid" if entry.problem else entry.status]
        want = f"{entry.id} v{entry.version}" + (f" ({status})" if status else "")
        if need > room:
            problems.append(f"{want!r}: the box shows {text!r}, cut: {need} > {room}")
        if entry is LONG:          # the middle of the name gives way, the version stays
            if not (text.startswith("carm-x200-final") and text.endswith(want[-16:])
                    and "…" in text):
                problems.append(f"{want!r}: the box shows {text!r}")
        elif text != want:
            problems.append(f"{want!r}: the box shows {text!r}")
        if combo.itemText(i) != sequence_label(entry):     # the list: the whole label
            problems.append(f"list {combo.itemText(i)!r} != {sequence_label(entry)!r}")
        if sequence_label(entry) not in combo.toolTip().splitlines():
            problems.append(f"tooltip {combo.toolTip()!r} lacks {sequence_label(entry)!r}")
    return problems


def at_its_hint(qtbot, chooser) -> None:  # noqa: ANN001
    """The chooser as wide as it asks to be (what the top bar's flow layout gives it),
    after the list or the language changed it."""
    settle_layout(qtbot, chooser)
    chooser.resize(chooser.sizeHint())
    settle_layout(qtbot, chooser)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_box_names_the_chosen_version_whole(qapp, qtbot, language):  # noqa: ANN001
    from app.ui import i18n
    from station_plugins.tunnel_test.ui_panel_sequences import SequenceChooser

    i18n.set_language(qapp, language)
    chooser = SequenceChooser(library=lambda: None, default_path=Path(SHIPPED.path),
                              user=None, can_edit=True, tasks=None)
    qtbot.addWidget(chooser)
    chooser.show()                     # at its size hint: the width the top bar gives it
    qtbot.waitExposed(chooser)
    chooser.show_entries([SHIPPED, DRAFT, BROKEN])
    at_its_hint(qtbot, chooser)
    problems = box_problems(chooser, [SHIPPED, DRAFT, BROKEN], language)
    chooser.show_entries([SHIPPED, DRAFT, BROKEN, LONG])  # a name no box at 1366 px holds
    at_its_hint(qtbot, chooser)
    problems += box_problems(chooser, [SHIPPED, DRAFT, BROKEN, LONG], language)
    other = "en" if language == "zh_CN" else "zh_CN"   # a live switch re-words the box
    i18n.set_language(qapp, other)
    at_its_hint(qtbot, chooser)
    problems += [f"in {other}: {p}" for p in
                 box_problems(chooser, [SHIPPED, DRAFT, BROKEN, LONG], other)]
    assert not problems, "\n".join(problems)
