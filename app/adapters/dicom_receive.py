"""Receiver plumbing of the station's DICOM SCP: streaming, admission, durable writes.

* **Streaming with the size gate while receiving** (:class:`SpoolFile`,
  :func:`stream_to_spool`): pynetdicom writes each C-STORE data set to a file as its
  P-DATA fragments arrive (``STORE_RECV_CHUNKED_DATASET``); the file object is replaced
  by a :class:`SpoolFile` in the station's spool folder that stops writing - and keeps
  only a byte count - once the data set passes ``max_bytes``. An 800 MB send costs
  neither memory nor disk; the peer gets 0xA700 when the last fragment is in.
* **Admission** (:class:`Admission`): TCP connections are counted per peer address and
  in total; a connection that has not sent its A-ASSOCIATE-RQ within ``acse_timeout``
  is dropped, an association idle for ``idle_timeout`` is released; when a peer (or the
  receiver) is at its cap, the *idlest* connection gives way to the new one (idle
  sockets cannot lock scanners out); only when every connection is busy is the new one
  refused.
* **Durable writes** (:class:`GroupSync`): files are fsynced (and their folders) by one
  thread in groups; a caller either waits for its file (``strict``) or is called back
  when it is on disk.
"""
from __future__ import annotations

import io
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pynetdicom import _config as pynetdicom_config
from pynetdicom import dimse_messages as _dimse_messages

log = logging.getLogger(__name__)
pynetdicom_config.STORE_RECV_CHUNKED_DATASET = True   # never hold a data set in memory


# --- the file meta head in memory instead of a temporary file in /tmp --------------------
class HeadBuffer(io.BytesIO):
    """What pynetdicom gets instead of its NamedTemporaryFile on our receiver's
    associations: it writes the preamble and file meta into it, then the receiver moves
    that head into a spool slot or file (a message that ended in the same P-DATA -
    command and data set together, at most one PDU - arrives here whole)."""

    name = ""                        # pynetdicom's os.unlink("") after the handler fails
    file = property(lambda self: self)


def _named_temporary_file(*args: Any, **kwargs: Any) -> Any:
    assoc = getattr(threading.current_thread(), "assoc", None)   # the DUL thread's
    if getattr(assoc, "_pharos_head_in_memory", False):
        return HeadBuffer()
    return tempfile.NamedTemporaryFile(*args, **kwargs)  # noqa: SIM115 - pynetdicom's


_dimse_messages.NamedTemporaryFile = _named_temporary_file


# --- streaming ---------------------------------------------------------------------------
class SpoolFile:
    """Write-only file that pynetdicom fills fragment by fragment; past ``limit`` bytes
    it writes nothing more and only counts (``over``, ``total``)."""

    def __init__(self, path: Path, limit: int, head: bytes = b"") -> None:
        self.name = str(path)
        self.limit = int(limit)
        self._fh = open(path, "wb", buffering=1024 * 1024)   # noqa: SIM115 - closed by pynetdicom
        self.file = self             # pynetdicom calls .file.flush() after each fragment
        self.total = 0
        self.over = False
        if head:
            self._fh.write(head)
        self.head_size = len(head)

    def write(self, data: bytes) -> int:
        self.total += len(data)
        if not self.over:
            if self.total > self.limit:
                self.over = True
                self._fh.truncate(0)         # nothing of an oversize data set is kept
            else:
                self._fh.write(data)
        return len(data)

    def flush(self) -> None:         # per fragment: nothing (the buffer is written on close)
        return None

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed


def stream_to_spool(assoc: Any, spool_dir: Path, limit: int,
                    on_activity: Callable[[], None] | None = None,
                    acquire: Callable[[int, bytes], Any] | None = None) -> None:
    """Make ``assoc`` write every incoming C-STORE data set into ``spool_dir`` through a
    :class:`SpoolFile` (called once per association, before it starts); with
    ``acquire(limit, head)`` into what it returns (a write-ahead spool slot,
    ``dicom_spool.SlotFile``), a plain spool file when it returns None."""
    dimse = assoc.dimse
    original = dimse.receive_primitive
    assoc._pharos_head_in_memory = True  # noqa: SLF001 - read by _named_temporary_file

    def receive_primitive(primitive: Any) -> None:
        if on_activity is not None:
            on_activity()
        before = dimse.message
        current = before._data_set_file if before is not None else None
        original(primitive)
        msg = dimse.message          # None when the message completed with this primitive
        if before is not None and msg is not before:
            # complete: a spool slot is sealed and committed here, on this (the DUL)
            # thread, while the handler validates it on its own (dicom_spool.SlotFile)
            seal = getattr(current, "seal", None)
            if seal is not None:
                seal()
        if msg is not None and msg._data_set_file is not None \
                and not isinstance(msg._data_set_file, SpoolFile) \
                and not hasattr(msg._data_set_file, "slot"):
            _swap_to_spool(msg, spool_dir, limit, acquire)

    dimse.receive_primitive = receive_primitive


def cap_pdu_length(assoc: Any, cap: int) -> None:
    """pynetdicom reads a whole PDU into memory, whatever maximum it announced: a peer
    that declares a 500 MB PDU would get it. Refuse any PDU longer than ``cap`` (the
    connection is closed as if the peer had dropped it)."""
    sock = getattr(assoc.dul, "socket", None)
    if sock is None or cap <= 0:
        return
    original = sock.recv

    def recv(nr_bytes: int) -> bytearray:     # pynetdicom's AssociationSocket.recv
        if nr_bytes > cap:
            log.warning("DICOM peer sent a PDU of %d bytes (limit %d): connection closed",
                        nr_bytes, cap)
            raise OSError(f"PDU of {nr_bytes} bytes exceeds the {cap}-byte limit")
        return original(nr_bytes)

    sock.recv = recv


def _swap_to_spool(msg: Any, spool_dir: Path, limit: int,
                   acquire: Callable[[int, bytes], Any] | None = None) -> None:
    """pynetdicom opened a NamedTemporaryFile in /tmp and wrote the file meta into it:
    move that head into a spool slot (``acquire``) or a SpoolFile in our spool folder."""
    tmp = msg._data_set_file
    if isinstance(tmp, HeadBuffer):
        head = tmp.getvalue()
    else:
        tmp.flush()
        with open(tmp.name, "rb") as fh:
            head = fh.read()
        tmp.close()
        try:
            os.unlink(tmp.name)
        except OSError:
            pass
    slot = acquire(limit + len(head), head) if acquire is not None else None
    if slot is not None:
        msg._data_set_file = slot
        msg._data_set_path = Path(slot.name)
        return
    path = spool_dir / f"{time.monotonic_ns()}-{threading.get_ident()}.part"
    spool = SpoolFile(path, limit + len(head), head)
    spool.total = len(head)
    msg._data_set_file = spool
    msg._data_set_path = path


# --- durable writes ----------------------------------------------------------------------
@dataclass
class _Pending:
    path: Path
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    callback: Callable[["_Pending"], None] | None = None


class GroupSync:
    """fsync files (and their parent folders) in groups on one thread."""

    def __init__(self, *, window_s: float = 0.0, max_group: int = 64) -> None:
        # no waiting for a group to form: files that arrive while one group is being
        # fsynced form the next group by themselves
        self.window_s, self.max_group = window_s, max_group
        self._queue: list[_Pending] = []
        self._cv = threading.Condition()
        self._stop = False
        self._dirty: set[Path] = set()
        self.groups = self.files = 0
        self._thread = threading.Thread(target=self._run, name="dicom-fsync", daemon=True)
        self._thread.start()

    def submit(self, path: Path, callback: Callable[[_Pending], None] | None = None) -> _Pending:
        p = _Pending(Path(path), callback=callback)
        with self._cv:
            if self._stop:
                raise RuntimeError("the fsync thread is stopped")
            self._queue.append(p)
            self._cv.notify()
        return p

    def sync(self, path: Path, timeout: float = 60.0) -> None:
        """Block until ``path`` is on disk (raises the fsync error)."""
        p = self.submit(path)
        if not p.done.wait(timeout):
            raise OSError(f"fsync of {path} did not finish in {timeout:.0f} s")
        if p.error is not None:
            raise p.error

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(30)
        self._sync_dirs()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stop:
                    self._cv.wait()
                if not self._queue and self._stop:
                    return
            if self.window_s:
                time.sleep(self.window_s)
            with self._cv:
                group, self._queue = self._queue[:self.max_group], self._queue[self.max_group:]
            self._flush(group)
            with self._cv:
                idle = not self._queue
            if idle:
                self._sync_dirs()

    def _sync_dirs(self) -> None:
        """The renames of the last burst: their folders, once nothing else waits (the
        next file's fsync commits them anyway on ext4/xfs; this closes the window)."""
        dirs, self._dirty = self._dirty, set()
        for d in dirs:
            try:
                fd = os.open(d, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:       # a folder fsync may be unsupported (some FS)
                log.debug("fsync of folder %s: %s", d, exc)

    def _flush(self, group: list[_Pending]) -> None:
        # one journal commit per file: the file's fsync (its data and its temporary name);
        # the callback renames it into place; folders are synced when the burst ends
        for p in group:
            try:
                fd = os.open(p.path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                self._dirty.add(p.path.parent)
            except OSError as exc:
                p.error = exc
        self.groups += 1
        self.files += len(group)
        for p in group:
            if p.callback is not None:
                try:
                    p.callback(p)
                except Exception:  # noqa: BLE001 - a listener must not stop the thread
                    log.exception("fsync callback failed for %s", p.path)
            p.done.set()


# --- admission ---------------------------------------------------------------------------
@dataclass
class _Conn:
    assoc: Any
    peer: str
    opened: float
    requested: bool = False        # A-ASSOCIATE-RQ received
    last: float = 0.0              # last PDU received
    busy: bool = False             # a C-STORE is being received / handled


class Admission:
    """Per-peer and total caps on connections; the idlest gives way (see module doc)."""

    def __init__(self, *, max_per_peer: int = 8, max_total: int = 32,
                 idle_grace_s: float = 2.0,
                 on_evict: Callable[[str, str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_per_peer, self.max_total = int(max_per_peer), int(max_total)
        self.idle_grace_s = idle_grace_s
        self.on_evict = on_evict
        self.clock = clock
        self._conns: dict[int, _Conn] = {}
        self._lock = threading.Lock()
        self.evicted = self.refused = 0

    # called from the server's accept thread with the peer address of a new socket
    def admit(self, peer: str) -> bool:
        with self._lock:
            mine = [c for c in self._conns.values() if c.peer == peer]
            victims: list[_Conn] = []
            if len(mine) >= self.max_per_peer:
                v = self._idlest(mine)
                if v is None:
                    self.refused += 1
                    return False
                victims.append(v)
            elif len(self._conns) >= self.max_total:
                v = self._idlest(list(self._conns.values()))
                if v is None:
                    self.refused += 1
                    return False
                victims.append(v)
            for v in victims:
                self._conns.pop(id(v.assoc), None)
                self.evicted += 1
        for v in victims:       # never block the accept loop on a peer's goodbye
            threading.Thread(target=self._evict, args=(v,), name="dicom-evict",
                             daemon=True).start()
        return True

    def _idlest(self, conns: list[_Conn]) -> _Conn | None:
        now = self.clock()
        idle = [c for c in conns if not c.busy and now - max(c.last, c.opened)
                >= (0.0 if not c.requested else self.idle_grace_s)]
        # first those that never asked for an association, then the longest idle
        idle.sort(key=lambda c: (c.requested, max(c.last, c.opened)))
        return idle[0] if idle else None

    def _evict(self, c: _Conn) -> None:
        why = ("no A-ASSOCIATE-RQ" if not c.requested else
               f"idle {self.clock() - max(c.last, c.opened):.1f} s")
        log.warning("DICOM connection from %s closed to admit a new one (%s)", c.peer, why)
        if self.on_evict is not None:
            self.on_evict(c.peer, why)
        try:
            if c.assoc.is_established:
                c.assoc.abort()                  # A-ABORT to the peer
            else:                                # never asked: just hang up
                import socket as _socket

                sock = getattr(getattr(c.assoc.dul, "socket", None), "socket", None)
                if sock is not None:
                    try:
                        sock.shutdown(_socket.SHUT_RDWR)
                    except OSError:
                        pass
                    sock.close()
        except Exception:  # noqa: BLE001 - it is going away anyway
            log.debug("evicting %s", c.peer, exc_info=True)

    # association life cycle (pynetdicom events)
    def opened(self, assoc: Any, peer: str) -> None:
        now = self.clock()
        with self._lock:
            self._conns[id(assoc)] = _Conn(assoc, peer, now, last=now)

    def requested(self, assoc: Any) -> None:
        self._touch(assoc, requested=True)

    def activity(self, assoc: Any, busy: bool | None = None) -> None:
        self._touch(assoc, busy=busy)

    def _touch(self, assoc: Any, requested: bool | None = None, busy: bool | None = None) -> None:
        with self._lock:
            c = self._conns.get(id(assoc))
            if c is None:
                return
            c.last = self.clock()
            if requested is not None:
                c.requested = requested
            if busy is not None:
                c.busy = busy

    def closed(self, assoc: Any) -> None:
        with self._lock:
            self._conns.pop(id(assoc), None)

    def counts(self) -> dict[str, int]:
        with self._lock:
            peers: dict[str, int] = {}
            for c in self._conns.values():
                peers[c.peer] = peers.get(c.peer, 0) + 1
        return {"connections": sum(peers.values()), "peers": len(peers),
                "evicted": self.evicted, "refused": self.refused}
