"""Engine: journal-first events, verdict rules, retries, timeouts + safe state, abort,
prompts, conditions, disk full, named locks."""
from __future__ import annotations

import errno
import threading
from pathlib import Path


from station_plugins.tunnel_test.adapters.journal import TunnelJournal
from station_plugins.tunnel_test.carm_sim import CArmSim, Defects
from station_plugins.tunnel_test.drivers import LocalDriverSet, known_driver_names
from station_plugins.tunnel_test.engine import RunEngine, RunRequest
from station_plugins.tunnel_test.execution import NamedLocks
from station_plugins.tunnel_test.sequence_loader import load_sequence

from .conftest import SL, trivial_sequence, write_seq


class RecordingDrivers(LocalDriverSet):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.calls: list[str] = []

    def call(self, name, args, timeout_s):
        self.calls.append(name)
        return super().call(name, args, timeout_s)


def run(seq_path, journal, tmp_path, *, drivers=None, prompt=None, listener=None, **req):
    seq = load_sequence(seq_path, known_drivers=known_driver_names())
    drivers = drivers or RecordingDrivers()
    eng = RunEngine(RunRequest(seq, serial="SN1", operator="op1", **req), drivers=drivers,
                    journal=journal, data_dir=tmp_path, prompt=prompt, listener=listener)
    out = eng.run()
    drivers.close()
    return out, journal.events(out.run_id), drivers


def ends(events):
    return {e["step"]: e for e in events if e["kind"] == "step_end"}


def test_nominal_run_passes_and_listener_hears_only_committed_events(mini_seq, tmp_path):
    j = TunnelJournal(tmp_path / "j.db")
    reader = TunnelJournal(tmp_path / "j.db")        # a second connection sees commits only
    heard: list[int] = []

    def listener(ev):
        stored = [e["seq"] for e in reader.events(ev["run_id"] if "run_id" in ev else run_id[0])]
        assert ev["seq"] in stored, "listener told before the journal commit"
        heard.append(ev["seq"])

    run_id: list[str] = []
    seq = load_sequence(mini_seq, known_drivers=known_driver_names())
    eng = RunEngine(RunRequest(seq, serial="SN1", operator="op1"), drivers=LocalDriverSet(),
                    journal=j, data_dir=tmp_path, listener=listener)
    run_id.append(eng.req.run_id)
    out = eng.run()
    assert out.status == "completed" and out.verdict == "PASS"
    ev = j.events(out.run_id)
    assert heard == [e["seq"] for e in ev]
    assert j.verify(out.run_id) == []
    assert [e["kind"] for e in ev][0] == "run_start" and ev[-1]["kind"] == "run_end"
    wave = next(e for e in ev if e["kind"] == "measurement" and e["name"] == "current")
    att = Path(tmp_path / "attachments" / out.run_id / wave["attachment"]["file"])
    from app.core.ids import sha256_hex
    assert sha256_hex(att.read_bytes()) == wave["attachment"]["sha256"]
    j.close()
    reader.close()


def test_step_that_raises_is_error_and_run_never_passes(tmp_path, journal):
    p = write_seq(tmp_path, f"""\
groups:
  - key: g
    steps:
      - key: ok
        action: {{python: '{SL}:trivial'}}
        measurements: [{{name: value, unit: V, limits: {{low: 0, high: 2}}}}]
      - key: boom
        retries: 1
        action: {{python: '{SL}:raises'}}
        measurements: [{{name: value, unit: V, limits: {{low: 0, high: 2}}}}]
""")
    out, ev, _ = run(p, journal, tmp_path)
    assert out.status == "completed" and out.verdict == "ERROR"
    boom = [e for e in ev if e["kind"] == "attempt" and e["step"] == "boom"]
    assert len(boom) == 2 and all("RuntimeError" in a["error"] for a in boom)
    assert ends(ev)["boom"]["verdict"] == "ERROR"


def test_retry_records_every_attempt(tmp_path, journal):
    p = write_seq(tmp_path, """\
groups:
  - key: g
    steps:
      - key: flaky
        retries: 2
        action: {driver: generator.expose, args: {kv: 80, ma: 5, ms: 100}}
        measurements: [{name: kv, from: kv_measured, unit: kV, limits: {nominal: 80, tolerance: 4}}]
""")
    drivers = RecordingDrivers()
    n = {"c": 0}
    orig = drivers.call

    def flaky(name, args, timeout_s):
        if name == "generator.expose":
            n["c"] += 1
            if n["c"] == 1:
                raise ConnectionError("link glitch")
        return orig(name, args, timeout_s)

    drivers.call = flaky
    out, ev, _ = run(p, journal, tmp_path, drivers=drivers)
    attempts = [e for e in ev if e["kind"] == "attempt"]
    assert [a["verdict"] for a in attempts] == ["ERROR", "PASS"]
    assert out.verdict == "PASS"


def test_hung_driver_times_out_runs_safe_state_and_marks_error(tmp_path, journal):
    p = write_seq(tmp_path, """\
groups:
  - key: g
    steps:
      - key: hang
        timeout_s: 0.3
        action: {driver: axis.brake_test, args: {axis: lift, torque: 50}}
        measurements: [{name: slip, unit: mm, limits: {high: 0.5}}]
      - key: never
        action: {driver: sensors.read}
""")
    drivers = RecordingDrivers(faults={"axis.brake_test": "hang"})
    out, ev, d = run(p, journal, tmp_path, drivers=drivers)
    assert out.status == "error" and out.verdict == "ERROR"
    assert ends(ev)["hang"]["verdict"] == "ERROR" and "never" not in ends(ev)
    safe = next(e for e in ev if e["kind"] == "safe_state")
    assert [a["action"] for a in safe["actions"]] == ["generator.beam_off", "axis.stop_all"]
    assert all(a["ok"] for a in safe["actions"])
    assert d.calls[-2:] == ["generator.beam_off", "axis.stop_all"]
    assert ev[-1]["abandoned_calls"] == 1


def test_abort_with_reason_runs_safe_state(tmp_path, journal):
    p = trivial_sequence(tmp_path, 50, step_fn="slow", args="{ms: 5}")
    seq = load_sequence(p)
    j = journal
    eng_box = []

    def listener(ev):
        if ev["kind"] == "step_end" and ev["step"] == "s0.3":
            eng_box[0].request_abort("fixture fell", "op1")

    eng = RunEngine(RunRequest(seq, serial="SN1", operator="op1"), drivers=RecordingDrivers(),
                    journal=j, data_dir=tmp_path, listener=listener)
    eng_box.append(eng)
    out = eng.run()
    ev = j.events(out.run_id)
    assert out.status == "aborted" and out.verdict == "ABORTED"
    assert "fixture fell" in ev[-1]["reason"] and "op1" in ev[-1]["reason"]
    assert any(e["kind"] == "safe_state" for e in ev)
    assert len(ends(ev)) < 50


def test_prompt_answers_are_journaled_with_user(tmp_path, journal):
    p = write_seq(tmp_path, """\
groups:
  - key: g
    steps:
      - key: look
        prompt: {text: "Labels ok?", choices: ["Yes", "No"], pass_choices: ["Yes"]}
""")
    out, ev, _ = run(p, journal, tmp_path, prompt=lambda e: {"choice": "No", "user": "op1"})
    ans = next(e for e in ev if e["kind"] == "prompt_answer")
    assert ans["choice"] == "No" and ans["user"] == "op1" and ans["pass"] is False
    assert out.verdict == "FAIL"


def test_conditions_preconditions_marginal_and_multi(tmp_path, journal):
    p = write_seq(tmp_path, f"""\
groups:
  - key: g
    steps:
      - key: door_open
        action: {{driver: door.set, args: {{closed: false}}}}
      - key: xray
        precondition: "read('door.closed')"
        action: {{driver: generator.expose, args: {{kv: 80, ma: 5, ms: 10}}}}
      - key: skipped
        skip_if: "verdicts['xray'] == 'ERROR'"
        action: {{driver: sensors.read}}
      - key: marginal
        action: {{python: '{SL}:trivial', args: {{value: 1.9}}}}
        measurements: [{{name: value, unit: V, limits: {{low: 0, high: 2, marginal_high: 1.5}}}}]
      - key: multi
        action: {{python: '{SL}:positioning', args: {{axis: lift, targets: [10, 20, 30], speed: 10}}}}
        measurements: [{{name: errors, unit: mm, kind: multi, limits: {{low: -0.5, high: 0.5}}}}]
""")
    out, ev, _ = run(p, journal, tmp_path)
    e = ends(ev)
    assert e["xray"]["verdict"] == "ERROR" and "precondition" in e["xray"]["reason"]
    assert e["skipped"]["verdict"] == "SKIP"
    assert e["marginal"]["verdict"] == "WARN"
    multi = next(x for x in ev if x["kind"] == "measurement" and x["name"] == "errors")
    assert len(multi["values"]) == 3 and multi["labels"] == ["10", "20", "30"]
    assert out.verdict == "ERROR"


def test_group_retry_reruns_setup_and_steps(tmp_path, journal):
    p = write_seq(tmp_path, """\
groups:
  - key: g
    retries: 1
    retry_on: [FAIL]
    setup:
      - key: g.setup
        action: {driver: door.set, args: {closed: true}}
    steps:
      - key: leak
        action: {driver: safety.earth_resistance, args: {point: frame}}
        measurements: [{name: resistance, unit: ohm, limits: {high: 0.1}}]
""")
    out, ev, d = run(p, journal, tmp_path, drivers=RecordingDrivers(CArmSim(
        defects=Defects(leaky_earth=True))))
    assert [e["attempt"] for e in ev if e["kind"] == "group_start"] == [1, 2]
    assert d.calls.count("door.set") == 2 and out.verdict == "FAIL"


class FullDiskJournal(TunnelJournal):
    """Journal whose writes fail with ENOSPC after ``ok`` successful appends."""

    def __init__(self, path, ok):
        super().__init__(path)
        self.ok = ok

    def append(self, run_id, events, **kw):
        if self.ok <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.ok -= 1
        return super().append(run_id, events, **kw)


def test_disk_full_stops_safely_and_keeps_what_was_written(tmp_path):
    p = trivial_sequence(tmp_path, 40)
    j = FullDiskJournal(tmp_path / "j.db", ok=25)
    heard = []
    drivers = RecordingDrivers()
    seq = load_sequence(p)
    eng = RunEngine(RunRequest(seq, serial="SN1", operator="op1"), drivers=drivers, journal=j,
                    data_dir=tmp_path, listener=heard.append)
    out = eng.run()
    assert out.status == "journal_failed" and out.verdict == "ERROR"
    assert drivers.calls[-2:] == ["generator.beam_off", "axis.stop_all"]   # safe state ran
    assert heard[-1]["journaled"] is False and heard[-1]["kind"] == "run_end"
    j.close()
    again = TunnelJournal(tmp_path / "j.db")
    kept = again.events(out.run_id)
    assert again.verify(out.run_id) == []
    assert [e["seq"] for e in kept] == [e["seq"] for e in heard if e.get("journaled", True)]
    assert again.run(out.run_id)["status"] == "running"    # offered for resume / abort
    again.close()


def test_named_locks_serialise_a_shared_instrument_across_tunnels(tmp_path):
    locks = NamedLocks(tmp_path / "locks")
    inside, overlaps = [], []
    guard = threading.Lock()

    def tunnel():
        for _ in range(20):
            with locks.hold(("safety_analyser",)):
                with guard:
                    inside.append(1)
                    if len(inside) > 1:
                        overlaps.append(1)
                threading.Event().wait(0.001)
                with guard:
                    inside.pop()

    ts = [threading.Thread(target=tunnel) for _ in range(2)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert overlaps == []


def test_two_tunnels_run_in_parallel_with_one_journal(tmp_path, mini_seq):
    j = TunnelJournal(tmp_path / "j.db")
    seq = load_sequence(mini_seq)
    outs = []

    def tunnel(sock):
        eng = RunEngine(RunRequest(seq, serial=f"SN-{sock}", operator="op1", socket=sock),
                        drivers=LocalDriverSet(), journal=j, data_dir=tmp_path)
        outs.append(eng.run())

    ts = [threading.Thread(target=tunnel, args=(s,)) for s in "AB"]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert sorted(o.verdict for o in outs) == ["PASS", "PASS"]
    assert all(j.verify(o.run_id) == [] for o in outs)
    j.close()
