"""Panel parts: the recent units, the interrupted-run bar (resume / abort and record) and
the release decision of a committed record in the UI language.

Sub-widgets with their dependencies in the constructor and signals out. The jobs run
on the workstation's task pool (``TaskSlot``); the panel launches what they prepare.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QWidget)

from station_plugins.tunnel_test.ui_tasks import TaskSlot


def started_text(started_utc: str, now: datetime | None = None) -> str:
    """When a run started, short and in local time: "19:53" today, "12-04 19:53" this
    year, "2025-12-04" before (the whole UTC time is in the tooltip); the full stamp
    "2026-12-05 19:53:58" cut to "2026-12-05 19:" in the 1366x768 console (issue 17)."""
    try:
        t = datetime.fromisoformat(started_utc.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return started_utc[:16].replace("T", " ")
    now = (now or datetime.now()).astimezone()
    if t.date() == now.date():
        return t.strftime("%H:%M")
    return t.strftime("%m-%d %H:%M") if t.year == now.year else t.strftime("%Y-%m-%d")


class RecentUnits(QListWidget):
    """The last runs, newest first; ``selected_run()`` is the run id of the selected one.
    A line is "serial  verdict  time" and never elided (the pane is as wide as the
    longest line; the run id and whole start time are in its tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tunnel_recent_units")
        self.setMinimumHeight(60)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def show_runs(self, runs: list[dict]) -> None:
        selected = self.selected_run()
        self._runs = list(runs)
        self.clear()
        for r in runs:
            state = run_state_text(r["disposition"] or r["status"])
            item = QListWidgetItem(f"{r['serial']}  {state}  {started_text(r['started_utc'])}")
            item.setData(Qt.ItemDataRole.UserRole, r["run_id"])
            item.setToolTip(QCoreApplication.translate(
                "RecentUnits", "%1 %2, run %3, started %4 UTC").replace(
                "%1", r["serial"]).replace("%2", state).replace("%3", r["run_id"]).replace(
                "%4", r["started_utc"][:19].replace("T", " ")))
            self.addItem(item)
            if r["run_id"] == selected:
                self.setCurrentItem(item)

    def selected_run(self) -> str:
        item = self.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange and getattr(self, "_runs", None):
            self.show_runs(self._runs)
        super().changeEvent(event)


def run_state_text(code: str) -> str:
    """A run's disposition or status in the user's language ("PASS" read as English in
    the Chinese recent-units list, issue 17); an unknown code as recorded."""
    from widgets.verdict_badge import verdict_text

    try:
        return verdict_text(code)
    except (KeyError, ValueError):
        pass
    tr = QCoreApplication.translate
    return {"ABORTED": tr("RecentUnits", "aborted"), "aborted": tr("RecentUnits", "aborted"),
            "UNFINISHED": tr("RecentUnits", "unfinished"),
            "running": tr("RecentUnits", "running"),
            "interrupted": tr("RecentUnits", "interrupted"),
            "journal_failed": tr("RecentUnits", "journal write failed")}.get(code, code)


class InterruptedRunBar(QWidget):
    """Shown while the journal holds an interrupted run. Resume (reason asked) prepares a
    run spec -> ``sig_resume_ready((sequence, spec))``; abort and record (reason asked)
    commits the record -> ``sig_recorded((row, decision))``; failures -> ``sig_error``."""

    sig_resume_ready = Signal(object)
    sig_recorded = Signal(object)
    sig_error = Signal(object)

    def __init__(self, *, station: Any, user: Any, allowed: Callable[[str], bool],
                 tasks: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._station, self._user, self._allowed = station, user, allowed
        self.runs: list[dict] = []
        self.resume_task = TaskSlot(tasks, self)
        self.record_task = TaskSlot(tasks, self)
        for slot in (self.resume_task, self.record_task):
            station.register_panel_tasks(slot)
        self.label = QLabel("")
        self.label.setObjectName("tunnel_interrupted")
        self.resume_btn = QPushButton()
        self.resume_btn.setObjectName("tunnel_resume")
        self.resume_btn.clicked.connect(self.resume)
        self.abort_btn = QPushButton()
        self.abort_btn.setObjectName("tunnel_abort_record")
        self.abort_btn.clicked.connect(self.abort_and_record)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.resume_btn, self.abort_btn):
            lay.addWidget(w)
        lay.addStretch(1)
        self.setVisible(False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.resume_btn.setText(self.tr("Resume..."))
        self.abort_btn.setText(self.tr("Abort and record..."))
        self._show_label()

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_runs(self, unfinished: list[dict]) -> None:
        self.runs = list(unfinished)
        self._show_label()
        self.setVisible(bool(self.runs))

    def _show_label(self) -> None:
        r = self.runs[0] if self.runs else None
        self.label.setText(self.tr("Interrupted run: %1 (%2) started %3").replace(
            "%1", r["serial"]).replace("%2", r["run_id"][:8]).replace(
            "%3", r["started_utc"][:19]) if r else "")

    def run_id(self) -> str:
        return self.runs[0]["run_id"] if self.runs else ""

    def _reason(self, title: str, prompt: str) -> str:
        reason, ok = QInputDialog.getText(self, title, prompt)
        return reason.strip() if ok else ""

    def resume(self) -> None:
        if not self.runs or not self._allowed("resume"):
            return
        reason = self._reason(self.tr("Resume run"), self.tr("Reason for resuming:"))
        if not reason:
            return
        run_id, station, user = self.run_id(), self._station, self._user

        def prepare() -> tuple:
            from station_plugins.tunnel_test.sequence_loader import load_sequence

            spec = station.console.resume_spec(run_id, user=user, reason=reason,
                                               endpoint=station.endpoint())
            return load_sequence(spec.sequence_path), spec
        self.resume_task.run(prepare, lambda result, error: self._done(
            result, error, self.sig_resume_ready))

    def abort_and_record(self) -> None:
        if not self.runs or not self._allowed("abort"):
            return
        reason = self._reason(self.tr("Abort interrupted run"), self.tr("Reason:"))
        if not reason:
            return
        run_id, station, user = self.run_id(), self._station, self._user
        self.record_task.run(lambda: station.console.abort_and_record(run_id, user=user,
                                                                      reason=reason),
                             lambda result, error: self._done(result, error,
                                                              self.sig_recorded))

    def _done(self, result: Any, error: Any, signal: Any) -> None:
        if error is not None:
            self.sig_error.emit(error)
        else:
            signal.emit(result)


def _tr(text: str) -> str:
    return QCoreApplication.translate("TunnelPanel", text)


def release_mode_text(mode: str) -> str:
    return {"automatic": _tr("automatic (signed criteria)"), "esign": _tr("by e-signature"),
            "blocked": _tr("blocked")}.get(mode, mode)


def release_reason_text(reason: str) -> str:
    """The release decision's reason (``release.decide``, English) in the UI language: the
    fixed ones translated, the facts in them (disposition, journal problems) kept as they
    are recorded; any other reason as recorded."""
    fixed = {"no signed automatic-release criteria":
             _tr("no signed automatic-release criteria"),
             "draft / single-step / unattended run: not releasable":
             _tr("draft / single-step / unattended run: not releasable")}
    if reason in fixed:
        return fixed[reason]
    m = re.fullmatch(r"disposition (\w+)", reason)
    if m:
        return _tr("disposition %1").replace("%1", m.group(1))
    m = re.fullmatch(r"journal integrity check failed \((.*)\); a supervisor must decide "
                     r"under e-signature", reason)
    if m:
        return _tr("journal integrity check failed (%1); a supervisor must decide under "
                   "e-signature").replace("%1", m.group(1))
    return reason
