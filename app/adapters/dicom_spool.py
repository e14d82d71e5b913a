"""Write-ahead spool of the DICOM receiver: each instance is on disk BEFORE its answer.

Why: on ext4 the fsync of a *new* 0.5 MB file costs a journal commit (~5-10 ms on the
build machine); a write over blocks that are already allocated and written, followed
by ``fdatasync``, needs no metadata commit (~1.5-4 ms there: data + one cache flush).

How:

* The spool folder holds *slot* files (``slot-NNN.wal``), pre-written with zeros and
  fsynced once, so their blocks are allocated and initialised. A C-STORE data set
  streams into a free slot (:class:`SlotFile`, size gate while receiving, CRC-32 while
  writing) at offset :data:`HEADER_SIZE`.
* Right after the last fragment, :meth:`SlotFile.seal` (on the receiving thread, while
  the handler validates) has :meth:`Slot.commit` write the header (magic, sequence,
  length, CRC-32 of the data, CRC of the header) into the slot's first block and call
  ``fdatasync``: from then on the instance survives a crash or power cut. The receiver
  answers Success once the instance is also valid; a rejected record is cleared.
* A background thread (``dicom_durable.Mover``) writes the accepted instances into the
  intake folder in groups (temporary file, fsync of each, rename, one fsync per folder) and
  only then frees their slots. The header is not cleared then (a write into a page
  under writeback waits for it): the next use of the slot overwrites it, a clean stop
  clears every header; a record that a crash leaves behind after its move is replayed
  as a duplicate (no change).
* At start, :meth:`WriteAheadSpool.recover` returns every committed record still in a
  slot (valid magic, header CRC and data CRC); the receiver ingests them again
  (validation, write, fsync; an instance already in the intake folder is a duplicate
  and changes nothing) before it listens. A record torn by a crash fails its CRC and
  was never answered: it is dropped.
"""
from __future__ import annotations

import hashlib
import logging
import os
import struct
import threading
import zlib
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"PHWAL001"
HEADER = struct.Struct("<8sQQII")          # magic, sequence, length, data CRC, header CRC
HEADER_SIZE = 4096                        # the header has a block of its own
_ZEROS = b"\0" * (1 << 20)


class Slot:
    """One pre-allocated spool file."""

    def __init__(self, path: Path, fd: int, capacity: int) -> None:
        self.path, self.fd, self.capacity = path, fd, capacity
        self.length = 0
        self.crc = 0

    def read(self) -> bytes:
        """The data of the record written last (from the page cache, usually)."""
        parts, off, left = [], HEADER_SIZE, self.length
        while left:
            chunk = os.pread(self.fd, min(left, 16 << 20), off)
            if not chunk:
                raise OSError(f"spool slot {self.path} ends before its record")
            parts.append(chunk)
            off += len(chunk)
            left -= len(chunk)
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def commit(self, sequence: int) -> None:
        """Header + ``fdatasync``: the record is durable when this returns."""
        head = HEADER.pack(MAGIC, sequence, self.length, self.crc, 0)
        head = head[:-4] + struct.pack("<I", zlib.crc32(head[:-4]))
        os.pwrite(self.fd, head, 0)
        os.fdatasync(self.fd)
        self.capacity = max(self.capacity, HEADER_SIZE + self.length)

    def clear(self) -> None:
        """Forget the record (not synced: a record that comes back after a crash is
        ingested again, which is a no-op when its instance is in the intake folder)."""
        os.pwrite(self.fd, b"\0" * HEADER.size, 0)

    def read_record(self) -> tuple[int, bytes] | None:
        """(sequence, data) of a committed record in this slot, or None."""
        head = os.pread(self.fd, HEADER.size, 0)
        if len(head) < HEADER.size:
            return None
        magic, seq, length, crc, hcrc = HEADER.unpack(head)
        if magic != MAGIC or zlib.crc32(head[:-4]) != hcrc:
            return None
        self.length = length
        try:
            data = self.read()
        except OSError:
            return None
        if len(data) != length or zlib.crc32(data) != crc:
            return None
        return seq, data


class SlotFile:
    """The file object pynetdicom fills fragment by fragment (``STORE_RECV_CHUNKED_
    DATASET``), writing into a :class:`Slot`; past ``limit`` bytes it writes nothing
    more and only counts (``over``, ``total``) - same contract as
    ``dicom_receive.SpoolFile``."""

    def __init__(self, spool: "WriteAheadSpool", slot: Slot, limit: int, head: bytes = b""
                 ) -> None:
        self.spool, self.slot = spool, slot
        self.name = str(slot.path)
        self.limit = int(limit)
        self._fh = open(slot.path, "r+b", buffering=1024 * 1024)  # noqa: SIM115 - close()
        self._fh.seek(HEADER_SIZE)
        self.file = self             # pynetdicom calls .file.flush() after each fragment
        self.total = 0
        self.over = False
        self.crc = 0
        self.sha = hashlib.sha256()        # of the data set as received (quarantine key)
        self.head_size = len(head)
        self._released = False
        self._seal_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._sealed = False
        self.readable = threading.Event()    # closed: the data is in the page cache
        self.committed = threading.Event()   # sealed: header + fdatasync done (or failed)
        self.commit_error: OSError | None = None
        if head:
            self.write(head)

    def write(self, data: bytes) -> int:
        self.total += len(data)
        if not self.over:
            if self.total > self.limit:
                self.over = True         # nothing more is written; the slot is reused
            else:
                self._fh.write(data)
                self.crc = zlib.crc32(data, self.crc)
                self.sha.update(data)
        return len(data)

    def flush(self) -> None:         # per fragment: nothing (the buffer is written on close)
        return None

    def close(self) -> None:
        with self._close_lock:
            if not self._fh.closed:
                self._fh.close()
                self.slot.length = 0 if self.over else self.total
                self.slot.crc = self.crc

    def wait_sealed(self, grace_s: float = 0.05) -> None:
        """Wait for the receiving thread's :meth:`seal` (it comes right after the last
        fragment), or seal here."""
        if not self.readable.wait(grace_s):
            self.seal()

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def seal(self) -> None:
        """The data set is complete: close, then commit the record (header +
        ``fdatasync``) unless it is oversize. Called once, by the thread that saw the
        last fragment (the DUL thread: the commit overlaps the handler's validation) or
        by the handler itself; a second call waits for the first."""
        with self._seal_lock:
            first, self._sealed = not self._sealed, True
        if not first:
            self.committed.wait()
            return
        try:
            self.close()
            self.readable.set()
            if not self.over:
                self.slot.commit(self.spool.next_sequence())
        except OSError as exc:
            self.commit_error = exc
        finally:
            self.readable.set()
            self.committed.set()

    def discard(self, clear: bool = True) -> None:
        """The data set is not kept (cut off, oversize, rejected, duplicate), or it is
        in the intake folder (``clear=False``: its record may stay until overwritten)."""
        if self._sealed:
            self.committed.wait(60)          # never reuse a slot under its own commit
            if clear and not self.over and self.commit_error is None:
                try:
                    self.slot.clear()        # a rejected or duplicate record: not replayed
                except OSError:
                    pass
        self.close()
        if not self._released:
            self._released = True
            self.spool.release(self.slot)


class WriteAheadSpool:
    """A pool of slots in ``folder``: ``slots`` made at start, more on demand up to
    ``max_slots`` (then :meth:`acquire` returns None and the caller falls back to a
    plain file with a full fsync)."""

    def __init__(self, folder: Path | str, *, slots: int = 16, max_slots: int = 64,
                 slot_bytes: int = 1 << 20, keep_bytes: int = 8 << 20) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.initial, self.max_slots = int(slots), int(max_slots)
        self.slot_bytes, self.keep_bytes = int(slot_bytes), int(keep_bytes)
        self._lock = threading.Lock()
        self._free: list[Slot] = []
        self._all: list[Slot] = []
        self._seq = 0
        self.opened = False

    # --- life cycle ----------------------------------------------------------------
    def recover(self) -> list[tuple[Slot, bytes]]:
        """Open the existing slots; the committed records still in them, oldest first
        (each slot stays taken until :meth:`release`). Then fill the pool."""
        found: list[tuple[int, Slot, bytes]] = []
        for path in sorted(self.folder.glob("slot-*.wal")):
            fd = os.open(path, os.O_RDWR)
            slot = Slot(path, fd, os.fstat(fd).st_size)
            self._all.append(slot)
            rec = slot.read_record()
            if rec is None:
                self._free.append(slot)
            else:
                found.append((rec[0], slot, rec[1]))
                self._seq = max(self._seq, rec[0])
        while len(self._all) < self.initial:
            self._free.append(self._new_slot())
        if self._all:
            _fsync_dir(self.folder)
        self.opened = True
        found.sort(key=lambda t: t[0])
        return [(slot, data) for _, slot, data in found]

    def close(self) -> None:
        """Clean stop: the free slots' records are in the intake folder; clear them."""
        with self._lock:
            for slot in self._free:
                try:
                    slot.clear()
                    os.fdatasync(slot.fd)
                except OSError as exc:
                    log.debug("clearing %s: %s", slot.path, exc)
            for slot in self._all:
                try:
                    os.close(slot.fd)
                except OSError:
                    pass
            self._all, self._free = [], []
            self.opened = False

    def _new_slot(self) -> Slot:
        path = self.folder / f"slot-{len(self._all):03d}.wal"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        left = HEADER_SIZE + self.slot_bytes
        os.ftruncate(fd, 0)
        while left:                        # written, not fallocated: no unwritten extents
            left -= os.write(fd, _ZEROS[:min(left, len(_ZEROS))])
        os.fsync(fd)
        slot = Slot(path, fd, HEADER_SIZE + self.slot_bytes)
        self._all.append(slot)
        return slot

    # --- use -----------------------------------------------------------------------
    def acquire(self) -> Slot | None:
        with self._lock:
            if not self.opened:
                return None
            if self._free:
                return self._free.pop()
            if len(self._all) >= self.max_slots:
                return None
            try:
                slot = self._new_slot()
            except OSError as exc:
                log.error("spool slot not created in %s: %s", self.folder, exc)
                return None
        _fsync_dir(self.folder)
        return slot

    def grow(self, low: int = 8, step: int = 4) -> None:
        """Add slots while fewer than ``low`` are free (called off the receive path)."""
        made = 0
        while made < step:
            with self._lock:
                if not self.opened or len(self._free) >= low or len(self._all) >= self.max_slots:
                    break
                try:
                    self._free.append(self._new_slot())
                except OSError as exc:
                    log.error("spool slot not created in %s: %s", self.folder, exc)
                    break
            made += 1
        if made:
            _fsync_dir(self.folder)

    def next_sequence(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def release(self, slot: Slot) -> None:
        with self._lock:
            if not self.opened or slot not in self._all:
                return
            if slot.capacity > HEADER_SIZE + self.keep_bytes:   # after a big instance
                try:
                    os.ftruncate(slot.fd, HEADER_SIZE + self.keep_bytes)
                    slot.capacity = HEADER_SIZE + self.keep_bytes
                except OSError:
                    pass
            self._free.append(slot)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {"slots": len(self._all), "free": len(self._free)}


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:           # some file systems cannot fsync a folder
        log.debug("fsync of folder %s: %s", folder, exc)
