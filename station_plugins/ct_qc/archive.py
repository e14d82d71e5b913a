"""Archive an analysed series to the PACS (Qt-free).

``archive_entry`` C-STOREs the series through the intake service and waits for Storage
Commitment; it then appends a record kind ``ct_qc.archive`` (subject = scanner serial,
ref = series UID): ``{series_uid, instances, committed, failed, peer, archived, ...}``.
A series counts as archived only when that record says ``archived`` - every instance
stored *and* confirmed by the PACS's commitment report. When the PACS cannot be reached
or refuses us the typed DeviceError propagates and nothing is recorded (nothing was
archived; the attempt is in the log).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from app.core.errors import InputRejected
from app.core.ids import utc_iso
from app.core.tasks import CancelToken, no_progress

log = logging.getLogger(__name__)
ARCHIVE_KIND = "ct_qc.archive"


def series_info_for(service: Any, entry: Any) -> Any:
    """The intake's SeriesInfo for the entry (or one built from its files)."""
    from station_plugins.ct_qc.intake import SeriesInfo

    try:
        return service.assembler.info(entry.series_uid)
    except InputRejected:
        pass
    paths = tuple(Path(p) for p in entry.files) or tuple(
        sorted(Path(entry.folder).glob("*.dcm")) if entry.folder else ())
    if not paths:
        raise InputRejected(f"The images of series {entry.series_uid} are not on this "
                            "station any more; nothing to archive.")
    now = utc_iso()
    return SeriesInfo(entry.series_uid, str(entry.extra.get("study_uid", "")), paths, (),
                      "CT", "", entry.scanner_serial, "", (), now, now, 0, 1, "analyse")


def archive_entry(service: Any, entry: Any, store: Any, username: str, *,
                  result_record_id: str = "", commit_timeout: float = 30.0,
                  token: CancelToken | None = None,
                  progress: Callable[[float, str], None] = no_progress) -> dict:
    """Archive one series; returns the stored ``ct_qc.archive`` payload (with record_id)."""
    info = series_info_for(service, entry)
    progress(0.0, "sending to the PACS")
    report = service.archive(info, commit_timeout=commit_timeout, token=token,
                             progress=progress)
    per = report.per_instance()
    committed = sorted(u for u, state in per.items() if state == "committed")
    failed = {u: state for u, state in per.items() if state != "committed"}
    if report.commitment is not None:
        for uid in report.commitment.missing:
            failed[uid] = "not named in the commitment report"
    payload = {"series_uid": entry.series_uid, "instances": len(info.paths),
               "committed": committed, "failed": failed,
               "peer": str(service.pacs_client().peer), "archived": report.archived,
               "transaction_uid": report.commitment.transaction_uid if report.commitment else "",
               "seconds": round(report.store.seconds, 3), "result_record_id": result_record_id}
    row = store.add_record(ARCHIVE_KIND, entry.scanner_serial or info.device_serial or "unknown",
                           payload, username=username, ref=entry.series_uid,
                           verdict="PASS" if report.archived else "FAIL")
    log.info("series %s: %s (%d/%d committed)", entry.series_uid,
             "archived" if report.archived else "NOT archived", len(committed), len(info.paths))
    return dict(payload, record_id=row.id)


def archive_states(store: Any, limit: int = 5000) -> dict[str, dict]:
    """Newest archive record per series UID: {'archived': bool, 'committed': n, ...}."""
    out: dict[str, dict] = {}
    for row in store.query_records(kind=ARCHIVE_KIND, limit=limit):
        if row.ref not in out:
            p = row.payload
            out[row.ref] = {"archived": bool(p.get("archived")), "peer": p.get("peer", ""),
                            "instances": p.get("instances", 0),
                            "committed": len(p.get("committed") or ()),
                            "failed": len(p.get("failed") or {}), "when": row.created_utc,
                            "record_id": row.id}
    return out
