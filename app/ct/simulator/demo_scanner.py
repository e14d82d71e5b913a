"""A demo fleet: several scanner serials scanning their QC phantom over several days.

Each serial has its own stable character (small CT-number offset, noise level, blur,
set-up offsets) derived from its serial, a slow drift over the days, and on some days
an artifact (a ring from a failing channel, cupping, a band, a CT-number shift) so trend
charts and artifact detectors have something to show. ``generate_demo_day`` writes one
folder per series (DICOM + truth.json) and returns a manifest; pushing the files to the
station's SCP is the networking code's job.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from app.core.errors import Cancelled
from app.ct.simulator.dicom_writer import write_dicom_series
from app.ct.simulator.params import ArtifactSpec, SimParams
from app.ct.simulator.series import simulate_series

DEFAULT_SCANNERS = ("CT-SIM-0001", "CT-SIM-0002", "CT-SIM-0003")


@dataclass(frozen=True)
class DemoSeries:
    serial: str
    day: int
    folder: Path
    series_uid: str
    phantom: str
    acquired: str
    artifacts: tuple[str, ...]
    n_files: int

    def to_dict(self) -> dict:
        return {"serial": self.serial, "day": self.day, "folder": str(self.folder),
                "series_uid": self.series_uid, "phantom": self.phantom,
                "acquired": self.acquired, "artifacts": list(self.artifacts),
                "n_files": self.n_files}


def _character(serial: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(serial.encode("utf-8")))


def _day_artifacts(index: int, day: int, days: int) -> list[ArtifactSpec]:
    """Scanner 2 grows a ring on its last day, scanner 3 cups on day 2 and bands on the
    last day; scanner 1 stays clean (the reference)."""
    last = day == days - 1
    if index % 3 == 1 and last:
        return [ArtifactSpec("ring", 25.0, channel=540)]
    if index % 3 == 2 and day == min(2, days - 1):
        return [ArtifactSpec("cupping", 35.0)]
    if index % 3 == 2 and last and days > 3:
        return [ArtifactSpec("band", 15.0)]
    return []


def demo_params(serial: str, index: int, day: int, days: int, *, phantom: str = "catphan504",
                matrix: int = 512, n_slices: int | None = None, thickness: float = 2.0,
                when: datetime | None = None, seed: int = 0) -> SimParams:
    ch = _character(serial)
    hu_offset, noise, sigma = ch.normal(0, 1.2), 9.0 + ch.uniform(0, 3), 0.42 + ch.uniform(0, 0.08)
    set_up = np.random.default_rng(seed * 1000 + index * 100 + day)
    drift = day / max(1, days - 1)
    return SimParams(
        phantom=phantom, matrix=matrix, slice_thickness_mm=thickness, n_slices=n_slices,
        centre_offset_mm=(float(set_up.normal(0, 4)), float(set_up.normal(0, 4))),
        roll_deg=float(set_up.normal(0, 2)), z_origin_mm=float(set_up.normal(0, 3)),
        psf_sigma_mm=float(sigma + 0.02 * drift * (index % 2)),
        noise_sd_hu=float(noise * (1 + 0.08 * drift * (index % 3 == 0))),
        hu_offset=float(hu_offset + 1.5 * drift * (index % 3 == 1)),
        artifacts=tuple(_day_artifacts(index, day, days)),
        acquisition_datetime=when, seed=seed * 7919 + index * 131 + day)


def generate_demo_day(out_dir: str | Path, scanners: Sequence[str] = DEFAULT_SCANNERS,
                      seed: int = 0, *, days: int = 5, start: datetime | None = None,
                      phantom: str = "catphan504", matrix: int = 512,
                      n_slices: int | None = None, thickness: float = 2.0,
                      token: Any = None,
                      progress: Callable[[float, str], None] | None = None) -> list[DemoSeries]:
    """Write ``days`` daily QC series for each serial under ``out_dir/<serial>/<date>/``.

    Returns the manifest (also written as ``out_dir/manifest.json``).
    """
    out = Path(out_dir)
    start = start or datetime(2025, 1, 6, 7, 30, tzinfo=timezone.utc)
    made: list[DemoSeries] = []
    total = max(1, len(scanners) * days)
    for i, serial in enumerate(scanners):
        for day in range(days):
            if token is not None and getattr(token, "cancelled", False):
                raise Cancelled("Demo generation cancelled.")
            when = start + timedelta(days=day, minutes=7 * i)
            p = demo_params(serial, i, day, days, phantom=phantom, matrix=matrix,
                            n_slices=n_slices, thickness=thickness, when=when, seed=seed)
            series = simulate_series(p)
            folder = out / serial / when.strftime("%Y%m%d_%H%M")
            paths = write_dicom_series(series, folder, scanner_serial=serial,
                                       station_name=f"CT{i + 1:02d}", series_number=day + 1)
            truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
            made.append(DemoSeries(serial=serial, day=day, folder=folder,
                                   series_uid=truth["dicom"]["series_uid"], phantom=phantom,
                                   acquired=when.isoformat(),
                                   artifacts=tuple(a.kind for a in p.artifacts),
                                   n_files=len(paths)))
            if progress is not None:
                progress(len(made) / total, f"{serial} day {day + 1}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps([m.to_dict() for m in made], indent=1),
                                       encoding="utf-8")
    return made
