"""Series-level checks of the classifier on images it was not made from (issue 16).

    .venv/bin/python models/training/eval_ai_series.py [--foreign DIR] [--update-card]
    .venv/bin/python models/training/eval_ai_series.py --wide all|dev|check --skip img,demo \
        [--json OUT]
    .venv/bin/python models/training/eval_ai_series.py --loro DIR [--foreign DIR] \
        [--loro-sets loro,wide,img,foreign] [--loro-split all|dev|check] [--json OUT]

1. the shared foreign sample (../shared/data/foreign_ct, unpacked into DIR: one folder
   per series) - checked, never tuned to;
2. the independent image-domain renderer (app/ct/image_renderer), full 2 mm CatPhan 504
   series at 512 x 512 like the issue's table: clean (seeds, rolls, 1 mm slices, a
   0.3 mm / 1024 matrix), rings, streaks, cupping, noise, a band, a CT-number shift;
3. the station's demo scanners (simulator, physics + hand-off as in the CT QC station):
   clean phantoms must be neither "uncertain" nor "disagree"; a physics FAIL is never
   called normal;
4. ``--wide``: the wider, seeded set of ``series_wide.py`` (both renderers, scanners and
   artifacts the training did not draw, a development and a check half, out-of-
   distribution series that must end "not applicable"), each series twice: as
   ``pharos ai classify`` runs it (every slice) and as the CT QC station hands it off
   (physics analysis, module slices, ``flag_reasons`` / ``ai_note``);
5. ``--loro DIR``: series-level leave-one-renderer-out - each series through the
   exported LORO model that never saw its renderer (loro_series_eval.py).

A series is "flagged with its class" when the series class (ai_check.AiResult.label)
is that class; "clean not flagged" needs the series normal AND >= 95 % of the judged
slices normal.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.adapters.inference import ModelRegistry  # noqa: E402
from app.paths import models_dir  # noqa: E402
from app.ct.ai.check import AiChecker  # noqa: E402

EXPECT_CLEAN = "normal"


def summarise(res, expected: str) -> dict:
    labels = [s.label for s in res.slices]
    counts = {lab: labels.count(lab) for lab in sorted(set(labels))}
    judged = [s for s in res.slices if s.label != "not_applicable"]
    normal_frac = sum(s.label == "normal" for s in judged) / max(len(judged), 1)
    if expected == "normal":
        ok = res.label == "normal" and normal_frac >= 0.95
    else:
        ok = res.label == expected
    return {"expected": expected, "series_class": res.label, "ok": bool(ok),
            "normal_fraction": round(normal_frac, 3), "slices": counts,
            "not_applicable_reason": res.not_applicable_reason,
            # the physics rules' series notes (e.g. the edge-ring rule's ai.edge_ring)
            "notes": [str(n) for n in res.notes]}


def foreign(checker: AiChecker, root: Path) -> dict:
    from app.ct.ai.modules import module_plateaus
    from app.ct.dicom_load import load_series

    out = {}
    for name, expected in (("clean", "normal"), ("ring", "ring"), ("streak", "streak")):
        folders = [p for p in (root / name).rglob("*") if p.is_dir()] or [root / name]
        s = load_series(folders[0], require_ct=True)
        # as `pharos ai classify` runs it: the modules localised for the band gate
        plateaus = module_plateaus(s.volume, s.slice_positions_mm, s.pixel_mm,
                                   s.slice_thickness_mm)
        out[name] = summarise(checker.classify(s.volume, pixel_mm=s.pixel_mm,
                                               module_plateaus=plateaus), expected)
    return out


def _band(vol: np.ndarray, hu: float, rows: tuple[int, ...]) -> np.ndarray:
    v = vol.copy()
    for k in rows:
        v[k] += np.float32(hu / 1010.0) * (v[k] + 1000.0) * (v[k] > -500)
    return v


def image_renderer_cases() -> list[tuple[str, str, Callable[[], tuple[np.ndarray, float]]]]:
    """(name, expected series class, make() -> (volume HU, pixel mm)) of the older
    image-renderer set."""
    from app.ct.image_renderer import RenderArtifact, RenderParams
    from app.ct.image_renderer.series import render_volume

    base = RenderParams(matrix=512, pixel_mm=0.5, slice_thickness_mm=2.0, noise_sd_hu=10.0,
                        psf_sigma_mm=0.4)
    ring = lambda a, r: (RenderArtifact("ring", a, radius_mm=r, width_mm=0.8),)  # noqa: E731
    streak = lambda a: (RenderArtifact("streak", a, angle_deg=35.0, width_mm=1.8),)  # noqa: E731
    cases = [
        ("clean seed 1", "normal", dict(seed=1)), ("clean seed 2", "normal", dict(seed=2)),
        ("clean roll -12", "normal", dict(seed=3, roll_deg=-12.0)),
        ("clean roll 30", "normal", dict(seed=4, roll_deg=30.0)),
        ("clean 1 mm slices", "normal", dict(seed=5, slice_thickness_mm=1.0)),
        ("clean 0.3 mm x 1024, edge kernel", "normal",
         dict(seed=6, matrix=1024, pixel_mm=0.3, psf="edge", edge_overshoot=0.4)),
        ("clean couch, 0.8 mm, noise 6", "normal",
         dict(seed=7, pixel_mm=0.8, couch=True, noise_sd_hu=6.0)),
        ("ring 40 HU r20", "ring", dict(seed=11, artifacts=ring(40.0, 20.0))),
        ("ring 150 HU r55", "ring", dict(seed=12, artifacts=ring(150.0, 55.0))),
        ("ring 15 HU r40", "ring", dict(seed=13, artifacts=ring(15.0, 40.0))),
        ("ring 300 HU r95", "ring", dict(seed=14, artifacts=ring(300.0, 95.0))),
        ("streak 60 HU", "streak", dict(seed=21, artifacts=streak(60.0))),
        ("streak 150 HU", "streak", dict(seed=22, artifacts=streak(150.0))),
        ("streak 300 HU", "streak", dict(seed=23, artifacts=streak(300.0))),
        ("cupping 40 HU", "shift", dict(seed=31, artifacts=(RenderArtifact("cupping", 40.0),))),
        ("noise 35 HU", "noise", dict(seed=41, noise_sd_hu=35.0)),
        ("noise 80 HU", "noise", dict(seed=42, noise_sd_hu=80.0)),
        ("CT-number shift +25 HU", "shift", dict(seed=51, hu_offset=25.0)),
        ("blur PSF 1.3 mm", "blur", dict(seed=61, psf_sigma_mm=1.3)),
    ]

    def rendered(p: RenderParams) -> Callable[[], tuple[np.ndarray, float]]:
        return lambda: (render_volume(p)[0], p.pixel_mm)

    out = [(name, expected, rendered(replace(base, **kw))) for name, expected, kw in cases]

    def banded() -> tuple[np.ndarray, float]:
        # a band: a detector-row gain error on two slices of the uniformity module (the
        # renderer has no bands; added before the noise as the simulator does)
        from scipy.ndimage import gaussian_filter

        from app.ct.image_renderer.render import slice_positions

        p = replace(base, seed=71, noise_sd_hu=0.0)
        clean, _ = render_volume(p)
        k = int(np.argmin(np.abs(slice_positions(p) - (-65.0))))     # CTP486, uniformity
        vol = _band(clean, 10.0, (k, k + 1))
        rng = np.random.default_rng(71)
        noise = np.stack([gaussian_filter(rng.standard_normal(vol.shape[1:]), 0.8)
                          for _ in range(len(vol))])
        return vol + (noise / noise.std() * 10.0).astype(np.float32), p.pixel_mm
    out.append(("band 10 HU on two slices", "band", banded))
    return out


def image_renderer(checker: AiChecker) -> dict:
    out = {}
    for name, expected, make in image_renderer_cases():
        vol, px = make()
        out[name] = summarise(checker.classify(vol, pixel_mm=px), expected)
        if expected != "band":
            print(f"  img  {name:34s} -> {out[name]['series_class']:15s} "
                  f"{'ok' if out[name]['ok'] else 'MISS'}  {out[name]['slices']}"
                  f"{'  ' + '; '.join(out[name]['notes']) if out[name]['notes'] else ''}", flush=True)
    return out


def wide(checker: AiChecker, split: str) -> dict:
    """The wide set (series_wide.py): the CLI path and the station's hand-off path."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from series_wide import wide_series

    from app.ct.ai.handoff import assessable_slices, physics_summary
    from app.ct.ai.modules import module_plateaus
    from app.ct.analysis import analyze_series
    from app.ct.dicom_load import LoadedSeries
    from app.ct.limits import load_profile
    from app.ct.review import ai_note, flag_reasons

    profile = load_profile("factory_simct_120kv")
    out = {}
    for case in wide_series(split):
        vol, px, pos, thick = case.render()
        # as `pharos ai classify` runs it: the modules localised for the band gate
        res = checker.classify(vol, pixel_mm=px,
                               module_plateaus=module_plateaus(vol, pos, px, thick))
        row = summarise(res, case.truth)
        ev = res.decision()[1].to_dict()
        row.update(renderer=case.renderer, split=case.split, seed=case.seed,
                   n_slices=int(len(vol)), facts=case.facts,
                   series_evidence=ev)
        try:
            phys = analyze_series(LoadedSeries.from_arrays(vol, px, pos, thick),
                                  phantom="catphan504", profile=profile)
            payload = json.loads(phys.to_json())
            idx = assessable_slices(payload, len(vol), pos)
            physics = physics_summary(payload)
            station = {"physics": physics["verdict"], "physics_failed": physics["failed"],
                       "physics_artifacts": sorted({a["type"] for a in physics["artifacts"]
                                                    if a["verdict"] in ("WARN", "FAIL")})}
            if idx:
                ai = checker.classify(vol, idx, pixel_mm=px).to_dict()
                station.update(ai=ai["label"], judged=len(idx),
                               reasons=flag_reasons(ai, physics), note=ai_note(ai, physics))
            else:
                station.update(ai=None, judged=0, reasons=[], note="no module localised")
        except Exception as exc:  # noqa: BLE001 - a series the physics refuses is a row too
            station = {"physics": f"error: {exc}", "ai": None}
        row["station"] = station
        out[case.name] = row
        print(f"  wide {case.split:5s} {case.name:40s} {len(vol):3d} sl -> "
              f"{row['series_class']:15s} {'ok' if row['ok'] else 'MISS'}  {row['slices']}"
              f"  | station {station.get('physics')} AI {station.get('ai')} "
              f"{station.get('reasons')}"
              f"{'  ' + '; '.join(row['notes']) if row['notes'] else ''}", flush=True)
    return out


def demo(checker: AiChecker) -> dict:
    """The station's demo scanners (3 x 5 days): physics + AI as the CT QC hand-off."""
    from app.ct.analysis import analyze_series
    from app.ct.dicom_load import LoadedSeries
    from app.ct.limits import load_profile
    from app.ct.simulator import simulate_series
    from app.ct.simulator.demo_scanner import DEFAULT_SCANNERS, demo_params
    from app.ct.ai.handoff import assessable_slices
    from app.ct.review import flag_reasons

    profile = load_profile("factory_simct_120kv")
    rows = []
    for i, serial in enumerate(DEFAULT_SCANNERS):
        for day in range(5):
            p = demo_params(serial, i, day, 5)
            sim = simulate_series(p)
            res = analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan504",
                                 profile=profile)
            payload = json.loads(res.to_json())
            idx = assessable_slices(payload, len(sim.volume), sim.slice_positions_mm)
            ai = checker.classify(sim.volume, idx, pixel_mm=sim.pixel_mm)
            phys = {"verdict": payload.get("verdict"),
                    "artifacts": [{"type": a.get("type"), "verdict": a.get("verdict")}
                                  for a in payload.get("artifacts", [])]}
            reasons = flag_reasons(ai.to_dict(), phys)
            rows.append({"serial": serial, "day": day,
                         "artifacts": [a.kind for a in p.artifacts],
                         "physics": phys["verdict"], "ai": ai.label,
                         "reasons": reasons,
                         "uncertain": ai.label == "uncertain" or "low_confidence" in reasons,
                         "disagree": "disagreement" in reasons,
                         "fail_called_normal": phys["verdict"] == "FAIL" and ai.label == "normal"})
            print(f"  demo {serial} day {day} {rows[-1]['artifacts']!s:12s} physics "
                  f"{phys['verdict']:5s} AI {ai.label:10s} {reasons}", flush=True)
    clean = [r for r in rows if not r["artifacts"]]
    return {"series": rows,
            "clean_series": len(clean),
            "clean_uncertain": sum(r["uncertain"] for r in clean),
            "clean_disagree": sum(r["disagree"] for r in clean),
            "physics_fail_series": sum(r["physics"] == "FAIL" for r in rows),
            "physics_fail_called_normal": sum(r["fail_called_normal"] for r in rows)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--foreign", type=Path, default=None,
                   help="folder with the unpacked foreign sample (clean/, ring/, streak/)")
    p.add_argument("--skip", default="", help="comma list of foreign,img,demo to skip")
    p.add_argument("--wide", choices=("dev", "check", "all"), default=None,
                   help="also run the wide seeded set of series_wide.py (that half)")
    p.add_argument("--json", type=Path, default=None, help="write the full results here")
    p.add_argument("--update-card", action="store_true")
    p.add_argument("--loro", type=Path, default=None, metavar="DIR",
                   help="series-level leave-one-renderer-out: run every series through the "
                        "LORO models exported into DIR (train_ct_phantom_classifier2.py "
                        "--loro-export DIR) that never saw its renderer (loro_series_eval.py)")
    p.add_argument("--loro-sets", default="loro,wide,img,foreign",
                   help="with --loro: comma list of loro,wide,img,foreign")
    p.add_argument("--loro-split", choices=("dev", "check", "all"), default="all",
                   help="with --loro: that half of the loro and wide sets")
    a = p.parse_args()
    if a.loro is not None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from loro_series_eval import run

        run(a.loro, set(a.loro_sets.split(",")), a.loro_split, a.foreign, a.json)
        return
    checker = AiChecker.from_registry(ModelRegistry(models_dir()))
    print(f"model {checker.onnx.card.model_id}", flush=True)
    skip = set(a.skip.split(","))
    t0 = time.time()
    out: dict = {}
    if a.foreign and "foreign" not in skip:
        out["foreign_sample"] = foreign(checker, a.foreign)
        for k, v in out["foreign_sample"].items():
            print(f"  foreign {k:8s} -> {v['series_class']:15s} {'ok' if v['ok'] else 'MISS'}"
                  f"  {v['slices']}", flush=True)
    if "img" not in skip:
        out["image_renderer_series"] = image_renderer(checker)
    if a.wide:
        out["wide_series"] = wide(checker, a.wide)
        w = out["wide_series"]
        for half in ("dev", "check"):
            rows = [v for v in w.values() if v["split"] == half]
            if rows:
                print(f"  wide {half}: {sum(v['ok'] for v in rows)} of {len(rows)} ok")
    if "demo" not in skip:
        out["demo_scanners"] = demo(checker)
        d = out["demo_scanners"]
        print(f"  demo: clean {d['clean_series']}, uncertain {d['clean_uncertain']}, "
              f"disagree {d['clean_disagree']}; physics FAIL {d['physics_fail_series']}, "
              f"called normal {d['physics_fail_called_normal']}")
    out["seconds"] = round(time.time() - t0, 1)
    print(json.dumps({k: ({n: v.get("ok") for n, v in d.items()} if isinstance(d, dict)
                          and k != "demo_scanners" else None) for k, d in out.items()
                      if k != "seconds"}, indent=1))
    if a.json:
        a.json.write_text(json.dumps(out, indent=1, default=str) + "\n")
    if a.update_card:
        card_path = checker.onnx.card.card_path
        card = json.loads(card_path.read_text())
        card.setdefault("metrics", {})["series_level"] = out
        card_path.write_text(json.dumps(card, indent=2) + "\n")
        print(f"updated {card_path}")


if __name__ == "__main__":
    main()
