"""Issue 16 item 4: metal in the field makes the series something the AI classes do not
describe - "AI not applicable (metal in the field: N mm² above L HU)", physics decides
alone - while the phantom's own dense features (CTP528 tungsten-carbide beads, CTP404
wire ramps, Teflon / bone inserts, CTP528 aluminium bars) never trigger it, on both
renderers, at the extreme pixel sizes, slice thicknesses and kernels a plant sees."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.ct.ai.check import NOT_APPLICABLE
from app.ct.ai.metal import METAL_MIN_AREA_MM2, METAL_OVER_BODY_HU, metal_area
from app.ct.ai.normalise import prepare, slice_facts
from app.ct.note_codes import Note, code_entry, render
from app.ct.review import ai_note
from tests.image_review.conftest import real_model


def _sim(z: float = -65.0, n: int = 3, **kw) -> tuple[np.ndarray, float]:
    from app.ct.simulator import SimParams, simulate_series

    t = kw.pop("slice_thickness_mm", 2.0)
    sp = kw.pop("slice_spacing_mm", t)
    s = simulate_series(SimParams(phantom=kw.pop("phantom", "catphan504"),
                                  matrix=kw.pop("matrix", 512), fov_mm=kw.pop("fov_mm", 250.0),
                                  n_slices=n, slice_thickness_mm=t, slice_spacing_mm=sp,
                                  z_range_mm=(z - sp * (n - 1) / 2, z + sp * (n - 1) / 2),
                                  noise_sd_hu=kw.pop("noise", 8.0), seed=kw.pop("seed", 3),
                                  **kw))
    return s.volume, s.pixel_mm


def _with_metal(vol: np.ndarray, px: float, w_mm: float, h_mm: float, hu: float = 8000.0,
                streaks: float = 0.0, at_mm: tuple[float, float] = (30.0, -20.0),
                clip: float | None = None) -> np.ndarray:
    """A metal object (w x h mm rectangle, blurred by a 0.5 mm PSF) in every slice, with a
    fan of bright / dark streaks through it of amplitude ``streaks`` HU; ``clip``: the
    scale's top (a 12-bit scale stores at most 3071 HU)."""
    out = vol.astype(np.float32).copy()
    n = vol.shape[1]
    c = (n - 1) / 2
    cx, cy = c + at_mm[0] / px, c + at_mm[1] / px
    m = np.zeros((n, n), np.float32)
    x0, x1 = int(round(cx - w_mm / 2 / px)), int(round(cx + w_mm / 2 / px))
    y0, y1 = int(round(cy - h_mm / 2 / px)), int(round(cy + h_mm / 2 / px))
    m[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)] = 1.0
    m = cv2.GaussianBlur(m, (0, 0), 0.5 / px)
    body = vol[0] > -500
    yy, xx = np.mgrid[:n, :n]
    fan = np.cos(6 * np.arctan2(yy - cy, xx - cx)) * body * streaks
    out += (hu * m + fan)[None]
    if clip is not None:
        out = np.minimum(out, clip)
    return out


# --- metal is caught ----------------------------------------------------------------------
@pytest.mark.parametrize("w_mm, h_mm, hu, streaks, clip", [
    (6.0, 6.0, 8000.0, 0.0, None),          # a screw head, steel
    (6.0, 6.0, 8000.0, 250.0, None),        # ... with its streak fan
    (3.0, 3.0, 6000.0, 150.0, None),        # a 3 mm titanium rod end-on
    (1.5, 9.0, 6000.0, 0.0, 3071.0),        # a clip along its length, 12-bit scale
    (12.0, 4.0, 20000.0, 400.0, 3071.0),    # a fixture bar, clipped, strong streaks
])
def test_metal_in_the_field_is_not_applicable_with_what_was_measured(w_mm, h_mm, hu, streaks,
                                                                      clip):
    v, px = _sim()
    f0 = slice_facts(v[1], px)
    assert not f0.problem
    mv = _with_metal(v, px, w_mm, h_mm, hu, streaks, clip=clip)
    f = slice_facts(mv[1], px)
    assert isinstance(f.problem, Note) and f.problem.code == "ai.na_metal", f.problem
    area = f.problem.params["area_mm2"]
    # the measured area is the object's (its PSF rim included), not the streaks'
    assert 0.6 * w_mm * h_mm <= area <= 1.6 * w_mm * h_mm + 4.0, area
    level = f.problem.params["level_hu"]
    assert abs(level - (f0.body_hu + METAL_OVER_BODY_HU)) < 5
    assert str(f.problem) == f"metal in the field: {area:.0f} mm² above {level:.0f} HU"
    _, _, probs = prepare(mv, px, [1])
    assert probs[0] == f.problem


def test_metal_level_follows_the_body_and_rescale():
    """A calibration offset (+60 / -40 HU) or a +-10 % CT-number scale moves the body and the
    level together: the same object is measured the same. (Stored values without the
    rescale, air at 0, are not judged at all: no air around the phantom.)"""
    v, px = _sim()
    mv = _with_metal(v, px, 5.0, 5.0, 7000.0)
    ref = slice_facts(mv[1], px).problem
    for scale, shift in ((1.0, 60.0), (1.0, -40.0), (1.1, 0.0), (0.9, 0.0)):
        f = slice_facts(scale * mv[1] + shift, px)
        assert isinstance(f.problem, Note) and f.problem.code == "ai.na_metal", shift
        assert abs(f.problem.params["area_mm2"] - ref.params["area_mm2"]) < 1.0
        assert abs(f.problem.params["level_hu"] - ref.params["level_hu"] - shift) < 5


def test_metal_smaller_than_the_phantoms_own_features_is_left_to_the_network():
    """The documented limit: a 1 mm metal pin end-on (~1 mm^2) is below the area the
    phantom's own wires can reach, so the rule does not claim it."""
    v, px = _sim()
    mv = _with_metal(v, px, 1.0, 1.0, 8000.0)
    assert 0.0 < metal_area(mv[1], px, slice_facts(v[1], px).body_hu + METAL_OVER_BODY_HU) \
        < METAL_MIN_AREA_MM2
    assert not slice_facts(mv[1], px).problem


# --- the phantom's own dense features never trigger ------------------------------------------
def _max_area(vol: np.ndarray, px: float) -> tuple[float, list[str]]:
    worst, problems = 0.0, []
    for k in range(vol.shape[0]):
        f = slice_facts(vol[k], px)
        worst = max(worst, metal_area(vol[k], px, f.body_hu + METAL_OVER_BODY_HU))
        problems.append(str(f.problem))
    return worst, problems


def _bead_seen(vol: np.ndarray, px: float) -> float:
    """Peak over the body at the centre bead (the thin slices do contain the bead)."""
    n = vol.shape[1]
    c, r = (n - 1) / 2, max(2, int(round(1.0 / px)))
    k = int(np.argmax(vol[:, int(c) - r:int(c) + r + 2, int(c) - r:int(c) + r + 2].max(axis=(1, 2))))
    return float(vol[k, int(c) - r:int(c) + r + 2, int(c) - r:int(c) + r + 2].max()
                 - slice_facts(vol[k], px).body_hu)


EXTREMES = [(px, t) for px in (0.3, 0.9) for t in (0.625, 10.0)]


@pytest.mark.slow      # 8 renders of 5 slices (~0.5-1 s each on 2 cores)
@pytest.mark.parametrize("px, t", EXTREMES)
@pytest.mark.parametrize("z, what", [(30.0, "CTP528 beads and aluminium bars"),
                                     (0.0, "CTP404 wire ramps and Teflon")])
def test_phantom_features_never_read_as_metal_simulator(px, t, z, what):
    matrix = 768 if px < 0.5 else 256
    sp = min(t / 2, 0.3)        # finely stepped through the bead / wire positions
    for psf in (0.2, 0.45):
        v, p = _sim(z=z, n=5, matrix=matrix, fov_mm=matrix * px, slice_thickness_mm=t,
                    slice_spacing_mm=sp, psf_sigma_mm=psf, noise=20.0, hu_scale=1.1,
                    hu_offset=30.0)
        if z == 30.0 and t < 1.0 and px < 0.5:
            assert _bead_seen(v, p) > 150.0
        area, problems = _max_area(v, p)
        assert area < METAL_MIN_AREA_MM2 / 4, (what, psf, area)
        assert not any("metal" in q for q in problems), problems


@pytest.mark.slow      # 8 renders of 5 slices (~0.5-1 s each on 2 cores)
@pytest.mark.parametrize("px, t", EXTREMES)
@pytest.mark.parametrize("z, what", [(30.0, "CTP528 beads and aluminium bars"),
                                     (0.0, "CTP404 wire ramps and Teflon")])
def test_phantom_features_never_read_as_metal_image_renderer(px, t, z, what):
    from app.ct.image_renderer import RenderParams, render_volume

    matrix = 768 if px < 0.5 else 256
    sp = min(t / 2, 0.3)
    for psf, ov in (("gaussian", 0.0), ("edge", 0.5)):      # smooth .. edge-enhancing
        v, _ = render_volume(RenderParams(matrix=matrix, pixel_mm=px, slice_thickness_mm=t,
                                          slice_spacing_mm=sp, n_slices=5,
                                          z_start_mm=z - 2 * sp, psf=psf, psf_sigma_mm=0.2,
                                          edge_overshoot=ov, noise_sd_hu=20.0, hu_scale=1.1,
                                          seed=1))
        if z == 30.0 and t < 1.0 and px < 0.5:
            assert _bead_seen(v, px) > 150.0
        area, problems = _max_area(v, px)
        assert area < METAL_MIN_AREA_MM2 / 4, (what, psf, area)
        assert not any("metal" in q for q in problems), problems


@pytest.mark.slow
def test_bone_inserts_never_read_as_metal():
    """CatPhan 604's 20 % / 50 % bone and Teflon, thin slices, sharp kernel, +10 % scale."""
    v, px = _sim(z=0.0, phantom="catphan604", matrix=768, fov_mm=230.4, slice_thickness_mm=0.625,
                 psf_sigma_mm=0.2, noise=20.0, hu_scale=1.1, hu_offset=30.0)
    area, problems = _max_area(v, px)
    assert area < METAL_MIN_AREA_MM2 / 4 and not any("metal" in q for q in problems)


# --- the series decision and the note ----------------------------------------------------------
def test_series_reason_and_its_chinese_words():
    from app.ct.ai.check import AiChecker, SliceVerdict
    from app.ct.note_codes import note

    verdicts = [SliceVerdict(i, NOT_APPLICABLE, 0.9, {}, 0.1, False,
                             (f"AI not applicable: metal in the field: {a} mm² above 2510 HU",),
                             "") for i, a in enumerate((12, 30, 20))]
    problems = [note("ai.na_metal", area_mm2=float(a), level_hu=2510) for a in (12, 30, 20)]
    checker = AiChecker.__new__(AiChecker)
    checker.series_na_fraction = 0.5
    why = checker._series_reason(verdicts, problems)
    assert str(why) == "metal in the field: 30 mm² above 2510 HU (3 of 3 slices)"
    entry = code_entry(why)
    assert entry["code"] == "ai.na_series" and entry["params"]["why"]["code"] == "ai.na_metal"
    ai = {"label": NOT_APPLICABLE, "applicable": False, "not_applicable_reason": str(why),
          "not_applicable_reason_code": entry}
    n = ai_note(ai, {"verdict": "PASS"})
    assert str(n) == ("AI not applicable to this series (metal in the field: 30 mm² above "
                      "2510 HU (3 of 3 slices)): the physics decides alone")
    zh = {"metal in the field: %1 mm² above %2 HU": "视野内有金属：%1 mm² 超过 %2 HU",
          "%1 (%2 of %3 slices)": "%1（%3 层中有 %2 层）",
          "AI not applicable to this series (%1): the physics decides alone":
          "AI 不适用于此序列（%1）：由物理检测单独判定"}
    text = render(n, lambda ctx, s, d=None: zh.get(s, s), "zh_CN")
    assert text == "AI 不适用于此序列（视野内有金属：30 mm² 超过 2510 HU（3 层中有 3 层））：由物理检测单独判定"
    # an older record without the code: its English reason, as written
    old = ai_note({"label": NOT_APPLICABLE, "not_applicable_reason": "x (2 of 3 slices)"}, {})
    assert str(old) == "AI not applicable to this series (x (2 of 3 slices)): the physics decides alone"


@real_model
def test_metal_series_through_the_trained_classifier(tmp_path):
    """The runtime path (registry -> AiChecker.classify, as `pharos ai classify`): a
    series with a screw in every slice is "AI not applicable" with the metal reason and
    its code in the JSON; the same series without the screw is judged."""
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker
    from tests.image_review.conftest import REAL_DIR

    models = tmp_path / "models"
    (models / "ct_phantom_classifier").mkdir(parents=True)
    (models / "ct_phantom_classifier" / REAL_DIR.name).symlink_to(REAL_DIR)
    checker = AiChecker.from_registry(ModelRegistry(models))
    v, px = _sim(n=5)
    clean = checker.classify(v, pixel_mm=px)
    assert clean.applicable
    res = checker.classify(_with_metal(v, px, 6.0, 6.0, 8000.0, 250.0), pixel_mm=px)
    assert not res.applicable and res.label == NOT_APPLICABLE
    assert all(s.label == NOT_APPLICABLE and "metal in the field" in s.reasons[0]
               for s in res.slices)
    d = res.to_dict()
    assert d["not_applicable_reason"].startswith("metal in the field: ")
    assert d["not_applicable_reason"].endswith("(3 of 3 slices)")
    assert d["not_applicable_reason_code"]["code"] == "ai.na_series"
    assert clean.to_dict()["not_applicable_reason_code"] is None
    # the CT QC hand-off's note (app.ct.ai.handoff: ai_note of to_dict) keeps the code
    n = ai_note(d, {"verdict": "PASS"})
    assert str(n).startswith("AI not applicable to this series (metal in the field: ")
    assert code_entry(n)["params"]["why"]["params"]["why"]["code"] == "ai.na_metal"
