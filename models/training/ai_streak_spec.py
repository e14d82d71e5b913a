"""The measured-streak rule's level of a model (app/ct/ai/streak_measured.py, issue 16).

The rule calls a network "normal" a streak when its stack's 3-slice streak spectrum z is
above the largest z any non-streak stack of the model's training sets reached. This
measures that z on the stored 3-slice 1 mm grids of the data sets (ct_phantom_dataset2.py)
with the station's own functions (evidence.slice_spectrum, evidence.stack_spec_z; the grid's
phantom centre, radius and noise re-measured as slice_facts measures them, as
ai_evidence_cache.py does), cached beside each set (``<set>.sp1.npz``, key ``z``), and
writes the level into a card (``thresholds.streak_measured_spec_z``).

    PYTHONPATH=$PWD .venv/bin/python models/training/ai_streak_spec.py --data-dir D \
        [--renderers sim img r3] [--update-card models/ct_phantom_classifier/V/card.json]

The training sets are each renderer's ``train``, ``edge`` and ``centred`` sets (what
train_ct_phantom_classifier2.py fits on, before its augmentations); the held-out sets are
never used for the level.
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

from ai_evidence_cache import cached_per_sample, grid_evidence_args  # noqa: E402
from app.ct.ai.evidence import streak_key, slice_spectrum, stack_spec_z  # noqa: E402
from app.ct.ai.preprocess import CLASSES  # noqa: E402
from app.ct.ai.streak_measured import CARD_KEY  # noqa: E402

TAG = "sp1"
FIT_SETS = ("train", "edge", "centred")
STREAK = CLASSES.index("streak")


def grid_spectrum(g: np.ndarray) -> tuple[int, np.ndarray] | None:
    """(streak key, spectrum) of one stored grid slice; None without a phantom."""
    args = grid_evidence_args(g)
    if args is None:
        return None
    grid, centre, r_mm, noise, _ = args
    sp = slice_spectrum(grid, centre, r_mm, noise)
    return None if sp is None else (streak_key(r_mm), sp)


def stack_z(x3: np.ndarray) -> float:
    return stack_spec_z([grid_spectrum(np.asarray(x3[k], np.float32)) for k in range(3)])


def set_z(data_dir: Path, name: str) -> np.ndarray:
    """(N,) the stack's z of every stored sample of a set (NaN: not measurable)."""
    return cached_per_sample(data_dir, name, TAG, "z", lambda i, x3: stack_z(x3), 1,
                             np.float32).reshape(-1)


def floor(data_dir: Path, renderers: list[str], sets: tuple[str, ...] = FIT_SETS
          ) -> tuple[float, dict]:
    """(the largest z of the non-streak stacks of the renderers' sets, where each
    renderer's largest is)."""
    top, per = -np.inf, {}
    for r in renderers:
        vals = []
        for k in sets:
            if not (data_dir / f"{r}_{k}.npz").exists():
                continue
            y = np.load(data_dir / f"{r}_{k}.npz")["y"]
            z = set_z(data_dir, f"{r}_{k}")
            if len(z) != len(y):
                raise SystemExit(f"{r}_{k}: {len(z)} measurements for {len(y)} samples")
            vals.append(z[(y != STREAK) & np.isfinite(z)])
        if not vals:
            raise SystemExit(f"no {r} training set in {data_dir}")
        v = np.concatenate(vals)
        per[r] = {"samples": int(v.size), "max": round(float(v.max()), 4),
                  "q999": round(float(np.quantile(v, 0.999)), 4)}
        top = max(top, float(v.max()))
    return top, per


def source(renderers: list[str]) -> str:
    """The card's note on where the level comes from."""
    return ("the largest 3-slice streak spectrum z of the non-streak stacks of the training "
            f"sets ({', '.join(FIT_SETS)} of {', '.join(renderers)}): "
            "models/training/ai_streak_spec.py; a network 'normal' above it is judged streak "
            "(app/ct/ai/streak_measured.py)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--renderers", nargs="+", default=["sim", "img", "r3"])
    ap.add_argument("--update-card", type=Path, default=None)
    a = ap.parse_args()
    top, per = floor(a.data_dir, a.renderers)
    print(json.dumps({"streak_measured_spec_z": top, "per_renderer": per}, indent=1))
    if a.update_card:
        card = json.loads(a.update_card.read_text())
        th = card.setdefault("thresholds", {})
        th[CARD_KEY] = round(top, 4)
        th[CARD_KEY + "_source"] = source(a.renderers)
        a.update_card.write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote {CARD_KEY} = {th[CARD_KEY]} into {a.update_card}")


if __name__ == "__main__":
    main()
