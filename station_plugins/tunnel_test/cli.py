"""``pharos tunnel ...``: run, record, sim, resume, abort, list, recover, integrity,
criteria (headless)."""
from __future__ import annotations

import argparse
import getpass
import json
import queue
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.roles import Role

DEFAULT_SEQUENCE = Path(__file__).resolve().parent / "sequences" / "carm_final.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    from station_plugins.tunnel_test.cli_admin import cmd_criteria, cmd_integrity, cmd_recover

    p = sub.add_parser("tunnel", help="tunnel test console (headless)")
    t = p.add_subparsers(dest="tunnel_cmd", metavar="ACTION", required=True)

    r = t.add_parser("run", help="run a sequence on a unit")
    r.add_argument("--sequence", type=Path, default=DEFAULT_SEQUENCE)
    r.add_argument("--serial", required=True)
    r.add_argument("--endpoint", default="", help="OPC UA endpoint (default: built-in simulator)")
    r.add_argument("--json", type=Path, help="write the run summary + record as JSON")
    r.add_argument("--pdf", type=Path, help="write the record as PDF")
    r.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                   help="language of the PDF's step titles (default: [station] language)")
    r.add_argument("--mode", choices=("released", "draft", "single_step"), default="released")
    r.add_argument("--step", default="", help="step key for --mode single_step")
    r.add_argument("--socket", default="A")
    r.add_argument("--order", default="", help="MES order")
    r.add_argument("--defect", action="append", default=[],
                   help="simulator defect: kv_offset, weak_brake, leaky_earth, image_defect, "
                        "bearing_fault, soft_interlock")
    r.add_argument("--auto-answer", action="store_true",
                   help="answer operator prompts with the pass choice (demo; not releasable)")
    r.add_argument("--as", dest="as_user", help="log in as USER, required (password: "
                   "$PHAROS_PASSWORD, $PHAROS_PASSWORD_FILE or stdin)")
    r.add_argument("--mes-wait", type=float, default=0.0, metavar="S",
                   help="after the run, keep resending queued MES messages for up to S s")
    r.set_defaults(func=cmd_run)

    ob = t.add_parser("outbox", help="send queued MES messages (store-and-forward)")
    ob.add_argument("--watch", type=float, default=0.0, metavar="S",
                    help="keep resending every --interval seconds for up to S s (0: once)")
    ob.add_argument("--interval", type=float, default=5.0)
    ob.set_defaults(func=cmd_outbox)

    rec = t.add_parser("record", help="export a run record")
    rec.add_argument("run_id")
    rec.add_argument("--pdf", type=Path)
    rec.add_argument("--json", type=Path)
    rec.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                     help="language of the PDF's step titles (default: [station] language)")
    rec.set_defaults(func=cmd_record)

    s = t.add_parser("sim", help="run the OPC UA tunnel + C-arm simulator")
    s.add_argument("--port", type=int, default=4850)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--defect", action="append", default=[])
    s.add_argument("--security", default="None",
                   choices=("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt"),
                   help="offer only this endpoint security (needs --pki unless None)")
    s.add_argument("--pki", default="", help="simulator PKI folder (own/, trusted/, rejected/)")
    s.add_argument("--user", default="", metavar="NAME",
                   help="require this user identity (password: $PHAROS_SIM_PASSWORD)")
    s.set_defaults(func=cmd_sim)

    for name, helptext in (("resume", "resume an interrupted run"),
                           ("abort", "abort an interrupted run and record it")):
        a = t.add_parser(name, help=helptext)
        a.add_argument("run_id")
        a.add_argument("--reason", required=True)
        a.add_argument("--as", dest="as_user", required=True)
        a.add_argument("--endpoint", default="")
        a.add_argument("--auto-answer", action="store_true")
        a.set_defaults(func=cmd_resume if name == "resume" else cmd_abort)

    ls = t.add_parser("list", help="recent and unfinished runs (commits stranded records)")
    ls.add_argument("--json", action="store_true", help="one JSON object per run")
    ls.set_defaults(func=cmd_list)

    rc = t.add_parser("recover", help="commit the record of a run that ended without one")
    rc.add_argument("run_id", nargs="?", default="", help="run id (default: every such run)")
    rc.add_argument("--as", dest="as_user", help="log in as USER (default: system:recovery)")
    rc.set_defaults(func=cmd_recover)

    ig = t.add_parser("integrity", help="check a run's journal; supervisor decision (e-sign)")
    ig.add_argument("run_id")
    ig.add_argument("--decide", choices=("accept", "reject"))
    ig.add_argument("--reason", default="")
    ig.add_argument("--as", dest="as_user")
    ig.set_defaults(func=cmd_integrity)

    cr = t.add_parser("criteria", help="automatic-release criteria (signed record)")
    cr.add_argument("criteria_cmd", choices=("show", "sign"))
    cr.add_argument("--rules", default="", help='JSON, e.g. {"dispositions": ["PASS"]}')
    cr.add_argument("--id", dest="criteria_id", default="AUTO-REL")
    cr.add_argument("--version", default="1")
    cr.add_argument("--comment", default="")
    cr.add_argument("--as", dest="as_user")
    cr.set_defaults(func=cmd_criteria)


@dataclass
class _CliUser:
    username: str
    roles: frozenset


def _open(args: argparse.Namespace, login: bool) -> tuple[Any, Any, Any]:
    from app.cli.common import open_station

    return open_station(args, "tunnel_test", login=login)


def _user(args: argparse.Namespace, ws: Any) -> tuple[Any, bool]:
    if getattr(args, "as_user", None):
        from app.cli.common import cli_login

        return cli_login(ws, args.as_user), True
    return _CliUser(f"cli:{getpass.getuser()}", frozenset({Role.OPERATOR})), False


def _endpoint(station: Any, args: argparse.Namespace) -> str:
    if args.endpoint:
        return args.endpoint
    from station_plugins.tunnel_test.endpoint import configured_endpoint

    configured = configured_endpoint(station.ctx.settings, station.ctx.config)
    if configured is not None:
        return configured
    from station_plugins.tunnel_test.drivers import defects_from
    from station_plugins.tunnel_test.simulator import SimulatorHandle

    station._simulator = SimulatorHandle(serial=args.serial,  # noqa: SLF001 - owned by station
                                         defects=defects_from(args.defect)).start()
    return station._simulator.endpoint  # noqa: SLF001


def _drive(console: Any, spec: Any, auto: bool) -> dict:
    """Run in a runner process; print progress; answer prompts on the terminal."""
    msgs: queue.SimpleQueue = queue.SimpleQueue()
    proc = console.start_process(spec, lambda k, b: msgs.put((k, b)))
    done = 0
    while True:
        kind, body = msgs.get()
        if kind == "event":
            ev = body
            if ev["kind"] == "step_end" and ev.get("phase") == "main":
                done += 1
                if ev["verdict"] not in ("PASS", "SKIP"):
                    print(f"  {ev['step']}: {ev['verdict']} {ev.get('reason', '')}", flush=True)
                elif done % 25 == 0:
                    print(f"  ... {done} steps", flush=True)
            elif ev["kind"] == "prompt" and not auto:
                print(f"PROMPT {ev['step']}: {ev['text']} {ev['choices']}", flush=True)
                choice = ""
                while choice not in ev["choices"]:
                    choice = input("> ").strip()
                proc.answer(choice, spec.operator)
            elif ev["kind"] == "run_end":
                print(f"run {ev['status']}: {ev['disposition']} {ev.get('reason', '')}", flush=True)
        elif kind == "done":
            return body
        elif kind == "failed":
            from app.core.errors import PharosError

            raise PharosError(body["error"], code=body.get("code") or "PH-TT-RUN")
        elif kind == "lost":
            safe = body.get("safe_state") or {}
            print(json.dumps({"run_id": spec.run_id, "status": "lost",
                              "exitcode": body.get("exitcode"),
                              "safe_state": [a.get("action") + (" ok" if a.get("ok") else
                                                               " FAILED")
                                             for a in safe.get("actions", [])]}), flush=True)
            return {"run_id": spec.run_id, "status": "lost", "verdict": "ERROR",
                    "reason": f"runner exited ({body.get('exitcode')})"}


def cmd_run(args: argparse.Namespace) -> int:
    ws, station, _ = _open(args, login=False)
    try:
        from app.cli.common import require_login

        # a run writes a test record: a person or a service account logs in (D17)
        user, authenticated = require_login(ws, args, "tunnel run"), True
        console = station.console
        auto = args.auto_answer or not sys.stdin.isatty()
        spec = console.make_spec(sequence_path=str(args.sequence), serial=args.serial, user=user,
                                 mode=args.mode, socket=args.socket, single_step=args.step,
                                 order=args.order, endpoint=_endpoint(station, args),
                                 auto_answer=auto,
                                 params={} if authenticated else {"unauthenticated": True})
        print(f"run {spec.run_id}: {args.serial} on {spec.endpoint}", flush=True)
        console.start_resender()                 # store-and-forward while the run goes on
        outcome = _drive(console, spec, auto)
        if outcome.get("status") == "lost":
            return 3                     # interrupted: resume or abort it
        code = _finish(args, station, outcome, user.username)
        if args.mes_wait > 0:
            left = console.outbox.drain(args.mes_wait)
            print(json.dumps({"mes_outbox_pending": left["pending"]}))
        return code
    finally:
        station.shutdown()
        ws.close()


def _finish(args: argparse.Namespace, station: Any, outcome: dict, username: str) -> int:
    row, decision = station.console.finish(outcome["run_id"], username)
    record = row.payload
    summary = {"run_id": outcome["run_id"], "serial": record["unit"]["serial"],
               "status": record["status"], "disposition": record["disposition"],
               "record_id": row.id, "record_sha256": row.payload_sha256,
               "release": decision, "mes_outbox": station.console.journal.outbox_all(
                   outcome["run_id"]), "counts": record["counts"],
               "review_items": record["review_items"]}
    print(json.dumps({k: summary[k] for k in ("run_id", "disposition", "record_id", "release")}))
    if getattr(args, "json", None):
        args.json.write_text(json.dumps({"summary": summary, "record": record}, indent=1,
                                        default=str), encoding="utf-8")
    if getattr(args, "pdf", None):
        from station_plugins.tunnel_test.record_pdf import write_record_pdf

        write_record_pdf(record, args.pdf, language=_language(args, station.ctx.config))
    return {"PASS": 0, "WARN": 0, "FAIL": 1}.get(record["disposition"], 2)


def _language(args: argparse.Namespace, config: Any) -> str:
    """--lang, else the workstation's ``[station] language``."""
    if getattr(args, "lang", None):
        return str(args.lang)
    try:
        return str(config.get("station", "language") or "en")
    except (KeyError, AttributeError):
        return "en"


def cmd_record(args: argparse.Namespace) -> int:
    from app.core.errors import ValidationError
    from app.cli.common import open_workstation
    from station_plugins.tunnel_test.records import RECORD_KIND

    ws = open_workstation(args, start_loop=False)
    try:
        rows = ws.store.query_records(kind=RECORD_KIND, ref=args.run_id, limit=1)
        if not rows:
            raise ValidationError(f"No tunnel record for run {args.run_id}.")
        record = rows[0].payload
        if args.json:
            args.json.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
        if args.pdf:
            from station_plugins.tunnel_test.record_pdf import write_record_pdf

            write_record_pdf(record, args.pdf, language=_language(args, ws.config))
        if not args.json and not args.pdf:
            print(json.dumps(record, indent=1, default=str))
        return 0
    finally:
        ws.close()


def cmd_sim(args: argparse.Namespace) -> int:
    from station_plugins.tunnel_test.drivers import defects_from
    import os

    from station_plugins.tunnel_test.simulator import serve_forever

    if args.security != "None" and not args.pki:
        from app.core.errors import ValidationError

        raise ValidationError(f"--security {args.security} needs --pki FOLDER (the "
                              f"simulator's certificate and trust list).")
    users = {args.user: os.environ.get("PHAROS_SIM_PASSWORD", "")} if args.user else None
    serve_forever(port=args.port, host=args.host, defects=defects_from(args.defect),
                  security=args.security, pki_dir=Path(args.pki) if args.pki else None,
                  users=users)
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    ws, station, user = _open(args, login=True)
    try:
        station.ctx.require("resume")
        console = station.console
        spec = console.resume_spec(args.run_id, user=user, reason=args.reason,
                                   endpoint=args.endpoint or station.endpoint(),
                                   auto_answer=args.auto_answer or not sys.stdin.isatty())
        outcome = _drive(console, spec, spec.auto_answer)
        if outcome.get("status") == "lost":
            return 3
        return _finish(args, station, outcome, user.username)
    finally:
        station.shutdown()
        ws.close()


def cmd_abort(args: argparse.Namespace) -> int:
    ws, station, user = _open(args, login=True)
    try:
        station.ctx.require("abort")
        row, decision = station.console.abort_and_record(args.run_id, user=user,
                                                         reason=args.reason)
        print(json.dumps({"run_id": args.run_id, "disposition": row.payload["disposition"],
                          "record_id": row.id}))
        return 0
    finally:
        station.shutdown()
        ws.close()


def cmd_outbox(args: argparse.Namespace) -> int:
    """Pump the MES outbox once, or until empty within ``--watch`` seconds. Exit 0 when
    nothing is pending afterwards, 1 when messages still wait (MES down)."""
    from app.cli.common import open_workstation, station_instance

    ws = open_workstation(args, start_loop=False)
    station = station_instance(ws, "tunnel_test")
    try:
        resender = station.console.outbox
        resender.interval_s = max(args.interval, 0.1)
        out = resender.drain(args.watch) if args.watch > 0 else resender.pump_now()
        print(json.dumps(out))
        return 0 if out["pending"] == 0 else 1
    finally:
        station.shutdown()
        ws.close()


def cmd_list(args: argparse.Namespace) -> int:
    from app.cli.common import open_workstation, station_instance

    ws = open_workstation(args, start_loop=False)
    station = station_instance(ws, "tunnel_test")
    try:
        console = station.console            # commits stranded records when it starts
        for r in console.recovered:
            print(json.dumps({"recovered": r}), file=sys.stderr)
        unfinished = {u["run_id"]: u for u in console.unfinished()}
        for r in console.recent(50):
            u = unfinished.get(r["run_id"])
            if args.json:
                print(json.dumps({k: r[k] for k in ("run_id", "serial", "socket", "status",
                                                    "disposition", "record_id", "started_utc",
                                                    "ended_utc")} |
                                 ({"safe_state": u["safe_state"], "writer": u["writer"]}
                                  if u else {})))
                continue
            extra = ("safe" if u["safe_state"] else "NOT-SAFE") if u else ""
            print(f"{r['run_id']}  {r['serial']:<14} {r['status']:<10} "
                  f"{r['disposition'] or '-':<9} {r['started_utc']}  "
                  f"{(r['record_id'] or '-')[:12]:<12} {extra}".rstrip())
        return 0
    finally:
        station.shutdown()
        ws.close()
