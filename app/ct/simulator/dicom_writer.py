"""Write a SimulatedSeries as real CT Image Storage files (pydicom) plus truth.json."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.valuerep import DSfloat
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from app.core.errors import ValidationError

RESCALE_INTERCEPT = -1024.0
SOFTWARE_VERSION = "PharosSim 1.0"


def _ds(v: float) -> DSfloat:
    return DSfloat(float(v), auto_format=True)  # as many digits as fit the 16-char DS


def write_dicom_series(series: Any, out_dir: str | Path, *, scanner_serial: str = "CT-SIM-0001",
                       station_name: str = "CTSIM", manufacturer: str = "PharosSim",
                       model: str = "SimCT", series_description: str | None = None,
                       study_uid: str | None = None, series_uid: str | None = None,
                       series_number: int = 1, quality_control_subject: bool = True,
                       acquisition_datetime: datetime | None = None,
                       institution: str = "Pharos factory QC",
                       write_truth: bool = True) -> list[Path]:
    """Write one file per slice (``CT_<nnnn>.dcm``) and ``truth.json``; returns the paths.

    Pixels are int16 with RescaleSlope 1 / RescaleIntercept -1024 (HU clipped to the
    representable range). UIDs are generated unless given.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    p = series.params
    vol = series.volume
    if vol.ndim != 3:
        raise ValidationError("series volume must be 3-D (nz, ny, nx)")
    when = acquisition_datetime or p.acquisition_datetime or datetime.now(timezone.utc)
    study_uid = study_uid or generate_uid()
    series_uid = series_uid or generate_uid()
    frame_uid = generate_uid()
    desc = series_description or (
        f"QC {series.phantom.title} {p.slice_thickness_mm:g}mm {p.convolution_kernel}")
    stored = np.clip(np.rint(vol - RESCALE_INTERCEPT), -32768, 32767).astype(np.int16)
    ny, nx = vol.shape[1:]
    px = series.pixel_mm
    half_x, half_y = (nx - 1) / 2.0 * px, (ny - 1) / 2.0 * px
    rcx, rcy = p.recon_centre_mm
    date, time = when.strftime("%Y%m%d"), when.strftime("%H%M%S")
    paths: list[Path] = []
    for k, z in enumerate(series.slice_positions_mm):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        sop_uid = generate_uid()
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
        ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = sop_uid
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.FrameOfReferenceUID = frame_uid
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = date
        ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = time
        ds.StudyID, ds.AccessionNumber = "QC", ""
        ds.PatientName = f"QC^{series.phantom.name}"
        ds.PatientID = f"QC-{scanner_serial}"
        ds.PatientBirthDate, ds.PatientSex = "", "O"
        ds.QualityControlSubject = "YES" if quality_control_subject else "NO"
        ds.BodyPartExamined = "PHANTOM"
        ds.Manufacturer, ds.ManufacturerModelName = manufacturer, model
        ds.InstitutionName, ds.StationName = institution, station_name
        ds.DeviceSerialNumber = scanner_serial
        ds.SoftwareVersions = SOFTWARE_VERSION
        ds.SeriesDescription, ds.ProtocolName = desc, f"QC {series.phantom.name}"
        ds.SeriesNumber, ds.AcquisitionNumber, ds.InstanceNumber = series_number, 1, k + 1
        ds.PatientPosition = "HFS"
        ds.ImagePositionPatient = [_ds(rcx - half_x), _ds(rcy - half_y), _ds(float(z))]
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.SliceLocation = _ds(float(z))
        ds.SliceThickness = _ds(p.slice_thickness_mm)
        ds.SpacingBetweenSlices = _ds(p.spacing_mm)
        ds.PixelSpacing = [_ds(px), _ds(px)]
        ds.KVP = _ds(p.kvp)
        ds.XRayTubeCurrent = int(round(p.mas))
        ds.ExposureTime = 1000
        ds.Exposure = int(round(p.mas))
        ds.CTDIvol = float(p.ctdivol_mgy)
        ds.ConvolutionKernel = p.convolution_kernel
        ds.DataCollectionDiameter = _ds(500.0)
        ds.ReconstructionDiameter = _ds(p.fov_mm)
        ds.DataCollectionCenterPatient = [0.0, 0.0, float(z)]
        ds.ReconstructionTargetCenterPatient = [float(rcx), float(rcy), float(z)]
        ds.DistanceSourceToPatient = _ds(p.source_iso_mm)
        ds.DistanceSourceToDetector = _ds(p.source_detector_mm)
        # (row, channel) element spacing at the detector: rows = collimation magnified to
        # the detector, channels = arc length of one channel pitch
        ds.DetectorElementSpacing = [_ds(min(p.slice_thickness_mm, 0.625) * p.source_detector_mm / p.source_iso_mm),
                                     _ds(p.source_detector_mm * math.radians(p.channel_pitch_deg))]
        ds.GantryDetectorTilt = "0"
        ds.TableHeight = _ds(150.0)
        ds.RotationDirection = "CW"
        ds.SingleCollimationWidth = float(min(p.slice_thickness_mm, 0.625))
        ds.TotalCollimationWidth = 40.0
        if p.helical:
            ds.SpiralPitchFactor = float(p.helical_pitch)
            ds.TableSpeed = float(p.helical_pitch * 40.0)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = ny, nx
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation = 1
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = _ds(RESCALE_INTERCEPT), "1", "HU"
        ds.WindowCenter, ds.WindowWidth = "40", "400"
        ds.PixelData = stored[k].tobytes()
        path = out / f"CT_{k + 1:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    if write_truth:
        truth = dict(series.truth)
        truth["dicom"] = {"study_uid": study_uid, "series_uid": series_uid,
                          "scanner_serial": scanner_serial, "station_name": station_name,
                          "manufacturer": manufacturer, "model": model,
                          "series_description": desc, "acquisition_datetime": when.isoformat(),
                          "rescale_intercept": RESCALE_INTERCEPT, "files": [q.name for q in paths]}
        (out / "truth.json").write_text(json.dumps(truth, indent=1, default=str), encoding="utf-8")
    return paths
