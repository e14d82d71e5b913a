"""A scanner's accepted baseline (Qt-free).

A quality engineer marks an analysed result as the scanner's accepted baseline under an
electronic signature (meaning "approved"): an append-only record kind ``ct_qc.baseline``
(subject = scanner serial, ref = series UID) holding what was signed (the result record,
its content hash, verdict and limit profile) and the signature id; the signature and the
record are written in one transaction. The newest baseline record of a serial is the
current one. Later analyses of that scanner add the constancy limits derived from it
(``limits.baseline_profile``) and the AI hand-off gets its images for side-by-side review.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import InputRejected, ValidationError
from app.core.ids import content_hash, new_id

log = logging.getLogger(__name__)
BASELINE_KIND = "ct_qc.baseline"
RESULT_KIND = "ct_qc.result"


@dataclass(frozen=True)
class BaselineRef:
    """The current baseline of one scanner, with its analysed result."""

    record_id: str
    scanner_serial: str
    series_uid: str
    result_record_id: str
    result: Any                 # QcResult of the baseline series
    folder: str
    set_by: str
    set_utc: str
    signature_id: str

    def volume(self) -> Any:
        """The baseline series' HU volume (None when its images are gone: logged)."""
        from app.ct.dicom_load import load_series

        if not self.folder or not Path(self.folder).is_dir():
            log.warning("baseline %s of %s: images not found in %r", self.record_id,
                        self.scanner_serial, self.folder)
            return None
        try:
            return load_series(self.folder, series_uid=self.series_uid).volume
        except InputRejected as exc:
            log.warning("baseline %s of %s: images unreadable: %s", self.record_id,
                        self.scanner_serial, exc.message)
            return None


def signed_content(result_row: Any) -> dict:
    """Exactly what the signer approves: the result record and its content hash."""
    p = result_row.payload
    prof = p.get("profile") or {}
    return {"purpose": "accepted constancy baseline", "scanner_serial": result_row.subject,
            "series_uid": result_row.ref, "result_record_id": result_row.id,
            "result_id": p.get("result_id", ""), "result_sha256": content_hash(p),
            "verdict": result_row.verdict, "phantom": p.get("phantom", ""),
            "profile": {k: prof.get(k) for k in ("name", "version", "sha256")}}


def check_eligible(result_row: Any) -> None:
    """Only a decided, passing (or warning) result can become a baseline."""
    if result_row is None or result_row.kind != RESULT_KIND:
        raise ValidationError("Choose an analysed CT QC result to set as the baseline.")
    if result_row.verdict in ("ERROR", "FAIL") or not result_row.payload.get("measurements"):
        raise ValidationError(f"A {result_row.verdict} result cannot be the accepted baseline "
                              f"of {result_row.subject}.",
                              remedy="Analyse a series that passes, then set it as baseline.")


def set_baseline(store: Any, signatures: Any, result_record_id: str, *, username: str,
                 password: str, comment: str = "", allowed_roles: Any = None) -> Any:
    """Sign and record the baseline in one transaction; returns the record row."""
    row = store.get_record(result_record_id)
    check_eligible(row)
    content = signed_content(row)
    signer = signatures.authenticate_signer(username, password, "approved",
                                            allowed_roles=allowed_roles)
    record_id = new_id()
    with store.write() as conn:
        sig = signatures.record(conn, signer, BASELINE_KIND, record_id, content, "approved",
                                comment)
        st = row.payload.get("station") or {}
        return store.add_record(BASELINE_KIND, row.subject,
                                {**content, "folder": st.get("folder", ""), "comment": comment,
                                 "signature_id": sig.id, "content_sha256": sig.content_sha256},
                                username=signer.username, ref=row.ref, conn=conn,
                                record_id=record_id)


def baseline_records(store: Any, limit: int = 5000) -> dict[str, Any]:
    """The current baseline record per scanner serial."""
    out: dict[str, Any] = {}
    for row in store.query_records(kind=BASELINE_KIND, limit=limit):
        out.setdefault(row.subject, row)
    return out


def current_baseline(store: Any, serial: str) -> BaselineRef | None:
    """The scanner's accepted baseline with its result (None when it has none)."""
    from app.ct.analysis.result import QcResult

    if not serial:
        return None
    rows = store.query_records(kind=BASELINE_KIND, subject=serial, limit=1)
    if not rows:
        return None
    rec = rows[0]
    result_row = store.get_record(rec.payload["result_record_id"])
    if result_row is None:
        raise ValidationError(f"The baseline of {serial} names result "
                              f"{rec.payload['result_record_id']}, which is not in the store.")
    if content_hash(result_row.payload) != rec.payload.get("result_sha256"):
        raise ValidationError(f"The baseline result of {serial} differs from what was signed; "
                              "it is not used.", remedy="Set the baseline again.")
    return BaselineRef(record_id=rec.id, scanner_serial=serial, series_uid=rec.ref,
                       result_record_id=result_row.id,
                       result=QcResult.from_json(json.dumps(result_row.payload)),
                       folder=rec.payload.get("folder", ""), set_by=rec.username,
                       set_utc=rec.created_utc, signature_id=rec.payload.get("signature_id", ""))


def signatures_on_result(store: Any, signatures: Any, result_record_id: str) -> list[Any]:
    """E-signatures on a result: on the result record itself and on every baseline record
    that accepted it (oldest first)."""
    if signatures is None or not result_record_id:
        return []
    sigs = list(signatures.signatures_for(RESULT_KIND, result_record_id))
    for row in store.query_records(kind=BASELINE_KIND, limit=5000, newest_first=False):
        if row.payload.get("result_record_id") == result_record_id:
            sigs.extend(signatures.signatures_for(BASELINE_KIND, row.id))
    return sorted(sigs, key=lambda s: s.signed_utc)
