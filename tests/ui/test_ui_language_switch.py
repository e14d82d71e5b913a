"""The language switch in event-loop turns (app/ui/language_switch.py): the shell and the
station on screen at once, the paint held until the layouts settle, hidden stations
widget by widget in later turns (or at once when one is opened first), a second switch
winning over the first. The real workstation (every station, real services) in the real
MainWindow at 1366 x 768, CT QC with an analysed phantom on screen."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QHeaderView,
                               QLabel, QTabWidget, QWidget)

from app.core.roles import ALL_ROLES
from tests.ui.conftest import add_user

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u3400-\u9fff]")
SIZE = (1366, 768)
OPENED = ("image_review", "tunnel_test", "detector_matching", "ct_qc")


@pytest.fixture(scope="module")
def workstation(tmp_path_factory):  # noqa: ANN001, ANN201
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=tmp_path_factory.mktemp("lang-data"),
                         admin_password="Adm1n-secret-pw")
    yield w
    w.close()


@pytest.fixture
def window(qtbot, workstation, ini_settings):  # noqa: ANN001, ANN201
    """Every station but the lead room opened (built), CT QC on screen with an analysed
    phantom (ROIs, measurement names and plot legends to rename)."""
    from app.gui import build_window

    ws = workstation
    if ws.session.user is None:
        ws.session.login(add_user(ws, "alllang", *ALL_ROLES, password="Every-role-123"))
    win = build_window(ws, language="en", settings=ini_settings)
    qtbot.addWidget(win)
    win.resize(*SIZE)
    win.show()
    qtbot.waitExposed(win)
    for sid in OPENED:
        panel = win.host.open_station(sid)
        qtbot.waitUntil(lambda p=panel: getattr(p, "build_done", True), timeout=20000)
    ct = win.host.page("ct_qc")
    ct.simulate_series()
    qtbot.waitUntil(lambda: not ct.io.running and bool(ct._entries), timeout=120000)
    ct.analyse_current()
    qtbot.waitUntil(lambda: ct._result is not None and not ct.is_busy(), timeout=300000)
    ct.tabs.setCurrentWidget(ct.tabs.plots)          # the legends drawn
    ct.tabs.setCurrentWidget(ct.tabs.table)
    qtbot.wait(100)
    yield win
    if hasattr(win, "language_switcher"):
        win.language_switcher.finish()
    win.close()


def settle(qtbot, win) -> None:  # noqa: ANN001
    switcher = getattr(win, "language_switcher", None)
    if switcher is None:              # (a window that switches in the call)
        qtbot.wait(500)
        return
    qtbot.waitUntil(lambda: not switcher.busy(), timeout=20000)


def texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of what the user sees of ``root`` once it is shown (labels, buttons,
    tabs, combo items, view headers and cells) - also while it is hidden."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if w is not root and not w.isVisibleTo(root):
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, (QLabel, QAbstractButton)) and w.text().strip():
            out.append((name, w.text()))
        if isinstance(w, QTabWidget):
            out += [(f"{name}.tab{i}", w.tabText(i)) for i in range(w.count())]
        if isinstance(w, QComboBox):
            out += [(f"{name}.item{i}", w.itemText(i)) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView) and \
                w.model() is not None:
            m = w.model()
            try:
                columns = m.columnCount()
            except TypeError:
                columns = 1
            out += [(f"{name}.header{c}", str(m.headerData(c, Qt.Orientation.Horizontal)
                                               or ""))
                    for c in range(columns)]
    return [(where, t) for where, t in out if t.strip()]


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


def station_words(win) -> dict[str, list[str]]:  # noqa: ANN001
    """Known texts of every station (the words the tests expect to change)."""
    host = win.host
    ct, review = host.page("ct_qc"), host.page("image_review")
    tunnel, detector = host.page("tunnel_test"), host.page("detector_matching")
    return {
        "shell": [win.file_menu.title(), win.view_menu.title(), win.act_lock.text(),
                  win.host.launcher.item(0).text()],
        "ct_qc": [ct.tabs.tabText(0), ct.tabs.tabText(2), ct.view.module_label.text(),
                  str(ct.tabs.table.model().headerData(0, Qt.Orientation.Horizontal)),
                  str(ct.tabs.table.model().index(0, 0).data())],
        "image_review": [review.queue_view.refresh_button.text(),
                         review.queue_view.date_check.text()],
        "tunnel_test": [tunnel.start_btn.text(), tunnel.bar.serial_label.text()],
        "detector_matching": [detector.optimise_button.text(), detector.import_button.text()],
    }


def roi_labels(win) -> dict[str, str]:  # noqa: ANN001
    viewer = win.host.page("ct_qc").view.viewer
    return {r.id: r.label for r in viewer.rois() if r.label}


def test_switch_shell_and_shown_station_at_once_hidden_ones_after(qtbot, window):
    win, host = window, window.host
    assert host.current_station_id() == "ct_qc"
    english = station_words(win)
    rois_en = roi_labels(win)
    plots = host.page("ct_qc").tabs.plots
    assert "MTF (bead)" in plots.mtf.curve_names()
    graphics_before = set(map(id, host.page("ct_qc").view.viewer._rois.values()))

    win.set_language("zh_CN")
    # in the call: the shell and the station on screen (names, ROI labels, legends)
    words = station_words(win)
    for part in ("shell", "ct_qc"):
        assert all(chinese(t) for t in words[part]), (part, words[part])
    rois_zh = roi_labels(win)
    assert rois_zh.keys() == rois_en.keys() and any(chinese(t) for t in rois_zh.values())
    assert set(map(id, host.page("ct_qc").view.viewer._rois.values())) == graphics_before, \
        "the ROIs were drawn anew instead of renamed"
    assert "MTF (bead)" not in plots.mtf.curve_names()
    assert any(chinese(n) for n in plots.mtf.curve_names())
    # the hidden stations: not in the call (that froze the window) ...
    assert words["image_review"] == english["image_review"]
    assert all(host.language_change_pending(s) for s in OPENED if s != "ct_qc")
    # ... but in the turns after, without being shown (they waited until shown before)
    settle(qtbot, win)
    words = station_words(win)
    for part, got in words.items():
        assert all(chinese(t) for t in got), (part, got)
    assert not any(host.language_change_pending(s) for s in OPENED)
    for sid in ("image_review", "tunnel_test", "detector_matching"):
        page = host.page(sid)
        assert not page.isVisible()
        left = [(w, t) for w, t in texts(page) if t in english[sid]]
        assert not left, (sid, left)
    assert (win.width(), win.height()) == SIZE

    win.set_language("en")
    settle(qtbot, win)
    assert station_words(win) == english
    assert roi_labels(win) == rois_en
    assert "MTF (bead)" in plots.mtf.curve_names()
    for sid in OPENED:
        left = [(w, t) for w, t in texts(host.page(sid)) if chinese(t)]
        assert not left, (sid, left)
    assert (win.width(), win.height()) == SIZE


class _FirstPaint(QObject):
    """Records the texts of a panel when it is first painted."""

    def __init__(self, panel: QWidget, read) -> None:  # noqa: ANN001
        super().__init__(panel)
        self.panel, self.read, self.seen = panel, read, None
        panel.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: ANN001, N802
        if obj is self.panel and event.type() == QEvent.Type.Paint and self.seen is None:
            self.seen = self.read()
        return False


def test_station_opened_before_its_turn_is_in_the_language_when_painted(qtbot, window):
    win, host = window, window.host
    win.set_language("zh_CN")
    # a few turns: the screen settles, hidden panels start (one is part done)
    qtbot.waitUntil(lambda: not win.language_switcher.settling(), timeout=10000)
    qtbot.waitUntil(lambda: host._slicer.part_done() or not win.language_switcher.busy(),
                    timeout=10000)
    assert win.language_switcher.busy()
    late = next(s for s in ("detector_matching", "tunnel_test", "image_review")
                if host.language_change_pending(s))
    page = host.page(late)
    probe = _FirstPaint(page, lambda: [t for _, t in texts(page)])
    assert host.open_station(late) is page
    assert not host.language_change_pending(late)          # all of it before the show
    assert all(chinese(t) for t in station_words(win)[late])
    qtbot.waitUntil(lambda: probe.seen is not None, timeout=5000)
    english = [t for t in probe.seen if t in ("Start", "Serial", "Refresh", "Optimise",
                                              "Import…", "Import pool…", "Created between")]
    assert not english, f"{late} painted with English texts: {english}"
    settle(qtbot, win)
    assert all(chinese(t) for part in station_words(win).values() for t in part)
    host.open_station("ct_qc")


def test_a_second_switch_wins_over_the_first(qtbot, window):
    win, host = window, window.host
    english = station_words(win)
    # at once, no turn between: the first switch's steps must not run
    win.set_language("zh_CN")
    win.set_language("en")
    settle(qtbot, win)
    assert station_words(win) == english
    # mid-way: hidden panels part done in Chinese when English comes
    win.set_language("zh_CN")
    qtbot.waitUntil(lambda: host._slicer.part_done(), timeout=10000)
    win.set_language("en")
    settle(qtbot, win)
    assert station_words(win) == english
    for sid in OPENED:
        left = [(w, t) for w, t in texts(host.page(sid)) if chinese(t)]
        assert not left, (sid, left)
    # and the other way round
    win.set_language("en")
    settle(qtbot, win)
    win.set_language("zh_CN")
    qtbot.waitUntil(lambda: host._slicer.part_done(), timeout=10000)
    win.set_language("en")
    win.set_language("zh_CN")
    settle(qtbot, win)
    assert all(chinese(t) for part in station_words(win).values() for t in part)
    assert QCoreApplication.translate("MainWindow", "&File") == win.file_menu.title()
    assert (win.width(), win.height()) == SIZE
