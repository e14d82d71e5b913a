"""Real DICOM peers for tests: Orthanc (the PACS) and DCMTK command-line tools.

Orthanc has no bind-address option. It is started with free random high ports,
``RemoteAccessAllowed: false`` (HTTP answers loopback only) and its own temporary
storage; its DICOM port still listens on all interfaces for the few seconds a test
runs (documented in docs/ct_qc_dicom.md). ``TCP_NODELAY=1`` is set in the environment
of Orthanc and DCMTK (both read it). Everything started here is stopped by the fixture.

If a binary is absent the fixtures try ``scripts/ensure_pacs_tools.sh`` once (apt-get),
then skip with the reason.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_INSTALL_TRIED: dict[str, bool] = {}


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free loopback port, never the same twice in one test session."""
    held = []
    try:
        while True:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            held.append(s)
            port = s.getsockname()[1]
            if port not in _HANDED_OUT:
                _HANDED_OUT.add(port)
                return port
    finally:
        for s in held:
            s.close()


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None and not _INSTALL_TRIED.get("done"):
        _INSTALL_TRIED["done"] = True
        script = REPO / "scripts" / "ensure_pacs_tools.sh"
        if script.exists():
            subprocess.run(["bash", str(script)], capture_output=True, timeout=600)
        path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed and could not be installed "
                    "(scripts/ensure_pacs_tools.sh: apt-get install orthanc dcmtk)")
    return path


def peer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["TCP_NODELAY"] = "1"
    return env


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.02):  # noqa: ANN001
    """Poll ``predicate`` until it returns a truthy value; that value, or raise."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


@dataclass
class OrthancPeer:
    ae_title: str
    dicom_port: int
    http_port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def rest(self, path: str):  # noqa: ANN201
        with urllib.request.urlopen(self.url + path, timeout=5) as resp:
            return json.loads(resp.read())

    def instance_count(self) -> int:
        return int(self.rest("/statistics")["CountInstances"])

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def start_orthanc(folder: Path, *, modalities: dict[str, tuple[str, int]],
                  ae_title: str = "ORTHANC") -> OrthancPeer:
    """Start Orthanc with ``modalities`` = {AE title: (host, port)} it may connect to."""
    binary = require_binary("Orthanc")
    folder.mkdir(parents=True, exist_ok=True)
    peer = OrthancPeer(ae_title, free_port(), free_port(), folder)
    config = {
        "Name": "PHAROS_TEST_PACS", "DicomAet": ae_title, "DicomPort": peer.dicom_port,
        "HttpPort": peer.http_port, "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False, "SslEnabled": False,
        "StorageDirectory": str(folder / "storage"), "IndexDirectory": str(folder / "index"),
        "DicomModalities": {ae.lower(): [ae, host, port] for ae, (host, port) in modalities.items()},
        "DicomCheckCalledAet": True, "OverwriteInstances": False,
        "DicomAlwaysAllowEcho": True, "DicomAlwaysAllowStore": True,
        "DicomScuTimeout": 10, "DicomAssociationCloseDelay": 0,
        "StorageCompression": False, "Plugins": [], "SaveJobs": False,
        "ConcurrentJobs": 2, "HttpThreadsCount": 4, "LimitFindResults": 0,
        "StableAge": 1, "LogExportedResources": False,
    }
    cfg = folder / "orthanc.json"
    cfg.write_text(json.dumps(config, indent=1))
    log = open(folder / "orthanc.log", "wb")
    peer.process = subprocess.Popen([binary, str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                    env=peer_env(), cwd=folder)

    def ready() -> bool:
        if peer.process is None or peer.process.poll() is not None:
            raise RuntimeError("Orthanc exited at start:\n" + (folder / "orthanc.log")
                               .read_text(errors="replace")[-2000:])
        try:
            peer.rest("/system")
            return True
        except OSError:
            return False

    try:
        wait_for(ready, timeout=20.0, interval=0.05)
    except BaseException:
        peer.stop()
        raise
    return peer


def run_dcmtk(args: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess:
    require_binary(args[0])
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=peer_env())


# --- pytest fixtures (imported by tests/ct_qc/conftest.py) ------------------------------
@pytest.fixture(scope="module")
def scp_port() -> int:
    """The port our SCP will use in a module (Orthanc must know it before it starts)."""
    return free_port()


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory, scp_port):  # noqa: ANN001, ANN201
    """An Orthanc PACS that knows AE ``PHAROS_QC`` at 127.0.0.1:``scp_port``."""
    folder = tmp_path_factory.mktemp("orthanc")
    peer = start_orthanc(folder, modalities={"PHAROS_QC": ("127.0.0.1", scp_port)})
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture()
def storescu() -> str:
    return require_binary("storescu")
