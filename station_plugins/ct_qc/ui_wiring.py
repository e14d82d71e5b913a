"""The intake controls of the CT QC panel: receive on/off with the PACS status light,
folder import and simulated series through the station service's intake (validation +
quarantine), the demo scanner, the rejected-files table and the activity log.

:class:`IntakeController` is given everything it touches in its constructor; it tells the
panel about failures with ``sig_failed`` and about a new rejected file with
``sig_rejected``. The series list and the analysis queue are the panel's (it listens to
the same :class:`~station_plugins.ct_qc.ui_service.ServiceAdapter`).
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.errors import PharosError
from app.core.ids import new_id
from widgets.error_words import message_text
from widgets.message_bar import MessageBar
from widgets.tasks import TaskController

from station_plugins.ct_qc import intake_jobs
from station_plugins.ct_qc.ui_intake import ActivityLog, IntakeBar, RejectedTable
from station_plugins.ct_qc.ui_service import ServiceAdapter

_demo_counter = itertools.count()     # demo series in turn, over every panel of the session


class IntakeController(QObject):
    sig_failed = Signal(object)       # an exception to show (import / demo push / intake)
    sig_rejected = Signal()           # a file was rejected (the tab title counts them)

    def __init__(self, ctx: Any, adapter: ServiceAdapter, *, bar: IntakeBar,
                 messages: MessageBar, activity: ActivityLog, rejected: RejectedTable,
                 io: TaskController, demo: TaskController, allowed: Callable[[str], bool],
                 dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.ctx, self.adapter, self.service = ctx, adapter, adapter.service
        self.bar, self.messages, self.activity, self.rejected = bar, messages, activity, rejected
        self.io, self.demo, self._allowed, self._dialog_parent = io, demo, allowed, dialog_parent
        adapter.sig_event.connect(self._on_event)
        bar.receive_button.toggled.connect(self.set_receiving)
        bar.import_button.clicked.connect(self._choose_folder)
        bar.simulate_button.clicked.connect(lambda: self.simulate_series())
        bar.demo_button.clicked.connect(self.push_demo_series)
        io.sig_finished.connect(self._on_import_done)
        io.sig_failed.connect(self.sig_failed)
        demo.sig_finished.connect(self._on_demo_pushed)
        demo.sig_failed.connect(self.sig_failed)
        self._show_receiver_state()

    # --- receiver ------------------------------------------------------------------------
    @property
    def receiving(self) -> bool:
        return bool(self.service.receiving)

    def set_receiving(self, on: bool) -> None:
        (self.start_receiving if on else self.stop_receiving)()

    def start_receiving(self) -> bool:
        if self.receiving:
            return True
        if not self._allowed("import"):
            self.bar.set_status("off", "")
            return False
        try:
            self.service.start_receiving()
        except PharosError as exc:
            self.bar.set_status("error", lambda e=exc: message_text(e))   # again at a switch
            self._set_pacs_status("error", exc.operator_text())
            self.messages.show_error(exc)
            return False
        self._show_receiver_state()
        s = self.service.intake.settings
        self._set_pacs_status("ok", f"DICOM receiver {s.ae_title} on {s.host}:"
                                    f"{self.service.intake.scp_port}")
        return True

    def stop_receiving(self) -> None:
        was = self.service.intake.running
        self.service.stop_receiving()
        self.bar.set_status("off", "")
        if was:
            self._set_pacs_status("off", "DICOM receiver stopped")

    def _show_receiver_state(self) -> None:
        """The bar shows the service's receiver (it may run from before this panel)."""
        if not self.receiving:
            self.bar.set_status("off", "")
            return
        s = self.service.intake.settings
        allowed = ", ".join(s.allowed_calling_aes) or self.tr("any calling AE")
        self.bar.set_status("ok", self.tr("Receiving as %1 on %2:%3 (from: %4)")
                            .replace("%1", s.ae_title).replace("%2", s.host)
                            .replace("%3", str(self.service.intake.scp_port))
                            .replace("%4", allowed))

    def _set_pacs_status(self, state: str, detail: str) -> None:
        status = getattr(self.ctx, "status", None)
        if status is not None:
            status.set("pacs", state, detail)

    # --- import / simulate / demo ----------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self._dialog_parent,
                                                  self.tr("Import CT series folder"))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str | Path) -> None:
        """Validate and import every file (bad ones quarantined), in the background."""
        if self._allowed("import"):
            user = getattr(self.ctx, "user", None)
            self.io.start(intake_jobs.import_job, self.service.intake, str(folder),
                          audit=getattr(self.ctx, "audit", None),
                          username=str(getattr(user, "username", "") or ""))

    def simulate_series(self, params: Any = None, serial: str = "CT-SIM-0001") -> None:
        """Simulate a phantom series into the station's folder and import it (demo).
        ``params=None``: the demo scanner's matrix (setting ``demo_matrix``), built in the
        worker (no scipy import here)."""
        if not self._allowed("import"):
            return
        out = Path(self.ctx.data_dir) / "simulated" / new_id()
        self.io.start(intake_jobs.simulate_job, self.service.intake, str(out), params, serial,
                      matrix=int(self.ctx.settings.get("demo_matrix", 512)))

    def push_demo_series(self) -> None:
        """Demo mode: a simulated scanner pushes a series to this station's receiver."""
        if not self.receiving:
            self.messages.show_message(lambda: self.tr("Start receiving first: the demo scanner "
                                                       "sends to this station's receiver."),
                                       level="info")
            return
        s = self.service.intake.settings
        out = Path(self.ctx.data_dir) / "demo_scanner"
        self.demo.start(intake_jobs.demo_push_job, str(out), "127.0.0.1",
                        self.service.intake.scp_port, s.ae_title, next(_demo_counter),
                        matrix=int(self.ctx.settings.get("demo_matrix", 512)))
        self.activity.addItem(self.tr("demo scanner: simulating and pushing a series…"))

    def _on_demo_pushed(self, info: dict) -> None:
        self.activity.addItem(self.tr("demo scanner %1: %2 of %3 files accepted").replace(
            "%1", info["serial"]).replace("%2", str(info["accepted"])).replace(
            "%3", str(info["sent"])))

    def _on_import_done(self, summary: intake_jobs.ImportSummary) -> None:
        """New, already stored (duplicates), conflicts and rejections counted apart: a
        re-import of a stored folder reads "0 new", never "N imported"."""
        level = ("warning" if summary.rejected or summary.conflicts
                 else "info" if not summary.new else "success")

        def text() -> str:
            line = (self.tr("Import: %1 new file(s), %2 already stored (duplicates), "
                            "%3 conflict(s), %4 rejected; %5 series, %6 unchanged.")
                    .replace("%1", str(summary.new)).replace("%2", str(summary.duplicates))
                    .replace("%3", str(summary.conflicts))
                    .replace("%4", str(summary.rejected))
                    .replace("%5", str(len(summary.series_uids)))
                    .replace("%6", str(len(summary.unchanged))))
            if summary.conflicts:
                line += " " + self.tr("A conflict is a stored SOP Instance UID with other "
                                      "content: the first copy is kept, the new file "
                                      "quarantined (Rejected tab).")
            return line
        self.messages.show_message(text, level=level)

    # --- service events (GUI thread, through the adapter) ----------------------------------
    def _on_event(self, event: Any) -> None:
        self.activity.add_event(event)
        notifier = getattr(self.ctx, "notifier", None)
        if event.kind == "rejected":
            self.rejected.add_rejected(event.data)
            self.sig_rejected.emit()
            if notifier is not None:
                notifier.warning(f"CT QC intake rejected {event.data.source}: "
                                 f"{event.data.message} [{event.data.code}]", source="ct_qc")
        elif event.kind == "alarm":            # e.g. the DICOM quarantine quota reached
            if notifier is not None:
                notifier.error(event.text, source="ct_qc")
        elif event.kind == "error" and isinstance(event.data, BaseException):
            self._set_pacs_status("warning", f"intake error: {event.data}")
            self.sig_failed.emit(event.data)
