"""Batch mode benchmark: detectors meeting spec, joint minimum-sum arrangement alone vs
with spec balancing, on generated pools. One command, prints a table:

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/batch.py

For each pool the spec levels are the 25th / 50th / 75th percentile of the detector
costs of the joint arrangement (so that the joint arrangement alone meets spec on
roughly a quarter / half / three quarters of the detectors).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from station_plugins.detector_matching.batch import run_batch  # noqa: E402
from station_plugins.detector_matching.detector_models import load_layout  # noqa: E402
from station_plugins.detector_matching.generator import generate  # noqa: E402
from station_plugins.detector_matching.importer import validate_table  # noqa: E402
from station_plugins.detector_matching.indicators import UNITS  # noqa: E402
from station_plugins.detector_matching.optimiser import OptimiserSettings  # noqa: E402
from station_plugins.detector_matching.pool_io import RawTable, generated_rows  # noqa: E402


def main() -> int:
    rows = []
    for modules, slots, seed in ((440, 48, 1), (440, 48, 2), (1100, 100, 1)):
        cols, data = generated_rows(generate(modules, seed))
        pool = validate_table(RawTable(cols, dict(UNITS), data, "memory"), f"gen-{seed}")
        layout = load_layout("PX-48").with_slots(slots)
        settings = OptimiserSettings(seed=seed, time_limit=20, moves_per_slot=20_000)
        probe = run_batch(pool, layout, spec_cost_per_slot=1e9, settings=settings)
        joint = np.array([d["cost_per_slot"] for d in probe.detectors])
        for q in (25, 50, 75):
            spec = float(np.percentile(joint, q))
            res = run_batch(pool, layout, spec_cost_per_slot=spec, settings=settings)
            k = len(res.detectors)
            before = res.balancing["meeting_spec_before"]
            total = res.modules_in_file
            rows.append((f"{modules} mod, {k}x{slots}", f"p{q} {spec:.3f}", k, before,
                         res.meeting_spec, 100 * before * slots / total,
                         100 * res.utilisation, len(res.balancing["given_up"]),
                         res.seconds))
    print(f"{'pool':<20}{'spec/slot':<14}{'dets':>5}{'joint only':>12}{'balanced':>10}"
          f"{'util joint %':>14}{'util bal. %':>13}{'given up':>10}{'seconds':>9}")
    for r in rows:
        print(f"{r[0]:<20}{r[1]:<14}{r[2]:>5}{r[3]:>12}{r[4]:>10}{r[5]:>14.1f}{r[6]:>13.1f}"
              f"{r[7]:>10}{r[8]:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
