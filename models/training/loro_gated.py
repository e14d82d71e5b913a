"""Leave-one-renderer-out per class with the station's per-slice gates (issue 16).

The card's ``leave_one_renderer_out`` is the network's own output. At run time the
station also applies its gates to each slice: the ring gate (a network "ring" whose stack
the ring gate's own measure cannot show - z below 5 full circle / 6 any half - counts
normal, app/ct/ai/ring_gate.py) and the shift gate (a network "shift" with |air offset|
and |cupping| both below 6 HU counts normal, app/ct/ai/shift_gate.py). This reads a
training tag's stored LORO outputs (``<data>/loro_<tag>_<train>_to_<left>.npz``, written by
train_ct_phantom_classifier2.py) and the sets' cached measurements (the ring gate's
``rg2`` / ``rg3`` caches, ai_ring_measure.py; the context's air offset; the evidence
cache's cupping, ai_evidence_cache.py) and prints, per left-out renderer, the accuracy and
recall per class of

* the network alone (the card's figure),
* the network with the two gates (what the station decides per slice),
* and with the measured-streak rule too (app/ct/ai/streak_measured.py: a network "normal"
  whose 3-slice streak spectrum z is above every non-streak stack of the two training
  renderers' fit sets is a streak; the level from ai_streak_spec.py's ``sp1`` caches),
* and with the streak gate too (``with_all``: app/ct/ai/streak_gate.py, a network "streak"
  with all four streak measures below the two training renderers' normals' 99th
  percentiles counts normal; the evidence caches) - what the station decides now,
* the same on the slices the ring gate can measure (ring slices below its levels left
  out: the station counts them normal whatever the network says - where the rest of the
  gap is, not issue 16's figure).

    PYTHONPATH=$PWD .venv/bin/python models/training/loro_gated.py --data-dir D --tag k3g \
        [--ring-layout 1|2|3] [--update-card models/ct_phantom_classifier/V/card.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))

import ai_streak_spec  # noqa: E402
from ai_ring_measure import measurable  # noqa: E402
from app.ct.ai import ring_gate, shift_gate, streak_gate, streak_measured  # noqa: E402
from app.ct.ai.evidence import EVIDENCE_NAMES  # noqa: E402
from app.ct.ai.normalise import CONTEXT_NAMES  # noqa: E402
from app.ct.ai.preprocess import CLASSES  # noqa: E402
from loro_error_analysis import SETS  # noqa: E402  (the order the LORO runs stack the sets)

RUNS = (("sim", "img+r3"), ("img", "sim+r3"), ("r3", "sim+img"))
RING, SHIFT = CLASSES.index("ring"), CLASSES.index("shift")


def _cat(data: Path, left: str, suffix: str, key: str) -> np.ndarray:
    return np.concatenate([np.load(data / f"{left}_{k}.{suffix}")[key] for k in SETS
                           if (data / f"{left}_{k}.{suffix}").exists()])


def _figures(y: np.ndarray, pred: np.ndarray, use: np.ndarray) -> dict:
    return {"samples": int(use.sum()),
            "accuracy": round(float(np.mean((pred == y)[use])), 5),
            "recall": {c: round(float(((pred == i) & (y == i) & use).sum()
                                      / max(((y == i) & use).sum(), 1)), 4)
                       for i, c in enumerate(CLASSES)}}


def gate_cache(ring_layout: int) -> str:
    """The ring gate's measure cache of a ring layout (1, 2, 3: rg2, rg3, rg4)."""
    return {1: "rg2", 2: "rg3", 3: "rg4"}[ring_layout]


def gated(data: Path, tag: str, ring_layout: int) -> dict:
    rg = gate_cache(ring_layout)
    ia, ic = CONTEXT_NAMES.index("air_offset"), EVIDENCE_NAMES.index("cupping")
    out = {}
    for left, train in RUNS:
        f = data / f"loro_{tag}_{train}_to_{left}.npz"
        if not f.exists():
            continue
        z = np.load(f)
        y, ok, probs = z["y"], z["ok"].astype(bool), z["probs"]
        pred = probs.argmax(1)
        ring_z = _cat(data, left, f"{rg}.npz", "z")
        air = np.abs(_cat(data, left, "npz", "ctx")[:, ia] * 10.0)      # context: HU / 10
        cup = np.abs(_cat(data, left, "ev5.npz", "ev")[:, ic] * 10.0)   # evidence: HU / 10
        if not len(ring_z) == len(air) == len(cup) == len(y):
            raise SystemExit(f"{left}: the cached measurements do not match the export "
                             f"({len(ring_z)}, {len(air)}, {len(cup)} vs {len(y)} samples)")
        # the runtime gates themselves, in the series run's order: the ring gate on the
        # stacks' z (its output is z / EVIDENCE_SCALE), then the shift gate on the rows
        # still called shift
        problems = ["" if k else "not judged" for k in ok]
        p, _ = ring_gate.apply(probs, ring_z / ring_gate.EVIDENCE_SCALE, problems)
        called = (p.argmax(1) == SHIFT)[:, None]
        p, _ = shift_gate.apply(p, np.where(called, np.stack([air, cup], 1), np.nan)
                                .astype(np.float32), problems)
        g = p.argmax(1)
        # the measured-streak rule, its level from the two training renderers
        level, _ = ai_streak_spec.floor(data, train.split("+"))
        sz = np.concatenate([ai_streak_spec.set_z(data, f"{left}_{k}") for k in SETS
                             if (data / f"{left}_{k}.npz").exists()])
        if len(sz) != len(y):
            raise SystemExit(f"{left}: {len(sz)} streak measurements vs {len(y)} samples")
        ps, n_streak = streak_measured.apply(
            p, np.where(pred == streak_measured.NORMAL, sz, np.nan), problems, level)
        gs = ps.argmax(1)
        # the streak gate (on the rows still called streak after the gates), then the rule
        sg_cols = [EVIDENCE_NAMES.index(n) for n in streak_gate.NAMES]
        ev = _cat(data, left, "ev5.npz", "ev")
        levels = np.array([v for v in ai_streak_spec.gate_levels(data, train.split("+"))
                           .values()], np.float32)
        called_s = (p.argmax(1) == streak_gate.STREAK)[:, None]
        pa, n_gate = streak_gate.apply(p, np.where(called_s, ev[:, sg_cols], np.nan)
                                       .astype(np.float32), problems, levels)
        pa, _ = streak_measured.apply(
            pa, np.where(pred == streak_measured.NORMAL, sz, np.nan), problems, level)
        ga = pa.argmax(1)
        seen = measurable(ring_z)
        keep = ok & ~((y == RING) & ~seen)
        out[f"train_{train}_test_{left}"] = {
            "network": _figures(y, pred, ok), "with_gates": _figures(y, g, ok),
            "with_gates_measurable_rings": {**_figures(y, g, keep),
                                            "rings_below_the_gate_left_out":
                                                int(((y == RING) & ~seen & ok).sum())},
            "with_gates_and_streak_rule": {**_figures(y, gs, ok),
                                           "streak_level_z": round(level, 4),
                                           "called_streak_by_the_rule": n_streak,
                                           "of_them_streaks": int(((gs != g) & (y == 2)
                                                                   & ok).sum())},
            "with_gates_and_streak_rule_measurable_rings": _figures(y, gs, keep),
            "with_all": {**_figures(y, ga, ok),
                         "streak_gate_levels": dict(zip(streak_gate.NAMES,
                                                        [round(float(v), 4) for v in levels])),
                         "taken_back_by_the_streak_gate": n_gate,
                         "of_them_streaks": int(((ga != gs) & (y == 2) & ok).sum())},
            "with_all_measurable_rings": _figures(y, ga, keep)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--ring-layout", type=int, choices=(1, 2, 3), default=1,
                    help="the model's ring layout (its ring gate's measure: rg2 / rg3 caches)")
    ap.add_argument("--update-card", type=Path, default=None)
    a = ap.parse_args()
    res = gated(a.data_dir, a.tag, a.ring_layout)
    if not res:
        raise SystemExit(f"no LORO outputs of tag {a.tag!r} in {a.data_dir}")
    for run, r in res.items():
        for kind, fig in r.items():
            print(f"{run:28s} {kind:28s} {fig['accuracy']:.4f}  "
                  + " / ".join(f"{fig['recall'][c]:.3f}" for c in CLASSES))
    if a.update_card:
        card = json.loads(a.update_card.read_text())
        card.setdefault("metrics", {})["leave_one_renderer_out_with_gates"] = {
            "tag": a.tag, "ring_layout": a.ring_layout,
            "gates": {"ring": f"full z >= {ring_gate.FULL_Z_MIN} or arc z >= "
                              f"{ring_gate.ARC_Z_MIN}",
                      "shift": f"|air offset| or |cupping| >= {shift_gate.REFUTE_HU} HU",
                      "streak_rule": "a network 'normal' whose 3-slice streak spectrum z "
                                     "is above every non-streak stack of the training "
                                     "renderers' fit sets is a streak",
                      "streak_gate": "a network 'streak' with every streak measure below "
                                     "the training renderers' normals' 99th percentile "
                                     "counts normal (with_all: all gates and the rule)"},
            "command": f"models/training/loro_gated.py --data-dir DATA --tag {a.tag} "
                       f"--ring-layout {a.ring_layout}",
            **res}
        a.update_card.write_text(json.dumps(card, indent=2) + "\n")
        print(f"updated {a.update_card}")


if __name__ == "__main__":
    main()
