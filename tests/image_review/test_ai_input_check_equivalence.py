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
