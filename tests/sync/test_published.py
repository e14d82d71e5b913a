"""Pull direction: published configuration reaches stations only when approved and signed."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from app.adapters.auth import AuthService
from app.adapters.central import published as P
from app.adapters.central.db import make_engine
from app.adapters.esign import SignatureService
from app.adapters.sync import SyncService
from app.core.errors import AuthError
from tests.sync.stations import open_station

pytestmark = pytest.mark.postgres
PASSWORD = "Sup3r-secret-pw"


def _signer(signatures: SignatureService, username: str, password: str):
    def sign(item_id: str, content_text: str) -> dict:
        s = signatures.sign("published_config", item_id, content_text, "approved",
                            username=username, password=password)
        return {k: getattr(s, k) for k in s.__dataclass_fields__}
    return sign


def test_approved_versions_reach_a_station_tampered_or_unsigned_do_not(tmp_path, central_url):
    hq_store, hq_audit = open_station(tmp_path / "hq", "HQ-1")
    auth = AuthService(hq_store, hq_audit)
    auth.ensure_admin(PASSWORD)
    signatures = SignatureService(hq_store, hq_audit, auth)
    hq_sync = SyncService(hq_store, central_url)
    engine = make_engine(central_url)
    profile = {"ct_number.water": {"low": -4, "high": 4}, "noise.sd": {"high": 6.5}}
    with engine.begin() as conn:
        v1 = P.publish(conn, "limit_profile", "default", profile, _signer(signatures, "admin", PASSWORD))
    assert v1.version == 1 and v1.approved_by == "admin"
    station, _ = open_station(tmp_path / "st", "ST-1")
    svc = SyncService(station, central_url)
    assert svc.pull_published() == 0          # the signature has not reached the central trail
    hq_sync.sync_once()                       # the publishing station pushes its signature
    assert svc.pull_published() == 1
    got = svc.get_published("limit_profile", "default")
    assert got.version == 1 and got.content == profile and got.signature["meaning"] == "approved"

    with engine.begin() as conn:              # v2, then tampered with in the database
        v2 = P.publish(conn, "limit_profile", "default", {**profile, "noise.sd": {"high": 9}},
                       _signer(signatures, "admin", PASSWORD))
        conn.execute(text("UPDATE published_config SET content = :c WHERE version = 2"),
                     {"c": '{"noise.sd":{"high":99}}'})
    hq_sync.sync_once()
    assert v2.version == 2
    assert svc.pull_published() == 0
    assert svc.get_published("limit_profile", "default").version == 1   # stays on v1

    with engine.begin() as conn:              # a wrong password signs nothing
        with pytest.raises(AuthError):
            P.publish(conn, "phantom", "catphan604", {"modules": 4},
                      _signer(signatures, "admin", "wrong-password"))
    with engine.begin() as conn:              # v3 is approved properly
        P.publish(conn, "limit_profile", "default", {**profile, "noise.sd": {"high": 7}},
                  _signer(signatures, "admin", PASSWORD))
    hq_sync.sync_once()
    assert svc.sync_once(pull=True)["pulled"] == 1
    assert svc.get_published("limit_profile", "default").content["noise.sd"] == {"high": 7}
    engine.dispose()
