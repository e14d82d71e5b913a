"""Feeding the sync status (``app.core.sync_status``) into the main window's lights."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from app.core.sync_status import (BEHIND, CONFIG_ERROR, IDLE, LOCAL_ONLY, OFFLINE,  # noqa: F401
                                  REFUSED, STATE_TEXT, STOPPED, SYNCING, Backoff, SyncStatus,
                                  _age_text)

if TYPE_CHECKING:
    from app.adapters.sync import SyncService
    from app.runtime.status import StatusModel


def feed_status_model(service: SyncService, status_model: StatusModel) -> Callable[[], None]:
    """Push sync status into the main window's StatusModel (channels central_db and
    sync_backlog). Returns a function that stops the feed."""
    levels = {LOCAL_ONLY: "off", IDLE: "ok", SYNCING: "ok", OFFLINE: "error",
              REFUSED: "error", STOPPED: "unknown", BEHIND: "warn", CONFIG_ERROR: "error"}

    def on_status(s: SyncStatus) -> None:
        status_model.set("central_db", levels.get(s.state, "unknown"), s.summary())
        detail = f"{s.backlog} rows waiting"
        age = s.oldest_age_s()
        if age is not None and s.backlog:
            detail += f", oldest {_age_text(age)}"
        if s.quarantined:
            status_model.set("sync_backlog", "error",
                             detail + f"; {s.quarantined} quarantined", value=s.backlog)
        elif s.state == LOCAL_ONLY:
            status_model.set("sync_backlog", "off", "local only", value=s.backlog)
        else:
            status_model.set_backlog(s.backlog, detail)

    service.add_listener(on_status)
    on_status(service.status)
    return lambda: service.remove_listener(on_status)
