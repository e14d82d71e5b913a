"""Export a leave-one-renderer-out network as an installable model (issue 16).

``train_ct_phantom_classifier2.py --loro-export DIR`` trains each leave-one-renderer-out
network as before (on ONE renderer) and writes it, like the released model, as an ONNX
file with its card into

    DIR/<tag>_<train>_only/ct_phantom_classifier/<tag>-loro-<train>/{model.onnx, card.json}

so ``pharos ai classify --models-dir DIR/<tag>_<train>_only`` (and
``eval_ai_series.py --loro DIR``) run it exactly as the station runs a released model:
same preprocessing scheme and context layout, same class list, sha256 checked by the
registry.

No figure of the left-out renderer decides anything in the card:

* ``thresholds.not_applicable`` = max(``thresholds.anomaly`` (1.0: the 99.9th percentile
  of the validation split), the 99.5th percentile of the anomaly on the TRAINING
  renderer's own held-out slices). The released model's threshold is the anomaly
  inflation measured on a renderer it never saw (the other LORO run's left-out renderer);
  a model trained on one renderer has no second renderer it did not see except the one it
  is tested on, so it gets the same quantile on its own held-out set: the in-distribution
  rule, strict by construction. (Calibrating on the left-out renderer - what the issue
  asks of a released model - would make the left-out renderer in-distribution for the
  very test that is to judge it.)
* the series' weak rate (series_decision.weak_rate_from_card) comes from
  ``metrics.heldout.all`` and ``metrics.calibration``: both the OWN renderer's held-out.
* ``metrics.left_out_renderer`` holds the slice-level figures on the left-out renderer
  for reference only (nothing reads them at run time).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
NAME = "ct_phantom_classifier"


def loro_version(tag: str, train: str) -> str:
    return f"{tag}-loro-{train}"


def loro_dir(root: Path, tag: str, train: str) -> Path:
    """The ``--models-dir`` of one LORO model."""
    return Path(root) / f"{tag}_{train}_only"


def not_applicable_threshold(own_heldout_q995: float, anomaly: float = 1.0) -> float:
    """See the module: the own renderer's held-out q99.5, never below the anomaly flag."""
    return round(max(float(anomaly), float(own_heldout_q995)), 3)


def card_interface(evidence: "bool | str", shell: bool = False) -> dict:
    """The card's inputs, outputs, classes and preprocessing: one for the released export
    and the leave-one-renderer-out exports (``evidence``: the 65-feature context,
    normalise.RING the ring's 59; ``shell``: + the two shell steps, 67,
    app/ct/ai/shell_step.py)."""
    from app.ct.ai.check import RING_SCHEMES
    from app.ct.ai.normalise import (CONTEXT_NAMES, CONTEXT_NAMES_EVIDENCE, CONTEXT_NAMES_RING,
                                     GRID_MM, GRID_N, RING_LAYOUTS)
    from app.ct.ai.preprocess import CLASSES
    from app.ct.ai.shell_step import SCHEME_SHELL, context_names_shell

    if shell and (not evidence or evidence in RING_LAYOUTS):
        raise ValueError("the shell layout extends the evidence layout")
    if evidence in RING_LAYOUTS:
        names = list(CONTEXT_NAMES_RING)
        scheme = RING_SCHEMES[RING_LAYOUTS.index(str(evidence))]
    else:
        names = context_names_shell() if shell else \
            list(CONTEXT_NAMES_EVIDENCE if evidence else CONTEXT_NAMES)
        scheme = SCHEME_SHELL if shell else \
            ("grid1mm_context_evidence" if evidence else "grid1mm_context")
    return {
        "inputs": [{"name": "image", "shape": ["batch", 3, GRID_N, GRID_N], "dtype": "float32",
                    "unit": "HU", "description": f"slices i-1, i, i+1 area-resampled to "
                    f"{GRID_MM} mm pixels, 256 x 256 mm about the reconstruction centre, "
                    "padding -> air (app.ct.ai.normalise.prepare)"},
                   {"name": "context", "shape": ["batch", len(names)], "dtype": "float32",
                    "names": names,
                    "description": "physical measurements of the slice (normalise.py)"}],
        "outputs": [{"name": "probabilities", "shape": ["batch", len(CLASSES)]},
                    {"name": "logits", "shape": ["batch", len(CLASSES)]},
                    {"name": "anomaly", "shape": ["batch"],
                     "description": "Mahalanobis distance of the features to the nearest "
                                    "class, 1.0 = 99.9th percentile of the validation split"}],
        "classes": list(CLASSES),
        "preprocessing": {"module": "app.ct.ai.normalise",
                          "scheme": scheme,
                          "in_graph": "body-median-centred windows, residual and "
                                      "centre-minus-neighbours maps in noise units (32x32), "
                                      "polar residual of the 3-slice mean in noise units "
                                      "(512 angles x 160 radii, 16 sorted sector profiles), "
                                      "MLP on the physical context"},
    }


def export_loro(root: Path, *, tag: str, train: str, test: str, members: "list[Any]",
                own: dict, left: dict, own_set: dict, evidence: "bool | str", epochs: int,
                seed: int, recipe: dict, export: Callable[..., str],
                probes: Callable[..., tuple], anomaly: Callable[..., np.ndarray]) -> Path:
    """Write the LORO model's ONNX file and card; returns the card's path. ``members``:
    the run's trained networks (train_ct_phantom_classifier2.Member: one, or an ensemble
    of one per seed, exported as the released model is - ``export(members, out)``); the
    probes' anomaly is ``anomaly(members, x, ctx)`` (members_anomaly: the members' mean,
    as the exported graph's)."""
    import torch

    from train_ct_phantom_classifier import calibration

    if recipe.get("evidence_drop"):
        raise SystemExit("--loro-export: a model trained with --evidence-drop has a context "
                         "layout the station does not feed (an ablation); not exported")
    version = loro_version(tag, train)
    out = loro_dir(root, tag, train) / NAME / version
    sha = export(members, out)
    threshold = not_applicable_threshold(own["anomaly_quantiles"]["0.995"])
    xo, co, names = probes(evidence=evidence)
    an_o = anomaly(members, xo, co)
    temps = [float(m.temperature) for m in members]
    measured_ood = np.array([not nm.endswith("measurable") for nm in names])
    caught = measured_ood | (an_o > threshold)
    ok = own_set["ok"]
    public = lambda r: {k: v for k, v in r.items() if not k.startswith("_")}  # noqa: E731
    card = {
        "name": NAME, "version": version, "file": "model.onnx", "sha256": sha,
        "task": f"leave-one-renderer-out model (trained on '{train}' only, for testing on "
                f"'{test}'; NOT for release): classification of CT phantom slices (3 "
                "adjacent slices, scanner-independent input) + anomaly score; 'AI not "
                "applicable' when it cannot judge",
        **card_interface(evidence),
        "training": {"script": "models/training/train_ct_phantom_classifier2.py",
                     "data_script": "models/training/ct_phantom_dataset2.py",
                     "export_script": "models/training/loro_export.py",
                     "leave_one_renderer_out": {"trained_on": train, "left_out": test,
                                                "tag": tag},
                     "recipe": recipe, "epochs": epochs, "seed": seed,
                     **({"member_seeds": [int(m.seed) for m in members]}
                        if len(members) > 1 else {}),
                     "framework": f"torch {torch.__version__}"},
        "metrics": {
            "heldout": {"all": public(own)},
            "calibration": {"temperature": temps[0] if len(temps) == 1 else temps,
                            **calibration(own["_probs"][ok], own_set["y"][ok])},
            "left_out_renderer": public(left),
            "ood_probes": {"threshold": threshold, "caught": round(float(caught.mean()), 4),
                           "probes": [{"probe": nm, "anomaly": round(float(v), 3)}
                                      for nm, v in zip(names, an_o)]}},
        "thresholds": {"anomaly": 1.0, "not_applicable": threshold, "low_confidence": 0.8,
                       "series_not_applicable_fraction": 0.5},
        "threshold_notes": {
            "not_applicable": "max(anomaly 1.0, the 99.5th percentile of the anomaly on the "
                              f"training renderer's ('{train}') own held-out slices); nothing "
                              f"of the left-out renderer ('{test}') chose it",
            "series_weak_rate": "from metrics.heldout / metrics.calibration: the training "
                                "renderer's own held-out"},
    }
    path = out / "card.json"
    path.write_text(json.dumps(card, indent=2) + "\n")
    print(f"LORO export {path.parent} sha256 {sha[:16]}… not-applicable threshold "
          f"{threshold} (own held-out q99.5 {own['anomaly_quantiles']['0.995']})", flush=True)
    return path
