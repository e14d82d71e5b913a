"""`pharos ai classify` and `pharos review list|decide|export`: subprocess (the real
entry point) and direct calls of app.main.main."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.adapters.inference import ModelRegistry
from app.bootstrap import Workstation
from app.main import main
from app.ct.review import KIND_DECISION
from station_plugins.image_review.service import KIND_AI_VERDICT, ReviewService
from tests.image_review.conftest import (PASSWORD, REAL_DIR, REAL_VERSION, USERS,
                                         phantom_volume, queue_item, real_model,
                                         write_tiny_models)

ROOT = Path(__file__).resolve().parents[2]


def pharos(*args: str, stdin: str | None = None, env: dict | None = None
           ) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k != "PHAROS_PASSWORD"}
    e.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, env=e, timeout=180)


@pytest.fixture
def workstation(data_dir, tmp_path):  # noqa: ANN001, ANN201
    """A data folder with users, the tiny classifier and nothing queued."""
    ws = Workstation.open(data_dir=data_dir, admin_password="Station-passw0rd1",
                          with_stations=False, start_loop=False)
    for name, (full, roles) in USERS.items():
        ws.auth.create_user(name, full, roles, PASSWORD, by=None, reason="test",
                            must_change_password=False)
    models = tmp_path / "models"
    write_tiny_models(models)
    ws.models = ModelRegistry(models, audit=ws.audit)
    ws.models_dir = models
    yield ws
    ws.close()


def service_of(ws) -> ReviewService:  # noqa: ANN001
    from station_plugins.image_review.plugin import ImageReviewStation

    ctx = ws.context_for("image_review")
    ImageReviewStation(ctx)
    return ReviewService(ctx)


def test_classify_npy_subprocess_json_contract_and_exit_codes(workstation, tmp_path):
    np.save(tmp_path / "noisy.npy", phantom_volume(80.0, n=3))
    np.save(tmp_path / "clean.npy", phantom_volume(5.0, n=3))
    out = tmp_path / "out.json"
    models = str(workstation.models_dir)
    r = pharos("ai", "classify", str(tmp_path / "noisy.npy"), "--json", str(out),
               "--models-dir", models)
    assert r.returncode == 1, r.stderr
    data = json.loads(out.read_text())
    assert data["flagged"] is True and data["series_class"] == "noise"
    assert data["model"]["id"] == "ct_phantom_classifier" and data["model"]["version"] == "0.0.1"
    assert data["model"]["sha256"] == hashlib.sha256(
        (workstation.models_dir / "ct_phantom_classifier/0.0.1/model.onnx").read_bytes()
    ).hexdigest()
    assert [i["slice_index"] for i in data["images"]] == [1]  # the only slice with both neighbours
    assert data["images"][0]["class"] == "noise" and data["images"][0]["reasons"]
    assert "FLAGGED" in r.stdout
    # stdout JSON, normal series: exit 0
    r = main(["ai", "classify", str(tmp_path / "clean.npy"), "--json", str(out),
              "--models-dir", models])
    assert r == 0 and json.loads(out.read_text())["series_class"] == "normal"
    recs = workstation.store.query_records(KIND_AI_VERDICT)
    assert len(recs) == 2 and {r.verdict for r in recs} == {"FLAG", "PASS"}


def test_classify_dicom_series_with_the_tiny_model(workstation, tmp_path, capsys):
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    sim = simulate_series(SimParams(matrix=256, n_slices=5, slice_thickness_mm=5.0, seed=4))
    write_dicom_series(sim, tmp_path / "series", scanner_serial="SN-DCM")
    rc = main(["ai", "classify", str(tmp_path / "series"), "--json", "-",
               "--models-dir", str(workstation.models_dir)])
    data = json.loads(capsys.readouterr().out)
    assert rc in (0, 1) and rc == int(data["flagged"])
    assert data["series_uid"] and len(data["images"]) == 3
    rec = workstation.store.query_records(KIND_AI_VERDICT)[0]
    assert rec.subject == "SN-DCM" and rec.ref == data["series_uid"]


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered"])
def test_classify_refuses_a_damaged_model_with_exit_2(workstation, tmp_path, capsys, damage):
    np.save(tmp_path / "v.npy", phantom_volume(5.0, n=2))
    onnx_path = workstation.models_dir / "ct_phantom_classifier/0.0.1/model.onnx"
    if damage == "missing":
        onnx_path.unlink()
    elif damage == "truncated":
        onnx_path.write_bytes(onnx_path.read_bytes()[:200])
    else:
        onnx_path.write_bytes(onnx_path.read_bytes().replace(b"pharos-tests", b"pharos-tesTs"))
    rc = main(["ai", "classify", str(tmp_path / "v.npy"), "--json", str(tmp_path / "o.json"),
               "--models-dir", str(workstation.models_dir)])
    err = capsys.readouterr().err
    assert rc == 2 and not (tmp_path / "o.json").exists()
    assert "error:" in err and ("missing" in err if damage == "missing"
                                else "integrity check" in err)
    assert [e.entity_id for e in workstation.audit.entries(action="model_refused")] == \
        ["ct_phantom_classifier:0.0.1"]


def test_classify_bad_input_exit_2_with_reason(workstation, tmp_path):
    np.save(tmp_path / "small.npy", np.zeros((2, 32, 32), np.float32) + np.arange(32))
    r = pharos("ai", "classify", str(tmp_path / "small.npy"), "--models-dir",
               str(workstation.models_dir))
    assert r.returncode == 2 and "at least 64 x 64" in r.stderr
    assert main(["ai", "classify", str(tmp_path / "nothing_here"), "--models-dir",
                 str(workstation.models_dir)]) == 2


def test_review_list_decide_and_export_end_to_end(workstation, tmp_path, capsys):
    service = service_of(workstation)
    _, ring = queue_item(service, noise_sd=80.0, scanner="SN-1", seed=1)
    _, other = queue_item(service, noise_sd=90.0, scanner="SN-2", seed=2)
    assert main(["review", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [ring.id, other.id]
    assert rows[0]["ai_class"] == "noise" and rows[0]["status"] == "open"
    assert main(["review", "list", "--scanner", "SN-2", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [other.id]
    # decide through the real entry point: password from stdin, then $PHAROS_PASSWORD
    r = pharos("review", "decide", ring.id[:8], "--reject", "--reason", "noise_excess",
               "--comment", "grainy", "--as", "rev1", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert "rejected" in r.stdout and "ON HOLD" in r.stdout
    r = pharos("review", "decide", other.id, "--approve", "--reason", "ring_artifact",
               "--as", "rev2", env={"PHAROS_PASSWORD": PASSWORD})
    assert r.returncode == 2 and "reason from the list" in r.stderr
    os.environ["PHAROS_PASSWORD"] = PASSWORD
    try:
        assert main(["review", "decide", other.id, "--approve", "--reason", "artifact_absent",
                     "--as", "qe1"]) == 2          # a quality engineer may not review
        assert main(["review", "decide", other.id, "--approve", "--reason", "artifact_absent",
                     "--as", "rev2"]) == 0
        assert main(["review", "export", str(tmp_path / "set"), "--as", "rev1"]) == 2
        assert main(["review", "export", str(tmp_path / "set"), "--as", "qe1"]) == 0
    finally:
        os.environ.pop("PHAROS_PASSWORD")
    assert service.queue.hold("SN-1")["reason"] == "Excess noise"
    out = tmp_path / "set"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["items"] == 2 and manifest["created_by"] == "qe1"
    for rel, sha in manifest["files"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha
    assert set(manifest["files"]) == {f"images/{ring.id}.npz", f"images/{other.id}.npz",
                                      "labels.csv", "labels.jsonl"}
    with open(out / "labels.csv", newline="") as fh:
        labels = {r["item_id"]: r for r in csv.DictReader(fh)}
    row = labels[ring.id]
    assert row["decision"] == "reject" and row["reason_code"] == "noise_excess"
    assert row["training_label"] == "noise" and row["reviewer"] == "rev1"
    assert row["ai_class"] == "noise" and json.loads(row["ai_scores"])["noise"] > 0.9
    assert row["model_sha256"] == ring.ai["model_sha256"] and row["physics_verdict"] == "PASS"
    sig_ids = {d.payload["signature_id"] for d in workstation.store.query_records(KIND_DECISION)}
    assert row["signature_id"] in sig_ids and row["decided_utc"]
    jl = [json.loads(x) for x in (out / "labels.jsonl").read_text().splitlines()]
    assert {j["item_id"] for j in jl} == set(labels)
    with np.load(out / f"images/{ring.id}.npz") as z:
        assert z["image"].shape == (3, 256, 256)
    audit = workstation.audit.entries(action="export")
    assert audit and audit[0].entity_id == manifest["dataset_id"]
    # --since after both decisions: an empty (but complete) set; a used folder is refused
    assert main(["review", "export", str(tmp_path / "empty"), "--since", "2999-01-01"]) == 0
    assert json.loads((tmp_path / "empty/manifest.json").read_text())["items"] == 0
    assert main(["review", "export", str(out)]) == 2


@real_model
@pytest.mark.slow
def test_real_classifier_on_simulated_dicom_series(workstation, tmp_path):
    """The trained classifier through the CLI on slices inside the CatPhan uniformity
    module (as in training): a clean series is normal (exit 0), a 30 HU ring at 45 mm
    (inside the training range) is flagged as 'ring' (exit 1)."""
    from app.ct.simulator import (ArtifactSpec, SimParams, simulate_series,
                                                 write_dicom_series)

    models = str(REAL_DIR.parents[1])
    for name, arts, expected_rc, expected in (
            ("clean", (), 0, "normal"),
            ("ring", (ArtifactSpec("ring", 30.0, radius_mm=45.0),), 1, "ring")):
        sim = simulate_series(SimParams(matrix=256, n_slices=5, slice_thickness_mm=2.0,
                                        z_range_mm=(-69.0, -61.0), seed=11, artifacts=arts))
        write_dicom_series(sim, tmp_path / name, scanner_serial="SN-REAL")
        out = tmp_path / f"{name}.json"
        r = pharos("ai", "classify", str(tmp_path / name), "--json", str(out),
                   "--models-dir", models)
        data = json.loads(out.read_text())
        assert r.returncode == expected_rc, (r.stderr, data["series_class"])
        assert data["series_class"] == expected
        assert data["model"]["version"] == REAL_VERSION


def _zh(text: str, entry: dict) -> str:
    from app.ct.note_codes import render, restore
    from tests.ct_qc.test_note_codes import _catalogue

    cat = _catalogue()
    return render(restore(text, entry), lambda ctx, s, d=None: cat.get(s, s), "zh_CN")


def test_classify_json_gives_each_slice_reason_its_code(workstation, tmp_path, capsys):
    """``images[*].reason_codes`` (additive key): one ``{code, params}`` per entry of the
    slice's ``reasons``, whose English text is unchanged: a flagged slice's class, and a
    slice the AI does not judge (the trained classifier on 1.5 mm pixels) with the
    not-applicable reason nested; both render in Chinese from the codes alone."""
    from app.ct.note_codes import render, restore
    from tests.ui.zh_walk import untranslated

    np.save(tmp_path / "noisy.npy", phantom_volume(80.0, n=3))
    assert main(["ai", "classify", str(tmp_path / "noisy.npy"), "--json", "-", "--no-store",
                 "--models-dir", str(workstation.models_dir)]) == 1
    image = json.loads(capsys.readouterr().out)["images"][0]
    assert image["reasons"] == [f"AI class 'noise' ({image['confidence']:.2f})"]
    assert image["reason_codes"] == [{"code": "ai.slice_class", "params": {
        "label": "noise", "confidence": pytest.approx(image["confidence"], abs=1e-5)}}]
    assert _zh(image["reasons"][0], image["reason_codes"][0]) == (
        f"AI 类别“噪声”（置信度 {image['confidence']:.2f}）")
    if not (REAL_DIR / "card.json").exists():
        return
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    sim = simulate_series(SimParams(matrix=256, fov_mm=384.0, slice_thickness_mm=5.0, seed=4,
                                    z_range_mm=(-10.0, 10.0)))
    write_dicom_series(sim, tmp_path / "wide", scanner_serial="SN-WIDE")
    assert main(["ai", "classify", str(tmp_path / "wide"), "--json", "-", "--no-store",
                 "--models-dir", str(REAL_DIR.parents[1])]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["series_class"] == "not_applicable" and data["images"]
    for image in data["images"]:
        assert image["class"] == "not_applicable"
        assert image["reasons"] == ["AI not applicable: pixel size 1.50 mm is outside "
                                    "0.25..1.25 mm"]
        assert image["reason_codes"] == [{"code": "ai.slice_not_applicable", "params": {
            "why": {"code": "ai.na_pixel",
                    "params": {"pixel_mm": 1.5, "lo_mm": 0.25, "hi_mm": 1.25}}}}]
        assert render(restore(image["reasons"][0], image["reason_codes"][0])) == \
            image["reasons"][0]
        zh = _zh(image["reasons"][0], image["reason_codes"][0])
        assert zh == "AI 不适用：像素尺寸 1.50 mm 超出 0.25..1.25 mm" and not untranslated(zh)
