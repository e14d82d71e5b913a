"""The CT QC intake service (Qt-free): DICOM receiver + folder import + watched folder
-> validation/quarantine -> series assembly -> callbacks; plus PACS archive/retrieve.

The panel owns one service, sets the callbacks (it turns them into queued signals:
they are called from network / poller threads, never the GUI thread) and calls
``start()`` / ``stop()``. The CLI ``pharos qc listen`` uses the same class.

Folders: ``<data_dir>/intake/<Study>/<Series>/<SOP>.dcm`` (re-encoded, accepted files),
``<data_dir>/quarantine/<YYYY-MM-DD>/<sha256>.dcm|.json`` (rejected originals + reason).
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from app.core.ids import utc_iso
from app.core.tasks import CancelToken, Progress
from station_plugins.ct_qc.intake import SeriesAssembler, SeriesInfo, SeriesState

if TYPE_CHECKING:
    from app.adapters.dicom_files import FolderWatcher, ImportReport
    from app.adapters.dicom_net import ArchiveReport, MoveReport, PacsClient
    from app.adapters.dicom_scp import DicomStorageScp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeSettings:
    ae_title: str = "PHAROS_QC"
    port: int = 11112                     # 0: any free port (tests)
    host: str = "127.0.0.1"
    # calling AEs allowed to send (the PACS peer always is; in demo mode the built-in
    # scanner SIMSCAN too); "*" = any AE (an explicit, logged choice)
    allowed_calling_aes: tuple[str, ...] = ()
    max_file_mb: float = 64.0
    settle_s: float = 5.0
    watch_folder: str = ""
    watch_debounce_s: float = 2.0
    poll_s: float = 0.5
    tcp_nodelay: bool = True
    allow_enhanced_ct: bool = False
    peer_host: str = "127.0.0.1"
    peer_port: int = 4242
    peer_ae_title: str = "ORTHANC"
    demo: bool = False
    acse_timeout_s: float = 5.0          # a socket must ask for an association in time
    idle_timeout_s: float = 20.0         # an idle association is released
    max_associations_per_peer: int = 8
    max_associations: int = 32
    quarantine_quota_mb: float = 2048.0
    durability: str = "strict"           # strict: answer after fsync; group: before

    @property
    def calling_aes(self) -> tuple[str, ...]:
        """The effective calling-AE allow-list of the receiver."""
        if "*" in self.allowed_calling_aes:
            return ("*",)
        aes = dict.fromkeys(a for a in self.allowed_calling_aes if a)
        aes.setdefault(self.peer_ae_title)
        if self.demo:
            aes.setdefault("SIMSCAN")
        return tuple(aes)

    @classmethod
    def from_config(cls, pacs: Mapping[str, Any], station: Mapping[str, Any] | None = None,
                    *, demo: bool = False) -> "IntakeSettings":
        """From the ``[pacs]`` section (+ optional ``[stations.ct_qc]`` overrides)."""
        station = dict(station or {})
        extra = {k: pacs[k] for k in ("acse_timeout_s", "idle_timeout_s",
                                      "max_associations_per_peer", "max_associations",
                                      "quarantine_quota_mb", "durability") if k in pacs}
        return cls(demo=demo, **extra, ae_title=pacs.get("scp_ae_title", cls.ae_title),
                   port=int(pacs.get("scp_port", cls.port)),
                   host=str(station.get("scp_host", cls.host)),
                   allowed_calling_aes=tuple(pacs.get("allowed_calling_aes", ())),
                   max_file_mb=float(pacs.get("max_file_mb", cls.max_file_mb)),
                   settle_s=float(pacs.get("series_settle_s", cls.settle_s)),
                   watch_folder=str(pacs.get("watch_folder", "")),
                   allow_enhanced_ct=bool(station.get("allow_enhanced_ct", False)),
                   peer_host=pacs.get("peer_host", cls.peer_host),
                   peer_port=int(pacs.get("peer_port", cls.peer_port)),
                   peer_ae_title=pacs.get("peer_ae_title", cls.peer_ae_title))


@dataclass(frozen=True)
class IntakeEvent:
    kind: str        # stored / duplicate / rejected / series_complete / association / error
    text: str        # one line for a log or status bar
    ts_utc: str
    data: Any = None


class IntakeService:
    def __init__(self, data_dir: Path | str, settings: IntakeSettings = IntakeSettings(), *,
                 clock: Callable[[], float] = time.monotonic,
                 on_event: Callable[[IntakeEvent], None] | None = None,
                 on_series_complete: Callable[[SeriesInfo], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        from app.adapters.dicom_commit import CommitmentRegistry
        from app.adapters.dicom_files import FileIntake, IntakeFolder
        from app.adapters.dicom_validate import DicomValidator, Quarantine

        self.settings = settings
        self.data_dir = Path(data_dir)
        self.intake_dir = self.data_dir / "intake"
        self.quarantine_dir = self.data_dir / "quarantine"
        self.on_event = on_event
        self.on_series_complete = on_series_complete
        self.on_error = on_error
        validator = DicomValidator(max_bytes=int(settings.max_file_mb * 1024 * 1024),
                                   allow_enhanced_ct=settings.allow_enhanced_ct)
        quarantine = Quarantine(self.quarantine_dir,
                                quota_bytes=int(settings.quarantine_quota_mb * 1024 * 1024),
                                on_alarm=lambda text: self._emit("alarm", text))
        self.files = FileIntake(validator, quarantine, IntakeFolder(self.intake_dir))
        self.assembler = SeriesAssembler(settle_s=settings.settle_s, clock=clock,
                                         on_series_complete=self._series_complete,
                                         on_error=self._error)
        self.commitments = CommitmentRegistry()
        self._rejected: collections.deque = collections.deque(maxlen=1000)
        self._scp: DicomStorageScp | None = None
        self._watcher: FolderWatcher | None = None
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._poller is not None

    @property
    def scp_port(self) -> int | None:
        return self._scp.port if self._scp is not None else None

    def start(self, *, scp: bool = True) -> "IntakeService":
        """Start the receiver (unless ``scp=False``), the watched folder and the poller.
        Raises ScpStartError (a DeviceError) when the port cannot be bound."""
        from app.adapters.dicom_files import FolderWatcher
        from app.adapters.dicom_scp import DicomStorageScp

        if self.running:
            return self
        s = self.settings
        if scp:
            self._scp = DicomStorageScp(
                self.files, ae_title=s.ae_title, port=s.port, host=s.host,
                allowed_calling_aes=s.calling_aes, on_outcome=self._outcome,
                on_association=self._association, on_error=self._error,
                commitments=self.commitments, tcp_nodelay=s.tcp_nodelay,
                acse_timeout=s.acse_timeout_s, network_timeout=s.idle_timeout_s,
                max_per_peer=s.max_associations_per_peer, max_connections=s.max_associations,
                durability=s.durability).start()
            self._emit("listening", f"DICOM receiver {s.ae_title} listening on "
                       f"{s.host}:{self._scp.port}", {"port": self._scp.port})
        if s.watch_folder:
            Path(s.watch_folder).mkdir(parents=True, exist_ok=True)
            self._watcher = FolderWatcher(s.watch_folder, self.files, self._outcome,
                                          poll_s=s.poll_s, debounce_s=s.watch_debounce_s)
            self._watcher.start()
            self._emit("watching", f"watching folder {s.watch_folder}")
        self._stop.clear()
        self._poller = threading.Thread(target=self._poll_loop, name="ct-qc-intake-poll",
                                        daemon=True)
        self._poller.start()
        return self

    def stop(self) -> None:
        """Idempotent. Stops the poller, the watcher and the receiver."""
        self._stop.set()
        if self._poller is not None:
            self._poller.join(5.0)
            self._poller = None
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._scp is not None:
            self._scp.stop()
            self._scp = None

    def _poll_loop(self) -> None:
        while not self._stop.wait(self.settings.poll_s):
            try:
                self.assembler.poll()
            except Exception as exc:  # noqa: BLE001 - report, keep polling
                self._error(exc)

    # --- operator actions ------------------------------------------------------------
    def import_folder(self, folder: Path | str, *, token: CancelToken | None = None,
                      progress: Progress | None = None) -> ImportReport:
        """Validate and store every file below ``folder`` (blocking: run it in the pool)."""
        return self.files.import_folder(folder, token=token, progress=progress,
                                        on_outcome=self._outcome)

    def import_paths(self, paths: list[Path | str]) -> None:
        """Files and/or folders, each validated and stored (blocking)."""
        for path in map(Path, paths):
            if path.is_dir():
                self.import_folder(path)
            else:
                self.ingest(path)

    def ingest(self, path: Path | str) -> Any:
        """One file, validated and stored (or quarantined) and reported like a received
        one; returns the outcome (a stored instance or a RejectedFile). Blocking."""
        outcome = self.files.ingest_file(Path(path))
        self._outcome(outcome)
        return outcome

    def analyse(self, series_uid: str) -> SeriesInfo:
        """Complete a series now (explicit "analyse"); fires on_series_complete."""
        return self.assembler.analyse(series_uid)

    def series_states(self) -> list[SeriesState]:
        return self.assembler.states()

    def rejected_files(self) -> list:
        """Recent rejections (newest last): RejectedFile with reason, code, quarantine path."""
        return list(self._rejected)

    # --- PACS ------------------------------------------------------------------------
    def pacs_client(self) -> PacsClient:
        from app.adapters.dicom_net import PacsClient, PeerAddress

        s = self.settings
        return PacsClient(PeerAddress(s.peer_host, s.peer_port, s.peer_ae_title),
                          calling_ae=s.ae_title, tcp_nodelay=s.tcp_nodelay)

    def archive(self, info: SeriesInfo, *, commit_timeout: float = 30.0,
                token: CancelToken | None = None, progress: Progress | None = None) -> ArchiveReport:
        """C-STORE the series to the PACS and wait for Storage Commitment (blocking).
        ``report.archived`` is True only when every instance was committed. The receiver
        must be running: the PACS sends the commitment report to it."""
        if self._scp is None:
            from app.adapters.dicom_transport import PacsError
            raise PacsError("Archiving needs the station's DICOM receiver running (the "
                            "PACS reports storage commitment to it).",
                            remedy="Start the receiver, then archive again.")
        report = self.pacs_client().archive(list(info.paths), self.commitments,
                                            commit_timeout=commit_timeout, token=token,
                                            progress=progress)
        self._emit("archived" if report.archived else "archive_incomplete",
                   f"series {info.series_instance_uid}: "
                   f"{'archived (all committed)' if report.archived else 'NOT archived'}",
                   report)
        return report

    def query(self, level: str = "SERIES", **keys: str) -> list[dict]:
        return self.pacs_client().find(level, **keys)

    def retrieve(self, study_uid: str, series_uid: str | None = None) -> MoveReport:
        """C-MOVE from the PACS to this station's receiver; the instances arrive through
        the normal intake path (validated, assembled)."""
        keys = {"StudyInstanceUID": study_uid}
        if series_uid:
            keys["SeriesInstanceUID"] = series_uid
        level = "SERIES" if series_uid else "STUDY"
        report = self.pacs_client().move(self.settings.ae_title, level, **keys)
        self.flush()          # every instance answered Success is in the intake folder
        return report

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until every instance the receiver has answered Success is stored in the
        intake folder and reported (it is durable in the receiver's spool before)."""
        return self._scp.flush(timeout) if self._scp is not None else True

    # --- callbacks from adapters (network / poller threads) ---------------------------
    def _outcome(self, outcome: Any) -> None:
        from app.adapters.dicom_files import RejectedFile

        if isinstance(outcome, RejectedFile):
            self._rejected.append(outcome)
            self._emit("rejected", f"REJECTED {outcome.source}: {outcome.message} "
                       f"[{outcome.code}] -> {outcome.quarantine_path or 'not kept'}", outcome)
            return
        added = self.assembler.add(outcome)
        kind = "stored" if added else "duplicate"
        self._emit(kind, f"{kind} {outcome.sop_instance_uid} (series "
                   f"{outcome.series_instance_uid}) from {outcome.source}", outcome)

    def _association(self, event: Any) -> None:
        self._emit("association", f"association {event.kind}: {event.calling_ae} "
                   f"{event.address} {event.detail}".rstrip(), event)

    def _series_complete(self, info: SeriesInfo) -> None:
        self._emit("series_complete", f"series {info.series_instance_uid} complete: "
                   f"{info.instance_count} instances ({info.completed_by}, revision "
                   f"{info.revision})", info)
        if self.on_series_complete is not None:
            self.on_series_complete(info)

    def _error(self, exc: BaseException) -> None:
        self._emit("error", f"error: {type(exc).__name__}: {exc}", exc)
        if self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:  # noqa: BLE001
                log.exception("intake error listener failed")

    def _emit(self, kind: str, text: str, data: Any = None) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(IntakeEvent(kind, text, utc_iso(), data))
        except Exception:  # noqa: BLE001 - a listener must not break the intake
            log.exception("intake event listener failed")
