"""Third CatPhan 504 renderer (clean room, issue 16): analytic shapes rendered in the
FREQUENCY domain, a kernel given as an MTF, FBP-like noise, slice-profile integration in z.

How a slice is made (differs from an image-domain Gaussian renderer on purpose):
1. every shape's exact continuous Fourier transform (disk: r J1(2 pi r rho)/rho; rectangle:
   sinc x sinc; sphere: the slice-profile-weighted sum of its disk sections; wire ramp: its
   line density given by the slice sensitivity profile, in closed form) is summed on the DFT
   grid of a zero-padded field of view (no aliasing of the phantom outline, no supersampling
   needed: the sampled transform is band-limited by the kernel);
2. z: the slice sensitivity profile (SSP) is a rectangle of the nominal thickness convolved
   with a Gaussian (sigma ssp_sigma_mm); each z segment of constant cross-section enters
   with its SSP weight (erf, exact), spheres and wires analytically;
3. x MTF of the kernel (and of any extra blur), inverse FFT, crop to the matrix;
4. artifacts in HU (ring, arc, streak, cupping), noise with NPS |rho| MTF^2, then a slice
   gain / offset error (band), a CT-number shift, rescale to stored values.

Geometry and materials: renderer_r3_phantom; kernels, noise, artifacts: renderer_r3_effects.
Use: `python -m models.training.renderer_r3 OUT_DIR [--preset ...]` or `render_series(cfg, out)`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy.special import j1

from models.training import renderer_r3_effects as fx
from models.training.renderer_r3_phantom import (RAMP_DEG, R_OUTER_MM, SHELL_MM, Disk, Materials, Phantom, Rect,
                                                 catphan504, placed)

MANUFACTURER = "R3-SYNTHETIC"
RENDERER = "renderer_r3 1.0 (frequency-domain analytic CatPhan 504, clean room)"


@dataclass
class SeriesConfig:
    name: str = "r3_clean"
    seed: int = 1
    matrix: int = 512
    pixel_mm: float = 0.5
    thickness_mm: float = 2.0
    spacing_mm: float = 2.0
    z_from: float = -84.0
    z_to: float = 46.0
    ssp_sigma_mm: float = 0.25
    kernel: str = "standard"            # renderer_r3_effects.KERNELS
    blur_sigma_mm: float = 0.0          # extra Gaussian PSF on top of the kernel (blur fault)
    noise_sd: float = 10.0
    noise_lf_fraction: float = 0.0
    noise_centre_gain: float = 0.15
    body_offset_hu: float = 0.0
    materials: dict = field(default_factory=dict)   # Materials fields to change (production tolerances)
    roll_deg: float = 0.0
    centre_mm: tuple[float, float] = (0.0, 0.0)
    couch: bool = False
    wall_mm: float = SHELL_MM       # the housing wall
    spheres: bool = True                # CTP404's acrylic spheres (2-10 mm); False only for diagnosis
    rescale_intercept: float = -1024.0
    rescale_slope: float = 1.0
    # artifacts (HU, mm, degrees); slices = None means every slice, else list of slice indices
    ring: list[dict] = field(default_factory=list)      # amp, radius_mm, width_mm, arc_deg, arc_centre_deg, slices
    streaks: list[dict] = field(default_factory=list)   # amp, angle_deg, width_mm, through, flank, slices
    cupping_hu: float = 0.0
    band: dict | None = None            # slices: [i..], gain (x on HU+1000), offset_hu
    shift_hu: float = 0.0               # every pixel, every slice (CT-number calibration error)
    truth_class: str = "normal"         # what a physicist would call the series
    notes: str = ""


def materials_of(cfg: SeriesConfig) -> Materials:
    mats = replace(Materials(), **{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.materials.items()})
    return mats.offset(cfg.body_offset_hu)


class KSpaceRaster:
    """Continuous Fourier transforms of shapes on a padded DFT grid."""

    def __init__(self, matrix: int, px: float):
        m = matrix
        while m * px < 2 * (R_OUTER_MM + 25.0):     # field of view for the whole phantom + couch
            m *= 2
        self.m, self.n, self.px = m, matrix, px
        self.fx = np.fft.fftfreq(m, d=px)
        self.fy = np.fft.fftfreq(m, d=px)
        self.rho = np.hypot(self.fx[None, :], self.fy[:, None])
        self.rho_safe = np.where(self.rho == 0, 1.0, self.rho)
        # DICOM pixel i sits at (i - (n-1)/2) px; the padded grid's index j at (j - m/2) px:
        # everything moves by half a pixel
        self.half = self._phase(-0.5 * px, -0.5 * px)

    def _phase(self, cx: float, cy: float) -> np.ndarray:
        ex = np.exp(-2j * math.pi * self.fx * cx)
        ey = np.exp(-2j * math.pi * self.fy * cy)
        return ey[:, None] * ex[None, :]

    def disk_radial(self, r: float) -> np.ndarray:
        return np.where(self.rho == 0, math.pi * r * r, r * j1(2 * math.pi * r * self.rho) / self.rho_safe)

    def shapes(self, shapes) -> np.ndarray:
        out = np.zeros((self.m, self.m), dtype=np.complex128)
        radial: dict[float, np.ndarray] = {}
        for sh in shapes:
            if isinstance(sh, Disk):
                if sh.r not in radial:
                    radial[sh.r] = self.disk_radial(sh.r)
                out += sh.delta * radial[sh.r] * self._phase(sh.cx, sh.cy)
            elif isinstance(sh, Rect):
                a = math.radians(sh.angle_deg)
                fu = self.fx[None, :] * math.cos(a) + self.fy[:, None] * math.sin(a)
                fv = -self.fx[None, :] * math.sin(a) + self.fy[:, None] * math.cos(a)
                out += sh.delta * sh.w * sh.h * np.sinc(sh.w * fu) * np.sinc(sh.h * fv) * self._phase(sh.cx, sh.cy)
            else:
                raise TypeError(type(sh))
        return out

    def to_image(self, spec: np.ndarray, mtf: np.ndarray) -> np.ndarray:
        img = np.fft.ifft2(spec * mtf * self.half).real / (self.px * self.px)
        img = np.fft.fftshift(img)
        o = (self.m - self.n) // 2
        return img[o:o + self.n, o:o + self.n]


def ssp_weight(z0: float, z1: float, zc: float, t: float, sigma: float) -> float:
    """Integral over [z0, z1] of the unit-area SSP (rect t conv Gaussian sigma) centred at zc."""
    def cdf(z: float) -> float:   # integral of the SSP from -inf to z
        if sigma <= 0:
            return min(max((z - zc + t / 2) / t, 0.0), 1.0)
        s2 = sigma * math.sqrt(2.0)

        def g(u: float) -> float:  # integral of Phi(u / sigma)
            pdf = math.exp(-u * u / (2 * sigma ** 2)) / math.sqrt(2 * math.pi)
            return u * 0.5 * (1 + math.erf(u / s2)) + sigma * pdf
        return (g(z - zc + t / 2) - g(z - zc - t / 2)) / t
    return cdf(z1) - cdf(z0)


def ssp_ft(f: np.ndarray, t: float, sigma: float) -> np.ndarray:
    return np.sinc(t * f) * np.exp(-2.0 * (math.pi * sigma * f) ** 2)


class SliceRenderer:
    def __init__(self, cfg: SeriesConfig, kernel: fx.Kernel | None = None):
        """``kernel``: a kernel of its own instead of ``fx.KERNELS[cfg.kernel]`` (training
        samples draw theirs: r3_adapter)."""
        self.cfg = cfg
        mats = materials_of(cfg)
        self.ph: Phantom = placed(catphan504(mats, cfg.wall_mm), cfg.roll_deg, *cfg.centre_mm)
        if not cfg.spheres:
            self.ph.spheres = []
        self.k = KSpaceRaster(cfg.matrix, cfg.pixel_mm)
        kern = kernel or fx.KERNELS[cfg.kernel]
        self.kernel = kern
        mtf = kern.mtf(self.k.rho)
        if cfg.blur_sigma_mm > 0:
            mtf = mtf * np.exp(-2.0 * (math.pi * cfg.blur_sigma_mm * self.k.rho) ** 2)
        self.mtf = mtf
        self.cache: dict[int, np.ndarray] = {}
        self.air = self._air()

    def _air(self) -> np.ndarray:
        spec = np.zeros((self.k.m, self.k.m), dtype=np.complex128)
        spec[0, 0] = -1000.0 * (self.k.m * self.k.px) ** 2   # a constant -1000 HU field (DC only)
        extra = []
        if self.cfg.couch:   # carbon-fibre-like slab under the phantom, inside the padded field of view
            width = min(380.0, self.k.m * self.k.px - 30.0)
            extra.append(Rect(0.0, R_OUTER_MM + 6.0 + self.cfg.centre_mm[1], width, 6.0, 0.0, 800.0))
        return spec + (self.k.shapes(extra) if extra else 0)

    def spectrum(self, zc: float) -> np.ndarray:
        c, k = self.cfg, self.k
        t, sig = c.thickness_mm, c.ssp_sigma_mm
        spec = self.air.copy()
        for i, (z0, z1, shapes) in enumerate(self.ph.segments):
            w = ssp_weight(z0, z1, zc, t, sig)
            if w < 1e-5:
                continue
            if i not in self.cache:
                self.cache[i] = k.shapes(shapes)
            spec += w * self.cache[i]
        for sp in self.ph.spheres:   # sum of disk sections weighted by the SSP (radial table, then 2-D)
            zs = np.linspace(sp.cz - sp.r, sp.cz + sp.r, 41)[1:-1]
            dz = zs[1] - zs[0]
            ws = np.array([ssp_weight(z - dz / 2, z + dz / 2, zc, t, sig) for z in zs])
            if ws.max() < 1e-5:
                continue
            rs = np.sqrt(np.maximum(sp.r ** 2 - (zs - sp.cz) ** 2, 0.0))
            tab = np.linspace(0.0, float(k.rho.max()) + 1e-6, 8192)
            safe = np.where(tab == 0, 1.0, tab)[:, None]
            rad = np.where(tab[:, None] == 0, math.pi * rs ** 2, rs * j1(2 * math.pi * tab[:, None] * rs) / safe) @ ws
            spec += sp.delta * np.interp(k.rho, tab, rad) * k._phase(sp.cx, sp.cy)
        tan = math.tan(math.radians(RAMP_DEG))
        for w in self.ph.wires:      # line density along the wire = SSP(z0 + s tan - zc) x cross-section
            if zc + t / 2 < w.zlo or zc - t / 2 > w.zhi:
                continue
            fu = k.fx[None, :] * w.ux + k.fy[:, None] * w.uy
            fv = -k.fx[None, :] * w.uy + k.fy[:, None] * w.ux
            d = w.z0 - zc
            along = ssp_ft(fu / tan, t, sig) / tan * np.exp(2j * math.pi * fu * d / tan)
            hz = w.diam / math.cos(math.radians(RAMP_DEG))        # the wire's extent in z
            spec += w.delta * hz * w.diam * np.sinc(w.diam * fv) * along * k._phase(w.px, w.py)
        return spec

    def slice_hu(self, index: int, zc: float, rng: np.random.Generator) -> np.ndarray:
        c = self.cfg
        img = self.k.to_image(self.spectrum(zc), self.mtf)
        shape, px = img.shape, c.pixel_mm
        for r in c.ring:
            if r.get("slices") is None or index in r["slices"]:
                img += fx.ring(shape, px, r["amp"], r["radius_mm"], r.get("width_mm", 0.6),
                               tuple(r.get("centre", (0.0, 0.0))), r.get("arc_deg"), r.get("arc_centre_deg", 0.0))
        for s in c.streaks:
            if s.get("slices") is None or index in s["slices"]:
                img += fx.streak(shape, px, s["amp"], s["angle_deg"], s.get("width_mm", 0.8),
                                 tuple(s.get("through", c.centre_mm)), s.get("flank", 0.3))
        if c.cupping_hu:
            img += fx.cupping(shape, px, c.cupping_hu, c.centre_mm, R_OUTER_MM)
        img += fx.noise_field(shape, px, c.noise_sd, self.kernel, rng, c.noise_lf_fraction,
                              centre_gain=c.noise_centre_gain, centre_xy_mm=c.centre_mm)
        if c.band and index in c.band["slices"]:
            img = (img + 1000.0) * c.band.get("gain", 1.0) - 1000.0 + c.band.get("offset_hu", 0.0)
        return img + c.shift_hu


def z_positions(cfg: SeriesConfig) -> list[float]:
    n = int(math.floor((cfg.z_to - cfg.z_from) / cfg.spacing_mm + 1e-6)) + 1
    return [round(cfg.z_from + i * cfg.spacing_mm, 4) for i in range(n)]


def _uid(cfg: SeriesConfig, *parts) -> str:
    from pydicom.uid import generate_uid
    return generate_uid(entropy_srcs=[RENDERER, cfg.name, str(cfg.seed), *map(str, parts)])


def render_series(cfg: SeriesConfig, out_dir: Path) -> dict:
    """Writes one DICOM CT file per slice into out_dir and out_dir/truth.json; returns the truth."""
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rend = SliceRenderer(cfg)
    rng = np.random.default_rng(cfg.seed)
    zs = z_positions(cfg)
    study, series, frame = _uid(cfg, "study"), _uid(cfg, "series"), _uid(cfg, "frame")
    n, px = cfg.matrix, cfg.pixel_mm
    origin = -(n - 1) / 2.0 * px
    digest = hashlib.sha256()
    for i, z in enumerate(zs):
        hu = rend.slice_hu(i, z, rng)
        stored = np.clip(np.rint((hu - cfg.rescale_intercept) / cfg.rescale_slope), 0, 65535).astype(np.uint16)
        digest.update(stored.tobytes())
        meta = FileMetaDataset()
        sop = _uid(cfg, "sop", i)
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(out_dir / f"R3_{i:04d}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, sop
        ds.Modality, ds.Manufacturer, ds.ManufacturerModelName = "CT", MANUFACTURER, "renderer_r3"
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20261205"
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "120000"
        ds.PatientName, ds.PatientID = "CATPHAN504^R3", "R3-504"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.SeriesNumber, ds.InstanceNumber = 3, i + 1
        ds.SeriesDescription = cfg.name[:64]
        ds.KVP, ds.ConvolutionKernel = 120, rend.kernel.name
        ds.SliceThickness, ds.SpacingBetweenSlices = cfg.thickness_mm, cfg.spacing_mm
        ds.ReconstructionDiameter = round(n * px, 3)
        ds.ImagePositionPatient = [round(origin, 4), round(origin, 4), z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = z
        ds.PixelSpacing = [px, px]
        ds.Rows = ds.Columns = n
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = cfg.rescale_intercept, cfg.rescale_slope, "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 400
        ds.PixelData = stored.tobytes()
        pydicom.dcmwrite(ds.filename, ds, enforce_file_format=True)
    truth = {"renderer": RENDERER, "config": asdict(cfg), "series_uid": series, "n_slices": len(zs),
             "z_mm": zs, "kernel": asdict(rend.kernel), "kernel_mtf50_lp_per_cm": round(10 * rend.kernel.mtf50(), 3),
             "materials": asdict(materials_of(cfg)), "truth_class": cfg.truth_class,
             "pixels_sha256": digest.hexdigest(),
             "conventions": {"roll": "degrees, from +x (image right) towards +y (image down)",
                             "centre_mm": "phantom axis in DICOM x, y", "module_z_mm": {
                                 "CTP486": -65, "CTP515": -30, "CTP404": 0, "CTP528": 30}}}
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--config", help="JSON of SeriesConfig fields", default="{}")
    a = ap.parse_args(argv)
    cfg = SeriesConfig(**json.loads(a.config))
    t = render_series(cfg, a.out_dir)
    print(f"{t['n_slices']} slices -> {a.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
