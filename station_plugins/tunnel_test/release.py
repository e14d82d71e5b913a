"""Commit a finished run and release it: record first, then the MES outbox.

Order (never reversed): the run record is committed to the store -> MES messages
(results, completed) are queued in the idempotent outbox keyed by run id -> a release
message is queued only for an overall PASS, under release criteria signed by a named
quality person (automatic) or after an operator's e-signature. The outbox pump sends
what is queued while the MES is up and keeps it while it is down.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import PharosError, ValidationError
from app.core.ids import content_hash, utc_iso
from app.core.roles import roles
from station_plugins.tunnel_test.records import RECORD_KIND, build_record

CRITERIA_FILE = "release_criteria.json"       # refused: criteria are never a file
CRITERIA_KIND = "tunnel.release_criteria"
CRITERIA_SIGNERS = roles("quality_engineer", "supervisor")


class ReleaseRefused(PharosError):
    code = "PH-TT-RELEASE"
    remedy = "Only a passing, releasable run can be released; see the reason."


@dataclass(frozen=True)
class ReleaseCriteria:
    """Pre-approved automatic-release criteria: a record in the store, e-signed (meaning
    'approved') by a quality engineer or supervisor, honoured only while its signature
    verifies against the signature service and the record's content hash."""

    criteria_id: str
    version: str
    rules: dict
    signed_by: str
    signature_id: str
    content_sha256: str
    record_id: str = ""

    def allows(self, record: dict) -> tuple[bool, str]:
        r = self.rules
        if record["disposition"] not in r.get("dispositions", ["PASS"]):
            return False, f"disposition {record['disposition']} not in the criteria"
        if r.get("no_review_items", True) and record["review_items"]:
            return False, f"{len(record['review_items'])} AI item(s) routed to review"
        if r.get("sequence_ids") and record["sequence"]["id"] not in r["sequence_ids"]:
            return False, "sequence not covered by the criteria"
        return True, f"criteria {self.criteria_id} v{self.version} signed by {self.signed_by}"


def _criteria_body(criteria_id: str, version: str, rules: dict) -> dict:
    return {"criteria_id": criteria_id, "version": version, "rules": rules}


def sign_criteria(store: Any, signatures: Any, audit: Any, *, rules: dict, username: str,
                  password: str, criteria_id: str = "AUTO-REL", version: str = "1",
                  comment: str = "") -> ReleaseCriteria:
    """Record the criteria in the store and e-sign them in one transaction (audited)."""
    if not isinstance(rules, dict):
        raise ValidationError("Release criteria rules must be a JSON object.")
    unknown = set(rules) - {"dispositions", "no_review_items", "sequence_ids"}
    if unknown:
        raise ValidationError(f"Unknown release criteria rule(s): {', '.join(sorted(unknown))} "
                              f"(known: dispositions, no_review_items, sequence_ids).")
    signer = signatures.authenticate_signer(username, password, "approved",
                                            allowed_roles=CRITERIA_SIGNERS)
    body = _criteria_body(criteria_id, version, rules)
    digest = content_hash(body)
    with store.write() as conn:
        row = store.add_record(CRITERIA_KIND, criteria_id, {**body, "content_sha256": digest},
                               username=signer.username, ref=f"{criteria_id}:{version}",
                               conn=conn)  # no verdict: the approval is the signature
        sig = signatures.record(conn, signer, CRITERIA_KIND, row.id, body, "approved",
                                comment=comment)
        audit.append("tunnel.release_criteria", CRITERIA_KIND, row.id,
                     username=signer.username, reason=comment or "automatic-release criteria",
                     new={**body, "signature_id": sig.id}, conn=conn)
    return ReleaseCriteria(criteria_id, version, rules, sig.printed_name, sig.id, digest, row.id)


def load_criteria(store: Any, signatures: Any, data_dir: Path | None = None
                  ) -> tuple[ReleaseCriteria | None, str]:
    """The newest signed criteria whose signature verifies, and a note (why none, or that
    a hand-written criteria file was refused)."""
    from app.adapters.esign import SignatureService

    notes = []
    if data_dir is not None and (Path(data_dir) / CRITERIA_FILE).exists():
        notes.append(f"{Path(data_dir) / CRITERIA_FILE} is refused: release criteria are "
                     f"accepted only as a record e-signed in Pharos (pharos tunnel criteria "
                     f"sign), never as a file")
    rows = store.query_records(kind=CRITERIA_KIND, limit=1) if store is not None else []
    if not rows:
        return None, "; ".join(notes + ["no signed automatic-release criteria"])
    row = rows[0]
    p = row.payload
    body = _criteria_body(p.get("criteria_id", ""), p.get("version", ""), p.get("rules", {}))
    if content_hash(body) != p.get("content_sha256"):
        return None, "; ".join(notes + [f"criteria record {row.id} does not match its hash; "
                                        f"automatic release is off"])
    good = [sg for sg in (signatures.signatures_for(CRITERIA_KIND, row.id) if signatures else [])
            if sg.meaning == "approved" and SignatureService.verify(sg, body)]
    if not good:
        return None, "; ".join(notes + [f"criteria record {row.id} has no valid approval "
                                        f"signature; automatic release is off"])
    sig = good[-1]
    return (ReleaseCriteria(body["criteria_id"], body["version"], body["rules"],
                            sig.printed_name, sig.id, p["content_sha256"], row.id),
            "; ".join(notes))


def commit_run(store: Any, journal: Any, run_id: str, *, data_dir: Path, username: str,
               criteria: ReleaseCriteria | None, signatures: Any = None,
               note: str = "") -> tuple[Any, dict]:
    """Record -> store (one transaction) -> outbox. Idempotent across processes: the
    store is asked for the run's record inside the write transaction, so two finders
    (console, ``tunnel list``, ``tunnel recover``) commit it once. The MES messages are
    queued from the committed record (keys are idempotent, so a crash between commit and
    queueing is repaired by the next call). Returns (RecordRow, release decision) with
    ``decision["created"]`` telling whether this call committed the record."""
    run = journal.run(run_id)
    if run is None:
        raise ValidationError(f"run {run_id} is not in the journal")
    if run["status"] == "running":
        raise ValidationError(f"run {run_id} has not ended; resume or abort it first")
    row, created = None, False
    if run.get("record_id"):
        row = store.get_record(run["record_id"])
    if row is None:
        events = journal.events(run_id)
        record = build_record(run, events,
                              attachments_dir=Path(data_dir) / "attachments" / run_id,
                              journal_problems=journal.verify(run_id))
        with store.write() as conn:
            found = store.query_records(kind=RECORD_KIND, ref=run_id, limit=1, conn=conn)
            if found:
                row = found[0]
            else:
                row = store.add_record(RECORD_KIND, record["unit"]["serial"] or run["serial"],
                                       record, username=username, ref=run_id,
                                       verdict=record["disposition"], conn=conn)
                created = True
    record = row.payload
    results = {"run_id": run_id, "serial": record["unit"]["serial"],
               "disposition": record["disposition"], "record_id": row.id,
               "record_sha256": row.payload_sha256, "sequence": record["sequence"]["id"],
               "steps": record["counts"],
               "journal_intact": not record.get("journal", {}).get("problems")}
    messages = [(f"{run_id}:results", "units_tested", results),
                (f"{run_id}:completed", "work_completed",
                 {"run_id": run_id, "serial": results["serial"],
                  "ended_utc": record["ended_utc"]})]
    integrity = _integrity(store, signatures, record)
    decision = decide(record, criteria, integrity=integrity, note=note)
    if decision["mode"] == "automatic":
        messages.append(release_message(record, row, authority=decision))
    # the record noted and every message it causes queued in one journal transaction (a
    # kill in between lost them: recovery only looks for runs without a noted record)
    journal.note_record(run_id, row.id, messages)
    return row, {**decision, "created": created}


def _integrity(store: Any, signatures: Any, record: dict) -> dict | None:
    problems = record.get("journal", {}).get("problems") or []
    if not problems:
        return None
    from station_plugins.tunnel_test.integrity import decision_for

    return {"problems": problems,
            "decision": decision_for(store, signatures, record["run_id"], problems)}


def decide(record: dict, criteria: ReleaseCriteria | None, *, integrity: dict | None = None,
           note: str = "") -> dict:
    """blocked / esign / automatic. A journal that failed its integrity check blocks the
    release until a supervisor accepted it under e-signature; then only e-sign release."""
    if record["disposition"] != "PASS":
        return {"mode": "blocked", "reason": f"disposition {record['disposition']}"}
    if not record.get("releasable"):
        return {"mode": "blocked", "reason": "draft / single-step / unattended run: not "
                                             "releasable"}
    if integrity is not None:
        d = integrity.get("decision")
        problems = "; ".join(integrity["problems"])
        if d is None:
            return {"mode": "blocked", "reason": f"journal integrity check failed "
                                                 f"({problems}); a supervisor must decide "
                                                 f"under e-signature"}
        if d["decision"] != "accept":
            return {"mode": "blocked", "reason": f"journal rejected by {d['signed_by']} "
                                                 f"({problems}): {d['reason']}"}
        return {"mode": "esign", "reason": f"journal accepted by {d['signed_by']} despite "
                                           f"({problems}); release needs an e-signature",
                "integrity_decision": d["record_id"]}
    if criteria is not None:
        ok, why = criteria.allows(record)
        if ok:
            return {"mode": "automatic", "reason": why, "criteria_id": criteria.criteria_id,
                    "criteria_version": criteria.version, "signed_by": criteria.signed_by,
                    "signature_id": criteria.signature_id}
        return {"mode": "esign", "reason": why}
    return {"mode": "esign", "reason": note or "no signed automatic-release criteria"}


def queue_release(journal: Any, record: dict, row: Any, *, authority: dict) -> bool:
    if record["disposition"] != "PASS" or not record.get("releasable"):
        raise ReleaseRefused(f"run {record['run_id']} is {record['disposition']}"
                             f"{'' if record.get('releasable') else ' and not releasable'}; "
                             f"it cannot be released.")
    key, kind, payload = release_message(record, row, authority=authority)
    return journal.outbox_put(key, record["run_id"], kind, payload)


def release_message(record: dict, row: Any, *, authority: dict) -> tuple[str, str, dict]:
    """The MES release message of a committed record: (key, kind, payload)."""
    return (f"{record['run_id']}:release", "release", {
        "run_id": record["run_id"], "serial": record["unit"]["serial"], "record_id": row.id,
        "record_sha256": row.payload_sha256, "authority": authority, "queued_utc": utc_iso()})


def release_with_signature(store: Any, signatures: Any, journal: Any, row: Any, *,
                           username: str, password: str, comment: str = "") -> dict:
    """Operator e-signature release: the signature binds the record's hash."""
    record = row.payload
    if record["disposition"] != "PASS" or not record.get("releasable"):
        raise ReleaseRefused(f"run {record['run_id']} cannot be released "
                             f"({record['disposition']}).")
    integrity = _integrity(store, signatures, record)
    if integrity is not None and (integrity["decision"] is None
                                  or integrity["decision"]["decision"] != "accept"):
        from station_plugins.tunnel_test.integrity import IntegrityBlocked

        raise IntegrityBlocked(f"Release of run {record['run_id']} refused: "
                               f"{decide(record, None, integrity=integrity)['reason']}.")
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
