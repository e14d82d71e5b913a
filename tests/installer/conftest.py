"""Helpers of the installer tests: free ports, config files, a Verification SCP."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(data_dir: Path, text: str) -> Path:
    path = data_dir / "pharos.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rows(results) -> dict[str, tuple[str, str]]:
    return {r.check: (r.status, r.detail) for r in results}


@pytest.fixture
def echo_scp():
    """A DICOM Verification SCP (stands in for the PACS) on a free loopback port."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    ae = AE(ae_title="TESTPACS")
    ae.add_supported_context(Verification)
    server = ae.start_server(("127.0.0.1", 0), block=False)
    try:
        yield "TESTPACS", server.server_address[1]
    finally:
        server.shutdown()


@pytest.fixture
def listening_port():
    """A port some other program already listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        yield s.getsockname()[1]
    finally:
        s.close()
