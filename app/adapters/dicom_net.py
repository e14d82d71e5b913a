"""PACS client (SCU): C-ECHO, C-STORE a series, Storage Commitment, C-FIND, C-MOVE.

One association per operation, TCP_NODELAY on its socket. Library failures become
typed :class:`PacsError` s (``dicom_transport``): refused / aborted association
(``AssociationRefused``), nothing listening (``PacsUnreachable``), no answer in time
(``PacsTimeout``), failure status (``PacsOperationFailed``).

C-STORE "Success" does not prove storage; a result is *archived* only when Storage
Commitment confirms every instance (:meth:`PacsClient.archive`). The commitment report
arrives on a new association to our SCP, which routes it through the shared
:class:`CommitmentRegistry`; the SCP must be running and known to the PACS.
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from pydicom.filereader import read_file_meta_info as dcmread_meta
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.uid import generate_uid
from pynetdicom import _config as pynetdicom_config
from pynetdicom import evt
from pynetdicom.sop_class import (StudyRootQueryRetrieveInformationModelFind,
                                  StudyRootQueryRetrieveInformationModelMove)

from app.adapters.dicom_commit import (STORAGE_COMMITMENT_INSTANCE, STORAGE_COMMITMENT_PUSH,
                                       CommitmentRegistry, CommitmentResult)
from app.core.errors import InputRejected
from app.adapters.dicom_transport import (AssociationRefused, NoDelayAE, PacsError,
                                          PacsOperationFailed, PacsTimeout, PacsUnreachable,
                                          probe_tcp)

if TYPE_CHECKING:
    from app.core.tasks import CancelToken

log = logging.getLogger(__name__)
# Send files from disk without decoding them (pynetdicom >= 2.1): faster, and a file is
# sent exactly as written (our intake files are already re-encoded by the validator).
pynetdicom_config.STORE_SEND_CHUNKED_DATASET = True
__all__ = ["PeerAddress", "PacsClient", "StoreReport", "InstanceStoreResult", "ArchiveReport",
           "MoveReport", "CommitmentRegistry", "CommitmentResult", "PacsError",
           "AssociationRefused", "PacsUnreachable", "PacsTimeout", "PacsOperationFailed"]

FIND_KEYS = {
    "STUDY": ("StudyInstanceUID", "StudyDate", "StudyTime", "StudyDescription", "PatientID",
              "PatientName", "AccessionNumber", "ModalitiesInStudy",
              "NumberOfStudyRelatedInstances"),
    "SERIES": ("StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber",
               "SeriesDescription", "SeriesDate", "NumberOfSeriesRelatedInstances"),
}


@dataclass(frozen=True)
class PeerAddress:
    host: str
    port: int
    ae_title: str

    def __str__(self) -> str:
        return f"{self.ae_title}@{self.host}:{self.port}"


@dataclass(frozen=True)
class InstanceStoreResult:
    sop_instance_uid: str
    sop_class_uid: str
    path: str
    status: int | None          # None: not sent / no response
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and (self.status == 0 or self.status >> 12 == 0xB)


@dataclass
class StoreReport:
    results: list[InstanceStoreResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def sent_ok(self) -> list[InstanceStoreResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[InstanceStoreResult]:
        return [r for r in self.results if not r.ok]


@dataclass
class ArchiveReport:
    store: StoreReport
    commitment: CommitmentResult | None

    @property
    def archived(self) -> bool:
        """True only when every file was stored *and* the PACS committed every one."""
        return (bool(self.store.results) and not self.store.failed
                and self.commitment is not None and self.commitment.all_committed)

    def per_instance(self) -> dict[str, str]:
        out = {r.sop_instance_uid: (f"store failed: {r.message}" if not r.ok else "stored")
               for r in self.store.results}
        if self.commitment is not None:
            for uid in self.commitment.committed:
                out[uid] = "committed"
            for uid, why in self.commitment.failed.items():
                out[uid] = f"commitment failed: {why}"
        return out

    def to_dict(self) -> dict:
        return {"archived": self.archived, "seconds": round(self.store.seconds, 3),
                "instances": self.per_instance(),
                "commitment": self.commitment.to_dict() if self.commitment else None}


@dataclass(frozen=True)
class MoveReport:
    completed: int
    failed: int
    warning: int
    status: int


class PacsClient:
    def __init__(self, peer: PeerAddress, *, calling_ae: str = "PHAROS_QC",
                 tcp_nodelay: bool = True, connect_timeout: float = 5.0,
                 acse_timeout: float = 10.0, dimse_timeout: float = 30.0,
                 network_timeout: float = 30.0) -> None:
        self.peer = peer
        self.calling_ae = calling_ae
        self.tcp_nodelay = tcp_nodelay
        self.timeouts = (connect_timeout, acse_timeout, dimse_timeout, network_timeout)

    # --- association -------------------------------------------------------------
    def _new_ae(self) -> NoDelayAE:
        ae = NoDelayAE(self.calling_ae, tcp_nodelay=self.tcp_nodelay)
        (ae.connection_timeout, ae.acse_timeout, ae.dimse_timeout,
         ae.network_timeout) = self.timeouts
        return ae

    @contextmanager
    def _association(self, ae: NoDelayAE, handlers: list | None = None) -> Iterator:
        assoc = ae.associate(self.peer.host, self.peer.port, ae_title=self.peer.ae_title,
                             evt_handlers=handlers or [])
        if not assoc.is_established:
            raise self._association_error(assoc)
        try:
            yield assoc
        finally:
            if assoc.is_established:
                assoc.release()

    def _association_error(self, assoc: Any) -> PacsError:
        where = f"PACS {self.peer}"
        if assoc.is_rejected:
            return AssociationRefused(f"{where} refused the association from AE "
                                      f"'{self.calling_ae}'.")
        down = probe_tcp(self.peer.host, self.peer.port, timeout=self.timeouts[0])
        if down is not None:
            return PacsUnreachable(f"{where} is not reachable: {down}.")
        if assoc.is_aborted:
            return AssociationRefused(f"{where} aborted the association from AE "
                                      f"'{self.calling_ae}' (AE title not registered?).")
        return PacsTimeout(f"{where} did not answer the association request within "
                           f"{self.timeouts[1]:.0f} s.")

    # --- services ----------------------------------------------------------------
    def echo(self) -> float:
        ae = self._new_ae()
        ae.add_requested_context("1.2.840.10008.1.1")
        t0 = time.perf_counter()
        with self._association(ae) as assoc:
            status = assoc.send_c_echo()
            self._check_status(status, "C-ECHO")
        return time.perf_counter() - t0

    def store_files(self, paths: Sequence[Path | str], *, token: CancelToken | None = None,
                    progress: Callable[[float, str], None] | None = None) -> StoreReport:
        headers = [(Path(p), *_sop_header(p)) for p in paths]
        ae = self._new_ae()
        # Files are sent as stored (no conversion): one context per (SOP class, syntax).
        for sop_class, syntax in sorted({(h[1], h[3]) for h in headers}):
            ae.add_requested_context(sop_class, syntax)
        report, t0 = StoreReport(), time.perf_counter()
        with self._association(ae) as assoc:
            for i, (path, sop_class, sop_uid, _ts) in enumerate(headers):
                if token is not None:
                    token.raise_if_cancelled()
                if not assoc.is_established:
                    report.results.append(InstanceStoreResult(sop_uid, sop_class, str(path),
                                                              None, "association lost"))
                    continue
                try:
                    status = assoc.send_c_store(path)
                except Exception as exc:  # noqa: BLE001 - no context, unreadable file, ...
                    report.results.append(InstanceStoreResult(
                        sop_uid, sop_class, str(path), None,
                        f"not sent: {type(exc).__name__}: {str(exc)[:200]}"))
                    continue
                code = int(status.Status) if "Status" in status else None
                msg = "" if code == 0 else (f"status 0x{code:04X}" if code is not None
                                            else "no response (timeout or abort)")
                report.results.append(InstanceStoreResult(sop_uid, sop_class, str(path),
                                                          code, msg))
                if progress is not None:
                    progress((i + 1) / len(headers), f"C-STORE {i + 1}/{len(headers)}")
        report.seconds = time.perf_counter() - t0
        if report.results and all(r.status is None for r in report.results):
            raise PacsTimeout(f"PACS {self.peer} answered no C-STORE request "
                              f"({len(report.results)} files).")
        return report

    def request_commitment(self, refs: list[tuple[str, str]], registry: CommitmentRegistry,
                           *, timeout: float = 30.0) -> CommitmentResult:
        """N-ACTION for (SOP class, SOP instance) pairs, then wait for the report."""
        tuid = str(generate_uid())
        info = Dataset()
        info.TransactionUID = tuid
        info.ReferencedSOPSequence = []
        for sop_class, sop_uid in refs:
            item = Dataset()
            item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = sop_class, sop_uid
            info.ReferencedSOPSequence.append(item)
        ae = self._new_ae()
        ae.add_requested_context(STORAGE_COMMITMENT_PUSH)
        registry.expect(tuid, [uid for _, uid in refs])
        same_assoc = [(evt.EVT_N_EVENT_REPORT, _report_handler(registry))]
        try:
            with self._association(ae, same_assoc) as assoc:
                status, _ = assoc.send_n_action(info, 1, STORAGE_COMMITMENT_PUSH,
                                                STORAGE_COMMITMENT_INSTANCE)
                self._check_status(status, "Storage Commitment N-ACTION")
        except BaseException:
            registry.cancel(tuid)
            raise
        result = registry.wait(tuid, timeout)
        if result is None:
            raise PacsTimeout(f"PACS {self.peer} sent no storage commitment report within "
                              f"{timeout:.0f} s (transaction {tuid}); is this station's SCP "
                              "running and registered in the PACS?")
        return result

    def archive(self, paths: list[Path | str], registry: CommitmentRegistry, *,
                commit_timeout: float = 30.0, token: CancelToken | None = None,
                progress: Callable[[float, str], None] | None = None) -> ArchiveReport:
        store = self.store_files(paths, token=token, progress=progress)
        refs = [(r.sop_class_uid, r.sop_instance_uid) for r in store.sent_ok]
        commitment = (self.request_commitment(refs, registry, timeout=commit_timeout)
                      if refs else None)
        return ArchiveReport(store, commitment)

    def find(self, level: str = "SERIES", **keys: str) -> list[dict]:
        level = level.upper()
        if level not in FIND_KEYS:
            raise ValueError(f"query level must be one of {', '.join(FIND_KEYS)}")
        query = Dataset()
        query.QueryRetrieveLevel = level
        for kw in FIND_KEYS[level]:
            setattr(query, kw, keys.get(kw, ""))
        for kw, value in keys.items():
            setattr(query, kw, value)
        ae = self._new_ae()
        ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
        matches = []
        with self._association(ae) as assoc:
            for status, ident in assoc.send_c_find(query, StudyRootQueryRetrieveInformationModelFind):
                code = self._check_status(status, "C-FIND")
                if code in (0xFF00, 0xFF01) and ident is not None:
                    matches.append({kw: _plain(ident.get(kw)) for kw in FIND_KEYS[level]
                                    if kw in ident})
        return matches

    def move(self, destination_ae: str, level: str = "SERIES", **keys: str) -> MoveReport:
        query = Dataset()
        query.QueryRetrieveLevel = level.upper()
        for kw, value in keys.items():
            setattr(query, kw, value)
        ae = self._new_ae()
        ae.add_requested_context(StudyRootQueryRetrieveInformationModelMove)
        last = None
        with self._association(ae) as assoc:
            for status, _ in assoc.send_c_move(query, destination_ae,
                                               StudyRootQueryRetrieveInformationModelMove):
                code = self._check_status(status, f"C-MOVE (destination {destination_ae})")
                last = (code, status)
        if last is None:
            raise PacsTimeout(f"PACS {self.peer} sent no C-MOVE response.")
        code, status = last
        return MoveReport(int(status.get("NumberOfCompletedSuboperations", 0) or 0),
                          int(status.get("NumberOfFailedSuboperations", 0) or 0),
                          int(status.get("NumberOfWarningSuboperations", 0) or 0), code)

    def _check_status(self, status: Dataset, what: str, *, allow_warning: bool = True) -> int:
        if "Status" not in status:
            raise PacsTimeout(f"PACS {self.peer}: no {what} response (timeout or aborted).")
        code = int(status.Status)
        if code == 0 or code in (0xFF00, 0xFF01) or (allow_warning and code >> 12 == 0xB):
            return code
        text = {0xA801: "move destination unknown to the PACS (register this AE title)",
                0xA700: "PACS out of resources", 0xA900: "identifier does not match SOP class",
                0xC000: "PACS cannot process the request", 0x0122: "SOP class not supported"
                }.get(code, "failure")
        raise PacsOperationFailed(f"{what} to PACS {self.peer} failed: {text} "
                                  f"(status 0x{code:04X}).", detail=str(status.get("ErrorComment", "")))


def _report_handler(registry: CommitmentRegistry) -> Callable[[Any], tuple[int, None]]:
    def on_report(event: Any) -> tuple[int, None]:
        try:
            registry.deliver(event.event_information)
            return 0x0000, None
        except Exception:  # noqa: BLE001 - reported via log; peer gets a failure
            log.exception("storage commitment report on the N-ACTION association failed")
            return 0x0110, None
    return on_report


def _sop_header(path: Path | str) -> tuple[str, str, str]:
    """(SOP class, SOP instance, transfer syntax) from the file meta (fast, no dataset)."""
    try:
        meta = dcmread_meta(path)
        return (str(meta.MediaStorageSOPClassUID), str(meta.MediaStorageSOPInstanceUID),
                str(meta.TransferSyntaxUID))
    except Exception as exc:  # noqa: BLE001 - a file we cannot send is an input error
        raise InputRejected(f"{path}: not a DICOM Part 10 file with file meta ({exc}).",
                            remedy="Archive files from the station's intake folder.") from None


def _plain(value):  # noqa: ANN001, ANN202
    if value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, MultiValue):
        return [str(v) for v in value]
    return str(value)           # PersonName, UID, ...
