"""Station session (lock / swap recompute, approve + idempotent MES outbox, trace) and
a panel smoke test (offscreen): import, optimise in the background, swap, render."""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.adapters.audit import AuditTrail, load_or_create_key  # noqa: E402
from app.adapters.auth import AuthService, SessionState  # noqa: E402
from app.adapters.esign import SignatureService  # noqa: E402
from app.adapters.store import Store  # noqa: E402
from app.core.errors import (AuthError, InputRejected, PermissionDenied,  # noqa: E402
                             ValidationError)
from app.core.roles import Role  # noqa: E402
from app.paths import models_dir  # noqa: E402
from app.runtime.task_runner import TaskRunner  # noqa: E402
from app.stations import StationContext  # noqa: E402
from station_plugins.detector_matching.plugin import DetectorMatchingStation  # noqa: E402
from station_plugins.detector_matching.session import MES_KIND, TRACE_KIND  # noqa: E402
from station_plugins.detector_matching.workflow import run, settings_for  # noqa: E402

from .conftest import write_pool  # noqa: E402


PASSWORD = "s3cret-passw0rd"


@pytest.fixture
def ctx(tmp_path):  # noqa: ANN001
    """A station context on the real store, audit trail, accounts and e-signatures."""
    store = Store(tmp_path / "pharos.db", station_id="WS1", software_version="t",
                  config_hash="h").open()
    audit = AuditTrail(store, load_or_create_key(tmp_path / "keys" / "audit.key"))
    auth = AuthService(store, audit)
    for name, full, role in (("qe1", "Quinn Engineer", Role.QUALITY_ENGINEER),
                             ("op1", "Olga Operator", Role.OPERATOR)):
        auth.create_user(name, full, [role], PASSWORD, by=None, reason="test",
                         must_change_password=False)
    session = SessionState(auth, 15)
    session.login(auth.get("qe1"))
    runner = TaskRunner(max_workers=2)
    c = StationContext(station_id="detector_matching", config=None,
                       settings={"learned_cost": False}, store=store, audit=audit, auth=auth,
                       signatures=SignatureService(store, audit, auth), session=session,
                       tasks=runner, loop=None, notifier=None, data_dir=tmp_path / "dm")
    yield c
    runner.shutdown(wait=True)
    store.close()


@pytest.fixture
def station(ctx, tmp_path):  # noqa: ANN001
    st = DetectorMatchingStation(ctx)
    p = tmp_path / "pool.csv"
    write_pool(p, modules=44, seed=8)
    st.session.set_layout(st.session.layout.with_slots(36))
    st.session.import_pool(p)
    return st


def _optimised(station):  # noqa: ANN001
    s = station.session
    s.accept_result(run(s.inputs(replace(settings_for(0, 60), moves_per_slot=2000))))
    return s


def test_swap_and_lock_recompute_instantly_and_keep_a_valid_bound(station):
    s = _optimised(station)
    before = s.current.solution
    s.swap(3, 20)
    after = s.current.solution
    assert after.objective >= before.objective - 1e-9       # the optimum was not beaten
    assert after.lower_bound == before.lower_bound and after.gap >= before.gap
    assert s.previous.solution is before
    locked_serial = s.problem.serials[s.current.perm[5]]
    assert s.toggle_lock(5) is True
    with pytest.raises(ValidationError):
        s.swap(5, 6)
    s.accept_result(run(s.inputs(replace(settings_for(1, 60), moves_per_slot=2000))))
    assert s.problem.serials[s.current.perm[5]] == locked_serial


def test_releasing_a_lock_the_optimisation_used_withdraws_the_bound(station):
    """A bound computed with slot 5 locked does not hold once the lock is released (the
    problem got larger); it holds again when the same lock is set back."""
    s = _optimised(station)
    s.toggle_lock(5)                                  # lock added after: bound still valid
    assert s.bound_valid and np.isfinite(s.current.solution.gap)
    s.accept_result(run(s.inputs(replace(settings_for(1, 60), moves_per_slot=2000))))
    bound = s.current.solution.lower_bound
    assert s.bound_valid and np.isfinite(bound)
    s.toggle_lock(5)                                  # released: not certified any more
    assert not s.bound_valid
    assert np.isnan(s.current.solution.lower_bound) and np.isnan(s.current.solution.gap)
    s.swap(1, 2)
    assert np.isnan(s.current.solution.gap)
    s.swap(1, 2)
    s.toggle_lock(5)                                  # the same lock again: valid again
    assert s.bound_valid and s.current.solution.lower_bound == bound


def test_history_numbers_every_arrangement_and_restores_any(station):
    s = _optimised(station)
    first = s.current
    s.swap(3, 20)
    s.swap(4, 21)
    assert [a.no for a in s.history] == [1, 2, 3]
    assert s.history[0] is first and s.current.label == "#3 manual swap 4<->21"
    back = s.restore(1)
    assert back.label == "#4 restored #1" and s.previous.no == 3
    assert np.array_equal(back.perm, first.perm)
    assert back.solution.objective == pytest.approx(first.solution.objective)
    assert s.arrangement(2).args == {"a": 3, "b": 20}
    with pytest.raises(ValidationError):
        s.restore(99)
    s.toggle_lock(7)                                  # same candidates: history kept
    assert [a.no for a in s.history] == [1, 2, 3, 4] and s.current.no == 4
    s.set_layout(s.layout.with_slots(30))             # another detector: history cleared
    assert s.history == [] and s.current is None


def test_approve_then_send_to_mes_is_idempotent_and_traced(station, ctx):
    s = _optimised(station)
    with pytest.raises(ValidationError):
        s.send_to_mes()                                      # not approved yet
    with pytest.raises(AuthError):
        s.approve("DET-1", password="wrong")
    record, sig = s.approve("DET-1", password=PASSWORD)
    signed = ctx.signatures.signatures_for("detector_matching.arrangement", record.id)
    assert [(x.username, x.meaning) for x in signed] == [("qe1", "approved")]
    assert ctx.signatures.verify(signed[0], record.payload)      # bound to the content
    assert ctx.audit.verify().ok
    assert ctx.audit.entries(action="signature_auth_failed", entity_id="qe1")   # wrong password
    signs = ctx.audit.entries(action="sign", entity_id=record.id)
    assert len(signs) == 1 and signs[0].username == "qe1"
    msg, new = s.send_to_mes()
    msg2, new2 = s.send_to_mes()
    assert new and not new2 and msg.id == msg2.id
    assert len(ctx.store.query_records(kind=MES_KIND)) == 1
    trace = ctx.store.query_records(kind=TRACE_KIND)
    assert len(trace) == 1
    rows = trace[0].payload["trace"]
    assert len(rows) == 36 and {r["detector_serial"] for r in rows} == {"DET-1"}
    assert [r["module_serial"] for r in rows] == [s.problem.serials[i]
                                                 for i in s.current.perm[:36]]


def test_approving_before_any_arrangement_says_optimise_first(station):
    with pytest.raises(ValidationError, match="Optimise an arrangement first"):
        station.session.approve("DET-1", password=PASSWORD)       # was an AttributeError
    assert station.session.lower_bound != station.session.lower_bound   # NaN, no result yet


def test_roles_are_enforced_in_the_domain(station, ctx):
    ctx.session.login(ctx.auth.get("op1"))
    with pytest.raises(PermissionDenied):
        station.session.inputs(settings_for(0, 1))


def test_panel_optimises_in_background_swaps_and_renders(qtbot, station, tmp_path):
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    panel = DetectorMatchingPanel(station.ctx, station.session)
    qtbot.addWidget(panel)
    panel.resize(1400, 900)
    panel.show()
    qtbot.waitUntil(lambda: panel.build_done)        # built in slices (staged_build)
    assert panel.pool_view.table.rowCount() == station.session.pool.size
    panel.time_spin.setValue(20)
    panel.optimise_button.click()
    qtbot.waitUntil(lambda: station.session.current is not None, timeout=60000)
    assert "gap" in panel.summary.text()
    # the note on what the run used follows a language switch (it stayed English)
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n

    said = panel.message_bar.text()
    assert said.startswith("Physics cost (slot and neighbour).")
    try:
        i18n.set_language(QApplication.instance(), "zh_CN")
        assert panel.message_bar.text() == "槽位与相邻代价均采用物理模型。未使用学习模型：已在设置中关闭"
    finally:
        i18n.set_language(QApplication.instance(), "en")
    assert panel.message_bar.text() == said
    panel._on_slot_clicked(2)
    panel._on_slot_clicked(9)
    panel.swap_button.click()
    assert "manual swap of slots 2 and 9" in panel.summary.text()
    assert "slots differ" in panel.compare.text()
    panel._on_slot_clicked(2)                       # deselect both, select 4 and 5
    panel._on_slot_clicked(9)
    panel._on_slot_clicked(4)
    panel._on_slot_clicked(5)
    panel.swap_button.click()                       # #3; compared with #2 by default
    assert panel.compare_combo.count() == 2
    assert panel.compare_combo.currentData() == 2
    panel.compare_with(1)                           # compare with the optimised one
    assert panel.compare_combo.currentData() == 1
    assert "#1 optimised" in panel.compare.text() and "4 slots differ" in panel.compare.text()
    panel.restore_button.click()                    # back to #1: a new entry #4
    assert "#4 back to #1" in panel.summary.text()
    assert station.session.current.solution.objective == pytest.approx(
        station.session.arrangement(1).solution.objective)
    assert panel.compare_combo.currentData() == 3   # compared with the one it replaced
    assert "4 slots differ" in panel.compare.text()
    img = panel.grab().toImage()
    assert img.width() > 1000 and not img.isNull()
    colours = {img.pixelColor(x, y).name() for x in range(0, img.width(), 37)
               for y in range(0, img.height(), 37)}
    assert len(colours) > 10                                 # something was drawn


def test_panel_retranslates_to_chinese_and_back(qtbot, station):
    from PySide6.QtWidgets import QApplication

    from app.ui import i18n
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    panel = DetectorMatchingPanel(station.ctx, station.session)
    qtbot.addWidget(panel)
    app = QApplication.instance()
    before = i18n.current_language()
    try:
        loaded = i18n.set_language(app, "zh_CN")
        assert any("detector_matching_zh_CN.qm" in f for f in loaded)
        qtbot.waitUntil(lambda: panel.optimise_button.text() == "优化", timeout=5000)
        assert panel.release_box.title() == "放行"
        assert panel.cost_combo.itemText(1) == "仅物理模型"
        assert panel.pool_view.excluded_label.text() == "已排除的模块"
        assert panel.pool_view.table.header_text(0) == "序列号"
        assert "尚无排列" in panel.summary.text()
        panel.swap_selected()                       # nothing selected: the bar says so
        assert panel.message_bar.text() == "请在弧上选择两个槽位进行交换。"
        i18n.set_language(app, "en")
        qtbot.waitUntil(lambda: panel.optimise_button.text() == "Optimise", timeout=5000)
        assert panel.pool_view.table.header_text(0) == "Serial"
        assert panel.message_bar.text() == "Select two slots on the arc to swap."
    finally:
        i18n.set_language(app, before)


def test_batch_detector_opens_in_the_arc_view_and_is_approved_like_any_arrangement(station, ctx):
    from station_plugins.detector_matching.workflow import batch
    s = station.session
    s.set_layout(s.layout.with_slots(20))
    inputs = s.inputs(replace(settings_for(0, 60), moves_per_slot=2000))
    probe = batch(inputs, 100.0, 2)
    spec = min(d["cost_per_slot"] for d in probe.detectors) * 1.001
    res = batch(inputs, spec, 2)
    assert len(res.detectors) == 2 and res.meeting_spec >= 1
    s.accept_batch(res)
    with pytest.raises(ValidationError):
        s.open_batch_detector(5)
    arr = s.open_batch_detector(1)
    serials = [s.problem.serials[i] for i in arr.perm[:20]]
    assert serials == res.detectors[1]["serials"]
    assert arr.solution.objective == pytest.approx(res.detectors[1]["objective"])
    assert np.isnan(arr.solution.gap)                         # no per-detector bound claimed
    assert "batch detector 2" in arr.label
    s.swap(0, 1)                                              # edits work on it
    per_slot = s.current.solution.objective / 20
    if per_slot > spec:                   # not meeting the spec: weak, needs a reason
        assert "does not meet the spec" in s.weakness.text()
        with pytest.raises(InputRejected) as exc:
            s.approve("DET-B2", password=PASSWORD)
        assert exc.value.code == "DM-WEAK"
    else:
        assert s.weakness is None
    record, _ = s.approve("DET-B2", password=PASSWORD, weak_reason="customer accepts")
    msg, new = s.send_to_mes()
    assert new and [r["module_serial"] for r in msg.payload["slots"]] == \
        [s.problem.serials[i] for i in s.current.perm[:20]]


def test_panel_builds_a_batch_in_background_and_opens_a_detector(qtbot, station):
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    station.session.set_layout(station.session.layout.with_slots(20))
    panel = DetectorMatchingPanel(station.ctx, station.session)
    qtbot.addWidget(panel)
    panel.resize(1400, 900)
    panel.show()
    panel.left_tabs.setCurrentIndex(1)
    panel.time_spin.setValue(20)
    panel.spec_spin.setValue(100.0)
    panel.detectors_spin.setValue(2)
    panel.batch_button.click()
    qtbot.waitUntil(lambda: station.session.batch is not None, timeout=60000)
    assert panel.batch_table.rowCount() == 2
    assert "2 of 2 detectors meet it" in panel.batch_summary.text()
    panel.open_batch_detector()                     # nothing selected: a hint, no change
    assert station.session.current is None
    panel.batch_table.selectRow(0)
    panel.open_detector_button.click()
    assert "batch detector 1" in panel.summary.text()
    # no gap is claimed for one detector of a batch: its spec check and the batch's
    # utilisation are shown instead
    assert "no single-detector bound" in panel.summary.text()
    assert "against the spec 100.000 (met)" in panel.summary.text()
    assert "material utilisation of the batch" in panel.summary.text()
    assert panel.approve_button.isEnabled()
    panel._on_slot_clicked(0)
    panel._on_slot_clicked(1)
    panel.swap_button.click()                       # still a batch detector after edits
    assert "no single-detector bound" in panel.summary.text()


def test_panel_reads_the_pool_from_the_test_database_in_background(qtbot, station, tmp_path):
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    from station_plugins.detector_matching.pool_io import generated_rows
    from station_plugins.detector_matching.generator import generate

    from .test_pool_db import long_rows, make_table
    cols, rows = generated_rows(generate(40, 6))
    url = f"sqlite:///{tmp_path / 'mes.db'}"
    make_table(url, long_rows(cols, rows), name="module_tests")
    panel = DetectorMatchingPanel(station.ctx, station.session)
    qtbot.addWidget(panel)
    before = station.session.pool
    panel.import_db(url, "missing_table")
    qtbot.waitUntil(lambda: panel.import_db_button.isEnabled(), timeout=30000)
    assert station.session.pool is before                     # nothing replaced on failure
    assert "missing_table" in panel.message_bar.text()
    panel.import_db(url, "module_tests")
    qtbot.waitUntil(lambda: station.session.pool is not before, timeout=30000)
    assert station.session.pool.report.source.endswith("#module_tests")
    assert panel.pool_view.table.rowCount() == station.session.pool.size


def test_panel_reads_a_pool_file_in_background_and_keeps_the_pool_on_a_bad_file(
        qtbot, station, tmp_path):
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    panel = DetectorMatchingPanel(station.ctx, station.session)
    qtbot.addWidget(panel)
    before = station.session.pool
    bad = tmp_path / "broken.csv"
    bad.write_text("lot,test_date\nL1,2025-01-01\n", encoding="utf-8")
    panel.import_file(str(bad))
    assert not panel.import_button.isEnabled()            # busy while it reads
    qtbot.waitUntil(lambda: panel.import_button.isEnabled(), timeout=30000)
    assert station.session.pool is before                  # nothing replaced on failure
    assert "serial" in panel.message_bar.text().lower()
    good = tmp_path / "pool2.csv"
    write_pool(good, modules=30, seed=3)
    panel.import_file(str(good))
    qtbot.waitUntil(lambda: station.session.pool is not before, timeout=30000)
    assert station.session.pool.size + len(station.session.pool.excluded) == 30
    assert panel.pool_view.table.rowCount() == station.session.pool.size
    assert "30" in panel.message_bar.text() or str(station.session.pool.size) in \
        panel.message_bar.text()


def test_panel_words_arrangements_and_cost_source_in_chinese(qtbot, station):
    """The arrangement's origin and the cost source are shown in the user's language."""
    from PySide6.QtWidgets import QApplication

    from app.ui.i18n import set_language
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    s = station.session
    s.accept_result(run(s.inputs(replace(settings_for(0, 60), moves_per_slot=500))))
    s.swap(3, 7)
    panel = DetectorMatchingPanel(station.ctx, s)
    qtbot.addWidget(panel)
    app = QApplication.instance()
    try:
        set_language(app, "zh_CN")
        panel._refresh()
        text = panel.summary.text() + panel.compare.text()
        assert "manual swap" not in text and "optimised" not in text and "physics" not in text
        assert "交换" in text and "物理" in text
    finally:
        set_language(app, "en")
    panel._refresh()
    assert "manual swap of slots 3 and 7" in panel.summary.text()


def test_pool_view_words_every_kind_of_exclusion_reason_in_chinese(qtbot, tmp_path):
    """Reasons made by the importer itself (out of spec, bad cells, bad date, duplicate
    serial) are all shown translated; the English wording stays in the tooltip."""
    from PySide6.QtWidgets import QApplication

    from app.ui.i18n import set_language
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.importer import import_pool
    from station_plugins.detector_matching.pool_io import generated_rows, write_table
    from station_plugins.detector_matching.ui_pool import PoolView
    g = generate(300, 11)
    cols, rows = generated_rows(g)
    rows = [list(r) for r in rows]
    rows[7][cols.index("noise_z1_c04")] = "n/a"
    rows[8][cols.index("noise_z1_c05")] = ""
    rows[9][0] = rows[2][0]
    rows[10][cols.index("test_date")] = "31/31/2025"
    rows[11][0] = ""
    path = tmp_path / "faults.csv"
    write_table(path, cols, rows)
    pool = import_pool(path)
    view = PoolView()
    qtbot.addWidget(view)
    app = QApplication.instance()
    try:
        set_language(app, "zh_CN")
        view.show_pool(pool, None)
        texts = [view.excluded.cell_text(r, 2) for r in range(view.excluded.rowCount())]
        tips = [view.excluded.cell_tip(r, 2) for r in range(view.excluded.rowCount())]
    finally:
        set_language(app, "en")
    assert len(texts) == len(pool.excluded) >= 6
    for text in texts:
        assert not any(w in text for w in ("out of spec", "duplicate", "not a number",
                                           "missing value", "bad test date", "no module")), text
    joined = " ".join(texts)
    for zh in ("超差", "序列号重复", "非数值", "缺失值", "测试日期无效", "缺少模块序列号"):
        assert zh in joined, zh
    assert any("out of spec" in t for t in tips)


def _weak_layout(s, gap: float = 1e-12):  # noqa: ANN001
    """The same detector with a threshold no real gap meets: every result is weak."""
    s.set_layout(replace(s.layout, weak_gap=gap))


def test_a_weak_result_needs_a_reason_that_is_signed_and_audited(station, ctx):
    s = station.session
    _weak_layout(s)
    s = _optimised(station)
    weak = s.weakness
    assert weak is not None and weak.certified and weak.gap > weak.threshold
    assert "above the 0.00 % threshold" in weak.text()
    with pytest.raises(InputRejected) as exc:
        s.approve("DET-W1", password=PASSWORD)
    assert exc.value.code == "DM-WEAK" and "weak" in exc.value.message
    record, _ = s.approve("DET-W1", password=PASSWORD, weak_reason="  rush order, QE ok  ")
    assert record.payload["weak"]["reason_for_approval"] == "rush order, QE ok"
    assert record.payload["weak"]["gap"] == pytest.approx(s.current.solution.gap)
    audited = ctx.audit.entries(action="approve_weak_result", entity_id=record.id)
    assert len(audited) == 1 and audited[0].reason == "rush order, QE ok"
    assert audited[0].username == "qe1" and ctx.audit.verify().ok
    signed = ctx.signatures.signatures_for("detector_matching.arrangement", record.id)
    assert ctx.signatures.verify(signed[0], record.payload)     # the reason is signed too


def test_a_certified_result_is_not_weak_and_a_released_bound_is(station):
    s = _optimised(station)
    _weak_layout(s, 0.5)                  # set_layout clears: optimise again
    s = _optimised(station)
    assert s.weakness is None
    s.toggle_lock(5)
    s.accept_result(run(s.inputs(replace(settings_for(1, 60), moves_per_slot=2000))))
    s.toggle_lock(5)                      # released: no certified bound any more
    assert s.weakness is not None and not s.weakness.certified
    assert "no certified lower bound" in s.weakness.text()


def test_panel_shows_a_weak_result_and_asks_for_the_reason(qtbot, station, monkeypatch):
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    from widgets.esign_dialog import SignatureDialog
    s = station.session
    _weak_layout(s)
    panel = DetectorMatchingPanel(station.ctx, s)
    qtbot.addWidget(panel)
    panel.resize(1366, 768)
    panel.show()
    assert panel.weak_label.isHidden()
    _optimised(station)
    panel._refresh()
    assert panel.weak_label.isVisible() and "Weak result" in panel.weak_label.text()
    assert panel.weak_reason_edit.isEnabled()
    asked = []
    monkeypatch.setattr(SignatureDialog, "ask", lambda *a, **kw: asked.append(kw))
    panel.serial_edit.setText("DET-W2")
    panel.approve()                       # no reason: an error, no signature dialog
    assert asked == [] and "weak" in panel.message_bar.text().lower()
    panel.weak_reason_edit.setText("engineering deviation ED-17")
    panel.approve()
    assert len(asked) == 1 and "WEAK RESULT" in asked[0]["summary"]
    assert "ED-17" in asked[0]["summary"]
    s.swap(0, 1)                          # another arrangement: the reason is not carried
    panel._refresh()
    assert panel.weak_reason_edit.text() == ""


def test_opening_the_station_loads_the_optimiser_kernels_in_the_background(qtbot, station):
    """No optimisation needed: the panel's creation starts the kernel warm-up thread, so
    the first optimisation's clock does not wait for it."""
    from station_plugins.detector_matching import kernels
    kernels._ready.clear()
    panel = station.create_panel()
    qtbot.addWidget(panel)
    assert not kernels.ready()                        # not on the GUI thread
    qtbot.waitUntil(kernels.ready, timeout=120_000)
    assert station.session.current is None           # nothing was optimised


def test_the_station_keeps_the_bounds_prices_in_its_data_folder(qtbot, station):
    """Session 8: after a restart of the station, optimising the same costs again starts
    the bound from the prices the last optimisation stored in the data folder."""
    from pathlib import Path

    from station_plugins.detector_matching import dual_store
    from station_plugins.detector_matching.optimiser import OptimiserSettings, solve

    from .conftest import random_problem
    panel = station.create_panel()
    qtbot.addWidget(panel)
    data_dir = getattr(station.ctx.config, "data_dir", None) or station.ctx.data_dir
    folder = Path(data_dir) / "cache" / "detector_matching" / "duals"
    p = random_problem(12, 14, 3)
    settings = OptimiserSettings(time_limit=10, moves_per_slot=200, bound_iterations=3,
                                 budget_reference_s=0)
    try:
        dual_store.clear_memory()
        assert solve(p, settings).bound_start == "gilmore_lawler"
        assert len(list(folder.glob("*.npz"))) == 1
        dual_store.clear_memory()                      # as after a restart
        assert solve(p, settings).bound_start == "file"
    finally:
        dual_store.configure(None)
        dual_store.clear_memory()


def test_pool_table_filters_by_serial_or_lot_and_sorts_numbers_as_numbers(qtbot, station):
    from PySide6.QtCore import Qt

    from station_plugins.detector_matching.ui_pool import PoolView

    pool = station.session.pool
    view = PoolView()
    qtbot.addWidget(view)
    view.show_pool(pool, {pool.serials[0]: 7})
    t = view.table
    assert t.rowCount() == pool.size and t.cell_text(0, 3) in ("7", "spare")
    assert sum(t.cell_text(r, 3) == "spare" for r in range(t.rowCount())) == pool.size - 1
    view.filter_edit.setText(pool.serials[5].lower())
    assert [t.cell_text(r, 0) for r in range(t.rowCount())] == [pool.serials[5]]
    view.filter_edit.setText(str(pool.lots[0]))
    assert 0 < t.rowCount() <= pool.size
    assert all(str(pool.lots[0]).lower() in (t.cell_text(r, 0) + t.cell_text(r, 1)).lower()
               for r in range(t.rowCount()))
    view.filter_edit.clear()
    t.sortByColumn(4, Qt.SortOrder.AscendingOrder)    # an indicator: by value, not by text
    values = [float(t.cell_text(r, 4)) for r in range(t.rowCount())]
    assert values == sorted(values)


def test_warm_up_prepares_the_session_off_the_gui_thread(ctx):  # noqa: ANN001
    """The workstation's warm-up thread builds the session (ONNX cost model) so the panel
    does not; a panel opened meanwhile gets the same session, never a second one."""
    import threading

    st = DetectorMatchingStation(ctx)
    seen: list = []
    threads = [threading.Thread(target=lambda: seen.append(st.session)) for _ in range(3)]
    warm = threading.Thread(target=st.warm_up, name="pharos-warmup")
    warm.start()
    for t in threads:
        t.start()
    warm.join()
    for t in threads:
        t.join()
    assert len({id(s) for s in seen + [st.session]}) == 1


def test_panel_approves_through_the_signature_dialog_and_mes_queued_is_success(
        qtbot, station, ctx, monkeypatch):
    """Issue 17: the approval is signed in the real dialog (password checked off the GUI
    thread) and "MES message queued" reads as success, not as an error; sending again
    says it was already queued (info)."""
    from station_plugins.detector_matching.panel import DetectorMatchingPanel
    from widgets.esign_dialog import SignatureDialog

    _weak_layout(station.session, gap=1e9)            # not weak: no reason asked
    s = _optimised(station)
    panel = DetectorMatchingPanel(station.ctx, s)
    qtbot.addWidget(panel)
    panel.show()
    panel._refresh()
    errors: list[str] = []

    def sign_in_dialog(dlg):  # noqa: ANN001 - the user types the wrong, then the right password
        for password in ("wrong", PASSWORD):
            dlg.password_edit.setText(password)
            dlg._on_sign()
            assert dlg.wait_until_done()
            if dlg.signature is None:
                errors.append(dlg.error_bar.text())
        return dlg.result()
    monkeypatch.setattr(SignatureDialog, "exec", sign_in_dialog)
    panel.serial_edit.setText("DET-UI-1")
    panel.approve()
    assert errors and "password" in errors[0].lower()
    assert s.approved_record_id is not None and panel.mes_button.isEnabled()
    panel.mes_button.click()
    assert panel.message_bar.level == "success" and "queued" in panel.message_bar.text()
    panel.mes_button.click()
    assert panel.message_bar.level == "info" and "already" in panel.message_bar.text()
    assert len(ctx.store.query_records(kind=MES_KIND)) == 1


def test_pool_table_new_arrangement_of_the_same_pool_updates_slots_and_their_order(
        qtbot, station):
    """A new arrangement changes only the Slot column (no reset of 400+ rows on the GUI
    thread); shown slots and a sort by slot follow it."""
    from PySide6.QtCore import Qt

    from station_plugins.detector_matching.ui_pool import SLOT, PoolView

    pool = station.session.pool
    view = PoolView()
    qtbot.addWidget(view)
    s = pool.serials
    view.show_pool(pool, {s[0]: 1, s[1]: 2})
    t = view.table
    t.sortByColumn(SLOT, Qt.SortOrder.AscendingOrder)
    assert [t.cell_text(r, 0) for r in range(2)] == [s[0], s[1]]
    resets: list = []
    view.pool_model.modelReset.connect(lambda: resets.append(1))
    view.show_pool(pool, {s[0]: 2, s[1]: 1, s[2]: 3})
    assert not resets
    assert [(t.cell_text(r, 0), t.cell_text(r, SLOT)) for r in range(3)] == \
        [(s[1], "1"), (s[0], "2"), (s[2], "3")]
    assert t.rowCount() == pool.size and t.cell_text(3, SLOT) == "spare"


def test_panel_built_in_slices_is_complete_and_shows_the_pool_once_built(qtbot, station):
    """The panel appears part by part (one event-loop turn each) and is then the whole
    panel: arc, profile plot, arrangement side, release box, both tabs, texts, the pool."""
    from station_plugins.detector_matching.panel import DetectorMatchingPanel

    panel = DetectorMatchingPanel(station.ctx, station.session)
    qtbot.addWidget(panel)
    panel.resize(1366, 768)
    panel.show()
    assert not panel.build_done and "arc" not in panel.__dict__     # the frame first,
    assert "pool_view" not in panel.__dict__                         # then each tab
    qtbot.waitUntil(lambda: panel.build_done)
    assert panel._staged.slices == 7
    for part in (panel.bar, panel.pool_view, panel.arc, panel.profile_plot, panel.side,
                 panel.release_box):
        assert part.isVisible()
    assert [panel.left_tabs.tabText(i) for i in range(panel.left_tabs.count())] == \
        ["Module pool", "Batch"]
    assert panel.optimise_button.text() and panel.approve_button.text()
    assert panel.pool_view.table.rowCount() == station.session.pool.size
    assert panel._centre.count() == 2 and panel._centre.widget(0) is panel.arc


@pytest.mark.skipif(not (models_dir() / "detector_neighbour_cost").exists(),
                    reason="model not trained")
def test_learned_costs_are_computed_when_a_pool_is_accepted(ctx, tmp_path):  # noqa: ANN001
    """Before anyone's clock: the optimisation then finds the pool's matrix ready."""
    import threading

    from station_plugins.detector_matching.workflow import prepare_problem

    from .test_cli_and_learned import _counting_provider
    st = DetectorMatchingStation(ctx)
    provider, _ = _counting_provider()
    st.session.learned = provider
    p = tmp_path / "pool.csv"
    write_pool(p, modules=44, seed=8)
    st.session.set_layout(st.session.layout.with_slots(36))
    st.session.import_pool(p)
    for t in threading.enumerate():
        if t.name == "dm-learned-prefetch":
            t.join(60)
    assert provider.computed == 1
    problem, _ = prepare_problem(st.session.inputs(settings_for(0, 1)))
    assert problem.cost_source == "learned" and provider.computed == 1


def test_annealing_threads_run_at_a_lower_priority_in_the_workstation(monkeypatch):
    """In the window (WORKER_NICE set by the panel) the nogil annealing threads yield a
    core to the GUI thread; the result does not depend on it."""
    import os
    import threading

    import numpy as np

    from station_plugins.detector_matching import parallel_anneal as pa

    if not hasattr(os, "getpriority"):
        pytest.skip("no per-thread priority here")
    monkeypatch.setattr(pa, "WORKER_NICE", 7)
    pair = pa.ChainPair(np.arange(4), 1.0)
    try:
        seen = pair.pool.submit(lambda: (os.getpriority(os.PRIO_PROCESS,
                                                        threading.get_native_id()))).result()
    finally:
        pair.close()
    assert seen >= os.getpriority(os.PRIO_PROCESS, 0) + 7 or seen == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < seen   # not us
