"""Background jobs of the CT QC station around the intake service (Qt-free; each is
``fn(*args, token=..., progress=...)`` for the task runner).

* :func:`import_job` - folder import through IntakeService (validation + quarantine);
  every series it stored is completed at once (its ``on_series_complete`` fires).
* :func:`simulate_job` - simulate a phantom series and import it the same way.
* :func:`demo_push_job` - demo mode: a simulated scanner renders a series and pushes it
  with C-STORE to the station's own receiver (it arrives like a real scanner's).
* :func:`analyse_job` - look up the scanner's accepted baseline, then
  ``workflow.analyse_and_store`` (physics, store, AI hand-off).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from app.core.errors import InputRejected
from app.core.tasks import CancelToken, ScaledProgress

DEMO_DAYS = 5


@dataclass(frozen=True)
class ImportSummary:
    stored: int
    duplicates: int
    rejected: int
    series_uids: tuple[str, ...]


def _complete(service: Any, report: Any) -> ImportSummary:
    uids = tuple(sorted({s.series_instance_uid for s in report.stored}))
    for uid in uids:
        service.analyse(uid)          # complete now: fires on_series_complete
    return ImportSummary(len(report.stored), report.duplicates, len(report.rejected), uids)


def import_job(service: Any, folder: str | Path, *, token: CancelToken,
               progress: Callable) -> ImportSummary:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputRejected(f"Folder {folder} does not exist.")
    progress(0.0, "validating files")
    report = service.import_folder(folder, token=token, progress=progress)
    if not report.stored and not report.rejected:
        raise InputRejected(f"No files found under {folder}.",
                            remedy="Choose a folder that holds CT DICOM files.")
    return _complete(service, report)


def simulate_job(service: Any, out_dir: str | Path, params: Any, serial: str, *,
                 token: CancelToken, progress: Callable) -> ImportSummary:
    """Simulate a phantom series (demo / training), write it and import it."""
    from app.adapters.dicom_files import ImportReport, RejectedFile
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    if params is None:      # the default is built here: the simulator (scipy) is imported
        params = SimParams(matrix=256)   # in the worker, never on the GUI thread
    series = simulate_series(params, token=token, progress=ScaledProgress(progress, 0, 0.7))
    token.raise_if_cancelled()
    paths = write_dicom_series(series, Path(out_dir), scanner_serial=serial)
    report = ImportReport()
    for i, path in enumerate(p for p in paths if Path(p).suffix == ".dcm"):
        token.raise_if_cancelled()
        outcome = service.files.ingest_file(Path(path))
        service._outcome(outcome)  # noqa: SLF001 - same path as import_paths, one file
        (report.rejected if isinstance(outcome, RejectedFile) else report.stored).append(outcome)
        progress(0.7 + 0.3 * (i + 1) / len(paths), "importing")
    return _complete(service, report)


def demo_push_job(out_dir: str | Path, host: str, port: int, called_ae: str, k: int, *,
                  matrix: int = 256, token: CancelToken, progress: Callable) -> dict:
    """Render demo series number ``k`` (scanners and days in turn, with the demo fleet's
    artifacts) and push it to ``called_ae`` at host:port as the scanner 'SIMSCAN'."""
    from app.ct.simulator import simulate_series, write_dicom_series
    from app.ct.simulator.demo_scanner import DEFAULT_SCANNERS, demo_params
    from app.ct.simulator.scanner_push import push_series

    index = k % len(DEFAULT_SCANNERS)
    day = (k // len(DEFAULT_SCANNERS)) % DEMO_DAYS
    serial = DEFAULT_SCANNERS[index]
    params = demo_params(serial, index, day, DEMO_DAYS, matrix=matrix,
                         when=datetime.now(timezone.utc).replace(microsecond=0), seed=k)
    progress(0.0, f"simulating {serial}")
    series = simulate_series(params, token=token, progress=ScaledProgress(progress, 0, 0.6))
    token.raise_if_cancelled()
    folder = Path(out_dir) / f"{k:05d}_{serial}"
    paths = write_dicom_series(series, folder, scanner_serial=serial,
                               station_name=f"CT{index + 1:02d}", series_number=day + 1)
    progress(0.7, f"pushing {serial} to {called_ae}@{host}:{port}")
    report = push_series(paths, host, port, called_ae, "SIMSCAN")
    progress(1.0, "pushed")
    return {"serial": serial, "day": day, "sent": len(report.results),
            "accepted": len(report.sent_ok)}


def analyse_job(entry: Any, loaded: Any, store: Any, username: str, *, phantom: str = "auto",
                profile: Any = None, review: Any = None, use_baseline: bool = True,
                geometry: Any = None, token: CancelToken, progress: Callable) -> Any:
    from station_plugins.ct_qc import workflow
    from station_plugins.ct_qc.baseline import current_baseline

    baseline = None
    if use_baseline and store is not None:
        serial = entry.scanner_serial or (getattr(loaded, "header", {}) or {}).get(
            "DeviceSerialNumber", "")
        baseline = current_baseline(store, serial)
    return workflow.analyse_and_store(entry, loaded, store, username, phantom=phantom,
                                      profile=profile, token=token, progress=progress,
                                      review=review, baseline=baseline, geometry=geometry)


# --- headless: `pharos qc listen` hooks (station_plugins/ct_qc/net_cli.py) ----------------
def ai_sidecar(volume: Any, path: Path, pixel_mm: float | None = None) -> str:
    """JSON-only mode: when the classifier is installed, write its verdict beside the
    result (``<uid>.ai.json``); nothing is queued for review without a store."""
    import json

    from app.adapters.inference import ModelRegistry
    from app.paths import models_dir
    from app.ct.ai.handoff import checker_or_reason

    from app.core.errors import PharosError

    checker, reason = checker_or_reason(ModelRegistry(models_dir()))
    try:
        doc = ({"available": False, "reason": reason} if checker is None
               else {"available": True,
                     **checker.classify(volume, pixel_mm=pixel_mm).to_dict()})
    except PharosError as exc:
        reason = f"AI check failed: {exc.message}"
        doc = {"available": False, "reason": reason}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return reason or str(doc.get("label"))


def store_analyser(args: Any, out: Path, say: Callable[[str], None]) -> Callable:
    """``qc listen --store``: every complete series is analysed like in the panel - the
    scanner's baseline applied, the result stored (record ct_qc.result), the AI hand-off
    run (ct_qc.ai_verdict stored, flagged series queued for image review) - and the result
    JSON is also written to ``out``. The returned callable has ``close()``."""
    import json
    from types import SimpleNamespace

    from app.cli.common import open_workstation
    from app.core.errors import PharosError
    from station_plugins.ct_qc import workflow
    from app.ct.analysis.rings import geometry_from_settings
    from app.ct.limits import resolve_profile
    from station_plugins.ct_qc.plugin import CtQcStation
    from station_plugins.ct_qc.review_link import ReviewLink

    from app.cli.common import require_login
    from app.core.roles import Role

    ws = open_workstation(SimpleNamespace(config=getattr(args, "config", None),
                                          data_dir=getattr(args, "data_dir", None)))
    try:       # results are records: a person or a service account signs for them
        user = require_login(ws, args, "qc listen --store", (
            Role.OPERATOR, Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMIN))
    except BaseException:
        ws.close()
        raise
    ctx = ws.context_for("ct_qc")
    CtQcStation(ctx)
    link = ReviewLink.from_ctx(ctx)
    username = user.username

    def run(info: Any) -> None:
        entry = workflow.entry_from_info(info)
        uid = entry.series_uid
        profile: Any = args.profile
        if profile == "auto":
            profile = lambda phantom: resolve_profile("auto", phantom)  # noqa: E731
        elif profile == "none":
            profile = None
        try:
            outcome = analyse_job(entry, None, ctx.store, username, phantom=args.phantom,
                                  profile=profile, review=link, token=CancelToken(),
                                  geometry=geometry_from_settings(ctx.settings),
                                  progress=lambda *_: None)
        except PharosError as exc:
            path = out / f"{uid}.error.json"
            path.write_text(json.dumps({"series_instance_uid": uid, "error": exc.to_dict()},
                                       indent=2), encoding="utf-8")
            say(f"analysis_error series {uid}: {exc.message} [{exc.code}] -> {path} "
                f"(stored as ERROR)")
            return
        path = out / f"{uid}.json"
        path.write_text(outcome.result.to_json(), encoding="utf-8")
        ai = outcome.ai or {}
        ai_text = (f"AI {ai.get('label')}" + (" (queued for review)" if ai.get("review_reasons")
                                              else "")
                   if ai.get("available") else f"AI unavailable: {ai.get('reason')}")
        say(f"analysed       series {uid}: {outcome.result.verdict.value} -> {path}; stored "
            f"{outcome.record_id}; {ai_text}")

    run.close = ws.close  # type: ignore[attr-defined]
    return run
