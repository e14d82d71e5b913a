"""Short, bounded connection tests for deployment: self-check and first-run setup.

Each probe answers within its timeout and never raises for a peer that is down: it
returns a :class:`ProbeResult` (ok + one line). They reuse the adapters the stations
use (PacsClient C-ECHO, the central engine and schema check, the lead-room gateway
client's security path), so a passing probe means the station's own code connects.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str
    warning: bool = False      # reachable, but something needs attention


@dataclass(frozen=True)
class ServerCertificate:
    """The certificate an OPC UA server presents on its secure endpoint."""

    der: bytes
    subject: str
    thumbprint: str            # SHA-1, hex upper-case
    not_after: str
    application_uri: str
    trusted: bool


def probe_tcp(host: str, port: int, timeout_s: float = 2.0) -> str | None:
    """None when something accepts TCP on host:port, else the OS error text."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def endpoint_host_port(url: str) -> tuple[str, int]:
    """(host, port) of an ``opc.tcp://host:port/path`` URL (4840 when no port)."""
    u = urlparse(url)
    if u.scheme != "opc.tcp" or not u.hostname:
        raise ValueError(f"'{url}' is not an opc.tcp://host:port/... endpoint")
    return u.hostname, u.port or 4840


# --- DICOM ------------------------------------------------------------------------------
def pacs_echo(host: str, port: int, peer_ae: str, *, calling_ae: str = "PHAROS_QC",
              timeout_s: float = 3.0) -> ProbeResult:
    """C-ECHO the PACS through the station's PacsClient."""
    from app.adapters.dicom_net import PacsClient, PeerAddress
    from app.core.errors import PharosError

    client = PacsClient(PeerAddress(host, port, peer_ae), calling_ae=calling_ae,
                        connect_timeout=timeout_s, acse_timeout=timeout_s,
                        dimse_timeout=timeout_s, network_timeout=timeout_s)
    try:
        seconds = client.echo()
    except PharosError as exc:
        return ProbeResult(False, exc.message)
    except Exception as exc:  # noqa: BLE001 - any library failure is a failed probe
        return ProbeResult(False, f"C-ECHO to {peer_ae}@{host}:{port} failed: "
                                  f"{type(exc).__name__}: {exc}")
    return ProbeResult(True, f"C-ECHO {peer_ae}@{host}:{port} answered in "
                             f"{seconds * 1000:.0f} ms")


# --- central database -------------------------------------------------------------------
def central_ping(url: str, *, timeout_s: float = 3.0) -> ProbeResult:
    """Connect, ``SELECT 1`` and compare the central schema with this build's."""
    from sqlalchemy import text

    from app.adapters.central.db import (CentralSchemaMismatch, check_schema, make_engine,
                                         redact)
    from app.core.errors import PharosError

    try:
        engine = make_engine(url, connect_timeout_s=timeout_s, pool_size=1)
    except PharosError as exc:
        return ProbeResult(False, exc.message)
    except Exception as exc:  # noqa: BLE001 - a malformed URL
        from app.config import redact_text

        return ProbeResult(False, f"central database URL is not usable: {redact_text(str(exc))}")
    where = redact(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar()
            try:
                rev = check_schema(conn)
            except CentralSchemaMismatch as exc:
                return ProbeResult(True, f"{where} reachable; {exc.message}", warning=True)
        return ProbeResult(True, f"{where} reachable, schema {rev}")
    except Exception as exc:  # noqa: BLE001 - driver errors are many
        msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return ProbeResult(False, f"{where} not reachable: {msg[0] if msg else type(exc).__name__}")
    finally:
        engine.dispose()


# --- OPC UA -----------------------------------------------------------------------------
def _run_async(factory: Callable[[], Any], timeout_s: float) -> Any:
    """Run a coroutine on a private loop in a helper thread (callers may own a loop)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(asyncio.wait_for(factory(), timeout_s))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    t = threading.Thread(target=target, name="deploy-probe", daemon=True)
    t.start()
    t.join(timeout_s + 5)
    if t.is_alive():
        raise TimeoutError(f"no answer within {timeout_s:g} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return "no answer in time"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def opcua_reachable(url: str, *, timeout_s: float = 3.0) -> ProbeResult:
    """GetEndpoints on the server (no session, no certificate needed)."""
    from asyncua import Client

    async def go() -> int:
        client = Client(url, timeout=timeout_s)
        endpoints = await client.connect_and_get_server_endpoints()
        return len(endpoints)

    try:
        n = _run_async(go, timeout_s)
    except BaseException as exc:  # noqa: BLE001
        return ProbeResult(False, f"OPC UA server {url} not reachable: {_describe(exc)}")
    return ProbeResult(True, f"OPC UA server {url} answered ({n} endpoint(s))")


def opcua_server_certificate(url: str, security: str, pki_dir: Path, *,
                             timeout_s: float = 3.0) -> ServerCertificate:
    """The certificate of the server's Basic256Sha256 endpoint of ``security`` mode."""
    from asyncua import Client, ua
    from asyncua.crypto import security_policies

    from app.adapters.opcua_security import Pki, cert_info, load_cert

    mode = ua.MessageSecurityMode.SignAndEncrypt if security.endswith("Encrypt") \
        else ua.MessageSecurityMode.Sign

    async def go() -> bytes:
        client = Client(url, timeout=timeout_s)
        endpoints = await client.connect_and_get_server_endpoints()
        ep = Client.find_endpoint(endpoints, mode,
                                  security_policies.SecurityPolicyBasic256Sha256.URI)
        return bytes(ep.ServerCertificate)

    try:
        der = _run_async(go, timeout_s)
    except ValueError as exc:
        raise ConnectionError(f"{url} offers no Basic256Sha256 {mode.name} endpoint") from exc
    info = cert_info(load_cert(der))
    trusted = info.thumbprint in Pki(pki_dir).trusted_thumbprints()
    return ServerCertificate(der=der, subject=info.subject, thumbprint=info.thumbprint,
                             not_after=f"{info.not_after:%Y-%m-%d}",
                             application_uri=info.application_uri, trusted=trusted)


def trust_server_certificate(der: bytes, pki_dir: Path) -> Path:
    """Copy a server certificate into ``pki_dir/trusted`` (an administrator's decision)."""
    from app.adapters.opcua_security import Pki, cert_info, load_cert

    pki = Pki(pki_dir)
    dest = pki.trusted_dir / f"{cert_info(load_cert(der)).thumbprint}.der"
    tmp = dest.with_suffix(".tmp")
    tmp.write_bytes(der)
    tmp.replace(dest)
    return dest


def own_certificate(pki_dir: Path) -> tuple[Path, str]:
    """This workstation's OPC UA client certificate (created when missing)."""
    from app.adapters.opcua_security import CLIENT_URI, Pki

    pki = Pki(pki_dir)
    info = pki.ensure_own("Pharos workstation " + socket.gethostname(), CLIENT_URI,
                          server=False)
    return pki.cert_path, info.thumbprint


def opcua_session_test(url: str, security: str, pki_dir: Path, *,
                       timeout_s: float = 4.0) -> ProbeResult:
    """Open a real session the way the lead-room station does (same security path)."""
    from app.adapters.opcua_gateway import OpcUaGatewayClient
    from app.core.errors import PharosError

    async def go() -> str:
        gw = OpcUaGatewayClient(url, on_values=lambda _v: None, security=security,
                                pki_dir=pki_dir, timeout_s=timeout_s)
        client = await gw._make_client()  # noqa: SLF001 - the station's exact security setup
        await client.connect()
        try:
            from asyncua import ua

            node = client.get_node(ua.ObjectIds.Server_ServerStatus_State)
            return str(await node.read_value())
        finally:
            await client.disconnect()

    try:
        state = _run_async(go, timeout_s * 2)
    except PharosError as exc:
        return ProbeResult(False, exc.message)
    except BaseException as exc:  # noqa: BLE001
        return ProbeResult(False, f"OPC UA session to {url} failed: {_describe(exc)}")
    return ProbeResult(True, f"session opened on {url} ({security}); server state {state}")
