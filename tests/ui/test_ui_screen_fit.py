"""Every station fits 1366x768 and 1920x1080; the window never grows by itself.

The real workstation (every station, demo mode, real services on a fresh data folder) in
the real MainWindow. For each screen size and language, every station is opened in turn
and put in the states the tests can reach (operator prompt, safety banner, hold/error
messages); every primary control that is shown must lie inside the window and inside the
visible part of the station area (no scrolling needed), every shown tab title is whole
(not elided, no scroll arrows), and the window keeps its size. Checked from widget geometry.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QTabBar, QWidget

from app.core.roles import ALL_ROLES
from app.runtime.notifier import Notice
from tests.ui.conftest import add_user

PRIMARY = {
    "ct_qc": ["ct_qc_analyse", "ct_qc_report", "ct_qc_set_baseline", "ct_qc_archive",
              "ct_qc_receive", "ct_qc_import", "ct_qc_simulate", "ct_qc_messages",
              "ct_qc_hold_banner", "ct_qc_demo_scanner"],
    "detector_matching": ["optimise_button", "approve_button", "import_button",
                          "lock_button", "send_to_mes_button"],
    "tunnel_test": ["tunnel_serial", "tunnel_start", "tunnel_abort", "tunnel_release",
                    "tunnel_state_banner", "tunnel_prompt_box", "tunnel_prompt_choice_yes",
                    "tunnel_prompt_choice_no"],
    "image_review": ["review_approve", "review_reject", "review_assign", "review_decision"],
    "lead_room": ["leadroom_tabs", "leadroom_safety_banner"],
}
SHELL = ["station_launcher", "safety_banner", "main_message_bar", "status_user"]
# controls that are useless when squeezed: their least usable width in px
MIN_WIDTH = {"ct_qc_slice_slider": 150}


@pytest.fixture(scope="module")
def workstation(tmp_path_factory):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation

    d = tmp_path_factory.mktemp("fit-data")
    w = Workstation.open(data_dir=d, admin_password="Adm1n-secret-pw")
    yield w
    w.close()


def _inside(widget: QWidget, window: QWidget, viewport: QWidget | None) -> list[str]:
    problems = []
    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    if not window.rect().contains(rect):
        problems.append(f"{widget.objectName()} {rect.getRect()} outside the window "
                        f"{window.rect().getRect()}")
    if viewport is not None and viewport.isAncestorOf(widget):
        vp = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
        if not vp.contains(rect):
            problems.append(f"{widget.objectName()} {rect.getRect()} outside the visible "
                            f"station area {vp.getRect()} (needs scrolling)")
    return problems


def _check(window, station_id: str, state: str) -> list[str]:  # noqa: ANN001
    problems = []
    viewport = window.host.scroll.viewport()
    for name in PRIMARY.get(station_id, []) + SHELL:
        for w in window.findChildren(QWidget, name):
            if w.isVisibleTo(window) and w.isVisible():
                problems += [f"[{station_id}/{state}] {p}" for p in
                             _inside(w, window, viewport)]
    for name, least in MIN_WIDTH.items():
        for w in window.findChildren(QWidget, name):
            if w.isVisible() and w.width() < least:
                problems.append(f"[{station_id}/{state}] {name} squeezed to {w.width()} px")
    return problems


def _tabs_cut(window, station_id: str, state: str) -> list[str]:  # noqa: ANN001
    """Every shown tab title whole and inside its bar (no eliding, no scroll arrows)."""
    problems = []
    for bar in window.findChildren(QTabBar):
        if not bar.isVisible():
            continue
        for i in range(bar.count()):
            r, text = bar.tabRect(i), bar.tabText(i).replace("&", "")
            if not bar.rect().contains(r) or \
                    r.width() < bar.fontMetrics().horizontalAdvance(text):
                problems.append(f"[{station_id}/{state}] tab {text!r} of "
                                f"{bar.parentWidget().objectName()} cut: {r.getRect()} in "
                                f"{bar.rect().getRect()}")
    return problems


def _status_cut(window, station_id: str) -> list[str]:  # noqa: ANN001
    """The status bar's lights read whole (a long role list pushed them out, issue 17)."""
    from PySide6.QtWidgets import QLabel

    return [f"[{station_id}] status text {w.text()!r} cut: {w.width()} < "
            f"{w.sizeHint().width()}" for w in window.statusBar().findChildren(QLabel)
            if w.objectName().startswith("status_text_") and w.isVisible()
            and w.width() < w.sizeHint().width()]


def _settle(qtbot, window) -> None:  # noqa: ANN001
    """Until the layouts have settled: a shown banner or message re-lays the window out
    over several event-loop turns, more of them on a busy machine (30 ms once measured a
    half-done layout under load). The check reads geometry, so it waits until the
    geometry has not changed for 150 ms of polls (two polls in a row were once a half-done
    layout in a full run beside other work: a pass between them had not run yet)."""
    import time

    last: list = [None, time.monotonic()]

    def settled() -> bool:
        now = [(w.objectName(), w.isVisible(), w.geometry().getRect())
               for w in window.findChildren(QWidget) if w.objectName()]
        if now != last[0]:
            last[0], last[1] = now, time.monotonic()
            return False
        return time.monotonic() - last[1] >= 0.15
    qtbot.waitUntil(settled, timeout=8000)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_station_fits_and_the_window_never_grows(qtbot, workstation, ini_settings,
                                                       size, language):
    from app.gui import build_window

    ws = workstation
    user = ws.auth.get("allroles") or add_user(ws, "allroles", *ALL_ROLES,
                                               password="Every-role-123")
    ws.session.login(user)
    window = build_window(ws, language=language, settings=ini_settings)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    problems: list[str] = []
    seen = []
    try:
        for entry in window.host.entries:
            panel = window.host.open_station(entry.id)
            qtbot.waitUntil(lambda: getattr(panel, "build_done", True))   # built in slices
            _settle(qtbot, window)
            seen.append(entry.id)
            problems += _check(window, entry.id, "opened")
            problems += _tabs_cut(window, entry.id, "opened")
            problems += _status_cut(window, entry.id)
            # states the tests reach: an operator prompt, a safety notice, messages
            if entry.id == "tunnel_test":
                panel.prompt.ask("Is the collimator closed and the room empty? "
                                 "Confirm before the beam is switched on.", ["yes", "no"])
                _settle(qtbot, window)
                problems += _check(window, entry.id, "prompt")
                panel.prompt.hide()
            if entry.id == "ct_qc":
                panel.messages.show_message("Series incomplete: 119 of 120 slices received; "
                                            "the last slice never arrived from the scanner.",
                                            remedy="Send the series again.", code="PH-INPUT")
                _settle(qtbot, window)
                problems += _check(window, entry.id, "message")
                panel.messages.clear()
            ws.notifier.notify(Notice("safety", "Lead room 3: door interlock open while "
                                      "the X-ray tube is on", code="LR3-DOOR",
                                      source="lead_room"))
            window.message_bar.show_message("MES message queued; it is sent when the line "
                                            "is back.", level="info")
            _settle(qtbot, window)
            problems += _check(window, entry.id, "safety banner")
            ws.notifier.notify(Notice("safety_cleared", "", code="LR3-DOOR",
                                      source="lead_room"))
            window.message_bar.clear()
            assert (window.width(), window.height()) == size, \
                f"the window grew to {window.width()}x{window.height()} on {entry.id}"
    finally:
        window.close()
    assert len(seen) == 5, seen
    assert not problems, "\n".join(problems)
