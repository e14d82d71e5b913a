"""AI check through the station service: verdict records, bad input, refused models
(missing / truncated / altered) with the station carrying on with physics checks only."""
from __future__ import annotations

import json

import numpy as np
import pytest

from app.core.errors import InputRejected, ModelIntegrityError
from app.ct.review import KIND_ITEM
from station_plugins.image_review.service import (KIND_AI_VERDICT, LoadedInput,
                                                  ReviewService, ai_json, load_input)
from tests.image_review.conftest import phantom_volume, queue_item

PHYS_FAIL = {"verdict": "FAIL", "artifacts": [
    {"type": "ring", "verdict": "FAIL", "location": {"slice_range": [3, 4]}}],
    "measurements": []}


def test_classify_flags_noise_and_stores_the_verdict_with_model_provenance(env):
    service = ReviewService(env.context("qe1"))
    ok, text = service.ai_status()
    assert ok and "ct_phantom_classifier 0.0.1" in text
    result, item = queue_item(service, noise_sd=80.0)
    assert result.label == "noise" and result.flagged and item is not None
    assert item.reasons == ["ai_abnormal", "disagreement"]      # physics said PASS
    rec = env.store.query_records(KIND_AI_VERDICT)[0]
    body = rec.payload
    assert body["model"]["sha256"] == service.ai_checker().onnx.card.sha256
    # interior slices only: both neighbours exist
    assert len(body["images"]) == 3 and all(len(i["input_sha256"]) == 64
                                            for i in body["images"])
    assert body["latency_ms_per_slice"] >= 0 and rec.ref == item.series_uid
    # the queued item keeps both verdicts and the baseline beside the image
    img, base = service.queue.load_images(item)
    assert img.shape == (3, 256, 256) and base.shape == (3, 256, 256)
    assert item.ai["model_sha256"] == body["model"]["sha256"]
    assert item.physics["verdict"] == "PASS"


def test_a_normal_series_is_not_queued(env):
    service = ReviewService(env.context("qe1"))
    result, item = queue_item(service, noise_sd=5.0)
    assert result.label == "normal" and not result.flagged and item is None


def test_heatmap_has_the_image_size_and_points_at_the_noise(env):
    service = ReviewService(env.context("qe1"))
    vol = phantom_volume(5.0)
    vol[:, 40:100, 40:100] += np.random.default_rng(3).normal(0, 300, (5, 60, 60))
    inp = LoadedInput(volume=vol, series_uid="1.2.3", scanner_serial="SN-H", source="t",
                      kind="npy")
    _, item = service.check_series(inp, analysed_by="qe1", physics={})
    img, _ = service.queue.load_images(item)
    heat = service.heatmap(item, img)
    assert heat.shape == img.shape[1:] and heat.min() >= 0 and heat.max() <= 1
    assert heat[40:100, 40:100].mean() > 3 * heat[160:220, 160:220].mean()
    assert "disagreement" not in item.reasons       # no physics verdict to disagree with


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered"])
def test_a_refused_model_leaves_physics_checks_only(env, damage):
    onnx_path = env.onnx_path
    if damage == "missing":
        onnx_path.unlink()
    elif damage == "truncated":
        onnx_path.write_bytes(onnx_path.read_bytes()[:300])
    else:
        data = bytearray(onnx_path.read_bytes())
        data[len(data) // 2] ^= 0x01
        onnx_path.write_bytes(bytes(data))
    service = ReviewService(env.context("qe1"))
    ok, text = service.ai_status()
    assert not ok
    assert text.startswith("AI check unavailable: ") and text.endswith(" - physics checks only")
    assert ("missing" in text) if damage == "missing" else ("integrity check" in text)
    refused = env.audit.entries(action="model_refused")
    assert len(refused) == 1 and refused[0].entity_id == "ct_phantom_classifier:0.0.1"
    with pytest.raises(ModelIntegrityError):
        service.classify(phantom_volume(5.0))
    assert len(env.audit.entries(action="model_refused")) == 1   # refused once, not per call
    # the station still queues what the physics checks fail
    inp = LoadedInput(volume=phantom_volume(5.0), series_uid="1.2.9", scanner_serial="SN-P",
                      source="t", kind="npy")
    result, item = service.check_series(inp, analysed_by="qe1", physics=PHYS_FAIL)
    assert result is None and item.reasons == ["failed_limits"]
    assert item.ai["label"] is None and "unavailable" in item.ai
    assert item.slice_index == 3
    assert env.store.query_records(KIND_AI_VERDICT) == []
    assert len(env.store.query_records(KIND_ITEM)) == 1


@pytest.mark.parametrize("volume, message", [
    (np.zeros((2, 32, 32), np.float32) + np.arange(32), "at least 64 x 64"),
    (np.zeros((2, 128, 96), np.float32) + np.arange(96), "square"),
    (np.random.default_rng(0).random((2, 128, 128)).astype(np.float32), "CT image in HU"),
    (np.full((2, 128, 128), np.nan, np.float32), "non-finite"),
])
def test_wrong_image_size_or_non_ct_values_are_rejected_with_reason(env, volume, message):
    service = ReviewService(env.context("qe1"))
    with pytest.raises(InputRejected, match=message):
        service.classify(volume)


def test_load_input_reads_npy_and_refuses_other_modalities_and_junk(tmp_path):
    vol = phantom_volume(5.0, n=3)
    np.save(tmp_path / "vol.npy", vol)
    inp = load_input(tmp_path / "vol.npy")
    assert inp.kind == "npy" and inp.volume.shape == (3, 256, 256) and inp.series_uid is None
    np.save(tmp_path / "text.npy", np.array(["a", "b"]))
    with pytest.raises(InputRejected, match="numeric"):
        load_input(tmp_path / "text.npy")
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    with pytest.raises(InputRejected, match="not a readable"):
        load_input(tmp_path / "bad.npy")
    with pytest.raises(InputRejected, match="no such file"):
        load_input(tmp_path / "absent")
    mr = _mr_series(tmp_path / "mr")
    with pytest.raises(InputRejected, match="modality is MR"):
        load_input(mr)


def _mr_series(folder):  # noqa: ANN001, ANN202
    import pydicom

    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    write_dicom_series(simulate_series(SimParams(matrix=128, n_slices=2, seed=1)), folder)
    for p in folder.glob("*.dcm"):
        ds = pydicom.dcmread(p)
        ds.Modality = "MR"
        ds.save_as(p)
    return folder


def test_ai_json_contract_keys(env):
    service = ReviewService(env.context("qe1"))
    data = ai_json(service.classify(phantom_volume(80.0, n=2)), "1.2.3")
    assert set(data) == {"model", "series_uid", "images", "series_class", "flagged",
                         "latency_ms_per_slice", "applicable", "not_applicable_reason",
                         "not_applicable_reason_code", "pixel_mm", "notes", "note_codes",
                         "series_evidence"}
    assert len(data["note_codes"]) == len(data["notes"])    # one per note (additive key)
    assert set(data["series_evidence"]) == {"judged", "weak", "weak_rate", "expected_weak",
                                            "p_value", "alpha", "low_confidence",
                                            "class_slices", "checks"}
    assert set(data["model"]) == {"id", "version", "sha256", "providers"}
    assert set(data["images"][0]) == {"slice_index", "class", "scores", "anomaly_score",
                                      "confidence", "flagged", "reasons", "reason_codes",
                                      "input_sha256"}
    for image in data["images"]:       # one code per reason (additive key)
        assert len(image["reason_codes"]) == len(image["reasons"])
    assert set(data["images"][0]["scores"]) == {"normal", "ring", "streak", "band", "noise",
                                                "shift", "blur"}
    json.dumps(data)
