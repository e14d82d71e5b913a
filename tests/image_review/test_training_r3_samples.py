"""The third renderer's training samples (models/training/r3_adapter.py) carry the classes
as the physics defines them (app/ct/ai_classes.py), like the other two renderers'."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))

from app.ct.ai.normalise import prepare  # noqa: E402
from app.ct.ai_classes import (MTF50_BLUR_MAX, MTF50_NORMAL_MIN,  # noqa: E402
                               NOISE_CLASS_MIN_SD_HU)

r3a = pytest.importorskip("r3_adapter")


def _sample(label: str, k: int, heldout: bool = False):
    seed = 4_000 + 1_000_003 * k
    return r3a.render_sample(label, seed, heldout, np.random.default_rng([seed, 25]))


def _body_sd(vol: np.ndarray, px: float, centre_mm) -> float:
    """SD of the centre slice minus the mean of its neighbours in a 40 mm disc about the
    phantom centre (structure cancels, noise adds: / sqrt(1.5))."""
    n = vol.shape[1]
    c = (n - 1) / 2
    yy, xx = np.ogrid[:n, :n]
    disc = (xx - c - centre_mm[0] / px) ** 2 + (yy - c - centre_mm[1] / px) ** 2 \
        <= (20.0 / px) ** 2
    d = vol[1] - 0.5 * (vol[0] + vol[2])
    return float(np.std(d[disc]) / np.sqrt(1.5))


@pytest.mark.parametrize("k", [0, 1])
def test_sharpness_follows_the_class_definition(k):
    _, _, blur = _sample("blur", k)
    _, _, normal = _sample("normal", k)
    assert blur["mtf50"] <= MTF50_BLUR_MAX + 1e-6
    assert normal["mtf50"] >= MTF50_NORMAL_MIN - 1e-6


def test_noise_samples_are_noisy_and_normals_are_not():
    vol, px, f = _sample("noise", 0)
    assert f["noise_sd"] >= NOISE_CLASS_MIN_SD_HU
    centre = f["config"]["centre_mm"]
    assert _body_sd(vol, px, centre) > 0.6 * f["noise_sd"]
    if f["config"]["thickness_mm"] <= 2.0:
        pytest.skip("thin slices: the phantom's structure changes between the three")
    vol_n, px_n, f_n = _sample("normal", 0)
    assert f_n["noise_sd"] < NOISE_CLASS_MIN_SD_HU


def test_a_ring_sample_has_its_ring_and_a_band_sample_its_band():
    _, _, ring = _sample("ring", 0)
    assert 3.0 <= ring["ring_hu"] <= 40.0 and 10.0 <= ring["ring_r"] <= 95.0
    (spec,) = ring["config"]["ring"]
    assert abs(spec["amp"]) == pytest.approx(ring["ring_hu"])
    for k in (0, 1, 2):
        vol, px, band = _sample("band", k)
        assert 3.0 <= abs(band["band_hu"]) <= 30.0
        # the physics' measure: the central disc's median, band slices against the others
        n = vol.shape[1]
        c = (n - 1) / 2
        cx, cy = (c + v / px for v in band["config"]["centre_mm"])
        yy, xx = np.ogrid[:n, :n]
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= (15.0 / px) ** 2
        level = [float(np.median(vol[i][disc])) for i in range(3)]
        rows = band["band_rows"]
        step = np.mean([level[i] for i in rows]) - np.mean(
            [level[i] for i in range(3) if i not in rows])
        assert step == pytest.approx(band["band_hu"], abs=2.5), (k, level, rows)


def test_samples_are_reproducible_and_measurable():
    a, px, _ = _sample("streak", 1)
    b, _, _ = _sample("streak", 1)
    assert np.array_equal(a, b)
    x, ctx, problems = prepare(a, px, [1])
    assert problems == [""] and x.shape == (1, 3, 256, 256) and np.isfinite(ctx).all()


def _air_and_body(img: np.ndarray, px: float) -> tuple[float, float]:
    """Median HU of the air 10-30 mm outside the phantom (radius 100 mm) and of the body's
    central 30 mm disc (the phantom centred)."""
    n = img.shape[0]
    c = (np.arange(n) - (n - 1) / 2) * px
    r = np.hypot(c[None, :], c[:, None])
    return (float(np.median(img[(r > 110.0) & (r < 130.0)])),
            float(np.median(img[r < 15.0])))


def test_edge_kernels_keep_the_ct_number_of_uniform_regions():
    """An edge-enhancing kernel overshoots at edges but keeps air at -1000 and the body at
    its value (MTF(0) = 1): the widest bump the training draws (peak at 0.6 x f50, width
    0.6 x f50, boost 0.6) against a Gaussian kernel of the same MTF50, noise-free. A bump
    that did not vanish at 0 moved air by several HU - a CT-number shift, not a kernel."""
    from renderer_r3 import SeriesConfig, SliceRenderer
    from renderer_r3_effects import Kernel

    rng = np.random.default_rng(11)

    class _Scanner:
        psf_sigma_mm = 0.45

    rho = np.linspace(0.0, 0.02, 5)      # periods of 50 mm and more
    for _ in range(200):
        k = r3a.draw_kernel(rng, _Scanner())
        assert k.mtf(rho).max() <= 1.0 + 1e-3        # no lift of the low frequencies
        assert k.mtf(np.zeros(1))[0] == pytest.approx(1.0, abs=1e-12)
    f50 = r3a._gauss_f50(_Scanner.psf_sigma_mm)
    edge = Kernel(kind="edge", f50=f50, p=2.0, boost=0.6, f_peak=0.6 * f50, f_width=0.6 * f50)
    gauss = Kernel(kind="gauss", sigma_mm=_Scanner.psf_sigma_mm)
    assert edge.mtf(np.array([f50 * 0.6]))[0] > 1.2            # it does overshoot
    cfg = SeriesConfig(name="edge_dc", matrix=256, pixel_mm=1.0, thickness_mm=5.0,
                       spacing_mm=5.0, z_from=0.0, z_to=0.0, noise_sd=0.0,
                       noise_centre_gain=0.0, spheres=False)
    quiet = np.random.default_rng(0)
    z = 0.0
    air_e, body_e = _air_and_body(SliceRenderer(cfg, kernel=edge).slice_hu(0, z, quiet), 1.0)
    air_g, body_g = _air_and_body(SliceRenderer(cfg, kernel=gauss).slice_hu(0, z, quiet), 1.0)
    assert abs(air_e - air_g) < 0.5 and abs(air_g + 1000.0) < 0.5
    assert abs(body_e - body_g) < 0.5


def test_recipe_2_7_draws_single_channel_rings_too():
    """Recipe 2.7: ring FWHM 0.6-2.0 mm log-uniform (sigma 0.4-1.5 mm before: no ring as
    narrow as one detector channel through a sharp kernel)."""
    w27, w25 = [], []
    for k in range(4):
        seed = 4_000 + 1_000_003 + k
        w27.append(r3a.render_sample("ring", seed, False, None, recipe_2_7=True)[2]["ring_fwhm_mm"])
        w25.append(r3a.render_sample("ring", seed, False, None)[2]["ring_fwhm_mm"])
    assert min(w27) < 0.94 <= min(w25)
    assert min(w27) >= 0.6 - 1e-9 and max(w27) <= 2.0 + 1e-9


def test_recipe_2_8_arcs_reach_down_to_90_degrees():
    """r3 draws its rings with the image renderer's draw_ring: recipe 2.8's arcs start at
    90 deg (seed 3011: 116 deg; 2.7: 180-300)."""
    import ct_phantom_dataset2 as ds

    f7 = ds.RENDERERS["r3"]("ring", 3011, False, "2.7")[2]
    f8 = ds.RENDERERS["r3"]("ring", 3011, False, "2.8")[2]
    assert 180.0 <= f7["coverage"] <= 300.0
    assert 90.0 <= f8["coverage"] < 180.0
    assert f8["ring_r"] == f7["ring_r"]


def test_recipe_2_9_housing_walls_reach_the_third_renderer():
    """r3 draws the housing wall of recipe 2.9 like img (seed 3005: 7.6 mm, not 2.5)."""
    import ct_phantom_dataset2 as ds

    v8, _, f8 = ds.RENDERERS["r3"]("normal", 3005, False, "2.8")
    v9, _, f9 = ds.RENDERERS["r3"]("normal", 3005, False, "2.9")
    assert "wall_mm" not in f8["config"]
    assert f9["config"]["wall_mm"] == pytest.approx(7.59, abs=0.01)
    assert not np.array_equal(v8, v9)
