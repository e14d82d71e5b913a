"""`pharos sync ...` and `pharos central ...` (the lead registers them with
``add_sync_commands(subparsers)``).

    pharos sync status [--central URL] [--json]     backlog, quarantine, central reachability
    pharos sync now    [--central URL] [--json]     push the whole outbox, anchor, pull config
    pharos sync push   [--central URL] [--json]     push only
    pharos sync verify [--central URL] [--json]     does central hold exactly what we hold?
    pharos sync anchor [--central URL] [--station ID]  centrally anchored audit head SEQ:HASH
    pharos sync quarantine [--json]                 rows the central database refused, why
    pharos sync requeue (--all | --id N ...) --as USER --reason TEXT [--json]
                                                    re-send them after the fix (audited)
    pharos central migrate --url URL [--revision REV]
    pharos central publish KIND NAME FILE --approve-as USER [--url URL]   (asks the password)

Exit codes: 0 ok (status: in sync), 1 not in sync / refused / differs / backlog or
quarantine left / central unreachable, 2 error (status, now, push: credentials refused
or URL wrong - PH-SYNC-AUTH / PH-SYNC-CONFIG - or bad input).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.core.errors import PharosError, ValidationError

APPROVER_ROLES = ("supervisor", "quality_engineer", "admin")


def add_sync_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="offline-first sync with the central database")
    sc = p.add_subparsers(dest="sync_cmd", required=True)
    for name, text in (("status", "show backlog, quarantine and whether central answers"),
                       ("now", "push the whole outbox, anchor the audit head, pull config"),
                       ("push", "push the whole outbox (no pull)"),
                       ("verify", "compare central with this station (counts, hashes, gaps)"),
                       ("anchor", "print the centrally anchored audit head as SEQ:HASH"),
                       ("quarantine", "list the rows the central database refused, with why"),
                       ("requeue", "re-send quarantined rows after the cause was fixed "
                                   "(audited decision)")):
        q = sc.add_parser(name, help=text)
        q.add_argument("--central", help="central URL (default: [database] central_url)")
        q.add_argument("--json", action="store_true")
        if name == "anchor":
            q.add_argument("--station", help="station id (default: this station)")
        if name == "requeue":
            which = q.add_mutually_exclusive_group(required=True)
            which.add_argument("--all", action="store_true", help="every quarantined row")
            which.add_argument("--id", type=int, action="append", dest="ids", metavar="N",
                               help="outbox id from `pharos sync quarantine` (repeatable)")
            q.add_argument("--as", dest="as_user", metavar="USER", required=True,
                           help="quality engineer, supervisor or administrator (password: "
                                "$PHAROS_PASSWORD, $PHAROS_PASSWORD_FILE or stdin)")
            q.add_argument("--reason", required=True, help="why re-sending is right now "
                           "(e.g. 'central migrated to 0003_verdicts')")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("central", help="administer the central PostgreSQL database")
    cc = p.add_subparsers(dest="central_cmd", required=True)
    m = cc.add_parser("migrate", help="create or upgrade the central schema")
    m.add_argument("--url", required=True, help="postgresql://user:pw@host:port/db")
    m.add_argument("--revision", default="head")
    pb = cc.add_parser("publish", help="publish an approved configuration version")
    pb.add_argument("kind", choices=["limit_profile", "phantom", "sequence",
                                     "alarm_definitions", "users"])
    pb.add_argument("name")
    pb.add_argument("file", type=Path, help="JSON, YAML or TOML file with the content")
    pb.add_argument("--approve-as", required=True, dest="approve_as", metavar="USER")
    pb.add_argument("--url", help="central URL (default: [database] central_url)")
    p.set_defaults(func=cmd_central)


def _service(args: argparse.Namespace, ws: Any):
    from app.adapters.sync import SyncService

    from app.config import central_url

    url = central_url(ws.config, getattr(args, "central", None) or getattr(args, "url", None)
                      or None)
    db = ws.config.section("database")
    return SyncService(ws.store, url, interval_s=db["sync_interval_s"], batch=db["sync_batch"],
                       audit_head=ws.audit.head)


def cmd_sync(args: argparse.Namespace) -> int:
    from app.cli.common import fail, open_workstation, write_json

    try:
        ws = open_workstation(args)
    except PharosError as exc:
        return fail(exc)
    svc = _service(args, ws)
    try:
        return _run_sync(args, ws, svc, write_json)
    except PharosError as exc:
        return fail(exc, 1 if exc.code in ("PH-SYNC-SCHEMA", "PH-SYNC-LOCAL",
                                           "PH-SYNC-DOWN") else 2)
    finally:
        svc.close()
        ws.close()


def _run_sync(args, ws, svc, write_json) -> int:
    cmd = args.sync_cmd
    if cmd == "status":
        status = svc.probe()
        data = status.to_dict()
        if status.connected:
            try:
                data["central_anchor"] = list(svc.central_anchor() or [])
            except PharosError:
                data["central_anchor"] = []
        text = status.summary()
        if status.last_error and status.state not in ("offline", "refused", "config_error"):
            text += f"; last error: {status.last_error}"
        _out(args, data, write_json, text)
        if status.state == "local_only" or status.in_sync:
            return 0
        return 2 if status.state == "config_error" else 1
    if cmd == "quarantine":
        rows = svc.backlog_rows(limit=100000, quarantined=True)
        lines = [f"{r['id']:>8} {r['table_name']:12s} {r['row_id']:38s} seq {r['station_seq']}: "
                 f"{r['last_error']}" for r in rows]
        _out(args, {"quarantined": rows}, write_json,
             "\n".join(lines) if rows else "nothing quarantined")
        return 1 if rows else 0
    if cmd == "requeue":
        from app.cli.common import require_login

        user = require_login(ws, args, "sync requeue")
        rows = svc.requeue(None if args.all else args.ids, user=user, reason=args.reason,
                           audit=ws.audit)
        report: dict = {"requeued": [r["id"] for r in rows]}
        if rows and svc.enabled:
            report.update(svc.sync_once(pull=False))
        report["status"] = svc.status.to_dict()
        _out(args, report, write_json,
             f"{len(rows)} rows requeued by {user.username} (audited)"
             + (f"; pushed {report.get('pushed', 0)}, {report.get('quarantined', 0)} "
                f"quarantined again" if rows and svc.enabled else "")
             + "\n" + svc.status.summary())
        return 0 if not svc.status.quarantined and not svc.status.backlog else 1
    if cmd in ("now", "push"):
        report = svc.sync_once(pull=cmd == "now")
        report["status"] = svc.status.to_dict()
        text = (f"pushed {report['pushed']} rows ({report['inserted']} new, "
                f"{report['replayed']} already central), {report['quarantined']} quarantined"
                + (f", {report.get('pulled', 0)} configuration items pulled" if cmd == "now" else ""))
        _out(args, report, write_json, text + "\n" + svc.status.summary())
        return 0 if svc.status.backlog == 0 else 1
    if cmd == "verify":
        from app.adapters.central.compare import compare_station

        with svc.engine().connect() as conn:
            ag = compare_station(ws.store, conn)
        _out(args, {"ok": ag.ok, "counts": ag.counts, "pending": ag.pending,
                    "quarantined": ag.quarantined, "problems": ag.problems}, write_json,
             ag.text())
        return 0 if ag.ok else 1
    anchor = svc.central_anchor(getattr(args, "station", None))
    _out(args, {"anchor": f"{anchor[0]}:{anchor[1]}" if anchor else None}, write_json,
         f"{anchor[0]}:{anchor[1]}" if anchor else "no anchor yet")
    return 0 if anchor else 1


def _out(args, data: dict, write_json, text: str) -> int:
    if getattr(args, "json", False):
        write_json(None, data)
    else:
        print(text)
    return 0


def load_content(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(raw)
        if path.suffix.lower() == ".toml":
            import tomllib

            return tomllib.loads(raw)
        return json.loads(raw)
    except Exception as exc:  # noqa: BLE001 - any parser error is bad input
        raise ValidationError(f"{path} is not valid {path.suffix.lstrip('.') or 'JSON'}: "
                              f"{exc}.") from exc


def cmd_central(args: argparse.Namespace) -> int:
    from app.cli.common import fail

    try:
        if args.central_cmd == "migrate":
            from app.adapters.central.db import migrate_central, redact

            rev = migrate_central(args.url, args.revision)
            print(f"central database {redact(args.url)} is at schema revision {rev}")
            return 0
        return _publish(args)
    except PharosError as exc:
        return fail(exc)


def _publish(args: argparse.Namespace) -> int:
    from app.adapters.central import published as P
    from app.cli.common import open_workstation, read_password
    from app.core.roles import roles

    content = load_content(args.file)
    ws = open_workstation(args)
    svc = _service(args, ws)
    try:
        password = read_password(f"Password for {args.approve_as} (approval signature): ")

        def sign(item_id: str, content_text: str) -> dict:
            s = ws.signatures.sign("published_config", item_id, content_text, "approved",
                                   username=args.approve_as, password=password,
                                   comment=f"publish {args.kind}/{args.name}",
                                   allowed_roles=roles(*APPROVER_ROLES))
            return {k: getattr(s, k) for k in s.__dataclass_fields__}

        with svc.engine().begin() as conn:
            item = P.publish(conn, args.kind, args.name, content, sign)
        print(f"published {item.kind}/{item.name} version {item.version} "
              f"(sha256 {item.content_sha256[:16]}…), approved by {item.approved_by}")
        try:
            svc.sync_once(pull=False)  # the approval signature must reach the central trail
        except PharosError as exc:
            print(f"note: the approval signature is still in the local outbox ({exc.message}); "
                  f"stations take this version after the next sync of this workstation")
        return 0
    finally:
        svc.close()
        ws.close()
