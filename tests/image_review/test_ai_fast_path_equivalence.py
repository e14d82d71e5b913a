"""The faster whole check gives the network exactly what the 2.4.0 candidate was trained
on (issue 16 item 5: >= 200 slices/s; no value the network sees may move).

The reference is the frozen code the models were trained with
(``tests/image_review/ev4_reference/``: the slice measurements and the ev4 evidence of
2.0.0 / 2.3.0, the shell steps of 2.4.0 - ``stack_shell_steps`` of the stored grids, the
phantom measured again on the centre slice). The live path - the overlapped series run,
the shell steps from the slice measurements' phantom centre and radius with one annulus
per triple, the evidence - must give on simulator slices of both renderers (the
projection simulator and the image-domain renderer; clean, a ring, a band, a streak):

* the shell steps bit for bit (the same medians of the same pixels);
* every context value the network sees equal to 1e-6 relative (the evidence's summation
  order may differ; test_ai_evidence_equivalence.py holds it to the same bound);
* the same network outputs (a model of the shell layout: tests/image_review/data/
  shell_rule.onnx) and labels.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import shell_step as live_shell
from app.ct.ai.normalise import slice_facts
from tests.image_review.ev4_reference import normalise as frozen
from tests.image_review.ev4_reference import shell_step as frozen_shell

SHELL_ONNX = Path(__file__).with_name("data") / "shell_rule.onnx"
RTOL = 1e-6


def _sim(seed: int, matrix: int = 512, fov: float = 250.0, **kw) -> tuple[np.ndarray, float]:
    from app.ct.simulator import SimParams, simulate_series
    from app.ct.simulator.params import ArtifactSpec

    arts = tuple(ArtifactSpec(**a) for a in kw.pop("artifacts", ()))
    s = simulate_series(SimParams(phantom="catphan504", matrix=matrix, fov_mm=fov,
                                  slice_thickness_mm=2.0, n_slices=6,
                                  z_range_mm=kw.pop("z", (-74.0, -64.0)), noise_sd_hu=10.0,
                                  seed=seed, artifacts=arts, **kw))
    return s.volume, s.pixel_mm


def _img(seed: int, **kw) -> tuple[np.ndarray, float]:
    from app.ct.image_renderer import RenderArtifact, RenderParams, render_volume

    arts = tuple(RenderArtifact(**a) for a in kw.pop("artifacts", ()))
    p = RenderParams(matrix=kw.pop("matrix", 512), pixel_mm=kw.pop("pixel_mm", 0.5),
                     slice_thickness_mm=2.0, n_slices=6, z_start_mm=kw.pop("z", -74.0),
                     noise_sd_hu=12.0, seed=seed, artifacts=arts, **kw)
    vol, _ = render_volume(p)
    return vol, p.pixel_mm


def _band(vol: np.ndarray, k: int, hu: float) -> np.ndarray:
    """A detector row's gain error on slice k: everything inside the phantom scaled."""
    out = vol.copy()
    s = out[k]
    out[k] = np.where(s > -500, s + hu / 1010.0 * (s + 1000.0), s)
    return out


@pytest.fixture(scope="module")
def series() -> dict[str, tuple[np.ndarray, float]]:
    """Both renderers' CatPhan 504 slices: clean, a ring, a band, a streak, odd matrix."""
    sim, px = _sim(41)
    img, ipx = _img(42, roll_deg=7.0)
    return {
        "sim clean": (sim, px),
        "sim band": (_band(sim, 2, 20.0), px),
        "sim ring": _sim(43, artifacts=[{"kind": "ring", "amplitude_hu": 12.0,
                                         "radius_mm": 45.0}]),
        "sim 255 at 0.9 mm": _sim(44, matrix=255, fov=229.5),
        "img clean": (img, ipx),
        "img band": (_band(img, 3, -15.0), ipx),
        "img ring": _img(45, artifacts=[{"kind": "ring", "amplitude_hu": 25.0,
                                         "radius_mm": 33.0, "width_mm": 0.7}]),
        "img streak": _img(46, artifacts=[{"kind": "streak", "amplitude_hu": 60.0,
                                           "angle_deg": 30.0, "width_mm": 1.0}]),
        "img edge kernel": _img(47, edge_overshoot=0.3, psf_sigma_mm=0.5),
    }


def test_the_shell_steps_equal_the_trained_ones_bit_for_bit(series):
    n = 0
    for name, (vol, px) in series.items():
        facts = [slice_facts(v, px, False) for v in vol]
        for k in range(1, len(vol) - 1):
            x3 = np.stack([f.grid for f in facts[k - 1:k + 2]])
            want = frozen_shell.stack_shell_steps(x3)
            c = facts[k]
            geo = live_shell.phantom_geometry(c.centre, c.radius_mm)
            # from the slice measurements (the series run), measured on the grid (training
            # cache, heatmaps), and the plain shell_steps on the measured centre
            for got in (live_shell.stack_shell_steps(x3, geo), live_shell.stack_shell_steps(x3),
                        live_shell.shell_steps(list(x3), c.centre, c.radius_mm)):
                assert got == want, (name, k, got, want)
            n += want != (0.0, 0.0)
    assert n >= 20          # measured shells, not the "no shell" zeros


def test_the_shell_steps_where_the_measurements_hold_no_phantom():
    """No phantom (zeros), a pixel size out of range (slice_facts stops before the
    phantom: the grid's own measurement, as trained) and a phantom cut to a sliver."""
    rng = np.random.default_rng(3)
    air = (np.full((3, 256, 256), -1000.0) + rng.normal(0, 5, (3, 256, 256))).astype(np.float32)
    geo = (math.nan, math.nan, math.nan)
    assert live_shell.stack_shell_steps(air, geo) == frozen_shell.stack_shell_steps(air) == (0, 0)
    vol, px = _sim(48, matrix=256, fov=400.0)          # 1.56 mm pixels: out of range
    facts = [slice_facts(v, px, False) for v in vol[:3]]
    assert facts[1].problem and facts[1].radius_mm == 0.0
    geo = live_shell.phantom_geometry(facts[1].centre, facts[1].radius_mm)
    assert all(math.isnan(v) for v in geo)
    x3 = np.stack([f.grid for f in facts])
    want = frozen_shell.stack_shell_steps(x3)
    assert want != (0.0, 0.0) and live_shell.stack_shell_steps(x3, geo) == want
    # an annulus too small to measure (a 4 mm "phantom") and one with no inner radius
    for r in (2.5, 4.0, 12.0):
        g = list(x3)
        assert live_shell.shell_steps(g, (128.0, 128.0), r) == \
            frozen_shell.shell_steps(g, (128.0, 128.0), r)
        assert (math.isnan(live_shell.shell_level(g[1], (128.0, 128.0), r))
                and math.isnan(frozen_shell.shell_level(g[1], (128.0, 128.0), r))) or \
            live_shell.shell_level(g[1], (128.0, 128.0), r) == \
            frozen_shell.shell_level(g[1], (128.0, 128.0), r)


class _Recorder:
    """The loaded model with every feed it is given kept (the network's exact inputs)."""

    def __init__(self, model: object) -> None:
        self._model = model
        self.feeds: list[dict[str, np.ndarray]] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._model, name)

    def run(self, inputs: dict, token: object = None, **kw: object) -> dict:
        self.feeds.append({k: np.array(v) for k, v in inputs.items()})
        return self._model.run(inputs, token, **kw)  # type: ignore[attr-defined]


def _shell_checker(tmp_path: Path):
    from app.adapters.inference import ModelRegistry, file_sha256
    from app.ct.ai.check import AiChecker
    from app.ct.ai.preprocess import CLASSES

    d = tmp_path / "ct_phantom_classifier" / "9.1.0"
    d.mkdir(parents=True)
    shutil.copy(SHELL_ONNX, d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": "9.1.0", "file": "model.onnx",
            "sha256": file_sha256(d / "model.onnx"), "classes": CLASSES,
            "preprocessing": {"scheme": live_shell.SCHEME_SHELL},
            "inputs": [{"name": "image"},
                       {"name": "context", "names": live_shell.context_names_shell()}],
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.5}}
    (d / "card.json").write_text(json.dumps(card))
    checker = AiChecker.from_registry(ModelRegistry(tmp_path))
    inner = checker.onnx._model                 # the ShellContextModel's loaded model
    rec = _Recorder(inner)
    checker.onnx._model = rec
    return checker, inner, rec


def test_the_series_run_feeds_the_network_what_it_was_trained_on(series, tmp_path,
                                                                monkeypatch):
    """The whole check (overlapped series run, shell steps from the measurements) against
    the frozen reference: frozen slice measurements and evidence, frozen shell steps
    measured on the stacked grids, one network run."""
    checker, inner, rec = _shell_checker(tmp_path)
    measured_again = []
    steps = live_shell.stack_shell_steps

    def spy(x3, geometry=None):
        measured_again.append(geometry is None or not math.isfinite(geometry[2]))
        return steps(x3, geometry)

    monkeypatch.setattr(live_shell, "stack_shell_steps", spy)
    labels = set()
    for name, (vol, px) in series.items():
        rec.feeds.clear()
        res = checker.classify(vol, pixel_mm=px, batch_size=2)
        idx = [s.slice_index for s in res.slices]
        # the batches run side by side: each input found by its recorded sha256
        by_sha = {hashlib.sha256(np.ascontiguousarray(t).tobytes()).hexdigest(): (t, c)
                  for f in rec.feeds for t, c in zip(f["image"], f["context"])}
        image = np.stack([by_sha[s.input_sha256][0] for s in res.slices])
        ctx = np.stack([by_sha[s.input_sha256][1] for s in res.slices])
        x, ctx0, problems = frozen.prepare(vol, px, idx, True)
        assert np.array_equal(image, x), name                       # the grids
        want = frozen_shell.with_shell(x, ctx0)
        assert ctx.shape == want.shape == (len(idx), len(live_shell.context_names_shell()))
        # the shell steps bit for bit, every other value to 1e-6 relative (the evidence)
        assert np.array_equal(ctx[:, -3:-1], want[:, -3:-1]), name
        scale = np.maximum(np.abs(want), 1.0)
        assert np.all(np.abs(ctx - want) <= RTOL * scale), name
        ref = inner.run({"image": x, "context": want})
        got = np.array([[s.scores[c] for c in s.scores] for s in res.slices])
        assert np.allclose(got, np.round(ref["probabilities"], 5), atol=2e-5), name
        want_labels = ["not_applicable" if p else
                       ["normal", "ring", "streak", "band", "noise", "shift", "blur"][
                           int(np.argmax(ref["probabilities"][k]))]
                       for k, p in enumerate(problems)]
        assert [s.label for s in res.slices] == want_labels, name
        labels |= set(want_labels)
    assert {"band", "normal"} <= labels          # the rule saw shells move and stay
    # the series run gave the measured phantom: not measured again on any triple
    assert measured_again and not any(measured_again)


def test_opencv_runs_single_threaded_during_a_series_run_and_is_restored(series, tmp_path,
                                                                       monkeypatch):
    """OpenCV's own pool is off while the run's workers measure (its spinning workers
    cost CPU), back to the caller's thread count afterwards - also when two runs
    overlap, and when a run fails."""
    import threading

    import cv2

    import app.ct.ai.series_run as series_run
    from app.core.errors import InputRejected

    checker, _, _ = _shell_checker(tmp_path)
    vol, px = series["sim clean"]
    seen: list[int] = []
    facts = series_run.slice_facts

    def spy(*a, **kw):
        seen.append(cv2.getNumThreads())
        return facts(*a, **kw)

    monkeypatch.setattr(series_run, "slice_facts", spy)
    before = cv2.getNumThreads()
    cv2.setNumThreads(3)
    try:
        runs = [threading.Thread(target=checker.classify, args=(vol,), kwargs={"pixel_mm": px})
                for _ in range(2)]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
        assert seen and set(seen) == {1}
        assert cv2.getNumThreads() == 3
        bad = vol.copy()
        bad[2, 5, 5] = np.nan
        with pytest.raises(InputRejected):
            checker.classify(bad, pixel_mm=px)
        assert cv2.getNumThreads() == 3
    finally:
        cv2.setNumThreads(before)


def test_the_body_centre_and_reach_equal_the_pixel_lists_bit_for_bit():
    """slice_facts' centre from the body's moments and its reach from the edge pixels
    only: the same numbers as the mean and the largest distance over every pixel - for
    discs, ellipses, a body cut by the grid's border, a ragged body and a small one."""
    import cv2

    from app.ct.ai.normalise import _reach

    rng = np.random.default_rng(11)
    yy, xx = np.mgrid[:256, :256]
    shapes = []
    for k in range(24):
        cx, cy = rng.uniform(60, 196, 2)
        a, b = rng.uniform(20, 110, 2)
        m = ((xx - cx) / a) ** 2 + ((yy - cy) / b) ** 2 <= 1.0
        if k % 3 == 1:
            m &= rng.random(m.shape) > 0.05          # ragged: holes and a rough edge
        shapes.append(m)
    shapes.append(np.hypot(xx - 20.3, yy - 240.6) < 90)     # cut by two borders
    shapes.append(np.hypot(xx - 100.0, yy - 100.0) < 6.0)   # small
    for m in shapes:
        b8 = np.ascontiguousarray(m).view(np.uint8)
        ys, xs = np.nonzero(m)
        mom = cv2.moments(b8, binaryImage=True)
        cx, cy = mom["m10"] / mom["m00"], mom["m01"] / mom["m00"]
        assert (cx, cy) == (float(xs.mean()), float(ys.mean()))
        want = float(np.sqrt(((xs - cx) ** 2 + (ys - cy) ** 2).max()))
        assert _reach(b8, cx, cy) == want
        # the central moments: the sums over the pixels to 1e-12 relative
        for got, ref in ((mom["mu20"], ((xs - cx) ** 2).sum()),
                         (mom["mu02"], ((ys - cy) ** 2).sum())):
            assert abs(got - ref) <= 1e-12 * ref
        assert abs(mom["mu11"] - ((xs - cx) * (ys - cy)).sum()) <= 1e-12 * mom["mu20"]
