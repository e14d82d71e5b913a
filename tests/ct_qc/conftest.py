"""Fixtures of the CT QC tests: real DICOM peers (Orthanc, DCMTK) from tests/pacs_fixtures.py."""
from __future__ import annotations

from tests.pacs_fixtures import orthanc, scp_port, storescu  # noqa: F401 - pytest fixtures
