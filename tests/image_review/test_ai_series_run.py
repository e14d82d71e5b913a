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


def _reference(model, vol, px, idx):
    """The plain path: every input stacked first, then the network in batches of 16."""
    from app.ct.ai.normalise import prepare

    x, ctx, problems = prepare(vol, px, idx)
    parts: dict[str, list] = {}
    for s in range(0, len(idx), 16):
        out = model.run({"image": x[s:s + 16], "context": ctx[s:s + 16]})
        for k, v in out.items():
            parts.setdefault(k, []).append(v)
    digests = [hashlib.sha256(np.ascontiguousarray(x[k]).tobytes()).hexdigest()
               for k in range(len(idx))]
    return {k: np.concatenate(v) for k, v in parts.items()}, problems, digests


@real_model
@pytest.mark.parametrize("indices", [None, [1, 2, 3, 7, 8, 12], [0, 13, 5]])
def test_overlapped_series_run_equals_the_plain_path(model, series, indices):
    from app.ct.ai.series_run import run_series

    vol, px = series
    idx = list(range(1, len(vol) - 1)) if indices is None else indices
    ref, ref_problems, ref_digests = _reference(model, vol, px, idx)
    for workers in (1, 2, 3):
        run = run_series(model, vol, px, idx, workers=workers)
        # the exact same network inputs (sha256 of each stacked triple) and slice problems
        assert run.digests == ref_digests and run.problems == ref_problems
        for key in ("probabilities", "logits", "anomaly"):
            np.testing.assert_allclose(run.outputs[key], ref[key], rtol=1e-5, atol=1e-5,
                                       err_msg=key)
        assert run.inference_s > 0


@real_model
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
def test_a_cancelled_series_run_stops_with_cancelled(model, series):
    from app.ct.ai.series_run import run_series

    vol, px = series
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_series(model, vol, px, list(range(1, len(vol) - 1)), token=token)
    # cancelled midway (after the first batch): no result, the pool is shut down
    token = CancelToken()
    with pytest.raises(Cancelled):
        run_series(model, vol, px, list(range(1, len(vol) - 1)), token=token,
                   progress=lambda f, _m: token.cancel())
