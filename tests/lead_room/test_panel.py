"""The station end to end in the GUI (offscreen): demo gateway, banner, alarms, journal,
roles, invalid on link loss, Gantt override audited, e-signed checklist."""
from __future__ import annotations

import logging

import pytest

from app.bootstrap import Workstation
from app.core.errors import PermissionDenied, ValidationError
from station_plugins.lead_room.plugin import LeadRoomStation
from station_plugins.lead_room.service import CHECKLIST_ITEMS

ADMIN_PW = "Adm1n-secret-pw"
OP_PW = "Operat0r-secret-pw"
logging.getLogger("asyncua").setLevel(logging.CRITICAL)


def sim(svc, cmd: str, *args: str) -> None:  # noqa: ANN001
    """Drive the demo simulator wherever it runs (live process or this one)."""
    if svc.live is not None:
        svc.live.request(cmd, *args, timeout=20)
        return
    loop = svc.ctx.loop
    if cmd == "sim_inject":
        svc.simulator.plant.inject(*args)
    elif cmd == "sim_clear":
        svc.simulator.plant.clear_faults(*args)
    elif cmd == "sim_stop":
        loop.submit(svc.simulator.stop()).result(10)
    else:
        loop.submit(svc.simulator.start()).result(20)


@pytest.fixture(params=["process"])
def station(request, data_dir, qtbot):
    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=True,
                          admin_password=ADMIN_PW)
    admin = ws.auth.authenticate("admin", ADMIN_PW)
    ws.auth.create_user("op1", "Olga Operator", ["operator"], OP_PW, by=admin,
                        reason="test", must_change_password=False)
    ws.session.login(ws.auth.authenticate("op1", OP_PW))
    ctx = ws.context_for("lead_room")
    ctx.settings["demo_rooms"] = 6
    ctx.settings["live_process"] = request.param == "process"
    st = LeadRoomStation(ctx)
    panel = st.create_panel()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    yield ws, st, panel
    st.shutdown()
    ws.close()


def test_station_info_contract():
    info = LeadRoomStation.info
    assert info.id == "lead_room" and info.title_zh == "铅房监控"
    assert {"acknowledge", "shelve", "suppress", "out_of_service", "edit_alarms",
            "schedule_override", "sign_checklist"} <= set(info.actions)


@pytest.mark.parametrize("station", ["process", "thread"], indirect=True)
def test_live_overview_banner_ack_journal_and_roles(station, qtbot):
    ws, st, panel = station
    svc = st.service
    qtbot.waitUntil(lambda: svc.monitor.connection is not None
                    and svc.monitor.connection.connected, timeout=20000)
    qtbot.waitUntil(lambda: len(panel.overview.tiles) == 6, timeout=10000)
    assert not panel.banner.isVisible()
    sim(svc, "sim_inject", "Room03", "door_open_during_beam")
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=10000)
    assert "interlock failure" in panel.banner.text() and "Room03" in panel.banner.text()
    assert panel.banner_latency and panel.banner_latency[0] < 5.0
    aid = "Room03/door_beam"
    with pytest.raises(ValidationError):
        svc.engine.shelve(aid, "op1", "x", 60)
    with pytest.raises(PermissionDenied):
        svc.shelve(aid, "annoying", 15)                  # operators may not shelve
    svc.acknowledge([aid], "e-stop pressed, RSO called")
    assert panel.banner.isVisible()                       # still active: stays
    sim(svc, "sim_clear", "Room03")
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: len(ws.store.query_records(kind="lead_room.alarm_event",
                                                       subject=aid)) >= 3, timeout=10000)
    evs = [r.payload["event"] for r in ws.store.query_records(
        kind="lead_room.alarm_event", subject=aid, newest_first=False)]
    assert evs[:3] == ["activated", "acked", "cleared"]
    panel.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: panel.alarms.tables["active"].alarms() is not None, timeout=3000)
    assert any(n.level == "safety" for n in ws.notifier.history)
    assert panel.refreshes < 200                          # coalesced, not per value


def test_link_loss_shows_every_value_invalid(station, qtbot):
    ws, st, panel = station
    svc = st.service
    qtbot.waitUntil(lambda: svc.monitor.connection is not None
                    and svc.monitor.connection.connected, timeout=20000)
    sim(svc, "sim_stop")
    qtbot.waitUntil(lambda: not svc.monitor.connection.connected, timeout=10000)
    qtbot.waitUntil(lambda: bool(panel.overview.tiles) and all(
        t["beam_on"] is None and t["boundary_max_usvh"] is None
        for t in panel.overview.tiles), timeout=5000)
    qtbot.waitUntil(lambda: "Gateway connection lost" in panel.banner.text(), timeout=5000)
    assert "lost" in panel.connection.text()
    panel.grab().save(str(ws.config.data_dir / "overview_invalid.png"))
    sim(svc, "sim_start")
    qtbot.waitUntil(lambda: svc.monitor.connection.connected, timeout=20000)


def test_gantt_override_is_audited_and_checklist_signed(station, qtbot):
    ws, st, panel = station
    panel.tabs.setCurrentIndex(3)
    panel.plan_demo()
    assert len(panel.gantt.items) == 150
    a = next(iter(panel.schedule.assignments.values()))
    job = next(j for j in panel.jobs if j.id == a.job_id)
    problem = panel.move_job(job.id, a.room, job.release - 1 if job.release else -1)
    assert problem                                         # refused, explained
    ws.session.login(ws.auth.authenticate("admin", ADMIN_PW))
    free_start = max(x.end for x in panel.schedule.assignments.values()) + 10
    assert panel.move_job(job.id, a.room, free_start) is None
    assert panel.schedule.assignments[job.id].overridden
    entries = ws.audit.entries(action="schedule_override")
    assert [e.entity_id for e in entries] == [job.id] and entries[0].username == "admin"
    ws.session.login(ws.auth.authenticate("op1", OP_PW))
    content = st.service.checklist_content("Room01", {i: True for i in CHECKLIST_ITEMS})
    sig = st.service.sign_checklist(content, OP_PW)
    assert sig.username == "op1" and sig.meaning == "verified"
    recs = ws.store.query_records(kind="lead_room.checklist", subject="Room01")
    assert recs and recs[0].verdict == "PASS"
    with pytest.raises(ValidationError, match="incomplete"):
        st.service.checklist_content("Room01", {})


# --- the live process (OPC UA client, alarms, historian, journal in their own process) ------
def _connected(svc) -> bool:  # noqa: ANN001
    st = svc.monitor.connection
    return st is not None and st.connected


def test_live_process_death_is_visible_at_once_and_it_restarts(station, qtbot):
    import os
    import signal

    ws, st, panel = station
    svc = st.service
    qtbot.waitUntil(lambda: _connected(svc) and len(panel.overview.tiles) == 6, timeout=20000)
    first_pid = svc.live.pid
    assert first_pid != os.getpid()
    os.kill(first_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: "Live monitoring stopped" in panel.banner.text(), timeout=5000)
    assert all(t["beam_on"] is None and t["boundary_max_usvh"] is None
               for t in panel.overview.tiles)              # nothing looks valid
    assert "live monitoring process stopped" in panel.connection.text()
    qtbot.waitUntil(lambda: svc.live.starts == 2 and _connected(svc), timeout=30000)
    assert svc.live.pid != first_pid
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=10000)
    assert any(n.code == "PH-LIVE" and "restarting" in n.text for n in ws.notifier.history)


def test_history_detail_and_journal_drain_through_the_live_process(station, qtbot):
    ws, st, panel = station
    svc = st.service
    qtbot.waitUntil(lambda: _connected(svc), timeout=20000)
    qtbot.waitUntil(lambda: svc.historian.flush() >= 0 and any(
        k.startswith("Room01/") for k in svc.historian.keys()), timeout=10000)
    panel.open_room("Room01")
    qtbot.waitUntil(lambda: panel.detail.table.rowCount() > 10, timeout=5000)
    import time as _t
    series = svc.historian.query(["Room01/Temperature"], _t.time() - 600, _t.time())
    assert "Room01/Temperature" in series and len(series["Room01/Temperature"].ts) > 0
    aid = "Room02/door_beam"
    sim(svc, "sim_inject", "Room02", "door_open_during_beam")
    qtbot.waitUntil(lambda: any(r["id"] == aid for r in svc.engine.list("unacked")),
                    timeout=10000)
    svc.acknowledge([aid], "checked the door switch")
    svc.stop()                                   # the live process drains its journal first
    evs = [r.payload for r in ws.store.query_records(kind="lead_room.alarm_event",
                                                      subject=aid, newest_first=False)]
    assert [e["event"] for e in evs[:2]] == ["activated", "acked"]
    assert evs[1]["user"] == "op1" and evs[1]["comment"] == "checked the door switch"
    from app.core.errors import DeviceError
    with pytest.raises(DeviceError, match="not running"):
        svc.engine.ack_many([aid], "op1")


def test_panel_switches_to_chinese_and_back(station, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n

    ws, st, panel = station
    app = QApplication.instance()
    qtbot.waitUntil(lambda: len(panel.overview.tiles) == 6, timeout=20000)
    try:
        i18n.set_language(app, "zh_CN")
        assert panel.tabs.tabText(0) == "总览" and panel.tabs.tabText(1) == "铅房"
        assert panel.alarms.buttons["shelve"].text() == "搁置…"
        assert panel.reports.refresh_button.text().startswith("计算")
        assert panel.checklist.boxes[CHECKLIST_ITEMS[3]].text() == "急停按钮已测试"
        assert panel.detail.table.model().headerData(0, Qt.Orientation.Horizontal) == "信号"
        sim(st.service, "sim_inject", "Room02", "door_open_during_beam")
        qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=10000)
        assert "出束时门打开：联锁失效" in panel.banner.text()
        content = st.service.checklist_content("Room01", {i: True for i in CHECKLIST_ITEMS})
        assert content["items"][3]["item"] == "Emergency stops tested"    # signed in English
    finally:
        i18n.set_language(app, "en")
    assert panel.tabs.tabText(0) == "Overview"
    qtbot.waitUntil(lambda: "interlock failure" in panel.banner.text(), timeout=5000)


def test_checklist_signature_dialog_says_what_is_signed_in_chinese(station, qtbot):
    """The checklist's signature dialog (the real signature service) in zh_CN: the room,
    the items found not OK and a meaning specific to the checklist, no English; the
    recorded meaning is the key "verified"."""
    import re

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    from app.ui import i18n

    ws, st, panel = station
    app = QApplication.instance()
    i18n.set_language(app, "zh_CN")
    try:
        panel.tabs.setCurrentIndex(5)
        view = panel.checklist
        view.set_rooms(["Room01", "Room02"])
        for i, box in enumerate(view.boxes.values()):
            box.setChecked(i != 3)                     # the e-stop test not done
        seen: dict = {}

        def answer() -> None:
            dlg = app.activeModalWidget()
            if dlg is None or dlg.objectName() != "signature_dialog":
                QTimer.singleShot(50, answer)
                return
            seen["texts"] = [w.text() for w in dlg.findChildren(QLabel)
                             if w.isVisible() and w.text()
                             and w.objectName() != "signature_content_sha256"]
            seen["title"] = dlg.what_label.text()
            seen["summary"] = dlg.summary_label.text()
            seen["meanings"] = [(dlg.meaning_combo.itemData(i), dlg.meaning_combo.itemText(i))
                                for i in range(dlg.meaning_combo.count())]
            dlg.password_edit.setText(OP_PW)
            dlg.sign_button.click()

        QTimer.singleShot(0, answer)
        view.sign()
        assert seen["title"] == "班前安全检查表：Room01"
        assert "急停按钮已测试" in seen["summary"] and "未全部合格" in seen["summary"]
        assert seen["meanings"] == [("verified", "已验证：本人已在本班前亲自完成以上检查")]
        english = [t for t in seen["texts"] if re.search(r"[A-Za-z]{3,}", t.replace(
            "Room01", "").replace("SHA-256", "").replace("Olga Operator", ""))]
        assert english == []
        assert view.result.text().startswith("检查表 Room01 已签署：已验证")
    finally:
        i18n.set_language(app, "en")
    recs = ws.store.query_records(kind="lead_room.checklist", subject="Room01")
    assert recs and recs[0].verdict == "FAIL"
    sigs = ws.signatures.signatures_for("lead_room.checklist", recs[0].id)
    assert [s.meaning for s in sigs] == ["verified"] and sigs[0].username == "op1"
