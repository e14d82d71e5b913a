"""A device error in the tunnel console reads in the user's language: the OPC UA status
code (or the transport's exception name / error number / TLS reason) as written, then
its meaning in words; the journal and the record keep the English.

The errors are real: the tunnel simulator is a real asyncua server on loopback (a method
that answers a bad status, an item the server does not have, a server stopped mid-run,
a security mode it does not offer, a certificate or user it refuses), the MES a real
HTTPS server with a certificate nobody trusts."""
from __future__ import annotations

import pytest

from app.adapters.opcua_security import CLIENT_URI, Pki
from app.core.errors import PharosError
from app.runtime.loop_thread import LoopThread
from station_plugins.tunnel_test.adapters.opcua import TunnelOpcUaClient
from station_plugins.tunnel_test.adapters.opcua_sim import TunnelSimServer
from station_plugins.tunnel_test.carm_sim import CArmSim
from station_plugins.tunnel_test.driver_catalog import CATALOG, VARIABLES, sim_handlers, \
    sim_variables
from station_plugins.tunnel_test.drivers import OpcUaDriverSet
from station_plugins.tunnel_test.simulator import SimulatorHandle
from station_plugins.tunnel_test.ui_device_words import catalogue_texts, with_meanings
from station_plugins.tunnel_test.ui_reason_words import DEVICE_PATTERNS, error_text, \
    failure_text, reason_text

from .conftest import USER_PW, write_seq

SAE = "Basic256Sha256_SignAndEncrypt"


@pytest.fixture
def zh(qapp):  # noqa: ANN001, ANN201
    from app.ui import i18n

    i18n.set_language(qapp, "zh_CN")
    yield qapp
    i18n.set_language(qapp, "en")


@pytest.fixture
def loop():
    lt = LoopThread(name="test-device-errors").start()
    yield lt
    lt.stop()


def recorded(exc: PharosError) -> str:
    """The step reason as the step runner journals it."""
    return f"{exc.code}: {exc.message}"


def failing(fn) -> PharosError:  # noqa: ANN001
    with pytest.raises(PharosError) as ei:
        fn()
    return ei.value


def test_a_bad_status_of_the_simulator_reads_as_its_code_and_meaning(zh, loop):
    with SimulatorHandle() as sim:
        drivers = OpcUaDriverSet(TunnelOpcUaClient(sim.endpoint, loop, reconnect_max_s=0.5,
                                                   watch_s=0.3).connect())
        try:
            sim.set_fault("safety.leakage", "bad_status")
            exc = failing(lambda: drivers.call("safety.leakage",
                                               {"kind": "earth", "condition": "normal"}, 5))
        finally:
            drivers.close()
    reason = recorded(exc)
    assert "(BadInternalError)" in reason                # asyncua's English, as journalled
    assert reason_text(reason) == (
        "PH-TT-OPC-STATUS：OPC UA 方法 CArmTunnel/SafetyAnalyser.Leakage 返回 "
        "BadInternalError（设备服务器内部出错）")


def test_an_item_the_server_does_not_have_reads_as_no_match(zh, loop):
    """A server without the leakage method and without the door variable (an older
    tunnel build): asyncua answers BadNoMatch for the method and for the read."""
    sim = CArmSim()
    calls = {k: v for k, v in CATALOG.items() if k != "safety.leakage"}
    variables = {k: v for k, v in VARIABLES.items() if k != "door.closed"}
    server = TunnelSimServer(calls, sim_handlers(sim), variables, sim_variables(sim))
    serve = LoopThread(name="test-sim-partial").start()
    try:
        serve.submit(server.start()).result(30)
        drivers = OpcUaDriverSet(TunnelOpcUaClient(server.endpoint, loop,
                                                   reconnect_max_s=0.5).connect())
        try:
            call = failing(lambda: drivers.call("safety.leakage",
                                                {"kind": "earth", "condition": "normal"}, 5))
            read = failing(lambda: drivers.read(["door.closed"]))
        finally:
            drivers.close()
    finally:
        serve.submit(server.stop()).result(15)
        serve.stop()
    assert reason_text(recorded(call)).endswith("返回 BadNoMatch（设备上找不到这个名称的项）")
    assert reason_text(recorded(read)) == \
        "PH-TT-OPC-LOST：OPC UA 读数失败：BadNoMatch（设备上找不到这个名称的项）"


def test_a_refused_connection_names_the_exception_and_its_meaning_once(zh, loop):
    from station_plugins.tunnel_test.adapters.opcua_sim import free_port

    endpoint = f"opc.tcp://127.0.0.1:{free_port()}/pharos/tunnel"   # nothing listens
    exc = refused(endpoint, loop, timeout_s=1.5)
    said = error_text(exc)
    assert said.startswith(f"OPC UA 服务器 {endpoint} 在 1.5 秒内连不上：ConnectionRefusedError"
                           "（设备拒绝连接：该地址上没有服务在运行）: [Errno 111]")
    assert said.endswith("[PH-TT-OPC-LOST]") and said.count("设备拒绝连接") == 1


@pytest.fixture
def pkis(tmp_path):
    ws_pki, sim_pki = Pki(tmp_path / "ws_pki"), Pki(tmp_path / "sim_pki")
    ws_pki.ensure_own("Pharos workstation test", CLIENT_URI, server=False)
    sim_pki.ensure_own("Pharos tunnel simulator", "urn:pharos:tunnel-simulator", server=True)
    ws_pki.trust(sim_pki.cert_path)
    return ws_pki, sim_pki


def refused(endpoint: str, loop, timeout_s: float = 10, **kw) -> PharosError:  # noqa: ANN001
    """The error of connecting with ``kw`` (the client is closed after it)."""
    client = TunnelOpcUaClient(endpoint, loop, reconnect_max_s=0.5, **kw)
    try:
        return failing(lambda: client.connect(timeout_s=timeout_s))
    finally:
        client.close()


@pytest.mark.slow
def test_security_refusals_read_in_words_with_their_codes(zh, loop, pkis):
    ws_pki, sim_pki = pkis
    secured = {"security": SAE, "pki_dir": ws_pki.root}
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:   # client not trusted
        cert = refused(sim.endpoint, loop, **secured)
        plain = refused(sim.endpoint, loop)
        first = sim.endpoint
    sim_pki.trust(ws_pki.cert_path)
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root, users={"op7": "right"}) as sim:
        user = refused(sim.endpoint, loop, user="op7", password="wrong", **secured)
        anonymous = refused(sim.endpoint, loop, **secured)
    assert "服务器拒绝了本工作站的证书" in error_text(cert)
    assert "BadCertificateUntrusted（证书不在信任列表中）" in error_text(cert)
    assert error_text(plain) == (f"隧道服务器 {first} 不提供不加密的端点（只提供 Basic256Sha256_"
                                 f"SignAndEncrypt），而本工作站配置的安全模式是 None。 "
                                 f"[PH-TT-OPC-SEC]")
    assert error_text(user).endswith("服务器拒绝了用户身份“op7”：BadUserAccessDenied（该用户没有"
                                     "访问权限） [PH-TT-OPC-USER]")
    assert "BadIdentityTokenRejected（设备拒绝登录（用户名或密码不对））" in error_text(anonymous)
    assert "wrong" not in error_text(user)                  # never the password


def test_the_in_process_simulators_own_errors_as_the_engine_journals_them(zh, tmp_path,
                                                                         journal):
    """The simulated C-arm inside the runner (demo faults, no network): a bad status and
    a raising driver, journalled by the real engine, read in words."""
    from station_plugins.tunnel_test.drivers import LocalDriverSet, known_driver_names
    from station_plugins.tunnel_test.engine import RunEngine, RunRequest
    from station_plugins.tunnel_test.sequence_loader import load_sequence

    seq = load_sequence(write_seq(tmp_path, DEVICE_SEQ, id="dev"),
                        known_drivers=known_driver_names())
    drivers = LocalDriverSet(faults={"safety.leakage": "bad_status",
                                     "generator.expose": "raise"})
    out = RunEngine(RunRequest(seq, serial="SN-SIM", operator="op1"), drivers=drivers,
                    journal=journal, data_dir=tmp_path).run()
    drivers.close()
    reasons = {e["step"]: e["reason"] for e in journal.events(out.run_id)
               if e["kind"] == "step_end"}
    assert reasons["safety.leak"] == "PH-TT-OPC-STATUS: 'safety.leakage' answered BadInternalError"
    assert reason_text(reasons["safety.leak"]) == \
        "PH-TT-OPC-STATUS：“safety.leakage”返回 BadInternalError（设备服务器内部出错）"
    assert reason_text(reasons["xray.kv"]) == "RuntimeError: 模拟驱动“generator.expose”出现异常"


def test_codes_keep_their_name_unknown_ones_and_free_text_stay_as_written(zh):
    assert with_meanings("BadTimeout") == "BadTimeout（设备在规定时间内无应答）"
    assert with_meanings("got BadSecurityChecksFailed, BadServerNotConnected") == (
        "got BadSecurityChecksFailed（安全校验未通过：证书或签名不被接受）, "
        "BadServerNotConnected（设备服务器未连接）")
    odd = "vendor said BadVendorSpecificThing (BadVendorSpecificThing)"
    assert reason_text(odd) == odd and reason_text("door sticks") == "door sticks"
    assert reason_text("TypeError: bad operand") == "TypeError: bad operand"
    # the same meaning is given once ("ConnectionRefusedError ... [Errno 111]")
    assert with_meanings("ConnectionRefusedError: [Errno 111] refused").count("拒绝连接") == 1


def test_english_gives_the_meaning_instead_of_asyncuas_sentence(qapp):
    r = ("PH-TT-OPC-STATUS: OPC UA method CArmTunnel/Axes.Move answered BadTimeout The "
         "operation timed out.(BadTimeout)")
    assert reason_text(r) == ("PH-TT-OPC-STATUS: OPC UA method CArmTunnel/Axes.Move answered "
                              "BadTimeout (the device did not answer in time)")


def test_every_device_text_has_its_chinese(zh):
    import re

    from PySide6.QtCore import QCoreApplication

    for _pattern, template, _nested in DEVICE_PATTERNS:
        words = QCoreApplication.translate("TunnelReasons", template)
        assert words != template, template
        assert sorted(re.findall(r"%\d", words)) == sorted(re.findall(r"%\d", template))
    for text in catalogue_texts():
        words = QCoreApplication.translate("TunnelDeviceCodes", text)
        assert words != text, text
        assert sorted(re.findall(r"%\d", words)) == sorted(re.findall(r"%\d", text))


def test_the_runners_failure_report_keeps_its_code(zh):
    body = {"error": "OpcUaConnectionLost: no OPC UA connection to opc.tcp://h:1/t "
                     "(waited 1 s)", "message": "no OPC UA connection to opc.tcp://h:1/t "
                                                "(waited 1 s)", "code": "PH-TT-OPC-LOST"}
    assert failure_text(body) == "与 opc.tcp://h:1/t 没有 OPC UA 连接（已等待 1 秒） [PH-TT-OPC-LOST]"
    assert failure_text({"error": "RuntimeError: boom", "code": ""}) == "RuntimeError: boom"


# --- the console itself ------------------------------------------------------------------
DEVICE_SEQ = """\
groups:
  - key: safety
    steps:
      - key: safety.pe
        timeout_s: 3
        action: {driver: safety.earth_resistance, args: {point: frame}}
        measurements:
          - {name: resistance, unit: ohm, limits: {high: 200, unit: mohm}}
      - key: safety.leak
        timeout_s: 3
        action: {driver: safety.leakage, args: {kind: earth, condition: normal}}
        measurements:
          - {name: current, from: current_ua, unit: uA, limits: {high: 500}}
      - key: hold
        action: {python: 'station_plugins.tunnel_test.steplib:slow', args: {ms: 1500}}
        measurements: [{name: value, unit: V, limits: {low: 0, high: 2}}]
      - key: xray.kv
        timeout_s: 2
        action: {driver: generator.expose, args: {kv: 80, ma: 5, ms: 100}}
        measurements:
          - {name: kv, from: kv_measured, unit: kV, limits: {nominal: 80, tolerance_pct: 5}}
"""


def _console(ws, tmp_path, endpoint: str, **settings):  # noqa: ANN001, ANN202
    """The tunnel station of a production workstation (not demo) on ``endpoint``."""
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    ws.config.values["station"]["demo"] = False      # the configured tunnel, not built in
    ws.session.login(ws.auth.authenticate("op1", USER_PW))
    ctx = ws.context_for("tunnel_test")
    ctx.settings.update(sequence=str(write_seq(tmp_path, DEVICE_SEQ, id="dev")),
                        endpoint=endpoint, security="None", **settings)
    return TunnelTestStation(ctx)


def _run(qtbot, panel, serial: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(panel.start_btn.isEnabled, timeout=30000)
    panel.serial.setText(serial)
    panel.start_run()


@pytest.mark.slow
def test_console_shows_a_bad_status_and_a_stopped_server_in_chinese(zh, qtbot, ws, tmp_path):
    from station_plugins.tunnel_test.ui_step_table import VERDICT

    sim = SimulatorHandle().start()
    station = _console(ws, tmp_path, sim.endpoint)
    try:
        sim.set_fault("safety.leakage", "bad_status")
        panel = station.create_panel()
        qtbot.addWidget(panel)
        panel.show()
        stopped = []

        # the server dies mid-run: the leakage step's end reaches the console as the 1.5 s
        # "hold" step starts, so the exposure after it finds no server
        def stop_after_leak(kind, body):  # noqa: ANN001
            if kind == "event" and body.get("kind") == "step_end" and \
                    body.get("step") == "safety.leak" and not stopped:
                stopped.append(True)
                sim.stop()
        panel.sig_run_message.connect(stop_after_leak)
        _run(qtbot, panel, "CA-DEV-1")
        qtbot.waitUntil(lambda: panel.banner.state == "ERROR", timeout=90000)
        qtbot.waitUntil(lambda: panel.last_run.get("row") is not None, timeout=60000)
        table = panel.items.steps
        leak = table.rows[table.row_of("safety.leak")]
        assert "(BadInternalError)" in leak.reason                   # the record's English
        assert table.tooltip(leak, VERDICT) == (
            "PH-TT-OPC-STATUS：OPC UA 方法 CArmTunnel/SafetyAnalyser.Leakage 返回 "
            "BadInternalError（设备服务器内部出错）")
        kv = table.rows[table.row_of("xray.kv")]
        assert kv.verdict == "ERROR" and kv.reason.startswith("PH-TT-OPC-")
        shown = table.tooltip(kv, VERDICT)
        assert "OPC UA" in shown and ("没有 OPC UA 连接" in shown or "连接中断" in shown), shown
        panel.items.selectRow(table.row_of("safety.leak"))
        assert "BadInternalError（设备服务器内部出错）" in panel.detail.html()
        steps = {s["key"]: s for s in panel.last_run["row"].payload["steps"]}
        assert "answered BadInternalError" in steps["safety.leak"]["reason"]   # English kept
    finally:
        station.shutdown()
        sim.stop()


@pytest.mark.slow
def test_console_shows_a_security_mismatch_in_chinese_with_its_code(zh, qtbot, ws, tmp_path):
    """The station is set for security None; the tunnel offers SignAndEncrypt only: the
    runner cannot connect and the message line says why, in words, with the code."""
    sim_pki = Pki(tmp_path / "sim_pki")
    with SimulatorHandle(security=SAE, pki_dir=sim_pki.root) as sim:
        station = _console(ws, tmp_path, sim.endpoint)
        try:
            panel = station.create_panel()
            qtbot.addWidget(panel)
            _run(qtbot, panel, "CA-DEV-2")
            qtbot.waitUntil(lambda: "[PH-TT-OPC-SEC]" in panel.message.text(), timeout=60000)
            assert panel.message.text().startswith(f"隧道服务器 {sim.endpoint} 不提供不加密的端点")
            qtbot.waitUntil(panel.start_btn.isEnabled, timeout=30000)
            qtbot.wait(500)                              # nothing writes over the cause
            assert "[PH-TT-OPC-SEC]" in panel.message.text()
        finally:
            station.shutdown()


@pytest.mark.slow
def test_console_shows_an_untrusted_mes_certificate_in_chinese(zh, qtbot, ws, tmp_path,
                                                               https_mes):
    """Route check against an MES whose TLS certificate nobody trusts: the real TLS
    error, its reason with its meaning."""
    station = _console(ws, tmp_path, "local", mes_url=https_mes)
    try:
        panel = station.create_panel()
        qtbot.addWidget(panel)
        _run(qtbot, panel, "CA-DEV-3")
        qtbot.waitUntil(lambda: "CERTIFICATE_VERIFY_FAILED" in panel.message.text(),
                        timeout=60000)
        said = panel.message.text()
        assert said.startswith(f"MES（{https_mes}）连不上：")
        assert "[SSL: CERTIFICATE_VERIFY_FAILED]（服务器的 TLS 证书不受信任）" in said
    finally:
        station.shutdown()


@pytest.fixture
def https_mes(tmp_path):
    """An HTTPS server on loopback with a self-signed certificate (not trusted here)."""
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mes.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "mes.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "mes.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - never reached: the handshake fails
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(tmp_path / "mes.pem", tmp_path / "mes.key")
    httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
