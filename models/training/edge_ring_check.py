"""False-ring rate and detection of the edge-ring rule (app/ct/ai/edge_ring.py) on the
stored training grids (3-slice stacks of both renderers; a check, not a fit):

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python models/training/edge_ring_check.py /tmp/ai16/data \
        sim_heldout img_heldout sim_edgeheldout img_edgeheldout sim_centred img_centred [--max 400]

Per set: the normals (clean slices, every kernel, offset and pixel size the set drew) that
the rule calls ring, the largest z / amplitude among them, and the rings it finds by
their drawn radius (the image renderer's facts carry it)."""
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
            packs = np.stack([er.slice_profiles(np.asarray(x[i, k], np.float32), rc)
                              for k in range(3)])
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("root", type=Path)
    p.add_argument("sets", nargs="+")
    p.add_argument("--max", type=int, default=400, help="samples per class and set")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args()
    res = []
    for s in a.sets:
        r = run(a.root, s, a.max)
        res.append(r)
        print(json.dumps(r), flush=True)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
