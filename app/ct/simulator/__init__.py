"""Digital CT phantom simulator with known ground truth (Qt-free).

``simulate_series(SimParams(...)) -> SimulatedSeries`` renders a phantom definition
(:mod:`app.ct.phantoms`) with a known Gaussian PSF, slice profile, noise
texture and projection-domain artifacts; ``write_dicom_series`` writes real CT Image
Storage files plus ``truth.json``. See docs/ct_qc_simulator.md.
"""
from __future__ import annotations

from app.ct.simulator.params import ArtifactSpec, SimParams, SliceProfile
from app.ct.simulator.series import SimulatedSeries, simulate_series


def write_dicom_series(series, out_dir, **kwargs):  # noqa: ANN001, ANN201 - thin lazy wrapper
    """Write ``series`` as CT Image Storage files; see :mod:`.dicom_writer`."""
    from app.ct.simulator.dicom_writer import write_dicom_series as _write
    return _write(series, out_dir, **kwargs)


__all__ = ["ArtifactSpec", "SimParams", "SliceProfile", "SimulatedSeries", "simulate_series",
           "write_dicom_series"]
