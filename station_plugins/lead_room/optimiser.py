"""CP-SAT optimiser of the room schedule (OR-Tools), warm-started from the dispatcher.

Model per horizon window: for each job one optional interval per eligible room
(ExactlyOne presence per job), NoOverlap per room, start >= release; objective
``10^6 x weighted tardiness + 10^5 x rooms used + sum of ends`` (on-time first,
then consolidation so idle rooms can stand by, then compact = high utilisation).
Rolling horizon: jobs released inside [t, t + horizon) are optimised with everything
placed before fixed; the dispatcher's plan is the hint and the fallback (a window
that finds nothing better keeps the hint). ``run(...)`` follows the house signature
for long computations (token + progress). At 150-300 jobs the windows rarely beat the
dispatcher within seconds; the large-neighbourhood search that follows (a few rooms
at a time, :mod:`improve`) is what empties lightly used rooms there.
"""
from __future__ import annotations

import time
from typing import Callable

from ortools.sat.python import cp_model

from app.core.tasks import CancelToken
from station_plugins.lead_room.improve import close_rooms, improve
from station_plugins.lead_room.scheduling import (Assignment, Job, Room, Schedule, dispatch,
                                                  fifo, metrics)

W_TARD, W_ROOM = 1_000_000, 100_000     # on time first, then fewer rooms, then compact


def _solve_window(window: list[Job], rooms: list[Room], fixed: list[Assignment],
                  hint: Schedule, time_limit_s: float, workers: int) -> dict[str, Assignment]:
    m = cp_model.CpModel()
    busy_until = {r.id: r.available_from for r in rooms}
    for a in fixed:
        busy_until[a.room] = max(busy_until.get(a.room, 0), a.end)
    horizon = max(max(j.release for j in window), max(busy_until.values())) + \
        sum(j.duration for j in window) + 1
    per_room: dict[str, list] = {r.id: [] for r in rooms}
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    s: dict[tuple[str, str], cp_model.IntVar] = {}
    ends, tard_terms = [], []
    used: dict[str, cp_model.IntVar] = {}
    for j in window:
        lits = []
        end_j = m.new_int_var(0, horizon, f"e_{j.id}")
        for r in rooms:
            if not r.can_run(j):
                continue
            d = r.duration(j)
            lo = max(j.release, busy_until[r.id])
            if lo + d > horizon:
                continue
            lit = m.new_bool_var(f"x_{j.id}_{r.id}")
            st = m.new_int_var(lo, horizon - d, f"s_{j.id}_{r.id}")
            iv = m.new_optional_interval_var(st, d, st + d, lit, f"i_{j.id}_{r.id}")
            per_room[r.id].append(iv)
            m.add(end_j == st + d).only_enforce_if(lit)
            x[j.id, r.id], s[j.id, r.id] = lit, st
            lits.append(lit)
            u = used.setdefault(r.id, m.new_bool_var(f"u_{r.id}"))
            m.add_implication(lit, u)
        m.add_exactly_one(lits)
        t = m.new_int_var(0, horizon, f"t_{j.id}")
        m.add(t >= end_j - j.due)
        tard_terms.append(j.priority * t)
        ends.append(end_j)
    for ivs in per_room.values():
        if len(ivs) > 1:
            m.add_no_overlap(ivs)
    fixed_rooms = {a.room for a in fixed}
    room_cost = [u for rid, u in used.items() if rid not in fixed_rooms]
    m.minimize(W_TARD * sum(tard_terms) + W_ROOM * sum(room_cost) + sum(ends))
    for (jid, rid), lit in x.items():
        h = hint.assignments.get(jid)
        m.add_hint(lit, h is not None and h.room == rid)
        if h is not None and h.room == rid:
            m.add_hint(s[jid, rid], h.start)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    out = {}
    for (jid, rid), lit in x.items():
        if solver.value(lit):
            t0 = solver.value(s[jid, rid])
            d = next(r for r in rooms if r.id == rid).duration(
                next(j for j in window if j.id == jid))
            out[jid] = Assignment(jid, rid, t0, t0 + d)
    return out


def _score(sched: Schedule, jobs: list[Job]) -> float:
    mt = metrics(sched, jobs)
    return W_TARD * mt["weighted_tardiness"] + W_ROOM * mt["rooms_used"] + sum(
        a.end for a in sched.assignments.values())


def optimise(jobs: list[Job], rooms: list[Room], *, horizon_min: int = 480,
             time_limit_s: float = 5.0, workers: int = 2, lns_s: float | None = None,
             token: CancelToken | None = None,
             progress: Callable[[float, str], None] = lambda f, m: None) -> Schedule:
    """Rolling-horizon CP-SAT, then ``lns_s`` seconds (default 2 x ``time_limit_s``;
    0: none) of large-neighbourhood search over a few rooms at a time (:mod:`improve`)."""
    t_start = time.perf_counter()
    base = dispatch(jobs, rooms)
    todo = sorted((j for j in jobs if j.id in base.assignments), key=lambda j: j.release)
    if not todo:
        base.method = "cp-sat"
        return base
    fixed: list[Assignment] = []
    t = todo[0].release
    windows = 0
    while todo:
        if token is not None:
            token.raise_if_cancelled()
        window = [j for j in todo if j.release < t + horizon_min]
        if not window:
            t = todo[0].release
            continue
        rest = [j for j in todo if j.release >= t + horizon_min]
        hint = dispatch(window, rooms, fixed=fixed)
        got = _solve_window(window, rooms, fixed, hint, time_limit_s, workers)
        chosen = hint
        if len(got) == len(window):
            trial = Schedule({**{a.job_id: a for a in fixed}, **got})
            ref = Schedule({**{a.job_id: a for a in fixed},
                            **{k: v for k, v in hint.assignments.items()
                               if k in {j.id for j in window}}})
            win_jobs = [j for j in jobs if j.id in trial.assignments]
            if _score(trial, win_jobs) <= _score(ref, win_jobs):
                chosen = trial
        fixed = [a for a in chosen.assignments.values()]
        todo = rest
        t += horizon_min
        windows += 1
        progress(1 - len(todo) / max(1, len(jobs)), f"window {windows} optimised")
    out = Schedule({a.job_id: a for a in fixed}, dict(base.unscheduled), "cp-sat",
                   time.perf_counter() - t_start, f"{windows} window(s)")
    placed = [j for j in jobs if j.id in base.assignments]
    if _score(base, placed) < _score(out, placed):      # never worse than the dispatcher
        out = Schedule(dict(base.assignments), dict(base.unscheduled), "cp-sat",
                       time.perf_counter() - t_start, f"{windows} window(s); dispatcher kept")
    lns_s = 2 * time_limit_s if lns_s is None else lns_s
    if lns_s > 0:
        t_lns = time.perf_counter()
        first = fifo(jobs, rooms)         # on tight days FIFO is often later-free than ATC
        if len(first.assignments) == len(out.assignments) and \
                _score(first, placed) < _score(out, placed):
            out = Schedule(first.assignments, dict(base.unscheduled), "cp-sat", 0.0,
                           f"{out.status}; started from FIFO")
        closed = close_rooms(out, placed, rooms, time_limit_s=lns_s / 3, rules=[dispatch, fifo])
        if _score(closed, placed) < _score(out, placed):
            closed.status = f"{out.status}; rooms closed by re-dispatch"
            out = closed
        out = improve(out, placed, rooms, time_limit_s=lns_s - (time.perf_counter() - t_lns),
                      token=token,
                      progress=lambda f, m: progress(f, m))
        out.solve_s = time.perf_counter() - t_start
    return out


def run(inputs: tuple[list[Job], list[Room]], *, token: CancelToken,
        progress: Callable[[float, str], None], horizon_min: int = 480,
        time_limit_s: float = 5.0, workers: int = 2, lns_s: float | None = None) -> Schedule:
    jobs, rooms = inputs
    return optimise(jobs, rooms, token=token, progress=progress, horizon_min=horizon_min,
                    time_limit_s=time_limit_s, workers=workers, lns_s=lns_s)
