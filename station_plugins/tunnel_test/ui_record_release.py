"""Panel part: a finished run's record and its release.

``RunRecords`` commits the record of a run that ended (``TunnelConsole.finish``, off the
GUI thread; the station waits for it before it closes), says what the release decision
was, hands a journal with problems to the supervisor's integrity review, and releases
a unit by the operator's e-signature (``SignatureDialog``: the meaning shown is the one
recorded). Its texts are the console's (context ``TunnelPanel``).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from station_plugins.tunnel_test.ui_integrity import IntegrityReview
from station_plugins.tunnel_test.ui_runs import release_mode_text, release_reason_text
from station_plugins.tunnel_test.ui_tasks import TaskSlot


def _tr(text: str) -> str:
    return QCoreApplication.translate("TunnelPanel", text)


class RunRecords(QObject):
    sig_info = Signal(object)        # words for the message line: () -> str (any language)
    sig_error = Signal(object)
    sig_done = Signal()              # a commit ended (committed or not): ready for the next

    def __init__(self, *, station: Any, user: Any, release_btn: QPushButton,
                 integrity: IntegrityReview, allowed: Callable[[str], bool], tasks: Any,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.station, self.user, self.allowed = station, user, allowed
        self.release_btn, self.integrity = release_btn, integrity
        self.last_run: dict = {}
        self.record_task = TaskSlot(tasks, self)      # record commit
        station.register_panel_tasks(self.record_task)   # the station waits for it

    def commit(self, run_id: str) -> None:
        """Commit the record of ``run_id`` (it ended) off the GUI thread."""
        station, username = self.station, self.user.username
        self.record_task.run(lambda: station.console.finish(run_id, username), self.committed)

    def committed(self, result: Any, error: Any) -> None:
        """``result``: (record row, release decision) of a commit (here or abort-and-record
        of an interrupted run)."""
        if error is not None:
            self.sig_error.emit(error)
        else:
            row, decision = result
            self.last_run = {"row": row, "decision": decision}
            if row.payload["journal"]["problems"]:
                self.integrity.set_run(row.payload["run_id"])
            self.release_btn.setEnabled(decision["mode"] == "esign" and self.allowed("release"))
            self.sig_info.emit(lambda: _tr("Record %1 committed; release: %2 (%3)").replace(
                "%1", row.id).replace("%2", release_mode_text(decision["mode"])).replace(
                "%3", release_reason_text(decision["reason"])))
        self.sig_done.emit()

    def last_run_id(self) -> str:
        row = self.last_run.get("row")
        return row.payload["run_id"] if row is not None else ""

    def release(self, parent: QWidget) -> None:
        """The last committed unit released by e-signature ("released")."""
        row = self.last_run.get("row")
        if row is None:
            return
        from widgets.esign_dialog import SignatureDialog

        console, run_id = self.station.console, row.payload["run_id"]
        sig = SignatureDialog.ask(
            parent, lambda u, p, meaning, comment: console.release(run_id, username=u,
                                                                  password=p, comment=comment),
            title=_tr("Release unit %1").replace("%1", row.payload["unit"]["serial"]),
            summary=_tr("Tunnel test %1, record %2").replace(
                "%1", row.payload["disposition"]).replace("%2", row.id),
            content_sha256=row.payload_sha256, session_user=self.user,
            # the meaning shown is the meaning recorded (Part 11 11.50): release records
            # "released", so it is the only meaning offered
            meanings=("released",), default_meaning="released")
        if sig is not None:
            self.release_btn.setEnabled(False)
            self.sig_info.emit(lambda: _tr("Released by e-signature; MES release queued "
                                           "for %1.").replace("%1", run_id))
