"""Shared DICOM network pieces: typed errors, TCP_NODELAY sockets, guarded handlers.

Latency trap: on loopback each C-STORE took ~90-100 ms with Nagle + delayed ACK.
pynetdicom has no socket option, so socket creation is wrapped on both sides:
:class:`NoDelayAE` (requestor: ``AE._create_socket``) and :class:`NoDelayServer`
(acceptor: ``get_request``). ``tcp_nodelay=False`` exists only for the benchmark.

pynetdicom logs and drops exceptions raised inside event handlers; :func:`guarded`
wraps a handler so the error reaches the application (``on_error``) and the peer gets
a failure status instead of silence.
"""
from __future__ import annotations

import logging
import socket
from typing import Any, Callable

from pynetdicom import AE
from pynetdicom.transport import ThreadedAssociationServer

from app.core.errors import DeviceError

log = logging.getLogger(__name__)


# --- typed errors ----------------------------------------------------------------------
class PacsError(DeviceError):
    code = "PH-PACS"
    remedy = "Check the PACS address, port and AE titles in the [pacs] configuration."


class PacsUnreachable(PacsError):
    code = "PH-PACS-DOWN"
    remedy = ("The PACS does not answer on its DICOM port: check that it runs and that "
              "host and port in [pacs] are right.")


class AssociationRefused(PacsError):
    code = "PH-PACS-REFUSED"
    remedy = ("The PACS refused or aborted the association: register this station's AE "
              "title (and host/port) in the PACS and check the called AE title.")


class PacsTimeout(PacsError):
    code = "PH-PACS-TIMEOUT"
    remedy = "The PACS did not answer in time; check its load and the network, then retry."


class PacsOperationFailed(PacsError):
    code = "PH-PACS-FAILED"
    remedy = "The PACS answered with a failure status; see the detail and the PACS log."


class ScpStartError(DeviceError):
    code = "PH-SCP-START"
    remedy = ("Choose a free port for the station's DICOM receiver ([pacs] scp_port) or "
              "stop the other program that uses it.")


# --- TCP_NODELAY ----------------------------------------------------------------------
def set_nodelay(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as exc:  # e.g. a non-TCP socket in a test double
        log.warning("could not set TCP_NODELAY: %s", exc)


class NoDelayAE(AE):
    """pynetdicom AE whose requestor sockets have TCP_NODELAY (unless disabled)."""

    def __init__(self, ae_title: str = "PHAROS_QC", *, tcp_nodelay: bool = True) -> None:
        super().__init__(ae_title=ae_title)
        self.tcp_nodelay = tcp_nodelay

    def _create_socket(self, assoc, address, tls_args):  # noqa: ANN001 - pynetdicom API
        sock = super()._create_socket(assoc, address, tls_args)
        if self.tcp_nodelay and sock.socket is not None:
            set_nodelay(sock.socket)
        return sock


class NoDelayServer(ThreadedAssociationServer):
    """Acceptor whose accepted sockets have TCP_NODELAY (unless the AE disables it)."""

    def get_request(self):  # noqa: ANN201 - socketserver API
        client, address = super().get_request()
        if getattr(self.ae, "tcp_nodelay", True):
            set_nodelay(client)
        return client, address


# --- guarded handlers ------------------------------------------------------------------
def guarded(handler: Callable[..., Any], *, failure: Any,
            on_error: Callable[[BaseException], None] | None) -> Callable[..., Any]:
    """Wrap a pynetdicom event handler: exceptions go to ``on_error``, the peer gets
    ``failure`` (a DIMSE status, or whatever the event expects)."""

    def wrapper(event, *args):  # noqa: ANN001, ANN202
        try:
            return handler(event, *args)
        except Exception as exc:  # noqa: BLE001 - reported, never swallowed
            log.exception("DICOM handler %s failed", getattr(handler, "__name__", handler))
            if on_error is not None:
                try:
                    on_error(exc)
                except Exception:  # noqa: BLE001 - a broken listener must not kill the SCP
                    log.exception("error listener failed")
            return failure

    wrapper.__name__ = getattr(handler, "__name__", "handler")
    return wrapper


def probe_tcp(host: str, port: int, timeout: float = 2.0) -> str | None:
    """None when something accepts TCP on host:port, else the OS error text."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)
