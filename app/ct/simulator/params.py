"""Simulation parameters, artifact specifications and the slice sensitivity profile."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np

from app.core.errors import ValidationError

ARTIFACT_KINDS = ("ring", "streak", "band", "cupping", "capping", "shift", "noise")
NOISE_KERNELS = {  # name -> (NPS peak frequency lp/mm, DICOM ConvolutionKernel)
    "smooth": (0.15, "SMOOTH"),
    "standard": (0.25, "STANDARD"),
    "sharp": (0.45, "SHARP"),
}


@dataclass(frozen=True)
class ArtifactSpec:
    """One injected artifact.

    ring: a bad detector channel (``channel`` or ``radius_mm`` from the rotation centre,
    ``width_mm`` = channel footprint at iso, ``coverage_deg`` < 360 makes an arc starting
    at ``start_deg``). streak: photon starvation along ``angle_deg`` (line direction in the
    image) on ``views`` views. band: detector-row gain mismatch on ``slices``. cupping /
    capping: beam-hardening error (amplitude = edge minus centre depth / height). shift:
    CT-number offset inside the phantom. noise: extra noise SD on ``slices``.
    ``slices`` = slice indices (None: all, or a default block for band/noise).
    """

    kind: str
    amplitude_hu: float
    radius_mm: float | None = None
    channel: int | None = None
    width_mm: float | None = None
    angle_deg: float | None = None
    coverage_deg: float = 360.0
    start_deg: float = 0.0
    views: int = 3
    slices: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in ARTIFACT_KINDS:
            raise ValidationError(f"artifact kind {self.kind!r} is not one of {ARTIFACT_KINDS}")
        if not math.isfinite(self.amplitude_hu):
            raise ValidationError("artifact amplitude_hu must be finite")
        if self.kind == "ring" and self.radius_mm is None and self.channel is None:
            raise ValidationError("a ring artifact needs radius_mm or channel")
        if not 0 < self.coverage_deg <= 360:
            raise ValidationError("coverage_deg must be within (0, 360]")
        if self.slices is not None:
            object.__setattr__(self, "slices", tuple(int(s) for s in self.slices))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["slices"] = list(self.slices) if self.slices is not None else None
        return d


@dataclass(frozen=True)
class SimParams:
    phantom: str = "catphan504"
    matrix: int = 512
    fov_mm: float = 250.0
    slice_thickness_mm: float = 2.0
    slice_spacing_mm: float | None = None          # None: = thickness
    n_slices: int | None = None                    # None: cover the phantom (+ margin)
    z_range_mm: tuple[float, float] | None = None  # table z of first and last slice
    centre_offset_mm: tuple[float, float] = (0.0, 0.0)  # phantom centre - iso (x, y)
    recon_centre_mm: tuple[float, float] = (0.0, 0.0)   # reconstruction target - iso
    roll_deg: float = 0.0
    pitch_deg: float = 0.0   # tilt of the phantom axis in the y-z plane
    yaw_deg: float = 0.0     # tilt of the phantom axis in the x-z plane
    z_origin_mm: float = 0.0  # table z of the phantom origin (e.g. CTP404 centre)
    psf_sigma_mm: float = 0.45
    noise_sd_hu: float = 10.0
    noise_kernel: str = "standard"
    kvp: float = 120.0
    mas: float = 200.0
    ctdivol_mgy: float = 12.5
    hu_scale: float = 1.0
    hu_offset: float = 0.0
    artifacts: tuple[ArtifactSpec, ...] = ()
    helical: bool = False
    helical_pitch: float = 0.984
    seed: int = 0
    acquisition_datetime: datetime | None = None
    # scanner geometry (maps a ring radius to a detector channel)
    source_iso_mm: float = 570.0
    source_detector_mm: float = 1040.0
    n_channels: int = 888
    channel_pitch_deg: float = 0.0625
    central_channel: float = 443.75      # quarter-channel offset
    n_views: int = 984

    def __post_init__(self) -> None:
        object.__setattr__(self, "artifacts", tuple(self.artifacts))
        object.__setattr__(self, "centre_offset_mm", tuple(float(v) for v in self.centre_offset_mm))
        object.__setattr__(self, "recon_centre_mm", tuple(float(v) for v in self.recon_centre_mm))
        checks = [
            (16 <= self.matrix <= 2048, "matrix must be within 16..2048"),
            (self.fov_mm > 0, "fov_mm must be > 0"),
            (0.1 <= self.slice_thickness_mm <= 20, "slice_thickness_mm must be within 0.1..20"),
            (self.slice_spacing_mm is None or self.slice_spacing_mm > 0,
             "slice_spacing_mm must be > 0"),
            (self.n_slices is None or 1 <= self.n_slices <= 2000, "n_slices must be 1..2000"),
            (0.05 <= self.psf_sigma_mm <= 5, "psf_sigma_mm must be within 0.05..5"),
            (self.noise_sd_hu >= 0, "noise_sd_hu must be >= 0"),
            (self.noise_kernel in NOISE_KERNELS, f"noise_kernel must be one of {list(NOISE_KERNELS)}"),
            (abs(self.pitch_deg) < 30 and abs(self.yaw_deg) < 30, "pitch/yaw must be < 30 deg"),
            (self.hu_scale > 0, "hu_scale must be > 0"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ValidationError(f"simulation parameter: {msg}")

    @property
    def spacing_mm(self) -> float:
        return self.slice_spacing_mm or self.slice_thickness_mm

    @property
    def pixel_mm(self) -> float:
        return self.fov_mm / self.matrix

    @property
    def convolution_kernel(self) -> str:
        return NOISE_KERNELS[self.noise_kernel][1]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["artifacts"] = [a.to_dict() for a in self.artifacts]
        d["acquisition_datetime"] = (self.acquisition_datetime.isoformat()
                                     if self.acquisition_datetime else None)
        return d


class SliceProfile:
    """Slice sensitivity profile along z (normalised to unit area).

    Axial: a rect of the nominal thickness T. Helical: rect(T) convolved with rect(0.5 T)
    (a trapezoid whose FWHM is still exactly T). ``cdf`` is used to integrate it exactly.
    """

    def __init__(self, thickness_mm: float, helical: bool = False) -> None:
        self.t = float(thickness_mm)
        self.w = 0.5 * self.t if helical else 0.0
        self.kind = "trapezoid" if helical else "rect"

    @property
    def fwhm_mm(self) -> float:
        return self.t

    @property
    def half_support(self) -> float:
        return self.t / 2 + self.w / 2

    def _rect_cdf(self, z: np.ndarray) -> np.ndarray:
        return np.clip((z + self.t / 2) / self.t, 0.0, 1.0)

    def _rect_cdf_integral(self, z: np.ndarray) -> np.ndarray:
        h = self.t / 2
        zc = np.clip(z, -h, h)
        return (zc + h) ** 2 / (2 * self.t) + np.maximum(z - h, 0.0)

    def cdf(self, z: Any) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        if self.w == 0:
            return self._rect_cdf(z)
        a = self.w / 2
        return (self._rect_cdf_integral(z + a) - self._rect_cdf_integral(z - a)) / self.w

    def weight(self, lo: Any, hi: Any) -> np.ndarray:
        """Fraction of the profile (centred at 0) falling within [lo, hi]."""
        return np.clip(self.cdf(hi) - self.cdf(lo), 0.0, 1.0)

    def pdf(self, z: Any) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        if self.w == 0:
            return np.where(np.abs(z) <= self.t / 2, 1.0 / self.t, 0.0)
        a = self.w / 2
        return (self._rect_cdf(z + a) - self._rect_cdf(z - a)) / self.w


def gaussian_mtf_truth(sigma_mm: float) -> dict:
    """MTF(f) = exp(-2 pi^2 sigma^2 f^2): the frequencies where it falls to 50 % / 10 %."""
    k = 2 * math.pi ** 2 * sigma_mm ** 2
    return {"psf_sigma_mm": sigma_mm,
            "mtf50_lp_cm": 10 * math.sqrt(math.log(2) / k),
            "mtf10_lp_cm": 10 * math.sqrt(math.log(10) / k),
            "formula": "MTF(f) = exp(-2*pi^2*sigma^2*f^2), presampled, point-sampled pixels"}


__all__ = ["ArtifactSpec", "SimParams", "SliceProfile", "gaussian_mtf_truth",
           "ARTIFACT_KINDS", "NOISE_KERNELS"]
