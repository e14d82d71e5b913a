"""Limits a physicist would sign: thickness by nominal width, means with their standard
error, the phantom's default profile (issue 15)."""
from __future__ import annotations

import pytest

from app.core.errors import ConfigError
from app.core.measurement import Limits, Verdict
from app.ct.analysis.context import Raw
from app.ct.analysis.pipeline import _judge, _widen
from app.ct.limits import default_profile_for, load_profile, parse_profile


@pytest.mark.parametrize("nominal,good,warn,bad", [
    (0.625, 0.70, 0.85, 1.00),     # +/-50 % (IEC allows +/-0.5 mm below 1 mm; tightened)
    (1.5, 1.60, 2.00, 2.30),       # 1..2 mm: +/-50 %
    (5.0, 5.40, 5.70, 6.10),       # > 2 mm: +/-1.0 mm
    (10.0, 9.60, 9.40, 8.90),
])
def test_slice_thickness_tolerance_depends_on_the_nominal_width(nominal, good, warn, bad):
    lim = load_profile("catphan504_default").limits_for("slice_thickness", nominal)
    assert lim.judge(good) is Verdict.PASS
    assert lim.judge(warn) is Verdict.WARN
    assert lim.judge(bad) is Verdict.FAIL
    assert "nominal" in lim.source


def test_0_625_mm_no_longer_passes_from_0_125_to_1_125():
    lim = load_profile("catphan504_default").limits_for("slice_thickness", 0.625)
    assert lim.judge(1.1) is Verdict.FAIL and lim.judge(0.2) is Verdict.FAIL


def test_nominal_bands_are_validated():
    bad = b'[profile]\nname="x"\nversion="1"\n[nominal_bands]\n"k" = [{below = 2.0, low = 1.0, high = -1.0}]\n'
    with pytest.raises(ConfigError):
        parse_profile(bad)
    unordered = (b'[profile]\nname="x"\nversion="1"\n[nominal_bands]\n'
                 b'"k" = [{below = 2.0, high = 1.0}, {below = 1.0, high = 1.0}]\n')
    with pytest.raises(ConfigError, match="increasing"):
        parse_profile(unordered)


def test_a_mean_within_its_standard_error_of_the_limit_is_not_a_failure():
    lim = Limits(low=-8.0, high=8.0, warn_low=-5.0, warn_high=5.0, source="p")
    wide = _widen(lim, 2.5)
    assert wide.high == pytest.approx(13.0) and wide.warn_low == pytest.approx(-10.0)
    assert "SE 2.50" in wide.source
    # pure noise: -8.3 HU with SE 4 is no evidence of non-uniformity; -20 with SE 1 is
    prof = load_profile("catphan504_default")
    noisy = _judge([Raw("uniformity.max_edge_dev", -8.3, "HU", uncertainty=4.0)], prof)[0]
    real = _judge([Raw("uniformity.max_edge_dev", -20.0, "HU", uncertainty=1.0)], prof)[0]
    assert noisy.verdict is Verdict.PASS and real.verdict is Verdict.FAIL


def test_catphan_default_profile_judges_ctp486_against_its_material():
    assert default_profile_for("catphan504") == "catphan504_default"
    assert default_profile_for("acr464") == "acr_2024"
    prof = load_profile("catphan504_default")
    lim = prof.limits_for("ct_number.uniform", 5.0)
    assert lim.judge(5.0 + 3.0) is Verdict.PASS      # +5 HU material, 3 HU calibration
    assert lim.judge(5.0 + 12.0) is Verdict.FAIL
    assert prof.limits_for("noise.sd").is_empty()     # scanner figure: constancy, not phantom
