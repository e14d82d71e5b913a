"""The ring gate (app/ct/ai/ring_gate.py, issue 16): a slice the network calls "ring"
while its 3-slice stack measures no ring (evidence z below 5 over the full circle and 6
over every half) is counted normal, with a coded series note; a measured ring keeps the
network's call.

The network is a stand-in that calls EVERY stack "ring" (tests/image_review/data/
ring_always.onnx, the released model's layout): on a clean phantom each ring is taken
back by the gate, on a phantom with a 40 HU ring at 40 mm none is. The phantoms are the
independent image-domain renderer's (app/ct/image_renderer), measured through the
station's own series run."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import ring_gate as rg
from app.ct.image_renderer import RenderArtifact, RenderParams
from app.ct.image_renderer.series import render_volume
from tests.image_review.conftest import stand_in_checker

RING_ALWAYS = Path(__file__).with_name("data") / "ring_always.onnx"  # make_tiny_classifier.py
BASE = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=10.0,
                    psf_sigma_mm=0.4, n_slices=5, z_start_mm=-70.0)


def _codes(d: dict) -> list[str]:
    return [c["code"] for c in d["note_codes"] if c]


def test_the_gate_takes_back_only_unmeasured_rings_of_judged_slices():
    probs = np.array([[0.05, 0.9, 0.05, 0, 0, 0, 0],      # ring, nothing measured
                      [0.05, 0.9, 0.05, 0, 0, 0, 0],      # ring, a full ring measured
                      [0.05, 0.9, 0.05, 0, 0, 0, 0],      # ring, an arc measured
                      [0.05, 0.9, 0.05, 0, 0, 0, 0],      # ring, a slice not judged
                      [0.10, 0.3, 0.60, 0, 0, 0, 0]], np.float32)   # streak: not gated
    z = np.array([[4.9, 5.9], [5.0, 1.0], [1.0, 6.0], [0.5, 0.5], [np.nan, np.nan]],
                 np.float32) / rg.EVIDENCE_SCALE
    out, n = rg.apply(probs, z, ["", "", "", "no phantom", ""])
    assert n == 1
    assert out[0, 1] == 0.0 and out[0, 0] == pytest.approx(0.95)
    assert out[0, 2] == pytest.approx(0.05)                  # the other classes keep theirs
    assert np.array_equal(out[1:], probs[1:])
    assert np.allclose(out.sum(1), probs.sum(1))
    assert rg.apply(probs, None, [""] * 5) == (probs, 0)


def test_a_network_ring_on_a_clean_phantom_is_taken_back_with_a_note(tmp_path):
    checker = stand_in_checker(tmp_path, RING_ALWAYS, "9.1.0")
    vol, _ = render_volume(replace(BASE, seed=3))
    res = checker.classify(vol, pixel_mm=BASE.pixel_mm)
    assert {s.label for s in res.slices} == {"normal"}
    assert res.label == "normal"
    d = res.to_dict()
    assert _codes(d) == ["ai.ring_unmeasured"]
    assert d["note_codes"][0]["params"]["count"] == len(res.slices)
    # the scores say what happened: ring mass moved to normal, nothing else
    assert all(s.scores["ring"] == 0.0 and s.scores["normal"] > 0.99 for s in res.slices)


def test_a_measured_ring_keeps_the_networks_call(tmp_path):
    checker = stand_in_checker(tmp_path, RING_ALWAYS, "9.1.0")
    art = (RenderArtifact("ring", 40.0, radius_mm=40.0, width_mm=0.8),)
    vol, _ = render_volume(replace(BASE, seed=4, artifacts=art))
    res = checker.classify(vol, pixel_mm=BASE.pixel_mm)
    assert {s.label for s in res.slices} == {"ring"}
    assert res.label == "ring"
    assert "ai.ring_unmeasured" not in _codes(res.to_dict())


def test_the_gate_measures_each_slice_once_and_only_where_ring_is_called(monkeypatch):
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    calls: list[int] = []
    real = rg.slice_ring
    monkeypatch.setattr(rg, "slice_ring", lambda g, *a, **k: calls.append(1) or real(g, *a, **k))
    vol, _ = render_volume(replace(BASE, seed=5))
    facts = [slice_facts(s, BASE.pixel_mm) for s in vol]
    cache = rg.EvidenceCache(grid_rotation_centre(vol.shape[1], BASE.pixel_mm))
    triples = [(max(i - 1, 0), i, min(i + 1, 4)) for i in range(5)]
    probs = np.tile(np.array([0.1, 0.8, 0.1, 0, 0, 0, 0], np.float32), (5, 1))
    probs[4] = [0.8, 0.1, 0.1, 0, 0, 0, 0]                      # not called ring
    z = rg.measure(probs, triples, [tuple(facts[j] for j in t) for t in triples], cache)
    assert np.isnan(z[4]).all() and np.isfinite(z[:4]).all()
    assert len(calls) == 5          # slices 0..4 (4 is the neighbour of 3), each once


def test_the_gates_ring_part_reads_what_the_evidence_features_read():
    """slice_ring / stack_ring_z (the gate's) against slice_evidence / stack_evidence (the
    evidence layout's features ring_mf3 and ring_mf3_arc): the same values, bit for bit -
    clean, a ring, and stacks at the phantom's end (a neighbour of another phantom
    radius: left out by both)."""
    from app.ct.ai.evidence import (EVIDENCE_NAMES, slice_evidence, slice_ring, stack_evidence,
                                    stack_ring_z)
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    rc = grid_rotation_centre(512, BASE.pixel_mm)
    art = (RenderArtifact("ring", 25.0, radius_mm=30.0, width_mm=0.8),)
    for p in (replace(BASE, seed=6), replace(BASE, seed=7, artifacts=art),
              replace(BASE, seed=8, z_start_mm=-106.0)):          # the phantom's end
        facts = [slice_facts(s, p.pixel_mm) for s in render_volume(p)[0]]
        args = [(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu, rc) for f in facts]
        evs = [slice_evidence(*a) for a in args]
        rings = [slice_ring(*a) for a in args]
        for k in range(1, len(facts) - 1):
            feat = stack_evidence(evs[k - 1:k + 2])
            want = (float(feat[EVIDENCE_NAMES.index("ring_mf3")]),
                    float(feat[EVIDENCE_NAMES.index("ring_mf3_arc")]))
            assert stack_ring_z(rings[k - 1:k + 2]) == want


# CTP404 in 5 mm slices: its 23-degree wire ramps are 12 mm bright segments near r 38-45 mm
# at four angles and its node holes sit at r 35 mm - thinner than the structure mask's
# 6 mm; before the local objects were left out, their high-pass halo read as a ring of
# z 6-8 (full circle) on both renderers, above the gate's levels
CTP404_5MM = replace(BASE, slice_thickness_mm=5.0, z_start_mm=-10.0, seed=4)


def _stack_z(vol: np.ndarray, pixel_mm: float, local: bool) -> list[tuple[float, float]]:
    """Each inner stack's (full, arc) z: the evidence features' (``local`` False) or the
    ring gate's measure (local objects left out, the one-arc test)."""
    from app.ct.ai.evidence import _stack_ring, slice_ring, stack_ring_gate_z
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    rc = grid_rotation_centre(vol.shape[1], pixel_mm)
    facts = [slice_facts(s, pixel_mm) for s in vol]
    rings = [slice_ring(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu, rc, local=local)
             for f in facts]
    if local:
        return [(5.0 * a, 5.0 * b) for a, b in
                (stack_ring_gate_z(rings[k - 1:k + 2], rg.FULL_Z_MIN, rg.ARC_Z_MIN)
                 for k in range(1, len(rings) - 1))]
    return [(st["z"], st["z_arc"]) for st in
            (_stack_ring(rings[k - 1:k + 2]) for k in range(1, len(rings) - 1))]


def _measured(z: tuple[float, float]) -> bool:
    return z[0] >= rg.FULL_Z_MIN or z[1] >= rg.ARC_Z_MIN


@pytest.mark.parametrize("renderer", ["image", "simulator"])
def test_the_phantoms_wires_and_holes_are_no_ring(tmp_path, renderer):
    if renderer == "image":
        vol, _ = render_volume(CTP404_5MM)
        px = CTP404_5MM.pixel_mm
    else:
        from app.ct.simulator.params import SimParams
        from app.ct.simulator.series import simulate_series
        from tests.sim_series import SHORT_CTP404

        s = simulate_series(SimParams(**SHORT_CTP404))
        vol, px = s.volume, s.pixel_mm
    # what the evidence features read there (the structures' halo) and what the gate reads
    assert any(_measured(z) for z in _stack_z(vol, px, local=False))
    assert not any(_measured(z) for z in _stack_z(vol, px, local=True))
    res = stand_in_checker(tmp_path, RING_ALWAYS, "9.1.0").classify(vol, pixel_mm=px)
    assert {s.label for s in res.slices} == {"normal"}
    assert _codes(res.to_dict()) == ["ai.ring_unmeasured"]


@pytest.mark.parametrize("art", [
    RenderArtifact("ring", 150.0, radius_mm=55.0, width_mm=0.8),       # continuous, strong
    RenderArtifact("ring", 40.0, radius_mm=38.0, width_mm=0.8),        # across the wires
    RenderArtifact("ring", 80.0, radius_mm=45.0, width_mm=0.8, coverage_deg=180.0,
                   start_deg=30.0)])                    # the ring class's shortest arc
@pytest.mark.parametrize("matrix", [256, 512])
def test_rings_and_arcs_are_not_local_objects(art, matrix):
    p = replace(CTP404_5MM, matrix=matrix, pixel_mm=256.0 / matrix, artifacts=(art,))
    vol, _ = render_volume(p)
    now, gate = _stack_z(vol, p.pixel_mm, False), _stack_z(vol, p.pixel_mm, True)
    assert all(_measured(z) for z in gate)
    if art.coverage_deg == 360.0:       # a full ring stays far above the levels
        assert all(g[0] >= 2 * rg.FULL_Z_MIN and g[0] <= n[0] + 1.0 for g, n in zip(gate, now))
    else:                               # an arc's pieces merge: it keeps its arc z
        assert all(abs(g[1] - n[1]) <= 1.0 for g, n in zip(gate, now))


def test_local_objects_are_short_and_a_ring_is_not_one():
    from app.ct.ai.evidence import local_objects

    n, rc = 256, 127.5
    yy, xx = np.mgrid[:n, :n]
    r = np.hypot(xx - rc, yy - rc)
    resid = np.zeros((n, n), np.float32)
    resid[(np.abs(r - 60) < 0.7)] = 50.0                    # a ring, 50 HU at noise 2
    resid[100:112, 40] = 300.0                              # a 12 mm segment (a wire ramp)
    resid[200:203, 200:203] = -400.0                        # a hole
    m = local_objects(resid, 2.0, rc)
    assert m is not None
    assert m[105, 40] and m[105, 42] and m[201, 201]        # the segment with its halo, the hole
    assert not m[(np.abs(r - 60) < 0.7)].any()              # the ring is not local
    assert local_objects(np.zeros((n, n), np.float32), 2.0, rc) is None


def test_the_training_analysis_applies_the_runtime_ring_gate_rule():
    """loro_error_analysis.py --ring-gate: the runtime rule (z >= 5 full or >= 6 arc, the
    evidence holding z / 5) on stored probabilities - an unmeasured "ring" counts normal,
    a measured one and every other class stay."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))
    from loro_error_analysis import EV, measurable, ring_gate_numpy

    ev = np.zeros((4, len(EV)), np.float32)
    ev[0, EV["ring_mf3"]] = 0.9                       # z 4.5: below both
    ev[1, EV["ring_mf3"]] = 1.0                       # z 5 full: measured
    ev[2, EV["ring_mf3_arc"]] = 1.2                   # z 6 on an arc: measured
    ev[3, EV["ring_mf3_arc"]] = 1.1                   # z 5.5 on an arc only: below
    assert measurable(ev).tolist() == [False, True, True, False]
    p = np.tile(np.array([[0.1, 0.8, 0.1, 0, 0, 0, 0]], np.float32), (4, 1))
    g = ring_gate_numpy(p, ev)
    assert g.argmax(1).tolist() == [0, 1, 1, 0]
    assert np.allclose(g.sum(1), 1.0)
    streak = np.tile(np.array([[0.1, 0.2, 0.7, 0, 0, 0, 0]], np.float32), (4, 1))
    assert np.array_equal(ring_gate_numpy(streak, ev), streak)


def _r3_ctp404_5mm(tmp_path, **kw) -> tuple[np.ndarray, float]:
    """CTP404 in five 5 mm slices from the third renderer (models/training/renderer_r3.py,
    written apart from both training renderers), 256 x 1 mm."""
    import sys
    from pathlib import Path

    from app.ct.dicom_load import load_series

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from models.training.renderer_r3 import SeriesConfig, render_series

    cfg = SeriesConfig("r3_ctp404_5mm", seed=74, thickness_mm=5.0, spacing_mm=5.0,
                       z_from=-10.0, z_to=10.0, noise_sd=6.3, matrix=256, pixel_mm=1.0, **kw)
    render_series(cfg, tmp_path / "s")
    s = load_series(tmp_path / "s", require_ct=True)
    return s.volume, s.pixel_mm


def test_structure_on_a_circle_is_no_ring_on_the_third_renderer(tmp_path):
    """The third renderer's CTP404 in 5 mm slices: its wire ramps (four 12 mm segments at
    0 / 90 / 180 / 270 degrees) and node holes are fainter than the local objects' 10 SD
    and read z 7 over the full circle even without the local objects (seen as 2 of 25
    ring slices of a clean 5 mm r3 series: 92 % normal); per sector they are four
    separate pieces, not one ring or arc, and the gate's measure reads them below its
    levels."""
    vol, px = _r3_ctp404_5mm(tmp_path)
    assert any(_measured(z) for z in _stack_z(vol, px, local=False))
    assert not any(_measured(z) for z in _stack_z(vol, px, local=True))
    # the station's run: a network that calls every stack ring is taken back on all
    res = stand_in_checker(tmp_path / "m", RING_ALWAYS, "9.1.0").classify(vol, pixel_mm=px)
    assert {s.label for s in res.slices} == {"normal"}
    assert _codes(res.to_dict()) == ["ai.ring_unmeasured"]


@pytest.mark.parametrize("ring", [
    {"amp": 20.0, "radius_mm": 38.0, "width_mm": 0.6},                   # across the ramps
    {"amp": 40.0, "radius_mm": 38.0, "width_mm": 0.6, "arc_deg": 100.0,  # an arc across one
     "arc_centre_deg": 45.0},
    {"amp": 15.0, "radius_mm": 60.0, "width_mm": 0.6}])
def test_rings_and_arcs_across_the_ramps_stay_measured_on_the_third_renderer(tmp_path, ring):
    vol, px = _r3_ctp404_5mm(tmp_path, ring=[ring])
    assert all(_measured(z) for z in _stack_z(vol, px, local=True))


def test_one_arc_fit_tells_one_arc_from_pieces():
    """ring_evidence.one_arc_fit on sector readings (unit noise): a ring, an arc of 90
    degrees and a ring crossing four inserts are one arc and keep a ring's z; four
    separate pieces of two sectors (wire ramps, holes on a circle) leave nothing of one
    (z of the noise), three pieces of four do not fit one arc; a strong ring with a 20 %
    sector-to-sector spread fits; too few sectors read: no verdict."""
    from app.ct.ai.ring_evidence import RING_SECTORS, one_arc_fit

    def one(v: np.ndarray, z_min: float = 5.0) -> bool:
        misfit, z = one_arc_fit(v)
        return misfit <= 0 and z >= z_min

    rng = np.random.default_rng(3)
    for _ in range(20):
        noise = rng.standard_normal(RING_SECTORS)
        ring = 2.0 + noise                                # z ~ 11 over the circle
        arc = noise.copy()
        arc[5:13] += 4.0                                  # 8 sectors: 90 degrees
        crossed = ring.copy()
        crossed[[3, 4, 11, 12, 19, 20, 27, 28]] += 15.0   # four inserts on the ring
        pieces = noise.copy()
        pieces[[0, 1, 8, 9, 16, 17, 24, 25]] += 12.0
        three = noise.copy()
        for k in (0, 11, 22):
            three[k:k + 4] += 10.0
        assert one(ring) and one(arc) and one(crossed)
        assert not one(pieces) and not one(three)
        assert one_arc_fit(pieces)[1] < 5.0
    strong = 40.0 * (1.0 + 0.2 * rng.standard_normal(RING_SECTORS))
    assert one(strong)
    few = np.full(RING_SECTORS, np.nan)
    few[:12] = 4.0                                        # an off-centre phantom: few sectors
    assert one_arc_fit(few) == (0.0, np.inf)
