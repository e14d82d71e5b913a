"""Signal values of the OPC UA gateway client and per-signal health (really monitored?).

:class:`SignalValue` / :func:`to_signal_value`: a DataValue as the station sees it (a bad
status code or an out-of-range value arrives INVALID, never as a good value).

OPC UA answers CreateMonitoredItems, Read and a subscription's notifications *per item*:
one node may be refused (BadNodeIdUnknown, BadAttributeIdInvalid, BadUserAccessDenied,
BadTooManyMonitoredItems, ...) while the others work. A refused node never sends a data
change, so without this bookkeeping the room would show its last value as live.

:class:`ItemHealth` keeps, per signal key, why it is not monitored (the status code's
name), since when, and when to try again (bounded exponential back-off). It logs a
failure once (grouped per pass, never one line per node per retry) and a recovery once.
The client (:mod:`app.adapters.opcua_gateway`) publishes such a signal as
``BAD`` with reason ``"not subscribed: <StatusCode name>"`` (:data:`NOT_SUBSCRIBED`):
that prefix is the contract the alarm engine and the views read.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from asyncua import ua

log = logging.getLogger("app.adapters.opcua_gateway")

NOT_SUBSCRIBED = "not subscribed"
# Read / data-change codes saying the node itself is gone or unusable (not a bad *value*):
# a monitored item on such a node will never deliver again.
NODE_GONE = frozenset({
    "BadNodeIdUnknown", "BadNodeIdInvalid", "BadAttributeIdInvalid", "BadNotReadable",
    "BadUserAccessDenied", "BadSecurityModeInsufficient", "BadMonitoredItemIdInvalid",
})
# The subscription as a whole is gone (StatusChangeNotification): nothing updates any more.
SUBSCRIPTION_ENDED = frozenset({"BadTimeout", "GoodSubscriptionTransferred",
                                "BadSubscriptionIdInvalid", "BadNoSubscription"})


@dataclass(frozen=True, slots=True)
class SignalValue:
    key: str
    value: Any
    status: str                 # GOOD / UNCERTAIN / BAD
    reason: str                 # why not GOOD ("" when good)
    source_ts: float | None     # epoch s, gateway's clock (may be skewed)
    server_ts: float | None
    receive_ts: float           # epoch s, workstation clock
    replayed: bool = False

    @property
    def valid(self) -> bool:
        return self.status == "GOOD"


def _epoch(dt: Any) -> float | None:
    return dt.timestamp() if dt is not None else None


RangeCheck = Callable[[str, Any], "str | None"]


def to_signal_value(key: str, dv: ua.DataValue, receive_ts: float, replayed: bool = False,
                    range_check: RangeCheck | None = None) -> SignalValue:
    status = dv.StatusCode if dv.StatusCode is not None else ua.StatusCode()
    value = dv.Value.Value if dv.Value is not None else None
    src, srv = _epoch(dv.SourceTimestamp), _epoch(dv.ServerTimestamp)
    if status.is_bad():
        return SignalValue(key, None, "BAD", status.name, src, srv, receive_ts, replayed)
    reason = range_check(key, value) if range_check is not None else None
    if reason:
        return SignalValue(key, value, "BAD", f"out of range: {reason}", src, srv, receive_ts,
                           replayed)
    if status.is_uncertain():
        return SignalValue(key, value, "UNCERTAIN", status.name, src, srv, receive_ts, replayed)
    return SignalValue(key, value, "GOOD", "", src, srv, receive_ts, replayed)


def not_subscribed_reason(code: str) -> str:
    return f"{NOT_SUBSCRIBED}: {code}"


@dataclass
class ItemFailure:
    code: str                 # the status code's name (or a short cause)
    since: float              # epoch s, first seen
    attempts: int = 0         # retries made so far
    next_try: float = 0.0     # monotonic s


class ItemHealth:
    """Which signals could not be monitored, and when each is retried."""

    def __init__(self, *, retry_min_s: float = 1.0, retry_max_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_min_s = max(0.05, retry_min_s)
        self.retry_max_s = max(self.retry_min_s, retry_max_s)
        self.clock = clock
        self.failed: dict[str, ItemFailure] = {}
        self.failures_seen = 0        # distinct (key, code) failures logged
        self.recoveries = 0

    def reason(self, key: str) -> str | None:
        f = self.failed.get(key)
        return None if f is None else not_subscribed_reason(f.code)

    def record(self, results: Iterable[tuple[str, str | None]], what: str) -> list[str]:
        """Apply one pass of per-key results (``None`` = monitored, else the code name).

        Returns the keys whose failure is new or changed (to be published as BAD now).
        Logs new failures grouped by code (one line per code) and recoveries once."""
        now = self.clock()
        new: dict[str, list[str]] = {}
        recovered: list[str] = []
        for key, code in results:
            old = self.failed.get(key)
            if code is None:
                if old is not None:
                    del self.failed[key]
                    recovered.append(key)
                continue
            if old is None or old.code != code:
                self.failed[key] = ItemFailure(code, time.time(), 0,
                                               now + self.retry_min_s)
                new.setdefault(code, []).append(key)
            else:
                old.attempts += 1
                old.next_try = now + min(self.retry_max_s,
                                         self.retry_min_s * 2 ** min(old.attempts, 30))
        for code, keys in new.items():
            self.failures_seen += len(keys)
            shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
            log.warning("%s: %d signal(s) not monitored (%s): %s; shown as invalid, retried "
                        "with back-off up to %g s", what, len(keys), code, shown,
                        self.retry_max_s)
        if recovered:
            self.recoveries += len(recovered)
            shown = ", ".join(recovered[:5]) + \
                (f" and {len(recovered) - 5} more" if len(recovered) > 5 else "")
            log.info("%s: %d signal(s) monitored again: %s", what, len(recovered), shown)
        return [k for keys in new.values() for k in keys]

    def due(self) -> list[str]:
        now = self.clock()
        return [k for k, f in self.failed.items() if f.next_try <= now]

    def next_due_in(self) -> float | None:
        if not self.failed:
            return None
        return max(0.0, min(f.next_try for f in self.failed.values()) - self.clock())

    def retry_now(self) -> None:
        """A reconnect: every failed signal is due at once (back-off kept for later)."""
        now = self.clock()
        for f in self.failed.values():
            f.next_try = now

    def summary(self) -> dict[str, str]:
        """key -> code of every signal not monitored now (for stats and views)."""
        return {k: f.code for k, f in sorted(self.failed.items())}
