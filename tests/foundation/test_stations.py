"""The station contract: discovery isolates failures; contract checks for every station."""
from __future__ import annotations

import argparse

import pytest

from app.bootstrap import Workstation
from app.core.errors import PermissionDenied
from app.core.roles import Role, roles
from app.stations import (API_VERSION, StationInfo, StationPlugin, discover_stations)


class GoodStation(StationPlugin):
    info = StationInfo(id="good", title="Good", title_zh="好", description="d",
                       open_roles=roles("operator"),
                       actions={"run": roles("operator"), "approve": roles("supervisor")})


def test_discovery_isolates_a_station_that_raises_on_import():
    def loader(target):
        if "ct_qc" in target:
            raise RuntimeError("boom at import")
        if "lead_room" in target:
            raise SystemExit(3)
        return GoodStation

    found = {d.id: d for d in discover_stations(loader=loader)}
    assert "boom at import" in found["ct_qc"].error and not found["ct_qc"].available
    assert "SystemExit" in found["lead_room"].error
    # others load but fail the contract (name differs from info.id), visibly
    assert "differs from info.id" in found["tunnel_test"].error


def test_wrong_api_version_is_unavailable():
    class Old(GoodStation):
        info = StationInfo(id="ct_qc", title="x", title_zh="x", description="",
                           open_roles=roles("operator"), api_version=API_VERSION + 1)

    found = {d.id: d for d in discover_stations(["ct_qc"], loader=lambda t: Old)}
    assert "API version" in found["ct_qc"].error


def test_require_enforces_roles_in_the_domain(data_dir):
    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                          admin_password="Adm1n-secret-pw")
    try:
        ctx = ws.context_for("good")
        st = GoodStation(ctx)
        with pytest.raises(PermissionDenied, match="needs a login"):
            ctx.require("run")
        ws.auth.create_user("wangwu", "Wang Wu", [Role.OPERATOR], "Operator-12x", by=None,
                            reason="t", must_change_password=False)
        ws.session.login(ws.auth.authenticate("wangwu", "Operator-12x"))
        ctx.require("run")
        with pytest.raises(PermissionDenied, match="supervisor"):
            ctx.require("approve")
        with pytest.raises(PermissionDenied, match="not declared"):
            ctx.require("teleport")
        assert st.can_close()
    finally:
        ws.close()


def _registered():
    return discover_stations()


@pytest.mark.parametrize("station", _registered(), ids=lambda d: d.id)
def test_contract_for_every_registered_station(station, data_dir):
    """Each registered station imports, honours the contract, and builds its CLI."""
    assert station.available, f"{station.id} unavailable: {station.error}\n{station.traceback}"
    info = station.cls.info
    assert info.id == station.id and info.api_version == API_VERSION
    assert info.title and info.title_zh and info.open_roles
    assert all(isinstance(r, Role) for r in info.open_roles)
    for action, allowed in info.actions.items():
        assert allowed and all(isinstance(r, Role) for r in allowed), action
    parser = argparse.ArgumentParser()
    station.cls.add_cli(parser.add_subparsers())
    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=True,
                          admin_password="Adm1n-secret-pw")
    try:
        inst = station.cls(ws.context_for(station.id))
        assert isinstance(inst.can_close(), bool)
        inst.shutdown()
        inst.shutdown()  # idempotent
    finally:
        ws.close()
