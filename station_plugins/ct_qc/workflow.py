"""The CT QC station's Qt-free workflow: find series, analyse, store, trend, overlays.

The panel only starts these functions (in the task pool) and renders what comes back.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from app.core.errors import InputRejected
from app.core.measurement import Verdict
from app.core.tasks import CancelToken, ScaledProgress, no_progress

RESULT_KIND = "ct_qc.result"
# noise first: every phantom has it (a Catphan has no water insert: an empty first chart)
TREND_KEYS = ("noise.sd", "ct_number.water", "ct_number.uniform", "uniformity.max_edge_dev", "mtf.mtf50",
              "slice_thickness", "ct_number.teflon", "ct_number.air", "low_contrast.cnr")


@dataclass(frozen=True)
class SeriesEntry:
    """A series the station knows about (imported folder, received, or simulated)."""

    series_uid: str
    label: str
    folder: str = ""
    files: tuple[str, ...] = ()
    scanner_serial: str = ""
    acquired: str = ""
    n_images: int = 0
    origin: str = "import"          # import | received | simulated
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisOutcome:
    entry: SeriesEntry
    series: Any                     # LoadedSeries (volume, pixel_mm, slice positions, ...)
    result: Any                     # QcResult
    record_id: str = ""
    ai: dict | None = None          # the AI verdict stored beside the physics one
    baseline_record_id: str = ""    # the accepted baseline the limits were derived from


def scan_folder(folder: str | Path, *, origin: str = "import") -> list[SeriesEntry]:
    """Group the DICOM files under ``folder`` by Series Instance UID (headers only)."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    root = Path(folder)
    if not root.exists():
        raise InputRejected(f"folder {root} does not exist")
    groups: dict[str, dict[str, Any]] = {}
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for path in paths:
        if path.suffix.lower() in (".json", ".txt", ".png", ".pdf"):
            continue
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError, AttributeError):
            continue
        uid = str(getattr(ds, "SeriesInstanceUID", "") or "")
        if not uid or str(getattr(ds, "Modality", "")) != "CT":
            continue
        g = groups.setdefault(uid, {"files": [], "ds": ds})
        g["files"].append(str(path))
    out = []
    for uid, g in groups.items():
        ds = g["ds"]
        serial = str(getattr(ds, "DeviceSerialNumber", "") or "")
        date = str(getattr(ds, "AcquisitionDate", "") or getattr(ds, "SeriesDate", "") or "")
        time = str(getattr(ds, "AcquisitionTime", "") or getattr(ds, "SeriesTime", "") or "")
        acquired = (f"{date[:4]}-{date[4:6]}-{date[6:8]} {time[:2]}:{time[2:4]}"
                    if len(date) == 8 else "")
        desc = str(getattr(ds, "SeriesDescription", "") or "CT series")
        folder_of = str(Path(g["files"][0]).parent)
        out.append(SeriesEntry(series_uid=uid, label=f"{serial or '?'}  {acquired}  {desc}".strip(),
                               folder=folder_of, files=tuple(sorted(g["files"])),
                               scanner_serial=serial, acquired=acquired,
                               n_images=len(g["files"]), origin=origin))
    return sorted(out, key=lambda e: (e.scanner_serial, e.acquired, e.series_uid))


def load_entry(entry: SeriesEntry) -> Any:
    from app.ct.dicom_load import load_series

    return load_series(list(entry.files) or entry.folder, series_uid=entry.series_uid)


def analyse_entry(entry: SeriesEntry, *, phantom: str = "auto", profile: Any = None,
                  token: CancelToken | None = None,
                  progress: Callable[[float, str], None] | None = None,
                  loaded: Any = None, baseline: Any = None, geometry: Any = None) -> AnalysisOutcome:
    """Load (unless given) and analyse one series; ``run(inputs, *, token, progress)``."""
    from app.ct.analysis import analyze_series

    token = token or CancelToken()
    progress = progress or no_progress
    if loaded is None:
        progress(0.0, "reading images")
        loaded = load_entry(entry)
    token.raise_if_cancelled()
    result = analyze_series(loaded, phantom=phantom, profile=profile, baseline=baseline,
                            token=token, progress=ScaledProgress(progress, 0.1, 1.0),
                            geometry=geometry)
    return AnalysisOutcome(entry=entry, series=loaded, result=result)


def store_result(store: Any, outcome: AnalysisOutcome, *, username: str) -> str:
    """Append the result as an immutable record keyed by scanner serial and series UID."""
    res = outcome.result
    serial = (res.inputs or {}).get("scanner_serial") or outcome.entry.scanner_serial or "unknown"
    uid = (res.inputs or {}).get("series_uid") or outcome.entry.series_uid
    payload = json.loads(res.to_json())
    payload.setdefault("station", {}).update(
        acquired=outcome.entry.acquired, origin=outcome.entry.origin,
        folder=outcome.entry.folder, n_images=outcome.entry.n_images)
    row = store.add_record(RESULT_KIND, serial, payload, username=username, ref=uid,
                           verdict=res.verdict.value)
    return row.id


@dataclass(frozen=True)
class TrendPoint:
    when: str
    value: float | None
    verdict: str | None
    record_id: str
    series_uid: str


def trend_points(store: Any, serial: str, key: str, limit: int = 500) -> tuple[list[TrendPoint], dict]:
    """Values of measurement ``key`` over time for one scanner (the newest ``limit``
    results, oldest first); also the newest limits."""
    rows = store.query_records(kind=RESULT_KIND, subject=serial, limit=limit,
                               newest_first=True)[::-1]
    points: list[TrendPoint] = []
    limits: dict = {}
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
        m = next((m for m in payload.get("measurements", []) if m.get("key") == key), None)
        if m is None:
            continue
        when = _iso_or((payload.get("station", {}) or {}).get("acquired"), row.created_utc)
        value = m.get("value")
        points.append(TrendPoint(when=when, value=None if value is None else float(value),
                                 verdict=m.get("verdict"), record_id=row.id,
                                 series_uid=row.ref))
        limits = m.get("limits") or limits
    return points, limits


def _iso_or(text: Any, fallback: str) -> str:
    """``text`` when it is a valid ISO date-time (a header can carry nonsense), else
    ``fallback`` (the record's creation time)."""
    from datetime import datetime

    try:
        datetime.fromisoformat(str(text))
        return str(text)
    except ValueError:
        return fallback


def known_serials(store: Any) -> list[str]:
    """Every scanner serial with a result (a DISTINCT query: no payload is decoded)."""
    return sorted(store.subjects(RESULT_KIND))


def overlays_for_slice(result: Any, slice_idx: int, pixel_mm: float | None = None) -> list[dict]:
    """ROI overlays (RoiOverlay dicts) of the measurements made on ``slice_idx``. Where
    several measurements share one ROI only the first (the CT number) carries a label."""
    out: list[dict] = []
    labelled: set[tuple[int, int]] = set()
    for m in result.measurements:
        w = m.where or {}
        slices = w.get("slices") or ([w["slice"]] if "slice" in w else [])
        if slice_idx not in slices:
            continue
        verdict = m.verdict.value if isinstance(m.verdict, Verdict) else m.verdict
        if w.get("kind") == "circle" and "centre_px" in w:
            cx, cy = w["centre_px"]
            spot = (int(round(cx)), int(round(cy)))
            label = "" if spot in labelled else short_label(m.key)
            labelled.add(spot)
            out.append({"id": m.key, "kind": "circle", "cx": cx, "cy": cy,
                        "r": w.get("radius_px", 5.0), "label": label, "verdict": verdict})
        elif w.get("kind") == "rect" and "box_px" in w:
            x, y, bw, bh = w["box_px"]
            out.append({"id": m.key, "kind": "rect", "x": x, "y": y, "w": bw, "h": bh,
                        "label": short_label(m.key), "verdict": verdict})
        elif w.get("kind") == "line" and "points_px" in w and len(w["points_px"]) == 2:
            (x1, y1), (x2, y2) = w["points_px"]
            out.append({"id": m.key, "kind": "line", "x1": x1, "y1": y1, "x2": x2, "y2": y2,
                        "label": short_label(m.key), "verdict": verdict})
    for i, a in enumerate(result.artifacts):
        loc = a.location or {}
        rng = loc.get("slice_range") or []
        if a.type == "ring" and "radius_mm" in loc and "centre_px" in loc and (
                not rng or rng[0] <= slice_idx <= rng[-1]):
            px = pixel_mm or loc.get("pixel_mm")
            if px:
                out.append({"id": f"artifact.{i}", "kind": "circle", "cx": loc["centre_px"][0],
                            "cy": loc["centre_px"][1], "r": loc["radius_mm"] / px,
                            "label": f"ring {loc['radius_mm']:.0f} mm", "verdict": a.verdict.value})
    return _unique_ids(out)


def _unique_ids(items: Iterable[dict]) -> list[dict]:
    seen: dict[str, int] = {}
    out = []
    for d in items:
        n = seen.get(d["id"], 0)
        seen[d["id"]] = n + 1
        out.append(d if n == 0 else {**d, "id": f"{d['id']}#{n}"})
    return out


def short_label(key: str) -> str:
    """'ct_number.teflon' -> 'teflon'; 'ttf.air.f50' -> 'air'; 'noise.sd' -> 'noise.sd'."""
    parts = key.split(".")
    if len(parts) == 1:
        return key
    if parts[0] in ("ct_number", "ttf", "uniformity"):
        return parts[1]
    return key


def module_slices(result: Any) -> list[tuple[str, int]]:
    loc = result.localisation
    return sorted(((m, int(k)) for m, k in (loc.module_slices or {}).items()), key=lambda t: t[1])


def measurement_details(result: Any, key: str) -> dict:
    """What the panel shows when an ROI or a row is clicked."""
    m = result.measurement(key.split("#")[0])
    if m is None:
        return {}
    value = m.value
    if isinstance(value, float) and math.isnan(value):
        value = None
    return {"key": m.key, "value": value, "unit": m.unit, "limits": m.limits.text(),
            "verdict": m.verdict.value, "where": dict(m.where or {}), "note": m.note}


# --- background jobs: fn(*args, token=..., progress=...) for the task runner ------------
def load_job(entry: SeriesEntry, *, token: CancelToken, progress: Callable) -> tuple[SeriesEntry, Any]:
    progress(0.0, "reading images")
    loaded = load_entry(entry)
    token.raise_if_cancelled()
    return entry, loaded


def load_with_result(entry: SeriesEntry, store: Any, *, token: CancelToken,
                     progress: Callable) -> tuple[SeriesEntry, Any, Any, str]:
    """Images of a series and, when it was analysed before, its newest stored result
    (QcResult) and record id (the panel's "series chosen")."""
    from app.ct.analysis.result import QcResult

    entry, loaded = load_job(entry, token=token, progress=progress)
    rows = store.query_records(kind=RESULT_KIND, ref=entry.series_uid, limit=1) \
        if store is not None else []
    if not rows or "measurements" not in rows[0].payload:
        return entry, loaded, None, ""
    return entry, loaded, QcResult.from_json(json.dumps(rows[0].payload)), rows[0].id


def analyse_and_store(entry: SeriesEntry, loaded: Any, store: Any, username: str, *,
                      phantom: str = "auto", profile: Any = None, token: CancelToken,
                      progress: Callable, review: Any = None,
                      baseline: Any = None, geometry: Any = None) -> AnalysisOutcome:
    """Analyse and append the record. A series that cannot be decided is stored as an
    ERROR record with the reason (nothing silently lost), then the error is raised.

    ``baseline`` (a :class:`~station_plugins.ct_qc.baseline.BaselineRef` of this scanner)
    adds its constancy limits; ``review`` (a :class:`ReviewLink`) runs the AI hand-off
    after the physics result is stored (the AI verdict is stored beside it, flagged series
    are queued for the image-review station with the baseline image)."""
    from app.core.errors import Cancelled, PharosError

    try:
        outcome = analyse_entry(entry, phantom=phantom, profile=profile, token=token,
                                progress=ScaledProgress(progress, 0.0, 0.85 if review else 1.0),
                                loaded=loaded, geometry=geometry,
                                baseline=baseline.result if baseline is not None else None)
    except Cancelled:
        raise
    except PharosError as exc:
        if store is not None:
            store.add_record(RESULT_KIND, entry.scanner_serial or "unknown",
                             {"verdict": Verdict.ERROR.value, "error": exc.to_dict(),
                              "inputs": {"series_uid": entry.series_uid},
                              "station": {"acquired": entry.acquired, "folder": entry.folder}},
                             username=username, ref=entry.series_uid, verdict=Verdict.ERROR.value)
        raise
    record_id = store_result(store, outcome, username=username) if store is not None else ""
    outcome = replace(outcome, record_id=record_id,
                      baseline_record_id=baseline.record_id if baseline is not None else "")
    if review is not None and store is not None:
        progress(0.86, "AI check")
        ai = review.check(outcome, username=username, baseline=baseline, token=token,
                          progress=ScaledProgress(progress, 0.86, 1.0))
        outcome = replace(outcome, ai=ai)
    return outcome


def entry_from_info(info: Any, origin: str = "received") -> SeriesEntry:
    """A SeriesEntry for a series the intake assembled (SeriesInfo; header of one file)."""
    import pydicom

    acquired = ""
    try:
        ds = pydicom.dcmread(info.paths[0], stop_before_pixels=True)
        date = str(getattr(ds, "AcquisitionDate", "") or getattr(ds, "SeriesDate", "") or "")
        time = str(getattr(ds, "AcquisitionTime", "") or getattr(ds, "SeriesTime", "") or "")
        if len(date) == 8:
            acquired = f"{date[:4]}-{date[4:6]}-{date[6:8]} {time[:2]}:{time[2:4]}".strip(" :")
    except (OSError, ValueError, AttributeError, IndexError):
        pass
    serial = info.device_serial or ""
    desc = info.series_description or "CT series"
    return SeriesEntry(series_uid=info.series_instance_uid,
                       label=f"{serial or '?'}  {acquired}  {desc}".strip(),
                       folder=str(info.folder or ""), files=tuple(str(p) for p in info.paths),
                       scanner_serial=serial, acquired=acquired, n_images=info.instance_count,
                       origin=origin, extra={"revision": info.revision,
                                             "study_uid": info.study_instance_uid})


def stored_entries(store: Any, limit: int = 200) -> list[SeriesEntry]:
    """Series analysed before (newest results), whose images are still on disk."""
    out: dict[str, SeriesEntry] = {}
    for row in store.query_records(kind=RESULT_KIND, limit=limit):
        st = (row.payload or {}).get("station") or {}
        folder = st.get("folder") or ""
        if row.ref in out or not folder or not Path(folder).is_dir():
            continue
        acquired = st.get("acquired") or ""
        out[row.ref] = SeriesEntry(series_uid=row.ref, label=f"{row.subject}  {acquired}",
                                   folder=folder, scanner_serial=row.subject,
                                   acquired=acquired, n_images=int(st.get("n_images") or 0),
                                   origin="stored")
    return sorted(out.values(), key=lambda e: (e.acquired, e.series_uid))


@dataclass(frozen=True)
class StationSnapshot:
    """Everything the series list marks, read in one background job."""

    results: dict        # series UID -> {"verdict", "record_id", "serial"} (newest)
    ai: dict             # series UID -> stored AI verdict payload
    archive: dict        # series UID -> archive state
    baselines: dict      # serial -> {"series_uid", "record_id", "set_by", "set_utc"}
    holds: dict          # serial -> active hold (reason, username, since)


def station_snapshot(store: Any, link: Any = None, *, token: CancelToken | None = None,
                     progress: Callable = no_progress) -> StationSnapshot:
    from station_plugins.ct_qc.archive import archive_states
    from station_plugins.ct_qc.baseline import baseline_records
    from station_plugins.ct_qc.review_link import ai_verdicts

    results: dict[str, dict] = {}
    for row in store.query_records(kind=RESULT_KIND, limit=5000):
        results.setdefault(row.ref, {"verdict": row.verdict, "record_id": row.id,
                                     "serial": row.subject})
    baselines = {serial: {"series_uid": r.ref, "record_id": r.id, "set_by": r.username,
                          "set_utc": r.created_utc,
                          "result_record_id": r.payload.get("result_record_id", "")}
                 for serial, r in baseline_records(store).items()}
    return StationSnapshot(results=results, ai=ai_verdicts(store),
                           archive=archive_states(store), baselines=baselines,
                           holds=link.holds() if link is not None else {})


def report_job(result: Any, loaded: Any, path: str | Path, signatures: list, *,
               token: CancelToken, progress: Callable, record_id: str = "",
               review: dict | None = None) -> Path:
    """Write the PDF report of one result; ``signatures`` are Signature objects on it;
    ``review``: the AI check / review status shown in the header (report_pdf.review_text)."""
    from station_plugins.ct_qc.report_pdf import write_report

    progress(0.1, "writing the PDF report")
    rows = [(f"{s.printed_name} ({s.username})", s.signed_utc,
             s.meaning + (f": {s.comment}" if s.comment else "")) for s in signatures]
    out = write_report(result, path, series=loaded, signatures=rows, record_id=record_id,
                       review=review)
    progress(1.0, "report written")
    return out
