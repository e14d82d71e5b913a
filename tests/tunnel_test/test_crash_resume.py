"""Power loss: the runner process is SIGKILLed at random points of a 200-step run,
repeatedly; the journal stays consistent, resume finishes the run, abort records it."""
from __future__ import annotations

import os
import random
import signal
import threading
from dataclasses import dataclass

import pytest

from station_plugins.tunnel_test.adapters.journal import TunnelJournal
from station_plugins.tunnel_test.console import TunnelConsole
from station_plugins.tunnel_test.resume import plan_resume
from station_plugins.tunnel_test.runner import RunProcess, RunSpec
from station_plugins.tunnel_test.sequence_loader import load_sequence

from .conftest import trivial_sequence


@dataclass
class U:
    username: str
    roles: frozenset = frozenset({"quality_engineer"})


def _kill_after_steps(spec, n_steps):
    """Start a runner process; SIGKILL it right after ``n_steps`` step_end events."""
    seen = {"n": 0}
    gate = threading.Event()

    def on(kind, body):
        if kind == "event" and body["kind"] == "step_end":
            seen["n"] += 1
            if seen["n"] >= n_steps:
                gate.set()
        if kind in ("done", "failed", "lost"):
            gate.set()

    proc = RunProcess(spec, on)
    assert gate.wait(60)
    os.kill(proc.process.pid, signal.SIGKILL)
    proc.wait(30)
    return proc


@pytest.mark.slow
def test_kill_minus_9_at_random_points_then_resume(tmp_path, ws):
    seq_path = trivial_sequence(tmp_path, 200, step_fn="slow", args="{ms: 2}", groups=4)
    seq = load_sequence(seq_path)
    rng = random.Random(1234)
    data = tmp_path / "data"
    for round_ in range(3):
        spec = RunSpec(sequence_path=str(seq_path), serial=f"SN-{round_}", operator="op1",
                       data_dir=str(data))
        _kill_after_steps(spec, rng.randint(5, 190))
        j = TunnelJournal(spec.journal_path)
        run = j.run(spec.run_id)
        assert run["status"] == "running"                 # unfinished, offered on restart
        assert j.verify(spec.run_id) == []                # no gap, no torn event
        events = j.events(spec.run_id)
        plan = plan_resume(seq, events)
        done_before = len(plan.done)
        assert 0 < done_before < 200
        j.close()
        # resume in-process (what the console does after an audited decision)
        from station_plugins.tunnel_test.runner import run_here
        resume = RunSpec(**{**spec.__dict__, "resume_user": "sup1",
                            "resume_reason": "power restored"})
        out = run_here(resume)
        assert out.status == "completed" and out.verdict == "PASS"
        j = TunnelJournal(spec.journal_path)
        ev = j.events(spec.run_id)
        assert j.verify(spec.run_id) == []
        step_ends = [e["step"] for e in ev if e["kind"] == "step_end"]
        assert sorted(step_ends) == sorted(s.key for s in seq.main_steps())  # each once
        res = next(e for e in ev if e["kind"] == "resume")
        assert res["user"] == "sup1" and res["kept"] == done_before
        j.close()


@pytest.mark.slow
def test_interrupted_run_resume_and_abort_are_audited(tmp_path, ws):
    seq_path = trivial_sequence(tmp_path, 60, step_fn="slow", args="{ms: 2}")
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    qe = ws.auth.authenticate("qe1", "Us3r-secret-pw!")
    specs = []
    for sn in ("SN-R", "SN-A"):
        spec = console.make_spec(sequence_path=str(seq_path), serial=sn, user=qe)
        _kill_after_steps(spec, 10)
        specs.append(spec)
    assert {r["run_id"] for r in console.unfinished()} == {s.run_id for s in specs}
    # resume one
    rspec = console.resume_spec(specs[0].run_id, user=qe, reason="mains restored")
    out = console.run_inline(rspec)
    assert out.verdict == "PASS"
    row, decision = console.finish(specs[0].run_id, "qe1")
    assert row.payload["disposition"] == "PASS"
    # abort-and-record the other
    row2, _ = console.abort_and_record(specs[1].run_id, user=qe, reason="unit removed")
    # the record names exactly the steps the journal shows started and never ended (the
    # kill may fall between two steps or inside one)
    assert row2.payload["disposition"] == "ABORTED"
    j = TunnelJournal(specs[1].journal_path)
    try:
        ev = j.events(specs[1].run_id)
    finally:
        j.close()
    started = {e["step"] for e in ev if e["kind"] == "step_start"}
    ended = {e["step"] for e in ev if e["kind"] == "step_end"}
    assert set(row2.payload["steps_in_flight"]) == started - ended
    assert len(row2.payload["steps_in_flight"]) <= 1
    assert console.unfinished() == []
    from sqlalchemy import select

    from app.adapters import schema as S
    with ws.store.read() as conn:
        rows = conn.execute(select(S.audit_log.c.action, S.audit_log.c.username,
                                   S.audit_log.c.reason)
                            .where(S.audit_log.c.action.in_(["tunnel.resume", "tunnel.abort"]))
                            ).all()
    assert ("tunnel.resume", "qe1", "mains restored") in [tuple(r) for r in rows]
    assert ("tunnel.abort", "qe1", "unit removed") in [tuple(r) for r in rows]
    with pytest.raises(Exception, match="reason"):
        console.resume_spec(specs[0].run_id, user=qe, reason=" ")
    console.close()
