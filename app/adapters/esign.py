"""Electronic signatures (21 CFR 11.50 / 11.70 / 11.200).

A signature re-authenticates (user id + password; in a continuous session the id is
the session's and only the password is typed), carries a meaning, is bound to the
sha256 of the signed content, stores the printed name and UTC time, and is chained
into the audit trail in the same transaction. It cannot be copied to another record:
``verify`` recomputes the content hash.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from app.adapters import schema as S
from app.adapters.audit import AuditTrail
from app.adapters.auth import AuthService, User
from app.adapters.store import Store
from app.core.errors import AuthError, PermissionDenied, ValidationError
from app.core.ids import canonical_json, new_id, sha256_hex, utc_iso
from app.core.roles import Role, check_action

MEANINGS = {
    "authored": "Authored",
    "reviewed": "Reviewed",
    "approved": "Approved",
    "released": "Released",
    "rejected": "Rejected",
    "verified": "Verified",
    "responsibility": "Responsibility",
}


@dataclass(frozen=True)
class Signature:
    id: str
    station_id: str
    station_seq: int
    record_kind: str
    record_id: str
    content_sha256: str
    meaning: str
    username: str
    printed_name: str
    signed_utc: str
    comment: str
    audit_seq: int

    def manifestation(self) -> str:
        """The text shown wherever the signed record is shown or printed (11.50)."""
        return (f"{MEANINGS.get(self.meaning, self.meaning)} by {self.printed_name} "
                f"({self.username}) on {self.signed_utc} UTC")


def content_digest(content: Any) -> str:
    if isinstance(content, bytes):
        return sha256_hex(content)
    if isinstance(content, str):
        return sha256_hex(content.encode("utf-8"))
    return sha256_hex(canonical_json(content))


class SignatureService:
    def __init__(self, store: Store, audit: AuditTrail, auth: AuthService) -> None:
        self.store, self.audit, self.auth = store, audit, auth

    def authenticate_signer(self, username: str, password: str, meaning: str, *,
                            allowed_roles: frozenset[Role] | None = None,
                            forbid_user: str | None = None) -> User:
        """Re-authenticate the signer (its own transaction: failures are audited)."""
        if meaning not in MEANINGS:
            raise ValidationError(f"Unknown signature meaning '{meaning}' "
                                  f"(known: {', '.join(MEANINGS)}).")
        if not password:
            raise AuthError("Enter your password to sign.")
        user = self.auth.authenticate(username, password, purpose="signature_auth")
        if allowed_roles is not None:
            check_action(user.roles, allowed_roles, f"sign as '{meaning}'", user.username)
        if forbid_user is not None and user.username == forbid_user:
            raise PermissionDenied(f"User '{user.username}' may not sign their own work "
                                   f"(second-person rule).")
        return user

    def record(self, conn: Connection, signer: User, record_kind: str, record_id: str,
               content: Any, meaning: str, comment: str = "") -> Signature:
        """Write the signature and its audit entry in the caller's transaction."""
        digest = content_digest(content)
        entry = self.audit.append("sign", record_kind, record_id, username=signer.username,
                                  new={"meaning": meaning, "content_sha256": digest,
                                       "printed_name": signer.full_name},
                                  reason=comment, conn=conn)
        row: dict[str, Any] = {"id": new_id(), "station_id": self.store.station_id,
               "station_seq": self.store.next_seq(conn), "record_kind": record_kind,
               "record_id": str(record_id), "content_sha256": digest, "meaning": meaning,
               "username": signer.username, "printed_name": signer.full_name,
               "signed_utc": utc_iso(), "comment": comment or "", "audit_seq": entry.seq}
        conn.execute(insert(S.signatures).values(**row))
        self.store.enqueue(conn, "signatures", row)
        return Signature(**row)

    def sign(self, record_kind: str, record_id: str, content: Any, meaning: str, *,
             username: str, password: str, comment: str = "",
             allowed_roles: frozenset[Role] | None = None,
             forbid_user: str | None = None) -> Signature:
        """Re-authenticate, then record the signature bound to ``content``'s sha256.

        To sign together with other writes in one transaction, call
        ``authenticate_signer`` first and then ``record(conn, ...)`` inside it.
        """
        signer = self.authenticate_signer(username, password, meaning,
                                          allowed_roles=allowed_roles, forbid_user=forbid_user)
        with self.store.write() as conn:
            return self.record(conn, signer, record_kind, record_id, content, meaning, comment)

    def signatures_for(self, record_kind: str, record_id: str) -> list[Signature]:
        with self.store.read() as conn:
            rows = conn.execute(select(S.signatures)
                                .where(S.signatures.c.record_kind == record_kind)
                                .where(S.signatures.c.record_id == str(record_id))
                                .order_by(S.signatures.c.signed_utc)).mappings()
            return [Signature(**dict(r)) for r in rows]

    @staticmethod
    def verify(signature: Signature, content: Any) -> bool:
        """True when ``content`` is exactly what was signed (11.70 linking)."""
        return content_digest(content) == signature.content_sha256
