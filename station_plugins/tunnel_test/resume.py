"""Resume after a crash: what the journal says is done, and where to start again.

A step counts as done only when its ``step_end`` is in the journal (the step in flight
at the crash is run again). A group marked ``resume: group`` - or one whose in-flight
step is not ``resumable`` - is rerun from its start. Setups always rerun.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from station_plugins.tunnel_test.sequence_model import Sequence


@dataclass
class ResumePlan:
    run_id: str
    done: dict[str, str] = field(default_factory=dict)        # step key -> verdict
    outputs: dict[str, dict] = field(default_factory=dict)    # scalar outputs kept
    verdicts: dict[str, str] = field(default_factory=dict)
    first_step: str = ""
    restarted_groups: list[str] = field(default_factory=list)
    in_flight: str = ""


def plan_resume(seq: Sequence, events: list[dict]) -> ResumePlan:
    if not events or events[0].get("kind") != "run_start":
        raise ValueError("journal has no run_start for this run")
    run_id = events[0]["run_id"]
    header_sha = events[0].get("sequence", {}).get("sha256")
    if header_sha and header_sha != seq.sha256:
        raise ValueError(f"the sequence file changed since the run started "
                         f"(sha256 {header_sha[:12]}... vs {seq.sha256[:12]}...)")
    ended: dict[str, str] = {}
    outputs: dict[str, dict] = {}
    started: list[str] = []
    for ev in events:
        k = ev.get("kind")
        if k == "step_start":
            started.append(ev["step"])
        elif k == "step_end":
            ended[ev["step"]] = ev["verdict"]
        elif k == "attempt" and not ev.get("error"):
            outputs[ev["step"]] = ev.get("outputs", {})
        elif k == "run_end":
            raise ValueError("this run has already ended")
    in_flight = next((s for s in reversed(started) if s not in ended), "")
    plan = ResumePlan(run_id=run_id, in_flight=in_flight)
    main_keys = {s.key for s in seq.main_steps()}
    for g in seq.groups:
        keys = [s.key for s in g.steps]
        partial = any(k in ended for k in keys) and not all(k in ended for k in keys)
        flight_step = next((s for s in g.steps if s.key == in_flight), None)
        restart = partial and (g.resume == "group" or
                               (flight_step is not None and not flight_step.resumable))
        if restart:
            plan.restarted_groups.append(g.key)
            continue
        for k in keys:
            if k in ended:
                plan.done[k] = ended[k]
    plan.verdicts = dict(plan.done)
    plan.outputs = {k: v for k, v in outputs.items() if k in plan.done}
    plan.first_step = next((s.key for s in seq.main_steps() if s.key not in plan.done), "")
    assert set(plan.done) <= main_keys
    return plan
