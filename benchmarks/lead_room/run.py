"""Lead-room station benchmark: one command, prints tables.

    PYTHONPATH=. .venv/bin/python benchmarks/lead_room/run.py [--quick] [--json out.json]

1. Live load: the gateway simulator in its own process; the station (asyncua client,
   monitor, alarm engine, historian, offscreen panel refreshing the overview) in this
   one. Scenarios: 30 rooms (~20 signals each) at 10 Hz, and 150 rooms (~3,000
   signals) at 1 Hz. Measured: changes/s delivered, station CPU % of one core (whole
   process: client + alarms + historian + GUI), GUI event-loop gaps (a 5 ms timer),
   alarm latency source timestamp -> safety banner shown (door open during beam,
   injected through the simulator's OPC UA method, one at a time).
2. Historian: ingest rate and a 24 h query of 180 signals.
3. Scheduler: FIFO vs dispatcher vs CP-SAT on generated days of 60/150/300 jobs.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
logging.basicConfig(level=logging.ERROR)
logging.getLogger("asyncua").setLevel(logging.CRITICAL)


class _Ctx:
    """Minimal StationContext stand-in (no store: the journal goes to a list)."""

    def __init__(self, loop, data_dir: Path) -> None:  # noqa: ANN001
        self.loop, self.data_dir = loop, data_dir
        self.settings: dict = {}
        self.notifier = None
        self.user = None
        self.store = type("S", (), {"add_record": lambda *a, **k: None})()


def live_scenario(rooms: int, rate: float, seconds: float, n_alarms: int) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.adapters.historian import Historian
    from app.adapters.opcua_gateway import OpcUaGatewayClient
    from app.runtime.loop_thread import LoopThread
    from station_plugins.lead_room.gateway_sim import free_port
    from station_plugins.lead_room.panel import LeadRoomPanel
    from station_plugins.lead_room.service import LeadRoomService, deadband_for
    from station_plugins.lead_room.signals import range_check

    app = QApplication.instance() or QApplication([])
    port = free_port()
    sim = subprocess.Popen([sys.executable, "-m", "station_plugins.lead_room.gateway_sim",
                            "--port", str(port), "--rooms", str(rooms), "--rate", str(rate)],
                           cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        sim.stdout.readline()                                   # "gateway simulator: ..."
        loop = LoopThread().start()
        tmp = Path(tempfile.mkdtemp())
        ctx = _Ctx(loop, tmp)
        url = f"opc.tcp://127.0.0.1:{port}/pharos/gateway"
        ctx.settings["endpoint"] = url
        svc = LeadRoomService(
            ctx, client_factory=lambda u, **kw: OpcUaGatewayClient(
                url, security="None", publishing_ms=100, range_check=range_check, **kw),
            historian_factory=lambda p: Historian(p, deadbands=deadband_for))
        panel = LeadRoomPanel(svc)
        panel.resize(1600, 1000)
        panel.show()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0] - 0.005)
            last[0] = now
        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(5)

        def spin(s: float, until=None) -> bool:  # noqa: ANN001
            t = time.perf_counter()
            while time.perf_counter() - t < s:
                app.processEvents()
                if until is not None and until():
                    return True
                time.sleep(0.001)
            return False
        svc.start()
        spin(60, lambda: svc.client.state.connected and svc.client.changes_received > 0)
        spin(3)
        flushing = [True]

        def flusher() -> None:
            while flushing[0]:
                svc.historian.flush()
                time.sleep(1)
        import threading
        th = threading.Thread(target=flusher, daemon=True)
        th.start()
        gaps.clear()
        c0, cpu0, t0 = svc.client.changes_received, time.process_time(), time.perf_counter()
        spin(seconds)
        dt = time.perf_counter() - t0
        changes = svc.client.changes_received - c0
        cpu = (time.process_time() - cpu0) / dt * 100
        gap = np.array(gaps) * 1000
        # alarm latency: inject, wait for the banner, clear, wait for it to go
        lat = []
        for k in range(n_alarms):
            room = f"Room{k % rooms + 1:02d}"
            panel._banner_seen.discard(f"{room}/door_beam")
            panel.banner_latency_by_id.pop(f"{room}/door_beam", None)
            spin(20, lambda: svc.client.state.connected)
            try:
                loop.submit(svc.client.call_simulator("InjectFault", room,
                                                      "door_open_during_beam", "1")).result(10)
            except Exception:  # noqa: BLE001 - counted as a failed measurement
                continue
            aid = f"{room}/door_beam"
            if spin(10, lambda: aid in panel.banner_latency_by_id):
                lat.append(panel.banner_latency_by_id[aid])
            spin(20, lambda: svc.client.state.connected)
            try:
                loop.submit(svc.client.call_simulator("ClearFaults", room)).result(10)
            except Exception:  # noqa: BLE001
                spin(2)
            spin(10, lambda: not panel.banner.isVisible())
            spin(0.3)
        flushing[0] = False
        th.join(3)
        svc.stop()
        svc.historian.close()
        loop.stop()
        panel.close()
        sim.kill()
        sim.wait(10)
    finally:
        sim.kill()
        sim.wait(10)
    lat_ms = np.array(lat) * 1000 if lat else np.array([np.nan])
    return {"rooms": rooms, "signals": len(svc.client.nodes), "rate_hz": rate,
            "changes_per_s": changes / dt, "cpu_pct": cpu,
            "gui_gap_p99_ms": float(np.percentile(gap, 99)), "gui_gap_max_ms": float(gap.max()),
            "alarm_latency_p50_ms": float(np.percentile(lat_ms, 50)),
            "alarm_latency_p99_ms": float(np.percentile(lat_ms, 99)),
            "alarms_measured": len(lat), "link_losses": svc.client.losses,
            "stale_alarms": sum(1 for r in svc.engine.list("all")
                                if r["definition"] == "monitor_stale" and r["activated_ts"]),
            "panel_refreshes_per_s": panel.refreshes / max(1, dt)}


def historian_bench(step_s: int) -> dict:
    from app.adapters.historian import Historian
    from tests.lead_room.helpers import SV

    h = Historian(Path(tempfile.mkdtemp()) / "h.db", deadbands=lambda k: 0.01)
    keys = [f"Room{r:02d}/Boundary/POI{i}" for r in range(1, 31) for i in range(1, 7)]
    rng = np.random.default_rng(1)
    t0 = time.time() - 86400
    n = 0
    t = time.perf_counter()
    for step in range(0, 86400, step_s):
        vals = 0.1 + rng.random(len(keys)) * 0.05
        h.ingest([SV(k, float(v), receive_ts=t0 + step, source_ts=t0 + step)
                  for k, v in zip(keys, vals)])
        n += len(keys)
        if step % 600 == 0:
            h.flush()
    h.flush()
    ingest = n / (time.perf_counter() - t)
    out = {"values": n, "ingest_per_s": ingest, "recorded": h.recorded}
    for mp in (600, 1500):
        t = time.perf_counter()
        r = h.query(keys, t0, t0 + 86400, max_points=mp)
        out[f"query_24h_180sig_{mp}pts_s"] = time.perf_counter() - t
        out[f"points_per_signal_{mp}"] = len(next(iter(r.values())).ts)
    h.close()
    return out


def scheduler_bench(sizes: list[int], time_limit: float) -> list[dict]:
    from station_plugins.lead_room import jobs_io, scheduling
    from station_plugins.lead_room.optimiser import optimise

    rooms = jobs_io.default_rooms(30)
    rows = []
    for n in sizes:
        jobs = jobs_io.generate_day(n, seed=n, load=0.62)
        for name, fn in (("fifo", lambda: scheduling.fifo(jobs, rooms)),
                         ("dispatch", lambda: scheduling.dispatch(jobs, rooms)),
                         ("cp-sat", lambda: optimise(jobs, rooms, time_limit_s=time_limit))):
            t = time.perf_counter()
            s = fn()
            dt = time.perf_counter() - t
            m = scheduling.metrics(s, jobs)
            assert not scheduling.check_feasible(s, jobs, rooms)
            rows.append({"jobs": n, "method": name, "solve_s": dt, **m})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="shorter runs")
    ap.add_argument("--json", default="")
    ap.add_argument("--skip-live", action="store_true")
    ap.add_argument("--live-one", nargs=4, type=float, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.live_one:                       # one scenario in a fresh process (own Qt app)
        rooms, rate, secs, n = a.live_one
        print("RESULT " + json.dumps(live_scenario(int(rooms), rate, secs, int(n))))
        return 0
    secs = 10 if a.quick else 20
    res: dict = {"live": [], "historian": None, "scheduler": None}
    if not a.skip_live:
        for rooms, rate in ((30, 10.0), (150, 1.0)):
            out = subprocess.run([sys.executable, __file__, "--live-one", str(rooms), str(rate),
                                  str(secs), str(10 if a.quick else 20)], cwd=ROOT,
                                 capture_output=True, text=True, timeout=900)
            line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
            if not line:
                print(f"live scenario {rooms} rooms failed (rc {out.returncode}): "
                      f"{out.stderr[-2000:]}", file=sys.stderr)
                continue
            res["live"].append(json.loads(line[0][7:]))
    res["historian"] = historian_bench(30 if a.quick else 10)
    res["scheduler"] = scheduler_bench([60, 150, 300], 2.0 if a.quick else 5.0)
    sys.stdout.flush()
    print("\n== Live load (station process: client + alarms + historian + offscreen GUI)")
    print(f"{'rooms':>5} {'signals':>7} {'Hz':>4} {'changes/s':>9} {'CPU %':>6} "
          f"{'GUI gap p99/max ms':>18} {'alarm->banner p50/p99 ms':>24} {'n':>3} {'losses':>6} {'stale':>5}")
    for r in res["live"]:
        print(f"{r['rooms']:>5} {r['signals']:>7} {r['rate_hz']:>4g} {r['changes_per_s']:>9.0f} "
              f"{r['cpu_pct']:>6.1f} {r['gui_gap_p99_ms']:>8.1f}/{r['gui_gap_max_ms']:<9.1f} "
              f"{r['alarm_latency_p50_ms']:>11.0f}/{r['alarm_latency_p99_ms']:<12.0f} "
              f"{r['alarms_measured']:>3} {r['link_losses']:>6} {r['stale_alarms']:>5}")
    h = res["historian"]
    print("\n== Historian")
    print(f"ingest {h['ingest_per_s']:.0f} values/s ({h['values']} values, {h['recorded']} "
          f"recorded after deadband); 24 h x 180 signals query: "
          f"{h['query_24h_180sig_600pts_s'] * 1000:.0f} ms ({h['points_per_signal_600']} pts, "
          f"5 min), {h['query_24h_180sig_1500pts_s'] * 1000:.0f} ms "
          f"({h['points_per_signal_1500']} pts, 1 min)")
    print("\n== Scheduler (30 rooms, generated days)")
    print(f"{'jobs':>4} {'method':8} {'util':>6} {'rooms':>5} {'late':>4} {'tard min':>8} "
          f"{'w.tard':>6} {'solve s':>7}")
    for r in res["scheduler"]:
        print(f"{r['jobs']:>4} {r['method']:8} {r['utilisation']:>6.1%} {r['rooms_used']:>5} "
              f"{r['late_jobs']:>4} {r['tardiness_min']:>8} {r['weighted_tardiness']:>6} "
              f"{r['solve_s']:>7.2f}")
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
