"""The review's physics box says what its numbers count (measurements *outside their
limits*, artifact checks and findings) and names measurements as people do."""
from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtWidgets import QApplication

from app.ui import i18n
from station_plugins.image_review.ui_verdicts import PhysicsView

HANDOFF = {"verdict": "PASS", "failed": [],               # what CT QC hands over
           "artifacts": [{"type": "ring", "verdict": "PASS", "amplitude_hu": 0.4},
                         {"type": "streak", "verdict": "PASS", "amplitude_hu": None}]}


def _rows(view: PhysicsView) -> list[tuple[str, str]]:
    m = view.table.model()
    return [(m.index(r, 0).data(), m.index(r, 2).data()) for r in range(m.rowCount())]


def test_nothing_outside_limits_is_said_so(qtbot):
    view = PhysicsView()
    qtbot.addWidget(view)
    view.set_item(SimpleNamespace(physics=HANDOFF))
    lines = view.summary_label.text().splitlines()
    assert lines[0] == "Measurements outside their limits: 0"
    assert lines[1] == "Artifact checks: 2, with a finding: 0"
    assert "Measurements: 0" not in view.summary_label.text()
    assert _rows(view) == [("Ring artifact", "PASS"), ("Streak artifact", "PASS")]


def test_failed_and_full_lists_with_human_names(qtbot):
    view = PhysicsView()
    qtbot.addWidget(view)
    view.set_item(SimpleNamespace(physics={**HANDOFF, "verdict": "FAIL",
                                           "failed": ["mtf.mtf10"]}))
    assert view.summary_label.text().splitlines()[0] == "Measurements outside their limits: 1"
    assert ("MTF, 10 %", "FAIL") in _rows(view)
    full = {"verdict": "WARN", "artifacts": [],
            "measurements": [{"key": "noise.sd", "value": 6.1, "unit": "HU", "verdict": "WARN"},
                             {"key": "ct_number.water", "value": 1.0, "unit": "HU",
                              "verdict": "PASS"},
                             {"key": "uniformity.max_edge_dev", "value": 2.0, "unit": "HU",
                              "verdict": "PASS"}]}
    view.set_item(SimpleNamespace(physics=full))
    assert view.summary_label.text().splitlines()[0] == \
        "Measurements outside their limits: 1 of 3"
    assert _rows(view) == [("Noise, standard deviation", "WARN")]


def test_physics_box_in_chinese(qtbot):
    app = QApplication.instance()
    view = PhysicsView()
    qtbot.addWidget(view)
    view.set_item(SimpleNamespace(physics={**HANDOFF, "failed": ["mtf.mtf10"]}))
    i18n.set_language(app, "zh_CN")
    try:
        lines = view.summary_label.text().splitlines()
        assert lines[:2] == ["超出限值的测量项：1 项", "伪影检查：2 项，有发现：0 项"]
        names = [r[0] for r in _rows(view)]
        assert names == ["环形伪影", "条纹伪影", "MTF（10 %）"]
    finally:
        i18n.set_language(app, "en")
