"""The edge-ring rule (app/ct/ai/edge_ring.py, issue 16): a detector ring inside the
phantom's shell (r ~90-96 mm on a 100 mm phantom), where the network's ring evidence does
not search and neither model learnt it, is measured from the physics and the series is
called ring; clean phantoms of both renderers - smooth and edge-enhancing kernels, the
phantom off the rotation centre, 0.3-0.9 mm pixels, a couch - are not.

Two phantoms: the analytic one of the evidence tests (100 mm radius, 3 mm shell, 8
inserts; smooth / edge-enhancing kernel) and the independent image-domain CatPhan renderer
(app/ct/image_renderer), measured as the station measures them (normalise.slice_facts)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.ct.ai import edge_ring as er
from app.ct.ai.normalise import grid_rotation_centre, slice_facts
from app.ct.image_renderer import RenderArtifact, RenderParams
from app.ct.image_renderer.series import render_volume

from tests.image_review.conftest import real_model
from tests.image_review.test_ai_evidence import N, PX, add_inserts, scanner_kernel

BODY, SHELL = 10.0, 120.0


def _analytic(kernel: str, seed: int, *, ring_hu: float = 0.0, ring_r: float = 95.0,
              offset: tuple[float, float] = (0.0, 0.0), noise: float = 10.0) -> np.ndarray:
    """The analytic phantom (centre moved by ``offset`` mm) with a ring of ``ring_hu`` (1 mm
    FWHM) at ``ring_r`` about the rotation centre (the image centre), both through the
    kernel, then the noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:N, :N]
    c = (N - 1) / 2
    cx, cy = c + offset[0] / PX, c + offset[1] / PX
    r = np.hypot(xx - cx, yy - cy) * PX
    img = np.where(r <= 100, SHELL, -1000.0)
    img[r <= 97] = BODY
    add_inserts(img, xx, yy, cx)
    rr = np.hypot(xx - c, yy - c) * PX
    img = img + ring_hu * np.exp(-0.5 * ((rr - ring_r) / (1.0 / 2.3548)) ** 2)
    img, n = scanner_kernel(kernel, img.astype(np.float32),
                            rng.normal(0, 1, (N, N)).astype(np.float32))
    return (img + n / n.std() * noise).astype(np.float32)


def _series_ring(slices: list[np.ndarray], px: float) -> er.EdgeRing:
    rc = grid_rotation_centre(slices[0].shape[0], px)
    facts = [slice_facts(s, px) for s in slices]
    field = slices[0].shape[0] * px / 2.0
    packed = np.stack([er.slice_profiles(f.grid, rc, f.noise_native, field) for f in facts])
    res = er.series_ring(packed, packed[:, er.NOISE])
    assert res is not None
    return res


@pytest.mark.parametrize("kernel", ["smooth", "edge"])
@pytest.mark.parametrize("offset", [(0.0, 0.0), (6.0, -3.0)])
def test_a_ring_inside_the_shell_is_a_ring_on_either_kernel_centred_or_not(kernel, offset):
    ring = _series_ring([_analytic(kernel, s, ring_hu=100.0, offset=offset) for s in range(3)],
                        PX)
    assert ring.ring and 91.0 <= ring.radius_mm <= 96.5 and ring.z >= er.Z_MIN


@pytest.mark.parametrize("kernel", ["smooth", "edge"])
@pytest.mark.parametrize("offset", [(0.0, 0.0), (0.7, 0.4), (6.0, -3.0), (-12.0, 8.0)])
def test_a_clean_analytic_phantom_is_no_edge_ring(kernel, offset):
    ring = _series_ring([_analytic(kernel, 10 + s, offset=offset) for s in range(3)], PX)
    assert not ring.ring
    assert ring.amp_sd < er.AMP_MIN_SD[ring.test] / 2 or ring.z < er.Z_MIN


BASE = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=10.0,
                    psf_sigma_mm=0.4, n_slices=3, z_start_mm=-70.0)


@pytest.mark.slow
@pytest.mark.parametrize("kw", [
    dict(seed=1),
    dict(seed=2, psf="edge", edge_overshoot=0.6, psf_sigma_mm=0.5),
    dict(seed=3, centre_offset_mm=(9.0, -6.0), couch=True),
    dict(seed=4, matrix=1024, pixel_mm=0.3, psf="edge", edge_overshoot=0.4),
    dict(seed=5, pixel_mm=0.9, matrix=256, centre_offset_mm=(0.6, 0.3)),
], ids=["smooth", "edge-kernel", "offset-couch", "0.3mm-edge", "0.9mm-centred"])
def test_the_image_renderers_clean_phantoms_are_no_edge_ring(kw):
    p = replace(BASE, **kw)
    vol, _ = render_volume(p)
    assert not _series_ring(list(vol), p.pixel_mm).ring


@pytest.mark.slow
@pytest.mark.parametrize("kw", [dict(seed=14), dict(seed=15, centre_offset_mm=(5.0, 3.0)),
                                dict(seed=16, psf="edge", edge_overshoot=0.4)],
                         ids=["centred", "offset", "edge-kernel"])
def test_the_image_renderers_ring_of_300_hu_at_95_mm_is_a_ring(kw):
    p = replace(BASE, artifacts=(RenderArtifact("ring", 300.0, radius_mm=95.0, width_mm=0.8),),
                **kw)
    vol, _ = render_volume(p)
    assert _series_ring(list(vol), p.pixel_mm).ring


def _simulated(ring_hu: float = 0.0, ring_r: float = 95.0, **kw: object) -> list[np.ndarray]:
    """Three slices of the projection-domain simulator (a ring: a bad detector channel at
    ``ring_r`` from the rotation centre, through the FBP)."""
    from app.ct.simulator import ArtifactSpec, SimParams, simulate_series

    arts = (ArtifactSpec(kind="ring", amplitude_hu=ring_hu, radius_mm=ring_r),) if ring_hu \
        else ()
    p = dict(phantom="catphan504", artifacts=arts, matrix=512, fov_mm=250.0,
             slice_thickness_mm=2.0, n_slices=3, psf_sigma_mm=0.45, noise_sd_hu=10.0,
             noise_kernel="standard", seed=5)
    p.update(kw)
    return list(simulate_series(SimParams(**p)).volume.astype(np.float32))


SIM_PX = 250.0 / 512


@pytest.mark.slow
@pytest.mark.parametrize("kw", [dict(), dict(noise_kernel="sharp"),
                                dict(centre_offset_mm=(7.0, -5.0)),
                                dict(noise_kernel="sharp", centre_offset_mm=(0.5, 0.4))],
                         ids=["standard", "sharp", "offset", "sharp-centred"])
def test_the_simulators_clean_phantoms_are_no_edge_ring(kw):
    assert not _series_ring(_simulated(**kw), SIM_PX).ring


@pytest.mark.slow
@pytest.mark.parametrize("r, kw", [(95.0, dict()), (92.0, dict(noise_kernel="sharp")),
                                   (97.0, dict(centre_offset_mm=(4.8, 3.6))),
                                   (99.0, dict(centre_offset_mm=(4.8, 3.6),
                                               noise_kernel="sharp"))],
                         ids=["95-centred", "92-sharp", "97-offset", "99-offset-sharp"])
def test_the_simulators_bad_channel_ring_at_the_shell_is_a_ring(r, kw):
    assert _series_ring(_simulated(150.0, r, **kw), SIM_PX).ring


def test_no_phantom_no_edge_ring():
    air = np.full((256, 256), -1000.0, np.float32)
    assert er.slice_profiles(air, 127.5)[0] == 0.0
    assert er.series_ring(np.stack([er.slice_profiles(air, 127.5)] * 3), np.ones(3)) is None


def test_the_rule_moves_normal_mass_to_ring_only_when_a_ring_is_measured():
    probs = np.array([[0.9, 0.05, 0.0, 0.0, 0.0, 0.05, 0.0],
                      [0.2, 0.0, 0.0, 0.0, 0.0, 0.8, 0.0]], np.float32)
    slices = [_analytic("smooth", s, ring_hu=80.0) for s in range(2)]
    rc = grid_rotation_centre(N, PX)
    packed = np.stack([er.slice_profiles(slice_facts(s, PX).grid, rc, 10.0) for s in slices])
    out, ring = er.apply({"probabilities": probs, "edge_ring": packed}, ["", ""])
    assert ring is not None and ring.ring
    assert np.allclose(out[:, 0], 0.0) and np.allclose(out[0, 1], 0.95)
    assert np.allclose(out[1, 5], 0.8)           # another abnormal class stays
    assert np.allclose(out.sum(1), probs.sum(1))
    clean = np.stack([er.slice_profiles(slice_facts(_analytic("smooth", 20 + s), PX).grid,
                                        rc, 10.0) for s in range(2)])
    out, ring = er.apply({"probabilities": probs, "edge_ring": clean}, ["", ""])
    assert ring is not None and not ring.ring and np.array_equal(out, probs)
    # a slice the AI cannot judge is neither measured into the series nor moved
    out, ring = er.apply({"probabilities": probs, "edge_ring": packed}, ["no phantom", ""])
    assert out[0, 0] == pytest.approx(0.9)


@real_model
@pytest.mark.slow
def test_the_released_model_calls_a_ring_in_the_shell_ring_and_a_clean_series_normal():
    """The case of the older image-renderer set (eval_ai_series.py): a 300 HU ring at
    95 mm was called normal (ring on 3 of 75 slices) while the physics FAILs it."""
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker
    from tests.image_review.conftest import ROOT

    checker = AiChecker.from_registry(ModelRegistry(ROOT / "models"))
    p = replace(BASE, n_slices=8, seed=14,
                artifacts=(RenderArtifact("ring", 300.0, radius_mm=95.0, width_mm=0.8),))
    res = checker.classify(render_volume(p)[0], pixel_mm=p.pixel_mm)
    assert res.label == "ring"
    d = res.to_dict()
    assert any(c and c["code"] == "ai.edge_ring" for c in d["note_codes"])
    assert all(any(c and c["code"] == "ai.edge_ring" for c in s["reason_codes"])
               for s in d["slices"])
    clean = checker.classify(render_volume(replace(p, artifacts=()))[0], pixel_mm=p.pixel_mm)
    assert clean.label == "normal" and not clean.notes


@real_model
@pytest.mark.slow
def test_a_long_series_measures_at_most_series_slices_evenly_and_still_finds_the_ring(
        monkeypatch):
    """The rule's cost: a series of 48 judged slices measures every 2nd (<= SERIES_SLICES,
    by slice index: the same slices on any batch size) and still finds the ring."""
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker
    from tests.image_review.conftest import ROOT

    measured: list[int] = []
    real = er.slice_profiles
    monkeypatch.setattr(er, "slice_profiles",
                        lambda g, *a: measured.append(1) or real(g, *a))
    checker = AiChecker.from_registry(ModelRegistry(ROOT / "models"))
    p = replace(BASE, n_slices=50, seed=14,
                artifacts=(RenderArtifact("ring", 300.0, radius_mm=95.0, width_mm=0.8),))
    res = checker.classify(render_volume(p)[0], pixel_mm=p.pixel_mm)
    assert er.measure_every(48) == 2
    assert len(measured) == 24            # slices 2, 4, ..., 48 of the 48 judged
    assert res.label == "ring"
    assert any(c and c["code"] == "ai.edge_ring" for c in res.to_dict()["note_codes"])
