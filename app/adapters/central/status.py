"""Sync status (an immutable snapshot, safe to hand to any thread) and retry backoff."""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable

LOCAL_ONLY = "local_only"      # no central database configured
IDLE = "idle"                  # connected, nothing (left) to push
SYNCING = "syncing"
OFFLINE = "offline"            # central unreachable; retrying with backoff
REFUSED = "refused"            # central schema mismatch; nothing written
STOPPED = "stopped"
BEHIND = "behind"              # connected, but rows wait (backlog) or were refused
CONFIG_ERROR = "config_error"  # credentials refused / URL wrong: not retried

STATE_TEXT = {
    LOCAL_ONLY: "Local only: no central database configured",
    IDLE: "In sync",
    SYNCING: "Syncing",
    OFFLINE: "Central database unreachable (retrying)",
    REFUSED: "Refused: central schema does not match",
    STOPPED: "Sync stopped",
    BEHIND: "Not in sync: rows waiting for the central database",
    CONFIG_ERROR: "Refused: central database credentials or URL wrong (not retried)",
}


@dataclass(frozen=True)
class SyncStatus:
    enabled: bool
    state: str
    connected: bool | None = None
    backlog: int = 0
    quarantined: int = 0
    oldest_unsynced_utc: str | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    last_sync_utc: str | None = None
    last_pushed: int = 0
    total_pushed: int = 0
    next_attempt_in_s: float | None = None
    central: str = ""

    def oldest_age_s(self, now: datetime | None = None) -> float | None:
        """Age of the oldest unsynced row; never negative (a station clock may jump)."""
        if not self.oldest_unsynced_utc:
            return None
        try:
            then = datetime.fromisoformat(self.oldest_unsynced_utc.replace("Z", "+00:00"))
        except ValueError:
            return None
        now = now or datetime.now(timezone.utc)
        return max(0.0, (now - then).total_seconds())

    @property
    def level(self) -> str:
        """Traffic light: ok / warn / error / off."""
        if self.state == LOCAL_ONLY:
            return "off"
        if self.state in (REFUSED, CONFIG_ERROR) or self.quarantined:
            return "error"
        if self.state in (OFFLINE, BEHIND) or (self.state == IDLE and self.backlog):
            return "warn"
        return "ok"

    @property
    def in_sync(self) -> bool:
        """Everything this station wrote is in the central database: connected (or
        last cycle ok), nothing waiting, nothing quarantined."""
        return (self.enabled and self.state == IDLE and self.connected is not False
                and not self.backlog and not self.quarantined)

    def summary(self) -> str:
        text = STATE_TEXT.get(self.state, self.state)
        if self.state == IDLE and (self.backlog or self.quarantined):
            text = STATE_TEXT[BEHIND]
        if self.state == LOCAL_ONLY:
            return text + "; results stay on this station."
        parts = [text, f"backlog {self.backlog}"]
        age = self.oldest_age_s()
        if age is not None and self.backlog:
            parts.append(f"oldest {_age_text(age)}")
        if self.quarantined:
            parts.append(f"{self.quarantined} quarantined")
        if self.quarantined:
            parts[-1] += " (refused by the central database: `pharos sync quarantine`)"
        if self.last_error and self.state in (OFFLINE, REFUSED, CONFIG_ERROR):
            parts.append(self.last_error)
        return "; ".join(parts)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["oldest_age_s"] = self.oldest_age_s()
        d["level"] = self.level
        d["in_sync"] = self.in_sync
        d["summary"] = self.summary()
        return d

    def with_(self, **changes) -> "SyncStatus":
        return replace(self, **changes)


def _age_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Backoff:
    """Bounded exponential backoff with full jitter in [delay/2, delay]."""

    def __init__(self, base_s: float = 0.5, max_s: float = 60.0,
                 rng: random.Random | None = None) -> None:
        self.base_s, self.max_s = base_s, max_s
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        delay = min(self.max_s, self.base_s * (2 ** min(self.failures, 30)))
        self.failures += 1
        return delay * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


def feed_status_model(service, status_model) -> Callable[[], None]:
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
