"""The series run's band-check levels, now measured in the pool beside each slice's
measurements, are exactly the levels of the series' measured slices as defined
(series_consistency.disc_level of each slice's 1 mm grid, centre and grid noise): the
same slices, the same values, in slice order - for a whole series and for judged blocks
with gaps (side levels at the blocks' edges)."""
from __future__ import annotations

import pytest

from tests.image_review.conftest import REAL_DIR, real_model


@pytest.fixture(scope="module")
def model():
    from app.adapters.inference import ModelRegistry

    return ModelRegistry(REAL_DIR.parents[1]).load("ct_phantom_classifier", REAL_DIR.name)


@real_model
@pytest.mark.parametrize("indices", [None, [2, 3, 4, 9, 10], [0, 11]])
def test_levels_are_each_measured_slices_disc_level(model, indices):
    from app.ct.ai.check import AiChecker
    from app.ct.ai.normalise import GRID_MM, slice_facts
    from app.ct.ai.series_consistency import disc_level
    from app.ct.ai.series_run import run_series
    from app.ct.simulator import SimParams, simulate_series

    s = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                  n_slices=12, z_range_mm=(-80.0, -58.0), seed=7))
    vol, px = s.volume, s.pixel_mm
    idx = list(range(1, len(vol) - 1)) if indices is None else indices
    measured = sorted({min(max(j, 0), len(vol) - 1) for i in idx
                       for j in (i - 2, i - 1, i, i + 1, i + 2) if 0 <= j < len(vol)}
                      | {min(max(j, 0), len(vol) - 1) for i in idx for j in (i - 1, i + 1)})
    want = {}
    for j in measured:
        f = slice_facts(vol[j], px)
        lv = disc_level(f.grid, f.centre, f.noise_grid, GRID_MM)
        if lv is not None:
            want[j] = lv
    for workers in (1, 2, 3):
        run = run_series(model, vol, px, idx, workers=workers,
                         evidence=AiChecker(model).evidence_layout)
        assert list(run.levels) == sorted(run.levels)
        assert run.levels == want, workers
