"""Monitored-item supervision of the OPC UA gateway client (mixed into the client).

* Every per-node result of CreateMonitoredItems is checked; a refused node is published
  ``BAD`` / ``"not subscribed: <code>"`` at once and retried with bounded back-off
  (:class:`app.adapters.opcua_items.ItemHealth`), and again at once after a reconnect.
* After asyncua's supervisor re-created a subscription, items it could not re-create
  (asyncua only logs those) are found by comparing the subscription's items with ours.
* A periodic verification Read (``verify_s``) finds nodes removed from the gateway after
  they were subscribed: the asyncua server, for one, sends nothing for them.
* A StatusChangeNotification that ends the subscription (BadTimeout, transferred, ...)
  invalidates every value at once and a fresh subscription is made.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Coroutine

from asyncua import Client, ua
from asyncua.ua.uaerrors import BadMessageNotAvailable, UaStatusCodeError

from app.adapters.opcua_items import (NODE_GONE, SUBSCRIPTION_ENDED, ItemHealth,
                                      SignalValue, not_subscribed_reason)

log = logging.getLogger("app.adapters.opcua_gateway")
CHUNK = 1000
MAX_REPUBLISH = 500     # bound of the Republish loop per subscription and reconnect
MAX_BROWSE_NEXT = 10_000


async def browse_rest(client: Client, results: list[ua.BrowseResult]) -> list[ua.BrowseResult]:
    """Follow every ContinuationPoint (BrowseNext), so no reference is silently dropped."""
    for res in results:
        cp, rounds = res.ContinuationPoint, 0
        while cp and rounds < MAX_BROWSE_NEXT:
            rounds += 1
            params = ua.BrowseNextParameters()
            params.ContinuationPoints, params.ReleaseContinuationPoints = [cp], False
            nxt = (await client.uaclient.browse_next(params))[0]
            if nxt.StatusCode is not None and not nxt.StatusCode.is_good():
                res.StatusCode = nxt.StatusCode      # incomplete: reported as failed
                break
            res.References = list(res.References or []) + list(nxt.References or [])
            cp = nxt.ContinuationPoint
    return results


def _code_name(code: Any) -> str:
    if isinstance(code, ua.StatusCode):
        return code.name
    try:
        return ua.StatusCode(ua.UInt32(int(code))).name
    except (TypeError, ValueError):
        return str(code)


async def _bounded_republish_gaps(self: Any, available: list[int]) -> bool:
    """Replacement for Subscription._republish_gaps that always ends."""
    if self.subscription_id is None:
        return True
    target = max(available) if available else (self.last_sequence_number or 0)
    seq = (self.last_sequence_number or 0) + 1
    self._replaying = True
    try:
        for _ in range(MAX_REPUBLISH):
            if seq > target:
                break
            try:
                msg = await self.server.republish(self.subscription_id, seq)
            except BadMessageNotAvailable:
                break
            except Exception:  # noqa: BLE001
                log.warning("republish failed for seq %s", seq, exc_info=True)
                return False
            if not msg.NotificationData:   # asyncua server: empty Good = not available
                break
            await self.publish_callback(ua.PublishResult(self.subscription_id,
                                                         NotificationMessage=msg))
            seq += 1
    finally:
        self._replaying = False
    return True


def _supervisor_gave_up(client: Client) -> bool:
    """asyncua's reconnect supervisor has ended (it gave up on the server)."""
    task = client._supervisor_task  # noqa: SLF001 - asyncua has no public accessor for it
    return task is not None and task.done()


class ItemSupervision:
    """The per-item half of :class:`app.adapters.opcua_gateway.OpcUaGatewayClient`."""

    client: Client | None
    nodes: dict[str, ua.NodeId]
    _keys_by_node: dict[ua.NodeId, str]
    on_values: Callable[[list[Any]], None]
    items: ItemHealth
    verify_s: float
    _sub: Any
    _handles: dict[str, int]
    _items_task: asyncio.Task[None] | None
    _resub_task: asyncio.Task[None] | None
    _items_wake: asyncio.Event
    _resubscribe: Callable[[], Coroutine[Any, Any, None]]   # the client owns the subscription
    read_snapshot: Callable[..., Coroutine[Any, Any, list[SignalValue]]]

    def _bad(self, keys: list[str], reason: Callable[[str], str]) -> None:
        now = time.time()
        batch = [SignalValue(k, None, "BAD", reason(k), None, None, now) for k in keys]
        if batch:
            self.on_values(batch)

    def _wake_maintenance(self) -> None:
        """New failures or a reconnect: the maintenance loop re-plans its sleep now."""
        wake = getattr(self, "_items_wake", None)
        if wake is not None:
            wake.set()

    def _publish_failed(self, keys: list[str]) -> None:
        if keys:
            self._wake_maintenance()
        self._bad(keys, lambda k: self.items.reason(k) or not_subscribed_reason("?"))

    async def _monitor(self, keys: list[str], what: str) -> list[str]:
        """Create monitored items for ``keys``; check every per-node result.

        Returns the keys monitored now. A refused node is published BAD at once."""
        assert self.client is not None and self._sub is not None
        results: list[tuple[str, str | None]] = []
        for i in range(0, len(keys), CHUNK):
            part = keys[i:i + CHUNK]
            nodes = [self.client.get_node(self.nodes[k]) for k in part]
            try:
                out = await self._sub.subscribe_data_change(
                    nodes, queuesize=50, sampling_interval=ua.Duration(0.0))
            except UaStatusCodeError as exc:       # the whole call refused (e.g. limits)
                results.extend((k, _code_name(exc.code)) for k in part)
                continue
            for k, r in zip(part, out):
                if isinstance(r, ua.StatusCode):
                    results.append((k, r.name))
                else:
                    self._handles[k] = int(r)
                    results.append((k, None))
            # a server answering fewer results than asked: the rest are not monitored
            results.extend((k, "BadUnexpectedError: no result") for k in part[len(out):])
        was_failed = set(self.items.failed)
        changed = self.items.record(results, what)
        self._publish_failed(changed)
        ok = [k for k, code in results if code is None]
        recovered = [k for k in ok if k in was_failed]
        if recovered:        # its first data change may have come before the answer
            await self.read_snapshot(recovered)
        return ok

    def _check_items_after_restore(self) -> None:
        """asyncua re-created the subscription on reconnect: which items did it lose?"""
        sub = self._sub
        if sub is None:
            return
        have: dict[ua.NodeId, int] = {}
        for item in sub._monitored_items.values():  # noqa: SLF001 - asyncua keeps them here only
            if item.node is not None and item.server_handle is not None:
                have[item.node.nodeid] = item.server_handle
        results: list[tuple[str, str | None]] = []
        for key, nid in self.nodes.items():
            if key in self.items.failed:
                continue
            if nid in have:
                self._handles[key] = have[nid]
            else:
                self._handles.pop(key, None)
                results.append((key, "not re-created after reconnect"))
        changed = self.items.record(results, "re-created subscription")
        self._publish_failed(changed)
        self.items.retry_now()
        self._wake_maintenance()

    async def _forget(self, keys: list[str]) -> None:
        """Delete the monitored items of nodes that are gone (best effort)."""
        handles = [self._handles.pop(k) for k in keys if k in self._handles]
        if handles and self._sub is not None:
            try:
                await self._sub.unsubscribe(handles)
            except Exception:  # noqa: BLE001 - the server may already have dropped them
                log.debug("unsubscribe of %d gone items failed", len(handles), exc_info=True)

    async def _verify(self) -> None:
        """One Read per 1,000 nodes: nodes that are gone can no longer update."""
        assert self.client is not None
        keys = [k for k in self.nodes if k not in self.items.failed]
        results: list[tuple[str, str | None]] = []
        for i in range(0, len(keys), CHUNK):
            part = keys[i:i + CHUNK]
            dvs = await self.client.uaclient.read_attributes([self.nodes[k] for k in part],
                                                             ua.AttributeIds.Value)
            for k, dv in zip(part, dvs):
                name = dv.StatusCode.name if dv.StatusCode is not None else "Good"
                if name in NODE_GONE:
                    results.append((k, name))
        if results:
            await self._forget([k for k, _ in results])
            self._publish_failed(self.items.record(results, "verification read"))

    async def _maintain(self) -> None:
        """Retry refused items (bounded back-off) and verify the items periodically."""
        next_verify = time.monotonic() + self.verify_s
        wake = self._items_wake = asyncio.Event()
        while True:
            wait = next_verify - time.monotonic()
            due_in = self.items.next_due_in()
            if due_in is not None:
                wait = min(wait, due_in)
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), max(0.05, wait))
                continue                     # woken: plan the sleep again
            except asyncio.TimeoutError:
                pass
            if self.client is None or self._sub is None:
                continue
            try:
                due = self.items.due()
                if due:
                    await self._monitor(due, "retry")
                if time.monotonic() >= next_verify:
                    next_verify = time.monotonic() + self.verify_s
                    await self._verify()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - link trouble: the connection watch handles it
                log.debug("item maintenance pass failed", exc_info=True)

    def _on_status_change(self, notification: Any) -> None:
        """A StatusChangeNotification from the gateway (subscription-wide)."""
        status = notification.Status
        name = _code_name(status)
        if name in SUBSCRIPTION_ENDED or (isinstance(status, ua.StatusCode) and status.is_bad()):
            log.warning("gateway ended the subscription (%s): every value invalid, "
                        "subscribing again", name)
            reason = f"subscription ended by the gateway: {name}"
            self._bad(list(self.nodes), lambda k: self.items.reason(k) or reason)
            if self._resub_task is None or self._resub_task.done():
                self._resub_task = asyncio.get_running_loop().create_task(
                    self._resubscribe(), name="opcua-resubscribe")
        else:
            log.info("gateway subscription status: %s", name)
