"""PDF report: written, non-trivial, overlays rendered where measured."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np

from app.ct.dicom_load import LoadedSeries
from station_plugins.ct_qc.report_pdf import render_slice, write_report

from tests.ct_qc._qc_helpers import analysed, art, simulated


def test_report_pdf_with_images_tables_and_plots(tmp_path):
    sim, r = analysed(profile="factory_simct_120kv", artifacts=(art("ring", 20.0, radius_mm=40.0),), seed=26)
    out = write_report(r, tmp_path / "r.pdf", series=LoadedSeries.from_simulated(sim))
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert f"VERDICT: {r.verdict.value}" in text and "ring" in text and r.profile.sha256[:32] in text
        assert "ct_number.teflon" in text and "Signature" in text


def test_overlay_drawn_on_the_measured_slice_only():
    sim, r = analysed(seed=26, z_range_mm=(-14.0, 14.0))
    i = r.localisation.module_slices["CTP404"]
    img = simulated(seed=26, z_range_mm=(-14.0, 14.0)).volume[i]
    import cv2
    with_rois = cv2.imdecode(np.frombuffer(render_slice(img, list(r.measurements), i), np.uint8), 1)
    without = cv2.imdecode(np.frombuffer(render_slice(img, list(r.measurements), -5), np.uint8), 1)
    coloured = lambda a: int(np.count_nonzero(np.ptp(a.astype(int), axis=2) > 60))  # noqa: E731
    assert coloured(with_rois) > coloured(without) + 100
