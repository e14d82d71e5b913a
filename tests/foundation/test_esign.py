import pytest

from app.adapters.esign import SignatureService
from app.core.errors import AuthError, PermissionDenied, ValidationError
from app.core.roles import Role


@pytest.fixture
def reviewer(ws, admin):
    ws.auth.create_user("rev1", "Zhang San", [Role.REVIEWER], "Review-2026x", by=admin,
                        reason="r", must_change_password=False)
    return "Review-2026x"


def test_sign_binds_content_and_manifests(ws, reviewer):
    content = {"series": "1.2.3", "verdict": "FAIL", "values": [1, 2, 3]}
    sig = ws.signatures.sign("ct_qc.result", "r-1", content, "approved", username="rev1",
                             password=reviewer, comment="ring confirmed")
    assert sig.printed_name == "Zhang San" and sig.meaning == "approved"
    assert "Approved by Zhang San (rev1) on" in sig.manifestation()
    assert SignatureService.verify(sig, content)
    assert not SignatureService.verify(sig, {**content, "verdict": "PASS"})
    assert ws.signatures.signatures_for("ct_qc.result", "r-1") == [sig]
    entry = ws.audit.entries(action="sign")[0]
    assert entry.seq == sig.audit_seq and sig.content_sha256 in entry.new_value
    assert ws.audit.verify().ok


def test_sign_refuses_wrong_password_and_is_audited(ws, reviewer):
    with pytest.raises(AuthError):
        ws.signatures.sign("k", "1", b"x", "reviewed", username="rev1", password="nope-123456")
    assert ws.audit.entries(action="signature_auth_failed")
    assert ws.signatures.signatures_for("k", "1") == []


def test_sign_role_meaning_and_second_person(ws, reviewer):
    with pytest.raises(ValidationError):
        ws.signatures.sign("k", "1", b"x", "blessed", username="rev1", password=reviewer)
    with pytest.raises(PermissionDenied):
        ws.signatures.sign("k", "1", b"x", "released", username="rev1", password=reviewer,
                           allowed_roles=frozenset({Role.SUPERVISOR}))
    with pytest.raises(PermissionDenied, match="own work"):
        ws.signatures.sign("k", "1", b"x", "reviewed", username="rev1", password=reviewer,
                           forbid_user="rev1")


def test_signatures_are_append_only(ws, reviewer):
    ws.signatures.sign("k", "1", b"x", "reviewed", username="rev1", password=reviewer)
    from app.core.errors import StoreError

    with pytest.raises(StoreError, match="append-only"):
        with ws.store.write() as conn:
            conn.exec_driver_sql("UPDATE signatures SET meaning='approved'")
