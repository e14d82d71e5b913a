"""The typed station contract: every service a real workstation hands a station provides
the port (Protocol) ``StationContext`` declares for it."""
from __future__ import annotations

import pytest

from app.core import ports

PW = "Adm1n-ports-check"


@pytest.fixture
def ws(tmp_path):
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=tmp_path / "data", with_stations=False, start_loop=True,
                         admin_password=PW)
    yield w
    w.close()


def test_every_context_service_provides_its_port(ws):
    ctx = ws.context_for("ct_qc")
    expected = {"config": ports.ConfigPort, "store": ports.StorePort, "audit": ports.AuditPort,
                "auth": ports.AuthPort, "signatures": ports.SignaturePort,
                "session": ports.SessionPort, "tasks": ports.TaskPort, "loop": ports.LoopPort,
                "notifier": ports.NotifierPort, "status": ports.StatusPort,
                "models": ports.ModelPort}
    missing = {name: type(getattr(ctx, name)).__name__ for name, port in expected.items()
               if not isinstance(getattr(ctx, name), port)}
    assert not missing, f"services that do not provide their port: {missing}"


def test_a_stored_record_and_a_user_provide_their_ports(ws):
    row = ws.store.add_record("test.kind", "S1", {"a": 1}, username="admin", verdict="PASS")
    assert isinstance(row, ports.RecordPort)
    assert isinstance(ws.auth.get("admin"), ports.UserPort)


def test_an_object_without_the_methods_is_not_a_store():
    class NotAStore:
        station_id = "x"

        def write(self):
            return None

    assert not isinstance(NotAStore(), ports.StorePort)
