"""Read a CT series from DICOM files into a HU volume with its geometry (pure file parsing).

The only module of the station that reads DICOM files (pydicom). Networking stays in
app/adapters. Slices are sorted by ImagePositionPatient projected on the slice normal
(ImageOrientationPatient row x column), rescaled to HU (RescaleSlope/Intercept) and
checked for consistent geometry (rows, columns, pixel spacing, orientation, one series).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from app.core.errors import InputRejected
from app.ct.note_codes import note

MAX_FILE_BYTES = 64 * 1024 * 1024
_RAW_LE_SYNTAXES = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1"}  # implicit / explicit LE


@dataclass(frozen=True)
class LoadedSeries:
    """A CT volume in HU with geometry. ``volume[z, row, col]``, float32.

    ``slice_positions_mm`` increase with the index (position along the slice normal).
    ``recon_centre_px`` = (column, row) of the rotation / reconstruction centre (from
    DataCollectionCenterPatient when present, else the image centre).
    """

    volume: np.ndarray
    pixel_mm: float                              # in-plane spacing (mean of row/col)
    slice_positions_mm: np.ndarray
    slice_thickness_mm: float
    recon_centre_px: tuple[float, float]
    header: dict = field(default_factory=dict)   # series-level attributes (see _header)
    pixel_spacing_mm: tuple[float, float] = (math.nan, math.nan)  # (row, col)
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def n_slices(self) -> int:
        return int(self.volume.shape[0])

    @property
    def slice_spacing_mm(self) -> float:
        p = self.slice_positions_mm
        return float(np.median(np.diff(p))) if len(p) > 1 else float(self.slice_thickness_mm)

    @classmethod
    def from_arrays(cls, volume: np.ndarray, pixel_mm: float, slice_positions_mm: Sequence[float],
                    slice_thickness_mm: float, *, recon_centre_px: tuple[float, float] | None = None,
                    header: dict | None = None, source: str = "") -> "LoadedSeries":
        vol = np.ascontiguousarray(volume, dtype=np.float32)
        if vol.ndim == 2:
            vol = vol[None]
        if vol.ndim != 3:
            raise InputRejected(f"volume must be 3-D (z, y, x), got shape {vol.shape}")
        pos = np.asarray(slice_positions_mm, dtype=float)
        if len(pos) != vol.shape[0]:
            raise InputRejected(f"{len(pos)} slice positions for {vol.shape[0]} slices")
        order = np.argsort(pos, kind="stable")
        if np.any(order != np.arange(len(pos))):
            vol, pos = vol[order], pos[order]
        rc = recon_centre_px or ((vol.shape[2] - 1) / 2.0, (vol.shape[1] - 1) / 2.0)
        return cls(volume=vol, pixel_mm=float(pixel_mm), slice_positions_mm=pos,
                   slice_thickness_mm=float(slice_thickness_mm), recon_centre_px=tuple(rc),
                   header=dict(header or {}), pixel_spacing_mm=(float(pixel_mm), float(pixel_mm)),
                   source=source)

    @classmethod
    def from_simulated(cls, sim: Any, header: dict | None = None) -> "LoadedSeries":
        """Wrap the digital phantom simulator's output (SimulatedSeries)."""
        truth = getattr(sim, "truth", {}) or {}
        thk = truth.get("slice_thickness_mm") or getattr(sim, "slice_thickness_mm", None)
        if thk is None:
            pos = np.asarray(sim.slice_positions_mm, float)
            thk = float(np.median(np.diff(pos))) if len(pos) > 1 else 1.0
        rc = truth.get("rotation_centre_px") or truth.get("recon_centre_px")
        params = truth.get("params", {}) or {}
        hdr = {"source": "simulator", "kvp": truth.get("kvp"), "ctdivol_mgy": truth.get("ctdivol_mgy"),
               "kernel": params.get("noise_kernel"), "nominal_slice_thickness_mm": thk,
               "recon_centre_from": "simulator truth" if rc is not None else "image centre",
               "spiral_pitch": params.get("helical_pitch") if truth.get("helical") else None,
               **_simulated_geometry(params),
               **(header or {})}
        return cls.from_arrays(sim.volume, sim.pixel_mm, sim.slice_positions_mm, float(thk),
                               recon_centre_px=tuple(rc) if rc is not None else None, header=hdr,
                               source="simulator")


def _simulated_geometry(params: dict) -> dict:
    """The header fields the simulator's DICOM writer fills from its scanner geometry."""
    sid, sdd, pitch = (params.get(k) for k in ("source_iso_mm", "source_detector_mm", "channel_pitch_deg"))
    if not (sid and sdd and pitch):
        return {}
    return {"distance_source_to_patient_mm": float(sid), "distance_source_to_detector_mm": float(sdd),
            "detector_element_spacing_mm": float(sdd) * math.radians(float(pitch))}


def _files_of(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise InputRejected(f"no such file or folder: {p}",
                                remedy="Give a folder of DICOM files or a list of files.")
    return out


def _f(ds: Any, name: str, default: Any = None) -> Any:
    v = ds.get(name, default)
    return default if v is None or v == "" else v


def _joined(v: Any) -> str | None:
    """A possibly multi-valued string attribute as one backslash-joined string."""
    if v is None or isinstance(v, str):
        return v
    return "\\".join(str(k) for k in v)


def _header(ds: Any) -> dict:
    def num(name: str) -> float | None:
        v = _f(ds, name)
        try:
            return None if v is None else float(v)
        except (TypeError, ValueError):
            return None

    kernel = _f(ds, "ConvolutionKernel")
    if kernel is not None and not isinstance(kernel, str):
        kernel = "\\".join(str(k) for k in kernel)
    return {
        "series_uid": str(_f(ds, "SeriesInstanceUID", "")) or None,
        "study_uid": str(_f(ds, "StudyInstanceUID", "")) or None,
        "manufacturer": _f(ds, "Manufacturer"), "scanner_model": _f(ds, "ManufacturerModelName"),
        "scanner_serial": _f(ds, "DeviceSerialNumber"), "station_name": _f(ds, "StationName"),
        "kvp": num("KVP"), "kernel": kernel, "tube_current_ma": num("XRayTubeCurrent"),
        "exposure_mas": num("Exposure"), "ctdivol_mgy": num("CTDIvol"),
        "series_description": _f(ds, "SeriesDescription"),
        "acquisition_date": _f(ds, "AcquisitionDate") or _f(ds, "SeriesDate"),
        "spiral_pitch": num("SpiralPitchFactor"),
        "table_feed_per_rotation_mm": num("TableFeedPerRotation"),
        "scan_options": _joined(_f(ds, "ScanOptions")),
        "nominal_slice_thickness_mm": num("SliceThickness"),
        "reconstruction_diameter_mm": num("ReconstructionDiameter"),
        "rescale_type": _f(ds, "RescaleType"),   # HU, or other units (e.g. US, MGML)
        # fan-beam geometry (maps a ring radius to a detector channel)
        "distance_source_to_patient_mm": num("DistanceSourceToPatient"),
        "distance_source_to_detector_mm": num("DistanceSourceToDetector"),
        "detector_element_spacing_mm": _channel_spacing(_f(ds, "DetectorElementSpacing")),
    }


def _channel_spacing(v: Any) -> float | None:
    """DetectorElementSpacing is (row spacing, column spacing) at the detector; the CT
    channel direction is the column direction (a single value is used as is)."""
    if v is None:
        return None
    try:
        vals = [float(x) for x in ([v] if isinstance(v, (str, int, float)) else list(v))]
    except (TypeError, ValueError):
        return None
    return vals[-1] if vals and vals[-1] > 0 else None


def _pixels(ds: Any, out: np.ndarray | None = None) -> np.ndarray:
    """HU image of one dataset, written into ``out`` (float32, rows x cols) when given:
    raw little-endian 16-bit pixels are read straight from the PixelData bytes and
    rescaled in place (no temporaries per slice)."""
    rows, cols = int(ds.Rows), int(ds.Columns)
    meta = getattr(ds, "file_meta", None)
    ts = str(meta.get("TransferSyntaxUID", "1.2.840.10008.1.2")) if meta is not None else ""
    bits = int(_f(ds, "BitsAllocated", 16))
    if ts in _RAW_LE_SYNTAXES and bits == 16 and int(_f(ds, "SamplesPerPixel", 1)) == 1:
        raw = ds.PixelData
        if len(raw) < rows * cols * 2:
            raise InputRejected(f"pixel data is {len(raw)} bytes, expected {rows * cols * 2}")
        dtype = "<i2" if int(_f(ds, "PixelRepresentation", 0)) == 1 else "<u2"
        arr = np.frombuffer(raw, dtype=dtype, count=rows * cols).reshape(rows, cols)
    else:
        arr = ds.pixel_array
    slope = float(_f(ds, "RescaleSlope", 1.0))
    icpt = float(_f(ds, "RescaleIntercept", 0.0))
    if out is None:
        out = np.empty(arr.shape, np.float32)
    if arr.shape != out.shape:
        raise InputRejected(f"image is {arr.shape[0]} x {arr.shape[1]}, expected {out.shape[0]} x {out.shape[1]}")
    if slope == 1.0:
        np.copyto(out, arr, casting="unsafe")
    else:
        np.multiply(arr, np.float32(slope), out=out, casting="unsafe")
    if icpt != 0.0:
        out += np.float32(icpt)
    return out


def load_series(paths: str | Path | Iterable[str | Path], *, series_uid: str | None = None,
                require_ct: bool = True) -> LoadedSeries:
    """Read DICOM files (a folder, a file or a list) into a :class:`LoadedSeries`.

    Non-DICOM files are skipped (counted in ``notes``). Several series in the input
    need ``series_uid``. Raises :class:`InputRejected` with the reason for bad input.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    files = _files_of(paths)
    if not files:
        raise InputRejected("no files found", remedy="Give a folder that holds the CT series.")
    datasets, skipped = [], 0
    for p in files:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputRejected(f"{p.name}: file larger than {MAX_FILE_BYTES >> 20} MiB")
        try:
            ds = pydicom.dcmread(p)
        except (InvalidDicomError, EOFError):
            skipped += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a corrupt file is bad input, not a crash
            raise InputRejected(f"{p.name}: unreadable DICOM file ({exc})") from exc
        if "PixelData" not in ds:
            skipped += 1
            continue
        datasets.append((p, ds))
    if not datasets:
        raise InputRejected(f"no DICOM image files among {len(files)} file(s)",
                            remedy="Export the series as DICOM image files and try again.")
    uids = sorted({str(_f(ds, "SeriesInstanceUID", "")) for _, ds in datasets})
    if series_uid is not None:
        datasets = [(p, ds) for p, ds in datasets if str(_f(ds, "SeriesInstanceUID", "")) == series_uid]
        if not datasets:
            raise InputRejected(f"series {series_uid} not found; present: {', '.join(uids)}")
    elif len(uids) > 1:
        raise InputRejected(f"{len(uids)} series in the input ({', '.join(uids)})",
                            remedy="Analyse one series at a time or name the series UID.")
    return _assemble(datasets, skipped, source=str(paths if isinstance(paths, (str, Path)) else files[0].parent),
                     require_ct=require_ct)


def _assemble(datasets: list, skipped: int, *, source: str, require_ct: bool) -> LoadedSeries:
    first = datasets[0][1]
    modality = str(_f(first, "Modality", ""))
    if require_ct and modality != "CT":
        raise InputRejected(f"modality is {modality or 'missing'}, expected CT")
    for tag in ("Rows", "Columns", "PixelSpacing", "ImagePositionPatient"):
        missing = [p.name for p, ds in datasets if _f(ds, tag) is None]
        if missing:
            raise InputRejected(f"{tag} missing in {len(missing)} file(s), e.g. {missing[0]}")
    iop = np.asarray(_f(first, "ImageOrientationPatient", [1, 0, 0, 0, 1, 0]), float)
    normal = np.cross(iop[:3], iop[3:])
    geom0 = (int(first.Rows), int(first.Columns), tuple(float(v) for v in first.PixelSpacing))
    for p, ds in datasets[1:]:
        g = (int(ds.Rows), int(ds.Columns), tuple(float(v) for v in ds.PixelSpacing))
        if g != geom0:
            raise InputRejected(f"{p.name}: geometry {g} differs from the series {geom0}",
                                remedy="The series mixes image sizes; re-export it.")
        o = np.asarray(_f(ds, "ImageOrientationPatient", iop), float)
        if not np.allclose(o, iop, atol=1e-3):
            raise InputRejected(f"{p.name}: image orientation differs from the series")
    pos = np.array([float(np.dot(np.asarray(ds.ImagePositionPatient, float), normal))
                    for _, ds in datasets])
    order = np.argsort(pos, kind="stable")
    pos = pos[order]
    if len(pos) > 1 and np.min(np.diff(pos)) < 1e-3:
        i = int(np.argmin(np.diff(pos)))
        raise InputRejected(f"two slices at the same position {pos[i]:.3f} mm",
                            remedy="The series holds duplicate slices; re-export it.")
    rows, cols, (dr, dc) = geom0
    vol = np.empty((len(pos), rows, cols), np.float32)
    for k, idx in enumerate(order):
        p, ds = datasets[idx]
        try:
            _pixels(ds, vol[k])
        except InputRejected as exc:
            raise InputRejected(f"{p.name}: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001
            raise InputRejected(f"{p.name}: pixel data cannot be decoded ({exc})") from exc
    notes = []
    if skipped:
        notes.append(note("dicom.files_skipped", count=int(skipped)))
    if len(pos) > 2:
        d = np.diff(pos)
        if np.ptp(d) > 0.05 * max(np.median(d), 1e-6):
            notes.append(note("dicom.uneven_spacing", min_mm=float(d.min()),
                              max_mm=float(d.max())))
    hdr = _header(first)
    thk = hdr.get("nominal_slice_thickness_mm") or (float(np.median(np.diff(pos))) if len(pos) > 1 else 1.0)
    ipp = np.asarray(first.ImagePositionPatient, float)
    centre = _f(first, "DataCollectionCenterPatient")
    if centre is not None:
        c = np.asarray(centre, float) - ipp
        rc = (float(np.dot(c, iop[:3]) / dc), float(np.dot(c, iop[3:]) / dr))
        hdr["recon_centre_from"] = "DataCollectionCenterPatient"
    else:
        rc = ((cols - 1) / 2.0, (rows - 1) / 2.0)
        hdr["recon_centre_from"] = "image centre"
    hdr["n_files"] = len(datasets)
    return LoadedSeries(volume=vol, pixel_mm=float((dr + dc) / 2), slice_positions_mm=pos,
                        slice_thickness_mm=float(thk), recon_centre_px=rc, header=hdr,
                        pixel_spacing_mm=(dr, dc), source=source, notes=tuple(notes))
