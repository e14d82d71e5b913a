"""File side of DICOM intake: the intake folder, folder import and a watched folder.

Every path in (network C-STORE, folder import, watched folder, C-MOVE retrieve) goes
through :class:`FileIntake.ingest_bytes`: validate, then either store the re-encoded
instance as ``<intake>/<StudyUID>/<SeriesUID>/<SOPUID>.dcm`` or quarantine the original
bytes with the reason. Bad input never raises out of ingest: it comes back as a
:class:`RejectedFile` (data), so one bad file cannot stop a series or a folder.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from app.adapters.dicom_validate import (DicomRejected, DicomValidator, Quarantine,
                                         ValidatedInstance)
from app.core.ids import utc_iso

if TYPE_CHECKING:
    from app.adapters.dicom_receive import GroupSync
    from app.core.tasks import CancelToken

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredInstance:
    """An accepted instance as stored in the intake folder (no pixel bytes kept here)."""

    sop_instance_uid: str
    series_instance_uid: str
    study_instance_uid: str
    path: Path
    duplicate: bool
    source: str
    received_utc: str
    modality: str = ""
    series_description: str = ""
    series_number: int | None = None
    instance_number: int | None = None
    image_position: tuple[float, float, float] | None = None
    device_serial: str = ""
    station_name: str = ""


@dataclass(frozen=True)
class RejectedFile:
    reason: str
    code: str
    message: str
    dimse_status: int
    quarantine_path: Path | None
    sha256: str
    source: str
    received_utc: str

    def to_dict(self) -> dict:
        return {"reason": self.reason, "code": self.code, "message": self.message,
                "dimse_status": f"0x{self.dimse_status:04X}", "sha256": self.sha256,
                "quarantine_path": str(self.quarantine_path or ""), "source": self.source,
                "received_utc": self.received_utc}


Outcome = StoredInstance | RejectedFile


@dataclass
class ImportReport:
    stored: list[StoredInstance] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return sum(1 for s in self.stored if s.duplicate)


class IntakeFolder:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, vi: ValidatedInstance) -> Path:
        # UIDs were checked to be digits and dots only: safe as path parts.
        return (self.root / vi.study_instance_uid / vi.series_instance_uid
                / f"{vi.sop_instance_uid}.dcm")

    def write_pending(self, vi: ValidatedInstance) -> tuple[Path, Path | None]:
        """Write the instance to a temporary file beside its place, not yet synced:
        (final path, temporary path); temporary None for a duplicate. The caller fsyncs
        the temporary file, then :meth:`commit` renames it into place."""
        path = self.path_for(vi)
        if path.exists():
            if path.read_bytes() != vi.encoded:
                raise DicomRejected("uid_conflict", f"SOP Instance UID {vi.sop_instance_uid} "
                                    "was already received with different content; the "
                                    "first copy is kept.")
            return path, None
        tmp = path.with_name(f".{path.name}.{threading.get_ident()}.{time.monotonic_ns()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(vi.encoded)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DicomRejected("storage_failed", f"Intake folder {self.root} not writable: "
                                f"{exc.strerror or exc}.") from None
        return path, tmp

    @staticmethod
    def commit(tmp: Path, path: Path) -> None:
        os.replace(tmp, path)

    def recover_pending(self, validator: DicomValidator) -> dict[str, int]:
        """After a crash or power cut: a temporary file left beside its place was fsynced
        (and possibly answered Success) but not renamed yet, or was cut short before its
        fsync. Each is validated again: a complete, valid instance is put in place (or
        dropped when that place holds the same bytes); anything else is removed."""
        done = {"recovered": 0, "removed": 0}
        if not self.root.exists():
            return done
        for tmp in self.root.rglob(".*.tmp"):
            final = tmp.with_name(tmp.name[1:].split(".dcm.", 1)[0] + ".dcm")
            try:
                data = tmp.read_bytes()
                vi = validator.validate_bytes(data, source=str(tmp))
                ok = vi.encoded == data and self.path_for(vi) == final
            except (OSError, DicomRejected):
                ok = False
            if ok and not final.exists():
                os.replace(tmp, final)
                done["recovered"] += 1
                log.warning("recovered %s after an interrupted write", final)
            else:
                tmp.unlink(missing_ok=True)
                done["removed"] += 1
        return done

    def store(self, vi: ValidatedInstance) -> tuple[Path, bool]:
        """Write once; (path, duplicate). Same UID with other content raises."""
        path = self.path_for(vi)
        if path.exists():
            if path.read_bytes() != vi.encoded:
                raise DicomRejected("uid_conflict", f"SOP Instance UID {vi.sop_instance_uid} "
                                    "was already received with different content; the "
                                    "first copy is kept.")
            return path, True
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(vi.encoded)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DicomRejected("storage_failed", f"Intake folder {self.root} not writable: "
                                f"{exc.strerror or exc}.") from None
        return path, False


class FileIntake:
    """Validate, store or quarantine. Thread-safe (each call is independent)."""

    def __init__(self, validator: DicomValidator, quarantine: Quarantine,
                 folder: IntakeFolder) -> None:
        self.validator = validator
        self.quarantine = quarantine
        self.folder = folder
        self._lock = threading.Lock()   # serialises duplicate detection per process
        self._sync: GroupSync | None = None   # of the network receiver (lazy)

    @property
    def spool_dir(self) -> Path:
        """Where the receiver streams C-STORE data sets (same file system as intake)."""
        d = self.folder.root.parent / "spool"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def group_sync(self):  # noqa: ANN201 - app.adapters.dicom_receive.GroupSync
        from app.adapters.dicom_receive import GroupSync

        with self._lock:
            if self._sync is None:
                self._sync = GroupSync()
            return self._sync

    def close(self) -> None:
        with self._lock:
            sync, self._sync = self._sync, None
        if sync is not None:
            sync.close()

    def reject_oversize(self, size: int, *, source: str, context: dict | None = None
                        ) -> RejectedFile:
        """A C-STORE whose data set passed the size gate while arriving: nothing of it
        was kept; the quarantine keeps a record (size, source, SOP instance)."""
        rej = DicomRejected("too_large", f"{size / 1e6:.1f} MB or more exceeds the "
                            f"{self.validator.max_bytes / 1e6:.1f} MB limit; the data set "
                            f"was discarded while it arrived.")
        qpath = None
        try:
            qpath = self.quarantine.put(b"", rej, source=source,
                                        context={**(context or {}), "size_seen": size})
        except OSError as exc:
            log.error("quarantine record failed for %s: %s", source, exc)
        log.warning("rejected %s: %s [%s]", source, rej.message, rej.code)
        return RejectedFile(rej.reason, rej.code, rej.message, rej.dimse_status, qpath,
                            rej.sha256, source, utc_iso())

    def ingest_received(self, spool: Path, *, source: str, context: dict | None = None,
                        expect_sop: tuple[str, str] | None = None, strict: bool = True,
                        on_durable: Callable[[Outcome], None] | None = None) -> Outcome | None:
        """A data set streamed to ``spool`` by the receiver: validate, write, fsync in a
        group. ``strict``: return once the file is on disk (the outcome). Otherwise
        return None at once and call ``on_durable(outcome)`` when it is on disk; a
        rejection is returned at once in both modes."""
        try:
            data = spool.read_bytes()
        finally:
            spool.unlink(missing_ok=True)
        now = utc_iso()
        try:
            vi = self._validated(data, source, expect_sop)
            with self._lock:
                path, tmp = self.folder.write_pending(vi)
        except DicomRejected as rej:
            return self._rejected(data, rej, source, context, now)
        del data
        stored = StoredInstance(
            vi.sop_instance_uid, vi.series_instance_uid, vi.study_instance_uid, path,
            tmp is None, source, now, vi.modality, vi.series_description, vi.series_number,
            vi.instance_number, vi.image_position, vi.device_serial, vi.station_name)
        if tmp is None:
            log.info("duplicate SOP Instance %s from %s ignored", vi.sop_instance_uid, source)
            if on_durable is not None and not strict:
                on_durable(stored)
                return None
            return stored
        result: list[Outcome] = []

        def durable(p: Any) -> None:      # dicom_receive._Pending
            outcome: Outcome = stored
            if p.error is None:
                try:
                    self.folder.commit(tmp, path)
                except OSError as exc:
                    p.error = exc
            if p.error is not None:
                tmp.unlink(missing_ok=True)
                rej = DicomRejected("storage_failed", f"Intake folder {self.folder.root}: "
                                    f"could not make the file durable ({p.error}).")
                log.error("%s: %s", source, rej.message)
                outcome = RejectedFile(rej.reason, rej.code, rej.message, rej.dimse_status,
                                       None, "", source, now)
            result.append(outcome)
            if on_durable is not None and not strict:
                on_durable(outcome)

        pending = self.group_sync().submit(tmp, durable)
        if not strict:
            return None
        pending.done.wait()
        return result[0]

    @property
    def lock(self) -> threading.Lock:
        """Serialises duplicate detection and writes into the intake folder."""
        return self._lock

    def rejected(self, data: bytes, rej: DicomRejected, source: str, context: dict | None,
                 now: str) -> RejectedFile:
        """Quarantine ``data`` (unless storage failed) and describe the rejection."""
        return self._rejected(data, rej, source, context, now)

    def _rejected(self, data: bytes, rej: DicomRejected, source: str, context: dict | None,
                  now: str) -> RejectedFile:
        qpath = None
        if rej.reason != "storage_failed":
            try:
                qpath = self.quarantine.put(data, rej, source=source, context=context)
            except OSError as exc:
                log.error("quarantine write failed for %s: %s", source, exc)
        log.warning("rejected %s: %s [%s]", source, rej.message, rej.code)
        return RejectedFile(rej.reason, rej.code, rej.message, rej.dimse_status, qpath,
                            rej.sha256, source, now)

    def _validated(self, data: bytes, source: str,
                   expect_sop: tuple[str, str] | None) -> Any:
        """Validate a received data set; with ``expect_sop`` (SOP class, instance from the
        C-STORE command) the data set must carry the same UIDs."""
        vi = self.validator.validate_bytes(data, source=source)
        if expect_sop is not None and (vi.sop_class_uid, vi.sop_instance_uid) != expect_sop:
            raise DicomRejected("uid_mismatch", "The dataset's SOP Class/Instance UID "
                                f"({vi.sop_class_uid}, {vi.sop_instance_uid}) differs "
                                f"from the C-STORE request ({expect_sop[0]}, "
                                f"{expect_sop[1]}).")
        return vi

    def ingest_bytes(self, data: bytes, *, source: str, context: dict | None = None,
                     expect_sop: tuple[str, str] | None = None) -> Outcome:
        """``expect_sop`` = (SOP class, SOP instance) from the C-STORE command."""
        now = utc_iso()
        try:
            vi = self._validated(data, source, expect_sop)
            with self._lock:
                path, duplicate = self.folder.store(vi)
        except DicomRejected as rej:
            qpath = None
            if rej.reason != "storage_failed":
                try:
                    qpath = self.quarantine.put(data, rej, source=source, context=context)
                except OSError as exc:
                    log.error("quarantine write failed for %s: %s", source, exc)
            log.warning("rejected %s: %s [%s]", source, rej.message, rej.code)
            return RejectedFile(rej.reason, rej.code, rej.message, rej.dimse_status, qpath,
                                rej.sha256, source, now)
        if duplicate:
            log.info("duplicate SOP Instance %s from %s ignored", vi.sop_instance_uid, source)
        return StoredInstance(
            vi.sop_instance_uid, vi.series_instance_uid, vi.study_instance_uid, path,
            duplicate, source, now, vi.modality, vi.series_description, vi.series_number,
            vi.instance_number, vi.image_position, vi.device_serial, vi.station_name)

    def ingest_file(self, path: Path | str) -> Outcome:
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > self.validator.max_bytes:      # size gate before reading
                rej = DicomRejected("too_large", f"{path.name}: {size / 1e6:.1f} MB exceeds "
                                    f"the {self.validator.max_bytes / 1e6:.1f} MB limit.")
                return RejectedFile(rej.reason, rej.code, rej.message, rej.dimse_status,
                                    None, "", str(path), utc_iso())
            data = path.read_bytes()
        except OSError as exc:
            rej = DicomRejected("unreadable", f"{path}: cannot read ({exc.strerror or exc}).")
            return RejectedFile(rej.reason, rej.code, rej.message, rej.dimse_status, None,
                                "", str(path), utc_iso())
        return self.ingest_bytes(data, source=str(path))

    def import_folder(self, folder: Path | str, *, token: CancelToken | None = None,
                      progress: Callable[[float, str], None] | None = None,
                      on_outcome: Callable[[Outcome], None] | None = None) -> ImportReport:
        files = sorted(p for p in Path(folder).rglob("*") if p.is_file()
                       and not p.name.startswith("."))
        report = ImportReport()
        for i, path in enumerate(files):
            if token is not None:
                token.raise_if_cancelled()
            outcome = self.ingest_file(path)
            if isinstance(outcome, StoredInstance):
                report.stored.append(outcome)
            else:
                report.rejected.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            if progress is not None:
                progress((i + 1) / len(files), f"{i + 1}/{len(files)} {path.name}")
        return report


class FolderWatcher:
    """Polls a folder; a file is ingested once its size and mtime were unchanged for
    ``debounce_s`` (a writer still copying it is left alone). Files are not deleted;
    each (path, size, mtime) is ingested once per watcher lifetime."""

    def __init__(self, folder: Path | str, intake: FileIntake, on_outcome: Callable[[Outcome], None],
                 *, poll_s: float = 1.0, debounce_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = Path(folder)
        self.intake = intake
        self.on_outcome = on_outcome
        self.poll_s, self.debounce_s, self.clock = poll_s, debounce_s, clock
        self._seen: dict[Path, tuple[int, int, float]] = {}     # path -> size, mtime, since
        self._done: set[tuple[Path, int, int]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> int:
        """One scan; returns how many files were ingested."""
        now, count = self.clock(), 0
        try:
            entries = [p for p in self.folder.rglob("*") if p.is_file()
                       and not p.name.startswith(".") and not p.name.endswith(".tmp")]
        except OSError as exc:
            log.warning("watched folder %s unreadable: %s", self.folder, exc)
            return 0
        for path in entries:
            try:
                st = path.stat()
            except OSError:
                continue
            sig = (st.st_size, st.st_mtime_ns)
            if (path, *sig) in self._done:
                continue
            prev = self._seen.get(path)
            if prev is None or prev[:2] != sig:
                self._seen[path] = (*sig, now)
                continue
            if now - prev[2] < self.debounce_s:
                continue
            self._done.add((path, *sig))
            self._seen.pop(path, None)
            self.on_outcome(self.intake.ingest_file(path))
            count += 1
        return count

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="dicom-folder-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - keep watching; the listener logs details
                log.exception("watched folder poll failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
