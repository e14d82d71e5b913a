"""Side-by-side benchmark: Pharos CT QC engine vs pylinac CatPhan504 on the same simulated series.

Run through ``benchmarks/ct_qc/run.sh`` (it creates pylinac's own virtual environment).
Prints one table: seconds per series (DICOM folder -> result, both tools), the speed
ratio, errors against the simulator's ground truth (HU, MTF50, slice thickness, noise)
and which artifacts each tool reports.

pylinac finds the phantom roll from the two air regions of CTP404 (the air insert and the
empty vial at +90 degrees of a real CatPhan 504); the benchmark therefore renders a variant
of ``catphan504`` with that empty vial added (the station's analysis still uses the stock
``catphan504`` definition).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ct.analysis import analyze_series  # noqa: E402
from app.ct.dicom_load import load_series  # noqa: E402
from app.ct.simulator import (ArtifactSpec, SimParams, simulate_series,  # noqa: E402
                                             write_dicom_series)

PYLINAC_PY = ROOT / "benchmarks/.venvs/pylinac/bin/python"
RUNNER = Path(__file__).with_name("pylinac_runner.py")
INSERTS = {"air": "air", "pmp": "pmp", "ldpe": "ldpe", "polystyrene": "poly", "acrylic": "acrylic",
           "delrin": "delrin", "teflon": "teflon"}
CASES = [
    ("clean 68x2mm", dict(), None),
    ("clean 215x0.625mm", dict(slice_thickness_mm=0.625, n_slices=215, helical=True), None),
    ("ring 20 HU", dict(artifacts=(ArtifactSpec("ring", 20.0, radius_mm=40.0),)), "ring"),
    ("cupping 40 HU", dict(artifacts=(ArtifactSpec("cupping", 40.0),)), "cupping"),
    ("streak 60 HU", dict(artifacts=(ArtifactSpec("streak", 60.0, angle_deg=30.0),)), "streak"),
]


def pylinac_phantom(tmp: Path) -> str:
    d = json.loads((ROOT / "resources/phantoms/catphan504.json").read_text())
    mod = next(m for m in d["modules"] if m["id"] == "CTP404")
    mod["inserts"].append({"name": "vial_air", "angle_deg": 90, "radius_mm": 58.7, "diameter_mm": 12.2,
                           "nominal_hu": -1000, "material": "air (empty vial)"})
    d["name"] = "catphan504_pylinac"
    path = tmp / "catphan504_pylinac.json"
    path.write_text(json.dumps(d))
    return str(path)


def ours(folder: Path, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        series = load_series(folder)
        result = analyze_series(series, phantom="catphan504", profile="factory_simct_120kv")
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def theirs(folder: Path) -> dict:
    if not PYLINAC_PY.exists():
        return {"ok": False, "error": "pylinac venv missing (run benchmarks/ct_qc/run.sh)"}
    p = subprocess.run([str(PYLINAC_PY), "-W", "ignore", str(RUNNER), str(folder)],
                       capture_output=True, text=True, timeout=900)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "error": (p.stderr or p.stdout)[-400:]}


def fmt(v: object, spec: str = ".2f") -> str:
    return "-" if v is None else format(v, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of our engine per series")
    ap.add_argument("--keep", type=Path, help="keep the generated series in this folder")
    args = ap.parse_args()
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="ctqc-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    phantom = pylinac_phantom(tmp)
    rows = []
    for k, (name, kw, expect) in enumerate(CASES):
        folder = tmp / f"case{k}"
        sim = simulate_series(SimParams(phantom=phantom, matrix=512, seed=100 + k, **kw))
        write_dicom_series(sim, folder)
        if k == 0:
            ours(folder, 1)  # warm-up (imports, caches)
        t_ours, r = ours(folder, args.repeats)
        pl = theirs(folder)
        truth = sim.truth
        rendered = {i["name"]: i["rendered_hu"] for i in truth["features"]["CTP404"]["inserts"]}
        # inserts a streak crosses are SKIP (value None: the streak is the finding)
        hu_ours = statistics.mean(abs(r.value(f"ct_number.{n}") - rendered[n]) for n in INSERTS
                                  if r.value(f"ct_number.{n}") is not None)
        hu_pl = (statistics.mean(abs(pl["hu"][p] - rendered[n]) for n, p in INSERTS.items())
                 if pl.get("ok") else None)
        mtf_t = truth["mtf"]["mtf50_lp_cm"]
        rel = lambda v, t: None if v is None else 100 * abs(v - t) / t  # noqa: E731
        thk_t, sd_t = truth["slice_thickness_mm"], truth["noise"]["sd_hu"]
        found = sorted({a.type for a in r.artifacts}) or ["none"]
        pl_flags = [t for t in ("hu", "uniformity", "thickness", "geometry") if pl.get(f"{t}_passed") is False]
        rows.append({
            "case": name, "ours_s": t_ours, "pylinac_s": pl.get("seconds") if pl.get("ok") else None,
            "hu_ours": hu_ours, "hu_pl": hu_pl,
            "mtf_ours": rel(r.value("mtf.mtf50"), mtf_t), "mtf_pl": rel(pl.get("mtf50_lp_cm"), mtf_t),
            "thk_ours": None if r.value("slice_thickness") is None else abs(r.value("slice_thickness") - thk_t),
            "thk_pl": None if pl.get("slice_thickness_mm") is None else abs(pl["slice_thickness_mm"] - thk_t),
            "sd_ours": rel(r.value("noise.sd"), sd_t), "sd_pl": rel(pl.get("noise_sd"), sd_t),
            "art_ours": ",".join(found), "art_pl": ("failed: " + ",".join(pl_flags)) if pl_flags else "none",
            "expect": expect or "none", "pl_error": pl.get("error"),
        })
        print(f"  done: {name}  ours {t_ours:.2f} s  pylinac {fmt(pl.get('seconds'))} s", file=sys.stderr)
    head = (f"{'series':20s} {'ours s':>7s} {'pylinac s':>9s} {'ratio':>6s} | {'HU err':>11s} | "
            f"{'MTF50 err %':>11s} | {'thick err mm':>12s} | {'noise err %':>11s} | "
            f"{'artifacts: expected / ours / pylinac'}")
    print(f"\nPharos CT QC vs pylinac CatPhan504 ({os.cpu_count()} CPUs; errors: ours/pylinac vs ground truth)")
    print(head)
    print("-" * len(head))
    for w in rows:
        ratio = None if w["pylinac_s"] is None else w["pylinac_s"] / w["ours_s"]
        print(f"{w['case']:20s} {w['ours_s']:7.2f} {fmt(w['pylinac_s']):>9s} {fmt(ratio, '.1f'):>6s} | "
              f"{fmt(w['hu_ours'])}/{fmt(w['hu_pl']):>5s} | {fmt(w['mtf_ours'], '.1f'):>5s}/{fmt(w['mtf_pl'], '.1f'):>5s} | "
              f"{fmt(w['thk_ours'], '.3f'):>6s}/{fmt(w['thk_pl'], '.3f'):>5s} | "
              f"{fmt(w['sd_ours'], '.1f'):>5s}/{fmt(w['sd_pl'], '.1f'):>5s} | "
              f"{w['expect']} / {w['art_ours']} / {w['art_pl']}")
        if w["pl_error"]:
            print(f"    pylinac error: {w['pl_error']}")
    (tmp / "bench_result.json").write_text(json.dumps(rows, indent=1))
    print(f"\nseries and bench_result.json in {tmp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
