"""Renderer 'r3' for the classifier's data: the third, clean-room CatPhan 504 renderer
(models/training/renderer_r3: shapes' exact Fourier transforms, the kernel as an MTF,
FBP-like noise with NPS |rho| x MTF^2, slice-profile integration in z; written without
reading the simulator or the image renderer).

A sample is three adjacent slices (the classifier's input) drawn like the other two
renderers' (ct_phantom_dataset2: the same class definitions, ranges and scanner draw of
ai_domain), but made the way this renderer makes them: its own kernel families
(Gaussian, super-Gaussian 'standard', edge-enhancing with an MTF bump above 1), its own
noise (NPS |rho| MTF^2, optional low-frequency part, centre-heavy FBP noise), its own
artifacts (Gaussian-profile rings and arcs about the rotation centre, straight streaks
with dark flanks, parabolic cupping / capping), its own body values and detector-row band
(a gain on HU + 1000 after the noise, as renderer_r3 applies it). What the class is
follows the system MTF50 (kernel x extra blur x recipe 2.5's boost) and the measured
amplitudes, as for the other renderers.
"""
from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np

import ai_domain as dom
from app.ct.ai_classes import NOISE_CLASS_MIN_SD_HU
from ai_variety import add_spheres, apply_filter, sphere_chance
from image_renderer_adapter import _ranges, band_gain, draw_ring, strong_ring
from models.training import renderer_r3_effects as fx
from models.training.renderer_r3 import SeriesConfig, SliceRenderer
from models.training.renderer_r3_phantom import MODULES

_F = np.linspace(0.0, 2.0, 4001)


def _gauss_f50(sigma_mm: float) -> float:
    """lp/mm where a Gaussian PSF of sigma_mm has MTF 0.5."""
    return math.sqrt(math.log(2) / (2 * math.pi ** 2 * sigma_mm ** 2))


def _mtf50_lp_cm(m: np.ndarray) -> float:
    below = np.nonzero(m < 0.5 * m[0])[0]
    return float(10 * _F[below[0]]) if below.size else 20.0


def draw_kernel(rng: np.random.Generator, sc: "dom.Scanner") -> fx.Kernel:
    """A kernel of this renderer's families whose MTF50 is the scanner's PSF's (the class's
    sharpness); 'edge' kernels overshoot."""
    f50 = _gauss_f50(sc.psf_sigma_mm)
    u = rng.random()
    if u < 0.3:
        return fx.Kernel(kind="gauss", sigma_mm=sc.psf_sigma_mm, name="R3_GAUSS")
    if u < 0.65:
        return fx.Kernel(kind="standard", f50=f50, p=float(rng.uniform(1.3, 2.6)), name="R3_STD")
    return fx.Kernel(kind="edge", f50=f50, p=float(rng.uniform(1.5, 2.4)),
                     boost=float(rng.uniform(0.1, 0.6)),
                     f_peak=float(rng.uniform(0.6, 1.1)) * f50,
                     f_width=float(rng.uniform(0.3, 0.6)) * f50, name="R3_EDGE")


def render_sample(label: str, seed: int, heldout: bool,
                  variety: np.random.Generator | None = None, recipe_2_7: bool = False,
                  arc_from_deg: float = 180.0, wall_mm: float | None = None
                  ) -> tuple[np.ndarray, float, dict]:
    """Native 3-slice volume (HU), pixel size, the sample's facts (``recipe_2_7``: one ring
    in five strong, image_renderer_adapter.strong_ring; ``arc_from_deg``: the shortest
    arc, draw_ring; ``wall_mm``: the housing wall, None: the renderer's 2.5 mm)."""
    rng = np.random.default_rng([seed, 3])
    r = _ranges(heldout)
    edge = label == "normal@edge"
    centred = label == "normal@centred"
    label = "normal" if (edge or centred) else label
    sc = dom.draw_scanner(rng, label, heldout, variety)
    thick = float(np.clip(sc.thickness_mm, 0.625, 10.0))
    extents = {name: (z0, z1) for name, z0, z1, _ in MODULES}
    mid = list(extents)[int(rng.integers(len(extents)))]
    lo, hi = extents[mid]
    margin = min(thick * 1.6, (hi - lo) / 2 - 0.1)
    z = float(rng.uniform(lo + margin, hi - margin)) if hi - lo > 2 * margin else (lo + hi) / 2
    if edge:
        from ct_phantom_dataset2 import boundary_z

        z = boundary_z(list(extents.values()), rng, thick)
    ang = rng.uniform(0, 2 * np.pi)
    off = rng.uniform(0, 3.0) if rng.random() < 0.5 else rng.uniform(3.0, r["offset"])
    if centred:
        off = rng.uniform(0.0, 1.0)
    kern = draw_kernel(rng, sc)
    mtf = kern.mtf(_F)
    m50 = _mtf50_lp_cm(mtf)
    if (label == "blur" and m50 > dom.MTF50_BLUR_MAX) or \
            (label != "blur" and m50 < dom.MTF50_NORMAL_MIN):
        kern = fx.Kernel(kind="gauss", sigma_mm=sc.psf_sigma_mm, name="R3_GAUSS")
        mtf = kern.mtf(_F)
    if sc.boost > 0:
        m50 = _mtf50_lp_cm(mtf * sc.boost_mtf(_F))
        if (label == "blur" and m50 > dom.MTF50_BLUR_MAX) or \
                (label != "blur" and m50 < dom.MTF50_NORMAL_MIN):
            sc.boost = 0.0
    tol = float(rng.uniform(0.0, 2.0))
    materials = {"shell": float(rng.uniform(95, 150)),
                 "acrylic": 120.0 + tol * float(rng.uniform(-10, 10)),
                 "delrin": 360.0 + tol * float(rng.uniform(-15, 15)),
                 "teflon": 985.0 + tol * float(rng.uniform(-25, 25)),
                 "ldpe": -100.0 + tol * float(rng.uniform(-8, 8)),
                 "pmp": -190.0 + tol * float(rng.uniform(-10, 10)),
                 "polystyrene": -40.0 + tol * float(rng.uniform(-6, 6))}
    # each module's body +-20 HU about this renderer's own values (production / batch; the
    # scanner's calibration offset is hu_offset, air moves with it)
    for key, base in (("body_404", 15.0), ("body_486", 3.0), ("body_515", 45.0),
                      ("body_528", 15.0)):
        materials[key] = base + float(rng.uniform(-20, 20))
    noise_sd = sc.noise_sd
    facts: dict = {}
    sign = 1.0 if rng.random() < 0.5 else -1.0
    cfg = dict(name="r3_sample", seed=int(seed % (2 ** 31)), matrix=sc.matrix,
               pixel_mm=sc.pixel_mm, thickness_mm=thick, spacing_mm=thick,
               ssp_sigma_mm=float(rng.uniform(0.1, 0.5)) * min(thick, 2.0),
               materials=materials,
               roll_deg=float(rng.uniform(-r["roll"], r["roll"])),
               centre_mm=(float(off * np.cos(ang)), float(off * np.sin(ang))),
               couch=bool(rng.random() < 0.3), shift_hu=sc.hu_offset,
               noise_lf_fraction=float(rng.uniform(0.0, 0.25)) if rng.random() < 0.4 else 0.0,
               noise_centre_gain=float(rng.uniform(0.0, 0.35)))
    if wall_mm is not None:
        cfg["wall_mm"] = wall_mm
    # the noise's correlation length (the ring detection floor): the kernel's half period
    corr_mm = 0.5 / max(kern.mtf50() if kern.kind != "gauss" else _gauss_f50(kern.sigma_mm), 0.05)
    band = None
    if label == "ring":
        full, radius, cov, target = draw_ring(rng, r, noise_sd, sc.pixel_mm, corr_mm,
                                              arc_from_deg)
        if recipe_2_7:
            target = strong_ring(seed, target)
        # the Gaussian's sigma; recipe 2.7: FWHM 0.6 mm (one channel through a sharp
        # kernel) to 2.0 mm (two or three channels), log-uniform - before, sigma 0.4-1.5 mm
        # (FWHM 0.94-3.5 mm) drew no single-channel ring
        u = rng.uniform(0.0, 1.0)
        sigma = float(np.exp(np.log(0.6) + u * np.log(2.0 / 0.6))) / 2.3548 if recipe_2_7 \
            else 0.4 + 1.1 * u
        cfg["ring"] = [dict(amp=sign * target, radius_mm=radius,
                            width_mm=sigma,
                            arc_deg=None if full else cov,
                            arc_centre_deg=float(rng.uniform(-180, 180)))]
        facts.update(ring_hu=target, ring_r=radius, coverage=cov,
                     ring_fwhm_mm=2.3548 * cfg["ring"][0]["width_mm"])
    elif label == "streak":
        n_streaks = 1 if rng.random() < 0.6 else 2
        amp = float(rng.uniform(*r["streak"]))
        through = tuple(float(v) for v in rng.uniform(-10, 10, 2) + np.array(cfg["centre_mm"]))
        cfg["streaks"] = [dict(amp=amp * (1 if rng.random() < 0.8 else -1),
                               angle_deg=float(rng.uniform(0, 180)),
                               width_mm=float(rng.uniform(0.6, 3.5)), through=through,
                               flank=float(rng.uniform(0.0, 0.5)))
                          for _ in range(n_streaks)]
        facts.update(streak_hu=amp, n_streaks=n_streaks)
    elif label == "band":
        rows = (1,) if rng.random() < 0.7 else ((1, 2) if rng.random() < 0.5 else (0, 1))
        band = (sign * float(rng.uniform(*r["band"])), rows)
        facts.update(band_hu=band[0], band_rows=list(rows))
    elif label == "noise":
        lo_sd, hi_sd = (26.0, 70.0) if heldout else (NOISE_CLASS_MIN_SD_HU, 80.0)
        noise_sd = float(np.exp(rng.uniform(math.log(lo_sd), math.log(hi_sd))))
    elif label == "shift":
        if rng.random() < 0.7:
            cfg["shift_hu"] = sign * float(rng.uniform(*r["shift"]))
        else:
            depth = float(rng.uniform(*r["cup"]))
            capping = rng.random() >= 0.6
            cfg["cupping_hu"] = -depth if capping else depth
            facts.update(cupping="capping" if capping else "cupping")
    zs = [z - thick, z, z + thick]
    # render noise-free first (the band's gain and recipe 2.5's boost act on the image),
    # then this renderer's own noise
    rend = SliceRenderer(SeriesConfig(**{**cfg, "noise_sd": 0.0}), kernel=kern)
    quiet = np.random.default_rng(0)
    vol = np.stack([rend.slice_hu(i, zc, quiet) for i, zc in enumerate(zs)]).astype(np.float32)
    if variety is not None:
        if variety.random() < sphere_chance(mid):
            vol, spheres = add_spheres(vol, sc.pixel_mm, thick, variety, kern.mtf)
            facts.update(spheres=spheres)
        if sc.boost > 0:
            vol = apply_filter(vol, sc.pixel_mm, sc.boost_mtf)
    n = sc.matrix
    for k in range(3):
        vol[k] += fx.noise_field((n, n), sc.pixel_mm, noise_sd, kern, rng,
                                 cfg["noise_lf_fraction"], centre_gain=cfg["noise_centre_gain"],
                                 centre_xy_mm=cfg["centre_mm"]).astype(np.float32)
    if band is not None:
        # a detector-row gain on attenuation; its measured central-disc step is the target
        eps = band_gain(vol[1], sc.pixel_mm, cfg["centre_mm"], band[0])
        for k in band[1]:
            vol[k] = (vol[k] + 1000.0) * np.float32(1.0 + eps) - 1000.0
    vol = dom.as_written(vol, sc)
    facts.update(config={k: v for k, v in cfg.items() if k != "materials"},
                 kernel=asdict(kern), noise_sd=noise_sd, module=mid, boundary=edge,
                 mtf50=_mtf50_lp_cm(mtf * sc.boost_mtf(_F)), scanner=asdict(sc))
    return vol.astype(np.float32), sc.pixel_mm, facts
