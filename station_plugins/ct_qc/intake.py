"""Series assembly and the intake service of the CT QC station (Qt-free).

:class:`SeriesAssembler` groups stored instances by Series Instance UID. A series is
complete when its instance count has been stable for ``settle_s`` seconds (injectable
clock) or when :meth:`SeriesAssembler.analyse` is called. Duplicates (same SOP Instance
UID) are counted and logged, never added twice. An instance arriving after completion
reopens the series as a new *revision* (it completes again, with all instances).
``SeriesInfo.new_instances`` counts the instances of a completion that were new to the
intake folder since the series last completed: 0 means the series is unchanged (a
re-import or a resend of files already stored), so a listener need not analyse it again.

:class:`~station_plugins.ct_qc.intake_service.IntakeService` wires it to the DICOM receiver, the folder
import and the watched folder.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from app.core.errors import InputRejected
from app.core.ids import utc_iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesInfo:
    """A complete (or force-completed) series as handed to analysis and the panel."""

    series_instance_uid: str
    study_instance_uid: str
    paths: tuple[Path, ...]             # sorted along z (then instance number)
    sop_instance_uids: tuple[str, ...]
    modality: str
    series_description: str
    device_serial: str
    station_name: str
    sources: tuple[str, ...]            # where instances came from (dicom://AE@host, paths)
    first_received_utc: str
    last_received_utc: str
    duplicates: int
    revision: int                       # 1, then 2... when late instances reopen it
    completed_by: str                   # "settled" or "analyse"
    # instances new to the intake folder since the last completion (0: unchanged series,
    # every file was already stored byte for byte - a re-import or a resend)
    new_instances: int = 0

    @property
    def instance_count(self) -> int:
        return len(self.paths)

    @property
    def folder(self) -> Path | None:
        return self.paths[0].parent if self.paths else None

    def to_dict(self) -> dict:
        return {"series_instance_uid": self.series_instance_uid,
                "study_instance_uid": self.study_instance_uid,
                "instance_count": self.instance_count, "folder": str(self.folder or ""),
                "modality": self.modality, "series_description": self.series_description,
                "device_serial": self.device_serial, "station_name": self.station_name,
                "sources": list(self.sources), "duplicates": self.duplicates,
                "revision": self.revision, "completed_by": self.completed_by,
                "new_instances": self.new_instances,
                "first_received_utc": self.first_received_utc,
                "last_received_utc": self.last_received_utc}


@dataclass
class _Building:
    study_uid: str
    first_utc: str
    last_change: float
    instances: dict[str, Any] = field(default_factory=dict)   # SOP UID -> StoredInstance
    duplicates: int = 0
    revision: int = 1
    complete: bool = False
    last_utc: str = ""
    new: int = 0                 # instances new to the intake folder since completion


@dataclass(frozen=True)
class SeriesState:
    """What the panel lists: one row per series, building or complete."""

    series_instance_uid: str
    instance_count: int
    duplicates: int
    complete: bool
    revision: int
    seconds_since_change: float
    description: str
    device_serial: str


class SeriesAssembler:
    def __init__(self, *, settle_s: float = 5.0, clock: Callable[[], float] = time.monotonic,
                 on_series_complete: Callable[[SeriesInfo], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        if settle_s <= 0:
            raise ValueError("settle_s must be positive")
        self.settle_s = float(settle_s)
        self.clock = clock
        self.on_series_complete = on_series_complete
        self.on_error = on_error
        self._lock = threading.RLock()
        self._series: dict[str, _Building] = {}

    def add(self, stored: Any) -> bool:
        """Add a StoredInstance; False when the series already has it (ignored).
        Duplicates (same SOP UID again, or already in the intake folder) are counted."""
        uid = stored.series_instance_uid
        now = self.clock()
        with self._lock:
            b = self._series.get(uid)
            if b is None:
                b = self._series[uid] = _Building(stored.study_instance_uid, stored.received_utc, now)
            b.last_utc = stored.received_utc
            if stored.duplicate or stored.sop_instance_uid in b.instances:
                b.duplicates += 1
                log.info("series %s: duplicate SOP Instance %s from %s", uid,
                         stored.sop_instance_uid, stored.source)
            if stored.sop_instance_uid in b.instances:
                return False        # already part of the series: ignored
            # (a duplicate of a file already in the intake folder but not in this series
            # - e.g. after a restart or a re-retrieve - still belongs to the series)
            if b.complete:
                b.complete, b.revision = False, b.revision + 1
                log.warning("series %s: late instance after completion; reopened as "
                            "revision %d", uid, b.revision)
            b.instances[stored.sop_instance_uid] = stored
            b.last_change = now
            if not stored.duplicate:
                b.new += 1
            return True

    def poll(self) -> list[SeriesInfo]:
        """Complete every series whose count was stable for ``settle_s``; fire callbacks."""
        now, done = self.clock(), []
        with self._lock:
            for uid, b in self._series.items():
                if not b.complete and b.instances and now - b.last_change >= self.settle_s:
                    b.complete = True
                    done.append(self._info(uid, b, "settled"))
                    b.new = 0
        for info in done:
            self._fire(info)
        return done

    def analyse(self, series_uid: str) -> SeriesInfo:
        """Explicit "analyse": complete the series now, whatever its settle state."""
        with self._lock:
            b = self._series.get(series_uid)
            if b is None or not b.instances:
                raise InputRejected(f"Series {series_uid} has not been received.",
                                    remedy="Pick a series from the received list.")
            b.complete = True
            info = self._info(series_uid, b, "analyse")
            b.new = 0
        self._fire(info)
        return info

    def states(self) -> list[SeriesState]:
        now = self.clock()
        with self._lock:
            out = []
            for uid, b in self._series.items():
                first = next(iter(b.instances.values()), None)
                out.append(SeriesState(uid, len(b.instances), b.duplicates, b.complete,
                                       b.revision, now - b.last_change,
                                       getattr(first, "series_description", ""),
                                       getattr(first, "device_serial", "")))
            return out

    def info(self, series_uid: str) -> SeriesInfo:
        with self._lock:
            b = self._series.get(series_uid)
            if b is None:
                raise InputRejected(f"Series {series_uid} has not been received.")
            return self._info(series_uid, b, "settled" if b.complete else "building")

    def forget(self, series_uid: str) -> None:
        with self._lock:
            self._series.pop(series_uid, None)

    def _info(self, uid: str, b: _Building, how: str) -> SeriesInfo:
        items = sorted(b.instances.values(), key=_order_key)
        first = items[0]
        return SeriesInfo(
            uid, b.study_uid, tuple(i.path for i in items),
            tuple(i.sop_instance_uid for i in items), first.modality,
            first.series_description, first.device_serial, first.station_name,
            tuple(sorted({i.source.split("@")[0] if i.source.startswith("dicom://")
                          else str(Path(i.source).parent) for i in items})),
            b.first_utc, b.last_utc or utc_iso(), b.duplicates, b.revision, how, b.new)

    def _fire(self, info: SeriesInfo) -> None:
        log.info("series %s complete (%d instances, %d new, revision %d, %s)",
                 info.series_instance_uid, info.instance_count, info.new_instances,
                 info.revision, info.completed_by)
        if self.on_series_complete is None:
            return
        try:
            self.on_series_complete(info)
        except Exception as exc:  # noqa: BLE001 - a listener error must reach the app
            log.exception("on_series_complete listener failed")
            if self.on_error is not None:
                self.on_error(exc)


def _order_key(item: Any) -> tuple:
    pos = getattr(item, "image_position", None)
    z = pos[2] if pos is not None else 0.0
    num = getattr(item, "instance_number", None)
    return (z, num if num is not None else 0, item.sop_instance_uid)

