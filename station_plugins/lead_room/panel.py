"""LeadRoomPanel: safety banner, connection line, overview, room detail, alarms,
schedule (Gantt), reports and checklist.

Updates: the monitor (asyncio thread) calls a listener at most 10 times a second; the
listener emits one queued signal; the GUI refreshes what is visible. No per-value
repaint. The safety banner cannot be closed: it disappears only when no safety alarm
is active. New annunciated alarms beep (system beep) once per alarm.
"""
from __future__ import annotations

import re
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from app.core.errors import PharosError
from app.runtime.notifier import Notice
from station_plugins.lead_room import jobs_io, scheduling
from station_plugins.lead_room.ui_alarms import AlarmPanel
from station_plugins.lead_room.ui_detail import RoomDetail
from station_plugins.lead_room.ui_gantt import GanttLegend, GanttView
from station_plugins.lead_room.ui_overview import RoomOverview
from station_plugins.lead_room.ui_reports import ChecklistView, ReportsView
from station_plugins.lead_room.ui_texts import alarm_text
from widgets.lazy_page import LazyPage, build_when_idle
from widgets.state_style import NOTICE_COLORS, PRIORITY_COLORS


SAFETY_CODE = "PH-LR-ALARM"   # one key: the notice is replaced, then cleared

class _Bridge(QObject):
    sig_changed = Signal()


class LeadRoomPanel(QWidget):
    def __init__(self, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadroom_panel")
        self.service = service
        self.banner = QLabel("", self)
        self.banner.setObjectName("leadroom_safety_banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setStyleSheet(f"background:{NOTICE_COLORS['safety']}; color:white; "
                                  f"font-weight:bold; padding:8px; font-size:13pt;")
        self.connection = QLabel("", self)
        self.connection.setObjectName("leadroom_connection")
        self.message = QLabel("", self)
        self.message.setObjectName("leadroom_message")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("leadroom_tabs")
        self.overview = RoomOverview(self)
        self.overview.sig_room_clicked.connect(self.open_room)
        # the room detail (three trend plots) and the alarm tables are built when first
        # needed or in idle moments after the panel appeared (opening it froze the window)
        self._detail_page: LazyPage[RoomDetail] = LazyPage(RoomDetail, self,
                                                           "leadroom_detail_page")
        self._alarms_page: LazyPage[AlarmPanel] = LazyPage(
            lambda parent: AlarmPanel(service, parent, report=self.show_error), self,
            "leadroom_alarms_page")
        self.gantt = GanttView(self, on_move=self.move_job)
        # the dose report and the checklist too (tables: ~6 ms of the opening turn)
        self._reports_page: LazyPage[ReportsView] = LazyPage(
            lambda parent: ReportsView(service, parent), self, "leadroom_reports_page")
        self._checklist_page: LazyPage[ChecklistView] = LazyPage(
            lambda parent: ChecklistView(service, parent), self, "leadroom_checklist_page")
        sched_box = QWidget(self)
        sl = QVBoxLayout(sched_box)
        bar = QHBoxLayout()
        self.schedule_buttons: dict[str, QPushButton] = {}
        for name, fn in (("generate", self.plan_demo), ("room_down", self.room_down)):
            b = QPushButton(sched_box)
            b.setObjectName(f"leadroom_schedule_{name}")
            b.clicked.connect(fn)
            bar.addWidget(b)
            self.schedule_buttons[name] = b
        self.schedule_info = QLabel("", sched_box)
        self.schedule_info.setObjectName("leadroom_schedule_info")
        self.schedule_info.setWordWrap(True)
        bar.addWidget(self.schedule_info, 1)
        sl.addLayout(bar)
        self.gantt_legend = GanttLegend(sched_box)
        sl.addWidget(self.gantt_legend)
        sl.addWidget(self.gantt, 1)
        for w in (self.overview, self._detail_page, self._alarms_page, sched_box,
                  self._reports_page, self._checklist_page):
            self.tabs.addTab(w, "")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.banner)
        top = QHBoxLayout()
        top.addWidget(self.connection, 1)
        top.addWidget(self.message, 2)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        self.jobs: list[scheduling.Job] = []
        self.rooms = jobs_io.default_rooms(30)
        self.schedule = scheduling.Schedule()
        self.refreshes = 0
        self.banner_latency: list[float] = []       # source change -> banner shown, s
        self.banner_latency_by_id: dict[str, float] = {}
        self._banner_seen: set[str] = set()
        self._beeped: set[tuple[str, float]] = set()
        self._bridge = _Bridge(self)
        self._bridge.sig_changed.connect(self.refresh, Qt.ConnectionType.QueuedConnection)
        remove = service.monitor.add_listener(self._bridge.sig_changed.emit)
        self.destroyed.connect(lambda *_: remove())    # no emits into a deleted bridge
        self._notice_active = False
        self._notice_text = ""
        self.retranslate_ui()
        self.refresh()
        build_when_idle([self._alarms_page, self._detail_page, self._reports_page,
                         self._checklist_page])

    def screenshot_ready(self) -> bool:
        """`pharos screenshot lead_room` waits for this: connected, rooms on the overview."""
        st = self.service.monitor.connection
        return bool(st is not None and st.connected and self.overview.tiles)

    @property
    def detail(self) -> RoomDetail:
        return self._detail_page.content()

    @property
    def alarms(self) -> AlarmPanel:
        return self._alarms_page.content()

    @property
    def reports(self) -> ReportsView:
        return self._reports_page.content()

    @property
    def checklist(self) -> ChecklistView:
        return self._checklist_page.content()

    # --- language ----------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        for i, text in enumerate((self.tr("Overview"), self.tr("Room"), self.tr("Alarms"),
                                  self.tr("Schedule"), self.tr("Dose && energy"),
                                  self.tr("Checklist"))):
            self.tabs.setTabText(i, text)
        self.schedule_buttons["generate"].setText(self.tr("Plan generated day (150 jobs)"))
        self.schedule_buttons["room_down"].setText(self.tr("Room down: re-plan"))
        self.banner.setText("")                      # rebuilt in the new language
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- refresh (GUI thread, <= 10 Hz) -------------------------------------------------
    def refresh(self) -> None:
        self.refreshes += 1
        svc = self.service
        st = svc.monitor.connection
        connected = bool(st is not None and st.connected)
        if st is None:
            text, colour = self.tr("Gateway: connecting..."), "unknown"
        else:
            state = {"connected": self.tr("connected"), "connecting": self.tr("connecting"),
                     "lost": self.tr("connection lost"), "untrusted": self.tr("not trusted"),
                     "stopped": self.tr("stopped")}.get(st.state, st.state)
            text = self.tr("Gateway %1: %2").replace("%1", state).replace(
                "%2", self._connection_detail(st.message))
            colour = "ok" if connected else "error"
        self.connection.setText(text)
        status = getattr(svc.ctx, "status", None)
        if status is not None and getattr(self, "_hw_state", None) != colour:
            self._hw_state = colour      # the Hardware light follows the gateway link
            status.set("hardware", "unknown" if colour == "unknown" else colour,
                       f"lead-room gateway: {st.state if st is not None else 'connecting'}")
        self.connection.setStyleSheet(
            "" if colour == "ok" else f"color:{PRIORITY_COLORS['high']}; font-weight:bold;")
        self._update_banner()
        idx = self.tabs.currentIndex()
        if idx == 0:
            self.overview.set_tiles(svc.monitor.overview(), connected)
        elif idx == 1 and self.detail.room:
            self.detail.update_values(svc.monitor.room_values(self.detail.room))
        elif idx == 2:
            self.alarms.refresh()
        elif idx == 5:
            self.checklist.set_rooms(svc.monitor.room_names())
        self._annunciate()

    def _connection_detail(self, message: str) -> str:
        """The adapter's detail line ("595 signals", "reconnected; 595 signals") in the
        UI language; any other message is shown as the adapter wrote it."""
        m = re.fullmatch(r"(reconnected; )?(\d+) signals", message or "")
        if m is None:
            return message
        count = self.tr("%1 signals").replace("%1", m.group(2))
        return self.tr("reconnected; %1").replace("%1", count) if m.group(1) else count

    def _update_banner(self) -> None:
        """The station banner and the main window's safety banner show the same text
        (one source: the alarm engine's banner); the notice is re-sent whenever the text
        changes (counts, acknowledgements, language) and cleared when no alarm is left."""
        b = self.service.engine.banner()
        notifier = self.service.ctx.notifier
        if b is None:
            self.banner.setVisible(False)
            if self._notice_active:
                self._notice_active = False
                self._notice_text = ""
                if notifier is not None:
                    notifier.notify(Notice("safety_cleared", "", code=SAFETY_CODE,
                                            source="lead_room"))
            return
        src = b["activated_src_ts"]
        if b["id"] not in self._banner_seen and src:
            self._banner_seen.add(b["id"])
            self.banner_latency.append(time.time() - src)
            self.banner_latency_by_id[b["id"]] = self.banner_latency[-1]
        where = b["room"] + (f" ({b['source'].split('/', 1)[-1]})" if b["source"] != b["room"]
                             else "")
        body = (self.tr("%1 - %2").replace("%1", alarm_text(b["title"])).replace("%2", where)
                + " | " + self.tr("%1 safety alarm(s) active, %2 unacknowledged.")
                .replace("%1", str(b["count"])).replace("%2", str(b["unacked"]))
                + f" {alarm_text(b['remedy'])}")
        text = self.tr("SAFETY: %1").replace("%1", body)
        if self.banner.text() != text:
            self.banner.setText(text)
        self.banner.setVisible(True)
        if notifier is not None and (not self._notice_active
                                     or getattr(self, "_notice_text", "") != body):
            self._notice_active = True
            self._notice_text = body
            notifier.notify(Notice("safety", body, code=SAFETY_CODE, source="lead_room"))

    def _annunciate(self) -> None:
        for r in self.service.engine.list("unacked"):
            key = (r["id"], r["activated_ts"] or 0.0)
            if r["active"] and key not in self._beeped:
                self._beeped.add(key)
                QApplication.beep()

    # --- demo mode: faults of the simulated gateway -------------------------------------------
    def demo_faults(self) -> list[tuple[str, str]]:
        ctx = self.service.ctx
        if not bool(getattr(ctx.config, "demo", False)):
            return []
        return [("door_open_during_beam", self.tr("Room03: door open while beam on")),
                ("dose_excursion", self.tr("Room05: dose-rate excursion")),
                ("monitor_fault", self.tr("Room02: radiation monitor fault")),
                ("estop", self.tr("Room04: emergency stop")),
                ("clear", self.tr("Clear every fault"))]

    def inject_demo_fault(self, code: str) -> None:
        """Inject into the simulator (in the live process or here), off the GUI thread."""
        import threading

        room = {"door_open_during_beam": "Room03", "dose_excursion": "Room05",
                "monitor_fault": "Room02", "estop": "Room04"}.get(code)
        svc = self.service
        if not svc.started:          # asked in the turn the panel opened in (plugin.py
            svc.start()              # starts the live parts one turn later)

        def work() -> None:
            try:
                if svc.live is not None:
                    if code == "clear":
                        svc.live.request("sim_clear", timeout=20)
                    else:
                        svc.live.request("sim_inject", room, code, timeout=20)
                elif svc.simulator is not None:
                    if code == "clear":
                        svc.simulator.plant.clear_faults()
                    else:
                        svc.simulator.plant.inject(room, code)
            except Exception as exc:  # noqa: BLE001 - shown in the notices
                if svc.ctx.notifier is not None:
                    svc.ctx.notifier.error(exc, source="lead_room")
        threading.Thread(target=work, name="leadroom-demo-fault", daemon=True).start()

    # --- actions ---------------------------------------------------------------------------
    def show_error(self, exc: BaseException) -> None:
        text = exc.operator_text() if isinstance(exc, PharosError) else str(exc)
        self.message.setText(text)

    def open_room(self, room: str) -> None:
        history = None
        h = self.service.historian
        if h is not None:
            t1 = time.time()
            keys = [k for k in h.keys() if k.startswith(room + "/")]
            history = h.query(keys, t1 - 3600, t1, max_points=600)
        self.detail.show_room(room, history)
        self.tabs.setCurrentWidget(self._detail_page)
        self.detail.update_values(self.service.monitor.room_values(room))

    def set_plan(self, jobs: list[scheduling.Job], sched: scheduling.Schedule) -> None:
        self.jobs, self.schedule = jobs, sched
        mt = scheduling.metrics(sched, jobs)
        self.schedule_info.setText(
            self.tr("%1: %2 jobs in %3 rooms, utilisation %4, late %5, tardiness %6 min")
            .replace("%1", self.method_text(sched.method)).replace("%2", str(mt["jobs"]))
            .replace("%3", str(mt["rooms_used"])).replace("%4", f"{mt['utilisation']:.0%}")
            .replace("%5", str(mt["late_jobs"])).replace("%6", str(mt["tardiness_min"])))
        self.gantt.set_schedule([r.id for r in self.rooms],
                                list(sched.assignments.values()),
                                {j.id: j.due for j in jobs}, {j.id: j for j in jobs})

    def method_text(self, method: str) -> str:
        """The planning method in words ("dispatch+override": the rule plan, moved by hand)."""
        base, _, rest = method.partition("+")
        text = {"fifo": self.tr("First come, first served"),
                "dispatch": self.tr("Priority dispatch plan"),
                "cp-sat": self.tr("Optimised plan (CP-SAT)"),
                "replan": self.tr("Re-plan after a room went down")}.get(base, base)
        return text + (self.tr(", moved by hand") if "override" in rest else "")

    def plan_demo(self) -> None:
        jobs = jobs_io.generate_day(150, rooms=len(self.rooms))
        self.set_plan(jobs, scheduling.dispatch(jobs, self.rooms))

    def room_down(self) -> None:
        if not self.schedule.assignments:
            return
        used = sorted({a.room for a in self.schedule.assignments.values()})
        now = min(a.start for a in self.schedule.assignments.values()) + 240
        self.set_plan(self.jobs, scheduling.replan(self.schedule, self.jobs, self.rooms, now,
                                                   down_room=used[0]))
        self.rooms = [r if r.id != used[0] else scheduling.Room(r.id, r.capabilities,
                                                                r.speed, down=True)
                      for r in self.rooms]

    def move_job(self, job_id: str, room_id: str, start: int) -> str | None:
        job = next(j for j in self.jobs if j.id == job_id)
        room = next(r for r in self.rooms if r.id == room_id)
        old = self.schedule.assignments[job_id]
        try:
            new = scheduling.apply_override(self.schedule, job, room, start)
            self.service.record_schedule_override(
                job_id, {"room": old.room, "start": old.start},
                {"room": room_id, "start": start}, "drag in Gantt view")
        except PharosError as exc:
            self.show_error(exc)
            return exc.message
        self.set_plan(self.jobs, new)
        return None
