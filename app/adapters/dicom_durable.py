"""Strict durability of the network receiver through the write-ahead spool.

:class:`DurableIntake` sits beside :class:`~app.adapters.dicom_files.FileIntake`:

1. :meth:`ingest_spooled` (handler thread, before the C-STORE answer): validate the data
   set that streamed into a spool slot while the receiving thread commits its record
   (header + ``fdatasync``, ``SlotFile.seal``); a rejection is quarantined and answered
   at once (its record cleared); a duplicate likewise; an accepted instance is answered
   Success only once its commit is done.
2. The :class:`Mover` thread writes the accepted instances into
   the intake folder in groups (one fsync per file, one per folder), reports each one
   (``on_durable``) and frees its slot.
3. :meth:`open` (receiver start) replays records a crash left in the spool.

Nothing answered Success is lost: it is in the spool (committed) until it is durable
in the intake folder; the same SOP Instance UID arriving while its first copy is still
in the spool is a duplicate (same bytes) or a conflict (other bytes), as for stored ones.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from app.adapters.dicom_files import FileIntake, Outcome, RejectedFile, StoredInstance
from app.adapters.dicom_spool import SlotFile, WriteAheadSpool, _fsync_dir
from app.adapters.dicom_validate import DicomRejected, ValidatedInstance
from app.core.ids import utc_iso

log = logging.getLogger(__name__)


class Mover:
    """Moves committed spool records into the intake folder in groups, on one thread.

    ``store(items)`` is called with up to ``max_group`` items and must make them durable
    in the intake folder; it returns the items it could not store (kept, retried after
    ``retry_s``). ``pending_bytes`` bounds the memory held by queued instances: a
    producer waits in :meth:`put` while more is queued (one item always fits)."""

    def __init__(self, store: Callable[[list[Any]], list[Any]], *, max_group: int = 32,
                 pending_bytes: int = 128 << 20, retry_s: float = 2.0, window_s: float = 0.02,
                 after: Callable[[], None] | None = None) -> None:
        self.store, self.max_group, self.window_s, self.after = store, max_group, window_s, after
        self.pending_bytes, self.retry_s = pending_bytes, retry_s
        self._queue: list[tuple[Any, int]] = []
        self._bytes = 0
        self._cv = threading.Condition()
        self._stop = False
        self.groups = self.items = 0
        self._thread = threading.Thread(target=self._run, name="dicom-mover", daemon=True)
        self._thread.start()

    def put(self, item: Any, size: int, timeout: float = 60.0) -> None:
        with self._cv:
            self._cv.wait_for(lambda: not self._queue or self._stop
                              or self._bytes + size <= self.pending_bytes, timeout)
            self._queue.append((item, size))
            self._bytes += size
            self._cv.notify_all()

    def drain(self, timeout: float = 60.0) -> bool:
        with self._cv:
            return self._cv.wait_for(lambda: not self._queue and not self._busy, timeout)

    _busy = False

    def close(self, timeout: float = 60.0) -> None:
        self.drain(timeout)
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._queue or self._stop)
                if not self._queue and self._stop:
                    return
                # let a group form (fewer journal commits), unless it is full already
                self._cv.wait_for(lambda: len(self._queue) >= self.max_group or self._stop,
                                  self.window_s)
                group = self._queue[:self.max_group]
                self._busy = True
            try:
                failed = self.store([item for item, _ in group])
            except Exception:  # noqa: BLE001 - keep the records; retry
                log.exception("moving spooled instances into the intake folder failed")
                failed = [item for item, _ in group]
            failed_ids = {id(x) for x in failed}
            with self._cv:
                done = [e for e in group if id(e[0]) not in failed_ids]
                gone = {id(e) for e in done}
                self._queue = [e for e in self._queue if id(e) not in gone]
                self._bytes -= sum(e[1] for e in done)
                self.groups += 1
                self.items += len(done)
                self._busy = False
                self._cv.notify_all()
                if failed and not self._stop:
                    self._cv.wait(self.retry_s)
                elif failed:
                    return
            if self.after is not None:
                try:
                    self.after()
                except Exception:  # noqa: BLE001
                    log.exception("spool maintenance failed")


@dataclass
class _Item:
    slot_file: SlotFile
    vi: ValidatedInstance
    stored: StoredInstance
    on_durable: Callable[[Outcome], None] | None


class DurableIntake:
    def __init__(self, intake: FileIntake, *, slots: int = 16, max_slots: int = 64) -> None:
        self.intake = intake
        self.spool = WriteAheadSpool(intake.spool_dir, slots=slots, max_slots=max_slots)
        self._lock = threading.Lock()
        self._inflight: dict[str, bytes] = {}      # SOP Instance UID -> encoded bytes
        self.mover: Mover | None = None
        self.committed = self.recovered = 0

    # --- life cycle ----------------------------------------------------------------
    def open(self) -> dict[str, int]:
        """Replay what a crash left in the spool, then start the mover."""
        done = {"replayed": 0, "stored": 0, "rejected": 0, "kept": 0}
        for slot, data in self.spool.recover():
            done["replayed"] += 1
            outcome = self.intake.ingest_bytes(data, source=f"spool recovery ({slot.path.name})")
            if isinstance(outcome, RejectedFile) and outcome.reason == "storage_failed":
                done["kept"] += 1                    # stays in the spool for the next start
                log.error("spooled instance not stored (%s): kept in %s", outcome.message,
                          slot.path)
                continue
            done["stored" if isinstance(outcome, StoredInstance) else "rejected"] += 1
            slot.clear()
            os.fdatasync(slot.fd)
            self.spool.release(slot)
        self.recovered = done["stored"]
        if done["replayed"]:
            log.warning("DICOM spool after an interrupted run: %s", done)
        self.mover = Mover(self._store, after=self.spool.grow)
        return done

    def close(self) -> None:
        if self.mover is not None:
            self.mover.close()
            self.mover = None
        self.spool.close()

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until every committed instance is in the intake folder."""
        return self.mover.drain(timeout) if self.mover is not None else True

    # --- receive -------------------------------------------------------------------
    def acquire(self, limit: int, head: bytes) -> SlotFile | None:
        slot = self.spool.acquire() if self.mover is not None else None
        return SlotFile(self.spool, slot, limit, head) if slot is not None else None

    def ingest_spooled(self, sf: SlotFile, *, source: str, context: dict | None = None,
                       expect_sop: tuple[str, str] | None = None,
                       on_durable: Callable[[Outcome], None] | None = None
                       ) -> Outcome | None:
        """Validate and commit; None when the instance is durable in the spool (answer
        Success; ``on_durable`` follows once it is in the intake folder), else the
        outcome to answer now (rejection or duplicate; the slot is freed)."""
        try:
            return self._ingest_spooled(sf, source, context, expect_sop, on_durable)
        except BaseException:
            sf.discard()          # (an unexpected failure: the peer gets 0x0110)
            raise

    def _ingest_spooled(self, sf: SlotFile, source: str, context: dict | None,
                        expect_sop: tuple[str, str] | None,
                        on_durable: Callable[[Outcome], None] | None) -> Outcome | None:
        sf.wait_sealed()            # committed by the receiving thread while we validate
        now = utc_iso()
        try:
            data = sf.slot.read()
        except OSError as exc:
            sf.discard()
            return self.intake.rejected(b"", DicomRejected(
                "storage_failed", f"Spool {self.spool.folder} unreadable: {exc}."),
                source, context, now)
        try:
            vi = self.intake.validator.validate_bytes(data, source=source,
                                                       sha256=sf.sha.hexdigest())
            if expect_sop is not None and (vi.sop_class_uid, vi.sop_instance_uid) != expect_sop:
                raise DicomRejected("uid_mismatch", "The dataset's SOP Class/Instance UID "
                                    f"({vi.sop_class_uid}, {vi.sop_instance_uid}) differs "
                                    f"from the C-STORE request ({expect_sop[0]}, "
                                    f"{expect_sop[1]}).")
            path = self.intake.folder.path_for(vi)
            with self._lock:
                earlier = self._inflight.get(vi.sop_instance_uid)
                if earlier is None and path.exists():
                    earlier = path.read_bytes()
                if earlier is not None and earlier != vi.encoded:
                    raise DicomRejected("uid_conflict", f"SOP Instance UID "
                                        f"{vi.sop_instance_uid} was already received with "
                                        "different content; the first copy is kept.")
                if earlier is None:
                    self._inflight[vi.sop_instance_uid] = vi.encoded
        except DicomRejected as rej:
            sf.discard()
            return self.intake.rejected(data, rej, source, context, now)
        del data
        stored = StoredInstance(
            vi.sop_instance_uid, vi.series_instance_uid, vi.study_instance_uid, path,
            earlier is not None, source, now, vi.modality, vi.series_description,
            vi.series_number, vi.instance_number, vi.image_position, vi.device_serial,
            vi.station_name)
        if earlier is not None:
            sf.discard()
            log.info("duplicate SOP Instance %s from %s ignored", vi.sop_instance_uid, source)
            return stored
        sf.committed.wait()         # header + fdatasync (see SlotFile.seal)
        if sf.commit_error is not None:
            err = sf.commit_error
            with self._lock:
                self._inflight.pop(vi.sop_instance_uid, None)
            sf.discard()
            refused = DicomRejected("storage_failed", f"Spool {self.spool.folder}: could not "
                                    f"make the instance durable ({err.strerror or err}).")
            return self.intake.rejected(b"", refused, source, context, now)
        self.committed += 1
        assert self.mover is not None
        self.mover.put(_Item(sf, vi, stored, on_durable), len(vi.encoded))
        return None

    # --- mover ---------------------------------------------------------------------
    def _store(self, items: list[_Item]) -> list[_Item]:
        """Write, fsync, rename, fsync folders; report; free the slots. Returns the
        items to retry (intake folder not writable: they stay in the spool)."""
        written: list[tuple[_Item, Path, Path | None]] = []
        retry: list[_Item] = []
        for it in items:
            try:
                with self.intake.lock:
                    path, tmp = self.intake.folder.write_pending(it.vi)
                written.append((it, path, tmp))
            except DicomRejected as rej:
                if rej.reason == "storage_failed":
                    log.error("spooled instance %s not moved: %s", it.vi.sop_instance_uid,
                              rej.message)
                    retry.append(it)
                    continue
                # another path (folder import) stored other bytes under this UID in
                # the meantime: keep ours in the quarantine, never drop it
                self.intake.rejected(it.vi.encoded, rej, it.stored.source, None,
                                      it.stored.received_utc)
                self._finish(it, None)
        synced: list[tuple[_Item, Path, Path | None]] = []
        for it, path, tmp in written:
            if tmp is None:
                synced.append((it, path, tmp))
                continue
            try:
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                self.intake.folder.commit(tmp, path)
                synced.append((it, path, tmp))
            except OSError as exc:
                log.error("spooled instance %s not moved: %s", it.vi.sop_instance_uid, exc)
                tmp.unlink(missing_ok=True)
                retry.append(it)
        for folder in {path.parent for _, path, _ in synced}:
            _fsync_dir(folder)
        for it, _, _ in synced:
            self._finish(it, it.stored)
        return retry

    def _finish(self, it: _Item, outcome: Outcome | None) -> None:
        with self._lock:
            self._inflight.pop(it.vi.sop_instance_uid, None)
        it.slot_file.discard(clear=False)
        if outcome is not None and it.on_durable is not None:
            try:
                it.on_durable(outcome)
            except Exception:  # noqa: BLE001 - a listener must not stop the mover
                log.exception("report of %s failed", it.vi.sop_instance_uid)
