"""``pharos setup``: first-run configuration from the command line (flags or prompts).

Non-interactive (``--non-interactive``, or when stdin is not a terminal): every value
comes from a flag or the current configuration; the admin password from
``$PHAROS_ADMIN_PASSWORD`` or the first stdin line. Interactive: each value is asked
with the current one as default, the password twice, tests offered, and the gateway
certificate shown (subject, thumbprint) before it is trusted.

Exit codes: 0 written; 2 invalid answers (each named ``field: problem``) or refused;
1 a requested ``--test`` failed (nothing written).
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from app.config import STATION_IDS, load_config
from app.setup_wizard import (SECURITY_MODES, SetupAnswers, SetupInvalid, answers_dict,
                              apply_setup, check_central, check_gateway, check_pacs,
                              config_path_for, fetch_gateway_certificate, open_services,
                              trust_gateway_certificate, validate, validate_field,
                              workstation_certificate)

# flag -> answer field
FLAGS: dict[str, str] = {
    "station_id": "station_id", "station_name": "station_name", "language": "language",
    "admin_user": "admin_username", "admin_full_name": "admin_full_name",
    "pacs_ae": "pacs_ae_title", "pacs_host": "pacs_host", "pacs_port": "pacs_port",
    "scp_ae": "scp_ae_title", "scp_port": "scp_port",
    "gateway_endpoint": "gateway_endpoint", "tunnel_endpoint": "tunnel_endpoint",
    "opcua_security": "opcua_security", "central_url": "central_url",
}


def _answers_from_flags(args: argparse.Namespace, base: SetupAnswers) -> SetupAnswers:
    a = base
    for flag, name in FLAGS.items():
        value = getattr(args, flag, None)
        if value is not None:
            setattr(a, name, value)
    if args.stations is not None:
        a.stations = [s.strip() for s in args.stations.split(",") if s.strip()]
    if args.allow_ae is not None:
        a.allowed_calling_aes = [s.strip() for s in args.allow_ae.split(",") if s.strip()]
    if args.demo is not None:
        a.demo = args.demo
    return a


def _admin_password_noninteractive() -> str:
    env = os.environ.get("PHAROS_ADMIN_PASSWORD")
    if env is not None:
        return env
    return sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else ""


# --- interactive ----------------------------------------------------------------------------
def _ask(a: SetupAnswers, name: str, label: str, ask: Callable[[str], str], *,
         convert: Callable[[str], Any] = str, accounts_exist: bool = False,
         min_len: int = 10) -> None:
    while True:
        current = getattr(a, name)
        shown = ",".join(current) if isinstance(current, list) else current
        raw = ask(f"{label} [{shown}]: ").strip()
        if raw:
            try:
                setattr(a, name, convert(raw))
            except ValueError:
                print(f"  {name}: not a valid value", file=sys.stderr)
                continue
        problem = validate_field(name, a, password_min_length=min_len,
                                 accounts_exist=accounts_exist)
        if not problem:
            return
        print(f"  {name}: {problem}", file=sys.stderr)


def _yes(ask: Callable[[str], str], question: str, default: bool = False) -> bool:
    raw = ask(f"{question} [{'Y/n' if default else 'y/N'}]: ").strip().lower()
    return default if not raw else raw.startswith("y")


def interactive(a: SetupAnswers, data_dir: Path, *, accounts_exist: bool, min_len: int,
                ask: Callable[[str], str] = input,
                secret: Callable[[str], str] = getpass.getpass, services: Any = None,
                username: str = "") -> SetupAnswers:
    print("Pharos first-run setup. Press Enter to keep the value in brackets.\n")
    print("1/6 Station identity")
    _ask(a, "station_id", "  station id", ask)
    _ask(a, "station_name", "  station name", ask)
    _ask(a, "language", "  language (en, zh_CN)", ask)
    a.demo = _yes(ask, "  demo mode (built-in simulators instead of real peers)?", a.demo)
    print("2/6 Administrator account")
    if accounts_exist:
        print("  accounts exist: manage them with `pharos users`")
    else:
        _ask(a, "admin_username", "  user name", ask)
        _ask(a, "admin_full_name", "  full (printed) name", ask)
        while True:
            a.admin_password = secret("  password: ")
            a.admin_password_repeat = secret("  password again: ")
            problem = (validate_field("admin_password", a, password_min_length=min_len)
                       or validate_field("admin_password_repeat", a))
            if not problem:
                break
            print(f"  {problem}", file=sys.stderr)
    print("3/6 PACS")
    _ask(a, "pacs_ae_title", "  PACS AE title", ask)
    _ask(a, "pacs_host", "  PACS host", ask)
    _ask(a, "pacs_port", "  PACS port", ask, convert=int)
    _ask(a, "scp_ae_title", "  this station's AE title", ask)
    _ask(a, "scp_port", "  this station's DICOM receiver port", ask, convert=int)
    _ask(a, "allowed_calling_aes", "  scanner AE titles allowed to send (comma-separated; "
         "the PACS always may; * = any)", ask,
         convert=lambda s: [x.strip() for x in s.split(",") if x.strip()])
    if _yes(ask, "  test now with C-ECHO?"):
        r = check_pacs(a)
        print(f"  {'OK' if r.ok else 'FAILED'}: {r.detail}")
    print("4/6 OPC UA")
    _ask(a, "tunnel_endpoint", "  tunnel test endpoint", ask)
    _ask(a, "gateway_endpoint", "  lead-room gateway endpoint", ask)
    _ask(a, "opcua_security", f"  gateway security ({', '.join(SECURITY_MODES)})", ask)
    if a.opcua_security != "None" and _yes(ask, "  fetch the gateway certificate now?"):
        _trust_step(a, data_dir, ask, services, username or a.admin_username)
    if _yes(ask, "  test the gateway connection?"):
        r = check_gateway(a, data_dir)
        print(f"  {'OK' if r.ok else 'FAILED'}: {r.detail}")
    print("5/6 Central database")
    _ask(a, "central_url", "  URL (empty: local only)", ask)
    if a.central_url and _yes(ask, "  test the connection?"):
        r = check_central(a)
        print(f"  {'OK' if r.ok else 'FAILED'}: {r.detail}")
    print("6/6 Stations on this workstation")
    _ask(a, "stations", f"  comma-separated ({', '.join(STATION_IDS)})", ask,
         convert=lambda s: [x.strip() for x in s.split(",") if x.strip()])
    return a


def _trust_step(a: SetupAnswers, data_dir: Path, ask: Callable[[str], str],
                services: Any = None, username: str = "") -> bool:
    try:
        cert = fetch_gateway_certificate(a, data_dir)
    except Exception as exc:  # noqa: BLE001 - shown, the setup goes on
        print(f"  could not fetch the certificate: {exc}", file=sys.stderr)
        return False
    print(f"  subject:    {cert.subject}\n  thumbprint: {cert.thumbprint}\n"
          f"  valid to:   {cert.not_after}\n  trusted:    {'yes' if cert.trusted else 'no'}")
    if not cert.trusted and _yes(ask, "  trust this certificate?"):
        dest = trust_gateway_certificate(cert, data_dir, services, username=username)
        print(f"  trusted: {dest}")
    path, thumb = workstation_certificate(data_dir)
    print(f"  the gateway must trust this workstation: {path} (thumbprint {thumb})")
    return True


# --- command --------------------------------------------------------------------------------
def cmd_setup(args: argparse.Namespace) -> int:
    from app.cli.common import cli_login

    cfg = load_config(args.config, data_dir=args.data_dir)  # invalid file: exit 2, key named
    data_dir = cfg.data_dir
    path = config_path_for(data_dir, args.config)
    a = _answers_from_flags(args, SetupAnswers.from_config(cfg))
    services = open_services(cfg, station_id=a.station_id)
    try:
        accounts_exist = bool(services.auth.list_users())
        by = None
        if accounts_exist:
            if not args.as_user:
                print("error: accounts exist: pass --as ADMIN to change the configuration",
                      file=sys.stderr)
                return 2
            by = cli_login(_Ws(services), args.as_user)
        is_tty = sys.stdin.isatty()
        if args.non_interactive or not is_tty:
            if not accounts_exist:
                a.admin_password = a.admin_password_repeat = _admin_password_noninteractive()
            if args.trust_gateway_certificate:
                if not _trust_step(a, data_dir, lambda _q: "y", services,
                                   by.username if by else a.admin_username):
                    return 1
        else:
            interactive(a, data_dir, accounts_exist=accounts_exist,
                        min_len=services.auth.min_len, services=services,
                        username=by.username if by else "")
        if args.test and not _run_tests(a, data_dir):
            print("error: a connection test failed; nothing was written", file=sys.stderr)
            return 1
        if args.dry_run:
            errors = validate(a, password_min_length=services.auth.min_len,
                              accounts_exist=accounts_exist)
            print(json.dumps({"ok": not errors, "errors": errors,
                              "answers": answers_dict(a)}, indent=2))
            return 2 if errors else 0
        try:
            out = apply_setup(a, services, config_path=path, data_dir=data_dir, by=by,
                              reason=args.reason)
        except SetupInvalid as exc:
            for name, problem in exc.errors.items():
                print(f"error: {name}: {problem}", file=sys.stderr)
            return 2
        print(f"configuration written: {out.config_path} (hash {out.config.config_hash})")
        print(f"administrator '{a.admin_username}': {out.admin}")
        for key, change in out.changed.items():
            print(f"  {key}: {change['old']!r} -> {change['new']!r}")
        return 0
    finally:
        services.close()


class _Ws:
    """The two attributes cli_login needs (auth, session) without a full Workstation."""

    def __init__(self, services: Any) -> None:
        from app.adapters.auth import SessionState

        self.auth = services.auth
        self.session = SessionState(services.auth)


def _run_tests(a: SetupAnswers, data_dir: Path) -> bool:
    ok = True
    tests = [("PACS", lambda: check_pacs(a))] if "ct_qc" in a.stations and not a.demo else []
    if "lead_room" in a.stations and not a.demo:
        tests.append(("OPC UA gateway", lambda: check_gateway(a, data_dir)))
    if a.central_url:
        tests.append(("central database", lambda: check_central(a)))
    for label, run in tests:
        r = run()
        ok &= r.ok
        print(f"test {label}: {'OK' if r.ok else 'FAILED'}: {r.detail}")
    return ok


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("setup", help="first-run setup: identity, admin, PACS, OPC UA, "
                                     "central database, stations (writes the config file)")
    p.add_argument("--non-interactive", action="store_true",
                   help="take every value from flags / current config; admin password from "
                        "$PHAROS_ADMIN_PASSWORD or stdin")
    p.add_argument("--station-id")
    p.add_argument("--station-name")
    p.add_argument("--language", choices=["en", "zh_CN"])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--demo", dest="demo", action="store_const", const=True, default=None,
                      help="built-in simulators instead of real peers")
    mode.add_argument("--production", dest="demo", action="store_const", const=False,
                      help="real PACS, OPC UA and MES")
    p.add_argument("--admin-user")
    p.add_argument("--admin-full-name")
    p.add_argument("--pacs-ae")
    p.add_argument("--pacs-host")
    p.add_argument("--pacs-port", type=int)
    p.add_argument("--scp-ae", help="this station's DICOM AE title")
    p.add_argument("--scp-port", type=int, help="this station's DICOM receiver port")
    p.add_argument("--allow-ae", metavar="AE,AE", help="calling AE titles (scanners) allowed "
                   "to send to the receiver besides the PACS; '*' = any")
    p.add_argument("--gateway-endpoint", help="lead-room OPC UA gateway opc.tcp:// URL")
    p.add_argument("--tunnel-endpoint", help="tunnel test OPC UA opc.tcp:// URL")
    p.add_argument("--opcua-security", choices=list(SECURITY_MODES))
    p.add_argument("--trust-gateway-certificate", action="store_true",
                   help="fetch the gateway's certificate, print subject and thumbprint, "
                        "and trust it")
    p.add_argument("--central-url", help="PostgreSQL URL; empty string: local only")
    p.add_argument("--stations", help=f"comma-separated subset of {','.join(STATION_IDS)}")
    p.add_argument("--test", action="store_true",
                   help="test PACS / gateway / central first; write nothing if one fails")
    p.add_argument("--dry-run", action="store_true", help="validate and print, write nothing")
    p.add_argument("--reason", default="first-run setup", help="reason for the audit trail")
    p.add_argument("--as", dest="as_user", help="administrator (when accounts exist)")
    p.set_defaults(func=cmd_setup)
