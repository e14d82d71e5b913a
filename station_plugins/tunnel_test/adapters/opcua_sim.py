"""A generic asyncua server for the tunnel simulator: objects, typed methods and
variables built from a call table given by the station (the station's simulator.py
supplies the physics). Binds 127.0.0.1 on a free port unless told otherwise.

Faults for tests and demos: ``faults[name] = 'hang'`` (the method never answers),
``'bad_status'`` (BadInternalError), :meth:`TunnelSimServer.restart` (server goes away
and comes back on the same port: connection drop).

Security: ``security="Basic256Sha256_SignAndEncrypt"`` (or ``_Sign``) with a PKI folder
offers only that endpoint, with the simulator's own certificate, accepting only client
certificates in its ``trusted/`` folder; ``users`` ({name: password}) requires a user
identity (anonymous refused).
"""
from __future__ import annotations

import asyncio
import io
import logging
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

log = logging.getLogger(__name__)
NAMESPACE = "urn:pharos:tunnel"
SERVER_URI = "urn:pharos:tunnel-simulator"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class TunnelSimServer:
    def __init__(self, calls: dict[str, tuple], handlers: dict[str, Callable[..., dict]],
                 variables: dict[str, tuple[str, str, str]],
                 getters: dict[str, Callable[[], Any]], *, root: str = "CArmTunnel",
                 host: str = "127.0.0.1", port: int = 0, update_s: float = 0.2,
                 security: str = "None", pki_dir: Path | None = None,
                 users: dict[str, str] | None = None) -> None:
        if security != "None" and pki_dir is None:
            raise ValueError("a secured simulator needs a pki_dir")
        self.security, self.users = security, dict(users or {})
        self.pki_dir = Path(pki_dir) if pki_dir is not None else None
        self.calls, self.handlers = calls, handlers
        self.variables, self.getters = variables, getters
        self.root, self.host = root, host
        self.port = port or free_port(host)
        self.update_s = update_s
        self.faults: dict[str, str] = {}
        self.call_count = 0
        self._server: Any = None
        self._var_nodes: dict[str, Any] = {}
        self._task: asyncio.Task | None = None
        self._hang: asyncio.Event | None = None

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://{self.host}:{self.port}/pharos/tunnel"

    async def start(self) -> None:
        from asyncua import Server, ua

        server = Server(user_manager=_Users(self.users) if self.users else None)
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("Pharos tunnel + C-arm simulator")
        await server.set_application_uri(SERVER_URI)
        if self.security == "None":
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        else:
            from app.adapters.opcua_security import Pki, make_server_validator

            assert self.pki_dir is not None   # __init__: a secured simulator needs one
            pki = Pki(self.pki_dir)
            pki.ensure_own("Pharos tunnel simulator", SERVER_URI, server=True)
            policy = ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt \
                if self.security.endswith("Encrypt") else ua.SecurityPolicyType.Basic256Sha256_Sign
            server.set_security_policy([policy])
            await server.load_certificate(str(pki.cert_path))
            await server.load_private_key(str(pki.key_path))
            server.set_certificate_validator(make_server_validator(pki))
        if self.users:
            server.set_identity_tokens([ua.UserNameIdentityToken])
        idx = await server.register_namespace(NAMESPACE)
        root = await server.nodes.objects.add_object(idx, self.root)
        objects: dict[str, Any] = {}

        async def obj(name: str) -> Any:
            if name not in objects:
                objects[name] = await root.add_object(idx, name)
            return objects[name]

        vt = {"d": ua.VariantType.Double, "s": ua.VariantType.String,
              "b": ua.VariantType.Boolean, "npy": ua.VariantType.ByteString,
              "wave": ua.VariantType.Double}
        for name, (oname, method, inputs, outputs) in self.calls.items():
            o = await obj(oname)
            in_args = [_argument(a, vt[t]) for a, t in inputs]
            out_args = [_argument(a, vt[t], array=(t == "wave")) for a, t in outputs]
            await o.add_method(idx, method, self._method(name, outputs), in_args, out_args)
        for name, (oname, var, typ) in self.variables.items():
            o = await obj(oname)
            init = {"d": 0.0, "s": "", "b": False}[typ]
            self._var_nodes[name] = await o.add_variable(idx, var, ua.Variant(init, vt[typ]))
        self._hang = asyncio.Event()
        await server.start()
        self._server = server
        self._task = asyncio.ensure_future(self._update_loop())
        log.info("tunnel simulator listening on %s", self.endpoint)

    def _method(self, name: str, outputs: list[tuple[str, str]]) -> Callable:
        from asyncua import ua

        async def method(parent: Any, *args: Any) -> Any:  # noqa: ARG001
            self.call_count += 1
            fault = self.faults.get(name)
            if fault == "hang" and self._hang is not None:
                await self._hang.wait()
            if fault == "bad_status":
                return ua.StatusCode(ua.UInt32(ua.StatusCodes.BadInternalError))
            _, _, inputs, _ = self.calls[name]
            kwargs = {a: (v.Value if hasattr(v, "Value") else v) for (a, _), v in zip(inputs, args)}
            try:
                result = self.handlers[name](**kwargs)
            except Exception:  # noqa: BLE001 - reported to the client as a bad status
                log.exception("simulator method %s failed", name)
                return ua.StatusCode(ua.UInt32(ua.StatusCodes.BadInternalError))
            out = []
            for key, typ in outputs:
                v = result[key]
                if typ == "npy":
                    buf = io.BytesIO()
                    np.save(buf, np.asarray(v), allow_pickle=False)
                    out.append(ua.Variant(buf.getvalue(), ua.VariantType.ByteString))
                elif typ == "wave":
                    out.append(ua.Variant([float(x) for x in np.asarray(v).ravel()],
                                          ua.VariantType.Double))
                elif typ == "d":
                    out.append(ua.Variant(float(v), ua.VariantType.Double))
                elif typ == "b":
                    out.append(ua.Variant(bool(v), ua.VariantType.Boolean))
                else:
                    out.append(ua.Variant(str(v), ua.VariantType.String))
            return out

        return method

    async def _update_loop(self) -> None:
        while True:
            for name, node in self._var_nodes.items():
                try:
                    await node.write_value(_coerce(self.getters[name](), self.variables[name][2]))
                except Exception:  # noqa: BLE001 - a getter glitch must not stop updates
                    log.debug("variable %s update failed", name, exc_info=True)
            await asyncio.sleep(self.update_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._hang is not None:
            self._hang.set()
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def restart(self, down_s: float = 1.0) -> None:
        """Connection drop: stop, stay away ``down_s``, come back on the same port."""
        await self.stop()
        await asyncio.sleep(down_s)
        await self.start()


def _argument(name: str, vtype: Any, array: bool = False) -> Any:
    from asyncua import ua

    arg = ua.Argument()
    arg.Name = name
    arg.DataType = ua.NodeId(vtype.value)
    arg.ValueRank = 1 if array else -1
    arg.ArrayDimensions = [0] if array else []
    arg.Description = ua.LocalizedText(name)
    return arg


def _coerce(value: Any, typ: str) -> Any:
    return float(value) if typ == "d" else bool(value) if typ == "b" else str(value)


if TYPE_CHECKING:
    from asyncua.server.user_managers import UserManager as _UserManager
else:
    _UserManager = object    # asyncua only calls get_user (imported when the server starts)


class _Users(_UserManager):
    """asyncua user manager: named users with a password; anonymous refused."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    # asyncua calls get_user(iserver, username=, password=, certificate=) by keyword
    def get_user(self, iserver: Any, username: str | None = None,  # noqa: ARG002 - asyncua signature
                 password: str | None = None,
                 certificate: Any = None) -> Any:  # noqa: ARG002 - asyncua signature
        import hmac

        from asyncua.crypto.permission_rules import User, UserRole

        if username is None or username not in self.users or password is None or \
                not hmac.compare_digest(str(password), self.users[username]):
            return None
        return User(role=UserRole.User, name=username)
