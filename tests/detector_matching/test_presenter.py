"""The detector-matching panel's texts, built without Qt from a real session (real store,
pool import, optimiser): summary, comparison, selection, weak result, batch rows."""
from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from station_plugins.detector_matching import presenter as P
from station_plugins.detector_matching.workflow import run, settings_for
from tests.detector_matching.test_session_panel import ctx, station  # noqa: F401


def _optimise(session, seed: int = 0):  # noqa: ANN001, ANN202
    session.accept_result(run(session.inputs(replace(settings_for(seed, 60),
                                                     moves_per_slot=500))))
    return session


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_no_arrangement_yet(station):  # noqa: F811
    s = station.session
    assert P.summary_html(s, str) == "No arrangement yet."
    assert P.compare_text(s, None, str) == "-"
    assert P.selection_text(s, [1], str) == "Click slots on the arc to select them."
    assert P.compare_choices(s, str) == []
    assert P.reference(s, 3) == (None, None)


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_summary_comparison_and_selection_of_an_optimised_then_swapped_arrangement(
        station):  # noqa: F811
    s = _optimise(station.session)
    text = P.summary_html(s, str)
    assert text.startswith("<b>#1 optimised (seed 0)</b><br>objective ")
    assert "certified gap <b>" in text and "material utilisation" in text
    assert "cost source: physics model" in text and "feasible: yes" in text
    s.swap(2, 9)
    ref, chosen = P.reference(s, None)              # the previous one by default
    assert ref.no == 1 and chosen is None
    assert P.summary_html(s, str).startswith("<b>#2 manual swap of slots 2 and 9</b>")
    assert P.compare_text(s, ref, str).endswith("2 slots differ")
    assert [no for _t, no in P.compare_choices(s, str)] == [1]
    sel = P.selection_text(s, [2, 9], str).splitlines()
    assert sel[0].startswith("slot 2: ") and sel[1].startswith("slot 9: ")
    assert P.reference(s, 2) == (ref, None)          # the current one: back to the previous


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_every_text_goes_through_the_translator(station):  # noqa: F811
    s = _optimise(station.session)
    s.swap(3, 7)
    def marked(text: str) -> str:
        return f"«{text}»"
    text = P.summary_html(s, marked) + P.compare_text(s, s.previous, marked)
    assert "«manual swap of slots 3 and 7»" in text and "«physics model»" in text
    outside = re.sub(r"</?b>|<br>", "", text)
    while "«" in outside:                           # texts nest (labels in a sentence)
        outside = re.sub(r"«[^«»]*»", "", outside)
    assert not re.search(r"[A-Za-z]{2,}", outside), outside     # no untranslated word


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_a_released_lock_says_there_is_no_bound(station):  # noqa: F811
    """Releasing a lock the optimisation used leaves no valid bound (this raised an
    UnboundLocalError in the view before the presenter)."""
    s = _optimise(station.session)
    s.toggle_lock(0)
    _optimise(s, seed=1)                            # bound computed under the lock
    s.toggle_lock(0)                                # released: the bound no longer holds
    assert not s.bound_valid
    text = P.summary_html(s, str)
    assert "no lower bound: a lock the optimisation used was released" in text
    assert "None" not in text and not text.endswith("<br>")
    weak = s.weakness
    assert weak is not None and "no certified lower bound" in P.weak_text(weak, str)
    assert P.weak_banner(weak, str).startswith("Weak result: ")
    summary = P.approve_summary(s, 36, weak, "customer sample", str)
    assert "WEAK RESULT" in summary and summary.endswith("Reason: customer sample")


def test_batch_texts():
    assert "Builds as many detectors" in P.batch_summary(None, str)
    assert P.batch_rows(None, str) == []
    batch = SimpleNamespace(spec_cost_per_slot=1.6, meeting_spec=1, utilisation=0.875,
                            balancing={"meeting_spec_before": 0}, cost_source="learned",
                            seconds=3.25,
                            detectors=[{"detector": 1, "cost_per_slot": 1.23456,
                                        "meets_spec": True, "given_up_for_others": False},
                                       {"detector": 2, "cost_per_slot": 2.5,
                                        "meets_spec": False, "given_up_for_others": True}])
    assert P.batch_summary(batch, str) == (
        "Spec 1.600 per slot: 1 of 2 detectors meet it (0 before balancing); material "
        "utilisation 87.5 %; cost: learned model (ONNX); 3.2 s")
    ok, given_up = P.batch_rows(batch, str)
    assert (ok.detector, ok.cost, ok.spec, ok.note) == ("1", "1.2346", "met", "")
    assert (given_up.spec, given_up.meets_spec, given_up.note) == ("NOT met", False,
                                                                    "given up")
    assert "other detectors meet spec" in given_up.note_tip


def test_numbers():
    assert P.fmt(None) == P.fmt(float("nan")) == "-"
    assert P.fmt(0.12345) == "0.123" and P.fmt(0.012345, pct=True) == "1.23\u00a0%"


def test_every_text_of_the_panel_is_in_the_chinese_catalogue():
    """The presenter and the sub-widgets translate in the panel's context through a
    function lupdate does not see: this keeps their texts in the catalogue."""
    from pathlib import Path

    from tests.catalogue_check import missing_texts

    root = Path(__file__).resolve().parents[2]
    folder = root / "station_plugins" / "detector_matching"
    modules = [folder / "presenter.py", folder / "panel.py", folder / "ui_pool.py",
               *sorted(folder.glob("ui_*.py"))]
    assert missing_texts(root / "resources" / "i18n" / "detector_matching_zh_CN.ts",
                         modules, {"tr": "DetectorMatchingPanel",
                                   "dm_tr": "DetectorMatchingPanel"}) == []


@pytest.mark.slow      # a real import, optimisation and batch (seconds)
def test_every_progress_message_of_the_work_reads_chinese(station, tmp_path):  # noqa: F811
    """The progress line under Optimise showed the workers' English ("annealing: best
    574.7026") in the Chinese panel: every message a real import, optimisation and batch
    report is translated (numbers, file and table names as written); English unchanged."""
    from pathlib import Path

    from station_plugins.detector_matching.importer import import_pool
    from station_plugins.detector_matching.workflow import batch
    from tests.catalogue_check import catalogue
    from tests.detector_matching.conftest import write_pool
    from tests.ui.zh_walk import untranslated

    seen: set[str] = set()

    def record(_f: float, msg: str = "") -> None:
        seen.add(msg)

    pool = tmp_path / "more.csv"
    write_pool(pool, modules=44, seed=9)
    import_pool(pool, progress=record)
    s = station.session
    inputs = s.inputs(replace(settings_for(0, 60), moves_per_slot=500))
    run(inputs, progress=record)
    batch(inputs, 100.0, 1, progress=record)
    assert {"seeding", "done", "building costs", "balancing detectors against the spec",
            "waiting for the lower bound", f"reading {pool.name}",
            "validating 44 modules"} <= seen
    assert any(m.startswith("annealing: best ") for m in seen)
    cat = catalogue(Path(__file__).resolve().parents[2] / "resources" / "i18n" /
                    "detector_matching_zh_CN.ts")["DetectorMatchingPanel"]
    for msg in sorted(seen):
        assert P.progress_text(msg, str) == msg
        zh = P.progress_text(msg, lambda t: cat.get(t, t))
        assert zh != msg and not untranslated(zh.replace(pool.name, " ")), (msg, zh)
    assert P.progress_text("something new", lambda t: cat.get(t, t)) == "something new"
    assert P.progress_text("reading t1 from the test database",
                           lambda t: cat.get(t, t)) == "从测试数据库读取 t1"
    assert P.progress_text("re-optimising detector 2 of 3",
                           lambda t: cat.get(t, t)) == "重新优化第 2 台探测器（共 3 台）"
