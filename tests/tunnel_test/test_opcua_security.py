"""D3: the tunnel OPC UA link honours [opcua] security like the lead-room client.

A real asyncua server on loopback (the tunnel simulator) offering only Basic256Sha256
SignAndEncrypt, certificates exchanged through PKI trust lists; errors name the cause;
production never falls back to an unsecured link."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.adapters.opcua_security import CLIENT_URI, Pki
from station_plugins.tunnel_test.adapters.opcua import TunnelOpcUaClient
from app.core.errors import DeviceError
from app.runtime.loop_thread import LoopThread
from station_plugins.tunnel_test.drivers import OpcUaDriverSet
from station_plugins.tunnel_test.simulator import SimulatorHandle

SAE = "Basic256Sha256_SignAndEncrypt"


@pytest.fixture
def loop():
    lt = LoopThread(name="test-opcua-sec").start()
    yield lt
    lt.stop()


@pytest.fixture
def pkis(tmp_path):
    """Workstation and simulator PKI folders that trust each other."""
    ws_pki, sim_pki = Pki(tmp_path / "ws_pki"), Pki(tmp_path / "sim_pki")
    ws_pki.ensure_own("Pharos workstation test", CLIENT_URI, server=False)
    sim_pki.ensure_own("Pharos tunnel simulator", "urn:pharos:tunnel-simulator", server=True)
    sim_pki.trust(ws_pki.cert_path)
    ws_pki.trust(sim_pki.cert_path)
    return ws_pki, sim_pki


def _client(sim, loop, **kw):
    return TunnelOpcUaClient(sim.endpoint, loop, reconnect_max_s=0.5, **kw)


def test_signandencrypt_only_server_runs_calls_encrypted(pkis, loop):
    ws_pki, sim_pki = pkis
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:
        client = _client(sim, loop, security=SAE, pki_dir=ws_pki.root).connect(timeout_s=15)
        try:
            from asyncua import ua

            policy = client._client.security_policy           # noqa: SLF001
            assert policy.Mode == ua.MessageSecurityMode.SignAndEncrypt
            assert policy.URI.endswith("Basic256Sha256")
            out = OpcUaDriverSet(client).call("generator.expose",
                                              {"kv": 80, "ma": 5, "ms": 100}, 5)
            assert 76 < out["kv_measured"] < 84
        finally:
            client.close()


def test_security_none_against_secured_server_names_the_cause(pkis, loop):
    _, sim_pki = pkis
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:
        client = _client(sim, loop, security="None")
        with pytest.raises(DeviceError) as ei:
            client.connect(timeout_s=15)
        client.close()
    msg = ei.value.message
    assert ei.value.code == "PH-TT-OPC-SEC" and "offers no unsecured endpoint" in msg
    assert "SignAndEncrypt" in msg and "not reachable" not in msg


def test_untrusted_server_certificate_is_refused_and_named(tmp_path, pkis, loop):
    _, sim_pki = pkis
    other = Pki(tmp_path / "other_ws")               # a workstation that trusts nobody
    other.ensure_own("other", CLIENT_URI, server=False)
    sim_pki.trust(other.cert_path)
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:
        client = _client(sim, loop, security=SAE, pki_dir=other.root)
        with pytest.raises(DeviceError) as ei:
            client.connect(timeout_s=15)
        client.close()
    assert ei.value.code == "PH-OPCUA-CERT"
    assert "not in the trust list" in ei.value.message and "thumbprint" in ei.value.message
    assert list(other.rejected_dir.iterdir())        # kept for the administrator


def test_client_certificate_not_trusted_by_server_is_named(tmp_path, pkis, loop):
    _, sim_pki = pkis
    stranger = Pki(tmp_path / "stranger")
    stranger.ensure_own("stranger", CLIENT_URI, server=False)
    stranger.trust(sim_pki.cert_path)                # it trusts the server, not vice versa
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:
        client = _client(sim, loop, security=SAE, pki_dir=stranger.root)
        with pytest.raises(DeviceError) as ei:
            client.connect(timeout_s=15)
        client.close()
    assert ei.value.code == "PH-TT-OPC-SEC"
    assert "refused this workstation's certificate" in ei.value.message
    assert str(stranger.cert_path) in ei.value.message and "BadCertificateUntrusted" in \
        ei.value.message


def test_user_identity_required_and_wrong_password_named(pkis, loop):
    ws_pki, sim_pki = pkis
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root,
                         users={"tunnel": "Tunn3l-pw"}) as sim:
        good = _client(sim, loop, security=SAE, pki_dir=ws_pki.root, user="tunnel",
                       password="Tunn3l-pw").connect(timeout_s=15)
        try:
            assert OpcUaDriverSet(good).call("generator.beam_off", {}, 5)["beam_on"] is False
        finally:
            good.close()
        bad = _client(sim, loop, security=SAE, pki_dir=ws_pki.root, user="tunnel",
                      password="wrong")
        with pytest.raises(DeviceError) as ei:
            bad.connect(timeout_s=15)
        bad.close()
    assert ei.value.code == "PH-TT-OPC-USER" and "'tunnel'" in ei.value.message
    assert "wrong" not in ei.value.message               # the secret is never shown


def test_production_link_uses_configured_security_never_none(tmp_path):
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    values = {"opcua": {"security": SAE, "reconnect_max_s": 2.0}}
    cfg = SimpleNamespace(demo=False, get=lambda s, k: values[s][k])
    ctx = SimpleNamespace(config=cfg, settings={}, data_dir=tmp_path / "stations" / "tt")
    link = TunnelTestStation.link_options(SimpleNamespace(ctx=ctx))
    assert link["security"] == SAE and link["pki_dir"].endswith("pki")
    demo = SimpleNamespace(ctx=SimpleNamespace(config=SimpleNamespace(demo=True, get=cfg.get),
                                               settings={}, data_dir=ctx.data_dir))
    assert TunnelTestStation.link_options(demo)["security"] == "None"   # built-in simulator


def test_runner_spec_carries_security_to_the_client(pkis, tmp_path):
    """The runner process path (make_drivers) connects with the spec's security."""
    from station_plugins.tunnel_test.runner import RunSpec, make_drivers

    ws_pki, sim_pki = pkis
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:
        spec = RunSpec(sequence_path="-", serial="SN", operator="op", data_dir=str(tmp_path),
                       endpoint=sim.endpoint, security=SAE, pki_dir=str(ws_pki.root))
        d = make_drivers(spec)
        try:
            assert d.call("generator.beam_off", {}, 5)["beam_on"] is False
        finally:
            d.close()
        with pytest.raises(DeviceError, match="offers no unsecured endpoint"):
            make_drivers(RunSpec(sequence_path="-", serial="SN", operator="op",
                                 data_dir=str(tmp_path), endpoint=sim.endpoint))


def test_console_run_over_signandencrypt_records_the_link(tmp_path, pkis, ws, mini_seq):
    """End to end: the console's link settings reach the runner; a full sequence runs
    over the encrypted session and the run header names the security used."""
    from station_plugins.tunnel_test.console import TunnelConsole

    from .conftest import USER_PW

    ws_pki, sim_pki = pkis
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit,
                            link={"security": SAE, "pki_dir": str(ws_pki.root)})
    try:
        with SimulatorHandle(security=SAE, pki_dir=sim_pki.root, serial="SN-SEC") as sim:
            op = ws.auth.authenticate("op1", USER_PW)
            spec = console.make_spec(sequence_path=str(mini_seq), serial="SN-SEC", user=op,
                                     endpoint=sim.endpoint)
            assert spec.security == SAE
            out = console.run_inline(spec)
        assert out.verdict == "PASS", out
        row, _ = console.finish(out.run_id, "op1")
        header = console.journal.run(out.run_id)["header"]
        assert header["link"] == {"endpoint": sim.endpoint, "security": SAE,
                                  "user": "anonymous"}
        assert row.payload["unit"]["identity_matches"] is True
        assert row.payload["link"]["security"] == SAE
    finally:
        console.close()
