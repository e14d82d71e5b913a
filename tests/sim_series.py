"""The small simulator series the GUI and AI tests share (Qt-free helpers).

``SHORT_CTP404``: CTP404 and a little beyond - five 5 mm slices at 256 x 256 (seed 4), quick
to simulate and to analyse; :func:`write_sim_series` writes it (or a variant) as DICOM."""
from __future__ import annotations

from pathlib import Path
from typing import Any

SHORT_CTP404: dict[str, Any] = dict(matrix=256, slice_thickness_mm=5.0, seed=4,
                                    z_range_mm=(-10.0, 10.0))


def write_sim_series(out: Path, scanner_serial: str = "CT-SIM-0001", **overrides: Any) -> Path:
    """``SHORT_CTP404`` (with ``overrides``) simulated and written as a DICOM series to
    ``out``; returns ``out``."""
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    write_dicom_series(simulate_series(SimParams(**{**SHORT_CTP404, **overrides})), out,
                       scanner_serial=scanner_serial)
    return out
