"""The shell step (app/ct/ai/shell_step.py, issue 16): a band - a detector row's gain
error - scales the whole slice, the phantom's shell included; a module boundary changes
the body inside a shell that runs through every module. On three slices a band on the
centre slice and one neighbour and a module boundary beside the centre slice have the
same central-disc levels; the shell tells them apart on either kernel.

An analytic phantom (100 mm radius, 3 mm shell +110 HU over the body, 8 inserts of
-1000..+900 HU at 58 mm) at a 0.5 mm pixel, white noise through a smooth or an
edge-enhancing kernel, measured as the station measures it (normalise.slice_facts)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai.normalise import N_CONTEXT_EVIDENCE, band_steps, slice_facts
from app.ct.ai.shell_step import (SCHEME_SHELL, context_names_shell, shell_steps,
                                  stack_shell_steps, with_shell)

from tests.image_review.test_ai_evidence import N, PX, add_inserts, scanner_kernel  # noqa: E402

BODY, SHELL = 10.0, 120.0
SHELL_ONNX = Path(__file__).with_name("data") / "shell_rule.onnx"   # make_tiny_classifier.py


def _phantom(kernel: str, seed: int, *, gain_hu: float = 0.0, module_hu: float = 0.0,
             noise: float = 10.0) -> np.ndarray:
    """``gain_hu``: a band - attenuation scaled so that the body moves by gain_hu HU,
    everything inside the phantom with it (shell and inserts: (HU + 1000) x eps);
    ``module_hu``: another module - the body inside the shell moved by module_hu HU."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:N, :N]
    c = (N - 1) / 2
    r = np.hypot(xx - c, yy - c) * PX
    img = np.where(r <= 100, SHELL, -1000.0)
    img[r <= 97] = BODY + module_hu
    add_inserts(img, xx, yy, c)
    if gain_hu:
        eps = gain_hu / (BODY + 1000.0)
        img = np.where(img > -500, img + eps * (img + 1000.0), img)
    img, n = scanner_kernel(kernel, img.astype(np.float32),
                            rng.normal(0, 1, (N, N)).astype(np.float32))
    return (img + n / n.std() * noise).astype(np.float32)


def _steps(kernel: str, kinds: tuple[dict, dict, dict]) -> tuple[tuple, tuple]:
    facts = [slice_facts(_phantom(kernel, s, noise=4.0, **kw), PX)
             for s, kw in enumerate(kinds)]
    c = facts[1]
    sh = shell_steps([f.grid for f in facts], c.centre, c.radius_mm)
    # the stored-grid path of the training cache measures the same
    assert np.allclose(stack_shell_steps(np.stack([f.grid for f in facts])), sh, atol=1e-4)
    return band_steps(facts), sh


@pytest.mark.parametrize("kernel", ["smooth", "edge"])
@pytest.mark.parametrize("hu", [20.0, -6.0])
def test_a_band_on_two_slices_moves_the_shell_a_module_boundary_does_not(kernel, hu):
    # a band on the centre slice and the next: the previous slice is off by the band
    band, band_shell = _steps(kernel, ({}, {"gain_hu": hu}, {"gain_hu": hu}))
    # a module boundary: the previous slice lies in a module whose body is -hu off
    module, module_shell = _steps(kernel, ({"module_hu": -hu}, {}, {}))
    # the central disc cannot tell them apart: one neighbour off by hu, the other level
    for (prev, nxt) in (band, module):
        assert abs(prev - hu) < 1.0 and abs(nxt) < 1.0
    # the shell can: a band moves it by (shell + 1000) / (body + 1000) = 1.1 of the
    # body's step; at a module boundary only the kernel's spread of the body's step
    # reaches it (an edge kernel's overshoot: a quarter of the step, of opposite sign)
    assert 0.8 < band_shell[0] / band[0] < 1.5 and abs(band_shell[1]) < 1.0
    assert abs(module_shell[0] / module[0]) < 0.35 and abs(module_shell[1]) < 1.0


def test_no_phantom_no_shell_step():
    air = np.full((3, 256, 256), -1000.0, np.float32)
    assert stack_shell_steps(air) == (0.0, 0.0)


def test_the_shell_layout_puts_the_steps_before_the_body_median():
    names = context_names_shell()
    assert len(names) == N_CONTEXT_EVIDENCE + 2
    assert names[-3:] == ["shell_prev", "shell_next", "body_hu"]
    x = np.stack([np.stack([slice_facts(_phantom("smooth", s, gain_hu=g), PX).grid
                            for s, g in ((0, 0.0), (1, 20.0), (2, 0.0))])])
    ctx = np.arange(N_CONTEXT_EVIDENCE, dtype=np.float32)[None]
    out = with_shell(x, ctx)
    assert out.shape == (1, N_CONTEXT_EVIDENCE + 2)
    assert np.array_equal(out[0, :N_CONTEXT_EVIDENCE - 1], ctx[0, :-1])
    assert out[0, -1] == ctx[0, -1]                               # body median last
    assert 3.6 < out[0, -3] < 5.6 and 3.6 < out[0, -2] < 5.6      # +22 HU both sides / 5


# --- the shell layout end to end: registry, AiChecker, the overlapped series run --------
def _shell_model(models_dir: Path, names: list[str] | None = None) -> None:
    """A model of the shell layout whose rule reads the shell steps
    (tests/image_review/data/shell_rule.onnx, make_tiny_classifier.py): 'band' when the
    shell moves with the slice, 'normal' otherwise."""
    from app.adapters.inference import file_sha256
    from app.ct.ai.preprocess import CLASSES

    d = models_dir / "ct_phantom_classifier" / "9.1.0"
    d.mkdir(parents=True)
    shutil.copy(SHELL_ONNX, d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": "9.1.0", "file": "model.onnx",
            "sha256": file_sha256(d / "model.onnx"), "classes": CLASSES,
            "preprocessing": {"scheme": SCHEME_SHELL},
            "inputs": [{"name": "image"}, {"name": "context",
                                           "names": names or context_names_shell()}],
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.5}}
    (d / "card.json").write_text(json.dumps(card))


def test_a_model_of_the_shell_layout_gets_the_shell_steps_through_the_series_run(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    _shell_model(tmp_path)
    checker = AiChecker.from_registry(ModelRegistry(tmp_path))
    assert checker.uses_context and checker.uses_evidence
    # slice 2 of 5: a +20 HU band (gain), or a one-slice module whose body is +20 HU
    band = np.stack([_phantom("edge", s, gain_hu=20.0 if s == 2 else 0.0) for s in range(5)])
    module = np.stack([_phantom("edge", s, module_hu=20.0 if s == 2 else 0.0) for s in range(5)])
    labels = {}
    for name, vol in (("band", band), ("module", module)):
        res = checker.classify(vol, pixel_mm=PX)           # the overlapped series run
        labels[name] = [s.label for s in res.slices]
        idx, feeds, _, _ = checker.prepared(vol, None, PX)   # the plain path: the same
        assert feeds["context"].shape == (len(idx), N_CONTEXT_EVIDENCE + 2)
        out = checker.onnx.run(feeds)
        got = np.array([[s.scores[c] for c in s.scores] for s in res.slices])
        assert np.allclose(got, out["probabilities"], atol=1e-5)
    assert labels == {"band": ["normal", "band", "normal"],
                      "module": ["normal", "normal", "normal"]}


def test_a_shell_card_with_the_evidence_names_is_refused(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.core.errors import ModelIntegrityError
    from app.ct.ai.check import AiChecker
    from app.ct.ai.normalise import CONTEXT_NAMES_EVIDENCE

    _shell_model(tmp_path, list(CONTEXT_NAMES_EVIDENCE))
    with pytest.raises(ModelIntegrityError, match="context of 65 features"):
        AiChecker.from_registry(ModelRegistry(tmp_path))
