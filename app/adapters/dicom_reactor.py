"""Event-driven wake-ups for the receiver's pynetdicom associations (acceptor side).

pynetdicom polls: its DUL thread sleeps 1 ms whenever a loop found nothing to do, and
the association thread sleeps 1 ms before every look at its message queue. A C-STORE
waits for up to three such ticks (the last fragment read, the handler picked up, the
response sent), and on a loaded 2-core machine each tick costs a scheduler round trip.
:func:`make_responsive` (called from ``EVT_CONN_OPEN``, before the association starts)
keeps every pynetdicom behaviour and timer but makes the two threads wait on the
events themselves:

* the DUL thread waits in ``select`` on its socket and on a wake-up descriptor (up to
  the same 1 ms), and is woken the moment the association hands it a PDU to send;
* the association thread waits on its DIMSE message queue (up to 5 ms; release,
  abort, idle timer and a dead DUL are checked after every wait, as before);
* a PDU is read from the socket into one buffer (not in 4 KiB pieces);
* pynetdicom's per-message logging handlers (a formatted summary of every DIMSE
  message and PDU, even with logging off) are unbound unless its logger is at DEBUG.
"""
from __future__ import annotations

import logging
import os
import queue
import select
import socket
import time
import types
import weakref
from typing import Any, cast

from pynetdicom import _handlers, evt
from pynetdicom.transport import AssociationSocket

log = logging.getLogger(__name__)
_MSG_WAIT_S = 0.005


class _WakeableSocket(AssociationSocket):
    """An AssociationSocket whose ``ready`` blocks (<= 1 ms) until data or a wake-up."""

    _wake_fd: int = -1

    @property
    def ready(self) -> bool:
        sock = self.socket
        if sock is None or self._is_connected is False:
            time.sleep(0.001)             # what the DUL's loop delay did before
            return False
        try:
            watch: list[socket.socket | int] = [sock, self._wake_fd]
            readable, _, _ = select.select(watch, [], [], 0.001)
        except (OSError, ValueError):
            self.event_queue.put("Evt17")    # transport closed (as pynetdicom)
            return False
        if self._wake_fd in readable:
            try:
                os.read(self._wake_fd, 8)    # eventfd: reset the counter
            except OSError:
                pass
        return sock in readable or bool(getattr(sock, "pending", lambda: 0)())

    def recv(self, nr_bytes: int) -> bytearray:
        """As pynetdicom's (``nr_bytes`` or fewer when the peer closed), read straight
        into one buffer instead of 4 KiB pieces appended to a growing one."""
        buf = bytearray(nr_bytes)
        got = 0
        with memoryview(buf) as view:
            while got < nr_bytes:
                n = cast(socket.socket, self.socket).recv_into(view[got:], nr_bytes - got)
                if not n:
                    break
                got += n
        return buf if got == nr_bytes else buf[:got]


def make_responsive(assoc: Any) -> None:
    dul, sock = assoc.dul, getattr(assoc.dul, "socket", None)
    if sock is None or type(sock) is not AssociationSocket or not hasattr(os, "eventfd"):
        return
    fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    weakref.finalize(sock, os.close, fd)
    sock.__class__ = _WakeableSocket
    cast(_WakeableSocket, sock)._wake_fd = fd  # noqa: SLF001 - our subclass's own attribute
    dul._run_loop_delay = 0.0  # noqa: SLF001 - the wait happens in ``ready`` instead
    send_pdu = dul.send_pdu

    def send_pdu_and_wake(primitive: Any) -> None:
        send_pdu(primitive)
        try:
            os.eventfd_write(fd, 1)
        except OSError:
            pass

    dul.send_pdu = send_pdu_and_wake
    assoc._run_reactor = types.MethodType(_run_acceptor_reactor, assoc)  # noqa: SLF001
    if not logging.getLogger("pynetdicom").isEnabledFor(logging.DEBUG):
        for event, handler in ((evt.EVT_DIMSE_RECV, _handlers.standard_dimse_recv_handler),
                               (evt.EVT_DIMSE_SENT, _handlers.standard_dimse_sent_handler),
                               (evt.EVT_PDU_RECV, _handlers.standard_pdu_recv_handler),
                               (evt.EVT_PDU_SENT, _handlers.standard_pdu_sent_handler)):
            try:
                assoc.unbind(event, handler)
            except Exception:  # noqa: BLE001 - not bound (LOG_HANDLER_LEVEL "none")
                pass


def _run_acceptor_reactor(self: Any) -> None:
    """pynetdicom 3.0 ``Association._run_reactor`` with the 1 ms sleep replaced by a
    wait on the DIMSE message queue (see the module doc)."""
    from pynetdicom.association import LOGGER

    self._is_paused = False
    msg_queue: queue.Queue = self.dimse.msg_queue
    while not self._kill:
        self._is_paused = True
        self._reactor_checkpoint.wait()
        self._is_paused = False
        try:
            context_id, msg = msg_queue.get(timeout=_MSG_WAIT_S)
        except queue.Empty:
            context_id, msg = None, None
        if msg:
            self._serve_request(msg, cast(int, context_id))
        if self.is_established and self.acse.is_release_requested():
            self.acse.send_release(is_response=True)
            LOGGER.info("Association Released")
            self.is_released = True
            self.is_established = False
            evt.trigger(self, evt.EVT_RELEASED, {})
            self.kill()
            return
        if self.acse.is_aborted():
            log_msg = "Association Aborted"
            if self.acse.is_aborted("a-p-abort"):
                log_msg += " (A-P-ABORT)"
            LOGGER.info(log_msg)
            self.dul.receive_pdu(wait=False)
            self.is_aborted = True
            self.is_established = False
            evt.trigger(self, evt.EVT_ABORTED, {})
            self.kill()
            return
        if not self.dul.is_alive():
            self.kill()
            return
        if self.dul.idle_timer_expired():
            LOGGER.error("Network timeout reached")
            if self.network_timeout_response == "A-RELEASE":
                self._is_paused = True
                self._reactor_checkpoint.wait()
                self.release()
                self._is_paused = False
            else:
                self.abort()
            self.kill()
            return
