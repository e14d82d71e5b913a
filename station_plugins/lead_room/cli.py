"""``pharos rooms status|alarms|history|schedule|sim`` (headless; ``--json`` on each).

JSON contracts (keys) are documented in docs/lead_room.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from app.core.errors import DeviceError
from station_plugins.lead_room.sim_args import add_sim_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rooms", help="lead-room monitor: status, alarms, history, "
                              "schedule, gateway simulator")
    sub = p.add_subparsers(dest="rooms_command", metavar="SUBCOMMAND", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--json", action="store_true", help="machine-readable output")

    def gateway(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--endpoint", default="", help="opc.tcp URL (default: config)")
        sp.add_argument("--security", default="",
                        help="None / Basic256Sha256_SignAndEncrypt (default: config)")
        sp.add_argument("--timeout", type=float, default=5.0)

    s = sub.add_parser("status", help="one snapshot of every room")
    common(s)
    gateway(s)
    s.set_defaults(func=cmd_status)
    a = sub.add_parser("alarms", help="alarm conditions present now (+ journal)")
    common(a)
    gateway(a)
    a.add_argument("--journal", type=int, default=0, metavar="N",
                   help="also list the last N alarm-journal records of the store")
    a.set_defaults(func=cmd_alarms)
    h = sub.add_parser("history", help="historian: trends, weekly dose, energy")
    common(h)
    h.add_argument("--signal", action="append", default=[], metavar="KEY",
                   help="signal key, e.g. Room03/Boundary/POI1 (repeatable)")
    h.add_argument("--hours", type=float, default=24.0)
    h.add_argument("--max-points", type=int, default=600)
    h.add_argument("--dose", action="store_true", help="weekly integrated dose per POI")
    h.add_argument("--energy", action="store_true", help="energy per room and heat recovery")
    h.add_argument("--historian", default="", help="historian file (default: station data)")
    h.set_defaults(func=cmd_history)
    c = sub.add_parser("schedule", help="plan a job list into rooms")
    common(c)
    c.add_argument("--jobs", default="", help="CSV job list (see docs/lead_room.md)")
    c.add_argument("--generate", type=int, default=0, metavar="N", help="generated day")
    c.add_argument("--method", choices=("fifo", "dispatch", "cp-sat"), default="cp-sat")
    c.add_argument("--rooms", type=int, default=30)
    c.add_argument("--time-limit", type=float, default=5.0)
    c.add_argument("--horizon-min", type=int, default=480)
    c.set_defaults(func=cmd_schedule)
    m = sub.add_parser("sim", help="run the gateway simulator (OPC UA server)")
    add_sim_arguments(m)
    m.set_defaults(func=_sim)


def _sim(args: argparse.Namespace) -> int:
    from station_plugins.lead_room.gateway_sim import run_cli

    return run_cli(args)


def _config(args: argparse.Namespace) -> Any:
    from app.config import load_config

    return load_config(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None))


def _station_dir(cfg: Any) -> Path:
    return Path(cfg.data_dir) / "stations" / "lead_room"


def _snapshot(args: argparse.Namespace) -> list[Any]:
    from app.adapters.opcua_gateway import OpcUaGatewayClient
    from station_plugins.lead_room.signals import range_check

    cfg = _config(args)
    st = cfg.station_settings("lead_room")
    url = args.endpoint or st.get("endpoint") or cfg.get("opcua", "gateway_endpoint")
    security = args.security or ("None" if cfg.demo and not st.get("security")
                                 else st.get("security", cfg.get("opcua", "security")))
    client = OpcUaGatewayClient(url, on_values=lambda b: None, security=security,
                                pki_dir=_station_dir(cfg) / "pki", timeout_s=args.timeout,
                                range_check=range_check)
    return asyncio.run(client.snapshot_once())


def _fmt(v: Any, nd: int = 2) -> str:
    if v is None:
        return "INVALID"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def cmd_status(args: argparse.Namespace) -> int:
    from station_plugins.lead_room.alarm_defs import BUILTIN
    from station_plugins.lead_room.alarms import AlarmEngine
    from station_plugins.lead_room.monitor import RoomMonitor

    values = _snapshot(args)
    mon = RoomMonitor(AlarmEngine(BUILTIN))
    mon.on_values(values)
    tiles = mon.overview()
    if args.json:
        print(json.dumps({"read_utc": time.time(), "rooms": tiles,
                          "signals": len(values),
                          "invalid": [v.key for v in values if not v.valid]}, default=str,
                         indent=1))
        return 0
    print(f"{'room':7} {'beam':5} {'ready':5} {'doors':5} {'max POI uSv/h':>13} "
          f"{'temp C':>7} {'kW':>6} {'job':12} invalid")
    for t in tiles:
        print(f"{t['room']:7} {_fmt(t['beam_on']):5} {_fmt(t['xray_ready']):5} "
              f"{_fmt(t['doors_open']):5} {_fmt(t['boundary_max_usvh'], 3):>13} "
              f"{_fmt(t['temperature_c'], 1):>7} {_fmt(t['power_kw'], 1):>6} "
              f"{_fmt(t['job'] or '-'):12} {','.join(t['invalid']) or '-'}")
    return 0


def cmd_alarms(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from station_plugins.lead_room.alarm_defs import load_definitions
    from station_plugins.lead_room.alarms import AlarmEngine
    from station_plugins.lead_room.service import alarm_definitions_path

    cfg = _config(args)
    defs = [replace(d, on_delay_s=0.0) for d in
            load_definitions(alarm_definitions_path(_station_dir(cfg)))]
    engine = AlarmEngine([d for d in defs if d.rule not in ("stale", "flatline")])
    try:
        engine.ingest(_snapshot(args))
    except DeviceError as exc:
        engine.set_connection(False, exc.message)
    rows = engine.list("active")
    journal = []
    if args.journal:
        from app.cli.common import open_workstation

        ws = open_workstation(args, start_loop=False)
        try:
            journal = [r.payload for r in ws.store.query_records(
                kind="lead_room.alarm_event", limit=args.journal)]
        finally:
            ws.close()
    if args.json:
        print(json.dumps({"active": rows, "journal": journal}, default=str, indent=1))
        return 0 if not rows else 1
    if not rows:
        print("no alarm condition present")
    for r in rows:
        print(f"{r['priority']:8} {r['id']:40} {r['title']}  value={_fmt(r['value'], 3)}")
    for j in journal:
        print(f"journal {j['ts']:.3f} {j['event']:14} {j['alarm_id']} {j['user']} "
              f"{j['comment']}")
    return 0 if not rows else 1


def cmd_history(args: argparse.Namespace) -> int:
    from station_plugins.lead_room.adapters.historian import Historian
    from station_plugins.lead_room import reports

    cfg = _config(args)
    path = Path(args.historian) if args.historian else _station_dir(cfg) / "historian.db"
    if not path.exists():
        print(f"error: no historian file at {path}", file=sys.stderr)
        return 2
    h = Historian(path)
    t1 = time.time()
    out: dict[str, Any] = {}
    if args.signal:
        series = h.query(args.signal, t1 - args.hours * 3600, t1, max_points=args.max_points)
        out["series"] = {k: {"resolution_s": s.resolution_s, "ts": s.ts.tolist(),
                             "avg": [None if x != x else x for x in s.avg.tolist()],
                             "min": [None if x != x else x for x in s.vmin.tolist()],
                             "max": [None if x != x else x for x in s.vmax.tolist()]}
                         for k, s in series.items()}
    if args.dose:
        keys = [k for k in h.keys() if "/Boundary/" in k]
        out["weekly_dose"] = [p.to_dict() for p in reports.weekly_dose(
            h, keys, t1 - reports.WEEK_S)]
    if args.energy:
        rooms = sorted({k.split("/")[0] for k in h.keys()})
        out["energy"] = [e.to_dict() for e in reports.room_energy(
            h, rooms, t1 - args.hours * 3600, t1)]
    h.close()
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    for k, s in out.get("series", {}).items():
        vals = [x for x in s["avg"] if x is not None]
        print(f"{k}: {len(s['ts'])} points at {s['resolution_s'] or 'raw'} s; "
              f"min {min(vals, default=float('nan')):.3f} max "
              f"{max(vals, default=float('nan')):.3f}")
    for p in out.get("weekly_dose", []):
        print(f"{p['key']:24} {p['area']:7} {p['dose_usv']:8.2f} uSv / {p['reference_usv']:g}"
              f"  coverage {p['coverage']:.0%}  {p['verdict']}")
    for e in out.get("energy", []):
        print(f"{e['room']:7} {e['kwh']:9.1f} kWh  standby {e['standby_share']:.0%}  "
              f"recoverable heat {e['recoverable_heat_kwh']:.1f} kWh")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from station_plugins.lead_room import jobs_io, scheduling
    from station_plugins.lead_room.optimiser import optimise

    rooms = jobs_io.default_rooms(args.rooms)
    report = jobs_io.ImportReport()
    if args.jobs:
        report = jobs_io.load_jobs(Path(args.jobs))
    elif args.generate:
        report.jobs = jobs_io.generate_day(args.generate, rooms=args.rooms)
    else:
        print("error: give --jobs FILE or --generate N", file=sys.stderr)
        return 2
    t = time.perf_counter()
    if args.method == "fifo":
        sched = scheduling.fifo(report.jobs, rooms)
    elif args.method == "dispatch":
        sched = scheduling.dispatch(report.jobs, rooms)
    else:
        sched = optimise(report.jobs, rooms, horizon_min=args.horizon_min,
                         time_limit_s=args.time_limit)
    sched.solve_s = time.perf_counter() - t
    problems = scheduling.check_feasible(sched, report.jobs, rooms)
    mt = scheduling.metrics(sched, report.jobs)
    if args.json:
        print(json.dumps({"import": report.to_dict(), "metrics": mt, "problems": problems,
                          "schedule": sched.to_dict()}, indent=1))
        return 0 if not problems else 1
    for line, reason in report.rejected:
        print(f"rejected line {line}: {reason}")
    print(f"{len(report.jobs)} jobs, method {sched.method}, {sched.solve_s:.2f} s: "
          + ", ".join(f"{k}={v}" for k, v in mt.items()))
    for p in problems:
        print(f"PROBLEM: {p}")
    return 0 if not problems else 1
