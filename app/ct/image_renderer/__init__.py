"""Image-domain CatPhan 504 renderer (independent of the CT QC projection simulator).

    from app.ct.image_renderer import RenderParams, RenderArtifact, render_series
    truth = render_series(RenderParams(noise_sd_hu=20, roll_deg=12), "out/")

Analytic shapes with area-averaged supersampling, the phantom's real body values
(CTP404 +10, CTP486 +5, CTP515 +40, CTP528 +10 HU), inserts, wire ramps, node holes and
the Teflon pin, beads, module boundaries with partial volume; a Gaussian or
edge-enhancing kernel; correlated noise with an FBP-like NPS; rings, streaks, cupping /
capping; calibration offsets and production tolerances. See docs/ct_qc_simulator.md.
"""
from app.ct.image_renderer.params import (RenderArtifact, RenderParamError, RenderParams,
                                          Tolerances)
from app.ct.image_renderer.series import render_series, render_volume

__all__ = ["RenderArtifact", "RenderParamError", "RenderParams", "Tolerances", "render_series",
           "render_volume"]
