"""Ground truth of a rendered series (a plain JSON-able dict, written as truth.json).

Key names follow the station simulator's truth where they mean the same thing
(``features.CTP404.inserts[].rendered_hu``, ``slice_thickness_mm``, ``mtf.mtf50_lp_cm``,
``noise.sd_hu``), so one benchmark reads both.
"""
from __future__ import annotations

import math

import numpy as np

from app.ct.image_renderer import catphan504 as cp
from app.ct.image_renderer.params import RenderParams
from app.ct.image_renderer.raster import Grid
from app.ct.image_renderer.render import Pose, kernel_mtf, nps_shape


CUPPING_INSET_MM = 15.0


def _crossing(f: np.ndarray, m: np.ndarray, level: float) -> float | None:
    below = np.nonzero(m < level)[0]
    if len(below) == 0 or below[0] == 0:
        return None
    i = int(below[0])
    return float(f[i - 1] + (m[i - 1] - level) * (f[i] - f[i - 1]) / (m[i - 1] - m[i]))


def build_truth(p: RenderParams, u: cp.Unit, grid: Grid, zs: np.ndarray, sds: list[float]) -> dict:
    pose = Pose(p)
    tan_p, tan_y = math.tan(math.radians(p.pitch_deg)), math.tan(math.radians(p.yaw_deg))

    def px(x_mm: float, y_mm: float) -> list[float]:
        return [round(grid.col(x_mm), 3), round(grid.row(y_mm), 3)]

    def at(xy: tuple[float, float], z_rel: float) -> list[float]:
        return px(xy[0] + tan_y * z_rel, xy[1] + tan_p * z_rel)

    def cal(v: float) -> float:
        return round(p.hu_scale * v + p.hu_offset, 3)

    modules = {}
    for mid, (lo, hi) in u.module_z.items():
        za = cp.ANALYSIS_Z[mid]
        z_tab = p.z_origin_mm + za
        k = int(np.argmin(np.abs(zs - z_tab)))
        inside = bool(zs[0] - p.slice_thickness_mm / 2 <= z_tab <= zs[-1] + p.slice_thickness_mm / 2)
        modules[mid] = {"z_table_mm": round(z_tab, 4),
                        "z_extent_table_mm": [round(p.z_origin_mm + lo, 4), round(p.z_origin_mm + hi, 4)],
                        "nearest_slice": k if inside else None, "in_series": inside,
                        "centre_px": at((pose.cx, pose.cy), za), "background_hu": cal(u.body_hu[mid])}
    z404 = cp.ANALYSIS_Z["CTP404"]
    nodes = [pose.xy(nd["x"], nd["y"]) for nd in u.nodes]
    beads = [pose.xy(b["x"], b["y"]) for b in u.beads]
    t = p.slice_thickness_mm
    features = {
        "CTP404": {
            "inserts": [{"name": i["name"], "nominal_hu": i["nominal"], "rendered_hu": cal(i["hu"]),
                         "diameter_mm": i["d"], "centre_px": at(pose.xy(i["x"], i["y"]), z404)}
                        for i in u.inserts],
            "nodes": [{"centre_px": at(xy, z404), "kind": nd["kind"], "hu": cal(nd["hu"])}
                      for xy, nd in zip(nodes, u.nodes)],
            "node_distances_mm": sorted(round(math.dist(a, b), 4) for i, a in enumerate(nodes)
                                        for b in nodes[i + 1:]),
            "ramps": [{"centre_px": at(pose.xy(r["x"], r["y"]), z404), "orientation": r["orientation"],
                       "ramp_angle_deg": round(r["angle_deg"], 4),
                       "expected_fwhm_in_plane_mm": round(t / math.tan(math.radians(r["angle_deg"])), 4)}
                      for r in u.ramps],
        },
        "CTP515": {"discs": [{"contrast_hu": round(p.hu_scale * d["contrast"], 3), "diameter_mm": d["d"],
                              "centre_px": at(pose.xy(d["x"], d["y"]), cp.ANALYSIS_Z["CTP515"])}
                             for d in u.supra]},
        "CTP528": {"beads": [{"centre_px": at(xy, cp.ANALYSIS_Z["CTP528"])} for xy in beads],
                   "bead_distance_mm": round(math.dist(beads[0], beads[1]), 4)},
    }
    f = np.linspace(0, 0.5 / p.pixel_mm, 4001)
    m = kernel_mtf(p, f)
    nps = nps_shape(p, f)
    sd_real = float(np.mean(sds)) if sds else 0.0
    arts = []
    for a in p.artifacts:
        d = a.to_dict()
        if a.kind in ("cupping", "capping"):
            sign = 1.0 if a.kind == "cupping" else -1.0
            d["edge_minus_centre_hu"] = sign * a.amplitude_hu          # at the inner shell
            # the same at the radius where QC reads it (15 mm inside the inner shell: the
            # station simulator's and the analysis' definition, ROIs clear of the shell)
            r_in = cp.RADIUS_MM - p.shell_mm
            d["inset_radius_mm"] = round(r_in - CUPPING_INSET_MM, 3)
            d["edge_minus_centre_at_inset_hu"] = round(
                sign * a.amplitude_hu * ((r_in - CUPPING_INSET_MM) / r_in) ** 2, 4)
        arts.append(d)
    origin_slice = int(np.argmin(np.abs(zs - p.z_origin_mm)))
    return {
        "truth_version": 1, "renderer": "app.ct.image_renderer", "phantom": "catphan504",
        "matrix": p.matrix, "pixel_mm": p.pixel_mm, "fov_mm": p.fov_mm,
        "n_slices": len(zs), "slice_positions_mm": [round(float(z), 4) for z in zs],
        "slice_thickness_mm": t, "slice_spacing_mm": p.spacing_mm,
        "slice_profile": {"kind": "rect", "fwhm_mm": t},
        "centre_mm": list(p.centre_offset_mm), "centre_px": px(*p.centre_offset_mm),
        "centre_px_per_slice": [at((pose.cx, pose.cy), float(z - p.z_origin_mm)) for z in zs],
        "rotation_centre_px": px(0.0, 0.0), "recon_centre_mm": list(p.recon_centre_mm),
        "roll_deg": p.roll_deg, "pitch_deg": p.pitch_deg, "yaw_deg": p.yaw_deg,
        "z_origin_mm": p.z_origin_mm, "origin_slice": origin_slice,
        "modules": modules, "features": features,
        "hu_scale": p.hu_scale, "hu_offset": p.hu_offset, "water_hu": cal(0.0), "air_hu": cal(-1000.0),
        "output_units": p.output_units,
        "water_value": round(float(p.output(np.array(cal(0.0)))), 6),
        "air_value": round(float(p.output(np.array(cal(-1000.0)))), 6),
        "mtf": {"kernel": p.psf, "psf_sigma_mm": p.psf_sigma_mm, "edge_overshoot": p.edge_overshoot,
                "mtf50_lp_cm": None if (v := _crossing(f, m, 0.5)) is None else round(10 * v, 4),
                "mtf10_lp_cm": None if (v := _crossing(f, m, 0.1)) is None else round(10 * v, 4),
                "note": "kernel MTF (presampled); objects are area-averaged over the pixel"},
        "noise": {"sd_hu": p.noise_sd_hu, "sd_realised_hu": round(sd_real, 3),
                  "sd_per_slice_hu": [round(s, 3) for s in sds],
                  "nps_f_peak_lp_mm": round(float(f[int(np.argmax(nps))]), 4),
                  "nps_f_av_lp_mm": round(float((f * nps).sum() / max(nps.sum(), 1e-30)), 4),
                  "nps": f"|f| x {p.nps_window}(f/{p.nps_cutoff_frac:g} Nyquist)^2"
                         + (" x kernel MTF^2" if p.nps_follows_kernel else "")},
        "artifacts": arts,
        "unit": {"body_hu": {k: round(v, 3) for k, v in u.body_hu.items()},
                 "module_z_mm": {k: [round(a, 3), round(b, 3)] for k, (a, b) in u.module_z.items()}},
        "params": p.to_dict(),
    }
