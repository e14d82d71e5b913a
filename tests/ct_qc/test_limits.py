"""Limit profiles: loading, hashing, nominal-relative limits, baseline constancy, bad files."""
from __future__ import annotations

import pytest

from app.core.errors import ConfigError, InputRejected
from app.core.measurement import Verdict
from app.ct.limits import (baseline_profile, list_profiles, load_profile,
                                          parse_profile)

from app.ct.analysis import analyze_series
from app.ct.dicom_load import LoadedSeries

from tests.ct_qc._qc_helpers import analysed, simulated


def test_shipped_profiles_load_with_hash():
    names = list_profiles()
    assert {"acr_2024", "factory_simct_120kv"} <= set(names)
    for n in names:
        p = load_profile(n)
        assert p.name == n and p.version and len(p.sha256) == 64


def test_acr_table_values():
    p = load_profile("acr_2024")
    assert p.limits_for("ct_number.water").judge(6.9) is Verdict.PASS
    assert p.limits_for("ct_number.water").judge(7.1) is Verdict.FAIL
    u = p.limits_for("uniformity.max_edge_dev")
    assert (u.judge(4.9), u.judge(6.0), u.judge(7.5)) == (Verdict.PASS, Verdict.WARN, Verdict.FAIL)
    assert p.limits_for("low_contrast.cnr").judge(0.9) is Verdict.FAIL
    st = p.limits_for("slice_thickness", nominal=5.0)
    assert (st.low, st.high) == (3.5, 6.5)


def test_nominal_relative_insert_limits_and_exact_key_wins():
    p = load_profile("factory_simct_120kv")
    lim = p.limits_for("ct_number.teflon", nominal=1000.0)
    assert (lim.low, lim.warn_low, lim.warn_high, lim.high) == (992.0, 996.0, 1004.0, 1008.0)
    assert p.limits_for("ct_number.water", nominal=0.0).high == 4.0   # [limits] beats [nominal]
    assert p.limits_for("ct_number.teflon").is_empty()                 # no nominal: no limit


def test_baseline_constancy_profile():
    _, base = analysed(seed=41, z_range_mm=(-80.0, 45.0))
    prof = baseline_profile(base, base=load_profile("factory_simct_120kv"))
    sd = base.value("noise.sd")
    lim = prof.limits_for("noise.sd")
    assert lim.warn_high == pytest.approx(sd * 1.10, rel=1e-4)
    assert lim.high == pytest.approx(sd * 1.15, rel=1e-4)
    assert prof.limits_for("ct_number.teflon").high == pytest.approx(base.value("ct_number.teflon") + 8, abs=1e-3)
    assert prof.name == "factory_simct_120kv+baseline" and len(prof.sha256) == 64
    # a noisier scan of the same scanner fails constancy
    sim = simulated(seed=42, noise_sd_hu=13.0, z_range_mm=(-80.0, 45.0))
    r = analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan504",
                       profile="factory_simct_120kv", baseline=base)
    assert r.measurement("noise.sd").verdict is Verdict.FAIL
    assert r.profile.name.endswith("+baseline")


@pytest.mark.parametrize("text,msg", [
    (b"[profile]\nname='x'\n", "name and version"),
    (b"[profile]\nname='x'\nversion='1'\n[limits]\n'a' = { low = 5, high = 1 }\n", "low 5.0 > high"),
    (b"[profile]\nname='x'\nversion='1'\n[limits]\n'a' = { lo = 5 }\n", "expected a table"),
    (b"[profile]\nname='x'\nversion='1'\n[limits]\n'a' = { low = 0, high = 9, warn_high = 10 }\n", "inside"),
    (b"[profile]\nname='x'\nversion='1'\n[other]\n", "unknown section"),
    (b"not toml [", "limit profile"),
])
def test_bad_profiles_are_rejected(text, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_profile(text, source="t.toml")


def test_unknown_profile_name():
    with pytest.raises(InputRejected, match="unknown limit profile"):
        load_profile("no_such_profile")
