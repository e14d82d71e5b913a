"""False-ring rate and detection of the edge-ring rule (app/ct/ai/edge_ring.py) on the
stored training grids (3-slice stacks of both renderers; a check, not a fit):

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python models/training/edge_ring_check.py /tmp/ai16/data \
        sim_heldout img_heldout sim_edgeheldout img_edgeheldout sim_centred img_centred [--max 400]

Per set: the normals (clean slices, every kernel, offset and pixel size the set drew) that
the rule calls ring, the largest z / amplitude among them, and the rings it finds by
their drawn radius (the image renderer's facts carry it).

    ... edge_ring_check.py --sweep      # detection vs ring amplitude at r = 90-99 mm
    ... edge_ring_check.py --sweep-sim  # the same on the projection-domain simulator

(the image-domain renderer, 3 slices of 512 x 0.5 mm, noise 10 HU, 0.8 mm rings, smooth
and edge-enhancing kernels, the phantom on the rotation centre and 6 mm off it)."""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ct.ai import edge_ring as er  # noqa: E402
from app.ct.ai.normalise import grid_rotation_centre  # noqa: E402


def _scanner(f: dict) -> tuple[int, float]:
    sc = f.get("scanner") or (f.get("params") or {})
    return int(sc["matrix"]), float(sc["pixel_mm"])


def run(root: Path, name: str, limit: int) -> dict:
    x = np.load(root / f"{name}.x.npy", mmap_mode="r")
    d = np.load(root / f"{name}.npz")
    facts = json.loads((root / f"{name}.facts.json").read_text())
    y, ctx = d["y"], d["ctx"]
    out: dict = {"set": name}
    t_slice = 0.0
    n_slice = 0
    for cls, lab in ((0, "normal"), (1, "ring")):
        idx = np.nonzero(y == cls)[0][:limit]
        rows = []
        for i in idx:
            m, px = _scanner(facts[i])
            rc = grid_rotation_centre(m, px)
            t0 = time.perf_counter()
            packs = np.stack([er.slice_profiles(np.asarray(x[i, k], np.float32), rc, 0.0,
                                                m * px / 2.0) for k in range(3)])
            t_slice += time.perf_counter() - t0
            n_slice += 3
            res = er.series_ring(packs, np.full(3, 10.0 * math.exp(float(ctx[i, 0]))))
            r_true = facts[i].get("ring_r")
            rows.append((res, r_true, facts[i].get("ring_hu")))
        called = [r for r, _, _ in rows if r is not None and r.ring]
        out[lab] = {"n": len(rows), "called_ring": len(called)}
        if lab == "normal":
            zs = sorted(((r.z, r.amp_sd, r.amplitude_hu, r.radius_mm, r.test)
                         for r, _, _ in rows if r is not None), key=lambda t: -t[1] * (t[0] >= er.Z_MIN))
            out[lab]["worst"] = [tuple(round(float(v), 2) if not isinstance(v, str) else v
                                       for v in t) for t in zs[:5]]
        else:
            shell = [(r, rt, a) for r, rt, a in rows if rt is not None and rt >= 85]
            out[lab]["r>=85 drawn"] = len(shell)
            out[lab]["r>=85 called"] = sum(1 for r, _, _ in shell if r is not None and r.ring)
            out[lab]["r>=85 detail"] = [(round(rt, 1), round(a, 1), r.ring, round(r.radius_mm, 1),
                                         round(r.z, 1), round(r.amp_sd, 2)) for r, rt, a in shell
                                        if r is not None]
    out["ms_per_slice"] = round(1000 * t_slice / max(n_slice, 1), 3)
    return out


def sweep(amps: tuple[float, ...] = (10, 20, 40, 80, 150, 300),
          radii: tuple[float, ...] = (90, 92, 94, 95, 96, 97, 98, 99)) -> dict:
    from dataclasses import replace

    from app.ct.ai.normalise import slice_facts
    from app.ct.image_renderer import RenderArtifact, RenderParams
    from app.ct.image_renderer.series import render_volume

    base = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=10.0,
                        psf_sigma_mm=0.4, n_slices=3, z_start_mm=-70.0)
    kinds = {"smooth, centred": dict(), "edge kernel, centred": dict(psf="edge", edge_overshoot=0.4),
             "smooth, 6 mm off": dict(centre_offset_mm=(4.8, 3.6)),
             "edge kernel, 6 mm off": dict(psf="edge", edge_overshoot=0.4,
                                          centre_offset_mm=(4.8, 3.6))}
    out: dict = {}
    for kind, kw in kinds.items():
        rows = {}
        for r in radii:
            row = []
            for k, a in enumerate(amps):
                p = replace(base, seed=int(1000 + 10 * r + k), artifacts=(
                    RenderArtifact("ring", float(a), radius_mm=float(r), width_mm=0.8),), **kw)
                vol, _ = render_volume(p)
                rc = grid_rotation_centre(vol.shape[1], p.pixel_mm)
                fs = [slice_facts(s_, p.pixel_mm) for s_ in vol]
                packs = np.stack([er.slice_profiles(f.grid, rc, f.noise_native,
                                                    p.matrix * p.pixel_mm / 2.0) for f in fs])
                res = er.series_ring(packs, packs[:, er.NOISE])
                row.append((bool(res is not None and res.ring),
                            round(res.z, 1) if res else 0.0, round(res.amp_sd, 1) if res else 0.0))
            rows[f"r{r:g}"] = row
            print(f"{kind:22s} r {r:g}", " ".join(f"{a:g}:{'R' if d[0] else '-'}({d[1]},{d[2]})"
                                                for a, d in zip(amps, row)), flush=True)
        out[kind] = rows
    return {"amplitudes_hu": list(amps), "detected": out}


def sweep_sim(amps: tuple[float, ...] = (20, 40, 80, 150, 300),
              radii: tuple[float, ...] = (90, 94, 95, 96, 97, 98, 99)) -> dict:
    """The same on the projection-domain simulator (a bad detector channel through FBP),
    250 mm field, 512 matrix, noise 10 HU, standard / sharp kernel, centred / 6 mm off."""
    from app.ct.ai.normalise import slice_facts
    from app.ct.simulator import ArtifactSpec, SimParams, simulate_series

    out: dict = {}
    for kernel in ("standard", "sharp"):
        for off in ((0.0, 0.0), (4.8, 3.6)):
            kind = f"sim {kernel}, {'centred' if off == (0.0, 0.0) else '6 mm off'}"
            rows = {}
            for r in (None, *radii):
                row = []
                for k, a in enumerate(amps if r is not None else (0.0,)):
                    arts = (ArtifactSpec(kind="ring", amplitude_hu=float(a), radius_mm=r),) \
                        if r is not None else ()
                    sim = simulate_series(SimParams(
                        phantom="catphan504", artifacts=arts, matrix=512, fov_mm=250.0,
                        slice_thickness_mm=2.0, n_slices=3, psf_sigma_mm=0.45,
                        noise_sd_hu=10.0, noise_kernel=kernel, centre_offset_mm=off,
                        seed=100 + k + int(r or 0)))
                    vol, px = sim.volume.astype(np.float32), sim.pixel_mm
                    rc = grid_rotation_centre(vol.shape[1], px)
                    fs = [slice_facts(s_, px) for s_ in vol]
                    packs = np.stack([er.slice_profiles(f.grid, rc, f.noise_native,
                                                        vol.shape[1] * px / 2.0) for f in fs])
                    res = er.series_ring(packs, packs[:, er.NOISE])
                    row.append((bool(res is not None and res.ring),
                                round(res.z, 1) if res else 0.0,
                                round(res.amp_sd, 1) if res else 0.0))
                rows["clean" if r is None else f"r{r:g}"] = row
                print(f"{kind:22s} {'clean' if r is None else f'r {r:g}'}",
                      " ".join(f"{'R' if d[0] else '-'}({d[1]},{d[2]})" for d in row), flush=True)
            out[kind] = rows
    return {"amplitudes_hu": list(amps), "detected": out}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("root", type=Path, nargs="?")
    p.add_argument("sets", nargs="*")
    p.add_argument("--sweep", action="store_true", help="detection vs amplitude at 90-99 mm")
    p.add_argument("--sweep-sim", action="store_true", help="the same on the simulator")
    p.add_argument("--max", type=int, default=400, help="samples per class and set")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args()
    if a.sweep or a.sweep_sim:
        r = sweep() if a.sweep else sweep_sim()
        if a.json:
            a.json.write_text(json.dumps(r, indent=1) + "\n")
        return
    res = []
    for s in a.sets:
        r = run(a.root, s, a.max)
        res.append(r)
        print(json.dumps(r), flush=True)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
