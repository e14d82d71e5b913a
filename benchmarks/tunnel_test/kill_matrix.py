"""Kill-point matrix of the tunnel console: SIGKILL at 20+ points, then recover.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/tunnel_test/kill_matrix.py [--out m.json]

Every run is a real ``pharos tunnel run`` console process (headless CLI, in-process
simulated C-arm, simulated MES over HTTP) with its real runner process. A poller reads
the journal (read-only) and kills at the first moment the kill point is reached - the
runner, the console, or the whole process tree (SIGKILL; one SIGTERM row). Then a
restarted console does what the station does at start: commits stranded records,
makes interrupted units safe, and (as a supervisor would) resumes the run and commits
its record. Per row: where killed (and the step in flight), who had journalled
``safe_state`` before the restart's resume, steps lost, steps duplicated, whether the
record is present, MES messages per kind on the MES side (exactly once).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SL = "station_plugins.tunnel_test.steplib"
PW = "Adm1n-kill-matrix"
MATRIX_PASSWORD = "Op3rator-kill-matrix"     # the console's operator (`tunnel run --as`)


def sequence(folder: Path) -> Path:
    lines = ["format: pharos.tunnel.sequence/1", "id: killmatrix", 'version: "1.0"',
             "status: released", "safe_state:", "  - {driver: generator.beam_off}",
             "  - {driver: axis.stop_all}", "setup:", "  - key: setup.door",
             "    action: {driver: door.set, args: {closed: true}}",
             "    measurements: [{name: closed, unit: bool, limits: {equals: true}}]",
             "groups:"]
    meas = "        measurements: [{name: value, unit: V, limits: {low: 0, high: 2}}]"

    def slow(key: str, ms: int = 15) -> list[str]:
        return [f"      - key: {key}", f"        action: {{python: '{SL}:slow', args: {{ms: {ms}}}}}",
                meas]
    lines += ["  - key: basic", "    teardown:", "      - key: basic.teardown",
              f"        action: {{python: '{SL}:slow', args: {{ms: 300}}}}", "    steps:"]
    for i in range(20):
        lines += slow(f"basic.{i}")
    lines += ["  - key: xray", "    steps:", "      - key: xray.kv80",
              "        action: {driver: generator.expose, args: {kv: 80, ma: 10, ms: 100}}",
              "        measurements: [{name: kv, from: kv_measured, unit: kV, "
              "limits: {nominal: 80, tolerance_pct: 5}}]",
              "      - key: xray.beam", f"        action: {{python: '{SL}:beam_hold', "
              "args: {hold_ms: 400}}", meas]
    for i in range(10):
        lines += slow(f"xray.{i}")
    lines += ["  - key: safety", "    steps:"]
    for i in range(20):
        lines += slow(f"safety.{i}")
    lines += ["teardown:", "  - key: teardown.beam_off", "    action: {driver: generator.beam_off}",
              "  - key: teardown.hold", f"    action: {{python: '{SL}:slow', args: {{ms: 300}}}}"]
    p = folder / "killmatrix.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@dataclass
class Point:
    name: str
    who: str                   # runner | console | tree | runner-term
    kind: str                  # event kind that triggers ("status" = run left running)
    step: str = ""             # step of that event ("" any)
    nth: int = 1               # the nth such event
    resume_kill: bool = False  # kill a resumed run instead (after a first runner kill)


POINTS = [
    Point("after run_start", "runner", "run_start"),
    Point("during setup step", "runner", "step_start", "setup.door"),
    Point("after first main step", "runner", "step_end", "basic.0"),
    Point("mid-run (step 15)", "runner", "step_end", "", 15),
    Point("during group teardown", "runner", "step_start", "basic.teardown"),
    Point("during beam_on", "runner", "step_start", "xray.beam"),
    Point("during final teardown", "runner", "step_start", "teardown.hold"),
    Point("after run_end, before record", "runner", "status"),
    Point("mid-run, SIGTERM (stop request)", "runner-term", "step_end", "", 15),
    Point("after run_start", "console", "run_start"),
    Point("after first main step", "console", "step_end", "basic.0"),
    Point("mid-run (step 15)", "console", "step_end", "", 15),
    Point("during group teardown", "console", "step_start", "basic.teardown"),
    Point("during beam_on", "console", "step_start", "xray.beam"),
    Point("during final teardown", "console", "step_start", "teardown.hold"),
    Point("after run_end, before record", "console", "status"),
    Point("after run_start", "tree", "run_start"),
    Point("mid-run (step 15)", "tree", "step_end", "", 15),
    Point("during beam_on", "tree", "step_start", "xray.beam"),
    Point("during final teardown", "tree", "step_start", "teardown.hold"),
    Point("after run_end, before record", "tree", "status"),
    Point("resumed run, mid-run", "runner", "step_end", "", 20, resume_kill=True),
    Point("resumed run, during beam_on", "console", "step_start", "xray.beam",
          resume_kill=True),
]


class Poller:
    """Reads the journal read-only and reports the first event matching a point."""

    def __init__(self, db: Path) -> None:
        self.db, self.con, self.run_id, self.last, self.count = db, None, "", 0, 0

    def hit(self, serial: str, pt: Point, after_seq: int = 0) -> bool:
        if self.con is None:
            if not self.db.exists():
                return False
            self.con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        try:
            row = self.con.execute("SELECT run_id, status FROM tunnel_runs WHERE serial=?",
                                   (serial,)).fetchone()
            if row is None:
                return False
            self.run_id = row[0]
            if pt.kind == "status":
                return row[1] != "running"
            evs = self.con.execute("SELECT seq, kind, step FROM tunnel_events WHERE run_id=? "
                                   "AND seq>? ORDER BY seq", (self.run_id, max(self.last,
                                                                               after_seq))
                                   ).fetchall()
        except sqlite3.Error:
            return False
        for seq, kind, step in evs:
            self.last = seq
            if kind == pt.kind and (not pt.step or step == pt.step):
                if pt.kind == "step_end" and not pt.step and step.startswith(("setup", "tear")):
                    continue
                self.count += 1
                if self.count >= pt.nth:
                    return True
        return False

    def close(self) -> None:
        if self.con is not None:
            self.con.close()


def _pid_alive(pid: int) -> bool:
    """Any thread of ``pid`` not yet a zombie (the leader turns Z before a thread stuck in
    an fsync has exited, and the process's files - its run lock - go with the last one)."""
    import glob

    for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            with open(stat) as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    return True
        except (OSError, IndexError):
            continue
    return False


def _runner_pid(station: Path, run_id: str) -> int:
    try:
        return int(json.loads((station / "runs" / f"{run_id}.lock").read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return 0


def kill_at(pt: Point, console: subprocess.Popen, serial: str, station: Path,
            after_seq: int = 0, timeout: float = 120.0) -> dict:
    poll = Poller(station / "tunnel_journal.db")
    deadline = time.monotonic() + timeout
    hit = False
    try:
        while time.monotonic() < deadline and console.poll() is None:
            if poll.hit(serial, pt, after_seq):
                hit = True
                break
            time.sleep(0.003)
        runner = _runner_pid(station, poll.run_id) if poll.run_id else 0
        missed = ""
        if hit:
            try:
                if pt.who == "runner" and runner:
                    os.kill(runner, signal.SIGKILL)
                elif pt.who == "runner-term" and runner:
                    os.kill(runner, signal.SIGTERM)
                elif pt.who == "console":
                    os.kill(console.pid, signal.SIGKILL)
                else:
                    os.killpg(console.pid, signal.SIGKILL)
            except ProcessLookupError:
                missed = "target had already exited"
    finally:
        poll.close()
    try:
        console.wait(120)
    except subprocess.TimeoutExpired:
        os.killpg(console.pid, signal.SIGKILL)
        console.wait(30)
    end = time.monotonic() + 60
    while runner and _pid_alive(runner) and time.monotonic() < end:
        time.sleep(0.05)
    return {"hit": hit, "run_id": poll.run_id, "missed": missed,
            "runner_stopped": not (runner and _pid_alive(runner))}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path)
    ap.add_argument("--only", type=int, default=0, help="run only the first N points")
    ap.add_argument("--pick", default="", help="run only these points (1-based, comma list)")
    ap.add_argument("--repeat", type=int, default=1, help="run each point N times")
    args = ap.parse_args()
    from app.adapters.mes import MesClient, SimulatedMes
    from app.bootstrap import Workstation
    from station_plugins.tunnel_test.console import TunnelConsole
    from station_plugins.tunnel_test.run_lock import RunLock
    from station_plugins.tunnel_test.sequence_loader import load_sequence

    tmp = Path(tempfile.mkdtemp(prefix="pharos-killmatrix-"))
    seq_path = sequence(tmp)
    main_keys = [s.key for s in load_sequence(seq_path).main_steps()]
    data = tmp / "data"
    station = data / "stations" / "tunnel_test"
    mes = SimulatedMes().start()
    cfg = tmp / "pharos.toml"
    cfg.write_text(f'[stations.tunnel_test]\nendpoint = "local"\n[mes]\nurl = "{mes.url}"\n',
                   encoding="utf-8")
    ws = Workstation.open(data_dir=data, with_stations=False, start_loop=False,
                          admin_password=PW, exclusive=False)
    ws.auth.create_user("op.matrix", "Kill Matrix Operator", ["operator"], MATRIX_PASSWORD,
                        by=ws.auth.authenticate("admin", PW), reason="kill-point matrix",
                        must_change_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sup = type("U", (), {"username": "admin"})()
    rows = []

    def console_cli(serial: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "app", "tunnel", "run", "--sequence",
                                 str(seq_path), "--serial", serial, "--data-dir", str(data),
                                 "--config", str(cfg), "--as", "op.matrix"], cwd=ROOT,
                                env={**env, "PHAROS_PASSWORD": MATRIX_PASSWORD},
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def restarted() -> TunnelConsole:
        return TunnelConsole(data_dir=station, store=ws.store, audit=ws.audit,
                             signatures=ws.signatures, mes=MesClient(mes.url, timeout_s=5))

    picked = {int(x) for x in args.pick.split(",") if x}
    points = [(i, pt) for i, pt in enumerate(POINTS[: args.only] if args.only else POINTS, 1)
              if not picked or i in picked for _ in range(args.repeat)]
    for k, (i, pt) in enumerate(points):
        serial = f"KM-{i:02d}-{k}"
        t0 = time.monotonic()
        if pt.resume_kill:       # interrupt a first run, then kill its resumed run
            first = kill_at(Point("pre", "runner", "step_end", "", 8), console_cli(serial),
                            serial, station)
            c = restarted()
            c.unfinished()
            spec = c.resume_spec(first["run_id"], user=sup, reason="kill matrix: resume",
                                 endpoint="", auto_answer=True)
            seq_before = len(c.journal.events(first["run_id"]))
            c.close()
            proc = subprocess.Popen([sys.executable, "-m", "tests.tunnel_test.console_proc",
                                     json.dumps(spec.__dict__)], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, start_new_session=True)
            got = kill_at(pt, proc, serial, station, after_seq=seq_before)
        else:
            got = kill_at(pt, console_cli(serial), serial, station)
        run_id = got["run_id"]
        holder = RunLock(station, run_id).holder() if run_id else None
        if holder:      # a writer survived the kill: report it, wait for it (bounded)
            print(f"   writer still holds run {run_id} after the kill: {holder}", flush=True)
            end = time.monotonic() + 60
            while RunLock(station, run_id).holder() and time.monotonic() < end:
                time.sleep(0.1)
        got["writer_after_kill"] = holder
        c = restarted()
        try:
            j = c.journal
            run = j.run(run_id)
            evs = j.events(run_id)
            started = [e["step"] for e in evs if e["kind"] == "step_start"]
            ended = {e["step"] for e in evs if e["kind"] == "step_end"}
            in_flight = next((s for s in reversed(started) if s not in ended), "")
            recovered = any(r.get("run_id") == run_id and r.get("created")
                            for r in c.recovered)
            record_at_kill = "recovery at restart" if recovered else (
                "console, before the kill" if run["record_id"] else "-")
            status_after = run["status"]
            unfinished = {u["run_id"]: u for u in c.unfinished()}
            evs = j.events(run_id)
            safe_by = sorted({e.get("by", "runner") for e in evs if e["kind"] == "safe_state"})
            if run_id in unfinished:
                spec = c.resume_spec(run_id, user=sup, reason="kill matrix: power restored",
                                     endpoint="", auto_answer=True)
                c.run_inline(spec)
            row, _ = c.finish(run_id, "admin")
            c.pump()
            evs = j.events(run_id)
            ends: dict[str, int] = {}
            for e in evs:
                if e["kind"] == "step_end" and e.get("phase") == "main":
                    ends[e["step"]] = ends.get(e["step"], 0) + 1
            lost = [k for k in main_keys if k not in ends]
            dup = sum(n - 1 for n in ends.values())
            kinds: dict[str, int] = {}
            for m in mes.messages.values():
                if m["body"].get("run_id") == run_id:
                    kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
            wire: dict[str, int] = {}
            for _kind, key in mes.received:
                if key.startswith(run_id):
                    wire[key] = wire.get(key, 0) + 1
            rows.append({
                "n": i, "where": pt.name, "killed": pt.who, "hit": got["hit"],
                "missed": got["missed"],
                "in_flight": in_flight, "status_after_kill": status_after,
                "runner_stopped": got["runner_stopped"] and not got["writer_after_kill"],
                "writer_after_kill": got["writer_after_kill"],
                "record_committed_by": record_at_kill,
                "safe_state_by": safe_by, "steps_lost": len(lost), "steps_duplicated": dup,
                "record_present": bool(ws.store.query_records(kind="tunnel.run", ref=run_id)),
                "records": len(ws.store.query_records(kind="tunnel.run", ref=run_id)),
                "disposition": row.payload["disposition"],
                "journal_intact": j.verify(run_id) == [],
                "mes": kinds, "mes_exactly_once": all(v == 1 for v in kinds.values()) and
                {"work_started", "units_tested", "work_completed"} <= set(kinds),
                "seconds": round(time.monotonic() - t0, 1)})
        finally:
            c.close()
        r = rows[-1]
        print(f"{i:2d} {pt.who:<11} {pt.name:<32} {r['missed']} "
              f"in-flight={r['in_flight'] or '-':<16} "
              f"safe={','.join(r['safe_state_by']) or '-':<14} lost={r['steps_lost']} "
              f"dup={r['steps_duplicated']} record={r['records']} "
              f"mes1x={r['mes_exactly_once']}", flush=True)
    ws.close()
    mes.stop()
    print()
    print("| # | killed | where | step in flight | status after kill | runner stopped | "
          "safe_state journaled by | steps lost | dup | record | MES exactly once |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['killed']}{' (' + r['missed'] + ')' if r['missed'] else ''} | "
              f"{r['where']} | {r['in_flight'] or '-'} | "
              f"{r['status_after_kill']} | {'yes' if r['runner_stopped'] else 'NO'} | "
              f"{', '.join(r['safe_state_by']) or '-'} | {r['steps_lost']} | "
              f"{r['steps_duplicated']} | {'yes' if r['record_present'] else 'NO'}"
              f"{'' if r['records'] == 1 else ' x' + str(r['records'])} | "
              f"{'yes' if r['mes_exactly_once'] else 'NO ' + json.dumps(r['mes'])} |")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    bad = [r for r in rows if r["steps_lost"] or not r["record_present"] or r["records"] != 1
           or not r["mes_exactly_once"] or not r["runner_stopped"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
