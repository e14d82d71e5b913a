"""Validation and quarantine of every incoming DICOM file (network, folder, retrieve).

pydicom is not a validator (a truncated file reads "OK", a wrong transfer syntax gives
garbage, 20,000 nested sequences raise RecursionError). Defences, in order:

1. size gate before parsing (``max_bytes``);
2. guarded parse: every exception (RecursionError, MemoryError, ...) becomes a
   :class:`DicomRejected`; all raw elements are converted inside the guard, so a bomb
   hidden in a sequence cannot go off later;
3. meta/dataset consistency (meta SOP class/instance equal the dataset's, pydicom's
   VR-encoding mismatch warnings are rejections);
4. SOP class (CT Image Storage; Enhanced CT when enabled) and transfer-syntax allow-list;
5. required attributes with plausible values;
6. exact pixel-data length (native) or a successful decode with the declared shape
   (encapsulated);
7. re-encoding: the accepted dataset is written again by pydicom as Explicit VR Little
   Endian, uncompressed (``ValidatedInstance.encoded``). Raw received bytes are never
   forwarded; they are kept only in the quarantine when rejected.
"""
from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag
from pydicom.pixels import get_decoder
from pydicom.uid import (PYDICOM_IMPLEMENTATION_UID, DeflatedExplicitVRLittleEndian,
                         ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGLossless,
                         JPEGLosslessSV1, RLELossless)

from app.core.errors import InputRejected
from app.core.ids import sha256_hex

log = logging.getLogger(__name__)

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1"
NATIVE_TRANSFER_SYNTAXES = (ImplicitVRLittleEndian, ExplicitVRLittleEndian,
                            DeflatedExplicitVRLittleEndian)
# Encapsulated syntaxes are allowed only when this pydicom install can decode them.
ENCAPSULATED_CANDIDATES = (RLELossless, JPEGLosslessSV1, JPEGLossless)
MAX_NESTING_DEPTH = 16          # CT images nest 2-4 levels; deeper is hostile or broken
IMPLEMENTATION_VERSION = "PHAROS_QC_1"

# DIMSE C-STORE failure statuses (PS3.4 B.2.3), chosen per cause:
STATUS_OUT_OF_RESOURCES = 0xA700      # size gate, intake folder not writable / full
STATUS_DATASET_MISMATCH = 0xA900      # a CT image with missing/bad attributes, pixels or UIDs
STATUS_CANNOT_UNDERSTAND = 0xC000     # unparseable, nesting bomb, transfer syntax, meta mismatch
STATUS_PROCESSING_FAILURE = 0x0110    # our own unexpected failure
STATUS_SOP_CLASS_NOT_SUPPORTED = 0x0122   # readable, but not a CT image (e.g. MR)

_REASON_STATUS = {
    "too_large": STATUS_OUT_OF_RESOURCES, "storage_failed": STATUS_OUT_OF_RESOURCES,
    "empty": STATUS_CANNOT_UNDERSTAND, "unreadable": STATUS_CANNOT_UNDERSTAND,
    "nesting_too_deep": STATUS_CANNOT_UNDERSTAND,
    "transfer_syntax": STATUS_CANNOT_UNDERSTAND, "meta_mismatch": STATUS_CANNOT_UNDERSTAND,
    "sop_class": STATUS_SOP_CLASS_NOT_SUPPORTED, "missing_attribute": STATUS_DATASET_MISMATCH,
    "invalid_attribute": STATUS_DATASET_MISMATCH, "pixel_data": STATUS_DATASET_MISMATCH,
    "uid_mismatch": STATUS_DATASET_MISMATCH, "uid_conflict": STATUS_DATASET_MISMATCH,
    "internal": STATUS_PROCESSING_FAILURE,
}
REQUIRED_ATTRIBUTES = ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID",
                       "SeriesInstanceUID", "Rows", "Columns", "BitsAllocated",
                       "PixelRepresentation", "PixelData")
GEOMETRY_ATTRIBUTES = ("PixelSpacing", "ImagePositionPatient", "ImageOrientationPatient",
                       "RescaleSlope", "RescaleIntercept")


class DicomRejected(InputRejected):
    """A DICOM file refused with a specific ``reason`` key and the DIMSE status to send."""

    def __init__(self, reason: str, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, code=f"PH-DCM-{reason.upper().replace('_', '-')}",
                         remedy="The file was quarantined with this reason; correct the "
                                "sender or re-export the series.", detail=detail)
        self.reason = reason
        self.dimse_status = _REASON_STATUS.get(reason, STATUS_PROCESSING_FAILURE)
        self.quarantine_path: Path | None = None
        self.sha256: str = ""


def allowed_transfer_syntaxes() -> tuple[str, ...]:
    """The allow-list for this install: native little endian + decodable encapsulated."""
    extra = tuple(uid for uid in ENCAPSULATED_CANDIDATES if _can_decode(uid))
    return NATIVE_TRANSFER_SYNTAXES + extra


def _can_decode(uid: str) -> bool:
    try:
        return bool(get_decoder(uid).is_available)
    except Exception:  # noqa: BLE001 - no decoder registered at all
        return False


@dataclass(frozen=True)
class ValidatedInstance:
    """An accepted instance: identifiers, key header values and the re-encoded file."""

    sop_class_uid: str
    sop_instance_uid: str
    study_instance_uid: str
    series_instance_uid: str
    transfer_syntax_uid: str        # as received
    encoded: bytes                  # re-encoded Part 10 file, Explicit VR Little Endian
    sha256_original: str
    size_original: int
    source: str = ""
    modality: str = ""
    series_description: str = ""
    series_number: int | None = None
    instance_number: int | None = None
    image_position: tuple[float, float, float] | None = None
    rows: int = 0
    columns: int = 0
    number_of_frames: int = 1
    device_serial: str = ""
    station_name: str = ""
    warnings: tuple[str, ...] = field(default=())

    def dataset(self) -> Dataset:
        return dcmread(io.BytesIO(self.encoded))


class DicomValidator:
    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024, allow_enhanced_ct: bool = False,
                 max_nesting_depth: int = MAX_NESTING_DEPTH) -> None:
        self.max_bytes = int(max_bytes)
        self.sop_classes = {CT_IMAGE_STORAGE: "CT Image Storage"}
        if allow_enhanced_ct:
            self.sop_classes[ENHANCED_CT_IMAGE_STORAGE] = "Enhanced CT Image Storage"
        self.max_nesting_depth = max_nesting_depth
        self.transfer_syntaxes = allowed_transfer_syntaxes()

    # --- entry points -----------------------------------------------------------------
    def validate_file(self, path: Path | str) -> ValidatedInstance:
        path = Path(path)
        size = path.stat().st_size
        if size > self.max_bytes:
            raise DicomRejected("too_large", f"{path.name}: {size / 1e6:.1f} MB exceeds the "
                                f"{self.max_bytes / 1e6:.1f} MB limit; not parsed.")
        return self.validate_bytes(path.read_bytes(), source=str(path))

    def validate_bytes(self, data: bytes, *, source: str = "", sha256: str | None = None
                       ) -> ValidatedInstance:
        """``sha256``: of ``data``, when the caller hashed it already (while receiving)."""
        if len(data) > self.max_bytes:
            raise DicomRejected("too_large", f"{len(data) / 1e6:.1f} MB exceeds the "
                                f"{self.max_bytes / 1e6:.1f} MB limit; not parsed.")
        if not data:
            raise DicomRejected("empty", "The file is empty.")
        try:
            return self._validate(data, source, sha256)
        except DicomRejected:
            raise
        except RecursionError:
            raise DicomRejected("nesting_too_deep", "Sequences are nested too deeply to "
                                "parse safely (recursion limit).") from None
        except MemoryError:
            raise DicomRejected("too_large", "Parsing the file needed more memory than "
                                "available.") from None
        except Exception as exc:  # noqa: BLE001 - any parser failure is a rejection
            raise DicomRejected("unreadable", f"Not a readable DICOM Part 10 file: "
                                f"{type(exc).__name__}: {str(exc)[:200]}") from None

    # --- steps ------------------------------------------------------------------------
    def _validate(self, data: bytes, source: str, sha256: str | None = None
                  ) -> ValidatedInstance:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fp = io.BytesIO(data)
            ds = dcmread(fp, force=False)
            declared = _declared_pixel_length(ds)
            depth = _convert_all(ds, self.max_nesting_depth)
        texts = tuple(str(w.message) for w in caught)
        if depth > self.max_nesting_depth:
            raise DicomRejected("nesting_too_deep", f"Sequences nested deeper than "
                                f"{self.max_nesting_depth} levels.")
        ts = self._check_meta(ds, texts)
        self._check_sop_class(ds)
        self._check_attributes(ds)
        frames = self._check_pixel_data(ds, ts)
        _check_declared_pixel_length(declared)
        encoded = _normalised(ds, data, ts, texts) or _reencode(ds)
        ipp = _geometry(ds, "ImagePositionPatient")
        return ValidatedInstance(
            sop_class_uid=str(ds.SOPClassUID), sop_instance_uid=str(ds.SOPInstanceUID),
            study_instance_uid=str(ds.StudyInstanceUID),
            series_instance_uid=str(ds.SeriesInstanceUID), transfer_syntax_uid=ts,
            encoded=encoded, sha256_original=sha256 or sha256_hex(data),
            size_original=len(data),
            source=source, modality=str(ds.get("Modality", "")),
            series_description=str(ds.get("SeriesDescription", "")),
            series_number=_int_or_none(ds.get("SeriesNumber")),
            instance_number=_int_or_none(ds.get("InstanceNumber")),
            image_position=(float(ipp[0]), float(ipp[1]), float(ipp[2])) if ipp is not None else None,
            rows=int(ds.Rows), columns=int(ds.Columns), number_of_frames=frames,
            device_serial=str(ds.get("DeviceSerialNumber", "")),
            station_name=str(ds.get("StationName", "")), warnings=texts)

    def _check_meta(self, ds: Dataset, texts: tuple[str, ...]) -> str:
        meta = ds.file_meta
        ts = str(meta.get("TransferSyntaxUID", ""))
        if not ts:
            raise DicomRejected("unreadable", "File meta has no Transfer Syntax UID (not a "
                                "valid DICOM Part 10 file).")
        if ts not in self.transfer_syntaxes:
            name = getattr(meta.TransferSyntaxUID, "name", ts)
            raise DicomRejected("transfer_syntax", f"Transfer syntax {name} ({ts}) is not "
                                "accepted (allowed: implicit/explicit VR little endian, "
                                "deflate, and decodable lossless compression).")
        for text in texts:
            low = text.lower()
            if "end of file reached" in low:
                raise DicomRejected("unreadable", f"File truncated: {text[:200]}")
            if ("expected explicit vr" in low or "expected implicit vr" in low
                    or "transfer syntax" in low or "endian" in low):
                raise DicomRejected("meta_mismatch", f"Dataset encoding does not match the "
                                    f"declared transfer syntax: {text[:200]}")
        swapped = {0x0800, 0x1000, 0x2000, 0x2800, 0xE07F}   # 0008, 0010, 0020, 0028, 7FE0
        if "SOPClassUID" not in ds and any(tag.group in swapped for tag in ds.keys()):
            raise DicomRejected("meta_mismatch", "Dataset appears to be big endian although "
                                "the file meta declares little endian (byte-swapped tags).")
        for meta_kw, ds_kw in (("MediaStorageSOPClassUID", "SOPClassUID"),
                               ("MediaStorageSOPInstanceUID", "SOPInstanceUID")):
            if meta_kw in meta and ds_kw in ds and str(meta[meta_kw].value) != str(ds[ds_kw].value):
                raise DicomRejected("uid_mismatch", f"File meta {meta_kw} "
                                    f"{meta[meta_kw].value} differs from the dataset's "
                                    f"{ds_kw} {ds[ds_kw].value}.")
        return ts

    def _check_sop_class(self, ds: Dataset) -> None:
        uid = str(ds.get("SOPClassUID", ""))
        if not uid:
            raise DicomRejected("missing_attribute", "Missing required attribute SOPClassUID.")
        if uid not in self.sop_classes:
            name = getattr(ds.SOPClassUID, "name", uid)
            raise DicomRejected("sop_class", f"SOP class {name} ({uid}) is not accepted; "
                                f"this station takes {', '.join(self.sop_classes.values())}.")

    def _check_attributes(self, ds: Dataset) -> None:
        for kw in REQUIRED_ATTRIBUTES:
            if kw not in ds or ds[kw].value in (None, "", b""):
                hint = " (file truncated?)" if kw == "PixelData" else ""
                raise DicomRejected("missing_attribute", f"Missing required attribute {kw}{hint}.")
        for kw in GEOMETRY_ATTRIBUTES:
            if _geometry(ds, kw) is None:
                raise DicomRejected("missing_attribute", f"Missing required attribute {kw}.")
        for kw in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"):
            if not _is_uid(str(ds[kw].value)):
                raise DicomRejected("invalid_attribute", f"{kw} {str(ds[kw].value)[:80]!r} "
                                    "is not a valid UID.")
        rows, cols, bits = int(ds.Rows), int(ds.Columns), int(ds.BitsAllocated)
        if not (1 <= rows <= 8192 and 1 <= cols <= 8192):
            raise DicomRejected("invalid_attribute", f"Implausible image size {rows} x {cols}.")
        if bits not in (8, 16, 32) or int(ds.PixelRepresentation) not in (0, 1):
            raise DicomRejected("invalid_attribute", f"BitsAllocated {bits} / "
                                f"PixelRepresentation {ds.PixelRepresentation} not supported.")
        if int(ds.get("SamplesPerPixel", 1)) != 1:
            raise DicomRejected("invalid_attribute", "CT images must have SamplesPerPixel 1.")
        checks = {"PixelSpacing": 2, "ImagePositionPatient": 3, "ImageOrientationPatient": 6}
        for kw, n in checks.items():
            vals = _geometry(ds, kw)
            try:
                nums = [float(v) for v in vals]
            except (TypeError, ValueError):
                raise DicomRejected("invalid_attribute", f"{kw} is not numeric.") from None
            if len(nums) != n or any(v != v or abs(v) > 1e6 for v in nums):
                raise DicomRejected("invalid_attribute", f"{kw} must have {n} finite values.")
            if kw == "PixelSpacing" and min(nums) <= 0:
                raise DicomRejected("invalid_attribute", "PixelSpacing must be positive.")
            if kw == "ImageOrientationPatient":
                row, col = nums[:3], nums[3:]
                dot = sum(a * b for a, b in zip(row, col))
                norms = [sum(a * a for a in v) for v in (row, col)]
                if abs(dot) > 1e-3 or any(abs(nv - 1.0) > 1e-3 for nv in norms):
                    raise DicomRejected("invalid_attribute", "ImageOrientationPatient is not "
                                        "two orthogonal unit vectors.")

    def _check_pixel_data(self, ds: Dataset, ts: str) -> int:
        rows, cols, bits = int(ds.Rows), int(ds.Columns), int(ds.BitsAllocated)
        spp = int(ds.get("SamplesPerPixel", 1))
        try:
            frames = int(ds.get("NumberOfFrames", 1) or 1)
        except (TypeError, ValueError):
            raise DicomRejected("invalid_attribute", "NumberOfFrames is not an integer.") from None
        if frames < 1:
            raise DicomRejected("invalid_attribute", f"NumberOfFrames {frames} is not positive.")
        expected = (rows * cols * spp * bits * frames + 7) // 8
        if ts in NATIVE_TRANSFER_SYNTAXES:
            actual = len(ds.PixelData)
            if actual != expected and not (expected % 2 == 1 and actual == expected + 1):
                raise DicomRejected("pixel_data", f"Pixel Data is {actual} bytes, expected "
                                    f"{expected} (Rows {rows} x Columns {cols} x Samples "
                                    f"{spp} x {bits} bits / 8 x {frames} frames).")
            return frames
        arr = ds.pixel_array            # decode inside the guard; errors -> rejection
        shape = (rows, cols) if frames == 1 else (frames, rows, cols)
        if tuple(arr.shape) != shape:
            raise DicomRejected("pixel_data", f"Decoded pixel data has shape {arr.shape}, "
                                f"expected {shape}.")
        ds.decompress()                 # store uncompressed (analysis needs no plugin)
        return frames


def _convert_all(ds: Dataset, limit: int) -> int:
    """Convert every raw element (inside the guard) and return the nesting depth."""
    deepest, stack = 0, [(ds, 0)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return deepest
        for elem in current:                # iterating converts raw elements
            if elem.VR == "SQ":
                stack.extend((item, depth + 1) for item in elem.value)
    return deepest


def _geometry(ds: Dataset, kw: str) -> Any:
    """A geometry/rescale value from the top level or (Enhanced CT) the functional groups."""
    if kw in ds and ds[kw].value not in (None, ""):
        return ds[kw].value
    group = {"PixelSpacing": "PixelMeasuresSequence",
             "ImagePositionPatient": "PlanePositionSequence",
             "ImageOrientationPatient": "PlaneOrientationSequence",
             "RescaleSlope": "PixelValueTransformationSequence",
             "RescaleIntercept": "PixelValueTransformationSequence"}[kw]
    for fg in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for item in ds.get(fg, [])[:1]:
            for sub in item.get(group, [])[:1]:
                if kw in sub and sub[kw].value not in (None, ""):
                    return sub[kw].value
    return None


def _declared_pixel_length(ds: Dataset) -> tuple[int, int] | None:
    """(declared length, bytes present) of the raw Pixel Data element, before decoding."""
    raw = ds._dict.get(BaseTag(0x7FE00010))
    length = getattr(raw, "length", None)
    value = getattr(raw, "value", None)
    if length is None or length == 0xFFFFFFFF or value is None:
        return None
    return int(length), len(value)


def _check_declared_pixel_length(declared: tuple[int, int] | None) -> None:
    """D15: Pixel Data whose declared length exceeds the bytes present (a cut file, or a
    hostile 0xFFFFFFF0) is refused, as DCMTK does; pydicom would read what is there."""
    if declared is None:
        return
    length, present = declared
    if present < length:
        raise DicomRejected("pixel_data", f"Pixel Data declares {length} bytes but only "
                            f"{present} are present (file cut short or length forged).")


def _normalised(ds: Dataset, data: bytes, ts: str, texts: tuple[str, ...]) -> bytes | None:
    """Fast path for the common case: a received Explicit VR Little Endian data set that
    passed every check is kept byte for byte behind a new, normalised file meta (our
    implementation UID and version). Anything else is re-encoded by pydicom."""
    if ts != ExplicitVRLittleEndian or texts:
        return None
    from pydicom.filereader import _read_file_meta_info, read_preamble

    fp = io.BytesIO(data)
    try:
        read_preamble(fp, False)
        _read_file_meta_info(fp)
    except Exception:  # noqa: BLE001 - let the full re-encode decide
        return None
    start = fp.tell()
    with memoryview(data) as view:        # one copy of the data set, not two
        return b"".join((_meta_bytes(str(ds.SOPClassUID), str(ds.SOPInstanceUID)),
                         view[start:]))


def _meta_bytes(sop_class: str, sop_instance: str) -> bytes:
    """Preamble, 'DICM' and the file meta group of :func:`_reencode`, written directly
    (Explicit VR Little Endian; same bytes as pydicom writes, ~50x faster)."""
    import struct

    def short(tag: int, vr: bytes, value: bytes) -> bytes:
        return struct.pack("<HH2sH", 0x0002, tag, vr, len(value)) + value

    def uid(text: str) -> bytes:
        b = text.encode("ascii")
        return b + b"\x00" if len(b) % 2 else b

    version = IMPLEMENTATION_VERSION.encode("ascii")
    version += b" " if len(version) % 2 else b""
    body = (struct.pack("<HH2sHI", 0x0002, 0x0001, b"OB", 0, 2) + b"\x00\x01"
            + short(0x0002, b"UI", uid(sop_class)) + short(0x0003, b"UI", uid(sop_instance))
            + short(0x0010, b"UI", uid(ExplicitVRLittleEndian))
            + short(0x0012, b"UI", uid(PYDICOM_IMPLEMENTATION_UID))
            + short(0x0013, b"SH", version))
    return (b"\x00" * 128 + b"DICM" + struct.pack("<HH2sHI", 0x0002, 0x0000, b"UL", 4,
                                                   len(body)) + body)


def _reencode(ds: Dataset) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION
    ds.file_meta = meta
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True, implicit_vr=False, little_endian=True)
    return buf.getvalue()


def _is_uid(text: str) -> bool:
    return (0 < len(text) <= 64 and all(c.isdigit() or c == "." for c in text)
            and not text.startswith(".") and not text.endswith(".") and ".." not in text)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


from app.adapters.dicom_quarantine import Quarantine  # noqa: E402,F401 - public here too
