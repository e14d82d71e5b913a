"""Simulator ground truth is consistent with the images it renders."""
from __future__ import annotations

import json
import math

import numpy as np
import pydicom
import pytest
from scipy.optimize import curve_fit
from scipy.special import ndtr

from app.ct.simulator import (
    ArtifactSpec, SimParams, simulate_series, write_dicom_series)
from app.ct.simulator.artifacts import channel_to_radius, radius_to_channel


def _module_series(module: str, **kw):
    """A few slices centred on one CatPhan 504 module."""
    z = {"CTP404": 0.0, "CTP528": 30.0, "CTP515": -30.0, "CTP486": -65.0}[module]
    t = kw.pop("slice_thickness_mm", 2.0)
    n = kw.pop("n", 3)
    half = (n - 1) / 2 * t
    return simulate_series(SimParams(slice_thickness_mm=t, z_range_mm=(z - half, z + half), **kw))


def _disc_roi(img, centre_px, radius_px):
    yy, xx = np.mgrid[:img.shape[0], :img.shape[1]]
    return img[(xx - centre_px[0]) ** 2 + (yy - centre_px[1]) ** 2 <= radius_px ** 2]


def test_insert_means_match_rendered_nominal_within_noise():
    s = _module_series("CTP404", n=1, noise_sd_hu=10.0, hu_offset=5.0, roll_deg=7.0,
                       centre_offset_mm=(12.0, -8.0))
    inserts = s.truth["features"]["CTP404"]["inserts"]
    assert len(inserts) == 7
    for ins in inserts:
        roi = _disc_roi(s.volume[0], ins["centre_px"], 3.5 / s.pixel_mm)
        tol = 4 * 10.0 / math.sqrt(len(roi) / 4) + 1.0  # correlated noise: ~4 px per sample
        assert abs(roi.mean() - ins["rendered_hu"]) < tol, ins["name"]
        assert ins["rendered_hu"] == ins["nominal_hu"] + 5.0


def test_edge_spread_matches_psf_sigma():
    sigma = 0.6
    s = _module_series("CTP404", n=1, noise_sd_hu=0.0, psf_sigma_mm=sigma)
    teflon = next(i for i in s.truth["features"]["CTP404"]["inserts"] if i["name"] == "teflon")
    img = s.volume[0]
    yy, xx = np.mgrid[:img.shape[0], :img.shape[1]]
    r = np.hypot(xx - teflon["centre_px"][0], yy - teflon["centre_px"][1]) * s.pixel_mm
    sel = (r > 3.0) & (r < 9.5)

    def esf(rr, bg, amp, radius, sig):
        return bg + amp * ndtr((radius - rr) / sig)

    popt, _ = curve_fit(esf, r[sel], img[sel], p0=(0, 900, 6, 0.5))
    assert popt[3] == pytest.approx(sigma, rel=0.05)
    assert popt[2] == pytest.approx(6.1, abs=0.05)
    mtf = s.truth["mtf"]
    assert mtf["mtf50_lp_cm"] == pytest.approx(10 * math.sqrt(math.log(2) / (2 * math.pi ** 2)) / sigma)


@pytest.mark.parametrize("thickness", [1.0, 2.0, 5.0])
def test_wire_ramp_shows_the_slice_thickness(thickness):
    s = _module_series("CTP404", n=1, noise_sd_hu=0.0, slice_thickness_mm=thickness)
    ramp = s.truth["features"]["CTP404"]["ramps"][0]  # at 0 deg, running along y
    assert ramp["orientation"] == "y"
    cx, cy = ramp["centre_px"]
    img = s.volume[0]
    rows = slice(int(cy - 30 / s.pixel_mm), int(cy + 30 / s.pixel_mm))
    strip = img[rows, int(round(cx)) - 3:int(round(cx)) + 4].max(axis=1)
    profile = strip - np.median(strip)
    half = profile.max() / 2
    above = np.nonzero(profile >= half)[0]
    # sub-pixel FWHM by linear interpolation at both flanks
    left = above[0] - 1 + (half - profile[above[0] - 1]) / (profile[above[0]] - profile[above[0] - 1])
    right = above[-1] + (profile[above[-1]] - half) / (profile[above[-1]] - profile[above[-1] + 1])
    fwhm_mm = (right - left) * s.pixel_mm
    measured = fwhm_mm * math.tan(math.radians(23.0))
    assert measured == pytest.approx(thickness, rel=0.08, abs=0.12)
    assert s.truth["slice_thickness_mm"] == thickness


def test_ring_is_where_the_channel_maps_and_as_strong_as_told():
    clean = _module_series("CTP486", n=1, noise_sd_hu=0.0)
    ring = _module_series("CTP486", n=1, noise_sd_hu=0.0,
                          artifacts=[ArtifactSpec("ring", 25.0, radius_mm=42.0)])
    diff = ring.volume[0] - clean.volume[0]
    t = ring.truth["artifacts"][0]
    cx, cy = ring.truth["rotation_centre_px"]
    yy, xx = np.mgrid[:diff.shape[0], :diff.shape[1]]
    r = np.hypot(xx - cx, yy - cy) * ring.pixel_mm
    bins = np.arange(0, 80, 0.25)
    idx = np.digitize(r.ravel(), bins)
    prof = np.array([diff.ravel()[idx == i].mean() if np.any(idx == i) else 0 for i in range(1, len(bins))])
    peak_r = bins[np.argmax(prof)] + 0.125
    assert peak_r == pytest.approx(42.0, abs=0.5)
    assert prof.max() == pytest.approx(25.0, rel=0.2)
    assert abs(channel_to_radius(ring.params, t["channel"]) - 42.0) < 0.4
    assert radius_to_channel(ring.params, 0.0) == ring.params.central_channel


def test_cupping_band_and_shift_amplitudes():
    p = dict(noise_sd_hu=0.0, n=5)
    clean = _module_series("CTP486", **p)
    art = _module_series("CTP486", **p, artifacts=[
        ArtifactSpec("cupping", 40.0, slices=[0]), ArtifactSpec("band", 12.0, slices=[2]),
        ArtifactSpec("shift", -8.0, slices=[4])])
    d = art.volume - clean.volume
    cx, cy = art.truth["centre_px"]
    edge = art.truth["artifacts"][0]["edge_radius_mm"] / art.pixel_mm
    centre = _disc_roi(d[0], (cx, cy), 5).mean()
    edge_val = np.mean([_disc_roi(d[0], (cx + dx * edge, cy + dy * edge), 3).mean()
                        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))])
    assert edge_val - centre == pytest.approx(40.0, rel=0.1)
    assert _disc_roi(d[2], (cx, cy), 20).mean() == pytest.approx(12.0, abs=0.2)
    assert _disc_roi(d[4], (cx, cy), 20).mean() == pytest.approx(-8.0, abs=0.2)
    assert np.abs(d[1]).max() == 0 and np.abs(d[3]).max() == 0


def test_streak_runs_along_its_angle():
    clean = _module_series("CTP486", n=1, noise_sd_hu=0.0)
    art = _module_series("CTP486", n=1, noise_sd_hu=0.0,
                         artifacts=[ArtifactSpec("streak", 60.0, angle_deg=30.0)])
    d = art.volume[0] - clean.volume[0]
    spec = np.abs(np.fft.fftshift(np.fft.fft2(d)))
    ky, kx = np.unravel_index(np.argsort(spec.ravel())[-50:], spec.shape)
    ang = np.degrees(np.arctan2(ky - 256, kx - 256)) % 180
    # streak lines along 30 deg put their energy along 120 deg in the spectrum
    assert np.median(np.abs(((ang - 120) + 90) % 180 - 90)) < 3
    assert art.truth["artifacts"][0]["artifact_index_hu"] > 3


def test_noise_level_and_texture():
    clean = _module_series("CTP486", n=2, noise_sd_hu=0.0)
    noisy = _module_series("CTP486", n=2, noise_sd_hu=12.0, noise_kernel="standard", seed=3)
    n = (noisy.volume - clean.volume)[:, 128:384, 128:384]
    assert n.std() == pytest.approx(12.0, rel=0.04)
    spec = np.mean([np.abs(np.fft.fft2(s - s.mean())) ** 2 for s in n], axis=0)
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(256, noisy.pixel_mm), np.fft.fftfreq(256, noisy.pixel_mm)))
    bins = np.linspace(0, 1.0, 41)
    idx = np.digitize(f.ravel(), bins)
    radial = np.array([spec.ravel()[idx == i].mean() for i in range(1, len(bins))])
    f_peak = bins[np.argmax(radial)] + 0.0125
    assert f_peak == pytest.approx(noisy.truth["noise"]["nps_f_peak_lp_mm"], abs=0.04)


def test_same_seed_same_series_other_seed_other_noise():
    a = _module_series("CTP404", n=1, seed=5)
    b = _module_series("CTP404", n=1, seed=5)
    c = _module_series("CTP404", n=1, seed=6)
    assert np.array_equal(a.volume, b.volume)
    assert not np.array_equal(a.volume, c.volume)


def test_tilt_moves_the_centre_along_z_and_roll_moves_inserts():
    s = simulate_series(SimParams(matrix=256, n_slices=20, slice_thickness_mm=5.0,
                                  yaw_deg=3.0, pitch_deg=-2.0, roll_deg=30.0, noise_sd_hu=0))
    per = np.array(s.truth["centre_px_per_slice"])
    dz = s.slice_positions_mm[-1] - s.slice_positions_mm[0]
    assert (per[-1, 0] - per[0, 0]) * s.pixel_mm == pytest.approx(dz * math.tan(math.radians(3)), rel=1e-3)
    assert (per[-1, 1] - per[0, 1]) * s.pixel_mm == pytest.approx(dz * math.tan(math.radians(-2)), rel=1e-3)
    k = s.truth["modules"]["CTP404"]["nearest_slice"]
    air = next(i for i in s.truth["features"]["CTP404"]["inserts"] if i["name"] == "air")
    assert _disc_roi(s.volume[k], air["centre_px"], 2).mean() < -900


@pytest.mark.parametrize("name", ["catphan604", "catphan600", "acr464", "vendor_water"])
def test_every_phantom_renders_its_inserts(name):
    s = simulate_series(SimParams(phantom=name, matrix=256, slice_thickness_mm=5.0, noise_sd_hu=0))
    checked = 0
    for mid, feats in s.truth["features"].items():
        k = s.truth["modules"][mid]["nearest_slice"]
        for ins in feats.get("inserts", []):
            roi = _disc_roi(s.volume[k], ins["centre_px"], ins["diameter_mm"] / 4 / s.pixel_mm)
            assert roi.mean() == pytest.approx(ins["rendered_hu"], abs=3.0), (mid, ins["name"])
            checked += 1
    assert checked >= 4


def test_dicom_round_trip(tmp_path):
    s = simulate_series(SimParams(matrix=128, n_slices=4, z_range_mm=(-3, 3), helical=True,
                                  recon_centre_mm=(10.0, -5.0), kvp=100))
    paths = write_dicom_series(s, tmp_path, scanner_serial="SN-42")
    assert len(paths) == 4
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["dicom"]["scanner_serial"] == "SN-42" and truth["n_slices"] == 4
    uids = set()
    for k, path in enumerate(paths):
        ds = pydicom.dcmread(path)
        assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
        hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        assert np.abs(hu - s.volume[k]).max() <= 0.5 + 1e-3
        assert float(ds.ImagePositionPatient[2]) == pytest.approx(s.slice_positions_mm[k])
        assert float(ds.ImagePositionPatient[0]) == pytest.approx(10.0 - 63.5 * s.pixel_mm)
        assert float(ds.PixelSpacing[0]) == pytest.approx(s.pixel_mm)
        assert ds.DeviceSerialNumber == "SN-42" and ds.QualityControlSubject == "YES"
        assert float(ds.KVP) == 100 and ds.CTDIvol == pytest.approx(12.5)
        assert ds.SpiralPitchFactor == pytest.approx(0.984)
        assert list(ds.ReconstructionTargetCenterPatient)[:2] == [10.0, -5.0]
        uids.add(ds.SeriesInstanceUID)
    assert len(uids) == 1 and truth["dicom"]["series_uid"] in uids


def test_demo_fleet_writes_series_per_serial_with_artifacts(tmp_path):
    from app.ct.simulator.demo_scanner import generate_demo_day
    made = generate_demo_day(tmp_path, scanners=["SN-A", "SN-B", "SN-C"], seed=1, days=3,
                             matrix=64, n_slices=6, thickness=10.0)
    assert len(made) == 9
    assert {m.serial for m in made} == {"SN-A", "SN-B", "SN-C"}
    assert any("ring" in m.artifacts for m in made if m.serial == "SN-B")
    assert any("cupping" in m.artifacts for m in made if m.serial == "SN-C")
    assert not any(m.artifacts for m in made if m.serial == "SN-A")
    assert len({m.series_uid for m in made}) == 9
    ds = pydicom.dcmread(sorted(made[4].folder.glob("*.dcm"))[0])
    assert ds.DeviceSerialNumber == made[4].serial
    assert json.loads((tmp_path / "manifest.json").read_text())[0]["n_files"] == 6
