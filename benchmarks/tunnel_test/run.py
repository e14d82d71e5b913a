"""Tunnel console benchmark: one command, one table.

    .venv/bin/python benchmarks/tunnel_test/run.py           (after setup_openhtf.sh)

* Pharos per-step framework overhead incl. the durable journal write (SQLite WAL,
  synchronous=FULL, journal-first), 200 and 1,000 trivial steps, p50/p95 per step, and
  the p95 of the first vs last 10 % of the run (flat with run length?).
* OpenHTF running the same trivial phases in the same session (own venv).
* AI judgement latency p50/p95 (preprocessing + ONNX, both models).
* GUI event-loop gaps while the panel shows a 200-step run from the runner process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
HTF_PY = ROOT / "benchmarks" / ".venvs" / "openhtf" / "bin" / "python"


def pct(xs, q):
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def pharos_steps(n: int, where: str | None = None) -> dict:
    from station_plugins.tunnel_test.adapters.journal import TunnelJournal
    from station_plugins.tunnel_test.drivers import LocalDriverSet
    from station_plugins.tunnel_test.engine import RunEngine, RunRequest
    from station_plugins.tunnel_test.sequence_loader import load_sequence
    from tunnel_test.conftest import trivial_sequence

    with tempfile.TemporaryDirectory(dir=where) as d:
        d = Path(d)
        seq = load_sequence(trivial_sequence(d, n))
        j = TunnelJournal(d / "journal.db")
        stamps: list[float] = []
        eng = RunEngine(RunRequest(seq, serial="SN-BENCH", operator="bench"),
                        drivers=LocalDriverSet(), journal=j, data_dir=d,
                        listener=lambda ev: stamps.append(time.perf_counter())
                        if ev["kind"] == "step_end" else None)
        t0 = time.perf_counter()
        out = eng.run()
        total = time.perf_counter() - t0
        assert out.verdict == "PASS", out
        j.close()
    per = [(b - a) * 1e3 for a, b in zip(stamps, stamps[1:])]
    return summarise(per, total)


def summarise(per: list[float], total: float) -> dict:
    k = max(1, len(per) // 10)
    return {"p50": pct(per, 50), "p95": pct(per, 95), "first10_p95": pct(per[:k], 95),
            "last10_p95": pct(per[-k:], 95), "total_s": total, "n": len(per) + 1}


def openhtf_steps(n: int) -> dict | None:
    if not HTF_PY.exists():
        return None
    r = subprocess.run([str(HTF_PY), str(Path(__file__).with_name("openhtf_phases.py")), str(n)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(r.stderr[-2000:], file=sys.stderr)
        return None
    d = json.loads(r.stdout.strip().splitlines()[-1])
    return summarise(d["per_step_ms"], d["total_s"])


def ai_latency(n: int = 200) -> dict:
    from station_plugins.tunnel_test.adapters.inference import OnnxTunnelClassifier
    from app.core.measurement import Verdict
    from app.paths import models_dir
    from station_plugins.tunnel_test import ai_step
    from station_plugins.tunnel_test.carm_sim import CArmSim
    from station_plugins.tunnel_test.sequence_model import AiSpec

    sim = CArmSim()
    out = {}
    for name, src, make in (("tunnel_image", "image", lambda: sim.capture(80, 5, 20)),
                            ("tunnel_waveform", "current", lambda: sim.motor_current("lift"))):
        clf = OnnxTunnelClassifier(models_dir() / name)
        spec = AiSpec(onnx=name, source=src)
        inputs = [make() for _ in range(n)]
        lat = []
        for x in inputs:
            t0 = time.perf_counter()
            ai_step.judge(spec, {src: x}, clf, engineering=Verdict.PASS)
            lat.append((time.perf_counter() - t0) * 1e3)
        out[name] = {"p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat)}
    return out


def gui_gaps(n: int = 200) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import Workstation
    from station_plugins.tunnel_test.plugin import TunnelTestStation
    from tunnel_test.conftest import trivial_sequence

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        ws = Workstation.open(data_dir=d / "data", with_stations=False, start_loop=False,
                              admin_password="Bench-secret-pw1")
        ws.session.login(ws.auth.authenticate("admin", "Bench-secret-pw1"))
        ctx = ws.context_for("tunnel_test")
        ctx.settings["sequence"] = str(trivial_sequence(d, n, step_fn="slow", args="{ms: 3}"))
        ctx.settings["endpoint"] = "local"      # simulated C-arm inside the runner process
        st = TunnelTestStation(ctx)
        panel = st.create_panel()
        panel.resize(1400, 800)
        panel.show()
        # the console has been open a while when the operator scans a serial: its first
        # paint and the initial background loads (sequence list, history) are not part
        # of "during a run"
        settle = QEventLoop()
        QTimer.singleShot(1500, settle.quit)
        settle.exec()
        gaps: list[float] = []
        at: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.nsecsElapsed()]

        def tick() -> None:
            now = clock.nsecsElapsed()
            gaps.append((now - last[0]) / 1e6)
            at.append(time.perf_counter())
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        panel.serial.setText("SN-GUI")

        loop = QEventLoop()
        t0 = time.perf_counter()

        def check() -> None:
            if panel.banner.state in ("PASS", "FAIL", "ERROR", "ABORTED") or \
                    time.perf_counter() - t0 > 180:
                loop.quit()

        watcher = QTimer()
        watcher.setInterval(50)
        watcher.timeout.connect(check)
        timer.start()
        last[0] = clock.nsecsElapsed()
        started = time.perf_counter()
        panel.start_run()
        watcher.start()
        loop.exec()
        watcher.stop()
        timer.stop()
        panel.close()
        st.shutdown()
        ws.close()
    over = [g - 5.0 for g in gaps]
    return {"ticks": len(gaps), "p50": pct(over, 50), "p99": pct(over, 99),
            "max": max(over) if over else float("nan"), "state": panel.banner.state,
            "worst": sorted(((g, a - started) for g, a in zip(over, at)), reverse=True)[:5]}


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    rows = []
    for n in (200, 1000):
        p = pharos_steps(n)
        rows.append((f"Pharos, {n} steps (durable journal)", p))
        h = openhtf_steps(n)
        rows.append((f"OpenHTF, {n} phases (no durable write)", h))
    if Path("/dev/shm").is_dir():
        rows.append(("Pharos, 1000 steps, journal in RAM (no fsync)",
                     pharos_steps(1000, "/dev/shm")))
    print(f"{'framework per-step time, ms':45s} {'p50':>7s} {'p95':>7s} {'p95 first10%':>13s} "
          f"{'p95 last10%':>12s} {'total s':>8s}")
    for name, r in rows:
        if r is None:
            print(f"{name:45s}   (OpenHTF venv missing: run benchmarks/tunnel_test/setup_openhtf.sh)")
            continue
        print(f"{name:45s} {r['p50']:7.3f} {r['p95']:7.3f} {r['first10_p95']:13.3f} "
              f"{r['last10_p95']:12.3f} {r['total_s']:8.2f}")
    ai = ai_latency()
    for name, r in ai.items():
        print(f"{'AI judgement ' + name + ', ms':45s} {r['p50']:7.3f} {r['p95']:7.3f} "
              f"{'max ' + format(r['max'], '.2f'):>13s}")
    g = gui_gaps()
    for gap, at in g["worst"][:3]:
        print(f"  worst GUI gap {gap:.1f} ms, ending {at:.3f} s after Start")
    print(f"{'GUI event-loop gap over 5 ms timer, ms':45s} {g['p50']:7.3f} "
          f"{'p99 ' + format(g['p99'], '.2f'):>7s} {'max ' + format(g['max'], '.2f'):>13s} "
          f"{g['ticks']:>12d} ticks, run {g['state']}")


if __name__ == "__main__":
    main()
