"""What the CT QC intake records about series received again (Qt-free): an unchanged
series keeps its stored result (``ct_qc.series_unchanged``), a folder import is counted
(``ct_qc.import_folder``), a stored SOP Instance UID arriving with other content is a
conflict (``ct_qc.uid_conflict``). An audit that fails is logged; the decision stands
and is still shown (event, activity log, message bar)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unchanged:
    """A completed series that is not analysed again: its stored result stands."""

    entry: Any                      # workflow.SeriesEntry
    record_id: str
    verdict: str
    result_utc: str

    def text(self) -> str:
        return (f"series {self.entry.series_uid} unchanged: its {self.entry.n_images} "
                f"images were already stored; result {self.record_id} ({self.verdict}, "
                f"{self.result_utc}) stands, not analysed again")


def stored_result_of_same_images(store: Any, info: Any) -> Any:
    """The newest stored result of this series when it covered the same images and
    nothing new has arrived since (``info.new_instances == 0``): intake files are written
    once (other bytes under a stored SOP UID are refused as a conflict), so the same count
    means the same pixels. None: analyse."""
    if store is None or getattr(info, "new_instances", 1) != 0:
        return None
    from station_plugins.ct_qc.workflow import RESULT_KIND

    rows = store.query_records(kind=RESULT_KIND, ref=info.series_instance_uid, limit=1,
                               newest_first=True)
    if not rows:
        return None
    images = ((rows[0].payload or {}).get("station") or {}).get("n_images")
    return rows[0] if images == info.instance_count else None


def _append(audit: Any, *args: Any, **kw: Any) -> None:
    if audit is None:
        return
    try:
        audit.append(*args, **kw)
    except Exception:  # noqa: BLE001 - the decision is still shown and logged
        log.exception("audit entry %s not written", args[0])


def audit_unchanged(audit: Any, username: str, u: Unchanged) -> None:
    _append(audit, "ct_qc.series_unchanged", "ct_qc.result", u.record_id, username=username,
            new={"series_uid": u.entry.series_uid, "images": u.entry.n_images,
                 "verdict": u.verdict},
            reason="series received again with no new image; its stored result stands, "
                   "not analysed again")


def audit_conflict(audit: Any, username: str, rejected: Any) -> None:
    """A stored SOP Instance UID arrived with other content (any path in): the first copy
    stays, the new one is quarantined."""
    _append(audit, "ct_qc.uid_conflict", "ct_qc.quarantine", rejected.sha256,
            username=username, new=rejected.to_dict(),
            reason="same SOP Instance UID, other content: the first copy is kept, the new "
                   "file quarantined")


def audit_import(audit: Any, folder: Path, summary: Any, username: str) -> None:
    """One entry per folder import: what was new, already stored, conflicting."""
    _append(audit, "ct_qc.import_folder", "ct_qc.intake", str(folder), username=username,
            new=summary.to_dict(),
            reason=f"{summary.new} new, {summary.duplicates} already stored, "
                   f"{summary.conflicts} conflict(s), {summary.rejected} rejected")
