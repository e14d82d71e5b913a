"""The independent image-domain CatPhan 504 renderer (app.ct.image_renderer)."""
from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

from app.ct.image_renderer import (RenderArtifact, RenderParamError, RenderParams, render_series,
                                   render_volume)
from app.ct.image_renderer.render import slice_positions

PKG = Path(__file__).resolve().parents[2] / "app" / "ct" / "image_renderer"


def _roi(img, c, r_px):
    yy, xx = np.ogrid[:img.shape[0], :img.shape[1]]
    return img[(xx - c[0]) ** 2 + (yy - c[1]) ** 2 <= r_px ** 2]


def test_renderer_shares_no_code_with_the_station():
    for f in PKG.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith(("station_plugins", "app.ct.simulator", "app.ct.analysis",
                                         "app.ct.phantoms")) for n in names), f.name


@pytest.mark.parametrize("kw,word", [(dict(matrix=300), "matrix"), (dict(pixel_mm=0.3, matrix=512), "field of view"),
                                     (dict(psf="box"), "psf"), (dict(slice_thickness_mm=0.2), "slice_thickness"),
                                     (dict(pin_node=7), "pin_node")])
def test_bad_parameters_are_named(kw, word):
    with pytest.raises(RenderParamError, match=word):
        RenderParams(**kw)
    with pytest.raises(RenderParamError, match="radius"):
        RenderArtifact("ring", 10.0, radius_mm=0.0)


@pytest.fixture(scope="module")
def clean():
    p = RenderParams(matrix=256, pixel_mm=0.9, noise_sd_hu=0.0, roll_deg=17.0,
                     centre_offset_mm=(8.0, -5.0), slice_thickness_mm=2.0, hu_offset=3.0,
                     z_start_mm=-70.0, n_slices=54, seed=3)
    return p, *render_volume(p)


def test_body_values_inserts_and_calibration_follow_the_truth(clean):
    p, vol, t = clean
    for mid, want in (("CTP404", 10), ("CTP486", 5), ("CTP515", 40), ("CTP528", 10)):
        m = t["modules"][mid]
        k = m["nearest_slice"]
        got = float(np.median(_roi(vol[k], m["centre_px"], 6)))
        if mid == "CTP528":   # the bead sits at the centre: read beside it
            c = m["centre_px"]
            got = float(np.median(_roi(vol[k], (c[0], c[1] - 15), 6)))
        assert got == pytest.approx(m["background_hu"], abs=0.6)
        assert m["background_hu"] == pytest.approx(want + 3.0, abs=4.0)   # tolerance + offset
    k = t["modules"]["CTP404"]["nearest_slice"]
    for ins in t["features"]["CTP404"]["inserts"]:
        got = float(np.mean(_roi(vol[k], ins["centre_px"], 3.5 / 0.9)))
        assert got == pytest.approx(ins["rendered_hu"], abs=1.0), ins["name"]
    # the Teflon pin is bright, the three holes are dark
    kinds = [(float(np.mean(_roi(vol[k], n["centre_px"], 0.6))), n["kind"]) for n in t["features"]["CTP404"]["nodes"]]
    assert all((v > 200) == (kind == "teflon pin") for v, kind in kinds)
    assert sum(kind == "teflon pin" for _, kind in kinds) == 1


def test_module_boundary_is_a_partial_volume_step(clean):
    p, vol, t = clean
    zs = np.asarray(t["slice_positions_mm"])
    lo, hi = t["modules"]["CTP486"]["z_extent_table_mm"][1], t["modules"]["CTP515"]["z_extent_table_mm"][0]
    assert lo == pytest.approx(hi)
    c = t["modules"]["CTP486"]["centre_px"]
    vals = [float(np.median(_roi(v, c, 8))) for v in vol]
    k = int(np.argmin(np.abs(zs - lo)))
    frac = np.clip((zs[k] + 1.0 - lo) / 2.0, 0, 1)     # share of the 2 mm slice inside CTP515
    want = t["modules"]["CTP486"]["background_hu"] * (1 - frac) + t["modules"]["CTP515"]["background_hu"] * frac
    assert vals[k] == pytest.approx(want, abs=0.6)


def test_wire_ramp_length_gives_the_slice_thickness():
    p = RenderParams(matrix=512, pixel_mm=0.5, noise_sd_hu=0.0, psf_sigma_mm=0.2, slice_thickness_mm=5.0,
                     z_start_mm=0.0, n_slices=1, tolerance_scale=0.0)
    vol, t = render_volume(p)
    ramp = t["features"]["CTP404"]["ramps"][0]          # wire along y at x = +38 mm
    c = ramp["centre_px"]
    col = int(round(c[0]))
    prof = vol[0][:, col - 2:col + 3].sum(axis=1) - 5 * 10.0
    rows = np.arange(len(prof))
    near = np.abs(rows - c[1]) < 40
    half = prof[near].max() / 2
    above = rows[near][prof[near] >= half]
    fwhm_mm = (above[-1] - above[0] + 1) * p.pixel_mm
    assert fwhm_mm == pytest.approx(ramp["expected_fwhm_in_plane_mm"], abs=2 * p.pixel_mm)
    assert ramp["expected_fwhm_in_plane_mm"] == pytest.approx(5.0 / math.tan(math.radians(23)), abs=1e-3)


def test_noise_sd_and_fbp_like_nps():
    p = RenderParams(matrix=256, pixel_mm=0.9, noise_sd_hu=20.0, z_start_mm=-70, n_slices=6, seed=5)
    vol, t = render_volume(p)
    c = t["modules"]["CTP486"]["centre_px"]
    roi = vol[:, int(c[1]) - 24:int(c[1]) + 24, int(c[0]) - 24:int(c[0]) + 24]
    assert float(roi.std(axis=(1, 2)).mean()) == pytest.approx(20.0, rel=0.08)
    # correlated, ramp-like: near-zero power at DC, a peak away from zero
    spec = np.mean([np.abs(np.fft.fft2(r - r.mean())) ** 2 for r in roi], axis=0)
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(48, 0.9), np.fft.fftfreq(48, 0.9)))
    low, mid = spec[(f > 0) & (f < 0.06)].mean(), spec[(f > 0.15) & (f < 0.3)].mean()
    assert mid > 1.3 * low            # white noise would give 1
    edges = np.linspace(0, 0.5 / 0.9, 25)
    fc = 0.5 * (edges[1:] + edges[:-1])
    radial = np.array([spec[(f >= a) & (f < b)].mean() for a, b in zip(edges[:-1], edges[1:])])
    assert float((fc * radial).sum() / radial.sum()) == pytest.approx(t["noise"]["nps_f_av_lp_mm"], rel=0.1)
    assert 0.1 < t["noise"]["nps_f_peak_lp_mm"] < 0.4


def test_ring_about_the_rotation_centre_and_streak_direction():
    p = RenderParams(matrix=256, pixel_mm=0.9, noise_sd_hu=0.0, centre_offset_mm=(10.0, 0.0),
                     z_start_mm=-65, n_slices=1, tolerance_scale=0.0,
                     artifacts=(RenderArtifact("ring", 40.0, radius_mm=30.0, width_mm=1.0),
                                RenderArtifact("streak", 80.0, angle_deg=60.0, width_mm=1.5)))
    vol, t = render_volume(p)
    rc = t["rotation_centre_px"]
    img = vol[0] - t["modules"]["CTP486"]["background_hu"]
    # on the ring, away from the streak: +40 HU (minus the pixel's sampling of a 1 mm ring)
    x, y = rc[0] + 30.0 / 0.9 * math.cos(math.radians(200)), rc[1] + 30.0 / 0.9 * math.sin(math.radians(200))
    assert img[int(round(y)), int(round(x))] > 20
    # along the streak at 60 deg through the rotation centre, 50 mm out
    x, y = rc[0] + 50 / 0.9 * math.cos(math.radians(60)), rc[1] + 50 / 0.9 * math.sin(math.radians(60))
    near = img[int(round(y)) - 1:int(round(y)) + 2, int(round(x)) - 1:int(round(x)) + 2]
    assert float(near.max()) == pytest.approx(80.0, abs=6)
    x, y = rc[0] + 50 / 0.9 * math.cos(math.radians(150)), rc[1] + 50 / 0.9 * math.sin(math.radians(150))
    assert abs(img[int(round(y)), int(round(x))]) < 3


def test_render_series_writes_dicom_the_station_reads(tmp_path):
    from app.ct.dicom_load import load_series
    p = RenderParams(matrix=256, pixel_mm=0.9, noise_sd_hu=10.0, z_start_mm=-6.0, n_slices=4,
                     slice_thickness_mm=3.0, recon_centre_mm=(5.0, 0.0), detector_geometry=True)
    truth = render_series(p, tmp_path)
    s = load_series(tmp_path)
    assert s.volume.shape == (4, 256, 256)
    assert s.slice_thickness_mm == 3.0 and s.pixel_mm == pytest.approx(0.9)
    assert list(s.slice_positions_mm) == pytest.approx(truth["slice_positions_mm"])
    assert s.recon_centre_px == pytest.approx(tuple(truth["rotation_centre_px"]), abs=0.01)
    assert (tmp_path / "truth.json").is_file()


def test_default_series_covers_the_phantom_with_blank_ends():
    zs = slice_positions(RenderParams(slice_thickness_mm=5.0))
    assert zs[0] < -102.5 and zs[-1] > 52.5
