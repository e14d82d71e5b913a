"""Renderer 'img' for the classifier 2.0 data: the independent image-domain CatPhan 504
renderer (app/ct/image_renderer, written by the CT QC station from the phantom's public
description; shares no code with the projection simulator).

Its own kernel (Gaussian or edge-enhancing with overshoot), its own FBP-like NPS
(ramp x window, optionally x kernel MTF^2), its own rings (Gaussian radial profile),
streaks (straight lines), cupping / capping, real body values, production tolerances
and couch. What it does not model is added here the way the physics defines it: a
detector-row band (gain error scaling attenuation on the centre slice, before the noise)
and padding / integer rescaling (ai_domain).
"""
from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np

import ai_domain as dom
from ai_variety import add_spheres, apply_filter, sphere_chance
from app.ct.image_renderer import RenderArtifact, RenderParams, render_volume
from app.ct.image_renderer import catphan504 as cp
from app.ct.image_renderer.render import kernel_mtf
from app.ct.image_renderer.series import _freqs, _noise_filter


PHANTOM_RADIUS_MM = 100.0      # CatPhan 504's outer radius


def _ranges(heldout: bool) -> dict:
    if heldout:
        return dict(offset=22.0, roll=40.0, ring=(3.0, 21.0), ring_r=(12.0, 93.0),
                    streak=(35.0, 140.0), band=(3.5, 28.0), xnoise=(26.0, 42.0),
                    shift=(13.0, 38.0), cup=(15.0, 55.0))
    return dict(offset=18.0, roll=30.0, ring=(3.0, 25.0), ring_r=(10.0, 95.0),
                streak=(30.0, 150.0), band=(3.0, 30.0), xnoise=(24.0, 45.0),
                shift=(12.0, 40.0), cup=(12.0, 60.0))


def _mtf50(p: RenderParams, sc: "dom.Scanner | None" = None) -> float:
    f = np.linspace(0, 2.0, 4001)
    m = kernel_mtf(p, f) * (sc.boost_mtf(f) if sc is not None else 1.0)
    below = np.nonzero(m < 0.5 * m[0])[0]
    return float(10 * f[below[0]]) if below.size else 20.0


def _ring_floor(noise_sd: float, pixel_mm: float, radius: float, coverage: float,
                corr_mm: float) -> float:
    kind = "ring" if coverage >= 300 else "arc"
    arc_mm = 2 * np.pi * radius * coverage / 360.0
    n_indep = 3 * max(1.0, arc_mm / max(corr_mm, 1.5 * pixel_mm))
    return float(max({"ring": 2.0, "arc": 3.0}[kind],
                     {"ring": 6.0, "arc": 7.0}[kind] * noise_sd / np.sqrt(n_indep)))


STRONG_RING_SHARE, STRONG_RING_HU = 0.2, (25.0, 300.0)


def strong_ring(seed: int, target: float) -> float:
    """Recipe 2.7: one ring in five is a strong one (a dead channel: 25-300 HU measured,
    log-uniform) instead of ``target``, drawn from a stream of its own (seed, 28) so that
    the rest of the sample is drawn as before; the renderers' ring ranges stop at 25 HU."""
    s = np.random.default_rng([seed, 28])
    if s.random() < STRONG_RING_SHARE:
        return float(np.exp(s.uniform(*np.log(STRONG_RING_HU))))
    return target


def draw_ring(rng: np.random.Generator, r: dict, noise_sd: float, pixel_mm: float,
              corr_mm: float, arc_from_deg: float = 180.0) -> tuple[bool, float, float, float]:
    """A ring-class sample's ring: (full circle?, radius mm, coverage deg - an arc's uniform
    from ``arc_from_deg`` to 300 -, measured amplitude HU between the physics' detection
    floor and the range top); shared by the image-domain renderers (img, r3)."""
    full = rng.random() < 0.7
    radius = float(rng.uniform(*r["ring_r"])) if full else \
        float(rng.uniform(max(15.0, r["ring_r"][0]), r["ring_r"][1]))
    cov = 360.0 if full else float(rng.uniform(arc_from_deg, 300))
    floor = _ring_floor(noise_sd, pixel_mm, radius, cov, corr_mm)
    target = float(rng.uniform(max(r["ring"][0], floor), max(r["ring"][1], floor + 1.0)))
    return full, radius, cov, target


def band_gain(centre_slice: np.ndarray, pixel_mm: float, centre_mm: tuple[float, float],
              band_hu: float) -> float:
    """The relative gain on HU + 1000 whose central-disc step (the physics band measure: the
    median of a 15 mm disc about the phantom centre) is ``band_hu``."""
    n = centre_slice.shape[0]
    yy, xx = np.ogrid[:n, :n]
    c = (n - 1) / 2
    cx = c + centre_mm[0] / pixel_mm
    cy = c + centre_mm[1] / pixel_mm
    disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= (15.0 / pixel_mm) ** 2
    return band_hu / max(float(np.median(centre_slice[disc])) + 1000.0, 100.0)


def starvation_streaks(rng: np.random.Generator, n: int, pixel_mm: float,
                       centre_mm: tuple[float, float], radius_mm: float, angle_deg: float,
                       n_slices: int = 3) -> np.ndarray:
    """(n_slices, n, n) photon-starvation streaks, unscaled (recipe 2.7). A few adjacent
    views whose rays run along ``angle_deg`` starve of photons where their chord through
    the phantom is longest: their projection error (a part common to the slices plus
    detector noise of each slice) ramp-filtered and back-projected is a fan of thin bright
    and dark lines across the image - the look of a real starvation streak, which the
    straight Gaussian line of the renderer's own streak does not have."""
    n_views = int(rng.integers(1, 6))
    step = np.radians(float(rng.uniform(0.2, 1.0)))        # between adjacent views
    sharp = float(rng.uniform(6.0, 16.0))                  # how fast starving sets in
    common = float(rng.uniform(0.0, 0.8))                  # the part every slice shares
    corr = float(rng.uniform(1.0, 3.0))                    # detector noise correlation
    tau = pixel_mm / 2
    half = int(np.ceil(0.75 * n * pixel_mm / tau))
    t = np.arange(-half, half + 1) * tau
    f = np.fft.rfftfreq(len(t), d=tau)
    ramp = f * 0.5 * (1 + np.cos(np.pi * f / f[-1]))       # ramp x Hann
    c = (np.arange(n) - (n - 1) / 2) * pixel_mm
    x, y = c[None, :] - centre_mm[0], c[:, None] - centre_mm[1]
    theta0 = np.radians(angle_deg) + np.pi / 2             # the rays' normal
    thetas = theta0 + (np.arange(n_views) - (n_views - 1) / 2) * step
    k = max(1, int(round(corr)))
    starve = np.clip(1.0 - (t / radius_mm) ** 2, 0.0, None) ** (sharp / 2)
    out = np.zeros((n_slices, n, n), np.float32)
    for th in thetas:
        base = rng.standard_normal(len(t))
        for z in range(n_slices):
            own = np.convolve(rng.standard_normal(len(t)), np.ones(k) / k, mode="same")
            err = starve * (common + 0.5 * (np.sqrt(common) * base + own))
            q = np.fft.irfft(np.fft.rfft(err) * ramp, n=len(t))
            out[z] += np.interp(x * np.cos(th) + y * np.sin(th), t, q).astype(np.float32)
    return out


def render_sample(label: str, seed: int, heldout: bool,
                  variety: np.random.Generator | None = None, recipe_2_7: bool = False,
                  arc_from_deg: float = 180.0, wall_mm: float | None = None
                  ) -> tuple[np.ndarray, float, dict]:
    """``variety``: recipe 2.5's own random stream (spheres, MTF boost: ai_variety);
    ``wall_mm``: the phantom's housing wall (None: the renderer's 3 mm; recipe 2.9);
    ``recipe_2_7``: ring FWHM 0.5-2.0 mm log-uniform instead of 0.5-1.6 mm uniform, one ring in five strong
    (strong_ring), half the streaks photon-starvation fans (starvation_streaks);
    ``arc_from_deg``: the shortest arc (draw_ring; recipe 2.8: 90)."""
    rng = np.random.default_rng(seed)
    r = _ranges(heldout)
    edge = label == "normal@edge"
    centred = label == "normal@centred"     # phantom circles concentric with the rotation
    label = "normal" if (edge or centred) else label
    sc = dom.draw_scanner(rng, label, heldout, variety)
    thick = float(np.clip(sc.thickness_mm, 0.625, 10.0))
    mods = list(cp.MODULES)
    mid = mods[int(rng.integers(len(mods)))]
    lo, hi = cp.MODULES[mid]
    margin = min(thick * 1.6, (hi - lo) / 2 - 0.1)
    z = float(rng.uniform(lo + margin, hi - margin)) if hi - lo > 2 * margin else (lo + hi) / 2
    if edge:    # a slice whose neighbours lie in the next module
        from ct_phantom_dataset2 import boundary_z

        z = boundary_z(list(cp.MODULES.values()), rng, thick)
    ang = rng.uniform(0, 2 * np.pi)
    off = rng.uniform(0, 3.0) if rng.random() < 0.5 else rng.uniform(3.0, r["offset"])
    if centred:
        off = rng.uniform(0.0, 1.0)
    edge_kernel = rng.random() < 0.5     # an edge-enhancing kernel (overshoot)
    bodies = {k: v + float(rng.uniform(-20, 20)) for k, v in
              (("ctp404_body_hu", 10.0), ("ctp486_body_hu", 5.0), ("ctp515_body_hu", 40.0),
               ("ctp528_body_hu", 10.0))}
    p = RenderParams(
        matrix=sc.matrix, pixel_mm=sc.pixel_mm, slice_thickness_mm=thick, n_slices=3,
        z_start_mm=z - thick, centre_offset_mm=(off * np.cos(ang), off * np.sin(ang)),
        roll_deg=float(rng.uniform(-r["roll"], r["roll"])),
        shell_hu=float(rng.uniform(90, 150)), couch=bool(rng.random() < 0.3),
        pin_node=(None if rng.random() < 0.3 else int(rng.integers(4))),
        hu_offset=sc.hu_offset, psf="edge" if edge_kernel else "gaussian",
        psf_sigma_mm=sc.psf_sigma_mm,
        edge_overshoot=float(rng.uniform(0.05, 0.6)) if edge_kernel else 0.0,
        noise_sd_hu=0.0, nps_window=str(rng.choice(["hann", "hamming", "cosine", "rect"])),
        nps_cutoff_frac=float(rng.uniform(0.35, 1.0)),
        nps_follows_kernel=bool(rng.random() < 0.6), supersample=2,
        tolerance_scale=float(rng.uniform(0.0, 2.0)), seed=int(seed % (2 ** 31)), **bodies)
    if wall_mm is not None:
        p = replace(p, shell_mm=wall_mm)
    # the class follows the system MTF50 (an edge kernel does not make a blur normal)
    m50 = _mtf50(p)
    if (label == "blur" and m50 > dom.MTF50_BLUR_MAX) or \
            (label != "blur" and m50 < dom.MTF50_NORMAL_MIN):
        p = replace(p, psf="gaussian", edge_overshoot=0.0)
    if sc.boost > 0:      # recipe 2.5: the boost on top of this renderer's own kernel
        m50 = _mtf50(p, sc)
        if (label == "blur" and m50 > dom.MTF50_BLUR_MAX) or \
                (label != "blur" and m50 < dom.MTF50_NORMAL_MIN):
            sc.boost = 0.0
    noise_sd = sc.noise_sd
    arts = []
    band = None
    facts: dict = {}
    starved = None
    sign = 1.0 if rng.random() < 0.5 else -1.0
    corr_mm = 0.5 / max(0.05, 0.35 * p.nps_cutoff_frac * 0.5 / p.pixel_mm)
    if label == "ring":
        _, radius, cov, target = draw_ring(rng, r, noise_sd, p.pixel_mm, corr_mm, arc_from_deg)
        if recipe_2_7:
            target = strong_ring(seed, target)
        # FWHM from one detector channel (~0.5 mm at the isocentre) to two or three of
        # them (~2 mm), log-uniform (recipe 2.7; 0.5-1.6 mm uniform before). Up to 3.5 mm
        # (candidate i3, session 17) made CatPhan's circles of inserts and spheres read as
        # rings (docs/image_review.md, recipe 2.7)
        width = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0)))) if recipe_2_7 \
            else float(rng.uniform(0.5, 1.6))
        arts.append(RenderArtifact("ring", sign * target, radius_mm=radius,
                                   width_mm=width, coverage_deg=cov,
                                   start_deg=float(rng.uniform(0, 360))))
        facts.update(ring_hu=target, ring_r=radius, coverage=cov, ring_fwhm_mm=width)
    elif label == "streak":
        # recipe 2.7: half the streaks are photon-starvation fans (starvation_streaks), drawn
        # from a stream of their own (the straight ones stay as recipe 2.5 drew them)
        fan = np.random.default_rng([seed, 27]) if recipe_2_7 else None
        if fan is not None and fan.random() < 0.5:
            amp = float(fan.uniform(*r["streak"]))
            starved = (amp * (1 if fan.random() < 0.8 else -1),
                       float(fan.uniform(0, 180)), fan)
            facts.update(streak_hu=amp, n_streaks=1, streak_kind="starvation")
        else:
            n_streaks = 1 if rng.random() < 0.6 else 2
            amp = float(rng.uniform(*r["streak"]))
            through = tuple(float(v) for v in rng.uniform(-10, 10, 2) + p.centre_offset_mm)
            for _ in range(n_streaks):
                arts.append(RenderArtifact("streak", amp * (1 if rng.random() < 0.8 else -1),
                                           angle_deg=float(rng.uniform(0, 180)),
                                           width_mm=float(rng.uniform(0.8, 4.0)),
                                           through_mm=through))
            facts.update(streak_hu=amp, n_streaks=n_streaks)
    elif label == "band":
        rows = (1,) if rng.random() < 0.7 else ((1, 2) if rng.random() < 0.5 else (0, 1))
        band = (sign * float(rng.uniform(*r["band"])), rows)
        facts.update(band_hu=band[0])
    elif label == "noise":
        noise_sd = float(rng.uniform(*r["xnoise"]))
    elif label == "shift":
        if rng.random() < 0.7:
            p = replace(p, hu_offset=sign * float(rng.uniform(*r["shift"])))
        else:
            kind = "cupping" if rng.random() < 0.6 else "capping"
            arts.append(RenderArtifact(kind, float(rng.uniform(*r["cup"]))))
            facts.update(cupping=kind)
    p = replace(p, artifacts=tuple(arts))
    vol, _ = render_volume(p)
    n = p.matrix
    if starved is not None:
        # through the kernel like everything else; scaled so the 99th percentile of |HU|
        # on the phantom (centre slice) is the drawn amplitude
        amp_s, angle, fan = starved
        sv = apply_filter(starvation_streaks(fan, n, p.pixel_mm, p.centre_offset_mm,
                                             PHANTOM_RADIUS_MM, angle),
                          p.pixel_mm, lambda f: kernel_mtf(p, f))
        yy, xx = np.ogrid[:n, :n]
        cc = (n - 1) / 2
        disc = (xx - cc - p.centre_offset_mm[0] / p.pixel_mm) ** 2 + \
            (yy - cc - p.centre_offset_mm[1] / p.pixel_mm) ** 2 <= (90.0 / p.pixel_mm) ** 2
        scale = amp_s / max(float(np.quantile(np.abs(sv[1][disc]), 0.99)), 1e-9)
        vol += (sv * scale).astype(np.float32)
    if variety is not None:
        if variety.random() < sphere_chance(mid):
            vol, spheres = add_spheres(vol, p.pixel_mm, thick, variety,
                                       lambda f: kernel_mtf(p, f))
            facts.update(spheres=spheres)
        if sc.boost > 0:
            vol = apply_filter(vol, p.pixel_mm, sc.boost_mtf)
    if band is not None:
        # a detector-row gain error scales attenuation; its measured central-disc step
        # (the physics band measure) is set to the target
        eps = band_gain(vol[1], p.pixel_mm, p.centre_offset_mm, band[0])
        for k in band[1]:
            vol[k] += np.float32(eps) * (vol[k] + 1000.0) * (vol[k] > -500)
    if noise_sd > 0:   # the renderer's own NPS
        _, _, f = _freqs(n, p.pixel_mm)
        h = _noise_filter(replace(p, noise_sd_hu=noise_sd), f, n)
        if sc.boost > 0 and sc.boost_noise:     # the same SD, the power moved by the boost
            h0, h = h, h * sc.boost_mtf(f)
            h *= np.sqrt(float((h0 ** 2).sum()) / max(float((h ** 2).sum()), 1e-30))
        white = rng.standard_normal((3, n, n)).astype(np.float32)
        noise = np.fft.irfft2(np.fft.rfft2(white) * h[None], s=(n, n))
        vol += (noise * noise_sd).astype(np.float32)
    vol = dom.as_written(vol, sc)
    facts.update(params={k: v for k, v in p.to_dict().items() if k != "tolerances"},
                 noise_sd=noise_sd, module=mid, boundary=edge, edge_kernel=p.psf == "edge",
                 mtf50=_mtf50(p, sc), scanner=asdict(sc))
    return vol.astype(np.float32), p.pixel_mm, facts

