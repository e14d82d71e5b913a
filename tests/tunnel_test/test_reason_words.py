"""The console shows the engine's reasons (step ERROR, AI not counted, run stopped) in the
user's language; the journal and the record keep the English as written."""
from __future__ import annotations

import re

import pytest

from app.core.measurement import Verdict
from station_plugins.tunnel_test.ai_step import judge
from station_plugins.tunnel_test.execution import CallTimeout, CallWorker
from station_plugins.tunnel_test.sequence_model import AiSpec
from station_plugins.tunnel_test.ui_reason_words import PATTERNS, reason_text


@pytest.fixture
def zh(qapp):  # noqa: ANN001, ANN201
    from app.ui import i18n

    i18n.set_language(qapp, "zh_CN")
    yield qapp
    i18n.set_language(qapp, "en")


def test_nested_reasons_are_put_in_words_layer_by_layer_and_keep_what_they_carry(zh):
    said = reason_text("condition: PH-TT-TIMEOUT: read('kv') did not answer within 5 s")
    assert said == "条件：PH-TT-TIMEOUT：read('kv') 在 5 秒内无应答"
    assert reason_text("confidence 0.62 < 0.80") == "置信度 0.62 < 0.80"
    assert reason_text("group 'xray' condition: precondition: door open") == \
        "组“xray”的条件：前置条件：door open"


def test_a_reason_no_pattern_knows_is_shown_as_written(zh):
    assert reason_text("TypeError: bad operand") == "TypeError: bad operand"
    assert reason_text("") == ""


def test_english_shows_the_record_text(qapp):
    r = "condition: PH-TT-TIMEOUT: read('kv') did not answer within 5 s"
    assert reason_text(r) == r


def test_every_template_has_a_chinese_text(zh):
    from PySide6.QtCore import QCoreApplication

    for _pattern, template, _nested in PATTERNS:
        words = QCoreApplication.translate("TunnelReasons", template)
        assert words != template or template == "%1: %2", template
        assert sorted(re.findall(r"%\d", words)) == sorted(re.findall(r"%\d", template))


def test_the_engines_own_reasons_match_a_pattern(zh):
    """The reasons are the engine's, not copies: a timeout of the call worker and the AI
    policy's texts, as they are journalled."""
    import threading

    release = threading.Event()
    with pytest.raises(CallTimeout) as exc:
        CallWorker().call(lambda: release.wait(5.0), 0.05, "read('kv')")
    release.set()                       # the abandoned worker thread ends
    recorded = f"{exc.value.code}: {exc.value.message}"
    assert reason_text(recorded) != recorded and "秒内无应答" in reason_text(recorded)
    ai = judge(AiSpec(onnx="missing_model", source="image"), {}, None,
               engineering=Verdict.PASS)
    assert reason_text(ai["reason"]) == "模型“missing_model”不可用"


def test_the_detail_pane_and_the_verdict_tooltip_show_the_reason_in_chinese(zh, qtbot):
    from station_plugins.tunnel_test.ui_step_detail import StepDetail
    from station_plugins.tunnel_test.ui_step_table import AI, VERDICT, StepRow, StepTableModel

    reason = "PH-TT-TIMEOUT: read('kv') did not answer within 5 s"
    row = StepRow(key="xray.kv", title="Tube voltage", verdict="ERROR", reason=reason,
                  ai={"verdict": "ERROR", "reason": "no answer within 2.0 s"})
    pane = StepDetail()
    qtbot.addWidget(pane)
    pane.show_step(row, "管电压")
    html = pane.html()
    assert "在 5 秒内无应答" in html and "2.0 秒内无结果" in html
    assert "did not answer" not in html
    model = StepTableModel()
    assert "在 5 秒内无应答" in model.tooltip(row, VERDICT)
    assert "2.0 秒内无结果" in model.tooltip(row, AI)
