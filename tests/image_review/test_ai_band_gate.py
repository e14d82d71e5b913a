"""The band gate (app/ct/ai/band_gate.py, issue 16): a slice the network calls "band"
whose central-disc levels refute a band (every one- and two-slice run holding it lies
between its neighbours' levels, or outside them by far less than the class's 3 HU) is
counted normal, with a coded series note; a measured band, a noisy excursion the check
could not call, a long plateau and a slice without an outer side keep the network's call.

The network is a stand-in calling EVERY stack "band" (tests/image_review/data/
band_always.onnx, the released model's layout); the phantoms are the independent
image-domain renderer's, measured through the station's own series run."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import band_gate as bg
from app.ct.ai.series_consistency import Level
from tests.image_review.conftest import render_module_boundary, stand_in_checker

BAND_ALWAYS = Path(__file__).with_name("data") / "band_always.onnx"  # make_tiny_classifier.py
BAND = bg.BAND


def _levels(values, se=0.3):
    return {k: Level(float(v), se) for k, v in enumerate(values)}


def _band_probs(n):
    p = np.zeros((n, 7), np.float32)
    p[:, 0], p[:, BAND], p[:, 2] = 0.05, 0.9, 0.05
    return p


def test_the_gate_takes_back_only_bands_the_levels_refute():
    step = [5.0] * 5 + [40.0] * 6        # a module boundary between slices 4 and 5
    levels = _levels(step)
    idx = list(range(11))
    out, n = bg.apply(_band_probs(11), idx, [""] * 11, levels)
    taken = [k for k in idx if out[k, BAND] == 0.0]
    # the series' ends have no outer side (0, 10; 1 and 9 hold a pair with no side)
    assert taken == list(range(2, 9))
    assert n == len(taken)
    assert out[2, 0] == pytest.approx(0.95) and out[2, 2] == pytest.approx(0.05)
    assert np.allclose(out.sum(1), 1.0)
    # a slice not judged keeps its row; no levels: nothing runs
    problems = [""] * 11
    problems[4] = "no phantom"
    out, n = bg.apply(_band_probs(11), idx, problems, levels)
    assert out[4, BAND] == pytest.approx(0.9) and n == len(taken) - 1
    assert bg.apply(_band_probs(3), [0, 1, 2], [""] * 3, None)[1] == 0


def test_a_measured_band_a_noisy_excursion_and_a_plateau_keep_the_networks_call():
    # 4 HU off both sides at SE 0.3: a band (the series check says so)
    assert not bg.refutes(5, _levels([0.0] * 5 + [4.0] + [0.0] * 5))
    # 4 HU at SE 1.5: below the check's 5-SE floor, but not far below the class's 3 HU
    assert not bg.refutes(5, _levels([0.0] * 5 + [4.0] + [0.0] * 5, se=1.5))
    # 1.5 HU at SE 0.3: 1.5 + 2 x 0.42 < 3 - no band of the class reads so little
    assert bg.refutes(5, _levels([0.0] * 5 + [1.5] + [0.0] * 5))
    # the edge of a 6-slice plateau: a block of rows or a module - the network's call
    assert not bg.refutes(5, _levels([0.0] * 5 + [15.0] * 6 + [0.0] * 5))
    # a side not measured
    assert not bg.refutes(1, {0: Level(0.0, 0.3), 1: Level(0.0, 0.3)})


def test_network_bands_at_a_module_boundary_are_taken_back_with_a_note(tmp_path):
    checker = stand_in_checker(tmp_path, BAND_ALWAYS, "9.2.0")
    vol, px = render_module_boundary()
    res = checker.classify(vol, pixel_mm=px)
    by_index = {s.slice_index: s.label for s in res.slices}
    labels = list(by_index.values())
    # inside: the boundary's step, no band; next to the series' ends (1, 7) a pair has no
    # outer side - kept
    assert [by_index[k] for k in range(2, 7)] == ["normal"] * 5
    assert by_index[1] == by_index[7] == "band"
    d = res.to_dict()
    codes = [c for c in d["note_codes"] if c and c["code"] == "ai.band_unmeasured"]
    assert len(codes) == 1 and codes[0]["params"]["count"] == labels.count("normal")
    assert all(s.scores["band"] == 0.0 and s.scores["normal"] > 0.99
               for s in res.slices if s.label == "normal")


def test_a_rendered_band_keeps_the_networks_call(tmp_path):
    checker = stand_in_checker(tmp_path, BAND_ALWAYS, "9.2.0")
    vol, px = render_module_boundary((2,), 8.0)
    res = checker.classify(vol, pixel_mm=px)
    by_index = {s.slice_index: s.label for s in res.slices}
    # slice 2 and the pairs holding it read 8 HU outside their sides: bands
    assert by_index[2] == "band"
    assert res.label == "band"
