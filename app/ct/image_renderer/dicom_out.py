"""Write a rendered volume as CT Image Storage files (one per slice) plus truth.json."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
from pydicom.valuerep import DSfloat

from app.ct.image_renderer.params import RenderParams

INTERCEPT = -1024.0
# (slope, intercept, RescaleType) per output unit: stored uint16 = (value - intercept) / slope
RESCALE = {"HU": (1.0, INTERCEPT, "HU"), "mu_per_cm": (1e-5, -0.05, "US"),
           "density_mg_ml": (1.0, INTERCEPT, "MGML")}


def _ds(v: float) -> DSfloat:
    return DSfloat(float(v), auto_format=True)


def write_series(vol: np.ndarray, p: RenderParams, truth: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    slope, icpt, rtype = RESCALE[p.output_units]
    stored = np.clip(np.rint((vol - icpt) / slope), 0, 65535).astype(np.uint16)
    window = p.output(np.array([40.0, -160.0, 240.0]))      # soft-tissue window W 400 / L 40 HU
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    now = datetime.now(timezone.utc)
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    n = p.matrix
    half = (n - 1) / 2 * p.pixel_mm
    kernel = p.kernel_name or ("EDGE" if p.psf == "edge" else "STANDARD")
    paths = []
    for k, z in enumerate(truth["slice_positions_mm"]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        uid = generate_uid()
        meta.MediaStorageSOPInstanceUID = uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, uid
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = time
        ds.Manufacturer = p.manufacturer
        ds.PatientName, ds.PatientID = "CATPHAN504^IMG", "IMG504"
        ds.SeriesDescription = f"CatPhan504 {p.slice_thickness_mm:g}mm {kernel}"
        ds.SliceThickness = _ds(p.slice_thickness_mm)
        ds.SpacingBetweenSlices = _ds(p.spacing_mm)
        ds.KVP = _ds(p.kvp)
        ds.ConvolutionKernel = kernel
        ds.SeriesNumber, ds.InstanceNumber = 1, k + 1
        ds.ImagePositionPatient = [_ds(p.recon_centre_mm[0] - half), _ds(p.recon_centre_mm[1] - half), _ds(z)]
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.SliceLocation = _ds(z)
        if p.detector_geometry:
            ds.DataCollectionCenterPatient = [0.0, 0.0, float(z)]
            ds.ReconstructionTargetCenterPatient = [p.recon_centre_mm[0], p.recon_centre_mm[1], float(z)]
            ds.DistanceSourceToPatient = _ds(570.0)
            ds.DistanceSourceToDetector = _ds(1040.0)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = ds.Columns = n
        ds.PixelSpacing = [_ds(p.pixel_mm), _ds(p.pixel_mm)]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = _ds(icpt), _ds(slope), rtype
        ds.WindowCenter, ds.WindowWidth = _ds(window[0]), _ds(window[2] - window[1])
        ds.PixelData = stored[k].tobytes()
        path = out / f"IMG{k:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return paths
