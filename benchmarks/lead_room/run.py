"""Lead-room station benchmark: one command, prints tables.

    PYTHONPATH=. .venv/bin/python benchmarks/lead_room/run.py [--quick] [--json out.json]

1. Live load (``live.py``, each scenario in a fresh process; the gateway simulator in
   another): 30 rooms (~20 signals each) at 10 Hz, and 150 rooms (~3,000 signals) at
   1 Hz; the station's layout (live process + GUI process) and, with ``--compare``,
   the old one-process layout. Measured per phase (overview shown, room detail with
   trends shown): changes/s delivered, CPU % of one core of the GUI process and of
   the live process, GUI event-loop gaps (a 5 ms timer) p50/p99/max and the GUI
   thread's own CPU within the longest gap, panel refresh time; alarm latency source
   timestamp -> safety banner shown (door open during beam, injected through the
   simulator's OPC UA method, one at a time).
2. Historian: ingest rate and a 24 h query of 180 signals.
3. Scheduler: FIFO vs dispatcher vs CP-SAT (+ room closing + neighbourhood search) on
   generated days of 60/150/300 jobs (load 0.62) and a tight 300-job day (load 0.85).
"""
from __future__ import annotations

import argparse
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


def historian_bench(step_s: int) -> dict:
    from station_plugins.lead_room.adapters.historian import Historian
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


def scheduler_bench(days: list[tuple[int, float]], time_limit: float) -> list[dict]:
    """FIFO, dispatcher, CP-SAT (windows + room closing + neighbourhood search) per day."""
    from station_plugins.lead_room import jobs_io, scheduling
    from station_plugins.lead_room.optimiser import optimise

    rooms = jobs_io.default_rooms(30)
    rows = []
    for n, load in days:
        jobs = jobs_io.generate_day(n, seed=n, load=load)
        for name, fn in (("fifo", lambda: scheduling.fifo(jobs, rooms)),
                         ("dispatch", lambda: scheduling.dispatch(jobs, rooms)),
                         ("cp-sat", lambda: optimise(jobs, rooms, time_limit_s=time_limit))):
            t = time.perf_counter()
            s = fn()
            dt = time.perf_counter() - t
            m = scheduling.metrics(s, jobs)
            assert not scheduling.check_feasible(s, jobs, rooms)
            rows.append({"jobs": n, "load": load, "method": name, "solve_s": dt,
                         "status": s.status, **m})
    return rows


def print_live(rows: list[dict]) -> None:
    print("\n== Live load (GUI process: offscreen panel; live process: OPC UA client, alarms,"
          " historian, journal)")
    print(f"{'mode':7} {'rooms':>5} {'signals':>7} {'Hz':>4} {'phase':8} {'changes/s':>9} "
          f"{'GUI CPU%':>8} {'live CPU%':>9} {'gap p50/p99/max ms':>20} {'busy max':>8} "
          f"{'>100ms':>6} {'refresh ms':>10}")
    for r in rows:
        for phase in ("overview", "detail"):
            p = r[phase]
            print(f"{r['mode']:7} {r['rooms']:>5} {r['signals']:>7} {r['rate_hz']:>4g} "
                  f"{phase:8} {p['changes_per_s']:>9.0f} {p['gui_cpu_pct']:>8.1f} "
                  f"{p['live_cpu_pct']:>9.1f} {p['gap_p50_ms']:>6.1f}/{p['gap_p99_ms']:.1f}/"
                  f"{p['gap_max_ms']:<6.1f} {p['gui_busy_max_ms']:>8.1f} "
                  f"{p['gaps_over_100ms']:>6} {p['refresh_mean_ms']:>10.2f}")
    print(f"\n{'mode':7} {'rooms':>5} {'alarm->banner p50/p99/max ms':>28} {'n':>3} "
          f"{'gap max during alarms':>21} {'losses':>6} {'stale':>5}")
    for r in rows:
        print(f"{r['mode']:7} {r['rooms']:>5} {r['alarm_latency_p50_ms']:>10.0f}/"
              f"{r['alarm_latency_p99_ms']:.0f}/{r['alarm_latency_max_ms']:<8.0f} "
              f"{r['alarms_measured']:>3} {r['alarm_phase_gap_max_ms']:>21.1f} "
              f"{r['link_losses']:>6} {r['stale_alarms']:>5}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="shorter runs")
    ap.add_argument("--json", default="")
    ap.add_argument("--skip-live", action="store_true")
    ap.add_argument("--compare", action="store_true",
                    help="also run the old one-process layout (thread mode)")
    ap.add_argument("--skip-scheduler", action="store_true")
    a = ap.parse_args()
    secs = 10 if a.quick else 20
    res: dict = {"live": [], "historian": None, "scheduler": None}
    modes = ("process", "thread") if a.compare else ("process",)
    if not a.skip_live:
        for mode in modes:
            for rooms, rate in ((30, 10.0), (150, 1.0)):
                out = subprocess.run([sys.executable, str(Path(__file__).with_name("live.py")),
                                      str(rooms), str(rate), str(secs),
                                      str(10 if a.quick else 20), "--mode", mode], cwd=ROOT,
                                     capture_output=True, text=True, timeout=900)
                line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
                if not line:
                    print(f"live scenario {rooms} rooms ({mode}) failed (rc {out.returncode}):"
                          f" {out.stderr[-2000:]}", file=sys.stderr)
                    continue
                res["live"].append(json.loads(line[0][7:]))
    res["historian"] = historian_bench(30 if a.quick else 10)
    if not a.skip_scheduler:
        res["scheduler"] = scheduler_bench([(60, 0.62), (150, 0.62), (300, 0.62), (300, 0.85)],
                                           2.0 if a.quick else 5.0)
    sys.stdout.flush()
    print_live(res["live"])
    h = res["historian"]
    print("\n== Historian")
    print(f"ingest {h['ingest_per_s']:.0f} values/s ({h['values']} values, {h['recorded']} "
          f"recorded after deadband); 24 h x 180 signals query: "
          f"{h['query_24h_180sig_600pts_s'] * 1000:.0f} ms ({h['points_per_signal_600']} pts, "
          f"5 min), {h['query_24h_180sig_1500pts_s'] * 1000:.0f} ms "
          f"({h['points_per_signal_1500']} pts, 1 min)")
    print("\n== Scheduler (30 rooms, generated days)")
    print(f"{'jobs':>4} {'load':>4} {'method':8} {'util':>6} {'rooms':>5} {'late':>4} "
          f"{'tard min':>8} {'w.tard':>6} {'solve s':>7}")
    for r in res["scheduler"] or []:
        print(f"{r['jobs']:>4} {r['load']:>4} {r['method']:8} {r['utilisation']:>6.1%} "
              f"{r['rooms_used']:>5} "
              f"{r['late_jobs']:>4} {r['tardiness_min']:>8} {r['weighted_tardiness']:>6} "
              f"{r['solve_s']:>7.2f}")
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
