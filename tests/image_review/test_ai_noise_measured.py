"""Noise measured is noise judged (app/ct/ai/check.py, issue 16): a slice the network
calls "noise" confidently while its anomaly score says "unlike the training data" is
judged noise - not "AI not applicable" - when its measured native noise SD is at or above
the noise class's own floor (24 HU: ``ai_classes.NOISE_CLASS_MIN_SD_HU``); below it the
anomaly decides as before.

The network is a stand-in calling every stack "noise" with an anomaly of 2.0
(data/noise_unfamiliar.onnx, the released layout; card: not applicable above 1.5). The
phantoms are the independent image-domain renderer's."""
from __future__ import annotations

from pathlib import Path

from app.ct.image_renderer import RenderParams
from app.ct.image_renderer.series import render_volume
from tests.image_review.conftest import stand_in_checker

NOISE_UNFAMILIAR = Path(__file__).with_name("data") / "noise_unfamiliar.onnx"  # make_tiny_classifier.py


def _series(noise_sd: float, seed: int):
    p = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=noise_sd,
                     psf_sigma_mm=0.4, n_slices=5, z_start_mm=-70.0, seed=seed)
    return render_volume(p)[0], p.pixel_mm


def test_an_unfamiliar_slice_with_the_class_noise_level_is_judged_noise(tmp_path):
    checker = stand_in_checker(tmp_path, NOISE_UNFAMILIAR, "9.3.0", not_applicable=1.5)
    vol, px = _series(45.0, 1)
    res = checker.classify(vol, pixel_mm=px)
    assert {s.label for s in res.slices} == {"noise"}
    assert res.applicable and res.label == "noise" and res.flagged
    codes = [c for c in res.to_dict()["note_codes"] if c and c["code"] == "ai.noise_measured"]
    assert len(codes) == 1 and codes[0]["params"]["count"] == len(res.slices)
    # the anomaly stays a reason on each slice
    assert all(any("anomaly" in str(r) for r in s.reasons) for s in res.slices)


def test_below_the_class_floor_the_anomaly_decides(tmp_path):
    checker = stand_in_checker(tmp_path, NOISE_UNFAMILIAR, "9.3.0", not_applicable=1.5)
    vol, px = _series(10.0, 2)
    res = checker.classify(vol, pixel_mm=px)
    assert {s.label for s in res.slices} == {"not_applicable"}
    assert not res.applicable
    assert "ai.noise_measured" not in [c["code"] for c in res.to_dict()["note_codes"] if c]
