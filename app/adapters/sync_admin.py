"""SyncService's administration side (a mixin): re-send quarantined rows under an
audited decision, probe the central database for a truthful status, and keep the last
cycle's outcome in the store for `pharos sync status` (another process)."""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.adapters import schema as S
from app.adapters.central import published as P
from app.adapters.central import status as st
from app.adapters.central.db import (CentralConfigInvalid, CentralConfigMissing,
                                     CentralCredentialsRefused, CentralSchemaMismatch,
                                     check_schema, classify_error)
from app.adapters.central.tables import HEAD_REVISION
from app.core.errors import PharosError
from app.core.ids import utc_iso
from app.core.ports import AuditPort, UserPort

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from app.adapters.store import Store

log = logging.getLogger(__name__)
REQUEUED_PREFIX = "requeued"
LAST_OUTCOME_KEY = "sync:last_outcome"
NOT_RETRIED = (CentralCredentialsRefused, CentralConfigInvalid)
REQUEUE_ROLES = ("quality_engineer", "supervisor", "admin")


class SyncAdminMixin:
    """Needs ``store``, ``station_id``, ``central_url``, ``enabled``, ``engine()``,
    ``status``, ``refresh_backlog()`` and ``_set_status()`` of SyncService."""

    if TYPE_CHECKING:    # what SyncService provides (the list above, typed)
        store: Store
        station_id: str
        central_url: str

        @property
        def enabled(self) -> bool: ...
        @property
        def status(self) -> st.SyncStatus: ...
        def engine(self) -> Engine: ...
        def refresh_backlog(self) -> st.SyncStatus: ...
        def _set_status(self, **changes: Any) -> st.SyncStatus: ...

    def requeue(self, outbox_ids: list[int] | None, *, user: UserPort, reason: str,
                audit: AuditPort) -> list[dict]:
        """Re-send quarantined rows (all when ``outbox_ids`` is None) after the cause was
        fixed (e.g. the central schema migrated): an audited decision of a quality
        engineer, supervisor or administrator. The row content is never changed (records
        are append-only and hashed); the central quarantine entry is removed when the
        row is delivered. Returns the rows requeued."""
        from app.core.errors import ValidationError
        from app.core.roles import check_action

        check_action(user.roles, REQUEUE_ROLES, "re-send quarantined rows", user.username)
        if not (reason or "").strip():
            raise ValidationError("A reason is required to re-send quarantined rows.")
        o = S.outbox
        with self.store.write() as conn:
            q = select(o.c.id, o.c.table_name, o.c.row_id, o.c.station_seq, o.c.last_error
                       ).where(o.c.quarantined.is_(True)).order_by(o.c.id)
            if outbox_ids is not None:
                q = q.where(o.c.id.in_(list(outbox_ids)))
            rows = [dict(r) for r in conn.execute(q).mappings()]
            if outbox_ids is not None:
                missing = set(outbox_ids) - {r["id"] for r in rows}
                if missing:
                    raise ValidationError(f"Outbox rows {sorted(missing)} are not quarantined "
                                          f"(see `pharos sync quarantine`).")
            if not rows:
                return []
            note = f"{REQUEUED_PREFIX} by {user.username}: {reason.strip()[:200]}"
            for r in rows:
                conn.execute(update(o).where(o.c.id == r["id"]).values(
                    quarantined=False, attempts=0,
                    last_error=f"{note} (was: {(r['last_error'] or '')[:300]})"))
            audit.append("requeue", "sync_quarantine", f"{len(rows)} rows",
                         username=user.username,
                         old=[{"outbox_id": r["id"], "table": r["table_name"],
                               "row_id": r["row_id"], "reason": r["last_error"]} for r in rows],
                         new={"state": "pending", "rows": [r["id"] for r in rows]},
                         reason=reason.strip(), conn=conn)
        self.refresh_backlog()
        return rows


    # the outcome of the last cycle, kept in the store for `pharos sync status` (another
    # process): written on every change of error, and at most once a minute otherwise
    def _persist_outcome(self) -> None:
        s = self.status
        doc = {"state": s.state, "last_error": s.last_error,
               "last_error_code": s.last_error_code, "last_sync_utc": s.last_sync_utc,
               "at_utc": utc_iso()}
        key = (s.state, s.last_error_code, s.last_error)
        now = time.monotonic()
        if key == getattr(self, "_persisted_key", None) and \
                now - getattr(self, "_persisted_at", 0.0) < 60.0:
            return
        try:
            self.store.set_setting(LAST_OUTCOME_KEY, doc)
            self._persisted_key, self._persisted_at = key, now
        except PharosError:
            log.exception("could not record the sync outcome")

    def last_outcome(self) -> dict | None:
        """The last cycle's outcome as recorded by any process on this station."""
        return self.store.get_setting(LAST_OUTCOME_KEY)

    def probe(self) -> st.SyncStatus:
        """Check the central database now (connect, schema, this station's anchor) and
        return the truthful status: in sync only when connected, the schema matches,
        and nothing is waiting or quarantined."""
        self.refresh_backlog()
        if not self.enabled:
            return self.status
        last = self.last_outcome() or {}
        try:
            with self.engine().connect() as conn:
                check_schema(conn, HEAD_REVISION)
                P.latest_anchor(conn, self.station_id)
                conn.rollback()
        except CentralSchemaMismatch as exc:
            return self._set_status(state=st.REFUSED, connected=True, last_error=exc.message,
                                    last_error_code=exc.code)
        except CentralConfigMissing as exc:
            return self._set_status(state=st.CONFIG_ERROR, connected=False,
                                    last_error=exc.message, last_error_code=exc.code)
        except (DBAPIError, SQLAlchemyError, OSError, ValueError) as exc:
            err = classify_error(exc, self.central_url, "checking the connection")
            state = st.CONFIG_ERROR if isinstance(err, NOT_RETRIED) else st.OFFLINE
            return self._set_status(state=state, connected=False, last_error=err.message,
                                    last_error_code=err.code)
        s = self.status
        state = st.IDLE if not s.backlog and not s.quarantined else st.BEHIND
        return self._set_status(state=state, connected=True,
                                last_error=last.get("last_error"),
                                last_error_code=last.get("last_error_code"),
                                last_sync_utc=last.get("last_sync_utc"))

