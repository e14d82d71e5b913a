"""Real DICOM peers for tests: Orthanc (the PACS) and DCMTK command-line tools.

Orthanc has no bind-address option. It is started with free random high ports,
``RemoteAccessAllowed: false`` (HTTP answers loopback only) and its own temporary
storage; its DICOM port still listens on all interfaces for the few seconds a test
runs (documented in docs/ct_qc_dicom.md). ``TCP_NODELAY=1`` is set in the environment
of Orthanc and DCMTK (both read it). Everything started here is stopped by the fixture.

A missing binary fails the test naming the set-up step (``scripts/setup.sh --test``);
fixtures never install anything.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from tests.waiting import wait_for  # noqa: F401 - re-exported for the tests

REPO = Path(__file__).resolve().parents[1]
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


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
    """A peer program's path. A fixture never installs anything (``scripts/setup.sh
    --test`` does): a missing peer fails the test, naming the set-up step."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run scripts/setup.sh --test (it installs "
                    "Orthanc and DCMTK for the tests)", pytrace=False)
    return path


def peer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["TCP_NODELAY"] = "1"
    return env


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
                  ae_title: str = "ORTHANC", tcp_nodelay: bool = True) -> OrthancPeer:
    """Start Orthanc with ``modalities`` = {AE title: (host, port)} it may connect to.
    ``tcp_nodelay=False`` only for the throughput benchmark."""
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
    env = peer_env()
    if not tcp_nodelay:
        env.pop("TCP_NODELAY")
    peer.process = subprocess.Popen([binary, str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                    env=env, cwd=folder)

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


# --- small valid CT files (pydicom) ----------------------------------------------------
# ct-sim's simulator writes realistic phantom series; network/intake tests only need
# small, correct CT instances, built here (fast, no physics).
def make_ct_dataset(*, study_uid: str, series_uid: str, index: int, size: int = 32,
                    thickness: float = 2.0, serial: str = "SN-TEST-1",
                    transfer_syntax: str = ExplicitVRLittleEndian) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CT_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.PatientName, ds.PatientID = "PHANTOM^QC", "QC-PHANTOM"
    ds.QualityControlSubject = "YES"
    ds.Modality, ds.SeriesDescription = "CT", "QC phantom"
    ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20240101", "120000", "1", ""
    ds.SeriesNumber, ds.InstanceNumber = 1, index + 1
    ds.DeviceSerialNumber, ds.StationName = serial, "CT-LINE-3"
    ds.Rows = ds.Columns = size
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation, ds.SamplesPerPixel = 1, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelSpacing = [0.5, 0.5]
    ds.SliceThickness = thickness
    ds.ImagePositionPatient = [-8.0, -8.0, index * thickness]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    pixels = (np.arange(size * size, dtype=np.int16).reshape(size, size) % 200) + index
    ds.PixelData = pixels.astype("<i2").tobytes()
    return ds


def encode(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def write_ct_series(folder: Path, count: int, *, size: int = 32, study_uid: str | None = None,
                    series_uid: str | None = None, serial: str = "SN-TEST-1") -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    study_uid = study_uid or generate_uid()
    series_uid = series_uid or generate_uid()
    paths = []
    for i in range(count):
        ds = make_ct_dataset(study_uid=study_uid, series_uid=series_uid, index=i, size=size,
                             serial=serial)
        path = folder / f"CT{i:04d}.dcm"
        path.write_bytes(encode(ds))
        paths.append(path)
    return paths


def nested_sequence_bomb(base: bytes, depth: int = 20_000) -> bytes:
    """``base`` (an Explicit VR LE file) with ``depth`` nested undefined-length sequences
    appended as (0008,1140) Referenced Image Sequence (built by hand: pydicom cannot
    write this depth)."""
    import struct

    seq_open = struct.pack("<HH2sHI", 0x0008, 0x1140, b"SQ", 0, 0xFFFFFFFF)
    item_open = struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    item_close = struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
    seq_close = struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    return base + (seq_open + item_open) * depth + (item_close + seq_close) * depth


def with_declared_transfer_syntax(ds: Dataset, declared: str, *, implicit_vr: bool,
                                  little_endian: bool = True) -> bytes:
    """Encode the body one way and declare another transfer syntax in the file meta."""
    from pydicom.filewriter import dcmwrite

    ds.file_meta.TransferSyntaxUID = declared
    ds.preamble = b"\0" * 128
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=implicit_vr, little_endian=little_endian,
             force_encoding=True)
    return buf.getvalue()
