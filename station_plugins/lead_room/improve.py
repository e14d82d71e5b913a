"""Large-neighbourhood search on a room plan: small CP-SAT models over a few rooms.

Why: one CP-SAT model of a whole 300-job day (or of 8 h windows of ~100 jobs with ten
eligible rooms each) does not beat the dispatcher's plan within seconds. Here each
step frees every job of one lightly loaded room and, in a handful of rooms sharing a
capability with it, the jobs that overlap its time span (the rest of those rooms stay
as fixed intervals), and re-solves only those jobs in only those rooms, with the
current plan as the hint. Rooms outside the neighbourhood are untouched, so
the plan's score is a sum over rooms and a better neighbourhood is a better plan:
accepted at once, never worse. Emptying a lightly used room is what raises
utilisation and lets a room stand by. Objective as in :mod:`optimiser` (weighted
tardiness first, then rooms used, then the sum of end times). Qt-free.
"""
from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Callable, Sequence

from ortools.sat.python import cp_model

from app.core.tasks import CancelToken
from station_plugins.lead_room.scheduling import Assignment, Job, Room, Schedule

W_TARD, W_ROOM = 1_000_000, 100_000


def room_score(items: list[Assignment], jobs: dict[str, Job]) -> int:
    """One room's share of the objective (0 for an empty room)."""
    if not items:
        return 0
    tard = sum(jobs[a.job_id].priority * max(0, a.end - jobs[a.job_id].due) for a in items)
    return W_TARD * tard + W_ROOM + sum(a.end for a in items)


def _solve(free_jobs: list[Job], rooms: list[Room], hint: dict[str, Assignment],
           time_limit_s: float, seed: int,
           fixed: dict[str, list[Assignment]] | None = None) -> dict[str, Assignment] | None:
    """Place ``free_jobs`` in ``rooms`` around the ``fixed`` (kept) assignments."""
    fixed = fixed or {}
    m = cp_model.CpModel()
    last_fixed = max((a.end for items in fixed.values() for a in items), default=0)
    horizon = max(max(j.release for j in free_jobs), max(r.available_from for r in rooms),
                  last_fixed) + sum(j.duration for j in free_jobs) + 1
    per_room: dict[str, list] = {r.id: [m.new_fixed_size_interval_var(a.start, a.end - a.start,
                                                                   f"f_{a.job_id}")
                                        for a in fixed.get(r.id, [])] for r in rooms}
    lits: dict[tuple[str, str], cp_model.IntVar] = {}
    starts: dict[tuple[str, str], cp_model.IntVar] = {}
    used = {r.id: m.new_bool_var(f"u_{r.id}") for r in rooms}
    for rid, items in fixed.items():
        if items:
            m.add(used[rid] == 1)
    cost = []
    for j in free_jobs:
        options = []
        end_j = m.new_int_var(0, horizon, f"e_{j.id}")
        for r in rooms:
            if not r.can_run(j):
                continue
            d = r.duration(j)
            lo = max(j.release, r.available_from)
            lit = m.new_bool_var(f"x_{j.id}_{r.id}")
            st = m.new_int_var(lo, horizon - d, f"s_{j.id}_{r.id}")
            per_room[r.id].append(m.new_optional_interval_var(st, d, st + d, lit, f"i_{j.id}_{r.id}"))
            m.add(end_j == st + d).only_enforce_if(lit)
            m.add_implication(lit, used[r.id])
            lits[j.id, r.id], starts[j.id, r.id] = lit, st
            options.append(lit)
        if not options:
            return None
        m.add_exactly_one(options)
        tard = m.new_int_var(0, horizon, f"t_{j.id}")
        m.add(tard >= end_j - j.due)
        cost.append(W_TARD * j.priority * tard + end_j)
    for ivs in per_room.values():
        if len(ivs) > 1:
            m.add_no_overlap(ivs)
    m.minimize(sum(cost) + W_ROOM * sum(used.values()))
    for (jid, rid), lit in lits.items():
        h = hint.get(jid)
        on = h is not None and h.room == rid
        m.add_hint(lit, on)
        if on and h is not None:
            m.add_hint(starts[jid, rid], h.start)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    by_room = {r.id: r for r in rooms}
    out = {}
    for (jid, rid), lit in lits.items():
        if solver.value(lit):
            t0 = solver.value(starts[jid, rid])
            job = next(j for j in free_jobs if j.id == jid)
            out[jid] = Assignment(jid, rid, t0, t0 + by_room[rid].duration(job))
    return out


def _neighbourhood(plan: Schedule, rooms: list[Room], rng: random.Random, size: int,
                   rank: int, late_rooms: Sequence[str] = ()) -> list[Room]:
    """A seed room plus rooms sharing a capability: every other step a room with a late
    job (when there is one), else the ``rank``-th least-loaded room in use."""
    load: dict[str, int] = {}
    for a in plan.assignments.values():
        load[a.room] = load.get(a.room, 0) + a.end - a.start
    used = sorted((r for r in rooms if r.id in load and not r.down), key=lambda r: load[r.id])
    if not used:
        return []
    seed_room = used[rank % len(used)]
    if late_rooms and rank % 2:
        seed_room = next(r for r in rooms if r.id == late_rooms[rank // 2 % len(late_rooms)])
    mates = [r for r in rooms if r.id != seed_room.id and not r.down
             and r.capabilities & seed_room.capabilities and r.id in load]
    rng.shuffle(mates)
    return [seed_room] + mates[:size - 1]


def plan_score(plan: Schedule, jobs_by: dict[str, Job]) -> int:
    rooms: dict[str, list[Assignment]] = {}
    for a in plan.assignments.values():
        rooms.setdefault(a.room, []).append(a)
    return sum(room_score(items, jobs_by) for items in rooms.values())


def close_rooms(plan: Schedule, jobs: list[Job], rooms: list[Room], *, time_limit_s: float,
                rules: list[Callable[[list[Job], list[Room]], Schedule]]) -> Schedule:
    """Local search on the dispatcher's plan: take the least-loaded room in use out and
    plan again with each list rule (dispatcher, FIFO: on a tight room set FIFO often
    stays on time where the dispatcher does not); keep the best result when every job
    is still placed and the plan scores better (no more weighted tardiness, fewer
    rooms). The rules are instant, so a 300-job day tries every room in seconds."""
    jobs_by = {j.id: j for j in jobs}
    best, best_score = plan, plan_score(plan, jobs_by)
    tried: set[str] = set()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < time_limit_s:
        load: dict[str, int] = {}
        for a in best.assignments.values():
            load[a.room] = load.get(a.room, 0) + a.end - a.start
        cands = sorted((rid for rid in load if rid not in tried), key=lambda rid: load[rid])
        if not cands:
            break
        tried.add(cands[0])
        keep = set(load) - {cands[0]}
        subset = [r if r.id in keep else replace(r, down=True) for r in rooms]
        for rule in rules:
            trial = rule(jobs, subset)
            if len(trial.assignments) != len(best.assignments):
                continue
            score = plan_score(trial, jobs_by)
            if score < best_score:
                best, best_score = trial, score
                tried.clear()                   # a smaller set: every room is a candidate again
    return Schedule(dict(best.assignments), dict(plan.unscheduled), plan.method,
                    plan.solve_s + time.perf_counter() - t0, plan.status)


def improve(plan: Schedule, jobs: list[Job], rooms: list[Room], *, time_limit_s: float = 10.0,
            step_s: float = 0.3, size: int = 6, span_pad_min: int = 90, seed: int = 7,
            token: CancelToken | None = None,
            progress: Callable[[float, str], None] = lambda f, m: None) -> Schedule:
    """A plan at least as good as ``plan`` (same jobs placed), found within the time."""
    jobs_by = {j.id: j for j in jobs}
    current = dict(plan.assignments)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    steps = accepted = 0
    while time.perf_counter() - t0 < time_limit_s:
        if token is not None:
            token.raise_if_cancelled()
        late = sorted({a.room for a in current.values()
                       if a.end > jobs_by[a.job_id].due})
        hood = _neighbourhood(Schedule(current), rooms, rng, size, rank=steps // 2,
                              late_rooms=late)
        if not hood:
            break
        ids = {r.id for r in hood}
        inside = [a for a in current.values() if a.room in ids]
        # the seed room's jobs all move; in the other rooms only jobs near them in time
        seed_jobs = [a for a in inside if a.room == hood[0].id]
        lo = min(a.start for a in seed_jobs) - span_pad_min
        hi = max(a.end for a in seed_jobs) + span_pad_min
        mine = [a for a in inside if not a.overridden and (
            a.room == hood[0].id or (a.start < hi and lo < a.end))]
        kept: dict[str, list[Assignment]] = {}
        for a in inside:
            if a not in mine:
                kept.setdefault(a.room, []).append(a)
        left = time_limit_s - (time.perf_counter() - t0)
        got = _solve([jobs_by[a.job_id] for a in mine], hood, {a.job_id: a for a in mine},
                     min(step_s, max(0.05, left)), seed + steps, fixed=kept)
        steps += 1
        if got is None or len(got) != len(mine):
            continue
        after_plan = {**{a.job_id: a for a in inside}, **got}
        before = sum(room_score([a for a in inside if a.room == r], jobs_by) for r in ids)
        after = sum(room_score([a for a in after_plan.values() if a.room == r], jobs_by)
                    for r in ids)
        if after < before:
            current.update(got)
            accepted += 1
        progress(min(1.0, (time.perf_counter() - t0) / time_limit_s),
                 f"neighbourhood {steps}: {accepted} improvement(s)")
    return Schedule(current, dict(plan.unscheduled), plan.method,
                    plan.solve_s + time.perf_counter() - t0,
                    f"{plan.status}; LNS {steps} step(s), {accepted} accepted".lstrip("; "))
