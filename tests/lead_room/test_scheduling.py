"""Scheduler feasibility (no overlap, eligibility, release times), re-plan, overrides,
job list import with row-by-row rejection."""
from __future__ import annotations

import pytest

from app.core.errors import InputRejected, ValidationError
from station_plugins.lead_room import jobs_io, scheduling
from station_plugins.lead_room.optimiser import optimise
from station_plugins.lead_room.scheduling import Job, Room, check_feasible, metrics

ROOMS = jobs_io.default_rooms(8)


@pytest.fixture(scope="module")
def jobs():
    return jobs_io.generate_day(40, seed=3, rooms=8)


@pytest.mark.parametrize("method", ["fifo", "dispatch", "cp-sat"])
def test_every_method_gives_a_feasible_plan(jobs, method):
    if method == "fifo":
        s = scheduling.fifo(jobs, ROOMS)
    elif method == "dispatch":
        s = scheduling.dispatch(jobs, ROOMS)
    else:
        s = optimise(jobs, ROOMS, time_limit_s=1.0, horizon_min=300)
    assert check_feasible(s, jobs, ROOMS) == []
    assert set(s.assignments) == {j.id for j in jobs}
    by = {j.id: j for j in jobs}
    for a in s.assignments.values():
        room = next(r for r in ROOMS if r.id == a.room)
        assert by[a.job_id].capability in room.capabilities      # eligibility
        assert a.start >= by[a.job_id].release                    # release time


def test_check_feasible_catches_each_broken_rule():
    rooms = [Room("R1", frozenset({"CT"})), Room("R2", frozenset({"XR-160"}))]
    jobs = [Job("a", "u1", "CT", 30, 10, 100), Job("b", "u2", "CT", 30, 0, 100)]
    bad = scheduling.Schedule({
        "a": scheduling.Assignment("a", "R1", 5, 35),       # before release
        "b": scheduling.Assignment("b", "R2", 20, 50),      # wrong capability
    })
    problems = check_feasible(bad, jobs, rooms)
    assert any("before release" in p for p in problems)
    assert any("lacks capability" in p for p in problems)
    overlap = scheduling.Schedule({"a": scheduling.Assignment("a", "R1", 10, 40),
                                   "b": scheduling.Assignment("b", "R1", 30, 60)})
    assert any("overlap" in p for p in check_feasible(overlap, jobs, rooms))


def test_unschedulable_capability_is_reported_not_dropped():
    jobs = [Job("x", "u", "XR-999", 10, 0, 100)]
    s = scheduling.dispatch(jobs, ROOMS)
    assert "x" in s.unscheduled and "XR-999" in s.unscheduled["x"]
    assert check_feasible(s, jobs, ROOMS) == []


def test_dispatcher_consolidates_and_optimiser_not_worse(jobs):
    f, d = scheduling.fifo(jobs, ROOMS), scheduling.dispatch(jobs, ROOMS)
    o = optimise(jobs, ROOMS, time_limit_s=1.0, horizon_min=300)
    mf, md, mo = metrics(f, jobs), metrics(d, jobs), metrics(o, jobs)
    assert md["rooms_used"] <= mf["rooms_used"]
    key = lambda m: (m["weighted_tardiness"], m["rooms_used"])  # noqa: E731
    assert key(mo) <= key(md)


def test_replan_when_a_room_goes_down(jobs):
    s = scheduling.dispatch(jobs, ROOMS)
    now = 300
    down = max(s.by_room(), key=lambda r: len(s.by_room()[r]))
    r2 = scheduling.replan(s, jobs, ROOMS, now, down_room=down)
    rooms_down = [Room(r.id, r.capabilities, r.speed, down=r.id == down) for r in ROOMS]
    for a in r2.assignments.values():
        if a.room == down:
            assert a.end <= now                 # only work finished before the failure
        orig = s.assignments[a.job_id]
        if orig.start >= now or orig.room == down and orig.end > now:
            assert a.start >= now               # nothing re-planned into the past
    assert set(r2.assignments) | set(r2.unscheduled) == {j.id for j in jobs}
    assert check_feasible(r2, jobs, rooms_down) == []


def test_replan_after_overrun_pushes_following_jobs(jobs):
    s = scheduling.dispatch(jobs, ROOMS)
    now = 200
    running = next(a for a in s.assignments.values() if a.start < now < a.end)
    r2 = scheduling.replan(s, jobs, ROOMS, now, overrun=(running.job_id, 60))
    assert r2.assignments[running.job_id].end == running.end + 60
    assert check_feasible(r2, jobs, ROOMS) == []


def test_override_checked():
    rooms = [Room("R1", frozenset({"CT"})), Room("R2", frozenset({"CT"})),
             Room("R3", frozenset({"XR-160"}))]
    jobs = [Job("a", "u1", "CT", 30, 0, 100), Job("b", "u2", "CT", 30, 20, 200)]
    s = scheduling.dispatch(jobs, rooms)
    with pytest.raises(ValidationError, match="cannot run"):
        scheduling.apply_override(s, jobs[1], rooms[2], 40)
    with pytest.raises(ValidationError, match="released"):
        scheduling.apply_override(s, jobs[1], rooms[0], 10)
    room_a = s.assignments["a"].room
    with pytest.raises(ValidationError, match="overlap"):
        scheduling.apply_override(s, jobs[1], next(r for r in rooms if r.id == room_a), 20)
    ok = scheduling.apply_override(s, jobs[1], rooms[1], 120)
    assert ok.assignments["b"].overridden and ok.assignments["b"].start == 120
    assert check_feasible(ok, jobs, rooms) == []


def test_job_list_bad_rows_rejected_one_by_one(tmp_path):
    text = (
        "job_id,unit,capability,duration_min,release,due,priority\n"
        "J1,SN1,CT,60,08:00,12:00,1\n"
        "J2,SN2,CT,abc,08:00,12:00,1\n"            # duration not a number
        "J3,SN3,XR-999,30,0,100,1\n"               # unknown capability
        "J1,SN4,CT,30,0,100,1\n"                   # duplicate id
        "J5,SN5,CT,90,600,620,1\n"                 # due before release + duration
        "J6,,CT,30,0,100,1\n"                      # no unit
        "J7,SN7,CT,30,25:99,900,1\n"               # bad time
        "J8,SN8,XR-160,45,2026-03-02T07:00:00Z,2026-03-02T12:00:00+00:00,6\n"  # priority
        "J9,SN9,XR-160,45,2026-03-02T07:00:00Z,2026-03-02T12:00:00+00:00,2\n"
    )
    p = tmp_path / "jobs.csv"
    p.write_text(text, encoding="utf-8")
    from datetime import datetime, timezone
    rep = jobs_io.load_jobs(p, origin=datetime(2026, 3, 2, tzinfo=timezone.utc))
    assert [j.id for j in rep.jobs] == ["J1", "J9"]
    assert rep.jobs[0].release == 480 and rep.jobs[1].release == 420
    reasons = dict(rep.rejected)
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9}
    assert "not a number" in reasons[3] and "unknown" in reasons[4]
    assert "twice" in reasons[5] and "before release" in reasons[6]
    assert "unit" in reasons[7] and "HH:MM" in reasons[8] and "priority" in reasons[9]
    with pytest.raises(InputRejected, match="lacks column"):
        jobs_io.parse_jobs("job_id,unit\nJ1,SN1\n")


# --- the optimiser's improvement path (room closing + large-neighbourhood search) ----------
def _check_plan(plan, jobs, rooms):
    assert check_feasible(plan, jobs, rooms) == []
    assert set(plan.assignments) == {j.id for j in jobs}
    by = {j.id: j for j in jobs}
    rooms_by = {r.id: r for r in rooms}
    for a in plan.assignments.values():
        assert by[a.job_id].capability in rooms_by[a.room].capabilities   # eligibility
        assert a.start >= by[a.job_id].release                            # release time
        assert a.end - a.start == rooms_by[a.room].duration(by[a.job_id])


def test_closing_rooms_by_replanning_is_feasible_and_uses_fewer_rooms():
    from station_plugins.lead_room.improve import close_rooms, plan_score

    rooms = jobs_io.default_rooms(30)
    jobs = jobs_io.generate_day(150, seed=150, load=0.62)
    d = scheduling.dispatch(jobs, rooms)
    c = close_rooms(d, jobs, rooms, time_limit_s=20.0,
                    rules=[scheduling.dispatch, scheduling.fifo])
    _check_plan(c, jobs, rooms)
    by = {j.id: j for j in jobs}
    assert plan_score(c, by) < plan_score(d, by)
    assert metrics(c, jobs)["rooms_used"] < metrics(d, jobs)["rooms_used"]
    assert metrics(c, jobs)["weighted_tardiness"] <= metrics(d, jobs)["weighted_tardiness"]


def test_neighbourhood_search_is_feasible_and_never_worse(jobs):
    from station_plugins.lead_room.improve import improve, plan_score

    d = scheduling.dispatch(jobs, ROOMS)
    out = improve(d, jobs, ROOMS, time_limit_s=2.0, step_s=0.2)
    _check_plan(out, jobs, ROOMS)
    by = {j.id: j for j in jobs}
    assert plan_score(out, by) <= plan_score(d, by)
    assert "LNS" in out.status


def test_neighbourhood_search_keeps_operator_overrides(jobs):
    from station_plugins.lead_room.improve import improve

    d = scheduling.dispatch(jobs, ROOMS)
    a = next(iter(d.assignments.values()))
    job = next(j for j in jobs if j.id == a.job_id)
    room = next(r for r in ROOMS if r.id == a.room)
    late = max(x.end for x in d.assignments.values()) + 5
    moved = scheduling.apply_override(d, job, room, late)
    out = improve(moved, jobs, ROOMS, time_limit_s=1.5, step_s=0.2)
    assert out.assignments[job.id] == moved.assignments[job.id]
    assert check_feasible(out, jobs, ROOMS) == []


def test_window_solver_respects_fixed_intervals():
    from station_plugins.lead_room.improve import _solve

    rooms = [Room("R1", frozenset({"CT"}))]
    fixed = {"R1": [scheduling.Assignment("k", "R1", 10, 50)]}
    free = [Job("a", "u", "CT", 30, 0, 200), Job("b", "u", "CT", 20, 0, 200)]
    got = _solve(free, rooms, {}, 2.0, 1, fixed=fixed)
    assert got is not None and set(got) == {"a", "b"}
    spans = sorted([(x.start, x.end) for x in got.values()] + [(10, 50)])
    assert all(p[1] <= q[0] for p, q in zip(spans, spans[1:]))      # no overlap


def test_optimiser_on_a_tight_day_is_no_later_than_fifo_or_the_dispatcher():
    rooms = jobs_io.default_rooms(8)
    jobs = jobs_io.generate_day(60, seed=11, rooms=8, load=0.9)
    f, d = scheduling.fifo(jobs, rooms), scheduling.dispatch(jobs, rooms)
    o = optimise(jobs, rooms, time_limit_s=0.5, horizon_min=300, lns_s=2.0)
    _check_plan(o, jobs, rooms)
    wt = lambda s: metrics(s, jobs)["weighted_tardiness"]  # noqa: E731
    assert wt(o) <= min(wt(f), wt(d))
