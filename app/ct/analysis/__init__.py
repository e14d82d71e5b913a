"""CT phantom measurement engine (Qt-free).

``analyze_series(series, *, phantom="auto", profile=None, baseline=None, token=None,
progress=None, geometry=None) -> QcResult`` (``geometry``: the configured
``rings.DetectorGeometry``; the DICOM header's fan-beam geometry overrides it). Import-light: the numerical modules load on first call.
"""
from __future__ import annotations

from typing import Any

from app.ct.analysis.result import (  # noqa: F401 - public API
    SCHEMA_VERSION, Artifact, Curve, Localisation, ProfileRef, QcResult)


def analyze_series(series: Any, *, phantom: str = "auto", profile: Any = None,
                   baseline: Any = None, token: Any = None, progress: Any = None,
                   geometry: Any = None) -> QcResult:
    """Analyse one CT phantom series; see :mod:`app.ct.analysis.pipeline`."""
    from app.ct.analysis.pipeline import analyze_series as _run
    return _run(series, phantom=phantom, profile=profile, baseline=baseline, token=token,
                progress=progress, geometry=geometry)
