"""Parameters of the image-domain renderer: one frozen dataclass, validated on creation."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

RENDER_ARTIFACTS = ("ring", "streak", "cupping", "capping")
PSF_KINDS = ("gaussian", "edge")
NPS_WINDOWS = ("hann", "hamming", "cosine", "rect")
# pixel value units of the output: Hounsfield units; linear attenuation (1/cm, linear in
# HU); mass density (mg/ml) by the bilinear HU -> density curve of direct-density
# reconstructions (water 1000 mg/ml, 1 mg/ml per HU below water, a smaller slope above)
OUTPUT_UNITS = ("HU", "mu_per_cm", "density_mg_ml")


class RenderParamError(ValueError):
    """A renderer parameter is out of its physical range (the message names it)."""


@dataclass(frozen=True)
class RenderArtifact:
    """One artifact added in the image domain.

    ring: a bad detector channel seen as a ring (or an arc when ``coverage_deg`` < 360,
    starting at ``start_deg``) about the rotation centre at ``radius_mm`` with a Gaussian
    radial profile of FWHM ``width_mm``, peak ``amplitude_hu``, on ``slices`` (None: all).
    streak: a straight line through ``through_mm`` (x, y; rotation-centre frame) in
    direction ``angle_deg`` (image angle from +x towards +y), Gaussian cross profile of
    FWHM ``width_mm``, peak ``amplitude_hu``. cupping / capping: edge-minus-centre depth
    (cupping) or height (capping) of a parabolic radial error about the phantom axis.
    """

    kind: str
    amplitude_hu: float
    radius_mm: float = 0.0
    width_mm: float = 1.0
    coverage_deg: float = 360.0
    start_deg: float = 0.0
    angle_deg: float = 0.0
    through_mm: tuple[float, float] = (0.0, 0.0)
    slices: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in RENDER_ARTIFACTS:
            raise RenderParamError(f"artifact kind {self.kind!r} is not one of {RENDER_ARTIFACTS}")
        if not math.isfinite(self.amplitude_hu):
            raise RenderParamError("artifact amplitude_hu must be finite")
        if self.kind == "ring" and not 0 < self.radius_mm < 150:
            raise RenderParamError("ring radius_mm must be within (0, 150)")
        if not 0 < self.width_mm <= 20:
            raise RenderParamError("artifact width_mm must be within (0, 20]")
        if not 0 < self.coverage_deg <= 360:
            raise RenderParamError("coverage_deg must be within (0, 360]")
        object.__setattr__(self, "through_mm", tuple(float(v) for v in self.through_mm))
        if self.slices is not None:
            object.__setattr__(self, "slices", tuple(int(s) for s in self.slices))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["through_mm"] = list(self.through_mm)
        d["slices"] = list(self.slices) if self.slices is not None else None
        return d


@dataclass(frozen=True)
class Tolerances:
    """Production tolerances of one phantom unit (1-sigma; drawn once per ``seed``)."""

    insert_angle_deg: float = 0.4
    insert_radius_mm: float = 0.15
    insert_hu: float = 3.0          # material batch variation of the sensitometry inserts
    body_hu: float = 1.0            # module body material variation
    node_mm: float = 0.05           # geometry hole positions
    ramp_angle_deg: float = 0.1
    module_z_mm: float = 0.3        # module boundary positions along z

    def scaled(self, k: float) -> "Tolerances":
        return Tolerances(**{key: v * k for key, v in asdict(self).items()})


@dataclass(frozen=True)
class RenderParams:
    """One CatPhan 504 series. Lengths in mm, CT numbers in HU, angles in degrees.

    z: slices at ``z_start_mm + k * spacing`` (table frame; the CTP404 centre sits at
    ``z_origin_mm``). In-plane: the rotation centre is patient (0, 0); the image is
    centred on ``recon_centre_mm``; the phantom axis passes through ``centre_offset_mm``
    at the CTP404 centre and tilts by ``pitch_deg`` (y-z plane) / ``yaw_deg`` (x-z plane).
    """

    matrix: int = 512
    pixel_mm: float = 0.5
    slice_thickness_mm: float = 2.0
    slice_spacing_mm: float | None = None
    n_slices: int | None = None             # None: cover the phantom (+ 4 mm margin)
    z_start_mm: float | None = None         # None: chosen to centre the phantom
    z_origin_mm: float = 0.0
    centre_offset_mm: tuple[float, float] = (0.0, 0.0)
    recon_centre_mm: tuple[float, float] = (0.0, 0.0)
    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    # phantom body values (HU) of the real CatPhan 504
    ctp404_body_hu: float = 10.0
    ctp486_body_hu: float = 5.0
    ctp515_body_hu: float = 40.0
    ctp528_body_hu: float = 10.0
    shell_hu: float = 120.0
    shell_mm: float = 3.0                   # housing wall (CatPhan 504: 3 mm; water phantoms 5-7)
    pin_node: int | None = 3                # index of the Teflon-pin geometry node (None: 4 holes)
    empty_vial: bool = True                 # the empty (air) vial at +90 deg of CTP404
    couch: bool = False                     # a carbon-fibre table top under the phantom
    # scanner calibration: HU_out = hu_scale * HU + hu_offset (water offset of a few HU)
    hu_scale: float = 1.0
    hu_offset: float = 0.0
    # reconstruction kernel
    psf: str = "gaussian"
    psf_sigma_mm: float = 0.4
    edge_overshoot: float = 0.0             # edge kernel: PSF = (1+a) G(s) - a G(2.5 s)
    # noise: NPS ~ |f| * window(f / cutoff)^2 (* kernel MTF^2 when nps_follows_kernel)
    noise_sd_hu: float = 12.0
    nps_window: str = "hann"
    nps_cutoff_frac: float = 1.0            # window cutoff as a fraction of Nyquist
    nps_follows_kernel: bool = True
    supersample: int = 4
    tolerance_scale: float = 1.0            # 0: a nominal phantom
    tolerances: Tolerances = field(default_factory=Tolerances)
    artifacts: tuple[RenderArtifact, ...] = ()
    seed: int = 0
    kvp: float = 120.0
    kernel_name: str | None = None          # ConvolutionKernel written to DICOM
    manufacturer: str = "PHAROS-IMG"
    detector_geometry: bool = False         # write DistanceSourceToPatient etc.
    # output units (applied last, after calibration and noise): see OUTPUT_UNITS
    output_units: str = "HU"
    mu_water_per_cm: float = 0.19           # mu_per_cm: mu = mu_water (1 + HU / 1000)
    density_slope_above_water: float = 0.85  # density_mg_ml: mg/ml per HU above water

    def __post_init__(self) -> None:
        object.__setattr__(self, "artifacts", tuple(self.artifacts))
        for k in ("centre_offset_mm", "recon_centre_mm"):
            object.__setattr__(self, k, tuple(float(v) for v in getattr(self, k)))
        checks = [
            (self.matrix in (128, 256, 384, 512, 768, 1024), "matrix must be 128/256/384/512/768/1024"),
            (0.1 <= self.pixel_mm <= 2.0, "pixel_mm must be within 0.1..2.0"),
            (self.matrix * self.pixel_mm >= 215.0, "the field of view (matrix x pixel_mm) must hold "
                                                   "the 200 mm phantom (>= 215 mm)"),
            (0.5 <= self.slice_thickness_mm <= 10.0, "slice_thickness_mm must be within 0.5..10"),
            (self.slice_spacing_mm is None or 0.1 <= self.slice_spacing_mm <= 20,
             "slice_spacing_mm must be within 0.1..20"),
            (self.n_slices is None or 1 <= self.n_slices <= 1000, "n_slices must be 1..1000"),
            (abs(self.pitch_deg) <= 10 and abs(self.yaw_deg) <= 10, "pitch/yaw must be within +/-10 deg"),
            (self.psf in PSF_KINDS, f"psf must be one of {PSF_KINDS}"),
            (0.05 <= self.psf_sigma_mm <= 3.0, "psf_sigma_mm must be within 0.05..3"),
            (0.0 <= self.edge_overshoot <= 2.0, "edge_overshoot must be within 0..2"),
            (self.noise_sd_hu >= 0, "noise_sd_hu must be >= 0"),
            (self.nps_window in NPS_WINDOWS, f"nps_window must be one of {NPS_WINDOWS}"),
            (0.1 <= self.nps_cutoff_frac <= 1.0, "nps_cutoff_frac must be within 0.1..1"),
            (1 <= self.supersample <= 8, "supersample must be 1..8"),
            (self.hu_scale > 0, "hu_scale must be > 0"),
            (self.tolerance_scale >= 0, "tolerance_scale must be >= 0"),
            (self.pin_node is None or 0 <= self.pin_node <= 3, "pin_node must be 0..3 or None"),
            (self.output_units in OUTPUT_UNITS, f"output_units must be one of {OUTPUT_UNITS}"),
            (0.05 <= self.mu_water_per_cm <= 1.0, "mu_water_per_cm must be within 0.05..1"),
            (0.2 <= self.density_slope_above_water <= 2.0, "density_slope_above_water must be within 0.2..2"),
        ]
        for ok, msg in checks:
            if not ok:
                raise RenderParamError(f"render parameter: {msg}")

    @property
    def spacing_mm(self) -> float:
        return self.slice_spacing_mm or self.slice_thickness_mm

    def output(self, hu: np.ndarray) -> np.ndarray:
        """HU -> the output units (float64 in, same shape out)."""
        if self.output_units == "mu_per_cm":
            return self.mu_water_per_cm * (1.0 + hu / 1000.0)
        if self.output_units == "density_mg_ml":
            return 1000.0 + np.where(hu > 0, self.density_slope_above_water * hu, hu)
        return hu

    @property
    def fov_mm(self) -> float:
        return self.matrix * self.pixel_mm

    def to_dict(self) -> dict:
        d = asdict(self)
        d["artifacts"] = [a.to_dict() for a in self.artifacts]
        d["centre_offset_mm"] = list(self.centre_offset_mm)
        d["recon_centre_mm"] = list(self.recon_centre_mm)
        return d
