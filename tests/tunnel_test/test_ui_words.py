"""The step table shows measurement names, units, yes/no values and the sequence list in
the user's language (issue 17: zh_CN measurement names); the record keeps the file's names."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from station_plugins.tunnel_test.sequence_library import SequenceEntry

SHIPPED = Path(__file__).resolve().parents[2] / "station_plugins" / "tunnel_test" / \
    "sequences" / "carm_final.yaml"


@pytest.fixture
def zh(qapp):  # noqa: ANN001, ANN201
    from app.ui import i18n

    i18n.set_language(qapp, "zh_CN")
    yield qapp
    i18n.set_language(qapp, "en")


def _names(node: object, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for m in node.get("measurements") or []:
            out.add(m["name"])
        for v in node.values():
            _names(v, out)
    elif isinstance(node, list):
        for v in node:
            _names(v, out)
    return out


def test_every_measurement_of_the_shipped_sequence_has_a_chinese_name(zh):
    from station_plugins.tunnel_test.ui_words import measurement_name, unit_text
    from tests.ui.zh_walk import untranslated

    doc = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    names = _names(doc, set()) | {"answer"}
    missing = {n: measurement_name(n) for n in names if untranslated(measurement_name(n))}
    assert not missing, missing
    text = SHIPPED.read_text(encoding="utf-8")
    units = {line.split("unit:", 1)[1].split(",")[0].strip(" }'\"") for line in text.splitlines()
             if "unit:" in line}
    assert "bool" in units and "ratio" in units
    assert not [u for u in units if untranslated(unit_text(u))]


def test_step_table_in_chinese_and_back(zh):
    from PySide6.QtCore import Qt

    from app.ui import i18n
    from station_plugins.tunnel_test.ui_step_table import (AI, LIMITS, LINE_COLORS_ROLE,
                                                           MEASUREMENT, STEP, VALUE, VERDICT,
                                                           StepTableModel)

    model = StepTableModel()
    model.retranslate("zh_CN")
    plan = [{"name": "kv", "unit": "kV", "limits_text": "38 .. 42"},
            {"name": "inhibited", "unit": "bool", "limits_text": "= False"}]
    model.load([("xray.kv40", "kV accuracy 40 kV / 1 mA", "管电压准确度 40 kV / 1 mA", plan),
                ("inspection.labels", "Visual inspection: labels", "外观检查：标签")])
    # before the step runs: its planned measurements and limits, one line each, no value
    assert [model.cell(0, c) for c in (MEASUREMENT, VALUE, LIMITS)] == [
        "管电压\n曝光被禁止", "", "38 .. 42\n= 否"]
    for m in ({"name": "kv", "value": 39.8512, "unit": "kV", "limits_text": "38 .. 42",
               "verdict": "PASS"},
              {"name": "inhibited", "value": True, "unit": "bool", "limits_text": "= False",
               "verdict": "FAIL"}):
        model.set_measurement("xray.kv40", m)
    model.set_measurement("inspection.labels", {"name": "answer", "value": "Yes",
                                                "unit": "text", "limits_text": "Yes"})
    model.set_verdict("xray.kv40", "FAIL")
    model.set_ai("xray.kv40", {"verdict": "PASS", "confidence": 0.97, "review": True})
    assert [model.cell(0, c) for c in range(6)] == [
        "管电压准确度 40 kV / 1 mA", "管电压\n曝光被禁止", "39.85 kV\n是", "38 .. 42\n= 否",
        "不合格", "合格 0.97\n待复核"]
    assert [model.cell(1, c) for c in (MEASUREMENT, VALUE, LIMITS)] == ["回答", "是", "是"]
    # the failed measurement's value in its verdict's colour, the passed one plain
    colors = model.data(model.index(0, VALUE), LINE_COLORS_ROLE)
    assert colors[0] is None and colors[1] == "#c62828"
    i18n.set_language(zh, "en")              # a live switch re-words what is shown
    model.retranslate("en")
    assert model.cell(0, MEASUREMENT) == "tube voltage\nexposure inhibited"
    assert model.cell(0, VALUE) == "39.85 kV\nYes"
    assert model.cell(0, LIMITS) == "38 .. 42\n= No"
    assert model.cell(0, VERDICT) == "FAIL"
    assert model.cell(0, AI) == "PASS 0.97\nto review"
    # the file's own names stay visible to the engineer (tooltip) and in the record
    tip = model.data(model.index(0, VALUE), Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[0] == "kv: 39.85 kV"
    assert model.rows[0].measurements[0]["name"] == "kv"
    tip = model.data(model.index(0, STEP), Qt.ItemDataRole.ToolTipRole)
    assert tip == "xray.kv40\nkV accuracy 40 kV / 1 mA"      # the key, the released title


def test_sequence_chooser_words(zh, qtbot):
    from station_plugins.tunnel_test.ui_words import sequence_label

    entry = SequenceEntry("carm-x200-final", "3.2.0", "released", "/x.yaml", "shipped")
    assert sequence_label(entry) == "carm-x200-final v3.2.0 (已发布, 随软件提供)"


def test_recent_units_in_chinese(zh, qtbot):
    from station_plugins.tunnel_test.ui_runs import RecentUnits

    recent = RecentUnits()
    qtbot.addWidget(recent)
    recent.show_runs([
        {"serial": "CA-1", "disposition": "PASS", "status": "done",
         "started_utc": "2026-12-05T10:17:01.123Z", "run_id": "r1"},
        {"serial": "CA-2", "disposition": "ABORTED", "status": "aborted",
         "started_utc": "2026-12-05T10:18:01Z", "run_id": "r2"},
        {"serial": "CA-3", "disposition": None, "status": "running",
         "started_utc": "2026-12-05T10:19:01Z", "run_id": "r3"}])
    from station_plugins.tunnel_test.ui_runs import started_text

    when = [started_text(t) for t in ("2026-12-05T10:17:01.123Z", "2026-12-05T10:18:01Z",
                                      "2026-12-05T10:19:01Z")]
    assert [recent.item(i).text() for i in range(3)] == [
        f"CA-1  合格  {when[0]}", f"CA-2  已中止  {when[1]}", f"CA-3  运行中  {when[2]}"]
    # the whole start time (UTC) and the run are in the tooltip
    assert "2026-12-05 10:17:01 UTC" in recent.item(0).toolTip() and \
        "r1" in recent.item(0).toolTip()


def test_started_text_is_short_and_local():
    from datetime import datetime, timezone

    from station_plugins.tunnel_test.ui_runs import started_text

    utc = "2026-12-05T10:17:01.123Z"
    local = datetime(2026, 12, 5, 10, 17, 1, tzinfo=timezone.utc).astimezone()
    assert started_text(utc, now=local) == local.strftime("%H:%M")          # today
    assert started_text(utc, now=local.replace(day=28)) == local.strftime("%m-%d %H:%M")
    assert started_text(utc, now=local.replace(year=2027)) == local.strftime("%Y-%m-%d")
