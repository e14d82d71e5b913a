"""Store-and-forward for the MES outbox (Qt-free): a resend thread for GUI and CLI.

The outbox rows live in the journal (durable, keyed by run id + message kind). While the
MES is down they stay ``pending``; this resender pumps them every ``interval_s`` in its
own thread (never the GUI thread) until the MES answers. Pumps are single-flight (one
lock), so a timer pump and a pump after a run never send the same row twice at once;
the MES answers a repeated key once anyway.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from station_plugins.tunnel_test.release import pump_outbox

log = logging.getLogger(__name__)


class OutboxResender:
    def __init__(self, journal: Any, mes: Any, *, interval_s: float = 5.0,
                 on_result: Callable[[dict], None] | None = None) -> None:
        self.journal, self.mes, self.interval_s = journal, mes, interval_s
        self.on_result = on_result
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: dict = {}

    def pump_now(self) -> dict:
        """Send what is pending now (single-flight). Returns counts + ``pending`` left."""
        with self._lock:
            if self.mes is None:
                out = {"sent": 0, "rejected": 0, "down": True, "error": "no MES configured"}
            else:
                out = pump_outbox(self.journal, self.mes)
            out["pending"] = len(self.journal.outbox_pending())
            self.last = out
        if self.on_result is not None:
            try:
                self.on_result(dict(out))
            except Exception:  # noqa: BLE001 - a listener never stops the resender
                log.exception("outbox listener failed")
        return out

    def start(self) -> "OutboxResender":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tunnel-mes-outbox",
                                            daemon=True)
            self._thread.start()
        return self

    def poke(self) -> None:
        """Pump soon (after a run committed its record) without waiting for the timer."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                if self.journal.outbox_pending():
                    self.pump_now()
            except Exception:  # noqa: BLE001 - journal closed or disk trouble: retry later
                log.exception("outbox resend failed; retrying in %.1f s", self.interval_s)

    def drain(self, timeout_s: float) -> dict:
        """Keep resending until nothing is pending or ``timeout_s`` passed (headless)."""
        deadline = time.monotonic() + timeout_s
        out = self.pump_now()
        while out["pending"] and time.monotonic() < deadline:
            time.sleep(min(self.interval_s, max(deadline - time.monotonic(), 0.0)))
            out = self.pump_now()
        return out

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
