"""Issue 16, item 5: the whole-series AI check runs its measurements and the network
overlapped on all cores (app/ct/ai/series_run.py) - and says exactly what the plain
path (normalise.prepare, then the network in batches of 16 on the default session) says.
Speed is measured in benchmarks/image_review/bench_ai.py, never asserted here."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from app.core.errors import Cancelled
from app.core.tasks import CancelToken
from tests.image_review.conftest import REAL_DIR, real_model


@pytest.fixture(scope="module")
def model():
    from app.adapters.inference import ModelRegistry

    return ModelRegistry(REAL_DIR.parents[1]).load("ct_phantom_classifier", REAL_DIR.name)


@pytest.fixture(scope="module")
def series():
    from app.ct.simulator import SimParams, simulate_series
    from app.ct.simulator.params import ArtifactSpec

    # 14 slices across CTP404 / CTP486 with a ring: abnormal and normal triples, the
    # series' first and last slices (edge neighbours repeat)
    s = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                  n_slices=14, z_range_mm=(-80.0, -54.0), noise_sd_hu=10.0,
                                  seed=16,
                                  artifacts=(ArtifactSpec("ring", 30.0, radius_mm=40.0,
                                                          slices=tuple(range(7))),)))
    return s.volume, s.pixel_mm


def _layout(model):
    """The context layout the model's card names (normalise.Evidence)."""
    from app.ct.ai.check import AiChecker

    return AiChecker(model).evidence_layout


def _reference(model, vol, px, idx):
    """The plain path: every input stacked first, then the network in batches of 16."""
    from app.ct.ai.normalise import prepare

    x, ctx, problems = prepare(vol, px, idx, _layout(model))
    parts: dict[str, list] = {}
    for s in range(0, len(idx), 16):
        out = model.run({"image": x[s:s + 16], "context": ctx[s:s + 16]})
        for k, v in out.items():
            parts.setdefault(k, []).append(v)
    digests = [hashlib.sha256(np.ascontiguousarray(x[k]).tobytes()).hexdigest()
               for k in range(len(idx))]
    return {k: np.concatenate(v) for k, v in parts.items()}, problems, digests


@real_model
@pytest.mark.slow
@pytest.mark.parametrize("indices", [None, [1, 2, 3, 7, 8, 12], [0, 13, 5]])
def test_overlapped_series_run_equals_the_plain_path(model, series, indices):
    from app.ct.ai.series_run import run_series

    vol, px = series
    idx = list(range(1, len(vol) - 1)) if indices is None else indices
    ref, ref_problems, ref_digests = _reference(model, vol, px, idx)
    for workers in (1, 2, 3):
        run = run_series(model, vol, px, idx, workers=workers, evidence=_layout(model))
        # the exact same network inputs (sha256 of each stacked triple) and slice problems
        assert run.digests == ref_digests and run.problems == ref_problems
        for key in ("probabilities", "logits", "anomaly"):
            np.testing.assert_allclose(run.outputs[key], ref[key], rtol=1e-5, atol=1e-5,
                                       err_msg=key)
        assert run.inference_s > 0


@real_model
@pytest.mark.slow
def test_classify_reports_the_plain_paths_verdicts(model, series):
    """The AI check's per-slice record (class, scores, anomaly, input digest) is the plain
    path's, and progress reaches 1 in order."""
    from app.ct.ai.check import CLASSES, AiChecker

    vol, px = series
    seen: list[float] = []
    res = AiChecker(model).classify(vol, pixel_mm=px, progress=lambda f, _m: seen.append(f))
    idx = list(range(1, len(vol) - 1))
    ref, _, digests = _reference(model, vol, px, idx)
    assert [s.slice_index for s in res.slices] == idx
    assert [s.input_sha256 for s in res.slices] == digests
    for k, s in enumerate(res.slices):
        assert abs(s.scores["normal"] - ref["probabilities"][k][0]) < 2e-5
        assert abs(s.anomaly - ref["anomaly"][k]) < 2e-4
        if s.label != "not_applicable":
            assert s.label == CLASSES[int(np.argmax(ref["probabilities"][k]))]
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert res.latency_ms_per_slice > 0


@real_model
@pytest.mark.slow
def test_a_cancelled_series_run_stops_with_cancelled(model, series):
    from app.ct.ai.series_run import run_series

    vol, px = series
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_series(model, vol, px, list(range(1, len(vol) - 1)), token=token,
                   evidence=_layout(model))
    # cancelled midway (after the first batch): no result, the pool is shut down
    token = CancelToken()
    with pytest.raises(Cancelled):
        run_series(model, vol, px, list(range(1, len(vol) - 1)), token=token,
                   progress=lambda f, _m: token.cancel(), evidence=_layout(model))


def test_fast_median_is_numpys_median_exactly():
    """normalise.median: the same value and type as np.median (ties, sorted input, heavy
    tails, NaN, float32 and float64), so the network's context does not move."""
    from app.ct.ai.normalise import median

    rng = np.random.default_rng(16)
    for t in range(120):
        n = int(rng.integers(1, 12000))
        v = [rng.normal(0, 10, n).astype(np.float32),
             np.round(rng.normal(0, 3, n)).astype(np.float32),
             rng.standard_cauchy(n).astype(np.float32),
             np.sort(rng.normal(0, 1, n)).astype(np.float32),
             rng.normal(0, 1, n)][t % 5]
        if t % 23 == 0 and n > 5:
            v[2] = np.nan
        a, b = median(v), np.median(v)
        assert type(a) is type(b) and (a == b or (np.isnan(a) and np.isnan(b))), (t, n)


def test_grid_noise_on_the_discs_box_equals_the_full_grid():
    """robust_noise_disc (the disc's bounding box only) gives robust_noise's value on the
    1 mm grid too, also where the disc reaches the grid's edge."""
    from app.ct.ai.normalise import _disc_mask, robust_noise, robust_noise_disc

    g = np.random.default_rng(3).normal(0, 12, (256, 256)).astype(np.float32)
    for cx, cy, r in ((127.3, 128.9, 80.2), (30.5, 200.25, 60.0), (250.0, 5.0, 40.0)):
        assert robust_noise_disc(g, cx, cy, r, 5) == \
            robust_noise(g, _disc_mask(g.shape, cx, cy, r), 5)
