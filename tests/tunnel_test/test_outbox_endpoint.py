"""MES store-and-forward resender (MES down, then up: the release arrives exactly once)
and the OPC UA endpoint resolution ([opcua] tunnel_endpoint vs the station setting)."""
from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from app.adapters.mes import MesClient
from station_plugins.tunnel_test import release as rel
from station_plugins.tunnel_test.console import TunnelConsole
from station_plugins.tunnel_test.endpoint import configured_endpoint

from .conftest import USER_PW


def _waiting():
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from waiting import wait_for
    return wait_for


@pytest.fixture
def console(tmp_path, ws, mes):
    c = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit,
                      signatures=ws.signatures, mes=MesClient(mes.url, timeout_s=2),
                      resend_interval_s=0.05)
    yield c
    c.close()


def test_resender_delivers_release_exactly_once_after_mes_returns(console, ws, mes, mini_seq):
    wait_for = _waiting()
    rel.sign_criteria(ws.store, ws.signatures, ws.audit, rules={}, username="qe1",
                      password=USER_PW)
    results: list[dict] = []
    console.start_resender(results.append)
    u = ws.auth.authenticate("op1", USER_PW)
    spec = console.make_spec(sequence_path=str(mini_seq), serial="SN-SF", user=u)
    mes.down = True
    row, decision = console.finish(console.run_inline(spec).run_id, "op1")
    run_id = row.payload["run_id"]
    assert decision["mode"] == "automatic"
    wait_for(lambda: any(r.get("down") and r["pending"] == 4 for r in results),
             what="a resend attempt while the MES is down")
    assert all(o["state"] == "pending" for o in console.journal.outbox_all(run_id))
    assert mes.received == []                                  # nothing reached a down MES
    mes.down = False
    wait_for(lambda: all(o["state"] == "sent" for o in console.journal.outbox_all(run_id)),
             what="the outbox to drain after the MES came back")
    wait_for(lambda: results and results[-1]["pending"] == 0, what="a pump that drained it")
    for _ in range(2):          # pumps with nothing pending must not send anything again
        assert console.pump()["pending"] == 0
    releases = [key for kind, key in mes.received if kind == "release"]
    assert releases == [f"{run_id}:release"]                   # exactly once on the wire
    assert [m["kind"] for m in mes.messages.values()] == [
        "work_started", "units_tested", "work_completed", "release"]
    attempts = {o["kind"]: o["attempts"] for o in console.journal.outbox_all(run_id)}
    assert attempts["work_started"] >= 2                       # resent, not lost


@pytest.mark.slow
def test_headless_run_queues_then_outbox_command_sends_once(tmp_path, mes, mini_seq, capsys, monkeypatch):
    """Headless store-and-forward: the MES goes down right after the route check; the
    run's messages wait in the journal; `pharos tunnel outbox` sends each exactly once."""
    from app.main import main

    route_check = mes.handle

    def handle(path, body, key):
        answer = route_check(path, body, key)
        if path == "/api/units/validate":
            mes.down = True                                    # down for the whole run
        return answer

    mes.handle = handle
    cfg = tmp_path / "pharos.toml"
    cfg.write_text(f'[mes]\nurl = "{mes.url}"\n', encoding="utf-8")
    common = ["--data-dir", str(tmp_path / "data"), "--config", str(cfg)]
    from tests.accounts import PASSWORD, make_user

    make_user(tmp_path / "data", "op1", "operator", config=cfg)
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    out_json = tmp_path / "run.json"
    assert main(["tunnel", "run", "--sequence", str(mini_seq), "--serial", "CA-SF",
                 "--json", str(out_json), "--mes-wait", "0.3", "--as", "op1", *common]) == 0
    summary = __import__("json").loads(out_json.read_text())["summary"]
    assert {o["state"] for o in summary["mes_outbox"]} == {"pending"}
    assert main(["tunnel", "outbox", *common]) == 1            # still down: exit 1
    mes.down = False
    capsys.readouterr()
    assert main(["tunnel", "outbox", "--watch", "20", "--interval", "0.1", *common]) == 0
    assert '"pending": 0' in capsys.readouterr().out
    keys = [key for _, key in mes.received]
    assert sorted(keys) == sorted(f"{summary['run_id']}:{k}"
                                  for k in ("started", "results", "completed"))
    assert main(["tunnel", "outbox", *common]) == 0 and len(mes.received) == 3


@pytest.mark.parametrize("settings, section, demo, expected", [
    ({}, {"tunnel_endpoint": "opc.tcp://tunnel-2:4840/x"}, False, "opc.tcp://tunnel-2:4840/x"),
    ({"endpoint": "opc.tcp://own:1/y"}, {"tunnel_endpoint": "opc.tcp://tunnel-2:4840/x"}, False,
     "opc.tcp://own:1/y"),
    ({}, {"tunnel_endpoint": "opc.tcp://tunnel-2:4840/x"}, True, None),
    ({"endpoint": "local"}, {"tunnel_endpoint": "opc.tcp://tunnel-2:4840/x"}, False, ""),
    ({"endpoint": "local"}, {}, True, ""),
])
def test_endpoint_resolution(settings, section, demo, expected):
    values = {"opcua": section}
    config = SimpleNamespace(demo=demo, get=lambda s, k: values[s][k])
    assert configured_endpoint(settings, config) == expected


def test_endpoint_from_real_config_file(tmp_path, monkeypatch):
    from app.config import load_config

    cfg = tmp_path / "pharos.toml"
    cfg.write_text('[station]\ndemo = false\n[opcua]\n'
                   'tunnel_endpoint = "opc.tcp://10.0.0.7:4840/tunnel"\n', encoding="utf-8")
    config = load_config(cfg, data_dir=tmp_path / "data")
    assert configured_endpoint({}, config) == "opc.tcp://10.0.0.7:4840/tunnel"
    assert configured_endpoint({"endpoint": "opc.tcp://b:1/t"}, config) == "opc.tcp://b:1/t"
