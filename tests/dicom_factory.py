"""Small, valid CT Image Storage files made with pydicom (tests only).

ct-sim's simulator writes realistic phantom series; the network and intake tests only need
small, correct CT instances, so they build them here (fast, no numpy-heavy physics).
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def make_ct_dataset(*, study_uid: str, series_uid: str, index: int, size: int = 32,
                    thickness: float = 2.0, serial: str = "SN-TEST-1",
                    transfer_syntax: str = ExplicitVRLittleEndian) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CT_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.PatientName, ds.PatientID = "PHANTOM^QC", "QC-PHANTOM"
    ds.QualityControlSubject = "YES"
    ds.Modality, ds.SeriesDescription = "CT", "QC phantom"
    ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20240101", "120000", "1", ""
    ds.SeriesNumber, ds.InstanceNumber = 1, index + 1
    ds.DeviceSerialNumber, ds.StationName = serial, "CT-LINE-3"
    ds.Rows = ds.Columns = size
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation, ds.SamplesPerPixel = 1, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelSpacing = [0.5, 0.5]
    ds.SliceThickness = thickness
    ds.ImagePositionPatient = [-8.0, -8.0, index * thickness]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    pixels = (np.arange(size * size, dtype=np.int16).reshape(size, size) % 200) + index
    ds.PixelData = pixels.astype("<i2").tobytes()
    return ds


def encode(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def write_ct_series(folder: Path, count: int, *, size: int = 32, study_uid: str | None = None,
                    series_uid: str | None = None, serial: str = "SN-TEST-1") -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    study_uid = study_uid or generate_uid()
    series_uid = series_uid or generate_uid()
    paths = []
    for i in range(count):
        ds = make_ct_dataset(study_uid=study_uid, series_uid=series_uid, index=i, size=size,
                             serial=serial)
        path = folder / f"CT{i:04d}.dcm"
        path.write_bytes(encode(ds))
        paths.append(path)
    return paths


def nested_sequence_bomb(base: bytes, depth: int = 20_000) -> bytes:
    """``base`` (an Explicit VR LE file) with ``depth`` nested undefined-length sequences
    appended as (0008,1140) Referenced Image Sequence (built by hand: pydicom cannot
    write this depth)."""
    import struct

    seq_open = struct.pack("<HH2sHI", 0x0008, 0x1140, b"SQ", 0, 0xFFFFFFFF)
    item_open = struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    item_close = struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
    seq_close = struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    return base + (seq_open + item_open) * depth + (item_close + seq_close) * depth


def with_declared_transfer_syntax(ds: Dataset, declared: str, *, implicit_vr: bool,
                                  little_endian: bool = True) -> bytes:
    """Encode the body one way and declare another transfer syntax in the file meta."""
    from pydicom.filewriter import dcmwrite

    ds.file_meta.TransferSyntaxUID = declared
    ds.preamble = b"\0" * 128
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=implicit_vr, little_endian=little_endian,
             force_encoding=True)
    return buf.getvalue()
