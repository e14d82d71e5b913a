"""A measurement the limit profile limits but the series could not show never lets the
result read PASS (issue 17: `mtf.mtf10` unmeasured but limited -> SKIP, verdict PASS);
an MTF still above its level at the highest sampled frequency is judged by that bound."""
from __future__ import annotations

from app.core.measurement import Limits, Measurement, Verdict
from app.ct.analysis.context import Raw
from app.ct.analysis.pipeline import _judge
from app.ct.analysis.result import Localisation, QcResult
from app.ct.limits import load_profile

FACTORY = load_profile("factory_simct_120kv")          # mtf.mtf10: low 6.5, warn_low 7.0


def _result(*measurements: Measurement) -> QcResult:
    return QcResult(phantom="catphan504", localisation=Localisation(),
                    measurements=measurements).with_verdicts()


def test_limited_but_unmeasured_is_not_a_pass():
    skipped = Measurement("mtf.mtf10", None, "lp/cm", Limits(low=6.5, warn_low=7.0),
                          Verdict.SKIP, note="resolution module not in the series")
    ok = Measurement.judged("ct_number.water", 1.0, "HU", Limits(low=-7, high=7))
    r = _result(ok, skipped)
    assert r.verdict is Verdict.WARN
    assert any("mtf.mtf10" in n and "not measured" in n for n in r.notes)
    assert r.with_verdicts().notes == r.notes                      # said once


def test_a_module_left_out_of_a_partial_scan_keeps_its_own_rule():
    left_out = Measurement("mtf.mtf10", None, "lp/cm", Limits(low=6.5), Verdict.SKIP,
                           where={"not_in_series": True}, note="resolution module not in "
                           "the series")
    ok = Measurement.judged("ct_number.water", 1.0, "HU", Limits(low=-7, high=7))
    assert _result(ok, left_out).verdict is Verdict.PASS   # the notes name missing modules


def test_unlimited_unmeasured_and_worse_verdicts_stay():
    informative = Measurement("mtf.bead_mtf50", None, "lp/cm", Limits(), Verdict.SKIP)
    ok = Measurement.judged("ct_number.water", 1.0, "HU", Limits(low=-7, high=7))
    assert _result(ok, informative).verdict is Verdict.PASS and not _result(ok).notes
    bad = Measurement.judged("ct_number.water", 9.0, "HU", Limits(low=-7, high=7))
    skipped = Measurement("mtf.mtf10", None, "lp/cm", Limits(low=6.5), Verdict.SKIP)
    assert _result(bad, skipped).verdict is Verdict.FAIL


def test_mtf_above_the_sampled_range_is_judged_by_that_bound():
    def raw(at_least: float) -> Raw:
        return Raw("mtf.mtf10", None, "lp/cm", {"at_least": at_least},
                   "above the highest frequency this matrix samples", not_applicable=True)

    assert _judge([raw(10.2)], FACTORY)[0].verdict is Verdict.PASS   # >= 10.2 > 7.0
    assert _judge([raw(6.8)], FACTORY)[0].verdict is Verdict.SKIP    # WARN or PASS: unknown
    constancy = type("P", (), {"limits_for": lambda self, k, n=None: Limits(
        low=7.0, high=9.0, warn_low=7.5, warn_high=8.5)})()
    assert _judge([raw(9.5)], constancy)[0].verdict is Verdict.FAIL  # > 9.5 > high
    assert _judge([raw(8.0)], constancy)[0].verdict is Verdict.SKIP


def test_the_note_reads_in_the_users_language():
    from app.ct.names import note_text

    note = "limited by the profile but not measured: mtf.mtf10, ct_number.uniform"
    assert note_text(note, "en") == ("Limited by the profile but not measured (the result "
                                     "cannot read PASS): MTF, 10 %; CT number, uniform")
    assert note_text(note, "zh_CN").endswith("：MTF（10 %）；CT值（均匀区）")
    assert note_text("missing modules: CTP486", "zh_CN") == "missing modules: CTP486"
