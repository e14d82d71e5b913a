"""The "loro" series set: enough whole series per class for a per-class series figure of
the leave-one-renderer-out models (issue 16; run by ``eval_ai_series.py --loro DIR``).

The wide set (series_wide.py, 46 series) has 1-8 series per renderer and class: too few
for "series right / total" per class to mean anything. This set draws more, with the
SAME generators (series_wide's scanners, windows, artifacts, NPS, padding, integer HU),
from its own seeds (``LORO_SEED_BASE`` = 926,000 + case number; the wide set's are
916,000-916,200, the training's 0 .. ~60,000), and was fixed here before any LORO
model was run on it. The wide set is unchanged.

Per renderer and class (``COUNTS``; the image renderer's series are windows of at most
24 slices, the simulator's whole 1-5 mm series - both a few seconds to render and run on
the shared cores, ~10 min for the whole set and two models per renderer):

* clean: the normal class's noise 4-14 HU;
* ring: image renderer 8-60 HU at 8-90 mm, every fifth at the shell (20-200 HU at
  93-97 mm), widths 0.5-2 mm (as the wide set); simulator 8-40 HU at 15-85 mm;
* streak: image renderer 40-250 HU, one or two lines; simulator 40-150 HU;
* band: 6-30 HU (image) / 6-25 HU (simulator) on one or two adjacent slices (alternating),
  before the noise; half of the image renderer's next to a module boundary;
* noise: 30-90 HU (image) / 30-60 HU (simulator);
* shift: calibration offset +-15-40 HU, cupping 25-60 HU, capping 25-60 HU (image; in
  turn), offset or cupping (simulator);
* blur: Gaussian PSF 1.0-1.6 mm (MTF50 below the blur class's 1.97 lp/cm).

Split as the wide set: within each (renderer, class) the first, third, ... series are the
DEVELOPMENT half, the second, fourth, ... the CHECK half.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from series_wide import WideSeries, _near_boundary, assemble

LORO_SEED_BASE = 926_000
COUNTS = {"img": {"normal": 12, "ring": 10, "streak": 10, "band": 10, "noise": 8,
                  "shift": 9, "blur": 8},
          "sim": {"normal": 10, "ring": 8, "streak": 8, "band": 8, "noise": 6,
                  "shift": 6, "blur": 6}}


def _img_cases() -> list[tuple[str, str, dict]]:
    r = np.random.default_rng(LORO_SEED_BASE)
    n = COUNTS["img"]
    cases: list[tuple[str, str, dict]] = [(f"clean {i + 1}", "normal", {})
                                          for i in range(n["normal"])]
    for i in range(n["ring"]):
        shell = i % 5 == 4
        a = float(r.uniform(20, 200) if shell else r.uniform(8, 60))
        rad = float(r.uniform(93, 97) if shell else r.uniform(8, 90))
        w = float(r.uniform(0.5, 2.0))
        cases.append((f"ring {a:.0f} HU r{rad:.0f}", "ring",
                      {"artifacts": [dict(kind="ring", amplitude_hu=a, radius_mm=rad,
                                          width_mm=w)]}))
    for _ in range(n["streak"]):
        a = float(r.uniform(40, 250))
        n_st = int(r.integers(1, 3))
        arts = [dict(kind="streak", amplitude_hu=a, angle_deg=float(r.uniform(0, 180)),
                     width_mm=float(r.uniform(0.8, 3.0)),
                     through_mm=tuple(float(v) for v in r.uniform(-8, 8, 2)))
                for _ in range(n_st)]
        cases.append((f"streak {a:.0f} HU x{n_st}", "streak", {"artifacts": arts}))
    for i in range(n["band"]):
        a = float(r.uniform(6, 30)) * (1 if r.random() < 0.6 else -1)
        rows_n = 1 + i % 2
        boundary = (i // 2) % 2 == 1
        spec: dict[str, Any] = {"band_rows": rows_n, "band_hu": a}
        if boundary:
            spec["window"] = _near_boundary(rows_n)
        cases.append((f"band {a:+.0f} HU {rows_n} slice{'s' if rows_n > 1 else ''}"
                      f"{' at a boundary' if boundary else ''}", "band", spec))
    for _ in range(n["noise"]):
        sd = float(r.uniform(30, 90))
        cases.append((f"noise {sd:.0f} HU", "noise", {"noise_sd": sd}))
    for i in range(n["shift"]):
        kind = ("offset", "cupping", "capping")[i % 3]
        if kind == "offset":
            off = float(r.uniform(15, 40)) * (1 if r.random() < 0.5 else -1)
            cases.append((f"CT-number shift {off:+.0f} HU", "shift",
                          {"scanner": {"hu_offset": off}}))
        else:
            a = float(r.uniform(25, 60))
            cases.append((f"{kind} {a:.0f} HU", "shift",
                          {"artifacts": [dict(kind=kind, amplitude_hu=a)]}))
    for _ in range(n["blur"]):
        s = float(r.uniform(1.0, 1.6))
        cases.append((f"blur PSF {s:.2f} mm", "blur",
                      {"scanner": {"psf": "gaussian", "psf_sigma_mm": s,
                                   "edge_overshoot": 0.0}}))
    return cases


def _sim_cases() -> list[tuple[str, str, dict]]:
    r = np.random.default_rng(LORO_SEED_BASE + 1)
    n = COUNTS["sim"]
    cases: list[tuple[str, str, dict]] = [(f"clean {i + 1}", "normal", {})
                                          for i in range(n["normal"])]
    for _ in range(n["ring"]):
        a, rad = float(r.uniform(8, 40)), float(r.uniform(15, 85))
        cases.append((f"ring {a:.0f} HU r{rad:.0f}", "ring",
                      {"artifacts": [dict(kind="ring", amplitude_hu=a, radius_mm=rad)]}))
    for _ in range(n["streak"]):
        a = float(r.uniform(40, 150))
        cases.append((f"streak {a:.0f} HU", "streak",
                      {"artifacts": [dict(kind="streak", amplitude_hu=a,
                                          angle_deg=float(r.uniform(0, 180)))]}))
    for i in range(n["band"]):
        a = float(r.uniform(6, 25))
        k = int(r.integers(12, 56))
        rows = (k,) if i % 2 == 0 else (k, k + 1)
        cases.append((f"band {a:.0f} HU on {len(rows)} slice(s) at {k}", "band",
                      {"params": {"slice_thickness_mm": 2.0},
                       "artifacts": [dict(kind="band", amplitude_hu=a, slices=rows)]}))
    for _ in range(n["noise"]):
        a = float(r.uniform(30, 60))
        cases.append((f"noise +{a:.0f} HU", "noise", {"params": {"noise_sd_hu": a}}))
    for i in range(n["shift"]):
        if i % 2 == 0:
            a = float(r.uniform(25, 60))
            cases.append((f"cupping {a:.0f} HU", "shift",
                          {"artifacts": [dict(kind="cupping", amplitude_hu=a)]}))
        else:
            off = float(r.uniform(15, 40)) * (1 if r.random() < 0.5 else -1)
            cases.append((f"CT-number shift {off:+.0f} HU", "shift",
                          {"params": {"hu_offset": off}}))
    for _ in range(n["blur"]):
        s = float(r.uniform(1.0, 1.6))
        cases.append((f"blur PSF {s:.2f} mm", "blur", {"params": {"psf_sigma_mm": s}}))
    return cases


def loro_series(split: str = "all") -> list[WideSeries]:
    """The loro evaluation set (``split``: dev, check or all); abnormal names numbered
    "#k" within their class (unique)."""
    return assemble(_img_cases(), _sim_cases(), LORO_SEED_BASE, 10_000, split, numbered=True)
