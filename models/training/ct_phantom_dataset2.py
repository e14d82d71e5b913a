"""Data for the CT phantom classifier 2.0: two renderers, domain-randomised scanners.

    nice -n 10 .venv/bin/python models/training/ct_phantom_dataset2.py --renderer sim
    nice -n 10 .venv/bin/python models/training/ct_phantom_dataset2.py --renderer img
    nice -n 10 .venv/bin/python models/training/ct_phantom_dataset2.py --renderer r3
    ... --recipe 2.5     # + small spheres and band-pass MTF boosts (ai_variety.py)
    ... --recipe 2.7     # 2.5 + rings 0.5-2 mm wide (sim: groups of 2-3 channels), one
                         # in five strong (25-300 HU), half the img streaks starvation fans
    ... --recipe 2.8     # 2.7 + arcs of 90-300 deg instead of 180-300 (every renderer)
    ... --recipe 2.9     # 2.8 + one img / r3 phantom in three with a 2-8 mm housing wall

Renderer ``sim``: the CT QC station's digital phantom simulator
(app/ct/simulator: analytic rendering, projection-domain ring / streak /
cupping, detector-row bands). Renderer ``img``: the independent image-domain CatPhan
renderer (app/ct/image_renderer, written by the CT QC station). Renderer ``r3``: the
clean-room frequency-domain renderer (models/training/renderer_r3, r3_adapter.py: its own
kernels, NPS and artifacts, noise included). sim and img render noise-free
at the scanner's NATIVE pixel and matrix; models/training/ai_domain.py then adds what a
scanner varies (kernel, NPS, body offsets, padding, integers). Every sample is stored
as the classifier sees it (app/ct/ai/normalise.py: 1 mm grid, 3
slices, float16) plus its physical context vector.

Classes (the physics' definitions, measured where the physics measures them):
  normal  clean; noise 4..14 HU native SD; MTF50 >= that of a 0.65 mm Gaussian PSF
  ring    measured amplitude 3..25 HU and >= the physics detection floor (3 slices)
  streak  30..150 HU photon-starvation streaks
  band    measured central-disc step 3..30 HU on the centre slice (or it + a neighbour)
  noise   native SD 24..100 HU (log-uniform; renderer img: 24..45)
  shift   CT-number calibration offset 12..40 HU (air and water move), or cupping /
          capping 12..60 HU (the uniformity FAIL the physics sees)
  blur    system MTF50 <= that of a 0.95 mm Gaussian PSF
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))

import ai_domain as dom  # noqa: E402
from ai_variety import add_spheres, sphere_chance  # noqa: E402
from app.ct.ai.normalise import N_CONTEXT, prepare  # noqa: E402
from app.ct.ai.preprocess import CLASSES  # noqa: E402
from app.ct.ai_classes import BAND_CLASS_MIN_HU, NOISE_CLASS_MIN_SD_HU  # noqa: E402

TRAIN_PHANTOMS = ("catphan504", "catphan604", "acr464", "vendor_water")
HELDOUT_PHANTOMS = ("catphan504", "catphan600", "acr464", "vendor_water")


def _ranges(heldout: bool) -> dict:
    if heldout:
        return dict(offset=22.0, roll=40.0, ring=(3.0, 21.0), ring_r=(12.0, 93.0),
                    streak=(35.0, 140.0), band=(3.5, 28.0), xnoise=(26.0, 90.0),
                    shift=(13.0, 38.0), cup=(15.0, 55.0))
    return dict(offset=18.0, roll=30.0, ring=(3.0, 25.0), ring_r=(10.0, 95.0),
                streak=(30.0, 150.0), band=(BAND_CLASS_MIN_HU, 30.0),
                xnoise=(NOISE_CLASS_MIN_SD_HU, 100.0),
                shift=(12.0, 40.0), cup=(12.0, 60.0))


def _ring_floor(sc: "dom.Scanner", radius: float, coverage: float) -> float:
    """The faintest ring the physics criterion sees in 3 slices with this noise (see
    ct_phantom_dataset.ring_detection_floor; the correlation length from this NPS)."""
    kind = "ring" if coverage >= 300 else "arc"
    z = {"ring": 6.0, "arc": 7.0}[kind]
    arc_mm = 2 * np.pi * radius * coverage / 360.0
    n_indep = 3 * max(1.0, arc_mm / dom.noise_corr_mm(sc))
    return float(max({"ring": 2.0, "arc": 3.0}[kind], z * sc.noise_sd / np.sqrt(n_indep)))


def boundary_z(extents: list[tuple[float, float]], rng: np.random.Generator, thick: float
               ) -> float:
    """A slice position near the boundary of two modules (or a gap between them): the
    3-slice input straddles modules with different structure and body values."""
    ext = sorted(extents)
    bounds = [0.5 * (a[1] + b[0]) for a, b in zip(ext[:-1], ext[1:])]
    return float(bounds[int(rng.integers(len(bounds)))] + rng.uniform(-1.5, 1.5) * thick)


RECIPES = ("2.0", "2.5", "2.7", "2.8", "2.9")   # each adds to the one before


def since(recipe: str, first: str) -> bool:
    """Does ``recipe`` include what ``first`` added?"""
    return RECIPES.index(recipe) >= RECIPES.index(first)


def variety_rng(seed: int, recipe: str) -> np.random.Generator | None:
    """Recipe 2.5's own random stream (spheres, MTF boost: ai_variety); None for 2.0."""
    return np.random.default_rng([seed, 25]) if since(recipe, "2.5") else None


def rings_2_7(recipe: str) -> bool:
    """Recipe 2.7's rings and streaks (widths, strong rings, starvation fans)."""
    return since(recipe, "2.7")


def arc_from_deg(recipe: str) -> float:
    """The shortest arc a ring-class sample draws (its coverage is uniform up to 300 deg).
    Recipe 2.8: 90 deg - a channel that fails for a quarter of the rotation; before, 180
    (2.7's candidate c3 called a 90 deg, 100 HU arc "uncertain", docs/image_review.md).
    The same random draw: only the arcs' coverage (and the floor / amplitude drawn from
    it) changes, every other sample stays bit for bit."""
    return 90.0 if since(recipe, "2.8") else 180.0


def housing_wall_mm(seed: int, recipe: str) -> float | None:
    """Recipe 2.9: one img / r3 phantom in three gets a housing wall of 2-8 mm (uniform;
    the outer radius stays), from a stream of its own ([seed, 29]) so that every other
    sample is 2.8's bit for bit; None: the renderer's own wall (img 3 mm, r3 2.5 mm).
    Why: left out, the simulator's vendor water phantom (a 5 mm wall; the others draw
    3 mm) had its normals called streak (d3: 47 % of them); the same slices with a 3 mm
    wall were normal (docs/image_review.md, "Recipe 2.9"). Plants' phantoms have walls of
    2-8 mm; the simulator keeps its phantom definitions (3 and 5 mm)."""
    if not since(recipe, "2.9"):
        return None
    s = np.random.default_rng([seed, 29])
    return float(s.uniform(2.0, 8.0)) if s.random() < 1.0 / 3.0 else None


def render_sim(label: str, seed: int, heldout: bool, recipe: str = "2.0"
               ) -> tuple[np.ndarray, float, dict]:
    """Renderer 'sim': native 3-slice volume (HU), pixel size, sample facts."""
    from app.ct.phantoms import load_phantom
    from app.ct.simulator import ArtifactSpec, SimParams, simulate_series
    from ct_phantom_dataset import band_measured_amplitude, ring_measured_amplitude
    from image_renderer_adapter import strong_ring

    rng = np.random.default_rng(seed)
    r = _ranges(heldout)
    edge = label == "normal@edge"
    centred = label == "normal@centred"     # phantom circles concentric with the rotation
    label = "normal" if (edge or centred) else label
    var = variety_rng(seed, recipe)
    sc = dom.draw_scanner(rng, label, heldout, var)
    phantoms = HELDOUT_PHANTOMS if heldout else TRAIN_PHANTOMS
    ph = load_phantom(phantoms[int(rng.integers(len(phantoms)))])
    module = ph.modules[int(rng.integers(len(ph.modules)))]
    lo, hi = module.z_extent_mm
    thick = sc.thickness_mm
    margin = min(thick * 1.6, (hi - lo) / 2 - 0.1)
    z = float(rng.uniform(lo + margin, hi - margin)) if hi - lo > 2 * margin else (lo + hi) / 2
    if edge:
        z = boundary_z([m.z_extent_mm for m in ph.modules], rng, thick)
    ang = rng.uniform(0, 2 * np.pi)
    off = rng.uniform(0, 3.0) if rng.random() < 0.5 else rng.uniform(3.0, r["offset"])
    if centred:
        off = rng.uniform(0.0, 1.0)
    params = dict(phantom=ph.name, matrix=sc.matrix, fov_mm=sc.fov_mm,
                  slice_thickness_mm=thick, n_slices=3, z_range_mm=(z - thick, z + thick),
                  centre_offset_mm=(off * np.cos(ang), off * np.sin(ang)),
                  roll_deg=float(rng.uniform(-r["roll"], r["roll"])),
                  psf_sigma_mm=sc.psf_sigma_mm, noise_sd_hu=0.0, seed=int(seed))
    arts = []
    sign = 1.0 if rng.random() < 0.5 else -1.0
    facts: dict = {}
    if label == "ring":
        full = rng.random() < 0.9     # arcs are back-projected view by view: fewer of them
        radius = float(rng.uniform(*r["ring_r"])) if full else \
            float(rng.uniform(max(15.0, r["ring_r"][0]), r["ring_r"][1]))
        cov = 360.0 if full else float(rng.uniform(arc_from_deg(recipe), 300))
        if not full:
            # an arc is back-projected view by view (the simulator's cost ~ views x
            # pixels): keep the field, render it at ~0.95 mm pixels (the model's 1 mm grid)
            m = int(np.ceil(sc.fov_mm / 0.95 / 32)) * 32
            sc.pixel_mm, sc.matrix = sc.fov_mm / m, m
            params.update(matrix=m)
        shape = ArtifactSpec("ring", 1.0, radius_mm=radius, coverage_deg=cov,
                             start_deg=float(rng.uniform(0, 360)))
        floor = _ring_floor(sc, radius, cov)
        target = float(rng.uniform(max(r["ring"][0], floor), max(r["ring"][1], floor + 1.0)))
        if rings_2_7(recipe):
            target = strong_ring(seed, target)
        # one bad channel, or (recipe 2.7) two or three adjacent ones: rings from ~0.6 to
        # ~1.9 mm wide, as the image-domain renderers draw them
        n_ch = 1 if not rings_2_7(recipe) or rng.random() < 0.5 else int(rng.integers(2, 4))
        if n_ch > 1:
            pp = SimParams(**params)
            shape = replace(shape, width_mm=n_ch * pp.source_iso_mm
                            * np.sin(np.radians(pp.channel_pitch_deg)))
        unit = ring_measured_amplitude(SimParams(**params), shape)
        arts.append(replace(shape, amplitude_hu=sign * target / unit))
        facts.update(ring_hu=target, ring_r=radius, coverage=cov, ring_channels=n_ch)
    elif label == "streak":
        amp = float(rng.uniform(*r["streak"]))
        arts.append(ArtifactSpec("streak", amp, angle_deg=float(rng.uniform(0, 180)),
                                 views=int(rng.integers(1, 5))))
        facts.update(streak_hu=amp)
    elif label == "band":
        rows = (1,) if rng.random() < 0.7 else ((1, 2) if rng.random() < 0.5 else (0, 1))
        target = float(rng.uniform(*r["band"]))
        unit = band_measured_amplitude(SimParams(**params))
        arts.append(ArtifactSpec("band", sign * target / unit, slices=rows))
        facts.update(band_hu=sign * target)
    elif label == "noise":     # log-uniform up to 100 HU (an 80 HU scan is noise, not "unknown")
        sc.noise_sd = float(np.exp(rng.uniform(*np.log(r["xnoise"]))))
    elif label == "shift":
        if rng.random() < 0.7:
            sc.hu_offset = sign * float(rng.uniform(*r["shift"]))
        else:
            kind = "cupping" if rng.random() < 0.6 else "capping"
            arts.append(ArtifactSpec(kind, float(rng.uniform(*r["cup"]))))
            facts.update(cupping=kind)
    series = simulate_series(SimParams(artifacts=tuple(arts), **params))
    clean = series.volume
    if var is not None and var.random() < sphere_chance(module.id):

        psf = sc.psf_sigma_mm
        clean, spheres = add_spheres(
            clean, sc.pixel_mm, thick, var,
            lambda f: np.exp(-2 * np.pi ** 2 * psf ** 2 * f ** 2))
        facts.update(spheres=spheres)
    vol = dom.finish(clean, sc, rng)
    facts.update(scanner=asdict(sc), phantom=ph.name, module=module.id, boundary=edge,
                 mtf50=sc.mtf50_lp_cm())
    return vol, sc.pixel_mm, facts


def render_img(label: str, seed: int, heldout: bool, recipe: str = "2.0"
               ) -> tuple[np.ndarray, float, dict]:
    from image_renderer_adapter import render_sample   # models/training (after the merge)

    return render_sample(label, seed, heldout, variety_rng(seed, recipe),
                         recipe_2_7=rings_2_7(recipe), arc_from_deg=arc_from_deg(recipe),
                         wall_mm=housing_wall_mm(seed, recipe))


def render_r3(label: str, seed: int, heldout: bool, recipe: str = "2.0"
              ) -> tuple[np.ndarray, float, dict]:
    from r3_adapter import render_sample   # models/training: the third renderer

    return render_sample(label, seed, heldout, variety_rng(seed, recipe),
                         recipe_2_7=rings_2_7(recipe), arc_from_deg=arc_from_deg(recipe),
                         wall_mm=housing_wall_mm(seed, recipe))


RENDERERS = {"sim": render_sim, "img": render_img, "r3": render_r3}


def _work(args: tuple) -> tuple[int, np.ndarray, np.ndarray, str, dict]:
    i, renderer, label, seed, heldout, recipe = args
    vol, px, facts = RENDERERS[renderer](label, seed, heldout, recipe)
    x, ctx, problems = prepare(vol, px, [1])
    return i, x[0].astype(np.float16), ctx[0], problems[0], facts


def sample_seed(seed0: int, label: str, k: int) -> int:
    return seed0 + CLASSES.index(label.split("@")[0]) * 1_000_003 + k


def build(renderer: str, per_class: dict[str, range], seed0: int, heldout: bool, out: Path,
          workers: int, recipe: str = "2.0") -> None:
    jobs = []
    for label, ks in per_class.items():
        jobs += [(len(jobs) + n, renderer, label, sample_seed(seed0, label, k), heldout, recipe)
                 for n, k in enumerate(ks)]
    x = np.lib.format.open_memmap(out.with_suffix(".x.npy"), mode="w+", dtype=np.float16,
                                  shape=(len(jobs), 3, 256, 256))
    ctx = np.zeros((len(jobs), N_CONTEXT), np.float32)
    problems = [""] * len(jobs)
    facts: list[dict] = [{}] * len(jobs)
    t0 = time.time()
    with mp.Pool(workers) as pool:
        for n, (i, arr, c, prob, f) in enumerate(pool.imap_unordered(_work, jobs, chunksize=4)):
            x[i], ctx[i], problems[i], facts[i] = arr, c, prob, f
            if n % 200 == 0:
                print(f"  {renderer} {out.name}: {n}/{len(jobs)}, {time.time() - t0:.0f} s",
                      flush=True)
    x.flush()
    y = np.array([CLASSES.index(j[2].split("@")[0]) for j in jobs], np.int64)
    np.savez(out, y=y, ctx=ctx, seeds=np.array([j[3] for j in jobs]),
             problems=np.array(problems), classes=np.array(CLASSES), renderer=renderer,
             seed0=seed0, heldout=heldout, recipe=recipe)
    out.with_suffix(".facts.json").write_text(json.dumps(facts, default=float))
    drop_stale_caches(out, normals=True)
    print(f"wrote {out}: {len(jobs)} samples in {time.time() - t0:.0f} s "
          f"({sum(bool(p) for p in problems)} not applicable)", flush=True)


def _fact(f: dict, dotted: str) -> str:
    for k in dotted.split("."):
        f = f.get(k, {}) if isinstance(f, dict) else {}
    return str(f) if f != {} else ""


def drop_stale_caches(out: Path, normals: bool) -> list[Path]:
    """Remove what the training cached from a set's samples, after they changed: the
    evidence (``.ev*``), shell-step (``.sh*``) and ring-measure (``.rg*``) caches are
    keyed by the set's name only,
    and so are the augmented copies of its normals (``.aug_*``, only when normals
    changed). A symbolic link is removed, never what it points to. The front-end cache
    (``.fe*``) is keyed by the samples file itself and needs nothing."""
    name = out.name[:-len(".npz")]
    gone = [f for f in sorted(out.parent.glob(f"{name}.*.npz"))
            if f.name.startswith((f"{name}.ev", f"{name}.sh", f"{name}.rg"))
            or (normals and f.name.startswith(f"{name}.aug_"))]
    for f in gone:
        f.unlink()
    return gone


def patch(renderer: str, classes: tuple[str, ...], out: Path, workers: int,
          recipe: str, where: str = "", housing: bool = False) -> None:
    """Re-render only ``classes``' samples of an existing set in place (the same seeds,
    another recipe: e.g. 2.5 -> 2.7 changes only the rings; all classes when empty), and
    of those only the ones whose facts match ``where`` ("kernel.kind=edge": after a
    change to that kernel); the set then records ``recipe``. The other samples stay as
    they are, bit for bit. ``housing``: only the samples recipe 2.9 gives another housing
    wall (housing_wall_mm)."""
    with np.load(out) as z:
        old = {k: z[k] for k in z.files}
    if str(old["renderer"]) != renderer:
        raise SystemExit(f"{out} was rendered by {old['renderer']}, not {renderer}")
    facts = json.loads(out.with_suffix(".facts.json").read_text())
    heldout = bool(old["heldout"])
    negate = "!=" in where
    key, _, value = where.partition("!=" if negate else "=")
    idx = [i for i, c in enumerate(old["y"])
           if (not classes or CLASSES[int(c)] in classes)
           and (not where or (_fact(facts[i], key) == value) != negate)
           and (not housing or housing_wall_mm(int(old["seeds"][i]), recipe) is not None)]
    # the sets of normals at module edges / centred (main(): "edge", "edgeheldout", "centred")
    at = "@edge" if "_edge" in out.name else "@centred" if "_centred" in out.name else ""
    jobs = [(i, renderer, CLASSES[int(old["y"][i])] + at, int(old["seeds"][i]), heldout, recipe)
            for i in idx]
    x = np.load(out.with_suffix(".x.npy"), mmap_mode="r+")
    ctx, problems = old["ctx"].copy(), old["problems"].astype(object)
    t0 = time.time()
    with mp.Pool(workers) as pool:
        for n, (i, arr, c, prob, f) in enumerate(pool.imap_unordered(_work, jobs, chunksize=4)):
            x[i], ctx[i], problems[i], facts[i] = arr, c, prob, f
            if n % 200 == 0:
                print(f"  {renderer} {out.name} (patch): {n}/{len(jobs)}, "
                      f"{time.time() - t0:.0f} s", flush=True)
    x.flush()
    old.update(ctx=ctx, problems=np.array(problems.tolist()), recipe=recipe)
    np.savez(out, **old)
    out.with_suffix(".facts.json").write_text(json.dumps(facts, default=float))
    drop_stale_caches(out, normals=any(int(old["y"][i]) == 0 for i in idx))
    print(f"patched {out}: {len(jobs)} {'/'.join(classes) or 'all'} samples "
          f"{('where ' + where + ' ') if where else ''}re-rendered with recipe {recipe} in "
          f"{time.time() - t0:.0f} s", flush=True)


SEED0 = {"sim": (2_000, 910_000_000), "img": (3_000, 920_000_000), "r3": (4_000, 930_000_000)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--renderer", choices=sorted(RENDERERS), required=True)
    p.add_argument("--train-per-class", type=int, default=300)
    p.add_argument("--extra-normal-ring", type=int, default=150)
    p.add_argument("--heldout-per-class", type=int, default=100)
    p.add_argument("--out-dir", type=Path, default=Path("/tmp/ai16/data"))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--sets", default="train,heldout,edge,edgeheldout")
    p.add_argument("--edge-train", type=int, default=250)
    p.add_argument("--edge-heldout", type=int, default=60)
    p.add_argument("--recipe", choices=RECIPES, default="2.0",
                   help="2.5: + small spheres and band-pass MTF boosts (ai_variety.py); 2.7: "
                        "rings 0.5-2 mm, strong rings, starvation fans; 2.8: + arcs from 90 deg")
    p.add_argument("--patch-classes", default="",
                   help="comma-separated classes: re-render only their samples of the existing "
                        "sets in --out-dir (same seeds) with --recipe, in place")
    p.add_argument("--patch-housing", action="store_true",
                   help="re-render in place only the samples --recipe 2.9 gives another "
                        "housing wall (with --patch-classes: of those classes)")
    p.add_argument("--patch-where", default="",
                   help="FACT=VALUE or FACT!=VALUE (dotted, e.g. kernel.kind=edge, "
                        "coverage!=360.0): re-render in place only the samples whose facts "
                        "say so (with --patch-classes: of those classes)")
    a = p.parse_args()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    if a.patch_classes or a.patch_where or a.patch_housing:
        classes = tuple(c for c in a.patch_classes.split(",") if c)
        for key in a.sets.split(","):
            patch(a.renderer, classes, a.out_dir / f"{a.renderer}_{key}.npz", a.workers,
                  a.recipe, a.patch_where, a.patch_housing)
        return
    s_train, s_ho = SEED0[a.renderer]
    n, x = a.train_per_class, a.extra_normal_ring
    per_train = {c: range(n + (x if c in ("normal", "ring") else 0)) for c in CLASSES}
    sets = {"train": (per_train, s_train, False),
            "heldout": ({c: range(a.heldout_per_class) for c in CLASSES}, s_ho, True),
            # normal slices whose neighbours lie in the next module (boundaries)
            "edge": ({"normal@edge": range(a.edge_train)}, s_train + 500_000, False),
            "edgeheldout": ({"normal@edge": range(a.edge_heldout)}, s_ho + 500_000, True),
            # normal slices of a phantom within 1 mm of the isocentre (its insert circle
            # is then concentric with the rotation centre, like a ring)
            "centred": ({"normal@centred": range(a.edge_train)}, s_train + 700_000, False)}
    for key in a.sets.split(","):
        per, s0, ho = sets[key]
        build(a.renderer, per, s0, ho, a.out_dir / f"{a.renderer}_{key}.npz", a.workers,
              a.recipe)


if __name__ == "__main__":
    main()
