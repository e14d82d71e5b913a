"""Ground truth of a simulated series (plain JSON-able dict, written as truth.json)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.ct.simulator.params import SliceProfile
from app.ct.simulator.render import Grid
from app.ct.simulator.scene import Pose, Scene, disc_contrast

TRUTH_VERSION = 1


def _px(grid: Grid, x_mm: float, y_mm: float) -> list[float]:
    return [round((x_mm - grid.x0) / grid.pixel_mm, 3), round((y_mm - grid.y0) / grid.pixel_mm, 3)]


def build_truth(series: Any, grid: Grid, ssp: SliceProfile, scene: Scene, artifacts: list[dict],
                mtf: dict, nps: dict, sds: np.ndarray) -> dict:
    from app.ct.simulator.series import _axis_cos, phantom_centre_at
    p, ph, zs = series.params, series.phantom, series.slice_positions_mm
    cos_t = _axis_cos(p)

    def hu(v: float) -> float:
        return round(p.hu_scale * v + p.hu_offset, 3)

    def contrast(v: float) -> float:
        return round(p.hu_scale * v, 3)

    modules = {}
    features: dict[str, Any] = {}
    for m in ph.modules:
        z_table = p.z_origin_mm + m.z_mm * cos_t
        lo, hi = (p.z_origin_mm + z * cos_t for z in m.z_extent_mm)
        k = int(np.argmin(np.abs(zs - z_table)))
        inside = bool(zs[0] - ssp.half_support <= z_table <= zs[-1] + ssp.half_support)
        cx, cy = phantom_centre_at(p, z_table)
        pose = Pose(cx, cy, p.roll_deg, p.psf_sigma_mm)
        modules[m.id] = {"kind": m.kind, "z_table_mm": round(z_table, 4),
                         "z_extent_table_mm": [round(lo, 4), round(hi, 4)],
                         "nearest_slice": k if inside else None, "in_series": inside,
                         "centre_px": _px(grid, cx, cy), "background_hu": hu(m.background_hu)}
        f: dict[str, Any] = {}
        if m.inserts:
            f["inserts"] = [{"name": i.name, "nominal_hu": i.nominal_hu,
                             "rendered_hu": hu(i.nominal_hu), "diameter_mm": i.diameter_mm,
                             "centre_px": _px(grid, *pose.polar(i.angle_deg, i.radius_mm))}
                            for i in m.inserts]
        if m.nodes:
            pts = [pose.xy(n.x_mm, n.y_mm) for n in m.nodes]
            f["nodes"] = [{"centre_px": _px(grid, x, y)} for x, y in pts]
            f["node_distances_mm"] = sorted(round(math.dist(a, b), 4)
                                            for i, a in enumerate(pts) for b in pts[i + 1:])
        if m.beads:
            pts = [pose.xy(b.x_mm, b.y_mm) for b in m.beads]
            f["beads"] = [{"centre_px": _px(grid, x, y), "z_table_mm":
                           round(z_table + b.z_offset_mm * cos_t, 4)} for (x, y), b in zip(pts, m.beads)]
            if len(pts) >= 2:
                f["bead_distance_mm"] = round(math.dist(pts[0], pts[1]), 4)
        if m.wires:
            f["wires"] = [{"centre_px": _px(grid, *pose.xy(w.x_mm, w.y_mm)),
                           "diameter_mm": w.diameter_mm} for w in m.wires]
        if m.discs:
            f["discs"] = [{"name": d.name, "contrast_hu": contrast(disc_contrast(d)),
                           "diameter_mm": d.diameter_mm, "length_mm": d.get("length_mm"),
                           "centre_px": _px(grid, *pose.polar(d.angle_deg, d.radius_mm))}
                          for d in m.discs]
        if m.ramps:
            f["ramps"] = [{"centre_px": _px(grid, *pose.polar(r.angle_deg, r.radius_mm)),
                           "orientation": r.orientation, "ramp_angle_deg": r.ramp_angle_deg,
                           "expected_fwhm_in_plane_mm": round(
                               ssp.fwhm_mm / math.tan(math.radians(r.ramp_angle_deg)), 4)}
                          for r in m.ramps]
        if m.bar_patterns:
            f["bar_patterns"] = [{"lp_per_cm": b.lp_per_cm,
                                  "centre_px": _px(grid, *pose.polar(b.angle_deg, b.radius_mm))}
                                 for b in m.bar_patterns]
        if f:
            features[m.id] = f
    c0 = p.centre_offset_mm
    per_slice = [_px(grid, *phantom_centre_at(p, z)) for z in zs]
    return {
        "truth_version": TRUTH_VERSION,
        "phantom": ph.name, "phantom_title": ph.title, "phantom_sha256": ph.sha256,
        "matrix": p.matrix, "pixel_mm": grid.pixel_mm, "fov_mm": p.fov_mm,
        "n_slices": len(zs), "slice_positions_mm": [round(float(z), 4) for z in zs],
        "slice_thickness_mm": ssp.fwhm_mm, "slice_spacing_mm": p.spacing_mm,
        "slice_profile": {"kind": ssp.kind, "fwhm_mm": ssp.fwhm_mm,
                          "support_mm": round(2 * ssp.half_support, 4)},
        "helical": p.helical,
        "centre_mm": [c0[0], c0[1]], "centre_px": _px(grid, c0[0], c0[1]),
        "centre_px_per_slice": per_slice,
        "rotation_centre_px": _px(grid, 0.0, 0.0),
        "recon_centre_mm": list(p.recon_centre_mm),
        "roll_deg": p.roll_deg, "pitch_deg": p.pitch_deg, "yaw_deg": p.yaw_deg,
        "z_origin_mm": p.z_origin_mm,
        "origin_slice": int(np.argmin(np.abs(zs - p.z_origin_mm))),
        "modules": modules, "features": features,
        "hu_scale": p.hu_scale, "hu_offset": p.hu_offset,
        "water_hu": hu(0.0), "air_hu": hu(-1000.0),
        "mtf": mtf,
        "noise": {**nps, "sd_per_slice_hu": [round(float(s), 3) for s in sds]},
        "artifacts": artifacts,
        "kvp": p.kvp, "ctdivol_mgy": p.ctdivol_mgy, "seed": p.seed,
        "params": p.to_dict(),
    }
