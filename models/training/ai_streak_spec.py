"""The measured-streak rule's level and the streak gate's levels of a model
(app/ct/ai/streak_measured.py, app/ct/ai/streak_gate.py; issue 16).

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

The streak gate's levels: per streak measure (streak_gate.NAMES: line sums and spectrum,
one and three slices; evidence scale), the value 99 % of the fit sets' **normal** stacks
stay below, from the evidence caches (ai_evidence_cache.py, the station's slice_evidence
on the stored grids), written as ``thresholds.streak_gate_levels``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))

from ai_evidence_cache import cached_per_sample, grid_evidence_args, set_evidence  # noqa: E402
from app.ct.ai.evidence import streak_key, slice_spectrum, stack_spec_z  # noqa: E402
from app.ct.ai.preprocess import CLASSES  # noqa: E402
from app.ct.ai import streak_gate  # noqa: E402
from app.ct.ai.evidence import EVIDENCE_NAMES  # noqa: E402
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


def _fit_rows(data_dir: Path, renderers: list[str], sets: tuple[str, ...], what: str,
              rows: Callable[[str], np.ndarray]) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """{renderer: [(labels, ``rows(set name)``) of each of its ``sets`` present]}, the two of
    one set checked to be of the same length (``what``: the rows, for the message)."""
    out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for r in renderers:
        for k in sets:
            if not (data_dir / f"{r}_{k}.npz").exists():
                continue
            y = np.load(data_dir / f"{r}_{k}.npz")["y"]
            v = rows(f"{r}_{k}")
            if len(v) != len(y):
                raise SystemExit(f"{r}_{k}: {len(v)} {what} for {len(y)} samples")
            out.setdefault(r, []).append((y, v))
    return out


def floor(data_dir: Path, renderers: list[str], sets: tuple[str, ...] = FIT_SETS
          ) -> tuple[float, dict]:
    """(the largest z of the non-streak stacks of the renderers' sets, where each
    renderer's largest is)."""
    found = _fit_rows(data_dir, renderers, sets, "measurements",
                      lambda n: set_z(data_dir, n))
    top, per = -np.inf, {}
    for r in renderers:
        if r not in found:
            raise SystemExit(f"no {r} training set in {data_dir}")
        v = np.concatenate([z[(y != STREAK) & np.isfinite(z)] for y, z in found[r]])
        per[r] = {"samples": int(v.size), "max": round(float(v.max()), 4),
                  "q999": round(float(np.quantile(v, 0.999)), 4)}
        top = max(top, float(v.max()))
    return top, per


def gate_levels(data_dir: Path, renderers: list[str], sets: tuple[str, ...] = FIT_SETS,
                q: float = streak_gate.QUANTILE) -> dict[str, float]:
    """{name: the q-quantile of the renderers' fit-set normal stacks} for streak_gate.NAMES
    (evidence scale; the evidence caches, ai_evidence_cache.set_evidence, measured when
    missing - ring layout 2's ev5 caches have the same streak features)."""
    cols = [EVIDENCE_NAMES.index(n) for n in streak_gate.NAMES]
    found = _fit_rows(data_dir, renderers, sets, "evidence rows",
                      lambda n: set_evidence(data_dir, n))
    if not found:
        raise SystemExit(f"no fit sets of {renderers} in {data_dir}")
    v = np.concatenate([ev[y == 0][:, cols] for rows in found.values() for y, ev in rows])
    return {n: round(float(np.quantile(v[:, i], q)), 4) for i, n in enumerate(streak_gate.NAMES)}


def gate_source(renderers: list[str]) -> str:
    return (f"the {streak_gate.QUANTILE:g} quantile of each streak measure (evidence scale) "
            f"over the normal stacks of the training sets ({', '.join(FIT_SETS)} of "
            f"{', '.join(renderers)}): models/training/ai_streak_spec.py; a network 'streak' "
            "below all of them is counted normal (app/ct/ai/streak_gate.py)")


def write_card(card: dict, data_dir: Path, renderers: list[str]) -> dict:
    """The card's thresholds with the rule's level and the gate's levels."""
    top, _ = floor(data_dir, renderers)
    th = card.setdefault("thresholds", {})
    th[CARD_KEY] = round(top, 4)
    th[CARD_KEY + "_source"] = source(renderers)
    th[streak_gate.CARD_KEY] = gate_levels(data_dir, renderers)
    th[streak_gate.CARD_KEY + "_source"] = gate_source(renderers)
    return card


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
    levels = gate_levels(a.data_dir, a.renderers)
    print(json.dumps({"streak_measured_spec_z": top, "per_renderer": per,
                      "streak_gate_levels": levels}, indent=1))
    if a.update_card:
        card = write_card(json.loads(a.update_card.read_text()), a.data_dir, a.renderers)
        a.update_card.write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote {CARD_KEY} = {card['thresholds'][CARD_KEY]} and "
              f"{streak_gate.CARD_KEY} into {a.update_card}")


if __name__ == "__main__":
    main()
