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
from station_plugins.ct_qc.intake_audit import audit_import

DEMO_DAYS = 5


@dataclass(frozen=True)
class ImportSummary:
    """What a folder import did, file by file: ``new`` files written to the intake folder,
    ``duplicates`` already stored byte for byte (nothing changed), ``conflicts`` (a stored
    SOP Instance UID with other content: the first copy kept, the new one quarantined),
    ``rejected`` (every other refusal, quarantined); ``series_uids``: the series touched,
    ``unchanged``: those of them with no new file (not analysed again when their result
    is stored)."""

    new: int
    duplicates: int
    rejected: int
    series_uids: tuple[str, ...]
    conflicts: int = 0
    unchanged: tuple[str, ...] = ()

    @property
    def stored(self) -> int:
        """Files of the folder now in the intake folder (new + duplicates)."""
        return self.new + self.duplicates

    def to_dict(self) -> dict:
        return {"new": self.new, "duplicates": self.duplicates, "conflicts": self.conflicts,
                "rejected": self.rejected, "series": list(self.series_uids),
                "unchanged_series": list(self.unchanged)}


def summarise(report: Any) -> ImportSummary:
    """The counts of an ``ImportReport`` (no series completed)."""
    uids = tuple(sorted({s.series_instance_uid for s in report.stored}))
    changed = {s.series_instance_uid for s in report.stored if not s.duplicate}
    conflicts = sum(1 for r in report.rejected if r.reason == "uid_conflict")
    return ImportSummary(len(report.stored) - report.duplicates, report.duplicates,
                         len(report.rejected) - conflicts, uids, conflicts,
                         tuple(u for u in uids if u not in changed))


def _complete(service: Any, report: Any) -> ImportSummary:
    """Complete every series of the import now (``on_series_complete`` fires; a series with
    no new file arrives with ``new_instances == 0`` and its stored result stands)."""
    summary = summarise(report)
    for uid in summary.series_uids:
        service.analyse(uid)
    return summary


def import_job(service: Any, folder: str | Path, *, token: CancelToken,
               progress: Callable, audit: Any = None, username: str = "") -> ImportSummary:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputRejected(f"Folder {folder} does not exist.")
    progress(0.0, "validating files")
    report = service.import_folder(folder, token=token, progress=progress)
    if not report.stored and not report.rejected:
        raise InputRejected(f"No files found under {folder}.",
                            remedy="Choose a folder that holds CT DICOM files.")
    audit_import(audit, folder, summarise(report), username)
    return _complete(service, report)


def simulate_job(service: Any, out_dir: str | Path, params: Any, serial: str, *,
                 token: CancelToken, progress: Callable, matrix: int = 512) -> ImportSummary:
    """Simulate a phantom series (demo / training), write it and import it. ``params=None``:
    the demo scanner's series at ``matrix`` (a 256 matrix samples only up to 5.1 lp/cm: too
    coarse to show the MTF10 a factory profile limits, so its result would read WARN)."""
    from app.adapters.dicom_files import ImportReport, RejectedFile
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    if params is None:      # the default is built here: the simulator (scipy) is imported
        params = SimParams(matrix=matrix)   # in the worker, never on the GUI thread
    series = simulate_series(params, token=token, progress=ScaledProgress(progress, 0, 0.7))
    token.raise_if_cancelled()
    paths = write_dicom_series(series, Path(out_dir), scanner_serial=serial)
    report = ImportReport()
    for i, path in enumerate(p for p in paths if Path(p).suffix == ".dcm"):
        token.raise_if_cancelled()
        outcome = service.ingest(path)
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
    from app.ct.ai.handoff import checker_or_reason, failed_reason
    from app.ct.note_codes import code_entry

    from app.core.errors import PharosError

    checker, reason = checker_or_reason(ModelRegistry(models_dir()))
    try:
        doc = ({"available": False, "reason": str(reason), "reason_code": code_entry(reason)}
               if checker is None
               else {"available": True,
                     **checker.classify(volume, pixel_mm=pixel_mm).to_dict()})
    except PharosError as exc:
        reason = failed_reason(exc)
        doc = {"available": False, "reason": str(reason), "reason_code": code_entry(reason)}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return reason or str(doc.get("label"))
