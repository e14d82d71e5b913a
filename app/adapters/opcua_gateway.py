"""OPC UA client of the lead-room IoT gateway (asyncua), run on the app's LoopThread.

* Discovery: browse ``Objects/Rooms`` level by level, one Browse call per level (never
  one call per node); every Variable found becomes a signal ``RoomNN/Leaf[/Item]``.
* Subscription: one subscription (publishing interval 100-1000 ms), monitored items
  created in chunks; data changes are drained in batches and handed to ``on_values``.
  Every per-node result is checked (:mod:`app.adapters.opcua_supervise`): a node the
  gateway refused, lost on a re-created subscription or removed later arrives BAD with
  reason ``"not subscribed: <StatusCode name>"`` and is retried with bounded back-off;
  a StatusChangeNotification that ends the subscription invalidates every value and a
  new subscription is made. A subscription-wide status is never shown as a good value.
* Reads: ``read_snapshot()`` reads every signal with one Read call per 1,000 nodes.
* Values are plain :class:`SignalValue` objects: value, status, source, server and
  receive timestamps. A bad status code or an out-of-range value arrives INVALID.
* Connection loss: every known signal is re-published INVALID at once ("connection
  lost"), never the last good value. asyncua's supervisor reconnects with the backoff
  capped at ``reconnect_max_s``; subscriptions are transferred (gap values replayed via
  Republish, flagged ``replayed``) or recreated; a batch read then refreshes every value.
  A first connection that fails is retried by our own loop with the same cap.
* asyncua defect: after a session-reuse reconnect against an asyncua server, the
  Republish loop never ends (the server answers unknown sequence numbers with an empty
  Good message). Each subscription gets a bounded replacement of ``_republish_gaps``.
* Security: Basic256Sha256 SignAndEncrypt with a PKI trust list
  (:mod:`app.adapters.opcua_security`); an untrusted gateway certificate is refused
  with a message naming it (subject + thumbprint). "None" only when configured.
"""
from __future__ import annotations

import asyncio
import logging
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from asyncua import Client, ua
from asyncua.client.ua_client import UaClientState
from asyncua.common.subscription import DataChangeEvent, StatusChangeEvent
from asyncua.ua.uaerrors import UaStatusCodeError

from app.adapters.opcua_items import (ItemHealth, RangeCheck, SignalValue,
                                      to_signal_value)
from app.adapters.opcua_security import CLIENT_URI, CertificateUntrusted, Pki, secure_client
from app.adapters.opcua_supervise import (ItemSupervision, _bounded_republish_gaps,
                                          _supervisor_gave_up, browse_rest)
from app.core.errors import DeviceError

log = logging.getLogger(__name__)
CHUNK = 1000


@dataclass
class ConnectionState:
    state: str = "connecting"   # connecting / connected / lost / untrusted / stopped
    message: str = ""
    since: float = field(default_factory=time.time)
    attempts: int = 0
    endpoint: str = ""

    @property
    def connected(self) -> bool:
        return self.state == "connected"


class OpcUaGatewayClient(ItemSupervision):
    """Discover, subscribe, read; report values and connection state by callback.

    Callbacks run on the asyncio loop thread; they must be quick and thread-safe.
    """

    def __init__(self, url: str, *, on_values: Callable[[list[SignalValue]], None],
                 on_state: Callable[[ConnectionState], None] = lambda s: None,
                 security: str = "Basic256Sha256_SignAndEncrypt", pki_dir: Path | None = None,
                 publishing_ms: float = 250.0, reconnect_max_s: float = 4.0,
                 timeout_s: float = 4.0, range_check: RangeCheck | None = None,
                 namespace: str = "urn:pharos:lead-rooms", root: str = "Rooms",
                 item_retry_max_s: float = 60.0, verify_s: float = 30.0) -> None:
        if security != "None" and pki_dir is None:
            raise DeviceError("OPC UA security is on but no PKI folder was given.",
                              code="PH-OPCUA-CFG")
        self.url = url
        self.on_values = on_values
        self.on_state = on_state
        self.security = security
        self.pki = Pki(pki_dir) if pki_dir is not None else None
        self.publishing_ms = min(1000.0, max(100.0, publishing_ms))
        self.reconnect_max_s = reconnect_max_s
        self.timeout_s = timeout_s
        self.range_check = range_check
        self.namespace = namespace
        self.root = root
        self.client: Client | None = None
        self.nodes: dict[str, ua.NodeId] = {}          # key -> NodeId
        self._keys_by_node: dict[ua.NodeId, str] = {}
        self.state = ConnectionState(endpoint=url)
        self._task: asyncio.Task | None = None
        self._drain_task: asyncio.Task | None = None
        self._items_task: asyncio.Task[None] | None = None
        self._resub_task: asyncio.Task[None] | None = None
        self._sub: Any = None
        self._handles: dict[str, int] = {}            # key -> monitored item (server) id
        self.browse_failures: dict[str, str] = {}     # folder path -> status code name
        self.items = ItemHealth(retry_min_s=min(1.0, item_retry_max_s),
                                retry_max_s=item_retry_max_s)
        self.verify_s = max(0.2, verify_s)
        self._stopping = False
        self.changes_received = 0
        self.losses = 0

    # --- lifecycle (call from the loop thread: loop_thread.submit(client.start())) ---
    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="opcua-gateway")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
            self._task = None
        await self._close_client()
        self._set_state("stopped", "stopped by the workstation")

    # --- state --------------------------------------------------------------------
    def _set_state(self, state: str, message: str = "", attempts: int | None = None) -> None:
        if state != self.state.state or message != self.state.message:
            self.state = ConnectionState(state, message, time.time(),
                                         self.state.attempts if attempts is None else attempts,
                                         self.url)
            try:
                self.on_state(self.state)
            except Exception:  # noqa: BLE001 - a listener must not stop the client
                log.exception("connection state listener failed")

    def _invalidate_all(self, reason: str) -> None:
        now = time.time()
        batch = [SignalValue(k, None, "BAD", reason, None, None, now) for k in self.nodes]
        if batch:
            self.on_values(batch)

    # --- main loop -------------------------------------------------------------------
    async def _run(self) -> None:
        delay, attempts = 0.5, 0
        while not self._stopping:
            attempts += 1
            try:
                await self._connect_once()
                delay, attempts = 0.5, 0
                await self._watch()              # returns when asyncua gives up
            except asyncio.CancelledError:
                raise
            except CertificateUntrusted as exc:
                self._set_state("untrusted", exc.message, attempts)
            except Exception as exc:  # noqa: BLE001 - unreachable gateway: keep retrying
                self._set_state("lost", self._describe(exc), attempts)
            self._invalidate_all("no connection to the gateway")
            await self._close_client()
            await asyncio.sleep(delay)
            delay = min(self.reconnect_max_s, delay * 2)

    def _describe(self, exc: Exception) -> str:
        if isinstance(exc, UaStatusCodeError) and "Certificate" in type(exc).__name__ \
                or "BadSecurityChecksFailed" in type(exc).__name__:
            own = self.pki.cert_path if self.pki else "?"
            return (f"The gateway {self.url} refused this workstation's certificate ({own}): "
                    f"{type(exc).__name__}. An administrator must add it to the gateway's "
                    f"trust list.")
        if isinstance(exc, DeviceError):
            return f"{exc.message} Retrying."
        if isinstance(exc, (OSError, asyncio.TimeoutError, ConnectionError)):
            return f"Gateway {self.url} not reachable ({type(exc).__name__}: {exc}); retrying."
        return f"Gateway {self.url}: {type(exc).__name__}: {exc}; retrying."

    async def _make_client(self) -> Client:
        client = Client(self.url, timeout=self.timeout_s, watchdog_intervall=2.0)
        client.application_uri = CLIENT_URI
        client.name = client.description = "Pharos lead-room monitor"
        client.session_timeout = 60_000
        if self.security == "None":
            return client
        assert self.pki is not None
        endpoints = await client.connect_and_get_server_endpoints()
        url = self.url
        await secure_client(client, endpoints, self.security, self.pki, peer="gateway",
                            missing=lambda mode: DeviceError(
                                f"The gateway {url} offers no Basic256Sha256 {mode} "
                                f"endpoint.", code="PH-OPCUA-SEC"))
        return client

    async def _connect_once(self) -> None:
        self._set_state("connecting", f"connecting to {self.url}")
        client = await self._make_client()
        self.client = client
        await client.connect(auto_reconnect=True, reconnect_max_delay=self.reconnect_max_s,
                             reconnect_request_timeout=self.timeout_s * 3)
        if not self.nodes:
            await self.discover()
        await self._subscribe()
        await self.read_snapshot()
        self._set_state("connected", f"{len(self.nodes)} signals" + (
            f"; not browsable: {self._browse_note()}" if self.browse_failures else ""))

    def _stop_sub_tasks(self) -> None:
        for name in ("_drain_task", "_items_task", "_resub_task"):
            task = getattr(self, name)
            if task is not None and task is not asyncio.current_task():
                task.cancel()
            setattr(self, name, None)

    async def _close_client(self) -> None:
        self._stop_sub_tasks()
        self._sub = None
        client, self.client = self.client, None
        if client is not None:
            try:
                await asyncio.wait_for(client.disconnect(), 2.0)
            except Exception:  # noqa: BLE001 - best effort on a dead link
                log.debug("disconnect failed", exc_info=True)

    async def _watch(self) -> None:
        """Follow asyncua's state: invalidate at once on loss, resync on recovery."""
        assert self.client is not None
        client = self.client
        lost = False
        async with client.subscribe_state() as states:
            while not self._stopping:
                try:
                    st = await states.next_change(1.0)
                except asyncio.TimeoutError:
                    st = client.state
                if st is not UaClientState.CONNECTED and not lost:
                    lost = True
                    self.losses += 1
                    self._set_state("lost", f"connection to {self.url} lost; reconnecting")
                    self._invalidate_all("connection lost")
                elif st is UaClientState.CONNECTED and lost:
                    await asyncio.sleep(0.2)      # let the supervisor restore subscriptions
                    try:
                        self._check_items_after_restore()   # retried at once by _maintain
                        await self.read_snapshot()
                    except Exception:  # noqa: BLE001 - loss again: stay lost
                        continue
                    lost = False
                    self._set_state("connected", f"reconnected; {len(self.nodes)} signals")
                elif st is UaClientState.DISCONNECTED and lost and _supervisor_gave_up(client):
                    return

    # --- discovery, subscription, reads ---------------------------------------------
    async def discover(self) -> dict[str, ua.NodeId]:
        assert self.client is not None
        client = self.client
        idx = await client.get_namespace_index(self.namespace)
        rooms = ua.NodeId(ua.String(self.root), ua.Int16(idx))
        frontier: list[tuple[ua.NodeId, str]] = [(rooms, "")]
        found: dict[str, ua.NodeId] = {}
        failures: dict[str, str] = {}
        while frontier:
            results: list[ua.BrowseResult] = []
            for i in range(0, len(frontier), CHUNK):
                part = frontier[i:i + CHUNK]
                params = ua.BrowseParameters()
                params.View = ua.ViewDescription()
                params.RequestedMaxReferencesPerNode = 0
                params.NodesToBrowse = [self._browse_desc(nid) for nid, _ in part]
                results.extend(await browse_rest(client, await client.uaclient.browse(params)))
            nxt: list[tuple[ua.NodeId, str]] = []
            for (_nid, path), res in zip(frontier, results):
                if res.StatusCode is not None and not res.StatusCode.is_good():
                    if not path:             # no rooms folder: nothing could be monitored
                        raise DeviceError(f"The gateway {self.url} has no browsable "
                                          f"'{self.root}' folder in {self.namespace} "
                                          f"({res.StatusCode.name}).", code="PH-OPCUA-BROWSE")
                    failures[path] = res.StatusCode.name
                    continue
                for ref in res.References or []:
                    name = ref.BrowseName.Name
                    child = f"{path}/{name}" if path else name
                    if ref.NodeClass == ua.NodeClass.Variable:
                        found[child] = ref.NodeId.NodeId if hasattr(ref.NodeId, "NodeId") \
                            else ref.NodeId
                    elif ref.NodeClass == ua.NodeClass.Object:
                        nxt.append((ref.NodeId, child))
            frontier = nxt
        self.nodes = dict(sorted(found.items()))
        self._keys_by_node = {nid: k for k, nid in self.nodes.items()}
        self.browse_failures = failures
        if failures:             # their signals are unknown: named in the state message
            log.warning("gateway %s: could not browse %s", self.url, self._browse_note())
        log.info("discovered %d signals on %s", len(self.nodes), self.url)
        return self.nodes

    def _browse_note(self) -> str:
        return ", ".join(f"{p} ({c})" for p, c in sorted(self.browse_failures.items()))

    @staticmethod
    def _browse_desc(nid: ua.NodeId) -> ua.BrowseDescription:
        d = ua.BrowseDescription()
        d.NodeId = nid
        d.BrowseDirection = ua.BrowseDirection.Forward
        d.ReferenceTypeId = ua.NodeId(ua.Int32(ua.ObjectIds.HierarchicalReferences))
        d.IncludeSubtypes = True
        d.NodeClassMask = int(ua.NodeClass.Object) | int(ua.NodeClass.Variable)
        d.ResultMask = ua.BrowseResultMask.All
        return d

    async def _subscribe(self) -> None:
        assert self.client is not None
        client = self.client
        sub = await client.create_subscription(self.publishing_ms, None, queue_maxsize=200_000)
        # the library's own gap replay can loop forever: bound it (see the module docstring)
        sub._republish_gaps = types.MethodType(  # type: ignore[method-assign]  # noqa: SLF001 - on purpose
            _bounded_republish_gaps, sub)
        self._sub, self._handles = sub, {}
        await self._monitor(list(self.nodes), "subscribe")
        self._drain_task = asyncio.create_task(self._drain(sub), name="opcua-drain")
        self._items_task = asyncio.create_task(self._maintain(), name="opcua-items")

    async def _resubscribe(self) -> None:
        """The gateway ended the subscription: a fresh one, then a batch read."""
        old, self._sub = self._sub, None
        for name in ("_drain_task", "_items_task"):
            task = getattr(self, name)
            if task is not None:
                task.cancel()
                setattr(self, name, None)
        if old is not None:
            try:
                await asyncio.wait_for(old.delete(), self.timeout_s)
            except Exception:  # noqa: BLE001 - it is gone on the server already
                log.debug("delete of the ended subscription failed", exc_info=True)
        delay, failures = 0.5, 0
        while not self._stopping:            # until it works: values stay BAD meanwhile
            try:
                if self.client is not None:
                    await self._subscribe()
                    await self.read_snapshot()
                    log.info("subscription made again after the gateway ended it")
                    return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - retried; a link loss is the watch's
                if self._drain_task is not None:    # subscribed, only the read failed
                    return
                self._sub = None
                failures += 1
                if failures == 1:
                    log.warning("subscribing again failed (%s); retrying", self._describe(exc))
            await asyncio.sleep(delay)
            delay = min(self.reconnect_max_s, delay * 2)

    async def _drain(self, sub: Any) -> None:
        keys = self._keys_by_node
        batch: list[SignalValue] = []
        loop = asyncio.get_running_loop()
        scheduled = False

        def flush() -> None:
            nonlocal batch, scheduled
            scheduled = False
            out, batch = batch, []
            if out:
                self.changes_received += len(out)
                self.on_values(out)
        try:
            async for ev in sub:
                if isinstance(ev, StatusChangeEvent):
                    self._on_status_change(ev.notification)
                    continue
                if not isinstance(ev, DataChangeEvent):
                    continue
                key = keys.get(ev.node.nodeid)
                if key is None or key in self.items.failed:
                    continue                 # a refused / gone node: published BAD already
                dv = ev.data.monitored_item.Value
                if dv is None:               # a notification without a value: not a value
                    dv = ua.DataValue(StatusCode=ua.StatusCode(ua.UInt32(ua.StatusCodes.BadNoData)))
                batch.append(to_signal_value(key, dv, time.time(), ev.replayed,
                                             self.range_check))
                if not scheduled:
                    scheduled = True
                    loop.call_soon(flush)
        except asyncio.CancelledError:
            pass

    async def read_snapshot(self, keys: list[str] | None = None) -> list[SignalValue]:
        """Read every signal (or ``keys``; one Read call per 1,000 nodes), report the values."""
        assert self.client is not None
        keys = list(self.nodes) if keys is None else keys
        out: list[SignalValue] = []
        for i in range(0, len(keys), CHUNK):
            part = keys[i:i + CHUNK]
            dvs = await self.client.uaclient.read_attributes([self.nodes[k] for k in part],
                                                             ua.AttributeIds.Value)
            now = time.time()
            for k, dv in zip(part, dvs):
                reason = self.items.reason(k)
                # a node not monitored reads BAD: a read value would not update, not live
                out.append(SignalValue(k, None, "BAD", reason, None, None, now) if reason
                           else to_signal_value(k, dv, now, False, self.range_check))
        if out:
            self.on_values(out)
        return out

    async def call_simulator(self, method: str, *args: str) -> Any:
        """Call a method under Objects/Simulator (demo and benchmark fault injection)."""
        assert self.client is not None
        idx = await self.client.get_namespace_index(self.namespace)
        obj = self.client.get_node(ua.NodeId(ua.String("Simulator"), ua.Int16(idx)))
        return await obj.call_method(ua.NodeId(ua.String(f"Simulator/{method}"), ua.Int16(idx)), *args)

    async def snapshot_once(self) -> list[SignalValue]:
        """Headless one-shot: connect, browse, read everything in batches, disconnect.

        Raises DeviceError (or CertificateUntrusted) with an operator message."""
        try:
            client = await self._make_client()
            self.client = client
            await asyncio.wait_for(client.connect(), self.timeout_s * 2)
            await self.discover()
            return await self.read_snapshot()
        except CertificateUntrusted:
            raise
        except DeviceError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated for the operator
            raise DeviceError(self._describe(exc), code="PH-OPCUA-CONN") from exc
        finally:
            await self._close_client()
