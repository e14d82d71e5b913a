"""Training / held-out data for the CT phantom image classifier, from the simulator.

Every sample is three adjacent slices (see station_plugins.image_review.preprocess)
rendered by the digital phantom simulator with a known class:

  normal  clean scan within the normal ranges of noise, blur, offset and roll
  ring    a bad detector channel: a full ring 12..40 HU or an arc (180..300 degrees)
          of 16..40 HU - the range where the physics ring detector still sees it
  streak  photon starvation streaks, 30..150 HU
  band    a detector-row gain mismatch on the centre slice, 8..30 HU
  noise   noise SD 24..45 HU (normal: 4..14 HU)
  shift   CT-number shift of 12..40 HU (either sign)
  blur    PSF sigma 0.95..1.6 mm (normal: 0.3..0.65 mm)

The held-out set uses other seeds and slightly different parameter ranges (another
phantom mix, larger offsets/rolls, other thicknesses) so it measures generalisation.
Samples are stored at the model's input size, 256 x 256 (float16, uncompressed .npy:
a faint ring is one pixel wide, so nothing is pooled away before the network).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from station_plugins.ct_qc.phantoms import load_phantom  # noqa: E402
from station_plugins.ct_qc.simulator import ArtifactSpec, SimParams, simulate_series  # noqa: E402
from station_plugins.image_review.preprocess import CLASSES, stack_neighbours  # noqa: E402

TRAIN_PHANTOMS = ("catphan504", "catphan604", "acr464", "vendor_water")
HELDOUT_PHANTOMS = ("catphan504", "catphan600", "acr464", "vendor_water")


def _ranges(heldout: bool) -> dict:
    if heldout:  # shifted ranges: different seeds AND parameters
        return dict(offset=22.0, roll=40.0, thick=(0.8, 5.0), noise=(5.0, 13.0),
                    sigma=(0.33, 0.62), ring=(14.0, 36.0), streak=(35.0, 140.0),
                    band=(9.0, 28.0), xnoise=(26.0, 42.0), shift=(13.0, 38.0),
                    blur=(1.0, 1.55), hu_offset=(-3.0, 3.0))
    return dict(offset=18.0, roll=30.0, thick=(1.0, 5.0), noise=(4.0, 14.0),
                sigma=(0.3, 0.65), ring=(12.0, 40.0), streak=(30.0, 150.0),
                band=(8.0, 30.0), xnoise=(24.0, 45.0), shift=(12.0, 40.0),
                blur=(0.95, 1.6), hu_offset=(-4.0, 4.0))


def make_sample(label: str, seed: int, heldout: bool = False) -> np.ndarray:
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
        lo_amp, hi_amp = r["ring"]
        amp = rng.uniform(lo_amp, hi_amp) if full else rng.uniform(lo_amp + 4.0, hi_amp)
        arts.append(ArtifactSpec("ring", sign * amp,
                                 radius_mm=float(rng.uniform(10, 95)),
                                 coverage_deg=360.0 if full else float(rng.uniform(180, 300)),
                                 start_deg=float(rng.uniform(0, 360))))
    elif label == "streak":
        arts.append(ArtifactSpec("streak", float(rng.uniform(*r["streak"])),
                                 angle_deg=float(rng.uniform(0, 180)),
                                 views=int(rng.integers(1, 5))))
    elif label == "band":
        arts.append(ArtifactSpec("band", sign * rng.uniform(*r["band"]), slices=(1,)))
    elif label == "noise":
        params["noise_sd_hu"] = float(rng.uniform(*r["xnoise"]))
    elif label == "shift":
        params["hu_offset"] = sign * float(rng.uniform(*r["shift"]))
    elif label == "blur":
        params["psf_sigma_mm"] = float(rng.uniform(*r["blur"]))
    elif label != "normal":
        raise ValueError(label)
    series = simulate_series(SimParams(artifacts=tuple(arts), **params))
    return stack_neighbours(series.volume, 1).astype(np.float16)   # (3, 256, 256)


def _work(args: tuple) -> tuple[int, np.ndarray]:
    i, label, seed, heldout = args
    return i, make_sample(label, seed, heldout)


def build(n_per_class: int, seed0: int, heldout: bool, out: Path, workers: int = 2,
          only: str | None = None) -> None:
    """Write the data set; ``only`` regenerates one class in an existing set."""
    jobs = []
    for ci, label in enumerate(CLASSES):
        for k in range(n_per_class):
            jobs.append((len(jobs), label, seed0 + ci * 1_000_003 + k, heldout))
    if only:
        x = np.load(out.with_suffix(".x.npy"), mmap_mode="r+")
        assert x.shape[0] == len(jobs), "regenerate a class only with the same sizes"
    else:
        x = np.lib.format.open_memmap(out.with_suffix(".x.npy"), mode="w+",
                                      dtype=np.float16, shape=(len(jobs), 3, 256, 256))
    y = np.array([CLASSES.index(j[1]) for j in jobs], np.int64)
    if only:
        jobs = [j for j in jobs if j[1] == only]
    t0 = time.time()
    with mp.Pool(workers) as pool:
        for n, (i, arr) in enumerate(pool.imap_unordered(_work, jobs, chunksize=16)):
            x[i] = arr
            if n % 500 == 0:
                print(f"  {n}/{len(jobs)} samples, {time.time() - t0:.0f} s", flush=True)
    x.flush()
    np.savez(out, y=y, classes=np.array(CLASSES), seed0=seed0, heldout=heldout)
    print(f"wrote {out}: {len(jobs)} samples in {time.time() - t0:.0f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train-per-class", type=int, default=1400)
    p.add_argument("--heldout-per-class", type=int, default=400)
    p.add_argument("--out-dir", type=Path, default=ROOT / "build" / "ai_data")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--only", choices=CLASSES, help="regenerate one class in place")
    a = p.parse_args()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    build(a.train_per_class, 1_000, False, a.out_dir / "train.npz", a.workers, a.only)
    build(a.heldout_per_class, 900_000_000, True, a.out_dir / "heldout.npz", a.workers, a.only)


if __name__ == "__main__":
    main()
