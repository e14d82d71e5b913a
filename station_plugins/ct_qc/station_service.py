"""The CT QC station's service (Qt-free): the DICOM intake and the analysis queue.

The plugin owns one :class:`CtQcService` (built from its StationContext, stopped by its
``shutdown``); the panel subscribes to it and ``pharos qc listen`` drives it: one way to
take a series from the scanner to a stored result::

    receiver / watched folder / import -> IntakeService (validation, quarantine, assembly)
      -> series complete -> SeriesEntry -> queue (automatic or an operator's "Analyse")
      -> intake_jobs.analyse_job in the task pool (baseline, physics, record, AI hand-off)

Subscribers (:meth:`CtQcService.subscribe`) are called with a :class:`ServiceEvent` on the
thread that produced it (network, poller or pool thread): a GUI marshals them to its own
thread (``ui_service.ServiceAdapter``), the CLI prints them. Event kinds: every
:class:`~station_plugins.ct_qc.intake_service.IntakeEvent` kind of the intake, plus

* ``series_ready`` (data: SeriesEntry) - a series is complete and listed,
* ``queued`` / ``analysing`` (data: series UID), ``progress`` (data: (uid, fraction, text)),
* ``analysed`` (data: workflow.AnalysisOutcome), ``analysis_failed`` (data: (SeriesEntry,
  exception)), ``analysis_cancelled`` (data: SeriesEntry),
* ``waiting`` (data: series UID) - complete, but nobody allowed to analyse is logged in:
  it waits (listed as received) until :meth:`queue_waiting`,
* ``unchanged`` (data: :class:`~station_plugins.ct_qc.intake_audit.Unchanged`) - a
  series completed again with no instance new to the intake folder (a re-import, a
  resend) and the store already holds its result over the same images: that result
  stands, nothing is analysed or stored again (an operator's explicit "Analyse" still
  is); the audit trail records the decision.

A ``rejected`` event for a UID conflict (a stored SOP Instance UID with other content) is
audited too (``ct_qc.uid_conflict``): the first copy is never replaced.
"""
from __future__ import annotations

import collections
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from app.core.errors import Cancelled, PharosError
from app.core.ids import utc_iso
from app.ct.analysis.rings import geometry_from_settings
from app.ct.limits import resolve_profile
from station_plugins.ct_qc.intake_audit import (Unchanged, audit_conflict, audit_unchanged,
                                                stored_result_of_same_images)
from station_plugins.ct_qc.intake_jobs import analyse_job
from station_plugins.ct_qc.intake_service import IntakeEvent, IntakeService, IntakeSettings
from station_plugins.ct_qc.review_link import ReviewLink
from station_plugins.ct_qc.workflow import AnalysisOutcome, SeriesEntry, entry_from_info

log = logging.getLogger(__name__)
ServiceEvent = IntakeEvent          # kind, text, ts_utc, data
Listener = Callable[[ServiceEvent], None]
MAX_KNOWN = 500                     # series the service remembers (newest)

# [stations.ct_qc] keys that override the [pacs] receiver settings -> IntakeSettings field
_OVERRIDES = {"scp_ae_title": "ae_title", "scp_port": "port", "scp_host": "host",
              "allowed_calling_aes": "allowed_calling_aes", "series_settle_s": "settle_s",
              "peer_host": "peer_host", "peer_port": "peer_port",
              "peer_ae_title": "peer_ae_title", "poll_s": "poll_s"}


def intake_settings(pacs: Mapping[str, Any], station: Mapping[str, Any], *, demo: bool,
                    **overrides: Any) -> IntakeSettings:
    """``[pacs]``, then the station's own keys, then ``overrides`` (CLI flags; None = not
    given): the one place the receiver's settings are resolved, for panel and CLI."""
    settings = IntakeSettings.from_config(pacs, station, demo=demo)
    over = {field: station[key] for key, field in _OVERRIDES.items()
            if station.get(key) is not None}
    over.update({k: v for k, v in overrides.items() if v is not None})
    if "allowed_calling_aes" in over:
        over["allowed_calling_aes"] = tuple(over["allowed_calling_aes"])
    return replace(settings, **over)


@dataclass(frozen=True)
class AnalysisOptions:
    """How a series is analysed: phantom ("auto" = detected), limit profile (a name,
    "auto" = by the phantom, None = no limits) and the scanner's signed baseline."""

    phantom: str = "auto"
    profile: Any = "auto"
    use_baseline: bool = True


@dataclass
class _Job:
    entry: SeriesEntry
    username: str
    options: AnalysisOptions
    loaded: Any = None
    handle: Any = None


class CtQcService:
    """Intake (receiver, folder watch, imports) + a FIFO analysis queue (one at a time)."""

    def __init__(self, data_dir: Path | str, settings: IntakeSettings, *, tasks: Any,
                 store: Any = None, review: Any = None,
                 station_settings: Mapping[str, Any] | None = None,
                 operator: Callable[[], str | None] = lambda: None,
                 auto: AnalysisOptions | None = AnalysisOptions(), audit: Any = None) -> None:
        self.intake = IntakeService(data_dir, settings, on_event=self._on_intake_event,
                                    on_series_complete=self._on_series_complete)
        self.tasks, self.store, self.review, self.audit = tasks, store, review, audit
        self.station_settings = dict(station_settings or {})
        # who analyses a series queued automatically (None: nobody may; it waits)
        self.operator = operator
        self.auto = auto                    # None: assemble only
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._pending: collections.deque[_Job] = collections.deque()
        self._current: _Job | None = None
        self._waiting: list[str] = []
        self._known: collections.OrderedDict[str, tuple[SeriesEntry, str]] = \
            collections.OrderedDict()
        self._closed = False

    @classmethod
    def from_context(cls, ctx: Any, *, data_dir: Path | str | None = None,
                     **intake_overrides: Any) -> "CtQcService":
        """The station's service on its StationContext: store, AI hand-off, task pool,
        receiver settings from ``[pacs]`` + ``[stations.ct_qc]`` (+ CLI overrides)."""
        pacs = ctx.config.section("pacs") if hasattr(ctx.config, "section") else {}
        settings = intake_settings(pacs, ctx.settings, demo=bool(getattr(ctx.config, "demo",
                                                                          False)),
                                   **intake_overrides)
        s = ctx.settings
        auto = (AnalysisOptions(profile=s.get("profile") or "auto",
                                use_baseline=bool(s.get("use_baseline", True)))
                if s.get("auto_analyse", True) else None)

        def operator() -> str | None:
            user = ctx.user
            if user is None:
                return None
            try:
                ctx.require("analyse")
            except PharosError:
                return None
            return str(user.username)

        return cls(data_dir or ctx.data_dir, settings, tasks=ctx.tasks, store=ctx.store,
                   review=ReviewLink.from_ctx(ctx), station_settings=ctx.settings,
                   operator=operator, auto=auto, audit=getattr(ctx, "audit", None))

    # --- subscribers -----------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every event (any thread); returns unsubscribe."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def _emit(self, kind: str, text: str, data: Any = None) -> None:
        self._dispatch(ServiceEvent(kind, text, utc_iso(), data))

    def _dispatch(self, event: ServiceEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(event)
            except Exception:  # noqa: BLE001 - a listener must not break intake or queue
                log.exception("CT QC service listener failed on %s", event.kind)

    # --- lifecycle ---------------------------------------------------------------------
    @property
    def receiving(self) -> bool:
        return self.intake.running and self.intake.scp_port is not None

    def start_receiving(self) -> None:
        """Start the DICOM receiver (+ watched folder, poller). ScpStartError when the port
        cannot be bound."""
        self.intake.start()

    def stop_receiving(self) -> None:
        self.intake.stop()

    @property
    def busy(self) -> bool:
        """An analysis runs or waits in the queue (closing now would drop it)."""
        with self._lock:
            return self._current is not None or bool(self._pending)

    def shutdown(self) -> None:
        """Idempotent: stop the receiver, drop the queue, cancel the running analysis."""
        with self._lock:
            self._closed = True
            self._pending.clear()
            job = self._current
        if job is not None and job.handle is not None:
            job.handle.cancel()
        self.intake.stop()

    # --- series ------------------------------------------------------------------------
    def known_series(self) -> list[tuple[SeriesEntry, str]]:
        """(entry, state) of the series this service assembled, oldest first; state:
        received / waiting / queued / analysing / analysed / error."""
        with self._lock:
            return list(self._known.values())

    def _remember(self, entry: SeriesEntry, state: str) -> None:
        with self._lock:
            self._known[entry.series_uid] = (entry, state)
            self._known.move_to_end(entry.series_uid)
            while len(self._known) > MAX_KNOWN:
                self._known.popitem(last=False)

    def _set_state(self, uid: str, state: str) -> None:
        with self._lock:
            if uid in self._known:
                self._known[uid] = (self._known[uid][0], state)

    # --- the queue ---------------------------------------------------------------------
    @property
    def analysing(self) -> str | None:
        with self._lock:
            return self._current.entry.series_uid if self._current is not None else None

    def pending(self) -> list[str]:
        with self._lock:
            return [j.entry.series_uid for j in self._pending]

    def queue(self, entry: SeriesEntry, username: str, options: AnalysisOptions | None = None,
              *, front: bool = False, loaded: Any = None) -> bool:
        """Queue ``entry`` for analysis as ``username`` (False: it already is)."""
        uid = entry.series_uid
        with self._lock:
            if self._closed:
                return False
            if uid == self.analysing or uid in self.pending():
                return False
            if uid in self._waiting:
                self._waiting.remove(uid)
            job = _Job(entry, username, options or self.auto or AnalysisOptions(), loaded)
            (self._pending.appendleft if front else self._pending.append)(job)
            if uid in self._known:
                self._set_state(uid, "queued")
        self._emit("queued", f"series {uid} queued for analysis", uid)
        self._start_next()
        return True

    def queue_waiting(self) -> int:
        """Queue the series that waited for someone allowed to analyse (now logged in)."""
        username = self.operator()
        if username is None:
            return 0
        with self._lock:
            waiting, self._waiting = list(self._waiting), []
            entries = [self._known[u][0] for u in waiting if u in self._known]
        return sum(self.queue(e, username) for e in entries)

    def cancel_current(self) -> None:
        with self._lock:
            job = self._current
        if job is not None and job.handle is not None:
            job.handle.cancel()

    def _start_next(self) -> None:
        with self._lock:
            if self._current is not None or not self._pending or self._closed:
                return
            job = self._current = self._pending.popleft()
            self._set_state(job.entry.series_uid, "analysing")
        uid = job.entry.series_uid
        self._emit("analysing", f"analysing series {uid}", uid)
        try:
            handle = self.tasks.submit(
                self._analyse, job, key=None,     # the queue itself runs one at a time
                on_progress=lambda f, text: self._emit("progress", text, (uid, f, text)),
                on_done=lambda fut: self._done(job, fut))
        except RuntimeError as exc:         # the task pool is shut down (closing)
            self._finish(job, "analysis_failed", exc)
            return
        with self._lock:
            job.handle = handle
            if self._current is not job:    # it finished before submit returned
                return
        if self._closed:
            handle.cancel()

    def _analyse(self, job: _Job, *, token: Any, progress: Any) -> AnalysisOutcome:
        profile = job.options.profile
        if profile == "auto":
            def profile(phantom: str) -> Any:  # chosen once the phantom is known
                return resolve_profile("auto", phantom)
        return analyse_job(job.entry, job.loaded, self.store, job.username,
                           phantom=job.options.phantom, profile=profile,
                           review=self.review if self.store is not None else None,
                           use_baseline=job.options.use_baseline,
                           geometry=geometry_from_settings(self.station_settings),
                           token=token, progress=progress)

    def _done(self, job: _Job, fut: Any) -> None:
        exc = None if fut.cancelled() else fut.exception()
        if fut.cancelled() or isinstance(exc, Cancelled):
            self._finish(job, "analysis_cancelled", None)
        elif exc is not None:
            self._finish(job, "analysis_failed", exc)
        else:
            self._finish(job, "analysed", fut.result())

    def _finish(self, job: _Job, kind: str, value: Any) -> None:
        uid = job.entry.series_uid
        with self._lock:
            if self._current is job:
                self._current = None
            self._set_state(uid, {"analysed": "analysed", "analysis_failed": "error"}.get(
                kind, "received"))
        if kind == "analysed":
            self._emit(kind, f"series {uid}: {value.result.verdict.value}", value)
        elif kind == "analysis_failed":
            why = value.message if isinstance(value, PharosError) else \
                f"{type(value).__name__}: {value}"
            self._emit(kind, f"series {uid}: analysis failed: {why}", (job.entry, value))
        else:
            self._emit(kind, f"series {uid}: analysis cancelled", job.entry)
        self._start_next()

    # --- intake callbacks (network / poller / pool threads) -------------------------------
    def _on_intake_event(self, event: IntakeEvent) -> None:
        if event.kind == "rejected" and getattr(event.data, "reason", "") == "uid_conflict":
            audit_conflict(self.audit, self.operator() or "", event.data)
        self._dispatch(event)          # errors of the intake arrive as "error" events

    def _unchanged(self, entry: SeriesEntry, row: Any) -> None:
        self._remember(entry, "analysed")
        unchanged = Unchanged(entry, row.id, str(row.verdict or ""), row.created_utc)
        log.info(unchanged.text())
        audit_unchanged(self.audit, self.operator() or "", unchanged)
        self._emit("unchanged", unchanged.text(), unchanged)

    def _on_series_complete(self, info: Any) -> None:
        entry = entry_from_info(info)        # the header read happens here, not on the GUI
        row = stored_result_of_same_images(self.store, info)
        if row is not None:
            self._unchanged(entry, row)
            return
        self._remember(entry, "received")
        self._emit("series_ready", f"series {entry.series_uid} ready", entry)
        if self.auto is None:
            return
        username = self.operator()
        if username is None:
            with self._lock:
                if entry.series_uid not in self._waiting:
                    self._waiting.append(entry.series_uid)
                self._set_state(entry.series_uid, "waiting")
            self._emit("waiting", f"series {entry.series_uid} waits for a login to be "
                       "analysed", entry.series_uid)
            return
        self.queue(entry, username, self.auto)
