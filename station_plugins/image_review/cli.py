"""Headless commands: ``pharos ai classify`` and ``pharos review list|export|decide``.

``ai classify`` exit codes: 0 nothing flagged, 1 flagged, 2 bad input or the model was
refused (the reason on stderr). ``review`` commands: 0 done, 2 refused (reason on stderr).
Import-light: numpy and the station's logic load inside the commands.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import fail, read_password, write_json
from app.core.errors import PharosError, ValidationError

STATION = "image_review"
STATUSES = ("open", "awaiting_second", "approved", "rejected")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    ai = subparsers.add_parser("ai", help="AI image check of CT phantom series")
    ai_sub = ai.add_subparsers(dest="ai_command", metavar="COMMAND", required=True)
    c = ai_sub.add_parser("classify", help="classify every slice of a series (DICOM or .npy)")
    c.add_argument("paths", nargs="+", metavar="PATH",
                   help="DICOM series folder, DICOM files, or a .npy HU volume")
    c.add_argument("--json", dest="json_out", metavar="OUT",
                   help="write the result JSON here ('-' = stdout)")
    c.add_argument("--series-uid", help="series to classify when the input holds several")
    c.add_argument("--models-dir", type=Path, help="model folder (default: installed models)")
    c.add_argument("--no-store", action="store_true",
                   help="do not store the AI verdict record")
    c.set_defaults(func=cmd_classify)

    rv = subparsers.add_parser("review", help="the image reviewer queue")
    rv_sub = rv.add_subparsers(dest="review_command", metavar="COMMAND", required=True)
    ls = rv_sub.add_parser("list", help="list queued and decided items")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument("--scanner", metavar="SN", help="scanner serial")
    ls.add_argument("--class", dest="ai_class", metavar="C", help="AI class")
    ls.add_argument("--sort", choices=("priority", "age"), default="priority")
    ls.add_argument("--json", action="store_true", help="JSON on stdout")
    ls.set_defaults(func=cmd_list)

    ex = rv_sub.add_parser("export", help="export decisions as a labelled data set")
    ex.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="new or empty folder")
    ex.add_argument("--since", metavar="ISO", help="decisions at/after this UTC time")
    ex.add_argument("--as", dest="as_user", metavar="USER",
                    help="export as this user (role checked; password as for decide)")
    ex.set_defaults(func=cmd_export)

    de = rv_sub.add_parser("decide", help="approve or reject an item under an e-signature")
    de.add_argument("item", metavar="ITEM", help="item id (or a unique prefix)")
    g = de.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", dest="decision", action="store_const", const="approve")
    g.add_argument("--reject", dest="decision", action="store_const", const="reject")
    de.add_argument("--reason", required=True, metavar="CODE", help="reason code")
    de.add_argument("--comment", default="", help="free text")
    de.add_argument("--as", dest="as_user", required=True, metavar="USER",
                    help="the signing reviewer (password: $PHAROS_PASSWORD, stdin or prompt)")
    de.set_defaults(func=cmd_decide)


def _context(args: argparse.Namespace) -> tuple[Any, Any]:
    """(Workstation, StationContext) with the station's actions declared on the context
    (the plugin is found by discovery, as the GUI finds it)."""
    from app.cli.common import open_workstation, station_instance

    ws = open_workstation(args, start_loop=False)
    return ws, station_instance(ws, STATION).ctx


# --- ai classify -----------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    from app.adapters.inference import ModelRegistry
    from station_plugins.image_review.service import ReviewService, ai_json, load_input

    try:
        ws, ctx = _context(args)
    except PharosError as exc:
        return fail(exc)
    try:
        if args.models_dir is not None:
            ctx.models = ModelRegistry(args.models_dir, audit=ws.audit)
        service = ReviewService(ctx)
        try:
            inp = load_input(args.paths if len(args.paths) > 1 else args.paths[0],
                             series_uid=args.series_uid)
            result = service.classify(inp.volume, pixel_mm=inp.pixel_mm, series=inp.series)
        except PharosError as exc:
            return fail(exc)
        data = ai_json(result, inp.series_uid)
        if not args.no_store:
            data["record_id"] = service.record_ai_verdict(
                result, series_uid=inp.series_uid, scanner_serial=inp.scanner_serial,
                source=inp.source)
        if args.json_out:
            write_json(args.json_out, data)
        if args.json_out != "-":
            print(f"{'FLAGGED' if result.flagged else 'normal'}  {result.label}  "
                  f"{len(result.slices)} slice(s)  {result.model_id} {result.model_version}"
                  f"  {result.latency_ms_per_slice:.1f} ms/slice")
            if not result.applicable:
                print(f"  AI not applicable to this series ({result.not_applicable_reason}): "
                      f"the physics decides alone")
            elif result.label in ("normal", "uncertain"):
                label, evidence = result.decision()
                if evidence.weak:
                    print(f"  series: {evidence.sentence()}: "
                          f"{'more than chance' if label == 'uncertain' else 'within chance'}")
            for s in result.slices:
                if s.flagged:
                    print(f"  slice {s.slice_index}: {s.label} ({s.confidence:.2f}) "
                          f"{'; '.join(s.reasons)}")
        return 1 if result.flagged else 0
    finally:
        ws.close()


# --- review list -----------------------------------------------------------------------
def item_summary(item: Any) -> dict:
    return {"id": item.id, "created_utc": item.created_utc, "status": item.status,
            "priority": item.priority, "scanner_serial": item.scanner_serial,
            "series_uid": item.series_uid, "slice_index": item.slice_index,
            "ai_class": item.ai_label or None, "reasons": list(item.reasons),
            "physics_verdict": item.physics.get("verdict"),
            "analysed_by": item.analysed_by, "assigned_to": item.assigned_to,
            "decisions": [{k: d.get(k) for k in ("decision", "reason_code", "comment",
                                                  "username", "signature_id", "stage",
                                                  "created_utc")} for d in item.decisions]}


def cmd_list(args: argparse.Namespace) -> int:
    from station_plugins.image_review.service import ReviewService

    ws, ctx = _context(args)
    try:
        queue = ReviewService(ctx).queue
        items = queue.items(status=args.status, scanner=args.scanner,
                            ai_class=args.ai_class, sort=args.sort)
        if args.json:
            write_json(None, [item_summary(i) for i in items])
            return 0
        if not items:
            print("no items")
        for i in items:
            print(f"{i.id[:8]}  P{i.priority}  {i.created_utc[:16]}  {i.scanner_serial:12s} "
                  f"{(i.ai_label or '-'):10s} {i.status:16s} {i.assigned_to or '-':10s} "
                  f"{', '.join(i.reasons)}")
        return 0
    finally:
        ws.close()


# --- review export ---------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from app import __version__
    from station_plugins.image_review.export import export_dataset
    from station_plugins.image_review.service import ReviewService, _default_user

    ws, ctx = _context(args)
    try:
        username = _default_user()
        if args.as_user:
            user = ws.auth.authenticate(args.as_user, read_password(
                f"Password for {args.as_user}: "))
            ws.session.login(user)
            ctx.require("export")
            username = user.username
        manifest = export_dataset(ReviewService(ctx).queue, args.out_dir, username=username,
                                  audit=ws.audit, since=args.since,
                                  station_id=ws.store.station_id, software_version=__version__)
        print(f"exported {manifest['items']} item(s) to {args.out_dir} "
              f"(dataset {manifest['dataset_id']}, manifest sha256 "
              f"{manifest['manifest_sha256'][:16]}…)")
        return 0
    finally:
        ws.close()


# --- review decide ---------------------------------------------------------------------
def resolve_item(queue: Any, ref: str) -> Any:
    matches = [i for i in queue.items(sort="age") if i.id == ref] or \
              [i for i in queue.items(sort="age") if i.id.startswith(ref)]
    if len(matches) != 1:
        raise ValidationError(f"No review item '{ref}'." if not matches else
                              f"'{ref}' matches {len(matches)} items; give more characters.")
    return matches[0]


def cmd_decide(args: argparse.Namespace) -> int:
    from station_plugins.image_review.service import ReviewService

    ws, ctx = _context(args)
    try:
        password = read_password(f"Password for {args.as_user}: ")
        user = ws.auth.authenticate(args.as_user, password)
        ws.session.login(user)
        ctx.require("review")
        queue = ReviewService(ctx).queue
        item = resolve_item(queue, args.item)
        done = queue.decide(item.id, args.decision, args.reason, args.comment,
                            username=user.username, password=password)
        last = done.decisions[-1]
        print(f"{args.decision}d {done.id} ({done.status}); signature {last['signature_id']}")
        if done.status == "awaiting_second":
            print("two-person rule: the rejection needs a second reviewer's signature")
        hold = queue.hold(done.scanner_serial)
        print(f"scanner {done.scanner_serial}: "
              f"{'ON HOLD - ' + hold['reason'] if hold else 'not held'}")
        return 0
    finally:
        ws.close()
