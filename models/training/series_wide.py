"""A wider series-level evaluation set for the AI check (issue 16), seeded, never trained on.

    .venv/bin/python models/training/eval_ai_series.py --wide all   # (or dev / check)

Whole CT series (not the 3-slice training samples) from both renderers, drawn from
seeds the training never used (``SEED_BASE`` + case number) and over wider ranges than
the training drew from: pixel 0.3-0.9 mm on 512 / 768 / 1024 matrices, slices 0.625-10 mm
(log-uniform), Gaussian (0.25-0.6 mm) and edge-enhancing kernels (overshoot 0.1-0.6),
each module's body value moved +-20 HU, calibration +-4 HU, roll +-45 deg, phantom off
the rotation centre up to 15 mm, couch, padding outside the reconstruction circle,
integer HU, noise 4-14 HU (the normal class's range) with random FBP-like NPS shapes. Classes: clean; ring
(8-200 HU, radius 8-97 mm, including rings at the shell); streak; band (a detector-row
gain error on one or two adjacent slices, before the noise, sometimes next to a module
boundary); noise; shift (calibration offset, cupping, capping); blur (MTF50 below the
blur limit); and out-of-distribution series the AI must call "not applicable" (pixel
outside the trained range, an elliptical body).

Series are short where the class allows (a window of at most ``MAX_SLICES`` contiguous
slices somewhere in the phantom; thick slices cover all of it), so the whole set renders
and runs in a few minutes on two shared cores.

Split (fixed before any result was seen): within each (renderer, class) group the cases
alternate, the first, third, ... are the DEVELOPMENT half (looked at while the series
rules were written), the second, fourth, ... the CHECK half (run once the rules were
fixed; not used to choose anything).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

SEED_BASE = 916_000          # far from every seed the training data used (0 .. ~60,000)
MAX_SLICES = 24
PHANTOM_Z = (-102.5, 52.5)   # the CatPhan 504 modules' extent (image renderer frame)
MODULE_BOUNDS = (-52.5, -12.5, 12.5)


@dataclass(frozen=True)
class WideSeries:
    name: str
    truth: str            # expected series class ("normal" for clean)
    renderer: str         # img | sim
    split: str            # dev | check
    seed: int
    make: Callable[[], tuple[np.ndarray, float, np.ndarray, float]]
    facts: dict

    def render(self) -> tuple[np.ndarray, float, np.ndarray, float]:
        """(volume HU, pixel mm, slice positions mm, slice thickness mm)."""
        return self.make()


# --- the image-domain renderer ------------------------------------------------------------


def _scanner(rng: np.random.Generator) -> dict:
    """Nuisance parameters of one scanner / protocol (wide ranges, see the module)."""
    while True:
        pixel = float(rng.uniform(0.3, 0.9))
        fits = [m for m in (512, 768, 1024) if 215.0 <= m * pixel <= 480.0]
        if fits:
            break
    matrix = int(rng.choice(fits))
    thick = float(math.exp(rng.uniform(math.log(0.625), math.log(10.0))))
    edge = bool(rng.random() < 0.4)
    ang = rng.uniform(0, 2 * math.pi)
    off = float(rng.uniform(0, 15.0))
    return dict(
        matrix=matrix, pixel_mm=round(pixel, 3), slice_thickness_mm=round(thick, 3),
        psf="edge" if edge else "gaussian",
        psf_sigma_mm=float(rng.uniform(0.25, 0.5 if edge else 0.6)),
        edge_overshoot=float(rng.uniform(0.1, 0.6)) if edge else 0.0,
        roll_deg=float(rng.uniform(-45, 45)),
        centre_offset_mm=(off * math.cos(ang), off * math.sin(ang)),
        ctp404_body_hu=10.0 + float(rng.uniform(-20, 20)),
        ctp486_body_hu=5.0 + float(rng.uniform(-20, 20)),
        ctp515_body_hu=40.0 + float(rng.uniform(-20, 20)),
        ctp528_body_hu=10.0 + float(rng.uniform(-20, 20)),
        shell_hu=float(rng.uniform(90, 150)), couch=bool(rng.random() < 0.3),
        hu_offset=float(rng.uniform(-4, 4)), tolerance_scale=float(rng.uniform(0, 2)),
        nps_window=str(rng.choice(["hann", "hamming", "cosine", "rect"])),
        nps_cutoff_frac=float(rng.uniform(0.35, 1.0)),
        nps_follows_kernel=bool(rng.random() < 0.6),
        supersample=2 if matrix >= 768 else 3)


def _window(rng: np.random.Generator, thick: float) -> tuple[int, float]:
    """(n slices, first z) of a contiguous window inside the phantom."""
    lo, hi = PHANTOM_Z
    full = int(math.floor((hi - lo) / thick))
    n = min(full, MAX_SLICES)
    z0 = float(rng.uniform(lo + thick / 2, hi - thick / 2 - (n - 1) * thick))
    return n, z0


def _img_series(seed: int, label: str, spec: dict) -> tuple[Callable, dict]:
    rng = np.random.default_rng(seed)
    sc = _scanner(rng)
    # the normal class's noise (4-14 HU native; the noise class starts at 24 HU): a
    # series is "clean" only inside every class's normal definition
    noise_sd = float(rng.uniform(4.0, 14.0))
    pad = rng.choice([0, -1024, -2048, -3024], p=[0.4, 0.3, 0.1, 0.2])
    integer = bool(rng.random() < 0.5)
    sc.update(spec.get("scanner", {}))
    n, z0 = _window(rng, sc["slice_thickness_mm"])
    if "window" in spec:
        n, z0 = spec["window"](sc["slice_thickness_mm"], rng)
    noise_sd = spec.get("noise_sd", noise_sd)
    band = spec.get("band")                        # (HU, rows relative to the window)

    def make() -> tuple[np.ndarray, float, np.ndarray, float]:
        from app.ct.image_renderer import RenderArtifact, RenderParams, render_volume
        from app.ct.image_renderer.render import slice_positions
        from app.ct.image_renderer.series import _freqs, _noise_filter

        arts = tuple(RenderArtifact(**a) for a in spec.get("artifacts", ()))
        p = RenderParams(n_slices=n, z_start_mm=z0, noise_sd_hu=0.0, seed=seed % 2 ** 31,
                         artifacts=arts, **sc)
        vol, _ = render_volume(p)
        m = p.matrix
        if band is not None:   # detector-row gain error, before the noise (as the physics)
            yy, xx = np.ogrid[:m, :m]
            c = (m - 1) / 2
            cx, cy = (c + p.centre_offset_mm[0] / p.pixel_mm, c + p.centre_offset_mm[1] / p.pixel_mm)
            disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= (15.0 / p.pixel_mm) ** 2
            for k in band[1]:
                eps = band[0] / max(float(np.median(vol[k][disc])) + 1000.0, 100.0)
                vol[k] += np.float32(eps) * (vol[k] + 1000.0) * (vol[k] > -500)
        if noise_sd > 0:       # the renderer's own NPS
            nrng = np.random.default_rng([seed, 7])
            _, _, f = _freqs(m, p.pixel_mm)
            h = _noise_filter(replace(p, noise_sd_hu=noise_sd), f, m)
            for k in range(len(vol)):
                white = nrng.standard_normal((m, m))
                vol[k] += (np.fft.irfft2(np.fft.rfft2(white) * h, s=(m, m))
                           * noise_sd).astype(np.float32)
        if pad:
            yy, xx = np.ogrid[:m, :m]
            c = (m - 1) / 2
            vol[:, (yy - c) ** 2 + (xx - c) ** 2 > (m / 2) ** 2] = float(pad)
        if integer:
            vol = np.round(vol)
        if spec.get("stretch"):                    # an elliptical body (out of distribution)
            vol = _stretch(vol, float(spec["stretch"]))
        return (vol.astype(np.float32), p.pixel_mm, slice_positions(p),
                p.slice_thickness_mm)

    facts = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in sc.items()
             if k not in ("centre_offset_mm",)}
    facts.update(n_slices=n, z_start_mm=round(z0, 2), noise_sd_hu=round(noise_sd, 1),
                 pad=int(pad), integer=integer,
                 centre_offset_mm=[round(v, 1) for v in sc["centre_offset_mm"]])
    facts.update({k: v for k, v in spec.items() if k in ("artifacts", "band", "stretch")})
    return make, facts


def _stretch(vol: np.ndarray, k: float) -> np.ndarray:
    """Stretch every slice by k along x about the image centre (a 200 mm disc becomes an
    ellipse of 200 x 200 k mm, like a body or head phantom)."""
    import cv2

    n = vol.shape[1]
    c = (n - 1) / 2
    mat = np.array([[k, 0, c * (1 - k)], [0, 1, 0]], np.float32)
    return np.stack([cv2.warpAffine(s, mat, (n, n), flags=cv2.INTER_LINEAR,
                                    borderValue=float(s.min())) for s in vol])


def _near_boundary(rows: int) -> Callable:
    """A window whose band rows sit next to a module boundary."""
    def window(thick: float, rng: np.random.Generator) -> tuple[int, float]:
        b = float(rng.choice(MODULE_BOUNDS))
        n = min(MAX_SLICES, max(8, int(60 // thick)))
        # band rows are slices n // 2 (and n // 2 + 1); the boundary just after them
        z0 = b - (n // 2 + rows - 0.5) * thick
        return n, z0
    return window


def _img_cases() -> list[tuple[str, str, dict]]:
    r = np.random.default_rng(SEED_BASE)          # the artifact parameters' own draw
    cases: list[tuple[str, str, dict]] = []
    for i in range(8):
        cases.append((f"clean {i + 1}", "normal", {}))
    rings = [(float(r.uniform(8, 60)), float(r.uniform(8, 90))) for _ in range(4)]
    rings += [(float(r.uniform(20, 200)), float(r.uniform(93, 97))) for _ in range(2)]
    for a, rad in rings:
        w = float(r.uniform(0.5, 2.0))
        cases.append((f"ring {a:.0f} HU r{rad:.0f}", "ring",
                      {"artifacts": [dict(kind="ring", amplitude_hu=a, radius_mm=rad, width_mm=w)]}))
    for _ in range(4):
        a = float(r.uniform(40, 250))
        n_st = int(r.integers(1, 3))
        arts = [dict(kind="streak", amplitude_hu=a, angle_deg=float(r.uniform(0, 180)),
                     width_mm=float(r.uniform(0.8, 3.0)),
                     through_mm=tuple(float(v) for v in r.uniform(-8, 8, 2)))
                for _ in range(n_st)]
        cases.append((f"streak {a:.0f} HU x{n_st}", "streak", {"artifacts": arts}))
    for i in range(4):
        a = float(r.uniform(6, 30)) * (1 if r.random() < 0.6 else -1)
        rows_n = 1 + int(i % 2)
        spec: dict[str, Any] = {"band_rows": rows_n}
        if i >= 2:
            spec["window"] = _near_boundary(rows_n)
        cases.append((f"band {a:+.0f} HU {rows_n} slice{'s' if rows_n > 1 else ''}"
                      f"{' at a boundary' if i >= 2 else ''}", "band",
                      {**spec, "band_hu": a}))
    for _ in range(3):
        sd = float(r.uniform(30, 90))
        cases.append((f"noise {sd:.0f} HU", "noise", {"noise_sd": sd}))
    off = float(r.uniform(15, 40)) * (1 if r.random() < 0.5 else -1)
    cases.append((f"CT-number shift {off:+.0f} HU", "shift", {"scanner": {"hu_offset": off}}))
    cup = float(r.uniform(25, 60))
    cases.append((f"cupping {cup:.0f} HU", "shift",
                   {"artifacts": [dict(kind="cupping", amplitude_hu=cup)]}))
    off = float(r.uniform(15, 40)) * (1 if r.random() < 0.5 else -1)
    cases.append((f"CT-number shift {off:+.0f} HU", "shift", {"scanner": {"hu_offset": off}}))
    cap = float(r.uniform(25, 60))
    cases.append((f"capping {cap:.0f} HU", "shift",
                  {"artifacts": [dict(kind="capping", amplitude_hu=cap)]}))
    for _ in range(3):
        s = float(r.uniform(1.0, 1.6))
        cases.append((f"blur PSF {s:.2f} mm", "blur",
                      {"scanner": {"psf": "gaussian", "psf_sigma_mm": s, "edge_overshoot": 0.0}}))
    cases.append(("OOD pixel 1.5 mm (256 matrix)", "not_applicable",
                  {"scanner": {"matrix": 256, "pixel_mm": 1.5, "supersample": 3}}))
    cases.append(("OOD elliptical body (x 1.4)", "not_applicable",
                  {"stretch": 1.4, "scanner": {"matrix": 512, "pixel_mm": 0.7,
                                               "centre_offset_mm": (0.0, 0.0)}}))
    return cases


# --- the projection-domain simulator ------------------------------------------------------


def _sim_series(seed: int, spec: dict) -> tuple[Callable, dict]:
    rng = np.random.default_rng(seed)
    thick = float(rng.choice([1.0, 2.0, 3.0, 5.0]))
    kw = dict(matrix=512, fov_mm=float(rng.uniform(220, 400)), slice_thickness_mm=thick,
              psf_sigma_mm=float(rng.uniform(0.3, 0.6)),
              noise_sd_hu=float(rng.uniform(4, 14)),
              noise_kernel=str(rng.choice(["smooth", "standard", "sharp"])),
              roll_deg=float(rng.uniform(-40, 40)),
              centre_offset_mm=tuple(float(v) for v in rng.uniform(-8, 8, 2)),
              hu_offset=float(rng.uniform(-3, 3)), seed=seed % 2 ** 31)
    kw.update(spec.get("params", {}))

    def make() -> tuple[np.ndarray, float, np.ndarray, float]:
        from app.ct.simulator import ArtifactSpec, SimParams, simulate_series

        arts = tuple(ArtifactSpec(**a) for a in spec.get("artifacts", ()))
        sim = simulate_series(SimParams(phantom="catphan504", artifacts=arts, **kw))
        return (sim.volume.astype(np.float32), sim.pixel_mm,
                np.asarray(sim.slice_positions_mm, float), thick)

    facts = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in kw.items()}
    facts["artifacts"] = spec.get("artifacts", [])
    return make, facts


def _sim_cases() -> list[tuple[str, str, dict]]:
    r = np.random.default_rng(SEED_BASE + 1)
    cases: list[tuple[str, str, dict]] = [(f"clean {i + 1}", "normal", {}) for i in range(4)]
    for _ in range(2):
        a, rad = float(r.uniform(8, 40)), float(r.uniform(15, 85))
        cases.append((f"ring {a:.0f} HU r{rad:.0f}", "ring",
                      {"artifacts": [dict(kind="ring", amplitude_hu=a, radius_mm=rad)]}))
    a = float(r.uniform(40, 150))
    cases.append((f"streak {a:.0f} HU", "streak",
                  {"artifacts": [dict(kind="streak", amplitude_hu=a,
                                      angle_deg=float(r.uniform(0, 180)))]}))
    a = float(r.uniform(40, 150))
    cases.append((f"streak {a:.0f} HU", "streak",
                  {"artifacts": [dict(kind="streak", amplitude_hu=a,
                                      angle_deg=float(r.uniform(0, 180)))]}))
    for rows in ((30,), (22, 23)):
        a = float(r.uniform(6, 25))
        cases.append((f"band {a:.0f} HU on {len(rows)} slice(s)", "band",
                      {"params": {"slice_thickness_mm": 2.0},
                       "artifacts": [dict(kind="band", amplitude_hu=a, slices=rows)]}))
    a = float(r.uniform(25, 60))
    cases.append((f"cupping {a:.0f} HU", "shift",
                  {"artifacts": [dict(kind="cupping", amplitude_hu=a)]}))
    a = float(r.uniform(30, 60))
    cases.append((f"noise +{a:.0f} HU", "noise",
                  {"params": {"noise_sd_hu": a}}))
    return cases


def wide_series(split: str = "all") -> list[WideSeries]:
    """The wide evaluation set (``split``: dev, check or all)."""
    return assemble(_img_cases(), _sim_cases(), SEED_BASE, 100, split)


def assemble(img_cases: list, sim_cases: list, seed_base: int, sim_offset: int, split: str,
             numbered: bool = False) -> list[WideSeries]:
    """Cases of both renderers as series: alternate cases of a renderer and class go to the
    development and the check half; seed = ``seed_base`` (+ ``sim_offset`` for the
    simulator) + the case's number; ``numbered``: abnormal names get "#k" within their class."""
    out: list[WideSeries] = []
    seen: dict[tuple[str, str], int] = {}
    for renderer, cases in (("img", img_cases), ("sim", sim_cases)):
        for n, (name, truth, spec) in enumerate(cases):
            key = (renderer, truth)
            half = "dev" if seen.get(key, 0) % 2 == 0 else "check"
            seen[key] = seen.get(key, 0) + 1
            seed = seed_base + (sim_offset if renderer == "sim" else 0) + n
            if renderer == "img":
                make, facts = _img_band(seed, spec) if "band_hu" in spec else \
                    _img_series(seed, truth, spec)
            else:
                make, facts = _sim_series(seed, spec)
            label = f"{name} #{seen[key]}" if numbered and truth != "normal" else name
            if split in ("all", half):
                out.append(WideSeries(f"{renderer} {label}", truth, renderer, half, seed,
                                      make, facts))
    return out


def _img_band(seed: int, spec: dict) -> tuple[Callable, dict]:
    """A band series: the banded rows are the window's middle slice(s)."""
    rows_n = int(spec["band_rows"])
    s = dict(spec)
    n = _img_series(seed, "band", s)[1]["n_slices"]     # the same draw as below
    rows = tuple(range(n // 2, n // 2 + rows_n))
    s["band"] = (float(spec["band_hu"]), rows)
    make, facts = _img_series(seed, "band", s)
    facts["band"] = [round(float(spec["band_hu"]), 1), list(rows)]
    return make, facts
