"""Journal integrity gate: a run whose journal fails its keyed-chain check (an edited
or re-chained event, a gap, a damaged file, a legacy unkeyed chain) cannot be released
or resumed until a supervisor has reviewed it and decided under e-signature.

The decision is a record in the store (kind ``tunnel.integrity_decision``, ref = run
id) bound to the exact list of problems it covers and signed in the same transaction
(meaning ``approved`` for accept, ``rejected`` for reject); it is only honoured when
its signature verifies against the signature service and the record's content.
"""
from __future__ import annotations

from typing import Any

from app.core.errors import PharosError, ValidationError
from app.core.roles import roles

DECISION_KIND = "tunnel.integrity_decision"
DECIDERS = roles("supervisor")


class IntegrityBlocked(PharosError):
    code = "PH-TT-INTEGRITY"
    remedy = ("A supervisor reviews the journal and decides under e-signature: "
              "pharos tunnel integrity RUN_ID --decide accept|reject --reason TEXT "
              "--as SUPERVISOR (or in the tunnel console).")


def decision_for(store: Any, signatures: Any, run_id: str, problems: list[str]) -> dict | None:
    """The newest signed decision covering exactly ``problems`` (verified), or None."""
    if store is None or signatures is None:
        return None
    from app.adapters.esign import SignatureService

    for row in store.query_records(kind=DECISION_KIND, ref=run_id, limit=20):
        body = dict(row.payload)
        if body.get("problems") != list(problems):
            continue
        meaning = "approved" if body.get("decision") == "accept" else "rejected"
        for sig in signatures.signatures_for(DECISION_KIND, row.id):
            if sig.meaning == meaning and SignatureService.verify(sig, body):
                return {**body, "record_id": row.id, "signature_id": sig.id,
                        "signed_by": sig.printed_name, "username": sig.username,
                        "signed_utc": sig.signed_utc}
    return None


def check(store: Any, signatures: Any, journal: Any, run_id: str, what: str) -> dict:
    """Raise :class:`IntegrityBlocked` (naming the fault) unless the run's journal is
    intact or a supervisor accepted exactly its problems. Returns {problems, decision}."""
    problems = journal.verify(run_id)
    if not problems:
        return {"problems": [], "decision": None}
    d = decision_for(store, signatures, run_id, problems)
    if d is None:
        raise IntegrityBlocked(f"{what} refused: the journal of run {run_id} failed its "
                               f"integrity check ({'; '.join(problems)}). A supervisor must "
                               f"decide under e-signature first.")
    if d["decision"] != "accept":
        raise IntegrityBlocked(f"{what} refused: supervisor {d['signed_by']} rejected the "
                               f"journal of run {run_id} on {d['signed_utc']} "
                               f"({'; '.join(problems)}): {d['reason']}.",
                               remedy="The unit must be tested again in a new run.")
    return {"problems": problems, "decision": d}


def decide(store: Any, signatures: Any, audit: Any, journal: Any, run_id: str, *,
           decision: str, reason: str, username: str, password: str) -> dict:
    """A supervisor's signed decision on a run whose journal failed its check."""
    if decision not in ("accept", "reject"):
        raise ValidationError("The decision is 'accept' or 'reject'.")
    if not reason.strip():
        raise ValidationError("A reason is required.")
    run = journal.run(run_id)
    if run is None:
        raise ValidationError(f"run {run_id} is not in the journal")
    problems = journal.verify(run_id)
    if not problems:
        raise ValidationError(f"The journal of run {run_id} is intact; there is nothing to "
                              f"decide.")
    meaning = "approved" if decision == "accept" else "rejected"
    signer = signatures.authenticate_signer(username, password, meaning,
                                            allowed_roles=DECIDERS)
    body = {"run_id": run_id, "serial": run["serial"], "problems": problems,
            "decision": decision, "reason": reason.strip()}
    with store.write() as conn:
        row = store.add_record(DECISION_KIND, run["serial"], body, username=signer.username,
                               ref=run_id, conn=conn)  # decision in the payload and signature meaning
        sig = signatures.record(conn, signer, DECISION_KIND, row.id, body, meaning,
                                comment=reason.strip())
        audit.append("tunnel.integrity_decision", "tunnel_run", run_id,
                     username=signer.username, reason=reason.strip(),
                     new={"decision": decision, "problems": problems,
                          "signature_id": sig.id}, conn=conn)
    return {**body, "record_id": row.id, "signature_id": sig.id,
            "signed_by": sig.printed_name}
