"""Test-job scheduling into lead rooms: data, dispatch rules, checks, metrics, re-plan.

Problem: unrelated parallel machines with release times and room eligibility
(R | r_j, M_j | sum w_j T_j + consolidation). Times are integer minutes from the plan
origin. The dispatcher is instant (ATC ordering, earliest-finishing eligible room, ties
to rooms already in use so idle rooms can stand by); FIFO is the baseline; the CP-SAT
optimiser (:mod:`optimiser`) improves on the dispatcher's plan. Qt-free.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Iterable

from app.core.errors import ValidationError


@dataclass(frozen=True)
class Job:
    id: str
    unit: str                       # device serial under test
    capability: str                 # required room capability, e.g. "CT", "XR-160"
    duration: int                   # estimate, minutes
    release: int                    # minute the unit is ready
    due: int                        # minute it should be done
    priority: int = 1               # weight 1 (normal) .. 5 (urgent)


@dataclass(frozen=True)
class Room:
    id: str
    capabilities: frozenset[str]
    speed: float = 1.0              # >1: newer generator, jobs run faster
    available_from: int = 0         # down / busy until (minutes)
    down: bool = False

    def can_run(self, job: Job) -> bool:
        return not self.down and job.capability in self.capabilities

    def duration(self, job: Job) -> int:
        return max(1, math.ceil(job.duration / self.speed))


@dataclass(frozen=True)
class Assignment:
    job_id: str
    room: str
    start: int
    end: int
    overridden: bool = False


@dataclass
class Schedule:
    assignments: dict[str, Assignment] = field(default_factory=dict)
    unscheduled: dict[str, str] = field(default_factory=dict)   # job id -> reason
    method: str = ""
    solve_s: float = 0.0
    status: str = ""

    def by_room(self) -> dict[str, list[Assignment]]:
        out: dict[str, list[Assignment]] = {}
        for a in sorted(self.assignments.values(), key=lambda a: (a.room, a.start)):
            out.setdefault(a.room, []).append(a)
        return out

    def to_dict(self) -> dict:
        return {"method": self.method, "solve_s": round(self.solve_s, 3), "status": self.status,
                "assignments": [vars(a) for a in sorted(self.assignments.values(),
                                                        key=lambda a: (a.room, a.start))],
                "unscheduled": self.unscheduled}


def _eligible(job: Job, rooms: list[Room]) -> list[Room]:
    return [r for r in rooms if r.can_run(job)]


def fifo(jobs: Iterable[Job], rooms: list[Room]) -> Schedule:
    """Baseline: jobs in release order, each to the eligible room free first."""
    free = {r.id: r.available_from for r in rooms}
    sched = Schedule(method="fifo")
    for j in sorted(jobs, key=lambda j: (j.release, j.id)):
        cand = _eligible(j, rooms)
        if not cand:
            sched.unscheduled[j.id] = f"no room offers capability '{j.capability}'"
            continue
        r = min(cand, key=lambda r: (free[r.id], r.id))
        start = max(j.release, free[r.id])
        end = start + r.duration(j)
        sched.assignments[j.id] = Assignment(j.id, r.id, start, end)
        free[r.id] = end
    return sched


def atc_index(job: Job, t: int, p_avg: float, k: float = 2.0) -> float:
    slack = max(job.due - job.duration - t, 0)
    return job.priority / job.duration * math.exp(-slack / (k * p_avg))


def dispatch(jobs: Iterable[Job], rooms: list[Room], *, fixed: Iterable[Assignment] = ()
             ) -> Schedule:
    """Instant plan: at each step the job that can start first (ties by ATC index) goes
    to the eligible room where it finishes first, except that a room already in use
    that still finishes it on time is preferred (consolidation: idle rooms stand by)."""
    jobs = list(jobs)
    sched = Schedule(method="dispatch")
    free = {r.id: r.available_from for r in rooms}
    used: set[str] = set()
    for a in fixed:
        sched.assignments[a.job_id] = a
        free[a.room] = max(free.get(a.room, 0), a.end)
        used.add(a.room)
    elig: dict[str, list[Room]] = {}
    for j in jobs:
        if j.id in sched.assignments:
            continue
        cand = _eligible(j, rooms)
        if cand:
            elig[j.id] = cand
        else:
            sched.unscheduled[j.id] = f"no available room offers capability '{j.capability}'"
    todo = {j.id: j for j in jobs if j.id in elig}
    p_avg = sum(j.duration for j in todo.values()) / max(1, len(todo))
    while todo:
        best = None
        for j in todo.values():
            est = max(j.release, min(free[r.id] for r in elig[j.id]))
            key = (est, -atc_index(j, est, p_avg))
            if best is None or key < best[0]:
                best = (key, j)
        assert best is not None   # todo is not empty
        j = best[1]

        def finish(r: Room, j: Job = j) -> int:
            return max(j.release, free[r.id]) + r.duration(j)
        # consolidation: a room already in use that still finishes on time wins
        on_time_used = [r for r in elig[j.id] if r.id in used and finish(r) <= j.due]
        r = min(on_time_used or elig[j.id], key=lambda r: (finish(r), r.id not in used, r.id))
        start = max(j.release, free[r.id])
        sched.assignments[j.id] = Assignment(j.id, r.id, start, start + r.duration(j))
        free[r.id] = start + r.duration(j)
        used.add(r.id)
        del todo[j.id]
    return sched


# --- checks and metrics --------------------------------------------------------------
def check_feasible(sched: Schedule, jobs: Iterable[Job], rooms: list[Room]) -> list[str]:
    """Every broken rule as a sentence (empty: feasible)."""
    jobs_by = {j.id: j for j in jobs}
    rooms_by = {r.id: r for r in rooms}
    problems = []
    for a in sched.assignments.values():
        j, r = jobs_by.get(a.job_id), rooms_by.get(a.room)
        if j is None or r is None:
            problems.append(f"{a.job_id}: unknown job or room {a.room}")
            continue
        if j.capability not in r.capabilities:
            problems.append(f"{j.id}: room {r.id} lacks capability {j.capability}")
        if a.start < j.release:
            problems.append(f"{j.id}: starts at {a.start} before release {j.release}")
        if a.end - a.start < r.duration(j):
            problems.append(f"{j.id}: {a.end - a.start} min shorter than {r.duration(j)}")
        if a.start < r.available_from and not a.overridden:
            problems.append(f"{j.id}: room {r.id} not available before {r.available_from}")
    for room, items in sched.by_room().items():
        for x, y in zip(items, items[1:]):
            if y.start < x.end:
                problems.append(f"room {room}: {x.job_id} and {y.job_id} overlap")
    missing = set(jobs_by) - set(sched.assignments) - set(sched.unscheduled)
    problems += [f"{m}: neither scheduled nor rejected" for m in sorted(missing)]
    return problems


def metrics(sched: Schedule, jobs: Iterable[Job]) -> dict:
    jobs_by = {j.id: j for j in jobs}
    a = list(sched.assignments.values())
    if not a:
        return {"jobs": 0, "rooms_used": 0, "utilisation": 0.0, "tardiness_min": 0,
                "weighted_tardiness": 0, "late_jobs": 0, "on_time": 1.0, "makespan_min": 0}
    rooms_used = {x.room for x in a}
    t0 = min(x.start for x in a)
    t1 = max(x.end for x in a)
    busy = sum(x.end - x.start for x in a)
    tard = [max(0, x.end - jobs_by[x.job_id].due) for x in a]
    wt = sum(t * jobs_by[x.job_id].priority for t, x in zip(tard, a))
    return {"jobs": len(a), "rooms_used": len(rooms_used),
            "utilisation": round(busy / (len(rooms_used) * max(1, t1 - t0)), 4),
            "tardiness_min": sum(tard), "weighted_tardiness": wt,
            "late_jobs": sum(t > 0 for t in tard),
            "on_time": round(1 - sum(t > 0 for t in tard) / len(a), 4),
            "makespan_min": t1 - t0}


# --- operator changes and re-planning -----------------------------------------------
def apply_override(sched: Schedule, job: Job, room: Room, start: int) -> Schedule:
    """Move one job (Gantt drag); refused when it breaks a rule."""
    if not room.can_run(job):
        raise ValidationError(f"Room {room.id} cannot run job {job.id} (needs "
                              f"{job.capability}{', room is down' if room.down else ''}).")
    if start < job.release:
        raise ValidationError(f"Job {job.id} is released at minute {job.release}; it cannot "
                              f"start at {start}.")
    end = start + room.duration(job)
    for a in sched.assignments.values():
        if a.room == room.id and a.job_id != job.id and a.start < end and start < a.end:
            raise ValidationError(f"Job {job.id} would overlap {a.job_id} in room {room.id} "
                                  f"({a.start}-{a.end}).")
    new = Schedule(dict(sched.assignments), dict(sched.unscheduled), sched.method + "+override",
                   sched.solve_s, sched.status)
    new.assignments[job.id] = Assignment(job.id, room.id, start, end, overridden=True)
    return new


def replan(sched: Schedule, jobs: list[Job], rooms: list[Room], now: int, *,
           down_room: str | None = None, overrun: tuple[str, int] | None = None) -> Schedule:
    """Re-plan at ``now``: started jobs stay (unless their room went down: then they are
    released again at ``now``); an overrun job ``(id, extra_min)`` is extended; all jobs
    not started are dispatched again."""
    rooms = [replace(r, down=True) if r.id == down_room else r for r in rooms]
    fixed: list[Assignment] = []
    again: list[Job] = []
    by_id = {j.id: j for j in jobs}
    for j in jobs:
        a = sched.assignments.get(j.id)
        if a is not None and a.start < now and a.room != down_room:
            if overrun and overrun[0] == j.id:
                a = replace(a, end=max(a.end, now) + overrun[1])
            fixed.append(a)
        elif a is not None and a.start < now and a.end <= now:
            fixed.append(a)                                  # finished before the failure
        else:
            again.append(replace(j, release=max(j.release, now)))
    out = dispatch(again, rooms, fixed=fixed)
    out.method = "replan"
    missing = [j for j in again if j.id not in out.assignments and j.id not in out.unscheduled]
    for j in missing:
        out.unscheduled[j.id] = "not placed"
    _ = by_id
    return out
