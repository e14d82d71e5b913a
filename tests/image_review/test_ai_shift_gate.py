"""The shift gate (app/ct/ai/shift_gate.py, issue 16): a slice the network calls "shift"
whose measured air offset and cupping are both below half the class's smallest value
(6 HU; the class: a 12-40 HU calibration offset that moves air and water, or 12-60 HU of
cupping / capping) is counted normal, with a coded series note; a measured offset or
cupping keeps the network's call.

The network is a stand-in calling EVERY stack "shift" (tests/image_review/data/
shift_always.onnx, the released model's context layout); the phantoms are the independent
image-domain renderer's, measured through the station's own series run."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import shift_gate as sg
from app.ct.ai.evidence import slice_cupping, slice_evidence
from app.ct.image_renderer import RenderArtifact
from app.ct.image_renderer.series import render_volume
from tests.image_review.conftest import judged_and_notes, stand_in_checker, uniform_series

SHIFT_ALWAYS = Path(__file__).with_name("data") / "shift_always.onnx"  # make_tiny_classifier.py
SHIFT = sg.SHIFT
BASE = uniform_series()


def _shift_probs(n: int) -> np.ndarray:
    p = np.zeros((n, 7), np.float32)
    p[:, 0], p[:, SHIFT], p[:, 2] = 0.05, 0.9, 0.05
    return p


def test_the_gate_takes_back_only_shifts_both_measurements_refute():
    gate = np.array([[2.0, 1.0],            # neither: refuted
                     [7.0, 1.0],            # a measured air offset
                     [2.0, 9.0],            # a measured cupping
                     [5.9, 5.9],            # both just below half the class's 12 HU
                     [np.nan, np.nan],      # not measured (the network did not call shift)
                     [1.0, 1.0]], np.float32)
    problems = ["", "", "", "", "", "no phantom"]
    out, n = sg.apply(_shift_probs(6), gate, problems)
    assert [bool(out[k, SHIFT] == 0.0) for k in range(6)] == [True, False, False, True,
                                                              False, False]
    assert n == 2
    assert out[0, 0] == pytest.approx(0.95) and out[0, 2] == pytest.approx(0.05)
    assert np.allclose(out.sum(1), 1.0)
    # a row the network does not call shift is never touched; no gate output: nothing runs
    other = _shift_probs(1)
    other[0] = (0.1, 0.8, 0.0, 0.0, 0.0, 0.1, 0.0)
    assert sg.apply(other, np.array([[0.0, 0.0]], np.float32), [""])[1] == 0
    assert sg.apply(_shift_probs(2), None, ["", ""])[1] == 0
    assert sg.REFUTE_HU == 6.0


def test_slice_cupping_is_the_evidences_cupping():
    from app.ct.ai.normalise import slice_facts

    for arts in ((), (RenderArtifact("cupping", 30.0),), (RenderArtifact("capping", 20.0),)):
        vol, _ = render_volume(replace(BASE, n_slices=1, artifacts=arts))
        f = slice_facts(vol[0], BASE.pixel_mm)
        ev = slice_evidence(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu)
        assert slice_cupping(f.grid, f.centre, f.radius_mm) == float(ev.cupping)


@pytest.mark.parametrize("case,kept", [
    ("clean", False),
    ("offset +25 HU", True),      # a calibration offset: air and water move alike
    ("offset -20 HU", True),
    ("cupping 30 HU", True),
    ("capping 25 HU", True),
])
def test_network_shifts_are_taken_back_only_where_nothing_is_measured(tmp_path, case, kept):
    params = {"clean": BASE,
              "offset +25 HU": replace(BASE, hu_offset=25.0),
              "offset -20 HU": replace(BASE, hu_offset=-20.0),
              "cupping 30 HU": replace(BASE, artifacts=(RenderArtifact("cupping", 30.0),)),
              "capping 25 HU": replace(BASE, artifacts=(RenderArtifact("capping", 25.0),))}[case]
    vol, _ = render_volume(params)
    checker = stand_in_checker(tmp_path, SHIFT_ALWAYS, "9.3.0")
    res = checker.classify(vol, pixel_mm=BASE.pixel_mm)
    judged, codes = judged_and_notes(res, "ai.shift_unmeasured")
    assert judged, [s.reasons for s in res.slices]
    if kept:
        assert {s.label for s in judged} == {"shift"}
        assert not codes
    else:
        assert {s.label for s in judged} == {"normal"}
        assert len(codes) == 1 and codes[0]["params"]["count"] == len(judged)
        assert all(s.scores["shift"] == 0.0 and s.scores["normal"] > 0.99 for s in judged)
