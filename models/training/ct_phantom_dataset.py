"""Training / held-out data for the CT phantom image classifier, from the simulator.

Every sample is three adjacent slices (see app.ct.ai.preprocess)
rendered by the digital phantom simulator with a known class:

  normal  clean scan within the normal ranges of noise, blur, offset and roll
  ring    a bad detector channel: a full ring (r 10..95 mm) or an arc (180..300 degrees,
          r >= 15 mm) whose MEASURED amplitude (what the physics ring detector reports:
          radial profile over the covered angles, on the 256 x 256 input) is 3..25 HU and
          at least the physics detection criterion for this noise (z > 6 ring / 7 arc
          over three slices, see ring_detection_floor); 3 HU = the ring warning level,
          and a 6 HU action-level ring on a 512 matrix measures ~3.5 HU at 256 x 256
  streak  photon starvation streaks, 30..150 HU
  band    a detector-row gain mismatch on the centre slice (70 %) or on it and one
          neighbour, whose MEASURED amplitude (what the physics band detector reports: the
          median of a 15 mm central disc minus its value without the band, on the centre
          slice) is 3..30 HU (held-out 3.5..28); 3 HU = the physics band action level
  noise   noise SD 24..45 HU (normal: 4..14 HU)
  shift   CT-number shift of 12..40 HU (either sign)
  blur    PSF sigma 0.95..1.6 mm (normal: 0.3..0.65 mm)

The held-out set uses other seeds and slightly different parameter ranges (another
phantom mix, larger offsets/rolls, other thicknesses) so it measures generalisation.
The training set has twice as many normal and ring samples as the other classes
(``train_extra``: normal and ring samples 1400..2799 of the same seed sequence).
Samples are stored at the model's input size, 256 x 256 (float16, uncompressed .npy:
a faint ring is one pixel wide, so nothing is pooled away before the network).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ct.phantoms import load_phantom  # noqa: E402
from app.ct.simulator import ArtifactSpec, SimParams, simulate_series  # noqa: E402
from app.ct.simulator.artifacts import ring_image  # noqa: E402
from app.ct.simulator.params import NOISE_KERNELS  # noqa: E402
from app.ct.simulator.series import make_grid, phantom_centre_at  # noqa: E402
from app.ct.ai.preprocess import CLASSES, stack_neighbours  # noqa: E402

TRAIN_PHANTOMS = ("catphan504", "catphan604", "acr464", "vendor_water")
HELDOUT_PHANTOMS = ("catphan504", "catphan600", "acr464", "vendor_water")


def _ranges(heldout: bool) -> dict:
    if heldout:  # shifted ranges: different seeds AND parameters
        return dict(offset=22.0, roll=40.0, thick=(0.8, 5.0), noise=(5.0, 13.0),
                    sigma=(0.33, 0.62), ring=(3.0, 21.0), ring_r=(12.0, 93.0),
                    streak=(35.0, 140.0),
                    band=(3.5, 28.0), xnoise=(26.0, 42.0), shift=(13.0, 38.0),
                    blur=(1.0, 1.55), hu_offset=(-3.0, 3.0))
    return dict(offset=18.0, roll=30.0, thick=(1.0, 5.0), noise=(4.0, 14.0),
                sigma=(0.3, 0.65), ring=(3.0, 25.0), ring_r=(10.0, 95.0),
                streak=(30.0, 150.0),
                band=(3.0, 30.0), xnoise=(24.0, 45.0), shift=(12.0, 40.0),
                blur=(0.95, 1.6), hu_offset=(-4.0, 4.0))


# The ring label follows the physics ring detector (app/ct/analysis/
# artifacts.py: rings: |z| > 6 and |amplitude| > 2 HU; arcs: in 45-degree sectors at
# r >= 15 mm, |z| > 7 and |amplitude| > 3 HU; amplitude = radial profile about the
# rotation centre minus baseline, over the covered angles). A sample is labelled "ring"
# only when the detector would still see it in the network's own input (three slices
# at 256 x 256), and never below the ring WARNING level (3 HU, limits.py): fainter rings
# are label noise, not rings.
RING_Z = {"ring": 6.0, "arc": 7.0}
RING_MIN_HU = {"ring": 2.0, "arc": 3.0}
ARC_MIN_RADIUS_MM = 15.0
SLICES_SEEN = 3


def ring_measured_amplitude(p: SimParams, spec: ArtifactSpec) -> float:
    """|Amplitude| the physics detector measures for ``spec`` on the simulated matrix: the
    peak over radius of the angular median of the ring image over its covered angles."""
    grid = make_grid(p)
    img, _ = ring_image(spec, p, grid, 0.0, 0.0)
    from scipy.ndimage import map_coordinates

    n_t = 720
    theta = np.arange(n_t) * 2 * np.pi / n_t
    radii = spec.radius_mm + np.arange(-3.0, 3.01, grid.pixel_mm / 4)
    xs = radii[:, None] * np.cos(theta)[None]
    ys = radii[:, None] * np.sin(theta)[None]
    prof = map_coordinates(img, [(ys - grid.y0) / grid.pixel_mm, (xs - grid.x0) / grid.pixel_mm],
                           order=1) * np.sign(spec.amplitude_hu)
    n_cov = max(1, int(round(n_t * spec.coverage_deg / 360.0)))
    covered = -np.sort(-prof, axis=1)[:, :n_cov]          # the covered angles: the strongest
    return float(np.median(covered, axis=1).max())


def ring_detection_floor(p: SimParams, spec: ArtifactSpec) -> float:
    """The faintest ring (measured HU) the physics criterion sees in SLICES_SEEN slices with
    this noise: z * SE of the angular mean along the ring (noise correlation length from
    the reconstruction kernel's NPS peak)."""
    kind = "ring" if spec.coverage_deg >= 300 else "arc"
    px = p.fov_mm / p.matrix
    corr_mm = max(1.5 * px, 0.5 / NOISE_KERNELS[p.noise_kernel][0])
    arc_mm = 2 * np.pi * spec.radius_mm * spec.coverage_deg / 360.0
    n_indep = SLICES_SEEN * max(1.0, arc_mm / corr_mm)
    return float(max(RING_MIN_HU[kind], RING_Z[kind] * p.noise_sd_hu / np.sqrt(n_indep)))


# The band label follows the physics band detector (app/ct/analysis/
# artifacts.py: bands: median HU of a 15 mm disc about the phantom centre, per slice, minus
# a running median along z; FAIL above 3 HU). The simulator's band is a row-gain error that
# scales attenuation (water moves by the nominal amplitude, denser centres by more), so the
# nominal amplitude is set from the amplitude that detector would measure on the centre slice.
BAND_DISC_MM = 15.0


def band_measured_amplitude(p: SimParams) -> float:
    """HU the physics band detector measures on the centre slice per 1 HU nominal band:
    central-disc median of a noise-free render with a band minus the same without."""
    clean = replace(p, noise_sd_hu=0.0, artifacts=())
    probe = replace(clean, artifacts=(ArtifactSpec("band", 1000.0, slices=(1,)),))
    a, b = simulate_series(clean), simulate_series(probe)
    grid = make_grid(p)
    cx, cy = phantom_centre_at(p, float(a.slice_positions_mm[1]))
    col, row = (cx - grid.x0) / grid.pixel_mm, (cy - grid.y0) / grid.pixel_mm
    yy, xx = np.mgrid[0:grid.ny, 0:grid.nx]
    disc = (yy - row) ** 2 + (xx - col) ** 2 <= (BAND_DISC_MM / grid.pixel_mm) ** 2
    return float(np.median(b.volume[1][disc]) - np.median(a.volume[1][disc])) / 1000.0


def sample_spec(label: str, seed: int, heldout: bool = False) -> SimParams:
    """The simulator parameters of one sample (deterministic in ``seed``)."""
    rng = np.random.default_rng(seed)
    r = _ranges(heldout)
    phantoms = HELDOUT_PHANTOMS if heldout else TRAIN_PHANTOMS
    ph = load_phantom(phantoms[int(rng.integers(len(phantoms)))])
    module = ph.modules[int(rng.integers(len(ph.modules)))]
    lo, hi = module.z_extent_mm
    thick = float(rng.uniform(*r["thick"]))
    margin = min(thick * 1.6, (hi - lo) / 2 - 0.1)
    z = float(rng.uniform(lo + margin, hi - margin))
    ang = rng.uniform(0, 2 * np.pi)
    # phantoms are laser-positioned: half the scans within 3 mm of the isocentre (where
    # the phantom's own circles are concentric with the rotation centre, like a ring)
    off = rng.uniform(0, 3.0) if rng.random() < 0.5 else rng.uniform(3.0, r["offset"])
    params = dict(
        phantom=ph.name, matrix=256, fov_mm=float(rng.uniform(230, 270)),
        slice_thickness_mm=thick, n_slices=3, z_range_mm=(z - thick, z + thick),
        centre_offset_mm=(off * np.cos(ang), off * np.sin(ang)),
        roll_deg=float(rng.uniform(-r["roll"], r["roll"])),
        psf_sigma_mm=float(rng.uniform(*r["sigma"])),
        noise_sd_hu=float(rng.uniform(*r["noise"])),
        noise_kernel=str(rng.choice(["smooth", "standard", "sharp"])),
        hu_offset=float(rng.uniform(*r["hu_offset"])), seed=int(seed))
    arts: list[ArtifactSpec] = []
    sign = 1.0 if rng.random() < 0.5 else -1.0
    if label == "ring":
        full = rng.random() < 0.7
        radius = float(rng.uniform(*r["ring_r"])) if full else \
            float(rng.uniform(max(ARC_MIN_RADIUS_MM, r["ring_r"][0]), r["ring_r"][1]))
        shape = ArtifactSpec("ring", 1.0, radius_mm=radius,
                             coverage_deg=360.0 if full else float(rng.uniform(180, 300)),
                             start_deg=float(rng.uniform(0, 360)))
        probe = SimParams(**params)
        floor = ring_detection_floor(probe, shape)
        target = float(rng.uniform(max(r["ring"][0], floor), max(r["ring"][1], floor + 1.0)))
        unit = ring_measured_amplitude(probe, shape)
        arts.append(replace(shape, amplitude_hu=sign * target / unit))
    elif label == "streak":
        arts.append(ArtifactSpec("streak", float(rng.uniform(*r["streak"])),
                                 angle_deg=float(rng.uniform(0, 180)),
                                 views=int(rng.integers(1, 5))))
    elif label == "band":
        # down to the physics band ACTION level (3 HU, factory limits); a row-gain error
        # hits one slice or two adjacent ones (then the centre differs from one neighbour)
        rows = (1,) if rng.random() < 0.7 else ((1, 2) if rng.random() < 0.5 else (0, 1))
        target = float(rng.uniform(*r["band"]))         # measured HU, as the physics sees it
        unit = band_measured_amplitude(SimParams(**params))
        arts.append(ArtifactSpec("band", sign * target / unit, slices=rows))
    elif label == "noise":
        params["noise_sd_hu"] = float(rng.uniform(*r["xnoise"]))
    elif label == "shift":
        params["hu_offset"] = sign * float(rng.uniform(*r["shift"]))
    elif label == "blur":
        params["psf_sigma_mm"] = float(rng.uniform(*r["blur"]))
    elif label != "normal":
        raise ValueError(label)
    return SimParams(artifacts=tuple(arts), **params)


def make_sample(label: str, seed: int, heldout: bool = False) -> np.ndarray:
    series = simulate_series(sample_spec(label, seed, heldout))
    return stack_neighbours(series.volume, 1).astype(np.float16)   # (3, 256, 256)


def _work(args: tuple) -> tuple[int, np.ndarray]:
    i, label, seed, heldout = args
    return i, make_sample(label, seed, heldout)


def sample_seed(seed0: int, label: str, k: int) -> int:
    """Seed of the k-th sample of a class (classes 1,000,003 seeds apart)."""
    return seed0 + CLASSES.index(label) * 1_000_003 + k


def build(per_class: dict[str, range], seed0: int, heldout: bool, out: Path,
          workers: int = 2, only: str | None = None) -> None:
    """Write a data set: for each class the samples k in ``per_class[label]``;
    ``only`` regenerates one class in an existing set of the same layout."""
    jobs: list[tuple[int, str, int, bool]] = []
    for label, ks in per_class.items():
        jobs += [(len(jobs) + n, label, sample_seed(seed0, label, k), heldout)
                 for n, k in enumerate(ks)]
    if only:
        x = np.load(out.with_suffix(".x.npy"), mmap_mode="r+")
        assert x.shape[0] == len(jobs), "regenerate a class only with the same sizes"
    else:
        x = np.lib.format.open_memmap(out.with_suffix(".x.npy"), mode="w+",
                                      dtype=np.float16, shape=(len(jobs), 3, 256, 256))
    y = np.array([CLASSES.index(j[1]) for j in jobs], np.int64)
    seeds = np.array([j[2] for j in jobs], np.int64)
    if only:
        jobs = [j for j in jobs if j[1] == only]
    t0 = time.time()
    with mp.Pool(workers) as pool:
        for n, (i, arr) in enumerate(pool.imap_unordered(_work, jobs, chunksize=16)):
            x[i] = arr
            if n % 500 == 0:
                print(f"  {n}/{len(jobs)} samples, {time.time() - t0:.0f} s", flush=True)
    x.flush()
    np.savez(out, y=y, seeds=seeds, classes=np.array(CLASSES), seed0=seed0, heldout=heldout)
    print(f"wrote {out}: {len(jobs)} samples in {time.time() - t0:.0f} s")


TRAIN_SEED0, HELDOUT_SEED0 = 1_000, 900_000_000
EXTRA_CLASSES = ("normal", "ring")   # the pair that is hardest to tell apart


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train-per-class", type=int, default=1400)
    p.add_argument("--extra-per-class", type=int, default=1400,
                   help="further normal and ring training samples (train_extra set)")
    p.add_argument("--heldout-per-class", type=int, default=400)
    p.add_argument("--out-dir", type=Path, default=ROOT / "build" / "ai_data")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--only", choices=CLASSES, help="regenerate one class in place")
    p.add_argument("--sets", default="train,extra,heldout",
                   help="comma-separated subset of train, extra, heldout")
    a = p.parse_args()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    n_tr, n_x = a.train_per_class, a.extra_per_class
    sets = {
        "train": ({c: range(n_tr) for c in CLASSES}, TRAIN_SEED0, False),
        "extra": ({c: range(n_tr, n_tr + n_x) for c in EXTRA_CLASSES}, TRAIN_SEED0, False),
        "heldout": ({c: range(a.heldout_per_class) for c in CLASSES}, HELDOUT_SEED0, True),
    }
    names = {"train": "train", "extra": "train_extra", "heldout": "heldout"}
    for key in a.sets.split(","):
        per_class, seed0, heldout = sets[key]
        if a.only and a.only not in per_class:
            continue
        build(per_class, seed0, heldout, a.out_dir / f"{names[key]}.npz", a.workers, a.only)


if __name__ == "__main__":
    main()
