"""Sequence format 2: the plant's Chinese step titles and prompts (issue 17), validated,
shown in the console and written into the record when the language is zh_CN."""
from __future__ import annotations

import base64
import re
import textwrap
import zlib

import pytest

from station_plugins.tunnel_test.sequence_loader import (FORMAT, FORMAT_1, SequenceError,
                                                         load_sequence, parse_sequence)

from .conftest import USER_PW

ZH_SEQ = """\
format: pharos.tunnel.sequence/2
id: zh-mini
version: "1.0"
status: released
title: Mini
title_zh: 迷你测试
safe_state:
  - {driver: generator.beam_off}
groups:
  - key: inspection
    title: Visual inspection
    title_zh: 外观检查
    steps:
      - key: inspection.labels
        title: "Visual inspection: labels"
        title_zh: 外观检查：标签
        prompt:
          text: Are all labels present?
          text_zh: 所有标签是否齐全？
          choices: ['Yes', 'No']
          choices_zh: [是, 否]
          pass_choices: ['Yes']
  - key: xray
    title: X-ray
    steps:
      - key: xray.kv80
        title: kV accuracy 80 kV
        title_zh: 管电压准确度 80 kV
        action: {driver: generator.expose, args: {kv: 80, ma: 10, ms: 100}}
        measurements:
          - {name: kv, from: kv_measured, unit: kV, limits: {nominal: 80, tolerance_pct: 5}}
      - key: safety.pe
        title: Protective earth frame
        action: {driver: safety.earth_resistance, args: {point: frame}}
        measurements:
          - {name: resistance, unit: ohm, limits: {high: 200, unit: mohm}}
"""


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_format_2_parses_the_chinese_texts_and_falls_back_to_english():
    seq = parse_sequence(ZH_SEQ)
    assert seq.format == FORMAT and seq.title_for("zh_CN") == "迷你测试"
    labels, kv, pe = seq.main_steps()
    assert labels.title_for("zh_CN") == "外观检查：标签" and labels.title_for("en") == \
        "Visual inspection: labels"
    assert labels.prompt.text_for("zh_CN") == "所有标签是否齐全？"
    assert labels.prompt.labels_for("zh_CN") == ("是", "否")
    assert labels.prompt.choices == ("Yes", "No")              # the answer stays the choice
    assert kv.title_for("zh_CN") == "管电压准确度 80 kV"
    assert pe.title_zh == "" and pe.title_for("zh_CN") == "Protective earth frame"
    assert seq.groups[1].title_for("zh_CN") == "X-ray"         # no title_zh: English


@pytest.mark.parametrize("edit, needle, reason", [
    (lambda t: t.replace(FORMAT, FORMAT_1), "title_zh: 迷你测试",
     f"'title_zh' needs 'format: {FORMAT}'"),
    (lambda t: t.replace("[是, 否]", "[是]"), "choices_zh", "one label per choice (2), got 1"),
    (lambda t: t.replace("title_zh: 外观检查：标签", "title_zh: ''"), "title_zh: ''",
     "'title_zh' must be one line of text"),
    (lambda t: t.replace("title_zh: 管电压准确度 80 kV", "title_zh: [a]"), "title_zh: [a]",
     "'title_zh' must be one line of text"),
    (lambda t: t.replace(FORMAT, "pharos.tunnel.sequence/9"), "format:",
     "'format' must be"),
    (lambda t: t.replace("text_zh: 所有标签是否齐全？", "texte_zh: x"), "texte_zh",
     "unknown key 'texte_zh'"),
])
def test_bad_chinese_fields_are_rejected_with_file_and_line(tmp_path, edit, needle, reason):
    text = edit(ZH_SEQ)
    p = tmp_path / "zh.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SequenceError) as ei:
        load_sequence(p)
    assert ei.value.line == _line(text, needle) and reason in ei.value.reason
    assert f"{p}:{ei.value.line}:" in ei.value.message


def test_format_1_files_still_load_unchanged(mini_seq):
    seq = load_sequence(mini_seq)
    assert seq.format == FORMAT_1 and all(not s.title_zh for s in seq.all_steps())
    assert seq.main_steps()[0].title_for("zh_CN") == seq.main_steps()[0].title


def test_shipped_sequence_speaks_the_plants_words():
    from station_plugins.tunnel_test.drivers import known_driver_names
    from station_plugins.tunnel_test.plugin import DEFAULT_SEQUENCE

    seq = load_sequence(DEFAULT_SEQUENCE, known_drivers=known_driver_names())
    assert seq.format == FORMAT and seq.status == "released"
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(s.title_zh) for s in seq.all_steps())
    assert all(cjk.search(g.title_zh) for g in seq.groups)
    assert {g.title_zh for g in seq.groups} >= {"机械运动", "电气安全", "外观检查"}
    assert "手术机" in seq.title_zh
    prompts = [s.prompt for s in seq.all_steps() if s.prompt is not None]
    assert prompts and all(p.text_zh and p.choices_zh == ("是", "否") for p in prompts)


def _pdf_strings(path) -> str:
    """The text drawn in a PDF, CID (UTF-16) strings decoded: pdftotext needs a
    language pack for the Adobe-GB1 font that PDF readers all have."""
    data = path.read_bytes()
    out = []
    for m in re.finditer(rb"<<([^>]*?)>>\s*stream\r?\n(.*?)endstream", data, re.S):
        head, body = m.group(1), m.group(2)
        # the stream is /Length bytes long: a compressed stream may end in a whitespace
        # byte, which strip() took away now and then (a truncated zlib stream)
        n = re.search(rb"/Length\s+(\d+)", head)
        body = body[:int(n.group(1))] if n else body.strip()
        if b"ASCII85" in head:
            body = base64.a85decode(body.rstrip(b"~>").strip())
        if b"Flate" in head:
            body = zlib.decompress(body)
        for s in re.findall(rb"\((?:\\.|[^\\)])*\)", body, re.S):
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda e: bytes([int(e.group(1), 8)])
                         if e.group(1)[:1].isdigit() else e.group(1), s[1:-1])
            out.append(raw.decode("latin-1"))
            if len(raw) % 2 == 0:
                try:
                    out.append(raw.decode("utf-16-be"))
                except UnicodeDecodeError:
                    pass
    return "\n".join(out)


@pytest.fixture
def zh_station(ws, tmp_path):
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    path = tmp_path / "zh.yaml"
    path.write_text(textwrap.dedent(ZH_SEQ), encoding="utf-8")
    ws.session.login(ws.auth.authenticate("op1", USER_PW))
    ctx = ws.context_for("tunnel_test")
    ctx.settings.update(sequence=str(path), endpoint="local")   # simulated C-arm in the runner
    st = TunnelTestStation(ctx)
    yield st
    st.shutdown()


@pytest.mark.slow
def test_console_and_record_in_chinese(qtbot, zh_station, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n
    from station_plugins.tunnel_test.record_pdf import write_record_pdf

    panel = zh_station.create_panel()
    qtbot.addWidget(panel)
    panel.show()
    app = QApplication.instance()
    try:
        i18n.set_language(app, "zh_CN")
        panel.serial.setText("CA-ZH-7")
        panel.start_run()
        qtbot.waitUntil(panel.prompt.isVisible, timeout=60000)
        assert panel.prompt.text.text() == "所有标签是否齐全？"
        buttons = [panel.prompt.buttons.itemAt(i).widget()
                   for i in range(panel.prompt.buttons.count())]
        assert [b.text() for b in buttons] == ["是", "否"]
        assert panel.current.text() == "inspection.labels: 外观检查：标签"
        table = panel.items.steps
        assert [table.cell(r, 0) for r in range(3)] == [
            "外观检查：标签", "管电压准确度 80 kV", "Protective earth frame"]
        assert table.headerData(0, Qt.Orientation.Horizontal) == "步骤"
        buttons[0].click()                                   # 是 = the choice "Yes"
        qtbot.waitUntil(lambda: panel.banner.state == "PASS", timeout=60000)
        qtbot.waitUntil(lambda: panel.last_run.get("row") is not None, timeout=30000)
        i18n.set_language(app, "en")                         # live switch back
        assert table.cell(0, 0) == "Visual inspection: labels"
        assert panel.current.text().endswith(": Protective earth frame")
    finally:
        i18n.set_language(app, "en")
    record = panel.last_run["row"].payload
    steps = {s["key"]: s for s in record["steps"]}
    assert steps["xray.kv80"]["title_zh"] == "管电压准确度 80 kV"
    assert steps["safety.pe"]["title_zh"] == ""
    prompt = steps["inspection.labels"]["prompts"]
    assert prompt[0]["text_zh"] == "所有标签是否齐全？" and prompt[1]["choice"] == "Yes"
    zh = _pdf_strings(write_record_pdf(record, tmp_path / "zh.pdf", language="zh_CN"))
    en = _pdf_strings(write_record_pdf(record, tmp_path / "en.pdf"))
    assert "管电压准确度 80 kV" in zh and "kV accuracy 80 kV" in zh     # both, zh first
    assert "外观检查：标签" in zh and "Protective earth frame" in zh
    assert "管电压准确度" not in en and "kV accuracy 80 kV" in en
