"""Fixtures of the image-review tests: a real store / audit / auth / signatures, users,
the tiny stand-in classifier (tests/image_review/data/tiny_classifier.onnx, see
make_tiny_classifier.py) in a models folder, and the real classifier when trained."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.adapters.audit import AuditTrail, load_or_create_key
from app.adapters.auth import AuthService, SessionState
from app.adapters.esign import SignatureService
from app.adapters.inference import ModelRegistry, file_sha256
from app.adapters.store import Store
from app.core.roles import Role
from app.runtime.task_runner import TaskRunner
from app.stations import StationContext

ROOT = Path(__file__).resolve().parents[2]
TINY_ONNX = Path(__file__).with_name("data") / "tiny_classifier.onnx"
REAL_VERSION = "2.13.0"  # the newest trained classifier: the registry picks it
REAL_DIR = ROOT / "models" / "ct_phantom_classifier" / REAL_VERSION
CLASSES = ["normal", "ring", "streak", "band", "noise", "shift", "blur"]
PASSWORD = "s3cret-passw0rd"
USERS = {  # username -> (full name, roles)
    "qe1": ("Quinn Engineer", [Role.QUALITY_ENGINEER]),
    "rev1": ("Rita Reviewer", [Role.REVIEWER]),
    "rev2": ("Rob Reviewer", [Role.REVIEWER]),
    "sup1": ("Sam Supervisor", [Role.SUPERVISOR]),
}

real_model = pytest.mark.skipif(not (REAL_DIR / "card.json").exists(),
                                reason=f"the trained classifier ({REAL_DIR}/card.json) is not "
                                       "there yet")


def stand_in_checker(models_dir: Path, onnx_file: Path, version: str,  # noqa: ANN201
                     scheme: str | None = None, names: list[str] | None = None,
                     **thresholds: Any):
    """An AiChecker on a stand-in network installed as ``version`` in ``models_dir`` with
    its card (anomaly 1.0, low confidence 0.5, + ``thresholds``): the released layout
    (``grid1mm_context``, e.g. data/ring_always.onnx, data/band_always.onnx), or
    ``scheme`` with the context ``names`` (e.g. data/ring_rule.onnx on the ring layout)."""
    from app.ct.ai.check import SCHEME_CONTEXT, AiChecker
    from app.ct.ai.normalise import CONTEXT_NAMES

    d = models_dir / "ct_phantom_classifier" / version
    d.mkdir(parents=True)
    shutil.copy(onnx_file, d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": version, "file": "model.onnx",
            "sha256": file_sha256(d / "model.onnx"), "classes": CLASSES,
            "preprocessing": {"scheme": scheme or SCHEME_CONTEXT},
            "inputs": [{"name": "image"},
                       {"name": "context", "names": list(names or CONTEXT_NAMES)}],
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.5, **thresholds}}
    (d / "card.json").write_text(json.dumps(card))
    return AiChecker.from_registry(ModelRegistry(models_dir))


def uniform_series(**changes: Any) -> Any:
    """The image renderer's CTP486 (the uniform module), 5 slices of 2 mm at 0.5 mm pixels:
    the gates' and rules' test phantom (``changes``: RenderParams fields, e.g. artifacts)."""
    from app.ct.image_renderer import RenderParams

    base = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=7.0,
                        psf_sigma_mm=0.4, n_slices=5, z_start_mm=-72.0, seed=5)
    return replace(base, **changes)


def streak_series(amp: float) -> Any:
    """uniform_series with one 1 mm wide streak of ``amp`` HU at 30 deg."""
    from app.ct.image_renderer import RenderArtifact

    return uniform_series(artifacts=(RenderArtifact("streak", amp, angle_deg=30.0,
                                                    width_mm=1.0),))


def judged_and_notes(res: Any, code: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """(the slices a check judged, its series notes coded ``code``)."""
    judged = [s for s in res.slices if s.label != "not_applicable"]
    return judged, [c for c in res.to_dict()["note_codes"] if c and c["code"] == code]


def render_module_boundary(band_rows: tuple[int, ...] = (), hu: float = 0.0
                           ) -> tuple[np.ndarray, float]:
    """9 image-renderer slices every 4 mm across the CTP486 / CTP515 boundary at -52.5 mm
    (bodies 5 / 40 HU), ``hu`` of row gain added on ``band_rows``: (volume, pixel mm)."""
    from app.ct.image_renderer import RenderParams, render_volume

    p = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=4.0, n_slices=9,
                     z_start_mm=-70.5, noise_sd_hu=8.0, seed=3)
    vol, _ = render_volume(p)
    for k in band_rows:
        vol[k] += np.float32(hu / 1005.0) * (vol[k] + 1000.0) * (vol[k] > -500)
    return vol, p.pixel_mm


def write_tiny_models(models_dir: Path, version: str = "0.0.1") -> Path:
    """models_dir/ct_phantom_classifier/<version>/{model.onnx, card.json}; returns the onnx."""
    d = models_dir / "ct_phantom_classifier" / version
    d.mkdir(parents=True, exist_ok=True)
    onnx_path = d / "model.onnx"
    shutil.copyfile(TINY_ONNX, onnx_path)
    card = {"name": "ct_phantom_classifier", "version": version, "file": "model.onnx",
            "sha256": file_sha256(onnx_path), "classes": CLASSES,
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.8},
            "note": "tiny stand-in for tests (rule on neighbour differences)"}
    (d / "card.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    return onnx_path


class FakeConfig:
    def __init__(self, two_person: bool = False, data_dir: Path | None = None) -> None:
        self.two_person = two_person
        self.data_dir = data_dir          # the workstation's data folder

    def get(self, section: str, key: str):  # noqa: ANN201
        if (section, key) == ("security", "two_person_rejection"):
            return self.two_person
        raise KeyError(f"{section}.{key}")


class Env:
    """Adapters of one workstation plus helpers to build contexts on them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.store = Store(tmp / "pharos.db", station_id="WS-IR", software_version="test",
                           config_hash="h").open()
        self.audit = AuditTrail(self.store, load_or_create_key(tmp / "keys" / "audit.key"))
        self.auth = AuthService(self.store, self.audit)
        self.signatures = SignatureService(self.store, self.audit, self.auth)
        for name, (full, roles) in USERS.items():
            self.auth.create_user(name, full, roles, PASSWORD, by=None, reason="test",
                                  must_change_password=False)
        self.models_dir = tmp / "models"
        self.onnx_path = write_tiny_models(self.models_dir)
        self.tasks = TaskRunner(max_workers=2)
        self.config = FakeConfig(data_dir=tmp)

    def context(self, username: str | None = "rev1", *, models_dir: Path | None = None
                ) -> StationContext:
        from station_plugins.image_review.plugin import ImageReviewStation

        session = SessionState(self.auth, 15)
        if username:
            session.login(self.auth.get(username))
        registry = ModelRegistry(models_dir or self.models_dir, audit=self.audit)
        ctx = StationContext(station_id="image_review", config=self.config, settings={},
                             store=self.store, audit=self.audit, auth=self.auth,
                             signatures=self.signatures, session=session, tasks=self.tasks,
                             loop=None, notifier=None, data_dir=self.tmp / "image_review",
                             models=registry)
        ImageReviewStation(ctx)
        return ctx

    def close(self) -> None:
        self.tasks.shutdown(wait=True)
        self.store.close()


@pytest.fixture
def env(tmp_path):  # noqa: ANN001, ANN201
    e = Env(tmp_path)
    yield e
    e.close()


def phantom_volume(noise_sd: float, *, n: int = 5, size: int = 256, seed: int = 0,
                   ) -> np.ndarray:
    """A water disc (0 HU) in air with Gaussian noise: smooth -> the tiny classifier's
    'normal', noisy (SD ~80 HU) -> 'noise'."""
    yy, xx = np.mgrid[:size, :size]
    disc = (xx - size / 2) ** 2 + (yy - size / 2) ** 2 < (0.4 * size) ** 2
    base = np.where(disc, 0.0, -1000.0).astype(np.float32)
    rng = np.random.default_rng(seed)
    return np.stack([base + rng.normal(0, noise_sd, base.shape).astype(np.float32)
                     for _ in range(n)])


def queue_item(service, *, noise_sd: float = 80.0, scanner: str = "SN-1",  # noqa: ANN001
               analysed_by: str = "qe1", physics: dict | None = None, seed: int = 0,
               baseline: bool = True):  # noqa: ANN201
    """Classify a synthetic volume with the tiny model and queue it."""
    from station_plugins.image_review.service import LoadedInput

    vol = phantom_volume(noise_sd, seed=seed)
    inp = LoadedInput(volume=vol, series_uid=f"1.2.826.0.1.{seed}.{int(noise_sd)}",
                      scanner_serial=scanner, source="test", kind="npy")
    base = phantom_volume(5.0, seed=seed + 100) if baseline else None
    return service.check_series(inp, analysed_by=analysed_by,
                                physics=physics if physics is not None else
                                {"verdict": "PASS", "artifacts": [], "measurements": []},
                                baseline=base)
