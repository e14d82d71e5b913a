"""OOD probes through the RUNTIME path: the AiChecker as `pharos ai classify` uses it.

The training script (train_ct_phantom_classifier2.ood_probes) scores the probes on the
network's features inside the training process; this script hands the same probe series
(3 slices, 0.5 mm pixels, 512 x 512, four seeds of each kind) to
``AiChecker.from_registry(ModelRegistry(models_dir)).classify(volume, pixel_mm=0.5)`` -
the registry (card, sha256), the station's normalisation and applicability checks
(app/ct/ai/normalise.py, app/ct/ai/metal.py), the card's ``not_applicable`` threshold -
and counts a probe as caught when the series ends "AI not applicable".

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python models/training/ood_probes_runtime.py \\
        --models-dir /tmp/models_2.0.0 --models-dir /tmp/models_2.3.0 [--json OUT]

(a models folder holds one classifier: ``<dir>/ct_phantom_classifier/<version>/``). To
measure an older station's rules, point PYTHONPATH at its checkout: the probes are made
here, the rules come from ``app``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

PIXEL_MM = 0.5


def ood_probe_volumes(seed: int = 7) -> tuple[list[np.ndarray], list[str]]:
    """Inputs that are not a phantom slice the classifier knows: noise fields, a water-only
    head-size cylinder with a skull ring, an elliptical body, a phantom with metal and a
    streak fan, a phantom-size disc with MR-like intensities (3 slices each, 0.5 mm)."""
    rng = np.random.default_rng(seed)
    n, px = 512, PIXEL_MM
    yy, xx = np.mgrid[:n, :n]
    c = (n - 1) / 2
    vols: list[np.ndarray] = []
    names: list[str] = []

    def add(vol: np.ndarray, name: str) -> None:
        vols.append(vol.astype(np.float32))
        names.append(name)

    for _ in range(4):
        add(rng.normal(0, 300, (3, n, n)), "noise field")
        r = (xx - c) ** 2 / (150 / px) ** 2 + (yy - c) ** 2 / (100 / px) ** 2 <= 1
        body = np.where(r, 40.0, -1000.0) + rng.normal(0, 10, (3, n, n))
        add(body, "elliptical body 300 x 200 mm")
        disc = ((xx - c) ** 2 + (yy - c) ** 2 <= (80 / px) ** 2)
        head = np.where(disc, 35.0, -1000.0) + rng.normal(0, 8, (3, n, n))
        skull = (((xx - c) ** 2 + (yy - c) ** 2 <= (86 / px) ** 2) & ~disc)
        add(head + 1200 * skull, "head-like: skull ring around brain")
        ph = ((xx - c) ** 2 + (yy - c) ** 2 <= (100 / px) ** 2)
        img = np.where(ph, 0.0, -1000.0) + rng.normal(0, 10, (3, n, n))
        img[:, int(c) - 6:int(c) + 6, int(c) - 6:int(c) + 6] = 3000.0
        ang = np.arctan2(yy - c, xx - c)
        img += ph * 200 * np.cos(8 * ang)       # metal streak fan
        add(img, "phantom with metal and streak fan")
        mr = np.where(ph, 600.0 + 200 * np.sin(xx / 15.0), 0.0) + rng.normal(0, 20, (3, n, n))
        add(mr, "MR-like intensities")
    return vols, names


def measure(models_dir: Path) -> dict:
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    checker = AiChecker.from_registry(ModelRegistry(models_dir))
    card = checker.onnx.card
    vols, names = ood_probe_volumes()
    rows = []
    for vol, name in zip(vols, names):
        try:
            res = checker.classify(vol, pixel_mm=PIXEL_MM)
        except Exception as exc:        # noqa: BLE001 - a rejected input is caught too
            rows.append({"probe": name, "label": "rejected", "caught": True,
                         "reason": f"{type(exc).__name__}: {exc}", "anomaly": None})
            continue
        s = res.slices[0]
        rows.append({"probe": name, "label": res.label, "caught": not res.applicable,
                     "reason": str(res.not_applicable_reason), "anomaly": s.anomaly,
                     "slice_class": max(s.scores, key=lambda k: s.scores[k]) if s.scores else "",
                     "confidence": s.confidence})
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["probe"], []).append(r)
    return {"model": f"{card.name} {card.version}", "sha256": card.sha256,
            "not_applicable_threshold": checker.not_applicable,
            "caught": round(float(np.mean([r["caught"] for r in rows])), 3),
            "per_probe": {k: {"caught": sum(r["caught"] for r in v), "of": len(v),
                              "labels": [r["label"] for r in v],
                              "anomaly": [r["anomaly"] for r in v],
                              "reasons": sorted({r["reason"].split(":")[0] for r in v
                                                 if r["reason"]})}
                          for k, v in by.items()},
            "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models-dir", type=Path, action="append", required=True)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    out = [measure(d) for d in a.models_dir]
    for m in out:
        print(f"{m['model']} (not-applicable threshold {m['not_applicable_threshold']:.2f}): "
              f"caught {m['caught']:.0%}")
        for k, v in m["per_probe"].items():
            an = ", ".join("-" if x is None else f"{x:.2f}" for x in v["anomaly"])
            print(f"  {k}: {v['caught']}/{v['of']}  labels {v['labels']}  anomaly [{an}]  "
                  f"{'; '.join(v['reasons'])}")
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
