"""OPC UA client for the test tunnel (asyncua) on a LoopThread, with a blocking API
for the sequence runner (never called from the GUI thread).

* Method calls for actions, one batch read for variables, browse paths resolved once.
* A watchdog reads the server state every ``watch_s``; a lost connection is detected
  within ~2 s and reconnected with bounded exponential backoff (cap
  ``reconnect_max_s``). Calls made while disconnected wait for the reconnection at most
  their own timeout, then raise :class:`OpcUaConnectionLost`.
* A call that does not answer within its timeout raises :class:`OpcUaTimeout` and the
  session is replaced (the server works one request at a time per connection, so a
  hung method would block the safe-state calls behind it).
* Security exactly like the lead-room client (``[opcua] security``): Basic256Sha256
  Sign or SignAndEncrypt with the workstation's application certificate and the PKI
  trust list (:mod:`app.adapters.opcua_security`), an optional user identity. There is
  no silent fallback: a server without the requested endpoint, an untrusted server
  certificate, a refused client certificate or user are errors that name the cause;
  "None" is used only when configured (or in demo mode).
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from app.core.errors import DeviceError

log = logging.getLogger(__name__)
_TYPES = {"d": "Double", "s": "String", "b": "Boolean"}
FATAL_CODES = {"PH-TT-OPC-SEC", "PH-TT-OPC-USER", "PH-OPCUA-CERT", "PH-OPCUA-CFG"}
SECURITY_MODES = ("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")


class OpcUaSecurityError(DeviceError):
    code = "PH-TT-OPC-SEC"
    remedy = ("Match the workstation's [opcua] security to what the tunnel server offers, "
              "or have the tunnel's administrator enable it; Pharos never falls back to an "
              "unsecured link on its own.")


class OpcUaConnectionLost(DeviceError):
    code = "PH-TT-OPC-LOST"
    remedy = "Check the tunnel network and the OPC UA server; Pharos reconnects by itself."


class OpcUaTimeout(DeviceError):
    code = "PH-TT-OPC-TIMEOUT"


class OpcUaBadStatus(DeviceError):
    code = "PH-TT-OPC-STATUS"


class TunnelOpcUaClient:
    def __init__(self, endpoint: str, loop: Any, *, reconnect_max_s: float = 4.0,
                 watch_s: float = 0.5, namespace: str = "urn:pharos:tunnel",
                 security: str = "None", pki_dir: Path | None = None, user: str = "",
                 password: str = "") -> None:
        if security not in SECURITY_MODES:
            raise OpcUaSecurityError(f"Unknown OPC UA security '{security}' (one of "
                                     f"{', '.join(SECURITY_MODES)}).", code="PH-OPCUA-CFG")
        if security != "None" and pki_dir is None:
            raise OpcUaSecurityError("OPC UA security is on but no PKI folder was given.",
                                     code="PH-OPCUA-CFG")
        from app.adapters.opcua_security import Pki

        self.security, self.user, self._password = security, user, password
        self.pki = Pki(pki_dir) if pki_dir is not None and security != "None" else None
        self.last_error: Exception | None = None
        self.endpoint, self.loop = endpoint, loop        # loop: app.runtime LoopThread
        self.reconnect_max_s, self.watch_s, self.namespace = reconnect_max_s, watch_s, namespace
        self._client: Any = None
        self._nodes: dict[str, Any] = {}
        self._idx = 2
        self._connected: asyncio.Event | None = None
        self._watch_task: asyncio.Task | None = None
        self._closing = False
        self.reconnects = 0
        self.losses = 0

    # --- lifecycle -------------------------------------------------------------
    def connect(self, timeout_s: float = 10.0) -> "TunnelOpcUaClient":
        import time

        self.loop.submit(self._start()).result(timeout_s + 1)
        deadline = time.monotonic() + timeout_s
        while not self.connected and time.monotonic() < deadline:
            if isinstance(self.last_error, DeviceError) and \
                    self.last_error.code in FATAL_CODES:
                break               # a security / identity refusal: retrying will not help
            time.sleep(0.05)
        if not self.connected:
            exc = self.last_error
            if isinstance(exc, DeviceError):     # a named cause (security, certificate)
                raise type(exc)(exc.message, code=exc.code, remedy=exc.remedy) from exc
            why = f": {self._describe(exc)}" if exc is not None else ""
            raise OpcUaConnectionLost(f"OPC UA server {self.endpoint} not reachable within "
                                      f"{timeout_s:g} s{why}")
        return self

    def _describe(self, exc: BaseException) -> str:
        name = type(exc).__name__
        if "IdentityToken" in name or "UserAccessDenied" in name:
            return (f"the server refused the user identity "
                    f"'{self.user or 'anonymous'}' ({name})")
        if "Certificate" in name or "SecurityChecksFailed" in name:
            own = self.pki.cert_path if self.pki else "-"
            return (f"the server refused this workstation's certificate ({own}): {name}; "
                    f"its administrator must add it to the server's trust list")
        if "SecurityPolicyRejected" in name or "SecurityModeRejected" in name:
            return f"the server rejected security {self.security} ({name})"
        return f"{name}: {exc}"

    async def _start(self) -> None:
        self._connected = asyncio.Event()
        self._watch_task = asyncio.ensure_future(self._watch())

    async def _wait_connected(self, timeout_s: float) -> bool:
        try:
            assert self._connected is not None   # made by _start()
            await asyncio.wait_for(self._connected.wait(), timeout_s)
            return True
        except asyncio.TimeoutError:
            return False

    @property
    def connected(self) -> bool:
        return self._connected is not None and self._connected.is_set()

    def close(self) -> None:
        self._closing = True
        try:
            self.loop.submit(self._close()).result(5)
        except Exception as exc:  # noqa: BLE001 - closing a dead connection
            log.debug("close: %s", exc)

    async def _close(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
        await self._drop()

    async def _drop(self) -> None:
        if self._connected is not None:
            self._connected.clear()
        client, self._client, self._nodes = self._client, None, {}
        if client is not None and not self._closing:
            self.losses += 1
        if client is not None:
            try:
                await asyncio.wait_for(client.disconnect(), 1.0)
            except Exception:  # noqa: BLE001 - the transport may already be gone
                try:
                    client.disconnect_socket()
                except Exception:  # noqa: BLE001
                    pass

    async def _make_client(self) -> Any:
        """A client set up for ``self.security`` (the lead-room client's path)."""
        from asyncua import Client, ua
        from app.adapters.opcua_security import CLIENT_URI, secure_client

        client = Client(self.endpoint, timeout=2.0)
        client.session_timeout = 10000
        client.application_uri = CLIENT_URI
        client.name = client.description = "Pharos tunnel console"
        if self.user:
            client.set_user(self.user)
            client.set_password(self._password)
        endpoints = await client.connect_and_get_server_endpoints()
        if self.security == "None":
            if not any(e.SecurityMode == ua.MessageSecurityMode.None_ for e in endpoints):
                offered = sorted({f"{e.SecurityPolicyUri.rsplit('#', 1)[-1]}_"
                                  f"{e.SecurityMode.name}" for e in endpoints})
                raise OpcUaSecurityError(
                    f"The tunnel server {self.endpoint} offers no unsecured endpoint (it "
                    f"offers {', '.join(offered)}) and this workstation is configured for "
                    f"security None.")
            return client
        assert self.pki is not None
        endpoint, security = self.endpoint, self.security
        await secure_client(client, endpoints, security, self.pki, peer="tunnel server",
                            missing=lambda mode: OpcUaSecurityError(
                                f"The tunnel server {endpoint} offers no Basic256Sha256 "
                                f"{mode} endpoint (configured [opcua] security = "
                                f"{security})."))
        return client

    async def _open(self) -> None:
        client = await self._make_client()
        try:
            await client.connect()
        except Exception as exc:
            try:
                client.disconnect_socket()
            except Exception:  # noqa: BLE001
                pass
            raise DeviceError(f"OPC UA session with {self.endpoint} refused: "
                              f"{self._describe(exc)}", code=_code_for(exc)) from exc
        self._idx = await client.get_namespace_index(self.namespace)
        self._client = client
        assert self._connected is not None
        self._connected.set()

    async def _watch(self) -> None:
        """Keep a session: detect loss (state read fails) and reconnect with backoff."""
        from asyncua import ua

        delay = 0.1
        while not self._closing:
            if self._client is None:
                try:
                    await self._open()
                    if self.reconnects or self.losses:
                        log.info("OPC UA reconnected to %s", self.endpoint)
                    self.reconnects += 1
                    delay = 0.1
                except Exception as exc:  # noqa: BLE001 - keep trying, bounded backoff
                    if type(exc) is not type(self.last_error):
                        log.warning("OPC UA connect to %s failed: %s", self.endpoint, exc)
                    self.last_error = exc
                    await self._drop()
                    await asyncio.sleep(delay)
                    delay = min(delay * 1.5, self.reconnect_max_s)
                    continue
            await asyncio.sleep(self.watch_s)
            if self._client is None:
                continue
            try:
                node = self._client.get_node(ua.ObjectIds.Server_ServerStatus_State)
                await asyncio.wait_for(node.read_value(), 1.5)
            except Exception as exc:  # noqa: BLE001 - any failure = connection lost
                log.warning("OPC UA connection to %s lost: %s", self.endpoint, exc)
                await self._drop()

    def recover(self) -> None:
        """Replace the session (after a hung call); the watchdog reconnects at once."""
        try:
            self.loop.submit(self._drop()).result(3)
        except Exception:  # noqa: BLE001
            pass

    # --- calls -------------------------------------------------------------------
    async def _node(self, path: str) -> Any:
        node = self._nodes.get(path)
        if node is None:
            parts = [f"{self._idx}:{p}" for p in path.split("/")]
            node = await self._client.nodes.objects.get_child(parts)
            self._nodes[path] = node
        return node

    async def _ready(self, timeout_s: float) -> None:
        if not await self._wait_connected(timeout_s):
            raise OpcUaConnectionLost(f"no OPC UA connection to {self.endpoint} "
                                      f"(waited {timeout_s:g} s)")

    async def _call(self, obj_path: str, method: str, values: list[tuple[Any, str]],
                    timeout_s: float) -> list:
        from asyncua import ua

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        await self._ready(timeout_s)
        args = [ua.Variant(v, getattr(ua.VariantType, _TYPES[t])) for v, t in values]
        try:
            obj = await self._node(obj_path)
            # time spent waiting for a reconnection does not eat the method's own budget
            budget = max(deadline - loop.time(), min(timeout_s, 2.0))
            res = await asyncio.wait_for(obj.call_method(f"{self._idx}:{method}", *args),
                                         budget)
        except asyncio.TimeoutError:
            await self._drop()
            raise OpcUaTimeout(f"OPC UA method {obj_path}.{method} did not answer within "
                               f"{timeout_s:g} s") from None
        except ua.UaStatusCodeError as exc:
            raise OpcUaBadStatus(f"OPC UA method {obj_path}.{method} answered "
                                 f"{type(exc).__name__} {exc}") from exc
        except (ConnectionError, OSError, asyncio.CancelledError, AttributeError) as exc:
            await self._drop()
            raise OpcUaConnectionLost(f"OPC UA connection lost during {obj_path}.{method}: "
                                      f"{type(exc).__name__}") from exc
        except Exception as exc:  # noqa: BLE001 - asyncua raises various on a dead link
            if self._client is None or "closed" in str(exc).lower() or \
                    "connection" in str(exc).lower():
                await self._drop()
                raise OpcUaConnectionLost(f"OPC UA connection lost during "
                                          f"{obj_path}.{method}: {exc}") from exc
            raise DeviceError(f"OPC UA method {obj_path}.{method} failed: "
                              f"{type(exc).__name__}: {exc}") from exc
        return list(res) if isinstance(res, list) else [res]

    def call_method(self, obj_path: str, method: str, values: list[tuple[Any, str]], *,
                    timeout_s: float) -> list:
        fut = self.loop.submit(self._call(obj_path, method, values, timeout_s))
        try:
            return fut.result(2 * timeout_s + 3.0)
        except TimeoutError:
            fut.cancel()
            raise OpcUaTimeout(f"OPC UA method {obj_path}.{method} did not answer within "
                               f"{timeout_s:g} s") from None

    async def _read(self, paths: list[str], timeout_s: float) -> list:
        await self._ready(timeout_s)
        try:
            nodes = [await self._node(p) for p in paths]
            return await asyncio.wait_for(self._client.read_values(nodes), timeout_s)
        except asyncio.TimeoutError:
            raise OpcUaTimeout(f"OPC UA read of {len(paths)} values timed out") from None
        except Exception as exc:  # noqa: BLE001
            await self._drop()
            raise OpcUaConnectionLost(f"OPC UA read failed: {type(exc).__name__}: "
                                      f"{exc}") from exc

    def read_values(self, paths: list[str], *, timeout_s: float = 5.0) -> list:
        """One batch read (a single Read service call for all paths)."""
        return self.loop.submit(self._read(paths, timeout_s)).result(timeout_s + 2.0)


def _code_for(exc: BaseException) -> str:
    name = type(exc).__name__
    if "IdentityToken" in name or "UserAccessDenied" in name:
        return "PH-TT-OPC-USER"
    if "Certificate" in name or "Security" in name:
        return "PH-TT-OPC-SEC"
    return "PH-TT-OPC-LOST"
