"""Left-out ring recall by the ring's strength (issue 16): where the ring misses are.

For each left-out renderer of a training tag's LORO exports (as ``loro_gated.py`` reads
them), the ring slices' recall **after every station rule** (the ``with_all`` decision),
binned by a white-noise matched-filter SNR of the drawn ring - amplitude / noise SD x
sqrt(the ring's area in pixels x 3 slices), the ring's area 2 pi r x FWHM x coverage / 360
from the sample's truth (``<set>.facts.json``) - in quantile bins, beside the share of
those slices whose stack the ring gate's own measure can show. The SNR ignores the noise's
correlation (FBP noise is not white), so it ranks rings, it does not say which ones an
ideal observer sees.

    PYTHONPATH=$PWD .venv/bin/python models/training/loro_ring_snr.py --data-dir D \
        --tag k3c --ring-layout 2
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))

import loro_gated  # noqa: E402
from loro_error_analysis import SETS  # noqa: E402

QUANTILES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
FIGURES_PER_RUN = 7                     # loro_gated.gated's _figures calls per run
WITH_ALL = 5                            # ... the sixth is the with_all decision


def _snr(fact: dict) -> float:
    px = fact["params"]["pixel_mm"] if "params" in fact else 0.5
    area = 2 * math.pi * fact.get("ring_r", 0.0) * (fact.get("ring_fwhm_mm") or 1.0) \
        * fact.get("coverage", 360.0) / 360.0
    noise = fact.get("noise_sd") or 10.0
    return abs(fact.get("ring_hu", 0.0)) / noise * math.sqrt(max(area, 1e-6) / (px * px) * 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--ring-layout", type=int, choices=(1, 2, 3), default=1)
    a = ap.parse_args()
    calls: list[tuple] = []
    figures = loro_gated._figures

    def keep(y: np.ndarray, pred: np.ndarray, use: np.ndarray) -> dict:
        calls.append((y, pred, use))
        return figures(y, pred, use)

    loro_gated._figures = keep
    done = loro_gated.gated(a.data_dir, a.tag, a.ring_layout)
    rg = loro_gated.gate_cache(a.ring_layout)
    print("| left out | SNR bin | ring slices | recall (every station rule) | ring gate can measure |")
    print("|---|---|---|---|---|")
    for k, (left, train) in enumerate(r for r in loro_gated.RUNS
                                      if f"train_{r[1]}_test_{r[0]}" in done):
        y, pred, use = calls[k * FIGURES_PER_RUN + WITH_ALL]
        facts = [f for s in SETS if (a.data_dir / f"{left}_{s}.npz").exists()
                 for f in json.loads((a.data_dir / f"{left}_{s}.facts.json").read_text())]
        if len(facts) != len(y):
            raise SystemExit(f"{left}: {len(facts)} facts vs {len(y)} samples")
        seen = loro_gated.measurable(loro_gated._cat(a.data_dir, left, f"{rg}.npz", "z"))
        rings = np.flatnonzero((y == loro_gated.RING) & use)
        snr = np.array([_snr(facts[i]) for i in rings])
        edges = np.quantile(snr, QUANTILES)
        edges[-1] += 1.0
        for lo, hi in zip(edges[:-1], edges[1:]):
            m = (snr >= lo) & (snr < hi)
            if m.any():
                idx = rings[m]
                print(f"| {left} | {lo:.0f}-{hi:.0f} | {int(m.sum())} | "
                      f"{np.mean(pred[idx] == loro_gated.RING):.3f} | {np.mean(seen[idx]):.2f} |")


if __name__ == "__main__":
    main()
