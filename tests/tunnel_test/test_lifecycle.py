"""Run lifecycle under kill -9 (D1, D2, D12): no tested unit without its record, no
runner without its console, one writer per run, safe state on every abnormal end.

Every kill is real (SIGKILL to real processes); every wait is bounded; nothing asserts
a duration."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from station_plugins.tunnel_test.adapters.journal import TunnelJournal
from station_plugins.tunnel_test.console import TunnelConsole
from station_plugins.tunnel_test.run_lock import RunBusy, RunLock
from station_plugins.tunnel_test.runner import RunProcess, RunSpec, run_here

from .conftest import SL, USER_PW, trivial_sequence, write_seq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from waiting import wait_for  # noqa: E402

from tests.accounts import PASSWORD, make_user  # noqa: E402


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _gone(pid: int) -> bool:
    """Every thread of ``pid`` exited (the leader turns zombie before a thread stuck in an
    fsync is gone; the process's files - its run lock - go with the last thread)."""
    import glob

    for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            with open(stat) as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    return False
        except (OSError, IndexError):
            continue
    return True


def _hang_seq(folder: Path) -> Path:
    """A few quick steps, then a step that blocks in its call (like a long beam_on)."""
    body = ["groups:", "  - key: g", "    steps:"]
    for i in range(3):
        body += [f"      - key: s{i}", f"        action: {{python: '{SL}:trivial'}}",
                 "        measurements: [{name: value, unit: V, limits: {low: 0, high: 2}}]"]
    body += ["      - key: beam", f"        action: {{python: '{SL}:hang'}}",
             "        timeout_s: 300"]
    return write_seq(folder, "\n".join(body) + "\n", name="hang.yaml", id="hang")


def _console_process(spec: RunSpec) -> tuple[subprocess.Popen, int, list[str]]:
    """The console process, its runner's pid, and its output lines (read by a thread, so
    every wait on them is bounded)."""
    p = subprocess.Popen([sys.executable, "-m", "tests.tunnel_test.console_proc",
                          json.dumps(spec.__dict__)], cwd=ROOT, env=_env(),
                         stdout=subprocess.PIPE, text=True)
    lines: list[str] = []

    def read() -> None:
        for line in p.stdout:
            lines.append(line.strip())

    threading.Thread(target=read, daemon=True).start()
    first = wait_for(lambda: lines and lines[0], timeout=60, what="the console to start")
    assert first.startswith("RUNNER "), first
    return p, int(first.split()[1]), lines


# --- D2: the runner dies with its console; one writer per run -------------------------
@pytest.mark.slow
def test_console_killed_runner_makes_unit_safe_journals_and_stops(tmp_path):
    spec = RunSpec(sequence_path=str(_hang_seq(tmp_path)), serial="SN-ORPHAN",
                   operator="op1", data_dir=str(tmp_path / "data"))
    console, runner_pid, lines = _console_process(spec)
    try:                                  # until the runner is inside the blocking call
        wait_for(lambda: "START beam" in lines, timeout=60, what="the blocking step")
        os.kill(console.pid, signal.SIGKILL)
        console.wait(30)
        wait_for(lambda: _gone(runner_pid), timeout=60, what="the runner to stop")
    finally:
        if console.poll() is None:
            console.kill()
    j = TunnelJournal(spec.journal_path)
    try:
        run, events = j.run(spec.run_id), j.events(spec.run_id)
        assert run["status"] == "running"              # interrupted, resumable
        kinds = [e["kind"] for e in events]
        assert kinds[-2:] == ["safe_state", "interrupted"]
        safe = events[-2]
        assert safe["by"] == "runner" and "console lost" in safe["reason"]
        assert {a["action"] for a in safe["actions"]} == {"generator.beam_off", "axis.stop_all"}
        assert all(a["ok"] for a in safe["actions"])
        assert "step_end" not in kinds[kinds.index("interrupted"):]   # nothing ran after
        assert j.verify(spec.run_id) == []
    finally:
        j.close()
    wait_for(lambda: RunLock(spec.data_dir, spec.run_id).holder() is None, timeout=60,
             what="the runner's lock to be released with the process")


@pytest.mark.slow
def test_resume_refused_while_another_runner_writes_the_run(tmp_path, ws):
    seq = trivial_sequence(tmp_path, 400, step_fn="slow", args="{ms: 20}")
    qe = ws.auth.authenticate("qe1", USER_PW)
    first = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    spec = first.make_spec(sequence_path=str(seq), serial="SN-TWO", user=qe)
    started = threading.Event()
    proc = first.start_process(spec, lambda k, b: started.set()
                               if k == "event" and b["kind"] == "step_end" else None)
    second = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    try:
        assert started.wait(60)
        holder = RunLock(spec.data_dir, spec.run_id).holder()
        assert holder and holder["pid"] == proc.process.pid
        with pytest.raises(RunBusy, match=f"process {proc.process.pid}"):
            second.resume_spec(spec.run_id, user=qe, reason="second console")
        with pytest.raises(RunBusy):
            second.abort_and_record(spec.run_id, user=qe, reason="second console")
        with pytest.raises(RunBusy):          # a second runner process refuses too
            run_here(RunSpec(**{**spec.__dict__, "resume_user": "qe1",
                                "resume_reason": "x"}))
    finally:
        os.kill(proc.process.pid, signal.SIGKILL)
        proc.wait(30)
    # the writer is dead (all its threads: the OS drops the lock with the last one): the
    # lock is stale and the run can be resumed now
    wait_for(lambda: RunLock(spec.data_dir, spec.run_id).holder() is None, timeout=60,
             what="the killed runner's lock to be released")
    assert second.resume_spec(spec.run_id, user=qe, reason="runner gone").run_id == spec.run_id
    first.close()
    second.close()


# --- D12: safe state on every abnormal end ------------------------------------------
@pytest.mark.slow
def test_runner_killed_console_drives_safe_state_and_journals_it(tmp_path, ws):
    seq = trivial_sequence(tmp_path, 300, step_fn="slow", args="{ms: 10}")
    qe = ws.auth.authenticate("qe1", USER_PW)
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    spec = console.make_spec(sequence_path=str(seq), serial="SN-KILL", user=qe)
    got: dict = {}
    ten = threading.Event()

    def on(kind, body):
        if kind == "event" and body["kind"] == "step_end" and body["step"] == "s0.10":
            ten.set()
        if kind in ("lost", "done", "failed"):
            got[kind] = body

    proc = console.start_process(spec, on)
    assert ten.wait(60)
    os.kill(proc.process.pid, signal.SIGKILL)
    assert proc.wait(60)
    lost = got["lost"]
    assert lost["safe_state"]["by"] == "console"
    assert [a["ok"] for a in lost["safe_state"]["actions"]] == [True, True]
    last = console.journal.last_event(spec.run_id)
    assert last["kind"] == "safe_state" and "runner process ended" in last["reason"]
    unfinished = console.unfinished()
    assert [u["safe_state"] for u in unfinished] == [True]
    assert console.journal.verify(spec.run_id) == []
    console.close()


def test_whole_tree_killed_next_console_makes_unit_safe(tmp_path, ws):
    seq = trivial_sequence(tmp_path, 200, step_fn="slow", args="{ms: 5}")
    spec = RunSpec(sequence_path=str(seq), serial="SN-TREE", operator="op1",
                   data_dir=str(tmp_path / "st"))
    seen = threading.Event()
    proc = RunProcess(spec, lambda k, b: seen.set()
                      if k == "event" and b["kind"] == "step_end" else None)
    assert seen.wait(60)
    os.kill(proc.process.pid, signal.SIGKILL)      # nobody is told: console gone as well
    proc.wait(30)
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    try:
        (run,) = console.unfinished()
        assert run["run_id"] == spec.run_id and run["safe_state"] is True
        ev = console.journal.last_event(spec.run_id)
        assert ev["kind"] == "safe_state" and ev["by"] == "console"
        assert "found interrupted" in ev["reason"]
        n = len(console.journal.events(spec.run_id))
        console.unfinished()                             # once, not on every look
        assert len(console.journal.events(spec.run_id)) == n
        # abort-and-record keeps it on the record
        qe = ws.auth.authenticate("qe1", USER_PW)
        row, _ = console.abort_and_record(spec.run_id, user=qe, reason="unit removed")
        assert any(e["kind"] == "safe_state" for e in row.payload["events"])
    finally:
        console.close()


def test_run_ending_in_error_link_lost_makes_unit_safe(tmp_path, ws, mini_seq):
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    qe = ws.auth.authenticate("qe1", USER_PW)
    spec = console.make_spec(sequence_path=str(mini_seq), serial="SN-LINK", user=qe,
                             faults={"generator.expose": "bad_status"})
    out = console.run_inline(spec)
    assert out.verdict == "ERROR"
    row, _ = console.finish(out.run_id, "qe1")
    safe = [e for e in row.payload["events"] if e["kind"] == "safe_state"]
    assert safe and [a["action"] for a in safe[0]["actions"]] == ["generator.beam_off",
                                                                  "axis.stop_all"]
    console.close()


# --- D1: a run that ended without a record is recovered by whoever finds it --------------
def _ended_without_record(tmp_path: Path, seq: Path, data: Path, serial: str) -> str:
    """The state a crash between run_end and the record commit leaves behind."""
    spec = RunSpec(sequence_path=str(seq), serial=serial, operator="op1", data_dir=str(data))
    out = run_here(spec)
    assert out.status == "completed"
    return spec.run_id


def test_console_start_recovers_record_idempotently_and_queues_mes(tmp_path, ws, mes,
                                                                   mini_seq):
    from app.adapters.mes import MesClient

    data = tmp_path / "st"
    run_id = _ended_without_record(tmp_path, mini_seq, data, "SN-D1")
    consoles = [TunnelConsole(data_dir=data, store=ws.store, audit=ws.audit,
                              signatures=ws.signatures, mes=MesClient(mes.url, timeout_s=2))
                for _ in range(2)]
    try:
        rec = [r for c in consoles for r in c.recovered]
        assert [r["created"] for r in rec] == [True]          # the second found it done
        rows = ws.store.query_records(kind="tunnel.run", ref=run_id)
        assert len(rows) == 1 and rows[0].payload["disposition"] == "PASS"
        assert consoles[1].journal.run(run_id)["record_id"] == rows[0].id
        outbox = {o["kind"]: o for o in consoles[0].journal.outbox_all(run_id)}
        assert {"units_tested", "work_completed"} <= set(outbox)
        assert mes.messages[f"{run_id}:results"]["body"]["record_id"] == rows[0].id
        again, decision = consoles[1].recover(run_id)
        assert again.id == rows[0].id and decision["created"] is False
        assert len(ws.store.query_records(kind="tunnel.run", ref=run_id)) == 1
        entries = ws.audit.entries(action="tunnel.recover")
        assert len(entries) == 1 and entries[0].entity_id == run_id
    finally:
        for c in consoles:
            c.close()


@pytest.mark.slow
def test_cli_recover_and_list_commit_the_stranded_record(tmp_path, mini_seq, capsys):
    from app.main import main

    data = tmp_path / "data"
    common = ["--data-dir", str(data)]
    assert main(["tunnel", "outbox", *common]) in (0, 1)        # creates the data folder
    station_dir = data / "stations" / "tunnel_test"
    run_id = _ended_without_record(tmp_path, mini_seq, station_dir, "SN-CLI")
    capsys.readouterr()
    assert main(["tunnel", "recover", run_id, *common]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["run_id"] == run_id and first["disposition"] == "PASS" and first["record_id"]
    assert main(["tunnel", "recover", run_id, *common]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert second["record_id"] == first["record_id"] and second["created"] is False
    run2 = _ended_without_record(tmp_path, mini_seq, station_dir, "SN-LIST")
    capsys.readouterr()
    assert main(["tunnel", "list", "--json", *common]) == 0
    listing = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    by_id = {r["run_id"]: r for r in listing}
    assert by_id[run2]["record_id"] and by_id[run_id]["record_id"] == first["record_id"]
    assert main(["tunnel", "recover", "nope", *common]) == 2


@pytest.mark.slow
def test_kill_whole_tree_between_run_end_and_record_then_list_recovers(tmp_path, mini_seq):
    """The issue's reproduction: poll the journal, SIGKILL the process group as soon as
    the run leaves 'running' (run_end journalled, record maybe not yet committed). Under
    heavy load the console may finish before the poller sees the change; then the run is
    repeated (up to 3 times)."""
    import sqlite3
    import time

    from app.main import main

    data = tmp_path / "data"
    cfg = tmp_path / "pharos.toml"
    cfg.write_text('[stations.tunnel_test]\nendpoint = "local"\n', encoding="utf-8")
    common = ["--data-dir", str(data), "--config", str(cfg)]
    jpath = data / "stations" / "tunnel_test" / "tunnel_journal.db"

    make_user(data, "op1", "operator", config=cfg)        # `tunnel run` needs a login (D17)

    def run_and_kill(serial: str) -> str | None:
        p = subprocess.Popen([sys.executable, "-m", "app", "tunnel", "run", "--sequence",
                              str(mini_seq), "--serial", serial, "--as", "op1", *common],
                             cwd=ROOT, env={**_env(), "PHAROS_PASSWORD": PASSWORD},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        status = None
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and p.poll() is None:
                if jpath.exists():
                    try:
                        con = sqlite3.connect(f"file:{jpath}?mode=ro", uri=True, timeout=1)
                        row = con.execute("SELECT status FROM tunnel_runs WHERE serial=?",
                                          (serial,)).fetchone()
                        con.close()
                    except sqlite3.Error:
                        row = None
                    if row and row[0] != "running":
                        status = row[0]
                        break
                time.sleep(0.005)
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(30)
        return status

    caught = next((sn for sn in (f"SN-GROUP-{i}" for i in range(3)) if run_and_kill(sn)), None)
    assert caught, "the run never left 'running' while its console was alive"
    assert main(["tunnel", "list", *common]) == 0
    j = TunnelJournal(jpath)
    try:
        for run in j.runs():
            assert run["status"] == "completed" and run["record_id"]   # committed
            kinds = {o["kind"] for o in j.outbox_all(run["run_id"])}
            assert {"work_started", "units_tested", "work_completed"} <= kinds
    finally:
        j.close()


def test_next_unit_starts_while_the_previous_runner_is_still_exiting(tmp_path, ws, mini_seq):
    """Issue 17: once a run reported its end (run_end journalled) the socket is free; the
    next unit scanned at once was refused ("socket A is already running a unit") or
    silently ignored by the console while the old runner process was still closing."""
    qe = ws.auth.authenticate("qe1", USER_PW)
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    second: dict = {}
    holder: list = []

    def on(kind, body):
        if kind == "done":                    # the runner is still exiting right now
            proc = holder[0]
            second["state"] = (proc.ended, proc.running)
            spec2 = console.make_spec(sequence_path=str(mini_seq), serial="SN-NEXT", user=qe,
                                      endpoint="")
            try:
                second["proc"] = console.start_process(spec2, lambda k, b: None)
            except Exception as exc:  # noqa: BLE001 - the assertion below names it
                second["error"] = exc

    spec = console.make_spec(sequence_path=str(mini_seq), serial="SN-FIRST", user=qe,
                             endpoint="")
    holder.append(console.start_process(spec, on))
    assert holder[0].wait(60)
    try:
        assert "error" not in second, second.get("error")
        assert second["state"] == (True, False)
        assert second["proc"].wait(60) and second["proc"].ended
    finally:
        console.close()
