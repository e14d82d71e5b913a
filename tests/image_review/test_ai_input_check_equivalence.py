"""The AI check's input validation (AiChecker._volume) after its speed-up (finiteness read
from the series' minimum and maximum, which carry any NaN or infinity, instead of a
third pass and a mask of the series' size): every input it refused before it refuses
with the same text, everything it took it takes unchanged."""
from __future__ import annotations

import numpy as np
import pytest

from app.core.errors import InputRejected


def _old_rule(vol: np.ndarray) -> str:
    """The rule as it was (the text it raised; '' when accepted)."""
    if not np.isfinite(vol).all():
        return "The image contains non-finite values (NaN or infinity)."
    lo, hi = float(vol.min()), float(vol.max())
    if lo < -3100 or hi > 32000 or hi - lo < 50:
        return (f"The image does not look like a CT image in HU (range "
                f"{lo:.0f} .. {hi:.0f}).")
    return ""


def _cases():
    rng = np.random.default_rng(16)
    base = rng.normal(0, 300, (3, 64, 64)).astype(np.float32)
    yield base
    for bad in (np.nan, np.inf, -np.inf):
        for where in ((0, 0, 0), (2, 63, 63), (1, 30, 5)):
            v = base.copy()
            v[where] = bad
            yield v
            yield v.astype(np.float64)
    v = base.copy()
    v[1, 2, 3], v[2, 3, 4] = np.inf, -np.inf          # both ends infinite
    yield v
    v = base.copy()
    v[0, 1, 1], v[1, 1, 1] = np.nan, 5000.0            # NaN beside a finite maximum
    yield v
    yield np.full((2, 64, 64), 20.0, np.float32)        # flat: no CT range
    yield (base * 100).astype(np.float32)               # out of the HU scale
    yield (base + 0.5).astype(np.int16)                 # integers: always finite
    yield np.full((1, 64, 64), np.nan, np.float32)


@pytest.mark.parametrize("k", range(25))
def test_the_input_check_refuses_and_accepts_exactly_as_before(k):
    from app.ct.ai.check import AiChecker

    vol = list(_cases())[k]
    want = _old_rule(vol)
    if want:
        with pytest.raises(InputRejected) as e:
            AiChecker._volume(vol)
        assert str(e.value) == want
    else:
        assert AiChecker._volume(vol) is vol or np.shares_memory(AiChecker._volume(vol), vol)


@pytest.fixture(scope="module")
def released_checker():
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker
    from tests.image_review.conftest import REAL_DIR

    if not (REAL_DIR / "card.json").exists():
        pytest.skip("the trained classifier is not there")
    return AiChecker(ModelRegistry(REAL_DIR.parents[1]).load("ct_phantom_classifier",
                                                             REAL_DIR.name))


def test_the_whole_check_refuses_a_bad_series_with_the_same_reason(released_checker):
    """The series run checks the values as its pool's first task (beside the first
    measurements): a series with a NaN or an infinity in one slice, out of the HU scale
    or flat is refused with the rule's text and no result, whatever the measurements of
    its slices did; a good series is judged."""
    from app.ct.simulator import SimParams, simulate_series

    s = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                  n_slices=8, seed=4))
    vol = s.volume
    bad = []
    for value, at in ((np.nan, (5, 200, 200)), (np.inf, (0, 3, 3)), (-np.inf, (7, 511, 0))):
        v = vol.copy()
        v[at] = value
        bad.append(v)
    bad += [vol * 40.0, np.full_like(vol, 30.0)]
    for v in bad:
        want = _old_rule(v)
        assert want
        with pytest.raises(InputRejected) as e:
            released_checker.classify(v, pixel_mm=s.pixel_mm)
        assert str(e.value) == want
    res = released_checker.classify(vol, pixel_mm=s.pixel_mm)
    assert len(res.slices) == 6
