"""A switch to Chinese leaves no English behind: the real workstation, every station, used
in English first (a CT QC analysis, a tunnel run to its committed record, a detector
selection hint), then switched live; every visible text, and the
status lights' tooltips, must read in Chinese (tests/ui/zh_walk.py's rule). A message
kept as a finished string stayed in the language it was written in (session 28: the
tunnel console's "Record ... committed; release: blocked")."""
from __future__ import annotations

import pytest

from app.core.roles import ALL_ROLES
from tests.ui.conftest import add_user
from tests.ui.zh_walk import CJK, find_untranslated, untranslated, visible_texts

LANGUAGE_NAMES = {"简体中文", "中文", "中文（简体）"}    # a language named in its own words


@pytest.fixture(scope="module")
def workstation(tmp_path_factory):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=tmp_path_factory.mktemp("switch-data"),
                         admin_password="Adm1n-secret-pw")
    yield w
    w.close()


@pytest.mark.slow
def test_nothing_stays_english_after_a_switch_to_chinese(qtbot, workstation, ini_settings):
    from app.gui import build_window

    ws = workstation
    ws.session.login(add_user(ws, "allroles", *ALL_ROLES, password="Every-role-123"))
    window = build_window(ws, language="en", settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    host = window.host
    try:
        panels = {}
        for entry in host.entries:
            panels[entry.id] = host.open_station(entry.id)
            qtbot.waitUntil(lambda: getattr(panels[entry.id], "build_done", True))
        ct = host.open_station("ct_qc")
        ct.simulate_series()
        qtbot.waitUntil(lambda: ct._result is not None and not ct.is_busy(), timeout=240000)
        tunnel = host.open_station("tunnel_test")
        tunnel.serial.setText("CA-SWITCH-1")
        tunnel.start_run()

        def recorded() -> bool:
            if tunnel.prompt.isVisible():
                b = tunnel.prompt.buttons.itemAt(0).widget()
                if b is not None:
                    b.click()
            return "Record" in tunnel.message.text()
        qtbot.waitUntil(recorded, timeout=240000)
        dm = host.open_station("detector_matching")
        dm.swap_selected()                         # nothing selected: a hint on its bar
        assert dm.message_bar.text() == "Select two slots on the arc to swap."

        window.set_language("zh_CN")
        switcher = window.language_switcher
        qtbot.waitUntil(lambda: not switcher.busy(), timeout=60000)
        problems: list[str] = []
        for entry in host.entries:
            shown = host.open_station(entry.id)
            qtbot.waitUntil(lambda: getattr(shown, "build_done", True))
            problems += [f"[{entry.id}] {p}" for p in
                         find_untranslated(window, frozenset({"allroles"}))
                         if p.split(": ", 1)[1].strip("'") not in {"Allroles", "English"}]
        for name, light in window.status_lights._lights.items():
            for line in light.toolTip().split("\n")[:-1]:      # the last: its time stamp
                if untranslated(line):
                    problems.append(f"[status light {name}] {line!r}")
        assert not problems, f"{len(problems)} English texts after the switch:\n" + \
            "\n".join(sorted(set(problems)))

        # and back: what was said in Chinese reads in English after the switch back
        dm = host.open_station("detector_matching")
        dm.swap_selected()
        assert dm.message_bar.text() == "请在弧上选择两个槽位进行交换。"
        window.set_language("en")
        qtbot.waitUntil(lambda: not switcher.busy(), timeout=60000)
        left: list[str] = []
        for entry in host.entries:
            shown = host.open_station(entry.id)
            qtbot.waitUntil(lambda: getattr(shown, "build_done", True))
            left += [f"[{entry.id}] {where}: {text!r}" for where, text in visible_texts(window)
                     if CJK.search(text) and text not in LANGUAGE_NAMES]
        for name, light in window.status_lights._lights.items():
            left += [f"[status light {name}] {line!r}" for line in light.toolTip().split("\n")
                     if CJK.search(line)]
        assert not left, f"{len(left)} Chinese texts after the switch back:\n" + \
            "\n".join(sorted(set(left)))
    finally:
        window.set_language("en")
        window.close()
