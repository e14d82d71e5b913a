"""Issue 16 check on a third, clean-room renderer (renderer_r3): generate a named set of
CatPhan 504 series and run on each the AI image check exactly as
`pharos ai classify DIR --no-store --json OUT` and the CT QC physics as
`pharos qc analyze DIR --json OUT` (both as subprocesses of this interpreter, `-m app`),
then print a table and write a JSON.

    PYTHONPATH=$PWD .venv/bin/python -m models.training.eval_r3 [--out /tmp/r3/series]
        [--only NAME ...] [--json OUT.json] [--models-dir DIR] [--regen]

OK rule (issue 16, "Done when"): clean -> series class normal and >= 95 % of the judged slices
normal; ring / streak / band / noise -> series class equals the truth; every series whose
physics verdict is FAIL -> the AI never says normal. Cupping, CT-number shift and blur have
no series-class requirement in the issue: their "class = truth" column is informative.
Nothing here is tuned: the renderer's settings are this script's own choice, stated in the
truth.json of every series.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from models.training.renderer_r3 import SeriesConfig, render_series

EVERY = None
ISSUE_CLASSES = {"ring", "streak", "band", "noise"}


def series_set() -> list[SeriesConfig]:
    """The named set: the issue's table at 512 x 0.5 mm, 2 mm slices, plus faults the issue
    names and scanner variety (clean)."""
    S = SeriesConfig
    out = [
        S("clean_s1", seed=11), S("clean_s2", seed=12),
        S("clean_roll-12", seed=13, roll_deg=-12.0), S("clean_roll5", seed=14, roll_deg=5.0),
        S("clean_roll30", seed=15, roll_deg=30.0),
        S("clean_1mm", seed=16, thickness_mm=1.0, spacing_mm=1.0, z_from=-70.0, z_to=36.0, noise_sd=14.0),
        S("ring40_r20", seed=21, ring=[{"amp": 40.0, "radius_mm": 20.0, "width_mm": 0.6}], truth_class="ring"),
        S("ring150_r55", seed=22, ring=[{"amp": 150.0, "radius_mm": 55.0, "width_mm": 0.6}], truth_class="ring"),
        S("ring15_r40", seed=23, ring=[{"amp": 15.0, "radius_mm": 40.0, "width_mm": 0.6}], truth_class="ring"),
        S("ring300_r95", seed=24, ring=[{"amp": 300.0, "radius_mm": 95.0, "width_mm": 0.6}], truth_class="ring"),
        S("arc80_r45_120deg", seed=25, ring=[{"amp": 80.0, "radius_mm": 45.0, "width_mm": 0.6, "arc_deg": 120.0,
                                             "arc_centre_deg": -60.0}], truth_class="ring"),
        S("streak60", seed=31, streaks=[{"amp": 60.0, "angle_deg": 30.0, "width_mm": 0.8}], truth_class="streak"),
        S("streak150", seed=32, streaks=[{"amp": 150.0, "angle_deg": 30.0, "width_mm": 0.8}], truth_class="streak"),
        S("streak300", seed=33, streaks=[{"amp": 300.0, "angle_deg": 30.0, "width_mm": 0.8}], truth_class="streak"),
        S("band_gain1.03_3sl", seed=41, band={"slices": [14, 15, 16], "gain": 1.03}, truth_class="band"),
        S("noise35", seed=51, noise_sd=35.0, truth_class="noise"),
        S("noise80", seed=52, noise_sd=80.0, truth_class="noise"),
        S("cupping40", seed=61, cupping_hu=40.0, truth_class="cupping"),
        S("shift+30", seed=62, shift_hu=30.0, truth_class="shift"),
        S("blur0.7", seed=63, blur_sigma_mm=0.7, truth_class="blur"),
        # scanner variety, all clean
        S("clean_edge_kernel", seed=71, kernel="edge", noise_sd=16.0),
        S("clean_0.35mm_1024", seed=72, matrix=1024, pixel_mm=0.35, noise_sd=14.0),
        S("clean_0.8mm_768", seed=73, matrix=768, pixel_mm=0.8, noise_sd=7.0),
        S("clean_5mm", seed=74, thickness_mm=5.0, spacing_mm=5.0, z_from=-85.0, z_to=45.0, noise_sd=6.3),
        S("clean_body+18", seed=75, body_offset_hu=18.0),
        S("clean_body-18", seed=76, body_offset_hu=-18.0),
        S("clean_centre(6,-4)", seed=77, centre_mm=(6.0, -4.0)),
        S("clean_slope0.5_int-1000", seed=78, rescale_slope=0.5, rescale_intercept=-1000.0),
    ]
    return out


def diagnosis_set() -> list[SeriesConfig]:
    """Variants of failing clean series with one phantom or renderer property changed, to say
    what the AI reacts to (not a tuning set: nothing is fitted to them)."""
    from dataclasses import replace
    base = {c.name: c for c in series_set()}
    return [
        replace(base["clean_s1"], name="diag_s1_rect_ssp", ssp_sigma_mm=0.0),
        replace(base["clean_roll30"], name="diag_roll30_no_spheres", spheres=False),
        replace(base["clean_1mm"], name="diag_1mm_no_spheres", spheres=False),
        replace(base["clean_0.35mm_1024"], name="diag_0.35mm_no_spheres", spheres=False),
        replace(base["clean_edge_kernel"], name="diag_edge_no_spheres_rect_ssp", spheres=False, ssp_sigma_mm=0.0),
    ]


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def ai_check(series_dir: Path, out_json: Path, models_dir: str | None) -> dict:
    args = ["ai", "classify", str(series_dir), "--no-store", "--json", str(out_json)]
    if models_dir:
        args += ["--models-dir", models_dir]
    p = _run(args, 600)
    if not out_json.exists():
        return {"error": (p.stderr or p.stdout)[-400:], "rc": p.returncode}
    return json.loads(out_json.read_text())


def physics(series_dir: Path, out_json: Path) -> dict:
    p = _run(["qc", "analyze", str(series_dir), "--json", str(out_json), "--quiet"], 600)
    if not out_json.exists():
        return {"error": (p.stderr or p.stdout)[-400:], "rc": p.returncode}
    return json.loads(out_json.read_text())


def summarise(cfg: SeriesConfig, ai: dict, qc: dict) -> dict:
    row: dict = {"series": cfg.name, "truth": cfg.truth_class}
    if "error" in ai:
        row.update(ai_class="ERROR", ai_error=ai["error"])
    else:
        images = ai.get("images", [])
        counts: dict[str, int] = {}
        for im in images:
            counts[im["class"]] = counts.get(im["class"], 0) + 1
        judged = len(images)
        row.update(ai_class=ai.get("series_class") or "", applicable=ai.get("applicable"),
                   not_applicable_reason=ai.get("not_applicable_reason", ""), flagged=ai.get("flagged"),
                   slice_counts=dict(sorted(counts.items(), key=lambda kv: -kv[1])), judged=judged,
                   normal_fraction=round(counts.get("normal", 0) / judged, 3) if judged else None,
                   ai_notes=ai.get("notes", []))
    if "error" in qc:
        row.update(physics="ERROR", physics_error=qc["error"])
    else:
        fails = [m["key"] for m in qc.get("measurements", []) if m.get("verdict") == "FAIL"]
        arts = [_finding(a) for a in qc.get("artifacts", [])]
        row.update(physics=qc.get("verdict"), physics_fails=fails, physics_artifacts=arts,
                   physics_notes=qc.get("notes", []))
    row["ok"], row["why"] = verdict_ok(row)
    row["class_equals_truth"] = row.get("ai_class") == row["truth"]
    return row


def _finding(a: dict) -> str:
    loc = a.get("location", {})
    text = f"{a.get('type', '?')} {a.get('amplitude_hu', 0):+.0f} HU"
    if "radius_mm" in loc:
        text += f" r{loc['radius_mm']:.0f}"
    if "angle_deg" in loc:
        text += f" {loc['angle_deg']:.0f}deg"
    if "slice_range" in loc:
        text += f" sl {loc['slice_range'][0]}-{loc['slice_range'][1]}"
    return text + ("" if a.get("verdict") in (None, "FAIL") else f" ({a['verdict']})")


def verdict_ok(row: dict) -> tuple[bool, str]:
    ai, truth = row.get("ai_class"), row["truth"]
    if ai in (None, "ERROR"):
        return False, "AI check did not run"
    if row.get("physics") == "FAIL" and ai == "normal":
        return False, "physics FAIL but AI normal"
    if truth == "normal":
        if ai != "normal":
            return False, f"clean series called {ai or 'not applicable'}"
        if (row.get("normal_fraction") or 0) < 0.95:
            return False, f"only {row['normal_fraction']:.0%} of slices normal"
        return True, ""
    if truth in ISSUE_CLASSES:
        return (ai == truth), ("" if ai == truth else f"{truth} series called {ai or 'not applicable'}")
    return True, ("" if ai == truth else f"(no requirement) called {ai or 'not applicable'}")


def table(rows: list[dict]) -> str:
    head = "| series | truth | AI series class | slice labels | normal frac | OK? | physics | physics findings |"
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        labels = ", ".join(f"{k} {v}" for k, v in r.get("slice_counts", {}).items())
        ai = r.get("ai_class") or ("not applicable: " + r.get("not_applicable_reason", "")[:40])
        finds = "; ".join(r.get("physics_artifacts", []) + [f"FAIL {k}" for k in r.get("physics_fails", [])])
        nf = r.get("normal_fraction")
        ok = "yes" if r["ok"] else f"**NO** ({r['why']})"
        if r["ok"] and r["why"]:
            ok = f"yes {r['why']}"
        lines.append(f"| {r['series']} | {r['truth']} | {ai} | {labels} | {'' if nf is None else f'{nf:.2f}'} | "
                     f"{ok} | {r.get('physics', '')} | {finds or '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="issue 16 check on renderer_r3 series")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "r3" / "series")
    ap.add_argument("--only", nargs="*", help="series names to run (default: all)")
    ap.add_argument("--json", type=Path, help="write the rows here")
    ap.add_argument("--models-dir", help="passed to `ai classify --models-dir` (default: the registry's)")
    ap.add_argument("--set", choices=("main", "diagnosis"), default="main",
                    help="the issue's set (main) or the diagnosis variants of its failing clean series")
    ap.add_argument("--regen", action="store_true", help="render again even if the series is there")
    a = ap.parse_args(argv)
    rows = []
    t_all = time.time()
    for cfg in series_set() if a.set == "main" else diagnosis_set():
        if a.only and cfg.name not in a.only:
            continue
        d = a.out / cfg.name
        t0 = time.time()
        truth_file = d / "truth.json"
        same = truth_file.exists() and json.loads(truth_file.read_text())["config"] == json.loads(
            json.dumps(asdict(cfg)))
        if a.regen or not same:
            for f in d.glob("*.dcm") if d.exists() else []:
                f.unlink()
            render_series(cfg, d)
        t1 = time.time()
        ai = ai_check(d, a.out / f"{cfg.name}.ai.json", a.models_dir)
        qc = physics(d, a.out / f"{cfg.name}.qc.json")
        row = summarise(cfg, ai, qc)
        row["render_s"], row["check_s"] = round(t1 - t0, 1), round(time.time() - t1, 1)
        rows.append(row)
        print(f"{cfg.name:28s} truth {cfg.truth_class:8s} AI {row.get('ai_class')!s:10s} "
              f"normal {row.get('normal_fraction')} physics {row.get('physics')} ok {row['ok']} "
              f"({row['render_s']} + {row['check_s']} s)", flush=True)
    print()
    print(table(rows))
    n_ok = sum(r["ok"] for r in rows)
    print(f"\n{n_ok} of {len(rows)} series OK ({time.time() - t_all:.0f} s)")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"rows": rows, "ok": n_ok, "n": len(rows)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
