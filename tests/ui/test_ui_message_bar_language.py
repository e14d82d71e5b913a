"""The message bar renders a shown message again when the language switches."""
from __future__ import annotations

from widgets.message_bar import MessageBar


def test_an_unexpected_error_on_the_bar_switches_language_and_back(qtbot, qapp):
    from app.ui import i18n

    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.show_error(ValueError("bad value"))
    assert bar.text() == "Unexpected error: ValueError: bad value"
    assert bar.remedy_label.text() == "What to do: Report this with the log file."
    i18n.set_language(qapp, "zh_CN")
    assert bar.text() == "意外错误：ValueError: bad value"
    assert not bar.remedy_label.text().startswith("What to do")
    i18n.set_language(qapp, "en")
    assert bar.text() == "Unexpected error: ValueError: bad value"
    assert bar.remedy_label.text() == "What to do: Report this with the log file."


def test_a_plain_text_stays_as_given_and_clear_forgets_the_message(qtbot, qapp):
    from app.ui import i18n

    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.show_message("as recorded", level="info")
    i18n.set_language(qapp, "zh_CN")
    assert bar.text() == "as recorded"
    bar.show_message(lambda: bar.tr("Unexpected error: %1").replace("%1", "x"))
    bar.clear()
    i18n.set_language(qapp, "en")
    assert bar.text() == "" and bar.isHidden()
