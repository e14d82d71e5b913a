"""Ring layout 2 (``grid1mm_context_ring2``, app/ct/ai/evidence.py ``ring_bands``; issue 16).

The ring search leaves out busy patches (bar groups, wire ramps) and compact structures
(inserts). A ring of 150-300 HU made its own band both: its 5 mm high-pass side lobes are
busy over most of a 9 mm box, and a thin strong ring passes the structure mask's
threshold over >= 6 mm. The search then left the ring out of itself: the ring gate's z
of such rings was ~5 or less (its floor), the ring evidence read nothing, and the
released classifiers called 250 HU rings "normal" on every renderer they were not trained
on (left-out ring recall at 150-400 HU: img 0.69, r3 0.61, sim 0.43).

Layout 2 keeps a mask's piece in the search when it subtends a quarter turn about the
rotation centre and is thin along the radius; everything else is as in layout 1, and a
phantom without such a piece reads the same sums bit for bit. The phantoms are the
independent image-domain renderer's (app/ct/image_renderer), measured as the station
measures them."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.ct.ai import ring_gate as rg
from app.ct.ai.evidence import (RING_BUSY_MM, RING_STRUCT_MM, ring_bands, slice_ring,
                                stack_ring_gate_z)
from app.ct.image_renderer import RenderArtifact, RenderParams
from app.ct.image_renderer.series import render_volume

BASE = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=7.0,
                    psf_sigma_mm=0.4, n_slices=3, z_start_mm=-70.0, seed=11)
CTP404_5MM = replace(BASE, slice_thickness_mm=5.0, z_start_mm=-10.0)   # wire ramps, inserts
CTP528 = replace(BASE, z_start_mm=30.0)                                 # bar groups
RING_RULE = Path(__file__).with_name("data") / "ring_rule.onnx"      # make_tiny_classifier.py


def _ring(amp: float, r: float, w: float) -> tuple[RenderArtifact, ...]:
    return (RenderArtifact("ring", amp, radius_mm=r, width_mm=w),)


def _gate_z(vol: np.ndarray, concentric: bool) -> tuple[float, float]:
    """The ring gate's (full, arc) z of the centre stack of a 3-slice volume."""
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    rc = grid_rotation_centre(vol.shape[1], BASE.pixel_mm)
    facts = [slice_facts(s, BASE.pixel_mm) for s in vol]
    rings = [slice_ring(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu, rc,
                        local=True, concentric=concentric) for f in facts]
    full, arc = stack_ring_gate_z(rings, rg.FULL_Z_MIN, rg.ARC_Z_MIN)
    return rg.EVIDENCE_SCALE * full, rg.EVIDENCE_SCALE * arc


def _measured(z: tuple[float, float]) -> bool:
    return z[0] >= rg.FULL_Z_MIN or z[1] >= rg.ARC_Z_MIN


def _disc(n: int, cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.ogrid[:n, :n]
    return ((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r).astype(np.uint8)


def test_ring_bands_keeps_thin_concentric_pieces_only():
    """On the 2 mm grid (centre 63.75): a thin full ring and a 120-degree arc are bands;
    a 60-degree arc, a wide annulus, eight inserts on a circle and a ring that reaches the
    search's rim are not."""
    n, c = 128, 63.75
    yy, xx = np.ogrid[:n, :n]
    r = np.hypot(xx - c, yy - c) * 2.0                     # mm
    ang = np.degrees(np.arctan2(yy - c, xx - c)) % 360
    inside = _disc(n, c, c, 45.0)
    rim = inside & (1 - _disc(n, c, c, 43.5))

    def bands(m: np.ndarray, width: float = RING_STRUCT_MM) -> np.ndarray | None:
        return ring_bands(m.astype(np.uint8), c, 2.0, width, inside, rim)

    thin = (np.abs(r - 40.0) <= 2.0)
    assert bands(thin) is not None and bands(thin)[thin].all()
    assert bands(thin & (ang < 120)) is not None
    assert bands(thin & (ang < 60)) is None
    assert bands((r > 20) & (r < 50), RING_BUSY_MM) is None                 # 30 mm wide
    inserts = sum(_disc(n, c + 20 * np.cos(t), c + 20 * np.sin(t), 3.0)
                  for t in np.radians(np.arange(0, 360, 45))) > 0
    assert bands(inserts) is None
    assert bands(np.abs(r - 88.0) <= 2.0) is None                  # reaches the rim
    assert ring_bands(np.zeros((n, n), np.uint8), c, 2.0, 8.0, inside, rim) is None


@pytest.mark.parametrize("amp,radius,width", [(250.0, 60.0, 1.4), (-230.0, 50.0, 0.9),
                                              (300.0, 30.0, 1.8)])
def test_a_strong_ring_is_measured_in_layout_2(amp, radius, width):
    """Layout 1 left these rings out of their own search (z at or below the gate's floor:
    the 300 HU ring at 30 mm also broke into four structure pieces of < 90 degrees where it
    runs diagonally to the grid); layout 2 measures each far above it."""
    vol, _ = render_volume(replace(BASE, artifacts=_ring(amp, radius, width)))
    old, new = _gate_z(vol, False), _gate_z(vol, True)
    assert old[0] < 6.0, old                               # the defect, as measured
    assert new[0] >= 3 * rg.FULL_Z_MIN and _measured(new), (old, new)


@pytest.mark.parametrize("params", [BASE, CTP404_5MM, CTP528], ids=["ctp486", "ctp404_5mm",
                                                                   "ctp528"])
def test_clean_phantoms_read_the_same_in_both_layouts(params):
    """No band on a clean module (inserts, wire ramps, node holes, bar groups): the ring
    sums of both layouts are bit for bit the same, gate and evidence alike; and a 40 HU
    ring (never lost by layout 1) reads the same too."""
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    for vol in (render_volume(params)[0],
                render_volume(replace(params, artifacts=_ring(40.0, 40.0, 0.8)))[0]):
        rc = grid_rotation_centre(vol.shape[1], params.pixel_mm)
        for f in (slice_facts(s, params.pixel_mm) for s in vol):
            for local in (False, True):
                a, b = (slice_ring(f.grid, f.centre, f.radius_mm, f.noise_grid, f.body_hu, rc,
                                   local=local, concentric=k) for k in (False, True))
                assert np.array_equal(a.ring_s, b.ring_s) and np.array_equal(a.ring_c, b.ring_c)


def _stand_in(models_dir: Path, onnx: Path, scheme: str) -> object:
    """An AiChecker on ``onnx`` installed with a card of ``scheme`` and the ring layout's
    context (test_ai_evidence's installer; a registry folder per scheme)."""
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker
    from app.ct.ai.normalise import CONTEXT_NAMES_RING
    from tests.image_review.test_ai_evidence import _stand_in as install

    install(models_dir / scheme, onnx, scheme, list(CONTEXT_NAMES_RING))
    return AiChecker.from_registry(ModelRegistry(models_dir / scheme))


def test_the_layout_follows_the_card_through_the_series_run(tmp_path):
    """A 300 HU ring at 30 mm through the station's own series run: a rule on ring_mf3 (ring at z
    > 8.75) calls it "ring" in layout 2 and "normal" in layout 1 (released models keep
    their layout: a card of layout 1 is measured as before)."""
    from app.ct.ai.check import SCHEME_RING, SCHEME_RING2
    from app.ct.ai.normalise import RING, RING2

    vol, _ = render_volume(replace(BASE, n_slices=5, artifacts=_ring(300.0, 30.0, 1.8)))
    labels = {}
    for scheme in (SCHEME_RING, SCHEME_RING2):
        rule = _stand_in(tmp_path, RING_RULE, scheme)
        assert rule.evidence_layout == (RING2 if scheme == SCHEME_RING2 else RING)
        labels[scheme] = {s.label for s in rule.classify(vol, pixel_mm=BASE.pixel_mm).slices}
    assert labels == {SCHEME_RING: {"normal"}, SCHEME_RING2: {"ring"}}


def test_the_gate_of_layout_2_keeps_a_network_ring_on_a_strong_ring():
    """The ring gate's own cache (what the series run builds for the card's layout): a
    network "ring" on a strong ring is taken back to normal by layout 1's measure and
    kept by layout 2's (a 300 HU ring at 30 mm)."""
    from app.ct.ai.normalise import grid_rotation_centre, slice_facts

    vol, _ = render_volume(replace(BASE, n_slices=5, artifacts=_ring(300.0, 30.0, 1.8)))
    facts = [slice_facts(s, BASE.pixel_mm) for s in vol]
    triples = [(i - 1, i, i + 1) for i in range(1, 4)]
    probs = np.tile(np.array([0.1, 0.8, 0.1, 0, 0, 0, 0], np.float32), (3, 1))
    kept = {}
    for concentric in (False, True):
        cache = rg.EvidenceCache(grid_rotation_centre(vol.shape[1], BASE.pixel_mm),
                                 concentric=concentric)
        z = rg.measure(probs, triples, [tuple(facts[j] for j in t) for t in triples], cache)
        out, n_gated = rg.apply(probs, z, [""] * 3)
        kept[concentric] = int((out.argmax(1) == 1).sum())
    assert kept == {False: 0, True: 3}
