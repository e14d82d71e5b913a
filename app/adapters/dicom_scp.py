"""DICOM Storage SCP of the station (pynetdicom): C-ECHO, C-STORE, commitment reports.

- Binds ``host`` (127.0.0.1 by default) and ``port`` (0 = any free port; read ``.port``).
- Called AE (must be ours) and calling AE (allow-list; ``"*"`` = any, empty = none) are
  checked at negotiation (A-ASSOCIATE-RJ, "... AE title not recognised").
- Each C-STORE data set streams to the spool folder with the size gate applied while it
  arrives; validated files are written and fsynced in groups (``dicom_receive``).
  ``durability="strict"`` answers each C-STORE once its file is on disk; ``"group"``
  answers after validation and the write, and reports the instance once it is on disk.
- Admission: per-peer and total connection caps, short ACSE timeout, idle timeout; the
  idlest connection gives way to a new one (``dicom_receive.Admission``).
- Accepts every storage SOP class at negotiation so that a wrong object (e.g. an MR in
  a CT series) is answered per instance with a status, logged and quarantined instead
  of vanishing in the negotiation. Status per cause: see ``dicom_validate``.
- N-EVENT-REPORT (Storage Commitment results sent by the PACS on a new association)
  is routed to the :class:`CommitmentRegistry` by Transaction UID.
- Every handler is guarded: an exception reaches ``on_error`` and the peer gets
  0x0110 (processing failure); the SCP keeps serving.
- Accepted sockets get TCP_NODELAY.
"""
from __future__ import annotations

import functools
import logging
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pynetdicom import evt
from pynetdicom.presentation import StoragePresentationContexts

from app.adapters.dicom_commit import STORAGE_COMMITMENT_PUSH, CommitmentRegistry
from app.adapters.dicom_files import FileIntake, Outcome, RejectedFile
from app.adapters.dicom_durable import DurableIntake
from app.adapters.dicom_reactor import make_responsive
from app.adapters.dicom_receive import (Admission, HeadBuffer, SpoolFile, cap_pdu_length,
                                        stream_to_spool)
from app.adapters.dicom_spool import SlotFile
from app.adapters.dicom_transport import NoDelayAE, NoDelayServer, ScpStartError, guarded
from app.adapters.dicom_validate import (CT_IMAGE_STORAGE, ENHANCED_CT_IMAGE_STORAGE,
                                         STATUS_PROCESSING_FAILURE)

log = logging.getLogger(__name__)
VERIFICATION = "1.2.840.10008.1.1"


@dataclass(frozen=True)
class AssociationEvent:
    kind: str            # accepted / rejected / released / aborted
    calling_ae: str
    address: str
    detail: str = ""


class DicomStorageScp:
    def __init__(self, intake: FileIntake, *, ae_title: str = "PHAROS_QC", port: int = 11112,
                 host: str = "127.0.0.1", allowed_calling_aes: list[str] | tuple[str, ...] = (),
                 on_outcome: Callable[[Outcome], None] | None = None,
                 on_association: Callable[[AssociationEvent], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 commitments: CommitmentRegistry | None = None, tcp_nodelay: bool = True,
                 network_timeout: float = 20.0, maximum_pdu: int = 1024 * 1024,
                 acse_timeout: float = 5.0, max_per_peer: int = 8, max_connections: int = 32,
                 durability: str = "strict") -> None:
        self.intake = intake
        self.ae_title = ae_title
        self.host = host
        self.requested_port = int(port)
        self.allowed_calling_aes = tuple(a.strip() for a in allowed_calling_aes if a.strip())
        self.acse_timeout = acse_timeout
        if durability not in ("strict", "group"):
            raise ValueError("durability must be 'strict' or 'group'")
        self.durability = durability
        self.admission = Admission(max_per_peer=max_per_peer, max_total=max_connections,
                                   on_evict=self._evicted)
        self.on_outcome = on_outcome
        self.on_association = on_association
        self.on_error = on_error
        self.commitments = commitments or CommitmentRegistry()
        self.tcp_nodelay = tcp_nodelay
        self.network_timeout = network_timeout
        self.maximum_pdu = maximum_pdu
        self._server: NoDelayServer | None = None
        self._durable: DurableIntake | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.counts = {"stored": 0, "duplicates": 0, "rejected": 0, "associations": 0,
                       "refused": 0, "echo": 0, "commitment_reports": 0, "evicted": 0,
                       "refused_connections": 0}

    # --- lifecycle -----------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            return self.requested_port
        return int(self._server.server_address[1])

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> "DicomStorageScp":
        if self._server is not None:
            return self
        ae = NoDelayAE(self.ae_title, tcp_nodelay=self.tcp_nodelay)
        ae.network_timeout = self.network_timeout       # an idle association is released
        ae.acse_timeout = self.acse_timeout             # a bare socket is dropped
        ae.maximum_pdu_size = self.maximum_pdu
        # our admission keeps the total at max_total; pynetdicom's own count must not
        # refuse before it (it counts sockets that have not even asked yet)
        ae.maximum_associations = self.admission.max_total + 1
        ae.require_called_aet = True
        if "*" not in self.allowed_calling_aes:
            # empty: no calling AE at all (checked by default; the allow-list comes from
            # [pacs] allowed_calling_aes, `pharos setup --allow-ae`); "*": any AE
            # (pynetdicom reads an empty list as "any": an unguessable title instead)
            import secrets

            ae.require_calling_aet = list(self.allowed_calling_aes) or [secrets.token_hex(8)]
        else:
            log.warning("DICOM SCP %s accepts any calling AE title ('*' in the allow-list)",
                        self.ae_title)
        self._spool = self.intake.spool_dir
        for stale in self._spool.glob("*.part"):
            stale.unlink(missing_ok=True)
        recovered = self.intake.folder.recover_pending(self.intake.validator)
        if any(recovered.values()):
            log.warning("intake folder after an interrupted run: %s", recovered)
        if self.durability == "strict" and self._durable is None:
            # the write-ahead spool: replay what a crash left, before listening
            self._durable = DurableIntake(self.intake)
            self._durable.open()
        for cx in StoragePresentationContexts:
            if cx.abstract_syntax is not None:     # (always set in this list)
                ae.add_supported_context(cx.abstract_syntax, self._transfer_syntaxes())
        for uid in (CT_IMAGE_STORAGE, ENHANCED_CT_IMAGE_STORAGE):
            if uid not in [c.abstract_syntax for c in ae.supported_contexts]:
                ae.add_supported_context(uid, self._transfer_syntaxes())
        ae.add_supported_context(VERIFICATION, self._transfer_syntaxes())
        # The PACS proposes itself as commitment SCP when it sends N-EVENT-REPORT.
        ae.add_supported_context(STORAGE_COMMITMENT_PUSH, self._transfer_syntaxes(),
                                 scu_role=True, scp_role=True)
        handlers: list[Any] = [     # (event, handler): pynetdicom types its events loosely
            (evt.EVT_C_ECHO, guarded(self._on_echo, failure=STATUS_PROCESSING_FAILURE,
                                     on_error=self.on_error)),
            (evt.EVT_C_STORE, guarded(self._on_store, failure=STATUS_PROCESSING_FAILURE,
                                      on_error=self.on_error)),
            (evt.EVT_N_EVENT_REPORT, guarded(self._on_event_report,
                                             failure=(STATUS_PROCESSING_FAILURE, None),
                                             on_error=self.on_error)),
            (evt.EVT_ACCEPTED, guarded(self._on_accepted, failure=None, on_error=self.on_error)),
            (evt.EVT_REJECTED, guarded(self._on_rejected, failure=None, on_error=self.on_error)),
            (evt.EVT_ABORTED, guarded(self._on_aborted, failure=None, on_error=self.on_error)),
            (evt.EVT_CONN_OPEN, guarded(self._on_open, failure=None, on_error=self.on_error)),
            (evt.EVT_CONN_CLOSE, guarded(self._on_close, failure=None, on_error=self.on_error)),
            (evt.EVT_REQUESTED, guarded(self._on_requested, failure=None,
                                        on_error=self.on_error)),
        ]
        admission = self.admission

        class _Server(NoDelayServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                return admission.admit(str(client_address[0]))

        try:
            server = ae.make_server((self.host, self.requested_port), evt_handlers=handlers,
                                    server_class=_Server)
        except OSError as exc:
            if self._durable is not None:
                self._durable.close()
                self._durable = None
            raise ScpStartError(f"The DICOM receiver cannot listen on {self.host}:"
                                f"{self.requested_port}: {exc.strerror or exc}.") from None
        assert isinstance(server, NoDelayServer)   # server_class=_Server above
        self._ae, self._server = ae, server
        ae._servers.append(server)
        self._thread = threading.Thread(target=server.serve_forever,
                                        name=f"dicom-scp-{self.ae_title}", daemon=True)
        self._thread.start()
        log.info("DICOM SCP %s listening on %s:%d", self.ae_title, self.host, self.port)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        for assoc in list(server.active_associations):
            if assoc.is_established:     # aborting one that is closing upsets pynetdicom's FSM
                assoc.abort()
        server.shutdown()          # stops serve_forever and closes the listening socket
        server.server_close()
        if self._thread is not None:
            self._thread.join(10.0)
            self._thread = None
        if self._durable is not None:
            self._durable.close()  # the spooled instances reach the intake folder
            self._durable = None
        self.intake.close()        # the last files reach the disk
        log.info("DICOM SCP %s stopped", self.ae_title)

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until the instances answered Success are in the intake folder and
        reported (strict: they are durable in the spool before their answer)."""
        durable = self._durable
        return durable.flush(timeout) if durable is not None else True

    def _transfer_syntaxes(self) -> list[str]:
        return list(self.intake.validator.transfer_syntaxes)

    # --- handlers ------------------------------------------------------------------
    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1

    def _on_echo(self, event: Any) -> int:
        self._count("echo")
        return 0x0000

    def _on_store(self, event: Any) -> int:
        req = event.request
        self.admission.activity(event.assoc, busy=True)
        try:
            return self._store(event, req)
        finally:
            self.admission.activity(event.assoc, busy=False)

    def _store(self, event: Any, req: Any) -> int:
        calling = event.assoc.requestor.ae_title
        address = f"{event.assoc.requestor.address}:{event.assoc.requestor.port}"
        source = f"dicom://{calling}@{address}"
        context = {"calling_ae": calling, "peer": address,
                   "affected_sop_instance_uid": str(req.AffectedSOPInstanceUID)}
        spool_file, path = req._dataset_file, req._dataset_path
        if path is None:                      # (streaming is always on; be safe)
            raise RuntimeError("C-STORE data set was not streamed to a file")
        path = Path(path if not isinstance(path, tuple) else path[0])
        if isinstance(spool_file, HeadBuffer):  # the whole message came in one P-DATA
            spool_file, path = self._from_memory(spool_file.getvalue())
            req._dataset_file = None
        if isinstance(spool_file, SlotFile):
            req._dataset_file = None          # pynetdicom would unlink the slot after us
            spool_file.wait_sealed()
            if spool_file.over:
                spool_file.discard()
                outcome: Outcome | None = self.intake.reject_oversize(
                    spool_file.total - spool_file.head_size, source=source, context=context)
            else:
                durable = self._durable
                assert durable is not None
                outcome = durable.ingest_spooled(
                    spool_file, source=source, context=context,
                    expect_sop=(str(req.AffectedSOPClassUID), str(req.AffectedSOPInstanceUID)),
                    on_durable=self._report)
            if outcome is None:               # durable in the spool: Success
                return 0x0000
            self._report(outcome)
            return outcome.dimse_status if isinstance(outcome, RejectedFile) else 0x0000
        if isinstance(spool_file, SpoolFile):
            spool_file.close()
            over, size = spool_file.over, spool_file.total - spool_file.head_size
        else:                                 # whole message in one P-DATA (small)
            if spool_file is not None:
                spool_file.close()
            size = path.stat().st_size
            over = size > self.intake.validator.max_bytes
        if over:
            path.unlink(missing_ok=True)
            outcome = self.intake.reject_oversize(size, source=source, context=context)
        else:
            outcome = self.intake.ingest_received(
                path, source=source, context=context,
                expect_sop=(str(req.AffectedSOPClassUID), str(req.AffectedSOPInstanceUID)),
                strict=self.durability == "strict", on_durable=self._report)
        if outcome is None:                   # group: reported when it is on disk
            return 0x0000
        self._report(outcome)
        return outcome.dimse_status if isinstance(outcome, RejectedFile) else 0x0000

    def _from_memory(self, data: bytes) -> tuple[SlotFile | None, Path]:
        """A data set that arrived whole in memory (at most one PDU) into a spool slot,
        or a plain spool file."""
        limit = self.intake.validator.max_bytes
        durable = self._durable
        try:     # pynetdicom's head: preamble, "DICM", (0002,0000) UL, the meta group
            head = 144 + struct.unpack_from("<I", data, 140)[0]
        except struct.error:
            head = 0
        slot = durable.acquire(limit + head, b"") if durable is not None else None
        if slot is not None:
            slot.write(data)
            slot.head_size = head
            slot.seal()
            return slot, Path(slot.name)
        path = self._spool / f"{time.monotonic_ns()}-{threading.get_ident()}.part"
        path.write_bytes(data)
        return None, path

    def _report(self, outcome: Outcome) -> None:
        if isinstance(outcome, RejectedFile):
            self._count("rejected")
        else:
            self._count("duplicates" if outcome.duplicate else "stored")
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    # --- admission -----------------------------------------------------------------
    def _on_open(self, event: Any) -> None:
        self.admission.opened(event.assoc, str(event.address[0]))
        make_responsive(event.assoc)          # event-driven wake-ups (dicom_reactor)
        durable = self._durable
        stream_to_spool(event.assoc, self._spool, self.intake.validator.max_bytes,
                        on_activity=functools.partial(self.admission.activity, event.assoc),
                        acquire=durable.acquire if durable is not None else None)
        if self.maximum_pdu:                  # our announced maximum + room for headers
            cap_pdu_length(event.assoc, max(self.maximum_pdu, 64 * 1024) + 64 * 1024)

    def _on_close(self, event: Any) -> None:
        self.admission.closed(event.assoc)
        msg = getattr(event.assoc.dimse, "message", None)     # cut off mid-data set
        spool = getattr(msg, "_data_set_file", None) if msg is not None else None
        if isinstance(spool, SlotFile):
            spool.discard()
        elif isinstance(spool, SpoolFile):
            spool.close()
            Path(spool.name).unlink(missing_ok=True)

    def _on_requested(self, event: Any) -> None:
        self.admission.requested(event.assoc)

    def _evicted(self, peer: str, why: str) -> None:
        self._count("evicted")
        if self.on_association is not None:
            self.on_association(AssociationEvent("evicted", "", peer, why))

    def _on_event_report(self, event: Any) -> tuple[int, None]:
        req = event.request
        if str(req.AffectedSOPClassUID) != STORAGE_COMMITMENT_PUSH:
            return 0x0118, None       # no such SOP class
        info = event.event_information
        self._count("commitment_reports")
        matched = self.commitments.deliver(info)
        log.info("storage commitment report (event type %s) for %s: %s",
                 req.EventTypeID, info.get("TransactionUID", "?"),
                 "routed" if matched else "kept (no waiter yet)")
        return 0x0000, None

    def _assoc_event(self, kind: str, event: Any, detail: str = "") -> None:
        req = event.assoc.requestor
        if self.on_association is not None:
            self.on_association(AssociationEvent(kind, req.ae_title, f"{req.address}:{req.port}",
                                                 detail))

    def _on_accepted(self, event: Any) -> None:
        self._count("associations")
        self._assoc_event("accepted", event)

    def _on_rejected(self, event: Any) -> None:
        self._count("refused")
        calling = event.assoc.requestor.ae_title
        log.warning("association from AE %r refused (calling or called AE title not "
                    "accepted)", calling)
        self._assoc_event("rejected", event, "calling AE title not in the allow-list, or "
                                             "called AE title not ours")

    def _on_aborted(self, event: Any) -> None:
        self._assoc_event("aborted", event)
