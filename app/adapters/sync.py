"""Offline-first sync of the local outbox to the central PostgreSQL database (Qt-free).

* Reads the outbox in local insertion order (outbox id = commit order; within each
  table that is station_seq / audit seq order; never ordered by time, so a station
  clock that jumps back changes nothing), in batches of ``[database] sync_batch``.
* One central transaction per batch: schema check, idempotent inserts
  (``central.push``), station heartbeat, audit-head anchor. Outbox rows are deleted
  only after that commit; a lost acknowledgement or a crash replays the batch, which
  is then verified against the central copy instead of duplicated.
* Rows rejected by a central constraint are quarantined (locally marked with the
  reason, centrally kept with the reason) while the rest keeps flowing.
* Connection problems: bounded exponential backoff with jitter; "sync now" wakes it.
* Pull: approved, signed published configuration (``central.published``) is stored in
  ``settings_kv`` under ``published:<kind>:<name>`` and read with ``get_published``.

Status is an immutable ``SyncStatus`` pushed to listeners (called from the sync
thread; a Qt page must re-emit it as a queued signal).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.adapters import schema as S
from app.adapters.central import published as P
from app.adapters.central import status as st
from app.adapters.central.db import (CentralConfigMissing,
                                     CentralSchemaMismatch,
                                     check_schema, classify_error,
                                     make_engine, redact)
from app.adapters.central.push import (OutboxItem, PushResult, UnknownColumns, push_items,
                                       release_quarantine)
from app.adapters.central.status import feed_status_model  # noqa: F401 - public API
from app.adapters.central.tables import HEAD_REVISION
from app.adapters.store import Store
from app.adapters.sync_admin import (LAST_OUTCOME_KEY, NOT_RETRIED, REQUEUE_ROLES,  # noqa: F401
                                     REQUEUED_PREFIX, SyncAdminMixin)
from app.core.errors import PharosError
from app.core.ids import utc_iso

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from app.adapters.audit import AuditTrail
    from app.config import Config
    from app.core.tasks import CancelToken

log = logging.getLogger(__name__)
Listener = Callable[[st.SyncStatus], None]
Progress = Callable[[float, str], None]
PUBLISHED_PREFIX = "published:"


class SyncService(SyncAdminMixin):
    def __init__(self, store: Store, central_url: str = "", *, interval_s: float = 2.0,
                 batch: int = 1000, software_version: str = "",
                 audit_head: Callable[[], tuple[int, str] | None] | None = None,
                 backoff: st.Backoff | None = None, pull_every_s: float = 30.0,
                 connect_timeout_s: float = 5.0) -> None:
        self.store = store
        self.station_id = store.station_id
        self.central_url = central_url or ""
        self.interval_s = interval_s
        self.batch = max(1, int(batch))
        self.software_version = software_version or store.software_version
        self.audit_head = audit_head or self._local_audit_head
        self.backoff = backoff or st.Backoff()
        self.pull_every_s = pull_every_s
        self.connect_timeout_s = connect_timeout_s
        self.fault_hook: Callable[[str], None] | None = None   # tests inject faults here
        self._engine: Engine | None = None
        self._lock = threading.RLock()          # one push at a time in this process
        self._state_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_pull = 0.0
        self._status = st.SyncStatus(enabled=self.enabled,
                                     state=st.IDLE if self.enabled else st.LOCAL_ONLY,
                                     central=redact(self.central_url) if self.enabled else "")

    @classmethod
    def from_config(cls, config: Config, store: Store,
                    audit: AuditTrail | None = None) -> "SyncService":
        from app.config import central_url

        db = config.section("database")
        return cls(store, central_url(config), interval_s=db["sync_interval_s"],
                   batch=db["sync_batch"], audit_head=audit.head if audit else None)

    @property
    def enabled(self) -> bool:
        return bool(self.central_url)

    # --- status -----------------------------------------------------------------
    @property
    def status(self) -> st.SyncStatus:
        with self._state_lock:
            return self._status

    def add_listener(self, listener: Listener) -> None:
        with self._state_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._state_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _set_status(self, **changes: Any) -> st.SyncStatus:
        with self._state_lock:
            self._status = self._status.with_(**changes)
            snapshot, listeners = self._status, list(self._listeners)
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception:  # noqa: BLE001 - a broken listener must not stop sync
                log.exception("sync status listener failed")
        return snapshot

    def refresh_backlog(self) -> st.SyncStatus:
        backlog, quarantined, oldest = self.backlog_counts()
        return self._set_status(backlog=backlog, quarantined=quarantined,
                                oldest_unsynced_utc=oldest)

    def backlog_counts(self) -> tuple[int, int, str | None]:
        o = S.outbox
        with self.store.read() as conn:
            rows: dict[Any, int] = dict(conn.execute(select(o.c.quarantined, func.count())
                                     .group_by(o.c.quarantined)).all())
            oldest = conn.execute(select(o.c.created_utc).where(o.c.quarantined.is_(False))
                                  .order_by(o.c.id).limit(1)).scalar()
        counts = {bool(k): int(v) for k, v in rows.items()}
        return counts.get(False, 0), counts.get(True, 0), oldest

    def backlog_rows(self, limit: int = 500, quarantined: bool | None = None) -> list[dict]:
        """Oldest outbox rows (for the sync page): table, id, seq, created, attempts, error."""
        o = S.outbox
        q = select(o.c.id, o.c.table_name, o.c.row_id, o.c.station_seq, o.c.created_utc,
                   o.c.attempts, o.c.last_error, o.c.quarantined).order_by(o.c.id).limit(limit)
        if quarantined is not None:
            q = q.where(o.c.quarantined.is_(quarantined))
        with self.store.read() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # --- central connection -----------------------------------------------------
    def engine(self) -> Engine:
        if not self.enabled:
            raise CentralConfigMissing("No central database is configured ([database] "
                                       "central_url is empty): this station works local only.")
        if self._engine is None:
            self._engine = make_engine(self.central_url, connect_timeout_s=self.connect_timeout_s)
        return self._engine

    def close(self) -> None:
        self.stop()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _local_audit_head(self) -> tuple[int, str] | None:
        with self.store.read() as conn:
            r = conn.execute(select(S.audit_log.c.seq, S.audit_log.c.hash)
                             .order_by(S.audit_log.c.seq.desc()).limit(1)).first()
        return (int(r[0]), r[1]) if r else None

    def _fault(self, point: str) -> None:
        if self.fault_hook is not None:
            self.fault_hook(point)

    # --- push -------------------------------------------------------------------
    def _read_batch(self) -> list[OutboxItem]:
        o = S.outbox
        with self.store.read() as conn:
            rows = conn.execute(select(o.c.id, o.c.table_name, o.c.row_id, o.c.station_seq,
                                       o.c.payload, o.c.last_error)
                                .where(o.c.quarantined.is_(False))
                                .order_by(o.c.id).limit(self.batch)).all()
        return [OutboxItem(int(r[0]), r[1], r[2], int(r[3]), r[4],
                           requeued=bool(r[5]) and r[5].startswith(REQUEUED_PREFIX))
                for r in rows]

    def push_batch(self) -> PushResult | None:
        """Push the oldest batch; None when the outbox is empty. Raises PharosError."""
        with self._lock:
            items = self._read_batch()
            head = self.audit_head()
            if not items:
                if head is not None:
                    self._anchor_only(head)
                return None
            try:
                with self.engine().connect() as conn:
                    with conn.begin():
                        check_schema(conn, HEAD_REVISION)
                        result = push_items(conn, self.station_id, items)
                        if any(i.requeued for i in items):
                            release_quarantine(conn, self.station_id, items,
                                               result.delivered)
                        if head is not None:
                            P.record_anchor(conn, self.station_id, *head)
                        P.touch_station(conn, self.station_id, HEAD_REVISION,
                                        self.software_version, self.status.backlog)
                        self._fault("before_central_commit")
                    self._fault("after_central_commit")
            except UnknownColumns as exc:
                self._note_failure(items)
                raise CentralSchemaMismatch(f"The central schema is out of date: {exc}.") from exc
            except CentralSchemaMismatch:
                raise
            except (DBAPIError, SQLAlchemyError, OSError, ValueError) as exc:
                self._note_failure(items)
                raise classify_error(exc, self.central_url, "pushing a batch") from exc
            self._settle_locally(result)
            return result

    def _anchor_only(self, head: tuple[int, str]) -> None:
        try:
            with self.engine().connect() as conn:
                with conn.begin():
                    check_schema(conn, HEAD_REVISION)
                    P.record_anchor(conn, self.station_id, *head)
                    P.touch_station(conn, self.station_id, HEAD_REVISION,
                                    self.software_version, 0)
        except (DBAPIError, SQLAlchemyError, OSError, ValueError) as exc:
            raise classify_error(exc, self.central_url, "anchoring the audit head") from exc

    def _settle_locally(self, result: PushResult) -> None:
        o = S.outbox
        with self.store.write() as conn:
            ids = result.delivered
            for i in range(0, len(ids), 500):
                conn.execute(delete(o).where(o.c.id.in_(ids[i:i + 500])))
            for oid, reason in result.quarantined:
                conn.execute(update(o).where(o.c.id == oid).values(
                    quarantined=True, last_error=reason, attempts=o.c.attempts + 1))
        for oid, reason in result.quarantined:
            log.error("outbox row %s quarantined: %s", oid, reason)

    def _note_failure(self, items: list[OutboxItem]) -> None:
        try:
            o = S.outbox
            with self.store.write() as conn:
                conn.execute(update(o).where(o.c.id.in_([i.outbox_id for i in items]))
                             .values(attempts=o.c.attempts + 1))
        except PharosError:
            log.exception("could not count the failed attempt")

    def push_all(self, *, token: CancelToken | None = None, progress: Progress | None = None,
                 max_batches: int | None = None) -> dict:
        """Push until the outbox is empty (or an error). Returns a small report."""
        pushed = inserted = replayed = quarantined = batches = 0
        total = max(1, self.backlog_counts()[0])
        self._set_status(state=st.SYNCING)
        while max_batches is None or batches < max_batches:
            if token is not None:
                token.raise_if_cancelled()
            result = self.push_batch()
            batches += 1
            if result is None:
                break
            pushed += len(result.delivered)
            inserted += result.inserted
            replayed += result.replayed
            quarantined += len(result.quarantined)
            self.refresh_backlog()
            self._set_status(last_pushed=len(result.delivered), connected=True,
                             total_pushed=self.status.total_pushed + len(result.delivered))
            if progress is not None:
                progress(min(1.0, pushed / total), f"{pushed} rows pushed")
            if not result.delivered and not result.quarantined:
                break
        return {"pushed": pushed, "inserted": inserted, "replayed": replayed,
                "quarantined": quarantined, "batches": batches}

    # --- one cycle, the loop, "sync now" ----------------------------------------
    def sync_once(self, *, token: CancelToken | None = None, progress: Progress | None = None,
                  pull: bool | None = None) -> dict:
        """Push everything, anchor, maybe pull. Updates the status; raises PharosError."""
        if not self.enabled:
            self.refresh_backlog()
            raise CentralConfigMissing("Local only: no central database configured "
                                       "([database] central_url is empty). Results stay on "
                                       "this station.")
        with self._lock:
            try:
                report = self.push_all(token=token, progress=progress)
                if pull or (pull is None and time.monotonic() - self._last_pull
                            >= self.pull_every_s):
                    report["pulled"] = self.pull_published()
            except CentralSchemaMismatch as exc:
                self._failed(st.REFUSED, exc)
                raise
            except NOT_RETRIED as exc:
                self._failed(st.CONFIG_ERROR, exc)
                raise
            except PharosError as exc:
                self._failed(st.OFFLINE, exc)
                raise
            self.backoff.reset()
            self.refresh_backlog()
            self._set_status(state=st.IDLE, connected=True, last_error=None,
                             last_error_code=None, last_sync_utc=utc_iso(),
                             next_attempt_in_s=None)
            self._persist_outcome()
            return report

    def _failed(self, state: str, exc: PharosError) -> None:
        self.refresh_backlog()
        self._set_status(state=state, connected=state == st.REFUSED, last_error=exc.message,
                         last_error_code=exc.code)
        self._persist_outcome()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pharos-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.enabled:
            self._set_status(state=st.STOPPED)

    def sync_now(self) -> None:
        """Wake the background loop (it runs a cycle immediately)."""
        self._wake.set()

    def _run(self) -> None:
        self.refresh_backlog()
        while not self._stop.is_set():
            delay = self.interval_s
            if self.enabled:
                try:
                    self.sync_once()
                except NOT_RETRIED as exc:
                    # wrong password / URL: retrying cannot help and would hammer the
                    # server (and lock the account): wait for "sync now" or a restart
                    self._set_status(next_attempt_in_s=None)
                    log.error("sync stopped until the configuration is fixed: %s [%s]",
                              exc.message, exc.code)
                    self._wake.wait()
                    self._wake.clear()
                    continue
                except PharosError as exc:
                    delay = self.backoff.next_delay()
                    self._set_status(next_attempt_in_s=round(delay, 2))
                    log.warning("sync failed (%s); next attempt in %.1f s", exc.message, delay)
                except Exception:  # noqa: BLE001 - the loop must survive anything
                    delay = self.backoff.next_delay()
                    log.exception("unexpected sync failure")
            self._wake.wait(delay)
            self._wake.clear()

    # --- pull -------------------------------------------------------------------
    def pull_published(self) -> int:
        """Store newer approved published configuration locally; returns how many."""
        known = {(i.kind, i.name): i.version for i in self.published_items()}
        try:
            with self.engine().connect() as conn:
                rows = P.fetch_newer(conn, known)
                confirmed = P.confirmed_signature_ids(conn, rows)
                conn.rollback()
        except (DBAPIError, SQLAlchemyError, OSError, ValueError) as exc:
            raise classify_error(exc, self.central_url,
                                 "reading published configuration") from exc
        self._last_pull = time.monotonic()
        taken: dict[tuple[str, str], P.PublishedItem] = {}
        for row in rows:  # newest first per (kind, name)
            key = (row["kind"], row["name"])
            if key in taken:
                continue
            item, why = P.verify_row(row)
            if item is not None and item.signature.get("id") not in confirmed:
                item, why = None, "its signature has not reached the central audit trail"
            if item is None:
                log.warning("published %s/%s v%s not used: %s", row["kind"], row["name"],
                            row["version"], why)
                continue
            taken[key] = item
        if taken:
            with self.store.write() as conn:
                for item in taken.values():
                    self.store.set_setting(f"{PUBLISHED_PREFIX}{item.kind}:{item.name}",
                                           item.to_dict(), conn)
        return len(taken)

    def get_published(self, kind: str, name: str) -> P.PublishedItem | None:
        d = self.store.get_setting(f"{PUBLISHED_PREFIX}{kind}:{name}")
        return P.PublishedItem(**d) if d else None

    def published_items(self) -> list[P.PublishedItem]:
        with self.store.read() as conn:
            rows = conn.execute(select(S.settings_kv.c.value).where(
                S.settings_kv.c.key.like(f"{PUBLISHED_PREFIX}%"))).scalars().all()
        return [P.PublishedItem(**json.loads(v)) for v in rows]

    # --- audit anchor -----------------------------------------------------------
    def central_anchor(self, station_id: str | None = None) -> tuple[int, str] | None:
        """The newest (seq, hash) of this station's audit chain anchored centrally."""
        try:
            with self.engine().connect() as conn:
                return P.latest_anchor(conn, station_id or self.station_id)
        except (DBAPIError, SQLAlchemyError, OSError, ValueError) as exc:
            raise classify_error(exc, self.central_url, "reading the audit anchor") from exc


def central_anchor(central_url: str, station_id: str) -> tuple[int, str] | None:
    """For `pharos audit verify`: the centrally anchored head of a station's chain."""
    try:
        engine = make_engine(central_url)
    except (SQLAlchemyError, ValueError) as exc:
        raise classify_error(exc, central_url, "reading the audit anchor") from exc
    try:
        with engine.connect() as conn:
            return P.latest_anchor(conn, station_id)
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        raise classify_error(exc, central_url, "reading the audit anchor") from exc
    finally:
        engine.dispose()


def _short(exc: object, n: int = 300) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= n else text[: n - 1] + "…"

