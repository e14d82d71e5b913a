"""Intake wiring of the CT QC panel (mixed into CtQcPanel): the station's IntakeService,
receive on/off with the PACS status light, folder import and simulated series through
the intake (validation + quarantine), the demo scanner, live series and rejected files,
and auto-analysis of complete series."""
from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.core.errors import PharosError
from app.core.ids import new_id

from station_plugins.ct_qc import intake_jobs, workflow

_OVERRIDES = {"scp_ae_title": "ae_title", "scp_port": "port", "scp_host": "host",
              "allowed_calling_aes": "allowed_calling_aes", "series_settle_s": "settle_s",
              "peer_host": "peer_host", "peer_port": "peer_port",
              "peer_ae_title": "peer_ae_title", "poll_s": "poll_s"}


def intake_settings(ctx: Any) -> Any:
    """[pacs] of the configuration, then the station's own settings on top."""
    from station_plugins.ct_qc.intake_service import IntakeSettings

    pacs: dict = {}
    if ctx.config is not None and hasattr(ctx.config, "section"):
        pacs = ctx.config.section("pacs")
    settings = IntakeSettings.from_config(pacs, ctx.settings,
                                          demo=bool(getattr(ctx.config, "demo", False)))
    over = {field: ctx.settings[key] for key, field in _OVERRIDES.items() if key in ctx.settings}
    if "allowed_calling_aes" in over:
        over["allowed_calling_aes"] = tuple(over["allowed_calling_aes"])
    return replace(settings, **over)


class IntakeWiringMixin:
    _demo_counter = itertools.count()

    def init_intake(self) -> None:
        from station_plugins.ct_qc.intake_service import IntakeService

        self.intake = IntakeService(self.ctx.data_dir, intake_settings(self.ctx),
                                    **self.bridge.callbacks())
        q = Qt.ConnectionType.QueuedConnection
        self.bridge.sig_event.connect(self._on_intake_event, q)
        self.bridge.sig_series_complete.connect(self._on_series_complete, q)
        self.bridge.sig_error.connect(self._on_intake_error, q)
        bar = self.intake_bar
        bar.receive_button.toggled.connect(self.set_receiving)
        bar.import_button.clicked.connect(self._choose_folder)
        bar.simulate_button.clicked.connect(lambda: self.simulate_series())
        bar.demo_button.clicked.connect(self.push_demo_series)
        bar.auto_check.setChecked(bool(self.ctx.settings.get("auto_analyse", True)))
        self.io.sig_finished.connect(self._on_import_done)
        self.io.sig_failed.connect(self._on_failed)
        self.demo.sig_finished.connect(self._on_demo_pushed)
        self.demo.sig_failed.connect(self._on_failed)
        bar.set_status("off", "")

    # --- receiver ------------------------------------------------------------------------
    @property
    def receiving(self) -> bool:
        return self.intake.running and self.intake.scp_port is not None

    def set_receiving(self, on: bool) -> None:
        (self.start_receiving if on else self.stop_receiving)()

    def start_receiving(self) -> bool:
        if self.receiving:
            return True
        if not self._allowed("import"):
            self.intake_bar.set_status("off", "")
            return False
        s = self.intake.settings
        try:
            self.intake.start()
        except PharosError as exc:
            self.intake_bar.set_status("error", exc.message)
            self._set_pacs_status("error", exc.message)
            self.messages.show_error(exc)
            return False
        allowed = ", ".join(s.allowed_calling_aes) or self.tr("any calling AE")
        detail = (self.tr("Receiving as %1 on %2:%3 (from: %4)").replace("%1", s.ae_title)
                  .replace("%2", s.host).replace("%3", str(self.intake.scp_port))
                  .replace("%4", allowed))
        self.intake_bar.set_status("ok", detail)
        self._set_pacs_status("ok", f"DICOM receiver {s.ae_title} on {s.host}:"
                                    f"{self.intake.scp_port}")
        return True

    def stop_receiving(self) -> None:
        was = self.intake.running
        self.intake.stop()
        self.intake_bar.set_status("off", "")
        if was:
            self._set_pacs_status("off", "DICOM receiver stopped")

    def _set_pacs_status(self, state: str, detail: str) -> None:
        status = getattr(self.ctx, "status", None)
        if status is not None:
            status.set("pacs", state, detail)

    # --- import / simulate / demo ----------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import CT series folder"))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str | Path) -> None:
        """Validate and import every file (bad ones quarantined), in the background."""
        if self._allowed("import"):
            self.io.start(intake_jobs.import_job, self.intake, str(folder))

    def simulate_series(self, params: Any = None, serial: str = "CT-SIM-0001") -> None:
        """Simulate a phantom series into the station's folder and import it (demo).
        ``params=None``: the default 256 matrix, built in the worker (no scipy import here)."""
        if not self._allowed("import"):
            return
        out = Path(self.ctx.data_dir) / "simulated" / new_id()
        self.io.start(intake_jobs.simulate_job, self.intake, str(out), params, serial)

    def push_demo_series(self) -> None:
        """Demo mode: a simulated scanner pushes a series to this station's receiver."""
        if not self.receiving:
            self.messages.show_message(self.tr("Start receiving first: the demo scanner "
                                               "sends to this station's receiver."),
                                       level="info")
            return
        s = self.intake.settings
        out = Path(self.ctx.data_dir) / "demo_scanner"
        self.demo.start(intake_jobs.demo_push_job, str(out), "127.0.0.1", self.intake.scp_port,
                        s.ae_title, next(self._demo_counter),
                        matrix=int(self.ctx.settings.get("demo_matrix", 512)))
        self.activity.addItem(self.tr("demo scanner: simulating and pushing a series…"))

    def _on_demo_pushed(self, info: dict) -> None:
        self.activity.addItem(self.tr("demo scanner %1: %2 of %3 files accepted").replace(
            "%1", info["serial"]).replace("%2", str(info["accepted"])).replace(
            "%3", str(info["sent"])))

    def _on_import_done(self, summary: intake_jobs.ImportSummary) -> None:
        level = "warning" if summary.rejected else "success"
        self.messages.show_message(
            self.tr("Imported %1 file(s) in %2 series; %3 rejected, %4 duplicate(s).")
            .replace("%1", str(summary.stored)).replace("%2", str(len(summary.series_uids)))
            .replace("%3", str(summary.rejected)).replace("%4", str(summary.duplicates)),
            level=level)

    # --- callbacks (arrive on the GUI thread through IntakeBridge) ---------------------------
    def _on_intake_event(self, event: Any) -> None:
        self.activity.add_event(event)
        if event.kind == "stored" and not event.data.duplicate:
            d = event.data
            uid = d.series_instance_uid
            if uid not in self._entries:
                self._entries[uid] = workflow.SeriesEntry(
                    series_uid=uid, label=d.device_serial, scanner_serial=d.device_serial,
                    origin="receiving")
            row = self.series_table._rows.get(uid, {})  # noqa: SLF001 - own widget
            self.series_table.upsert(uid, serial=d.device_serial,
                                     images=int(row.get("images") or 0) + 1,
                                     state="receiving")
        elif event.kind == "rejected":
            self.rejected_table.add_rejected(event.data)
            self.retranslate_ui()
            notifier = getattr(self.ctx, "notifier", None)
            if notifier is not None:
                notifier.warning(f"CT QC intake rejected {event.data.source}: "
                                 f"{event.data.message} [{event.data.code}]", source="ct_qc")
        elif event.kind == "alarm":            # e.g. the DICOM quarantine quota reached
            notifier = getattr(self.ctx, "notifier", None)
            if notifier is not None:
                notifier.error(event.text, source="ct_qc")

    def _on_series_complete(self, entry: workflow.SeriesEntry) -> None:
        self._entries[entry.series_uid] = entry
        self.add_entries([entry], state="received")
        if self.intake_bar.auto_check.isChecked():
            self.queue_analysis(entry.series_uid)

    def _on_intake_error(self, exc: BaseException) -> None:
        self._set_pacs_status("warning", f"intake error: {exc}")
        self._on_failed(exc)
