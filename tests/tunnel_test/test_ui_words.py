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
    from app.ui import i18n
    from station_plugins.tunnel_test.ui_step_table import StepTableModel

    model = StepTableModel()
    model.retranslate("zh_CN")
    model.load([("xray.kv40", "kV accuracy 40 kV / 1 mA", "管电压准确度 40 kV / 1 mA"),
                ("inspection.labels", "Visual inspection: labels", "外观检查：标签")])
    for m in ({"name": "kv", "value": 39.8512, "unit": "kV", "limits_text": "38 .. 42"},
              {"name": "inhibited", "value": False, "unit": "bool", "limits_text": "= False"}):
        model.set_measurement("xray.kv40", m)
    model.set_measurement("inspection.labels", {"name": "answer", "value": "Yes",
                                                "unit": "text", "limits_text": "Yes"})
    model.set_ai("xray.kv40", {"verdict": "PASS", "confidence": 0.97, "review": True})
    assert [model.cell(0, c) for c in range(1, 5)] == [
        "管电压准确度 40 kV / 1 mA", "管电压=39.85; 曝光被禁止=否", "kV; 是/否", "38 .. 42; = 否"]
    assert [model.cell(1, c) for c in range(2, 5)] == ["回答=是", "", "是"]
    assert model.cell(0, 6) == "合格 0.97 待复核"
    i18n.set_language(zh, "en")              # a live switch re-words what is shown
    model.retranslate("en")
    assert model.cell(0, 2) == "tube voltage=39.85; exposure inhibited=No"
    assert model.cell(0, 4) == "38 .. 42; = No"
    assert model.cell(0, 6) == "PASS 0.97 to review"
    # the file's own names stay visible to the engineer (tooltip) and in the record
    from PySide6.QtCore import Qt
    tip = model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[0].startswith("kv: tube voltage=39.85")
    assert model.rows[0].measurements[0]["name"] == "kv"
    # the columns the 1366x768 console elides ("yes/…", "= Yes; = Ye…") say it whole
    for col, whole in ((0, "xray.kv40"), (3, "kV; yes/no"), (4, "38 .. 42; = No")):
        assert model.data(model.index(0, col), Qt.ItemDataRole.ToolTipRole) == whole


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
    assert [recent.item(i).text() for i in range(3)] == [
        "CA-1  合格  2026-12-05 10:17:01", "CA-2  已中止  2026-12-05 10:18:01",
        "CA-3  运行中  2026-12-05 10:19:01"]
