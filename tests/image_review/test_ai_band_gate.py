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


# CTP486 (+5 HU) | CTP515 (+40 HU) | CTP404 (+8 HU) in 4 mm slices (image renderer): CTP515
# is a plateau off both sides - a block of rows or a module, the levels alone cannot say
THREE_MODULES = dict(matrix=512, pixel_mm=0.5, slice_thickness_mm=4.0, n_slices=22,
                     z_start_mm=-82.0, noise_sd_hu=8.0, seed=3)


def test_a_run_whose_maximum_alone_passes_a_side_is_no_block():
    from app.ct.ai.series_consistency import band_check

    # CTP486's slices beside CTP515's plateau and a partial-volume slice (35 HU): the run
    # from slice 2 into the plateau has its maximum above both sides (5.9 and 35), but it
    # is two levels, not a block of rows: slice 2 holds no band
    levels = _levels([6.1, 5.9, 6.3, 5.6, 5.8, 6.0, 5.6, 7.4] + [40.0] * 9 + [35.4, 8.3, 8.8])
    assert band_check(2, levels).band is False
    assert bg.refutes(2, levels)
    # the plateau itself is a block (every slice off both sides): not decided
    check = band_check(9, levels)
    assert check.band is None and check.run == (8, 17)


def test_a_localised_modules_plateau_is_its_body_not_a_block_of_rows():
    levels = _levels([6.0] * 8 + [40.0] * 10 + [8.5] * 4)
    plateau = ((8.25, 9.25, 17.0, 18.0, 0.75),)            # CTP515 at slices 8..17
    elsewhere = ((1.0, 2.0, 5.0, 6.0, 0.75),)
    assert not bg.refutes(8, levels) and not bg.refutes(17, levels)
    assert not bg.refutes(8, levels, elsewhere)
    assert bg.refutes(8, levels, plateau) and bg.refutes(17, levels, plateau)
    # a band on the plateau's end slice, outside both its sides: still a band
    banded = dict(levels)
    banded[8] = Level(48.0, 0.3)
    assert not bg.refutes(8, banded, plateau)


def test_network_bands_on_a_module_plateau_are_taken_back_where_the_modules_are_localised(
        tmp_path):
    from app.ct.ai.modules import module_plateaus
    from app.ct.image_renderer import RenderParams, render_volume

    p = RenderParams(**THREE_MODULES)
    vol, truth = render_volume(p)
    plateaus = module_plateaus(vol, truth["slice_positions_mm"], p.pixel_mm, p.slice_thickness_mm)
    # only CTP515 has both ends in the series (CTP486 and CTP404 run past its ends)
    assert plateaus is not None and len(plateaus) == 1
    checker = stand_in_checker(tmp_path, BAND_ALWAYS, "9.2.0")
    without = {s.slice_index: s.label for s in checker.classify(vol, pixel_mm=p.pixel_mm).slices}
    res = checker.classify(vol, pixel_mm=p.pixel_mm, module_plateaus=plateaus)
    with_ = {s.slice_index: s.label for s in res.slices}
    # without the modules: CTP515's plateau (slices 8..17) is left to the network
    assert [without[k] for k in range(8, 18)] == ["band"] * 10
    assert [without[k] for k in (*range(2, 8), 18)] == ["normal"] * 7
    # with them: every slice with both sides measured is normal; the series' ends keep it
    assert [with_[k] for k in range(2, 19)] == ["normal"] * 17
    assert with_[1] == with_[20] == "band"
    # a rendered 8 HU band on the plateau's first slice keeps the call with the modules
    banded = vol.copy()
    banded[8] += np.float32(8.0 / 1005.0) * (banded[8] + 1000.0) * (banded[8] > -500)
    res = checker.classify(banded, pixel_mm=p.pixel_mm, module_plateaus=plateaus)
    assert {s.slice_index: s.label for s in res.slices}[8] == "band"


def test_module_plateaus_need_a_known_phantom_and_ordered_positions():
    from app.ct.ai.modules import module_plateaus

    noise = np.random.default_rng(0).normal(-1000, 5, (6, 64, 64)).astype(np.float32)
    assert module_plateaus(noise, np.arange(6) * 2.0, 4.0, 2.0) is None      # no phantom
    assert module_plateaus(noise, np.zeros(6), 4.0, 2.0) is None              # unordered


def test_a_measured_band_beside_the_slice_backs_its_call():
    from app.ct.ai.series_consistency import band_check

    # the wide set's "+28 HU on 2 slices at a boundary": CTP515 (52.7), the band on its
    # last two slices (80.9), CTP404 (16); the CT QC hand-off judges slice 4, not 5 or 6
    levels = _levels([52.7, 52.8, 52.7, 52.6, 52.7, 80.9, 80.8, 16.0, 12.8, 12.8, 12.7])
    check = band_check(4, levels)
    assert check.band is True and check.run == (5, 6)
    assert not bg.refutes(4, levels)
    assert band_check(2, levels).band is False and bg.refutes(2, levels)


def test_a_short_module_in_thick_slices_is_no_band_where_it_is_localised():
    # the foreign clean series averaged into 10 mm slabs: CTP515 is two slices at +40
    # between partial-volume slices - exactly a two-slice band to the levels alone
    levels = _levels([4.9, 4.8, 5.1, 5.0, 26.2, 40.0, 39.9, 27.9, 10.1, 10.0, 10.0, 10.0, 10.1])
    plateau = ((3.25, 4.25, 6.75, 7.75, 0.8),)           # its localised extent (module_plateaus)
    assert not bg.refutes(5, levels) and not bg.refutes(6, levels)
    assert bg.refutes(5, levels, plateau) and bg.refutes(6, levels, plateau)
    # a band on one of the two slices is no plateau: still a band
    banded = dict(levels)
    banded[5] = Level(50.0, 0.3)
    assert not bg.refutes(5, banded, plateau)
    # 6 mm slabs: the plateau's run without its partial-volume slices (8..11) as well
    levels = _levels([4.9, 4.9, 4.8, 4.9, 5.2, 5.0, 5.0, 28.5, 39.8, 40.1, 40.0, 39.9, 29.9]
                     + [10.0] * 8)
    plateau = ((6.52, 7.52, 12.35, 13.35, 1.0),)
    assert not bg.refutes(8, levels) and bg.refutes(8, levels, plateau)


def test_a_module_the_series_starts_or_ends_in_has_no_plateau():
    """Five 5 mm slices inside CTP404: the module's ends are not in the series, so a
    three-slice block in it (a block of rows, not the module's body) stays undecided."""
    from app.ct.ai.modules import module_plateaus
    from app.ct.simulator.params import SimParams
    from app.ct.simulator.series import simulate_series
    from tests.sim_series import SHORT_CTP404

    s = simulate_series(SimParams(**SHORT_CTP404))
    plateaus = module_plateaus(s.volume, s.slice_positions_mm, s.pixel_mm, 5.0)
    assert plateaus == ()
    block = _levels([10.0, 25.0, 25.0, 25.0, 10.0])
    assert not bg.refutes(2, block, plateaus)
