"""The DICOM quarantine: rejected files with their reasons, under a quota.

Split out of :mod:`app.adapters.dicom_validate` (which re-exports ``Quarantine``).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from app.core.ids import sha256_hex, utc_iso

if TYPE_CHECKING:
    from app.adapters.dicom_validate import DicomRejected

log = logging.getLogger(__name__)


class Quarantine:
    """``<root>/<YYYY-MM-DD>/<sha256>.dcm`` + ``<sha256>.json`` (every rejection appended).

    Oversize files are not copied (the size gate protects the disk); their JSON records
    size, hash and source so the original can still be found.

    Quota (``quota_bytes``, 0 = none): when the kept bytes pass it, the oldest ``.dcm``
    files go first (their JSON records stay, marked ``bytes_evicted_utc``) down to 90 %
    of the quota, and ``on_alarm(text)`` is called; a single file larger than the quota
    is not kept at all (its record says why).
    """

    def __init__(self, root: Path | str, *, quota_bytes: int = 0,
                 on_alarm: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.quota_bytes = int(quota_bytes)
        self.on_alarm = on_alarm
        self._used: int | None = None
        self._qlock = threading.Lock()
        self.evicted = 0

    def _scan(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*.dcm")) \
            if self.root.exists() else 0

    def used_bytes(self) -> int:
        with self._qlock:
            if self._used is None:
                self._used = self._scan()
            return self._used

    def _account(self, added: int, keep: Path) -> None:
        if not self.quota_bytes:
            return
        with self._qlock:
            # the first time: a scan (it sees the file just written); then a running sum
            self._used = self._scan() if self._used is None else self._used + added
            if self._used <= self.quota_bytes:
                return
            files = sorted((p for p in self.root.rglob("*.dcm") if p != keep),
                           key=lambda p: p.stat().st_mtime_ns)
            freed = n = 0
            target = int(self.quota_bytes * 0.9)
            for p in files:
                if self._used - freed <= target:
                    break
                size = p.stat().st_size
                p.unlink(missing_ok=True)
                _mark_evicted(p.with_suffix(".json"))
                freed += size
                n += 1
            self._used -= freed
            self.evicted += n
        text = (f"DICOM quarantine quota {self.quota_bytes / 1e6:.3g} MB reached: the "
                f"{n} oldest quarantined files ({freed / 1e6:.3g} MB) were removed, their "
                f"records kept in {self.root}")
        log.error(text)
        if self.on_alarm is not None:
            try:
                self.on_alarm(text)
            except Exception:  # noqa: BLE001 - the alarm listener must not stop intake
                log.exception("quarantine alarm listener failed")

    def put(self, data: bytes, rejection: DicomRejected, *, source: str = "",
            context: dict | None = None) -> Path:
        sha = sha256_hex(data)
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        folder = self.root / day
        folder.mkdir(parents=True, exist_ok=True)
        dcm, info = folder / f"{sha}.dcm", folder / f"{sha}.json"
        keep_bytes = rejection.reason != "too_large" and bool(data)
        over_quota = bool(self.quota_bytes) and len(data) > self.quota_bytes
        keep_bytes = keep_bytes and not over_quota
        written = False
        if keep_bytes and not dcm.exists():
            _atomic_write(dcm, data)
            written = True
        record: dict[str, Any] = {"sha256": sha, "size": len(data), "bytes_kept": keep_bytes, "rejections": []}
        if over_quota:
            record["bytes_not_kept"] = "larger than the quarantine quota"
        if info.exists():
            try:
                record = json.loads(info.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                log.warning("quarantine record %s unreadable; starting a new one", info)
        record["rejections"].append({"received_utc": utc_iso(), "reason": rejection.reason,
                                     "code": rejection.code, "message": rejection.message,
                                     "dimse_status": rejection.dimse_status,
                                     "source": source, **(context or {})})
        _atomic_write(info, json.dumps(record, indent=2).encode("utf-8"))
        rejection.quarantine_path = dcm if keep_bytes else info
        rejection.sha256 = sha
        if written:
            self._account(len(data), dcm)
        return rejection.quarantine_path


def _mark_evicted(info: Path) -> None:
    try:
        record = json.loads(info.read_text(encoding="utf-8"))
        record["bytes_kept"] = False
        record["bytes_evicted_utc"] = utc_iso()
        _atomic_write(info, json.dumps(record, indent=2).encode("utf-8"))
    except (OSError, ValueError):
        log.warning("quarantine record %s not updated after eviction", info)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
