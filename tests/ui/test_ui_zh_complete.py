"""zh_CN complete: every text the user sees in Chinese is Chinese (units, ids, numbers,
standard abbreviations allowed: tests/ui/zh_walk.py). The real workstation, every
station, in the real MainWindow; the states the tests reach (results shown, prompt)."""
from __future__ import annotations

import pytest

from app.core.roles import ALL_ROLES
from tests.ui.conftest import add_user
from tests.ui.zh_walk import find_untranslated, untranslated


def test_the_rule_itself():
    assert untranslated("Start")
    assert untranslated("开始 Release the unit now")
    assert not untranslated("开始")
    assert not untranslated("CT-SIM-0001")
    assert not untranslated("120 kV, 200 mA")
    assert not untranslated("MTF 50 % 0.42 lp/mm")
    assert not untranslated("图像 noise.sd")
    assert untranslated("PASS") and untranslated("ERROR") and not untranslated("合格")
    assert not untranslated("motion.lift.range")            # a step key, however deep
    assert untranslated("均匀性（top）") and untranslated("AI uncertain · 已送影像复核")
    assert not untranslated("Liwei (liwei) · 主管", frozenset({"liwei"}))
    assert not untranslated("AI 检查：ct_phantom_classifier 2.0.0")     # a model id


@pytest.fixture(scope="module")
def workstation(tmp_path_factory):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=tmp_path_factory.mktemp("zh-data"),
                         admin_password="Adm1n-secret-pw")
    yield w
    w.close()


def test_every_visible_text_is_chinese(qtbot, workstation, ini_settings):
    from app.gui import build_window

    ws = workstation
    ws.session.login(add_user(ws, "allroles", *ALL_ROLES, password="Every-role-123"))
    window = build_window(ws, language="zh_CN", settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    problems: list[str] = []
    data = {"Allroles", "English"}     # the user's own name; a language in its own words

    def walk(station: str) -> list[str]:
        return [p for p in find_untranslated(window, frozenset({"allroles"}))
                if p.split(": ", 1)[1].strip("'") not in data]

    try:
        problems += [f"[shell] {p}" for p in walk("shell")]
        for entry in window.host.entries:
            panel = window.host.open_station(entry.id)
            qtbot.waitUntil(lambda: getattr(panel, "build_done", True))   # built in slices
            qtbot.wait(50)
            # reach the states with results: a CT QC analysis, a tunnel run
            if entry.id == "ct_qc":
                panel.simulate_series()
                qtbot.waitUntil(lambda: panel._result is not None and not panel.is_busy(),
                                timeout=240000)
            if entry.id == "tunnel_test":
                panel.serial.setText("CA-ZH-1")
                panel.start_run()

                def finished() -> bool:
                    if panel.prompt.isVisible():
                        b = panel.prompt.buttons.itemAt(0).widget()
                        if b is not None:
                            b.click()
                    return panel.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED")
                qtbot.waitUntil(finished, timeout=240000)
            tabs = panel.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QTabWidget)
            seen: set[str] = set()
            for tab in [None, *tabs]:
                for i in range(tab.count() if tab is not None else 1):
                    if tab is not None:
                        tab.setCurrentIndex(i)
                        qtbot.wait(10)
                    for p in walk(entry.id):
                        if p not in seen:
                            seen.add(p)
                            problems.append(f"[{entry.id}] {p}")
    finally:
        window.close()
    assert not problems, f"{len(problems)} untranslated texts:\n" + "\n".join(problems)
