"""Commit a finished run and release it: record first, then the MES outbox.

Order (never reversed): the run record is committed to the store -> MES messages
(results, completed) are queued in the idempotent outbox keyed by run id -> a release
message is queued only for an overall PASS, under release criteria signed by a named
quality person (automatic) or after an operator's e-signature. The outbox pump sends
what is queued while the MES is up and keeps it while it is down.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import PharosError, ValidationError
from app.core.ids import content_hash, utc_iso
from station_plugins.tunnel_test.records import RECORD_KIND, build_record

CRITERIA_FILE = "release_criteria.json"


class ReleaseRefused(PharosError):
    code = "PH-TT-RELEASE"
    remedy = "Only a passing, releasable run can be released; see the reason."


@dataclass(frozen=True)
class ReleaseCriteria:
    """Pre-approved automatic-release criteria, signed (e-signature) by a quality person."""

    criteria_id: str
    version: str
    rules: dict
    signed_by: str
    signature_id: str
    content_sha256: str

    @classmethod
    def load(cls, data_dir: Path) -> "ReleaseCriteria | None":
        p = Path(data_dir) / CRITERIA_FILE
        if not p.exists():
            return None
        d = json.loads(p.read_text(encoding="utf-8"))
        c = cls(**d)
        if content_hash({"criteria_id": c.criteria_id, "version": c.version,
                         "rules": c.rules}) != c.content_sha256:
            raise ValidationError(f"{p}: release criteria do not match their signed hash; "
                                  f"automatic release is disabled.")
        return c

    def allows(self, record: dict) -> tuple[bool, str]:
        r = self.rules
        if record["disposition"] not in r.get("dispositions", ["PASS"]):
            return False, f"disposition {record['disposition']} not in the criteria"
        if r.get("no_review_items", True) and record["review_items"]:
            return False, f"{len(record['review_items'])} AI item(s) routed to review"
        if r.get("sequence_ids") and record["sequence"]["id"] not in r["sequence_ids"]:
            return False, "sequence not covered by the criteria"
        return True, f"criteria {self.criteria_id} v{self.version} signed by {self.signed_by}"


def sign_criteria(data_dir: Path, signatures: Any, *, rules: dict, username: str,
                  password: str, criteria_id: str = "AUTO-REL", version: str = "1") -> ReleaseCriteria:
    body = {"criteria_id": criteria_id, "version": version, "rules": rules}
    digest = content_hash(body)
    sig = signatures.sign("tunnel.release_criteria", f"{criteria_id}:{version}", body,
                          "approved", username=username, password=password)
    c = ReleaseCriteria(criteria_id=criteria_id, version=version, rules=rules,
                        signed_by=getattr(sig, "printed_name", username) or username,
                        signature_id=str(getattr(sig, "id", "")), content_sha256=digest)
    (Path(data_dir) / CRITERIA_FILE).write_text(json.dumps(c.__dict__, indent=2),
                                                encoding="utf-8")
    return c


def commit_run(store: Any, journal: Any, run_id: str, *, data_dir: Path, username: str,
               criteria: ReleaseCriteria | None) -> tuple[Any, dict]:
    """Record -> store (one transaction) -> outbox. Idempotent: a second call returns the
    stored record. Returns (RecordRow, release decision)."""
    run = journal.run(run_id)
    if run is None:
        raise ValidationError(f"run {run_id} is not in the journal")
    if run["status"] == "running":
        raise ValidationError(f"run {run_id} has not ended; resume or abort it first")
    if run.get("record_id"):
        row = store.get_record(run["record_id"])
        return row, decide(row.payload, criteria)
    events = journal.events(run_id)
    record = build_record(run, events, attachments_dir=Path(data_dir) / "attachments" / run_id,
                          journal_problems=journal.verify(run_id))
    row = store.add_record(RECORD_KIND, record["unit"]["serial"] or run["serial"], record,
                           username=username, ref=run_id, verdict=record["disposition"])
    journal.set_record(run_id, row.id)
    results = {"run_id": run_id, "serial": record["unit"]["serial"],
               "disposition": record["disposition"], "record_id": row.id,
               "record_sha256": row.payload_sha256, "sequence": record["sequence"]["id"],
               "steps": record["counts"]}
    journal.outbox_put(f"{run_id}:results", run_id, "units_tested", results)
    journal.outbox_put(f"{run_id}:completed", run_id, "work_completed",
                       {"run_id": run_id, "serial": results["serial"],
                        "ended_utc": record["ended_utc"]})
    decision = decide(record, criteria)
    if decision["mode"] == "automatic":
        queue_release(journal, record, row, authority=decision)
    return row, decision


def decide(record: dict, criteria: ReleaseCriteria | None) -> dict:
    if record["disposition"] != "PASS":
        return {"mode": "blocked", "reason": f"disposition {record['disposition']}"}
    if not record.get("releasable"):
        return {"mode": "blocked", "reason": "draft / single-step / unattended run: not "
                                             "releasable"}
    if criteria is not None:
        ok, why = criteria.allows(record)
        if ok:
            return {"mode": "automatic", "reason": why, "criteria_id": criteria.criteria_id,
                    "criteria_version": criteria.version, "signed_by": criteria.signed_by,
                    "signature_id": criteria.signature_id}
        return {"mode": "esign", "reason": why}
    return {"mode": "esign", "reason": "no signed automatic-release criteria"}


def queue_release(journal: Any, record: dict, row: Any, *, authority: dict) -> bool:
    if record["disposition"] != "PASS" or not record.get("releasable"):
        raise ReleaseRefused(f"run {record['run_id']} is {record['disposition']}"
                             f"{'' if record.get('releasable') else ' and not releasable'}; "
                             f"it cannot be released.")
    return journal.outbox_put(f"{record['run_id']}:release", record["run_id"], "release", {
        "run_id": record["run_id"], "serial": record["unit"]["serial"], "record_id": row.id,
        "record_sha256": row.payload_sha256, "authority": authority, "queued_utc": utc_iso()})


def release_with_signature(store: Any, signatures: Any, journal: Any, row: Any, *,
                           username: str, password: str, comment: str = "") -> dict:
    """Operator e-signature release: the signature binds the record's hash."""
    record = row.payload
    if record["disposition"] != "PASS" or not record.get("releasable"):
        raise ReleaseRefused(f"run {record['run_id']} cannot be released "
                             f"({record['disposition']}).")
    sig = signatures.sign(RECORD_KIND, row.id, record, "released", username=username,
                          password=password, comment=comment)
    authority = {"mode": "esign", "username": sig.username, "printed_name": sig.printed_name,
                 "signature_id": sig.id, "signed_utc": sig.signed_utc,
                 "content_sha256": sig.content_sha256}
    queue_release(journal, record, row, authority=authority)
    return authority


def pump_outbox(journal: Any, mes: Any) -> dict:
    """Send pending MES messages in order. Down: stop and keep them. Rejected: mark it
    (the unit is held) and go on."""
    from app.adapters.mes import MesRejected, MesUnavailable

    sent = rejected = 0
    for item in journal.outbox_pending():
        try:
            mes.send(item["kind"], item["payload"], item["key"])
        except MesUnavailable as exc:
            journal.outbox_mark(item["key"], "pending", str(exc))
            return {"sent": sent, "rejected": rejected, "down": True, "error": str(exc)}
        except MesRejected as exc:
            journal.outbox_mark(item["key"], "rejected", str(exc))
            rejected += 1
            continue
        journal.outbox_mark(item["key"], "sent")
        sent += 1
    return {"sent": sent, "rejected": rejected, "down": False}
