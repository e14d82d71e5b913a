"""Ring / streak / cupping evidence on the AI's 1 mm grid (app/ct/ai/evidence.py, issue 16).

An analytic phantom (200 mm water disc, 8 inserts of -1000..+900 HU at 58 mm) at a 0.5 mm
pixel, white noise through a smooth (Gaussian) or an edge-enhancing (unsharp, overshoot)
kernel; artifacts of known amplitude added: the evidence must follow the artifact in
noise units on both kernels and stay at the clean level otherwise.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.ct.ai.evidence import EVIDENCE_NAMES
from app.ct.ai.normalise import (CONTEXT_NAMES, CONTEXT_NAMES_EVIDENCE, N_CONTEXT,
                                 N_CONTEXT_EVIDENCE, context_vector, grid_rotation_centre,
                                 prepare, slice_facts)

N, PX = 512, 0.5
KERNELS = ("smooth", "edge")
IDX = {n: i for i, n in enumerate(CONTEXT_NAMES_EVIDENCE)}
EVIDENCE_ONNX = Path(__file__).with_name("data") / "evidence_rule.onnx"   # make_tiny_classifier.py


def add_inserts(img: np.ndarray, xx: np.ndarray, yy: np.ndarray, c: float) -> None:
    """Eight 12 mm inserts on a 116 mm circle (air to bone), in place."""
    for k, hu in enumerate((-1000, -200, -100, 120, 340, 900, -50, 50)):
        a = k * math.pi / 4
        img[np.hypot(xx - c - 116 * math.cos(a), yy - c - 116 * math.sin(a)) * PX <= 6] = hu


def scanner_kernel(kernel: str, img: np.ndarray, noise: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The image and its white noise through a smooth or an edge-enhancing kernel."""
    if kernel == "smooth":
        return cv2.GaussianBlur(img, (0, 0), 0.6 / PX), cv2.GaussianBlur(noise, (0, 0), 0.6 / PX)

    def k(v: np.ndarray) -> np.ndarray:     # edge-enhancing: unsharp mask with overshoot
        b = cv2.GaussianBlur(v, (0, 0), 0.4 / PX)
        return b + 0.8 * (b - cv2.GaussianBlur(b, (0, 0), 1.2 / PX))
    return k(img), k(noise)


def _phantom(kernel: str, seed: int, *, ring: float = 0.0, arc_deg: float = 360.0,
             ring_r: float = 40.0, ring_fwhm: float = 1.5, streak: float = 0.0,
             cup: float = 0.0, noise: float = 10.0, pins: bool = False,
             step: float = 0.0) -> np.ndarray:
    """``ring``: HU peak of a Gaussian radial profile (``ring_fwhm``) at ``ring_r`` mm about
    the rotation centre (the image centre) over ``arc_deg``; ``pins``: four 3 mm air
    holes at 35 mm (CTP404's); ``step``: a concentric disc of 37 mm radius ``step`` HU
    above the body (a centred phantom's circular edge)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:N, :N]
    c = (N - 1) / 2
    r = np.hypot(xx - c, yy - c) * PX
    img = np.where(r <= 100, 0.0, -1000.0)
    add_inserts(img, xx, yy, c)
    if pins:
        for k in range(4):
            a = math.pi / 4 + k * math.pi / 2
            img[np.hypot(xx - c - 70 * math.cos(a), yy - c - 70 * math.sin(a)) * PX <= 1.5] = -1000
    if step:
        img[r <= 37.0] += step
    img -= cup * (1 - (r / 100) ** 2) * (r <= 100)        # centre darker: cupping
    img, n = scanner_kernel(kernel, img.astype(np.float32),
                            rng.normal(0, 1, (N, N)).astype(np.float32))
    img = img + n / n.std() * noise
    if ring:
        ang = (np.degrees(np.arctan2(yy - c, xx - c)) % 360.0) < arc_deg
        img += ring * np.exp(-0.5 * ((r - ring_r) / (ring_fwhm / 2.355)) ** 2) * ang
    if streak:
        d = ((xx - c) * math.sin(0.5) - (yy - c) * math.cos(0.5)) * PX
        img += streak * np.exp(-0.5 * (d / (1.5 / 2.355)) ** 2) * (r <= 100)
    return img.astype(np.float32)


def _evidence(kernel: str, **kw) -> tuple[dict[str, float], float]:
    facts = [slice_facts(_phantom(kernel, seed, **kw), PX, evidence=True) for seed in range(3)]
    v = context_vector(facts, evidence=True)
    return {n: float(v[IDX[n]]) for n in EVIDENCE_NAMES}, facts[1].noise_grid


@pytest.fixture(scope="module")
def clean():
    return {k: _evidence(k)[0] for k in KERNELS}


# the native noise's correlation length along a ring (the physics detection floor's
# n_independent = 3 slices x arc / this): the smooth kernel's Gaussian (sigma 0.6 mm) on
# white noise has an autocorrelation of sigma sqrt(2), whose line integral is
# sqrt(2 pi) x 0.85 mm; the edge-enhancing kernel's is shorter (its NPS dips at low
# frequencies), so the same figure is a conservative floor for both
CORR_MM = math.sqrt(2 * math.pi) * math.sqrt(2) * 0.6


def _physics_z(amp_sd: float, radius: float, arc_deg: float = 360.0) -> float:
    """The z of the physics' angular mean along the ring over 3 slices (the labels' floor:
    6 for a full ring, 7 for an arc)."""
    return amp_sd * math.sqrt(3 * 2 * math.pi * radius * arc_deg / 360.0 / CORR_MM)


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_clean_phantom_gives_no_evidence(clean, kernel):
    e = clean[kernel]
    # z-scores are stored / 5: a clean stack's strongest radius / window / line /
    # direction is the largest of many noise samples (3-4 SD), no more - the inserts on
    # a circle about the rotation centre (58 mm) included
    assert e["ring_mf3"] < 0.75 and e["ring_mf3_edge"] < 0.75 and e["ring_mf3_arc"] < 0.85
    assert e["ring_mf3_amp"] < 0.6
    assert e["streak_z"] < 1.0 and e["streak_z3"] < 1.0
    assert e["streak_spec"] < 1.0 and e["streak_spec3"] < 1.0
    assert abs(e["cupping"]) < 0.2           # < 2 HU centre minus periphery


@pytest.mark.parametrize("kernel", KERNELS)
def test_pins_and_inserts_on_circles_about_the_rotation_centre_do_not_fire(clean, kernel):
    # four 3 mm air holes (too small for the structure mask) at 35 mm, 1000 HU below the
    # body, and the eight inserts at 58 mm: each is local in angle
    e, _ = _evidence(kernel, pins=True)
    assert e["ring_mf3"] < 0.75 and e["ring_mf3_arc"] < 0.85, e


# rings of 0.3 / 0.5 / 1 native noise SD per pixel at 25 / 45 / 80 mm that the physics
# criterion sees on 3 slices (z >= 6; 0.3 SD at 25 and 45 mm are below it: not labelled)
FAINT = [(a, r) for a in (0.3, 0.5, 1.0) for r in (25.0, 45.0, 80.0) if _physics_z(a, r) >= 6.0]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("amp_sd", "radius"), FAINT)
def test_faint_rings_at_the_physics_floor_are_detected(clean, kernel, amp_sd, radius):
    """Every ring the physics criterion sees on 3 slices stands above the clean stack's
    strongest radius."""
    assert len(FAINT) == 7           # 0.3 SD at 80 mm, 0.5 and 1 SD at all three radii
    e, _ = _evidence(kernel, ring=amp_sd * 10.0, ring_r=radius)
    z = 5 * e["ring_mf3"]
    assert z >= 4.5 and z >= 5 * clean[kernel]["ring_mf3"] + 1.2, (e, z)
    # the stronger, the higher (z grows with the amplitude; 1 SD at >= 45 mm: > 12)
    if amp_sd == 1.0 and radius >= 45:
        assert z > 12.0
        assert e["ring_mf3_cover"] >= 0.8                    # a full ring: every sector
        # a ring, not a step: the step-corrected z keeps sqrt(1 - rho^2) ~ 0.7 of a
        # clean profile's z, less of a strong ring's winsorised (flattened) one
        assert e["ring_mf3_edge"] > 0.4 * e["ring_mf3"]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("amp", [10.0, 20.0])
def test_a_ring_is_measured_in_noise_units_on_both_kernels(kernel, amp):
    e, noise = _evidence(kernel, ring=amp)
    # the matched filter's amplitude: the ring's peak in grid noise units (the template
    # is the 1.5 mm ring's own response; the stronger half of the sectors reads a
    # little high)
    expected = amp / noise
    assert 0.7 * expected <= e["ring_mf3_amp"] <= 1.4 * expected, (e, noise)
    assert e["ring_mf3_cover"] >= 0.8
    assert e["streak_spec"] < 1.0 and e["streak_z"] < 1.0


@pytest.mark.parametrize("width", [0.8, 2.5])
def test_thin_and_wide_rings_are_detected(clean, width):
    e, _ = _evidence("smooth", ring=6.0, ring_r=60.0, ring_fwhm=width)
    assert 5 * e["ring_mf3"] >= 7.0, e


@pytest.mark.parametrize("kernel", KERNELS)
def test_an_arc_is_seen_by_its_window_and_covers_part_of_the_sectors(clean, kernel):
    # a 180-degree arc of 0.6 SD at 60 mm: physics z >= 7 (the arc's floor)
    assert _physics_z(0.6, 60.0, 180.0) >= 7.0
    e, _ = _evidence(kernel, ring=6.0, ring_r=60.0, arc_deg=180.0)
    assert 5 * e["ring_mf3_arc"] >= 5.5 and e["ring_mf3_arc"] > e["ring_mf3"], e
    e, _ = _evidence(kernel, ring=25.0, ring_r=60.0, arc_deg=180.0)
    assert 0.3 <= e["ring_mf3_cover"] <= 0.75


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_concentric_step_is_not_a_ring_for_the_step_corrected_z(clean, kernel):
    # a centred phantom's circular edge of 6 HU (0.6 SD) answers a ring's template; the
    # z with the best-fitting step taken out stays at the clean level
    e, _ = _evidence(kernel, step=6.0)
    assert e["ring_mf3_edge"] < max(0.75, clean[kernel]["ring_mf3_edge"] + 0.3), e


def test_the_rotation_centre_follows_the_resampled_matrix():
    # 512 px of 0.7560 mm -> 387 px on the grid (odd): the native centre lands on 128.0
    assert grid_rotation_centre(512, 0.756) == 128.0
    assert grid_rotation_centre(512, 0.5) == 127.5          # 256 px: no crop
    assert grid_rotation_centre(512, 0.7) == 127.5          # 358 px
    assert grid_rotation_centre(256, 0.9) == 127.5          # 230 px: padded by 13
    assert grid_rotation_centre(256, 0.88) == 127.0         # 225 px: padded by 15
    # a thin ring on a 387 px field drawn about the native centre: found at full strength
    n, px = 512, 0.756
    yy, xx = np.mgrid[:n, :n]
    c = (n - 1) / 2
    r = np.hypot(xx - c, yy - c) * px
    vols = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        img = np.where(r <= 100, 0.0, -1000.0) + rng.normal(0, 8.0, (n, n))
        img += 6.0 * np.exp(-0.5 * ((r - 30.0) / (0.6 / 2.355)) ** 2)
        vols.append(img.astype(np.float32))
    facts = [slice_facts(v, px, evidence=True) for v in vols]
    e = context_vector(facts, evidence=True)
    assert 5 * e[IDX["ring_mf3"]] >= 7.0


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_streak_is_a_line_and_a_direction(clean, kernel):
    e, _ = _evidence(kernel, streak=30.0)
    assert e["streak_z3"] > 2.5 * clean[kernel]["streak_z3"]
    assert e["streak_zmin"] > 1.0                    # on all three slices, same sign
    assert e["streak_spec"] > 3 * clean[kernel]["streak_spec"]
    assert e["ring_mf3"] < 0.8


@pytest.mark.parametrize("kernel", KERNELS)
def test_cupping_is_centre_minus_periphery_in_hu(kernel):
    e, _ = _evidence(kernel, cup=30.0)
    # analytic: -30 (1 - (r/100)^2): centre disc (r < 25 mm) ~ -29, 65..85 mm ~ -13
    assert -19.0 <= 10 * e["cupping"] <= -13.0


def test_the_old_layout_is_unchanged_and_the_new_one_extends_it():
    vol = np.stack([_phantom("smooth", s) for s in range(3)])
    x0, c0, p0 = prepare(vol, PX, [1])
    x1, c1, p1 = prepare(vol, PX, [1], evidence=True)
    assert c0.shape == (1, N_CONTEXT) and c1.shape == (1, N_CONTEXT_EVIDENCE)
    assert np.array_equal(x0, x1) and p0 == p1 == [""]
    assert np.array_equal(c0[0, :-1], c1[0, :N_CONTEXT - 1])     # the 2.0 features
    assert c0[0, -1] == c1[0, -1]                                # body median last
    assert CONTEXT_NAMES_EVIDENCE[:N_CONTEXT - 1] == CONTEXT_NAMES[:-1]


def test_a_card_whose_context_names_do_not_match_its_scheme_is_refused(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.core.errors import ModelIntegrityError
    from app.ct.ai.check import AiChecker, SCHEME_EVIDENCE
    from tests.image_review.conftest import REAL_DIR

    if not (REAL_DIR / "card.json").exists():
        pytest.skip("the trained classifier is not there")
    import json

    ok = AiChecker.from_registry(ModelRegistry(REAL_DIR.parents[1]))
    assert ok.uses_context                                 # the released model loads
    d = tmp_path / "ct_phantom_classifier" / "9.9.9"
    d.mkdir(parents=True)
    shutil.copy(REAL_DIR / "model.onnx", d / "model.onnx")
    card = json.loads((REAL_DIR / "card.json").read_text())
    card["version"] = "9.9.9"
    names = next(i["names"] for i in card["inputs"] if i["name"] == "context")
    assert card["preprocessing"]["scheme"] != SCHEME_EVIDENCE
    card["preprocessing"]["scheme"] = SCHEME_EVIDENCE       # but its own layout's names
    (d / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelIntegrityError, match=f"context of {len(names)} features"):
        AiChecker.from_registry(ModelRegistry(tmp_path))


# --- the evidence layout end to end: registry, AiChecker, the overlapped series run ------
def _stand_in(models_dir, onnx: Path, scheme: str, names: list[str]) -> None:
    """Install ``onnx`` as ct_phantom_classifier 9.0.0 with a card naming ``scheme`` and the
    context ``names``."""
    import json

    from app.adapters.inference import file_sha256
    from app.ct.ai.preprocess import CLASSES
    d = models_dir / "ct_phantom_classifier" / "9.0.0"
    d.mkdir(parents=True)
    shutil.copy(onnx, d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": "9.0.0", "file": "model.onnx",
            "sha256": file_sha256(d / "model.onnx"), "classes": CLASSES,
            "preprocessing": {"scheme": scheme},
            "inputs": [{"name": "image"}, {"name": "context", "names": list(names)}],
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.5}}
    (d / "card.json").write_text(json.dumps(card))


def _evidence_model(models_dir):
    """A model of the grid1mm_context_evidence layout whose rule reads the evidence
    (tests/image_review/data/evidence_rule.onnx, built by make_tiny_classifier.py and
    committed: the runtime has onnxruntime, not onnx): logits = context @ W + b, 'ring'
    from ring_mf3, 'streak' from streak_spec3, 'normal' otherwise (a stand-in whose
    answer the test can predict; the layout is the real one)."""
    from app.ct.ai.check import SCHEME_EVIDENCE

    _stand_in(models_dir, EVIDENCE_ONNX, SCHEME_EVIDENCE, CONTEXT_NAMES_EVIDENCE)


def test_a_model_of_the_evidence_layout_gets_the_evidence_through_the_series_run(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    _evidence_model(tmp_path)
    checker = AiChecker.from_registry(ModelRegistry(tmp_path))
    assert checker.uses_evidence
    clean = np.stack([_phantom("smooth", s) for s in range(5)])
    streak = np.stack([_phantom("edge", s, streak=40.0) for s in range(5)])
    ring = np.stack([_phantom("smooth", s, ring=25.0) for s in range(5)])
    labels = {}
    for name, vol in (("clean", clean), ("streak", streak), ("ring", ring)):
        res = checker.classify(vol, pixel_mm=PX)           # the overlapped series run
        labels[name] = {s.label for s in res.slices}
        # the plain path gives the same outputs
        idx, feeds, _, _ = checker.prepared(vol, None, PX)
        assert feeds["context"].shape == (len(idx), N_CONTEXT_EVIDENCE)
        out = checker.onnx.run(feeds)
        got = np.array([[s.scores[c] for c in s.scores] for s in res.slices])
        assert np.allclose(got, out["probabilities"], atol=1e-5)
    assert labels == {"clean": {"normal"}, "streak": {"streak"}, "ring": {"ring"}}


# --- the ring layout (grid1mm_context_ring, 2.9): the ring evidence alone -----------------
RING_ONNX = Path(__file__).with_name("data") / "ring_rule.onnx"   # make_tiny_classifier.py


def test_the_ring_layout_holds_the_evidence_layouts_ring_slots_bit_for_bit():
    from app.ct.ai.evidence import RING_EVIDENCE_NAMES
    from app.ct.ai.normalise import CONTEXT_NAMES_RING, N_CONTEXT_RING, RING

    for kernel, kw in (("smooth", {"ring": 12.0}), ("edge", {"ring": 20.0, "arc_deg": 200.0}),
                       ("smooth", {})):
        vol = np.stack([_phantom(kernel, s, **kw) for s in range(3)])
        x1, c1, p1 = prepare(vol, PX, [1], evidence=True)
        x2, c2, p2 = prepare(vol, PX, [1], evidence=RING)
        assert c2.shape == (1, N_CONTEXT_RING) and np.array_equal(x1, x2) and p1 == p2 == [""]
        assert np.array_equal(c2[0, :N_CONTEXT - 1], c1[0, :N_CONTEXT - 1])
        assert c2[0, -1] == c1[0, -1]                                # body median last
        for n in RING_EVIDENCE_NAMES:
            assert c2[0, CONTEXT_NAMES_RING.index(n)] == c1[0, IDX[n]], n
        if kw:                         # a ring: the features carry it, not zeros
            assert 5 * c2[0, CONTEXT_NAMES_RING.index("ring_mf3")] > 6.0
    assert CONTEXT_NAMES_RING[:N_CONTEXT - 1] == CONTEXT_NAMES[:-1]


def _ring_model(models_dir, names=None):
    """A model of the grid1mm_context_ring layout whose rule reads ring_mf3 (ring_rule.onnx;
    ``names``: what its card says the context is)."""
    from app.ct.ai.check import SCHEME_RING
    from app.ct.ai.normalise import CONTEXT_NAMES_RING

    _stand_in(models_dir, RING_ONNX, SCHEME_RING, names or CONTEXT_NAMES_RING)


def test_a_model_of_the_ring_layout_gets_the_ring_evidence_through_the_series_run(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker
    from app.ct.ai.normalise import N_CONTEXT_RING, RING

    _ring_model(tmp_path)
    checker = AiChecker.from_registry(ModelRegistry(tmp_path))
    assert checker.uses_evidence and checker.evidence_layout == RING
    clean = np.stack([_phantom("smooth", s) for s in range(5)])
    ring = np.stack([_phantom("edge", s, ring=25.0) for s in range(5)])
    labels = {}
    for name, vol in (("clean", clean), ("ring", ring)):
        res = checker.classify(vol, pixel_mm=PX)           # the overlapped series run
        labels[name] = {s.label for s in res.slices}
        idx, feeds, _, _ = checker.prepared(vol, None, PX)  # the plain path: the same
        assert feeds["context"].shape == (len(idx), N_CONTEXT_RING)
        out = checker.onnx.run(feeds)
        got = np.array([[s.scores[c] for c in s.scores] for s in res.slices])
        assert np.allclose(got, out["probabilities"], atol=1e-5)
    assert labels == {"clean": {"normal"}, "ring": {"ring"}}


def test_a_ring_layout_card_with_another_context_is_refused(tmp_path):
    from app.adapters.inference import ModelRegistry
    from app.core.errors import ModelIntegrityError
    from app.ct.ai.check import AiChecker

    _ring_model(tmp_path, names=CONTEXT_NAMES)
    with pytest.raises(ModelIntegrityError, match="context of 54 features"):
        AiChecker.from_registry(ModelRegistry(tmp_path))
