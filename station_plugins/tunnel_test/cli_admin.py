"""``pharos tunnel recover / integrity / criteria``: the run lifecycle's repair and
authority commands (headless)."""
from __future__ import annotations

import argparse
import json
import sys

from app.cli.common import open_station


def _open(args: argparse.Namespace, login: bool) -> tuple:
    return open_station(args, "tunnel_test", login=login)


def cmd_recover(args: argparse.Namespace) -> int:
    """Commit the record of a run that ended without one (idempotent)."""
    ws, station, user = _open(args, login=bool(args.as_user))
    try:
        console = station.console
        username = user.username if user else "system:recovery"
        if args.run_id:
            row, decision = console.recover(args.run_id, username)
            out = [{"run_id": args.run_id, "record_id": row.id,
                    "disposition": row.payload["disposition"], "release": decision["mode"],
                    "created": decision["created"]}]
        else:
            out = console.recovered + console.recover_all(username)
        for o in out:
            print(json.dumps(o))
        return 1 if any("error" in o for o in out) else 0
    finally:
        station.shutdown()
        ws.close()


def cmd_integrity(args: argparse.Namespace) -> int:
    """Show a run's journal check; with --decide, a supervisor's signed decision."""
    from app.cli.common import read_password
    from app.core.errors import ValidationError

    ws, station, user = _open(args, login=bool(args.decide))
    try:
        console = station.console
        if args.decide:
            if not args.as_user:
                raise ValidationError("--decide needs --as SUPERVISOR.")
            d = console.decide_integrity(args.run_id, decision=args.decide, reason=args.reason,
                                         username=user.username,
                                         password=read_password("Password to sign: "))
            print(json.dumps({k: d[k] for k in ("run_id", "decision", "problems",
                                                 "record_id", "signature_id", "signed_by")}))
            return 0
        st = console.integrity_status(args.run_id)
        d = st["decision"]
        print(json.dumps({"run_id": args.run_id, "intact": st["intact"],
                          "problems": st["problems"],
                          "decision": d and {k: d[k] for k in ("decision", "reason",
                                                               "signed_by", "signed_utc",
                                                               "signature_id")}}))
        return 0 if st["intact"] else 1
    finally:
        station.shutdown()
        ws.close()


def cmd_criteria(args: argparse.Namespace) -> int:
    from app.cli.common import read_password
    from app.core.errors import ValidationError
    from station_plugins.tunnel_test import release as rel

    ws, station, user = _open(args, login=args.criteria_cmd == "sign")
    try:
        if args.criteria_cmd == "sign":
            try:
                rules = json.loads(args.rules or "{}")
            except ValueError as exc:
                raise ValidationError(f"--rules is not JSON: {exc}") from exc
            c = rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules=rules,
                                  username=user.username,
                                  password=read_password("Password to sign: "),
                                  criteria_id=args.criteria_id, version=args.version,
                                  comment=args.comment)
        else:
            c, note = rel.load_criteria(ws.store, ws.signatures, station.ctx.data_dir)
            if c is None:
                print(json.dumps({"criteria": None, "note": note}))
                return 1
            if note:
                print(json.dumps({"note": note}), file=sys.stderr)
        print(json.dumps({"criteria": c.__dict__}))
        return 0
    finally:
        station.shutdown()
        ws.close()
