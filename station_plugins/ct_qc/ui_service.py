"""The CT QC service seen from the GUI thread.

:class:`ServiceAdapter` subscribes to the plugin's :class:`CtQcService` (whose events
come from network, poller and pool threads) and re-emits them as queued Qt signals, so
widgets change only on the GUI thread. For the analysis queue it offers the
TaskController face a :class:`~widgets.progress_bar.TaskProgressBar` attaches to
(``sig_started/progress/finished/failed/cancelled``, ``running``, ``cancel()``).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot


class ServiceAdapter(QObject):
    sig_event = Signal(object)              # every ServiceEvent (GUI thread)
    sig_series_ready = Signal(object)       # SeriesEntry of a complete series
    sig_unchanged = Signal(object)          # station_service.Unchanged (its result stands)
    sig_queued = Signal(str)                # series UID
    sig_analysing = Signal(str)             # series UID
    sig_analysed = Signal(object)           # workflow.AnalysisOutcome
    sig_analysis_failed = Signal(object, object)   # SeriesEntry, exception
    sig_analysis_cancelled = Signal(object)         # SeriesEntry
    # the TaskController face (widgets.progress_bar.TaskProgressBar)
    sig_started = Signal()
    sig_progress = Signal(float, str)
    sig_finished = Signal(object)
    sig_failed = Signal(object)
    sig_cancelled = Signal()
    _sig_raw = Signal(object)

    def __init__(self, service: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._sig_raw.connect(self._on_raw, Qt.ConnectionType.QueuedConnection)
        emit = self._sig_raw.emit

        def forward(event: Any) -> None:       # any thread
            try:
                emit(event)
            except RuntimeError:               # this view was deleted (log-out)
                self._unsubscribe()
        self._unsubscribe = service.subscribe(forward)

    def detach(self) -> None:
        """Stop listening (idempotent); the service goes on without this view."""
        self._unsubscribe()

    # --- TaskController face -------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.service.analysing is not None

    def cancel(self, silent: bool = False) -> None:  # noqa: ARG002 - TaskController API
        self.service.cancel_current()

    @Slot(object)
    def _on_raw(self, event: Any) -> None:
        kind, data = event.kind, event.data
        self.sig_event.emit(event)
        if kind == "series_ready":
            self.sig_series_ready.emit(data)
        elif kind == "unchanged":
            self.sig_unchanged.emit(data)
        elif kind == "queued":
            self.sig_queued.emit(data)
        elif kind == "analysing":
            self.sig_analysing.emit(data)
            self.sig_started.emit()
        elif kind == "progress":
            self.sig_progress.emit(float(data[1]), str(data[2]))
        elif kind == "analysed":
            self.sig_finished.emit(data)
            self.sig_analysed.emit(data)
        elif kind == "analysis_failed":
            self.sig_failed.emit(data[1])
            self.sig_analysis_failed.emit(*data)
        elif kind == "analysis_cancelled":
            self.sig_cancelled.emit()
            self.sig_analysis_cancelled.emit(data)
