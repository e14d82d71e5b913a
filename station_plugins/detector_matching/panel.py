"""Detector matching panel: pool, arc heatmap, artifact profile, optimise in the
background, manual lock / swap with instant recompute, approve (e-signature), MES.

The panel composes sub-widgets - :class:`~.ui_toolbar.OptimiseBar`, :class:`~.ui_pool.
PoolView`, :class:`~.ui_batch.BatchTab`, the arc and its artifact profile,
:class:`~.ui_side.ArrangementSide` and :class:`~.ui_side.ReleaseBox` - and acts on the
:class:`~.session.MatchSession` when they ask; every text it shows is built by
:mod:`~.presenter` (Qt-free)."""
from __future__ import annotations

import time
from typing import Any, Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from app.core.errors import InputRejected, PharosError
from app.core.ids import content_hash
from widgets.lazy_plot import lazy_plot_widget
from widgets.esign_dialog import SignatureDialog
from widgets.message_bar import MessageBar
from widgets.staged_build import StagedWidget, show_part
from widgets.tasks import TaskController

from station_plugins.detector_matching import presenter as P
from station_plugins.detector_matching.detector_models import available_detector_models, load_layout
from station_plugins.detector_matching.importer import ModulePool, import_pool
from station_plugins.detector_matching.pool_db import import_pool_db
from station_plugins.detector_matching.ui_arc import DetectorArcView
from station_plugins.detector_matching.ui_batch import BatchTab
from station_plugins.detector_matching.ui_pool import PoolView
from station_plugins.detector_matching.ui_side import ArrangementSide, ReleaseBox, dm_tr
from station_plugins.detector_matching.ui_toolbar import OptimiseBar
from station_plugins.detector_matching.workflow import batch, run, settings_for


class DetectorMatchingPanel(StagedWidget, QWidget):
    """Built in slices while on screen (widgets.staged_build): the tool bar and the frame
    first, then the pool tab, the batch tab, the arc, the profile plot, the arrangement
    side, the wiring; each part's own turn (the whole panel at once held the GUI thread
    ~80 ms; the first slice with both tabs 37-51 ms on a 2-core machine, session 30)."""

    sig_built = Signal()

    def __init__(self, ctx: Any, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detector_matching_panel")
        self.ctx, self.session = ctx, session
        self._selected: list[int] = []
        self._compare_no: int | None = None      # chosen reference (None: the previous)
        self.runner = TaskController(ctx.tasks, parent=self)
        self.runner.sig_finished.connect(self._on_result)
        self.runner.sig_failed.connect(self._on_failed)
        self.start_staged_build(self._build())

    def shutdown(self, timeout: float = 5.0) -> bool:
        """The station closes: cancel a running optimisation (import, batch) and wait, at
        most ``timeout`` seconds, for it and its bound threads. True: nothing is left."""
        from station_plugins.detector_matching.optimiser import wait_for_bound_threads

        end = time.monotonic() + timeout
        # closed: nothing of the cancelled run is shown or reported as an error, and the
        # worker never touches this panel or its controller after they are deleted
        task_ended = self.runner.close(wait=timeout)
        return wait_for_bound_threads(end - time.monotonic()) and task_ended

    def _build(self) -> Iterator[None]:
        self.bar = OptimiseBar(available_detector_models(), self.session.layout.name,
                               self.runner, self)
        self.bar.retranslate_ui()
        self.message_bar = MessageBar(self, object_name="dm_message_bar")
        self._frame()
        yield
        self.pool_view = PoolView(self)
        self.left_tabs.addTab(self.pool_view, self.tr("Module pool"))
        yield
        self.batch_tab = BatchTab(self)
        self.left_tabs.addTab(self.batch_tab, self.tr("Batch"))
        yield
        self.arc = DetectorArcView(self)
        _replace(self._centre, 0, self.arc)
        show_part(self.arc)
        yield
        self.profile_plot = _profile_plot(self)
        _replace(self._centre, 1, self.profile_plot)
        show_part(self.profile_plot)
        yield
        self.side = ArrangementSide(self)
        self.release_box = ReleaseBox(self)
        self.side.retranslate_ui()
        self.release_box.retranslate_ui()
        self._side_col.layout().addWidget(self.side, 1)
        self._side_col.layout().addWidget(self.release_box)
        show_part(self.side, self.release_box)
        yield
        self._alias()
        self._connect()
        self.retranslate_ui()

    def _frame(self) -> None:
        """The panel's layout with empty places for the parts of later slices."""
        self._centre = centre = QSplitter(Qt.Orientation.Vertical, self)
        centre.addWidget(QWidget(centre))
        centre.addWidget(QWidget(centre))
        centre.setSizes([330, 300])
        self.left_tabs = QTabWidget(self)
        self.left_tabs.setObjectName("left_tabs")       # the pool and batch tabs: the
        tab_bar = self.left_tabs.tabBar()      # whole tab titles, never "Batch (several...":
        tab_bar.setElideMode(Qt.TextElideMode.ElideNone)    # the pane is as wide as they are
        tab_bar.setUsesScrollButtons(False)                 # (issue 17)
        self._side_col = side_col = QWidget(self)
        side_col.setObjectName("dm_side_column")
        col = QVBoxLayout(side_col)
        col.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        for w in (self.left_tabs, centre, side_col):
            split.addWidget(w)
        # at 1366x768: the pool pane ~345 px (serial, lot and test date of every module in
        # view), the arc the rest beside the 300 px side column
        split.setSizes([345, 440, 300])
        lay = QVBoxLayout(self)
        lay.addWidget(self.bar)
        lay.addWidget(self.message_bar)
        lay.addWidget(split, 1)

    def _alias(self) -> None:
        """The sub-widgets' controls under the names the shell and the tests use."""
        for part, names in (
                (self.bar, ("import_button", "import_db_button", "model_combo", "seed_spin",
                            "time_spin", "cost_combo", "optimise_button", "progress")),
                (self.side, ("summary", "compare", "compare_combo", "restore_button",
                             "selection_label", "swap_button", "lock_button", "weak_label",
                             "arrangement_box", "compare_box", "edit_box")),
                (self.release_box, ("serial_edit", "weak_reason_edit", "approve_button",
                                    "mes_button")),
                (self.batch_tab, ("spec_spin", "detectors_spin", "batch_button"))):
            for name in names:
                setattr(self, name, getattr(part, name))
        self.batch_table = self.batch_tab.table
        self.batch_summary = self.batch_tab.summary
        self.open_detector_button = self.batch_tab.open_button

    def _connect(self) -> None:
        self.bar.sig_import_file.connect(self._choose_file)
        self.bar.sig_import_db.connect(self._choose_db)
        self.bar.sig_model_chosen.connect(self._on_model)
        self.bar.sig_optimise.connect(self.optimise)
        self.arc.sig_slot_clicked.connect(self._on_slot_clicked)
        self.side.sig_compare_chosen.connect(self.compare_with)
        self.side.sig_restore.connect(self.restore_compared)
        self.side.sig_swap.connect(self.swap_selected)
        self.side.sig_lock.connect(self.lock_selected)
        self.release_box.sig_approve.connect(self.approve)
        self.release_box.sig_send_to_mes.connect(self.send_to_mes)
        self.batch_tab.sig_build.connect(self.build_batch)
        self.batch_tab.sig_open.connect(self.open_batch_detector)

    # --- language ----------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        """(Re)set every static text; called at start and on LanguageChange."""
        for part in (self.bar, self.side, self.release_box, self.batch_tab):
            part.retranslate_ui()
        self.profile_plot.setLabel("bottom", self.tr("fan angle (deg)"))
        self.profile_plot.setLabel("left", self.tr("predicted artifact (cost)"))
        self.left_tabs.setTabText(0, self.tr("Module pool"))
        # short enough for the pane at 1366x768 ("Batch (several detectors)" was cut)
        self.left_tabs.setTabText(1, self.tr("Batch"))
        self.left_tabs.setTabToolTip(1, self.tr("Build several detectors from one module pool"))
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- actions ----------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Module pool"), "",
                                              self.tr("Pool files (*.csv *.parquet *.xlsx)"))
        if path:
            self.import_file(path)

    def _choose_db(self) -> None:
        settings = self.ctx.settings or {}
        url, ok = QInputDialog.getText(self, self.tr("Test database"),
                                       self.tr("Database URL (SQLAlchemy)"),
                                       text=str(settings.get("test_db_url", "")))
        if not ok or not url.strip():
            return
        table, ok = QInputDialog.getText(self, self.tr("Test database"),
                                         self.tr("Table or view"),
                                         text=str(settings.get("test_db_table",
                                                               "module_test_results")))
        if ok and table.strip():
            self.import_db(url.strip(), table.strip())

    def import_db(self, url: str, table: str) -> None:
        """Read the pool from the test database in the background (progress, cancel)."""
        try:
            self.ctx.require("import")
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._set_busy(True)
        self.runner.start(import_pool_db, url, table)

    def _set_busy(self, busy: bool) -> None:
        self.bar.set_busy(busy)
        self.batch_tab.batch_button.setEnabled(not busy)

    def import_file(self, path: str) -> None:
        """Read and validate the pool file in the background (progress, cancel); the
        pool replaces the current one only when it was read whole."""
        try:
            self.ctx.require("import")
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._set_busy(True)
        self.runner.start(import_pool, path)

    def _pool_loaded(self, pool: Any) -> bool:
        n, e = pool.size, len(pool.excluded)
        self.message_bar.show_message(
            lambda: self.tr("{n} modules imported, {e} excluded").format(n=n, e=e), level="info")
        self._refresh()
        self._refresh_batch()
        return True

    def _on_model(self, name: str) -> None:
        try:
            self.session.set_layout(load_layout(name))
        except PharosError as exc:
            self.message_bar.show_error(exc)
        self._refresh()

    def optimise(self) -> None:
        try:
            inputs = self.session.inputs(settings_for(self.seed_spin.value(),
                                                      self.time_spin.value()),
                                         self.cost_combo.currentData())
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._set_busy(True)
        self.runner.start(run, inputs)

    def build_batch(self) -> None:
        try:
            inputs = self.session.inputs(settings_for(self.seed_spin.value(),
                                                      self.time_spin.value(),
                                                      moves_per_slot=20_000),
                                         self.cost_combo.currentData())
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._set_busy(True)
        self.runner.start(batch, inputs, self.batch_tab.spec, self.batch_tab.detectors)

    def open_batch_detector(self) -> None:
        row = self.batch_table.selected_row()
        if row is None:
            self.message_bar.show_message(lambda: self.tr("Select a detector in the batch table."))
            return
        try:
            self.session.open_batch_detector(row)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._selected = []
        self._refresh()

    def _on_result(self, result: Any) -> None:
        self._set_busy(False)
        if isinstance(result, ModulePool):          # read from a file or the test database
            try:
                self.session.accept_pool(result)
            except PharosError as exc:
                self.message_bar.show_error(exc)
                return
            self._pool_loaded(result)
            return
        if hasattr(result, "detectors"):            # a BatchResult
            self.session.accept_batch(result)
            self.message_bar.show_message(lambda: P.source_note(result, dm_tr), level="info")
            self._refresh_batch()
            return
        self.session.accept_result(result)
        self.message_bar.show_message(lambda: P.source_note(result, dm_tr), level="info")
        self._refresh()

    def _on_failed(self, exc: Any) -> None:
        self._set_busy(False)
        self.message_bar.show_error(exc)

    def _on_slot_clicked(self, slot: int) -> None:
        if slot in self._selected:
            self._selected.remove(slot)
        else:
            self._selected = (self._selected + [slot])[-2:]
        self.arc.set_selected(self._selected)
        self.side.show_selection(self.session, self._selected)

    def swap_selected(self) -> None:
        if len(self._selected) != 2:
            self.message_bar.show_message(lambda: self.tr("Select two slots on the arc to swap."))
            return
        try:
            self.session.swap(*self._selected)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._refresh()

    def lock_selected(self) -> None:
        if not self._selected:
            self.message_bar.show_message(lambda: self.tr("Select a slot on the arc to lock."))
            return
        try:
            for s in self._selected:
                self.session.toggle_lock(s)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._refresh()

    def approve(self) -> None:
        serial = self.release_box.serial
        try:
            payload = self.session.arrangement_payload(serial)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        weak = self.session.weakness
        reason = self.release_box.reason
        if weak is not None and not reason:
            self.message_bar.show_error(InputRejected(
                self.tr("This result is weak: {why}. Optimise again with a longer time "
                        "limit, or enter the reason for approving it anyway.").format(
                            why=P.weak_text(weak, dm_tr)), code="DM-WEAK"))
            self.weak_reason_edit.setFocus()
            return

        def sign(username: str, password: str, meaning: str, comment: str) -> Any:
            return self.session.approve(serial, password=password, meaning=meaning,
                                        comment=comment, weak_reason=reason)

        # a weak result (certified gap above the detector model's weak_gap) was stopped above
        # until the user gave a reason; the dialog repeats it next to what is signed
        SignatureDialog.ask(self, sign, title=self.tr("Detector arrangement {s}").format(s=serial),
                            summary=P.approve_summary(self.session, len(payload["slots"]),
                                                      weak, reason, dm_tr),
                            content_sha256=content_hash(payload),
                            session_user=self.ctx.user, default_meaning="approved")
        self._refresh()

    def send_to_mes(self) -> None:
        try:
            rec, new = self.session.send_to_mes()
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        rid = rec.id[:8]
        self.message_bar.show_message(
            lambda: (self.tr("MES message {id} queued") if new else
                     self.tr("MES message {id} was already queued (not sent twice)")).format(id=rid),
            level="success" if new else "info")

    # --- showing the session ------------------------------------------------------------
    def _refresh_batch(self) -> None:
        self.batch_tab.show_batch(self.session.batch)

    def compare_with(self, no: int) -> None:
        """Compare the current arrangement with history entry ``#no``."""
        self._compare_no = no
        self._refresh()

    def restore_compared(self) -> None:
        ref, self._compare_no = P.reference(self.session, self._compare_no)
        if ref is None:
            return
        try:
            self.session.restore(ref.no)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._compare_no = None
        self._selected = []
        self._refresh()

    def _refresh(self) -> None:
        s = self.session
        if s.pool is not None:
            placed = ({s.problem.serials[i]: k for k, i in enumerate(s.current.perm[:s.problem.n])}
                      if s.current is not None else None)
            self.pool_view.show_pool(s.pool, placed)
        ref, self._compare_no = (P.reference(s, self._compare_no) if s.current is not None
                                 else (None, self._compare_no))
        self.release_box.show_state(s)
        self.side.show_weakness(s.weakness if s.current is not None else None)
        self.side.show_state(s, ref, self._selected)
        self.profile_plot.clear()
        if s.current is None:
            self.arc.set_data(np.zeros(0), np.zeros(0), np.zeros(0), set(), 52.0)
            return
        p = s.problem
        prof = s.profile("current")
        self.arc.set_data(prof["slot_angle"], prof["slot"], prof["boundary"],
                          {k for k in range(p.n) if p.fixed[k] >= 0}, p.layout.fan_angle_deg)
        self.profile_plot.plot(prof["boundary_angle"], prof["boundary"], name=self.tr("now"),
                               pen=pg.mkPen("#c0392b", width=1.5))
        if ref is not None:
            before = s.profile(ref)
            self.profile_plot.plot(before["boundary_angle"], before["boundary"],
                                   name=P.arrangement_label(ref, dm_tr),
                                   pen=pg.mkPen("#7f8c8d", width=1))


def _replace(splitter: QSplitter, index: int, widget: QWidget) -> None:
    """Put ``widget`` in the place (and size) of the splitter's placeholder ``index``."""
    old = splitter.replaceWidget(index, widget)
    if old is not None:
        old.deleteLater()


def _profile_plot(parent: QWidget) -> pg.PlotWidget:
    plot = lazy_plot_widget(parent)
    plot.setObjectName("artifact_profile_plot")
    plot.setBackground("w")
    plot.addLegend(offset=(10, 5))
    plot.setMinimumHeight(180)
    return plot
