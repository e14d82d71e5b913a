"""Workstation-side historian of the lead-room signals (its own SQLite file, WAL).

* Recording: on change with an absolute deadband per signal plus a heartbeat (a value
  is written at least every ``heartbeat_s`` even when flat); status changes (GOOD ->
  BAD, connection lost) are always written, so gaps are visible, never interpolated.
* Aggregates: 1-, 5- and 15-minute buckets (n, min, max, sum, first/last) maintained
  at ingest from every received value (not only the recorded ones), so long-range
  trends and integrals are exact even where the raw log is sparse.
* Writes are buffered and flushed in one transaction (``flush()``, about once a second
  from a worker thread); ``query()`` picks raw / 1 min / 15 min by the range and the
  number of points asked for.
* Retention (``Retention``): raw samples and each aggregate level are kept for a bounded
  time and pruned by the writer thread once an hour (``prune()``), so the file does not
  grow without limit; coarser levels are kept longer, so a long-range trend survives the
  raw data it was computed from.

Kept apart from the regulated store (``pharos.db``): high-rate data, its own file in the
station data folder, ``synchronous=NORMAL`` (WAL: an application crash loses nothing,
a power cut may lose the last second).
"""
from __future__ import annotations

import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from app.core.errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS signals (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS samples (sid INTEGER NOT NULL, ts REAL NOT NULL, value REAL,
    status INTEGER NOT NULL, source_ts REAL);
CREATE INDEX IF NOT EXISTS samples_sid_ts ON samples (sid, ts);
CREATE TABLE IF NOT EXISTS agg_60 (sid INTEGER NOT NULL, bucket INTEGER NOT NULL,
    n INTEGER, vmin REAL, vmax REAL, vsum REAL, PRIMARY KEY (sid, bucket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agg_300 (sid INTEGER NOT NULL, bucket INTEGER NOT NULL,
    n INTEGER, vmin REAL, vmax REAL, vsum REAL, PRIMARY KEY (sid, bucket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agg_900 (sid INTEGER NOT NULL, bucket INTEGER NOT NULL,
    n INTEGER, vmin REAL, vmax REAL, vsum REAL, PRIMARY KEY (sid, bucket)) WITHOUT ROWID;
"""
STATUS = {"GOOD": 0, "UNCERTAIN": 1, "BAD": 2}
BUCKETS = (60, 300, 900)
NULL = -1e300          # stands for SQL NULL in numeric query results


def _numeric(v: Any) -> float | None:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)):
        return float(v)
    return None


@dataclass(frozen=True)
class Retention:
    """How long each level is kept, in days (``[stations.lead_room] historian_raw_days``,
    ``historian_minute_days``, ``historian_5min_days``, ``historian_15min_days``)."""
    raw_days: float = 90.0
    minute_days: float = 400.0
    five_min_days: float = 3 * 365.0
    fifteen_min_days: float = 10 * 365.0

    def __post_init__(self) -> None:
        days = (self.raw_days, self.minute_days, self.five_min_days, self.fifteen_min_days)
        if any(not (d > 0) for d in days):
            raise ValueError(f"historian retention must be positive days, not {days}")

    @classmethod
    def from_settings(cls, settings: Any) -> "Retention":
        d = cls()
        get = settings.get
        return cls(float(get("historian_raw_days", d.raw_days)),
                   float(get("historian_minute_days", d.minute_days)),
                   float(get("historian_5min_days", d.five_min_days)),
                   float(get("historian_15min_days", d.fifteen_min_days)))

    def days_for(self, resolution_s: int) -> float:
        return {0: self.raw_days, 60: self.minute_days, 300: self.five_min_days,
                900: self.fifteen_min_days}[resolution_s]


@dataclass
class Series:
    key: str
    resolution_s: int            # 0 = raw
    ts: np.ndarray
    avg: np.ndarray              # raw: the value (NaN where invalid)
    vmin: np.ndarray
    vmax: np.ndarray
    n: np.ndarray                # samples per bucket (raw: 1)


class Historian:
    def __init__(self, path: Path, *, deadbands: Callable[[str], float] = lambda k: 0.0,
                 heartbeat_s: float = 60.0, retention: Retention | None = None) -> None:
        self.path = Path(path)
        self.retention = retention or Retention()
        self.deadbands = deadbands
        self.heartbeat_s = heartbeat_s
        self._lock = threading.Lock()
        self._db_lock = threading.Lock()
        self._pending: list[tuple] = []
        self._agg: dict[tuple[int, int, int], list[float]] = {}   # (res, sid, bucket)
        self._last: dict[int, tuple[float | None, int, float]] = {}  # sid -> (v, status, ts)
        self._sid: dict[str, int] = {}
        self.received = 0
        self.recorded = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(str(self.path), check_same_thread=False,
                                        isolation_level=None, timeout=30)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.executescript(SCHEMA)
            for sid, key in self._con.execute("SELECT id, key FROM signals"):
                self._sid[key] = sid
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"The historian file {self.path} cannot be opened: {exc}.",
                             remedy="Move the damaged historian file away; live monitoring "
                                    "and alarms work without it.") from exc

    def close(self) -> None:
        self.flush()
        with self._db_lock:
            self._con.close()

    def _signal_id(self, key: str) -> int:
        sid = self._sid.get(key)
        if sid is None:
            with self._db_lock:
                self._con.execute("INSERT OR IGNORE INTO signals (key) VALUES (?)", (key,))
                sid = self._con.execute("SELECT id FROM signals WHERE key=?", (key,)).fetchone()[0]
            self._sid[key] = sid
        return sid

    # --- ingest -----------------------------------------------------------------------
    def ingest(self, values: Iterable[Any]) -> None:
        """Accept signal values (duck-typed: key, value, status, source_ts, receive_ts)."""
        with self._lock:
            for v in values:
                self.received += 1
                sid = self._signal_id(v.key)
                num = _numeric(v.value) if v.status != "BAD" else None
                st = STATUS.get(v.status, 2)
                ts = v.receive_ts
                if num is not None and st == 0:
                    for res in BUCKETS:
                        k = (res, sid, int(ts // res))
                        a = self._agg.get(k)
                        if a is None:
                            self._agg[k] = [1, num, num, num]
                        else:
                            a[0] += 1
                            a[1] = min(a[1], num)
                            a[2] = max(a[2], num)
                            a[3] += num
                last = self._last.get(sid)
                if last is not None:
                    lv, lst, lts = last
                    same_status = lst == st
                    within = (num is None and lv is None) or (
                        num is not None and lv is not None
                        and abs(num - lv) <= self.deadbands(v.key))
                    if same_status and within and ts - lts < self.heartbeat_s:
                        continue
                self._last[sid] = (num, st, ts)
                self._pending.append((sid, ts, num, st, v.source_ts))

    def flush(self) -> int:
        """Write pending samples and aggregates in one transaction."""
        with self._lock:
            rows, self._pending = self._pending, []
            aggs, self._agg = self._agg, {}
        if not rows and not aggs:
            return 0
        by_res: dict[int, list[tuple]] = {r: [] for r in BUCKETS}
        for (res, sid, bucket), (n, lo, hi, s) in aggs.items():
            by_res[res].append((sid, bucket, n, lo, hi, s))
        with self._db_lock:
            con = self._con
            con.execute("BEGIN")
            try:
                con.executemany("INSERT INTO samples VALUES (?,?,?,?,?)", rows)
                for res, items in by_res.items():
                    con.executemany(
                        f"INSERT INTO agg_{res} VALUES (?,?,?,?,?,?) ON CONFLICT (sid, bucket) "
                        f"DO UPDATE SET n=n+excluded.n, vmin=min(vmin, excluded.vmin), "
                        f"vmax=max(vmax, excluded.vmax), vsum=vsum+excluded.vsum", items)
                con.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                con.execute("ROLLBACK")
                with self._lock:          # keep them for the next try: nothing is lost
                    self._pending[:0] = rows
                    for k, a in aggs.items():
                        cur = self._agg.get(k)
                        if cur is None:
                            self._agg[k] = a
                        else:
                            cur[:] = [cur[0] + a[0], min(cur[1], a[1]), max(cur[2], a[2]),
                                      cur[3] + a[3]]
                raise StoreError(f"Historian write failed: {exc}.") from exc
        self.recorded += len(rows)
        return len(rows)

    # --- queries ------------------------------------------------------------------------
    def keys(self) -> list[str]:
        return sorted(self._sid)

    @staticmethod
    def choose_resolution(t0: float, t1: float, max_points: int) -> int:
        span = max(1.0, t1 - t0)
        if span <= 2 * 3600 and max_points >= 200:
            return 0
        for res in BUCKETS:
            if span / res <= max_points:
                return res
        return BUCKETS[-1]

    def query(self, keys: list[str], t0: float, t1: float, *, max_points: int = 600,
              resolution: int | None = None) -> dict[str, Series]:
        res = self.choose_resolution(t0, t1, max_points) if resolution is None else resolution
        sids = {self._sid[k]: k for k in keys if k in self._sid}
        out: dict[str, Series] = {}
        if not sids:
            return out
        marks = ",".join("?" * len(sids))
        with self._db_lock:
            if res == 0:
                cur = self._con.execute(
                    f"SELECT sid, ts, ifnull(value, {NULL}), 0, 0, status FROM samples WHERE sid IN "
                    f"({marks}) AND ts >= ? AND ts <= ? ORDER BY sid, ts",
                    (*sids, t0, t1))
            else:
                cur = self._con.execute(
                    f"SELECT sid, bucket * {res}, vsum / n, vmin, vmax, n FROM agg_{res} "
                    f"WHERE sid IN ({marks}) AND bucket >= ? AND bucket <= ? "
                    f"ORDER BY sid, bucket", (*sids, int(t0 // res), int(t1 // res)))
            rows = cur.fetchall()
        if not rows:
            return out
        arr = np.array(rows, dtype=float)
        sid_col = arr[:, 0].astype(np.int64)
        cuts = np.flatnonzero(np.diff(sid_col)) + 1
        for part in np.split(arr, cuts):
            key = sids[int(part[0, 0])]
            if res == 0:
                bad = (part[:, 5] != 0) | (part[:, 2] == NULL)
                vals = np.where(bad, np.nan, part[:, 2])
                out[key] = Series(key, 0, part[:, 1], vals, vals, vals, np.ones(len(part)))
            else:
                out[key] = Series(key, res, part[:, 1], part[:, 2], part[:, 3], part[:, 4],
                                  part[:, 5])
        return out

    def prune(self, now_ts: float | None = None) -> dict[str, int]:
        """Delete what is older than its level's retention; returns rows deleted per level
        (``raw``, ``agg_60``, ``agg_300``, ``agg_900``). Runs in one transaction."""
        t = time.time() if now_ts is None else now_ts
        deleted: dict[str, int] = {}
        with self._db_lock:
            con = self._con
            con.execute("BEGIN")
            try:
                cut = t - self.retention.days_for(0) * 86400.0
                deleted["raw"] = con.execute("DELETE FROM samples WHERE ts < ?", (cut,)).rowcount
                for res in BUCKETS:
                    cut = t - self.retention.days_for(res) * 86400.0
                    deleted[f"agg_{res}"] = con.execute(
                        f"DELETE FROM agg_{res} WHERE bucket < ?", (int(cut // res),)).rowcount
                con.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                con.execute("ROLLBACK")
                raise StoreError(f"Historian pruning failed: {exc}.") from exc
        return deleted

    def count_samples(self) -> int:
        with self._db_lock:
            return int(self._con.execute("SELECT count(*) FROM samples").fetchone()[0])


class HistorianWriter:
    """Background flusher: ``flush()`` every ``period_s`` on its own thread, and
    ``prune()`` at start and every ``prune_every_s`` (retention)."""

    def __init__(self, historian: Historian, period_s: float = 1.0,
                 on_error: Callable[[BaseException], None] = lambda e: None,
                 prune_every_s: float = 3600.0) -> None:
        self.historian = historian
        self.period_s = period_s
        self.prune_every_s = prune_every_s
        self.on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="historian-writer", daemon=True)

    def start(self) -> "HistorianWriter":
        self._thread.start()
        return self

    def _run(self) -> None:
        next_prune = 0.0
        while True:
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + self.prune_every_s
                try:
                    self.historian.prune()
                except Exception as exc:  # noqa: BLE001 - reported, retried next hour
                    self.on_error(exc)
            if self._stop.wait(self.period_s):
                break
            try:
                self.historian.flush()
            except Exception as exc:  # noqa: BLE001 - reported, retried next period
                self.on_error(exc)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        try:
            self.historian.flush()
        except Exception as exc:  # noqa: BLE001
            self.on_error(exc)


def now() -> float:
    return time.time()
