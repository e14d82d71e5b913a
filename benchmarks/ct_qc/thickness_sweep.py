"""Slice thickness error vs ground truth, axial and helical, 0.625..10 mm (512 x 512).

Usage: .venv/bin/python benchmarks/ct_qc/thickness_sweep.py [--seeds 7,8,9]
Each case simulates a slab around CTP404 (slices centred on the wire ramps: a 10 mm
helical slice 5 mm off the ramp centre leaves the wires, see docs/ct_qc.md) and prints the
measured - true thickness per seed, the mean |error| and the fitted helical edge fraction.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.ct.analysis import analyze_series  # noqa: E402
from app.ct.dicom_load import LoadedSeries  # noqa: E402
from app.ct.simulator import SimParams, simulate_series  # noqa: E402

THICKNESSES = (0.625, 1.0, 2.0, 5.0, 10.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="7,8,9")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{'mode':8s} {'T mm':>6s} | {'errors mm (per seed)':28s} | {'mean |err|':>10s} | SSP model")
    for helical in (False, True):
        for thk in THICKNESSES:
            z = (-16.0 - thk, 16.0 + thk) if thk < 10 else (-30.0, 30.0)
            errs, note = [], ""
            for seed in seeds:
                sim = simulate_series(SimParams(matrix=512, slice_thickness_mm=thk, helical=helical,
                                                z_range_mm=z, seed=seed))
                r = analyze_series(LoadedSeries.from_simulated(sim), phantom="catphan504")
                v = r.value("slice_thickness")
                errs.append(None if v is None else v - sim.truth["slice_thickness_mm"])
                note = r.measurement("slice_thickness").note
            ok = [abs(e) for e in errs if e is not None]
            shape = note.split(" removed by a ")[-1].split(" model fit")[0] if "removed by" in note else note[:40]
            cells = " ".join("  n/a " if e is None else f"{e:+.3f}" for e in errs)
            mean = f"{statistics.mean(ok):.3f}" if ok else "-"
            print(f"{'helical' if helical else 'axial':8s} {thk:6.3f} | {cells:28s} | {mean:>10s} | {shape}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
