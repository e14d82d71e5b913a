"""Run pylinac CatPhan504 on a DICOM folder and print one JSON line (own venv: old pydicom).

Usage: benchmarks/.venvs/pylinac/bin/python pylinac_runner.py FOLDER
"""
from __future__ import annotations

import json
import sys
import time
import traceback


def main(folder: str) -> None:
    from pylinac import CatPhan504
    out: dict = {"ok": False}
    t0 = time.perf_counter()
    c0 = time.process_time()
    try:
        cbct = CatPhan504(folder)
        cbct.analyze()
        out["seconds"] = time.perf_counter() - t0
        out["cpu_seconds"] = time.process_time() - c0   # all threads: independent of load
        hu = {name.lower(): float(roi.pixel_value) for name, roi in cbct.ctp404.rois.items()}
        out["hu"] = hu
        out["slice_thickness_mm"] = float(cbct.ctp404.meas_slice_thickness)
        try:
            out["mtf50_lp_cm"] = 10.0 * float(cbct.ctp528.mtf.relative_resolution(50))
        except Exception as exc:  # noqa: BLE001
            out["mtf50_error"] = str(exc)
        try:
            out["noise_sd"] = float(cbct.ctp486.rois["Center"].std)
        except Exception as exc:  # noqa: BLE001
            out["noise_error"] = str(exc)
        out["uniformity_passed"] = bool(cbct.ctp486.overall_passed)
        out["hu_passed"] = bool(cbct.ctp404.passed_hu)
        out["thickness_passed"] = bool(cbct.ctp404.passed_thickness)
        out["geometry_passed"] = bool(cbct.ctp404.passed_geometry)
        out["ok"] = True
    except Exception as exc:  # noqa: BLE001 - report exactly why pylinac failed
        out["seconds"] = time.perf_counter() - t0
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["trace"] = traceback.format_exc()[-1500:]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
