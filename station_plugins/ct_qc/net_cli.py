"""Headless DICOM commands: ``pharos qc listen | retrieve | archive``.

``add_commands(qc_subparsers)`` is called by :mod:`station_plugins.ct_qc.cli`. Defaults
come from the ``[pacs]`` configuration section; flags override them. Exit codes: 0 ok,
1 done but not everything succeeded (rejected files, instances not committed), 2 error
(the reason and remedy on stderr).
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from app.core.errors import PharosError

if TYPE_CHECKING:
    from station_plugins.ct_qc.intake_service import IntakeService
    from station_plugins.ct_qc.station_service import CtQcService

log = logging.getLogger(__name__)


def add_commands(sub: argparse._SubParsersAction) -> None:
    listen = sub.add_parser("listen", help="run the DICOM receiver in the foreground: "
                            "assemble series and analyse each complete one")
    _receiver_args(listen)
    listen.add_argument("--allow", nargs="+", metavar="AE", help="calling AE titles allowed "
                        "(default [pacs] allowed_calling_aes; the PACS peer always, the demo "
                        "scanner SIMSCAN in demo mode; '*' = any)")
    listen.add_argument("--folder", type=Path, help="import this folder once at start")
    listen.add_argument("--watch", type=Path, help="watch this folder (polling, debounced)")
    listen.add_argument("--settle", type=float, help="seconds a series count must be stable "
                        "(default [pacs] series_settle_s)")
    listen.add_argument("--out", type=Path, help="write <SeriesUID>.json results here "
                        "(default <data>/results)")
    listen.add_argument("--no-analyse", action="store_true", help="assemble only")
    listen.add_argument("--store", action="store_true", help="also store each result in the "
                        "workstation store and run the AI hand-off (verdict stored, flagged "
                        "series queued for image review), as the panel does; needs --as")
    listen.add_argument("--as", dest="as_user", metavar="USER", help="with --store: the user "
                        "or service account the results are stored for (password: "
                        "$PHAROS_PASSWORD, $PHAROS_PASSWORD_FILE or stdin)")
    listen.add_argument("--phantom", default="auto")
    listen.add_argument("--profile", default="auto")
    listen.set_defaults(func=cmd_listen)

    ret = sub.add_parser("retrieve", help="C-FIND / C-MOVE a study or series from the PACS")
    _receiver_args(ret)
    _peer_args(ret)
    ret.add_argument("--study", help="Study Instance UID")
    ret.add_argument("--series", help="Series Instance UID (needs --study)")
    ret.add_argument("--list", action="store_true", help="only list (C-FIND), do not move")
    ret.add_argument("--patient-id", help="C-FIND filter (with --list)")
    ret.add_argument("--out", type=Path, help="copy the retrieved files here")
    ret.set_defaults(func=cmd_retrieve)

    arc = sub.add_parser("archive", help="validate files, C-STORE them to the PACS and wait "
                         "for Storage Commitment")
    arc.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    _receiver_args(arc)
    _peer_args(arc)
    arc.add_argument("--commit-timeout", type=float, default=30.0)
    arc.add_argument("--json", dest="json_out", help="write the report here ('-' = stdout)")
    arc.set_defaults(func=cmd_archive)


def _receiver_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ae-title", help="our AE title (default [pacs] scp_ae_title)")
    p.add_argument("--port", type=int, help="our receiver port (default [pacs] scp_port)")
    p.add_argument("--host", help="bind address (default 127.0.0.1)")
    p.add_argument("--station-dir", type=Path, help="station data folder (intake, quarantine; "
                   "default <data folder>/stations/ct_qc)")


def _peer_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--peer-host", help="PACS host (default [pacs] peer_host)")
    p.add_argument("--peer-port", type=int, help="PACS port (default [pacs] peer_port)")
    p.add_argument("--peer-ae", help="PACS AE title (default [pacs] peer_ae_title)")


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The receiver flags given on the command line (None = not given)."""
    return {"ae_title": args.ae_title, "port": args.port, "host": args.host,
            "peer_host": getattr(args, "peer_host", None),
            "peer_port": getattr(args, "peer_port", None),
            "peer_ae_title": getattr(args, "peer_ae", None),
            "settle_s": getattr(args, "settle", None),
            "watch_folder": str(args.watch) if getattr(args, "watch", None) else None,
            "allowed_calling_aes": tuple(args.allow) if getattr(args, "allow", None) else None}


def _config_and_settings(args: argparse.Namespace) -> tuple[Any, Any, Path]:
    from app.config import load_config
    from station_plugins.ct_qc.station_service import intake_settings

    config = load_config(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None))
    station = config.station_settings("ct_qc")
    settings = intake_settings(config.section("pacs"), station, demo=config.demo,
                               **_overrides(args))
    data_dir = getattr(args, "station_dir", None) or config.data_dir / "stations" / "ct_qc"
    return station, settings, data_dir


def _service(args: argparse.Namespace, **callbacks: Any) -> IntakeService:
    """The intake alone (``retrieve``, ``archive``): receiver settings as the station's."""
    from station_plugins.ct_qc.intake_service import IntakeService

    _station, settings, data_dir = _config_and_settings(args)
    return IntakeService(data_dir, settings, **callbacks)


def _fail(exc: PharosError) -> int:
    print(f"error: {exc.message} [{exc.code}]", file=sys.stderr)
    if exc.remedy:
        print(f"remedy: {exc.remedy}", file=sys.stderr)
    return 2


def _say(text: str) -> None:
    print(text, flush=True)


# --- listen ------------------------------------------------------------------------------
def cmd_listen(args: argparse.Namespace) -> int:
    """The station's service (intake + analysis queue) in the foreground: with --store the
    CT QC plugin's own service on a workstation, logged in; else one without a store that
    writes JSON results only. Either way the series goes the panel's way."""
    from station_plugins.ct_qc.station_service import AnalysisOptions

    stop = threading.Event()
    closers: list = []
    try:
        svc = _store_service(args, closers) if args.store else _json_service(args, closers)
        out = args.out or svc.intake.data_dir / "results"
        out.mkdir(parents=True, exist_ok=True)
        profile = {"auto": "auto", "none": None}.get(args.profile, args.profile)
        svc.auto = None if args.no_analyse else AnalysisOptions(phantom=args.phantom,
                                                                profile=profile)
        svc.subscribe(_printer(out, stored=bool(args.store)))
        svc.start_receiving()
        # a long-running service: the AI check's compiled kernels (the same values as
        # OpenCV / numpy, which measure until they are ready) loaded beside the intake
        # (from the data folder's kernel cache: app/ct/ai/compiled.warm_up_from)
        from app.ct.ai import compiled

        threading.Thread(target=compiled.warm_up_from, args=(svc.intake.data_dir,),
                         name="ai-kernels", daemon=True).start()
        if args.folder:
            _import_once(svc, args.folder)
    except PharosError as exc:
        _close(closers)
        return _fail(exc)
    except BaseException:
        _close(closers)
        raise
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        _close(closers)
        _say("receiver stopped")
    return 0


def _import_once(svc: CtQcService, folder: Path) -> None:
    """``--folder``: new files, files already stored (duplicates: nothing changes, an
    unchanged series with a stored result is not analysed again) and conflicts apart;
    audited with --store."""
    from station_plugins.ct_qc.intake_audit import audit_import
    from station_plugins.ct_qc.intake_jobs import summarise

    s = summarise(svc.intake.import_folder(folder))
    audit_import(svc.audit, Path(folder), s, svc.operator() or "")
    _say(f"imported {folder}: {s.new} new, {s.duplicates} already stored (duplicates), "
         f"{s.conflicts} conflict(s), {s.rejected} rejected; {len(s.series_uids)} series, "
         f"{len(s.unchanged)} unchanged")


def _close(closers: list) -> None:
    for close in reversed(closers):
        close()
    closers.clear()


def _store_service(args: argparse.Namespace, closers: list) -> CtQcService:
    """The CT QC plugin's service on a workstation, the user logged in: results stored
    (ct_qc.result), the scanner's baseline applied, the AI hand-off run."""
    from types import SimpleNamespace

    from app.cli.common import open_workstation, require_login, station_instance
    from app.core.roles import Role

    ws = open_workstation(SimpleNamespace(config=getattr(args, "config", None),
                                          data_dir=getattr(args, "data_dir", None)))
    closers.append(ws.close)
    # results are records: a person or a service account signs for them (logged in here,
    # the service analyses as the session's user)
    require_login(ws, args, "qc listen --store", (
        Role.OPERATOR, Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMIN))
    plugin = station_instance(ws, "ct_qc")      # the plugin, found as the GUI finds it
    closers.append(plugin.shutdown)
    return plugin.open_service(data_dir=getattr(args, "station_dir", None),
                               **_overrides(args))


def _json_service(args: argparse.Namespace, closers: list) -> CtQcService:
    """The same service without a store or a login: results as JSON files only."""
    from app.runtime.task_runner import TaskRunner
    from station_plugins.ct_qc.station_service import CtQcService

    station, settings, data_dir = _config_and_settings(args)
    tasks = TaskRunner(max_workers=1, name="qc-listen")
    closers.append(lambda: tasks.shutdown(wait=True))
    svc = CtQcService(data_dir, settings, tasks=tasks, station_settings=station,
                      operator=lambda: "qc-listen")
    closers.append(svc.shutdown)
    return svc


def _printer(out: Path, *, stored: bool) -> Callable[[Any], None]:
    """The service's events as lines on stdout; results (and errors) as JSON in ``out``."""
    from station_plugins.ct_qc.intake_jobs import ai_sidecar

    def on_event(e: Any) -> None:
        if e.kind in ("progress", "series_ready"):
            return
        if e.kind == "analysed":
            _analysed(e.data)
        elif e.kind == "analysis_failed":
            _failed(*e.data)
        else:
            _say(f"{e.ts_utc} {e.kind:15s} {e.text}")

    def _analysed(outcome: Any) -> None:
        uid = outcome.entry.series_uid
        path = out / f"{uid}.json"
        path.write_text(outcome.result.to_json(), encoding="utf-8")
        if not stored:
            _say(f"analysed       series {uid}: {outcome.result.verdict.value} -> {path}")
            series = outcome.series
            _say(f"ai_verdict     series {uid}: " + ai_sidecar(
                series.volume, out / f"{uid}.ai.json", getattr(series, "pixel_mm", None)))
            return
        ai = outcome.ai or {}
        ai_text = (f"AI {ai.get('label')}" + (" (queued for review)"
                                              if ai.get("review_reasons") else "")
                   if ai.get("available") else f"AI unavailable: {ai.get('reason')}")
        _say(f"analysed       series {uid}: {outcome.result.verdict.value} -> {path}; stored "
             f"{outcome.record_id}; {ai_text}")

    def _failed(entry: Any, exc: BaseException) -> None:
        uid = entry.series_uid
        path = out / f"{uid}.error.json"
        error = exc.to_dict() if isinstance(exc, PharosError) else {
            "code": "PH-BUG", "message": f"{type(exc).__name__}: {exc}"}
        path.write_text(json.dumps({"series_instance_uid": uid, "error": error}, indent=2),
                        encoding="utf-8")
        what = (f"{exc.message} [{exc.code}]" if isinstance(exc, PharosError)
                else f"unexpected {type(exc).__name__}: {exc}")
        _say(f"analysis_error series {uid}: {what} -> {path}"
             + (" (stored as ERROR)" if stored and isinstance(exc, PharosError) else ""))
    return on_event


# --- retrieve ----------------------------------------------------------------------------
def cmd_retrieve(args: argparse.Namespace) -> int:
    import shutil

    if args.series and not args.study:
        print("error: --series needs --study", file=sys.stderr)
        return 2
    try:
        svc = _service(args)
        if args.list:
            keys = {k: v for k, v in (("StudyInstanceUID", args.study),
                                       ("PatientID", args.patient_id)) if v}
            rows = svc.query("SERIES" if args.study else "STUDY", **keys)
            _say(json.dumps(rows, indent=2))
            return 0
        if not args.study:
            print("error: give --study (and optionally --series), or --list", file=sys.stderr)
            return 2
        svc.start()
        try:
            report = svc.retrieve(args.study, args.series)
            infos = [svc.analyse(s.series_instance_uid) for s in svc.series_states()
                     if s.instance_count]
        finally:
            svc.stop()
    except PharosError as exc:
        return _fail(exc)
    if args.out:
        for info in infos:
            dest = args.out / info.series_instance_uid
            dest.mkdir(parents=True, exist_ok=True)
            for p in info.paths:
                shutil.copy2(p, dest / p.name)
    _say(json.dumps({"moved": report.completed, "failed": report.failed,
                     "warning": report.warning, "rejected": [r.to_dict() for r in svc.rejected_files()],
                     "series": [i.to_dict() for i in infos]}, indent=2))
    return 0 if report.failed == 0 and not svc.rejected_files() else 1


# --- archive -----------------------------------------------------------------------------
def cmd_archive(args: argparse.Namespace) -> int:
    try:
        svc = _service(args)
        svc.import_paths(args.paths)
        infos = [svc.analyse(s.series_instance_uid) for s in svc.series_states()]
        svc.start()
        try:
            reports = {i.series_instance_uid: svc.archive(i, commit_timeout=args.commit_timeout)
                       for i in infos}
        finally:
            svc.stop()
    except PharosError as exc:
        return _fail(exc)
    doc = {"archived": bool(reports) and all(r.archived for r in reports.values())
           and not svc.rejected_files(),
           "series": {uid: r.to_dict() for uid, r in reports.items()},
           "rejected": [r.to_dict() for r in svc.rejected_files()]}
    text = json.dumps(doc, indent=2)
    if args.json_out == "-":
        _say(text)
    elif args.json_out:
        Path(args.json_out).write_text(text, encoding="utf-8")
    if args.json_out != "-":
        for uid, r in reports.items():
            _say(f"series {uid}: {'ARCHIVED' if r.archived else 'NOT ARCHIVED'} "
                 f"({len(r.store.sent_ok)}/{len(r.store.results)} stored)")
        for rej in svc.rejected_files():
            _say(f"rejected {rej.source}: {rej.message}")
    return 0 if doc["archived"] else 1
