"""Core commands: version, config, users, audit, screenshot."""
from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

from app import __version__
from app.cli.common import (add_login_option, cli_login, open_workstation, read_password,
                            require_login, write_json)
from app.core.roles import Role

# who may read records off the station from the command line
READ_ROLES = (Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMIN)


def versions() -> dict[str, str]:
    out = {"pharos": __version__, "python": platform.python_version()}
    for name, mod in (("PySide6", "PySide6"), ("numpy", "numpy"), ("scipy", "scipy"),
                      ("pydicom", "pydicom"), ("pynetdicom", "pynetdicom"),
                      ("onnxruntime", "onnxruntime"), ("SQLAlchemy", "sqlalchemy"),
                      ("asyncua", "asyncua"), ("pyqtgraph", "pyqtgraph"), ("opencv", "cv2")):
        try:
            from importlib import metadata

            dist = {"PySide6": "PySide6-Essentials", "opencv": "opencv-python-headless"}.get(name, name)
            out[name] = metadata.version(dist)
        except Exception:  # noqa: BLE001
            out[name] = "not installed"
    return out


def cmd_version(args: argparse.Namespace) -> int:
    v = versions()
    if args.json:
        write_json(None, v)
    else:
        for k, val in v.items():
            print(f"{k:12s} {val}")
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    from app.config import load_config

    cfg = load_config(args.config, data_dir=args.data_dir)
    print(f"configuration OK ({cfg.path or 'embedded defaults'}), hash {cfg.config_hash}")
    from app.config import redact_values, split_url_password

    if split_url_password(cfg.get("database", "central_url"))[1]:
        print("warning: [database] central_url holds a password; re-run `pharos setup` to "
              "move it into the 0600 password file ([database] central_password_file)",
              file=sys.stderr)
    if args.show:    # secrets redacted (URL passwords as ***)
        write_json(None, redact_values({"data_dir": str(cfg.data_dir), **cfg.values,
                                        "station_tables": cfg.station_tables}))
    return 0


# --- users -----------------------------------------------------------------------------
def _admin(ws, args):
    return cli_login(ws, args.as_user) if args.as_user else None


def cmd_users(args: argparse.Namespace) -> int:
    ws = open_workstation(args)
    try:
        if args.users_cmd == "list":
            require_login(ws, args, "users list", (Role.SUPERVISOR, Role.ADMIN))
            rows = [{"username": u.username, "full_name": u.full_name,
                     "roles": sorted(r.value for r in u.roles), "active": u.active,
                     "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                     "password_expired": ws.auth.password_expired(u)}
                    for u in ws.auth.list_users()]
            if args.json:
                write_json(None, rows)
            else:
                for r in rows:
                    print(f"{r['username']:16s} {r['full_name']:28s} {','.join(r['roles']):40s}"
                          f"{'' if r['active'] else ' INACTIVE'}"
                          f"{' LOCKED' if r['locked_until'] else ''}"
                          f"{' EXPIRED' if r['password_expired'] else ''}")
            return 0
        if args.users_cmd == "passwd":
            return _passwd(ws, args.username)
        by = _admin(ws, args)
        if by is None:
            raise PermissionError_()
        if args.users_cmd == "add":
            pw = read_password(f"Initial password for {args.username}: ")
            u = ws.auth.create_user(args.username, args.full_name, args.role, pw, by=by,
                                    reason=args.reason)
            print(f"created {u.username} ({', '.join(sorted(r.value for r in u.roles))})")
        elif args.users_cmd == "roles":
            ws.auth.set_roles(args.username, args.role, by=by, reason=args.reason)
            print(f"roles of {args.username}: {', '.join(args.role)}")
        elif args.users_cmd == "reset-password":
            pw = read_password(f"New password for {args.username}: ")
            ws.auth.reset_password(args.username, pw, by=by, reason=args.reason)
            print(f"password of {args.username} reset (must change at next login)")
        elif args.users_cmd == "unlock":
            ws.auth.unlock(args.username, by=by, reason=args.reason)
            print(f"{args.username} unlocked")
        elif args.users_cmd in ("deactivate", "activate"):
            ws.auth.set_active(args.username, args.users_cmd == "activate", by=by,
                               reason=args.reason)
            print(f"{args.username} {args.users_cmd}d")
        return 0
    finally:
        ws.close()


def _passwd(ws, username: str) -> int:
    """The owner changes their own password (also an expired or admin-set one).

    Current password: $PHAROS_PASSWORD, else the first stdin line, else a prompt; new
    password: $PHAROS_NEW_PASSWORD, else the next stdin line, else a prompt asked twice."""
    import getpass
    import os

    old = read_password(f"Current password of {username}: ")
    new = os.environ.get("PHAROS_NEW_PASSWORD")
    if new is None:
        if not sys.stdin.isatty():
            new = sys.stdin.readline().rstrip("\n")
        else:
            new = getpass.getpass("New password: ")
            if getpass.getpass("New password again: ") != new:
                print("error: the two new passwords differ; nothing changed", file=sys.stderr)
                return 2
    if not new:
        print("error: no new password given (PHAROS_NEW_PASSWORD or the second stdin line); "
              "nothing changed", file=sys.stderr)
        return 2
    ws.auth.change_password(username, old, new)
    print(f"password of {username} changed")
    return 0


class PermissionError_(Exception):
    def __str__(self) -> str:
        return "this command changes accounts: pass --as ADMIN_USER"


# --- audit -----------------------------------------------------------------------------
def _parse_anchor(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    seq, _, hsh = text.partition(":")
    return int(seq), hsh


def cmd_audit(args: argparse.Namespace) -> int:
    ws = open_workstation(args)
    try:
        if args.audit_cmd == "anchor":
            user = require_login(ws, args, "audit anchor", (Role.ADMIN,))
            anchor, problem = ws.audit.read_anchor()
            seq, hsh = ws.audit.reanchor(username=user.username, reason=args.reason)
            print(f"audit trail re-anchored at seq {seq} ({hsh[:16]}…); the previous "
                  f"anchor was {problem or 'genuine at seq ' + str(anchor[0] if anchor else 0)}")
            return 0
        if args.audit_cmd == "verify":
            anchor = _parse_anchor(args.anchor)
            if args.central:
                from app.adapters.sync import central_anchor

                from app.config import central_url

                url = central_url(ws.config)
                if not url:
                    print("error: --central needs [database] central_url", file=sys.stderr)
                    return 2
                anchor = central_anchor(url, ws.store.station_id)
                if anchor is None:
                    print("no central anchor yet for this station", file=sys.stderr)
            report = ws.audit.verify(anchor=anchor, use_local_anchor=not args.no_local_anchor)
            if args.json:
                write_json(None, {"ok": report.ok, "count": report.count,
                                  "head": list(report.head) if report.head else None,
                                  "first_bad_seq": report.first_bad_seq,
                                  "problem": report.problem})
            else:
                print(report.text())
            return 0 if report.ok else 1
        require_login(ws, args, "audit export", READ_ROLES)
        filters = {k: getattr(args, k) for k in ("username", "action", "entity", "since",
                                                 "until") if getattr(args, k)}
        n = 0
        if args.csv:
            n = ws.audit.export_csv(args.csv, **filters)
            print(f"{n} entries written to {args.csv}")
        if args.pdf:
            n = ws.audit.export_pdf(args.pdf, **filters)
            print(f"{n} entries written to {args.pdf}")
        if not (args.csv or args.pdf):
            print("nothing to do: give --csv FILE and/or --pdf FILE", file=sys.stderr)
            return 2
        return 0
    finally:
        ws.close()


def cmd_screenshot(args: argparse.Namespace) -> int:
    from app.gui import screenshot_station

    return screenshot_station(args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("version", help="print versions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_version)

    p = sub.add_parser("config", help="validate (and show) the configuration")
    p.add_argument("--show", action="store_true")
    p.set_defaults(func=cmd_config_check)

    p = sub.add_parser("users", help="manage local user accounts")
    us = p.add_subparsers(dest="users_cmd", required=True)
    roles = [r.value for r in Role]
    for name, helptext in (("list", "list accounts"), ("add", "create an account"),
                           ("roles", "set an account's roles"),
                           ("reset-password", "set a new password (must change at login)"),
                           ("unlock", "unlock a locked account"),
                           ("deactivate", "deactivate an account"),
                           ("activate", "activate an account"),
                           ("passwd", "change your own password (also an expired one)")):
        q = us.add_parser(name, help=helptext)
        q.add_argument("--as", dest="as_user", help="administrator performing the change"
                       if name != "list" else "supervisor or administrator (required; "
                       "password: $PHAROS_PASSWORD, $PHAROS_PASSWORD_FILE or stdin)")
        if name == "list":
            q.add_argument("--json", action="store_true")
            continue
        q.add_argument("username")
        if name == "passwd":
            continue
        if name == "add":
            q.add_argument("--full-name", required=True)
        if name in ("add", "roles"):
            q.add_argument("--role", action="append", required=True, choices=roles)
        q.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("audit", help="verify or export the audit trail")
    au = p.add_subparsers(dest="audit_cmd", required=True)
    v = au.add_parser("verify", help="check every link, gaps and the tail")
    v.add_argument("--anchor", help="SEQ:HASH of an anchored head (e.g. from the central DB)")
    v.add_argument("--central", action="store_true",
                   help="compare against the head anchored in the central database")
    v.add_argument("--no-local-anchor", action="store_true",
                   help="ignore the local audit.head file")
    v.add_argument("--json", action="store_true")
    e = au.add_parser("export", help="export entries as CSV and/or PDF (needs a login)")
    add_login_option(e, required_text="quality engineer, supervisor or administrator "
                                      "(required)")
    e.add_argument("--csv", type=Path)
    e.add_argument("--pdf", type=Path)
    for f in ("username", "action", "entity", "since", "until"):
        e.add_argument(f"--{f}")
    a = au.add_parser("anchor", help="re-anchor the audit head after verifying every link "
                                     "(missing or unkeyed audit.head; an audited decision)")
    add_login_option(a, required_text="administrator (required)")
    a.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("screenshot", help="render a station offscreen to a PNG")
    p.add_argument("station", help="station id (e.g. ct_qc) or 'main' for the whole window")
    p.add_argument("out", type=Path)
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    p.add_argument("--size", default="1600x1000")
    p.set_defaults(func=cmd_screenshot)
