"""A real workstation around the CT QC station for panel / workflow / integration tests:
store, audit trail, users, e-signatures, status lights, notifier, a model registry (empty,
or with the image-review tests' tiny stand-in classifier), and simulated series."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.adapters.audit import AuditTrail, load_or_create_key
from app.adapters.auth import AuthService, SessionState
from app.adapters.esign import SignatureService
from app.adapters.inference import ModelRegistry, file_sha256
from app.adapters.store import Store
from app.core.roles import Role
from app.runtime.notifier import Notifier
from app.runtime.status import StatusModel
from app.runtime.task_runner import TaskRunner
from app.stations import StationContext

ROOT = Path(__file__).resolve().parents[2]
TINY_ONNX = ROOT / "tests" / "image_review" / "data" / "tiny_classifier.onnx"
REAL_MODEL_DIR = ROOT / "models"
CLASSES = ["normal", "ring", "streak", "band", "noise", "shift", "blur"]
PASSWORD = "s3cret-passw0rd"
USERS = {"qe1": ("Quinn Engineer", [Role.QUALITY_ENGINEER]),
         "op1": ("Olga Operator", [Role.OPERATOR]),
         "rev1": ("Rita Reviewer", [Role.REVIEWER]),
         "sup1": ("Sam Supervisor", [Role.SUPERVISOR])}


def write_tiny_classifier(models_dir: Path, version: str = "0.0.1") -> Path:
    d = models_dir / "ct_phantom_classifier" / version
    d.mkdir(parents=True, exist_ok=True)
    onnx_path = d / "model.onnx"
    shutil.copyfile(TINY_ONNX, onnx_path)
    card = {"name": "ct_phantom_classifier", "version": version, "file": "model.onnx",
            "sha256": file_sha256(onnx_path), "classes": CLASSES,
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.8}}
    (d / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return onnx_path


class FakeConfig:
    def __init__(self, *, demo: bool = True, pacs: dict | None = None,
                 two_person: bool = False) -> None:
        self.demo = demo
        self.data_dir: Path | None = None     # the workstation's data folder (set by Env)
        self.values = {"pacs": {"scp_ae_title": "PHAROS_QC", "scp_port": 0,
                                "allowed_calling_aes": [], "series_settle_s": 0.4,
                                "peer_host": "127.0.0.1", "peer_port": 1,
                                "peer_ae_title": "ORTHANC", **(pacs or {})},
                       "security": {"two_person_rejection": two_person}}

    def get(self, section: str, key: str):  # noqa: ANN201
        return self.values[section][key]

    def section(self, section: str) -> dict:
        return dict(self.values[section])


class StationEnv:
    def __init__(self, tmp: Path, *, model: str = "none") -> None:
        self.tmp = tmp
        self.store = Store(tmp / "pharos.db", station_id="WS-CT", software_version="test",
                           config_hash="h").open()
        self.audit = AuditTrail(self.store, load_or_create_key(tmp / "keys" / "audit.key"))
        self.auth = AuthService(self.store, self.audit)
        self.signatures = SignatureService(self.store, self.audit, self.auth)
        for name, (full, roles) in USERS.items():
            self.auth.create_user(name, full, roles, PASSWORD, by=None, reason="test",
                                  must_change_password=False)
        self.models_dir = tmp / "models"
        self.models_dir.mkdir()
        if model == "tiny":
            write_tiny_classifier(self.models_dir)
        elif model == "real":
            self.models_dir = REAL_MODEL_DIR
        self.tasks = TaskRunner(max_workers=2)
        self.status = StatusModel()
        self.notifier = Notifier()
        self.notices: list = []
        self.contexts: list[StationContext] = []
        self.notifier.subscribe(self.notices.append)

    def context(self, username: str | None = "qe1", *, settings: dict | None = None,
                config: FakeConfig | None = None) -> StationContext:
        from station_plugins.ct_qc.plugin import CtQcStation

        session = SessionState(self.auth, 15)
        if username:
            session.login(self.auth.get(username))
        base = {"scp_port": 0, "poll_s": 0.05, "series_settle_s": 0.4}
        config = config or FakeConfig()
        if config.data_dir is None:
            config.data_dir = self.tmp
        ctx = StationContext(station_id="ct_qc", config=config,
                             settings={**base, **(settings or {})}, store=self.store,
                             audit=self.audit, auth=self.auth, signatures=self.signatures,
                             session=session, tasks=self.tasks, loop=None,
                             notifier=self.notifier, data_dir=self.tmp / "stations" / "ct_qc",
                             status=self.status,
                             models=ModelRegistry(self.models_dir, audit=self.audit))
        ctx.data_dir.mkdir(parents=True, exist_ok=True)
        ctx.extras["station"] = CtQcStation(ctx)     # the plugin owns the CT QC service
        self.contexts.append(ctx)
        return ctx

    def close(self) -> None:
        for ctx in self.contexts:       # panels and services stop before the store closes
            for panel in ctx.extras.get("panels", []):
                panel.shutdown()
            ctx.extras["station"].shutdown()
        self.tasks.shutdown(wait=True)
        self.store.close()


@pytest.fixture
def station_env(tmp_path):  # noqa: ANN001, ANN201
    env = StationEnv(tmp_path)
    yield env
    env.close()


@pytest.fixture
def station_env_ai(tmp_path):  # noqa: ANN001, ANN201
    env = StationEnv(tmp_path, model="tiny")
    yield env
    env.close()


def write_series(out: Path, *, serial: str = "SN-PANEL", seed: int = 2, artifacts=(),
                 noise: float | None = None, thickness: float = 5.0) -> Path:
    """A small simulated CatPhan 504 series (256 x 256) written as DICOM into ``out``."""
    from app.ct.simulator import (ArtifactSpec, SimParams, simulate_series,
                                                 write_dicom_series)

    kw = {} if noise is None else {"noise_sd_hu": noise}
    s = simulate_series(SimParams(matrix=256, slice_thickness_mm=thickness, seed=seed,
                                  artifacts=[ArtifactSpec(*a) if isinstance(a, tuple) else a
                                             for a in artifacts], **kw))
    write_dicom_series(s, out, scanner_serial=serial)
    return out
