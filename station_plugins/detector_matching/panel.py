"""Detector matching panel: pool, arc heatmap, artifact profile, optimise in the
background, manual lock / swap with instant recompute, approve (e-signature), MES."""
from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QGroupBox, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSpinBox, QSplitter,
                               QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)
from PySide6.QtCore import QEvent, Qt

from app.core.errors import InputRejected, PharosError
from station_plugins.detector_matching.detector_models import available_detector_models, load_layout
from station_plugins.detector_matching.ui_arc import DetectorArcView
from station_plugins.detector_matching.ui_pool import PoolView
from station_plugins.detector_matching.workflow import batch, run, settings_for
from widgets.message_bar import MessageBar
from widgets.progress_bar import TaskProgressBar
from widgets.tasks import TaskController
from widgets.flow_layout import FlowLayout


def _fmt(x: float, pct: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{100 * x:.2f}\u00a0%" if pct else f"{x:.3f}"



class DetectorMatchingPanel(QWidget):
    def __init__(self, ctx: Any, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detector_matching_panel")
        self.ctx, self.session = ctx, session
        self._selected: list[int] = []
        self.runner = TaskController(ctx.tasks, parent=self)
        self.runner.sig_finished.connect(self._on_result)
        self.runner.sig_failed.connect(self._on_failed)

        self.import_button = QPushButton(self)
        self.import_button.setObjectName("import_button")
        self.import_button.clicked.connect(self._choose_file)
        self.import_db_button = QPushButton(self)
        self.import_db_button.setObjectName("import_db_button")
        self.import_db_button.clicked.connect(self._choose_db)
        self.model_combo = QComboBox(self)
        self.model_combo.setObjectName("detector_model_combo")
        for name in available_detector_models():
            self.model_combo.addItem(name, name)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(session.layout.name)))
        self.model_combo.currentIndexChanged.connect(self._on_model)
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("seed_spin")
        self.seed_spin.setRange(0, 10 ** 6)
        self.time_spin = QDoubleSpinBox(self)
        self.time_spin.setObjectName("time_limit_spin")
        self.time_spin.setRange(0.5, 600)
        self.time_spin.setValue(5.0)
        self.time_spin.setSuffix(" s")
        self.cost_combo = QComboBox(self)
        self.cost_combo.setObjectName("cost_combo")
        for key in ("auto", "physics", "learned"):
            self.cost_combo.addItem(key, key)
        self.optimise_button = QPushButton(self)
        self.optimise_button.setObjectName("optimise_button")
        self.optimise_button.clicked.connect(self.optimise)
        self.progress = TaskProgressBar(self, object_name="optimise_progress",
                                        controller=self.runner)
        self.model_label, self.seed_label = QLabel(self), QLabel(self)
        self.time_label, self.cost_label = QLabel(self), QLabel(self)
        top = FlowLayout()          # wraps at 1366 px / in Chinese instead of widening
        for w in (self.import_button, self.import_db_button, self.model_label, self.model_combo,
                  self.seed_label, self.seed_spin, self.time_label,
                  self.time_spin, self.cost_label, self.cost_combo,
                  self.optimise_button):
            top.addWidget(w)
        top.addWidget(self.progress, stretch=True)

        self.pool_view = PoolView(self)
        self.arc = DetectorArcView(self)
        self.arc.sig_slot_clicked.connect(self._on_slot_clicked)
        self.profile_plot = pg.PlotWidget(self)
        self.profile_plot.setObjectName("artifact_profile_plot")
        self.profile_plot.setBackground("w")
        self.profile_plot.addLegend(offset=(10, 5))
        self.profile_plot.setMinimumHeight(180)
        centre = QSplitter(Qt.Orientation.Vertical, self)
        centre.addWidget(self.arc)
        centre.addWidget(self.profile_plot)
        centre.setSizes([330, 300])

        self.summary = QLabel(self)
        self.summary.setObjectName("result_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.compare = QLabel(self)
        self.compare.setObjectName("compare_label")
        self.compare.setWordWrap(True)
        self.compare_combo = QComboBox(self)
        self.compare_combo.setObjectName("compare_with_combo")
        self.compare_combo.activated.connect(self._on_compare_chosen)
        self.restore_button = QPushButton(self)
        self.restore_button.setObjectName("restore_button")
        self.restore_button.clicked.connect(self.restore_compared)
        self._compare_no: int | None = None      # chosen reference (None: the previous)
        self.selection_label = QLabel(self)
        self.selection_label.setObjectName("selection_label")
        self.selection_label.setWordWrap(True)
        self.swap_button = QPushButton(self)
        self.swap_button.setObjectName("swap_button")
        self.swap_button.clicked.connect(self.swap_selected)
        self.lock_button = QPushButton(self)
        self.lock_button.setObjectName("lock_button")
        self.lock_button.clicked.connect(self.lock_selected)
        self.serial_edit = QLineEdit(self)
        self.serial_edit.setObjectName("detector_serial_edit")
        # weak result (gap above the detector model's threshold, or no bound): said in
        # the summary box, and approval needs a reason (signed and audited)
        self.weak_label = QLabel(self)
        self.weak_label.setObjectName("weak_result_label")
        self.weak_label.setWordWrap(True)
        self.weak_label.setStyleSheet("background: #fdebd0; color: #873600; "
                                      "border: 1px solid #e67e22; padding: 4px;")
        self.weak_label.hide()
        self.weak_reason_edit = QLineEdit(self)
        self.weak_reason_edit.setObjectName("weak_reason_edit")
        self.approve_button = QPushButton(self)
        self.approve_button.setObjectName("approve_button")
        self.approve_button.clicked.connect(self.approve)
        self.mes_button = QPushButton(self)
        self.mes_button.setObjectName("send_to_mes_button")
        self.mes_button.clicked.connect(self.send_to_mes)
        side = QVBoxLayout()
        self.arrangement_box = box = QGroupBox(self)
        bl = QVBoxLayout(box)
        bl.addWidget(self.weak_label)
        bl.addWidget(self.summary)
        side.addWidget(box)
        self.compare_box = cbox = QGroupBox(self)
        cl = QVBoxLayout(cbox)
        cl.addWidget(self.compare_combo)
        cl.addWidget(self.compare)
        cl.addWidget(self.restore_button)
        side.addWidget(cbox)
        self.edit_box = ebox = QGroupBox(self)
        el = QVBoxLayout(ebox)
        el.addWidget(self.selection_label)
        el.addWidget(self.swap_button)
        el.addWidget(self.lock_button)
        side.addWidget(ebox)
        self.release_box = abox = QGroupBox(self)
        af = QFormLayout(abox)
        self.serial_label = QLabel(self)
        af.addRow(self.serial_label, self.serial_edit)
        self.weak_reason_label = QLabel(self)
        af.addRow(self.weak_reason_label, self.weak_reason_edit)
        af.addRow(self.approve_button)
        af.addRow(self.mes_button)
        side.addStretch(1)
        side_inner = QWidget(self)
        side_inner.setLayout(side)
        # a scroll area, so that the wrapped texts keep their full height on a small
        # screen instead of being clipped
        side_w = QScrollArea(self)
        side_w.setObjectName("dm_side_scroll")
        side_w.setWidget(side_inner)
        side_w.setWidgetResizable(True)
        side_w.setFrameShape(QScrollArea.Shape.NoFrame)
        side_w.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_w.setMinimumWidth(300)
        self.compare_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compare_combo.setMinimumContentsLength(16)

        self.batch_tab = self._build_batch_tab()
        self.left_tabs = QTabWidget(self)
        self.left_tabs.setObjectName("left_tabs")
        self.left_tabs.addTab(self.pool_view, "")
        self.left_tabs.addTab(self.batch_tab, "")
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.left_tabs)
        split.addWidget(centre)
        # the release box (serial, Approve, MES) stays below the scroll area: the primary
        # actions are always on screen, whatever the height of the texts above
        side_col = QWidget(self)
        side_col.setObjectName("dm_side_column")
        col = QVBoxLayout(side_col)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(side_w, 1)
        col.addWidget(abox)
        split.addWidget(side_col)
        split.setSizes([420, 700, 300])
        self.message_bar = MessageBar(self, object_name="dm_message_bar")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.message_bar)
        lay.addWidget(split, 1)
        self.retranslate_ui()

    def _build_batch_tab(self) -> QWidget:
        w = QWidget(self)
        self.spec_spin = QDoubleSpinBox(w)
        self.spec_spin.setObjectName("batch_spec_spin")
        self.spec_spin.setDecimals(3)
        self.spec_spin.setRange(0.001, 1000.0)
        self.spec_spin.setSingleStep(0.01)
        self.spec_spin.setValue(1.6)
        self.detectors_spin = QSpinBox(w)
        self.detectors_spin.setObjectName("batch_detectors_spin")
        self.detectors_spin.setRange(0, 1000)
        self.batch_button = QPushButton(w)
        self.batch_button.setObjectName("batch_button")
        self.batch_button.clicked.connect(self.build_batch)
        self.batch_summary = QLabel(w)
        self.batch_summary.setObjectName("batch_summary")
        self.batch_summary.setWordWrap(True)
        self.batch_table = QTableWidget(0, 4, w)
        self.batch_table.setObjectName("batch_table")
        self.batch_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.batch_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.batch_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.batch_table.verticalHeader().setVisible(False)
        self.batch_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.batch_table.doubleClicked.connect(lambda _i: self.open_batch_detector())
        self.open_detector_button = QPushButton(w)
        self.open_detector_button.setObjectName("open_batch_detector_button")
        self.open_detector_button.clicked.connect(self.open_batch_detector)
        form = QFormLayout()
        self.spec_label, self.detectors_label = QLabel(w), QLabel(w)
        form.addRow(self.spec_label, self.spec_spin)
        form.addRow(self.detectors_label, self.detectors_spin)
        lay = QVBoxLayout(w)
        lay.addLayout(form)
        lay.addWidget(self.batch_button)
        lay.addWidget(self.batch_summary)
        lay.addWidget(self.batch_table, 1)
        lay.addWidget(self.open_detector_button)
        return w

    # --- language ----------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        """(Re)set every static text; called at start and on LanguageChange."""
        self.import_button.setText(self.tr("Import pool..."))
        self.import_db_button.setText(self.tr("From test database..."))
        self.import_db_button.setToolTip(self.tr(
            "Read the module test results from the MES / test database (table in long "
            "format: module_serial, lot, test_date, schema_version, indicator, value, unit)."))
        self.model_label.setText(self.tr("Detector model"))
        self.seed_label.setText(self.tr("Seed"))
        self.time_label.setText(self.tr("Time limit"))
        self.cost_label.setText(self.tr("Neighbour cost"))
        for i, text in enumerate((self.tr("learned if available"), self.tr("physics only"),
                                  self.tr("learned"))):
            self.cost_combo.setItemText(i, text)
        self.optimise_button.setText(self.tr("Optimise"))
        self.profile_plot.setLabel("bottom", self.tr("fan angle (deg)"))
        self.profile_plot.setLabel("left", self.tr("predicted artifact (cost)"))
        self.swap_button.setText(self.tr("Swap selected slots"))
        self.lock_button.setText(self.tr("Lock / unlock slot"))
        self.serial_edit.setPlaceholderText(self.tr("detector serial, e.g. DET-24-0815"))
        self.approve_button.setText(self.tr("Approve (e-signature)..."))
        self.mes_button.setText(self.tr("Send to MES"))
        self.arrangement_box.setTitle(self.tr("Arrangement"))
        self.compare_box.setTitle(self.tr("Compare arrangements"))
        self.compare_combo.setToolTip(self.tr(
            "Every arrangement of this pool and detector model in this session: optimised, "
            "opened from a batch, edited by hand or restored"))
        self.restore_button.setText(self.tr("Go back to this arrangement"))
        self.restore_button.setToolTip(self.tr(
            "Make the compared arrangement current again (a new entry; nothing is deleted)"))
        self.edit_box.setTitle(self.tr("Manual edit"))
        self.release_box.setTitle(self.tr("Release"))
        self.serial_label.setText(self.tr("Detector serial"))
        self.weak_reason_label.setText(self.tr("Reason (weak result)"))
        self.weak_reason_edit.setPlaceholderText(self.tr(
            "why this weak arrangement is approved anyway (signed and audited)"))
        self.left_tabs.setTabText(0, self.tr("Module pool"))
        self.left_tabs.setTabText(1, self.tr("Batch (several detectors)"))
        self.spec_label.setText(self.tr("Spec: cost per slot at most"))
        self.detectors_label.setText(self.tr("Detectors"))
        self.detectors_spin.setSpecialValueText(self.tr("as many as fit"))
        self.batch_button.setText(self.tr("Build detectors from the pool"))
        self.open_detector_button.setText(self.tr("Open selected detector in the arc view"))
        self.batch_table.setHorizontalHeaderLabels(
            [self.tr("Detector"), self.tr("Cost/slot"), self.tr("Spec"), self.tr("Note")])
        self._refresh()
        self._refresh_batch()

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
        from PySide6.QtWidgets import QInputDialog
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
        from station_plugins.detector_matching.pool_db import import_pool_db
        try:
            self.ctx.require("import")
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._set_busy(True)
        self.runner.start(import_pool_db, url, table)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.optimise_button, self.batch_button, self.import_button,
                  self.import_db_button):
            w.setEnabled(not busy)

    def import_file(self, path: str) -> None:
        """Read and validate the pool file in the background (progress, cancel); the
        pool replaces the current one only when it was read whole."""
        from station_plugins.detector_matching.importer import import_pool
        try:
            self.ctx.require("import")
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._set_busy(True)
        self.runner.start(import_pool, path)

    def _pool_loaded(self, pool: Any) -> bool:
        self.message_bar.show_message(self.tr("{n} modules imported, {e} excluded").format(
            n=pool.size, e=len(pool.excluded)), level="info")
        self._refresh()
        self._refresh_batch()
        return True

    def _on_model(self) -> None:
        try:
            self.session.set_layout(load_layout(self.model_combo.currentData()))
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
        self.runner.start(batch, inputs, self.spec_spin.value(),
                          self.detectors_spin.value() or None)

    def open_batch_detector(self) -> None:
        rows = self.batch_table.selectionModel().selectedRows()
        if not rows:
            self.message_bar.show_message(self.tr("Select a detector in the batch table."))
            return
        try:
            self.session.open_batch_detector(rows[0].row())
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._selected = []
        self._refresh()

    def _on_result(self, result: Any) -> None:
        from station_plugins.detector_matching.importer import ModulePool
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
            self.message_bar.show_message(self._source_note(result), level="info")
            self._refresh_batch()
            return
        self.session.accept_result(result)
        self.message_bar.show_message(self._source_note(result), level="info")
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
        self._update_selection()

    def swap_selected(self) -> None:
        if len(self._selected) != 2:
            self.message_bar.show_message(self.tr("Select two slots on the arc to swap."))
            return
        try:
            self.session.swap(*self._selected)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._refresh()

    def lock_selected(self) -> None:
        if not self._selected:
            self.message_bar.show_message(self.tr("Select a slot on the arc to lock."))
            return
        try:
            for s in self._selected:
                self.session.toggle_lock(s)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self._refresh()

    def approve(self) -> None:
        from widgets.esign_dialog import SignatureDialog
        serial = self.serial_edit.text().strip()
        try:
            payload = self.session.arrangement_payload(serial)
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        from app.core.ids import content_hash

        weak = self.session.weakness
        reason = self.weak_reason_edit.text().strip()
        if weak is not None and not reason:
            self.message_bar.show_error(InputRejected(
                self.tr("This result is weak: {why}. Optimise again with a longer time "
                        "limit, or enter the reason for approving it anyway.").format(
                            why=self._weak_text(weak)), code="DM-WEAK"))
            self.weak_reason_edit.setFocus()
            return

        def sign(username: str, password: str, meaning: str, comment: str) -> Any:
            return self.session.approve(serial, password=password, meaning=meaning,
                                        comment=comment, weak_reason=reason)

        s = self.session.current.solution
        summary = self.tr("{n} slots, objective {o}, gap {g}").format(
            n=len(payload["slots"]), o=_fmt(s.objective), g=_fmt(s.gap, True))
        # a weak result (certified gap above the detector model's weak_gap) was stopped above
        # until the user gave a reason; the dialog repeats it next to what is signed
        SignatureDialog.ask(self, sign, title=self.tr("Detector arrangement {s}").format(s=serial),
                            summary=summary + ("" if weak is None else "\n" + self.tr(
                                "WEAK RESULT: {why}. Reason: {r}").format(
                                    why=self._weak_text(weak), r=reason)),
                            content_sha256=content_hash(payload),
                            session_user=self.ctx.user, default_meaning="approved")
        self._refresh()

    def send_to_mes(self) -> None:
        try:
            rec, new = self.session.send_to_mes()
        except PharosError as exc:
            self.message_bar.show_error(exc)
            return
        self.message_bar.show_message(
            (self.tr("MES message {id} queued") if new else
             self.tr("MES message {id} was already queued (not sent twice)")).format(id=rec.id[:8]),
            level="success" if new else "info")

    # --- rendering ---
    def _arrangement_label(self, arr: Any) -> str:
        a = arr.args
        if arr.kind == "swap":
            text = self.tr("manual swap of slots {a} and {b}").format(a=a["a"], b=a["b"])
        elif arr.kind == "restored":
            text = self.tr("back to #{no}").format(no=a["no"])
        elif arr.kind == "optimised":
            text = self.tr("optimised (seed {seed})").format(seed=a["seed"])
        elif arr.kind == "batch":
            text = (self.tr("batch detector {k} (meets spec)") if a["meets_spec"] else
                    self.tr("batch detector {k} (does NOT meet spec)")).format(k=a["detector"])
        else:
            text = arr.origin
        return f"#{arr.no} {text}" if arr.no else text

    def _source_note(self, result: Any) -> str:
        """What the run used, in the user's language (the English note is in the JSON)."""
        source = getattr(result, "cost_source", None) or result.problem.cost_source
        if source == "learned":
            return self.tr("Learned neighbour cost with the physics slot cost.")
        text = self.tr("Physics cost (slot and neighbour).")
        _, sep, why = result.cost_source_note.partition("learned cost not used: ")
        if sep and why != "physics requested":
            text += " " + self.tr("The learned cost was not used: {why}").format(why=why)
        return text

    def _source_label(self, source: str) -> str:
        return {"physics": self.tr("physics model"),
                "learned": self.tr("learned model (ONNX)")}.get(source, source)

    def _refresh_batch(self) -> None:
        b = self.session.batch
        self.batch_table.setRowCount(0)
        self.open_detector_button.setEnabled(b is not None)
        if b is None:
            self.batch_summary.setText(self.tr(
                "Builds as many detectors as the pool allows and balances them so that as "
                "many as possible meet the spec."))
            return
        self.batch_summary.setText(self.tr(
            "Spec {spec} per slot: {ok} of {k} detectors meet it ({before} before "
            "balancing); material utilisation {u}; cost: {src}; {sec} s").format(
                spec=f"{b.spec_cost_per_slot:.3f}", ok=b.meeting_spec, k=len(b.detectors),
                before=b.balancing.get("meeting_spec_before", "-"),
                u=f"{100 * b.utilisation:.1f} %", src=self._source_label(b.cost_source),
                sec=f"{b.seconds:.1f}"))
        self.batch_table.setRowCount(len(b.detectors))
        for r, d in enumerate(b.detectors):
            note = self.tr("given up") if d["given_up_for_others"] else ""
            cells = [str(d["detector"]), f"{d['cost_per_slot']:.4f}",
                     self.tr("met") if d["meets_spec"] else self.tr("NOT met"), note]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2 and not d["meets_spec"]:
                    item.setForeground(Qt.GlobalColor.darkRed)
                if c == 3 and note:
                    item.setToolTip(self.tr("Its modules were used so that the other "
                                            "detectors meet spec."))
                self.batch_table.setItem(r, c, item)

    def _reference(self) -> Any:
        """The arrangement the current one is compared with: the one the user chose in
        the history, or else the previous one."""
        s = self.session
        ref = s.arrangement(self._compare_no) if self._compare_no is not None else None
        if ref is None or ref is s.current:
            self._compare_no = None
            ref = s.previous if any(a is s.previous for a in s.history) else None
        return ref

    def _fill_compare_combo(self, ref: Any) -> None:
        s = self.session
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        for arr in reversed(s.history):
            if arr is s.current:
                continue
            self.compare_combo.addItem(f"{self._arrangement_label(arr)}: "
                                       f"{_fmt(arr.solution.objective)}", arr.no)
        if ref is not None:
            self.compare_combo.setCurrentIndex(self.compare_combo.findData(ref.no))
        self.compare_combo.blockSignals(False)
        self.compare_combo.setEnabled(self.compare_combo.count() > 0)
        self.restore_button.setEnabled(ref is not None)

    def _on_compare_chosen(self, index: int) -> None:
        self._compare_no = self.compare_combo.itemData(index)
        self._refresh()

    def compare_with(self, no: int) -> None:
        """Compare the current arrangement with history entry ``#no``."""
        self._compare_no = no
        self._refresh()

    def restore_compared(self) -> None:
        ref = self._reference()
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

    def _update_selection(self) -> None:
        p, cur = self.session.problem, self.session.current
        if p is None or cur is None or not self._selected:
            self.selection_label.setText(self.tr("Click slots on the arc to select them."))
            return
        parts = []
        for s in self._selected:
            parts.append(self.tr("slot {s}: {m} (cost {c})").format(
                s=s, m=p.serials[cur.perm[s]], c=_fmt(p.c[s, cur.perm[s]])))
        self.selection_label.setText("\n".join(parts))

    def _weak_text(self, weak: Any) -> str:
        if weak.note:
            return weak.note
        if not weak.certified:
            return self.tr("no certified lower bound, so how far this arrangement is from "
                           "the best possible is unknown")
        return self.tr("the certified gap {g} is above the {t} threshold of {m}: the "
                       "arrangement may be up to {g} worse than the best possible").format(
                           g=f"{100 * weak.gap:.2f} %", t=f"{100 * weak.threshold:.2f} %",
                           m=weak.model)

    def _show_weakness(self) -> None:
        cur = self.session.current
        if getattr(cur, "no", None) != getattr(self, "_weak_for", None):
            self.weak_reason_edit.clear()    # a reason belongs to one arrangement
            self._weak_for = getattr(cur, "no", None)
        weak = self.session.weakness if cur is not None else None
        self.weak_label.setVisible(weak is not None)
        self.weak_reason_edit.setEnabled(weak is not None)
        self.weak_reason_label.setEnabled(weak is not None)
        if weak is not None:
            self.weak_label.setText(self.tr("Weak result: {why}. Optimise again with a "
                                            "longer time limit; approving it needs a "
                                            "reason.").format(why=self._weak_text(weak)))

    def _refresh(self) -> None:
        s = self.session
        if s.pool is not None:
            placed = ({s.problem.serials[i]: k for k, i in enumerate(s.current.perm[:s.problem.n])}
                      if s.current is not None else None)
            self.pool_view.show_pool(s.pool, placed)
        has = s.current is not None
        for w in (self.swap_button, self.lock_button, self.approve_button):
            w.setEnabled(has)
        self.mes_button.setEnabled(s.approved_record_id is not None)
        self.profile_plot.clear()
        if not has:
            self._show_weakness()
            self.summary.setText(self.tr("No arrangement yet."))
            self.compare.setText("-")
            self._fill_compare_combo(None)
            self.arc.set_data(np.zeros(0), np.zeros(0), np.zeros(0), set(), 52.0)
            self._update_selection()
            return
        sol, p = s.current.solution, s.problem
        prof = s.profile("current")
        self.arc.set_data(prof["slot_angle"], prof["slot"], prof["boundary"],
                          {k for k in range(p.n) if p.fixed[k] >= 0}, p.layout.fan_angle_deg)
        self.profile_plot.plot(prof["boundary_angle"], prof["boundary"], name=self.tr("now"),
                               pen=pg.mkPen("#c0392b", width=1.5))
        ref = self._reference()
        if ref is not None:
            before = s.profile(ref)
            self.profile_plot.plot(before["boundary_angle"], before["boundary"],
                                   name=self._arrangement_label(ref),
                                   pen=pg.mkPen("#7f8c8d", width=1))
        if s.batch_detector is not None and s.batch is not None:
            b = s.batch
            per_slot = sol.objective / max(1, p.n)
            bound_line = self.tr(
                "batch detector: {c} per slot against the spec {spec} ({state}); no "
                "single-detector bound (the batch is optimised as a whole)").format(
                    c=f"{per_slot:.4f}", spec=f"{b.spec_cost_per_slot:.3f}",
                    state=(self.tr("met") if per_slot <= b.spec_cost_per_slot
                           else self.tr("NOT met")))
            util = self.tr("material utilisation of the batch {u}").format(
                u=f"{100 * b.utilisation:.1f} %")
        elif s.result is not None and not s.bound_valid:
            bound_line = self.tr("no lower bound: a lock the optimisation used was "
                                 "released; optimise again for a certified gap")
        else:
            bound_line = self.tr("lower bound {lb}, certified gap <b>{g}</b>").format(
                lb=_fmt(sol.lower_bound), g=_fmt(sol.gap, True))
            used = p.n / max(1, s.pool.size + len(s.pool.excluded))
            util = self.tr("material utilisation {u}").format(u=f"{100 * used:.1f} %")
        self.summary.setText(
            f"<b>{html.escape(self._arrangement_label(s.current))}</b><br>"
            + self.tr("objective {o} (slots {sc} + neighbours {nc})").format(
                o=_fmt(sol.objective), sc=_fmt(sol.slot_cost), nc=_fmt(sol.neighbour_cost))
            + "<br>" + bound_line + "<br>"
            + self.tr("cost source: {src}").format(src=self._source_label(p.cost_source))
            + "<br>" + self.tr("feasible: {f}").format(
                f=self.tr("yes") if sol.feasible else self.tr("NO"))
            + "<br>" + util)
        self._show_weakness()
        self._fill_compare_combo(ref)
        if ref is not None:
            prev = ref.solution
            diff = int((ref.perm[:p.n] != s.current.perm[:p.n]).sum())
            self.compare.setText(self.tr("{a}: {o1}\n{b}: {o2}\nchange {d}, {k} slots differ")
                                 .format(a=self._arrangement_label(ref),
                                         o1=_fmt(prev.objective),
                                         b=self._arrangement_label(s.current),
                                         o2=_fmt(sol.objective),
                                         d=_fmt(sol.objective - prev.objective), k=diff))
        else:
            self.compare.setText(self.tr("no earlier arrangement"))
        self._update_selection()
