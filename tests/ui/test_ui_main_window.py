"""Main window: hosting stations, unavailable pages, lights, notices, layout, language."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLineEdit

from app.core.roles import Role
from app.runtime.notifier import Notice, Notifier
from app.ui import i18n
from app.ui.main_window import MainWindow
from app.ui.station_host import StationEntry, StationStatusPage
from app.ui.status import StatusModel
from tests.ui.conftest import add_user
from tests.ui.ui_stations import BrokenPanelStation, GoodStation, SupervisorStation, make_ctx


@pytest.fixture
def stations(tmp_path):
    return [GoodStation(make_ctx("good", tmp_path)), BrokenPanelStation(make_ctx("broken", tmp_path)),
            StationEntry.unavailable("ghost", "ImportError: No module named 'ghost_driver'",
                                     title="Ghost station")]


def make_window(qtbot, entries, settings, **kw):
    window = MainWindow(entries, settings=settings, **kw)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_lazy_panels_and_unavailable_stations(qtbot, stations, ini_settings):
    GoodStation.panels_created = 0
    notifier = Notifier()
    window = make_window(qtbot, stations, ini_settings, notifier=notifier)
    assert window.host.launcher.count() == 3
    assert GoodStation.panels_created == 0            # nothing built before it is opened
    page = window.host.open_station("good")
    assert page.objectName() == "good_panel" and GoodStation.panels_created == 1
    window.host.open_station("broken")                # create_panel raises
    broken = window.host.page("broken")
    assert isinstance(broken, StationStatusPage) and broken.kind == "unavailable"
    assert "detector driver missing" in broken.message_label.text()
    assert "RuntimeError" in broken.detail_edit.toPlainText()
    qtbot.waitUntil(lambda: any("detector driver missing" in n.text for n in
                                window.notification_area.notices))
    assert window.notification_area.unread_errors == 1
    window.host.open_station("ghost")
    ghost = window.host.page("ghost")
    assert "ghost_driver" in ghost.message_label.text()
    # the app keeps running: back to the good station, same panel object as before
    assert window.host.open_station("good") is page and GoodStation.panels_created == 1
    assert "(unavailable)" in window.host.launcher.item(1).text()


def test_role_denied_page(qtbot, tmp_path, ini_settings, ws):
    auth, session = ws.auth, ws.session
    session.login(add_user(ws, "op", Role.OPERATOR, password="Line-three-1"))
    window = make_window(qtbot, [GoodStation(make_ctx("good", tmp_path)),
                                 SupervisorStation(make_ctx("sup", tmp_path))],
                         ini_settings, session=session, auth=auth)
    page = window.host.open_station("sup")
    assert isinstance(page, StationStatusPage) and page.kind == "denied"
    assert "supervisor" in page.message_label.text()
    assert window.host.open_station("good").objectName() == "good_panel"


def test_status_lights_from_worker_thread(qtbot, stations, ini_settings):
    status = StatusModel(backlog_warning=10, backlog_error=100)
    window = make_window(qtbot, stations, ini_settings, status=status)
    lights = window.status_lights
    assert lights.state_of("pacs") == "unknown"
    worker = threading.Thread(target=lambda: (status.set("pacs", "error", "Association rejected"),
                                              status.set("hardware", "ok"),
                                              status.set_backlog(42)))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: lights.state_of("pacs") == "error")
    assert lights.state_of("hardware") == "ok"
    assert lights.state_of("sync_backlog") == "warning"
    assert "42" in lights._texts["sync_backlog"].text()
    assert "Association rejected" in lights._lights["pacs"].toolTip()
    with pytest.raises(ValueError):
        status.set("pacs", "green")


def test_status_light_details_read_in_the_ui_language_and_follow_a_switch(
        qtbot, stations, ini_settings):
    """The producers write English details (the CLI and the log read them); the tooltip
    shows them in the UI language, and again after a switch; an unknown part (a peer's
    error text) stays as written."""
    from app.core.sync_status import LOCAL_ONLY, OFFLINE, SyncStatus

    status = StatusModel()
    window = make_window(qtbot, stations, ini_settings, status=status)
    lights = window.status_lights
    offline = SyncStatus(enabled=True, state=OFFLINE, backlog=12,
                         last_error="connection refused by 10.0.0.9:5432")
    status.set("central_db", "error", offline.summary())
    status.set("sync_backlog", "off", "local only", value=0)
    status.set("hardware", "unknown", "lead-room gateway: connecting")
    qtbot.waitUntil(lambda: lights.state_of("central_db") == "error")

    def tip(name: str) -> str:
        return lights._lights[name].toolTip().split("\n")[1]
    assert tip("central_db") == ("Central database unreachable (retrying); backlog 12; "
                                 "connection refused by 10.0.0.9:5432")
    try:
        window.set_language("zh_CN")
        assert tip("central_db") == ("中央数据库连不上（正在重试）；待同步 12；"
                                     "connection refused by 10.0.0.9:5432")
        assert tip("sync_backlog") == "仅本地"
        assert tip("hardware") == "铅房网关：正在连接"
        local = SyncStatus(enabled=False, state=LOCAL_ONLY)
        status.set("central_db", "off", local.summary())       # a new detail, in Chinese
        qtbot.waitUntil(lambda: lights.state_of("central_db") == "off")
        assert tip("central_db") == "仅本地：未配置中央数据库；结果保存在本工作站。"
    finally:
        window.set_language("en")
    assert tip("central_db") == ("Local only: no central database configured; results stay "
                                 "on this station.")
    assert tip("hardware") == "lead-room gateway: connecting"


def test_safety_banner_cannot_be_dismissed_until_cleared(qtbot, stations, ini_settings):
    notifier = Notifier()
    window = make_window(qtbot, stations, ini_settings, notifier=notifier)
    banner = window.safety_banner
    threading.Thread(target=notifier.notify, args=(Notice(
        "safety", "Lead room 3 door open during exposure", code="LR-DOOR", source="lead_room"),
    )).start()
    qtbot.waitUntil(banner.isVisible)
    assert "door open" in banner.text_label.text()
    assert not banner.findChildren(type(window.notification_area.button))  # no close control
    window.notification_area.mark_read()
    notifier.info("something else", source="ct_qc")
    qtbot.waitUntil(lambda: window.notification_area.last_label.text() == "something else")
    assert banner.isVisible()                          # reading notices does not clear it
    notifier.notify(Notice("safety_cleared", "door closed", code="LR-DOOR", source="lead_room"))
    qtbot.waitUntil(lambda: not banner.isVisible())


def test_error_badge_counts_errors(qtbot, stations, ini_settings):
    notifier = Notifier()
    window = make_window(qtbot, stations, ini_settings, notifier=notifier)
    area = window.notification_area
    notifier.error(ValueError("boom"), source="ct_qc")
    notifier.info("fine")
    qtbot.waitUntil(lambda: len(area.notices) == 2)
    assert area.unread_errors == 1 and area.count_label.text() == "1"
    assert area.popup.list_widget.count() == 2   # (not shown: offscreen has no popups)
    assert "boom" in area.popup.list_widget.item(1).text()
    area.mark_read()
    assert area.unread_errors == 0 and not area.count_label.isVisible()


def test_geometry_and_station_restored(qtbot, tmp_path, stations):
    path = str(tmp_path / "layout.ini")
    first = make_window(qtbot, stations, QSettings(path, QSettings.Format.IniFormat))
    first.resize(701, 523)  # the offscreen screen is 800 x 600
    first.host.open_station("good")
    first.close()
    second = make_window(qtbot, stations, QSettings(path, QSettings.Format.IniFormat))
    assert (second.width(), second.height()) == (701, 523)
    assert second.host.current_station_id() == "good"


def test_language_switch_at_runtime(qtbot, stations, ini_settings):
    window = make_window(qtbot, stations, ini_settings)
    window.host.open_station("ghost")
    assert window.file_menu.title() == "&File"
    window.set_language("zh_CN")
    assert i18n.current_language() == "zh_CN"
    assert window.file_menu.title() == "文件(&F)"
    assert window.host.launcher.item(0).text() == "正常工位"
    assert "不可用" in window.host.page("ghost").title_label.text()
    assert window.status_lights._texts["pacs"].text() == "PACS"
    assert window.status_lights._texts["central_db"].text() == "中央数据库"
    assert ini_settings.value("ui/language") == "zh_CN"
    window.set_language("en")
    assert window.file_menu.title() == "&File"
    assert window.host.launcher.item(0).text() == "Good station"


def test_close_refused_while_station_busy_then_shutdown(qtbot, tmp_path, ini_settings):
    good = GoodStation(make_ctx("good", tmp_path))
    window = make_window(qtbot, [good], ini_settings)
    window.host.open_station("good")
    good.busy = True
    assert not window.close()
    assert window.isVisible() and "still working" in window.message_bar.text()
    good.busy = False
    assert window.close()
    assert good.shut_down == 1


def test_about_lists_versions(qtbot, stations, ini_settings):
    window = make_window(qtbot, stations, ini_settings)
    dlg = window.show_about()
    names = {dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())}
    assert {"Pharos", "Python", "Qt", "PySide6", "numpy", "pydicom", "onnxruntime"} <= names
    dlg.close()


def test_panel_text_survives_language_switch(qtbot, stations, ini_settings):
    window = make_window(qtbot, stations, ini_settings)
    panel = window.host.open_station("good")
    edit = panel.findChild(QLineEdit, "good_input")
    edit.setText("CT-0412")
    window.set_language("zh_CN")
    assert window.host.page("good").findChild(QLineEdit, "good_input").text() == "CT-0412"


class _LanguageCountingStation(GoodStation):
    """A panel that counts its retranslations (a label with a catalogue text)."""

    def create_panel(self, parent=None):  # noqa: ANN001, ANN201
        from PySide6.QtCore import QCoreApplication, QEvent
        from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

        class Panel(QWidget):
            retranslations = 0

            def __init__(self, parent) -> None:  # noqa: ANN001
                super().__init__(parent)
                self.label = QLabel(self)
                QVBoxLayout(self).addWidget(self.label)
                self.retranslate_ui()

            def retranslate_ui(self) -> None:
                self.label.setText(QCoreApplication.translate("MainWindow", "&File"))

            def changeEvent(self, event) -> None:  # noqa: ANN001, N802
                if event.type() == QEvent.Type.LanguageChange:
                    type(self).retranslations += 1
                    self.retranslate_ui()
                super().changeEvent(event)

        return Panel(parent)


def test_hidden_panel_retranslates_when_shown(qtbot, stations, ini_settings, tmp_path):
    """A language switch retranslates the panel on screen at once and a hidden one when
    it is next opened (not all created panels in one go)."""
    counting = _LanguageCountingStation(make_ctx("good", tmp_path))
    window = make_window(qtbot, [counting, stations[2]], ini_settings)
    panel = window.host.open_station("good")
    type(panel).retranslations = 0
    window.set_language("zh_CN")
    assert type(panel).retranslations == 1 and panel.label.text() == "文件(&F)"
    window.host.open_station("ghost")                     # the panel is hidden now
    window.set_language("en")
    assert type(panel).retranslations == 1 and window.host.language_change_pending("good")
    assert panel.label.text() == "文件(&F)"               # still the old text, not shown
    window.set_language("zh_CN")
    window.set_language("en")
    assert window.host.open_station("good") is panel
    assert type(panel).retranslations == 2 and panel.label.text() == "&File"
    assert not window.host.language_change_pending("good")
