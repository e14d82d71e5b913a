"""The schedule's Gantt view says what it shows: job labels on the bars, a tool tip per
job, the hour ruler and a legend, in English and in Chinese."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.ui import i18n
from station_plugins.lead_room import jobs_io, scheduling
from station_plugins.lead_room.ui_gantt import GanttLegend, GanttView, clock


def _plan():
    rooms = jobs_io.default_rooms(8)
    jobs = jobs_io.generate_day(40, rooms=len(rooms))
    return rooms, jobs, scheduling.dispatch(jobs, rooms)


def test_bars_carry_their_job_and_a_tooltip(qtbot):
    rooms, jobs, sched = _plan()
    view = GanttView()
    qtbot.addWidget(view)
    by_id = {j.id: j for j in jobs}
    view.set_schedule([r.id for r in rooms], list(sched.assignments.values()),
                      {j.id: j.due for j in jobs}, by_id)
    assert len(view.items) == len(sched.assignments) > 0
    labelled = 0
    for job_id, item in view.items.items():
        a, job = sched.assignments[job_id], by_id[job_id]
        tip = item.toolTip()
        assert f"Job {job_id}" in tip and job.unit in tip and job.capability in tip
        assert f"{clock(a.start)} to {clock(a.end)}" in tip and f"Due {clock(job.due)}" in tip
        assert ("late by" in tip) == item.late == (a.end > job.due)
        if item.label is not None:            # a bar too narrow for any text has none
            text = item.label.text()
            assert text == f"{job_id} · {job.capability}" or (
                text.endswith("…") and f"{job_id} · {job.capability}".startswith(text[:-1]))
            labelled += 1
            assert item.label.parentItem() is item     # moves with the bar when dragged
    assert labelled >= 0.8 * len(view.items)


def test_legend_and_tooltips_in_chinese(qtbot):
    app = QApplication.instance()
    rooms, jobs, sched = _plan()
    legend = GanttLegend()
    qtbot.addWidget(legend)
    assert legend.texts["late"].text() == "Late: ends after its due time"
    i18n.set_language(app, "zh_CN")
    try:
        assert legend.texts["late"].text() == "延误：结束晚于要求完成时间"
        assert legend.texts["override"].text() == "已手动调整（已审计）"
        assert "拖到" in legend.texts["hint"].text()
        view = GanttView()
        qtbot.addWidget(view)
        view.set_schedule([r.id for r in rooms], list(sched.assignments.values()),
                          {j.id: j.due for j in jobs}, {j.id: j for j in jobs})
        tip = next(iter(view.items.values())).toolTip()
        assert tip.startswith("任务 J") and "被测设备" in tip and "要求完成" in tip
    finally:
        i18n.set_language(app, "en")
