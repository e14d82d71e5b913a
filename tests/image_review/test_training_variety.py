"""Recipe 2.5 of the classifier data (models/training/ai_variety.py): small spheres and
band-pass MTF boosts, on their own random stream so that a recipe-2.0 sample stays what
it was, and the class still follows the physics (MTF50 with the boost)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))

import ai_domain as dom  # noqa: E402
import ai_variety as var  # noqa: E402
import ct_phantom_dataset2 as ds  # noqa: E402


def _flat_phantom(n: int = 512, px: float = 0.5, body: float = 10.0) -> np.ndarray:
    """A 200 mm water-like cylinder, three identical slices."""
    yy, xx = np.mgrid[:n, :n]
    c = (n - 1) / 2
    disc = (yy - c) ** 2 + (xx - c) ** 2 <= (100.0 / px) ** 2
    sl = np.where(disc, body, -1000.0).astype(np.float32)
    return np.stack([sl, sl, sl])


def _gauss(sigma: float):
    return lambda f: np.exp(-2 * np.pi ** 2 * sigma ** 2 * f ** 2)


def test_boost_is_one_at_zero_and_peaks_at_its_frequency():
    f = np.linspace(0, 1.0, 2001)
    m = var.boost_mtf(f, 0.3, 0.25, 1.0)
    assert m[0] == pytest.approx(1.0)
    assert f[int(np.argmax(m))] == pytest.approx(0.25, abs=1e-3)
    assert m.max() == pytest.approx(1.3, abs=1e-6)
    assert np.all(var.boost_mtf(f, 0.0, 0.25, 1.0) == 1.0)


def test_drawn_scanners_keep_the_class_definition_with_the_boost():
    boosted = 0
    for seed in range(300):
        for label in ("normal", "blur"):
            sc = dom.draw_scanner(np.random.default_rng(seed), label, False,
                                  np.random.default_rng([seed, 25]))
            m50 = sc.mtf50_lp_cm()         # read on a 0.005 lp/cm grid
            if label == "blur":
                assert m50 <= dom.MTF50_BLUR_MAX + 0.005
            else:
                assert m50 >= dom.MTF50_NORMAL_MIN - 0.005
            boosted += sc.boost > 0
    assert 100 < boosted < 260          # ~30 % of 600, few dropped by the class rule


def test_recipe_2_0_draws_nothing_from_the_variety_stream():
    for seed in range(20):
        a = dom.draw_scanner(np.random.default_rng(seed), "normal", False)
        b = dom.draw_scanner(np.random.default_rng(seed), "normal", False,
                             np.random.default_rng([seed, 25]))
        # the variety stream only adds the boost: every recipe-2.0 field is the same
        for k in ("matrix", "pixel_mm", "thickness_mm", "psf_sigma_mm", "noise_sd",
                  "body_offset", "hu_offset", "nps_peak"):
            assert getattr(a, k) == getattr(b, k)
        assert a.boost == 0.0


def test_a_sphere_in_the_slice_shows_its_contrast_and_one_outside_leaves_no_trace():
    vol = _flat_phantom()
    rng = np.random.default_rng(3)
    out, placed = var.add_spheres(vol, 0.5, 2.0, rng, _gauss(0.3))
    assert placed, "a flat phantom has room for the spheres"
    diff = out - vol
    assert np.all(diff[:, vol[1] < -500] == pytest.approx(0.0, abs=2.0))  # nothing in air
    hu = placed[0]["hu"]
    # the largest sphere that lies across the centre slice shows most of its contrast there
    z_s = placed[0]["z_mm"]
    big = max(p["d_mm"] for p in placed)
    if abs(z_s) + 1.0 < big / 2 - 1.0:
        assert abs(diff[1]).max() > 0.6 * abs(hu)
    # spheres whose centre lies far beyond every slice: nothing at all
    far = np.random.default_rng(3)
    out2, placed2 = var.add_spheres(vol, 0.5, 0.625, far, _gauss(0.3))
    if abs(placed2[0]["z_mm"]) > 0.625 * 1.5 + 5.0:
        assert np.allclose(out2, vol, atol=1e-3)


def test_spheres_are_never_put_over_a_structure():
    vol = _flat_phantom()
    n = vol.shape[-1]
    yy, xx = np.mgrid[:n, :n]
    c = (n - 1) / 2
    # a dense annulus where the spheres' circle is drawn (18..45 mm from the centre)
    ann = ((yy - c) ** 2 + (xx - c) ** 2 >= (15 / 0.5) ** 2) & \
        ((yy - c) ** 2 + (xx - c) ** 2 <= (45 / 0.5) ** 2)
    vol[:, ann] = 900.0
    for seed in range(10):
        out, placed = var.add_spheres(vol, 0.5, 2.0, np.random.default_rng(seed), _gauss(0.3))
        for p in placed:        # only spheres off the annulus (random layout, r > 48 mm)
            assert p["r_mm"] - p["d_mm"] / 2 - 2.0 > 45.0 or p["r_mm"] + p["d_mm"] / 2 + 2 < 15


@pytest.mark.slow
def test_a_2_5_sample_without_spheres_or_boost_is_the_2_0_sample_bit_for_bit():
    same = 0
    for seed in range(2000, 2012):
        for rend in ("sim", "img"):
            v20, _, f20 = ds.RENDERERS[rend]("normal", seed, False, "2.0")
            v25, _, f25 = ds.RENDERERS[rend]("normal", seed, False, "2.5")
            if not f25.get("spheres") and f25["scanner"]["boost"] == 0:
                assert np.array_equal(v20, v25)
                same += 1
    assert same >= 4


def test_recipe_2_7_changes_only_the_rings_and_half_the_image_renderers_streaks():
    """Recipe 2.7 = 2.5 + rings up to 2 mm wide (sim: groups of 2-3 channels) + photon-
    starvation fans for half the image renderer's streaks; every other sample is 2.5's,
    bit for bit (so a 2.5 set is patched to 2.7 by re-rendering those classes only)."""
    for rend in ("sim", "img"):
        for label in ("normal", "band", "shift"):
            v25, _, _ = ds.RENDERERS[rend](label, 2001, False, "2.5")
            v27, _, _ = ds.RENDERERS[rend](label, 2001, False, "2.7")
            assert np.array_equal(v25, v27)
    kinds, widths, channels = set(), [], set()
    for seed in range(3000, 3008):
        v25, _, f25 = ds.RENDERERS["img"]("streak", seed, False, "2.5")
        v27, _, f27 = ds.RENDERERS["img"]("streak", seed, False, "2.7")
        kinds.add(f27.get("streak_kind", "line"))
        if f27.get("streak_kind") != "starvation":
            assert np.array_equal(v25, v27)
        widths.append(ds.RENDERERS["img"]("ring", seed, False, "2.7")[2]["ring_fwhm_mm"])
    for seed in range(2000, 2004):
        channels.add(ds.RENDERERS["sim"]("ring", seed, False, "2.7")[2]["ring_channels"])
    assert kinds == {"line", "starvation"}
    assert min(widths) >= 0.5 and max(widths) <= 2.0
    assert len(channels) > 1


def test_a_starvation_fan_runs_along_its_angle_and_starves_the_long_chords():
    from image_renderer_adapter import starvation_streaks

    rng = np.random.default_rng(5)
    angle = 30.0
    s = starvation_streaks(rng, 256, 1.0, (0.0, 0.0), 100.0, angle)[1].astype(np.float64)
    u = np.radians(angle)
    # lines along the angle: the power lies on frequencies along its normal (+-10 deg)
    power = np.abs(np.fft.fft2(s)) ** 2
    f = np.fft.fftfreq(256)
    phi = np.arctan2(f[:, None], f[None, :])
    off = np.abs(((phi - (u + np.pi / 2)) + np.pi / 2) % np.pi - np.pi / 2)
    assert power[off < np.radians(10)].sum() > 0.7 * power.sum()     # 0.83; 60 deg: 0.001
    c = np.arange(256) - 127.5
    t = np.abs(c[None, :] * np.cos(u + np.pi / 2) + c[:, None] * np.sin(u + np.pi / 2))
    assert np.sqrt(np.mean(s[t < 25] ** 2)) > 3 * np.sqrt(np.mean(s[(t > 75) & (t < 95)] ** 2))


def test_one_ring_in_five_is_a_strong_one_in_recipe_2_7():
    """A dead channel gives rings of hundreds of HU; the renderers' ranges stop at 25 HU,
    so recipe 2.7 replaces one drawn amplitude in five by 25-300 HU (log-uniform), from a
    stream of its own (the rest of the sample is drawn as before)."""
    from image_renderer_adapter import STRONG_RING_HU, strong_ring

    amps = np.array([strong_ring(seed, -1.0) for seed in range(2000)])
    strong = amps[amps > 0]
    assert 0.17 < len(strong) / len(amps) < 0.23
    assert STRONG_RING_HU[0] <= strong.min() and strong.max() <= STRONG_RING_HU[1]
    assert np.median(strong) == pytest.approx(np.sqrt(25.0 * 300.0), rel=0.15)
    _, _, f = ds.RENDERERS["img"]("ring", 3000 + 1_000_003 + 7, False, "2.7")
    assert f["ring_hu"] == pytest.approx(strong_ring(3000 + 1_000_003 + 7, -1.0))


def test_recipe_2_8_draws_arcs_from_90_degrees_and_changes_nothing_else():
    """Recipe 2.8 = 2.7 with arcs of 90-300 deg (180-300 before: candidate c3 called a
    90 deg arc "uncertain"). The coverage is the same random draw, so a full ring and
    every other class stay 2.7's sample bit for bit, and an arc keeps its radius and
    start: only its coverage (and the amplitude drawn above its floor) moves."""
    short = 0
    for seed in range(3000, 3012):
        v7, _, f7 = ds.RENDERERS["img"]("ring", seed, False, "2.7")
        v8, _, f8 = ds.RENDERERS["img"]("ring", seed, False, "2.8")
        if f7["coverage"] == 360.0:
            assert f8["coverage"] == 360.0 and np.array_equal(v7, v8)
        else:
            assert 90.0 <= f8["coverage"] < f7["coverage"] <= 300.0
            assert f8["ring_r"] == f7["ring_r"] and f8["ring_fwhm_mm"] == f7["ring_fwhm_mm"]
            short += f8["coverage"] < 180.0
    assert short >= 2          # seeds 3004 and 3006: 110 and 122 deg
    for rend, label in (("img", "streak"), ("img", "band"), ("sim", "normal")):
        assert np.array_equal(ds.RENDERERS[rend](label, 3001, False, "2.7")[0],
                              ds.RENDERERS[rend](label, 3001, False, "2.8")[0])
    # the simulator draws its own arcs (one ring in ten): seed 3072 is one
    f7 = ds.RENDERERS["sim"]("ring", 3072, False, "2.7")[2]
    f8 = ds.RENDERERS["sim"]("ring", 3072, False, "2.8")[2]
    assert f7["coverage"] == pytest.approx(187.2, abs=0.1)
    assert f8["coverage"] == pytest.approx(102.7, abs=0.1)
    assert f8["ring_r"] == f7["ring_r"]


def test_patching_a_set_re_renders_only_what_its_filter_names_and_drops_stale_caches(tmp_path):
    """``--patch-classes ring --patch-where coverage!=360.0`` re-renders the arcs of a set in
    place with another recipe; the full rings and the normals stay bit for bit. The
    caches keyed by the set's name only (evidence, shell steps, ring measures) are dropped - a symbolic
    link without its target -, the normals' augmented copies are kept (no normal
    changed)."""
    out = tmp_path / "img_train.npz"
    ds.build("img", {"normal": range(2), "ring": range(4)}, 5000, False, out, 1, "2.7")
    x_before = np.load(tmp_path / "img_train.x.npy").copy()
    import json
    covs = [f.get("coverage") for f in json.loads((tmp_path / "img_train.facts.json").read_text())]
    arcs = [i for i, c in enumerate(covs) if c is not None and c != 360.0]
    assert arcs == [3, 4]                       # seeds 5000 + 1_000_003 + 1, + 2
    elsewhere = tmp_path / "elsewhere.ev4.npz"
    np.savez(elsewhere, ev=np.zeros(3))
    (tmp_path / "img_train.ev4.npz").symlink_to(elsewhere)
    np.savez(tmp_path / "img_train.sh1.npz", sh=np.zeros(3))
    np.savez(tmp_path / "img_train.rg1.npz", z=np.zeros((3, 2)))
    np.savez(tmp_path / "img_train.aug_ring.0.50.1.npz", maps=np.zeros(3))
    ds.patch("img", ("ring",), out, 1, "2.8", "coverage!=360.0")
    x_after = np.load(tmp_path / "img_train.x.npy")
    facts = json.loads((tmp_path / "img_train.facts.json").read_text())
    for i in range(6):
        if i in arcs:
            assert not np.array_equal(x_before[i], x_after[i])
            assert 90.0 <= facts[i]["coverage"] < covs[i]
        else:
            assert np.array_equal(x_before[i], x_after[i])
    fresh = ds._work((3, "img", "ring", ds.sample_seed(5000, "ring", 1), False, "2.8"))
    assert np.array_equal(fresh[1], x_after[3])
    assert str(np.load(out)["recipe"]) == "2.8"
    assert not (tmp_path / "img_train.ev4.npz").exists() and elsewhere.exists()
    assert not (tmp_path / "img_train.sh1.npz").exists()
    assert not (tmp_path / "img_train.rg1.npz").exists()       # the ring gate's measure
    assert (tmp_path / "img_train.aug_ring.0.50.1.npz").exists()
    # a set built again from scratch drops them all (its normals are new too)
    np.savez(tmp_path / "img_train.ev4.npz", ev=np.zeros(3))
    ds.build("img", {"normal": range(1)}, 5000, False, out, 1, "2.8")
    assert not (tmp_path / "img_train.ev4.npz").exists()
    assert not (tmp_path / "img_train.aug_ring.0.50.1.npz").exists()


def test_recipe_2_9_gives_one_image_phantom_in_three_a_2_to_8_mm_housing_wall():
    """Left out, the simulator's vendor water phantom (5 mm wall; img and r3 draw 3 / 2.5
    mm) had its normals called streak; recipe 2.9 draws the wall of one img / r3 phantom
    in three from 2-8 mm, from a stream of its own: the other samples stay 2.8's."""
    walls = [ds.housing_wall_mm(s, "2.9") for s in range(4000, 4600)]
    drawn = np.array([w for w in walls if w is not None])
    assert 0.28 < len(drawn) / len(walls) < 0.39
    assert drawn.min() >= 2.0 and drawn.max() <= 8.0
    assert all(ds.housing_wall_mm(s, "2.8") is None for s in range(4000, 4010))
    assert ds.housing_wall_mm(3000, "2.9") is None
    assert np.array_equal(ds.RENDERERS["img"]("normal", 3000, False, "2.8")[0],
                          ds.RENDERERS["img"]("normal", 3000, False, "2.9")[0])
    # seed 3005: a 7.6 mm wall; 5 mm inside the outer radius is housing, not body
    v8, px, f8 = ds.RENDERERS["img"]("normal", 3005, False, "2.8")
    v9, _, f9 = ds.RENDERERS["img"]("normal", 3005, False, "2.9")
    assert f9["params"]["shell_mm"] == pytest.approx(7.59, abs=0.01)
    assert f8["params"]["shell_mm"] == 3.0
    n = v8.shape[-1]
    cx, cy = (np.array(f8["params"]["centre_offset_mm"]) / px + (n - 1) / 2)
    yy, xx = np.mgrid[:n, :n]
    r = np.hypot(xx - cx, yy - cy) * px
    ring = (r > 94.0) & (r < 96.0)
    shell_hu, body_hu = f8["params"]["shell_hu"], f8["params"]["ctp404_body_hu"]
    assert np.median(v9[1][ring]) == pytest.approx(shell_hu + f8["scanner"]["hu_offset"], abs=15)
    assert abs(np.median(v8[1][ring]) - np.median(v9[1][ring])) > 0.5 * abs(shell_hu - body_hu)
