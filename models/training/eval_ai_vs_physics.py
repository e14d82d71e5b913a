"""Decision-level check of the AI classifier against the physics detectors.

For simulated CatPhan series with graded artifacts (and clean ones), run the CT QC
physics analysis (factory limit profile) and the AI check on every slice, and count:
series where a physics detector finds an artifact above its ACTION level (verdict FAIL)
while the AI calls every slice "normal" - the issue requires zero of those. Writes the
figures into the model card (metrics.physics_agreement) with --update-card.

    .venv/bin/python models/training/eval_ai_vs_physics.py [--update-card]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.adapters.inference import ModelRegistry  # noqa: E402
from app.paths import models_dir  # noqa: E402
from app.ct.analysis import analyze_series  # noqa: E402
from app.ct.dicom_load import LoadedSeries  # noqa: E402
from app.ct.limits import load_profile  # noqa: E402
from app.ct.simulator import ArtifactSpec, SimParams, simulate_series  # noqa: E402
from app.ct.ai.check import AiChecker  # noqa: E402
from app.ct.ai.handoff import assessable_slices  # noqa: E402

CASES = (
    [("clean", None, s) for s in range(4)]
    + [("ring", ArtifactSpec("ring", a, radius_mm=r), 10 + i)
       for i, (a, r) in enumerate([(6, 30), (10, 45), (15, 60), (20, 40), (30, 80), (40, 25)])]
    + [("streak", ArtifactSpec("streak", a, angle_deg=35), 30 + i)
       for i, a in enumerate([30, 60, 100, 150])]
    + [("band", ArtifactSpec("band", a, slices=(18, 19)), 40 + i)
       for i, a in enumerate([5, 10, 20, 30])]
    # faint bands just above the 3 HU action level, one slice and two adjacent slices
    + [("band", ArtifactSpec("band", a, slices=rows), 60 + i)
       for i, (a, rows) in enumerate([(3.5, (18,)), (-4.0, (25,)), (3.5, (18, 19))])]
    + [("cupping", ArtifactSpec("cupping", a), 50 + i) for i, a in enumerate([20, 40, 60])]
)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--update-card", action="store_true")
    a = p.parse_args()
    registry = ModelRegistry(models_dir())
    checker = AiChecker.from_registry(registry)
    profile = load_profile("factory_simct_120kv")
    rows, violations = [], 0
    t0 = time.time()
    for kind, spec, seed in CASES:
        sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                        noise_sd_hu=10.0, seed=seed,
                                        artifacts=(spec,) if spec else ()))
        res = analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan504",
                             profile=profile)
        phys_fail = sorted({x.type for x in res.artifacts if x.verdict.value == "FAIL"})
        phys_any = sorted({x.type for x in res.artifacts})
        idx = assessable_slices(json.loads(res.to_json()), len(sim.volume),
                                sim.slice_positions_mm)
        ai = checker.classify(sim.volume, idx, pixel_mm=sim.pixel_mm)
        labels = sorted({s.label for s in ai.slices if s.label != "normal"})
        all_normal = ai.label == "normal"     # the series decision (ai_check.AiResult.label)
        bad = bool(phys_fail) and all_normal
        violations += bad
        rows.append({"case": kind, "amplitude_hu": spec.amplitude_hu if spec else 0,
                     "physics_fail": phys_fail, "physics_detected": phys_any,
                     "ai_labels": labels, "ai_series_class": ai.label, "ai_flagged": ai.flagged,
                     "violation": bad})
        print(f"{kind:8s} {rows[-1]['amplitude_hu']:6.1f}  physics FAIL {phys_fail or '-'!s:22s}"
              f" AI {labels or ['normal']!s:30s}{'  <-- AI normal on a physics FAIL' if bad else ''}",
              flush=True)
    clean_flagged = sum(1 for r in rows if r["case"] == "clean" and r["ai_series_class"] != "normal")
    summary = {"series": len(rows), "physics_fail_series": sum(bool(r["physics_fail"]) for r in rows),
               "ai_all_normal_on_physics_fail": violations,
               "ai_abnormal_on_clean": clean_flagged, "clean_series": 4,
               "profile": "factory_simct_120kv", "seconds": round(time.time() - t0, 1),
               "cases": rows}
    print(json.dumps({k: v for k, v in summary.items() if k != "cases"}))
    if a.update_card:
        card_path = checker.onnx.card.card_path
        card = json.loads(card_path.read_text())
        card.setdefault("metrics", {})["physics_agreement"] = summary
        card_path.write_text(json.dumps(card, indent=2) + "\n")
        print(f"updated {card_path}")


if __name__ == "__main__":
    main()
