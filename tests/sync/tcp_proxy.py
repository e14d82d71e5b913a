"""A TCP proxy in front of PostgreSQL that can lose the acknowledgement of a COMMIT.

Armed, it forwards the client's COMMIT to the server, swallows the server's answer
and closes the connection: the transaction is committed, the client never learns it.
"""
from __future__ import annotations

import socket
import threading


class LossyProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self.armed = threading.Event()
        self.dropped = threading.Event()
        self._closed = False
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True, name="lossy-proxy").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            state = {"commit_sent": False}
            threading.Thread(target=self._pump_up, args=(client, upstream, state),
                             daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client, state),
                             daemon=True).start()

    def _pump_up(self, client: socket.socket, upstream: socket.socket, state: dict) -> None:
        try:
            while data := client.recv(65536):
                if self.armed.is_set() and b"COMMIT" in data:
                    state["commit_sent"] = True
                upstream.sendall(data)
        except OSError:
            pass
        _close(upstream)

    def _pump_down(self, upstream: socket.socket, client: socket.socket, state: dict) -> None:
        try:
            while data := upstream.recv(65536):
                if state["commit_sent"]:
                    # the server committed and answered: the answer is lost on the way
                    self.armed.clear()
                    self.dropped.set()
                    break
                client.sendall(data)
        except OSError:
            pass
        _close(client)
        _close(upstream)

    def close(self) -> None:
        self._closed = True
        _close(self._listener)
        for s in self._sockets:
            _close(s)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
